package io.poolagent.it.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PgBouncer in transaction mode in front of a test server, for the benchmarks: the alternative operators
 * deploy instead of fixing each service. Debian's 1.18 refuses to run as root, so as root it runs as the
 * postgres user. Its clients must disable server-side prepared statements (prepareThreshold=0): in
 * transaction mode a named statement may land on another server connection.
 */
public final class PgBouncer implements AutoCloseable {

    private static final Path BINARY = Paths.get("/usr/sbin/pgbouncer");

    private final Path dir;
    private final int port;

    private PgBouncer(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** Null when PgBouncer is not installed and cannot be; {@code why} gets the reason. */
    public static PgBouncer start(PostgresServer pg, String user, String password, int poolSize, StringBuilder why)
            throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY) && !install(why)) {
            return null;
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory(Paths.get("/tmp"), "pgbouncer-");
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Files.writeString(dir.resolve("userlist.txt"), "\"" + user + "\" \"" + password + "\"\n");
        Files.writeString(dir.resolve("pgbouncer.ini"), String.join("\n",
                "[databases]",
                "postgres = host=127.0.0.1 port=" + pg.port() + " dbname=postgres",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                "listen_port = " + port,
                "unix_socket_dir = " + dir,
                "auth_type = scram-sha-256",
                "auth_file = " + dir.resolve("userlist.txt"),
                "pool_mode = transaction",
                // 1.21 and later can track prepared statements (on by default from 1.24); the tests need the
                // pooler most deployments still run, which does not. 1.18 does not know the setting at all.
                tracksPreparedStatements() ? "max_prepared_statements = 0" : "",
                "default_pool_size = " + poolSize,
                "max_client_conn = 2000",
                "logfile = " + dir.resolve("pgbouncer.log"),
                "pidfile = " + dir.resolve("pgbouncer.pid"),
                ""));
        Files.createFile(dir.resolve("pgbouncer.log"));
        List<String> command = new ArrayList<>();
        if (root) {
            run(List.of("chown", "-R", "postgres:postgres", dir.toString()));
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.addAll(List.of(BINARY.toString(), "-d", dir.resolve("pgbouncer.ini").toString()));
        run(command);
        PgBouncer bouncer = new PgBouncer(dir, port);
        bouncer.awaitListening();
        return bouncer;
    }

    /** PgBouncer 1.21 added max_prepared_statements; "PgBouncer 1.18.0" on the first line of --version. */
    private static boolean tracksPreparedStatements() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(BINARY.toString(), "--version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        Matcher version = Pattern.compile("PgBouncer (\\d+)\\.(\\d+)").matcher(out);
        return version.find() && (Integer.parseInt(version.group(1)) > 1 || Integer.parseInt(version.group(2)) >= 21);
    }

    public int port() {
        return port;
    }

    private void awaitListening() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IOException("pgbouncer did not start: " + Files.readString(dir.resolve("pgbouncer.log")));
    }

    private static boolean install(StringBuilder why) throws InterruptedException {
        try {
            Process p = new ProcessBuilder("apt-get", "install", "-y", "-qq", "pgbouncer").redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() == 0 && Files.isExecutable(BINARY)) {
                return true;
            }
            why.append("apt-get install pgbouncer failed: ").append(out.trim());
        } catch (IOException e) {
            why.append("pgbouncer is not installed and apt-get is not available: ").append(e.getMessage());
        }
        return false;
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        Path pidFile = dir.resolve("pgbouncer.pid");
        if (Files.exists(pidFile)) {
            run(List.of("kill", Files.readString(pidFile).trim()));
            Thread.sleep(300);
        }
        run(List.of("rm", "-rf", dir.toString()));
    }
}
