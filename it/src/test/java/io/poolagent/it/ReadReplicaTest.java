package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolagent.it.apps.ReadOnlyRetry;
import io.poolagent.it.apps.ReadWriteService;
import io.poolagent.it.apps.RoutingCases;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.Jdks;
import io.poolagent.it.support.PostgresReplicas;
import io.poolagent.it.support.PostgresServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 29 end to end: a Spring service ({@link ReadWriteService}: {@code @Transactional(readOnly = true)} reads,
 * ordinary writes, a DriverManager connection per transaction) runs with the agent against a primary and two
 * asynchronous streaming standbys, told about them only through {@code DB_READ_REPLICAS}. What counts is what
 * the servers and the service saw: which port answered each read (the service asks {@code inet_server_port()}
 * in the read itself), the reads each standby counted in its own statistics, the rows on the primary; the
 * agent's metrics are a second witness. Every wait is bounded by counts and states and fails with what it saw.
 */
@Tag("slow")
class ReadReplicaTest {

    private static final String USER = "app";
    private static final String PASSWORD = "replica-app-secret-5582";
    private static final String APPLICATION = "read-write-service";
    private static final int ROWS = 1000;
    private static final String THREADS = "4";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private static PostgresReplicas servers;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServers() {
        servers = PostgresReplicas.start(2, 40, PostgresServer.Auth.SCRAM);
        servers.primary().createRole(USER, PASSWORD);
        servers.primary().execute("CREATE TABLE items (id bigserial PRIMARY KEY, label text NOT NULL)",
                "INSERT INTO items (label) SELECT 'seed ' || n FROM generate_series(1, " + ROWS + ") n",
                "GRANT ALL ON items TO " + USER, "GRANT ALL ON SEQUENCE items_id_seq TO " + USER);
        servers.awaitCaughtUp();
    }

    @AfterAll
    static void stopServers() {
        if (servers != null) {
            servers.close();
        }
    }

    /** Every standby running, replaying and caught up for the next test, whatever this one did. */
    @AfterEach
    void restoreStandbys() {
        servers.restore();
    }

    @Test
    void withoutReplicasConfiguredEveryRequestIsServedByThePrimary() throws Exception {
        Service service = start(agent(), "90");
        service.awaitCount("reads", 500);
        service.awaitCount("writes", 50);
        String metrics = service.scrape("/metrics");
        Map<String, Long> end = service.finish();

        assertClean(end);
        assertTrue(sum(metrics, "pool_agent_calls_intercepted_total", l -> l.contains("driver_manager")) > 0,
                "Spring's DriverManagerDataSource went through the agent\n" + metrics);
        assertEquals(0, count(metrics, "pool_agent_pool_info", l -> l.contains("role=\"replica\"")), metrics);
        assertEquals(end.get("reads"), end.get("reads.port." + primaryPort()), end.toString());
        assertEquals(end.get("checks"), end.get("checks.port." + primaryPort()), end.toString());
        assertEquals(end.get("writes"), end.get("writes.port." + primaryPort()), end.toString());
    }

