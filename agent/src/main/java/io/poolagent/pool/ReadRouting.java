package io.poolagent.pool;

import io.poolagent.config.JdbcUrls;
import io.poolagent.config.Settings;
import io.poolagent.log.AgentLog;
import io.poolagent.metrics.AgentMetrics;
import io.poolagent.metrics.ReadStats;
import io.poolagent.pgjdbc.ConnectionFacade;
import io.poolagent.replica.LagWatch;
import io.poolagent.replica.ReplicaChoice;
import io.poolagent.replica.ReplicaChoice.Reason;
import io.poolagent.replica.ReplicaState;
import io.poolagent.replica.WriteFence;
import io.poolagent.retry.SqlStates;
import io.poolagent.runtime.AgentThreads;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A primary pool's read replicas (DB_READ_REPLICAS): one pool per standby, with the primary's database, user and
 * password, sized by DB_READ_REPLICA_MAX_OPEN_CONNS; the {@link LagWatch} that samples them on an agent thread of
 * its own; and the lease of a standby's session to a {@link RoutedConnection} that turns read-only. Reads are
 * counted by where they went and why, for the metrics.
 */
final class ReadRouting implements ReadStats {

    /** pgjdbc's parameters that choose among several hosts: a standby's pool has one host and wants a standby. */
    private static final String[] HOST_CHOICE = {"targetServerType", "loadBalanceHosts", "hostRecheckSeconds"};
    /** A standby's pool with room left may open a session for a read within this; a full one is not asked. */
    private static final long OPEN_WAIT_MILLIS = 250;
    private static final Executor DIRECT = Runnable::run;

    private final ManagedPool primary;
    private final ConnectionFacade facade;
    private final List<ManagedPool> pools = new ArrayList<>();
    private final List<ReplicaState> states = new ArrayList<>();
    private final List<LsnProbe> probes = new ArrayList<>();
    private final LsnProbe primaryProbe;
    private final WriteFence fence = new WriteFence();
    private final long maxLagNanos;
    private final ScheduledExecutorService watchThread;
    private final ScheduledExecutorService background;
    private final LongAdder[] reads = new LongAdder[Reason.values().length];
    private final LongAdder rerouted = new LongAdder();
    private final AtomicInteger turn = new AtomicInteger();
    /** The application's connections open now, on whichever server: the primary's pool is in use while any is. */
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicBoolean[] starting;
    private final int timeoutMillis;
    /** The primary's watch thread's own: the last primary problem it logged. */
    private String primaryProblem = "";

