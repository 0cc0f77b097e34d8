package io.poolagent.it.apps;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A borrower changes a setting (so its session needs a reset), then waits while the test freezes its
 * server process; then it closes the connection. close() must come back, and the next borrower must get
 * a working session. Run with DB_MAX_OPEN_CONNS=1.
 * Args: URL USER PASSWORD GO_FILE
 */
public final class StalledReset {

    public static void main(String[] args) throws Exception {
        Path go = Paths.get(args[3]);
        Connection c = DriverManager.getConnection(args[0], args[1], args[2]);
        int first = pid(c);
        try (Statement s = c.createStatement()) {
            s.execute("set statement_timeout = 1234");
        }
        System.out.println("RESULT pid=" + first);
        while (!Files.exists(go)) {
            Thread.sleep(20);
        }
        c.close();
        System.out.println("RESULT closed=true");
        try (Connection next = DriverManager.getConnection(args[0], args[1], args[2])) {
            System.out.println("RESULT nextIsAnotherSession=" + (pid(next) != first));
        } catch (SQLException e) {
            System.out.println("RESULT nextIsAnotherSession=SQLSTATE " + e.getSQLState());
        }
    }

    private static int pid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
