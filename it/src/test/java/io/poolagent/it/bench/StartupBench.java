package io.poolagent.it.bench;

import io.poolagent.it.apps.Hello;
import io.poolagent.it.apps.OneQuery;
import io.poolagent.it.load.LoadGenerator;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.PostgresServer;
import io.poolagent.it.support.SampleApp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Section 3 of the report: what attaching the agent costs a JVM, measured in interleaved pairs (without,
 * with) on the same machine: a JVM that never touches JDBC, the shortest JDBC job (one connection, one
 * query, exit: wall time, peak resident memory, and the exit alone), the sample app's time to ready and its
 * memory under load. Then, from the agent's debug log in separate runs, where its own time goes.
 */
final class StartupBench {

    private static final Pattern RESULT = Pattern.compile("RESULT (\\w+)=(\\S+)");
    private static final Pattern FIRST_CONNECT = Pattern.compile("of which its first connect (\\d+) us");
    private static final Pattern PHASE = Pattern.compile("start-up: (.*?) (?:took|in|set up in|published in) (\\d+) us");

    private final PostgresServer pg;
    private final String user;
    private final String password;

    StartupBench(PostgresServer pg, String user, String password) {
        this.pg = pg;
        this.user = user;
        this.password = password;
    }

    /**
     * What is attached: nothing, the agent of another build (e.g. the jar of the last commit before a change,
     * given with -Dbench.baseline.jar=PATH and -Dbench.baseline.name=NAME), this build's agent.
     */
    private static final class Variant {
        final String name;
        final Path jar;

        Variant(String name, Path jar) {
            this.name = name;
            this.jar = jar;
        }
    }

    private static List<Variant> variants() {
        List<Variant> variants = new ArrayList<>();
        variants.add(new Variant("without agent", null));
        String baseline = System.getProperty("bench.baseline.jar", "");
        if (!baseline.isEmpty()) {
            variants.add(new Variant(System.getProperty("bench.baseline.name", "baseline"), Path.of(baseline)));
        }
        variants.add(new Variant("with agent", ChildJvm.agentJar().toAbsolutePath()));
        return variants;
    }

    void run(int rounds, StringBuilder report) throws Exception {
        List<Variant> variants = variants();
        int n = variants.size();
        int runs = Math.max(7, rounds * 3);
        double[][] hello = new double[n][runs];
        double[][] wall = new double[n][runs];
        double[][] peak = new double[n][runs];
        double[][] exit = new double[n][runs];
        for (int i = 0; i < runs; i++) {
            for (int v = 0; v < n; v++) {
                hello[v][i] = launch(variants.get(v).jar, Hello.class, Map.of()).wallMillis;
                Run query = launch(variants.get(v).jar, OneQuery.class, Map.of(), pg.url(), user, password);
                wall[v][i] = query.wallMillis;
                peak[v][i] = Double.parseDouble(query.result("peakKiB")) / 1024;
                exit[v][i] = query.exitMillis();
            }
        }
        double[][] ready = new double[2][rounds];
        double[][] whenReady = new double[2][rounds];
        double[][] underLoad = new double[2][rounds];
        for (int i = 0; i < rounds; i++) {
            for (int agent = 0; agent < 2; agent++) {
                try (SampleApp app = SampleApp.start(agent == 1, Benchmarks.env(pg, agent == 1 ? "pool-agent" : "no agent", null))) {
                    whenReady[agent][i] = app.residentMiB();
                    new LoadGenerator(app.baseUrl(), 10, Duration.ofSeconds(60)).iterationsPerUser(50)
                            .run("rss", pg.url(), PostgresServer.SUPERUSER);
                    ready[agent][i] = app.startup().toNanos() / 1e6;
                    underLoad[agent][i] = app.residentMiB();
                }
            }
        }
        report.append("## 3. start-up and memory (medians of ").append(runs).append(" interleaved runs of each; sample app: ")
                .append(rounds).append(")\n\n");
        if (n == 3) {
            threeWay(report, variants, hello, wall, peak, exit);
        }
        report.append("| measure | without agent | with agent | difference | target |\n|---|---|---|---|---|\n");
        row(report, "JVM that never uses JDBC (hello world), wall time", pair(hello), "ms", "<= +50 ms", 50);
        row(report, "one connection, one query, exit: wall time", pair(wall), "ms", "<= +150 ms", 150);
        row(report, "one connection, one query: peak resident memory (VmHWM)", pair(peak), "MiB", "<= +25 MiB", 25);
        row(report, "the same: from main's end to the process's exit", pair(exit), "ms", "nothing measurable", 10);
        row(report, "sample app: time to ready, first database connect included", ready, "ms", "", Double.NaN);
        row(report, "sample app: resident memory when ready, after a full GC", whenReady, "MiB", "", Double.NaN);
        row(report, "sample app: resident memory after 500 register + login and a full GC", underLoad, "MiB", "",
                Double.NaN);
        for (Variant variant : variants) {
            if (variant.jar != null) {
                phases(variant, Math.max(3, rounds), report);
            }
        }
    }

    /** Without agent and this build's agent: the first and the last of the variants. */
    private static double[][] pair(double[][] values) {
        return new double[][] {values[0], values[values.length - 1]};
    }

