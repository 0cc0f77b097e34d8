package io.poolagent.config;

import io.poolagent.log.AgentLog;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The catalogue of the agent's settings: each one's name, its default and the range a value must fall in, in
 * the order the ready line lists where values came from. {@link Settings} parses by it, docs/configuration.md's
 * table is checked against it (ConfigurationReferenceTest) and {@code plan} quotes it in its help and its error
 * lines, so that none of them can tell an operator another default or range than the agent applies.
 *
 * <p>A bound that depends on another setting (DB_MAX_IDLE_CONNS is at most DB_MAX_OPEN_CONNS) is given here at
 * its widest; {@link Settings} narrows it. Read in premain: no lambdas, streams or regex.
 */
public enum Setting {
    ENABLED(Settings.ENABLED, Boolean.TRUE),
    URLS(Settings.URLS, "jdbc:postgresql:"),
    MAX_OPEN(Settings.MAX_OPEN, 25, 1, Settings.MAX_POOL_SIZE),
    /** At most DB_MAX_OPEN_CONNS, which bounds the default too. */
    MAX_IDLE(Settings.MAX_IDLE, 10, 0, Settings.MAX_POOL_SIZE),
    /** HikariCP silently replaces shorter values with its 30-minute default; we refuse them instead. */
    MAX_LIFETIME(Settings.MAX_LIFETIME, Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofHours(24),
            "0 for no limit"),
    /** HikariCP silently replaces shorter values with its 10-minute default. */
    MAX_IDLE_TIME(Settings.MAX_IDLE_TIME, Duration.ofMinutes(2), Duration.ofSeconds(10), Duration.ofHours(24),
            "0 for no limit"),
    /** At most DB_MAX_IDLE_CONNS. */
    MIN_IDLE(Settings.MIN_IDLE, 0, 0, Settings.MAX_POOL_SIZE),
    /** HikariCP's floor for connectionTimeout. */
    ACQUIRE_TIMEOUT(Settings.ACQUIRE_TIMEOUT, Duration.ofSeconds(30), Duration.ofMillis(250), Duration.ofMinutes(10),
            null),
    RESET(Settings.RESET, ResetMode.FULL),
    /** A reset is one round trip; shorter would close healthy sessions on a busy network. */
    RESET_TIMEOUT(Settings.RESET_TIMEOUT, Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofMinutes(1), null),
    PGBOUNCER(Settings.PGBOUNCER, PoolerMode.AUTO),
    LOG_LEVEL(Settings.LOG_LEVEL, AgentLog.Level.INFO),
    CONNECT_RETRIES(Settings.CONNECT_RETRIES, 5, 0, 100),
    /** Shorter back-off steps would just be a busy loop against a server that is not there. */
    CONNECT_BACKOFF(Settings.CONNECT_BACKOFF, Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofMinutes(10),
            null),
    /** At least DB_POOL_CONNECT_BACKOFF, which raises the default too. */
    CONNECT_BACKOFF_MAX(Settings.CONNECT_BACKOFF_MAX, Duration.ofSeconds(16), Duration.ofMillis(10),
            Duration.ofHours(1), null),
    UNUSED_TIMEOUT(Settings.UNUSED_TIMEOUT, Duration.ofMinutes(10), Duration.ofSeconds(1), Duration.ofDays(7),
            "0 to keep unused pools"),
    /** HikariCP's rule: shorter than DB_CONN_MAX_LIFETIME, when connections have one. */
    LEAK_DETECTION(Settings.LEAK_DETECTION, "off", Duration.ofSeconds(1), Duration.ofHours(24), "off"),
    METRICS_PORT(Settings.METRICS_PORT, Settings.DEFAULT_METRICS_PORT, 0, 65535),
    METRICS_HOST(Settings.METRICS_HOST, "0.0.0.0"),
    METRICS_USER(Settings.METRICS_USER, null),
    METRICS_PASSWORD(Settings.METRICS_PASSWORD, null),
    METRICS_PASSWORD_FILE(Settings.METRICS_PASSWORD_FILE, null),
    METRICS_AT_START(Settings.METRICS_AT_START, Boolean.FALSE),
    CONFIG_FILE(Settings.CONFIG_FILE, null),
    STRICT(Settings.STRICT, Boolean.FALSE),
    LOG_FORMAT(Settings.LOG_FORMAT, AgentLog.Format.TEXT),
    /** Slots or, up to {@link ShareSettings#MAX_HEADROOM_PERCENT}, a percentage of the budget. */
    HEADROOM(Settings.HEADROOM, ShareSettings.DEFAULT_HEADROOM, 0, Settings.MAX_POOL_SIZE),
    /** By default the host name less its replica suffix ({@link ServiceName}). */
    SERVICE(Settings.SERVICE, null),
    SHARE_WEIGHT(Settings.SHARE_WEIGHT, 1, 1, Settings.MAX_WEIGHT),
    /** Counting the server's sessions more often than this would cost the server more than it tells. */
    SHARE_PERIOD(Settings.SHARE_PERIOD, Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofMinutes(10), null),
    MIN_OPEN(Settings.MIN_OPEN, 1, 1, Settings.MAX_POOL_SIZE),
    /** At least DB_POOL_MIN_OPEN; 0 is none. */
    MAX_OPEN_CAP(Settings.MAX_OPEN_CAP, "none", 0, Settings.MAX_POOL_SIZE),
    /** Standbys as host:port; none by default, and a bad list is none: reads stay on the primary. */
    READ_REPLICAS(Settings.READ_REPLICAS, "none"),
    /** Below 10 ms the lag watch could not tell a standby in step from one behind. */
    READ_REPLICA_MAX_LAG(Settings.READ_REPLICA_MAX_LAG, Duration.ofSeconds(1), Duration.ofMillis(10),
            Duration.ofMinutes(10), null),
    /** By default the primary pool's size. */
    READ_REPLICA_MAX_OPEN(Settings.READ_REPLICA_MAX_OPEN, Settings.MAX_OPEN, 1, Settings.MAX_POOL_SIZE);

