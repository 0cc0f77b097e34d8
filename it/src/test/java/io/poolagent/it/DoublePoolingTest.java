package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolagent.it.apps.OwnHikari;
import io.poolagent.it.apps.PoolLibraries;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.PostgresExtension;
import io.poolagent.it.support.PostgresServer;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An application that already pools keeps its physical pgjdbc connections: the agent must not put a pool
 * under a pool. Its own HikariCP (5.1.0 here, not the agent's 7.x), and each other common pool library,
 * the real one from Maven Central.
 */
@Tag("slow")
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

    static Stream<Arguments> jdksAndLibraries() {
        return io.poolagent.it.support.Jdks.all().flatMap(jdk -> Stream.of("dbcp2", "tomcat-dbcp", "c3p0", "tomcat-jdbc",
                "agroal", "vibur", "druid", "mybatis", "hibernate").map(library -> Arguments.of(jdk, library)));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("jdksAndLibraries")
    void otherPoolLibrariesAreNotDoublePooled(Path jdk, String library) {
        String run = library + "-" + jdk.getFileName(); // sessions of earlier runs may still be ending
        ChildJvm.Result r = ChildJvm.on(jdk).withAgent().env("DB_MAX_OPEN_CONNS", "2")
                .run(PoolLibraries.class, library, PG.url() + (PG.url().contains("?") ? "&" : "?") + "ApplicationName=" + run,
                        "app", "app-secret", "4");

        assertEquals(0, r.exitCode, r.toString());
        assertEquals(0, r.intValue("errors"), r.toString());
        assertEquals(0, r.agentLinesContaining("ready"), "the agent built no pool of its own:\n" + r);
        // Three held at once: with the agent's pool (at most 2) under the library that could not be.
        int sessions = r.intValue("sessions");
        assertTrue(sessions >= 3 && sessions <= 4, "the library's own sessions: " + sessions + "\n" + r);
    }
}
