package io.poolagent.it.apps;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;

/**
 * An application that does what a test scripts, step by step, so that the test can look at the agent
 * between steps:
 * <ul>
 * <li>{@code call:USER:PASSWORD:N} N times: connect, select 1, close; prints {@code RESULT stepK=outcomes};</li>
 * <li>{@code hold:USER:PASSWORD:MILLIS} borrows a connection and keeps it that long before closing it;</li>
 * <li>{@code sleep:MILLIS};</li>
 * <li>{@code await:FILE} waits until the file exists;</li>
 * <li>{@code mark:NAME} prints {@code RESULT NAME=reached}.</li>
 * </ul>
 * Args: URL STEP...
 */
public final class ScriptedCalls {

    public static void main(String[] args) throws Exception {
        String url = args[0];
        for (int k = 1; k < args.length; k++) {
            String[] step = args[k].split(":", 2);
            String[] parts = step[1].split(":");
            switch (step[0]) {
                case "call":
                    System.out.println("RESULT step" + k + "=" + calls(url, parts[0], parts[1], Integer.parseInt(parts[2])));
                    break;
                case "hold":
                    try (Connection c = DriverManager.getConnection(url, parts[0], parts[1])) {
                        System.out.println("RESULT holding=" + k);
                        Thread.sleep(Long.parseLong(parts[2]));
                    }
                    break;
                case "sleep":
                    Thread.sleep(Long.parseLong(step[1]));
                    break;
                case "await":
                    while (!Files.exists(Paths.get(step[1]))) {
                        Thread.sleep(20);
                    }
                    break;
                case "mark":
                    System.out.println("RESULT " + step[1] + "=reached");
                    break;
                default:
                    throw new IllegalArgumentException("unknown step " + args[k]);
            }
        }
    }

    private static Map<String, Integer> calls(String url, String user, String password, int n) {
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            String outcome;
            try (Connection c = DriverManager.getConnection(url, user, password);
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select 1")) {
                rs.next();
                outcome = "ok";
            } catch (SQLException e) {
                outcome = String.valueOf(e.getSQLState());
            }
            outcomes.merge(outcome, 1, Integer::sum);
        }
        return outcomes;
    }
}
