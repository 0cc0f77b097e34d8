package io.poolagent.session;

import io.poolagent.pgjdbc.DriverState;

import java.sql.Connection;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import static io.poolagent.session.SessionChanges.ABORTED;
import static io.poolagent.session.SessionChanges.CLIENT_INFO_CALL;
import static io.poolagent.session.SessionChanges.DRIVER_USED;
import static io.poolagent.session.SessionChanges.NONE;
import static io.poolagent.session.SessionChanges.SCHEMA_CALL;
import static io.poolagent.session.SessionChanges.USED;

/**
 * The physical connection as HikariCP holds it: the driver's connection, plus a record of what the current
 * borrower did to the server session. It sits <em>under</em> HikariCP's proxies, so the application still
 * gets HikariCP's connection, statements and result sets, whose back-references
 * ({@code statement.getConnection()} and the like) all lead to the same handle, and HikariCP's close runs
 * however the application closes it. This class only watches what passes through it:
 * <ul>
 * <li>SQL text, at prepare time and through {@link TrackedStatement}: {@link SqlClassifier} says what it
 * may leave behind;</li>
 * <li>whether the borrower reached the server at all (a statement, the metadata, a setting): if it did,
 * the default reset runs at return;</li>
 * <li>JDBC calls that change the server session beyond what HikariCP restores ({@code setSchema},
 * {@code setClientInfo}), or client state it does not restore (holdability, type map);</li>
 * <li>{@code unwrap} to the driver's own classes, of the connection or (woven, see Targets) of its
 * statements, result sets and metadata (through {@link HandleCalls}): from then on the agent cannot see what the borrower does (COPY,
 * notifications, driver settings), so the session will not be reused;</li>
 * <li>{@code abort}: the slot goes back to the pool at once.</li>
 * </ul>
 * The calls that only forward are generated, in {@link ForwardingConnection}; those that only note a use call
 * {@link #used()} or {@link #sees(String)} first.
 * HikariCP marks each borrow with JDBC 4.3's {@code beginRequest()} and each return with
 * {@code endRequest()}; the latter hands the session to {@link ReturnPath}.
 *
 * <p>The per-borrow fields are written by the borrowing thread and read at return, on the same thread or
 * after HikariCP's bag handed the connection over with a CAS, which orders them. {@code abort} and HikariCP's
 * closer thread only touch the leak watch (volatile), the close flag (synchronized) and the idle state (CAS);
 * an unwrap, on whatever thread, sets a volatile flag that no later borrow clears.
 *
 * <p>Longer than 400 lines on purpose: the JDBC calls that do more than forward and the per-borrow record they
 * write (changes, idle state, client state) stay together, so that each call reaches that state directly on the
 * hot path and the ordering argument above is made in one place.
 */
public final class TrackedConnection extends ForwardingConnection {

    private final ReturnPath returnPath;
    private final Runnable onClose;
    private boolean closed;
    /**
     * Whether this session counts among the pool's idle ones (see {@link IdleSessions}): {@link #NOT_IDLE},
     * {@link #IDLE}, or {@link #GONE} once closed. Changed by CAS, since HikariCP may close the session on its
     * own thread while the borrower closes its handle (an aborted connection); cheaper than a lock on every
     * borrow and return.
     */
    private volatile int idleState;
    private static final int NOT_IDLE = 0;
    private static final int IDLE = 1;
    private static final int GONE = 2;
    private static final AtomicIntegerFieldUpdater<TrackedConnection> IDLE_STATE =
            AtomicIntegerFieldUpdater.newUpdater(TrackedConnection.class, "idleState");
    /**
     * What this borrow changed ({@link SessionChanges} bits). Statements of one connection may run on several
     * threads: bits are added by compare-and-set, so that none is lost.
     */
    private volatile int changes;
    private static final AtomicIntegerFieldUpdater<TrackedConnection> CHANGES =
            AtomicIntegerFieldUpdater.newUpdater(TrackedConnection.class, "changes");
    private Connection lentAs;
    /** What the application holds for this borrow: {@link #lentAs}, or a facade around it. */
    private Connection handle;
    private volatile Future<?> leakWatch;
    private boolean typeMapSaved;
    private Map<String, Class<?>> originalTypeMap;
    /**
     * The driver's client-side settings as HikariCP set them up, read at the first borrow
     * ({@link DriverState#settings}): at every return they must be so again, since a change HikariCP did not
     * see (made on the driver's own connection) is one it did not undo. Null until the first borrow.
     */
    private List<Object> baseSettings;
    private int baseHoldability;
    /** Set once the driver's own connection was reached (unwrap): sticky, so that the session is never lent again. */
    private volatile boolean driverReached;

    /** @param onClose runs once when the pool closes this physical connection */
    public TrackedConnection(Connection physical, ReturnPath returnPath, Runnable onClose) {
        super(physical);
        this.returnPath = returnPath;
        this.onClose = onClose;
        this.idleState = IDLE; // new sessions wait in the pool until their first borrower
        returnPath.idle().opened();
    }

