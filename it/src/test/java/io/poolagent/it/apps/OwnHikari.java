package io.poolagent.it.apps;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An application that already pools with its own HikariCP (another version than the agent's), set up
 * either with a JDBC URL or with pgjdbc's PGSimpleDataSource as dataSourceClassName, the two common ways.
 * Args: jdbc-url|data-source-class URL USER PASSWORD POOL_SIZE
 */
public final class OwnHikari {

    public static void main(String[] args) throws Exception {
        int size = Integer.parseInt(args[4]);
        HikariConfig config = new HikariConfig();
        if (args[0].equals("data-source-class")) {
            config.setDataSourceClassName("org.postgresql.ds.PGSimpleDataSource");
            config.addDataSourceProperty("url", args[1]);
            config.addDataSourceProperty("user", args[2]);
            config.addDataSourceProperty("password", args[3]);
        } else {
            config.setJdbcUrl(args[1]);
            config.setUsername(args[2]);
            config.setPassword(args[3]);
        }
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(size);
        AtomicInteger errors = new AtomicInteger();
        try (HikariDataSource pool = new HikariDataSource(config)) {
            String physical;
            try (Connection c = pool.getConnection()) {
                physical = c.unwrap(Connection.class).getClass().getName();
            }
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < 20; t++) {
                Thread worker = new Thread(() -> {
                    for (int i = 0; i < 20; i++) {
                        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
                             ResultSet rs = s.executeQuery("select pg_sleep(0.002)")) {
                            rs.next();
                        } catch (SQLException e) {
                            errors.incrementAndGet();
                        }
                    }
                });
                workers.add(worker);
                worker.start();
            }
            for (Thread worker : workers) {
                worker.join();
            }
            System.out.println("RESULT physicalClass=" + physical);
            System.out.println("RESULT hikariVersion=" + HikariDataSource.class.getProtectionDomain().getCodeSource().getLocation().getPath().replaceAll(".*/HikariCP-([^/]+)\\.jar$", "$1"));
            System.out.println("RESULT totalConnections=" + pool.getHikariPoolMXBean().getTotalConnections());
        }
        System.out.println("RESULT errors=" + errors.get());
    }
}
