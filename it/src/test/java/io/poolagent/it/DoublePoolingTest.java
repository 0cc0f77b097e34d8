package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.poolagent.it.apps.OwnHikari;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.PostgresExtension;
import io.poolagent.it.support.PostgresServer;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An application that already pools with its own HikariCP (5.1.0 here, not the agent's 7.x) keeps its
 * physical pgjdbc connections: the agent must not put a pool under a pool.
 */
class DoublePoolingTest {

    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.server(20, PostgresServer.Auth.TRUST)
            .role("app", "app-secret");

    static Stream<Arguments> jdksAndModes() {
        return io.poolagent.it.support.Jdks.all()
                .flatMap(jdk -> Stream.of(Arguments.of(jdk, "jdbc-url"), Arguments.of(jdk, "data-source-class")));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("jdksAndModes")
    void appsOwnHikariIsNotDoublePooled(Path jdk, String mode) {
        ChildJvm.Result r = ChildJvm.on(jdk).withAgent()
                .run(OwnHikari.class, mode, PG.url(), "app", "app-secret", "5");

        assertEquals(0, r.exitCode, r.toString());
        assertEquals(0, r.intValue("errors"), r.toString());
        assertEquals("5.1.0", r.value("hikariVersion"), r.toString());
        assertEquals("org.postgresql.jdbc.PgConnection", r.value("physicalClass"), r.toString());
        assertEquals(5, r.intValue("totalConnections"), r.toString());
        assertEquals(0, r.agentLinesContaining("ready"), "the agent built no pool of its own:\n" + r);
    }
}
