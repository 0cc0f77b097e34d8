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
        assertEquals("SELECT ?", ServerReport.oneLine("  SELECT\t1\n", 60));
        assertEquals("", ServerReport.oneLine(null, 60));
        assertEquals("ALTER ROLE app PASSWORD '...'", ServerReport.oneLine("ALTER ROLE app PASSWORD 'it''s s3cret'", 60));
        assertEquals("SELECT '...'", ServerReport.oneLine("SELECT 'cut off before its quote ends", 60));
    }

    /** Every kind of literal another session's query may hold a secret in is blanked; names and parameters stay. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "ALTER ROLE app PASSWORD $$s3cret$$                 | ALTER ROLE app PASSWORD $$...$$",
            "ALTER ROLE app PASSWORD $pw$s3cret$pw$             | ALTER ROLE app PASSWORD $$...$$",
            "SELECT E'it\\'s s3cret' AS x                      | SELECT E'...' AS x",
            "SELECT U&'s3cret'                                  | SELECT U&'...'",
            "UPDATE cards SET pin = 4242 WHERE id = $1          | UPDATE cards SET pin = ? WHERE id = $1",
            "SELECT 3.14e-2, 0x1F, 1_000 FROM t1                | SELECT ?, ?, ? FROM t1",
            "SELECT \"col's\" FROM \"t2\"                   | SELECT \"col's\" FROM \"t2\"",
            "DO $body$ BEGIN PERFORM 's3cret'; END $body$      | DO $$...$$",
            "SELECT $$unterminated s3cret                       | SELECT $$...$$",
            "SELECT a$b, x1 FROM y                              | SELECT a$b, x1 FROM y",
            "/* don't log */ ALTER ROLE bob PASSWORD 'hunter2'  | /*...*/ ALTER ROLE bob PASSWORD '...'",
            "/* a /* nested ' */ */ SELECT 'hunter2'            | /*...*/ SELECT '...'",
            "SELECT 'x' -- say \"hi                            | SELECT '...' /*...*/",
            "SELECT \"unclosed 'hunter2'                       | SELECT \"...\"",
    })
    void everyLiteralIsBlanked(String query, String shown) {
        assertEquals(shown, ServerReport.oneLine(query, 200));
    }

    @org.junit.jupiter.api.Test
    void aCommentEndsAtItsLineAndControlCharactersAreShownAsMarks() {
        assertEquals("SELECT /*...*/ ALTER ROLE bob PASSWORD '...'",
                ServerReport.oneLine("SELECT -- it's\nALTER ROLE bob PASSWORD 'hunter2'", 200));
        assertEquals("SELECT ?[? x", ServerReport.oneLine("SELECT \u001b[31m x", 200));
    }
}
