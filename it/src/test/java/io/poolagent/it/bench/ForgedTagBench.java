package io.poolagent.it.bench;

import io.poolagent.it.apps.ShareLoad;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.Jdks;
import io.poolagent.it.support.PostgresServer;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The forged-tag scenario of issue 26: three replicas of a service with DB_MAX_OPEN_CONNS=auto do a fixed piece of
 * work (each 20 threads x 30 queries of 20 ms, a connection per query), once alone and once beside an idle
 * session of another role whose application_name imitates a heavy instance of that service. Interleaved rounds;
 * the wall time until all three are done, and their failed queries.
 */
final class ForgedTagBench {

    private static final String FORGED = "[pool-agent orders zz9zz9 100]";

    private ForgedTagBench() {
    }

    static void run(int rounds, StringBuilder report) throws Exception {
        double[][] seconds = new double[2][rounds];
        int[] failed = new int[2];
        try (PostgresServer pg = PostgresServer.start(30, PostgresServer.Auth.TRUST)) {
            pg.createRole("orders", "orders-bench-pw");
            pg.createRole("billing", "billing-bench-pw");
            for (int round = 0; round < rounds; round++) {
                for (int forged = 0; forged < 2; forged++) {
                    System.out.println("forged tag round " + (round + 1) + "/" + rounds + (forged == 1 ? ", forged" : ""));
                    try (Connection session = forged == 1 ? forgedSession(pg) : null) {
                        long began = System.nanoTime();
                        failed[forged] += fleet(pg);
                        seconds[forged][round] = (System.nanoTime() - began) / 1e9;
                    }
                }
            }
        }
        double alone = Benchmarks.median(seconds[0]);
        double beside = Benchmarks.median(seconds[1]);
        report.append("## forged fair-share tag (3 auto replicas, 3 x 600 queries; medians of ").append(rounds)
                .append(" interleaved rounds)\n\n| run | seconds | failed queries |\n|---|---|---|\n")
                .append(String.format(Locale.ROOT, "| alone | %.1f | %d |%n", alone, failed[0]))
                .append(String.format(Locale.ROOT, "| beside a forged tag of another role | %.1f | %d |%n", beside,
                        failed[1]))
                .append(String.format(Locale.ROOT, "%nratio %.2fx (target: at most 1.3x, no failed query)%n%n",
                        beside / alone));
    }

    private static Connection forgedSession(PostgresServer pg) throws Exception {
        return DriverManager.getConnection(pg.url() + "?ApplicationName="
                + URLEncoder.encode(FORGED, StandardCharsets.UTF_8), "billing", "billing-bench-pw");
    }

    /** The three replicas, started together, each doing its fixed work; their failed queries. */
    private static int fleet(PostgresServer pg) throws Exception {
        List<ChildJvm.Running> replicas = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            replicas.add(ChildJvm.on(Jdks.current()).withAgent().env("DB_MAX_OPEN_CONNS", "auto")
                    .env("DB_POOL_SERVICE", "orders").env("DB_POOL_SHARE_PERIOD", "2s")
                    .env("DB_POOL_METRICS_PORT", "off")
                    .start(ShareLoad.class, pg.url(), "orders", "orders-bench-pw", "20", "30", "20", "/nonexistent"));
        }
        int failed = 0;
        for (ChildJvm.Running replica : replicas) {
            ChildJvm.Result r = replica.finish(Duration.ofMinutes(5));
            failed += r.intValue("failed");
        }
        return failed;
    }
}