    /** (a) Reads are spread over both standbys, writes stay on the primary, nothing fails. */
    @Test
    void readsLandOnBothStandbysAndWritesOnThePrimary() throws Exception {
        long rowsBefore = rowsOnPrimary();
        long[] scansBefore = {scans(0), scans(1)};
        Service service = start(withReplicas(), "90");
        service.awaitCount("reads.port." + standbyPort(0), 200);
        service.awaitCount("reads.port." + standbyPort(1), 200);
        service.awaitCount("writes", 50);
        String metrics = service.scrape("/metrics");
        String pools = service.scrape("/pools");
        Map<String, Long> end = service.finish();

        assertClean(end);
        assertEquals(end.get("writes"), end.get("writes.port." + primaryPort()), "every write on the primary: " + end);
        assertEquals(rowsBefore + end.get("writes"), rowsOnPrimary(), "each acknowledged write is a row: " + end);
        for (int i = 0; i < 2; i++) {
            // The standby's own count: statistics reach it within seconds (a backend reports at most once a second).
            long served = end.get("reads.port." + standbyPort(i));
            servers.standby(i).awaitTrue("SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) >= "
                    + (scansBefore[i] + served) + " FROM pg_stat_user_tables WHERE relname = 'items'", 60);
            assertEquals(1.0, sum(metrics, "pool_agent_replica_usable", onStandby(i)), metrics);
            Predicate<String> standby = onStandby(i);
            assertEquals(1.0, count(metrics, "pool_agent_pool_info", l -> standby.test(l)
                    && l.contains("role=\"replica\"") && l.contains("primary_pool=\"")), metrics);
            assertTrue(pools.matches("(?s).*127\\.0\\.0\\.1:" + standbyPort(i) + "\\b.*"), pools);
        }
        assertTrue(sum(metrics, "pool_agent_reads_total", l -> l.contains("target=\"replica\"")
                && l.contains("reason=\"routed\"")) > 0, metrics);
        assertTrue(pools.contains("replica"), pools);
    }

    /**
     * (b) A standby whose replay is paused, while the primary keeps committing, falls behind the bound and from
     * then on serves no read; once replay resumes it serves reads again.
     */
    @Test
    void aPausedStandbyGetsNoReadsOnceBehindTheBoundAndGetsThemAgainAfterResume() throws Exception {
        Service service = start(withReplicas(), "80");
        service.awaitCount("reads.port." + standbyPort(0), 100);
        servers.pauseReplay(0);

        service.awaitMetric("pool_agent_replica_usable", onStandby(0), 0.0);
        // Reads routed before the agent saw the lag may still be finishing: let every thread do more first.
        service.awaitMore("reads", 100);
        long pausedReads = service.counts().get("reads.port." + standbyPort(0));
        long lagAtStart = servers.lagBytes(0);
        int activeSeen = watchActiveReads(0, service, 2000);
        Map<String, Long> window = service.counts();

        assertEquals(pausedReads, window.get("reads.port." + standbyPort(0)),
                "reads served by the paused standby while it was behind: " + window);
        assertEquals(0, activeSeen, "samples with a read running on the paused standby");
        assertTrue(window.get("reads.port." + standbyPort(1)) > 0, window.toString());
        assertTrue(servers.lagBytes(0) > lagAtStart, "the primary kept committing while the standby stood still");

        servers.resumeReplay(0);
        service.awaitMetric("pool_agent_replica_usable", onStandby(0), 1.0);
        service.awaitCount("reads.port." + standbyPort(0), pausedReads + 50);
        assertClean(service.finish());
    }

    /**
     * (c) A write and then, on the same thread, a read-only read of that row: the read always sees the write,
     * though one standby lags far behind and the other trails by the few milliseconds of asynchronous
     * replication, each enough to miss the row if the read went there too soon.
     */
    @Test
    void aReadOnlyReadAfterAWriteOnTheSameThreadAlwaysSeesTheWrite() throws Exception {
        servers.pauseReplay(0);
        Service service = start(withReplicas(), "50");
        service.awaitMetric("pool_agent_replica_usable", onStandby(0), 0.0);
        service.awaitCount("checks", 1500);
        service.awaitCount("reads.port." + standbyPort(1), 100); // reads did go to a replica meanwhile
        String metrics = service.scrape("/metrics");
        Map<String, Long> end = service.finish();

        assertClean(end);
        assertEquals(0L, end.get("misses"), end.toString());
        assertTrue(sum(metrics, "pool_agent_reads_total", l -> l.contains("target=\"primary\"")
                && l.contains("reason=\"own_write\"")) > 0, metrics);
    }

