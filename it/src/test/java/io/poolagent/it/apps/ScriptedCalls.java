package io.poolagent.it.apps;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An application that does what a test scripts, step by step, so that the test can look at the agent
 * between steps:
 * <ul>
 * <li>{@code call:USER:PASSWORD:N} N times: connect, select 1, close; prints {@code RESULT stepK=outcomes};</li>
 * <li>{@code hold:USER:PASSWORD:MILLIS} borrows a connection and keeps it that long before closing it;</li>
 * <li>{@code burst:USER:PASSWORD:N} N threads each hold a connection, all N at the same time, then close
 * them; prints {@code RESULT burstK=N};</li>
 * <li>{@code count:USER:PASSWORD} prints {@code RESULT sessionsK=} the sessions the user has on the server,
 * counted over a connection of its own;</li>
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
                case "burst":
                    System.out.println("RESULT burst" + k + "=" + burst(url, parts[0], parts[1], Integer.parseInt(parts[2])));
                    break;
                case "count":
                    try (Connection c = DriverManager.getConnection(url, parts[0], parts[1]); Statement s = c.createStatement();
                         ResultSet rs = s.executeQuery("select count(*) from pg_stat_activity where usename = current_user")) {
                        rs.next();
                        System.out.println("RESULT sessions" + k + "=" + rs.getInt(1));
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

    /** Connections held at once by {@code n} threads: a load peak that needs {@code n} sessions. */
    private static int burst(String url, String user, String password, int n) throws InterruptedException {
        CyclicBarrier allHolding = new CyclicBarrier(n);
        AtomicInteger held = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Thread thread = new Thread(() -> {
                try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
                    s.execute("select 1");
                    held.incrementAndGet();
                    allHolding.await();
                } catch (Exception e) {
                    System.err.println("burst: " + e);
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return held.get();
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
