package io.poolagent.sample;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * Where the service gets its connections.
 *
 * <p>{@link #naive}: a fresh {@code DriverManager.getConnection} for every step of every request, exactly
 * what the Go auth-service did and what exhausts PostgreSQL under load. It is deliberately naive: it
 * is the code the agent is meant to fix without an edit.
 *
 * <p>{@link #hikari}: the hand-written fix (the runbook's "Solution 2"), a HikariCP pool built in code with
 * the same sizes the agent would use, so the benchmarks can compare the two on the same code path.
 */
interface Database {

    Connection open() throws SQLException;

    static Database naive(DatabaseUrl url) {
        return () -> DriverManager.getConnection(url.jdbcUrl, url.user, url.password);
    }

    static Database hikari(DatabaseUrl url, int maxOpen, int maxIdle) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("auth-service");
        config.setJdbcUrl(url.jdbcUrl);
        config.setUsername(url.user);
        config.setPassword(url.password);
        config.setMaximumPoolSize(maxOpen);
        config.setMinimumIdle(maxIdle);
        config.setMaxLifetime(5 * 60_000);
        config.setIdleTimeout(maxIdle == maxOpen ? 0 : 2 * 60_000);
        HikariDataSource pool = new HikariDataSource(config);
        return pool::getConnection;
    }
}
