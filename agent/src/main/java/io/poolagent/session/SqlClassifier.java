package io.poolagent.session;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static io.poolagent.session.SessionChanges.ADVISORY_LOCKS;
import static io.poolagent.session.SessionChanges.HELD_CURSORS;
import static io.poolagent.session.SessionChanges.IRREVERSIBLE;
import static io.poolagent.session.SessionChanges.LISTEN;
import static io.poolagent.session.SessionChanges.NONE;
import static io.poolagent.session.SessionChanges.PREPARED;
import static io.poolagent.session.SessionChanges.ROLE;
import static io.poolagent.session.SessionChanges.SEARCH_PATH;
import static io.poolagent.session.SessionChanges.SETTINGS;
import static io.poolagent.session.SessionChanges.TEMP_OBJECTS;
import static io.poolagent.session.SessionChanges.UNKNOWN;

/**
 * Reads SQL the way a proxy that shares server sessions must (ProxySQL decides the same question before it
 * lets a backend be multiplexed): which kinds of session state can this text leave behind?
 *
 * <p>It errs on one side only. A statement that merely mentions a keyword may be counted as changing
 * state (the price is one reset); a statement that changes state through the commands and functions
 * listed here is never missed. What text cannot show is not seen: a server function that calls
 * {@code set_config} or takes an advisory lock itself, or an INSERT whose serial column calls
 * {@code nextval} through its default.
 * It serves DB_POOL_RESET=tracked, which docs/session-reset.md describes with these blind spots; the default
 * reset does not depend on it.
 *
 * <p>Statements repeat (prepared statements above all), so answers are cached per SQL string.
 */
public final class SqlClassifier {

    /** At most about 1 MB of the application's SQL text is kept; beyond that, statements are scanned each time. */
    private static final int CACHE_LIMIT = 1024;
    private static final int CACHED_LENGTH_LIMIT = 1024;
    private static final Map<String, Integer> CACHE = new ConcurrentHashMap<>();

    private SqlClassifier() {
    }

    /** The {@link SessionChanges} bits this SQL (one statement or several) can leave on the session. */
    public static int classify(String sql) {
        if (sql == null) {
            return NONE;
        }
        Integer known = CACHE.get(sql);
        if (known != null) {
            return known;
        }
        int changes = scan(sql);
        if (sql.length() <= CACHED_LENGTH_LIMIT && CACHE.size() < CACHE_LIMIT) {
            CACHE.put(sql, changes);
        }
        return changes;
    }

    static int scan(String sql) {
        SqlTokens tokens = new SqlTokens(sql);
        int changes = NONE;
        do {
            changes |= statement(tokens);
        } while (tokens.type != SqlTokens.END);
        return changes;
    }

    /** Classifies one statement, leaving the tokens at the semicolon that ends it or at the end. */
    private static int statement(SqlTokens tokens) {
        int command = firstWord(tokens);
        if (command == SqlTokens.END || command == SqlTokens.SEMICOLON) {
            return NONE;
        }
        if (tokens.isWord("set")) {
            return set(tokens) | rest(tokens, false, false);
        }
        boolean update = tokens.isWord("update");
        int changes;
        if (tokens.isWord("listen")) {
            changes = LISTEN;
        } else if (tokens.isWord("prepare")) {
            changes = prepare(tokens);
        } else if (tokens.isWord("declare")) {
            changes = HELD_CURSORS;
        } else if (tokens.isWord("do")) {
            changes = UNKNOWN;
        } else if (tokens.isWord("load")) {
            changes = IRREVERSIBLE;
        } else {
            changes = NONE;
        }
        return changes | rest(tokens, tokens.isWord("create"), update);
    }

    /** Moves to the statement's first word, past JDBC escape braces and parentheses. */
    private static int firstWord(SqlTokens tokens) {
        while (true) {
            int type = tokens.next();
            if (type == SqlTokens.WORD || type == SqlTokens.END || type == SqlTokens.SEMICOLON) {
                return type;
            }
            if (type != SqlTokens.OPEN && type != SqlTokens.OTHER) {
                return type;
            }
        }
    }

    /** SET ..., the tokens at SET. */
    private static int set(SqlTokens tokens) {
        tokens.next();
        if (tokens.isWord("local") || tokens.isWord("transaction") || tokens.isWord("constraints")) {
            return NONE; // lasts until the transaction ends; an open one is rolled back at return
        }
        if (tokens.isWord("session")) {
            tokens.next();
            if (tokens.isWord("authorization")) {
                return ROLE;
            }
            if (tokens.isWord("characteristics")) {
                return SETTINGS;
            }
        }
        return parameter(tokens);
    }

