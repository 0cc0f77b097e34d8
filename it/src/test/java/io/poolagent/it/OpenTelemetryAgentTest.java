package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolagent.it.apps.ConnectStorm;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.Jdks;
import io.poolagent.it.support.PostgresExtension;
import io.poolagent.it.support.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The service runs with both pool-agent and the OpenTelemetry Java agent in JAVA_TOOL_OPTIONS, as platform
 * teams attach them, in either order: connections are pooled and OpenTelemetry still records every JDBC
 * query the application runs (its logging exporter prints one span per query on stderr).
 */
@Tag("slow")
class OpenTelemetryAgentTest {

    private static final Path OTEL_AGENT = Paths.get("target/other-agents/opentelemetry-javaagent.jar");
    private static final int THREADS = 4;
    private static final int QUERIES_PER_THREAD = 10;

    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.server(20, PostgresServer.Auth.SCRAM).role("app", "otel-pw-4410");

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void bothAgentsWorkInEitherOrder(boolean poolAgentFirst) {
        assertTrue(Files.isRegularFile(OTEL_AGENT), "no " + OTEL_AGENT.toAbsolutePath()
                + ": the it module's build copies it from Maven Central (./test.sh)");
        String ours = "-javaagent:" + ChildJvm.agentJar().toAbsolutePath();
        String theirs = "-javaagent:" + OTEL_AGENT.toAbsolutePath();
        ChildJvm.Result r = ChildJvm.on(Jdks.current())
                .env("JAVA_TOOL_OPTIONS", poolAgentFirst ? ours + " " + theirs : theirs + " " + ours)
                .env("OTEL_TRACES_EXPORTER", "logging").env("OTEL_METRICS_EXPORTER", "none")
                .env("OTEL_LOGS_EXPORTER", "none").env("OTEL_SERVICE_NAME", "pool-agent-it")
                .env("DB_MAX_OPEN_CONNS", "3").env("DB_POOL_METRICS_PORT", "off")
                .run(ConnectStorm.class, "driver-manager", PG.url(), "app", "otel-pw-4410",
                        String.valueOf(THREADS), String.valueOf(QUERIES_PER_THREAD));

        assertEquals(THREADS * QUERIES_PER_THREAD, r.intValue("ok"), r.toString());
        assertTrue(r.value("connectionClasses").contains("io.poolagent"), "not pooled:\n" + r);
        assertEquals(1, r.agentLinesContaining("ready: MaxOpen=3"), r.toString());
        assertEquals(0, r.agentLinesContaining("ERROR"), r.toString());
        assertEquals(THREADS * QUERIES_PER_THREAD, spans(r.stderr, "select pg_sleep(?), current_user"),
                "OpenTelemetry must record each of the application's queries once:\n" + r);
    }

    private static long spans(String log, String statement) {
        return log.lines().filter(line -> line.contains("LoggingSpanExporter"))
                .filter(line -> line.contains("db.statement=" + statement)).count();
    }
}
