package io.poolagent.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The primary + standby fixture itself: the failover and read-replica tests can only count lost writes and
 * stale reads if replication here does what it says. Plain pgjdbc, no agent.
 */
@Tag("slow")
class PostgresPairTest {

    private static final String APP = "app";
    private static final String APP_PASSWORD = "pair-app-secret-7731";

    private final ExecutorService executor = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        executor.shutdownNow();
    }

    @Test
    void rowCommittedOnThePrimaryIsReadableOnTheStandby() throws Exception {
        try (PostgresPair pair = startWithTable()) {
            update(pair.primary(), "INSERT INTO items VALUES (1, 'one')");
            pair.awaitStandbyCaughtUp();

            assertEquals("one", select(pair.standby(), "SELECT label FROM items WHERE id = 1"));
            assertEquals("t", pair.standby().query("SELECT pg_is_in_recovery()"));
            SQLException write = assertThrows(SQLException.class,
                    () -> update(pair.standby(), "INSERT INTO items VALUES (2, 'two')"));
            assertEquals("25006", write.getSQLState(), "a hot standby is read-only");
        }
    }

    @Test
    void everyAcknowledgedCommitSurvivesACrashOfThePrimaryAndAPromotion() throws Exception {
        try (PostgresPair pair = startWithTable()) {
            ConcurrentLinkedQueue<Integer> acknowledged = new ConcurrentLinkedQueue<>();
            Future<SQLException> writer = executor.submit(() -> insertUntilFailure(pair.primary(), acknowledged));
            awaitSize(acknowledged, 200);

            pair.stopPrimaryImmediately();
            SQLException cut = writer.get(60, TimeUnit.SECONDS);
            assertTrue(cut.getSQLState().startsWith("08") || cut.getSQLState().startsWith("57"), cut.getSQLState());
            pair.promoteStandby();

            Set<Integer> onStandby = ids(pair.standby());
            List<Integer> lost = new ArrayList<>(acknowledged);
            lost.removeAll(onStandby);
            assertEquals(List.of(), lost, "acknowledged commits missing after failover (of " + acknowledged.size() + ")");
            update(pair.standby(), "INSERT INTO items VALUES (-1, 'after promotion')");
            assertEquals("after promotion", select(pair.standby(), "SELECT label FROM items WHERE id = -1"));
        }
    }

    @Test
    void readOnlyPrimaryRefusesWritesWithSqlState25006AndStaysUp() throws Exception {
        try (PostgresPair pair = startWithTable()) {
            pair.makePrimaryReadOnly();

            SQLException write = assertThrows(SQLException.class,
                    () -> update(pair.primary(), "INSERT INTO items VALUES (1, 'one')"));
            assertEquals("25006", write.getSQLState());
            assertEquals("1", select(pair.primary(), "SELECT 1"));
            assertEquals("f", pair.primary().query("SELECT pg_is_in_recovery()"), "still a primary, only read-only");
            // pgjdbc tells a primary by transaction_read_only: now neither server qualifies.
            SQLException none = assertThrows(SQLException.class,
                    () -> DriverManager.getConnection(pair.multiHostUrl("postgres"), APP, APP_PASSWORD).close());
            assertEquals("08001", none.getSQLState(), none.getMessage());
        }
    }

    @Test
    void pausedReplayLeavesTheStandbyStaleWhileCommitsStillReturn() throws Exception {
        try (PostgresPair pair = startWithTable()) {
            pair.pauseReplay();

            // synchronous_commit=on waits for the standby to flush, not to apply: this commit returns.
            executor.submit(() -> update(pair.primary(), "INSERT INTO items VALUES (1, 'one')")).get(60, TimeUnit.SECONDS);
            assertEquals(null, select(pair.standby(), "SELECT label FROM items WHERE id = 1"), "not applied yet");
            assertEquals("t", pair.standby().query(
                    "SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()"), "received but not applied");
            assertTrue(pair.replicationLagBytes() > 0);
            // remote_apply does wait for the apply: the proof that replication is synchronous at all.
            Future<Integer> applied = executor.submit(
                    () -> update(pair.primary(), "SET synchronous_commit = remote_apply", "INSERT INTO items VALUES (2, 'two')"));
            pair.primary().awaitTrue("SELECT count(*) = 1 FROM pg_stat_activity WHERE usename = '" + APP
                    + "' AND wait_event = 'SyncRep'", 60);
            assertFalse(applied.isDone());

            pair.resumeReplay();
            applied.get(60, TimeUnit.SECONDS);
            assertEquals("one", select(pair.standby(), "SELECT label FROM items WHERE id = 1"));
            assertEquals("two", select(pair.standby(), "SELECT label FROM items WHERE id = 2"));
        }
    }

    @Test
    void multiHostUrlConnectsToWhicheverServerIsPrimary() throws Exception {
        try (PostgresPair pair = startWithTable()) {
            String url = pair.multiHostUrl("postgres", "connectTimeout=10");
            assertEquals(pair.primary().port(), serverPort(url));

            pair.stopPrimaryImmediately();
            pair.promoteStandby();
            assertEquals(pair.standby().port(), serverPort(url));
        }
    }

    /** A pair whose application role logs in with SCRAM, as the failover tests' applications will. */
    private static PostgresPair startWithTable() {
        PostgresPair pair = PostgresPair.start(20, PostgresServer.Auth.SCRAM);
        pair.primary().createRole(APP, APP_PASSWORD);
        pair.primary().execute("CREATE TABLE items (id int PRIMARY KEY, label text)",
                "GRANT ALL ON items TO " + APP);
        return pair;
    }

    /** Inserts rows one autocommit at a time, recording each id once its commit returned, until cut off. */
    private static SQLException insertUntilFailure(PostgresServer server, ConcurrentLinkedQueue<Integer> acknowledged) {
        try (Connection c = DriverManager.getConnection(server.url(), APP, APP_PASSWORD);
                PreparedStatement insert = c.prepareStatement("INSERT INTO items VALUES (?, 'row')")) {
            for (int id = 1; ; id++) {
                insert.setInt(1, id);
                insert.executeUpdate();
                acknowledged.add(id);
            }
        } catch (SQLException e) {
            return e;
        }
    }

    private static void awaitSize(ConcurrentLinkedQueue<Integer> queue, int size) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (queue.size() < size) {
            if (System.nanoTime() > deadline) { // a hung server, not a slow one: the writer commits in milliseconds
                throw new AssertionError("waited in vain for " + size + " commits; " + queue.size() + " came");
            }
            Thread.sleep(10);
        }
    }

    private static Set<Integer> ids(PostgresServer server) throws SQLException {
        Set<Integer> ids = new HashSet<>();
        try (Connection c = DriverManager.getConnection(server.url(), APP, APP_PASSWORD);
                ResultSet rs = c.createStatement().executeQuery("SELECT id FROM items")) {
            while (rs.next()) {
                ids.add(rs.getInt(1));
            }
        }
        return ids;
    }

    /** Runs the statements in one session, each its own transaction; returns the last one's row count. */
    private static int update(PostgresServer server, String... sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(server.url(), APP, APP_PASSWORD);
                Statement s = c.createStatement()) {
            int count = 0;
            for (String each : sql) {
                count = s.executeUpdate(each);
            }
            return count;
        }
    }

    private static String select(PostgresServer server, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(server.url(), APP, APP_PASSWORD);
                ResultSet rs = c.createStatement().executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static int serverPort(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, APP, APP_PASSWORD);
                ResultSet rs = c.createStatement().executeQuery("SELECT inet_server_port()")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