    /**
     * The pool's handle for this borrow (what to evict if the session must not come back), what the
     * application holds (the handle itself, or a facade around it), and the leak detector's timer for
     * it, if any, cancelled when the connection comes back.
     */
    public void lentAs(Connection pooled, Connection held, Future<?> leakWatch) {
        this.lentAs = pooled;
        this.handle = held;
        this.leakWatch = leakWatch;
    }

    /** What the application holds for {@code pooled}, if {@code pooled} is this borrow's handle; else null. */
    Connection heldFor(Connection pooled) {
        Connection held = handle;
        return lentAs == pooled ? held : null;
    }

    /** The borrower closes {@code pooled}: an open transaction ends, and the return path hears of it. */
    void closing(Connection pooled) {
        rollBackOpenTransaction();
        returnPath.closing(this, pooled);
    }

    private void stopLeakWatch() {
        Future<?> watch = leakWatch;
        if (watch != null) {
            leakWatch = null;
            watch.cancel(false);
        }
    }

    Connection lentAs() {
        return lentAs;
    }

    Connection held() {
        Connection held = handle;
        return held != null ? held : lentAs;
    }

    Connection physical() {
        return delegate;
    }

    void note(int change) {
        if ((change & DRIVER_USED) != 0) {
            driverReached = true;
        }
        int current = changes;
        while ((current & change) != change && !CHANGES.compareAndSet(this, current, current | change)) {
            current = changes;
        }
    }

    /** What this borrow changed; the record starts afresh, but a reached driver stays reached. */
    int takeChanges() {
        return CHANGES.getAndSet(this, NONE) | (driverReached ? DRIVER_USED : NONE);
    }

    private boolean endsAnyway() {
        return driverReached || (changes & SessionChanges.ENDS_SESSION_ALWAYS) != 0;
    }

    /**
     * Holdability and the type map live in the driver object, not in the server: put them back as the pool set
     * them up (the borrower changed them through the pool's handle, where it is allowed to).
     */
    void restoreClientState() throws SQLException {
        if (baseSettings != null && delegate.getHoldability() != baseHoldability) {
            delegate.setHoldability(baseHoldability);
        }
        if (typeMapSaved) {
            typeMapSaved = false;
            delegate.setTypeMap(originalTypeMap);
        }
    }

    /**
     * A COPY started through the unwrapped driver connection holds the protocol until it ends; any
     * statement would wait for it for ever (a pool's close rolls back and resets). Without a pool, closing
     * such a connection simply dropped it: do the same.
     */
    private void refuseWhileCopying() throws SQLException {
        if (driverReached && DriverState.copyInProgress(delegate)) {
            returnPath.abandon(this, "a COPY was still in progress");
            throw new SQLNonTransientConnectionException(
                    "pool-agent: the connection was closed because a COPY was still in progress", "08003");
        }
    }

    // ---- the request boundaries HikariCP marks ----

    /**
     * HikariCP's mark of a new borrow, made before the agent hands the new handle out. The application can call
     * it too, through HikariCP's handle, which forwards it: then it is only a hint, and must not wipe what this
     * borrow has done so far.
     */
    @Override
    public void beginRequest() throws SQLException {
        if (applicationHolds()) {
            return;
        }
        changes = NONE;
        leaveIdle();
        if (baseSettings == null) {
            baseSettings = DriverState.settings(delegate);
            baseHoldability = delegate.getHoldability();
        }
    }

