package io.poolagent.pool;

import io.poolagent.pgjdbc.PgjdbcNames;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Recognises the driver DataSources that open a physical connection per call (pgjdbc's
 * {@code PGSimpleDataSource} and its subclasses) and reads their JDBC URL.
 *
 * <p>Others that share pgjdbc's {@code BaseDataSource} must not be pooled: {@code PGXADataSource} and
 * {@code PGConnectionPoolDataSource} hand the connection to code that expects pgjdbc's own class, and
 * {@code PGPoolingDataSource} pools already. The answer is cached per class, so the check is one
 * {@link ClassValue} lookup per call.
 */
final class SimpleDataSources {

    static final String PG_SIMPLE = PgjdbcNames.SIMPLE_DATA_SOURCE;

    /** The bound {@code getUrl()} handle for a simple DataSource class, or null for any other class. */
    private static final ClassValue<MethodHandle> URL_GETTER = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            return isSimple(type) ? urlGetter(type) : null;
        }
    };

    private SimpleDataSources() {
    }

    /**
     * The loader of the pgjdbc this DataSource belongs to: that of its {@code BaseDataSource}, which may be
     * a parent of the DataSource's own (a web application's subclass of a container's pgjdbc).
     */
    static ClassLoader driverLoader(Object dataSource) {
        for (Class<?> c = dataSource.getClass(); c != null; c = c.getSuperclass()) {
            if (c.getName().equals(PgjdbcNames.BASE_DATA_SOURCE)) {
                return c.getClassLoader();
            }
        }
        return dataSource.getClass().getClassLoader();
    }

    /** The URL this DataSource would connect to, or null when it is not one the agent pools. */
    static String url(Object dataSource) throws Throwable {
        MethodHandle getter = URL_GETTER.get(dataSource.getClass());
        return getter == null ? null : (String) getter.invoke(dataSource);
    }

    private static boolean isSimple(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(PG_SIMPLE)) {
                return true;
            }
        }
        return false;
    }

    private static MethodHandle urlGetter(Class<?> type) {
        try {
            return MethodHandles.publicLookup().findVirtual(type, "getUrl", MethodType.methodType(String.class));
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }
}
