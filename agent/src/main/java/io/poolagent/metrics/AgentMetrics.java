package io.poolagent.metrics;

import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import io.poolagent.config.Settings;
import io.poolagent.log.AgentLog;
import io.poolagent.runtime.AgentThreads;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every number the agent publishes, in one Prometheus registry of its own:
 * <ul>
 * <li>HikariCP's own Micrometer meters ({@code hikaricp_connections_*}), through HikariCP's tracker;</li>
 * <li>the Go services' names ({@code db_connections_*}), so their Grafana queries work unchanged;</li>
 * <li>the agent's own ({@code pool_agent_*}): intercepted and passed-through calls, pools, connect retries,
 * session resets, leaks.</li>
 * </ul>
 * Nothing is built before the first pool: a JVM that never pools loads no Micrometer class and opens no port;
 * with the endpoint off ({@code DB_POOL_METRICS_PORT=off}) Micrometer never loads at all. Micrometer itself
 * is behind {@link Meters}, so that loading this class loads none of it.
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
    /** The Micrometer side, made with the first pool when the endpoint is on. */
    private Meters meters;
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
        for (int i = 0; i < adders.length; i++) {
            adders[i] = new LongAdder();
        }
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
        poolsCreated.increment();
        pools.add(pool);
        if (port < 0) {
            return null; // no endpoint, nothing reads meters: Micrometer never loads
        }
        if (meters == null) {
            meters = new Meters(intercepted, passedThrough, poolsCreated, poolsClosed);
        }
        return meters.add(pool); // the caller opens the endpoint once HikariCP's meters are in too (startNow)
    }

    /**
     * Opens the endpoint: once the first pool's series all exist, or before any pool exists
     * (DB_POOL_METRICS_AT_START), so that probes find it in a JVM that connects only on its first request,
     * which an unready pod never gets. Readiness is 200 with no pools.
     */
    public synchronized void startNow() { // also each pool's way to Micrometer and the endpoint
        if (port < 0) {
            return;
        }
        if (meters == null) {
            meters = new Meters(intercepted, passedThrough, poolsCreated, poolsClosed);
        }
        startServerOnce();
    }

    /** The pool's connections are on another server now: its info series names the new one. */
    public synchronized void hostChanged(PoolStats pool) {
        if (meters != null && pools.contains(pool)) {
            meters.host(pool);
        }
    }

    /** A pool closed for good: its series go (HikariCP removes its own when the pool closes). */
    public synchronized void poolClosed(PoolStats pool) {
        if (!pools.remove(pool)) {
            return;
        }
        poolsClosed.increment();
        if (meters != null) {
            meters.remove(pool.name());
        }
    }

    List<PoolStats> pools() {
        return pools;
    }

    private void startServerOnce() {
        if (serverTried) {
            return;
        }
        serverTried = true;
        if (!ModuleLayer.boot().findModule("jdk.httpserver").isPresent()) {
            AgentLog.warn("metrics endpoint not started: this Java runtime has no jdk.httpserver module (a jlink"
                    + " image built without it); pooling works on. Add jdk.httpserver to the image for /metrics");
            return;
        }
        try {
            server = MetricsServer.start(host, port, meters.collectors(), new Endpoints(pools), user, password);
            stopAtExit(server);
            AgentLog.info("metrics on http://" + host + ":" + server.port() + "/metrics (also /health/live,"
                    + " /health/ready and /pools" + (user == null ? "" : "; basic auth on /metrics and /pools") + ")");
        } catch (Exception | LinkageError e) {
            AgentLog.warn("metrics endpoint not started on " + host + ":" + port + ": " + e
                    + "; pooling works on. If several JVMs share this pod, give each its own "
                    + Settings.METRICS_PORT + " (0 picks a free port)");
        }
    }

    /**
     * At exit the JVM waits up to 300 ms for threads running native code (HotSpot's VM_Exit gives them that
     * long to reach a safepoint), and the server's dispatcher sits in a native select() all its life: stopped
     * first, it costs the exit nothing.
     */
    private static void stopAtExit(MetricsServer server) {
        try {
            Runtime.getRuntime().addShutdownHook(AgentThreads.hook(server::stop, "pool-agent-http-stop"));
        } catch (IllegalStateException exiting) {
            server.stop();
        }
    }
}
