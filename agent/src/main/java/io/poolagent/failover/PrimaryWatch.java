package io.poolagent.failover;

import io.poolagent.log.AgentLog;
import io.poolagent.pgjdbc.DriverState;
import io.poolagent.retry.SqlStates;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * Which server one pool's connections are on, and what the pool does when that server stops being its primary:
 * it goes away (stopped, crashed, cut off: a connection-fatal error on any connection) or stays up but stops
 * taking writes (demoted: it reports {@code default_transaction_read_only} or {@code in_hot_standby} though it
 * took writes before). Either way every connection the pool holds is evicted at once, idle ones closed now and
 * lent ones at their return, instead of each borrower finding a dead or read-only session in turn; the new
 * connections go wherever the URL leads now (pgjdbc's {@code targetServerType=primary} over several hosts).
 *
 * <p>A pool whose server never took writes (a standby reached on purpose) is never moved for being read-only.
 * One incident evicts once: the errors of every other connection to the same dead server change nothing until a
 * connection succeeds again.
 */
public final class PrimaryWatch {

    private final String poolName;
    /** Evicts every connection of the pool; answers how many it held. */
    private final IntSupplier evictAll;
    /** Told when the server of the pool's connections changes (the info series follows it). */
    private final Runnable hostChanged;
    private final AtomicLong failovers = new AtomicLong();
    private final AtomicLong lostAtNanos = new AtomicLong();
    private volatile String host;
    private volatile String lostHost;
    private volatile int evicted;
    private volatile boolean tookWrites;

    public PrimaryWatch(String poolName, IntSupplier evictAll, Runnable hostChanged) {
        this.poolName = poolName;
        this.evictAll = evictAll;
        this.hostChanged = hostChanged;
    }

    /** A new physical connection: the first after a loss ends the incident, and says where the pool went. */
    public void connected(Connection physical) {
        String now = DriverState.host(physical);
        Boolean readOnly = DriverState.serverReadOnly(physical);
        long lostAt = lostAtNanos.get();
        if (lostAt != 0 && !Boolean.TRUE.equals(readOnly) && lostAtNanos.compareAndSet(lostAt, 0)) {
            recovered(now, (System.nanoTime() - lostAt) / 1_000_000);
        }
        if (now != null && !now.equals(host)) {
            host = now;
            hostChanged.run();
        }
        if (Boolean.FALSE.equals(readOnly)) {
            tookWrites = true;
        }
    }

    /** An error on one of the pool's connections (HikariCP's exception override sees every one). */
    public void failed(SQLException e) {
        if (SqlStates.isServerLost(e)) {
            lost("SQLSTATE " + e.getSQLState());
        }
    }

    /**
     * A connection coming back: if its server says it takes no writes though it did before, the pool moves.
     * Read from what the server reported (no round trip); true when the pool moves.
     */
    public boolean checkReturned(Connection physical) {
        if (tookWrites && Boolean.TRUE.equals(DriverState.serverReadOnly(physical))) {
            return lost("the server turned read-only");
        }
        return false;
    }

    private boolean lost(String why) {
        if (!lostAtNanos.compareAndSet(0, System.nanoTime())) {
            return false; // this incident evicted already
        }
        lostHost = host;
        evicted = evictAll.getAsInt();
        AgentLog.warn("pool " + poolName + ": lost its primary " + describe(lostHost) + " (" + why + "): "
                + evicted + " connection(s) evicted; new connections go to whichever host answers as primary");
        return true;
    }

    private void recovered(String now, long millis) {
        if (now != null && !now.equals(lostHost)) {
            failovers.incrementAndGet();
            AgentLog.info("pool " + poolName + ": primary moved from " + describe(lostHost) + " to " + now + ": "
                    + evicted + " connection(s) evicted, first connection to the new primary " + millis
                    + " ms after the loss");
        } else {
            AgentLog.info("pool " + poolName + ": primary " + describe(now) + " answers again, " + millis
                    + " ms after the loss; " + evicted + " connection(s) were evicted");
        }
    }

    private static String describe(String host) {
        return host == null ? "(host unknown)" : host;
    }

    /** True from the loss of the primary until a connection succeeds again. */
    public boolean isLost() {
        return lostAtNanos.get() != 0;
    }

    /** The server of the pool's newest connection, "host:port"; null before the first or when unknown. */
    public String host() {
        return host;
    }

    /** Moves to another server so far. */
    public long failovers() {
        return failovers.get();
    }
}
