package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolagent.it.apps.ShareLoad;
import io.poolagent.it.support.BackendSampler;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.ChildJvmsSpanTests;
import io.poolagent.it.support.Jdks;
import io.poolagent.it.support.PostgresExtension;
import io.poolagent.it.support.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DB_MAX_OPEN_CONNS=auto with several JVMs on one small server (max_connections 30, 3 reserved for superusers:
 * a budget of 27, of which the default headroom keeps 12 free). The fleet is three replicas of one service, each
 * with 40 threads that open a connection per query; another application without the agent (10 threads, a
 * connection per query) starts once they run. The tests run in order on one fleet: replicas come and go.
 *
 * <p>Every expected share is computed here from the server's own numbers, not read from the agent: budget
 * 27, headroom 12, less the sessions of everyone else the test sees in pg_stat_activity.
 */
@Tag("slow")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ChildJvmsSpanTests
class FairShareTest {

    private static final int BUDGET = 27;
    private static final int HEADROOM = 12;
    private static final Duration PATIENCE = Duration.ofSeconds(90); // only a hung fleet takes this long
    private static final Pattern SHARE = Pattern.compile("\"Share\":\\{\"Connections\":(\\d+),\"Entitled\":(\\d+),"
            + "\"Instances\":(\\d+),\"OtherSessions\":(\\d+),\"Budget\":\\d+,\"Headroom\":\\d+,\"Evaluations\":(\\d+)");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.server(30, PostgresServer.Auth.TRUST)
            .role("orders", "orders-pw").role("billing", "billing-pw");

    private static final List<Replica> fleet = new ArrayList<>();
    private static final List<ChildJvm.Result> finished = new ArrayList<>();
    private static BackendSampler sampler;
    /** The test's one session for its own questions, so that the other sessions stay the same two. */
    private static Connection admin;
    private static Path stop;

    /** One JVM of the service, and what its pool says on /pools. */
    private static final class Replica {
        final ChildJvm.Running jvm;
        final int port;

        Replica(ChildJvm.Running jvm) throws Exception {
            this.jvm = jvm;
            jvm.awaitOutputValue("serving", PATIENCE);
            this.port = jvm.metricsPort();
        }

