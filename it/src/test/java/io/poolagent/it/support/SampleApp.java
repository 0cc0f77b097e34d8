package io.poolagent.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The sample auth-service (sample-app/target/sample-app.jar) running in its own JVM, with or without the agent. */
public final class SampleApp implements AutoCloseable {

    private static final Pattern READY = Pattern.compile("READY port=(\\d+)");
    private static final Pattern METRICS = Pattern.compile("metrics on http://[^:]+:(\\d+)/metrics");

    private final Process process;
    private final Path out;
    private final Path err;
    private final int port;
    private final Duration startup;
    private final Thread killer;

    private SampleApp(Process process, Path out, Path err, int port, Duration startup) {
        this.startup = startup;
        this.process = process;
        this.out = out;
        this.err = err;
        this.port = port;
        // Ctrl-C on the demo must not leave a service (or its output files) behind.
        this.killer = new Thread(() -> {
            process.destroyForcibly();
            out.toFile().delete();
            err.toFile().delete();
        }, "sample-app-cleanup");
        Runtime.getRuntime().addShutdownHook(killer);
    }

    public static Path jar() {
        Path jar = Paths.get(System.getProperty("sample.app.jar", "../sample-app/target/sample-app.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no sample app at " + jar.toAbsolutePath() + ": build it with `./test.sh` (or ./mvnw -B verify)");
        }
        return jar;
    }

    /** Starts the service; {@code agent} adds -javaagent. Waits until it prints READY. */
    public static SampleApp start(boolean agent, Map<String, String> env) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        if (agent) {
            command.add("-javaagent:" + ChildJvm.agentJar().toAbsolutePath());
        }
        command.add("-jar");
        command.add(jar().toAbsolutePath().toString());
        Path out = Files.createTempFile("sample-app", ".out");
        Path err = Files.createTempFile("sample-app", ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("DB_") || k.equals("JAVA_TOOL_OPTIONS"));
        builder.environment().put("PORT", "0");
        builder.environment().putAll(env);
        long began = System.nanoTime();
        Process process = builder.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher ready = READY.matcher(Files.readString(out));
            if (ready.find()) {
                return new SampleApp(process, out, err, Integer.parseInt(ready.group(1)),
                        Duration.ofNanos(System.nanoTime() - began));
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(5);
        }
        process.destroyForcibly();
        throw new IllegalStateException("the sample app did not start:\n" + Files.readString(out) + Files.readString(err));
    }

    /** From process start until the service printed READY (polled every 5 ms). */
    public Duration startup() {
        return startup;
    }

    /** Resident memory of the service's JVM after a full GC, in MiB (Linux /proc). */
    public double residentMiB() throws IOException, InterruptedException {
        Process gc = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(process.pid()), "GC.run").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        gc.waitFor(30, TimeUnit.SECONDS);
        for (String line : Files.readAllLines(Paths.get("/proc", String.valueOf(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        throw new IOException("no VmRSS for " + process.pid());
    }

    public long pid() {
        return process.pid();
    }

    /** Live threads of the service's JVM (Linux /proc). */
    public int threads() throws IOException {
        for (String line : Files.readAllLines(Paths.get("/proc", String.valueOf(process.pid()), "status"))) {
            if (line.startsWith("Threads:")) {
                return Integer.parseInt(line.replaceAll("\\D", ""));
            }
        }
        throw new IOException("no Threads line for " + process.pid());
    }

    /** Java heap in use after a full GC, in MiB (jcmd GC.run, then GC.heap_info). */
    public double heapUsedAfterGcMiB() throws IOException, InterruptedException {
        jcmd("GC.run");
        java.util.regex.Matcher used = Pattern.compile("total \\d+K, used (\\d+)K").matcher(jcmd("GC.heap_info"));
        if (!used.find()) {
            throw new IOException("no heap figures from jcmd");
        }
        return Long.parseLong(used.group(1)) / 1024.0;
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(process.pid()), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** The agent's metrics port, from its log line; -1 without one. */
    public int metricsPort() throws IOException {
        Matcher m = METRICS.matcher(Files.readString(err, StandardCharsets.UTF_8));
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    public String stderr() throws IOException {
        return Files.readString(err, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killer);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
    }
}
