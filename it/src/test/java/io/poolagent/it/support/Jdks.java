package io.poolagent.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The JDKs the child-JVM tests run on: the one running the tests (17 by default) and Temurin 25.
 * {@code POOL_AGENT_TEST_JDKS} (java homes separated by ':') replaces the list. A missing JDK fails
 * the tests with a hint; it never skips them.
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
        return Stream.of(current(), temurin25());
    }

    public static Path current() {
        return Paths.get(System.getProperty("java.home"));
    }

    public static Path temurin25() {
        List<Path> found = new ArrayList<>();
        try (Stream<Path> homes = Files.list(JVM_DIR)) {
            homes.filter(p -> p.getFileName().toString().startsWith("temurin-25")).sorted().forEach(found::add);
        } catch (IOException e) {
            // reported below
        }
        if (found.isEmpty()) {
            throw new IllegalStateException("Temurin 25 not found under " + JVM_DIR + ": install it (Adoptium's"
                    + " temurin-25-jdk package) or set POOL_AGENT_TEST_JDKS=/path/to/jdk17:/path/to/jdk25");
        }
        return checked(found.get(0));
    }

    private static Path checked(Path home) {
        if (!Files.isExecutable(home.resolve("bin/java"))) {
            throw new IllegalStateException("no bin/java in " + home);
        }
        return home;
    }
}
