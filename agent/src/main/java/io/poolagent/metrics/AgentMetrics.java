package io.poolagent.metrics;

import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.poolagent.config.Settings;
import io.poolagent.log.AgentLog;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * Every number the agent publishes, in one Prometheus registry of its own:
 * <ul>
 * <li>HikariCP's own Micrometer meters ({@code hikaricp_connections_*}), through HikariCP's tracker;</li>
 * <li>the Go services' names ({@code db_connections_*}), so their Grafana queries work unchanged;</li>
 * <li>the agent's own ({@code pool_agent_*}): intercepted and passed-through calls, pools, connect retries,
 * session resets, leaks.</li>
 * </ul>
 * Nothing is built before the first pool: a JVM that never pools loads no Micrometer class and opens no port.
 * Every series carries the pool name ({@code user@host:port/db}), never a password.
 */
public final class AgentMetrics {

    public enum Entry {
        /** DriverManager.getConnection, whichever overload. */
        DRIVER_MANAGER("driver_manager"),
        /** pgjdbc's PGSimpleDataSource (and subclasses). */
        DATA_SOURCE("data_source"),
        /** The driver's connect, called by a library that holds the driver (Spring's SimpleDriverDataSource...). */
        DRIVER("driver");

        final String label;

        Entry(String label) {
            this.label = label;
        }
    }

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final LongAdder[] intercepted = adders();
    private final LongAdder[] passedThrough = adders();
    private final LongAdder poolsCreated = new LongAdder();
    private final LongAdder poolsClosed = new LongAdder();
    private final List<PoolStats> pools = new CopyOnWriteArrayList<>();
    private volatile PrometheusMeterRegistry registry;
    private boolean serverTried;
    private volatile MetricsServer server;

    public AgentMetrics(Settings settings) {
        this(settings.metricsHost(), settings.metricsPort(), settings.metricsUser(), settings.metricsPassword());
    }

    /** {@code port} 0 picks a free port; a negative one turns the endpoint off; {@code user} null: no auth. */
    AgentMetrics(String host, int port, String user, String password) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
    }

    private static LongAdder[] adders() {
        LongAdder[] adders = new LongAdder[Entry.values().length];
        Arrays.setAll(adders, i -> new LongAdder());
        return adders;
    }

    public void intercepted(Entry entry) {
        intercepted[entry.ordinal()].increment();
    }

    public void passedThrough(Entry entry) {
        passedThrough[entry.ordinal()].increment();
    }

    /** Registers a new pool's meters and returns the tracker factory its HikariCP config should use. */
    public synchronized MetricsTrackerFactory poolCreated(PoolStats pool) {
        PrometheusMeterRegistry meters = registry();
        poolsCreated.increment();
        pools.add(pool);
        registerGoStatsMeters(meters, pool);
        registerAgentMeters(meters, pool);
        startServerOnce(meters);
        return new MicrometerMetricsTrackerFactory(meters);
    }

    /** A pool closed for good: its series go (HikariCP removes its own when the pool closes). */
    public synchronized void poolClosed(PoolStats pool) {
        if (!pools.remove(pool) || registry == null) {
            return;
        }
        poolsClosed.increment();
        for (Meter meter : registry.getMeters()) {
            if (pool.name().equals(meter.getId().getTag("pool"))) {
                registry.remove(meter);
            }
        }
    }

    List<PoolStats> pools() {
        return pools;
    }

    private PrometheusMeterRegistry registry() {
        if (registry == null) {
            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            for (Entry entry : Entry.values()) {
                counter(meters, "pool.agent.calls.intercepted", "getConnection calls served from a pool",
                        intercepted[entry.ordinal()], "entry", entry.label);
                counter(meters, "pool.agent.calls.passed.through",
                        "getConnection calls the agent saw but left unpooled (URL not in DB_POOL_URLS, or unpoolable)",
                        passedThrough[entry.ordinal()], "entry", entry.label);
            }
            counter(meters, "pool.agent.pools.created", "pools the agent has created", poolsCreated);
            counter(meters, "pool.agent.pools.closed",
                    "pools the agent closed and forgot: unused, superseded by a new password, or failed", poolsClosed);
            registry = meters;
        }
        return registry;
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

    private static void registerAgentMeters(MeterRegistry meters, PoolStats pool) {
        String retries = "pool.agent.connect.retries";
        String retriesHelp = "Retries of a pool's first connect, by outcome";
        tagged(meters, retries, retriesHelp, pool, PoolStats::connectRetriesSucceeded, "outcome", "succeeded");
        tagged(meters, retries, retriesHelp, pool, PoolStats::connectRetriesFailed, "outcome", "failed");
        String failures = "pool.agent.connect.failures";
        String failuresHelp = "First-connect sequences that failed: retries exhausted, or a permanent error";
        tagged(meters, failures, failuresHelp, pool, PoolStats::connectSequencesExhausted, "kind", "exhausted");
        tagged(meters, failures, failuresHelp, pool, PoolStats::connectPermanentFailures, "kind", "permanent");
        String resets = "pool.agent.session.resets";
        String resetsHelp = "What the return path did to sessions that needed it: a targeted reset, DISCARD ALL,"
                + " or closing the session instead (aborted, unwrapped, LISTEN, failed reset)";
        tagged(meters, resets, resetsHelp, pool, PoolStats::targetedResets, "kind", "targeted");
        tagged(meters, resets, resetsHelp, pool, PoolStats::fullResets, "kind", "discard_all");
        tagged(meters, resets, resetsHelp, pool, PoolStats::sessionsClosedAtReturn, "kind", "closed");
        FunctionCounter.builder("pool.agent.leaks.detected", pool, PoolStats::leaksDetected)
                .description("Connections held longer than DB_POOL_LEAK_DETECTION (each reported once, with the"
                        + " borrower's stack)").tag("pool", pool.name()).register(meters);
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

    private void startServerOnce(PrometheusMeterRegistry meters) {
        if (serverTried || port < 0) {
            return;
        }
        serverTried = true;
        if (!ModuleLayer.boot().findModule("jdk.httpserver").isPresent()) {
            AgentLog.warn("metrics endpoint not started: this Java runtime has no jdk.httpserver module (a jlink"
                    + " image built without it); pooling works on. Add jdk.httpserver to the image for /metrics");
            return;
        }
        try {
            server = MetricsServer.start(host, port, meters.getPrometheusRegistry(), new Endpoints(pools), user, password);
            AgentLog.info("metrics on http://" + host + ":" + server.port() + "/metrics (also /health/live,"
                    + " /health/ready and /pools" + (user == null ? "" : "; basic auth on /metrics and /pools") + ")");
        } catch (Exception | LinkageError e) {
            AgentLog.warn("metrics endpoint not started on " + host + ":" + port + ": " + e
                    + "; pooling works on. If several JVMs share this pod, give each its own "
                    + Settings.METRICS_PORT + " (0 picks a free port)");
        }
    }
}
