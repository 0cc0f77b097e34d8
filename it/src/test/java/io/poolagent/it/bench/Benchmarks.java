package io.poolagent.it.bench;

import io.poolagent.it.load.LoadGenerator;
import io.poolagent.it.load.LoadResult;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.PgBouncer;
import io.poolagent.it.support.PostgresServer;
import io.poolagent.it.support.SampleApp;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The benchmark report: every comparison measured side by side in one run, repeated, medians, ratios.
 * Prints a Markdown report and writes docs/benchmarks.png. Run it with ./bench.sh.
 * Args (optional): ROUNDS (default 3) SECONDS_PER_LOAD_RUN (default 10) VIRTUAL_USERS (default 50)
 * SECTIONS (default load,light,borrow,startup,scrape; "forged" adds the forged fair-share tag of issue 26,
 * "failover" the failovers of issue 28, "replicas" the read replicas of issue 29)
 */
public final class Benchmarks {

    private static final String PASSWORD = "bench-secret-2291";
    private static final int POOL = 20;
    private static final List<String> ALL_SETUPS = List.of("no agent", "pool-agent", "hand-written HikariCP", "PgBouncer",
            "pool-agent, reset discard", "pool-agent, reset tracked", "pool-agent, reset off", "pool-agent -> PgBouncer");
    /** -Dbench.setups="a;b" picks some of the load section's setups (all by default), for a quicker look. */
    private static final List<String> SETUPS = System.getProperty("bench.setups") == null ? ALL_SETUPS
            : List.of(System.getProperty("bench.setups").split(";"));

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Duration each = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 10);
        int users = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        List<String> sections = List.of((args.length > 3 ? args[3] : "load,light,borrow,startup,scrape").split(","));
        StringBuilder report = new StringBuilder();
        report.append("machine: ").append(machine()).append("\n\n");
        try (PostgresServer pg = PostgresServer.start(200, PostgresServer.Auth.SCRAM)) {
            pg.createRole("auth", PASSWORD);
            if (sections.contains("load")) {
                throughput(pg, rounds, each, users, report);
            }
            if (sections.contains("light")) {
                light(pg, rounds, each, report);
            }
            if (sections.contains("borrow")) {
                borrow(pg, report);
            }
            if (sections.contains("startup")) {
                new StartupBench(pg, "auth", PASSWORD).run(rounds, report);
            }
            if (sections.contains("scrape")) {
                scraping(pg, rounds, each, users, report);
            }
        }
        if (sections.contains("forged")) { // a server of its own: 30 sessions, two roles
            ForgedTagBench.run(rounds, report);
        }
        if (sections.contains("failover")) { // a primary and a standby of their own, each run
            FailoverBench.run(rounds, report);
        }
        if (sections.contains("replicas")) { // a primary and two standbys of their own
            ReadReplicaBench.run(rounds, each, report);
        }
        System.out.println("\n" + report);
    }

    // ---- 1. the sample app under load, four setups ----

    private static void throughput(PostgresServer pg, int rounds, Duration each, int users, StringBuilder report)
            throws Exception {
        Map<String, List<LoadResult>> runs = new LinkedHashMap<>();
        SETUPS.forEach(s -> runs.put(s, new ArrayList<>()));
        StringBuilder skipped = new StringBuilder();
        for (int round = 1; round <= rounds; round++) {
            for (String setup : SETUPS) {
                // PgBouncer runs only during its own runs: its server connections would count in the others' peaks.
                boolean throughBouncer = setup.endsWith("PgBouncer");
                PgBouncer bouncer = throughBouncer && skipped.length() == 0
                        ? PgBouncer.start(pg, "auth", PASSWORD, POOL, skipped) : null;
                if (throughBouncer && bouncer == null) {
                    continue;
                }
                System.out.println("round " + round + "/" + rounds + ": " + setup + " ...");
                try (SampleApp app = SampleApp.start(setup.startsWith("pool-agent"), env(pg, setup, bouncer))) {
                    new LoadGenerator(app.baseUrl(), users, Duration.ofSeconds(2)).run("warm-up", pg.url(),
                            PostgresServer.SUPERUSER);
                    runs.get(setup).add(new LoadGenerator(app.baseUrl(), users, each).run(setup, pg.url(),
                            PostgresServer.SUPERUSER));
                } finally {
                    if (bouncer != null) {
                        bouncer.close();
                    }
                }
            }
        }
        double[] rps = new double[SETUPS.size()];
        double[] p95 = new double[SETUPS.size()];
        report.append("## 1. sample-app under load (").append(users).append(" virtual users, register + login, ")
                .append(each.toSeconds()).append(" s per run, median of ").append(rounds)
                .append(" rounds with the lowest and highest, scram-sha-256, pools of ").append(POOL).append(")\n\n")
                .append("| setup | requests/s (min..max) | p95 (min..max) | p99 | CPU per request | failed | peak backends |\n")
                .append("|---|---|---|---|---|---|---|\n");
        for (int i = 0; i < SETUPS.size(); i++) {
            List<LoadResult> results = runs.get(SETUPS.get(i));
            if (results.isEmpty()) {
                rps[i] = Double.NaN;
                p95[i] = Double.NaN;
                report.append("| ").append(SETUPS.get(i)).append(" | skipped: ").append(skipped).append(" | | | | | |\n");
                continue;
            }
            double[] throughput = results.stream().mapToDouble(LoadResult::requestsPerSecond).toArray();
            double[] latency = results.stream().mapToDouble(r -> r.requestMs(95)).toArray();
            rps[i] = median(throughput);
            p95[i] = median(latency);
            double p99 = median(results.stream().mapToDouble(r -> r.requestMs(99)).toArray());
            double failed = median(results.stream().mapToDouble(r -> 100 * r.failureRate()).toArray());
            int peak = results.stream().mapToInt(r -> r.peakBackends).max().orElse(0);
            double cpu = median(results.stream().mapToDouble(LoadResult::cpuMicrosPerRequest).toArray());
            report.append(String.format(Locale.ROOT, "| %s | %.0f (%.0f..%.0f) | %.1f ms (%.1f..%.1f) | %.1f ms | %.0f µs"
                            + " | %.2f%% | %d |%n", SETUPS.get(i), rps[i], min(throughput), max(throughput), p95[i],
                    min(latency), max(latency), p99, cpu, failed, peak));
        }
        report.append("\nratios of medians, measured in this run:\n\n| ratio | throughput | p95 |\n|---|---|---|\n");
        for (String[] pair : new String[][] {{"pool-agent", "hand-written HikariCP"},
                {"pool-agent, reset discard", "hand-written HikariCP"}, {"pool-agent, reset tracked", "hand-written HikariCP"},
                {"pool-agent, reset off", "hand-written HikariCP"}, {"pool-agent", "no agent"}, {"pool-agent", "PgBouncer"},
                {"pool-agent -> PgBouncer", "PgBouncer"}}) {
            int a = SETUPS.indexOf(pair[0]);
            int b = SETUPS.indexOf(pair[1]);
            if (a >= 0 && b >= 0 && !Double.isNaN(rps[a]) && !Double.isNaN(rps[b])) {
                report.append(String.format(Locale.ROOT, "| %s / %s | %.2fx | %.2fx |%n", pair[0], pair[1],
                        rps[a] / rps[b], p95[a] / p95[b]));
            }
        }
        report.append("\ntargets: the default (pool-agent) >= 0.95x the hand-written pool's throughput and <= 1.1x its"
                + " p95; >= 10x no agent\n\n");
        if (SETUPS != ALL_SETUPS) {
            return; // the chart shows every setup
        }
        Path png = Paths.get("docs", "benchmarks.png");
        Chart.write(png, SETUPS, rps, p95, String.format(Locale.ROOT,
                "sample-app, %d virtual users, median of %d runs of %d s, PostgreSQL with scram-sha-256, %s",
                users, rounds, each.toSeconds(), machine()));
        report.append("chart: ").append(png).append("\n\n");
    }

    static Map<String, String> env(PostgresServer pg, String setup, PgBouncer bouncer) {
        Map<String, String> env = new HashMap<>();
        int port = setup.endsWith("PgBouncer") ? bouncer.port() : pg.port();
        // Without the agent the application must say prepareThreshold=0 itself; the agent finds the pooler.
        String options = setup.equals("PgBouncer") ? "?prepareThreshold=0" : "";
        env.put("DATABASE_URL", "postgres://auth:" + PASSWORD + "@127.0.0.1:" + port + "/postgres" + options);
        env.put("DB_MAX_OPEN_CONNS", String.valueOf(POOL));
        env.put("DB_MAX_IDLE_CONNS", "10");
        env.put("DB_POOL_METRICS_PORT", "0");
        if (setup.equals("hand-written HikariCP")) {
            env.put("APP_POOL", "hikari");
        }
        if (setup.startsWith("pool-agent, reset ")) {
            env.put("DB_POOL_RESET", setup.substring("pool-agent, reset ".length()));
        }
        return env;
    }

    // ---- 1b. a lighter workload, where the fixed cost per borrow shows ----

    private static final List<String> LIGHT_SETUPS = List.of("hand-written HikariCP", "hand-written HikariCP 7.1 (as bundled in the agent)",
            "pool-agent (full, the default)", "pool-agent, DB_POOL_RESET=discard", "pool-agent, DB_POOL_RESET=tracked",
            "pool-agent, DB_POOL_RESET=off");
    private static final int LIGHT_THREADS = 40;
    private static final int LIGHT_POOL = 10;

    /** {@link LightWorkload} in a child JVM per setup, interleaved round by round. */
    private static void light(PostgresServer pg, int rounds, Duration each, StringBuilder report) throws Exception {
        Map<String, List<Double>> runs = new LinkedHashMap<>();
        LIGHT_SETUPS.forEach(s -> runs.put(s, new ArrayList<>()));
        for (int round = 1; round <= rounds; round++) {
            for (String setup : LIGHT_SETUPS) {
                System.out.println("light round " + round + "/" + rounds + ": " + setup + " ...");
                ChildJvm jvm = ChildJvm.on(Paths.get(System.getProperty("java.home")))
                        .env("DB_MAX_OPEN_CONNS", String.valueOf(LIGHT_POOL))
                        .env("DB_MAX_IDLE_CONNS", String.valueOf(LIGHT_POOL))
                        .env("DB_POOL_METRICS_PORT", "off");
                boolean agent = setup.startsWith("pool-agent");
                if (setup.equals("hand-written HikariCP 7.1 (as bundled in the agent)")) {
                    jvm.classpath(withBundledHikari());
                }
                if (agent) {
                    jvm.withAgent();
                    int mode = setup.indexOf("DB_POOL_RESET=");
                    if (mode >= 0) {
                        jvm.env("DB_POOL_RESET", setup.substring(mode + "DB_POOL_RESET=".length()));
                    }
                }
                ChildJvm.Result r = jvm.run(each.plusSeconds(60), LightWorkload.class, agent ? "naive" : "hikari",
                        pg.url(), "auth", PASSWORD, String.valueOf(LIGHT_THREADS), String.valueOf(each.toSeconds()),
                        String.valueOf(LIGHT_POOL));
                if (r.intValue("errors") != 0) {
                    throw new IllegalStateException(setup + " had errors:\n" + r);
                }
                runs.get(setup).add((double) r.intValue("opsPerSecond"));
            }
        }
        double base = median(runs.get(LIGHT_SETUPS.get(0)).stream().mapToDouble(Double::doubleValue).toArray());
        report.append("## 1b. light workload (").append(LIGHT_THREADS).append(" threads on ").append(LIGHT_POOL)
                .append(" connections; per borrow one query and one prepared statement, three times; ")
                .append(each.toSeconds()).append(" s per run, median of ").append(rounds).append(" interleaved rounds)\n\n")
                .append("| setup | borrows/s | vs hand-written HikariCP (5.1, the application's) |\n|---|---|---|\n");
        for (String setup : LIGHT_SETUPS) {
            double ops = median(runs.get(setup).stream().mapToDouble(Double::doubleValue).toArray());
            report.append(String.format(Locale.ROOT, "| %s | %.0f | %.2fx |%n", setup, ops, ops / base));
        }
        report.append("\ntarget: the default >= 0.90x the hand-written pool\n\n");
    }

    /** This test classpath with the application's HikariCP (5.x) swapped for the version the agent bundles. */
    private static String withBundledHikari() throws IOException {
        Path libs = Paths.get("it", "target", "bench-libs");
        Path bundled;
        try (java.util.stream.Stream<Path> jars = Files.list(libs)) {
            bundled = jars.filter(p -> p.getFileName().toString().startsWith("HikariCP-")).findFirst()
                    .orElseThrow(() -> new IOException("no HikariCP in " + libs + ": run ./bench.sh, which builds first"));
        }
        StringBuilder classpath = new StringBuilder();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            boolean appsHikari = Paths.get(entry).getFileName().toString().startsWith("HikariCP-");
            classpath.append(classpath.length() == 0 ? "" : java.io.File.pathSeparator)
                    .append(appsHikari ? bundled.toAbsolutePath().toString() : entry);
        }
        return classpath.toString();
    }

    // ---- 4. the cost of being scraped ----

    /** The agent under load, with and without a client fetching /metrics 20 times a second, interleaved. */
    private static void scraping(PostgresServer pg, int rounds, Duration each, int users, StringBuilder report)
            throws Exception {
        double[] quiet = new double[rounds];
        double[] scraped = new double[rounds];
        long scrapes = 0;
        HttpClient http = HttpClient.newHttpClient();
        for (int round = 0; round < rounds; round++) {
            for (boolean scrape : new boolean[] {false, true}) {
                System.out.println("scrape round " + (round + 1) + "/" + rounds + (scrape ? ": scraped" : ": quiet"));
                try (SampleApp app = SampleApp.start(true, env(pg, "pool-agent", null))) {
                    new LoadGenerator(app.baseUrl(), users, Duration.ofSeconds(2)).run("warm-up", pg.url(),
                            PostgresServer.SUPERUSER);
                    AtomicBoolean running = new AtomicBoolean(scrape);
                    AtomicLong fetched = new AtomicLong();
                    URI metrics = URI.create("http://127.0.0.1:" + app.metricsPort() + "/metrics");
                    Thread scraper = new Thread(() -> {
                        while (running.get()) {
                            try {
                                http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.discarding());
                                fetched.incrementAndGet();
                                Thread.sleep(50);
                            } catch (Exception e) {
                                return;
                            }
                        }
                    });
                    scraper.start();
                    LoadResult result = new LoadGenerator(app.baseUrl(), users, each).run("scrape", pg.url(),
                            PostgresServer.SUPERUSER);
                    running.set(false);
                    scraper.join();
                    (scrape ? scraped : quiet)[round] = result.requestsPerSecond();
                    scrapes += fetched.get();
                }
            }
        }
        double q = median(quiet);
        double s = median(scraped);
        report.append("## 4. the metrics endpoint under load (pool-agent, ").append(users).append(" virtual users, ")
                .append(rounds).append(" interleaved rounds of ").append(each.toSeconds()).append(" s)\n\n")
                .append("| | requests/s |\n|---|---|\n")
                .append(String.format(Locale.ROOT, "| not scraped | %.0f |%n| /metrics fetched every 50 ms (%d scrapes in all) | %.0f |%n",
                        q, scrapes, s))
                .append(String.format(Locale.ROOT, "%nchange: %+.1f%% (target: less than 2%%)%n%n", 100 * (s - q) / q));
    }

    // ---- 2. borrow + return, JMH ----

    private static void borrow(PostgresServer pg, StringBuilder report) throws Exception {
        String agent = "-javaagent:" + ChildJvm.agentJar().toAbsolutePath();
        String settings = agent + "=DB_MAX_OPEN_CONNS=10;DB_POOL_METRICS_PORT=off;DB_POOL_RESET=";
        List<String> modes = List.of("full", "tracked", "off", "discard");
        report.append("## 2. borrow + return of one connection (JMH, average time, 1 thread)\n\n")
                .append("| path | borrow + close, µs/op | vs HikariCP | borrow + one query + close, µs/op | vs HikariCP |\n")
                .append("|---|---|---|---|---|\n");
        double hikari = jmh(pg, "hikariDirect", "-Dbench.hikari=true");
        double hikariQuery = jmh(pg, "hikariOneQuery", "-Dbench.hikari=true");
        for (String mode : modes) {
            double bare = jmh(pg, "driverManager", settings + mode);
            double query = jmh(pg, "driverManagerOneQuery", settings + mode);
            report.append(row("DriverManager.getConnection through pool-agent, DB_POOL_RESET=" + mode
                    + (mode.equals("full") ? " (default)" : ""), bare, hikari, query, hikariQuery));
        }
        report.append(row("HikariDataSource.getConnection, direct", hikari, hikari, hikariQuery, hikariQuery));
        double physical = jmh(pg, "driverManager", "-Dbench.physical=true");
        report.append(String.format(Locale.ROOT, "| DriverManager.getConnection, no agent (a fresh scram connection)"
                + " | %.3f | %.0fx | | |%n", physical, physical / hikari))
                .append("\ntarget: through the agent, borrow + close <= 2x HikariCP direct; the column with a query"
                        + " shows what the reset adds to a borrower that reached the server\n\n");
    }

    private static String row(String name, double us, double base, double queryUs, double queryBase) {
        return String.format(Locale.ROOT, "| %s | %.3f | %.2fx | %.1f | %.2fx |%n", name, us, us / base, queryUs,
                queryUs / queryBase);
    }

    private static double jmh(PostgresServer pg, String method, String jvmArg) throws Exception {
        Options options = new OptionsBuilder()
                .include(BorrowBench.class.getName() + "." + method + "$")
                .jvmArgsAppend(jvmArg, "-Dbench.url=" + pg.url(), "-Dbench.user=auth", "-Dbench.password=" + PASSWORD)
                .warmupIterations(3).warmupTime(TimeValue.seconds(1))
                .measurementIterations(5).measurementTime(TimeValue.seconds(1))
                .forks(1).threads(1)
                .build();
        RunResult result = new Runner(options).run().iterator().next();
        return result.getPrimaryResult().getScore();
    }

    static double min(double[] values) {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    static double max(double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String machine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Paths.get("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
        } catch (IOException ignored) {
            // not Linux
        }
        return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), " + System.getProperty("os.name")
                + ", Java " + System.getProperty("java.version");
    }
}
