package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolagent.it.apps.ConnectStorm;
import io.poolagent.it.support.BackendSampler;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.Jdks;
import io.poolagent.it.support.PostgresExtension;
import io.poolagent.it.support.PostgresServer;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The product's promise: 100 threads that each open a fresh connection per query, against a server that
 * only has 20 slots (17 for ordinary roles), fail without the agent and succeed with it, unchanged,
 * whichever way the code reaches the driver.
 */
@Tag("slow")
class ConnectionStormTest {

    private static final int MAX_OPEN = 10;
    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.server(20, PostgresServer.Auth.TRUST)
            .role("app", "app-secret");

    @Test
    void withoutTheAgentTheStormExhaustsTheServer() throws Exception {
        ChildJvm.Result r = storm(ChildJvm.on(Jdks.current()), "driver-manager").result;
        assertTrue(r.intValue("errors") > 0, r.toString());
        assertTrue(r.value("errorsBySqlState").contains("53300"), r.toString());
    }

    @ParameterizedTest
    @MethodSource("io.poolagent.it.support.Jdks#all")
    void driverManagerStormHasNoErrorsAndStaysWithinMaxOpen(Path jdk) throws Exception {
        assertPooled(storm(ChildJvm.on(jdk).withAgent(), "driver-manager"));
    }

    @ParameterizedTest
    @MethodSource("io.poolagent.it.support.Jdks#all")
    void simpleDataSourceStormHasNoErrorsAndStaysWithinMaxOpen(Path jdk) throws Exception {
        assertPooled(storm(ChildJvm.on(jdk).withAgent(), "data-source"));
    }

    /**
     * DriverManager's Properties overload (what Spring's DriverManagerDataSource calls), and libraries that
     * hold the driver and call its connect() themselves, never DriverManager.
     */
    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("jdksAndOtherEntries")
    void stormThroughOtherEntriesHasNoErrorsAndStaysWithinMaxOpen(Path jdk, String mode) throws Exception {
        assertPooled(storm(ChildJvm.on(jdk).withAgent(), mode));
    }

    /** The oldest pgjdbc the weave matrix proves (the newest is the one above), through every entry. */
    @ParameterizedTest(name = "{0} on pgjdbc 42.2.29")
    @MethodSource("allEntries")
    void stormOnTheOldestPgjdbcHasNoErrorsAndStaysWithinMaxOpen(String mode) throws Exception {
        Path oldest = Path.of("target", "oldest-pgjdbc", "postgresql-42.2.29.jar").toAbsolutePath();
        assertTrue(Files.isRegularFile(oldest), oldest + " is copied there by the build (mvn generate-test-resources)");
        String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> entry.matches(".*/postgresql-[0-9.]+\\.jar") ? oldest.toString() : entry)
                .collect(Collectors.joining(File.pathSeparator));
        assertTrue(classpath.contains(oldest.toString()), "the test classpath has a pgjdbc to replace");
        Run run = storm(ChildJvm.on(Jdks.current()).withAgent().classpath(classpath), mode);
        assertPooled(run);
        assertEquals("42.2.29", run.result.value("driverVersion"), run.result.toString());
    }

    static Stream<String> allEntries() {
        return Stream.of("driver-manager", "data-source", "driver-manager-properties", "spring-simple-driver", "driver");
    }

    static Stream<Arguments> jdksAndOtherEntries() {
        return Jdks.all().flatMap(jdk -> Stream.of("driver-manager-properties", "spring-simple-driver", "driver")
                .map(mode -> Arguments.of(jdk, mode)));
    }

    private static void assertPooled(Run run) {
        ChildJvm.Result r = run.result;
        assertEquals(0, r.exitCode, r.toString());
        assertEquals(0, r.intValue("errors"), r.toString());
        assertEquals(100 * 20, r.intValue("ok"), r.toString());
        assertTrue(run.peakBackends <= MAX_OPEN, "peak backends " + run.peakBackends + "\n" + r);
        assertTrue(run.peakBackends > 0, "the sampler saw the pool's connections");
        assertEquals(1, r.agentLinesContaining("MaxOpen=10, MaxIdle=10, MaxLifetime=5m, MaxIdleTime=2m"), r.toString());
        assertTrue(r.value("connectionClasses").contains("io.poolagent"), "callers hold the agent's handles: " + r);
    }

    private static Run storm(ChildJvm jvm, String mode) throws Exception {
        try (BackendSampler sampler = new BackendSampler(PG.url(), PostgresServer.SUPERUSER, "")) {
            ChildJvm.Result result = jvm.env("DB_MAX_OPEN_CONNS", String.valueOf(MAX_OPEN))
                    .run(ConnectStorm.class, mode, PG.url(), "app", "app-secret", "100", "20");
            Run run = new Run(result, sampler.stop());
            // Reported so that the numbers behind the README's claim are in every build log.
            System.out.printf("storm %s agent=%s: ok=%s errors=%s %s peakBackends=%d elapsedMs=%s%n", mode,
                    result.agentLines().isEmpty() ? "no" : "yes", result.value("ok"), result.value("errors"),
                    result.value("errorsBySqlState"), run.peakBackends, result.value("elapsedMs"));
            return run;
        }
    }

    private static final class Run {
        final ChildJvm.Result result;
        final int peakBackends;

        Run(ChildJvm.Result result, int peakBackends) {
            this.result = result;
            this.peakBackends = peakBackends;
        }
    }
}
