package io.poolagent.it.apps;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * THREADS threads query in a loop for SECONDS seconds (connect, select 1, close, 20 ms pause), while the
 * test restarts the server. Each thread reports the wall-clock time of its last failure and last success.
 * Args: URL USER PASSWORD THREADS SECONDS
 */
public final class QueryLoop {

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int threads = Integer.parseInt(args[3]);
        long end = System.currentTimeMillis() + Long.parseLong(args[4]) * 1000;
        long[] lastError = new long[threads];
        long[] lastOk = new long[threads];
        int[] errors = new int[threads];
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread worker = new Thread(() -> {
                while (System.currentTimeMillis() < end) {
                    try (Connection c = DriverManager.getConnection(url, args[1], args[2]);
                         Statement s = c.createStatement();
                         ResultSet rs = s.executeQuery("select 1")) {
                        rs.next();
                        lastOk[id] = System.currentTimeMillis();
                    } catch (SQLException e) {
                        lastError[id] = System.currentTimeMillis();
                        errors[id]++;
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            workers.add(worker);
            worker.start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        for (int t = 0; t < threads; t++) {
            System.out.println("RESULT thread" + t + "=" + lastError[t] + "," + lastOk[t] + "," + errors[t]);
        }
    }
}
