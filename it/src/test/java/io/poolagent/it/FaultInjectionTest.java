package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolagent.it.support.PostgresExtension;
import io.poolagent.it.support.PostgresServer;
import io.poolagent.it.support.RegistrationLedger;
import io.poolagent.it.support.SampleApp;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The sample service with the agent, under load, while the database fails the ways databases fail. Each
 * test keeps a ledger of the registrations the service acknowledged and checks them against the database
 * afterwards: none may be lost, none written half (a user without the session its transaction created).
 * Each prints its figures in one "reliability:" line, which docs/how-it-works.md (Reliability) quotes; the
 * time figures are reported, never asserted.
 */
@Tag("slow")
class FaultInjectionTest {

    private static final String PASSWORD = "fault-pw-3317";
    private static final int VIRTUAL_USERS = 20;
    /** The soak's length: short in the default build, 10 minutes with -Psoak. */
    private static final int SOAK_SECONDS = Integer.getInteger("soak.seconds", 30);

    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.server(60, PostgresServer.Auth.SCRAM).role("auth", PASSWORD);

    @Test
    void aServerRestartUnderLoadLosesNothingAndTheServiceServesAgain() throws Exception {
        try (SampleApp app = service(Map.of()); RegistrationLedger load = new RegistrationLedger(app.baseUrl(), VIRTUAL_USERS, "restart")) {
            load.awaitSuccessesInARow(50, Duration.ofMinutes(2));
            PG.server().restart(); // fast shutdown: every session is cut, as in a failover
            double back = load.awaitSuccessesInARow(100, Duration.ofMinutes(2));
            report("server restart under load", load, back);
        }
    }

    @Test
    void sessionsTerminatedMidTransactionLoseNothingAndWriteNothingHalf() throws Exception {
        try (SampleApp app = service(Map.of()); RegistrationLedger load = new RegistrationLedger(app.baseUrl(), VIRTUAL_USERS, "terminate")) {
            load.awaitSuccessesInARow(50, Duration.ofMinutes(2));
            for (int round = 0; round < 5; round++) {
                PG.server().execute("select pg_terminate_backend(pid) from pg_stat_activity where usename = 'auth'");
                Thread.sleep(500);
            }
            double back = load.awaitSuccessesInARow(100, Duration.ofMinutes(2));
            report("pg_terminate_backend of every pooled session, 5 times", load, back);
        }
    }

    @Test
    void aServerThatStopsAnsweringForTenSecondsLosesNothing() throws Exception {
        try (SampleApp app = service(Map.of()); RegistrationLedger load = new RegistrationLedger(app.baseUrl(), VIRTUAL_USERS, "frozen")) {
            load.awaitSuccessesInARow(50, Duration.ofMinutes(2));
            List<Long> server = PG.server().freeze();
            try {
                Thread.sleep(10_000);
            } finally {
                PG.server().thaw(server);
            }
            double back = load.awaitSuccessesInARow(100, Duration.ofMinutes(2));
            report("server frozen (SIGSTOP) for 10 s", load, back);
        }
    }

    /** Lifetimes short enough that every connection is replaced many times over; nothing may pile up. */
    @Test
    void aSoakWithConnectionsChurningLosesNothingAndLeaksNoThreads() throws Exception {
        Map<String, String> churn = Map.of("DB_CONN_MAX_LIFETIME", "30s", "DB_CONN_MAX_IDLE_TIME", "10s",
                "DB_MAX_IDLE_CONNS", "2");
        try (SampleApp app = service(churn); RegistrationLedger load = new RegistrationLedger(app.baseUrl(), VIRTUAL_USERS, "soak")) {
            load.awaitSuccessesInARow(200, Duration.ofMinutes(2));
            double heapBefore = app.heapUsedAfterGcMiB();
            int threadsBefore = app.threads();
            Thread.sleep(SOAK_SECONDS * 1000L);
            double heapAfter = app.heapUsedAfterGcMiB();
            int threadsAfter = app.threads();
            load.close();
            RegistrationLedger.Audit audit = load.audit(PG.url(), PostgresServer.SUPERUSER);
            System.out.printf(Locale.ROOT, "reliability: soak of %d s, DB_CONN_MAX_LIFETIME=30s: %d requests, %d failed;"
                            + " %s; heap after full GC %.1f -> %.1f MiB; threads %d -> %d%n", SOAK_SECONDS,
                    load.succeeded() + load.failed(), load.failed(), audit, heapBefore, heapAfter, threadsBefore, threadsAfter);
            assertEquals(0, load.failed(), "nothing failed while nothing broke");
            assertNothingLost(audit);
            assertTrue(threadsAfter <= threadsBefore + 8, "threads " + threadsBefore + " -> " + threadsAfter);
        }
    }

    private static SampleApp service(Map<String, String> extra) throws Exception {
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "DATABASE_URL", "postgres://auth:" + PASSWORD + "@127.0.0.1:" + PG.port() + "/postgres",
                "DB_MAX_OPEN_CONNS", "10",
                "DB_POOL_METRICS_PORT", "0"));
        env.putAll(extra);
        return SampleApp.start(true, env);
    }

    private static void report(String fault, RegistrationLedger load, double secondsToServe) throws Exception {
        load.close();
        RegistrationLedger.Audit audit = load.audit(PG.url(), PostgresServer.SUPERUSER);
        System.out.printf(Locale.ROOT, "reliability: %s: %d requests, %d failed; %s; 100 requests in a row"
                + " succeeded %.1f s after the fault ended%n", fault, load.succeeded() + load.failed(), load.failed(),
                audit, secondsToServe);
        assertNothingLost(audit);
    }

    private static void assertNothingLost(RegistrationLedger.Audit audit) {
        assertTrue(audit.acknowledged > 0, "the service acknowledged registrations: " + audit);
        assertEquals(0, audit.lost, "acknowledged registrations missing from the database: " + audit);
        assertEquals(0, audit.halfWritten, "registrations written half: " + audit);
    }
}
