package io.poolagent.metrics;

import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.poolagent.metrics.AgentMetrics.Entry;
import io.poolagent.runtime.BuildInfo;
import io.prometheus.client.CollectorRegistry;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * The Micrometer side of {@link AgentMetrics}: one Prometheus registry of the agent's own, the agent-wide
 * counters in it, and per pool the Go services' names, the agent's own series, OpenTelemetry's
 * semantic-convention names and HikariCP's tracker.
 * Only {@link AgentMetrics} makes one, with the first pool and only when the endpoint is on. Not thread-safe:
 * {@link AgentMetrics} calls it under its lock.
 */
final class Meters {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    Meters(LongAdder[] intercepted, LongAdder[] passedThrough, LongAdder poolsCreated, LongAdder poolsClosed) {
        for (Entry entry : Entry.values()) {
            counter(registry, "pool.agent.calls.intercepted", "getConnection calls served from a pool",
                    intercepted[entry.ordinal()], "entry", entry.label);
            counter(registry, "pool.agent.calls.passed.through",
                    "getConnection calls the agent saw but left unpooled (URL not in DB_POOL_URLS, or unpoolable)",
                    passedThrough[entry.ordinal()], "entry", entry.label);
        }
        Gauge.builder("pool.agent.build.info", () -> 1).description("Which pool-agent runs (always 1)")
                .tag("version", BuildInfo.version()).register(registry);
        counter(registry, "pool.agent.pools.created", "pools the agent has created", poolsCreated);
        counter(registry, "pool.agent.pools.closed",
                "pools the agent closed and forgot: unused, superseded by a new password, or failed", poolsClosed);
    }

    /** Registers a pool's meters; returns the tracker factory HikariCP feeds its own hikaricp_* meters through. */
    MetricsTrackerFactory add(PoolStats pool) {
        registerGoStatsMeters(registry, pool);
        registerAgentMeters(registry, pool);
        host(pool);
        if (pool.share() != null) {
            registerShareMeters(registry, pool.name(), pool.share());
        }
        registerReplicaMeters(registry, pool);
        return SemanticConventions.register(registry, pool, new MicrometerMetricsTrackerFactory(registry));
    }

    void remove(String pool) {
        for (Meter meter : registry.getMeters()) {
            if (pool.equals(meter.getId().getTag("pool"))) {
                registry.remove(meter);
            }
        }
    }

    /** What the endpoint serves. */
    CollectorRegistry collectors() {
        return registry.getPrometheusRegistry();
    }

    /** The names our users' Go services export from sql.DBStats, so their dashboards and alerts work as they are. */
    private static void registerGoStatsMeters(MeterRegistry meters, PoolStats pool) {
        gauge(meters, "db.connections.max.open", "Maximum number of open connections (DB_MAX_OPEN_CONNS)",
                pool, PoolStats::maxOpen);
        gauge(meters, "db.connections.open", "Number of open database connections", pool, PoolStats::open);
        gauge(meters, "db.connections.in.use", "Number of database connections in use", pool, PoolStats::inUse);
        gauge(meters, "db.connections.idle", "Number of idle database connections", pool, PoolStats::idle);
        FunctionCounter.builder("db.connections.wait.count", pool, PoolStats::waitCount)
                .description("Total number of times waited for a connection").tag("pool", pool.name()).register(meters);
        // A gauge, as the Go services export it, so that the name stays db_connections_wait_duration_seconds; it only grows.
        Gauge.builder("db.connections.wait.duration", pool, p -> p.waitNanos() / 1e9).baseUnit("seconds")
                .description("Total time waited for database connections").tag("pool", pool.name()).register(meters);
        FunctionCounter.builder("db.connections.closed.max.idle", pool, PoolStats::closedMaxIdle)
                .description("Connections closed on return because DB_MAX_IDLE_CONNS others were idle")
                .tag("pool", pool.name()).register(meters);
        FunctionCounter.builder("db.connections.closed.max.idle.time", pool, PoolStats::closedMaxIdleTime)
                .description("Connections closed for exceeding DB_CONN_MAX_IDLE_TIME").tag("pool", pool.name())
                .register(meters);
        FunctionCounter.builder("db.connections.closed.max.lifetime", pool, PoolStats::closedMaxLifetime)
                .description("Connections closed for exceeding DB_CONN_MAX_LIFETIME").tag("pool", pool.name())
                .register(meters);
    }

