package io.poolagent.pool;

import io.poolagent.config.Settings;
import io.poolagent.pgjdbc.ConnectionFacade;
import io.poolagent.replica.WriteFence;
import io.poolagent.retry.SqlStates;

import java.lang.reflect.Method;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLNonTransientException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.util.concurrent.Executor;

/**
 * What the application's connection does in a pool with read replicas (DB_READ_REPLICAS): the calls of its facade
 * come here and go to the session that should run them. The signal is the application's own: while the connection
 * is read-only ({@code setReadOnly(true)} before anything ran on the primary's session) its work runs on a standby's
 * session. {@code setReadOnly(false)} gives that back if nothing ran there, and the primary's is borrowed again when
 * something needs it; after work ran there, the standby's session stays with the connection and nothing more may run
 * on it (what the work left in that session cannot follow it to another).
 *
 * <p>One connection to the application: the JDBC settings it made through this connection (auto-commit, isolation,
 * holdability, network timeout, read-only) are made again on each session it moves to, and HikariCP restores them
 * on each session that goes back, which the return path then resets as any other. A connection that ran anything on
 * the primary before it turned read-only stays there: what that left in the session (a {@code SET}, a temporary
 * table, a function's doing) is not on the standby, and nothing here reads SQL to find out.
 *
 * <p>Never stale for one's own write: a primary session that ran anything registers with its thread's
 * {@link WriteFence} mark until it goes back; {@link ReadRouting} sends the thread's reads to a standby only once it
 * has replayed past that. A standby lost under a read that had run nothing yet is left for another server
 * ({@link ReplayableStatement}); a commit or rollback that finds its standby gone has nothing to lose, since a standby
 * writes nothing.
 */
final class RoutedConnection implements ConnectionFacade.Calls {

    private final ManagedPool primaryPool;
    private final ReadRouting routing;
    /** What the application holds: the facade whose calls come here. */
    private Connection facade;
    /** The primary's session, or null while none is held (read-only work on a standby, or nothing needs it yet). */
    private volatile Connection primary;
    /** True until something that may leave state in {@link #primary} went to it. */
    private boolean primaryPristine = true;
    /** The mark of the thread that first used {@link #primary}; null while it is pristine. */
    private WriteFence.Mark writer;
    private volatile Connection replica;
    private int replicaIndex = -1;
    /** Calls on {@link #replica} that moved its session on: after one, a lost standby fails the read, as a lost primary would. */
    private int replicaMoved;
    private boolean readOnly;
    private Boolean autoCommit;
    private Integer isolation;
    private Integer holdability;
    private Integer networkTimeout;
    private Executor networkExecutor;
    private volatile boolean closed;
    /** Set once close gave the sessions back. */
    private boolean released;
    /** Read-only work ran on {@link #replica} and then read-only was turned off: that session stays, nothing more runs. */
    private boolean pinned;
    /** A standby's session that work had moved on was lost: what it held cannot be had elsewhere. */
    private boolean lostState;
    /** The primary's session was reached through the driver's own interfaces. */
    private boolean driverReached;
    /** The thread's last write as the lease saw it: a later one must be on the standby too. */
    private long leaseStamp;

    RoutedConnection(ManagedPool primaryPool, ReadRouting routing, Connection primary) {
        this.primaryPool = primaryPool;
        this.routing = routing;
        this.primary = primary;
    }

    void heldAs(Connection facade) {
        this.facade = facade;
    }

    @Override
    public Object call(Method method, Object[] args) throws Throwable {
        if (!isJdbc(method)) {
            return onCurrent(method, args, true); // the driver's own interface: its session is out of sight
        }
        switch (method.getName()) {
            case "setReadOnly":
                setReadOnly((Boolean) args[0]);
                return null;
            case "isReadOnly":
                return isReadOnly();
            case "close":
                close();
                return null;
            case "isClosed":
                return closed;
            case "abort":
                abort((Executor) args[0]);
                return null;
            case "setAutoCommit":
            case "setTransactionIsolation":
            case "setHoldability":
            case "setNetworkTimeout":
                return setting(method, args);
            case "getAutoCommit":
            case "getWarnings":
            case "clearWarnings":
                if (holdsNothing()) { // a framework's clean-up after read-only work: no session for it
                    return method.getName().equals("getAutoCommit") ? (Object) (autoCommit == null || autoCommit)
                            : null;
                }
                return onCurrent(method, args, false);
            default:
                return onCurrent(method, args, !leavesNothing(method.getName()));
        }
    }

