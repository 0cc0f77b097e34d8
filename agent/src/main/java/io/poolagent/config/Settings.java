package io.poolagent.config;

import io.poolagent.log.AgentLog;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The agent's effective settings, read once at start-up from the environment and the agent arguments
 * ({@code -javaagent:pool-agent.jar=KEY=VALUE;KEY=VALUE}; arguments win). Immutable.
 *
 * <p>A bad value never stops the agent: it produces one problem line naming the setting, the value and
 * the expected form, and that one setting falls back to its default.
 */
public final class Settings {

    public static final String ENABLED = "DB_POOL_ENABLED";
    public static final String URLS = "DB_POOL_URLS";
    public static final String MAX_OPEN = "DB_MAX_OPEN_CONNS";
    public static final String MAX_IDLE = "DB_MAX_IDLE_CONNS";
    public static final String MAX_LIFETIME = "DB_CONN_MAX_LIFETIME";
    public static final String MAX_IDLE_TIME = "DB_CONN_MAX_IDLE_TIME";
    public static final String ACQUIRE_TIMEOUT = "DB_POOL_ACQUIRE_TIMEOUT";
    public static final String RESET = "DB_POOL_RESET";
    public static final String RESET_TIMEOUT = "DB_POOL_RESET_TIMEOUT";
    public static final String LOG_LEVEL = "DB_POOL_LOG_LEVEL";
    public static final String CONNECT_RETRIES = "DB_POOL_CONNECT_RETRIES";
    public static final String CONNECT_BACKOFF = "DB_POOL_CONNECT_BACKOFF";
    public static final String CONNECT_BACKOFF_MAX = "DB_POOL_CONNECT_BACKOFF_MAX";
    public static final String METRICS_PORT = "DB_POOL_METRICS_PORT";
    public static final String METRICS_HOST = "DB_POOL_METRICS_HOST";

    /** Clear of jmx_exporter (9404), OpenTelemetry (9464), postgres_exporter (9187) and the usual 8080. */
    public static final int DEFAULT_METRICS_PORT = 9433;

    static final List<String> KEYS = List.of(ENABLED, URLS, MAX_OPEN, MAX_IDLE, MAX_LIFETIME, MAX_IDLE_TIME,
            ACQUIRE_TIMEOUT, RESET, RESET_TIMEOUT, LOG_LEVEL, CONNECT_RETRIES, CONNECT_BACKOFF, CONNECT_BACKOFF_MAX,
            METRICS_PORT, METRICS_HOST);

    /** HikariCP silently replaces shorter values with its 30-minute default; we refuse them instead. */
    static final Duration MIN_LIFETIME = Duration.ofSeconds(30);
    /** HikariCP silently replaces shorter values with its 10-minute default. */
    static final Duration MIN_IDLE_TIME = Duration.ofSeconds(10);
    /** HikariCP's floor for connectionTimeout. */
    static final Duration MIN_ACQUIRE_TIMEOUT = Duration.ofMillis(250);
    /** A reset is one round trip; shorter would close healthy sessions on a busy network. */
    static final Duration MIN_RESET_TIMEOUT = Duration.ofMillis(100);
    /** Shorter back-off steps would just be a busy loop against a server that is not there. */
    static final Duration MIN_BACKOFF = Duration.ofMillis(10);

    private final boolean enabled;
    private final List<String> urlPrefixes;
    private final int maxOpen;
    private final int maxIdle;
    private final Duration maxLifetime;
    private final Duration maxIdleTime;
    private final Duration acquireTimeout;
    private final ResetMode reset;
    private final Duration resetTimeout;
    private final AgentLog.Level logLevel;
    private final int connectRetries;
    private final Duration connectBackoff;
    private final Duration connectBackoffMax;
    private final int metricsPort;
    private final String metricsHost;
    private final List<String> problems;
    private final List<String> warnings;
    /** The last URL {@link #pools} accepted; a racy one-entry cache is fine for an answer that never changes. */
    private volatile String lastPooledUrl;

