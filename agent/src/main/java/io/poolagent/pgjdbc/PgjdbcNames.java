package io.poolagent.pgjdbc;

/**
 * pgjdbc's class names the agent looks for in the application. The agent relocates no pgjdbc (the doctor's
 * driver is a nested jar in a class loader of its own, under its own names), so nothing rewrites these names
 * today; they are joined from segments all the same (see {@code HikariNames}), so that relocating a library
 * under that name one day cannot silently turn them into the agent's own.
 */
public final class PgjdbcNames {

    /** pgjdbc's driver: every physical connect passes its {@code connect(String, Properties)}. */
    public static final String DRIVER = join("org", "postgresql", "Driver");
    public static final String BASE_DATA_SOURCE = join("org", "postgresql", "ds", "common", "BaseDataSource");
    public static final String SIMPLE_DATA_SOURCE = join("org", "postgresql", "ds", "PGSimpleDataSource");

    private PgjdbcNames() {
    }

    private static String join(String... segments) {
        return String.join(".", segments);
    }
}
