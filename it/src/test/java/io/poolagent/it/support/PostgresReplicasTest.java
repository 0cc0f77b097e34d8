package io.poolagent.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The primary + two standbys fixture itself: the read-replica tests can only tell a stale read from a routing
 * mistake if replication here does what it says: both standbys stream, asynchronously, and a paused or
 * stopped one falls behind without holding up the primary. Plain pgjdbc, no agent.
 */
@Tag("slow")
class PostgresReplicasTest {

    private static final String APP = "app";
    private static final String APP_PASSWORD = "replicas-app-secret-4127";

    private final ExecutorService executor = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        executor.shutdownNow();
    }

    @Test
    void twoStandbysStreamAsynchronouslyAndAWriteIsVisibleOnBothAfterCatchUp() throws Exception {
        try (PostgresReplicas replicas = startWithTable()) {
            assertEquals("2", replicas.primary().query("SELECT count(*) FROM pg_stat_replication"
                    + " WHERE state = 'streaming' AND sync_state = 'async'"));
            assertEquals("127.0.0.1:" + replicas.standby(0).port() + ",127.0.0.1:" + replicas.standby(1).port(),
                    replicas.replicaList());

            insert(replicas.primary(), 1, 1);
            replicas.awaitCaughtUp();

            for (int i = 0; i < 2; i++) {
                assertEquals(1, count(replicas.standby(i)), "standby " + i);
                assertEquals("t", replicas.standby(i).query("SELECT pg_is_in_recovery()"));
            }
        }
    }

    /**
     * The read-replica tests count the reads each standby served in its own table statistics, which a hot
     * standby keeps for itself (they are not replicated): a standby that served none shows none.
     */
    @Test
    void aStandbyCountsTheReadsItServedInItsOwnTableStatistics() throws Exception {
        try (PostgresReplicas replicas = startWithTable()) {
            insert(replicas.primary(), 1, 10);
            replicas.awaitCaughtUp();
            long before = scans(replicas.standby(0));

            for (int n = 0; n < 5; n++) {
                count(replicas.standby(0));
            }
            // A backend reports its statistics at most once a second, and an idle one within ten.
            replicas.standby(0).awaitTrue("SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) >= " + (before + 5)
                    + " FROM pg_stat_user_tables WHERE relname = 'items'", 60);
            assertEquals(0, scans(replicas.standby(1)), "standby 1 served none");
        }
    }

    @Test
    void aPausedStandbyFallsBehindWhileThePrimaryKeepsCommitting() throws Exception {
        try (PostgresReplicas replicas = startWithTable()) {
            replicas.pauseReplay(0);

            // Asynchronous: nothing waits for the paused standby, so these commits return.
            executor.submit(() -> insert(replicas.primary(), 1, 200)).get(60, TimeUnit.SECONDS);
            replicas.awaitCaughtUp(1);
            assertEquals(200, count(replicas.standby(1)), "the other standby keeps up");
            assertEquals(0, count(replicas.standby(0)), "the paused standby shows none of them");
            assertTrue(replicas.lagBytes(0) > 0, "lag " + replicas.lagBytes(0));

            replicas.resumeReplay(0);
            replicas.awaitCaughtUp(0);
            assertEquals(200, count(replicas.standby(0)));
        }
    }

    @Test
    void aStoppedStandbyHoldsUpNoCommitAndStreamsAgainOnceStarted() throws Exception {
        try (PostgresReplicas replicas = startWithTable()) {
            replicas.stopStandby(0);
            replicas.stopStandbyImmediately(1);

            executor.submit(() -> insert(replicas.primary(), 1, 100)).get(60, TimeUnit.SECONDS);
            assertEquals("0", replicas.primary().query("SELECT count(*) FROM pg_stat_replication"));

            for (int i = 0; i < 2; i++) {
                replicas.startStandby(i);
                replicas.awaitCaughtUp(i);
                assertEquals(100, count(replicas.standby(i)), "standby " + i);
            }
        }
    }

    /** Two standbys; the application role logs in with SCRAM, as the read-replica tests' applications will. */
    private static PostgresReplicas startWithTable() {
        PostgresReplicas replicas = PostgresReplicas.start(2, 20, PostgresServer.Auth.SCRAM);
        replicas.primary().createRole(APP, APP_PASSWORD);
        replicas.primary().execute("CREATE TABLE items (id int PRIMARY KEY, label text)",
                "GRANT ALL ON items TO " + APP);
        return replicas;
    }

    /** Inserts ids {@code from..to}, one autocommit each, as the application role. */
    private static Void insert(PostgresServer server, int from, int to) throws SQLException {
        try (Connection c = DriverManager.getConnection(server.url(), APP, APP_PASSWORD);
                PreparedStatement insert = c.prepareStatement("INSERT INTO items VALUES (?, 'row')")) {
            for (int id = from; id <= to; id++) {
                insert.setInt(1, id);
                insert.executeUpdate();
            }
        }
        return null;
    }

    private static long scans(PostgresServer server) {
        return Long.parseLong(server.query("SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0)"
                + " FROM pg_stat_user_tables WHERE relname = 'items'"));
    }

    private static int count(PostgresServer server) throws SQLException {
        try (Connection c = DriverManager.getConnection(server.url(), APP, APP_PASSWORD);
                ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM items")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
