package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.poolagent.it.apps.ConnectStorm;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.Jdks;
import io.poolagent.it.support.PostgresExtension;
import io.poolagent.it.support.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Configuration as operators know it from the OpenTelemetry agent: system properties, a file, strict mode, JSON. */
@Tag("slow")
class ConfigSourcesTest {

    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.server(20, PostgresServer.Auth.TRUST);

    @TempDir
    Path tmp;

    @Test
    void aSystemPropertyAndAFileSetKnobsAndTheReadyLineNamesTheirSources() throws IOException {
        Path file = Files.writeString(tmp.resolve("pool-agent.properties"), "db.pool.reset=discard\n");
        ChildJvm.Result r = storm(ChildJvm.on(Jdks.current()).withAgent()
                .jvmArg("-Ddb.max.open.conns=3")
                .env("DB_POOL_CONFIG_FILE", file.toString()));

        assertEquals(10, r.intValue("ok"), r.toString());
        List<String> ready = linesContaining(r.agentLines(), " ready: ");
        assertEquals(1, ready.size(), r.toString());
        String line = ready.get(0);
        assertTrue(line.contains("ready: MaxOpen=3, MaxIdle=3,"), line);
        assertTrue(line.contains("Reset=discard"), line);
        assertTrue(line.contains("; settings from: DB_MAX_OPEN_CONNS=3 (system property db.max.open.conns),"), line);
        assertTrue(line.contains("DB_POOL_RESET=discard (file " + file + ")"), line);
        assertTrue(line.contains("DB_POOL_CONFIG_FILE=" + file + " (environment)"), line);
    }

    @Test
    void strictModeWithABadValueLeavesConnectionsUnpooledWithOneLine() {
        ChildJvm.Result r = storm(ChildJvm.on(Jdks.current()).withAgent()
                .env("DB_POOL_STRICT", "true")
                .env("DB_MAX_OPEN_CONNS", "abc"));

        assertEquals(10, r.intValue("ok"), r.toString());
        String classes = r.value("connectionClasses");
        assertTrue(classes.contains("org.postgresql.jdbc.PgConnection"), r.toString());
        assertFalse(classes.contains("io.poolagent"), r.toString());
        assertEquals(1, r.agentLinesContaining("ERROR DB_MAX_OPEN_CONNS=\"abc\" is not valid"), r.toString());
        assertEquals(1, r.agentLinesContaining("agent disabled by DB_POOL_STRICT=true"), r.toString());
        assertEquals(1, r.agentLinesContaining("ERROR agent disabled by DB_POOL_STRICT=true: 1 bad setting(s), see above"),
                r.toString());
        assertEquals(0, r.agentLinesContaining(" ready: "), r.toString());
    }

    @Test
    void jsonLogFormatMakesEveryAgentLineAJsonObject() {
        ChildJvm.Result r = storm(ChildJvm.on(Jdks.current()).withAgent()
                .jvmArg("-Ddb.pool.log.format=json")
                .env("DB_POOL_RESET", "sometimes")); // a problem line, printed before any other

        assertEquals(10, r.intValue("ok"), r.toString());
        List<String> lines = new ArrayList<>();
        for (String line : r.stderr.split("\n")) {
            if (line.startsWith("{") || line.contains("pool-agent")) { // the JVM's own warnings, if any, are not ours
                lines.add(line);
            }
        }
        assertFalse(lines.isEmpty(), r.toString());
        for (String line : lines) {
            assertTrue(line.startsWith("{\"timestamp\":") && line.endsWith("}"), "not a JSON object: " + line + "\n" + r);
        }
        assertEquals(1, linesContaining(lines, "\"level\":\"ERROR\"").size(), r.toString());
        assertEquals(1, linesContaining(lines, "DB_POOL_RESET=\\\"sometimes\\\" is not valid").size(), r.toString());
        assertEquals(1, linesContaining(lines, "ready: MaxOpen=25").size(), r.toString());
    }

    private static ChildJvm.Result storm(ChildJvm jvm) {
        return jvm.run(ConnectStorm.class, "driver-manager", PG.url(), PostgresServer.SUPERUSER, "", "2", "5");
    }

    private static List<String> linesContaining(List<String> lines, String text) {
        List<String> found = new ArrayList<>();
        for (String line : lines) {
            if (line.contains(text)) {
                found.add(line);
            }
        }
        return found;
    }
}
