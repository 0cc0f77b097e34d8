package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolagent.it.apps.ConnectStorm;
import io.poolagent.it.apps.DriverDataSources;
import io.poolagent.it.apps.H2InMemory;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.Jdks;
import io.poolagent.it.support.PostgresServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** URLs the agent is not configured for, and connections whose caller expects the driver's own, pass through. */
@Tag("slow")
class PassThroughTest {

    @ParameterizedTest
    @MethodSource("io.poolagent.it.support.Jdks#all")
    void h2InMemoryUrlIsNotPooled(Path jdk) {
        ChildJvm.Result without = ChildJvm.on(jdk).run(H2InMemory.class);
        ChildJvm.Result with = ChildJvm.on(jdk).withAgent().run(H2InMemory.class);

        assertEquals("false", without.value("tableSurvivedClose"), "control: H2 drops the database on close");
        assertEquals(without.value("tableSurvivedClose"), with.value("tableSurvivedClose"), with.toString());
        assertEquals(without.value("connectionClass"), with.value("connectionClass"), with.toString());
        assertEquals(0, with.agentLinesContaining("ready"), with.toString());
    }

    @ParameterizedTest
    @MethodSource("io.poolagent.it.support.Jdks#all")
    void pgjdbcsXaAndConnectionPoolDataSourcesAreNotPooled(Path jdk) {
        try (PostgresServer pg = PostgresServer.start(20, PostgresServer.Auth.TRUST)) {
            ChildJvm.Result r = ChildJvm.on(jdk).withAgent().run(DriverDataSources.class, pg.url(), "postgres", "");

            assertEquals(0, r.exitCode, r.toString());
            assertEquals("org.postgresql.jdbc.PgConnection", r.value("xa"), r.toString());
            assertEquals("org.postgresql.jdbc.PgConnection", r.value("connectionPool"), r.toString());
            assertEquals(0, r.agentLinesContaining("ready"), r.toString());
        }
    }

    @Test
    void postgresUrlsOutsideDbPoolUrlsAreNotPooled() {
        try (PostgresServer pg = PostgresServer.start(20, PostgresServer.Auth.TRUST)) {
            ChildJvm.Result r = ChildJvm.on(Jdks.current()).withAgent()
                    .env("DB_POOL_URLS", "jdbc:postgresql://db.example:5432/,jdbc:mysql:")
                    .run(ConnectStorm.class, "driver-manager", pg.url(), "postgres", "", "2", "3");

            assertEquals(6, r.intValue("ok"), r.toString());
            assertTrue(r.value("connectionClasses").contains("org.postgresql.jdbc.PgConnection"), r.toString());
            assertEquals(0, r.agentLinesContaining("ready"), r.toString());
        }
    }
}