    ReadRouting(ManagedPool primary, String name, PoolKey key, Driver driver, Settings settings, ConnectionFacade facade,
                AgentMetrics metrics, ScheduledExecutorService background) {
        this.primary = primary;
        this.facade = facade;
        this.background = background;
        this.maxLagNanos = settings.replicaMaxLag().toNanos();
        for (int i = 0; i < reads.length; i++) {
            reads[i] = new LongAdder();
        }
        int timeout = 1000; // a standby slower than this to say its position is no standby to read from now
        this.timeoutMillis = (int) Math.min(1000, settings.resetTimeout().toMillis());
        Properties properties = probeProperties(key);
        Properties primaryProperties = key.properties(); // the host choice stays: it finds the primary
        primaryProperties.putAll(watchSettings());
        primaryProbe = new LsnProbe(driver, key.url(), primaryProperties, timeout, null);
        Settings replicaSettings = settings.forReplicas();
        for (String hostPort : settings.readReplicas()) {
            String url = replicaUrl(key.url(), hostPort);
            Properties replicaProperties = key.properties();
            for (String parameter : HOST_CHOICE) {
                replicaProperties.remove(parameter);
            }
            // Read-only sessions even if the server is promoted under them: a write there fails, never lands.
            String options = replicaProperties.getProperty("options", JdbcUrls.decodedParameter(key.url(), "options"));
            replicaProperties.setProperty("options", (options == null ? "" : options + " ")
                    + "-c default_transaction_read_only=on");
            PoolKey replicaKey = PoolKey.of(url, replicaProperties, key.scope());
            ReplicaState state = new ReplicaState(hostPort, System.nanoTime());
            ManagedPool pool = new ManagedPool(replicaKey, name + " replica " + hostPort, driver, replicaSettings,
                    metrics, background, started -> { });
            pool.metrics().replicaOf(name, state, maxLagNanos);
            background.schedule(pool.metrics()::publish, PoolRegistry.METRICS_DELAY_MILLIS, TimeUnit.MILLISECONDS);
            pools.add(pool);
            states.add(state);
            probes.add(new LsnProbe(driver, url, properties, timeout, primaryProbe::system));
        }
        starting = new AtomicBoolean[pools.size()];
        for (int i = 0; i < starting.length; i++) {
            starting[i] = new AtomicBoolean();
        }
        long every = roundMillis(settings);
        int history = (int) Math.min(1 << 16, settings.replicaMaxLag().toMillis() / every + 16);
        LagWatch watch = new LagWatch(primaryProbe, states, new ArrayList<>(probes), System::nanoTime, history);
        // A thread per server: one that stops answering holds up only its own samples.
        watchThread = Executors.newScheduledThreadPool(pools.size() + 1,
                AgentThreads.factory("pool-agent-replica-watch"));
        watchThread.scheduleWithFixedDelay(() -> primaryRound(watch), 0, every, TimeUnit.MILLISECONDS);
        for (int i = 0; i < pools.size(); i++) {
            int index = i;
            watchThread.scheduleWithFixedDelay(() -> replicaRound(watch, index), every / 2, every,
                    TimeUnit.MILLISECONDS);
        }
        AgentLog.info("pool " + name + ": read-only connections may run on " + settings.readReplicas().size()
                + " replica(s) " + String.join(", ", settings.readReplicas()) + " within "
                + settings.replicaMaxLag().toMillis() + " ms of the primary (lag sampled every " + every + " ms)");
    }

    /**
     * A sample of each server every 20 ms (every 10 to 20 ms with a bound under a second, a fiftieth of it): a
     * standby in step is seen so within a round or two, so that a thread's reads come back to standbys soon after
     * its write. Each sample is one trivial query.
     */
    private static long roundMillis(Settings settings) {
        return Math.max(10, Math.min(20, settings.replicaMaxLag().toMillis() / 50));
    }

    private static String replicaUrl(String primaryUrl, String hostPort) {
        String url = JdbcUrls.withServer(primaryUrl, hostPort);
        for (String parameter : HOST_CHOICE) {
            url = JdbcUrls.withoutParameter(url, parameter);
        }
        return JdbcUrls.withoutParameter(url, "options"); // a property now, with read-only added (a URL's would win)
    }

    /** The pool's credentials and the URL's own settings, less the choice of hosts, named in pg_stat_activity. */
    private static Properties probeProperties(PoolKey key) {
        Properties properties = key.properties();
        for (String parameter : HOST_CHOICE) {
            properties.remove(parameter);
        }
        properties.putAll(watchSettings());
        return properties;
    }

    /** Named in pg_stat_activity; bounded at every step, so that a server that stops answering cannot hold the watch. */
    private static Properties watchSettings() {
        Properties settings = new Properties();
        settings.setProperty("ApplicationName", "pool-agent lag watch");
        settings.setProperty("connectTimeout", "1");
        settings.setProperty("loginTimeout", "2");
        settings.setProperty("socketTimeout", "2");
        return settings;
    }

    private void primaryRound(LagWatch watch) {
        try {
            watch.samplePrimary();
            String problem = watch.primaryProblem();
            if (!problem.equals(primaryProblem)) {
                primaryProblem = problem;
                if (!problem.isEmpty()) {
                    AgentLog.warn("pool " + primary.name() + ": reads stay off the replicas: " + problem);
                }
            }
        } catch (RuntimeException | LinkageError e) {
            AgentLog.debug("replica lag watch: the primary's sample failed: " + e);
        }
    }

