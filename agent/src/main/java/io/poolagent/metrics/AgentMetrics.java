package io.poolagent.metrics;

import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.poolagent.config.Settings;
import io.poolagent.log.AgentLog;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * Every number the agent publishes, in one Prometheus registry:
 * <ul>
 * <li>HikariCP's own Micrometer meters ({@code hikaricp_connections_*}), through HikariCP's tracker;</li>
 * <li>the seeds' Go names ({@code db_connections_*}), so their Grafana queries work unchanged;</li>
 * <li>the agent's own ({@code pool_agent_*}): intercepted and passed-through calls, pools, connect retries.</li>
 * </ul>
 * Nothing is built before the first pool: a JVM that never pools loads no Micrometer class and opens no port.
 * Every series carries the pool name ({@code user@host:port/db}), never a password.
 */
public final class AgentMetrics {

    public enum Entry {
        DRIVER_MANAGER("driver_manager"), DATA_SOURCE("data_source");

        final String label;

        Entry(String label) {
            this.label = label;
        }
    }

    private final String host;
    private final int port;
    private final LongAdder[] intercepted = {new LongAdder(), new LongAdder()};
    private final LongAdder[] passedThrough = {new LongAdder(), new LongAdder()};
    private final LongAdder poolsCreated = new LongAdder();
    private final List<PoolStats> pools = new CopyOnWriteArrayList<>();
    private volatile PrometheusMeterRegistry registry;
    private volatile MetricsServer server;

    /** {@code port} 0 picks a free port; a negative one turns the endpoint off. */
    public AgentMetrics(String host, int port) {
        this.host = host;
        this.port = port;
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
        registerSeedsMeters(meters, pool);
        registerRetryMeters(meters, pool);
        startServerOnce();
        return new MicrometerMetricsTrackerFactory(meters);
    }

    List<PoolStats> pools() {
        return pools;
    }

    String scrape(String contentType) {
        PrometheusMeterRegistry meters = registry;
        return meters == null ? "" : meters.scrape(contentType);
    }

    /** The port the endpoint listens on, or -1; for logs and tests. */
    public int port() {
        MetricsServer running = server;
        return running == null ? -1 : running.port();
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
            registry = meters;
        }
        return registry;
    }

    private static void registerSeedsMeters(MeterRegistry meters, PoolStats pool) {
        gauge(meters, "db.connections.max.open", "Maximum number of open connections (DB_MAX_OPEN_CONNS)",
                pool, PoolStats::maxOpen);
        gauge(meters, "db.connections.open", "Number of open database connections", pool, PoolStats::open);
        gauge(meters, "db.connections.in.use", "Number of database connections in use", pool, PoolStats::inUse);
        gauge(meters, "db.connections.idle", "Number of idle database connections", pool, PoolStats::idle);
        FunctionCounter.builder("db.connections.wait.count", pool, PoolStats::waitCount)
                .description("Total number of times waited for a connection").tag("pool", pool.name()).register(meters);
        // A gauge, as in the seeds, so that the name stays db_connections_wait_duration_seconds; it only grows.
        Gauge.builder("db.connections.wait.duration", pool, p -> p.waitNanos() / 1e9).baseUnit("seconds")
                .description("Total time waited for database connections").tag("pool", pool.name()).register(meters);
        FunctionCounter.builder("db.connections.closed.max.idle.time", pool, PoolStats::closedMaxIdleTime)
                .description("Connections closed for exceeding DB_CONN_MAX_IDLE_TIME").tag("pool", pool.name())
                .register(meters);
        FunctionCounter.builder("db.connections.closed.max.lifetime", pool, PoolStats::closedMaxLifetime)
                .description("Connections closed for exceeding DB_CONN_MAX_LIFETIME").tag("pool", pool.name())
                .register(meters);
    }

    private static void registerRetryMeters(MeterRegistry meters, PoolStats pool) {
        String retries = "pool.agent.connect.retries";
        String retriesHelp = "Retries of a pool's first connect, by outcome";
        FunctionCounter.builder(retries, pool, PoolStats::connectRetriesSucceeded).description(retriesHelp)
                .tag("pool", pool.name()).tag("outcome", "succeeded").register(meters);
        FunctionCounter.builder(retries, pool, PoolStats::connectRetriesFailed).description(retriesHelp)
                .tag("pool", pool.name()).tag("outcome", "failed").register(meters);
        String failures = "pool.agent.connect.failures";
        String failuresHelp = "First-connect sequences that failed: retries exhausted, or a permanent error";
        FunctionCounter.builder(failures, pool, PoolStats::connectSequencesExhausted).description(failuresHelp)
                .tag("pool", pool.name()).tag("kind", "exhausted").register(meters);
        FunctionCounter.builder(failures, pool, PoolStats::connectPermanentFailures).description(failuresHelp)
                .tag("pool", pool.name()).tag("kind", "permanent").register(meters);
    }

    private static void gauge(MeterRegistry meters, String name, String help, PoolStats pool,
                              ToDoubleFunction<PoolStats> value) {
        Gauge.builder(name, pool, value).description(help).tag("pool", pool.name()).register(meters);
    }

    private static void counter(MeterRegistry meters, String name, String help, LongAdder source, String... tags) {
        FunctionCounter.builder(name, source, LongAdder::sum).description(help).tags(tags).register(meters);
    }

    private void startServerOnce() {
        if (server != null || port < 0) {
            return;
        }
        try {
            server = MetricsServer.start(host, port, this);
            AgentLog.info("metrics on http://" + host + ":" + server.port() + "/metrics (also /health and /pools)");
        } catch (Exception | LinkageError e) {
            server = MetricsServer.NONE;
            AgentLog.warn("metrics endpoint not started on " + host + ":" + port + ": " + e
                    + "; pooling works on. If several JVMs share this pod, give each its own "
                    + Settings.METRICS_PORT + " (0 picks a free port)");
        }
    }
}