    /** (d) Standbys stopped under load, one with -m fast and then the other with -m immediate: no request fails. */
    @Test
    void standbysStoppedMidRunCostNoFailedRequest() throws Exception {
        Service service = start(withReplicas(), "90");
        service.awaitCount("reads.port." + standbyPort(0), 100);
        service.awaitCount("reads.port." + standbyPort(1), 100);

        servers.stopStandby(0);
        service.awaitMore("reads.port." + standbyPort(1), 200);
        servers.stopStandbyImmediately(1);
        long onPrimary = service.counts().getOrDefault("reads.port." + primaryPort(), 0L);
        service.awaitCount("reads.port." + primaryPort(), onPrimary + 300); // with none left, reads go to the primary
        String metrics = service.scrape("/metrics");
        Map<String, Long> end = service.finish();

        assertClean(end);
        assertTrue(sum(metrics, "pool_agent_reads_total", l -> l.contains("target=\"primary\"")
                && l.contains("reason=\"no_replica\"")) > 0, metrics);
    }

    @Test
    void aReadWhoseStandbySessionEndsBeforeItAnsweredRunsAgainElsewhereWithItsParameters() throws Exception {
        Path stop = dir.resolve("stop-retry");
        String url = servers.primary().url("postgres") + "?ApplicationName=" + APPLICATION;
        try (ChildJvm.Running app = withReplicas().start(ReadOnlyRetry.class, url, USER, PASSWORD,
                String.valueOf(primaryPort()), stop.toString())) {
            app.awaitOutputValue("warm", WAIT);
            int ended = endSleepingRead(app);
            String port = app.awaitOutputValue("port", WAIT);
            assertEquals("42", app.awaitOutputValue("value", WAIT), "the statement ran again with its parameters");
            assertTrue(Integer.parseInt(port) != ended, "it ran again on another server than " + ended);
            String metrics = new Service(app, stop, dir.resolve("none")).scrape("/metrics");
            assertEquals(1.0, sum(metrics, "pool_agent_reads_rerouted_total", l -> true), metrics);
            Files.createFile(stop);
            ChildJvm.Result r = app.finish(WAIT);
            assertEquals(0, r.exitCode, r.toString());
        }
    }

    @Test
    void aConnectionsWorkStaysWhereOneConnectionWouldHaveIt() throws Exception {
        String url = servers.primary().url("postgres") + "?ApplicationName=" + APPLICATION;
        ChildJvm.Result r = withReplicas().run(WAIT, RoutingCases.class, url, USER, PASSWORD,
                String.valueOf(primaryPort()));
        assertEquals(0, r.exitCode, r.toString());
        String nested = r.value("nestedWriteSeen");
        assertTrue(nested.startsWith("true port="), "a write committed on the thread, read in its read-only"
                + " transaction: " + r);
        assertTrue(!nested.endsWith("=" + primaryPort()), "that transaction ran on a standby: " + r);
        assertEquals("0A000", r.value("afterReadOnlyWork"), "no work follows read-only work to another server: " + r);
        assertEquals(String.valueOf(primaryPort()), r.value("usedFirstPort"), r.toString());
        assertEquals("ok port=" + primaryPort(), r.value("untouchedThenWrite"), r.toString());
        assertEquals("25006", r.value("writeWhileReadOnly"), "a replica's sessions take no writes: " + r);
        assertEquals(1, Integer.parseInt(servers.primary().query("SELECT count(*) FROM cases WHERE id = 2")), r.toString());
        assertEquals(0, Integer.parseInt(servers.primary().query("SELECT count(*) FROM cases WHERE id = 3")), r.toString());
    }