    private void replicaRound(LagWatch watch, int index) {
        try {
            watch.sampleReplica(index);
            if (states.get(index).up()) {
                startInBackground(index);
            }
        } catch (RuntimeException | LinkageError e) {
            AgentLog.debug("replica lag watch: a replica's sample failed: " + e);
        }
    }

    /** A standby's pool starts off the caller's path, once the watch hears from it: its first connect retries. */
    private void startInBackground(int index) {
        ManagedPool pool = pools.get(index);
        if (pool.started() || pool.retired() || !starting[index].compareAndSet(false, true)) {
            return;
        }
        // A thread of its own: the first connect's retries may take half a minute, which the timer must not wait.
        AgentThreads.daemon(() -> {
            try {
                pool.start();
            } catch (SQLException | RuntimeException e) {
                AgentLog.warn("pool " + pool.name() + ": cannot reach the replica, reads stay off it: "
                        + AgentLog.collapseWhitespace(String.valueOf(e.getMessage())));
            } finally {
                starting[index].set(false);
            }
        }, "pool-agent-replica-start").start();
    }

    /** The application's connection for a borrow of the primary: a facade whose calls are routed. */
    Connection wrap(Connection primaryHandle) {
        open.incrementAndGet();
        RoutedConnection routed = new RoutedConnection(primary, this, primaryHandle);
        Connection held = facade.wrap(routed, "pooled " + primaryHandle);
        routed.heldAs(held);
        return held;
    }

    WriteFence fence() {
        return fence;
    }

    /** One of the application's connections closed. */
    void closed() {
        open.decrementAndGet();
    }

    /** The application's connections open now. */
    int open() {
        return open.get();
    }

    /** A newer password took over: the standbys' pools close their idle sessions as the primary's does. */
    void drain() {
        for (ManagedPool pool : pools) {
            pool.drain();
        }
    }

    /** A standby's session, its index, and the thread's last write as it was when leased. */
    static final class Lease {
        final int index;
        final Connection connection;
        final long stamp;

        Lease(int index, Connection connection, long stamp) {
            this.index = index;
            this.connection = connection;
            this.stamp = stamp;
        }
    }

    /**
     * True when standby {@code index} may still take the calling thread's work: within the bound, no used primary
     * session open on the thread, and no write since {@code stamp} (the lease's) that the watch has not seen there.
     */
    boolean stillFits(int index, long stamp) {
        ReplicaState state = states.get(index);
        WriteFence.Mark mark = fence.mark();
        return state.usable(System.nanoTime(), maxLagNanos) && !mark.writing()
                && (mark.lastWrite() == stamp || mark.seenBy(state));
    }

