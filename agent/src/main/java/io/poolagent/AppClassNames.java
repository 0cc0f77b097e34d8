package io.poolagent;

/**
 * Names of the application's classes that the agent matches by name.
 *
 * <p>The shade plugin relocates every string constant that looks like a bundled package: a literal
 * {@code "com.zaxxer.hikari.pool.PoolBase"} would become {@code "io.poolagent.shaded.hikari.pool.PoolBase"}
 * in the shipped jar, and the agent would then match its own HikariCP instead of the application's.
 * Names joined at run time from their segments escape that rewriting. The agent bundles no pgjdbc, so
 * nothing relocates pgjdbc's names today; they are joined all the same, so that bundling a library under
 * that name one day cannot silently turn them into the agent's own.
 */
public final class AppClassNames {

    /** The application's HikariCP, which opens its physical connections in {@code PoolBase.newConnection}. */
    public static final String HIKARI_POOL_BASE = join("com", "zaxxer", "hikari", "pool", "PoolBase");
    /** pgjdbc's driver: every physical connect passes its {@code connect(String, Properties)}. */
    public static final String PG_DRIVER = join("org", "postgresql", "Driver");
    public static final String PG_BASE_DATA_SOURCE = join("org", "postgresql", "ds", "common", "BaseDataSource");
    public static final String PG_SIMPLE_DATA_SOURCE = join("org", "postgresql", "ds", "PGSimpleDataSource");

    private AppClassNames() {
    }

    private static String join(String... segments) {
        return String.join(".", segments);
    }
}