    /**
     * A quiet primary whose WAL was switched (archive_timeout, a backup) reports an insert position past the new
     * segment's header, which no standby replays to until the next write: the standbys must still count as in step.
     */
    @Test
    void standbysOfAQuietPrimaryStayInStepAfterAWalSwitch() throws Exception {
        // A bound of 3 s: a watch thread starved that long on a busy machine is not what this is about.
        Service service = start(agent().env("DB_READ_REPLICAS", servers.replicaList())
                .env("DB_READ_REPLICA_MAX_LAG", "3s"), "100");
        for (int i = 0; i < 2; i++) {
            service.awaitMetric("pool_agent_replica_usable", onStandby(i), 1.0);
        }
        double laggingBefore = lagging(service.scrape("/metrics"));
        servers.primary().execute("SELECT pg_switch_wal()");
        Thread.sleep(4000); // past the bound: a standby not placed since the switch would be out by now
        for (int i = 0; i < 2; i++) {
            service.awaitMore("reads.port." + standbyPort(i), 50);
        }
        double laggingAfter = lagging(service.scrape("/metrics"));
        Map<String, Long> end = service.finish();
        assertEquals(0L, end.get("errors"), end.toString());
        assertEquals(0L, end.getOrDefault("writes", 0L), "a quiet primary: " + end);
        assertEquals(laggingBefore, laggingAfter, "reads sent to the primary as if the standbys lagged");
    }

    private static double lagging(String metrics) {
        return sum(metrics, "pool_agent_reads_total", l -> l.contains("reason=\"lagging\""));
    }