    /**
     * {@code pool_agent_primary_info{pool, host}}, always 1: the server the pool's connections are on, as an info
     * series whose label changes when the pool moves (the old series goes). Its failovers beside it.
     */
    void host(PoolStats pool) {
        for (Meter meter : registry.getMeters()) {
            if (meter.getId().getName().equals(PRIMARY_INFO) && pool.name().equals(meter.getId().getTag("pool"))) {
                registry.remove(meter);
            }
        }
        String host = pool.host();
        if (host != null) {
            Gauge.builder(PRIMARY_INFO, () -> 1).description("The server the pool's connections are on (always 1)")
                    .tag("pool", pool.name()).tag("host", host).register(registry);
        }
    }

    private static final String PRIMARY_INFO = "pool.agent.primary.info";

    private static void registerAgentMeters(MeterRegistry meters, PoolStats pool) {
        FunctionCounter.builder("pool.agent.failovers", pool, PoolStats::failovers)
                .description("Times the pool moved its connections to another server after it lost its primary"
                        + " (stopped, unreachable, or turned read-only)").tag("pool", pool.name()).register(meters);
        gauge(meters, "pool.agent.database.up", "1 while the pool can reach its database, 0 when its first connect"
                + " failed or it could not open connections when callers needed them (as /health/ready)", pool,
                p -> p.unreachable() == null ? 1 : 0);
        String retries = "pool.agent.connect.retries";
        String retriesHelp = "Retries of a pool's first connect, by outcome";
        tagged(meters, retries, retriesHelp, pool, PoolStats::connectRetriesSucceeded, "outcome", "succeeded");
        tagged(meters, retries, retriesHelp, pool, PoolStats::connectRetriesFailed, "outcome", "failed");
        String failures = "pool.agent.connect.failures";
        String failuresHelp = "First-connect sequences that failed: retries exhausted, or a permanent error";
        tagged(meters, failures, failuresHelp, pool, PoolStats::connectSequencesExhausted, "kind", "exhausted");
        tagged(meters, failures, failuresHelp, pool, PoolStats::connectPermanentFailures, "kind", "permanent");
        String resets = "pool.agent.session.resets";
        String resetsHelp = "What the return path did to sessions that needed it: the full reset, a targeted reset,"
                + " DISCARD ALL, or closing the session instead (aborted, unwrapped, changed out of sight,"
                + " failed reset)";
        tagged(meters, resets, resetsHelp, pool, PoolStats::fullResets, "kind", "full");
        tagged(meters, resets, resetsHelp, pool, PoolStats::targetedResets, "kind", "targeted");
        tagged(meters, resets, resetsHelp, pool, PoolStats::discardAllResets, "kind", "discard_all");
        tagged(meters, resets, resetsHelp, pool, PoolStats::sessionsClosedAtReturn, "kind", "closed");
        FunctionCounter.builder("pool.agent.leaks.detected", pool, PoolStats::leaksDetected)
                .description("Connections held longer than DB_POOL_LEAK_DETECTION (each reported once, with the"
                        + " borrower's stack)").tag("pool", pool.name()).register(meters);
    }

