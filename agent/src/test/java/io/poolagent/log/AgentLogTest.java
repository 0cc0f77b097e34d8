package io.poolagent.log;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentLogTest {

    @AfterEach
    void backToText() {
        AgentLog.setFormat(AgentLog.Format.TEXT);
    }

    @Test
    void utcTimestampsMatchJavaTime() {
        for (long millis : new long[] {0, -1, 951_782_400_000L, 1_764_325_530_123L, 4_102_444_799_999L}) {
            assertEquals(javaTime(millis), UtcTime.format(millis), "at " + millis);
        }
        for (int i = 0; i < 10_000; i++) {
            long millis = ThreadLocalRandom.current().nextLong(0, 4_102_444_800_000L);
            assertEquals(javaTime(millis), UtcTime.format(millis), "at " + millis);
        }
    }

    /** Instant prints no fraction for a whole second; ours always has three digits. */
    private static String javaTime(long millis) {
        String text = Instant.ofEpochMilli(millis).toString();
        return text.length() == 20 ? text.replace("Z", ".000Z") : text;
    }

    @Test
    void aTextLineHasTheTagTheTimeTheLevelAndTheMessage() {
        String line = AgentLog.line(AgentLog.Level.WARN, "pool app@db:5432/x: something", null);

        assertTrue(line.matches("\\[pool-agent] \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z WARN pool app@db:5432/x: something"),
                line);
    }

    @Test
    void aLineBreakInAMessageCannotStartALineOfItsOwn() {
        String line = AgentLog.line(AgentLog.Level.ERROR,
                "pool a@db:5432/x: FATAL: bad\r\n[pool-agent] 2026-01-01T00:00:00.000Z INFO all is well", null);
        assertEquals(1, line.lines().count(), line);
        assertTrue(line.endsWith("FATAL: bad\\r\\n[pool-agent] 2026-01-01T00:00:00.000Z INFO all is well"), line);
    }

    @Test
    void aJsonLineIsOneObjectWithTimestampLevelPoolAndMessage() {
        AgentLog.setFormat(AgentLog.Format.JSON);
        String line = AgentLog.line(AgentLog.Level.INFO, "pool app@db:5432/x ready: \"quoted\"\tand\\more", "\tat a.B(C.java:1)");

        assertTrue(line.matches("\\{\"timestamp\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\",\"level\":\"INFO\","
                + "\"logger\":\"pool-agent\",\"pool\":\"app@db:5432/x\",\"message\":\"pool app@db:5432/x ready: "
                + "\\\\\"quoted\\\\\"\\\\tand\\\\\\\\more\",\"stack\":\"\\\\tat a.B\\(C.java:1\\)\"}"), line);
        assertTrue(!line.contains("\n"), line);
    }

    /** The one helper the pool, retry, fair share and doctor lines use; it must be what "\\s+" -> " " was. */
    @Test
    void whitespaceRunsCollapseToOneSpaceAsTheRegexDid() {
        assertEquals("FATAL: too many clients ", AgentLog.collapseWhitespace("FATAL:  too many\r\n\tclients\n"));
        assertEquals(" a b ", AgentLog.collapseWhitespace("\u000B\fa \t b\n\n"));
        assertEquals("", AgentLog.collapseWhitespace(""));
        char[] alphabet = {' ', '\t', '\n', '\u000B', '\f', '\r', 'a', '\u00a0', '\u2003', '\u001c', '\u0085'};
        for (int i = 0; i < 10_000; i++) {
            StringBuilder text = new StringBuilder();
            for (int n = ThreadLocalRandom.current().nextInt(10); n > 0; n--) {
                text.append(alphabet[ThreadLocalRandom.current().nextInt(alphabet.length)]);
            }
            assertEquals(text.toString().replaceAll("\\s+", " "), AgentLog.collapseWhitespace(text.toString()),
                    text.toString());
        }
    }

    @Test
    void onlyMessagesAboutAPoolNameOne() {
        assertEquals("app@db:5432/x", AgentLog.poolOf("pool app@db:5432/x: a connection pooler"));
        assertEquals("app@db:5432/x#2", AgentLog.poolOf("pool app@db:5432/x#2 closed: unused for 10m"));
        assertNull(AgentLog.poolOf("metrics on http://0.0.0.0:9433/metrics"));
    }
}