    /**
     * A JDBC setting: made on the session held, then recorded (a refused one is not made again on the next
     * session); with none held, only recorded, for the next (a framework's clean-up after read-only work then
     * borrows nothing).
     */
    private Object setting(Method method, Object[] args) throws Throwable {
        boolean held;
        synchronized (this) {
            held = primary != null || replica != null;
        }
        if (held || closed) {
            onCurrent(method, args, false);
        }
        synchronized (this) {
            switch (method.getName()) {
                case "setAutoCommit":
                    autoCommit = (Boolean) args[0];
                    break;
                case "setTransactionIsolation":
                    isolation = (Integer) args[0];
                    break;
                case "setHoldability":
                    holdability = (Integer) args[0];
                    break;
                default:
                    networkExecutor = (Executor) args[0];
                    networkTimeout = (Integer) args[1];
            }
        }
        return null;
    }

    private synchronized boolean holdsNothing() {
        return primary == null && replica == null && !closed;
    }

    private static boolean isJdbc(Method method) {
        Class<?> declaring = method.getDeclaringClass();
        return declaring == Connection.class || declaring == java.sql.Wrapper.class
                || declaring == AutoCloseable.class;
    }

    /** Calls that leave nothing in a session: they do not make a primary session one that may have written. */
    private static boolean leavesNothing(String name) {
        switch (name) {
            case "getAutoCommit":
            case "getTransactionIsolation":
            case "getHoldability":
            case "getNetworkTimeout":
            case "getWarnings":
            case "clearWarnings":
            case "isValid":
            case "nativeSQL":
            case "getClientInfo":
            case "getTypeMap":
            case "getCatalog":
            case "getSchema":
            case "isWrapperFor":
                return true;
            default:
                return false;
        }
    }

    private Object onCurrent(Method method, Object[] args, boolean leavesState) throws Throwable {
        Connection target;
        synchronized (this) {
            target = current();
            if (target == replica && createsWork(method) && !pinned) {
                target = checkedReplica();
            }
            if (target == replica) {
                if (leavesState && pinned) {
                    throw leftReplica();
                }
                if (leavesState && !isStatementFactory(method)) {
                    replicaMoved++;
                }
            } else if (leavesState) {
                touchPrimary();
                if (!isJdbc(method) || method.getName().equals("unwrap")) {
                    driverReached = true; // the driver's own connection: a COPY may hold it (see releasePrimary)
                }
            }
        }
        if (target != replica) {
            return ConnectionFacade.invoke(target, method, args);
        }
        try {
            Object result = ConnectionFacade.invoke(target, method, args);
            return result instanceof Statement && isStatementFactory(method)
                    ? ReplayableStatement.wrap(this, target, method, args, (Statement) result) : result;
        } catch (SQLException e) {
            if (endsTransaction(method) && SqlStates.isServerLost(e) && lostReplica(target, e)) {
                return null; // a standby's transaction wrote nothing: there is nothing to commit or roll back
            }
            throw e;
        }
    }

    /** Calls that start work on the session: the standby must still be within the bound and past this thread's writes. */
    private static boolean createsWork(Method method) {
        String name = method.getName();
        return name.equals("createStatement") || name.equals("prepareStatement") || name.equals("prepareCall")
                || name.equals("getMetaData");
    }

    /**
     * The standby's session, if it may still take this connection's work: within the lag bound, and past every
     * write of this thread since the lease (a write in a nested transaction on the primary, say). If not, and
     * nothing ran on it yet, the work moves (to another standby or the primary); if something ran, a write of the
     * thread is waited for, up to the bound, and anything else fails the call: the transaction's earlier reads are
     * on this standby.
     */
    Connection checkedReplica() throws SQLException {
        Connection onReplica = replica;
        if (onReplica == null || routing.stillFits(replicaIndex, leaseStamp)) {
            return onReplica != null ? onReplica : current();
        }
        if (replicaMoved == 0 && !pinned) {
            releaseReplica();
            return current();
        }
        long position = routing.fence().mark().position();
        if (routing.awaitReplayed(replicaIndex, onReplica, position)) {
            leaseStamp = routing.fence().mark().lastWrite();
            return onReplica;
        }
        throw new SQLTransientException("pool-agent: the read replica this read-only transaction runs on is behind "
                + Settings.READ_REPLICA_MAX_LAG + " or has not replayed this thread's write; run the transaction"
                + " again", "40001");
    }

