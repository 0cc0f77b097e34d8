package io.poolagent.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ServerReportTest {

    @ParameterizedTest
    @CsvSource({"0.35, 350ms", "-0.2, 0ms", "12.4, 12s", "185, 3m05s", "7800, 2h10m", "273600, 3d04h"})
    void durationsAreShortAndReadable(double seconds, String expected) {
        assertEquals(expected, ServerReport.duration(seconds));
    }

    @Test
    void aQueryIsShownOnOneLineWithoutItsLiteralsCutAfterSixtyCharacters() {
        String query = "SELECT id,\n       email\n  FROM users\n WHERE email = $1   AND deleted_at IS NULL ORDER BY id";

        assertEquals("SELECT id, email FROM users WHERE email = $1 AND deleted_at...", ServerReport.oneLine(query, 60));
        assertEquals("SELECT 1", ServerReport.oneLine("  SELECT\t1\n", 60));
        assertEquals("", ServerReport.oneLine(null, 60));
        assertEquals("ALTER ROLE app PASSWORD '...'", ServerReport.oneLine("ALTER ROLE app PASSWORD 'it''s s3cret'", 60));
        assertEquals("SELECT '...'", ServerReport.oneLine("SELECT 'cut off before its quote ends", 60));
    }
}