    /**
     * Every pool's role, as an info series (a label on every pool series would rename the series of services that
     * use no replicas); a replica's lag and whether it takes reads; where a primary's read-only work went.
     */
    private static void registerReplicaMeters(MeterRegistry meters, PoolStats pool) {
        Gauge.builder("pool.agent.pool.info", () -> 1).description("The pool's role: primary, or replica of"
                + " primary_pool (always 1)").tag("pool", pool.name()).tag("role", pool.role())
                .tag("primary_pool", pool.primaryPool()).register(meters);
        ReplicaStats replica = pool.replica();
        if (replica != null) {
            Gauge.builder("pool.agent.replica.lag", replica, ReplicaStats::lagSeconds).baseUnit("seconds")
                    .description("How far the standby may be behind the primary: the age of the newest primary WAL"
                            + " position it has replayed; until seen caught up once, the time since the agent began"
                            + " watching it").tag("pool", pool.name()).tag("primary_pool", pool.primaryPool())
                    .register(meters);
            Gauge.builder("pool.agent.replica.usable", replica, r -> r.usable() ? 1 : 0).description("1 while reads"
                    + " may go to the standby: it answers as a standby of the primary within DB_READ_REPLICA_MAX_LAG")
                    .tag("pool", pool.name()).tag("primary_pool", pool.primaryPool()).register(meters);
        }
        ReadStats reads = pool.reads();
        if (reads != null) {
            for (String reason : reads.reasons()) {
                FunctionCounter.builder("pool.agent.reads", reads, r -> r.reads(reason)).description("Read-only"
                        + " connections by where their work went: to a replica (routed), or to the primary and why")
                        .tag("pool", pool.name()).tag("target", reason.equals("routed") ? "replica" : "primary")
                        .tag("reason", reason).register(meters);
            }
            FunctionCounter.builder("pool.agent.reads.rerouted", reads, ReadStats::rerouted).description("Reads that"
                    + " lost their replica before they ran anything and ran on another server")
                    .tag("pool", pool.name()).register(meters);
        }
    }

    /** DB_MAX_OPEN_CONNS=auto: the share a pool took of its server, and why it last changed. */
    private static void registerShareMeters(MeterRegistry meters, String pool, ShareStats share) {
        shareGauge(meters, "pool.agent.share.connections", "The pool's size now, taken as its share of the server"
                + " (DB_MAX_OPEN_CONNS=auto)", pool, share, ShareStats::target);
        shareGauge(meters, "pool.agent.share.entitled", "The share the pool grows towards as slots become free",
                pool, share, ShareStats::share);
        shareGauge(meters, "pool.agent.share.instances", "Auto-sized pools seen on the server, this one included",
                pool, share, ShareStats::instances);
        shareGauge(meters, "pool.agent.share.other.sessions", "Client sessions of other applications on the server"
                + " (the highest of the recent counts)", pool, share, ShareStats::others);
        shareGauge(meters, "pool.agent.share.budget", "max_connections less the reserved slots", pool, share,
                ShareStats::budget);
        shareGauge(meters, "pool.agent.share.headroom", "Slots of the budget no instance takes (DB_POOL_HEADROOM)",
                pool, share, ShareStats::headroom);
        FunctionCounter.builder("pool.agent.share.evaluations", share, ShareStats::evaluations)
                .description("Counts of the server's sessions the pool's share was computed from").tag("pool", pool)
                .register(meters);
        FunctionCounter.builder("pool.agent.share.retired", share, ShareStats::retired)
                .description("Connections closed because the pool was above its share").tag("pool", pool)
                .register(meters);
        for (String reason : share.reasons()) {
            Gauge.builder("pool.agent.share.last.resize", share, s -> reason.equals(s.lastReason()) ? 1 : 0)
                    .description("1 for the reason of the pool's last resize, 0 for the others").tag("pool", pool)
                    .tag("reason", reason).register(meters);
        }
    }

    private static void shareGauge(MeterRegistry meters, String name, String help, String pool, ShareStats share,
                                   ToDoubleFunction<ShareStats> value) {
        Gauge.builder(name, share, value).description(help).tag("pool", pool).register(meters);
    }

    private static void tagged(MeterRegistry meters, String name, String help, PoolStats pool,
                               ToDoubleFunction<PoolStats> value, String tag, String tagValue) {
        FunctionCounter.builder(name, pool, value).description(help).tag("pool", pool.name()).tag(tag, tagValue)
                .register(meters);
    }

    private static void gauge(MeterRegistry meters, String name, String help, PoolStats pool,
                              ToDoubleFunction<PoolStats> value) {
        Gauge.builder(name, pool, value).description(help).tag("pool", pool.name()).register(meters);
    }

    private static void counter(MeterRegistry meters, String name, String help, LongAdder source, String... tags) {
        FunctionCounter.builder(name, source, LongAdder::sum).description(help).tags(tags).register(meters);
    }
}