    private Settings(Reader in) {
        enabled = in.bool(ENABLED, true);
        urlPrefixes = in.urlPrefixes(URLS, List.of("jdbc:postgresql:"));
        maxOpen = in.count(MAX_OPEN, 25, 1, "a whole number >= 1, like 25 (Go's 0 = unlimited cannot be pooled)");
        maxIdle = in.maxIdle(maxOpen);
        maxLifetime = in.duration(MAX_LIFETIME, Duration.ofMinutes(5), MIN_LIFETIME, true);
        maxIdleTime = in.duration(MAX_IDLE_TIME, Duration.ofMinutes(2), MIN_IDLE_TIME, true);
        acquireTimeout = in.duration(ACQUIRE_TIMEOUT, Duration.ofSeconds(30), MIN_ACQUIRE_TIMEOUT, false);
        reset = in.choice(RESET, ResetMode.TRACKED, ResetMode::valueOf, "tracked, discard or off");
        resetTimeout = in.duration(RESET_TIMEOUT, Duration.ofSeconds(5), MIN_RESET_TIMEOUT, false);
        logLevel = in.choice(LOG_LEVEL, AgentLog.Level.INFO, AgentLog.Level::valueOf, "error, warn, info, debug or off");
        connectRetries = in.count(CONNECT_RETRIES, 5, 0, "a whole number >= 0, like 5 (0 = fail at once)");
        connectBackoff = in.duration(CONNECT_BACKOFF, Duration.ofSeconds(1), MIN_BACKOFF, false);
        connectBackoffMax = in.backoffMax(connectBackoff);
        metricsPort = in.port(METRICS_PORT, DEFAULT_METRICS_PORT);
        metricsHost = in.host(METRICS_HOST, "0.0.0.0");
        in.warnIneffectiveIdleTime(maxIdle, maxOpen, maxIdleTime, maxLifetime);
        problems = Collections.unmodifiableList(in.problems);
        warnings = Collections.unmodifiableList(in.warnings);
    }

    /** Reads the settings; {@code problems()} lists what was wrong with them. */
    public static Settings load(Map<String, String> env, String agentArgs) {
        Map<String, String> values = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (String key : KEYS) {
            String value = env.get(key);
            if (value != null) {
                values.put(key, value);
            }
        }
        values.putAll(AgentArguments.parse(agentArgs, KEYS, problems));
        return new Settings(new Reader(values, problems));
    }

    public static Settings defaults() {
        return load(Map.of(), null);
    }

    /** True when connections to this JDBC URL should be pooled (DB_POOL_URLS). */
    public boolean pools(String url) {
        if (url == lastPooledUrl) {
            return true; // applications pass the same URL string on every call: skip the prefix scan
        }
        for (String prefix : urlPrefixes) {
            if (url.startsWith(prefix)) {
                lastPooledUrl = url;
                return true;
            }
        }
        return false;
    }

    public boolean enabled() {
        return enabled;
    }

    public List<String> urlPrefixes() {
        return urlPrefixes;
    }

    public int maxOpen() {
        return maxOpen;
    }

    public int maxIdle() {
        return maxIdle;
    }

    public Duration maxLifetime() {
        return maxLifetime;
    }

    public Duration maxIdleTime() {
        return maxIdleTime;
    }

    public Duration acquireTimeout() {
        return acquireTimeout;
    }

    public ResetMode reset() {
        return reset;
    }

    /** The network timeout of the return path's reset: a session that does not answer within it is closed. */
    public Duration resetTimeout() {
        return resetTimeout;
    }

    public AgentLog.Level logLevel() {
        return logLevel;
    }

    /** How often a pool retries its first connect after a transient failure (retries, not attempts). */
    public int connectRetries() {
        return connectRetries;
    }

    /** The delay before the first retry; it doubles for each further one. */
    public Duration connectBackoff() {
        return connectBackoff;
    }

    /** The cap on the doubling delay. */
    public Duration connectBackoffMax() {
        return connectBackoffMax;
    }

    /** The metrics endpoint's port: 0 for any free port, -1 when DB_POOL_METRICS_PORT=off. */
    public int metricsPort() {
        return metricsPort;
    }

    public String metricsHost() {
        return metricsHost;
    }

    /** Bad values, one line each; each named setting fell back to its default. */
    public List<String> problems() {
        return problems;
    }

    /** Valid values that will not do what the operator probably expects. */
    public List<String> warnings() {
        return warnings;
    }

    /** The seeds' start-up line, "MaxOpen=25, MaxIdle=10, MaxLifetime=5m, MaxIdleTime=2m", and ours. */
    public String describe() {
        return "MaxOpen=" + maxOpen + ", MaxIdle=" + maxIdle
                + ", MaxLifetime=" + GoDuration.format(maxLifetime)
                + ", MaxIdleTime=" + GoDuration.format(maxIdleTime)
                + ", AcquireTimeout=" + GoDuration.format(acquireTimeout)
                + ", Reset=" + reset
                + ", ConnectRetries=" + connectRetries
                + (connectRetries == 0 ? "" : ", Backoff=" + GoDuration.format(connectBackoff) + ".."
                        + GoDuration.format(connectBackoffMax));
    }

    /** Parses raw values, collecting one problem line per bad one. */
    private static final class Reader {
        private final Map<String, String> values;
        private final List<String> problems;
        private final List<String> warnings = new ArrayList<>();

        Reader(Map<String, String> values, List<String> problems) {
            this.values = values;
            this.problems = problems;
        }

        private String raw(String key) {
            String value = values.get(key);
            return value == null || value.trim().isEmpty() ? null : value.trim();
        }

        private void reject(String key, String value, String expected, Object fallback) {
            problems.add(key + "=\"" + value + "\" is not valid: expected " + expected
                    + "; using the default " + fallback);
        }