        int[] share() throws Exception {
            String pools = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/pools")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = SHARE.matcher(pools);
            if (!m.find()) {
                throw new AssertionError("no share in /pools: " + pools);
            }
            return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                    Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5))};
        }

        int connections() throws Exception {
            return share()[0];
        }

        int instances() throws Exception {
            return share()[2];
        }

        int others() throws Exception {
            return share()[3];
        }

        int evaluations() throws Exception {
            return share()[4];
        }
    }

    @Test
    @Order(1)
    void fixedPoolsOfThreeReplicasTakeEverySlotAndStarveAnotherApplication() throws Exception {
        Path stopFixed = Files.createTempFile("fixed", ".stop");
        Files.delete(stopFixed);
        List<ChildJvm.Running> fixed = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                fixed.add(ChildJvm.on(Jdks.current()).withAgent().env("DB_MAX_OPEN_CONNS", "25")
                        .env("DB_POOL_METRICS_PORT", "off")
                        .start(ShareLoad.class, PG.url(), "orders", "orders-pw", "40", "0", "5", stopFixed.toString()));
            }
            for (ChildJvm.Running replica : fixed) {
                replica.awaitOutputValue("serving", PATIENCE);
            }
            awaitOrdersSessions(n -> n >= BUDGET - 2, "the fixed pools to fill the server");

            ChildJvm.Result other = otherApplication();
            System.out.println("fixed pools of 25: the other application lost " + other.value("failed") + " of 600 "
                    + other.value("states"));

            assertTrue(other.intValue("failed") > 0, "the fixed pools should have starved it:\n" + other);
            assertTrue(other.value("states").contains("53300"), other.toString());
        } finally {
            Files.createFile(stopFixed);
            for (ChildJvm.Running replica : fixed) {
                replica.finish(PATIENCE);
            }
        }
    }

    @Test
    @Order(2)
    void threeReplicasFindEachOtherAndTakeEqualShares() throws Exception {
        sampler = new BackendSampler(PG.url(), PostgresServer.SUPERUSER, "");
        admin = PG.server().connectAsSuperuser();
        stop = Files.createTempFile("share", ".stop");
        Files.delete(stop);
        for (int i = 0; i < 3; i++) {
            fleet.add(startReplica());
        }
        int share = (BUDGET - HEADROOM - otherSessions()) / 3;

        for (Replica replica : fleet) {
            awaitValue(replica::instances, n -> n == 3, "each replica to see the three");
            awaitValue(replica::connections, n -> n == share, "each replica to take " + share);
        }
    }

    @Test
    @Order(3)
    void anApplicationWithoutTheAgentStartingLaterLosesNoQuery() throws Exception {
        Thread.sleep(3000); // the scenario: the other application comes 3 s after the service

        ChildJvm.Result other = otherApplication();
        System.out.println("auto: the other application lost " + other.value("failed") + " of 600; server peak "
                + (sampler.peak() + 1) + " client sessions of " + BUDGET);

        assertEquals(0, other.intValue("failed"), other.toString());
        assertEquals(600, other.intValue("ok"), other.toString());
        int peak = sampler.peak() + 1; // its own session counts too
        assertTrue(peak <= BUDGET, "the server held " + peak + " client sessions, more than its budget " + BUDGET);
    }

    @Test
    @Order(4)
    void whenAReplicaDiesTheOthersTakeItsShareWithinTwoCounts() throws Exception {
        int others = otherSessions();
        for (Replica replica : fleet) { // the other application's sessions are forgotten after a few counts
            awaitValue(replica::others, n -> n == others, "the replicas to forget the other application");
        }
        Replica dead = fleet.remove(2);
        dead.jvm.close(); // SIGKILL: no goodbye, the server notices the closed sockets
        awaitTaggedApplications(2);
        int[] before = {fleet.get(0).evaluations(), fleet.get(1).evaluations()};
        int share = (BUDGET - HEADROOM - otherSessions()) / 2;

        for (int i = 0; i < 2; i++) {
            Replica replica = fleet.get(i);
            awaitValue(replica::connections, n -> n == share, "replica " + i + " to take " + share);
            int counts = replica.evaluations() - before[i];
            assertTrue(counts <= 2, "replica " + i + " needed " + counts + " counts of the server to take its share");
        }
    }

    @Test
    @Order(5)
    void aNewReplicaMakesTheOthersShrinkToMakeRoom() throws Exception {
        fleet.add(startReplica());
        int share = (BUDGET - HEADROOM - otherSessions()) / 3;

        for (Replica replica : fleet) {
            awaitValue(replica::connections, n -> n == share, "each replica to settle at " + share);
        }
        awaitOrdersSessions(n -> n <= 3 * share, "the server to hold the three shares only");
        int peak = sampler.peak() + 1;
        assertTrue(peak <= BUDGET, "the server held " + peak + " client sessions, more than its budget " + BUDGET);
    }

    /**
     * Anyone who can log in can name a session like an instance. One idle session of another role, tagged as a
     * heavy instance of this very service, is someone else's session: the replicas still see three instances
     * and give up the one slot it holds, no more.
     */
    @Test
    @Order(6)
    void aForgedTagOfAnotherRoleCostsTheServiceOnlyTheSlotItHolds() throws Exception {
        int othersBefore = settledOtherSessions();
        for (Replica replica : fleet) { // each replica's own count agrees before the forged session comes
            awaitValue(replica::others, n -> n == othersBefore, "each replica to see " + othersBefore + " others");
        }
        String forgedName = URLEncoder.encode("[pool-agent orders zz9zz9 100]", StandardCharsets.UTF_8);
        try (Connection forged = DriverManager.getConnection(PG.url() + "?ApplicationName=" + forgedName, "billing",
                "billing-pw")) {
            assertEquals(1, query("select count(*) from pg_stat_activity where usename = 'billing'"
                    + " and application_name = '[pool-agent orders zz9zz9 100]'"), "the forged session is there");
            int share = (BUDGET - HEADROOM - othersBefore - 1) / 3;
            for (Replica replica : fleet) {
                awaitValue(replica::others, n -> n == othersBefore + 1, "each replica to count the forged session once");
                assertEquals(3, replica.instances(), "the forged tag is no instance");
                awaitValue(replica::connections, n -> n == share, "each replica to keep " + share);
            }
        }
    }

    @Test
    @Order(7)
    void noReplicaLostAQuery() throws Exception {
        Files.createFile(stop);
        for (Replica replica : fleet) {
            finished.add(replica.jvm.finish(PATIENCE));
        }
        fleet.clear();
        for (ChildJvm.Result replica : finished) {
            assertEquals(0, replica.intValue("failed"), replica.toString());
            assertTrue(replica.intValue("ok") > 0, replica.toString());
            assertEquals(0, replica.agentLinesContaining("ERROR"), replica.toString());
        }
    }

    @Test
    @Order(8)
    void aRoleThatCannotReadTheSessionsKeepsAFixedSizeAndSaysWhy() throws Exception {
        PG.server().execute("REVOKE SELECT ON pg_catalog.pg_stat_activity FROM PUBLIC");
        try {
            ChildJvm.Result r = ChildJvm.on(Jdks.current()).withAgent().env("DB_MAX_OPEN_CONNS", "auto")
                    .env("DB_POOL_MAX_OPEN_CAP", "4").env("DB_POOL_METRICS_PORT", "off")
                    .run(PATIENCE, ShareLoad.class, PG.url(), "orders", "orders-pw", "8", "20", "5", "/nonexistent");

            assertEquals(160, r.intValue("ok"), r.toString());
            assertEquals(1, r.agentLinesContaining("cannot count the server's sessions (SQLSTATE 42501"), r.toString());
            assertEquals(1, r.agentLinesContaining("it keeps 4 connections (DB_POOL_MAX_OPEN_CAP when set"),
                    r.toString());
        } finally {
            PG.server().execute("GRANT SELECT ON pg_catalog.pg_stat_activity TO PUBLIC");
        }
    }

    @AfterAll
    static void stopFleet() throws Exception {
        for (Replica replica : fleet) {
            replica.jvm.close();
        }
        if (sampler != null) {
            sampler.close();
        }
        if (admin != null) {
            admin.close();
        }
    }

    private static Replica startReplica() throws Exception {
        return new Replica(ChildJvm.on(Jdks.current()).withAgent().env("DB_MAX_OPEN_CONNS", "auto")
                .env("DB_POOL_SERVICE", "orders").env("DB_POOL_SHARE_PERIOD", "2s").env("DB_POOL_METRICS_PORT", "0")
                .start(ShareLoad.class, PG.url(), "orders", "orders-pw", "40", "0", "5", stop.toString()));
    }

    /** 10 threads, 60 connections each, one query per connection, no agent. */
    private static ChildJvm.Result otherApplication() {
        return ChildJvm.on(Jdks.current()).run(PATIENCE, ShareLoad.class, PG.url(), "billing", "billing-pw", "10", "60",
                "20", "/nonexistent");
    }

    /** Client sessions on the server that no auto-sized pool tagged: here the test's two (its sampler, its questions). */
    /**
     * The other sessions once their number holds still for three reads half a second apart: a session that a
     * previous step closed may still be leaving the server's table, and must not be counted as staying.
     */
    private static int settledOtherSessions() throws Exception {
        int last = otherSessions();
        int same = 1;
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (same < 3 && System.nanoTime() < deadline) {
            Thread.sleep(500);
            int now = otherSessions();
            same = now == last ? same + 1 : 1;
            last = now;
        }
        return last;
    }

    private static int otherSessions() throws Exception {
        return query("select count(*) from pg_stat_activity where backend_type = 'client backend'"
                + " and application_name not like '%[pool-agent %'");
    }

    private static void awaitTaggedApplications(int expected) throws Exception {
        awaitValue(() -> query("select count(distinct application_name) from pg_stat_activity"
                + " where application_name like '%[pool-agent %'"), n -> n == expected, expected + " instances");
    }

    /** The service's sessions, pooled by fixed or auto-sized pools. */
    private static void awaitOrdersSessions(IntPredicate condition, String what) throws Exception {
        awaitValue(() -> query("select count(*) from pg_stat_activity where usename = 'orders'"), condition, what);
    }

    private static int query(String sql) throws Exception {
        if (admin == null) { // before the fleet: a session per question, the server may be full for others
            try (Connection c = PG.server().connectAsSuperuser()) {
                return query(c, sql);
            }
        }
        return query(admin, sql);
    }

    private static int query(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    interface Reading {
        int read() throws Exception;
    }

    private static void awaitValue(Reading reading, IntPredicate condition, String what) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        int value = reading.read();
        while (!condition.test(value)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited in vain for " + what + "; last value " + value);
            }
            Thread.sleep(100);
            value = reading.read();
        }
    }
}