    /**
     * Waits, up to the lag bound, until the standby's session says it has replayed {@code position}; false at once
     * for an unknown position, a used primary session still open on the thread, or a standby behind the bound.
     */
    boolean awaitReplayed(int index, Connection session, long position) {
        long deadline = System.nanoTime() + maxLagNanos;
        WriteFence.Mark mark = fence.mark();
        ReplicaState state = states.get(index);
        long pause = 2;
        while (position > 0 && !mark.writing() && state.usable(System.nanoTime(), maxLagNanos)) {
            long replayed = position(session, "SELECT pg_catalog.pg_last_wal_replay_lsn()::text");
            if (replayed < 0) {
                return false; // the session failed: the statement will say how
            }
            if (Long.compareUnsigned(replayed, position) >= 0 || mark.seenBy(state)) {
                return true;
            }
            if (System.nanoTime() + pause * 1_000_000 > deadline) {
                return false;
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            pause = Math.min(50, pause * 2);
        }
        return false;
    }

    /**
     * A standby's session for {@code held}'s read-only work, or null when no standby may take it now; either way
     * counted with its reason.
     */
    Lease lease(Connection held) {
        Reason[] tried = new Reason[pools.size()];
        Reason[] why = {Reason.NO_REPLICA};
        WriteFence.Mark mark = fence.mark();
        long now = System.nanoTime();
        for (int attempt = 0; attempt < pools.size(); attempt++) {
            int index = ReplicaChoice.choose(states, tried, now, maxLagNanos, mark, this::inUse,
                    turn.getAndIncrement(), why);
            if (index < 0) {
                break;
            }
            tried[index] = Reason.REPLICAS_BUSY;
            ManagedPool pool = pools.get(index);
            if (pool.inUse() >= pool.maxOpen()) {
                continue; // full: no borrow, which HikariCP would count as a timeout
            }
            try {
                Connection session = pool.lendTo(held, OPEN_WAIT_MILLIS);
                if (session == null) {
                    startInBackground(index);
                } else if (ReplicaChoice.mustConfirm(states.get(index), mark)
                        && !replayed(session, mark.position())) {
                    session.close();
                    tried[index] = Reason.OWN_WRITE;
                } else {
                    count(Reason.ROUTED);
                    return new Lease(index, session, mark.lastWrite());
                }
            } catch (SQLException e) {
                if (SqlStates.isServerLost(e)) {
                    lost(index);
                }
            }
        }
        count(why[0]);
        return null;
    }

    /**
     * The primary's WAL insert position, read on a session that may have written before it goes back: at or past
     * its last commit (also one made with synchronous_commit=off). 0 when it cannot be read (a failed transaction,
     * a server gone); then only the lag watch can clear the thread's reads for a standby.
     */
    long writePosition(Connection primarySession) {
        long insert = position(primarySession, "SELECT pg_catalog.pg_current_wal_insert_lsn()::text");
        return insert <= 0 ? 0 : primaryProbe.boundary(insert);
    }

    /** True when the standby's session says it has replayed {@code position}. */
    private boolean replayed(Connection standbySession, long position) {
        long replayed = position(standbySession, "SELECT pg_catalog.pg_last_wal_replay_lsn()::text");
        return replayed > 0 && Long.compareUnsigned(replayed, position) >= 0;
    }

    /** One WAL position read on an application's session, within 1 s; 0 when there is none, -1 on a failure. */
    private long position(Connection session, String sql) {
        try {
            int previous = session.getNetworkTimeout();
            session.setNetworkTimeout(DIRECT, timeoutMillis);
            try (Statement statement = session.createStatement(); ResultSet answer = statement.executeQuery(sql)) {
                String text = answer.next() ? answer.getString(1) : null;
                return text == null ? 0 : LagWatch.parseLsn(text);
            } finally {
                session.setNetworkTimeout(DIRECT, previous); // the application's reads keep their own
            }
        } catch (SQLException | RuntimeException e) {
            return -1;
        }
    }

    private int inUse(ReplicaState state) {
        return pools.get(states.indexOf(state)).inUse();
    }

    private void count(Reason reason) {
        reads[reason.ordinal()].increment();
    }

    /** A read-only connection whose primary session had run something stays there. */
    void stayed() {
        count(Reason.SESSION_USED);
    }

    /** A session of standby {@code index} failed as a lost server does: no reads there until the watch hears it. */
    void lost(int index) {
        if (index >= 0) {
            states.get(index).failed(System.nanoTime());
        }
    }

    /** A read that lost its standby before it ran anything ran again elsewhere. */
    void ranAgain() {
        rerouted.increment();
    }

    @Override
    public long reads(String reason) {
        for (Reason each : Reason.values()) {
            if (each.label.equals(reason)) {
                return reads[each.ordinal()].sum();
            }
        }
        return 0;
    }

    @Override
    public List<String> reasons() {
        List<String> labels = new ArrayList<>();
        for (Reason each : Reason.values()) {
            labels.add(each.label);
        }
        return labels;
    }

    @Override
    public long rerouted() {
        return rerouted.sum();
    }

    List<ManagedPool> pools() {
        return pools;
    }

    /** With the primary's pool: the watch stops, the standbys' pools close. */
    void retire() {
        watchThread.shutdownNow();
        try {
            watchThread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        primaryProbe.close();
        for (LsnProbe probe : probes) {
            probe.close();
        }
        for (ManagedPool pool : pools) {
            pool.retire();
        }
    }

    void closeIdleForExit(long deadline) throws InterruptedException {
        for (ManagedPool pool : pools) {
            pool.closeIdleForExit(deadline);
        }
    }
}
