package io.poolagent.session;

import io.poolagent.config.ResetMode;
import org.junit.jupiter.api.Test;

import static io.poolagent.session.SessionChanges.ADVISORY_LOCKS;
import static io.poolagent.session.SessionChanges.CLIENT_INFO_CALL;
import static io.poolagent.session.SessionChanges.HELD_CURSORS;
import static io.poolagent.session.SessionChanges.NONE;
import static io.poolagent.session.SessionChanges.PREPARED;
import static io.poolagent.session.SessionChanges.ROLE;
import static io.poolagent.session.SessionChanges.SCHEMA_CALL;
import static io.poolagent.session.SessionChanges.SEARCH_PATH;
import static io.poolagent.session.SessionChanges.SEQUENCES;
import static io.poolagent.session.SessionChanges.SETTINGS;
import static io.poolagent.session.SessionChanges.TEMP_OBJECTS;
import static io.poolagent.session.SessionChanges.UNKNOWN;
import static io.poolagent.session.SessionChanges.USED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the return path sends for each kind of change, in each mode: one string, one round trip. */
class ReturnPathTest {

    private static String sql(ResetMode mode, int changes, boolean inTransaction) {
        return ResetStatements.sql(mode, true, changes, inTransaction);
    }

    @Test
    void theDefaultResetsEverythingAfterAnyUseWhateverTheSqlShowed() {
        assertEquals(ResetStatements.FULL_RESET, sql(ResetMode.FULL, USED, false));
        assertEquals(ResetStatements.FULL_RESET, sql(ResetMode.FULL, USED | SETTINGS | TEMP_OBJECTS, false));
        assertEquals(ResetStatements.FULL_RESET, sql(ResetMode.FULL, USED | SEARCH_PATH | PREPARED, false));
    }

    @Test
    void theDefaultsResetUndoesEachOfDiscardAllsStepsButDeallocateAll() {
        for (String step : new String[] {"CLOSE ALL", "SET SESSION AUTHORIZATION DEFAULT", "RESET ALL", "UNLISTEN *",
            "DISCARD TEMP", "DISCARD SEQUENCES", "pg_catalog.pg_advisory_unlock_all()", "pg_catalog.pg_prepared_statements"}) {
            assertTrue(ResetStatements.FULL_RESET.contains(step), step);
        }
        assertFalse(ResetStatements.FULL_RESET.contains("DEALLOCATE"));
    }

    @Test
    void theDefaultSendsNothingForABorrowerThatNeverReachedTheServer() {
        assertNull(sql(ResetMode.FULL, NONE, false));
    }

    @Test
    void theDefaultRollsBackAnOpenTransactionFirstEvenWithoutUse() {
        assertEquals("ROLLBACK; " + ResetStatements.FULL_RESET, sql(ResetMode.FULL, NONE, true));
        assertEquals("ROLLBACK; " + ResetStatements.FULL_RESET, sql(ResetMode.FULL, USED, true));
    }

    @Test
    void aBorrowerThatOnlyQueriedCostsNothingUnlessTheModeIsDiscard() {
        assertNull(sql(ResetMode.TRACKED, NONE, false));
        assertNull(sql(ResetMode.OFF, NONE, false));
        assertEquals("DISCARD ALL", sql(ResetMode.DISCARD, NONE, false));
    }

    @Test
    void trackedUndoesOnlyWhatChangedWithDiscardAllsOwnSteps() {
        assertEquals("RESET ALL", sql(ResetMode.TRACKED, SETTINGS, false));
        assertEquals("SET SESSION AUTHORIZATION DEFAULT; RESET ALL", sql(ResetMode.TRACKED, ROLE, false));
        assertEquals("DISCARD TEMP", sql(ResetMode.TRACKED, TEMP_OBJECTS, false));
        assertEquals("SELECT pg_advisory_unlock_all()", sql(ResetMode.TRACKED, ADVISORY_LOCKS, false));
        assertEquals("CLOSE ALL", sql(ResetMode.TRACKED, HELD_CURSORS, false));
        assertEquals("DISCARD SEQUENCES", sql(ResetMode.TRACKED, SEQUENCES, false));
        assertEquals("RESET ALL", sql(ResetMode.TRACKED, CLIENT_INFO_CALL, false));
        assertEquals("RESET ALL; DISCARD TEMP; SELECT pg_advisory_unlock_all()",
                sql(ResetMode.TRACKED, SETTINGS | TEMP_OBJECTS | ADVISORY_LOCKS, false));
    }

    @Test
    void searchPathAndPreparedStatementsNeedDiscardAllBecausePlansDependOnThem() {
        for (int change : new int[] {SEARCH_PATH, SCHEMA_CALL, PREPARED, UNKNOWN}) {
            assertEquals("DISCARD ALL", sql(ResetMode.TRACKED, change | SETTINGS, false));
        }
    }

    @Test
    void anOpenTransactionIsRolledBackFirstInEveryMode() {
        assertEquals("ROLLBACK", sql(ResetMode.TRACKED, NONE, true));
        assertEquals("ROLLBACK; RESET ALL", sql(ResetMode.TRACKED, SETTINGS, true));
        assertEquals("ROLLBACK; DISCARD ALL", sql(ResetMode.DISCARD, NONE, true));
        assertEquals("ROLLBACK", sql(ResetMode.OFF, SETTINGS | TEMP_OBJECTS, true));
    }

    @Test
    void offUndoesOnlyWhatJdbcCallsChanged() {
        assertNull(sql(ResetMode.OFF, SETTINGS | ROLE | TEMP_OBJECTS | ADVISORY_LOCKS, false));
        assertEquals("RESET search_path; RESET application_name", sql(ResetMode.OFF, SCHEMA_CALL | CLIENT_INFO_CALL, false));
    }

    @Test
    void otherDatabasesGetNoSql() {
        assertNull(ResetStatements.sql(ResetMode.DISCARD, false, SETTINGS, true));
    }
}
