package io.poolagent.it.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Borrow + return of one connection. {@link #driverManager} is the application's naive call: a fresh
 * physical connection without the agent, a pooled one when the fork runs with -javaagent (the runner
 * decides). {@link #hikariDirect} is what a hand-written pool costs. The server comes from system
 * properties set by {@link Benchmarks}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BorrowBench {

    private String url;
    private String user;
    private String password;
    private HikariDataSource hikari;

    @Setup(Level.Trial)
    public void setUp() {
        url = System.getProperty("bench.url");
        user = System.getProperty("bench.user");
        password = System.getProperty("bench.password");
    }

    @Setup(Level.Trial)
    public void startHikariIfUsed() {
        if (Boolean.getBoolean("bench.hikari")) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(System.getProperty("bench.url"));
            config.setUsername(System.getProperty("bench.user"));
            config.setPassword(System.getProperty("bench.password"));
            config.setMaximumPoolSize(10);
            config.setMinimumIdle(10);
            hikari = new HikariDataSource(config);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (hikari != null) {
            hikari.close();
        }
    }

    @Benchmark
    public Connection driverManager() throws SQLException {
        Connection c = DriverManager.getConnection(url, user, password);
        c.close();
        return c;
    }

    @Benchmark
    public Connection hikariDirect() throws SQLException {
        Connection c = hikari.getConnection();
        c.close();
        return c;
    }

    /** A borrower that reaches the server: one query, so the return path resets the session (per the mode). */
    @Benchmark
    public int driverManagerOneQuery() throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            return oneQuery(c);
        }
    }

    @Benchmark
    public int hikariOneQuery() throws SQLException {
        try (Connection c = hikari.getConnection()) {
            return oneQuery(c);
        }
    }

    private static int oneQuery(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select 1"); ResultSet rs = p.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
