package io.poolagent.session;

import io.poolagent.config.ResetMode;
import io.poolagent.log.AgentLog;
import io.poolagent.pgjdbc.DriverState;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.Predicate;

import static io.poolagent.session.SessionChanges.ENDS_SESSION;
import static io.poolagent.session.SessionChanges.ENDS_SESSION_ALWAYS;
import static io.poolagent.session.SessionChanges.IRREVERSIBLE;

/**
 * What happens to a server session when its borrower gives it back: the pool's own return path, so it runs
 * however the connection was closed (directly, through a statement, a result set or the metadata).
 *
 * <p>HikariCP calls JDBC 4.3's {@code endRequest()} on the physical connection when it takes a connection
 * back (the agent turns HikariCP's request boundaries on), and the physical connection is a
 * {@link TrackedConnection}, which calls {@link #returned}. By then HikariCP has restored what JDBC itself
 * sets through its handle (auto-commit, isolation, read-only, network timeout), and {@link TrackedConnection}
 * has rolled back a transaction still open. What is left is server state, undone according to
 * {@link ResetMode}:
 * <ul>
 * <li>FULL, the default, runs {@link ResetStatements#FULL_RESET} after every borrower that reached the server at all, without
 * reading its SQL: sound whatever server-side code did, in one round trip on a statement the server keeps
 * parsed;</li>
 * <li>DISCARD runs {@code DISCARD ALL} every time;</li>
 * <li>TRACKED (opt-in) undoes what the borrower's SQL text and JDBC calls show, nothing for a session whose
 * SQL showed no change;</li>
 * <li>OFF undoes only what JDBC calls changed ({@code setSchema}, {@code setClientInfo}).</li>
 * </ul>
 * In every mode the driver is asked at each return whether a transaction is open and whether its client-side
 * settings (auto-commit, read-only, holdability, pgjdbc's own) are as HikariCP set them up: a change made where
 * HikariCP could not see it (on the driver's own connection) is one it did not undo. A session whose state no reset can restore (aborted, reached
 * through the driver's own classes, changed out of sight, LOAD) is closed instead, as is one whose reset fails
 * or does not answer within the reset timeout.
 */
public final class ReturnPath {

    /** pgjdbc ignores the executor of setNetworkTimeout; run anything else on the caller's thread. */
    private static final Executor DIRECT = Runnable::run;

    private final String poolName;
    private final ResetMode mode;
    private final boolean postgres;
    private final int timeoutMillis;
    private volatile Consumer<Connection> evictor = c -> { };
    /** Null when the pool cannot be told (then DB_CONN_MAX_IDLE_TIME alone closes idle sessions). */
    private volatile Consumer<Connection> closeInsteadOfReturn;
    private volatile IntSupplier waiting = () -> 0;
    private volatile BooleanSupplier overShare = () -> false;
    private volatile Predicate<Connection> serverWatch = c -> false;
    private final AtomicBoolean warnedOnce = new AtomicBoolean();
    private final LongAdder full = new LongAdder();
    private final LongAdder targeted = new LongAdder();
    private final LongAdder discarded = new LongAdder();
    private final LongAdder closed = new LongAdder();
    private final IdleSessions idle;

    /**
     * @param postgres false for other databases: they only get HikariCP's own reset and the closing of
     *                 aborted or unwrapped sessions
     * @param idle     the ceiling on idle sessions that a returned session must fit under
     */
    public ReturnPath(String poolName, ResetMode mode, boolean postgres, int timeoutMillis, IdleSessions idle) {
        this.poolName = poolName;
        this.mode = mode;
        this.postgres = postgres;
        this.timeoutMillis = timeoutMillis;
        this.idle = idle;
    }

    IdleSessions idle() {
        return idle;
    }

    /** How to take a lent connection (the pool's handle, not the physical one) out of the pool for good. */
    public void evictWith(Consumer<Connection> evictor) {
        this.evictor = evictor;
    }

