package io.poolagent.share;

import io.poolagent.config.GoDuration;
import io.poolagent.config.Settings;
import io.poolagent.config.ShareSettings;
import io.poolagent.log.AgentLog;
import io.poolagent.metrics.ShareStats;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;

/**
 * Keeps one auto-sized pool at its share of the server (see {@link Sizing} for the decision): counts the
 * server's sessions when the pool starts, every DB_POOL_SHARE_PERIOD after that, a second after the set of
 * instances changed (replicas of a Deployment start together, and each must see the others before it settles)
 * and while it grows towards its share, and when a connect is refused with 53300. The count runs on one of
 * the pool's own connections, borrowed without counting as a borrow, so it costs no extra session and works
 * when the server is full. A pool shrinks only as its {@link Surplus} retires connections not in use.
 */
public final class ShareKeeper implements ShareStats {

    /** What the keeper needs from its pool. */
    public interface Pool {
        String name();

        /** One of the pool's connections, counted by no metric; null when none was free within the wait. */
        Connection borrowQuietly(long waitMillis) throws SQLException;

        /** Back to the pool, or closed for good when {@code retire}. */
        void giveBack(Connection connection, boolean retire);

        void resize(int maxOpen);

        int open();

        int idle();

        /** The application's borrows so far. */
        long borrows();
    }

    /** How the server is counted on one of the pool's connections. */
    interface CensusSource {
        Census read(Connection connection) throws SQLException;
    }

    static final long SOON_MILLIS = 1000;
    static final long CENSUS_WAIT_MILLIS = 1000;

    private final ShareSettings settings;
    private final InstanceTag tag;
    private final CensusSource censusSource;
    private final Clock clock;
    private final Surplus surplus = new Surplus();
    private final LongAdder evaluations = new LongAdder();
    private volatile Sizing sizing;
    private volatile Pool pool;
    /** Serialises counts; the count's query is bounded by the network timeout, so it is never held for long. */
    private final Object counting = new Object();
    /** Guards {@link #next}, so that scheduling never waits for a count. */
    private final Object timing = new Object();
    private Future<?> next;
    private volatile boolean stopped;
    private volatile boolean serverFull;
    /** The pool had no sessions at the last count; its next connect asks for a count. */
    private volatile boolean resting;
    /** A count asked for by a connect after a rest: it runs even though no borrow was counted yet. */
    private volatile boolean woken;
    private volatile long lastCountMillis;
    private long borrowsAtLastCount = -1;
    private boolean warnedUnreadable;

    /** @param queryTimeoutMillis the network timeout of the count's query (DB_POOL_RESET_TIMEOUT) */
    public ShareKeeper(ShareSettings settings, int queryTimeoutMillis) {
        this(settings, InstanceTag.create(settings.service(), settings.weight()),
                connection -> Census.read(connection, queryTimeoutMillis), Clock.SYSTEM);
    }

    ShareKeeper(ShareSettings settings, InstanceTag tag, CensusSource censusSource, Clock clock) {
        this.settings = settings;
        this.tag = tag;
        this.censusSource = censusSource;
        this.clock = clock;
        this.sizing = Sizing.initial(settings, tag);
    }

    /** The application_name this pool's sessions announce themselves with. */
    public String applicationName(String own) {
        return tag.applicationName(own);
    }

    /** The size the pool starts at, before its first count. */
    public int initialSize() {
        return sizing.target;
    }

    /** The pool has started: count now, on the calling thread, so that it grows from its share at once. */
    public void start(Pool pool) {
        this.pool = pool;
        evaluate(true);
    }

    public void stop() {
        stopped = true;
        synchronized (timing) {
            if (next != null) {
                next.cancel(false);
            }
        }
    }

    /** A connect was refused because the server is full: count again now, at most once a second. */
    public void serverFull() {
        serverFull = true;
        if (pool != null && clock.millis() - lastCountMillis >= SOON_MILLIS) {
            schedule(0);
        }
    }

    /**
     * A new session opened: a pool that had none counts again before it grows, a second later, once HikariCP
     * has taken the session in (this runs on its connect, before it does).
     */
    public void connected() {
        if (resting) {
            resting = false;
            woken = true;
            schedule(SOON_MILLIS);
        }
    }

    /** Asked when a borrower returns a connection: true when it must close instead, the pool holding too many. */
    public boolean claimSurplus() {
        return surplus.claim(pool, sizing.target);
    }

    private void evaluate(boolean first) {
        long delay = settings.period().toMillis();
        try {
            delay = count(first);
        } catch (RuntimeException | LinkageError e) { // the pool keeps its size; it must never break over this
            AgentLog.warn("pool " + pool.name() + ": could not take its share of the server: " + e);
        } finally {
            if (delay >= 0) { // a refusal that came during this count is answered soon, not a period later
                schedule(serverFull ? Math.min(delay, SOON_MILLIS) : delay);
            }
        }
    }

    /** One count and its consequences; returns when to count next, or -1 once stopped. */
    private long count(boolean first) {
        synchronized (counting) {
            return stopped ? -1 : countNow(first);
        }
    }

