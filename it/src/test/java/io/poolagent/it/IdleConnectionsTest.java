package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Idle connections as the Go services keep them: opened only when needed, at most DB_MAX_IDLE_CONNS of
 * them kept after a peak, and none once they have been idle for DB_CONN_MAX_IDLE_TIME. Counted on the
 * server, in pg_stat_activity.
 */
@Tag("slow")
class IdleConnectionsTest {

    private static final String PASSWORD = "idle-pw-5521";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.server(30, PostgresServer.Auth.SCRAM)
            .role("app", PASSWORD);

    @Test
    void afterAPeakAtMostMaxIdleSessionsStayAndNoneOnceIdleTimePassed() throws Exception {
        try (ChildJvm.Running app = ChildJvm.on(Jdks.current()).withAgent()
                .env("DB_MAX_OPEN_CONNS", "10").env("DB_MAX_IDLE_CONNS", "2").env("DB_CONN_MAX_IDLE_TIME", "10s")
                .start(ScriptedCalls.class, PG.url(), "burst:app:" + PASSWORD + ":10", "mark:peak", "sleep:600000")) {
            app.awaitOutput("RESULT peak=reached", Duration.ofSeconds(60));
            assertEquals("10", app.awaitOutputValue("burst1", Duration.ofSeconds(5)), "the peak needed 10 sessions");
            int port = app.metricsPort();

            awaitSessions(2); // the 8 returned beyond MaxIdle were closed at once
            String pools = get(port, "/pools");
            assertTrue(pools.contains("\"MaxIdleClosed\":8"), pools);
            assertTrue(pools.contains("\"OpenConnections\":2") && pools.contains("\"Idle\":2"), pools);
            String metrics = get(port, "/metrics");
            assertTrue(metrics.contains("db_connections_closed_max_idle_total{pool=\"app@127.0.0.1:" + PG.port()
                    + "/postgres\",} 8.0"), metrics);

            awaitSessions(0); // idle for longer than DB_CONN_MAX_IDLE_TIME
            assertTrue(get(port, "/pools").contains("\"MaxIdleTimeClosed\":2"), get(port, "/pools"));
        }
    }

    @Test
    void nothingIsOpenedAheadOfDemand() throws Exception {
        ChildJvm.Result r = ChildJvm.on(Jdks.current()).withAgent()
                .run(ScriptedCalls.class, PG.url(), "call:app:" + PASSWORD + ":5", "mark:called", "sleep:3000",
                        "count:app:" + PASSWORD);
        assertEquals("{ok=5}", r.value("step1"), r.toString());
        assertEquals("1", r.value("sessions4"), "one caller at a time needs one session:\n" + r);
    }

    @Test
    void aWarmFloorIsKeptWhenAskedFor() throws Exception {
        try (ChildJvm.Running app = ChildJvm.on(Jdks.current()).withAgent().env("DB_POOL_MIN_IDLE", "3")
                .start(ScriptedCalls.class, PG.url(), "call:app:" + PASSWORD + ":1", "mark:called", "sleep:600000")) {
            app.awaitOutput("RESULT called=reached", Duration.ofSeconds(60));
            awaitSessions(3);
        }
    }

    private static void awaitSessions(int expected) throws Exception {
        int seen = -1;
        for (int i = 0; i < 600 && seen != expected; i++) {
            if (i > 0) {
                Thread.sleep(100);
            }
            try (Connection c = PG.server().connectAsSuperuser(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select count(*) from pg_stat_activity where usename = 'app'")) {
                rs.next();
                seen = rs.getInt(1);
            }
        }
        assertEquals(expected, seen, "sessions of the application's user on the server");
    }

    private static String get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
