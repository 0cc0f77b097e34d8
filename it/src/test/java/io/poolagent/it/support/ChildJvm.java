package io.poolagent.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Launches a real child JVM, as a pod would: the application's classpath (this test classpath), optional
 * {@code -javaagent:pool-agent.jar}, and {@code DB_*} variables in its environment. The inherited
 * environment is cleaned of DB_* and JAVA_TOOL_OPTIONS so that only what a test sets applies.
 */
public final class ChildJvm {

    /** Children still running; {@link ChildJvmCleanup} stops them after each test, a hook at exit. */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    /**
     * For apps that would be done before the agent's metrics come up (one second after the first pool): they
     * wait this long at the end of main.
     */
    public static final String METRICS_UP = "-Dapp.linger.millis=2500";

    private static final Pattern METRICS_LINE = Pattern.compile("metrics on http://[^ ]*:(\\d+)/metrics");

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ChildJvm::stopAll, "child-jvm-cleanup"));
    }

    private final Path javaHome;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> jvmArgs = new ArrayList<>();
    private Path agentJar;
    private String agentArgs;
    private String classpath = System.getProperty("java.class.path");

    private ChildJvm(Path javaHome) {
        this.javaHome = javaHome;
        // Any free port for the metrics endpoint, so that child JVMs never compete for the default one.
        env.put("DB_POOL_METRICS_PORT", "0");
    }

    public static ChildJvm on(Path javaHome) {
        return new ChildJvm(javaHome);
    }

    /** The jar built by the agent module; fails with a hint when it has not been built. */
    public static Path agentJar() {
        Path jar = Paths.get(System.getProperty("pool.agent.jar", "../agent/target/pool-agent.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no agent jar at " + jar.toAbsolutePath()
                    + ": build it first with `./test.sh` (or ./mvnw -B verify) from the repository root");
        }
        return jar;
    }

    public ChildJvm withAgent() {
        return withAgent(agentJar());
    }

    public ChildJvm withAgent(Path jar) {
        this.agentJar = jar;
        return this;
    }

    public ChildJvm agentArgs(String args) {
        this.agentArgs = args;
        return this;
    }

    public ChildJvm env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Another application classpath than this test's own. */
    public ChildJvm classpath(String classpath) {
        this.classpath = classpath;
        return this;
    }

    public ChildJvm jvmArg(String arg) {
        jvmArgs.add(arg);
        return this;
    }

    public Result run(Class<?> main, String... args) {
        return run(Duration.ofMinutes(2), main, args);
    }

    public Result run(Duration timeout, Class<?> main, String... args) {
        return exec(command(main, args), timeout);
    }

    /** Starts the child and returns at once, for tests that act while it runs. */
    public Running start(Class<?> main, String... args) {
        try {
            return new Running(command(main, args), env);
        } catch (IOException e) {
            throw new IllegalStateException("could not start " + main.getName(), e);
        }
    }

    private List<String> command(Class<?> main, String... args) {
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin/java").toString());
        if (agentJar != null) {
            command.add("-javaagent:" + agentJar.toAbsolutePath() + (agentArgs == null ? "" : "=" + agentArgs));
        }
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(classpath);
        command.add(main.getName());
        command.addAll(List.of(args));
        return command;
    }

    /** Runs any JDK command (jcmd, keytool...) of this JDK with the same environment. */
    public Result runTool(String tool, String... args) {
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin").resolve(tool).toString());
        command.addAll(List.of(args));
        return exec(command, Duration.ofMinutes(1));
    }

    private Result exec(List<String> command, Duration timeout) {
        try {
            return new Running(command, env).finish(timeout);
        } catch (IOException e) {
            throw new IllegalStateException("could not start " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    /** Kills every child that is still running. */
    public static void stopAll() {
        for (Process process : LIVE) {
            process.destroyForcibly();
            LIVE.remove(process);
        }
    }

    /** A child JVM still running; its output goes to files that can be read while it runs. */
    public static final class Running implements AutoCloseable {
        private final Process process;
        private final Path out;
        private final Path err;
        private final long started = System.nanoTime();

        Running(List<String> command, Map<String, String> env) throws IOException {
            out = Files.createTempFile("child-jvm", ".out");
            err = Files.createTempFile("child-jvm", ".err");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().keySet().removeIf(k -> k.startsWith("DB_") || k.equals("JAVA_TOOL_OPTIONS"));
            builder.environment().putAll(env);
            process = builder.start();
            LIVE.add(process);
        }

        /** Waits for a "RESULT key=value" line on stdout and returns the value. */
        public String awaitOutputValue(String key, Duration timeout) throws IOException, InterruptedException {
            Pattern line = Pattern.compile("(?m)^RESULT " + Pattern.quote(key) + "=(.*)$");
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                Matcher m = line.matcher(read(out));
                if (m.find()) {
                    return m.group(1).trim();
                }
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    throw new AssertionError("child never reported " + key + "\n--- stdout\n" + read(out)
                            + "\n--- stderr\n" + read(err));
                }
                Thread.sleep(50);
            }
        }

        /** Waits until stderr matches {@code pattern} and returns the match; fails with the output if it never does. */
        public Matcher awaitStderr(Pattern pattern, Duration timeout) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                Matcher m = pattern.matcher(read(err));
                if (m.find()) {
                    return m;
                }
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    throw new AssertionError("child never printed " + pattern + "\n--- stdout\n" + read(out)
                            + "\n--- stderr\n" + read(err));
                }
                Thread.sleep(50);
            }
        }

        /** The port the agent's metrics endpoint bound, read from its start-up line (the OS picks it). */
        public int metricsPort() throws IOException, InterruptedException {
            return Integer.parseInt(awaitStderr(METRICS_LINE, Duration.ofSeconds(60)).group(1));
        }

        /** SIGTERM, as Kubernetes stops a pod: shutdown hooks run. */
        public void terminate() {
            process.destroy();
        }

        public String stderrSoFar() throws IOException {
            return read(err);
        }

        /** Stops the child if it still runs (a test that failed half-way). */
        @Override
        public void close() {
            process.destroyForcibly();
            LIVE.remove(process);
        }

        /** Waits until stdout contains {@code text}; fails with the output so far if it never does. */
        public void awaitOutput(String text, Duration timeout) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!read(out).contains(text)) {
                if (System.nanoTime() > deadline || !process.isAlive() && !read(out).contains(text)) {
                    throw new AssertionError("child never printed " + text + "\n--- stdout\n" + read(out)
                            + "\n--- stderr\n" + read(err));
                }
                Thread.sleep(50);
            }
        }

        public Result finish(Duration timeout) throws IOException, InterruptedException {
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                process.destroyForcibly().waitFor();
            }
            LIVE.remove(process);
            Result result = new Result(finished ? process.exitValue() : -1, read(out), read(err),
                    Duration.ofNanos(System.nanoTime() - started), !finished);
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return result;
        }
    }

    /** What a child JVM did. Applications report facts as "RESULT key=value" lines on stdout. */
    public static final class Result {
        public final int exitCode;
        public final String stdout;
        public final String stderr;
        public final Duration took;
        public final boolean timedOut;

        Result(int exitCode, String stdout, String stderr, Duration took, boolean timedOut) {
            this.exitCode = exitCode;
            this.stdout = stdout;
            this.stderr = stderr;
            this.took = took;
            this.timedOut = timedOut;
            assertNoPasswordInAgentLines();
        }

        /**
         * Every child JVM of every test: no line the agent wrote, at any level, in either format, shows the password
         * of a role the tests created.
         */
        private void assertNoPasswordInAgentLines() {
            for (String line : (stdout + "\n" + stderr).split("\n")) {
                if (!line.startsWith("[pool-agent]") && !line.contains("\"logger\":\"pool-agent\"")) {
                    continue;
                }
                for (String password : PostgresServer.PASSWORDS) {
                    if (line.contains(password)) {
                        throw new AssertionError("the agent logged the password of a role: " + line);
                    }
                }
            }
        }

        public String value(String key) {
            String prefix = "RESULT " + key + "=";
            for (String line : stdout.split("\n")) {
                if (line.startsWith(prefix)) {
                    return line.substring(prefix.length()).trim();
                }
            }
            throw new AssertionError("the child reported no " + key + "\n" + this);
        }

        public int intValue(String key) {
            return Integer.parseInt(value(key));
        }

        /** The agent's own log lines. */
        public List<String> agentLines() {
            List<String> lines = new ArrayList<>();
            for (String line : (stdout + "\n" + stderr).split("\n")) {
                if (line.startsWith("[pool-agent]")) {
                    lines.add(line);
                }
            }
            return lines;
        }

        public long agentLinesContaining(String text) {
            return agentLines().stream().filter(l -> l.contains(text)).count();
        }

        @Override
        public String toString() {
            return "exit=" + exitCode + (timedOut ? " (timed out)" : "") + " took=" + took.toMillis() + "ms"
                    + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }
}