    /** True while the application holds an open handle on this session, when HikariCP is not the caller. */
    private boolean applicationHolds() {
        Connection lent = lentAs;
        try {
            return lent != null && !lent.isClosed();
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * False when the driver's client-side settings are as HikariCP set them up before the first borrow. HikariCP
     * restores only the changes made through its handle: auto-commit turned off on the driver's own connection
     * would leave the next borrower's acknowledged writes in a transaction nobody commits.
     */
    boolean driverSettingsMoved() throws SQLException {
        return baseSettings != null && !baseSettings.equals(DriverState.settings(delegate));
    }

    /**
     * Whether this session may go back into the pool as an idle one: yes if it is counted already (closed
     * twice), or will not stay anyway (closed, aborted, used through the driver: the return path ends it),
     * or fits under DB_MAX_IDLE_CONNS.
     */
    boolean admitIdle(IdleSessions idle) {
        if (idleState != NOT_IDLE || endsAnyway()) {
            return true;
        }
        if (!idle.admit()) {
            return false;
        }
        if (!IDLE_STATE.compareAndSet(this, NOT_IDLE, IDLE)) {
            idle.left(); // closed meanwhile
        }
        return true;
    }

    /** False when the return path ends this session anyway (closed, aborted, used through the driver). */
    boolean staysOpenIfReturned() {
        return idleState == NOT_IDLE && !endsAnyway();
    }

    /**
     * A transaction still open at close (a BEGIN sent as SQL, or one begun by server code or on the driver's
     * connection) is rolled back before HikariCP restores the JDBC settings, which pgjdbc refuses to change
     * inside one: the borrower's {@code close()} would fail, as it never does on a connection of its own. A
     * rollback that fails ends the session at return.
     */
    private void rollBackOpenTransaction() {
        if (Boolean.TRUE.equals(DriverState.inTransaction(delegate)) && !DriverState.copyInProgress(delegate)) {
            note(USED); // whatever began it, the session was used
            try {
                returnPath.bounded(delegate, () -> {
                    try (Statement statement = delegate.createStatement()) {
                        statement.execute("ROLLBACK");
                    }
                });
            } catch (SQLException | RuntimeException e) {
                note(SessionChanges.ROLLBACK_FAILED);
            }
        }
    }

    /**
     * The return path ends this session: it no longer counts as idle, even while HikariCP, which drops it
     * lazily, still holds it.
     */
    void leavesPool() {
        if (IDLE_STATE.getAndSet(this, GONE) == IDLE) {
            returnPath.idle().left();
        }
    }

    private void leaveIdle() {
        if (idleState == IDLE && IDLE_STATE.compareAndSet(this, IDLE, NOT_IDLE)) {
            returnPath.idle().left();
        }
    }

    /** HikariCP's mark of a return, made after its handle was closed; from the application, only a hint. */
    @Override
    public void endRequest() {
        if (applicationHolds()) {
            return;
        }
        stopLeakWatch();
        returnPath.returned(this);
    }

    // ---- what the borrower did ----

    /**
     * Called first by the generated calls that reach the server with no SQL to read: the metadata, the
     * catalog, holdability, savepoints, and the LOB, SQLXML, array and struct factories.
     */
    @Override
    protected void used() {
        note(USED);
    }

    /** Called first by every prepareStatement and prepareCall, with its SQL. */
    @Override
    protected void sees(String sql) {
        note(USED | SqlClassifier.classify(sql));
    }

    @Override
    public Statement createStatement() throws SQLException {
        note(USED);
        return new TrackedStatement(delegate.createStatement(), this);
    }

    @Override
    public Statement createStatement(int resultSetType, int concurrency) throws SQLException {
        note(USED);
        return new TrackedStatement(delegate.createStatement(resultSetType, concurrency), this);
    }

    @Override
    public Statement createStatement(int resultSetType, int concurrency, int holdability) throws SQLException {
        note(USED);
        return new TrackedStatement(delegate.createStatement(resultSetType, concurrency, holdability), this);
    }

    @Override
    public void setSchema(String schema) throws SQLException {
        refuseWhileCopying();
        note(USED | SCHEMA_CALL);
        delegate.setSchema(schema);
    }

    @Override
    public void setClientInfo(String name, String value) throws SQLClientInfoException {
        note(USED | CLIENT_INFO_CALL);
        delegate.setClientInfo(name, value);
    }

    @Override
    public void setClientInfo(Properties properties) throws SQLClientInfoException {
        note(USED | CLIENT_INFO_CALL);
        delegate.setClientInfo(properties);
    }

    @Override
    public void setTypeMap(Map<String, Class<?>> map) throws SQLException {
        note(USED);
        if (!typeMapSaved) {
            originalTypeMap = delegate.getTypeMap();
            typeMapSaved = true;
        }
        delegate.setTypeMap(map);
    }

    @Override
    public void abort(Executor executor) throws SQLException {
        stopLeakWatch();
        note(ABORTED);
        try {
            delegate.abort(executor);
        } finally {
            returnPath.aborted(this);
        }
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        T unwrapped = delegate.unwrap(iface);
        note(DRIVER_USED);
        return unwrapped;
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || delegate.isWrapperFor(iface);
    }

    // ---- what HikariCP's close calls (and the application may call too): never wait behind an unfinished
    // ---- COPY, and run the round trips with at most the reset timeout, so a silent server cannot hang close()

    @Override
    public void rollback() throws SQLException {
        note(USED);
        refuseWhileCopying();
        returnPath.bounded(delegate, delegate::rollback);
    }

    @Override
    public void rollback(Savepoint savepoint) throws SQLException {
        note(USED);
        refuseWhileCopying();
        delegate.rollback(savepoint);
    }

    @Override
    public void commit() throws SQLException {
        note(USED);
        refuseWhileCopying();
        delegate.commit();
    }

    @Override
    public void setAutoCommit(boolean autoCommit) throws SQLException {
        note(USED);
        refuseWhileCopying();
        delegate.setAutoCommit(autoCommit);
    }

    @Override
    public void setReadOnly(boolean readOnly) throws SQLException {
        note(USED);
        refuseWhileCopying();
        returnPath.bounded(delegate, () -> delegate.setReadOnly(readOnly));
    }

    @Override
    public void setTransactionIsolation(int level) throws SQLException {
        note(USED);
        refuseWhileCopying();
        returnPath.bounded(delegate, () -> delegate.setTransactionIsolation(level));
    }

    // ---- the end of the physical connection ----

    /** HikariCP closes a physical connection here, also one it evicted without an endRequest(). */
    @Override
    public void close() throws SQLException {
        stopLeakWatch();
        try {
            delegate.close();
        } finally {
            synchronized (this) {
                if (!closed) {
                    closed = true;
                    leavesPool();
                    onClose.run();
                }
            }
        }
    }
}