    /** The three variants side by side, and what this build adds against what the other build adds. */
    private static void threeWay(StringBuilder report, List<Variant> variants, double[][] hello, double[][] wall,
                                 double[][] peak, double[][] exit) {
        report.append("| measure | ").append(variants.get(0).name).append(" | ").append(variants.get(1).name)
                .append(" | ").append(variants.get(2).name).append(" | added: ").append(variants.get(1).name)
                .append(" | added: ").append(variants.get(2).name).append(" | ratio of the added |\n")
                .append("|---|---|---|---|---|---|---|\n");
        threeWayRow(report, "hello world (never uses JDBC), wall time", hello, "ms");
        threeWayRow(report, "one connection, one query, exit: wall time", wall, "ms");
        threeWayRow(report, "one connection, one query: peak resident memory (VmHWM)", peak, "MiB");
        threeWayRow(report, "the same: from main's end to the process's exit", exit, "ms");
        report.append("\n");
    }

    private static void threeWayRow(StringBuilder report, String measure, double[][] values, String unit) {
        double none = Benchmarks.median(values[0]);
        double before = Benchmarks.median(values[1]);
        double now = Benchmarks.median(values[2]);
        report.append(String.format(Locale.ROOT, "| %s | %.1f %s | %.1f %s | %.1f %s | %+.1f %s | %+.1f %s | %.2fx |%n",
                measure, none, unit, before, unit, now, unit, before - none, unit, now - none, unit,
                (now - none) / (before - none)));
    }

    /** The agent's own account of its start-up, from its debug log: medians over separate runs. */
    private void phases(Variant variant, int runs, StringBuilder report) throws Exception {
        Map<String, List<Double>> phases = new LinkedHashMap<>();
        for (int i = 0; i < runs; i++) {
            // Lingers 2 s, so that the metrics (1 s after the first pool) come up within the run.
            Run run = launch(variant.jar, OneQuery.class, Map.of("DB_POOL_LOG_LEVEL", "debug"), pg.url(), user, password,
                    "2000");
            Matcher m = PHASE.matcher(run.output);
            while (m.find()) {
                String name = m.group(1).replaceAll("pool \\S+", "pool").replaceAll("metrics of pool", "metrics");
                phases.computeIfAbsent(name, k -> new ArrayList<>()).add(Long.parseLong(m.group(2)) / 1000.0);
            }
            Matcher connect = FIRST_CONNECT.matcher(run.output);
            if (connect.find()) {
                phases.computeIfAbsent("first connect, part of \"pool started\" (paid without the agent too)",
                        k -> new ArrayList<>()).add(Long.parseLong(connect.group(1)) / 1000.0);
            }
        }
        report.append("\nWhere the agent's time goes, ").append(variant.name).append(" (its debug log, medians of ")
                .append(runs).append(" runs of the one-query JVM; the metrics come up on the agent's thread 1 s after")
                .append(" the first pool):\n\n")
                .append("| phase | ms | on the application's path |\n|---|---|---|\n");
        phases.forEach((name, values) -> report.append(String.format(Locale.ROOT, "| %s | %.1f | %s |%n", name,
                Benchmarks.median(values.stream().mapToDouble(Double::doubleValue).toArray()),
                name.startsWith("metrics") ? "no" : "yes")));
    }

    private static void row(StringBuilder report, String measure, double[][] values, String unit, String target,
                            double limit) {
        double without = Benchmarks.median(values[0]);
        double with = Benchmarks.median(values[1]);
        String verdict = target.isEmpty() ? "" : target + (with - without <= limit ? ": met" : ": **missed**");
        report.append(String.format(Locale.ROOT, "| %s | %.1f %s | %.1f %s | %+.1f %s | %s |%n", measure, without, unit,
                with, unit, with - without, unit, verdict));
    }

    /** One child JVM, timed from start to exit; the agent's variables only when it has the agent. */
    private static Run launch(Path agentJar, Class<?> main, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        boolean agent = agentJar != null;
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        if (agent) {
            command.add("-javaagent:" + agentJar);
        }
        command.add("-cp");
        command.add(location(main) + java.io.File.pathSeparator + location(org.postgresql.Driver.class));
        command.add(main.getName());
        command.addAll(Arrays.asList(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("DB_") || k.equals("JAVA_TOOL_OPTIONS"));
        if (agent) {
            builder.environment().put("DB_POOL_METRICS_PORT", "0");
            builder.environment().putAll(env);
        }
        long began = System.nanoTime();
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        Instant exited = Instant.now();
        double wall = (System.nanoTime() - began) / 1e6;
        return new Run(wall, exited, new String(output, StandardCharsets.UTF_8));
    }

    private static String location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class Run {
        final double wallMillis;
        final Instant exited;
        final String output;
        final Map<String, String> results = new LinkedHashMap<>();

        Run(double wallMillis, Instant exited, String output) {
            this.wallMillis = wallMillis;
            this.exited = exited;
            this.output = output;
            Matcher m = RESULT.matcher(output);
            while (m.find()) {
                results.put(m.group(1), m.group(2));
            }
        }

        String result(String name) {
            String value = results.get(name);
            if (value == null) {
                throw new IllegalStateException("no RESULT " + name + " in: " + output);
            }
            return value;
        }

        /** From main's end (the child's clock) to the exit the parent saw: shutdown hooks and JVM teardown. */
        double exitMillis() {
            long end = Long.parseLong(result("mainEndMicros"));
            long exit = exited.getEpochSecond() * 1_000_000 + exited.getNano() / 1000;
            return (exit - end) / 1000.0;
        }
    }
}
