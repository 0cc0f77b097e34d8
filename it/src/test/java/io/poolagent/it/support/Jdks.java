package io.poolagent.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The JDKs the child-JVM tests run on: the one running the tests (17 by default) and, when installed, Temurin 25.
 * {@code POOL_AGENT_TEST_JDKS} (java homes separated by ':') replaces the list and makes every JDK in it
 * required: CI ({@code .ci/run}) sets it to 17 and 25, so a machine there without Temurin 25 fails with a hint
 * instead of testing less. On a developer's machine with JDK 17 only, the tests run on 17 alone.
 */
public final class Jdks {

    private static final Path JVM_DIR = Paths.get("/usr/lib/jvm");

    private Jdks() {
    }

    public static Stream<Path> all() {
        String override = System.getenv("POOL_AGENT_TEST_JDKS");
        if (override != null && !override.isBlank()) {
            return Stream.of(override.split(":")).map(Paths::get).map(Jdks::checked);
        }
        Path newer = temurin25();
        return newer == null ? Stream.of(current()) : Stream.of(current(), newer);
    }

    /** The JDKs of {@link #all} other than the current one (none on a machine with one JDK). */
    public static Stream<Path> others() {
        Path current = current().toAbsolutePath().normalize();
        return all().filter(home -> !home.toAbsolutePath().normalize().equals(current));
    }

    public static Path current() {
        return Paths.get(System.getProperty("java.home"));
    }

    /** Temurin 25 under /usr/lib/jvm, or null when it is not installed. */
    private static Path temurin25() {
        List<Path> found = new ArrayList<>();
        try (Stream<Path> homes = Files.list(JVM_DIR)) {
            homes.filter(p -> p.getFileName().toString().startsWith("temurin-25")).sorted().forEach(found::add);
        } catch (IOException e) {
            return null;
        }
        return found.isEmpty() ? null : checked(found.get(0));
    }

    private static Path checked(Path home) {
        if (!Files.isExecutable(home.resolve("bin/java"))) {
            throw new IllegalStateException("no bin/java in " + home + " (from POOL_AGENT_TEST_JDKS): install that JDK"
                    + " (Temurin 25: Adoptium's temurin-25-jdk package) or correct the list");
        }
        return home;
    }
}
