package io.poolagent.it.bench;

import io.poolagent.it.apps.LedgerWriter;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.Jdks;
import io.poolagent.it.support.PostgresPair;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 28's failover, measured: a service writing with 4 threads through a connection per write (the agent
 * pooling them) or through a hand-written HikariCP (25 connections, 5-minute lifetime), over
 * {@code targetServerType=primary} on a primary and its synchronous standby. (a) the primary stops with
 * {@code -m immediate}, (b) it turns read-only and stays up; then the standby is promoted. For each: failed
 * writes, from the promotion to the first write on the new primary, to the last failure, to the moment the
 * pool holds connections to the new primary only, and acknowledged writes missing afterwards.
 */
final class FailoverBench {

    private static final String APPLICATION = "ledger-writer";
    private static final Duration AFTER = Duration.ofSeconds(15);
    private static final Pattern OPEN = Pattern.compile("\"OpenConnections\":(\\d+)");

    private FailoverBench() {
    }

    /** One run's numbers, times in ms after the promotion was asked for (-1: never within the window). */
    private static final class Run {
        long failed;
        long failedAfterTwoSeconds;
        long firstWrite = -1;
        /** Of the failures after the promotion; -1 when there was none. */
        long lastFailure = -1;
        long onlyNewPrimary = -1;
        long missing;
        long acknowledged;
    }

    static void run(int rounds, StringBuilder report) throws Exception {
        report.append("## failover (4 writers, a write every ~5 ms each; times in ms after `pg_ctl promote` was run,"
                + " medians of ")
                .append(rounds).append(" rounds; failures summed)\n\n")
                .append("| scenario | setup | failed writes | failed > 2 s after | first write on new primary"
                        + " | last failure | only new-primary connections | acknowledged writes lost |\n")
                .append("|---|---|---|---|---|---|---|---|\n");
        for (String scenario : List.of("(a) primary stopped -m immediate", "(b) primary turned read-only")) {
            for (String setup : List.of("pool-agent", "hand-written HikariCP")) {
                List<Run> runs = new ArrayList<>();
                for (int round = 1; round <= rounds; round++) {
                    System.out.println("failover " + scenario + ", " + setup + ", round " + round + "/" + rounds);
                    runs.add(once(scenario.startsWith("(a)"), setup.equals("pool-agent")));
                }
                report.append(row(scenario, setup, runs));
            }
        }
        report.append("\n\"only new-primary connections\": for the agent, its /pools count of open connections equals"
                + " the writer's sessions on the new primary (and, in (b), none is left on the old one); for HikariCP"
                + " in (b), none of its sessions is left on the old primary (it shows no count of its own).\n\n");
    }

    private static String row(String scenario, String setup, List<Run> runs) {
        long failed = runs.stream().mapToLong(r -> r.failed).sum();
        long late = runs.stream().mapToLong(r -> r.failedAfterTwoSeconds).sum();
        long lost = runs.stream().mapToLong(r -> r.missing).sum();
        long acknowledged = runs.stream().mapToLong(r -> r.acknowledged).sum();
        boolean anyLate = runs.stream().anyMatch(r -> r.lastFailure >= 0);
        String lastFailure = anyLate ? ms(runs.stream().mapToLong(r -> r.lastFailure).max().getAsLong(), "")
                : failed > 0 ? "before the promotion" : "none";
        String onlyNew = setup.equals("pool-agent") || scenario.startsWith("(b)")
                ? ms(median(runs, r -> r.onlyNewPrimary), "") : "n/a";
        return String.format(Locale.ROOT, "| %s | %s | %d | %d | %s | %s | %s | %d of %d |%n", scenario, setup, failed,
                late, ms(median(runs, r -> r.firstWrite), ""), lastFailure, onlyNew, lost, acknowledged);
    }

    private static String ms(long value, String unit) {
        return value < 0 ? "not within " + AFTER.toSeconds() + " s" : value + unit;
    }

    private static long median(List<Run> runs, java.util.function.ToLongFunction<Run> value) {
        return (long) Benchmarks.median(runs.stream().mapToDouble(r -> value.applyAsLong(r)).toArray());
    }

