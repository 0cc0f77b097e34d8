package io.poolagent;

/**
 * Names of the application's classes that the agent matches by name.
 *
 * <p>The shade plugin relocates every string constant that looks like a bundled package: a literal
 * {@code "com.zaxxer.hikari.pool.PoolBase"} would become {@code "io.poolagent.shaded.hikari.pool.PoolBase"}
 * in the shipped jar, and the agent would then match its own HikariCP instead of the application's.
 * Names joined at run time from their segments escape that rewriting.
 */
public final class AppClassNames {

    /** The application's HikariCP, which opens its physical connections in {@code PoolBase.newConnection}. */
    public static final String HIKARI_POOL_BASE = join("com", "zaxxer", "hikari", "pool", "PoolBase");
    public static final String PG_DRIVER = join("org", "postgresql", "Driver");
    public static final String PG_BASE_DATA_SOURCE = join("org", "postgresql", "ds", "common", "BaseDataSource");
    public static final String PG_SIMPLE_DATA_SOURCE = join("org", "postgresql", "ds", "PGSimpleDataSource");

    private AppClassNames() {
    }

    private static String join(String... segments) {
        return String.join(".", segments);
    }
}
