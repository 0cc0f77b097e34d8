package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.poolagent.it.apps.SessionState;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.Jdks;
import io.poolagent.it.support.PostgresExtension;
import io.poolagent.it.support.PostgresServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Without the agent every getConnection() was a fresh session. With a pool of one, the second borrower
 * gets the first one's physical connection: by default none of its session state may come along.
 */
class SessionResetTest {

    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.server(20, PostgresServer.Auth.TRUST)
            .role("app", "app-secret")
            .role("other", "other-secret")
            .sql("GRANT other TO app");

    @ParameterizedTest
    @MethodSource("io.poolagent.it.support.Jdks#all")
    void sessionStateSetByOneBorrowerIsGoneForTheNext(Path jdk) {
        ChildJvm.Result r = run(ChildJvm.on(jdk).withAgent());

        assertEquals("true", r.value("samePhysicalConnection"), "the test must reuse one connection:\n" + r);
        assertEquals("app", r.value("currentUser"), r.toString());
        assertEquals("\"$user\", public", r.value("searchPath"), r.toString());
        assertEquals(r.value("freshApplicationName"), r.value("applicationName"), r.toString());
        assertEquals("0", r.value("tempTable"), r.toString());
        assertEquals("0", r.value("advisoryLocks"), r.toString());
        assertEquals("true", r.value("autoCommit"), r.toString());
        assertEquals(10, r.intValue("preparedRuns"), "pgjdbc's statement cache survives DISCARD ALL:\n" + r);
    }

    @Test
    void resetOffKeepsServerSideStateForSpeed() {
        ChildJvm.Result r = run(ChildJvm.on(Jdks.current()).withAgent().env("DB_POOL_RESET", "off"));

        assertEquals("true", r.value("samePhysicalConnection"), r.toString());
        assertEquals("other", r.value("currentUser"), "documented: with reset off SET ROLE leaks\n" + r);
        assertEquals("pg_catalog", r.value("searchPath"), r.toString());
        assertEquals("1", r.value("tempTable"), r.toString());
        assertEquals("true", r.value("autoCommit"), "HikariCP still resets what JDBC itself sets\n" + r);
    }

    private static ChildJvm.Result run(ChildJvm jvm) {
        ChildJvm.Result r = jvm.env("DB_MAX_OPEN_CONNS", "1")
                .run(SessionState.class, PG.url(), "app", "app-secret", "other");
        assertEquals(0, r.exitCode, r.toString());
        return r;
    }
}
