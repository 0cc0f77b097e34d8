package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.poolagent.it.apps.ConnectStorm;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.Jdks;
import io.poolagent.it.support.PostgresExtension;
import io.poolagent.it.support.PostgresServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * When a pool starts it reads the server's max_connections and reserved slots, and warns once when this
 * JVM's DB_MAX_OPEN_CONNS alone takes more than half of what the server admits for applications: then two
 * replicas can exhaust it. Here the budget is 20 - 3 superuser slots = 17.
 */
@Tag("slow")
class SizingWarningTest {

    private static final String HALF = "is more than half of what the server admits for applications";

    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.server(20, PostgresServer.Auth.TRUST);

    @Test
    void aPoolTakingMoreThanHalfOfTheServersBudgetIsWarnedAboutOnce() {
        ChildJvm.Result r = storm("9");

        assertEquals(20, r.intValue("ok"), r.toString());
        assertEquals(1, r.agentLinesContaining("DB_MAX_OPEN_CONNS=9 " + HALF), r.toString());
        assertEquals(1, r.agentLinesContaining("17 = max_connections 20 - 3 reserved"), r.toString());
    }

    @Test
    void aPoolLargerThanTheWholeBudgetIsToldSo() {
        ChildJvm.Result r = storm("25");

        assertEquals(1, r.agentLinesContaining("DB_MAX_OPEN_CONNS=25 is more than the server admits"), r.toString());
    }

    @Test
    void aPoolWithinHalfOfTheBudgetIsNotWarnedAbout() {
        ChildJvm.Result r = storm("8");

        assertEquals(20, r.intValue("ok"), r.toString());
        assertEquals(0, r.agentLinesContaining("WARN"), r.toString());
    }

    @Test
    void aConfiguredPoolerSkipsTheCheck() {
        // Behind a pooler the pool's connections count against the pooler, not max_connections.
        ChildJvm.Result r = ChildJvm.on(Jdks.current()).withAgent().env("DB_MAX_OPEN_CONNS", "25")
                .env("DB_POOL_PGBOUNCER", "session").env("DB_POOL_METRICS_PORT", "off")
                .run(ConnectStorm.class, "driver-manager", PG.url(), PostgresServer.SUPERUSER, "", "2", "10");

        assertEquals(0, r.agentLinesContaining("WARN"), r.toString());
        assertEquals(1, r.agentLinesContaining("Pooler=session"), r.toString());
    }

    private static ChildJvm.Result storm(String maxOpen) {
        return ChildJvm.on(Jdks.current()).withAgent().env("DB_MAX_OPEN_CONNS", maxOpen)
                .env("DB_POOL_METRICS_PORT", "off")
                .run(ConnectStorm.class, "driver-manager", PG.url(), PostgresServer.SUPERUSER, "", "2", "10");
    }
}
