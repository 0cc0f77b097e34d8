package io.poolagent.config;

import io.poolagent.log.AgentLog;
import io.poolagent.config.JdbcUrls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The agent's effective settings, read once at start-up from, highest first, the agent arguments
 * ({@code -javaagent:pool-agent.jar=KEY=VALUE;KEY=VALUE}), system properties ({@code -Ddb.max.open.conns=10}),
 * the file named by DB_POOL_CONFIG_FILE and the environment ({@link SettingSources}).
 *
 * <p>A bad value never stops the agent unless DB_POOL_STRICT=true: it produces one problem line naming the
 * setting, the value and the expected form (a password is never repeated), and that one setting falls back
 * to its default.
 * Every number and duration has a range; durations are Go's syntax in whole milliseconds, the resolution
 * HikariCP works in, so that "0.1ns" cannot quietly round to 0 ("no limit").
 */
public final class Settings {

    public static final String ENABLED = "DB_POOL_ENABLED";
    public static final String URLS = "DB_POOL_URLS";
    public static final String MAX_OPEN = "DB_MAX_OPEN_CONNS";
    public static final String MAX_IDLE = "DB_MAX_IDLE_CONNS";
    public static final String MAX_LIFETIME = "DB_CONN_MAX_LIFETIME";
    public static final String MAX_IDLE_TIME = "DB_CONN_MAX_IDLE_TIME";
    public static final String MIN_IDLE = "DB_POOL_MIN_IDLE";
    public static final String ACQUIRE_TIMEOUT = "DB_POOL_ACQUIRE_TIMEOUT";
    public static final String RESET = "DB_POOL_RESET";
    public static final String RESET_TIMEOUT = "DB_POOL_RESET_TIMEOUT";
    public static final String PGBOUNCER = "DB_POOL_PGBOUNCER";
    public static final String LOG_LEVEL = "DB_POOL_LOG_LEVEL";
    public static final String CONNECT_RETRIES = "DB_POOL_CONNECT_RETRIES";
    public static final String CONNECT_BACKOFF = "DB_POOL_CONNECT_BACKOFF";
    public static final String CONNECT_BACKOFF_MAX = "DB_POOL_CONNECT_BACKOFF_MAX";
    public static final String UNUSED_TIMEOUT = "DB_POOL_UNUSED_TIMEOUT";
    public static final String LEAK_DETECTION = "DB_POOL_LEAK_DETECTION";
    public static final String METRICS_PORT = "DB_POOL_METRICS_PORT";
    public static final String METRICS_HOST = "DB_POOL_METRICS_HOST";
    public static final String METRICS_USER = "DB_POOL_METRICS_USER";
    public static final String METRICS_PASSWORD = "DB_POOL_METRICS_PASSWORD";
    public static final String METRICS_PASSWORD_FILE = "DB_POOL_METRICS_PASSWORD_FILE";
    public static final String METRICS_AT_START = "DB_POOL_METRICS_AT_START";
    public static final String CONFIG_FILE = "DB_POOL_CONFIG_FILE";
    public static final String STRICT = "DB_POOL_STRICT";
    public static final String LOG_FORMAT = "DB_POOL_LOG_FORMAT";
    public static final String HEADROOM = "DB_POOL_HEADROOM";
    public static final String SERVICE = "DB_POOL_SERVICE";
    public static final String SHARE_WEIGHT = "DB_POOL_SHARE_WEIGHT";
    public static final String SHARE_PERIOD = "DB_POOL_SHARE_PERIOD";
    public static final String MIN_OPEN = "DB_POOL_MIN_OPEN";
    public static final String MAX_OPEN_CAP = "DB_POOL_MAX_OPEN_CAP";
    /** DB_MAX_OPEN_CONNS=auto: the pool takes its share of the server (see {@link ShareSettings}). */
    public static final String AUTO = "auto";

    /** Clear of jmx_exporter (9404), OpenTelemetry (9464), postgres_exporter (9187) and the usual 8080. */
    public static final int DEFAULT_METRICS_PORT = 9433;

