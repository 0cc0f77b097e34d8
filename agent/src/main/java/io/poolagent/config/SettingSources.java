package io.poolagent.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The raw setting values and where each came from, as operators know it from the OpenTelemetry Java agent.
 * Highest first: agent arguments, system properties ({@code DB_MAX_OPEN_CONNS} is {@code -Ddb.max.open.conns}),
 * the properties file named by {@code DB_POOL_CONFIG_FILE} (keys written either way), the environment.
 * Validation is {@link Settings}' job; this class only gathers and remembers.
 */
final class SettingSources {

    static final String ENVIRONMENT = "environment";
    static final String ARGUMENT = "agent argument";

    private static final String MASK = "***";
    /**
     * What an unreadable file means: it may have held the endpoint's password or a reset mode, so the agent
     * fails closed ({@code Settings}); with DB_POOL_STRICT=true this line turns it off.
     */
    static final String WITHOUT_FILE = "using the other sources only, with the metrics endpoint off and "
            + "DB_POOL_RESET=discard, the strictest";
    /** Larger is no configuration file: someone named the wrong one. */
    static final long MAX_FILE_BYTES = 64 * 1024;

    private final Map<String, String> values = new HashMap<>();
    private final Map<String, String> origins = new HashMap<>();
    private boolean configFileUnreadable;
    /** Where a metrics password came from when that is somewhere anyone on the host can read it; else null. */
    private String passwordExposed;

    private SettingSources() {
    }

    /**
     * Reads every source once. Only the agent's own keys are looked up, one by one: a JVM's properties and
     * environment are never walked (start-up runs in every JVM of a pod), except the environment's names for
     * the misspelling check.
     */
    static SettingSources read(Map<String, String> env, Properties systemProperties, String agentArgs,
                               List<String> problems, List<String> warnings) {
        SettingSources sources = new SettingSources();
        Map<String, String> arguments = AgentArguments.parse(agentArgs, Settings.KEYS, problems);
        for (String key : Settings.KEYS) {
            sources.take(key, env.get(key), ENVIRONMENT);
        }
        warnUnknownNames(env, warnings);
        String file = configFile(arguments, systemProperties, env);
        boolean fileRead = file == null || sources.readFile(file, problems, warnings);
        for (String key : Settings.KEYS) {
            String name = propertyName(key);
            String value = systemProperties.getProperty(name);
            if (value != null) {
                sources.take(key, value, "system property " + name);
            }
        }
        if (!arguments.isEmpty()) { // no iterator classes to load in the usual JVM, which has no arguments
            for (Map.Entry<String, String> argument : arguments.entrySet()) {
                sources.take(argument.getKey(), argument.getValue(), ARGUMENT);
            }
        }
        if (!fileRead) { // after the merge: whichever source named it, an unreadable file is no setting in effect
            sources.forget(Settings.CONFIG_FILE);
            sources.configFileUnreadable = true;
        }
        String passwordOrigin = sources.origins.get(Settings.METRICS_PASSWORD);
        if (passwordOrigin != null
                && (passwordOrigin.equals(ARGUMENT) || passwordOrigin.startsWith("system property"))) {
            sources.passwordExposed = passwordOrigin;
        }
        return sources;
    }