    /** Ends the backend running the service's sleeping read on whichever standby has it; returns that port. */
    private int endSleepingRead(ChildJvm.Running app) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 2; i++) {
                String ended = servers.standby(i).query("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        + " WHERE application_name = '" + APPLICATION + "' AND state = 'active'"
                        + " AND query LIKE '%pg_sleep%'");
                if (!"0".equals(ended)) {
                    return standbyPort(i);
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the sleeping read never ran on a standby\n" + app.stderrSoFar());
    }

    // ---- the service in a child JVM ----

    private ChildJvm agent() {
        return ChildJvm.on(Jdks.current()).withAgent()
                .env("DB_MAX_OPEN_CONNS", "8")
                .env("DB_POOL_METRICS_HOST", "127.0.0.1");
    }

    private ChildJvm withReplicas() {
        return agent().env("DB_READ_REPLICAS", servers.replicaList()).env("DB_READ_REPLICA_MAX_LAG", "1s");
    }

    private Service start(ChildJvm jvm, String readPercent) throws IOException, InterruptedException {
        Path stop = dir.resolve("stop");
        Path output = dir.resolve("summary");
        Files.deleteIfExists(stop);
        Files.deleteIfExists(output);
        String url = servers.primary().url("postgres") + "?ApplicationName=" + APPLICATION;
        ChildJvm.Running running = jvm.start(ReadWriteService.class, url, USER, PASSWORD, THREADS, stop.toString(),
                readPercent, output.toString());
        running.awaitOutputValue("started", WAIT);
        return new Service(running, stop, output);
    }

    /** The running service: its counts as it goes (from its summary file), its agent's endpoint, its end. */
    private static final class Service {
        private final ChildJvm.Running jvm;
        private final Path stop;
        private final Path output;

        Service(ChildJvm.Running jvm, Path stop, Path output) {
            this.jvm = jvm;
            this.stop = stop;
            this.output = output;
        }

        Map<String, Long> counts() throws IOException {
            Map<String, Long> counts = new HashMap<>();
            try {
                for (String line : Files.readAllLines(output)) {
                    int eq = line.indexOf('=');
                    if (eq > 0 && line.substring(eq + 1).matches("\\d+")) {
                        counts.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1)));
                    }
                }
            } catch (NoSuchFileException notYet) {
                // the service writes its first summary as its threads start
            }
            return counts;
        }

        /** Waits until the count {@code key} reaches {@code at least}; fails with every count and the output. */
        void awaitCount(String key, long atLeast) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (counts().getOrDefault(key, 0L) < atLeast) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(key + " never reached " + atLeast + "; counts " + counts()
                            + "\n--- service stderr\n" + jvm.stderrSoFar());
                }
                Thread.sleep(50);
            }
        }

        void awaitMore(String key, long more) throws IOException, InterruptedException {
            awaitCount(key, counts().getOrDefault(key, 0L) + more);
        }

        /**
         * Waits until the metric's series chosen by {@code labels} exist and sum to {@code value}; fails with the
         * last exposition.
         */
        void awaitMetric(String name, Predicate<String> labels, double value) throws Exception {
            long deadline = System.nanoTime() + WAIT.toNanos();
            String metrics = scrape("/metrics");
            while (count(metrics, name, labels) == 0 || sum(metrics, name, labels) != value) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(name + " never became " + value + "; counts " + counts() + "\n" + metrics);
                }
                Thread.sleep(100);
                metrics = scrape("/metrics");
            }
        }

        String scrape(String path) throws IOException, InterruptedException {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + jvm.metricsPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            return response.body();
        }

        /** Stops the load, waits for the service to exit and returns its final counts. */
        Map<String, Long> finish() throws IOException, InterruptedException {
            Files.createFile(stop);
            ChildJvm.Result r = jvm.finish(WAIT);
            assertEquals(0, r.exitCode, r.toString());
            Map<String, Long> counts = counts();
            assertTrue(counts.containsKey("requests"), "no final summary\n" + r);
            System.out.println("ReadWriteService: " + new java.util.TreeMap<>(counts)); // for whoever reads the log
            return counts;
        }
    }

    /** No request failed, every row that existed was found, every write was seen by the read after it. */
    private static void assertClean(Map<String, Long> end) {
        assertEquals(0L, end.get("errors"), "failed requests: " + end);
        assertEquals(0L, end.get("reads.notFound"), end.toString());
        assertEquals(0L, end.get("misses"), "reads that missed the thread's own write: " + end);
        assertTrue(end.get("reads") > 0 && end.get("writes") > 0 && end.get("checks") > 0, end.toString());
    }

    /**
     * Samples standby {@code i}'s pg_stat_activity until the service has done {@code reads} more reads; returns
     * how many samples caught one of the service's reads running there.
     */
    private static int watchActiveReads(int i, Service service, long reads) throws IOException, InterruptedException {
        long until = service.counts().get("reads") + reads;
        long deadline = System.nanoTime() + WAIT.toNanos();
        int seen = 0;
        while (service.counts().get("reads") < until) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the service did not do " + reads + " reads; counts " + service.counts());
            }
            seen += Integer.parseInt(servers.standby(i).query("SELECT count(*) FROM pg_stat_activity"
                    + " WHERE usename = '" + USER + "' AND state = 'active' AND query LIKE '%FROM items%'"));
            Thread.sleep(20);
        }
        return seen;
    }

    // ---- the servers ----

    private static int primaryPort() {
        return servers.primary().port();
    }

    private static int standbyPort(int i) {
        return servers.standby(i).port();
    }

    private static long rowsOnPrimary() {
        return Long.parseLong(servers.primary().query("SELECT count(*) FROM items"));
    }

    /** The reads standby {@code i} has counted on the table so far (its own statistics, not replicated). */
    private static long scans(int i) {
        return Long.parseLong(servers.standby(i).query("SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0)"
                + " FROM pg_stat_user_tables WHERE relname = 'items'"));
    }

    // ---- the agent's metrics ----

    /** Series whose labels name standby {@code i}'s address (the replica pool's name holds it). */
    private static Predicate<String> onStandby(int i) {
        Pattern address = Pattern.compile("127\\.0\\.0\\.1:" + standbyPort(i) + "(?!\\d)");
        return labels -> address.matcher(labels).find();
    }

    private static final Pattern SERIES = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{(.*)\\} (\\S+)$");

    /** The sum of the metric's series whose label text matches; 0 when there is none. */
    static double sum(String exposition, String name, Predicate<String> labels) {
        double sum = 0;
        Matcher m = SERIES.matcher(exposition);
        while (m.find()) {
            if (m.group(1).equals(name) && labels.test(m.group(2))) {
                sum += Double.parseDouble(m.group(3));
            }
        }
        return sum;
    }

    static long count(String exposition, String name, Predicate<String> labels) {
        long count = 0;
        Matcher m = SERIES.matcher(exposition);
        while (m.find()) {
            count += m.group(1).equals(name) && labels.test(m.group(2)) ? 1 : 0;
        }
        return count;
    }
}