    static final List<String> KEYS = List.of(ENABLED, URLS, MAX_OPEN, MAX_IDLE, MAX_LIFETIME, MAX_IDLE_TIME,
            MIN_IDLE, ACQUIRE_TIMEOUT, RESET, RESET_TIMEOUT, PGBOUNCER, LOG_LEVEL, CONNECT_RETRIES, CONNECT_BACKOFF, CONNECT_BACKOFF_MAX,
            UNUSED_TIMEOUT, LEAK_DETECTION, METRICS_PORT, METRICS_HOST, METRICS_USER, METRICS_PASSWORD,
            METRICS_PASSWORD_FILE, METRICS_AT_START, CONFIG_FILE, STRICT, LOG_FORMAT, HEADROOM, SERVICE, SHARE_WEIGHT,
            SHARE_PERIOD, MIN_OPEN, MAX_OPEN_CAP);
    private static final List<String> SHARE_KEYS = List.of(HEADROOM, SERVICE, SHARE_WEIGHT, SHARE_PERIOD, MIN_OPEN,
            MAX_OPEN_CAP);

    /** A pool larger than this is a typo: PostgreSQL itself is rarely run with more connections in all. */
    public static final int MAX_POOL_SIZE = 10_000;
    static final int MAX_RETRIES = 100;
    /** HikariCP silently replaces shorter values with its 30-minute default; we refuse them instead. */
    static final Duration MIN_LIFETIME = Duration.ofSeconds(30);
    /** HikariCP silently replaces shorter values with its 10-minute default. */
    static final Duration MIN_IDLE_TIME = Duration.ofSeconds(10);
    static final Duration MAX_CONNECTION_AGE = Duration.ofHours(24);
    /** HikariCP's floor for connectionTimeout. */
    static final Duration MIN_ACQUIRE_TIMEOUT = Duration.ofMillis(250);
    static final Duration MAX_ACQUIRE_TIMEOUT = Duration.ofMinutes(10);
    /** A reset is one round trip; shorter would close healthy sessions on a busy network. */
    static final Duration MIN_RESET_TIMEOUT = Duration.ofMillis(100);
    static final Duration MAX_RESET_TIMEOUT = Duration.ofMinutes(1);
    /** The largest secret file read: a password, not a document. */
    static final int MAX_SECRET_BYTES = 4096;
    /** Shorter back-off steps would just be a busy loop against a server that is not there. */
    static final Duration MIN_BACKOFF = Duration.ofMillis(10);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(10);
    static final Duration MAX_BACKOFF_CAP = Duration.ofHours(1);
    static final Duration MIN_UNUSED_TIMEOUT = Duration.ofSeconds(1);
    static final Duration MAX_UNUSED_TIMEOUT = Duration.ofDays(7);
    static final Duration MIN_LEAK_DETECTION = Duration.ofSeconds(1);
    /** Counting the server's sessions more often than this would cost the server more than it tells. */
    static final Duration MIN_SHARE_PERIOD = Duration.ofSeconds(1);
    static final Duration MAX_SHARE_PERIOD = Duration.ofMinutes(10);
    public static final int MAX_WEIGHT = 100;

    private final boolean enabled;
    private final List<String> urlPrefixes;
    private final int maxOpen;
    /** Null unless DB_MAX_OPEN_CONNS=auto. */
    private final ShareSettings share;
    private final int maxIdle;
    private final int minIdle;
    private final Duration maxLifetime;
    private final Duration maxIdleTime;
    private final Duration acquireTimeout;
    private final ResetMode reset;
    private final Duration resetTimeout;
    private final PoolerMode pooler;
    private final AgentLog.Level logLevel;
    private final AgentLog.Format logFormat;
    private final boolean strict;
    private final int connectRetries;
    private final Duration connectBackoff;
    private final Duration connectBackoffMax;
    private final Duration unusedTimeout;
    private final Duration leakDetection;
    private final int metricsPort;
    private final String metricsHost;
    private final boolean metricsAtStart;
    private final String metricsUser;
    private final String metricsPassword;
    private final List<String> problems;
    private final List<String> warnings;
    private final SettingSources sources;
    /** The last URL {@link #pools} accepted; a racy one-entry cache is fine for an answer that never changes. */
    private volatile String lastPooledUrl;

