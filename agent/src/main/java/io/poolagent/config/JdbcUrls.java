package io.poolagent.config;

import java.util.Locale;
import java.util.regex.Matcher;
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

    /** The value of a URL parameter (?name=value or ;name=value), or null. */
    public static String parameter(String url, String name) {
        Matcher m = Pattern.compile("[?&;]" + Pattern.quote(name) + "=([^&;]*)").matcher(url);
        return m.find() ? m.group(1) : null;
    }

    /** A URL parameter's value as the driver reads it (percent-decoded), or null. */
    public static String decodedParameter(String url, String name) {
        String value = parameter(url, name);
        if (value == null) {
            return null;
        }
        try {
            return java.net.URLDecoder.decode(value, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return value;
        }
    }

    /** The URL without any {@code name=...} parameter in its {@code ?a=b&c=d} part. */
    public static String withoutParameter(String url, String name) {
        int query = url.indexOf('?');
        if (query < 0) {
            return url;
        }
        StringBuilder kept = new StringBuilder();
        for (String parameter : url.substring(query + 1).split("&", -1)) {
            if (!parameter.startsWith(name + "=") && !parameter.isEmpty()) {
                kept.append(kept.length() == 0 ? "" : "&").append(parameter);
            }
        }
        return url.substring(0, query) + (kept.length() == 0 ? "" : "?" + kept);
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
        int end = text.length();
        for (char c : new char[] {'?', ';'}) {
            int at = text.indexOf(c);
            if (at >= 0 && at < end) {
                end = at;
            }
        }
        return text.substring(0, end);
    }

    private static String stripUserInfo(String authorityAndPath) {
        int slash = authorityAndPath.indexOf('/');
        int at = authorityAndPath.indexOf('@');
        return at >= 0 && (slash < 0 || at < slash) ? authorityAndPath.substring(at + 1) : authorityAndPath;
    }
}
