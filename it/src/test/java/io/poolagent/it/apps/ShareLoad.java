package io.poolagent.it.apps;

import java.nio.file.Files;
import java.nio.file.Path;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A service that opens a connection per query, the way the seeds' services do: THREADS threads each connect,
 * run {@code select pg_sleep(SLEEP_MS)}, close, OPS times (0: until the file STOP exists). Prints
 * "RESULT serving=true" after its first answer, then "RESULT ok=", "RESULT failed=" and "RESULT states="
 * (failures by SQLSTATE) at the end.
 * Args: URL USER PASSWORD THREADS OPS SLEEP_MS STOP
 */
public final class ShareLoad {

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int threads = Integer.parseInt(args[3]);
        int ops = Integer.parseInt(args[4]);
        String sql = "select pg_sleep(" + Integer.parseInt(args[5]) / 1000.0 + ")";
        Path stop = Paths.get(args[6]);
        LongAdder ok = new LongAdder();
        LongAdder failed = new LongAdder();
        Map<String, AtomicInteger> states = new ConcurrentHashMap<>();
        AtomicInteger reported = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                for (int n = 0; ops == 0 ? !Files.exists(stop) : n < ops; n++) {
                    try (Connection c = DriverManager.getConnection(url, args[1], args[2]);
                         Statement s = c.createStatement();
                         ResultSet rs = s.executeQuery(sql)) {
                        rs.next();
                        ok.increment();
                        if (reported.compareAndSet(0, 1)) {
                            System.out.println("RESULT serving=true");
                        }
                    } catch (SQLException e) {
                        failed.increment();
                        states.computeIfAbsent(String.valueOf(e.getSQLState()), k -> new AtomicInteger()).incrementAndGet();
                        if (failed.sum() <= 3) {
                            System.out.println("failure: " + e);
                        }
                    }
                }
            });
            worker.start();
            workers.add(worker);
        }
        for (Thread worker : workers) {
            worker.join();
        }
        System.out.println("RESULT ok=" + ok.sum());
        System.out.println("RESULT failed=" + failed.sum());
        System.out.println("RESULT states=" + new TreeMap<>(states));
    }
}
