package io.poolagent.it.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Virtual users registering (and logging in) against the sample service while a test breaks things, with
 * a ledger of what the service acknowledged: every 201 names an e-mail and a session token that must be in
 * the database afterwards. Counts outcomes in order, so a test can wait for the service to serve again.
 */
public final class RegistrationLedger implements AutoCloseable {

    private static final Pattern TOKEN = Pattern.compile("\"token\":\"([^\"]+)\"");

    private final String baseUrl;
    private final String prefix;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, String> acknowledged = new ConcurrentHashMap<>();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger succeeded = new AtomicInteger();
    /** Successes since the last failure. */
    private final AtomicInteger streak = new AtomicInteger();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> users = new ArrayList<>();

    /** Starts {@code virtualUsers} users; e-mails start with {@code prefix}, so each test can count its own. */
    public RegistrationLedger(String baseUrl, int virtualUsers, String prefix) {
        this.baseUrl = baseUrl;
        this.prefix = prefix;
        for (int vu = 0; vu < virtualUsers; vu++) {
            int index = vu;
            Thread user = new Thread(() -> loop(index), "ledger-vu-" + vu);
            users.add(user);
            user.start();
        }
    }

    private void loop(int vu) {
        for (int i = 0; running.get(); i++) {
            String email = prefix + "-" + vu + "-" + i + "@example.com";
            String body = "{\"email\":\"" + email + "\",\"password\":\"pw\"}";
            String token = post("/register", body, 201);
            if (token != null) {
                acknowledged.put(email, token);
                post("/login", body, 200);
            }
        }
    }

    /** The token of a successful answer, or null; counts the outcome. */
    private String post(String path, String body, int expected) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                    .timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            Matcher token = TOKEN.matcher(response.body());
            if (response.statusCode() == expected && token.find()) {
                succeeded.incrementAndGet();
                streak.incrementAndGet();
                return token.group(1);
            }
        } catch (Exception e) {
            // counted as a failure below
        }
        failed.incrementAndGet();
        streak.set(0);
        return null;
    }

    public int failed() {
        return failed.get();
    }

    public int succeeded() {
        return succeeded.get();
    }

    /** Waits until {@code count} requests in a row succeeded after the last failure; returns the seconds waited. */
    public double awaitSuccessesInARow(int count, Duration timeout) throws InterruptedException {
        streak.set(0);
        long began = System.nanoTime();
        long deadline = began + timeout.toNanos();
        while (streak.get() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the service never served " + count + " requests in a row again"
                        + " (failed so far: " + failed.get() + ")");
            }
            Thread.sleep(10);
        }
        return (System.nanoTime() - began) / 1e9;
    }

    /** Stops the users and waits for their last requests. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread user : users) {
            user.join();
        }
    }

    /** What the database holds of it: acknowledged registrations missing, and users without a session. */
    public Audit audit(String jdbcUrl, String user) throws SQLException {
        int lost = 0;
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, "");
             PreparedStatement find = c.prepareStatement("select count(*) from users u join sessions s"
                     + " on s.user_id = u.id where u.email = ? and s.token = ?")) {
            for (Map.Entry<String, String> registration : acknowledged.entrySet()) {
                find.setString(1, registration.getKey());
                find.setString(2, registration.getValue());
                try (ResultSet rs = find.executeQuery()) {
                    rs.next();
                    lost += rs.getInt(1) == 1 ? 0 : 1;
                }
            }
            try (PreparedStatement halves = c.prepareStatement("select count(*) from users u where u.email like ?"
                    + " and not exists (select 1 from sessions s where s.user_id = u.id)")) {
                halves.setString(1, prefix + "-%");
                try (ResultSet rs = halves.executeQuery()) {
                    rs.next();
                    return new Audit(acknowledged.size(), lost, rs.getInt(1));
                }
            }
        }
    }

    /** Acknowledged registrations; of them, lost; and registrations written half (a user without its session). */
    public static final class Audit {
        public final int acknowledged;
        public final int lost;
        public final int halfWritten;

        Audit(int acknowledged, int lost, int halfWritten) {
            this.acknowledged = acknowledged;
            this.lost = lost;
            this.halfWritten = halfWritten;
        }

        @Override
        public String toString() {
            return acknowledged + " registrations acknowledged, " + lost + " lost, " + halfWritten + " half-written";
        }
    }
}
