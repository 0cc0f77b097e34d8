package io.poolagent.it.support;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The real Prometheus tools from the Debian package: promtool to lint an exposition, a server to scrape one. */
public final class Prometheus implements AutoCloseable {

    private static final String HOW_TO_GET = "install the Debian package `prometheus` (apt-get install prometheus;"
            + " ./test.sh does) for /usr/bin/promtool and /usr/bin/prometheus";

    private final Process process;
    private final Path dir;
    private final int port;

    private Prometheus(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** Runs {@code promtool check metrics}; fails with its complaints, other than the {@code accepted} ones. */
    public static void checkMetrics(String exposition, String... accepted) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(tool("promtool"), "check", "metrics").redirectErrorStream(true).start();
        p.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("promtool check metrics did not finish:\n" + out);
        }
        boolean onlyAccepted = out.lines().map(String::trim).filter(l -> !l.isEmpty())
                .allMatch(l -> java.util.Arrays.asList(accepted).contains(l));
        if (p.exitValue() != 0 && !onlyAccepted) {
            throw new AssertionError("promtool check metrics failed:\n" + out);
        }
    }

    /** Runs {@code promtool args...} in {@code dir}; returns its output, or fails with it when promtool fails. */
    public static String promtool(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(tool("promtool")));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new AssertionError("promtool " + String.join(" ", args) + " failed in " + dir + ":\n" + out);
        }
        return out;
    }

    /** Starts a Prometheus server that scrapes {@code target} (host:port) every second. */
    public static Prometheus scraping(String target) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("prometheus");
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: pool-agent\n"
                + "    static_configs:\n      - targets: ['" + target + "']\n");
        Path log = dir.resolve("prometheus.log");
        // Port 0: the OS picks a free port, and Prometheus logs the one it got.
        Process process = new ProcessBuilder(tool("prometheus"), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:0")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Prometheus(process, dir, listeningPort(process, log));
    }

    private static int listeningPort(Process process, Path log) throws IOException, InterruptedException {
        Pattern listening = Pattern.compile("msg=\"Listening on\" address=127\\.0\\.0\\.1:(\\d+)");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && process.isAlive()) {
            Matcher m = listening.matcher(Files.readString(log));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            Thread.sleep(50);
        }
        process.destroyForcibly();
        throw new AssertionError("Prometheus did not start listening:\n" + Files.readString(log));
    }

    /** Polls the HTTP API until {@code query} returns a series; returns the API's JSON answer. */
    public String awaitSeries(String query, Duration timeout) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                + URLEncoder.encode(query, StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                last = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
                if (last.contains("\"result\":[{")) {
                    return last;
                }
            } catch (IOException notUpYet) {
                last = notUpYet.toString();
            }
            Thread.sleep(250);
        }
        throw new AssertionError("Prometheus never returned " + query + ": " + last + "\n"
                + Files.readString(dir.resolve("prometheus.log")));
    }

    /**
     * Runs one instant query and returns the API's JSON answer as it is: {@code "status":"success"} with the
     * result (empty when nothing matched yet), or {@code "status":"error"} with Prometheus' complaint about the
     * expression.
     */
    public String query(String query) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                + URLEncoder.encode(query, StandardCharsets.UTF_8));
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Whether one instant query of {@code query} returns at least one series now. */
    public boolean hasSeries(String query) throws IOException, InterruptedException {
        return query(query).contains("\"result\":[{");
    }

    /** Prometheus' own log so far, for failure messages. */
    public String log() throws IOException {
        return Files.readString(dir.resolve("prometheus.log"));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }

    private static String tool(String name) {
        Path path = Path.of("/usr/bin", name);
        if (!Files.isExecutable(path)) {
            throw new AssertionError(name + " not found: " + HOW_TO_GET);
        }
        return path.toString();
    }
}