    private final String key;
    /** Boolean, Integer, Duration, String or an enum constant; null where the default is no value. */
    private final Object fallback;
    private final int least;
    private final int most;
    private final Duration shortest;
    private final Duration longest;
    /** What a duration of 0 means where 0 is allowed, as the problem line says it; else null. */
    private final String zero;

    Setting(String key, Object fallback) {
        this(key, fallback, 0, 0, null, null, null);
    }

    Setting(String key, Object fallback, int least, int most) {
        this(key, fallback, least, most, null, null, null);
    }

    Setting(String key, Object fallback, Duration shortest, Duration longest, String zero) {
        this(key, fallback, 0, 0, shortest, longest, zero);
    }

    Setting(String key, Object fallback, int least, int most, Duration shortest, Duration longest, String zero) {
        this.key = key;
        this.fallback = fallback;
        this.least = least;
        this.most = most;
        this.shortest = shortest;
        this.longest = longest;
        this.zero = zero;
    }

    /** Every name, in the catalogue's order. */
    static List<String> keys() {
        Setting[] all = values();
        List<String> keys = new ArrayList<>(all.length);
        for (Setting setting : all) {
            keys.add(setting.key);
        }
        return List.copyOf(keys);
    }

    /** The environment variable, DB_MAX_OPEN_CONNS. */
    public String key() {
        return key;
    }

    /** The default as an operator reads it ("25", "5m", "full", "max(12, 10%)", "none"); null where there is none. */
    public String defaultText() {
        if (fallback instanceof Duration) {
            return GoDuration.format((Duration) fallback);
        }
        if (fallback instanceof Enum) {
            return fallback.toString().toLowerCase(Locale.ROOT);
        }
        return fallback == null ? null : fallback.toString();
    }

    /** The default as the agent computes with it: an Integer for a number, a Duration for a duration. */
    public Object defaultValue() {
        return fallback;
    }

    /** The smallest number a number setting takes (0 for the others). */
    public int least() {
        return least;
    }

    /** The largest number a number setting takes (0 for the others). */
    public int most() {
        return most;
    }

    /** "a whole number from 1 to 10000": the range as problem lines word it. */
    public String wholeNumber() {
        return "a whole number from " + least + " to " + most;
    }

    Duration shortest() {
        return shortest;
    }

    Duration longest() {
        return longest;
    }

    String zero() {
        return zero;
    }
}
