package io.poolagent.session;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdleSessionsTest {

    @Test
    void returnsBeyondTheCeilingAreRefusedAndCounted() {
        IdleSessions idle = new IdleSessions(2);
        assertTrue(idle.admit());
        assertTrue(idle.admit());
        assertFalse(idle.admit());
        assertFalse(idle.admit());
        assertEquals(2, idle.closedOverMax());
        idle.left(); // one was borrowed again
        assertTrue(idle.admit());
        assertEquals(2, idle.idle());
    }

    @Test
    void sessionsThePoolOpensCountAsIdleUntilBorrowed() {
        IdleSessions idle = new IdleSessions(1);
        idle.opened();
        assertFalse(idle.admit(), "the fresh one fills the ceiling");
        idle.left();
        assertTrue(idle.admit());
    }

    @Test
    void aCeilingOfZeroKeepsNothing() {
        IdleSessions idle = new IdleSessions(0);
        assertFalse(idle.admit());
        assertEquals(1, idle.closedOverMax());
    }
}
