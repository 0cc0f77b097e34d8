package io.poolagent.pool;

import io.poolagent.config.JdbcUrls;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Properties;

/**
 * Identifies a pool: the JDBC URL plus every connection property, credentials included, and the class
 * loader of the driver. Two callers share a pool only when they asked for exactly the same thing, so a
 * connection opened for one user or password is never handed to a caller who asked for another, and two
 * web applications with their own pgjdbc each get connections of their own driver's classes.
 *
 * <p>Holds the password (the pool needs it to open connections); {@link #toString()} never shows it.
 */
public final class PoolKey {

    private final String url;
    /**
     * The driver's class loader, compared by identity; null in the keys of {@link CallerRoutes}, which are
     * already per caller loader.
     */
    private final ClassLoader scope;
    /** Sorted property names and values, alternating: cheap to hash and compare, independent of order. */
    private final String[] properties;
    private final int hash;

    private PoolKey(String url, String[] properties, ClassLoader scope) {
        this.url = url;
        this.properties = properties;
        this.scope = scope;
        this.hash = 31 * (31 * url.hashCode() + Arrays.hashCode(properties)) + System.identityHashCode(scope);
    }

    private static final String[] NONE = new String[0];

    /** Every property the driver will see, defaults included (drivers read them with getProperty). */
    public static PoolKey of(String url, Properties info, ClassLoader scope) {
        if (info == null || info.isEmpty() && info.stringPropertyNames().isEmpty()) {
            return new PoolKey(url, NONE, scope);
        }
        String[] names = info.stringPropertyNames().toArray(new String[0]);
        Arrays.sort(names);
        String[] flat = new String[names.length * 2];
        for (int i = 0; i < names.length; i++) {
            flat[2 * i] = names[i];
            flat[2 * i + 1] = info.getProperty(names[i]);
        }
        return new PoolKey(url, flat, scope);
    }

    /**
     * The key {@code DriverManager.getConnection(url, user, password)} and a DataSource's
     * {@code getConnection(user, password)} ask for: the same key as for a Properties holding just those
     * two, built without one, as this runs on every borrow.
     */
    public static PoolKey of(String url, String user, String password, ClassLoader scope) {
        if (user == null) {
            return new PoolKey(url, password == null ? NONE : new String[] {"password", password}, scope);
        }
        return new PoolKey(url, password == null ? new String[] {"user", user}
                : new String[] {"password", password, "user", user}, scope);
    }

    public String url() {
        return url;
    }

    ClassLoader scope() {
        return scope;
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

    /** Same URL and properties, another password: the same user after a password rotation. */
    boolean differsOnlyInPassword(PoolKey other) {
        if (scope != other.scope || !url.equals(other.url) || properties.length != other.properties.length) {
            return false;
        }
        boolean passwordDiffers = false;
        for (int i = 0; i < properties.length; i += 2) {
            if (!properties[i].equals(other.properties[i])) {
                return false;
            }
            boolean sameValue = properties[i + 1].equals(other.properties[i + 1]);
            if (properties[i].equals("password")) {
                passwordDiffers = !sameValue;
            } else if (!sameValue) {
                return false;
            }
        }
        return passwordDiffers;
    }

    /**
     * What a key is remembered by once no pool may be made for it (the pool failed, the driver refused): its
     * class loader and a salted digest of URL and properties. The key itself would keep its password for the
     * JVM's life; the digest tells the same key again, and no password can be read back from it.
     */
    Fingerprint fingerprint() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(Fingerprint.SALT);
            sha.update(url.getBytes(StandardCharsets.UTF_8));
            for (String part : properties) {
                sha.update((byte) 0); // a separator no value holds: ("ab","c") is not ("a","bc")
                sha.update(part.getBytes(StandardCharsets.UTF_8));
            }
            return new Fingerprint(scope, sha.digest());
        } catch (NoSuchAlgorithmException e) { // every JDK has SHA-256
            throw new IllegalStateException(e);
        }
    }

    /** See {@link #fingerprint()}. */
    static final class Fingerprint {
        /** Per JVM: the same key has another digest in every process. */
        private static final byte[] SALT = salt();

        private final ClassLoader scope;
        private final byte[] digest;

        private static byte[] salt() {
            byte[] salt = new byte[16];
            new SecureRandom().nextBytes(salt);
            return salt;
        }

        private Fingerprint(ClassLoader scope, byte[] digest) {
            this.scope = scope;
            this.digest = digest;
        }

        ClassLoader scope() {
            return scope;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Fingerprint && ((Fingerprint) other).scope == scope
                    && MessageDigest.isEqual(((Fingerprint) other).digest, digest);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(digest);
        }
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
        return hash == that.hash && scope == that.scope && url.equals(that.url)
                && Arrays.equals(properties, that.properties);
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

    /** Whether the application chose pgjdbc's prepareThreshold itself, in the URL or in its properties. */
    boolean prepareThresholdChosen() {
        return JdbcUrls.parameter(url(), "prepareThreshold") != null || properties().getProperty("prepareThreshold") != null;
    }
}
