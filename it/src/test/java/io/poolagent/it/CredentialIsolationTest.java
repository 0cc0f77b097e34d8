package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.poolagent.it.apps.RoleIsolation;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.PostgresExtension;
import io.poolagent.it.support.PostgresServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A pooled connection never reaches a caller who asked for other credentials, and secrets never get logged. */
@Tag("slow")
class CredentialIsolationTest {

    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.server(20, PostgresServer.Auth.SCRAM)
            .role("alice", "alice-pw-7731")
            .role("bob", "bob-pw-8842");

    @ParameterizedTest
    @MethodSource("io.poolagent.it.support.Jdks#all")
    void twoRolesUsedConcurrentlyNeverSeeEachOthersSessions(Path jdk) {
        ChildJvm.Result r = ChildJvm.on(jdk).withAgent().env("DB_MAX_OPEN_CONNS", "4")
                .run(RoleIsolation.class, PG.url(), "alice", "alice-pw-7731", "bob", "bob-pw-8842", "20", "50");

        assertEquals(0, r.exitCode, r.toString());
        assertEquals(2 * 20 * 50, r.intValue("checked"), r.toString());
        assertEquals(0, r.intValue("mismatches"), r.toString());
        assertEquals(0, r.intValue("errors"), r.toString());
        assertEquals("28P01", r.value("wrongPassword"), "a wrong password is refused by the server, not served from a pool");
        assertEquals(1, r.agentLinesContaining("pool alice@127.0.0.1:" + PG.port() + "/postgres ready"), r.toString());
        assertEquals(1, r.agentLinesContaining("pool bob@127.0.0.1:" + PG.port() + "/postgres ready"), r.toString());
        for (String secret : new String[] {"alice-pw-7731", "bob-pw-8842"}) {
            assertFalse(String.join("\n", r.agentLines()).contains(secret), "the agent logged a password:\n" + r);
        }
    }
}