    /** The parameter a SET names, the tokens at its name. */
    private static int parameter(SqlTokens tokens) {
        if (tokens.isWord("role")) {
            return ROLE;
        }
        if (tokens.isWord("search_path") || tokens.isWord("schema")) {
            return SEARCH_PATH;
        }
        return tokens.type == SqlTokens.WORD ? SETTINGS : UNKNOWN;
    }

    /** PREPARE name AS ..., but not PREPARE TRANSACTION, which ends the transaction and keeps nothing. */
    private static int prepare(SqlTokens tokens) {
        tokens.next();
        return tokens.isWord("transaction") ? NONE : PREPARED;
    }

    /**
     * The rest of a statement, from the token after the current one: temp objects (CREATE ... TEMP anywhere,
     * as after EXPLAIN; SELECT ... INTO TEMP; anything in pg_temp), {@code UPDATE pg_settings} (the SQL
     * form of SET), and calls of the functions that change the session, quoted names included.
     */
    private static int rest(SqlTokens tokens, boolean create, boolean update) {
        int changes = NONE;
        boolean afterInto = false;
        int function = NONE;
        int type = tokens.type == SqlTokens.SEMICOLON || tokens.type == SqlTokens.END ? tokens.type : tokens.next();
        while (type != SqlTokens.SEMICOLON && type != SqlTokens.END) {
            if (type == SqlTokens.OPEN && function != NONE) {
                changes |= function == SET_CONFIG ? setConfig(tokens) : function;
            }
            function = NONE;
            if (type == SqlTokens.WORD || type == SqlTokens.QUOTED_NAME) {
                create |= tokens.isWord("create");
                boolean temp = tokens.isWord("temp") || tokens.isWord("temporary");
                if (temp && (create || afterInto) || tokens.isName("pg_temp")) {
                    changes |= TEMP_OBJECTS;
                }
                if (update && tokens.isName("pg_settings")) {
                    changes |= UNKNOWN;
                }
                afterInto = tokens.isWord("into");
                function = function(tokens);
            } else {
                afterInto = false;
            }
            // set_config's arguments may have run to the statement's end
            type = tokens.type == SqlTokens.SEMICOLON || tokens.type == SqlTokens.END ? tokens.type : tokens.next();
        }
        return changes;
    }

    private static final int SET_CONFIG = -1;

    /** What a call of the function the current word names would change ({@link #SET_CONFIG}: its arguments decide). */
    private static int function(SqlTokens tokens) {
        if (tokens.isName("set_config")) {
            return SET_CONFIG;
        }
        if (tokens.isName("pg_advisory_lock") || tokens.isName("pg_advisory_lock_shared")
                || tokens.isName("pg_try_advisory_lock") || tokens.isName("pg_try_advisory_lock_shared")) {
            return ADVISORY_LOCKS;
        }
        if (tokens.isName("dblink_connect") || tokens.isName("dblink_connect_u")) {
            return IRREVERSIBLE;
        }
        if (tokens.isName("nextval") || tokens.isName("setval")) {
            return SessionChanges.SEQUENCES;
        }
        return NONE;
    }

    /**
     * set_config(name, value, is_local), the tokens at its parenthesis. A literal name says what changes; a
     * literal {@code true} as the third argument keeps it to the transaction. Anything else (a parameter
     * marker, an expression) could set search_path or the role: UNKNOWN.
     */
    private static int setConfig(SqlTokens tokens) {
        tokens.next();
        int changes;
        if (tokens.type != SqlTokens.STRING) {
            changes = UNKNOWN;
        } else if (tokens.isString("search_path")) {
            changes = SEARCH_PATH;
        } else if (tokens.isString("role") || tokens.isString("session_authorization")) {
            changes = ROLE;
        } else {
            changes = SETTINGS;
        }
        if (tokens.type == SqlTokens.STRING && tokens.next() != SqlTokens.COMMA) {
            changes = UNKNOWN; // 'ro' || 'le': the literal is not the whole name
        }
        return isLocal(tokens) ? NONE : changes;
    }

    /** Reads to the closing parenthesis; true when the third argument is exactly the word true. */
    private static boolean isLocal(SqlTokens tokens) {
        int depth = 1;
        int commas = 0;
        int thirdArgumentTokens = 0;
        boolean thirdIsTrue = false;
        for (int type = tokens.type; type != SqlTokens.END && type != SqlTokens.SEMICOLON; type = tokens.next()) {
            if (type == SqlTokens.OPEN) {
                depth++;
            } else if (type == SqlTokens.CLOSE && --depth == 0) {
                return commas == 2 && thirdArgumentTokens == 1 && thirdIsTrue;
            } else if (type == SqlTokens.COMMA && depth == 1) {
                commas++;
                continue;
            }
            if (commas == 2) {
                thirdArgumentTokens++;
                thirdIsTrue = tokens.isWord("true");
            }
        }
        return false;
    }
}
