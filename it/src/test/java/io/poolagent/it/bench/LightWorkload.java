package io.poolagent.it.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * A workload lighter than the sample service, where a pool's fixed cost per borrow shows: THREADS threads,
 * each borrowing a connection, running one plain query and one prepared statement three times, and giving
 * it back, as fast as they can. "naive" opens each connection with DriverManager (pooled when the JVM runs
 * with the agent); "hikari" borrows from a HikariCP pool built in code, the hand-written fix.
 * Prints RESULT opsPerSecond (borrows per second) after WARMUP seconds, over SECONDS seconds.
 * Args: naive|hikari URL USER PASSWORD THREADS SECONDS MAX_OPEN
 */
public final class LightWorkload {

    interface Source {
        Connection open() throws SQLException;
    }

    /** Long enough for the JIT to finish with the hot paths, so that the numbers are steady state. */
    static final int WARMUP_SECONDS = 10;

    public static void main(String[] args) throws Exception {
        String url = args[1];
        String user = args[2];
        String password = args[3];
        int threads = Integer.parseInt(args[4]);
        long seconds = Long.parseLong(args[5]);
        Source source = args[0].equals("hikari") ? hikari(url, user, password, Integer.parseInt(args[6]))
                : () -> DriverManager.getConnection(url, user, password);
        LongAdder ops = new LongAdder();
        LongAdder errors = new LongAdder();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                while (running.get()) {
                    try {
                        unitOfWork(source);
                        ops.increment();
                    } catch (SQLException e) {
                        errors.increment();
                    }
                }
            });
            workers.add(worker);
            worker.start();
        }
        Thread.sleep(WARMUP_SECONDS * 1000L);
        long before = ops.sum();
        long cpuBefore = processCpuNanos();
        long began = System.nanoTime();
        Thread.sleep(seconds * 1000);
        long done = ops.sum() - before;
        long cpu = processCpuNanos() - cpuBefore;
        double elapsed = (System.nanoTime() - began) / 1e9;
        running.set(false);
        for (Thread worker : workers) {
            worker.join();
        }
        System.out.println("RESULT opsPerSecond=" + Math.round(done / elapsed));
        System.out.println("RESULT errors=" + errors.sum());
        System.out.println("RESULT cpuMicrosPerOp=" + String.format(java.util.Locale.ROOT, "%.1f", cpu / 1e3 / done));
        System.exit(0);
    }

    /** CPU time of this whole JVM (all threads, JIT and GC included): what the pool costs the service. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static void unitOfWork(Source source) throws SQLException {
        try (Connection c = source.open()) {
            for (int i = 0; i < 3; i++) {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 1")) {
                    rs.next();
                }
                try (PreparedStatement p = c.prepareStatement("select ?::int + 1")) {
                    p.setInt(1, i);
                    try (ResultSet rs = p.executeQuery()) {
                        rs.next();
                    }
                }
            }
        }
    }

    private static Source hikari(String url, String user, String password, int maxOpen) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(maxOpen);
        config.setMinimumIdle(maxOpen);
        HikariDataSource pool = new HikariDataSource(config);
        return pool::getConnection;
    }
}
