package io.poolagent.it.demo;

import io.poolagent.it.load.LoadGenerator;
import io.poolagent.it.load.LoadResult;
import io.poolagent.it.support.PostgresServer;
import io.poolagent.it.support.SampleApp;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The runbook's story on this machine: a throwaway PostgreSQL with a connection limit that 150 virtual users
 * overrun; the naive auth-service melts down; the same service, unchanged, holds the load with the agent.
 *
 * <p>What decides whether the naive service exhausts the server is how many sessions it holds at once: the
 * rate at which its connects get through times how long each lives. On a slow machine scram-sha-256 logins
 * are CPU-bound and few get through (one run reached 35 sessions), so the limit is set low enough that slots
 * run out before CPU does: 20 connections, 17 of them for applications. Args (optional): VIRTUAL_USERS
 * SECONDS_PER_RUN
 */
public final class Demo {

    public static final int MAX_CONNECTIONS = 20;
    /**
     * PostgreSQL keeps superuser_reserved_connections (3 by default) of max_connections from other roles, and the
     * demo's own counter of sessions (a superuser) holds one more.
     */
    public static final int APPLICATION_LIMIT = MAX_CONNECTIONS - 3 - 1;
    public static final int MAX_OPEN = 10;
    private static final String PASSWORD = "demo-secret-4410";

    public static void main(String[] args) throws Exception {
        int users = args.length > 0 ? Integer.parseInt(args[0]) : 150;
        Duration each = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 20);
        List<LoadResult> results = run(users, each, true);
        System.out.println();
        System.out.println(LoadGenerator.summary(results));
        System.out.println(limitLine());
    }

    /** Runs both halves and returns their results; prints progress and the metrics sample as it goes. */
    public static List<LoadResult> run(int users, Duration each, boolean verbose) throws Exception {
        List<LoadResult> results = new ArrayList<>();
        say(verbose, "starting a throwaway PostgreSQL (max_connections=" + MAX_CONNECTIONS
                + ", scram-sha-256) ...");
        try (PostgresServer pg = PostgresServer.start(MAX_CONNECTIONS, PostgresServer.Auth.SCRAM)) {
            pg.createRole("auth", PASSWORD);
            Map<String, String> env = Map.of(
                    "DATABASE_URL", "postgres://auth:" + PASSWORD + "@127.0.0.1:" + pg.port() + "/postgres",
                    "DB_MAX_OPEN_CONNS", String.valueOf(MAX_OPEN),
                    "DB_POOL_METRICS_PORT", "0");

            say(verbose, "1/2 the auth-service as written (a new connection per step), " + users
                    + " virtual users for " + each.toSeconds() + " s ...");
            try (SampleApp app = SampleApp.start(false, env)) {
                results.add(new LoadGenerator(app.baseUrl(), users, each).run("without agent", pg.url(),
                        PostgresServer.SUPERUSER));
            }
            awaitNoSessions(pg); // the naive run's sessions must not count in the next run's peak
            say(verbose, "2/2 the same service, same code, with -javaagent:pool-agent.jar and DB_MAX_OPEN_CONNS="
                    + MAX_OPEN + " ...");
            try (SampleApp app = SampleApp.start(true, env)) {
                results.add(new LoadGenerator(app.baseUrl(), users, each).run("with pool-agent", pg.url(),
                        PostgresServer.SUPERUSER));
                if (verbose) {
                    System.out.println("\nthe agent's /metrics (excerpt):");
                    System.out.println(metricsExcerpt(app.metricsPort()));
                }
            }
        }
        return results;
    }

    /** Waits (at most a minute) until the server has no client sessions left but the one asking. */
    private static void awaitNoSessions(PostgresServer pg) throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(pg.url(), PostgresServer.SUPERUSER, "");
             java.sql.PreparedStatement count = c.prepareStatement("select count(*) from pg_stat_activity"
                     + " where backend_type = 'client backend' and pid <> pg_backend_pid()")) {
            for (int i = 0; i < 600; i++) {
                try (java.sql.ResultSet rs = count.executeQuery()) {
                    if (rs.next() && rs.getInt(1) == 0) {
                        return;
                    }
                }
                Thread.sleep(100);
            }
        }
    }

    /** What the summary's last row is measured against: the sessions the server admits for the service. */
    public static String limitLine() {
        return String.format(java.util.Locale.ROOT, "%-30s%s", "sessions the server admits",
                APPLICATION_LIMIT + " (max_connections " + MAX_CONNECTIONS + " less 3 reserved for superusers and 1"
                        + " for the counter); the agent's pool: DB_MAX_OPEN_CONNS=" + MAX_OPEN);
    }

    static String metricsExcerpt(int port) throws Exception {
        if (port < 0) {
            return "  (no metrics endpoint)";
        }
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        return body.lines()
                .filter(l -> l.startsWith("db_connections_") || l.startsWith("pool_agent_calls_intercepted")
                        || l.startsWith("hikaricp_connections_timeout_total"))
                .map(l -> "  " + l)
                .collect(Collectors.joining("\n"));
    }

    private static void say(boolean verbose, String line) {
        if (verbose) {
            System.out.println(line);
        }
    }
}