    private static SQLException leftReplica() {
        return new SQLNonTransientException("pool-agent: this connection ran read-only work on a read replica"
                + " (" + Settings.READ_REPLICAS + "), and what that work left in its session cannot follow it"
                + " to another server; use a new connection for what follows", "0A000");
    }

    private static boolean isStatementFactory(Method method) {
        String name = method.getName();
        return name.equals("createStatement") || name.equals("prepareStatement");
    }

    private static boolean endsTransaction(Method method) {
        String name = method.getName();
        return name.equals("commit") || name.equals("rollback") && method.getParameterCount() == 0
                || name.equals("setAutoCommit");
    }

    /** The session calls go to now: the standby's, else the primary's, borrowed again if none is held. */
    private Connection current() throws SQLException {
        if (closed) {
            throw new SQLNonTransientConnectionException("Connection is closed", "08003");
        }
        Connection onReplica = replica;
        if (onReplica != null) {
            return onReplica;
        }
        if (primary == null) {
            if (lostState) {
                throw leftReplica();
            }
            if (readOnly && route()) { // the standby it was on was lost, or fell behind: another, or the primary
                return replica;
            }
            Connection again = primaryPool.lendTo(facade, -1);
            try {
                applySettings(again);
                if (readOnly) {
                    again.setReadOnly(true);
                }
            } catch (SQLException | RuntimeException e) {
                again.close();
                throw e;
            }
            primaryPristine = true;
            driverReached = false;
            primary = again;
        }
        return primary;
    }

    private void touchPrimary() {
        if (primaryPristine) {
            primaryPristine = false;
            writer = routing.fence().mark();
            writer.opened();
        }
    }

    private synchronized void setReadOnly(boolean on) throws SQLException {
        if (closed) {
            throw new SQLNonTransientConnectionException("Connection is closed", "08003");
        }
        Connection onReplica = replica;
        if (on) {
            if (onReplica != null) {
                onReplica.setReadOnly(true);
                pinned = false;
            } else if ((primary == null || primaryPristine) && route()) {
                // on the standby now; the primary's session went back untouched
            } else {
                if (primary != null && !primaryPristine) {
                    routing.stayed();
                }
                current().setReadOnly(true);
            }
            readOnly = true;
            return;
        }
        if (onReplica != null) {
            onReplica.setReadOnly(false); // in a transaction pgjdbc refuses, as it would on one connection
            readOnly = false;
            if (replicaMoved > 0) {
                pinned = true; // its session holds what the work left: kept, and nothing more may run
            } else {
                releaseReplica();
            }
            return;
        }
        Connection onPrimary = primary;
        if (onPrimary != null) {
            onPrimary.setReadOnly(false);
        }
        readOnly = false;
    }

    private synchronized boolean isReadOnly() throws SQLException {
        Connection held = replica != null ? replica : primary;
        return held != null ? held.isReadOnly() : readOnly;
    }

    /**
     * Moves read-only work to a standby's session: true when one is current now and the primary's, if held, went
     * back. False leaves everything as it was (no standby may take it, and {@link ReadRouting} counted why).
     */
    private boolean route() throws SQLException {
        ReadRouting.Lease lease = routing.lease(facade);
        if (lease == null) {
            return false;
        }
        try {
            applySettings(lease.connection);
            lease.connection.setReadOnly(true);
        } catch (SQLException | RuntimeException e) {
            lease.connection.close();
            return false;
        }
        replica = lease.connection;
        replicaIndex = lease.index;
        replicaMoved = 0;
        pinned = false;
        leaseStamp = lease.stamp;
        releasePrimary();
        return true;
    }

    /** What the application set through this connection, set again on a session it moves to. */
    private void applySettings(Connection session) throws SQLException {
        if (autoCommit != null && !autoCommit) {
            session.setAutoCommit(false);
        }
        if (isolation != null) {
            session.setTransactionIsolation(isolation);
        }
        if (holdability != null) {
            session.setHoldability(holdability);
        }
        if (networkTimeout != null) {
            session.setNetworkTimeout(networkExecutor, networkTimeout);
        }
    }

