package io.poolagent.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandsTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @ParameterizedTest
    @ValueSource(strings = {"", "help", "--help", "-h"})
    void helpPrintsTheUsageAndSucceeds(String command) {
        assertEquals(0, run(command.isEmpty() ? List.of() : List.of(command)));

        String usage = text(out);
        assertTrue(usage.contains("JAVA_TOOL_OPTIONS=\"-javaagent:"), usage);
        assertTrue(usage.contains("java -jar pool-agent.jar plan --max-connections N"), usage);
        assertTrue(usage.contains("java -jar pool-agent.jar doctor --url jdbc:postgresql://"), usage);
        assertTrue(usage.contains("README.md"), usage);
        assertEquals("", text(err));
    }

    @Test
    void versionPrintsTheVersionOnOneLine() {
        assertEquals(0, run(List.of("--version")));
        assertTrue(text(out).matches("pool-agent \\S+\n"), text(out));
        assertEquals("", text(err));
    }

    @Test
    void anUnknownCommandPrintsTheUsageOnStderrAndExitsTwo() {
        assertEquals(2, run(List.of("pla")));

        assertEquals("", text(out));
        assertTrue(text(err).startsWith("pool-agent: unknown command \"pla\"\n"), text(err));
        assertTrue(text(err).contains("java -jar pool-agent.jar plan"), text(err));
    }

    @Test
    void theCommandGetsTheRemainingArguments() {
        assertEquals(0, run(List.of("plan", "--max-connections", "100", "a:1:1")));
        assertTrue(text(out).contains("fits: total 2 within the budget 97"), text(out));
    }

    private int run(List<String> args) {
        return Commands.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static String text(ByteArrayOutputStream stream) {
        return stream.toString(StandardCharsets.UTF_8);
    }
}