    private long countNow(boolean first) {
        long period = settings.period().toMillis();
        long soon = Math.min(SOON_MILLIS, period);
        boolean full = serverFull;
        serverFull = false;
        lastCountMillis = clock.millis();
        int open = pool.open();
        if (!first && open == 0) {
            rest();
            return period;
        }
        boolean forced = woken;
        woken = false;
        long borrows = pool.borrows();
        if (!first && !full && !forced && borrows == borrowsAtLastCount) {
            // Nobody used the pool since the last count: counting would borrow its one idle connection every
            // period, and so keep it from ever reaching DB_CONN_MAX_IDLE_TIME and the pool from resting. It
            // holds what it has, no more: growing again takes a count.
            holdOnly(open);
            return period;
        }
        borrowsAtLastCount = borrows;
        Connection connection;
        try {
            connection = pool.borrowQuietly(CENSUS_WAIT_MILLIS);
        } catch (SQLException e) {
            return period; // the pool cannot connect: its own retries and readiness speak for it
        }
        if (connection == null) { // every connection is busy: try again soon, the pool may need to grow
            AgentLog.debug("pool " + pool.name() + ": no connection free to count the server's sessions with;"
                    + " keeping " + sizing.target);
            return soon;
        }
        Sizing before = sizing;
        boolean counted = false;
        try {
            Census census = censusSource.read(connection);
            evaluations.increment();
            apply(before.next(census, open, first, full), first);
            counted = true;
        } catch (SQLException e) {
            unreadable(e, first);
        } finally {
            pool.giveBack(connection, counted && claimSurplus());
        }
        if (counted) {
            surplus.retireIdle(pool, sizing.target);
        }
        Sizing after = sizing;
        boolean grew = after.target > before.target && after.target < share(); // more slots may be free meanwhile
        return after.instancesChanged(before) || grew ? soon : period;
    }

    private void apply(Sizing after, boolean first) {
        Sizing before = sizing;
        sizing = after;
        if (first || after.target != before.target) {
            say(after, before.target);
            pool.resize(after.target);
        }
        surplus.set(pool.open(), after.target);
    }

    /** The changes an operator watches for at info (see {@link ResizeReason#announced}); the rest at debug. */
    private void say(Sizing after, int from) {
        String line = "pool " + pool.name() + ": " + after.describe(from);
        if (after.reason.announced()) {
            AgentLog.info(line);
        } else {
            AgentLog.debug(line);
        }
    }

    /** An unused pool lowers its size to the sessions it holds, never below its floor. */
    private void holdOnly(int open) {
        Sizing held = sizing.holding(open);
        if (held != sizing) {
            AgentLog.debug("pool " + pool.name() + ": unused since its last count; holds " + held.target);
            sizing = held;
            pool.resize(held.target);
        }
    }

    /** A pool without sessions holds nothing: back to its floor, and its next session asks for a count. */
    private void rest() {
        holdOnly(0);
        surplus.clear();
        resting = true;
        if (pool.open() > 0) { // a session opened meanwhile, whose connected() came before resting was set
            connected();
        }
    }

    /**
     * The count failed: a pool that never counted takes the fallback size rather than staying at its floor;
     * one that did keeps what it has. Said once; the next periods try again.
     */
    private void unreadable(SQLException e, boolean first) {
        if (first) {
            sizing = sizing.resized(settings.fallbackSize());
            pool.resize(sizing.target);
        }
        if (!warnedUnreadable) {
            warnedUnreadable = true;
            AgentLog.warn("pool " + pool.name() + ": cannot count the server's sessions (SQLSTATE " + e.getSQLState()
                    + ": " + AgentLog.collapseWhitespace(String.valueOf(e.getMessage())) + "); it keeps " + sizing.target
                    + " connections (" + (first ? Settings.MAX_OPEN_CAP + " when set, else 10; " : "")
                    + "tries again every " + GoDuration.format(settings.period())
                    + "). The role needs to read pg_stat_activity (PostgreSQL 10 or later)");
        }
    }

    /** The next count in {@code delayMillis}, instead of the one pending. */
    private void schedule(long delayMillis) {
        synchronized (timing) {
            if (stopped) {
                return;
            }
            if (next != null) {
                next.cancel(false);
            }
            next = clock.schedule(() -> evaluate(false), delayMillis);
        }
    }

    // ---- ShareStats ----

    @Override
    public int target() {
        return sizing.target;
    }

    @Override
    public int share() {
        Sizing now = sizing;
        return now.decision == null ? now.target : now.decision.share;
    }

    @Override
    public int instances() {
        FairShare.Decision d = sizing.decision;
        return d == null ? 1 : d.instances;
    }

    @Override
    public int others() {
        FairShare.Decision d = sizing.decision;
        return d == null ? 0 : d.others;
    }

    @Override
    public int budget() {
        FairShare.Decision d = sizing.decision;
        return d == null ? 0 : d.budget;
    }

    @Override
    public int headroom() {
        FairShare.Decision d = sizing.decision;
        return d == null ? 0 : d.headroom;
    }

    @Override
    public long evaluations() {
        return evaluations.sum();
    }

    @Override
    public long retired() {
        return surplus.retired();
    }

    @Override
    public String lastReason() {
        return sizing.reason.label();
    }

    @Override
    public List<String> reasons() {
        return ResizeReason.labels();
    }
}