    private Settings(Reader in) {
        in.failClosedWithoutTheConfigFile();
        enabled = in.bool(ENABLED, true);
        urlPrefixes = in.urlPrefixes(URLS, List.of("jdbc:postgresql:"));
        share = in.auto() ? in.share() : in.noShare();
        maxOpen = share != null ? share.ceiling() : in.count(MAX_OPEN, 25, 1, MAX_POOL_SIZE, "a whole number from 1 to "
                + MAX_POOL_SIZE + ", like 25, or auto for a share of the server (Go's 0 = unlimited cannot be pooled)");
        maxIdle = in.count(MAX_IDLE, Math.min(10, maxOpen), 0, maxOpen,
                "a whole number from 0 to DB_MAX_OPEN_CONNS (" + maxOpen + ")");
        maxLifetime = in.duration(MAX_LIFETIME, Duration.ofMinutes(5), MIN_LIFETIME, MAX_CONNECTION_AGE, "0 for no limit");
        maxIdleTime = in.duration(MAX_IDLE_TIME, Duration.ofMinutes(2), MIN_IDLE_TIME, MAX_CONNECTION_AGE, "0 for no limit");
        minIdle = in.count(MIN_IDLE, 0, 0, maxIdle, "a whole number from 0 to DB_MAX_IDLE_CONNS (" + maxIdle + ")");
        acquireTimeout = in.duration(ACQUIRE_TIMEOUT, Duration.ofSeconds(30), MIN_ACQUIRE_TIMEOUT, MAX_ACQUIRE_TIMEOUT, null);
        // A misspelt reset mode guards data: it gets the strictest mode, never the default or a weaker one.
        reset = in.choice(RESET, ResetMode.FULL, ResetMode.STRICTEST, "full, discard, tracked or off");
        resetTimeout = in.duration(RESET_TIMEOUT, Duration.ofSeconds(5), MIN_RESET_TIMEOUT, MAX_RESET_TIMEOUT, null);
        pooler = in.choice(PGBOUNCER, PoolerMode.AUTO, "auto, transaction, session or off");
        logLevel = in.choice(LOG_LEVEL, AgentLog.Level.INFO, "error, warn, info, debug or off");
        logFormat = in.choice(LOG_FORMAT, AgentLog.Format.TEXT, "text or json");
        connectRetries = in.count(CONNECT_RETRIES, 5, 0, MAX_RETRIES,
                "a whole number from 0 to " + MAX_RETRIES + ", like 5 (0 = fail at once)");
        connectBackoff = in.duration(CONNECT_BACKOFF, Duration.ofSeconds(1), MIN_BACKOFF, MAX_BACKOFF, null);
        connectBackoffMax = in.duration(CONNECT_BACKOFF_MAX, max(connectBackoff, Duration.ofSeconds(16)), connectBackoff,
                MAX_BACKOFF_CAP, null);
        unusedTimeout = in.duration(UNUSED_TIMEOUT, Duration.ofMinutes(10), MIN_UNUSED_TIMEOUT, MAX_UNUSED_TIMEOUT,
                "0 to keep unused pools");
        leakDetection = in.leakDetection(maxLifetime);
        String[] credentials = in.metricsCredentials(); // first: half a configuration turns the port off
        metricsUser = credentials == null ? null : credentials[0];
        metricsPassword = credentials == null ? null : credentials[1];
        metricsHost = in.host(METRICS_HOST, "0.0.0.0"); // before the port: a bad address turns it off
        metricsPort = in.port(METRICS_PORT, DEFAULT_METRICS_PORT);
        metricsAtStart = in.bool(METRICS_AT_START, false);
        strict = in.bool(STRICT, false);
        in.warnIneffectiveIdleTime(minIdle, maxOpen, maxIdleTime, maxLifetime);
        problems = Collections.unmodifiableList(in.problems);
        warnings = Collections.unmodifiableList(in.warnings);
        sources = in.sources;
    }

    /** Reads the settings from every source; {@code problems()} lists what was wrong with them. */
    public static Settings load(Map<String, String> env, Properties systemProperties, String agentArgs) {
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        SettingSources sources = SettingSources.read(env, systemProperties, agentArgs, problems, warnings);
        return new Settings(new Reader(sources, problems, warnings, env.get("HOSTNAME")));
    }

