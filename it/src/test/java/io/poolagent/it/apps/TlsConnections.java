package io.poolagent.it.apps;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One user connecting to a TLS-only server with four URLs that differ only in their TLS settings, in this
 * order, all through {@code DriverManager}:
 * <ol>
 * <li>VERIFIED ({@code sslmode=verify-full} with the right root certificate) from THREADS threads,
 * ITERATIONS times each: each borrow reports its connection class, its backend and whether the server sees
 * that backend's session as TLS ({@code pg_stat_ssl}); then the user's sessions on the server are counted;</li>
 * <li>REQUIRE ({@code sslmode=require}, no verification): its backend, and whether it is one of VERIFIED's;</li>
 * <li>PLAIN ({@code sslmode=disable}): the error it fails with;</li>
 * <li>WRONG_CA (verify-full against another authority): the error it fails with, or "connected" with the
 * backend it was given;</li>
 * <li>VERIFIED once more, which must still work.</li>
 * </ol>
 * Args: VERIFIED REQUIRE PLAIN WRONG_CA USER PASSWORD THREADS ITERATIONS
 */
public final class TlsConnections {

    private static final String TLS_OF_THIS_SESSION = "select pg_backend_pid(),"
            + " (select ssl from pg_stat_ssl where pid = pg_backend_pid())";

    public static void main(String[] args) throws Exception {
        String verified = args[0];
        String user = args[4];
        String password = args[5];

        Set<Integer> verifiedBackends = borrowConcurrently(verified, user, password,
                Integer.parseInt(args[6]), Integer.parseInt(args[7]));
        countSessions(verified, user, password);

        try (Connection c = DriverManager.getConnection(args[1], user, password)) {
            int[] session = session(c);
            System.out.println("RESULT requireClass=" + Held.className(c));
            System.out.println("RESULT requireTls=" + (session[1] == 1));
            System.out.println("RESULT requireOnVerifiedBackend=" + verifiedBackends.contains(session[0]));
        }

        System.out.println("RESULT plain=" + refusal(args[2], user, password));
        System.out.println("RESULT wrongCa=" + refusal(args[3], user, password));

        try (Connection c = DriverManager.getConnection(verified, user, password)) {
            System.out.println("RESULT verifiedAfterwardsTls=" + (session(c)[1] == 1));
        }
    }

    private static Set<Integer> borrowConcurrently(String url, String user, String password, int threads,
            int iterations) throws InterruptedException {
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger notTls = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        Set<Integer> backends = ConcurrentHashMap.newKeySet();
        Set<String> classes = ConcurrentHashMap.newKeySet();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                for (int i = 0; i < iterations; i++) {
                    try (Connection c = DriverManager.getConnection(url, user, password)) {
                        classes.add(Held.className(c));
                        int[] session = session(c);
                        backends.add(session[0]);
                        try (Statement s = c.createStatement()) {
                            s.execute("select pg_sleep(0.01)"); // a little work, so that the threads overlap
                        }
                        if (session[1] != 1) {
                            notTls.incrementAndGet();
                        }
                        ok.incrementAndGet();
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
        System.out.println("RESULT verifiedOk=" + ok.get());
        System.out.println("RESULT verifiedErrors=" + errors.get());
        System.out.println("RESULT verifiedNotTls=" + notTls.get());
        System.out.println("RESULT verifiedBackends=" + backends.size());
        System.out.println("RESULT verifiedClasses=" + String.join(",", new TreeSet<>(classes)));
        return backends;
    }

    /** The user's sessions as the server counts them, and how many of them are TLS, over a pooled connection. */
    private static void countSessions(String url, String user, String password) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*), count(*) filter (where s.ssl)"
                     + " from pg_stat_activity a join pg_stat_ssl s using (pid) where a.usename = current_user")) {
            rs.next();
            System.out.println("RESULT sessions=" + rs.getInt(1));
            System.out.println("RESULT tlsSessions=" + rs.getInt(2));
        }
    }

    /** {backend pid, 1 if the server sees the session as TLS else 0}. */
    private static int[] session(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(TLS_OF_THIS_SESSION)) {
            rs.next();
            return new int[] {rs.getInt(1), rs.getBoolean(2) ? 1 : 0};
        }
    }

    /**
     * "SQLSTATE|exception class|root cause class|message" of a connect that failed, or "connected|backend" if
     * it did not.
     */
    private static String refusal(String url, String user, String password) {
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            return "connected|" + session(c)[0];
        } catch (SQLException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            String message = String.valueOf(e.getMessage()).replace('\n', ' ').replace('|', '/');
            return e.getSQLState() + "|" + e.getClass().getName() + "|" + root.getClass().getName() + "|" + message;
        }
    }
}
