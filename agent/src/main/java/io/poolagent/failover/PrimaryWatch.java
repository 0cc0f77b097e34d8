package io.poolagent.failover;

import io.poolagent.log.AgentLog;
import io.poolagent.pgjdbc.DriverState;
import io.poolagent.retry.SqlStates;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;

/**
 * Which server one pool's connections are on, and the pool's move when that server stops being its primary:
 * it goes away (stopped, crashed, cut off) or stays up but stops taking writes (demoted). Then every connection
 * the pool holds is evicted at once, idle ones closed now and lent ones at their return, instead of each
 * borrower finding a dead or read-only session in turn; new connections go wherever the URL leads now
 * (pgjdbc's {@code targetServerType=primary} over several hosts).
 *
 * <p>What sets it off, and how it is confirmed:
 * <ul>
 * <li>a connection-fatal error (class 08, 57P01-57P03) or a {@code 25006} on any connection: one session's
 * error proves little (a socket timeout, a terminated backend, a read-only transaction of the application's
 * own), so a fresh connection to the URL is opened first, on an agent thread, and the pool moves only if none
 * answers, or one answers from another server, or the server says it is read-only;</li>
 * <li>a connection coming back from a server that reported itself read-only though it took writes before
 * ({@code in_hot_standby}, or {@code default_transaction_read_only} once the reset set the session back to
 * the server's defaults): the server said so, no confirmation needed.</li>
 * </ul>
 * A connection that comes back from another server than the pool's (one lent before a move) or from a
 * read-only server while the pool wants writes is closed, not kept. A pool whose server never took writes (a
 * standby reached on purpose) is never moved for being read-only; a server that stays read-only for
 * {@link #ACCEPT_READ_ONLY_NANOS} is accepted as it is. One incident evicts once; it ends with the first
 * connection, begun after the loss, to a server that takes writes.
 */
public final class PrimaryWatch {

    /** A server still read-only this long after the loss is accepted: the pool stops closing its sessions. */
    static final long ACCEPT_READ_ONLY_NANOS = 60_000_000_000L;
    /** Confirmations come at most this often: an error storm on a dying server costs one connect a second. */
    private static final long PROBE_INTERVAL_NANOS = 1_000_000_000L;

    /** A fresh connection to the pool's URL, outside the pool. */
    public interface Probe {
        /**
         * The server a new connection reaches ("host:port", "" when the driver cannot say) if it takes writes;
         * null if it is read-only. Throws when no server answers as the URL asks.
         */
        String writableServer() throws SQLException;
    }

    /** The loss of the primary, from its moment until a connection succeeds again. */
    private static final class Incident {
        final long lostAtNanos = System.nanoTime();
        final String lostHost;
        volatile int evicted;

        Incident(String lostHost) {
            this.lostHost = lostHost;
        }
    }

    private final String poolName;
    /** Evicts every connection of the pool; answers how many it held. */
    private final IntSupplier evictAll;
    /** Told when the server of the pool's connections changes (the info series follows it). */
    private final Runnable hostChanged;
    private final Probe probe;
    private final Executor probes;
    /**
     * Whether a returned session's {@code default_transaction_read_only} is the server's: after the full reset
     * or DISCARD ALL (RESET ALL) it is; with the tracked or no reset a borrower's own SET may still be there.
     */
    private final boolean resetRestoresSettings;
    private final AtomicReference<Incident> incident = new AtomicReference<>();
    private final AtomicBoolean probing = new AtomicBoolean();
    private final AtomicLong failovers = new AtomicLong();
    private volatile long lastProbeNanos = System.nanoTime() - PROBE_INTERVAL_NANOS;
    private volatile String host;
    private volatile boolean tookWrites;

    public PrimaryWatch(String poolName, IntSupplier evictAll, Runnable hostChanged, Probe probe, Executor probes,
                        boolean resetRestoresSettings) {
        this.poolName = poolName;
        this.evictAll = evictAll;
        this.hostChanged = hostChanged;
        this.probe = probe;
        this.probes = probes;
        this.resetRestoresSettings = resetRestoresSettings;
    }

    /**
     * A new physical connection, whose connect began at {@code startedNanos}: the first one, begun after a loss,
     * to a server that takes writes ends the incident and says where the pool went. A fresh session reports
     * the server's own settings, so both read-only signs are trusted here.
     */
    public void connected(Connection physical, long startedNanos) {
        String now = DriverState.host(physical);
        Boolean readOnly = DriverState.serverReadOnly(physical);
        Incident lost = incident.get();
        if (lost != null && startedNanos - lost.lostAtNanos > 0 && !Boolean.TRUE.equals(readOnly)
                && incident.compareAndSet(lost, null)) {
            recovered(lost, now);
        } else if (host == null && now != null) {
            moveTo(now);
        }
        if (Boolean.FALSE.equals(readOnly)) {
            tookWrites = true;
        }
    }

