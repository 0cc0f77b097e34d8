package io.poolagent.it.apps;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The edges of read routing, one connection pattern each, against a primary with replicas. Waits first until a
 * read-only read lands on a standby. Args: URL USER PASSWORD PRIMARY_PORT. Prints one {@code RESULT case=...}
 * line per case.
 */
public final class RoutingCases {

    private static String url;
    private static String user;
    private static String password;

    public static void main(String[] args) throws Exception {
        url = args[0];
        user = args[1];
        password = args[2];
        int primaryPort = Integer.parseInt(args[3]);
        long deadline = System.currentTimeMillis() + 60_000;
        while (readOnlyPort() == primaryPort && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        try (Connection c = open(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS cases (id bigint PRIMARY KEY)");
        }
        System.out.println("RESULT nestedWriteSeen=" + nestedWriteSeen());
        System.out.println("RESULT afterReadOnlyWork=" + afterReadOnlyWork());
        System.out.println("RESULT usedFirstPort=" + usedFirstPort());
        System.out.println("RESULT untouchedThenWrite=" + untouchedThenWrite());
        System.out.println("RESULT writeWhileReadOnly=" + writeWhileReadOnly());
        System.out.println("RESULT readOnlyPort=" + readOnlyPort());
    }

    private static Connection open() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    /**
     * A read-only transaction on a standby; on the same thread another connection writes and commits (as a
     * REQUIRES_NEW write would); the read-only transaction then reads that row: it must find it.
     */
    private static String nestedWriteSeen() throws SQLException {
        try (Connection reader = open()) {
            reader.setReadOnly(true);
            reader.setAutoCommit(false);
            int port = count(reader, "SELECT inet_server_port()");
            try (Connection writer = open(); Statement s = writer.createStatement()) {
                s.execute("INSERT INTO cases VALUES (1)");
            }
            int found = count(reader, "SELECT count(*) FROM cases WHERE id = 1");
            reader.commit();
            return (found == 1) + " port=" + port;
        }
    }

    /** Work on a standby, read-only off, then more work on the same connection: refused with 0A000. */
    private static String afterReadOnlyWork() throws SQLException {
        try (Connection c = open()) {
            c.setReadOnly(true);
            count(c, "SELECT 1");
            c.setReadOnly(false);
            try {
                count(c, "SELECT 1");
                return "ran";
            } catch (SQLException e) {
                return e.getSQLState();
            }
        }
    }

    /** A connection that ran a query on the primary before turning read-only stays there. */
    private static int usedFirstPort() throws SQLException {
        try (Connection c = open()) {
            count(c, "SELECT 1");
            c.setReadOnly(true);
            return count(c, "SELECT inet_server_port()");
        }
    }

    /** Read-only turned on and off with nothing run: the write that follows runs on the primary. */
    private static String untouchedThenWrite() throws SQLException {
        try (Connection c = open()) {
            c.setReadOnly(true);
            c.setReadOnly(false);
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO cases VALUES (2)");
            }
            return "ok port=" + count(c, "SELECT inet_server_port()");
        }
    }

    /** A write on a read-only connection in auto-commit fails on the standby instead of landing anywhere. */
    private static String writeWhileReadOnly() throws SQLException {
        try (Connection c = open()) {
            c.setReadOnly(true);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO cases VALUES (?)")) {
                insert.setLong(1, 3);
                insert.executeUpdate();
                return "written";
            } catch (SQLException e) {
                return e.getSQLState();
            }
        }
    }

    private static int readOnlyPort() throws SQLException {
        try (Connection c = open()) {
            c.setReadOnly(true);
            return count(c, "SELECT inet_server_port()");
        }
    }

    private static int count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getInt(1);
        }
    }
}
