package io.poolagent.pool;

import com.zaxxer.hikari.HikariDataSource;
import io.poolagent.hikari.HikariInternals;
import io.poolagent.log.AgentLog;
import io.poolagent.share.ShareKeeper;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * What the share keeper sizes (DB_MAX_OPEN_CONNS=auto): one pool's HikariCP, borrowed from without counting
 * as a borrow, so that the keeper's own counts neither show in the metrics nor keep an unused pool alive.
 */
final class ShareSizing implements ShareKeeper.Pool {

    private final HikariDataSource pool;
    /** DB_POOL_MIN_IDLE, never above the size the keeper gives. */
    private final int minIdle;
    private final BorrowWaits waits;

    ShareSizing(HikariDataSource pool, int minIdle, BorrowWaits waits) {
        this.pool = pool;
        this.minIdle = minIdle;
        this.waits = waits;
    }

    @Override
    public String name() {
        return pool.getPoolName();
    }

    @Override
    public Connection borrowQuietly(long waitMillis) throws SQLException {
        BorrowWaits.agentBorrow();
        try {
            return HikariInternals.borrow(pool, waitMillis);
        } catch (SQLTransientConnectionException timedOut) {
            return null;
        } finally {
            BorrowWaits.agentBorrowDone();
        }
    }

    @Override
    public void giveBack(Connection connection, boolean retire) {
        BorrowWaits.agentBorrow();
        try {
            if (retire) {
                pool.evictConnection(connection);
            } else {
                connection.close();
            }
        } catch (SQLException | RuntimeException e) {
            AgentLog.debug("pool " + name() + ": returning the share's connection: " + e);
        } finally {
            BorrowWaits.agentBorrowDone();
        }
    }

    @Override
    public void resize(int maxOpen) {
        pool.getHikariConfigMXBean().setMinimumIdle(Math.min(minIdle, maxOpen));
        pool.getHikariConfigMXBean().setMaximumPoolSize(maxOpen);
    }

    @Override
    public int open() {
        return pool.getHikariPoolMXBean().getTotalConnections();
    }

    @Override
    public int idle() {
        return pool.getHikariPoolMXBean().getIdleConnections();
    }

    @Override
    public long borrows() {
        return waits.borrows();
    }
}
