package io.poolagent.it.apps;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A service that writes while its database fails over, keeping a ledger of what it was told: every write the
 * server acknowledged ({@code ok ID MILLIS PORT}, the port of the server that took it) and every one that failed
 * ({@code fail MILLIS SQLSTATE}), one line each, flushed as it happens. Writes until the stop file exists.
 * Args: agent|hikari URL USER PASSWORD THREADS LEDGER STOP.
 * {@code agent}: a connection per write from DriverManager, the naive way the agent pools; {@code hikari}: a
 * hand-written HikariCP with the runbook's settings (25 connections, 5-minute lifetime), the baseline.
 */
public final class LedgerWriter {

    private static final String INSERT = "INSERT INTO ledger (id) VALUES (?) RETURNING inet_server_port()";

    private interface Connections {
        Connection open() throws SQLException;
    }

    public static void main(String[] args) throws Exception {
        String url = args[1];
        String user = args[2];
        String password = args[3];
        int threads = Integer.parseInt(args[4]);
        Path stop = Paths.get(args[6]);
        HikariDataSource pool = args[0].equals("hikari") ? hikari(url, user, password) : null;
        Connections connections = pool != null ? pool::getConnection
                : () -> DriverManager.getConnection(url, user, password);
        AtomicLong ids = new AtomicLong();
        try (PrintWriter ledger = new PrintWriter(Files.newBufferedWriter(Paths.get(args[5]), StandardCharsets.UTF_8))) {
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread writer = new Thread(() -> writeUntil(stop, connections, ids, ledger), "writer-" + t);
                writers.add(writer);
                writer.start();
            }
            System.out.println("RESULT started=true");
            for (Thread writer : writers) {
                writer.join();
            }
        } finally {
            if (pool != null) {
                pool.close();
            }
        }
        System.out.println("RESULT writes=" + ids.get());
    }

    private static HikariDataSource hikari(String url, String user, String password) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(25);
        config.setMinimumIdle(0);
        config.setMaxLifetime(300_000);
        config.setIdleTimeout(120_000);
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }

    private static void writeUntil(Path stop, Connections connections, AtomicLong ids, PrintWriter ledger) {
        while (!Files.exists(stop)) {
            long id = ids.incrementAndGet();
            try (Connection c = connections.open(); PreparedStatement insert = c.prepareStatement(INSERT)) {
                insert.setLong(1, id);
                try (ResultSet rs = insert.executeQuery()) {
                    rs.next();
                    record(ledger, "ok " + id + " " + System.currentTimeMillis() + " " + rs.getInt(1));
                }
            } catch (SQLException e) {
                record(ledger, "fail " + System.currentTimeMillis() + " " + e.getSQLState());
                pause(50); // a failing service answers fast; do not spin
            }
            pause(5);
        }
    }

    private static void record(PrintWriter ledger, String line) {
        synchronized (ledger) {
            ledger.println(line);
            ledger.flush();
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