    private static Run once(boolean crash, boolean agent) throws Exception {
        Path ledger = Files.createTempFile("ledger", ".txt");
        Path stop = ledger.resolveSibling(ledger.getFileName() + ".stop");
        try (PostgresPair pair = PostgresPair.start(40, PostgresServer.Auth.TRUST)) {
            pair.primary().execute("CREATE TABLE ledger (id bigint PRIMARY KEY)");
            String url = pair.multiHostUrl("postgres", "ApplicationName=" + APPLICATION);
            ChildJvm jvm = ChildJvm.on(Jdks.current());
            if (agent) {
                jvm = jvm.withAgent().env("DB_MAX_OPEN_CONNS", "8").env("DB_POOL_METRICS_PORT", "0")
                        .env("DB_POOL_METRICS_HOST", "127.0.0.1");
            }
            try (ChildJvm.Running writer = jvm.start(LedgerWriter.class, agent ? "agent" : "hikari", url,
                    PostgresServer.SUPERUSER, "", "4", ledger.toString(), stop.toString())) {
                writer.awaitOutputValue("started", Duration.ofSeconds(60));
                int metrics = agent ? writer.metricsPort() : -1;
                Thread.sleep(3000);
                long event = System.currentTimeMillis();
                if (crash) {
                    pair.stopPrimaryImmediately();
                } else {
                    pair.makePrimaryReadOnly();
                }
                long promoted = System.currentTimeMillis(); // asked for now; the standby takes writes once done
                pair.promoteStandby();
                Run run = new Run();
                run.onlyNewPrimary = watch(pair, crash, metrics, promoted);
                Files.createFile(stop);
                writer.finish(Duration.ofSeconds(60));
                tally(run, Files.readAllLines(ledger), event, promoted, pair.standby().port());
                run.missing = missing(pair, Files.readAllLines(ledger));
                return run;
            }
        } finally {
            Files.deleteIfExists(ledger);
            Files.deleteIfExists(stop);
        }
    }

    /** Polls until the writer's connections are on the new primary only; ms after the promotion, or -1. */
    private static long watch(PostgresPair pair, boolean crash, int metricsPort, long promoted) throws Exception {
        long found = -1;
        long end = promoted + AFTER.toMillis();
        while (System.currentTimeMillis() < end) {
            if (found < 0 && onlyNewPrimary(pair, crash, metricsPort)) {
                found = System.currentTimeMillis() - promoted;
            }
            Thread.sleep(50);
        }
        return found;
    }

    private static boolean onlyNewPrimary(PostgresPair pair, boolean crash, int metricsPort) throws Exception {
        if (!crash && sessions(pair.primary()) > 0) {
            return false;
        }
        if (metricsPort < 0) {
            return !crash; // HikariCP shows no count of its own: in (b), none left on the old primary is all we see
        }
        Matcher open = OPEN.matcher(get("http://127.0.0.1:" + metricsPort + "/pools"));
        int onNew = sessions(pair.standby());
        return open.find() && Integer.parseInt(open.group(1)) == onNew && onNew > 0;
    }

    private static int sessions(PostgresServer server) {
        try {
            return Integer.parseInt(server.query("SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
                    + APPLICATION + "'").trim());
        } catch (RuntimeException unreachable) {
            return 0; // a stopped server holds no session
        }
    }

    private static void tally(Run run, List<String> lines, long event, long promoted, int newPort) {
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f[0].equals("fail") && Long.parseLong(f[1]) >= event) {
                long at = Long.parseLong(f[1]) - promoted;
                run.failed++;
                run.failedAfterTwoSeconds += at > 2000 ? 1 : 0;
                if (at >= 0) {
                    run.lastFailure = Math.max(run.lastFailure, at);
                }
            } else if (f[0].equals("ok")) {
                run.acknowledged++;
                long at = Long.parseLong(f[2]) - promoted;
                if (Integer.parseInt(f[3]) == newPort && (run.firstWrite < 0 || at < run.firstWrite)) {
                    run.firstWrite = at;
                }
            }
        }
    }

    private static long missing(PostgresPair pair, List<String> lines) throws Exception {
        Set<Long> stored = new HashSet<>();
        try (Connection c = pair.standby().connectAsSuperuser(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM ledger")) {
            while (rs.next()) {
                stored.add(rs.getLong(1));
            }
        }
        return lines.stream().filter(l -> l.startsWith("ok ")).map(l -> Long.parseLong(l.split(" ")[1]))
                .filter(id -> !stored.contains(id)).count();
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .build(), HttpResponse.BodyHandlers.ofString());
        return response.body();
    }
}
