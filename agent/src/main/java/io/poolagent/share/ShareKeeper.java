package io.poolagent.share;

import io.poolagent.runtime.AgentThreads;
import io.poolagent.config.GoDuration;
import io.poolagent.config.Settings;
import io.poolagent.config.ShareSettings;
import io.poolagent.log.AgentLog;
import io.poolagent.metrics.ShareStats;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Keeps one auto-sized pool at its share of the server (see {@link FairShare} for the arithmetic): counts the
 * server's sessions when the pool starts, every DB_POOL_SHARE_PERIOD after that, a second after the set of
 * instances changed (replicas of a Deployment start together, and each must see the others before it settles)
 * and while it grows towards its share, and when a connect is refused with 53300. The count runs on one of
 * the pool's own connections, borrowed without counting as a borrow, so it costs no extra session and works
 * when the server is full.
 *
 * <p>A pool shrinks only by retiring connections that are not in use: the next ones returned above the share
 * are closed instead of going back (see {@link #claimSurplus}), and idle ones are closed at once.
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

    static final long SOON_MILLIS = 1000;
    /** How many recent counts of everyone else's sessions the share keeps room for (the highest of them). */
    static final int PEAK_WINDOW = 3;
    static final long CENSUS_WAIT_MILLIS = 1000;

    private static ScheduledThreadPoolExecutor clock;

    private final ShareSettings settings;
    private final InstanceTag tag;
    private final FairShare fairShare;
    private final AtomicInteger surplus = new AtomicInteger();
    private final LongAdder retired = new LongAdder();
    private final LongAdder evaluations = new LongAdder();
    private final int[] othersSeen = new int[PEAK_WINDOW];
    private int counts;
    private Set<String> lastMembers = Set.of();
    private volatile Pool pool;
    /** Serialises counts; the count's query is bounded by the network timeout, so it is never held for long. */
    private final Object counting = new Object();
    /** Guards {@link #next}, so that scheduling never waits for a count. */
    private final Object timing = new Object();
    private ScheduledFuture<?> next;
    private volatile int target;
    private volatile FairShare.Decision last;
    private volatile ResizeReason reason = ResizeReason.START;
    private volatile boolean serverFull;
    /** The pool had no sessions at the last count; its next connect asks for a count. */
    private volatile boolean resting;
    /** A count asked for by a connect after a rest: it runs even though no borrow was counted yet. */
    private volatile boolean woken;
    private final int queryTimeoutMillis;
    private volatile boolean stopped;
    private volatile long lastCountMillis;
    private boolean warnedUnreadable;
    private long borrowsAtLastCount = -1;

    /** @param queryTimeoutMillis the network timeout of the count's query (DB_POOL_RESET_TIMEOUT) */
    public ShareKeeper(ShareSettings settings, int queryTimeoutMillis) {
        this.settings = settings;
        this.queryTimeoutMillis = queryTimeoutMillis;
        this.tag = InstanceTag.create(settings.service(), settings.weight());
        this.fairShare = new FairShare(settings, tag);
        this.target = settings.minOpen();
    }

    /** The application_name this pool's sessions announce themselves with. */
    public String applicationName(String own) {
        return tag.applicationName(own);
    }

    /** The size the pool starts at, before its first count. */
    public int initialSize() {
        return target;
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
        if (pool != null && System.currentTimeMillis() - lastCountMillis >= SOON_MILLIS) {
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

    /**
     * Asked when a borrower returns a connection: true when it must close instead, the pool holding more than
     * its share. Each true takes one from the surplus the last count found, so returns never overshoot.
     */
    public boolean claimSurplus() {
        for (int left = surplus.get(); left > 0; left = surplus.get()) {
            if (pool.open() <= target) { // HikariCP closed some itself since the count (lifetime, idle time)
                surplus.set(0);
                return false;
            }
            if (surplus.compareAndSet(left, left - 1)) {
                retired.increment();
                return true;
            }
        }
        return false;
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
        lastCountMillis = System.currentTimeMillis();
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
                    + " keeping " + target);
            return soon;
        }
        boolean changed = false;
        boolean counted = false;
        int before = target;
        try {
            Census census = Census.read(connection, queryTimeoutMillis);
            evaluations.increment();
            changed = apply(census, open, first, full);
            counted = true;
        } catch (SQLException e) {
            unreadable(e, first);
        } finally {
            pool.giveBack(connection, counted && claimSurplus());
        }
        if (counted) {
            retireIdle();
        }
        boolean grew = target > before && target < share(); // more free slots may have come meanwhile
        return changed || grew ? soon : period;
    }

    /** Resizes the pool to what the census says; true when the set of instances changed. */
    private boolean apply(Census census, int open, boolean first, boolean full) {
        FairShare.Decision decision = fairShare.next(census, othersPeak(census.others()), target);
        int size = decision.target;
        if (full) {
            size = fairShare.clamp(Math.min(size, open)); // the server is fuller than the counts say: hold
        }
        Set<String> members = new HashSet<>(census.instances().keySet());
        members.add(tag.id());
        boolean changed = !members.equals(lastMembers);
        lastMembers = members;
        FairShare.Decision before = last;
        last = decision;
        if (first || size != target) {
            ResizeReason why = why(first, full, before, decision, size);
            say(why, target, size, decision);
            target = size;
            reason = why;
            pool.resize(size);
        }
        surplus.set(Math.max(0, pool.open() - size));
        return changed;
    }

    /**
     * Growing towards a share that did not change is catching up (the free slots came); otherwise the share
     * itself moved, because of the instances or because of everyone else.
     */
    private ResizeReason why(boolean first, boolean full, FairShare.Decision before, FairShare.Decision now, int size) {
        if (first) {
            return ResizeReason.START;
        }
        if (full) {
            return ResizeReason.SERVER_FULL;
        }
        boolean growing = size > target && (size < now.share || before != null && before.share == now.share);
        if (growing) {
            return ResizeReason.GROWING;
        }
        return before != null && before.instances != now.instances ? ResizeReason.INSTANCES : ResizeReason.OTHERS;
    }

    /** Idle connections above the share go now; busy ones as they come back. */
    private void retireIdle() {
        for (int tries = pool.idle(); tries > 0 && surplus.get() > 0; tries--) {
            Connection connection;
            try {
                connection = pool.borrowQuietly(0);
            } catch (SQLException e) {
                return;
            }
            if (connection == null) {
                return;
            }
            boolean retire = claimSurplus();
            pool.giveBack(connection, retire);
            if (!retire) {
                return;
            }
        }
    }

    /** An unused pool lowers its size to the sessions it holds, never below its floor. */
    private void holdOnly(int open) {
        int hold = fairShare.clamp(open);
        if (hold < target) {
            AgentLog.debug("pool " + pool.name() + ": unused since its last count; holds " + hold);
            target = hold;
            reason = ResizeReason.IDLE;
            pool.resize(hold);
        }
    }

    /** A pool without sessions holds nothing: back to its floor, and its next session asks for a count. */
    private void rest() {
        holdOnly(0);
        surplus.set(0);
        resting = true;
        if (pool.open() > 0) { // a session opened meanwhile, whose connected() came before resting was set
            connected();
        }
    }

    private int othersPeak(int now) {
        othersSeen[counts++ % PEAK_WINDOW] = now;
        int peak = 0;
        for (int i = 0; i < Math.min(counts, PEAK_WINDOW); i++) {
            peak = Math.max(peak, othersSeen[i]);
        }
        return peak;
    }

    /**
     * The count failed: a pool that never counted takes the fallback size rather than staying at its floor;
     * one that did keeps what it has. Said once; the next periods try again.
     */
    private void unreadable(SQLException e, boolean first) {
        if (first) {
            target = settings.fallbackSize();
            pool.resize(target);
        }
        if (!warnedUnreadable) {
            warnedUnreadable = true;
            AgentLog.warn("pool " + pool.name() + ": cannot count the server's sessions (SQLSTATE " + e.getSQLState()
                    + ": " + AgentLog.collapseWhitespace(String.valueOf(e.getMessage())) + "); it keeps " + target
                    + " connections (" + (first ? Settings.MAX_OPEN_CAP + " when set, else 10; " : "")
                    + "tries again every " + GoDuration.format(settings.period())
                    + "). The role needs to read pg_stat_activity (PostgreSQL 10 or later)");
        }
    }

    private void say(ResizeReason why, int from, int to, FairShare.Decision d) {
        String line = "pool " + pool.name() + ": " + Settings.MAX_OPEN + "=auto: " + (why == ResizeReason.START
                ? "starts at " + to : from + " -> " + to) + " (" + why.label() + "); share " + d.share + " of "
                + d.budget + " (max_connections " + d.maxConnections + " - " + (d.maxConnections - d.budget)
                + " reserved) less headroom " + d.headroom + " and " + d.others + " sessions of other applications, "
                + d.instances + " instance(s), weight " + settings.weight();
        if (why == ResizeReason.START || why == ResizeReason.INSTANCES || why == ResizeReason.SERVER_FULL) {
            AgentLog.info(line);
        } else {
            AgentLog.debug(line);
        }
    }

    private void schedule(long delayMillis) {
        synchronized (timing) {
            if (stopped) {
                return;
            }
            if (next != null) {
                next.cancel(false);
            }
            next = clock().schedule(() -> evaluate(false), delayMillis, TimeUnit.MILLISECONDS);
        }
    }

    private static synchronized ScheduledThreadPoolExecutor clock() {
        if (clock == null) {
            clock = new ScheduledThreadPoolExecutor(1, task -> AgentThreads.daemon(task, "pool-agent-share"));
            clock.setRemoveOnCancelPolicy(true);
        }
        return clock;
    }

    // ---- ShareStats ----

    @Override
    public int target() {
        return target;
    }

    @Override
    public int share() {
        FairShare.Decision d = last;
        return d == null ? target : d.share;
    }

    @Override
    public int instances() {
        FairShare.Decision d = last;
        return d == null ? 1 : d.instances;
    }

    @Override
    public int others() {
        FairShare.Decision d = last;
        return d == null ? 0 : d.others;
    }

    @Override
    public int budget() {
        FairShare.Decision d = last;
        return d == null ? 0 : d.budget;
    }

    @Override
    public int headroom() {
        FairShare.Decision d = last;
        return d == null ? 0 : d.headroom;
    }

    @Override
    public long evaluations() {
        return evaluations.sum();
    }

    @Override
    public long retired() {
        return retired.sum();
    }

    @Override
    public String lastReason() {
        return reason.label();
    }

    @Override
    public List<String> reasons() {
        List<String> labels = new ArrayList<>();
        for (ResizeReason each : ResizeReason.values()) {
            labels.add(each.label());
        }
        return labels;
    }
}
