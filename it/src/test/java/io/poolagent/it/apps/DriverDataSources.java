package io.poolagent.it.apps;

import org.postgresql.ds.PGConnectionPoolDataSource;
import org.postgresql.xa.PGXADataSource;

import javax.sql.PooledConnection;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * pgjdbc's DataSources whose callers (an XA transaction manager, a pool built on PooledConnection) expect
 * the driver's own physical connection: they get it, with or without the agent.
 * Args: URL USER PASSWORD
 */
public final class DriverDataSources {

    public static void main(String[] args) throws Exception {
        PGXADataSource xa = new PGXADataSource();
        xa.setUrl(args[0]);
        PooledConnection xaConnection = xa.getXAConnection(args[1], args[2]);
        System.out.println("RESULT xa=" + physicalClass(xaConnection.getConnection()));
        xaConnection.close();

        PGConnectionPoolDataSource cp = new PGConnectionPoolDataSource();
        cp.setUrl(args[0]);
        PooledConnection pooled = cp.getPooledConnection(args[1], args[2]);
        System.out.println("RESULT connectionPool=" + physicalClass(pooled.getConnection()));
        pooled.close();
    }

    private static String physicalClass(Connection handle) throws Exception {
        try (Connection c = handle; Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 1")) {
            rs.next();
            return c.unwrap(Connection.class).getClass().getName();
        }
    }
}
