package io.poolagent.share;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CensusTest {

    private static String tagged(String own, String service, String id, int weight) {
        return new InstanceTag(service, id, weight).applicationName(own);
    }

    @Test
    void taggedSessionsAreInstancesAndEveryOtherSessionIsSomeoneElses() {
        Map<String, Integer> sessions = new LinkedHashMap<>();
        sessions.put(tagged("orders-api", "orders", "aaaaaa", 1), 7);
        sessions.put("psql", 2);
        sessions.put(tagged("billing", "billing", "bbbbbb", 3), 4);
        sessions.put("", 5); // no application_name at all
        sessions.put("billing [pool-agent billing cccccc]", 1); // not a whole tag

        Census census = Census.of(100, 3, sessions, 0);

        assertEquals(Set.of("aaaaaa", "bbbbbb"), census.instances().keySet());
        Census.Instance orders = census.instances().get("aaaaaa");
        assertEquals("orders", orders.service);
        assertEquals(1, orders.weight);
        assertEquals(7, orders.sessions);
        Census.Instance billing = census.instances().get("bbbbbb");
        assertEquals("billing", billing.service);
        assertEquals(3, billing.weight);
        assertEquals(4, billing.sessions);
        assertEquals(8, census.others());
        assertEquals(19, census.sessions());
    }

    @Test
    void sessionsOfOtherRolesAreSomeoneElsesWhateverTheirTag() {
        // what read() makes of pg_stat_activity: the pool's own role's sessions by name, the rest only counted
        Map<String, Integer> ownRole = new LinkedHashMap<>();
        ownRole.put(tagged("payments", "payments", "aaaaaa", 1), 6);

        Census census = Census.of(100, 3, ownRole, 1); // one forged "[pool-agent payments zz9zz9 100]" of another role

        assertEquals(Set.of("aaaaaa"), census.instances().keySet());
        assertEquals(1, census.others());
        assertEquals(7, census.sessions());
    }

    @Test
    void oneInstanceUnderTwoApplicationNamesIsCountedOnce() {
        // one JVM, two pools whose URLs name different applications
        Map<String, Integer> sessions = new LinkedHashMap<>();
        sessions.put(tagged("orders-api", "orders", "aaaaaa", 1), 3);
        sessions.put(tagged("orders-reports", "orders", "aaaaaa", 1), 2);
        sessions.put(tagged("orders-api", "orders", "bbbbbb", 1), 4);

        Census census = Census.of(50, 0, sessions, 0);

        assertEquals(2, census.instances().size());
        assertEquals(5, census.instances().get("aaaaaa").sessions);
        assertEquals(4, census.instances().get("bbbbbb").sessions);
        assertEquals(0, census.others());
        assertEquals(9, census.sessions());
    }

    @Test
    void theBudgetIsMaxConnectionsLessTheReservedSlotsAndNeverNegative() {
        Census census = Census.of(100, 3, Map.of(), 0);
        assertEquals(100, census.maxConnections());
        assertEquals(3, census.reserved());
        assertEquals(97, census.budget());

        assertEquals(0, Census.of(5, 8, Map.of(), 0).budget());
        assertEquals(0, Census.of(0, 0, Map.of(), 0).budget());
    }

    @Test
    void anEmptyServerHasNoSessions() {
        Census census = Census.of(100, 3, Map.of(), 0);
        assertTrue(census.instances().isEmpty());
        assertEquals(0, census.others());
        assertEquals(0, census.sessions());
    }
}
