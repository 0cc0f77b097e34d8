package io.poolagent.it.bench;

import io.poolagent.it.apps.ReadWriteService;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.Jdks;
import io.poolagent.it.support.PostgresReplicas;
import io.poolagent.it.support.PostgresServer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 29's read scaling, measured: {@link ReadWriteService} (Spring, 90% {@code @Transactional(readOnly = true)}
 * reads, 10% writes each read back at once) with the agent, on the primary alone and with two streaming
 * standbys as read replicas, interleaved round by round against the same three servers.
 *
 * <p>Two reads, both printed: a plain lookup by primary key, which costs the server little CPU, and the same
 * lookup holding its session 10 ms more ({@code pg_sleep}), as an I/O-bound read does on a server whose
 * connections are the limit. On this machine all three servers and the client share the same cores, so a
 * CPU-bound read cannot scale with replicas here; the held read shows what replicas add when sessions, not
 * CPU, are what runs out.
 */
final class ReadReplicaBench {

    private static final String USER = "bench";
    private static final String PASSWORD = "bench-replica-secret-6603";
    private static final int ROWS = 10_000;
    /**
     * Small, so that with the held read the primary alone runs out of sessions (4 sessions held 10 ms each: at
     * most about 400 reads/s) well before these 2 cores run out of CPU for the plain lookup.
     */
    private static final int POOL = 4;
    private static final int THREADS = 16;
    private static final int WARM_UP_SECONDS = 3;
    private static final List<String> SETUPS = List.of("pool-agent, primary alone", "pool-agent, two replicas");
    /** Each read's extra time holding its server session, in ms: 0 is the plain lookup. */
    private static final List<Integer> HOLDS = List.of(0, 10);

    private ReadReplicaBench() {
    }

    /** One run's outcome, as the service reported it. */
    private record Run(double requestsPerSecond, double p50, double p95, long reads, long readsOnReplicas,
            long errors, long misses) {
    }

    static void run(int rounds, Duration each, StringBuilder report) throws Exception {
        Map<String, List<Run>> runs = new LinkedHashMap<>();
        try (PostgresReplicas servers = PostgresReplicas.start(2, 100, PostgresServer.Auth.SCRAM)) {
            servers.primary().createRole(USER, PASSWORD);
            servers.primary().execute("CREATE TABLE items (id bigserial PRIMARY KEY, label text NOT NULL)",
                    "INSERT INTO items (label) SELECT 'seed ' || n FROM generate_series(1, " + ROWS + ") n",
                    "GRANT ALL ON items TO " + USER, "GRANT ALL ON SEQUENCE items_id_seq TO " + USER);
            servers.awaitCaughtUp();
            for (int round = 1; round <= rounds; round++) {
                for (int hold : HOLDS) {
                    for (String setup : SETUPS) {
                        System.out.println("replicas round " + round + "/" + rounds + ": " + read(hold) + ", " + setup);
                        runs.computeIfAbsent(key(hold, setup), k -> new ArrayList<>())
                                .add(once(servers, hold, setup.endsWith("replicas"), each));
                    }
                }
            }
        }
        report(rounds, each, runs, report);
    }

