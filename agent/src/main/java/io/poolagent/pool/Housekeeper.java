package io.poolagent.pool;

import io.poolagent.config.GoDuration;
import io.poolagent.config.Settings;
import io.poolagent.log.AgentLog;
import io.poolagent.runtime.AgentThreads;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Decides when the registry's pools go away: unused for DB_POOL_UNUSED_TIMEOUT (a mistyped password's pool, a
 * rotated password's old pool, a tool that ran once) a pool is closed, its credentials with it; a pool whose
 * driver was deregistered closes once its connections are back; at JVM exit idle sessions end with a proper
 * goodbye. Also checks now and then on pools that cannot reach their database.
 *
 * <p>All of it runs on the agent's one background thread (a daemon), which the leak timers and the pools'
 * deferred set-up share. It starts on first use, exactly once.
 */
final class Housekeeper {

    private final Settings settings;
    /** The registry's pools, live. */
    private final Collection<ManagedPool> pools;
    /** Takes a pool out of the registry; false if it was out already. */
    private final Predicate<ManagedPool> takeOut;
    /** Registers the exit hook: the JVM's shutdown hooks, or a test's own list. */
    private final Consumer<Thread> atExit;
    /** Pools whose driver was deregistered, closing once their last connection is back. */
    private final List<ManagedPool> closing = new ArrayList<>();
    private ScheduledThreadPoolExecutor timer; // guarded by this

    Housekeeper(Settings settings, Collection<ManagedPool> pools, Predicate<ManagedPool> takeOut,
                Consumer<Thread> atExit) {
        this.settings = settings;
        this.pools = pools;
        this.takeOut = takeOut;
        this.atExit = atExit;
    }

    /**
     * The background thread, started by the first caller: callers race here (a pool made while a driver is
     * deregistered), and a second executor would be a second thread and a second exit hook for good.
     */
    synchronized ScheduledExecutorService timer() {
        if (timer == null) {
            timer = new ScheduledThreadPoolExecutor(1, task -> AgentThreads.daemon(task, "pool-agent-housekeeper"));
            timer.setRemoveOnCancelPolicy(true);
            long unused = settings.unusedTimeout().toMillis();
            long period = unused > 0 ? Math.max(250, Math.min(unused / 4, 5_000)) : 5_000;
            timer.scheduleWithFixedDelay(this::round, period, period, TimeUnit.MILLISECONDS);
            closeIdleSessionsAtExit();
        }
        return timer;
    }

    /** Pools out of the registry already (their driver was deregistered): closed once nothing is lent. */
    void closeWhenReturned(List<ManagedPool> leaving) {
        synchronized (closing) {
            closing.addAll(leaving);
        }
        timer(); // looks at the closing pools on its rounds
        retireReturned(); // and at once: at most undeploys nothing is lent any more
    }

    /** One round of the background thread; never throws, or the executor would stop calling it. */
    private void round() {
        try {
            for (ManagedPool pool : pools) {
                pool.probeIfUnreachable();
            }
            for (ManagedPool pool : unusedPools()) {
                AgentLog.info("pool " + pool.name() + " closed: unused for " + GoDuration.format(settings.unusedTimeout())
                        + " (" + Settings.UNUSED_TIMEOUT + ")");
                pool.retire(); // outside the registry's lock: HikariCP may take seconds to shut down
            }
            retireReturned();
        } catch (RuntimeException | LinkageError e) {
            AgentLog.error("pool housekeeping failed, will try again: " + e);
        }
    }

    /** Closes the pools of deregistered drivers whose lent connections have all come back. */
    private void retireReturned() {
        List<ManagedPool> done = new ArrayList<>();
        synchronized (closing) {
            closing.removeIf(pool -> pool.inUse() == 0 && done.add(pool));
        }
        for (ManagedPool pool : done) {
            AgentLog.info("pool " + pool.name() + " closed: its driver was deregistered");
            pool.retire(); // outside every lock: HikariCP may take seconds to shut down
        }
    }

    /** Takes out of the registry every pool nobody borrowed from for DB_POOL_UNUSED_TIMEOUT and that lends nothing. */
    private List<ManagedPool> unusedPools() {
        List<ManagedPool> unused = new ArrayList<>();
        long limit = settings.unusedTimeout().toMillis();
        if (limit == 0) {
            return unused;
        }
        long now = System.currentTimeMillis();
        for (ManagedPool pool : pools) {
            if (now - pool.lastUsedMillis(now) >= limit && pool.inUse() == 0 && takeOut.test(pool)) {
                unused.add(pool);
            }
        }
        return unused;
    }

    /** At JVM exit, idle sessions end with a goodbye (see ManagedPool.closeIdleForExit). */
    private void closeIdleSessionsAtExit() {
        try {
            atExit.accept(AgentThreads.hook(this::closeIdleSessions, "pool-agent-exit"));
        } catch (IllegalStateException exiting) {
            // the first pool is being made while the JVM exits: nothing to close at exit yet
        }
    }

    /** Bounded: closing sessions must never hold up the JVM's exit noticeably. */
    private void closeIdleSessions() {
        long deadline = System.currentTimeMillis() + 1000;
        for (ManagedPool pool : pools) {
            try {
                pool.closeIdleForExit(deadline);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException | LinkageError ignored) {
                // the JVM is going away; nothing to report to
            }
        }
    }
}
