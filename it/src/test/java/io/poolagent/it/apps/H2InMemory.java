package io.poolagent.it.apps;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * H2's in-memory database lives as long as a connection to it is open. If the agent pooled this URL the
 * pool would keep the database (and its table) alive after close; unpooled, it is gone.
 */
public final class H2InMemory {

    public static void main(String[] args) throws Exception {
        String url = "jdbc:h2:mem:passthrough";
        String connectionClass;
        try (Connection c = DriverManager.getConnection(url, "sa", "");
             Statement s = c.createStatement()) {
            connectionClass = c.getClass().getName();
            s.execute("create table t(id int)");
            s.execute("insert into t values (1)");
        }
        boolean survived;
        try (Connection c = DriverManager.getConnection(url, "sa", "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from t")) {
            survived = rs.next();
        } catch (SQLException e) {
            survived = false;
        }
        System.out.println("RESULT connectionClass=" + connectionClass);
        System.out.println("RESULT tableSurvivedClose=" + survived);
    }
}
