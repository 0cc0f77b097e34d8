package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolagent.it.apps.ConnectCalls;
import io.poolagent.it.apps.ConnectStorm;
import io.poolagent.it.apps.HoldConnections;
import io.poolagent.it.apps.ScriptedCalls;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.Jdks;
import io.poolagent.it.support.PostgresExtension;
import io.poolagent.it.support.PostgresServer;
import io.poolagent.it.support.Prometheus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The agent's /metrics, /health and /pools, scraped from a child JVM under load and by a real Prometheus. */
@Tag("slow")
class MetricsEndpointTest {

    private static final String PASSWORD = "metrics-pw-9914";
    private static final int MAX_OPEN = 6;
    private static final double MAX_OPEN_DEFAULT = 25;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.server(30, PostgresServer.Auth.SCRAM).role("app", PASSWORD);

    @Test
    void metricsTellTheTruthUnderLoadAndPrometheusScrapesThem() throws Exception {
        ChildJvm.Running app = holding(agent()
                .env("DB_MAX_OPEN_CONNS", String.valueOf(MAX_OPEN)), "4", "6");
        String pool = "app@127.0.0.1:" + PG.port() + "/postgres";
        int port = app.metricsPort();

        String metrics = get(port, "/metrics").body();
        assertEquals(4.0, value(metrics, "db_connections_in_use", pool), metrics);
        assertEquals(4.0, value(metrics, "hikaricp_connections_active", pool), metrics);
        assertEquals(MAX_OPEN, value(metrics, "db_connections_max_open", pool), metrics);
        assertTrue(value(metrics, "db_connections_open", pool) <= MAX_OPEN, metrics);
        assertTrue(metrics.contains("pool_agent_calls_intercepted_total{entry=\"driver_manager\",} 4.0"), metrics);
        assertTrue(metrics.contains("# TYPE db_connections_wait_count_total counter"), metrics);
        double waitsBefore = value(metrics, "db_connections_wait_count_total", pool);
        for (String name : new String[] {"hikaricp_connections", "hikaricp_connections_active",
                "hikaricp_connections_idle", "hikaricp_connections_pending", "hikaricp_connections_max",
                "hikaricp_connections_min", "hikaricp_connections_timeout_total", "hikaricp_connections_acquire_seconds_count",
                "hikaricp_connections_usage_seconds_count", "hikaricp_connections_creation_seconds_count",
                "db_connections_open", "db_connections_idle", "db_connections_wait_duration_seconds",
                "db_connections_closed_max_idle_total", "db_connections_closed_max_idle_time_total",
                "db_connections_closed_max_lifetime_total",
                "pool_agent_connect_retries_total", "pool_agent_connect_failures_total", "pool_agent_session_resets_total"}) {
            assertTrue(metrics.contains("\n" + name + "{"), "no series " + name + "\n" + metrics);
        }
        assertTrue(metrics.contains("pool_agent_pools_created_total 1.0"), metrics);
        assertEquals(1.0, value(metrics, "pool_agent_database_up", pool), metrics);
        assertTrue(Pattern.compile("(?m)^pool_agent_build_info\\{version=\"\\d+\\.\\d+\\.\\d+[^\"]*\",} 1\\.0$")
                .matcher(metrics).find(), metrics);
        // OpenTelemetry's semantic-convention names, as its Prometheus exporter writes them.
        String semconv = "{db_client_connection_pool_name=\"" + pool + "\",";
        String poolLabel = "pool=\"" + pool + "\",}";
        assertTrue(metrics.contains("db_client_connection_count" + semconv
                + "db_client_connection_state=\"used\"," + poolLabel + " 4.0"), metrics);
        assertTrue(metrics.contains("db_client_connection_max" + semconv + poolLabel + " " + MAX_OPEN + ".0"), metrics);
        for (String name : new String[] {"db_client_connection_idle_max", "db_client_connection_idle_min",
                "db_client_connection_pending_requests", "db_client_connection_timeouts_total",
                "db_client_connection_wait_time_seconds_count"}) {
            assertTrue(metrics.contains("\n" + name + semconv), "no series " + name + "\n" + metrics);
        }
        assertTrue(metrics.contains("db_client_connection_wait_time_seconds_bucket" + semconv + poolLabel.replace(",}",
                ",le=\"0.005\",}")), metrics);
        // promtool's naming lint dislikes a gauge ending in _count, but that is the conventions' own name.
        Prometheus.checkMetrics(metrics, "db_client_connection_count non-histogram and non-summary metrics should"
                + " not have \"_count\" suffix");

        String pools = get(port, "/pools").body();
        assertTrue(pools.contains("\"Pool\":\"" + pool + "\""), pools);
        assertTrue(pools.contains("\"InUse\":4,"), pools);
        assertTrue(pools.contains("\"MaxOpenConnections\":" + MAX_OPEN + ","), pools);
        assertEquals(200, get(port, "/health").statusCode());

        try (Prometheus prometheus = Prometheus.scraping("127.0.0.1:" + port)) {
            String series = prometheus.awaitSeries("db_connections_in_use", Duration.ofSeconds(30));
            assertTrue(series.contains(pool), series);
        }

        app.awaitOutput("RESULT done=true", Duration.ofSeconds(60));
        String after = get(port, "/metrics").body();
        assertTrue(value(after, "db_connections_wait_count_total", pool) > waitsBefore,
                "16 threads contending for 6 connections must have waited\n" + after);
        Matcher waited = Pattern.compile("(?m)^db_client_connection_wait_time_seconds_count\\{[^}]*} (\\S+)$")
                .matcher(after);
        assertTrue(waited.find() && Double.parseDouble(waited.group(1)) > 0,
                "the conventions' wait-time histogram must count the borrows\n" + after);
        assertTrue(value(after, "db_connections_open", pool) <= MAX_OPEN, after);
        ChildJvm.Result r = app.finish(Duration.ofSeconds(30));

        for (String text : new String[] {metrics, pools, after, r.stdout, r.stderr}) {
            assertFalse(text.contains(PASSWORD), "a password leaked:\n" + text);
        }
        assertEquals(1, r.agentLinesContaining("metrics on http://127.0.0.1:" + port + "/metrics"), r.toString());
    }

