package io.poolagent.hikari;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent ships this HikariCP; if an upgrade renames what DB_MAX_IDLE_CONNS relies on, this fails first. */
class HikariInternalsTest {

    @Test
    void theBundledHikariStillLetsAHandleBeClosedOnReturn() {
        assertTrue(HikariInternals.available());
    }
}