    /**
     * A statement on the standby failed as a lost server does ({@link SqlStates#isServerLost}). When nothing had
     * moved that session on, the standby is dropped and the connection to run the statement again on is returned:
     * another standby's, or the primary's. Null when it may not run again.
     */
    synchronized Connection afterLostReplica(Connection failed, SQLException e) throws SQLException {
        if (closed || failed != replica || !SqlStates.isServerLost(e)) {
            return null;
        }
        if (replicaMoved > 0 || pinned || timedOut(e)) {
            lostState = lostState || replicaMoved > 0;
            return null;
        }
        dropReplica();
        routing.ranAgain();
        Connection next = current();
        if (next == primary) {
            touchPrimary();
        }
        return next;
    }

    /** A socket timeout is the application's own bound on a slow read, not a lost server: not run again. */
    private static boolean timedOut(SQLException e) {
        Throwable cause = e;
        for (int depth = 0; cause != null && depth < 8; depth++, cause = cause.getCause()) {
            if (cause instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The session a statement made on {@code session} should run on now: the same, unless that is the standby's and
     * it may no longer take the work ({@link #checkedReplica}), or a standby's this connection gave back unused.
     */
    synchronized Connection sessionFor(Connection session) throws SQLException {
        if (pinned && session == replica) {
            throw leftReplica(); // its statements follow the connection: no more work after read-only work
        }
        if (session != replica && session != primary && !pinned && !lostState && !closed) {
            // Made on a standby's session this connection gave back with nothing run (it fell behind): where the
            // connection's work is now, checked as any.
            Connection now = current();
            if (now == replica) {
                now = checkedReplica();
            }
            if (now == primary) {
                touchPrimary();
            }
            return now;
        }
        if (session != replica) {
            return session;
        }
        Connection checked = checkedReplica();
        if (checked == primary) {
            touchPrimary();
        }
        return checked;
    }

    /** A statement completed on {@code session}: the standby's session has moved on. */
    synchronized void completed(Connection session) {
        if (session == replica) {
            replicaMoved++;
        }
    }

    /** True when the lost session was the standby's, now dropped: the read-only transaction simply ended. */
    private synchronized boolean lostReplica(Connection failed, SQLException e) {
        if (failed != replica) {
            return false;
        }
        lostState = lostState || replicaMoved > 0;
        dropReplica();
        return true;
    }

    private void dropReplica() {
        routing.lost(replicaIndex);
        try {
            releaseReplica();
        } catch (SQLException | RuntimeException ignored) {
            // HikariCP evicts a session that broke; closing its handle cannot fail the caller
        }
    }

    private void releaseReplica() throws SQLException {
        Connection held = replica;
        replica = null;
        replicaIndex = -1;
        if (held != null) {
            held.close();
        }
    }

    private void releasePrimary() throws SQLException {
        Connection held = primary;
        primary = null;
        WriteFence.Mark mark = writer;
        writer = null;
        // Not on a session reached through the driver: a COPY left running there would hold the query for ever.
        long readAt = System.nanoTime();
        long position = mark != null && held != null && !driverReached ? routing.writePosition(held) : 0;
        try {
            if (held != null) {
                held.close();
            }
        } finally {
            if (mark != null) {
                mark.closed(System.nanoTime(), position, readAt); // after the close: its commits were acknowledged
            }
        }
    }

    private synchronized void close() throws SQLException {
        closed = true;
        if (released) {
            return;
        }
        released = true;
        routing.closed();
        try {
            releaseReplica();
        } finally {
            releasePrimary();
        }
    }

    /**
     * Cuts the sessions first, without the lock: abort must not wait behind a call that is stuck, which the cut
     * ends. Then gives the handles back as close does, since after abort the application need not call close.
     */
    private void abort(Executor executor) throws SQLException {
        closed = true;
        Connection onReplica = replica;
        Connection onPrimary = primary;
        try {
            if (onReplica != null) {
                onReplica.abort(executor);
            }
            if (onPrimary != null) {
                onPrimary.abort(executor);
            }
        } finally {
            close();
        }
    }
}
