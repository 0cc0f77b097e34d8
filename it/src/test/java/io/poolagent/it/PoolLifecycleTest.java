package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolagent.it.apps.ScriptedCalls;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.Jdks;
import io.poolagent.it.support.PostgresExtension;
import io.poolagent.it.support.PostgresServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pools come and go with use: an unused pool (a mistyped password, a rotated one, a tool that ran once) is
 * closed and forgotten, credentials and readiness included; at exit the sessions end with a goodbye.
 */
@Tag("slow")
class PoolLifecycleTest {

    private static final String PASSWORD = "life-pw-1181";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.server(30, PostgresServer.Auth.SCRAM).role("app", PASSWORD);

    @TempDir
    Path tmp;

    @Test
    void aMistypedPasswordsPoolIsForgottenAndReadinessComesBack() throws Exception {
        try (ChildJvm.Running app = agent().env("DB_POOL_UNUSED_TIMEOUT", "2s")
                .start(ScriptedCalls.class, PG.url(), "call:app:not-the-password:1", "mark:typo", "sleep:60000")) {
            app.awaitOutput("RESULT typo=reached", Duration.ofSeconds(60));
            int port = app.metricsPort();
            assertEquals(503, get(port, "/health/ready").statusCode());

            app.awaitStderr(java.util.regex.Pattern.compile("pool app@\\S+ closed: unused for 2s"), Duration.ofSeconds(60));
            assertEquals(200, get(port, "/health/ready").statusCode(), "the typo no longer counts");
            assertFalse(get(port, "/pools").body().contains("\"Pool\""), "the pool is gone from /pools");
        }
    }

    @Test
    void afterAPasswordRotationTheOldPoolDrainsAndCloses() throws Exception {
        Path rotated = tmp.resolve("rotated");
        String newPassword = "call:app:rotated-pw-2291:5";
        try (ChildJvm.Running app = agent().env("DB_POOL_UNUSED_TIMEOUT", "3s").env("DB_MAX_IDLE_CONNS", "3")
                .start(ScriptedCalls.class, PG.url(), "call:app:" + PASSWORD + ":5", "mark:before", "await:" + rotated,
                        newPassword, "mark:after", "sleep:1000", newPassword, "sleep:1000", newPassword, "sleep:1000",
                        newPassword, "sleep:1000", newPassword, "sleep:1000", newPassword, "mark:done", "sleep:60000")) {
            app.awaitOutput("RESULT before=reached", Duration.ofSeconds(60));
            int port = app.metricsPort();
            PG.server().execute("ALTER ROLE app PASSWORD 'rotated-pw-2291'");
            Files.createFile(rotated);
            app.awaitOutput("RESULT done=reached", Duration.ofSeconds(60));

            String oldPool = "app@127.0.0.1:" + PG.port() + "/postgres";
            String stderr = app.stderrSoFar();
            assertTrue(stderr.contains("pool " + oldPool + ": a pool with another password started for the same user;"
                    + " closing its idle connections"), stderr);
            assertTrue(stderr.contains("pool " + oldPool + " closed: unused for 3s"), "the old pool closed:\n" + stderr);
            assertFalse(stderr.contains("pool " + oldPool + "#2 closed"), "the new one is in use:\n" + stderr);
            String pools = get(port, "/pools").body();
            assertTrue(pools.contains("\"Pool\":\"" + oldPool + "#2\"") && pools.split("\"Pool\"").length == 2, pools);
            assertEquals("{ok=5}", app.awaitOutputValue("step4", Duration.ofSeconds(5)), "the new password works at once");
        } finally {
            PG.server().execute("ALTER ROLE app PASSWORD '" + PASSWORD + "'");
        }
    }

    @Test
    void atExitIdleSessionsSayGoodbyeSoTheServerLogsNoUnexpectedEof() throws Exception {
        String before = PG.server().log();
        ChildJvm.Result normal = agent().run(ScriptedCalls.class, PG.url(), "call:app:" + PASSWORD + ":20");
        assertEquals("{ok=20}", normal.value("step1"), normal.toString());

        try (ChildJvm.Running terminated = agent().start(ScriptedCalls.class, PG.url(), "call:app:" + PASSWORD + ":20",
                "mark:called", "sleep:60000")) {
            terminated.awaitOutput("RESULT called=reached", Duration.ofSeconds(60));
            terminated.terminate(); // SIGTERM, as Kubernetes stops a pod
            terminated.finish(Duration.ofSeconds(60));
        }
        awaitNoSessionsOf("app");
        String log = PG.server().log().substring(before.length());
        assertFalse(log.contains("unexpected EOF") || log.contains("Connection reset by peer"),
                "a session ended without a goodbye:\n" + log);
        assertTrue(log.contains("connection authorized: user=app"), "the runs did connect:\n" + log);
    }

    @Test
    void aConnectionHeldPastTheLeakThresholdIsReportedOnceWithTheBorrowersStack() throws Exception {
        try (ChildJvm.Running app = agent().env("DB_POOL_LEAK_DETECTION", "1s")
                .start(ScriptedCalls.class, PG.url(), "hold:app:" + PASSWORD + ":3000", "mark:returned", "sleep:60000")) {
            app.awaitOutput("RESULT returned=reached", Duration.ofSeconds(60));
            int port = app.metricsPort();
            String metrics = get(port, "/metrics").body();
            assertTrue(metrics.contains("pool_agent_leaks_detected_total{pool=\"app@127.0.0.1:" + PG.port()
                    + "/postgres\",} 1.0"), metrics);
            String stderr = app.stderrSoFar();
            assertEquals(1, stderr.split("possible leak").length - 1, stderr);
            assertTrue(stderr.contains("at io.poolagent.it.apps.ScriptedCalls.main"), "the borrower's stack:\n" + stderr);
        }
    }

    private static ChildJvm agent() {
        return ChildJvm.on(Jdks.current()).withAgent().env("DB_POOL_METRICS_HOST", "127.0.0.1");
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitNoSessionsOf(String user) throws Exception {
        for (int i = 0; i < 600; i++) {
            try (Connection c = PG.server().connectAsSuperuser(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select count(*) from pg_stat_activity where usename = '" + user + "'")) {
                rs.next();
                if (rs.getInt(1) == 0) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("sessions of " + user + " outlived their JVM");
    }
}
