package io.poolagent.it.apps;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * One borrower changes its server session the ways applications do (search_path, role, temp table,
 * advisory lock, application_name, an open transaction); the next borrower reports what it finds.
 * Both run a prepared statement past pgjdbc's prepareThreshold, so server-side prepared statements
 * must survive the reset. Run with DB_MAX_OPEN_CONNS=1 so both get the same physical connection.
 * Args: URL USER PASSWORD OTHER_ROLE
 */
public final class SessionState {

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int firstPid;
        try (Connection c = DriverManager.getConnection(url, args[1], args[2]);
             Statement s = c.createStatement()) {
            firstPid = pid(c);
            System.out.println("RESULT freshApplicationName=" + one(s, "show application_name"));
            preparedRuns(c);
            s.execute("set search_path to pg_catalog");
            s.execute("set application_name to 'dirty'");
            s.execute("create temp table leftover(id int)");
            s.execute("select pg_advisory_lock(42)");
            s.execute("set role " + args[3]);
            c.setAutoCommit(false);
            s.execute("set local statement_timeout to 1234");
        }
        try (Connection c = DriverManager.getConnection(url, args[1], args[2]);
             Statement s = c.createStatement()) {
            System.out.println("RESULT samePhysicalConnection=" + (pid(c) == firstPid));
            System.out.println("RESULT searchPath=" + one(s, "show search_path"));
            System.out.println("RESULT applicationName=" + one(s, "show application_name"));
            System.out.println("RESULT currentUser=" + one(s, "select current_user"));
            System.out.println("RESULT tempTable=" + one(s, "select count(*) from pg_class where relname = 'leftover'"));
            System.out.println("RESULT advisoryLocks=" + one(s, "select count(*) from pg_locks where locktype = 'advisory'"));
            System.out.println("RESULT autoCommit=" + c.getAutoCommit());
            System.out.println("RESULT preparedRuns=" + preparedRuns(c));
        }
    }

    private static int pid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static String one(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Ten runs: past pgjdbc's default prepareThreshold of 5, so the server holds a named statement. */
    private static int preparedRuns(Connection c) throws SQLException {
        int runs = 0;
        try (PreparedStatement p = c.prepareStatement("select ?::int + 1")) {
            for (int i = 0; i < 10; i++) {
                p.setInt(1, i);
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    runs += rs.getInt(1) == i + 1 ? 1 : 0;
                }
            }
        }
        return runs;
    }
}
