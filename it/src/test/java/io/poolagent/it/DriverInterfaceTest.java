package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolagent.it.apps.DriverInterface;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.Jdks;
import io.poolagent.it.support.PostgresExtension;
import io.poolagent.it.support.PostgresServer;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Legacy code casts its connection to pgjdbc's {@code PGConnection}: LISTEN/NOTIFY consumers, the COPY
 * API, custom types. A pooled connection must be one, and the session it reached past the pool with must
 * not go to the next borrower.
 */
@Tag("slow")
class DriverInterfaceTest {

    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.server(20, PostgresServer.Auth.TRUST)
            .role("app", "app-secret");

    static Stream<Arguments> jdksAndEntries() {
        return Jdks.all().flatMap(jdk -> Stream.of(Arguments.of(jdk, "driver-manager"), Arguments.of(jdk, "data-source")));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("jdksAndEntries")
    void aPooledConnectionIsAPgConnection(Path jdk, String entry) {
        ChildJvm.Result r = ChildJvm.on(jdk).withAgent().env("DB_MAX_OPEN_CONNS", "1")
                .run(DriverInterface.class, entry, PG.url(), "app", "app-secret");

        assertEquals(0, r.exitCode, r.toString());
        assertEquals(1, r.agentLinesContaining("ready: MaxOpen=1"), "pooled:\n" + r);
        assertTrue(r.value("class").startsWith("io.poolagent"), r.toString());
        assertEquals("true", r.value("castOnlySessionNotReused"), r.toString());
        assertEquals("true", r.value("pidMatchesServer"), r.toString());
        assertEquals("org.postgresql.jdbc.PgConnection", r.value("unwrapped"), r.toString());
        assertEquals("true", r.value("isWrapperFor"), r.toString());
        assertEquals("jobs:job-42", r.value("notification"), r.toString());
        assertEquals("2:one,two", r.value("copy"), r.toString());
        assertEquals("ok", r.value("addDataType"), r.toString());
        for (String handle : new String[] {"statementConnection", "resultSetConnection", "preparedConnection",
                "metaDataConnection", "statementConnectionCasts"}) {
            assertEquals("true", r.value(handle), handle + "\n" + r);
        }
        assertEquals("true", r.value("nextBorrowerGotFreshSession"), r.toString());
        assertEquals("0", r.value("nextBorrowerListens"), r.toString());
    }
}
