package io.poolagent.it.apps;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * One read-only transaction, in Spring's order (read-only, then auto-commit off), whose prepared statement holds
 * its standby session a few seconds, so that a test can end that session under it. Before it, reads until one
 * lands on a standby (the agent's replica pools start in the background). Then waits for the stop file, so that
 * the agent's endpoint can be read. Args: URL USER PASSWORD PRIMARY_PORT STOP.
 * Prints {@code RESULT warm=true}, then {@code RESULT port=P} (the server that answered) and {@code RESULT value=42}.
 */
public final class ReadOnlyRetry {

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int primaryPort = Integer.parseInt(args[3]);
        Path stop = Paths.get(args[4]);
        long deadline = System.currentTimeMillis() + 60_000;
        while (readOnlyPort(url, args[1], args[2]) == primaryPort) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("no read went to a standby within 60 s");
            }
            Thread.sleep(50);
        }
        System.out.println("RESULT warm=true");
        try (Connection c = DriverManager.getConnection(url, args[1], args[2])) {
            c.setReadOnly(true);
            c.setAutoCommit(false);
            try (PreparedStatement read = c.prepareStatement(
                    "SELECT inet_server_port(), ?::int FROM (SELECT pg_sleep(?)) AS slept")) {
                read.setInt(1, 42);
                read.setDouble(2, 4.0);
                try (ResultSet answer = read.executeQuery()) {
                    answer.next();
                    System.out.println("RESULT port=" + answer.getInt(1));
                    System.out.println("RESULT value=" + answer.getInt(2));
                }
            }
            c.commit();
            c.setAutoCommit(true);
            c.setReadOnly(false);
        }
        while (!Files.exists(stop)) {
            Thread.sleep(50);
        }
    }

    private static int readOnlyPort(String url, String user, String password) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            c.setReadOnly(true);
            try (Statement s = c.createStatement(); ResultSet answer = s.executeQuery("SELECT inet_server_port()")) {
                answer.next();
                return answer.getInt(1);
            }
        }
    }
}
