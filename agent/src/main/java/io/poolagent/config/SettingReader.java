package io.poolagent.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns the raw values of {@link SettingSources} into typed ones by the catalogue ({@link Setting}), collecting one
 * problem line per bad value: it names the setting, the value and the expected form, and the setting falls back
 * to its default. A refused value is forgotten by the sources, so that the ready line does not claim it.
 */
final class SettingReader {

    final List<String> problems;
    final List<String> warnings;
    final SettingSources sources;

    SettingReader(SettingSources sources, List<String> problems, List<String> warnings) {
        this.sources = sources;
        this.problems = problems;
        this.warnings = warnings;
    }

    /** The value, trimmed, or null when it is absent or blank (blank means the default). */
    String raw(Setting setting) {
        String value = sources.value(setting.key());
        return value == null || value.trim().isEmpty() ? null : value.trim();
    }

    void reject(Setting setting, String value, String expected, Object fallback) {
        problems.add(setting.key() + "=\"" + value + "\" is not valid: expected " + expected + "; using the default "
                + fallback);
        sources.forget(setting.key());
    }

    boolean bool(Setting setting) {
        boolean fallback = (Boolean) setting.defaultValue();
        String value = raw(setting);
        if (value == null) {
            return fallback;
        }
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value.toLowerCase(Locale.ROOT));
        }
        reject(setting, value, "true or false", fallback);
        return fallback;
    }

    List<String> urlPrefixes(Setting setting) {
        String fallback = setting.defaultText();
        String value = raw(setting);
        if (value == null) {
            return List.of(fallback);
        }
        List<String> prefixes = new ArrayList<>();
        for (String part : value.split(",")) {
            String prefix = part.trim();
            if (!prefix.startsWith("jdbc:") || prefix.length() <= "jdbc:".length()) {
                reject(setting, JdbcUrls.mask(value), "comma-separated JDBC URL prefixes, like jdbc:postgresql:",
                        fallback);
                return List.of(fallback);
            }
            prefixes.add(prefix);
        }
        return List.copyOf(prefixes);
    }

    /**
     * Comma-separated {@code host:port} (IPv6 as {@code [::1]:5432}), each port from 1 to 65535; a bad list is
     * none at all, the safe side: reads stay on the primary. A value with {@code @} may hold a password and is
     * not repeated.
     */
    List<String> hostPorts(Setting setting) {
        String value = raw(setting);
        if (value == null) {
            return List.of();
        }
        List<String> hostPorts = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            String hostPort = part.trim();
            if (!isHostPort(hostPort)) {
                reject(setting, value.indexOf('@') >= 0 ? "(not shown: it holds an @)" : value,
                        "comma-separated host:port pairs, like replica-1:5432,replica-2:5432", "none");
                return List.of();
            }
            if (!hostPorts.contains(hostPort)) {
                hostPorts.add(hostPort);
            }
        }
        return List.copyOf(hostPorts);
    }

    private static boolean isHostPort(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            return false;
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[")) {
            if (!host.endsWith("]") || host.length() < 3) {
                return false;
            }
            host = host.substring(1, host.length() - 1);
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 128 || c == '.' || c == '-' || c == '_' || c == ':')) {
                return false;
            }
        }
        if (host.indexOf(':') >= 0 && !text.startsWith("[")) {
            return false;
        }
        try {
            int port = Integer.parseInt(text.substring(colon + 1));
            return port >= 1 && port <= 65535;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** A whole number within the catalogue's range, else its default. */
    int count(Setting setting, String expected) {
        return count(setting, (Integer) setting.defaultValue(), setting.most(), expected);
    }

    /** A whole number from the catalogue's least to {@code most}, which another setting may narrow. */
    int count(Setting setting, int fallback, int most, String expected) {
        return count(setting, fallback, setting.least(), most, expected, fallback, raw(setting));
    }

    /** {@code value} is what to parse (a part of the raw value); the problem line shows the raw value. */
    int count(Setting setting, int fallback, int least, int most, String expected, Object shownFallback,
              String value) {
        if (value == null) {
            return fallback;
        }
        try {
            int number = Integer.parseInt(value);
            if (number >= least && number <= most) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        reject(setting, raw(setting), expected, shownFallback);
        return fallback;
    }

    /** A duration within the catalogue's range, else its default. */
    Duration duration(Setting setting) {
        return duration(setting, (Duration) setting.defaultValue(), setting.shortest(), setting.longest());
    }

    /**
     * A Go duration in whole milliseconds from {@code min} to {@code max}, or 0 where the catalogue says what 0
     * means.
     */
    Duration duration(Setting setting, Duration fallback, Duration min, Duration max) {
        String value = raw(setting);
        if (value == null) {
            return fallback;
        }
        String zeroMeans = setting.zero();
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
        reject(setting, value, "a Go duration like 90s, 5m or 1h30m, in whole milliseconds, from "
                + GoDuration.format(min) + " to " + GoDuration.format(max)
                + (zeroMeans == null ? "" : " (or " + zeroMeans + ")"), GoDuration.format(fallback));
        return fallback;
    }

    /** Off by default; "off" or 0 turn it off; HikariCP-style, it must be shorter than the lifetime. */
    Duration leakDetection(Duration lifetime) {
        Setting leak = Setting.LEAK_DETECTION;
        String value = raw(leak);
        if (value != null && value.equalsIgnoreCase("off")) {
            return Duration.ZERO;
        }
        return duration(leak, Duration.ZERO, leak.shortest(), lifetime.isZero() ? leak.longest() : lifetime);
    }

    /** A port, 0 for any free one; -1 for "off". */
    int port(Setting setting) {
        String value = raw(setting);
        if (value != null && value.equalsIgnoreCase("off")) {
            return -1;
        }
        return count(setting, "a TCP port from " + setting.least() + " (any free port) to " + setting.most()
                + ", or off");
    }

    /**
     * An address to listen on, IPv6 in brackets too ([::1]); checked for form only, so that start-up never
     * waits on DNS. A value that is none turns the endpoint off: it was meant to limit who can reach it, and
     * the default listens on every interface.
     */
    String host(Setting setting) {
        String fallback = setting.defaultText();
        String value = raw(setting);
        if (value == null && sources.value(setting.key()) == null) {
            return fallback;
        }
        value = value == null ? "" : value; // set, but blank: as much no address as any other
        String host = value.startsWith("[") && value.endsWith("]") ? value.substring(1, value.length() - 1) : value;
        if (isAddress(host)) {
            return host;
        }
        problems.add(setting.key() + "=\"" + value + "\" is not valid: expected a host name or IP address to listen"
                + " on, like 127.0.0.1, ::1 or [::1]; the metrics endpoint stays off rather than listen on every"
                + " interface");
        sources.forget(setting.key());
        sources.overrule(Settings.METRICS_PORT, "off");
        return fallback;
    }

    /** Letters, digits, '.', ':' and '-' only: a name or an address, never a mask, a zone or a command. */
    private static boolean isAddress(String host) {
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == ':'
                    || c == '-')) {
                return false;
            }
        }
        return !host.isEmpty();
    }

    /**
     * A configuration file that was named but cannot be read may have held the endpoint's password or a
     * reset mode: without it, the endpoint stays off and the reset is the strictest, as its problem line
     * says. (With DB_POOL_STRICT=true that line turns the agent off.)
     */
    void failClosedWithoutTheConfigFile() {
        if (sources.configFileUnreadable()) {
            sources.overrule(Settings.METRICS_PORT, "off");
            sources.overrule(Settings.RESET, ResetMode.STRICTEST.toString());
        }
    }

    <T extends Enum<T>> T choice(Setting setting, String expected) {
        @SuppressWarnings("unchecked")
        T fallback = (T) setting.defaultValue();
        return choice(setting, fallback, expected);
    }

    /** The default when the setting is absent; {@code invalid}, with its problem line, when it is no choice. */
    <T extends Enum<T>> T choice(Setting setting, T invalid, String expected) {
        @SuppressWarnings("unchecked")
        T unset = (T) setting.defaultValue();
        String value = raw(setting);
        if (value == null) {
            return unset;
        }
        try {
            return Enum.valueOf(unset.getDeclaringClass(), value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            problems.add(setting.key() + "=\"" + value + "\" is not valid: expected " + expected + "; using "
                    + (invalid == unset ? "the default " : "the strictest, ")
                    + invalid.toString().toLowerCase(Locale.ROOT));
            sources.overrule(setting.key(), invalid.toString().toLowerCase(Locale.ROOT));
            return invalid;
        }
    }

    /** DB_MAX_OPEN_CONNS=auto, in any case. */
    boolean auto() {
        String value = raw(Setting.MAX_OPEN);
        return value != null && value.equalsIgnoreCase(Settings.AUTO);
    }

    /** A fixed DB_MAX_OPEN_CONNS: the share settings do nothing, which their author should hear. */
    ShareSettings noShare() {
        Setting[] share = {Setting.HEADROOM, Setting.SERVICE, Setting.SHARE_WEIGHT, Setting.SHARE_PERIOD,
                Setting.MIN_OPEN, Setting.MAX_OPEN_CAP};
        for (Setting setting : share) {
            if (raw(setting) != null) {
                warnings.add(setting.key() + " has no effect unless " + Settings.MAX_OPEN + "=" + Settings.AUTO);
            }
        }
        return null;
    }

    /** HikariCP ignores idleTimeout when the floor is the whole pool and within a second of maxLifetime. */
    void warnIneffectiveIdleTime(int minIdle, int maxOpen, Duration idleTime, Duration lifetime) {
        if (idleTime.isZero() || raw(Setting.MAX_IDLE_TIME) == null) {
            return;
        }
        if (minIdle == maxOpen) {
            warnings.add(Settings.MAX_IDLE_TIME + " has no effect while " + Settings.MIN_IDLE + " equals "
                    + Settings.MAX_OPEN + " (" + maxOpen + "): the pool keeps every connection it opens");
        } else if (!lifetime.isZero() && idleTime.plusSeconds(1).compareTo(lifetime) > 0) {
            warnings.add(Settings.MAX_IDLE_TIME + " (" + GoDuration.format(idleTime) + ") has no effect: it is not"
                    + " shorter than " + Settings.MAX_LIFETIME + " (" + GoDuration.format(lifetime) + ")");
        }
    }
}