    /** The OpenTelemetry agent's mapping: lower case, '_' becomes '.'. */
    static String propertyName(String key) {
        return key.toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** The file's name comes from any source but the file itself, highest first. */
    private static String configFile(Map<String, String> arguments, Properties systemProperties, Map<String, String> env) {
        String file = arguments.get(Settings.CONFIG_FILE);
        if (file == null) {
            file = systemProperties.getProperty(propertyName(Settings.CONFIG_FILE));
        }
        if (file == null) {
            file = env.get(Settings.CONFIG_FILE);
        }
        return file == null || file.trim().isEmpty() ? null : file.trim();
    }

    /**
     * Takes the file's known keys; false, with one problem line naming the path (never the content), if it
     * cannot be read. Only a regular file of at most {@link #MAX_FILE_BYTES} is opened: premain runs before the
     * application, and a FIFO, a device or a huge file named by mistake must not hang or exhaust the JVM.
     */
    private boolean readFile(String path, List<String> problems, List<String> warnings) {
        Properties file = new Properties();
        try {
            Path candidate = Paths.get(path);
            if (Files.exists(candidate) && (!Files.isRegularFile(candidate) || Files.size(candidate) > MAX_FILE_BYTES)) {
                problems.add(Settings.CONFIG_FILE + "=\"" + path + "\" is not a regular file of at most "
                        + MAX_FILE_BYTES / 1024 + " KiB: expected a properties file; " + WITHOUT_FILE);
                return false;
            }
            FileText.load(candidate, file);
        } catch (IOException | RuntimeException e) { // RuntimeException: a bad path, a malformed \\u escape
            problems.add(Settings.CONFIG_FILE + "=\"" + path + "\" cannot be read (" + e.getClass().getSimpleName()
                    + "): expected a readable properties file; " + WITHOUT_FILE);
            return false;
        }
        String origin = "file " + path;
        for (String key : Settings.KEYS) {
            if (!key.equals(Settings.CONFIG_FILE)) {
                String value = file.getProperty(key);
                take(key, value != null ? value : file.getProperty(propertyName(key)), origin);
            }
        }
        int unshown = 0;
        for (String name : file.stringPropertyNames()) {
            if (name.equals(Settings.CONFIG_FILE) || name.equals(propertyName(Settings.CONFIG_FILE))) {
                warnings.add(name + " in " + path + " is ignored: name the file in the environment, a system property"
                        + " or an agent argument");
            } else if (known(name)) {
                continue;
            } else if (looksLikeASettingName(name)) {
                warnings.add(name + " in " + path + " is not read by pool-agent (misspelt?); its settings are "
                        + Settings.KEYS);
            } else {
                unshown++; // a bare line of a secret file named by mistake is read as a key: never repeat it
            }
        }
        if (unshown > 0) {
            warnings.add(path + " has " + unshown + " line(s) that are no setting (not shown: the file may hold a"
                    + " secret; is it the right file?)");
        }
        return true;
    }

    /**
     * The reading itself, in a class of its own: the verifier loads the reader classes for the code that
     * uses them, and a JVM without a configuration file should not pay for that.
     */
    private static final class FileText {
        static void load(Path path, Properties into) throws IOException {
            try (InputStream in = Files.newInputStream(path)) {
                into.load(new InputStreamReader(in, StandardCharsets.UTF_8));
            }
        }
    }

    private static boolean looksLikeASettingName(String name) {
        return (name.startsWith("DB_") || name.startsWith("db.")) && name.matches("[A-Za-z0-9_.]+");
    }

    private static boolean known(String name) {
        for (String key : Settings.KEYS) {
            if (name.equals(key) || name.equals(propertyName(key))) {
                return true;
            }
        }
        return false;
    }

    /**
     * A misspelt knob would otherwise be ignored without a word. Only the agent's own prefixes are checked:
     * applications have DB_HOST, DB_USER and friends of their own.
     */
    private static void warnUnknownNames(Map<String, String> env, List<String> warnings) {
        for (String name : env.keySet()) {
            if ((name.startsWith("DB_POOL_") || name.startsWith("DB_MAX_") || name.startsWith("DB_CONN_"))
                    && !Settings.KEYS.contains(name)) {
                warnings.add(name + " is not read by pool-agent (misspelt?); its settings are " + Settings.KEYS);
            }
        }
    }

    /** Sources are taken lowest first, so a later one overrides. */
    private void take(String key, String value, String origin) {
        if (value != null) {
            values.put(key, value);
            origins.put(key, origin);
        }
    }

    /** A configuration file was named and could not be read. */
    boolean configFileUnreadable() {
        return configFileUnreadable;
    }

    /** "agent argument" or "system property db.pool.metrics.password" when the password came from there. */
    String passwordExposed() {
        return passwordExposed;
    }

    /** The raw value, as the winning source gave it, or null. */
    String value(String key) {
        return values.get(key);
    }

    /** The value was refused: it is not in effect, so the start-up line does not claim it. */
    void forget(String key) {
        origins.remove(key);
    }

    /**
     * A password inside a URL prefix of DB_POOL_URLS (unusual, but then never logged), masked as every URL the
     * agent logs. Only then is JdbcUrls loaded: its patterns would cost every JVM's start-up java.util.regex.
     */
    private static String withoutPasswords(String urls) {
        if (!urls.toLowerCase(Locale.ROOT).contains("password") && urls.indexOf('@') < 0) {
            return urls;
        }
        StringBuilder masked = new StringBuilder();
        for (String prefix : urls.split(",")) {
            masked.append(masked.length() == 0 ? "" : ",").append(JdbcUrls.mask(prefix));
        }
        return masked.toString();
    }

    /** The agent overrides the operator's value (a half-configured endpoint stays off). */
    void overrule(String key, String value) {
        values.put(key, value);
        origins.remove(key);
    }

    /**
     * "DB_MAX_OPEN_CONNS=10 (agent argument), DB_POOL_RESET=discard (file /etc/pool-agent.properties)": every
     * value in effect that is not a default, in the order of {@link Settings#KEYS}; "" when all are defaults.
     * The metrics password shows as ***.
     */
    String describe() {
        StringBuilder text = new StringBuilder();
        for (String key : Settings.KEYS) {
            String origin = origins.get(key);
            String value = origin == null ? null : values.get(key).trim();
            if (value != null && !value.isEmpty()) { // blank means the default
                text.append(text.length() == 0 ? "" : ", ").append(key).append('=')
                        .append(key.equals(Settings.METRICS_PASSWORD) ? MASK
                                : key.equals(Settings.URLS) ? withoutPasswords(value) : value)
                        .append(" (").append(origin).append(')');
            }
        }
        return text.toString();
    }
}
