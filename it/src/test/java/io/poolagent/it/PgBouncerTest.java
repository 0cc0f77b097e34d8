package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolagent.it.apps.PreparedReuse;
import io.poolagent.it.load.LoadGenerator;
import io.poolagent.it.load.LoadResult;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.Jdks;
import io.poolagent.it.support.PgBouncer;
import io.poolagent.it.support.PostgresExtension;
import io.poolagent.it.support.PostgresServer;
import io.poolagent.it.support.SampleApp;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scale-out path: the agent's pools in front of a real PgBouncer in transaction mode (without its
 * prepared-statement tracking, as 1.18 has none), which hands each transaction whichever server session is
 * free. One server session behind the bouncer makes the prepared-statement collision certain.
 */
@Tag("slow")
class PgBouncerTest {

    private static final String PASSWORD = "bouncer-secret-5173";
    private static final String DETECTED = "a connection pooler (PgBouncer or alike) stands between";

    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.server(40, PostgresServer.Auth.SCRAM).role("app", PASSWORD);

    private static PgBouncer bouncer;

    @BeforeAll
    static void startBouncer() throws Exception {
        StringBuilder why = new StringBuilder();
        bouncer = PgBouncer.start(PG.server(), "app", PASSWORD, 1, why);
        assertNotNull(bouncer, "PgBouncer could not be started (install the Debian package pgbouncer;"
                + " ./test.sh does): " + why);
    }

    @AfterAll
    static void stopBouncer() throws Exception {
        if (bouncer != null) {
            bouncer.close();
        }
    }

    @Test
    void withoutTheFixAPreparedStatementReusedOnTwoConnectionsCollides() {
        ChildJvm.Result r = reuse("off");

        assertTrue(r.intValue("failed") > 0, "the pooler did not break server-prepared statements:\n" + r);
        assertTrue(r.value("sqlstates").contains("42P05"), r.toString());
    }

    @Test
    void aFoundPoolerGetsNoServerPreparedStatementsAndKeepsTheReset() {
        ChildJvm.Result r = reuse("auto");

        assertEquals(0, r.intValue("failed"), r.toString());
        assertEquals(2 * 25, r.intValue("ok"), r.toString());
        assertEquals(1, r.agentLinesContaining(DETECTED), r.toString());
        // The pooler may run in session mode, which the client cannot see: the reset stays.
        assertEquals(1, r.agentLinesContaining("Reset=full, ConnectRetries=5, Backoff=1s..16s, Pooler=detected"),
                r.toString());
    }

    @Test
    void aConfiguredTransactionPoolerAlsoTurnsTheResetOff() {
        ChildJvm.Result r = reuse("transaction");

        assertEquals(0, r.intValue("failed"), r.toString());
        assertEquals(2 * 25, r.intValue("ok"), r.toString());
        assertEquals(0, r.agentLinesContaining(DETECTED), r.toString());
        assertEquals(1, r.agentLinesContaining("Reset=off (DB_POOL_PGBOUNCER=transaction)"), r.toString());
        assertEquals(1, r.agentLinesContaining("Pooler=transaction"), r.toString());
    }

    @Test
    void anApplicationsOwnPrepareThresholdStands() {
        // PgBouncer 1.21 and later can track prepared statements; an application that relies on that says so.
        ChildJvm.Result r = ChildJvm.on(Jdks.current()).withAgent().env("DB_MAX_OPEN_CONNS", "4")
                .run(PreparedReuse.class, bouncerUrl() + "?prepareThreshold=5", "app", PASSWORD, "2", "5");

        assertEquals(1, r.agentLinesContaining("the application's prepareThreshold stays as it is"), r.toString());
        assertTrue(r.value("sqlstates").contains("42P05"), "1.18 tracks none, so they collide:\n" + r);
    }

    @Test
    void aDirectConnectionIsNotMistakenForAPooler() {
        ChildJvm.Result r = ChildJvm.on(Jdks.current()).withAgent().env("DB_MAX_OPEN_CONNS", "4")
                .run(PreparedReuse.class, PG.url(), "app", PASSWORD, "2", "5");

        assertEquals(0, r.intValue("failed"), r.toString());
        assertEquals(1, r.agentLinesContaining("Pooler=none"), r.toString());
        assertEquals(1, r.agentLinesContaining("Reset=full"), r.toString());
    }

    @Test
    void theSampleServiceThroughPgBouncerServesEveryRequest() throws Exception {
        Map<String, String> env = Map.of(
                "DATABASE_URL", "postgres://app:" + PASSWORD + "@127.0.0.1:" + bouncer.port() + "/postgres",
                "DB_MAX_OPEN_CONNS", "8", "DB_POOL_METRICS_PORT", "0");
        LoadResult result;
        String log;
        try (SampleApp app = SampleApp.start(true, env)) {
            // Ends by the iteration count; the time limit only stops a run that hangs.
            result = new LoadGenerator(app.baseUrl(), 16, Duration.ofMinutes(5)).iterationsPerUser(25)
                    .run("pool-agent -> PgBouncer", PG.url(), PostgresServer.SUPERUSER);
            log = app.stderr();
        }

        String summary = result.requests + " requests, " + result.failed + " failed\n" + log;
        assertTrue(result.requests >= 16 * 25, summary);
        assertEquals(0, result.failed, summary);
        assertTrue(log.contains(DETECTED), log);
    }

    private static ChildJvm.Result reuse(String mode) {
        return ChildJvm.on(Jdks.current()).withAgent()
                .env("DB_MAX_OPEN_CONNS", "4").env("DB_POOL_PGBOUNCER", mode)
                .run(PreparedReuse.class, bouncerUrl(), "app", PASSWORD, "2", "25");
    }

    private static String bouncerUrl() {
        return "jdbc:postgresql://127.0.0.1:" + bouncer.port() + "/postgres";
    }
}
