package io.poolagent.sample;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Go services' auth-service in plain Java: {@code POST /register}, {@code POST /login}, {@code GET /health}.
 *
 * <p>Environment: {@code DATABASE_URL} (JDBC, or postgres://user:pass@host:port/db), optional
 * {@code DB_USER}/{@code DB_PASSWORD}, {@code PORT} (default 8080; 0 picks a free one), and
 * {@code APP_POOL}: {@code none} (default, the naive per-step connections) or {@code hikari} (the
 * hand-written HikariCP fix, sized by {@code DB_MAX_OPEN_CONNS}/{@code DB_MAX_IDLE_CONNS} like the agent).
 * Prints {@code READY port=N} once it serves.
 */
public final class AuthService {

    private static final Pattern FIELD = Pattern.compile("\"(email|password)\"\\s*:\\s*\"([^\"]*)\"");

    private final Accounts accounts;

    private AuthService(Accounts accounts) {
        this.accounts = accounts;
    }

    public static void main(String[] args) throws Exception {
        DatabaseUrl url = DatabaseUrl.parse(System.getenv("DATABASE_URL"), System.getenv("DB_USER"),
                System.getenv("DB_PASSWORD"));
        boolean hikari = "hikari".equalsIgnoreCase(System.getenv().getOrDefault("APP_POOL", "none"));
        Database db = hikari
                ? Database.hikari(url, intEnv("DB_MAX_OPEN_CONNS", 25), intEnv("DB_MAX_IDLE_CONNS", 10))
                : Database.naive(url);
        Accounts accounts = new Accounts(db);
        accounts.createSchema();

        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", intEnv("PORT", 8080)), 512);
        // One thread per in-flight request, as a Go service runs one goroutine per request.
        ExecutorService workers = Executors.newFixedThreadPool(256);
        server.setExecutor(workers);
        AuthService service = new AuthService(accounts);
        server.createContext("/register", exchange -> service.handle(exchange, true));
        server.createContext("/login", exchange -> service.handle(exchange, false));
        server.createContext("/health", exchange -> respond(exchange, 200, "{\"status\":\"ok\"}"));
        server.start();
        System.out.println("READY port=" + server.getAddress().getPort() + " pool=" + (hikari ? "hikari" : "none"));
    }

    private void handle(HttpExchange exchange, boolean register) throws IOException {
        if (!"POST".equals(exchange.getRequestMethod())) {
            respond(exchange, 405, "{\"error\":\"use POST\"}");
            return;
        }
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String email = null;
        String password = null;
        Matcher m = FIELD.matcher(body);
        while (m.find()) {
            if (m.group(1).equals("email")) {
                email = m.group(2);
            } else {
                password = m.group(2);
            }
        }
        if (email == null || password == null) {
            respond(exchange, 400, "{\"error\":\"email and password are required\"}");
            return;
        }
        try {
            String token = register ? accounts.register(email, password) : accounts.login(email, password);
            if (token == null) {
                respond(exchange, register ? 409 : 401, register ? "{\"error\":\"email taken\"}" : "{\"error\":\"wrong credentials\"}");
            } else {
                respond(exchange, register ? 201 : 200, "{\"token\":\"" + token + "\"}");
            }
        } catch (SQLException e) {
            // What the Go service returned: a 500 carrying the database's SQLSTATE (53300 under load).
            respond(exchange, 500, "{\"error\":\"database error\",\"sqlstate\":\"" + e.getSQLState() + "\"}");
        }
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static int intEnv(String name, int fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value.trim());
    }
}