    /** The environment and the agent arguments only, as if no system property were set. */
    public static Settings load(Map<String, String> env, String agentArgs) {
        return load(env, new Properties(), agentArgs);
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

    /** The prefixes as a log line may show them: a prefix may hold a whole URL, password included. */
    public List<String> maskedUrlPrefixes() {
        List<String> masked = new ArrayList<>(urlPrefixes.size());
        for (String prefix : urlPrefixes) {
            masked.add(JdbcUrls.mask(prefix));
        }
        return masked;
    }

    /** DB_MAX_OPEN_CONNS; with {@code auto}, the most the pool may ever reach (DB_POOL_MAX_OPEN_CAP or the limit). */
    public int maxOpen() {
        return maxOpen;
    }

    /** How the pool takes its share of the server; null unless DB_MAX_OPEN_CONNS=auto. */
    public ShareSettings share() {
        return share;
    }

    /** Go's MaxIdleConns: a ceiling. A returned connection beyond this many idle ones is closed at once. */
    public int maxIdle() {
        return maxIdle;
    }

    /** A warm floor the pool opens ahead of demand and keeps (HikariCP's minimumIdle); Go has none, so 0. */
    public int minIdle() {
        return minIdle;
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

    /**
     * The reset the pools run: as configured, except through a transaction-mode pooler, where it would clean a
     * server session the next borrower will probably not get. A transaction left open is rolled back still.
     */
    public ResetMode effectiveReset() {
        return pooler == PoolerMode.TRANSACTION ? ResetMode.OFF : reset;
    }

    /** The network timeout of the return path's reset: a session that does not answer within it is closed. */
    public Duration resetTimeout() {
        return resetTimeout;
    }

    /** What stands between the pools and PostgreSQL: detected ({@code auto}) or as the operator says. */
    public PoolerMode pooler() {
        return pooler;
    }

    public AgentLog.Level logLevel() {
        return logLevel;
    }

    /** Text lines or one JSON object per line, for log shippers. */
    public AgentLog.Format logFormat() {
        return logFormat;
    }

    /** DB_POOL_STRICT: any bad setting disables the agent instead of falling back to its default. */
    public boolean strict() {
        return strict;
    }

    /** True when strict mode must disable the agent: a half-understood configuration pools nothing. */
    public boolean strictFailure() {
        return strict && !problems.isEmpty();
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

    /** A pool nobody borrowed from for this long is closed and forgotten, credentials included; 0 = never. */
    public Duration unusedTimeout() {
        return unusedTimeout;
    }

    /** A connection borrowed for longer than this is reported as a possible leak; 0 = off. */
    public Duration leakDetection() {
        return leakDetection;
    }

    /** The metrics endpoint's port: 0 for any free port, -1 when DB_POOL_METRICS_PORT=off. */
    public int metricsPort() {
        return metricsPort;
    }

    public String metricsHost() {
        return metricsHost;
    }

    /** Open the endpoint a second after the JVM starts, not after its first pool: for probes that point at it. */
    public boolean metricsAtStart() {
        return metricsAtStart;
    }

    /** Basic-auth user for /metrics and /pools, or null for none. */
    public String metricsUser() {
        return metricsUser;
    }

    /** Its password; never logged. */
    public String metricsPassword() {
        return metricsPassword;
    }

    /** Bad values, one line each; each named setting fell back to its default. */
    public List<String> problems() {
        return problems;
    }

    /** Valid values that will not do what the operator probably expects. */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * Where each value in effect that is not a default came from, for the pool's ready line:
     * "DB_MAX_OPEN_CONNS=10 (agent argument), DB_POOL_RESET=discard (file /etc/pool-agent.properties)";
     * "" when every setting is a default. The metrics password shows as ***.
     */
    public String origins() {
        return sources.describe();
    }

    /** The Go services' start-up line, "MaxOpen=25, MaxIdle=10, MaxLifetime=5m, MaxIdleTime=2m", and ours. */
    public String describe() {
        return "MaxOpen=" + (share == null ? String.valueOf(maxOpen) : AUTO + " (" + share + ")") + ", MaxIdle=" + maxIdle
                + ", MaxLifetime=" + GoDuration.format(maxLifetime)
                + ", MaxIdleTime=" + GoDuration.format(maxIdleTime)
                + (minIdle == 0 ? "" : ", MinIdle=" + minIdle)
                + ", AcquireTimeout=" + GoDuration.format(acquireTimeout)
                + ", Reset=" + effectiveReset() + (effectiveReset() == reset ? "" : " (" + PGBOUNCER + "=transaction)")
                + ", ConnectRetries=" + connectRetries
                + (connectRetries == 0 ? "" : ", Backoff=" + GoDuration.format(connectBackoff) + ".."
                        + GoDuration.format(connectBackoffMax));
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** Parses raw values, collecting one problem line per bad one. */
    private static final class Reader {
        private final SettingSources sources;
        private final List<String> problems;
        private final List<String> warnings;
        private final String host;

        Reader(SettingSources sources, List<String> problems, List<String> warnings, String host) {
            this.sources = sources;
            this.problems = problems;
            this.warnings = warnings;
            this.host = host;
        }

        boolean auto() {
            String value = raw(MAX_OPEN);
            return value != null && value.equalsIgnoreCase(AUTO);
        }

        ShareSettings share() {
            int slots = -1;
            int percent = -1;
            String headroom = raw(HEADROOM);
            if (headroom != null) {
                boolean isPercent = headroom.endsWith("%");
                int value = count(HEADROOM, -1, 0, isPercent ? ShareSettings.MAX_HEADROOM_PERCENT : MAX_POOL_SIZE, "a number of connections like 10,"
                        + " or a percentage of the server's budget from 0% to 90% like 15%", "max(12, 10%)",
                        isPercent ? headroom.substring(0, headroom.length() - 1).trim() : headroom);
                if (isPercent) {
                    percent = value;
                } else {
                    slots = value;
                }
            }
            String service = raw(SERVICE);
            if (service != null && !ServiceName.valid(service)) {
                reject(SERVICE, service, "1 to " + ServiceName.MAX_LENGTH + " letters, digits, '.', '_' or '-'",
                        "from the host name");
                service = null;
            }
            int weight = count(SHARE_WEIGHT, 1, 1, MAX_WEIGHT, "a whole number from 1 to " + MAX_WEIGHT
                    + ", like 2 for a service whose instances count twice");
            int minOpen = count(MIN_OPEN, 1, 1, MAX_POOL_SIZE, "a whole number from 1 to " + MAX_POOL_SIZE);
            int cap = count(MAX_OPEN_CAP, 0, 0, MAX_POOL_SIZE, "a whole number from " + minOpen + " ("
                    + MIN_OPEN + ") to " + MAX_POOL_SIZE + ", or 0 for none");
            if (cap > 0 && cap < minOpen) {
                reject(MAX_OPEN_CAP, raw(MAX_OPEN_CAP), "at least " + MIN_OPEN + " (" + minOpen + ")", "none");
                cap = 0;
            }
            Duration period = duration(SHARE_PERIOD, Duration.ofSeconds(10), MIN_SHARE_PERIOD, MAX_SHARE_PERIOD, null);
            return new ShareSettings(slots, percent, service != null ? service : ServiceName.fromHost(host), weight,
                    minOpen, cap, period);
        }

        /** A fixed DB_MAX_OPEN_CONNS: the share settings do nothing, which their author should hear. */
        ShareSettings noShare() {
            for (String key : SHARE_KEYS) {
                if (raw(key) != null) {
                    warnings.add(key + " has no effect unless " + MAX_OPEN + "=" + AUTO);
                }
            }
            return null;
        }

        private String raw(String key) {
            String value = sources.value(key);
            return value == null || value.trim().isEmpty() ? null : value.trim();
        }

        private void reject(String key, String value, String expected, Object fallback) {
            problems.add(key + "=\"" + value + "\" is not valid: expected " + expected + "; using the default " + fallback);
            sources.forget(key);
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
                    reject(key, JdbcUrls.mask(value), "comma-separated JDBC URL prefixes, like jdbc:postgresql:",
                            fallback.get(0));
                    return fallback;
                }
                prefixes.add(prefix);
            }
            return List.copyOf(prefixes);
        }

        int count(String key, int fallback, int min, int max, String expected) {
            return count(key, fallback, min, max, expected, fallback, raw(key));
        }

        /** {@code value} is what to parse (a part of the raw value); the problem line shows the raw value. */
        private int count(String key, int fallback, int min, int max, String expected, Object shownFallback,
                          String value) {
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
            reject(key, raw(key), expected, shownFallback);
            return fallback;
        }

        /**
         * A Go duration in whole milliseconds from {@code min} to {@code max}; {@code zeroMeans}, when not
         * null, allows 0 and says what it means.
         */
        Duration duration(String key, Duration fallback, Duration min, Duration max, String zeroMeans) {
            String value = raw(key);
            if (value == null) {
                return fallback;
            }
            try {
                Duration parsed = GoDuration.parse(value);
                boolean wholeMillis = parsed.toNanos() % 1_000_000 == 0;
                if (wholeMillis && (parsed.isZero() ? zeroMeans != null
                        : parsed.compareTo(min) >= 0 && parsed.compareTo(max) <= 0)) {
                    return parsed;
                }
            } catch (IllegalArgumentException e) {
                // reported below
            }
            reject(key, value, "a Go duration like 90s, 5m or 1h30m, in whole milliseconds, from "
                    + GoDuration.format(min) + " to " + GoDuration.format(max)
                    + (zeroMeans == null ? "" : " (or " + zeroMeans + ")"), GoDuration.format(fallback));
            return fallback;
        }

        /** Off by default; "off" or 0 turn it off; HikariCP-style, it must be shorter than the lifetime. */
        Duration leakDetection(Duration lifetime) {
            String value = raw(LEAK_DETECTION);
            if (value != null && value.equalsIgnoreCase("off")) {
                return Duration.ZERO;
            }
            Duration max = lifetime.isZero() ? MAX_CONNECTION_AGE : lifetime;
            return duration(LEAK_DETECTION, Duration.ZERO, MIN_LEAK_DETECTION, max, "off");
        }

        int port(String key, int fallback) {
            String value = raw(key);
            if (value != null && value.equalsIgnoreCase("off")) {
                return -1;
            }
            return count(key, fallback, 0, 65535, "a TCP port from 0 (any free port) to 65535, or off");
        }

        /**
         * An address to listen on, IPv6 in brackets too ([::1]); checked for form only, so that start-up never
         * waits on DNS. A value that is none turns the endpoint off: it was meant to limit who can reach it, and
         * the default listens on every interface.
         */
        String host(String key, String fallback) {
            String value = raw(key);
            if (value == null && sources.value(key) == null) {
                return fallback;
            }
            value = value == null ? "" : value; // set, but blank: as much no address as any other
            String host = value.startsWith("[") && value.endsWith("]") ? value.substring(1, value.length() - 1) : value;
            if (!host.isEmpty() && host.matches("[A-Za-z0-9.:\\-]+")) {
                return host;
            }
            problems.add(key + "=\"" + value + "\" is not valid: expected a host name or IP address to listen on, like"
                    + " 127.0.0.1, ::1 or [::1]; the metrics endpoint stays off rather than listen on every interface");
            sources.forget(key);
            sources.overrule(METRICS_PORT, "off");
            return fallback;
        }

        /**
         * A configuration file that was named but cannot be read may have held the endpoint's password or a
         * reset mode: without it, the endpoint stays off and the reset is the strictest, as its problem line
         * says. (With DB_POOL_STRICT=true that line turns the agent off.)
         */
        void failClosedWithoutTheConfigFile() {
            if (sources.configFileUnreadable()) {
                sources.overrule(METRICS_PORT, "off");
                sources.overrule(RESET, "discard");
            }
        }

        <T extends Enum<T>> T choice(String key, T fallback, String expected) {
            return choice(key, fallback, fallback, expected);
        }

        /** {@code unset} when the setting is absent; {@code invalid}, with its problem line, when it is no choice. */
        <T extends Enum<T>> T choice(String key, T unset, T invalid, String expected) {
            String value = raw(key);
            if (value == null) {
                return unset;
            }
            try {
                return Enum.valueOf(unset.getDeclaringClass(), value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problems.add(key + "=\"" + value + "\" is not valid: expected " + expected + "; using "
                        + (invalid == unset ? "the default " : "the strictest, ")
                        + invalid.toString().toLowerCase(Locale.ROOT));
                sources.overrule(key, invalid.toString().toLowerCase(Locale.ROOT));
                return invalid;
            }
        }

        /**
         * {user, password} for the endpoint's basic auth, or null for none. Half a configuration turns the
         * endpoint off rather than leaving it open; no line ever repeats a password.
         */
        String[] metricsCredentials() {
            String user = raw(METRICS_USER);
            String password = sources.value(METRICS_PASSWORD);
            String file = raw(METRICS_PASSWORD_FILE);
            if (user == null && password == null && file == null) {
                return null;
            }
            if (file != null && password != null) {
                return refuseEndpoint("set " + METRICS_PASSWORD + " or " + METRICS_PASSWORD_FILE + ", not both");
            }
            if (sources.passwordExposed() != null) {
                return refuseEndpoint(METRICS_PASSWORD + " was given as " + sources.passwordExposed() + ", which ps,"
                        + " jcmd and the JVM's start-up line show: set it in the environment or in "
                        + METRICS_PASSWORD_FILE);
            }
            if (file != null) {
                try {
                    Path path = Paths.get(file);
                    // A FIFO or a device would hang the application's start-up; a large file is no password.
                    if (!Files.isRegularFile(path) || Files.size(path) > MAX_SECRET_BYTES) {
                        return refuseEndpoint(METRICS_PASSWORD_FILE + "=\"" + file + "\" is not a regular file of at"
                                + " most " + MAX_SECRET_BYTES + " bytes");
                    }
                    password = stripLineEnd(new String(Files.readAllBytes(path), StandardCharsets.UTF_8));
                } catch (IOException | RuntimeException e) {
                    return refuseEndpoint(METRICS_PASSWORD_FILE + "=\"" + file + "\" cannot be read ("
                            + e.getClass().getSimpleName() + ")");
                }
            }
            if (user == null || user.contains(":")) {
                return refuseEndpoint(METRICS_USER + " must name a user without ':' when a metrics password is set");
            }
            if (password == null || password.isEmpty()) {
                return refuseEndpoint(METRICS_USER + " is set but the password is empty or missing ("
                        + METRICS_PASSWORD + " or " + METRICS_PASSWORD_FILE + ")");
            }
            return new String[] {user, password};
        }

        private String[] refuseEndpoint(String why) {
            problems.add(why + "; the metrics endpoint stays off rather than open to anyone");
            sources.overrule(METRICS_PORT, "off");
            sources.forget(METRICS_USER); // none of them is in effect
            sources.forget(METRICS_PASSWORD);
            sources.forget(METRICS_PASSWORD_FILE);
            return null;
        }

        private static String stripLineEnd(String text) {
            int end = text.length();
            while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
                end--;
            }
            return text.substring(0, end);
        }

        /** HikariCP ignores idleTimeout when the floor is the whole pool and within a second of maxLifetime. */
        void warnIneffectiveIdleTime(int minIdle, int maxOpen, Duration idleTime, Duration lifetime) {
            if (idleTime.isZero() || raw(MAX_IDLE_TIME) == null) {
                return;
            }
            if (minIdle == maxOpen) {
                warnings.add(MAX_IDLE_TIME + " has no effect while " + MIN_IDLE + " equals " + MAX_OPEN
                        + " (" + maxOpen + "): the pool keeps every connection it opens");
            } else if (!lifetime.isZero() && idleTime.plusSeconds(1).compareTo(lifetime) > 0) {
                warnings.add(MAX_IDLE_TIME + " (" + GoDuration.format(idleTime) + ") has no effect: it is not"
                        + " shorter than " + MAX_LIFETIME + " (" + GoDuration.format(lifetime) + ")");
            }
        }
    }

    @Override
    public String toString() {
        return describe() + ", Urls=" + maskedUrlPrefixes() + ", Enabled=" + enabled;
    }
}
