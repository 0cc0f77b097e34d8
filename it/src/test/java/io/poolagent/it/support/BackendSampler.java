package io.poolagent.it.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Samples the server's client backends from {@code pg_stat_activity} every few milliseconds while a
 * child JVM runs, and keeps the peak: the number the database actually saw, not what the agent says.
 * Its own session is not counted.
 */
public final class BackendSampler implements AutoCloseable {

    private static final String COUNT = "select count(*) from pg_stat_activity"
            + " where backend_type = 'client backend' and pid <> pg_backend_pid()";

    private final Connection connection;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger peak = new AtomicInteger();
    private final AtomicInteger samples = new AtomicInteger();
    private final Thread thread;

    public BackendSampler(String url, String user, String password) throws SQLException {
        connection = DriverManager.getConnection(url, user, password);
        thread = new Thread(this::sample, "backend-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void sample() {
        try (Statement statement = connection.createStatement()) {
            while (running.get()) {
                try (ResultSet rs = statement.executeQuery(COUNT)) {
                    rs.next();
                    peak.accumulateAndGet(rs.getInt(1), Math::max);
                    samples.incrementAndGet();
                }
                Thread.sleep(5);
            }
        } catch (SQLException | InterruptedException e) {
            running.set(false);
        }
    }

    /** The peak number of client backends seen so far, while sampling goes on. */
    public int peak() {
        return peak.get();
    }

    /** Stops sampling and returns the peak number of client backends seen. */
    public int stop() throws InterruptedException {
        running.set(false);
        thread.join(5_000);
        if (samples.get() < 3) {
            throw new IllegalStateException("the sampler took only " + samples.get() + " samples");
        }
        return peak.get();
    }

    @Override
    public void close() throws Exception {
        running.set(false);
        thread.join(5_000);
        connection.close();
    }
}
