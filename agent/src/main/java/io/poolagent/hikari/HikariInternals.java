package io.poolagent.hikari;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import com.zaxxer.hikari.pool.ProxyConnection;
import io.poolagent.log.AgentLog;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * What the agent asks of its own HikariCP beyond its public API. Above all "close this connection when it is
 * handed back instead of taking it back". HikariCP's {@code evictConnection} closes
 * a handle not yet closed at once, under the borrower's feet; marking its pool entry evicted makes
 * {@code HikariPool.recycle} close it on return, without a reset. Both members are package-private in
 * HikariCP 7.1 ({@code ProxyConnection.getPoolEntry()}, {@code PoolEntry.markEvicted()}); the agent ships
 * that version, and {@code HikariInternalsTest} pins them.
 */
public final class HikariInternals {

    private static final MethodHandle MARK_EVICTED = markEvicted();

    private HikariInternals() {
    }

    public static boolean available() {
        return MARK_EVICTED != null;
    }

    /** Has HikariCP close {@code handle}'s connection when it comes back; no effect on other objects. */
    public static void closeOnReturn(Connection handle) {
        if (MARK_EVICTED != null && handle instanceof ProxyConnection) {
            try {
                MARK_EVICTED.invoke((ProxyConnection) handle);
            } catch (Throwable t) {
                AgentLog.debug("could not mark a connection for closing: " + t);
            }
        }
    }

    /**
     * A borrow that waits at most {@code waitMillis}, not the pool's connectionTimeout: {@code
     * HikariPool.getConnection(long)}, public on the pool object that HikariCP hands out only as its MXBean.
     */
    public static Connection borrow(HikariDataSource pool, long waitMillis) throws SQLException {
        return ((HikariPool) pool.getHikariPoolMXBean()).getConnection(waitMillis);
    }

    private static MethodHandle markEvicted() {
        try {
            MethodHandles.Lookup hikari = MethodHandles.privateLookupIn(ProxyConnection.class, MethodHandles.lookup());
            Class<?> entry = Class.forName(HikariNames.AGENT_POOL_PACKAGE + "PoolEntry", false,
                    ProxyConnection.class.getClassLoader());
            MethodHandle getEntry = hikari.findVirtual(ProxyConnection.class, "getPoolEntry", MethodType.methodType(entry));
            MethodHandle mark = hikari.findVirtual(entry, "markEvicted", MethodType.methodType(void.class));
            return MethodHandles.filterArguments(mark, 0, getEntry);
        } catch (ReflectiveOperationException | RuntimeException e) {
            AgentLog.warn("DB_MAX_IDLE_CONNS cannot close connections on return with this HikariCP, only"
                    + " DB_CONN_MAX_IDLE_TIME closes idle ones: " + e);
            return null;
        }
    }
}
