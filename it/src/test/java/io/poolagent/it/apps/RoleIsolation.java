package io.poolagent.it.apps;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Two roles used at once from many threads: every connection must be logged in as the role that asked.
 * Then a caller with the right user but a wrong password must be refused, never given a pooled connection.
 * Args: URL ROLE_A PASSWORD_A ROLE_B PASSWORD_B THREADS_PER_ROLE ITERATIONS
 */
public final class RoleIsolation {

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int threads = Integer.parseInt(args[5]);
        int iterations = Integer.parseInt(args[6]);
        AtomicInteger checked = new AtomicInteger();
        AtomicInteger mismatches = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads * 2; t++) {
            String role = t % 2 == 0 ? args[1] : args[3];
            String password = t % 2 == 0 ? args[2] : args[4];
            Thread worker = new Thread(() -> {
                for (int i = 0; i < iterations; i++) {
                    try (Connection c = DriverManager.getConnection(url, role, password);
                         Statement s = c.createStatement();
                         ResultSet rs = s.executeQuery("select current_user, session_user")) {
                        rs.next();
                        checked.incrementAndGet();
                        if (!role.equals(rs.getString(1)) || !role.equals(rs.getString(2))) {
                            mismatches.incrementAndGet();
                        }
                    } catch (SQLException e) {
                        errors.incrementAndGet();
                        System.out.println("error: " + e);
                    }
                }
            });
            workers.add(worker);
            worker.start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        System.out.println("RESULT checked=" + checked.get());
        System.out.println("RESULT mismatches=" + mismatches.get());
        System.out.println("RESULT errors=" + errors.get());
        try (Connection c = DriverManager.getConnection(url, args[1], args[2] + "-wrong")) {
            System.out.println("RESULT wrongPassword=connected as " + c.getMetaData().getUserName());
        } catch (SQLException e) {
            System.out.println("RESULT wrongPassword=" + e.getSQLState());
        }
    }
}