    @Test
    void sixtyClientsTricklingBytesDoNotKeepTheScraperAndTheProbesFromAnswers() throws Exception {
        ChildJvm.Running app = holding(agent(), "1", "20");
        int port = app.metricsPort();

        List<Socket> slow = new ArrayList<>();
        AtomicBoolean trickling = new AtomicBoolean(true);
        Thread trickler = new Thread(() -> {
            byte[] request = "GET /metrics HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; trickling.get(); i = (i + 1) % request.length) {
                for (Socket socket : slow) {
                    try {
                        socket.getOutputStream().write(request[i]);
                    } catch (IOException closedByTheServer) {
                        // the server gave up on it: exactly what it should do with a client this slow
                    }
                }
                sleep(200);
            }
        });
        try {
            for (int i = 0; i < 60; i++) {
                slow.add(new Socket(InetAddress.getLoopbackAddress(), port));
            }
            trickler.start();
            for (int round = 0; round < 5; round++) {
                assertEquals(200, get(port, "/metrics").statusCode(), "scrape " + round);
                assertEquals(200, get(port, "/health/live").statusCode(), "liveness " + round);
                assertEquals(200, get(port, "/health/ready").statusCode(), "readiness " + round);
            }
        } finally {
            trickling.set(false);
            trickler.join();
            for (Socket socket : slow) {
                socket.close();
            }
        }
        app.close();
    }

    @Test
    void theEndpointAnswersBadRequestsWithTheRightStatus() throws Exception {
        ChildJvm.Running app = holding(agent(), "1", "60");
        int port = app.metricsPort();

        assertEquals(404, get(port, "/secrets").statusCode());
        assertEquals(404, get(port, "/metricsfoo").statusCode());
        assertEquals(405, raw(port, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").status);
        int garbage = raw(port, "\u0000\u0001garbage\r\n\r\n").status;
        assertTrue(garbage == 400 || garbage == -1, "garbage is refused (400, or the connection dropped): " + garbage);
        assertEquals(200, get(port, "/health/live").statusCode(), "and the endpoint answers on");
        HttpResponse<String> openMetrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .header("Accept", "application/openmetrics-text; version=1.0.0").build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(openMetrics.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"));
        assertTrue(openMetrics.body().endsWith("# EOF\n"), openMetrics.body());
        app.close();
    }

    /** Hostile requests, each with the answer it must get (-1: the server drops the connection). */
    @Test
    void hostileRequestsGetTheAnswerTheyShouldAndTheEndpointAnswersOn() throws Exception {
        ChildJvm.Running app = holding(agent(), "1", "60");
        int port = app.metricsPort();
        String end = "Host: x\r\nConnection: close\r\n\r\n";
        StringBuilder manyHeaders = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            manyHeaders.append("X-").append(i).append(": y\r\n");
        }
        Map<String, Set<Integer>> cases = new LinkedHashMap<>();
        cases.put("DELETE /metrics HTTP/1.1\r\n" + end, Set.of(405));
        cases.put("PUT /pools HTTP/1.1\r\nContent-Length: 0\r\n" + end, Set.of(405));
        cases.put("TRACE /health HTTP/1.1\r\n" + end, Set.of(405));
        cases.put("OPTIONS /metrics HTTP/1.1\r\n" + end, Set.of(405));
        cases.put("get /metrics HTTP/1.1\r\n" + end, Set.of(405));
        cases.put("CONNECT 127.0.0.1:5432 HTTP/1.1\r\n" + end, Set.of(400));
        cases.put("POST /metrics HTTP/1.1\r\nContent-Length: 100000000\r\n" + end + "abc", Set.of(405));
        cases.put("GET /../etc/passwd HTTP/1.1\r\n" + end, Set.of(404));
        cases.put("GET //metrics HTTP/1.1\r\n" + end, Set.of(404));
        cases.put("GET /metrics/../pools HTTP/1.1\r\n" + end, Set.of(404));
        cases.put("GET /%2e%2e/pools HTTP/1.1\r\n" + end, Set.of(404));
        cases.put("GET /health/live%0d%0aSet-Cookie:x HTTP/1.1\r\n" + end, Set.of(404));
        cases.put("GET /" + "a".repeat(70_000) + " HTTP/1.1\r\n" + end, Set.of(404, 414, 400, -1));
        cases.put("GET /he\u0000alth HTTP/1.1\r\n" + end, Set.of(400));
        cases.put("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", Set.of(404, 400, 505, -1));
        cases.put("GET /health/live HTTP/1.1\r\n" + manyHeaders + end, Set.of(400, 431, -1));
        cases.put("GET /health/live HTTP/1.1\r\nX-Big: " + "z".repeat(1_000_000) + "\r\n" + end, Set.of(400, 431, -1));
        cases.put("GET /health/live HTTP/1.1\r\nAuthorization: Basic !!!\r\n" + end, Set.of(200));
        cases.put("GET /health/ready?x=%3Cscript%3E HTTP/1.1\r\n" + end, Set.of(200));
        cases.put("GET /health/live HTTP/1.0\r\n\r\n", Set.of(200));
        for (Map.Entry<String, Set<Integer>> hostile : cases.entrySet()) {
            int status = rawStatus(port, hostile.getKey());
            String shown = hostile.getKey().length() > 60 ? hostile.getKey().substring(0, 60) + "..." : hostile.getKey();
            assertTrue(hostile.getValue().contains(status), shown.replace("\r\n", " ") + " got " + status);
        }
        assertEquals(200, get(port, "/health/live").statusCode(), "and the endpoint answers on");
        app.close();
    }

    /**
     * More clients than workers, each sending half a request and then nothing: the workers they hold are freed
     * after the exchange's time limit (10 s), their connections closed, and a probe gets its answer.
     */
    @Test
    void moreSilentClientsThanWorkersAreCutOffAndAProbeIsAnsweredAfterThem() throws Exception {
        ChildJvm.Running app = holding(agent(), "1", "90");
        int port = app.metricsPort();
        List<Socket> silent = new ArrayList<>();
        try {
            for (int i = 0; i < 80; i++) {
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
                socket.getOutputStream().write("GET /metrics HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));
                silent.add(socket);
            }
            int status = -1;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (status != 200 && System.nanoTime() < deadline) {
                try {
                    status = get(port, "/health/live").statusCode();
                } catch (IOException refusedWhileEveryWorkerIsHeld) {
                    sleep(500);
                }
            }
            assertEquals(200, status, "a probe is answered once the silent clients' time is up");
            for (Socket socket : silent) {
                socket.setSoTimeout(30_000);
                int read;
                try {
                    read = socket.getInputStream().read();
                } catch (java.net.SocketException reset) {
                    read = -1;
                }
                assertEquals(-1, read, "the server closed every silent connection");
            }
        } finally {
            for (Socket socket : silent) {
                socket.close();
            }
        }
        app.close();
    }

    @Test
    void aSaturatedPoolIsReadyAndShowsAsSaturatedInPools() throws Exception {
        ChildJvm.Running app = holding(agent()
                .env("DB_MAX_OPEN_CONNS", "3"), "3", "4", "2");
        int port = app.metricsPort();

        HttpResponse<String> health = get(port, "/health");
        assertEquals(200, health.statusCode(), "load is not a fault: " + health.body());
        String pools = get(port, "/pools").body();
        assertTrue(pools.contains("\"InUse\":3,") && pools.contains("\"Waiting\":2,\"Saturated\":true"), pools);

        ChildJvm.Result r = app.finish(Duration.ofSeconds(60));
        assertEquals(0, r.exitCode, r.toString());
    }

    @Test
    void notReadyWhileThePoolCannotReachItsDatabaseButAlwaysLive() throws Exception {
        try (Socket closedPort = new Socket()) {
            closedPort.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            String url = "jdbc:postgresql://127.0.0.1:" + closedPort.getLocalPort() + "/postgres";
            ChildJvm.Running app = agent()
                    .env("DB_POOL_CONNECT_RETRIES", "0")
                    .start(ScriptedCalls.class, url, "call:app:" + PASSWORD + ":1", "mark:called", "sleep:30000");
            app.awaitOutput("RESULT called=reached", Duration.ofSeconds(60));
            int port = app.metricsPort();

            HttpResponse<String> ready = get(port, "/health/ready");
            assertEquals(503, ready.statusCode(), ready.body());
            assertEquals("not ready: the pool for database postgres cannot reach it (details on /pools)\n", ready.body());
            assertTrue(get(port, "/pools").body().contains("SQLSTATE 08001"), "the reason is on /pools");
            assertEquals(ready.body(), get(port, "/health").body(), "/health is readiness");
            assertEquals(200, get(port, "/health/live").statusCode());
            assertFalse(ready.body().contains(PASSWORD));
            String pool = "app@127.0.0.1:" + closedPort.getLocalPort() + "/postgres";
            assertEquals(0.0, value(get(port, "/metrics").body(), "pool_agent_database_up", pool));
            app.close();
        }
    }

    /**
     * A service that connects only on its first request gets no request while it is not ready: with
     * DB_POOL_METRICS_AT_START the probes answer before any pool exists, then the first call is counted.
     */
    @Test
    void theEndpointCanOpenBeforeTheFirstConnection(@TempDir Path tmp) throws Exception {
        Path trigger = tmp.resolve("first-request");
        ChildJvm.Running app = agent().env("DB_POOL_METRICS_AT_START", "true")
                .start(ScriptedCalls.class, PG.url(), "await:" + trigger, "call:app:" + PASSWORD + ":1", "mark:called",
                        "sleep:120000");
        try {
            int port = app.metricsPort();
            assertEquals(200, get(port, "/health/live").statusCode());
            assertEquals(200, get(port, "/health/ready").statusCode());
            assertTrue(get(port, "/metrics").body().contains("pool_agent_pools_created_total 0.0"));
            Files.createFile(trigger);
            app.awaitOutput("RESULT called=reached", Duration.ofSeconds(60));
            String pool = "app@127.0.0.1:" + PG.port() + "/postgres";
            String metrics = "";
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos(); // its series come a second after it
            while (!metrics.contains("db_connections_max_open{pool=\"" + pool) && System.nanoTime() < deadline) {
                Thread.sleep(100);
                metrics = get(port, "/metrics").body();
            }
            assertEquals(MAX_OPEN_DEFAULT, value(metrics, "db_connections_max_open", pool), metrics);
        } finally {
            app.close();
        }
    }

    /** An unready pod gets no traffic: readiness must notice by itself that the database is back. */
    @Test
    void readinessComesBackWhenTheDatabaseDoesWithoutAnyTraffic() throws Exception {
        try (PostgresServer late = PostgresServer.create(20, PostgresServer.Auth.TRUST)) {
            ChildJvm.Running app = agent()
                    .env("DB_POOL_CONNECT_RETRIES", "0")
                    .start(ScriptedCalls.class, late.url(), "call:postgres::1", "mark:called", "sleep:120000");
            app.awaitOutput("RESULT called=reached", Duration.ofSeconds(60));
            int port = app.metricsPort();
            assertEquals(503, get(port, "/health/ready").statusCode());

            late.start();
            int status = 0;
            for (int i = 0; i < 600 && status != 200; i++) {
                Thread.sleep(100);
                status = get(port, "/health/ready").statusCode();
            }
            assertEquals(200, status, "readiness after the database came back");
            String pool = "postgres@127.0.0.1:" + late.port() + "/postgres";
            assertEquals(1.0, value(get(port, "/metrics").body(), "pool_agent_database_up", pool));
            app.close();
        }
    }

    @Test
    void basicAuthGuardsMetricsAndPoolsButNotTheProbes(@TempDir Path tmp) throws Exception {
        Path secret = tmp.resolve("metrics-password");
        Files.writeString(secret, "scrape-pw-4410\n");
        ChildJvm.Running app = holding(agent()
                .env("DB_POOL_METRICS_USER", "prometheus")
                .env("DB_POOL_METRICS_PASSWORD_FILE", secret.toString()), "1", "8");
        int port = app.metricsPort();

        assertEquals(401, get(port, "/metrics").statusCode());
        assertEquals(401, get(port, "/pools").statusCode());
        assertEquals(401, getAs(port, "/metrics", "prometheus", "wrong").statusCode());
        assertEquals(200, getAs(port, "/metrics", "prometheus", "scrape-pw-4410").statusCode());
        assertEquals(200, getAs(port, "/pools", "prometheus", "scrape-pw-4410").statusCode());
        assertEquals(200, get(port, "/health/live").statusCode());
        assertEquals(200, get(port, "/health/ready").statusCode());

        ChildJvm.Result r = app.finish(Duration.ofSeconds(60));
        assertFalse(r.stdout.contains("scrape-pw-4410") || r.stderr.contains("scrape-pw-4410"), r.toString());
        assertEquals(1, r.agentLinesContaining("basic auth on /metrics and /pools"), r.toString());
    }

    /** A jlink image without jdk.httpserver: one warning, and pooling as usual. */
    @Test
    void aRuntimeWithoutTheHttpServerModulePoolsOnWithOneWarning() {
        ChildJvm.Result r = ChildJvm.on(Jdks.current()).withAgent()
                .jvmArg("--limit-modules")
                .jvmArg("java.sql,java.instrument,java.management,java.naming,java.security.jgss,jdk.unsupported")
                .jvmArg(ChildJvm.METRICS_UP)
                .run(ConnectStorm.class, "driver-manager", PG.url(), "app", PASSWORD, "2", "3");

        assertEquals(6, r.intValue("ok"), r.toString());
        assertEquals(1, r.agentLinesContaining("WARN metrics endpoint not started: this Java runtime has no jdk.httpserver"),
                r.toString());
        assertTrue(r.value("connectionClasses").contains("io.poolagent"), "pooled:\n" + r);
    }

    @Test
    void aTakenPortGivesOneWarningAndPoolingWorksOn() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ChildJvm.Result r = ChildJvm.on(Jdks.current()).withAgent()
                    .env("DB_POOL_METRICS_PORT", String.valueOf(taken.getLocalPort()))
                    .env("DB_POOL_METRICS_HOST", "127.0.0.1")
                    .jvmArg(ChildJvm.METRICS_UP)
                    .run(ConnectCalls.class, PG.url(), "app", PASSWORD, "4", "5");

            assertEquals("{ok=20}", r.value("outcomes"), r.toString());
            assertEquals(1, r.agentLinesContaining("WARN metrics endpoint not started on 127.0.0.1:" + taken.getLocalPort()),
                    r.toString());
            assertEquals(1, r.agentLinesContaining("give each its own DB_POOL_METRICS_PORT"), r.toString());
        }
    }

    @Test
    void metricsPortOffOpensNoPort() {
        ChildJvm.Result r = ChildJvm.on(Jdks.current()).withAgent()
                .env("DB_POOL_METRICS_PORT", "off")
                .run(ConnectCalls.class, PG.url(), "app", PASSWORD, "2", "2");

        assertEquals("{ok=4}", r.value("outcomes"), r.toString());
        assertEquals(0, r.agentLinesContaining("metrics"), r.toString());
    }

    private static double value(String exposition, String name, String pool) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{pool=\"" + Pattern.quote(pool) + "\",} (\\S+)$")
                .matcher(exposition);
        assertTrue(m.find(), "no " + name + " for " + pool);
        return Double.parseDouble(m.group(1));
    }

    /** A child JVM with the agent, its endpoint on loopback. */
    private static ChildJvm agent() {
        return ChildJvm.on(Jdks.current()).withAgent().env("DB_POOL_METRICS_HOST", "127.0.0.1");
    }

    /** Starts {@link HoldConnections} (HOLDERS HOLD_SECONDS [WAITERS]) and waits until the holders hold. */
    private static ChildJvm.Running holding(ChildJvm jvm, String holders, String... rest) throws Exception {
        String[] args = new String[3 + 1 + rest.length];
        args[0] = PG.url();
        args[1] = "app";
        args[2] = PASSWORD;
        args[3] = holders;
        System.arraycopy(rest, 0, args, 4, rest.length);
        ChildJvm.Running app = jvm.start(HoldConnections.class, args);
        app.awaitOutput("RESULT holding=" + holders, Duration.ofSeconds(60));
        return app;
    }

    private static HttpResponse<String> getAs(int port, String path, String user, String password) throws Exception {
        String token = java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Basic " + token).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static RawResponse raw(int port, String request) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String head;
            try {
                head = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            } catch (java.net.SocketException reset) {
                return new RawResponse(-1);
            }
            return new RawResponse(head.isEmpty() ? -1 : Integer.parseInt(head.split(" ")[1]));
        }
    }

    /** The status of a raw request's answer; -1 when the server drops the connection instead. */
    private static int rawStatus(int port, String request) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(30_000);
            try {
                socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                socket.getOutputStream().flush();
                byte[] head = socket.getInputStream().readNBytes(12);
                String line = new String(head, StandardCharsets.ISO_8859_1);
                return line.startsWith("HTTP/1.") && line.length() >= 12 ? Integer.parseInt(line.substring(9, 12)) : -1;
            } catch (java.net.SocketException dropped) {
                return -1;
            }
        }
    }

    private static final class RawResponse {
        final int status;

        RawResponse(int status) {
            this.status = status;
        }
    }
}