    private static Run once(PostgresReplicas servers, int hold, boolean replicas, Duration each) throws Exception {
        Path output = Files.createTempFile("read-write-service", ".txt");
        try {
            ChildJvm jvm = ChildJvm.on(Jdks.current()).withAgent()
                    .env("DB_MAX_OPEN_CONNS", String.valueOf(POOL))
                    .env("DB_POOL_METRICS_PORT", "off")
                    .jvmArg("-Dapp.warmup.seconds=" + WARM_UP_SECONDS);
            if (replicas) {
                jvm.env("DB_READ_REPLICAS", servers.replicaList()).env("DB_READ_REPLICA_MAX_LAG", "1s");
            }
            ChildJvm.Result r = jvm.run(each.plusSeconds(WARM_UP_SECONDS + 60), ReadWriteService.class,
                    servers.primary().url(), USER, PASSWORD, String.valueOf(THREADS),
                    String.valueOf(each.toSeconds() + WARM_UP_SECONDS), "90", output.toString(), String.valueOf(hold));
            if (r.exitCode != 0) {
                throw new IllegalStateException("the service failed:\n" + r);
            }
            long reads = Long.parseLong(r.value("reads"));
            long onPrimary = reads(r, servers.primary().port());
            return new Run(Double.parseDouble(r.value("requestsPerSecond")), Double.parseDouble(r.value("p50Ms")),
                    Double.parseDouble(r.value("p95Ms")), reads, reads - onPrimary, Long.parseLong(r.value("errors")),
                    Long.parseLong(r.value("misses")));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** The reads the server on {@code port} answered (the service reports only ports that answered). */
    private static long reads(ChildJvm.Result r, int port) {
        String prefix = "RESULT reads.port." + port + "=";
        return r.stdout.lines().filter(l -> l.startsWith(prefix)).mapToLong(l -> Long.parseLong(l.substring(prefix.length())))
                .sum();
    }

    private static void report(int rounds, Duration each, Map<String, List<Run>> runs, StringBuilder report) {
        report.append("## read replicas (Spring service, ").append(THREADS).append(" threads, 90% read-only reads,"
                        + " 10% writes each read back at once; pools of ").append(POOL).append(" per server; ")
                .append(each.toSeconds()).append(" s per run after ").append(WARM_UP_SECONDS)
                .append(" s of warm-up, median of ").append(rounds).append(" interleaved rounds with the lowest and"
                        + " highest; primary and both standbys on this machine)\n\n")
                .append("| read | setup | requests/s (min..max) | p50 | p95 (min..max) | reads on replicas | failed"
                        + " | own writes missed |\n|---|---|---|---|---|---|---|---|\n");
        for (int hold : HOLDS) {
            for (String setup : SETUPS) {
                report.append(row(hold, setup, runs.get(key(hold, setup))));
            }
        }
        report.append("\nratios of medians, measured in this run:\n\n| read | two replicas / primary alone, throughput"
                + " | p95 |\n|---|---|---|\n");
        for (int hold : HOLDS) {
            List<Run> alone = runs.get(key(hold, SETUPS.get(0)));
            List<Run> replicas = runs.get(key(hold, SETUPS.get(1)));
            report.append(String.format(Locale.ROOT, "| %s | %.2fx | %.2fx |%n", read(hold),
                    median(replicas, Run::requestsPerSecond) / median(alone, Run::requestsPerSecond),
                    median(replicas, Run::p95) / median(alone, Run::p95)));
        }
        report.append("\nAll three servers and the service share ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores: a plain lookup is bound by CPU, which replicas on the same cores cannot add; the read"
                        + " that holds its session shows what replicas add when sessions are the limit.\n\n");
    }

    private static String row(int hold, String setup, List<Run> runs) {
        double[] rps = runs.stream().mapToDouble(Run::requestsPerSecond).toArray();
        double[] p95 = runs.stream().mapToDouble(Run::p95).toArray();
        long reads = runs.stream().mapToLong(Run::reads).sum();
        long onReplicas = runs.stream().mapToLong(Run::readsOnReplicas).sum();
        return String.format(Locale.ROOT, "| %s | %s | %.0f (%.0f..%.0f) | %.1f ms | %.1f ms (%.1f..%.1f) | %.0f%% | %d | %d |%n",
                read(hold), setup, Benchmarks.median(rps), Benchmarks.min(rps), Benchmarks.max(rps),
                median(runs, Run::p50), Benchmarks.median(p95), Benchmarks.min(p95), Benchmarks.max(p95),
                reads == 0 ? 0.0 : 100.0 * onReplicas / reads, runs.stream().mapToLong(Run::errors).sum(),
                runs.stream().mapToLong(Run::misses).sum());
    }

    private static double median(List<Run> runs, java.util.function.ToDoubleFunction<Run> value) {
        return Benchmarks.median(runs.stream().mapToDouble(value).toArray());
    }

    private static String read(int hold) {
        return hold == 0 ? "lookup by id" : "lookup holding its session " + hold + " ms";
    }

    private static String key(int hold, String setup) {
        return hold + "|" + setup;
    }
}