    /** An error on one of the pool's connections (HikariCP's exception override sees every one). */
    public void failed(SQLException e) {
        if (SqlStates.isServerLost(e) || tookWrites && "25006".equals(e.getSQLState())) {
            confirmSoon("SQLSTATE " + e.getSQLState());
        }
    }

    /**
     * A connection coming back, its session reset: true when it must be closed instead of kept (another server
     * than the pool's, or a read-only one while the pool writes). Reads only what the server reported: no
     * round trip.
     */
    public boolean checkReturned(Connection physical) {
        String current = host;
        if (failovers.get() > 0) { // only a pool that moved can hold sessions of another server: no lookup before
            String at = DriverState.host(physical);
            if (at != null && current != null && !at.equals(current)) {
                return true; // lent before the pool moved
            }
        }
        if (!tookWrites || !readOnly(physical)) {
            return false;
        }
        Incident open = incident.get();
        if (open == null) {
            lost("the server turned read-only");
        } else if (System.nanoTime() - open.lostAtNanos > ACCEPT_READ_ONLY_NANOS && incident.compareAndSet(open, null)) {
            tookWrites = false;
            AgentLog.warn("pool " + poolName + ": " + describe(current) + " has stayed read-only for "
                    + ACCEPT_READ_ONLY_NANOS / 1_000_000_000L + " s and no other server takes writes: the pool keeps"
                    + " its read-only connections; writes fail with SQLSTATE 25006 until a server takes them");
            return false;
        }
        return true;
    }

    /** True from the loss of the primary until a connection to a server that takes writes succeeds again. */
    public boolean isLost() {
        return incident.get() != null;
    }

    /** The server of the pool's connections, "host:port"; null before the first or when unknown. */
    public String host() {
        return host;
    }

    /** Moves to another server so far. */
    public long failovers() {
        return failovers.get();
    }

    private boolean readOnly(Connection physical) {
        return Boolean.TRUE.equals(DriverState.hotStandby(physical))
                || resetRestoresSettings && Boolean.TRUE.equals(DriverState.serverReadOnly(physical));
    }

    /** One confirmation at a time, at most one a second, none while an incident is open already. */
    private void confirmSoon(String why) {
        if (incident.get() != null || System.nanoTime() - lastProbeNanos < PROBE_INTERVAL_NANOS
                || !probing.compareAndSet(false, true)) {
            return;
        }
        try {
            probes.execute(() -> confirm(why));
        } catch (RuntimeException refused) {
            probing.set(false);
        }
    }

    private void confirm(String why) {
        try {
            String reached = probe.writableServer();
            String current = host;
            if (reached == null) {
                lost(why + "; a new connection finds the server read-only");
            } else if (!reached.isEmpty() && current != null && !reached.equals(current)) {
                lost(why + "; a new connection reaches " + reached);
            }
            // else the same server answers and takes writes: the error was one session's, which HikariCP drops
        } catch (SQLException e) {
            if (SqlStates.isServerLost(e)) { // not a full server (53300) or a refused login: a server answered
                lost(why + "; a new connection failed too (SQLSTATE " + e.getSQLState() + ")");
            }
        } catch (RuntimeException bug) {
            AgentLog.debug("pool " + poolName + ": primary check failed: " + bug);
        } finally {
            lastProbeNanos = System.nanoTime();
            probing.set(false);
        }
    }

    private void lost(String why) {
        Incident lost = new Incident(host);
        if (!incident.compareAndSet(null, lost)) {
            return; // this incident evicted already
        }
        lost.evicted = evictAll.getAsInt();
        AgentLog.warn("pool " + poolName + ": lost its primary " + describe(lost.lostHost) + " (" + why + "): "
                + lost.evicted + " connection(s) evicted; new connections go to whichever host answers as primary");
    }

    private void recovered(Incident lost, String now) {
        long millis = (System.nanoTime() - lost.lostAtNanos) / 1_000_000;
        if (now != null && !now.equals(lost.lostHost)) {
            failovers.incrementAndGet();
            moveTo(now);
            AgentLog.info("pool " + poolName + ": primary moved from " + describe(lost.lostHost) + " to " + now + ": "
                    + lost.evicted + " connection(s) evicted, first connection to the new primary " + millis
                    + " ms after the loss");
        } else {
            AgentLog.info("pool " + poolName + ": primary " + describe(lost.lostHost) + " answers again, " + millis
                    + " ms after the loss; " + lost.evicted + " connection(s) were evicted");
        }
    }

    private void moveTo(String now) {
        host = now;
        try {
            hostChanged.run();
        } catch (RuntimeException | LinkageError e) { // metrics must never cost a connection
            AgentLog.debug("pool " + poolName + ": primary info not updated: " + e);
        }
    }

    private static String describe(String host) {
        return host == null ? "(host unknown)" : host;
    }
}
