package io.poolagent.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads what the agent needs from a JDBC URL (host, port, database, user) and masks what it must never
 * print. Pool names become log text and metric labels, so they carry host, port, database and user,
 * never a password.
 */
public final class JdbcUrls {

    public static final String MASK = "***";
    public static final String POSTGRES_PREFIX = "jdbc:postgresql:";

    /**
     * Any parameter whose name contains "password" (password, sslpassword, ...), in ?a=b&c=d or ;a=b form. Its
     * value is masked to the next '&' or the end: pgjdbc splits parameters at '&' only, so a ';' or '?' is part of
     * the value. In a ';'-separated URL of another driver that masks the parameters after it too: too much, never
     * too little.
     */
    private static final Pattern SECRET_PARAMETER =
            Pattern.compile("(?i)([?&;][^=&;?]*password[^=&;?]*=)[^&]*");
    /**
     * user:password@ in the authority part (jdbc:postgresql://user:secret@host/db): masked to the last '@' of the
     * URL, wherever the password's own characters would end it.
     */
    private static final Pattern USER_INFO = Pattern.compile("(?s)(//[^/:@?;]*:).*@");

    private JdbcUrls() {
    }

    public static boolean isPostgres(String url) {
        return url.startsWith(POSTGRES_PREFIX);
    }

    public static String mask(String url) {
        if (url == null) {
            return null;
        }
        String masked = SECRET_PARAMETER.matcher(url).replaceAll("$1" + MASK);
        return USER_INFO.matcher(masked).replaceAll("$1" + MASK + "@");
    }

    /** Property names whose values are never shown: passwords, tokens, secrets, keys. */
    public static boolean isSecret(String propertyName) {
        String name = propertyName.toLowerCase(Locale.ROOT);
        return name.contains("password") || name.contains("token") || name.contains("secret") || name.contains("key");
    }

    /**
     * The value of a URL parameter as written (not decoded), or null. Parameters follow the first '?' (or ';', the
     * form of other drivers' URLs) and are separated by '&' or ';'.
     */
    public static String parameter(String url, String name) {
        for (String pair : parameters(url)) {
            if (nameOf(pair).equals(name) && pair.indexOf('=') >= 0) {
                return valueOf(pair);
            }
        }
        return null;
    }

