package io.poolagent.it.apps;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An app whose first queries may find the database missing. THREADS threads start together; each makes
 * CALLS calls in a row (connect, select 1, close) and records each outcome: "ok" or the SQLSTATE.
 * Args: URL USER PASSWORD THREADS CALLS
 */
public final class ConnectCalls {

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int threads = Integer.parseInt(args[3]);
        int calls = Integer.parseInt(args[4]);
        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < calls; i++) {
                        String outcome = call(url, args[1], args[2]);
                        outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            }).start();
        }
        start.countDown();
        done.await();
        System.out.println("RESULT outcomes=" + new TreeMap<>(outcomes));
        Thread.sleep(Long.getLong("app.linger.millis", 0)); // long enough for the agent's metrics to come up
    }

    private static String call(String url, String user, String password) {
        try (Connection c = DriverManager.getConnection(url, user, password);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select 1")) {
            rs.next();
            return "ok";
        } catch (SQLException e) {
            return String.valueOf(e.getSQLState());
        }
    }
}
