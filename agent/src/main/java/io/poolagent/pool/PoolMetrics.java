package io.poolagent.pool;

import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import io.poolagent.config.GoDuration;
import io.poolagent.config.ResetMode;
import io.poolagent.config.Settings;
import io.poolagent.hikari.CloseReasons;
import io.poolagent.log.AgentLog;
import io.poolagent.metrics.AgentMetrics;
import io.poolagent.metrics.PoolStats;
import io.poolagent.metrics.ReadStats;
import io.poolagent.metrics.ReplicaStats;
import io.poolagent.metrics.ShareStats;
import io.poolagent.replica.ReplicaState;
import io.poolagent.retry.ConnectRetrier;
import io.poolagent.session.IdleSessions;
import io.poolagent.session.ReturnPath;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * One pool as the metrics see it: its meters registered once the pool is built and removed when it closes,
 * and every number they read, each from the part of the pool that keeps it. Read on every scrape, so
 * nothing here waits for a connection.
 */
final class PoolMetrics implements PoolStats {

    private final ManagedPool pool;
    private final Settings settings;
    private final AgentMetrics metrics;
    /** Null for other databases. */
    private final ServerCheck serverCheck;
    private final BorrowWaits waits;
    private final IdleSessions idle;
    private final ConnectRetrier retrier;
    private final ReturnPath returnPath;
    /** Null with DB_POOL_LEAK_DETECTION off. */
    private final LeakDetector leaks;
    /** Not the pool's own lock: setting up the meters takes a while, and a borrower must not wait for it. */
    private final Object lock = new Object();
    private boolean withdrawn;
    /** For a read replica's pool: the primary's pool and the standby's state; null for a primary's. */
    private volatile String primaryPool;
    private volatile ReplicaStats replica;
    private volatile ReadStats reads;

    PoolMetrics(ManagedPool pool, Settings settings, AgentMetrics metrics, ServerCheck serverCheck,
                BorrowWaits waits, IdleSessions idle, ConnectRetrier retrier, ReturnPath returnPath,
                LeakDetector leaks) {
        this.pool = pool;
        this.settings = settings;
        this.metrics = metrics;
        this.serverCheck = serverCheck;
        this.waits = waits;
        this.idle = idle;
        this.retrier = retrier;
        this.returnPath = returnPath;
        this.leaks = leaks;
    }

    /**
     * Registers the pool's meters; called once the pool is built, never from its constructor, because the
     * endpoint's threads read the pool as soon as it is registered. Runs on the agent's thread, so it may
     * come after the pool started or even closed: never once withdrawn, and {@link #withdraw} waits for it.
     */
    void publish() {
        long began = System.nanoTime();
        boolean published = false;
        synchronized (lock) {
            if (!withdrawn && !pool.retired()) {
                waits.forwardTo(register());
                published = true;
            }
        }
        try {
            if (published) {
                metrics.startNow(); // after every series of the pool exists: a first scrape sees them all
            }
        } catch (RuntimeException | LinkageError e) {
            AgentLog.warn("pool " + name() + ": the metrics endpoint did not start: " + e);
        }
        AgentLog.debug("start-up: metrics of pool " + name() + " published in " + (System.nanoTime() - began) / 1000
                + " us (the first pool's include Micrometer and the endpoint)");
    }

    /** Metrics must never cost the pool: if they cannot be set up, the pool runs without them. */
    private MetricsTrackerFactory register() {
        try {
            return metrics.poolCreated(this);
        } catch (RuntimeException | LinkageError e) {
            AgentLog.warn("pool " + name() + " has no metrics: " + e);
            return null;
        }
    }

    /** The pool closed for good: its series go, and a {@link #publish} still to come does nothing. */
    void withdraw() {
        synchronized (lock) {
            withdrawn = true;
            metrics.poolClosed(this);
        }
    }

    /** This is a read replica's pool: its standby as the lag watch sees it. Before {@link #publish}. */
    void replicaOf(String primaryPool, ReplicaState state, long maxLagNanos) {
        this.primaryPool = primaryPool;
        this.replica = new ReplicaStats() {
            @Override public double lagSeconds() { return state.lagSeconds(System.nanoTime()); }
            @Override public boolean usable() { return state.usable(System.nanoTime(), maxLagNanos); }
            @Override public String problem() { return state.problem(); }
        };
    }

