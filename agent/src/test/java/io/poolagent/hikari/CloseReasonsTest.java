package io.poolagent.hikari;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The closed-for-idle and closed-for-lifetime counters read HikariCP's log text. These tests pin that text
 * in the HikariCP version the agent bundles, so an upgrade that changes it fails here, not in production.
 */
class CloseReasonsTest {

    @Test
    void bundledHikariLogsTheClosingLineAndReasonsTheCountersRead() throws IOException {
        assertTrue(constants("com/zaxxer/hikari/pool/PoolBase.class").contains("{} - Closing connection {}: {}"),
                "PoolBase's closing line changed");
        assertTrue(constants("com/zaxxer/hikari/pool/HikariPool$HouseKeeper.class").contains(CloseReasons.IDLE_TIMEOUT),
                "the house keeper's idle reason changed");
        assertTrue(constants("com/zaxxer/hikari/pool/HikariPool$MaxLifetimeTask.class").contains(CloseReasons.MAX_LIFETIME),
                "the lifetime task's reason changed");
    }

    @Test
    void countsOnlyIdleAndLifetimeClosesPerPool() {
        CloseReasons.record("a", CloseReasons.IDLE_TIMEOUT);
        CloseReasons.record("a", CloseReasons.IDLE_TIMEOUT);
        CloseReasons.record("a", CloseReasons.MAX_LIFETIME);
        CloseReasons.record("a", "(connection evicted by user)");
        CloseReasons.record("b", CloseReasons.MAX_LIFETIME);

        assertEquals(2, CloseReasons.closedForIdleTime("a"));
        assertEquals(1, CloseReasons.closedForLifetime("a"));
        assertEquals(0, CloseReasons.closedForIdleTime("b"));
        assertEquals(1, CloseReasons.closedForLifetime("b"));
    }

    private static String constants(String resource) throws IOException {
        try (InputStream in = CloseReasonsTest.class.getClassLoader().getResourceAsStream(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
