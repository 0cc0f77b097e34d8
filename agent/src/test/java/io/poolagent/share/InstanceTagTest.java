package io.poolagent.share;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InstanceTagTest {

    private static final InstanceTag TAG = new InstanceTag("orders", "k3x9q2", 2);

    private static int bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    /** PostgreSQL 16 and later: each byte that is not printable ASCII shows as \xNN; then 63 bytes are kept. */
    private static String keptByPostgres16(String applicationName) {
        StringBuilder out = new StringBuilder();
        for (byte b : applicationName.getBytes(StandardCharsets.UTF_8)) {
            int value = b & 0xff;
            out.append(value >= 32 && value <= 126 ? String.valueOf((char) value) : String.format("\\x%02x", value));
        }
        return out.length() > 63 ? out.substring(0, 63) : out.toString();
    }

    /** PostgreSQL 15 and before: each such byte shows as '?'; then 63 bytes are kept. */
    private static String keptByPostgres15(String applicationName) {
        StringBuilder out = new StringBuilder();
        for (byte b : applicationName.getBytes(StandardCharsets.UTF_8)) {
            int value = b & 0xff;
            out.append(value >= 32 && value <= 126 ? (char) value : '?');
        }
        return out.length() > 63 ? out.substring(0, 63) : out.toString();
    }

    private static void assertSameTag(InstanceTag expected, InstanceTag parsed) {
        assertNotNull(parsed);
        assertEquals(expected.service(), parsed.service());
        assertEquals(expected.id(), parsed.id());
        assertEquals(expected.weight(), parsed.weight());
    }

    @Test
    void theApplicationsOwnNameComesFirstThenTheTag() {
        assertEquals("orders-api [pool-agent orders k3x9q2 2]", TAG.applicationName("orders-api"));
        assertEquals("orders-api [pool-agent orders k3x9q2 2]", TAG.applicationName("  orders-api  "));
        assertEquals("[pool-agent orders k3x9q2 2]", TAG.toString());
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "   "})
    void anEmptyOwnNameGivesJustTheTag(String own) {
        assertEquals("[pool-agent orders k3x9q2 2]", TAG.applicationName(own));
    }

    @Test
    void aLongNameIsShortenedToFit63BytesAndTheTagIsNeverCut() {
        String name = TAG.applicationName("a-very-long-application-name-that-goes-on-and-on-and-on-for-ever");
        assertEquals(63, bytes(name));
        assertTrue(name.startsWith("a-very-long-application-name"), name);
        assertTrue(name.endsWith(" [pool-agent orders k3x9q2 2]"), name);
        assertSameTag(TAG, InstanceTag.parse(name));
    }

    @Test
    void aNameCutAtASpaceLeavesNoDoubleSpace() {
        // the tag takes 28 bytes and its space 1: 34 are left for the application's name
        assertEquals("123456789 123456789 123456789 word [pool-agent orders k3x9q2 2]",
                TAG.applicationName("123456789 123456789 123456789 word tail"));
        assertEquals("123456789 123456789 123456789 123 [pool-agent orders k3x9q2 2]",
                TAG.applicationName("123456789 123456789 123456789 123 tail"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Zahlungsdienst für Österreich und die Schweiz", "注文サービス注文サービス注文サービス",
            "café", "🚀 launch service 🚀🚀🚀🚀🚀🚀🚀", "tab\tand\u0001control", "ü"})
    void aMultibyteNameIsShortenedSoThatTheServerKeepsTheWholeTag(String own) {
        for (String service : new String[] {"s", "sv", "svc", "svcs", "orders", "a-twenty-four-char-name1"}) {
            InstanceTag tag = new InstanceTag(service, "k3x9q2", 1);
            String name = tag.applicationName(own);
            assertTrue(bytes(name) <= 63, name);
            assertTrue(name.endsWith(tag.toString()), name);
            assertSameTag(tag, InstanceTag.parse(keptByPostgres15(name)));
            assertSameTag(tag, InstanceTag.parse(keptByPostgres16(name)));
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                assertFalse(Character.isHighSurrogate(c)
                        && (i + 1 == name.length() || !Character.isLowSurrogate(name.charAt(i + 1))),
                        "a character cut in half: " + name);
            }
        }
    }

    @Test
    void aShortMultibyteNameIsKeptWhole() {
        assertEquals("café [pool-agent orders k3x9q2 2]", TAG.applicationName("café"));
    }

    @Test
    void parseRoundTrips() {
        assertSameTag(TAG, InstanceTag.parse(TAG.toString()));
        assertSameTag(TAG, InstanceTag.parse(TAG.applicationName("orders-api")));
        assertSameTag(TAG, InstanceTag.parse(TAG.applicationName("[pool-agent other aaaaaa 1] wrapped")));
        InstanceTag heavy = new InstanceTag("a.b_c-d", "000000", 100);
        assertSameTag(heavy, InstanceTag.parse(heavy.applicationName("x")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "psql", "PostgreSQL JDBC Driver", "app [pool-agent orders k3x9q2 2",
            "app [pool-agent orders k3x9q2 2] ", "app [pool-agentorders k3x9q2 2]", "app (pool-agent orders k3x9q2 2)",
            "[pool-agent orders k3x9q2]", "[pool-agent orders]", "[pool-agent ]", "[pool-agent orders k3x9q2 2 extra]",
            "[pool-agent  k3x9q2 2]", "[pool-agent orders  2]", "[pool-agent orders k3x9q2 two]",
            "[pool-agent orders k3x9q2 2.0]", "[pool-agent orders k3x9q2 0]", "[pool-agent orders k3x9q2 -1]",
            "[pool-agent orders k3x9q2 99999999999]"})
    void parseRejectsAnythingButAWholeTag(String applicationName) {
        assertNull(InstanceTag.parse(applicationName));
    }

    @Test
    void parseRejectsNull() {
        assertNull(InstanceTag.parse(null));
    }

    @Test
    void createMakesDistinctSixCharacterIds() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            InstanceTag tag = InstanceTag.create("orders", 3);
            assertEquals("orders", tag.service());
            assertEquals(3, tag.weight());
            assertTrue(tag.id().matches("[a-z0-9]{6}"), tag.id());
            ids.add(tag.id());
        }
        assertEquals(200, ids.size());
    }
}
