package io.poolagent.config;

import io.poolagent.log.AgentLog;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The agent's effective settings, read once at start-up from, highest first, the agent arguments
 * ({@code -javaagent:pool-agent.jar=KEY=VALUE;KEY=VALUE}), system properties ({@code -Ddb.max.open.conns=10}),
 * the file named by DB_POOL_CONFIG_FILE and the environment ({@link SettingSources}), each parsed by the
 * catalogue ({@link Setting}) that names its default and range.
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
    public static final String READ_REPLICAS = "DB_READ_REPLICAS";
    public static final String READ_REPLICA_MAX_LAG = "DB_READ_REPLICA_MAX_LAG";
    public static final String READ_REPLICA_MAX_OPEN = "DB_READ_REPLICA_MAX_OPEN_CONNS";
    /** DB_MAX_OPEN_CONNS=auto: the pool takes its share of the server (see {@link ShareSettings}). */
    public static final String AUTO = "auto";

    /** Clear of jmx_exporter (9404), OpenTelemetry (9464), postgres_exporter (9187) and the usual 8080. */
    public static final int DEFAULT_METRICS_PORT = 9433;

    /** A pool larger than this is a typo: PostgreSQL itself is rarely run with more connections in all. */
    public static final int MAX_POOL_SIZE = 10_000;
    public static final int MAX_WEIGHT = 100;

    /** Every setting's name, in the catalogue's order (the it module's manifest check reads this field). */
    static final List<String> KEYS = Setting.keys();

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
    /** host:port of each standby that read-only work may go to; empty when off. */
    private final List<String> readReplicas;
    private final Duration replicaMaxLag;
    private final int replicaMaxOpen;
    /** True for the settings of a replica's pool ({@link #forReplicas}): no primary to watch, no replicas of its own. */
    private final boolean replicaPool;
    private final List<String> problems;
    private final List<String> warnings;
    private final SettingSources sources;
    /** The last URL {@link #pools} accepted; a racy one-entry cache is fine for an answer that never changes. */
    private volatile String lastPooledUrl;

    private Settings(SettingReader in, String host) {
        in.failClosedWithoutTheConfigFile();
        enabled = in.bool(Setting.ENABLED);
        urlPrefixes = in.urlPrefixes(Setting.URLS);
        share = in.auto() ? ShareSettings.read(in, host) : in.noShare();
        maxOpen = share != null ? share.ceiling() : in.count(Setting.MAX_OPEN, Setting.MAX_OPEN.wholeNumber()
                + ", like 25, or auto for a share of the server (Go's 0 = unlimited cannot be pooled)");
        maxIdle = in.count(Setting.MAX_IDLE, Math.min((Integer) Setting.MAX_IDLE.defaultValue(), maxOpen), maxOpen,
                "a whole number from 0 to " + MAX_OPEN + " (" + maxOpen + ")");
        maxLifetime = in.duration(Setting.MAX_LIFETIME);
        maxIdleTime = in.duration(Setting.MAX_IDLE_TIME);
        minIdle = in.count(Setting.MIN_IDLE, (Integer) Setting.MIN_IDLE.defaultValue(), maxIdle,
                "a whole number from 0 to " + MAX_IDLE + " (" + maxIdle + ")");
        acquireTimeout = in.duration(Setting.ACQUIRE_TIMEOUT);
        // A misspelt reset mode guards data: it gets the strictest mode, never the default or a weaker one.
        reset = in.choice(Setting.RESET, ResetMode.STRICTEST, "full, discard, tracked or off");
        resetTimeout = in.duration(Setting.RESET_TIMEOUT);
        pooler = in.choice(Setting.PGBOUNCER, "auto, transaction, session or off");
        logLevel = in.choice(Setting.LOG_LEVEL, "error, warn, info, debug or off");
        logFormat = in.choice(Setting.LOG_FORMAT, "text or json");
        connectRetries = in.count(Setting.CONNECT_RETRIES, Setting.CONNECT_RETRIES.wholeNumber()
                + ", like 5 (0 = fail at once)");
        connectBackoff = in.duration(Setting.CONNECT_BACKOFF);
        Setting backoffMax = Setting.CONNECT_BACKOFF_MAX;
        connectBackoffMax = in.duration(backoffMax, max(connectBackoff, (Duration) backoffMax.defaultValue()),
                connectBackoff, backoffMax.longest());
        unusedTimeout = in.duration(Setting.UNUSED_TIMEOUT);
        leakDetection = in.leakDetection(maxLifetime);
        // First: half a configuration turns the port off. Most JVMs set none of it and never load the reading.
        MetricsCredentials credentials = endpointAuthGiven(in) ? MetricsCredentials.read(in) : null;
        metricsUser = credentials == null ? null : credentials.user;
        metricsPassword = credentials == null ? null : credentials.password;
        metricsHost = in.host(Setting.METRICS_HOST); // before the port: a bad address turns it off
        metricsPort = in.port(Setting.METRICS_PORT);
        metricsAtStart = in.bool(Setting.METRICS_AT_START);
        strict = in.bool(Setting.STRICT);
        readReplicas = in.hostPorts(Setting.READ_REPLICAS);
        replicaMaxLag = in.duration(Setting.READ_REPLICA_MAX_LAG);
        int primarySize = share != null ? share.fallbackSize() : maxOpen;
        replicaMaxOpen = in.count(Setting.READ_REPLICA_MAX_OPEN, primarySize, Setting.READ_REPLICA_MAX_OPEN.most(),
                Setting.READ_REPLICA_MAX_OPEN.wholeNumber());
        replicaPool = false;
        in.warnIneffectiveIdleTime(minIdle, maxOpen, maxIdleTime, maxLifetime);
        problems = Collections.unmodifiableList(in.problems);
        warnings = Collections.unmodifiableList(in.warnings);
        sources = in.sources;
    }

    /** A replica's pool: the primary's settings, sized by DB_READ_REPLICA_MAX_OPEN_CONNS, never share-sized. */
    private Settings(Settings primary) {
        enabled = primary.enabled;
        urlPrefixes = primary.urlPrefixes;
        share = null;
        maxOpen = primary.replicaMaxOpen;
        maxIdle = Math.min(primary.maxIdle, maxOpen);
        minIdle = Math.min(primary.minIdle, maxIdle);
        maxLifetime = primary.maxLifetime;
        maxIdleTime = primary.maxIdleTime;
        acquireTimeout = primary.acquireTimeout;
        reset = primary.reset;
        resetTimeout = primary.resetTimeout;
        pooler = primary.pooler;
        logLevel = primary.logLevel;
        logFormat = primary.logFormat;
        strict = primary.strict;
        connectRetries = primary.connectRetries;
        connectBackoff = primary.connectBackoff;
        connectBackoffMax = primary.connectBackoffMax;
        unusedTimeout = primary.unusedTimeout;
        leakDetection = primary.leakDetection;
        metricsPort = primary.metricsPort;
        metricsHost = primary.metricsHost;
        metricsAtStart = primary.metricsAtStart;
        metricsUser = primary.metricsUser;
        metricsPassword = primary.metricsPassword;
        readReplicas = List.of();
        replicaMaxLag = primary.replicaMaxLag;
        replicaMaxOpen = maxOpen;
        replicaPool = true;
        problems = primary.problems;
        warnings = primary.warnings;
        sources = primary.sources;
    }

    /** The settings of the pool of each of {@link #readReplicas()}. */
    public Settings forReplicas() {
        return new Settings(this);
    }

    private static boolean endpointAuthGiven(SettingReader in) {
        return in.raw(Setting.METRICS_USER) != null || in.sources.value(METRICS_PASSWORD) != null
                || in.raw(Setting.METRICS_PASSWORD_FILE) != null;
    }

    /** Reads the settings from every source; {@code problems()} lists what was wrong with them. */
    public static Settings load(Map<String, String> env, Properties systemProperties, String agentArgs) {
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        SettingSources sources = SettingSources.read(env, systemProperties, agentArgs, problems, warnings);
        return new Settings(new SettingReader(sources, problems, warnings), env.get("HOSTNAME"));
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

    /**
     * DB_READ_REPLICAS: the standbys ({@code host:port}) that work on a read-only connection may run on, with
     * the database, user and password of the primary's URL; empty when off.
     */
    public List<String> readReplicas() {
        return readReplicas;
    }

    /** DB_READ_REPLICA_MAX_LAG: a standby further behind than this gets no reads. */
    public Duration replicaMaxLag() {
        return replicaMaxLag;
    }

    /** DB_READ_REPLICA_MAX_OPEN_CONNS: the size of each replica's pool; by default the primary's. */
    public int replicaMaxOpen() {
        return replicaMaxOpen;
    }

    /** True for a replica's pool: it watches no primary and routes no reads. */
    public boolean replicaPool() {
        return replicaPool;
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

    @Override
    public String toString() {
        return describe() + ", Urls=" + maskedUrlPrefixes() + ", Enabled=" + enabled;
    }
}