    /** Resets the returning session, or ends it. Never throws: HikariCP would only log it and reuse the session. */
    void returned(TrackedConnection session) {
        int changes = session.takeChanges();
        try {
            session.restoreClientState();
            if (endsSession(changes)) {
                end(session, "it cannot be reset (" + describe(changes) + ")");
                return;
            }
            if (!postgres) {
                return; // HikariCP's own reset is all other databases get
            }
            if (DriverState.copyInProgress(session.physical())) {
                end(session, "a COPY started on the driver's own connection is still running");
                return;
            }
            if (session.driverSettingsMoved()) {
                end(session, "its driver settings (auto-commit, read-only, pgjdbc's) changed out of the pool's sight");
                return;
            }
            reset(session.physical(), ResetStatements.sql(mode, postgres, changes, inTransaction(session)));
            if (serverWatch.test(session.physical())) { // after the reset: what the server says, not the borrower
                end(session, "its server is not the pool's primary");
            }
        } catch (SQLException | RuntimeException e) {
            end(session, "its reset failed: " + e.getMessage());
        }
    }

    private void reset(Connection physical, String sql) throws SQLException {
        if (sql == null) {
            return;
        }
        if (mode == ResetMode.FULL) {
            if (runFull(physical, sql)) {
                run(physical, "DEALLOCATE ALL"); // pgjdbc notices it and prepares its own statements again
            }
            full.increment();
        } else {
            run(physical, sql);
            (sql.endsWith("DISCARD ALL") ? discarded : targeted).increment();
        }
        if (mode == ResetMode.FULL || mode == ResetMode.DISCARD) {
            // UNLISTEN * stops new notifications; those the driver read before it are the last borrower's.
            DriverState.dropNotifications(physical);
        }
        physical.clearWarnings();
    }

    /**
     * The borrower is closing {@code pooled}, before HikariCP does anything with it. As in Go's
     * {@code putConnDBLocked}: a caller waiting for a connection gets it; else it stays idle if fewer than
     * DB_MAX_IDLE_CONNS others are; else it is closed at once, without a reset: its socket here, so that
     * the server's count has dropped before the pool may open another, and HikariCP is told to drop it
     * instead of taking it back.
     */
    void closing(TrackedConnection session, Connection pooled) {
        Consumer<Connection> marker = closeInsteadOfReturn;
        if (marker == null) {
            return;
        }
        // Above its share the pool shrinks even while callers wait: the slot belongs to another instance.
        boolean retire = session.staysOpenIfReturned() && overShare.getAsBoolean();
        if (!retire && (waiting.getAsInt() > 0 || session.admitIdle(idle))) {
            return;
        }
        marker.accept(pooled);
        try {
            session.physical().close();
        } catch (SQLException | RuntimeException ignored) {
            // it is leaving the pool either way
        }
    }

    /** How many callers wait for a connection of this pool. */
    public void waitingFrom(IntSupplier waiters) {
        this.waiting = waiters;
    }

    /**
     * Shown every session that comes back reset, to see whether its server still is what the pool took it for
     * (a primary that turned read-only, or another server than the pool's now); true closes the session. It may
     * evict the pool's other connections too.
     */
    public void watchServerWith(Predicate<Connection> watch) {
        this.serverWatch = watch;
    }

    /**
     * For a pool sized by its share of the server: asked at each return whether this connection is one too many
     * (true takes it), so that the pool shrinks by closing connections as they come back.
     */
    public void overShareFrom(BooleanSupplier claim) {
        this.overShare = claim;
    }

    /** How to have HikariCP close, instead of take back, a handle being closed. */
    public void closeInsteadOfReturnWith(Consumer<Connection> marker) {
        this.closeInsteadOfReturn = marker;
    }

    /** The borrower aborted the connection: give its slot back at once. */
    void aborted(TrackedConnection session) {
        closed.increment();
        evict(session);
    }

    /**
     * Ends a session that cannot be used any more (a COPY still running when the pool needs the connection):
     * the socket is cut, since any statement would wait for the COPY for ever.
     */
    void abandon(TrackedConnection session, String why) {
        AgentLog.warn("pool " + poolName + ": closing a connection instead of reusing it: " + why);
        closed.increment();
        session.leavesPool();
        try {
            session.physical().abort(DIRECT);
        } catch (SQLException | RuntimeException ignored) {
            // already gone
        }
        evict(session);
    }

    private boolean endsSession(int changes) {
        if ((changes & ENDS_SESSION_ALWAYS) != 0) {
            return true;
        }
        if (!postgres || mode == ResetMode.OFF) {
            return false;
        }
        // LISTEN: the full reset and DISCARD ALL unlisten and drop what the driver holds; tracked cannot know.
        return (changes & (mode == ResetMode.TRACKED ? ENDS_SESSION : IRREVERSIBLE)) != 0;
    }

