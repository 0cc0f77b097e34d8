package io.poolagent.it.support;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A throwaway primary and several streaming hot standbys, for the read-replica tests: each standby a cold copy
 * of the primary, as in {@link PostgresPair} (whose start-up this shares). Replication is asynchronous (no
 * {@code synchronous_standby_names}): the primary never waits for a standby, so one whose replay is paused, or
 * that is stopped, falls behind while the primary's commits keep returning, which is what a lagging replica is.
 *
 * <p>Standbys are numbered from 0 in the order started; {@link #replicaList()} names them in that order, as
 * {@code DB_READ_REPLICAS} takes them. Every server is stopped and deleted by {@link #close()}, or by its
 * shutdown hook if a test dies.
 */
public final class PostgresReplicas implements AutoCloseable {

    private final PostgresServer primary;
    private final List<PostgresServer> standbys;
    /** Standbys stopped through this fixture and not started since, for {@link #restore()}. */
    private final Set<Integer> stopped = new HashSet<>();

    private PostgresReplicas(PostgresServer primary, List<PostgresServer> standbys) {
        this.primary = primary;
        this.standbys = standbys;
    }

    /**
     * Starts a primary and {@code standbys} standbys and returns once each streams. Fails (never skips) with a
     * message saying how to get PostgreSQL when there are no binaries.
     */
    public static PostgresReplicas start(int standbys, int maxConnections, PostgresServer.Auth auth) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < standbys; i++) {
            names.add(name(i));
        }
        List<PostgresServer> servers = PostgresPair.startStreaming(maxConnections, auth, names);
        return new PostgresReplicas(servers.get(0), List.copyOf(servers.subList(1, servers.size())));
    }

    /** What standby {@code i} calls itself in the primary's pg_stat_replication. */
    private static String name(int i) {
        return "standby" + i;
    }

    public PostgresServer primary() {
        return primary;
    }

    public PostgresServer standby(int i) {
        return standbys.get(i);
    }

    public int standbyCount() {
        return standbys.size();
    }

    /** The value of {@code DB_READ_REPLICAS}: every standby as {@code 127.0.0.1:port}, comma-separated. */
    public String replicaList() {
        return standbys.stream().map(s -> "127.0.0.1:" + s.port()).collect(Collectors.joining(","));
    }

    /**
     * Standby {@code i} stops applying WAL (it still receives it): its reads go stale, more so with every
     * commit on the primary. Returns once the pause is in effect, not merely requested.
     */
    public void pauseReplay(int i) {
        PostgresPair.pauseReplay(standby(i));
    }

    /** Standby {@code i} applies WAL again; returns once it is no longer paused (it may still be behind). */
    public void resumeReplay(int i) {
        PostgresPair.resumeReplay(standby(i));
    }

    /** {@code pg_ctl stop -m fast}: standby {@code i}'s sessions are ended cleanly, then it stops. */
    public synchronized void stopStandby(int i) {
        standby(i).stop();
        stopped.add(i);
    }

    /** {@code pg_ctl stop -m immediate}: standby {@code i} and every session on it end at once, as in a crash. */
    public synchronized void stopStandbyImmediately(int i) {
        standby(i).stopImmediately();
        stopped.add(i);
    }

    /** Starts a stopped standby {@code i} again on its port; returns once it streams from the primary again. */
    public synchronized void startStandby(int i) {
        standby(i).start();
        stopped.remove(i);
        PostgresPair.awaitStreaming(primary, name(i));
    }

    /**
     * Every standby running, replaying and caught up again, whatever a test did to it: for tests that share
     * one fixture, after each test (also one that failed half-way).
     */
    public synchronized void restore() {
        for (int i = 0; i < standbys.size(); i++) {
            if (stopped.contains(i)) {
                startStandby(i);
            } else if ("paused".equals(standby(i).query("SELECT pg_get_wal_replay_pause_state()"))) {
                resumeReplay(i);
            }
            awaitCaughtUp(i);
        }
    }

    /**
     * Bytes of WAL the primary has written that standby {@code i} has not applied, asked of both servers now:
     * unlike the primary's pg_stat_replication, which the standby updates only when it reports, this is exact
     * at once, and it also answers for a standby that is not connected.
     */
    public long lagBytes(int i) {
        String written = primary.query("SELECT pg_current_wal_lsn()");
        String lag = standby(i).query("SELECT pg_wal_lsn_diff('" + written + "'::pg_lsn, pg_last_wal_replay_lsn())");
        return new BigDecimal(lag).max(BigDecimal.ZERO).longValueExact();
    }

    /** Waits until standby {@code i} has applied everything the primary had written when this was called. */
    public void awaitCaughtUp(int i) {
        PostgresPair.awaitCaughtUp(primary, standby(i));
    }

    /** {@link #awaitCaughtUp(int)} for every standby, all of which must be running and replaying. */
    public void awaitCaughtUp() {
        for (int i = 0; i < standbys.size(); i++) {
            awaitCaughtUp(i);
        }
    }

    /** Stops and deletes every server; the standbys first, so that the primary's shutdown waits for nobody. */
    @Override
    public void close() {
        try {
            for (PostgresServer standby : standbys) {
                standby.close();
            }
        } finally {
            primary.close();
        }
    }
}
