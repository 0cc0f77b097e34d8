package io.poolagent.hikari;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import io.poolagent.config.Settings;
import io.poolagent.runtime.AgentThreads;

import javax.sql.DataSource;

/**
 * Go's pool knobs onto HikariCP's. HikariCP opens connections on demand (minimumIdle is DB_POOL_MIN_IDLE,
 * 0 unless a warm floor is asked for) and closes those idle for DB_CONN_MAX_IDLE_TIME; MaxIdleConns, a
 * ceiling HikariCP does not have, is the return path's ({@code IdleSessions}). The first connect is the
 * agent's own (with retries), so HikariCP's fail-fast check is off.
 */
public final class HikariSettings {

    /**
     * HikariCP calls JDBC 4.3's beginRequest()/endRequest() on the physical connection at every borrow and
     * return when this is set; the agent's return path hangs off endRequest(). The shade plugin relocates
     * this literal along with HikariCP's own (io.poolagent.shaded.hikari...), so the application's HikariCP
     * is unaffected. HikariCP reads it when a pool is created.
     */
    public static final String REQUEST_BOUNDARIES = "com.zaxxer.hikari.enableRequestBoundaries";

    /**
     * How often HikariCP's housekeeper looks for idle connections to close (30 s by default), read when a
     * pool is created; relocated like the one above. A quarter of the idle time, so a connection goes at
     * most a quarter later than DB_CONN_MAX_IDLE_TIME says, and no more than every second.
     */
    public static final String HOUSEKEEPING_PERIOD = "com.zaxxer.hikari.housekeeping.periodMs";

    private HikariSettings() {
    }

    /** @param size DB_MAX_OPEN_CONNS, or where an auto-sized pool starts */
    public static HikariConfig config(String name, Settings settings, int size, DataSource connector,
                               MetricsTrackerFactory tracker) {
        System.setProperty(REQUEST_BOUNDARIES, "true");
        System.setProperty(HOUSEKEEPING_PERIOD, String.valueOf(housekeepingPeriod(settings)));
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setDataSource(connector);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(Math.min(settings.minIdle(), size));
        config.setMaxLifetime(settings.maxLifetime().toMillis());
        config.setIdleTimeout(idleTimeout(settings));
        config.setConnectionTimeout(settings.acquireTimeout().toMillis());
        config.setMetricsTrackerFactory(tracker);
        config.setValidationTimeout(Math.min(5_000, settings.acquireTimeout().toMillis()));
        config.setInitializationFailTimeout(-1);
        config.setRegisterMbeans(false);
        config.setThreadFactory(AgentThreads.factory(name));
        return config;
    }

    public static long housekeepingPeriod(Settings settings) {
        long idle = settings.maxIdleTime().toMillis();
        return idle == 0 ? 30_000 : Math.max(1_000, Math.min(30_000, idle / 4));
    }

    /**
     * HikariCP ignores idleTimeout for a fixed-size pool and within a second of maxLifetime, and logs a
     * warning each time it does; Settings already warned the operator who set it, so pass 0 instead.
     */
    public static long idleTimeout(Settings settings) {
        long idle = settings.maxIdleTime().toMillis();
        long lifetime = settings.maxLifetime().toMillis();
        boolean fixedSize = settings.minIdle() == settings.maxOpen();
        boolean beyondLifetime = lifetime > 0 && idle + 1000 > lifetime;
        return fixedSize || beyondLifetime ? 0 : idle;
    }
}
