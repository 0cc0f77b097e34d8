package io.poolagent.pool;

import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Identifies a pool: the JDBC URL plus every connection property, credentials included. Two callers
 * share a pool only when they asked for exactly the same thing, so a connection opened for one user or
 * password is never handed to a caller who asked for another.
 *
 * <p>Holds the password (the pool needs it to open connections); {@link #toString()} never shows it.
 */
public final class PoolKey {

    private final String url;
    /** Sorted property names and values, alternating: cheap to hash and compare, independent of order. */
    private final String[] properties;
    private final int hash;

    private PoolKey(String url, String[] properties) {
        this.url = url;
        this.properties = properties;
        this.hash = 31 * url.hashCode() + Arrays.hashCode(properties);
    }

    public static PoolKey of(String url, Properties info) {
        if (info == null || info.isEmpty()) {
            return new PoolKey(url, new String[0]);
        }
        Map<String, String> sorted = new TreeMap<>();
        for (String name : info.stringPropertyNames()) {
            sorted.put(name, info.getProperty(name));
        }
        String[] flat = new String[sorted.size() * 2];
        int i = 0;
        for (Map.Entry<String, String> entry : sorted.entrySet()) {
            flat[i++] = entry.getKey();
            flat[i++] = entry.getValue();
        }
        return new PoolKey(url, flat);
    }

    public static PoolKey of(String url, String user, String password) {
        Properties info = new Properties();
        if (user != null) {
            info.setProperty("user", user);
        }
        if (password != null) {
            info.setProperty("password", password);
        }
        return of(url, info);
    }

    public String url() {
        return url;
    }

    /** A fresh copy for the driver: drivers may modify what they are given. */
    public Properties properties() {
        Properties info = new Properties();
        for (int i = 0; i < properties.length; i += 2) {
            info.setProperty(properties[i], properties[i + 1]);
        }
        return info;
    }

    /** The user the connection logs in as, from the properties or else from the URL. */
    public String user() {
        for (int i = 0; i < properties.length; i += 2) {
            if (properties[i].equals("user")) {
                return properties[i + 1];
            }
        }
        return JdbcUrls.parameter(url, "user");
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof PoolKey)) {
            return false;
        }
        PoolKey that = (PoolKey) other;
        return hash == that.hash && url.equals(that.url) && Arrays.equals(properties, that.properties);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(JdbcUrls.mask(url)).append(" {");
        for (int i = 0; i < properties.length; i += 2) {
            String value = JdbcUrls.isSecret(properties[i]) ? JdbcUrls.MASK : properties[i + 1];
            text.append(i == 0 ? "" : ", ").append(properties[i]).append('=').append(value);
        }
        return text.append('}').toString();
    }
}
