package io.poolagent.it.apps;

import org.postgresql.ds.PGSimpleDataSource;

import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The naive Go-style service: every unit of work opens a fresh connection, runs a short query and
 * closes it, on many threads at once. The connection comes from DriverManager, pgjdbc's
 * PGSimpleDataSource, Spring's SimpleDriverDataSource (which calls the driver's connect() itself), or a
 * driver instance the code holds, as migration and schema tools do.
 * Args: driver-manager|driver-manager-properties|data-source|spring-simple-driver|driver URL USER PASSWORD
 * THREADS ITERATIONS
 */
public final class ConnectStorm {

    interface Opener {
        Connection open() throws SQLException;
    }

    /** How each mode opens a connection; the other apps that take a mode use it too. */
    static Opener opener(String mode, String url, String user, String password) {
        Properties credentials = new Properties();
        credentials.setProperty("user", user);
        credentials.setProperty("password", password);
        switch (mode) {
            case "data-source":
                PGSimpleDataSource dataSource = new PGSimpleDataSource();
                dataSource.setUrl(url);
                dataSource.setUser(user);
                dataSource.setPassword(password);
                return dataSource::getConnection;
            case "spring-simple-driver":
                return new SimpleDriverDataSource(new org.postgresql.Driver(), url, user, password)::getConnection;
            case "driver":
                Driver driver = new org.postgresql.Driver();
                return () -> driver.connect(url, credentials);
            case "driver-manager-properties":
                return () -> DriverManager.getConnection(url, credentials);
            default:
                return () -> DriverManager.getConnection(url, user, password);
        }
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String url = args[1];
        String user = args[2];
        String password = args[3];
        int threads = Integer.parseInt(args[4]);
        int iterations = Integer.parseInt(args[5]);

        Opener open = opener(mode, url, user, password);

        AtomicInteger ok = new AtomicInteger();
        Map<String, AtomicInteger> errors = new ConcurrentHashMap<>();
        Map<String, String> connectionClasses = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < iterations; i++) {
                        try (Connection c = open.open();
                             Statement s = c.createStatement();
                             ResultSet rs = s.executeQuery("select pg_sleep(0.002), current_user")) {
                            rs.next();
                            connectionClasses.put(Held.className(c), "");
                            ok.incrementAndGet();
                        } catch (SQLException e) {
                            errors.computeIfAbsent(String.valueOf(e.getSQLState()), k -> new AtomicInteger()).incrementAndGet();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            });
            worker.start();
        }
        long began = System.nanoTime();
        start.countDown();
        done.await();
        int failed = errors.values().stream().mapToInt(AtomicInteger::get).sum();
        System.out.println("RESULT ok=" + ok.get());
        Thread.sleep(Long.getLong("app.linger.millis", 0)); // long enough for the agent's metrics to come up
        System.out.println("RESULT errors=" + failed);
        System.out.println("RESULT errorsBySqlState=" + new TreeMap<>(errors));
        System.out.println("RESULT connectionClasses=" + new TreeMap<>(connectionClasses).keySet());
        System.out.println("RESULT elapsedMs=" + (System.nanoTime() - began) / 1_000_000);
        System.out.println("RESULT driverVersion=" + org.postgresql.Driver.class.getPackage().getImplementationVersion());
    }
}