        boolean bool(String key, boolean fallback) {
            String value = raw(key);
            if (value == null) {
                return fallback;
            }
            if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(value.toLowerCase(Locale.ROOT));
            }
            reject(key, value, "true or false", fallback);
            return fallback;
        }

        List<String> urlPrefixes(String key, List<String> fallback) {
            String value = raw(key);
            if (value == null) {
                return fallback;
            }
            List<String> prefixes = new ArrayList<>();
            for (String part : value.split(",")) {
                String prefix = part.trim();
                if (!prefix.startsWith("jdbc:") || prefix.length() <= "jdbc:".length()) {
                    reject(key, value, "comma-separated JDBC URL prefixes, like jdbc:postgresql:", fallback.get(0));
                    return fallback;
                }
                prefixes.add(prefix);
            }
            return List.copyOf(prefixes);
        }

        int count(String key, int fallback, int min, String expected) {
            return count(key, fallback, min, expected, Integer.MAX_VALUE);
        }

        int count(String key, int fallback, int min, String expected, int max) {
            String value = raw(key);
            if (value == null) {
                return fallback;
            }
            try {
                int number = Integer.parseInt(value);
                if (number >= min && number <= max) {
                    return number;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            reject(key, value, expected, fallback);
            return fallback;
        }

        /** Go clips MaxIdle to MaxOpen silently; a value above MaxOpen is almost surely a typo, so say so. */
        int maxIdle(int maxOpen) {
            int fallback = Math.min(10, maxOpen);
            int idle = count(MAX_IDLE, fallback, 0, "a whole number from 0 to DB_MAX_OPEN_CONNS (" + maxOpen + ")");
            if (idle > maxOpen) {
                reject(MAX_IDLE, String.valueOf(idle), "a whole number from 0 to DB_MAX_OPEN_CONNS (" + maxOpen + ")",
                        fallback);
                return fallback;
            }
            return idle;
        }

        Duration duration(String key, Duration fallback, Duration min, boolean zeroAllowed) {
            String value = raw(key);
            if (value == null) {
                return fallback;
            }
            String expected = "a Go duration like 90s, 5m or 1h30m, at least " + GoDuration.format(min)
                    + (zeroAllowed ? " (or 0 for no limit)" : "");
            try {
                Duration parsed = GoDuration.parse(value);
                if ((zeroAllowed && parsed.isZero()) || parsed.compareTo(min) >= 0) {
                    return parsed;
                }
            } catch (IllegalArgumentException e) {
                // reported below
            }
            reject(key, value, expected, GoDuration.format(fallback));
            return fallback;
        }

        /** The cap defaults to 16s, as in the seeds' 1s, 2s, 4s, 8s, 16s, but never below the first delay. */
        Duration backoffMax(Duration initial) {
            Duration fallback = initial.compareTo(Duration.ofSeconds(16)) > 0 ? initial : Duration.ofSeconds(16);
            return duration(CONNECT_BACKOFF_MAX, fallback, initial, false);
        }

        int port(String key, int fallback) {
            String value = raw(key);
            if (value != null && value.equalsIgnoreCase("off")) {
                return -1;
            }
            return count(key, fallback, 0, "a TCP port from 0 (any free port) to 65535, or off", 65535);
        }

        /** A host name or address to bind; checked for form only, so that start-up never waits on DNS. */
        String host(String key, String fallback) {
            String value = raw(key);
            if (value == null) {
                return fallback;
            }
            if (value.matches("[A-Za-z0-9.:\\-]+")) {
                return value;
            }
            reject(key, value, "a host name or IP address to listen on, like 0.0.0.0 or 127.0.0.1", fallback);
            return fallback;
        }

        <T> T choice(String key, T fallback, java.util.function.Function<String, T> parse, String expected) {
            String value = raw(key);
            if (value == null) {
                return fallback;
            }
            try {
                return parse.apply(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                reject(key, value, expected, fallback.toString().toLowerCase(Locale.ROOT));
                return fallback;
            }
        }

        /** HikariCP ignores idleTimeout for a fixed-size pool and within a second of maxLifetime. */
        void warnIneffectiveIdleTime(int maxIdle, int maxOpen, Duration idleTime, Duration lifetime) {
            if (idleTime.isZero() || raw(MAX_IDLE_TIME) == null) {
                return;
            }
            if (maxIdle == maxOpen) {
                warnings.add(MAX_IDLE_TIME + " has no effect while " + MAX_IDLE + " equals " + MAX_OPEN
                        + " (" + maxOpen + "): the pool keeps every connection it opens");
            } else if (!lifetime.isZero() && idleTime.plusSeconds(1).compareTo(lifetime) > 0) {
                warnings.add(MAX_IDLE_TIME + " (" + GoDuration.format(idleTime) + ") has no effect: it is not"
                        + " shorter than " + MAX_LIFETIME + " (" + GoDuration.format(lifetime) + ")");
            }
        }
    }

    @Override
    public String toString() {
        return describe() + ", Urls=" + urlPrefixes + ", Enabled=" + enabled;
    }
}
