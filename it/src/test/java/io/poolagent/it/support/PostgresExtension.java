package io.poolagent.it.support;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One throwaway PostgreSQL server per test class, with the roles and SQL the class needs:
 * <pre>
 * &#64;RegisterExtension
 * static final PostgresExtension PG = PostgresExtension.server(20, Auth.TRUST).role("app", "app-secret");
 * </pre>
 * Started before the class's first test and stopped (and deleted) after its last one, also when a test fails.
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback {

    private final int maxConnections;
    private final PostgresServer.Auth auth;
    private PostgresServer.Transport transport = PostgresServer.Transport.PLAIN;
    private final Map<String, String> roles = new LinkedHashMap<>();
    private final List<String> setup = new ArrayList<>();
    private PostgresServer server;

    private PostgresExtension(int maxConnections, PostgresServer.Auth auth) {
        this.maxConnections = maxConnections;
        this.auth = auth;
    }

    public static PostgresExtension server(int maxConnections, PostgresServer.Auth auth) {
        return new PostgresExtension(maxConnections, auth);
    }

    /** A login role created at start-up (its password stored as scram-sha-256). */
    public PostgresExtension role(String name, String password) {
        roles.put(name, password);
        return this;
    }

    /** A server that accepts TLS connections only, with a throwaway certificate: see {@link #rootCertificate()}. */
    public PostgresExtension tlsOnly() {
        transport = PostgresServer.Transport.TLS_ONLY;
        return this;
    }

    /** SQL run as the superuser once the roles exist. */
    public PostgresExtension sql(String... statements) {
        setup.addAll(List.of(statements));
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        server = PostgresServer.start(maxConnections, auth, transport);
        roles.forEach(server::createRole);
        if (!setup.isEmpty()) {
            server.execute(setup.toArray(new String[0]));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    public PostgresServer server() {
        if (server == null) {
            throw new IllegalStateException("the PostgreSQL server runs only while the test class runs");
        }
        return server;
    }

    public String url() {
        return server().url();
    }

    public int port() {
        return server().port();
    }

    /** The certificate that signed the server's, to verify it with: only for a {@link #tlsOnly()} server. */
    public Path rootCertificate() {
        return server().rootCertificate();
    }
}