    /**
     * Read from the driver at every return, however the transaction began (SQL, server code, the driver's
     * own connection): a driver that cannot say is taken to be in one (a ROLLBACK outside one only warns).
     */
    private static boolean inTransaction(TrackedConnection session) {
        Boolean known = DriverState.inTransaction(session.physical());
        return known == null || known;
    }

    /**
     * Runs the full reset as a prepared statement, so that after pgjdbc's prepareThreshold uses the server keeps
     * it parsed, like any statement the application repeats. True when SQL-level prepared statements exist
     * (made by PREPARE, also inside a function): they must go, with DEALLOCATE ALL. No answer counts as true.
     */
    private boolean runFull(Connection physical, String sql) throws SQLException {
        boolean[] found = {true};
        bounded(physical, () -> {
            try (PreparedStatement statement = physical.prepareStatement(sql)) {
                boolean isResult = statement.execute();
                while (isResult || statement.getUpdateCount() != -1) {
                    if (isResult) {
                        try (ResultSet answer = statement.getResultSet()) {
                            found[0] = !answer.next() || answer.getBoolean(1);
                        }
                    }
                    isResult = statement.getMoreResults();
                }
            }
        });
        return found[0];
    }

    private void run(Connection physical, String sql) throws SQLException {
        bounded(physical, () -> {
            try (Statement statement = physical.createStatement()) {
                statement.execute(sql);
            }
        });
    }

    /** One JDBC call on the physical connection. */
    public interface SqlAction {
        void run() throws SQLException;
    }

    /**
     * Runs a step of the return path (a reset, the rollback of HikariCP's close), or the first connection's
     * server check, with at most the reset timeout as network timeout, so that a server that stopped
     * answering cannot hang {@code close()} or a connect: pgjdbc then closes the socket, and the session is
     * not used.
     */
    public void bounded(Connection physical, SqlAction action) throws SQLException {
        int previous = postgres ? physical.getNetworkTimeout() : -1;
        if (!postgres || previous > 0 && previous <= timeoutMillis) {
            action.run();
            return;
        }
        physical.setNetworkTimeout(DIRECT, timeoutMillis);
        try {
            action.run();
        } finally {
            if (!physical.isClosed()) {
                physical.setNetworkTimeout(DIRECT, previous);
            }
        }
    }

    private void end(TrackedConnection session, String why) {
        if (warnedOnce.compareAndSet(false, true)) {
            // Once per pool: a library that unwraps every statement turns the pool into a connect per borrow.
            AgentLog.warn("pool " + poolName + ": closing a returned connection instead of reusing it because " + why
                    + "; each such borrow costs a new connection (further ones are logged at debug level)");
        } else {
            AgentLog.debug("pool " + poolName + ": closing a returned connection because " + why);
        }
        closed.increment();
        session.leavesPool();
        evict(session);
        Connection physical = session.physical();
        try {
            if (DriverState.copyInProgress(physical)) {
                physical.abort(DIRECT);
            } else {
                physical.close();
            }
        } catch (SQLException | RuntimeException ignored) {
            // it is leaving the pool either way
        }
    }

    private void evict(TrackedConnection session) {
        Connection lent = session.lentAs();
        if (lent != null) {
            evictor.accept(lent);
        }
    }

    private static String describe(int changes) {
        List<String> kinds = new ArrayList<>();
        if ((changes & SessionChanges.ABORTED) != 0) {
            kinds.add("aborted");
        }
        if ((changes & SessionChanges.DRIVER_USED) != 0) {
            kinds.add("unwrapped to the driver's connection");
        }
        if ((changes & SessionChanges.LISTEN) != 0) {
            kinds.add("LISTEN");
        }
        if ((changes & SessionChanges.IRREVERSIBLE) != 0) {
            kinds.add("LOAD or dblink");
        }
        if ((changes & SessionChanges.ROLLBACK_FAILED) != 0) {
            kinds.add("its open transaction could not be rolled back");
        }
        return String.join(", ", kinds);
    }

    /** Returns that got the full reset. */
    public long fullResets() {
        return full.sum();
    }

    /** Returns whose session needed a targeted reset. */
    public long targetedResets() {
        return targeted.sum();
    }

    /** Returns that ran DISCARD ALL. */
    public long discardAllResets() {
        return discarded.sum();
    }

    /** Sessions closed instead of reused: aborted, not resettable, or their reset failed. */
    public long closedSessions() {
        return closed.sum();
    }
}
