package io.poolagent.session;

import io.poolagent.config.ResetMode;

import java.util.ArrayList;
import java.util.List;

import static io.poolagent.session.SessionChanges.ADVISORY_LOCKS;
import static io.poolagent.session.SessionChanges.CLIENT_INFO_CALL;
import static io.poolagent.session.SessionChanges.HELD_CURSORS;
import static io.poolagent.session.SessionChanges.NEEDS_DISCARD_ALL;
import static io.poolagent.session.SessionChanges.NONE;
import static io.poolagent.session.SessionChanges.ROLE;
import static io.poolagent.session.SessionChanges.SCHEMA_CALL;
import static io.poolagent.session.SessionChanges.SEQUENCES;
import static io.poolagent.session.SessionChanges.SETTINGS;
import static io.poolagent.session.SessionChanges.TEMP_OBJECTS;
import static io.poolagent.session.SessionChanges.USED;

/**
 * Which SQL undoes what a borrower left in its server session, for each {@link ResetMode}: pure, so that
 * every mode's answer is tested without a server. {@link ReturnPath} runs it.
 */
final class ResetStatements {

    /**
     * Everything DISCARD ALL does (PostgreSQL manual, DISCARD) but DEALLOCATE ALL and DISCARD PLANS, whatever
     * the borrower did: neither SQL text nor JDBC calls are read to choose, since functions, procedures,
     * triggers, views, rules and column defaults change a session without a word of it in the text.
     * pgjdbc's server-prepared statements stay: PostgreSQL re-plans a cached plan when the role or search_path
     * differ from when it was planned (plancache.c), and plans are not session state. The query at the end
     * says whether SQL-level prepared statements exist (from_sql). Names are schema-qualified, and it runs
     * after RESET ALL, so that a search_path the borrower set cannot put its own functions in their place.
     */
    static final String FULL_RESET = "CLOSE ALL; SET SESSION AUTHORIZATION DEFAULT; RESET ALL; UNLISTEN *; "
            + "DISCARD TEMP; DISCARD SEQUENCES; SELECT EXISTS (SELECT FROM pg_catalog.pg_prepared_statements"
            + " WHERE from_sql) FROM pg_catalog.pg_advisory_unlock_all()";
    static final String ROLLBACK_THEN_FULL_RESET = "ROLLBACK; " + FULL_RESET;

    private ResetStatements() {
    }

    /** The statements that undo {@code changes}, in one string (one round trip), or null for none. */
    static String sql(ResetMode mode, boolean postgres, int changes, boolean inTransaction) {
        if (!postgres) {
            return null;
        }
        if (mode == ResetMode.FULL) {
            return inTransaction ? ROLLBACK_THEN_FULL_RESET : (changes & USED) != 0 ? FULL_RESET : null;
        }
        if (changes == NONE && !inTransaction && mode != ResetMode.DISCARD) {
            return null; // a borrower that only queried
        }
        List<String> statements = new ArrayList<>(6);
        if (inTransaction) {
            statements.add("ROLLBACK");
        }
        if (mode == ResetMode.DISCARD || mode == ResetMode.TRACKED && (changes & NEEDS_DISCARD_ALL) != 0) {
            statements.add("DISCARD ALL");
        } else if (mode == ResetMode.TRACKED) {
            addTracked(changes, statements);
        } else {
            addJdbcLevel(changes, statements);
        }
        return statements.isEmpty() ? null : String.join("; ", statements);
    }

    /** DISCARD ALL's own steps (PostgreSQL manual, DISCARD), each only when the borrower needed it. */
    private static void addTracked(int changes, List<String> statements) {
        if ((changes & ROLE) != 0) {
            statements.add("SET SESSION AUTHORIZATION DEFAULT"); // RESET ALL leaves the role alone
        }
        if ((changes & (SETTINGS | ROLE | CLIENT_INFO_CALL)) != 0) {
            statements.add("RESET ALL");
        }
        if ((changes & TEMP_OBJECTS) != 0) {
            statements.add("DISCARD TEMP");
        }
        if ((changes & ADVISORY_LOCKS) != 0) {
            statements.add("SELECT pg_advisory_unlock_all()");
        }
        if ((changes & HELD_CURSORS) != 0) {
            statements.add("CLOSE ALL");
        }
        if ((changes & SEQUENCES) != 0) {
            statements.add("DISCARD SEQUENCES");
        }
    }

    /** DB_POOL_RESET=off still undoes what the JDBC API changed, as HikariCP does for auto-commit and the rest. */
    private static void addJdbcLevel(int changes, List<String> statements) {
        if ((changes & SCHEMA_CALL) != 0) {
            statements.add("RESET search_path");
        }
        if ((changes & CLIENT_INFO_CALL) != 0) {
            statements.add("RESET application_name");
        }
    }
}