    /** This primary's pool routes read-only work to replicas. Before {@link #publish}. */
    void routesReads(ReadStats routing) {
        this.reads = routing;
    }

    /** The pool's connections moved to another server. */
    void hostChanged() {
        metrics.hostChanged(this);
    }

    // One line each: they only say which part of the pool keeps which number.
    @Override public String name() { return pool.name(); }
    @Override public boolean started() { return pool.counts() != null; }
    @Override public String unreachable() { return pool.unreachable(); }
    @Override public ShareStats share() { return pool.share(); }
    @Override public int maxOpen() { return pool.maxOpen(); }
    @Override public String host() { return pool.primary() == null ? null : pool.primary().host(); }
    @Override public long failovers() { return pool.primary() == null ? 0 : pool.primary().failovers(); }
    @Override public int maxIdle() { return settings.maxIdle(); }
    @Override public int minIdle() { return settings.minIdle(); }
    @Override public String role() { return replica == null ? "primary" : "replica"; }
    @Override public String primaryPool() { return primaryPool == null ? name() : primaryPool; }
    @Override public ReplicaStats replica() { return replica; }
    @Override public ReadStats reads() { return reads; }

    // HikariCP's counts, none before the pool started.
    @Override public int open() { return count(HikariPoolMXBean::getTotalConnections); }
    @Override public int inUse() { return count(HikariPoolMXBean::getActiveConnections); }
    @Override public int idle() { return count(HikariPoolMXBean::getIdleConnections); }
    @Override public int waiting() { return count(HikariPoolMXBean::getThreadsAwaitingConnection); }

    @Override public long waitCount() { return waits.count(); }
    @Override public long waitNanos() { return waits.nanos(); }
    @Override public long closedMaxIdle() { return idle.closedOverMax(); }
    @Override public long closedMaxIdleTime() { return CloseReasons.closedForIdleTime(name()); }
    @Override public long closedMaxLifetime() { return CloseReasons.closedForLifetime(name()); }
    @Override public long connectRetriesSucceeded() { return retrier.recovered(); }
    @Override public long connectRetriesFailed() { return retrier.retries() - retrier.recovered(); }
    @Override public long connectSequencesExhausted() { return retrier.exhausted(); }
    @Override public long connectPermanentFailures() { return retrier.permanent(); }
    @Override public long fullResets() { return returnPath.fullResets(); }
    @Override public long targetedResets() { return returnPath.targetedResets(); }
    @Override public long discardAllResets() { return returnPath.discardAllResets(); }
    @Override public long sessionsClosedAtReturn() { return returnPath.closedSessions(); }
    @Override public long leaksDetected() { return leaks == null ? 0 : leaks.detected(); }

    private int count(ToIntFunction<HikariPoolMXBean> count) {
        HikariPoolMXBean counts = pool.counts();
        return counts == null ? 0 : count.applyAsInt(counts);
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> values = new LinkedHashMap<>();
        ShareStats sizing = pool.share();
        values.put(Settings.MAX_OPEN, settings.share() == null ? (Object) settings.maxOpen()
                : Settings.AUTO + (sizing == null ? " (no share: " + pool.maxOpen() + ")" : " (" + sizing.target() + ")"));
        values.put(Settings.MAX_IDLE, settings.maxIdle());
        values.put(Settings.MAX_LIFETIME, GoDuration.format(settings.maxLifetime()));
        values.put(Settings.MAX_IDLE_TIME, GoDuration.format(settings.maxIdleTime()));
        values.put(Settings.MIN_IDLE, settings.minIdle());
        values.put(Settings.ACQUIRE_TIMEOUT, GoDuration.format(settings.acquireTimeout()));
        values.put(Settings.RESET, serverCheck != null ? settings.effectiveReset().toString() : ResetMode.OFF.toString());
        if (serverCheck != null) {
            values.put(Settings.PGBOUNCER, serverCheck.describe());
        }
        values.put(Settings.CONNECT_RETRIES, settings.connectRetries());
        return values;
    }
}
