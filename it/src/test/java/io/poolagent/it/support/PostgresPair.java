package io.poolagent.it.support;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A throwaway primary and a streaming hot standby on another port, for failover and read-replica tests.
 * Replication is synchronous once the standby is attached, so a commit the primary acknowledges is
 * already on the standby: after {@link #stopPrimaryImmediately()} and {@link #promoteStandby()} no
 * acknowledged write may be missing.
 *
 * <p>The standby is a cold base backup: the primary is stopped cleanly (its files are then consistent as
 * they lie), its data directory copied and the primary started again; the copy starts with
 * {@code standby.signal} and a {@code primary_conninfo}. That needs only {@code initdb}, {@code pg_ctl}
 * and {@code postgres}, which is all the embedded binaries have (no pg_basebackup).
 *
 * <p>{@link #primary()} and {@link #standby()} keep naming the two servers as started: after a promotion
 * {@link #standby()} is the one that takes writes. Both are stopped and deleted by {@link #close()}, or by
 * their shutdown hooks if a test dies. Needs PostgreSQL 14 or later ({@code pg_get_wal_replay_pause_state}).
 *
 * <p>The package-visible statics (start a primary with standbys, pause, resume, catch up) are shared with
 * {@link PostgresReplicas}, the asynchronous primary-and-several-standbys of the read-replica tests.
 */
public final class PostgresPair implements AutoCloseable {

    /** What the standby calls itself in pg_stat_replication. */
    private static final String STANDBY_NAME = "standby";
    static final int WAIT_SECONDS = 60;

    private static final List<String> PRIMARY_CONF = List.of(
            "wal_level = replica",
            "max_wal_senders = 4",
            "hot_standby = on",
            // The fixture's default is off; a synchronous standby guards only commits that wait for it.
            "synchronous_commit = on",
            // So that a standby that reconnects (e.g. after its replay was paused for long) still finds its WAL.
            "wal_keep_size = '64MB'");
    /** "all" in pg_hba does not match the replication pseudo-database: it needs its own line. */
    private static final List<String> REPLICATION_HBA = List.of(
            "host replication " + PostgresServer.SUPERUSER + " 127.0.0.1/32 trust");

    private final PostgresServer primary;
    private final PostgresServer standby;

    private PostgresPair(PostgresServer primary, PostgresServer standby) {
        this.primary = primary;
        this.standby = standby;
    }

    /**
     * Starts both servers, waits until the standby streams, then makes replication synchronous. Fails
     * (never skips) with a message saying how to get PostgreSQL when there are no binaries.
     */
    public static PostgresPair start(int maxConnections, PostgresServer.Auth auth) {
        List<PostgresServer> servers = startStreaming(maxConnections, auth, List.of(STANDBY_NAME));
        PostgresPair pair = new PostgresPair(servers.get(0), servers.get(1));
        try {
            pair.makeReplicationSynchronous();
            return pair;
        } catch (RuntimeException e) {
            pair.close();
            throw e;
        }
    }

    /**
     * A primary and one standby per name (its application_name on the primary), each a cold copy of the
     * primary, all started and streaming; replication is asynchronous until a caller says otherwise. Returns
     * the primary first, then the standbys in the order of {@code names}. On failure every server is closed.
     */
    static List<PostgresServer> startStreaming(int maxConnections, PostgresServer.Auth auth, List<String> names) {
        PostgresServer primary = PostgresServer.create(maxConnections, auth, PostgresServer.Transport.PLAIN,
                PRIMARY_CONF, REPLICATION_HBA);
        List<PostgresServer> servers = new ArrayList<>(List.of(primary));
        try {
            // Started once before the copy, so that the control file records the primary's own settings: a copy
            // straight from initdb records max_connections = 100, and a standby refuses to run with fewer
            // than its control file says the primary has.
            primary.start();
            primary.stop();
            for (int i = 0; i < names.size(); i++) {
                servers.add(primary.copyStopped());
            }
            primary.start();
            for (int i = 0; i < names.size(); i++) {
                configureStandby(servers.get(i + 1), primary.port(), names.get(i));
                servers.get(i + 1).start();
            }
            for (String name : names) {
                awaitStreaming(primary, name);
            }
            return servers;
        } catch (RuntimeException e) {
            // Standbys first, as in close(): the primary's shutdown then has nobody to wait for.
            for (int i = servers.size() - 1; i >= 0; i--) {
                servers.get(i).close();
            }
            throw e;
        }
    }

    private static void configureStandby(PostgresServer standby, int primaryPort, String name) {
        try {
            standby.writeAsOwner("standby.signal", "");
            // Where pg_basebackup -R puts it; the port comes from pg_ctl's -p, as for every test server.
            standby.appendAsOwner("postgresql.auto.conf", "primary_conninfo = 'host=127.0.0.1 port=" + primaryPort
                    + " user=" + PostgresServer.SUPERUSER + " application_name=" + name + "'\n");
        } catch (IOException e) {
            throw new IllegalStateException("could not configure the standby: " + e.getMessage(), e);
        }
    }

    /** Waits until the primary's walsender for {@code name} streams (after start, or after a restart). */
    static void awaitStreaming(PostgresServer primary, String name) {
        primary.awaitTrue("SELECT count(*) = 1 FROM pg_stat_replication WHERE application_name = '"
                + name + "' AND state = 'streaming'", WAIT_SECONDS);
    }

    /**
     * Only now, with the standby attached: before it, every commit on the primary would wait for a standby
     * that is not there. Waits until the primary's walsender counts the standby as synchronous; the
     * checkpointer, which tells committing backends to wait, re-reads the setting on the same reload.
     */
    private void makeReplicationSynchronous() {
        primary.execute("ALTER SYSTEM SET synchronous_standby_names = '*'");
        primary.reload();
        primary.awaitTrue("SELECT count(*) = 1 FROM pg_stat_replication WHERE application_name = '"
                + STANDBY_NAME + "' AND sync_state = 'sync'", WAIT_SECONDS);
    }

    public PostgresServer primary() {
        return primary;
    }

    public PostgresServer standby() {
        return standby;
    }

    /**
     * Both servers, primary first, with {@code targetServerType=primary}: pgjdbc connects to whichever
     * server says it is not read-only. Extra parameters are {@code name=value} pairs.
     */
    public String multiHostUrl(String database, String... parameters) {
        StringBuilder url = new StringBuilder("jdbc:postgresql://127.0.0.1:").append(primary.port())
                .append(",127.0.0.1:").append(standby.port())
                .append('/').append(database).append("?targetServerType=primary");
        for (String parameter : parameters) {
            url.append('&').append(parameter);
        }
        return url.toString();
    }

    /** The primary crashes: no shutdown checkpoint, every session cut. The standby keeps running. */
    public void stopPrimaryImmediately() {
        primary.stopImmediately();
    }

    /** The standby ends recovery and takes writes; returns once new sessions see it out of recovery. */
    public void promoteStandby() {
        standby.promote();
    }

    /**
     * New transactions on the primary are read-only (writes fail with SQLSTATE 25006) while it stays up,
     * as a primary being demoted or a disk-full guard looks. Returns once new sessions see it.
     */
    public void makePrimaryReadOnly() {
        primary.execute("ALTER SYSTEM SET default_transaction_read_only = on", "SELECT pg_reload_conf()");
        primary.awaitTrue("SELECT current_setting('default_transaction_read_only') = 'on'", WAIT_SECONDS);
    }

    /**
     * The standby stops applying WAL, so reads there go stale. It still receives and flushes WAL, so the
     * primary's commits keep returning (synchronous_commit=on waits for the flush, not for replay).
     */
    public void pauseReplay() {
        pauseReplay(standby);
    }

    public void resumeReplay() {
        resumeReplay(standby);
    }

    static void pauseReplay(PostgresServer standby) {
        standby.execute("SELECT pg_wal_replay_pause()");
        // A pause is first only requested; the startup process confirms it between records.
        standby.awaitTrue("SELECT pg_get_wal_replay_pause_state() = 'paused'", WAIT_SECONDS);
    }

    static void resumeReplay(PostgresServer standby) {
        standby.execute("SELECT pg_wal_replay_resume()");
        standby.awaitTrue("SELECT pg_get_wal_replay_pause_state() = 'not paused'", WAIT_SECONDS);
    }

    /**
     * How many bytes of WAL the primary has written that the standby has not applied yet, as the primary
     * knows it (the standby reports its replay position after each apply and at least every 10 s).
     */
    public long replicationLagBytes() {
        String lag = primary.query("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)"
                + " FROM pg_stat_replication WHERE application_name = '" + STANDBY_NAME + "'");
        if (lag == null) {
            throw new IllegalStateException("the standby is not connected to the primary");
        }
        return new java.math.BigDecimal(lag).longValueExact();
    }

    /**
     * Waits until the standby has applied everything the primary had written when this was called, so
     * that what was committed before is visible there.
     */
    public void awaitStandbyCaughtUp() {
        awaitCaughtUp(primary, standby);
    }

    static void awaitCaughtUp(PostgresServer primary, PostgresServer standby) {
        String lsn = primary.query("SELECT pg_current_wal_lsn()");
        standby.awaitTrue("SELECT pg_last_wal_replay_lsn() >= '" + lsn + "'::pg_lsn", WAIT_SECONDS);
    }

    /** Stops and deletes both; the standby first, so that the primary's shutdown has nobody to wait for. */
    @Override
    public void close() {
        try {
            standby.close();
        } finally {
            primary.close();
        }
    }
}
