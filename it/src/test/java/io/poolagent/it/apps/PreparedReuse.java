package io.poolagent.it.apps;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The workload that breaks behind a transaction-mode pooler: THREADS threads each borrow TWO connections at
 * once, BORROWS times, and run the same prepared statement 10 times on each, in turn. From its fifth execution
 * pgjdbc makes it a named server-side statement (S_1), which lives in whichever server session the pooler
 * lent; with one server session behind the pooler, the second connection's S_1 meets the first's: 42P05.
 * Holding two at once makes that certain rather than a matter of thread timing. Needs a pool of 2 x THREADS.
 * Prints the successes and the failures by SQLSTATE. Args: URL USER PASSWORD THREADS BORROWS
 */
public final class PreparedReuse {

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[3]);
        int borrows = Integer.parseInt(args[4]);
        AtomicInteger ok = new AtomicInteger();
        Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread worker = new Thread(() -> {
                for (int b = 0; b < borrows; b++) {
                    try (Connection c1 = DriverManager.getConnection(args[0], args[1], args[2]);
                         Connection c2 = DriverManager.getConnection(args[0], args[1], args[2]);
                         PreparedStatement ps1 = c1.prepareStatement("SELECT ?::int + 1");
                         PreparedStatement ps2 = c2.prepareStatement("SELECT ?::int + 1")) {
                        for (int i = 0; i < 10; i++) {
                            run(ps1, id + i);
                            run(ps2, id - i);
                        }
                        ok.incrementAndGet();
                    } catch (SQLException e) {
                        failures.computeIfAbsent(e.getSQLState(), k -> new AtomicInteger()).incrementAndGet();
                    }
                }
            });
            workers.add(worker);
            worker.start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        int failed = failures.values().stream().mapToInt(AtomicInteger::get).sum();
        System.out.println("RESULT ok=" + ok.get());
        System.out.println("RESULT failed=" + failed);
        System.out.println("RESULT sqlstates=" + new java.util.TreeMap<>(failures));
    }

    private static void run(PreparedStatement statement, int value) throws SQLException {
        statement.setInt(1, value);
        try (ResultSet rs = statement.executeQuery()) {
            rs.next();
        }
    }
}