    /** A URL parameter's value as the driver reads it (percent-decoded), or null. */
    public static String decodedParameter(String url, String name) {
        String value = parameter(url, name);
        if (value == null) {
            return null;
        }
        try {
            return URLDecoder.decode(value, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return value; // a stray %: taken as it is
        }
    }

    /** Whether any parameter's name, in any case, has "password" in it (password, sslpassword, ...). */
    public static boolean hasPasswordParameter(String url) {
        for (String pair : parameters(url)) {
            if (nameOf(pair).toLowerCase(Locale.ROOT).contains("password")) {
                return true;
            }
        }
        return false;
    }

    /** The URL without any {@code name=...} parameter in its {@code ?a=b&c=d} part. */
    public static String withoutParameter(String url, String name) {
        int query = url.indexOf('?');
        if (query < 0) {
            return url;
        }
        StringBuilder kept = new StringBuilder();
        for (String parameter : url.substring(query + 1).split("&", -1)) {
            if (!nameOf(parameter).equals(name) && !parameter.isEmpty()) {
                kept.append(kept.length() == 0 ? "" : "&").append(parameter);
            }
        }
        return url.substring(0, query) + (kept.length() == 0 ? "" : "?" + kept);
    }

    /**
     * The same PostgreSQL URL to another server: {@code hostPort} in place of its host or hosts, the database and
     * parameters kept ({@code jdbc:postgresql:db} gets {@code //hostPort/} before its database).
     */
    public static String withServer(String url, String hostPort) {
        String rest = url.substring(POSTGRES_PREFIX.length());
        if (!rest.startsWith("//")) {
            return POSTGRES_PREFIX + "//" + hostPort + "/" + rest;
        }
        int end = 2;
        while (end < rest.length() && "/?".indexOf(rest.charAt(end)) < 0) {
            end++;
        }
        return POSTGRES_PREFIX + "//" + hostPort + rest.substring(end);
    }

    /**
     * What stands between {@code //} and the path or parameters: {@code host:port} (or {@code h1:p1,h2:p2}), and a
     * {@code user:password@} part if someone wrote one; empty for {@code jdbc:postgresql:database}.
     */
    public static String authority(String url) {
        int start = url.indexOf("//");
        if (start < 0) {
            return "";
        }
        int end = start + 2;
        while (end < url.length() && "/?".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        return url.substring(start + 2, end);
    }

    private static List<String> parameters(String url) {
        int start = firstOf(url, '?', ';');
        List<String> pairs = new ArrayList<>();
        int from = start + 1;
        while (start >= 0 && from <= url.length()) {
            int end = firstOf(url.substring(from), '&', ';');
            String pair = end < 0 ? url.substring(from) : url.substring(from, from + end);
            if (!pair.isEmpty()) {
                pairs.add(pair);
            }
            from = end < 0 ? url.length() + 1 : from + end + 1;
        }
        return pairs;
    }

    private static String nameOf(String pair) {
        int equals = pair.indexOf('=');
        return equals < 0 ? pair : pair.substring(0, equals);
    }

    private static String valueOf(String pair) {
        return pair.substring(pair.indexOf('=') + 1);
    }

    /** The first index of either character, or -1. */
    private static int firstOf(String text, char one, char other) {
        int a = text.indexOf(one);
        int b = text.indexOf(other);
        return a < 0 ? b : b < 0 ? a : Math.min(a, b);
    }

    /**
     * A readable, secret-free name: {@code user@host:port/database}. PostgreSQL URLs get their default
     * host and port filled in; other URLs keep what follows the scheme, without parameters or credentials.
     */
    public static String poolName(String url, String user) {
        String target = isPostgres(url) ? postgresTarget(url) : otherTarget(url);
        return user == null || user.isEmpty() ? target : user + "@" + target;
    }

    /** The server part of a PostgreSQL URL, "host:port" (or "h1:p1,h2:p2"), for what is said once per server. */
    public static String server(String url) {
        String target = postgresTarget(url);
        return target.substring(0, target.lastIndexOf('/'));
    }

    private static String postgresTarget(String url) {
        String rest = stripParameters(url.substring(POSTGRES_PREFIX.length()));
        if (!rest.startsWith("//")) {
            return "localhost:5432/" + rest;
        }
        rest = stripUserInfo(rest.substring(2));
        int slash = rest.indexOf('/');
        String hosts = slash < 0 ? rest : rest.substring(0, slash);
        String database = slash < 0 ? "" : rest.substring(slash + 1);
        StringBuilder withPorts = new StringBuilder();
        for (String host : (hosts.isEmpty() ? "localhost" : hosts).split(",")) {
            boolean hasPort = host.lastIndexOf(':') > host.lastIndexOf(']');
            withPorts.append(withPorts.length() == 0 ? "" : ",").append(host).append(hasPort ? "" : ":5432");
        }
        return withPorts + "/" + database;
    }

    private static String otherTarget(String url) {
        String rest = url.startsWith("jdbc:") ? url.substring("jdbc:".length()) : url;
        int scheme = rest.indexOf("//");
        String target = scheme < 0 ? rest : rest.substring(0, scheme) + stripUserInfo(rest.substring(scheme + 2));
        return stripParameters(target);
    }

    private static String stripParameters(String text) {
        int end = firstOf(text, '?', ';');
        return end < 0 ? text : text.substring(0, end);
    }

    private static String stripUserInfo(String authorityAndPath) {
        int slash = authorityAndPath.indexOf('/');
        int at = authorityAndPath.indexOf('@');
        return at >= 0 && (slash < 0 || at < slash) ? authorityAndPath.substring(at + 1) : authorityAndPath;
    }
}
