package io.poolagent.session;

/**
 * The kinds of server-session state a borrower can leave behind, as bits. {@link SqlClassifier} sets them
 * from the SQL a borrower sends, {@link TrackedConnection} from the JDBC calls it makes, and
 * {@link ReturnPath} turns them into the statements that undo them.
 */
final class SessionChanges {

    static final int NONE = 0;
    /** A run-time parameter changed for the session (SET, set_config, SET SESSION CHARACTERISTICS). */
    static final int SETTINGS = 1 << 1;
    /** SET ROLE or SET SESSION AUTHORIZATION. */
    static final int ROLE = 1 << 2;
    /** search_path changed: prepared plans resolved names through it, so they must go too. */
    static final int SEARCH_PATH = 1 << 3;
    static final int TEMP_OBJECTS = 1 << 4;
    static final int ADVISORY_LOCKS = 1 << 5;
    /** DECLARE ... WITH HOLD: a cursor that outlives its transaction. */
    static final int HELD_CURSORS = 1 << 6;
    /** SQL-level PREPARE. */
    static final int PREPARED = 1 << 7;
    /** LISTEN: the driver may already hold notifications meant for this borrower. */
    static final int LISTEN = 1 << 8;
    /** Something whose effect cannot be listed (a DO block, a set_config whose name is not a literal). */
    static final int UNKNOWN = 1 << 9;
    /** Something no reset undoes (LOAD, a dblink connection): the session must end. */
    static final int IRREVERSIBLE = 1 << 10;
    /** The borrower unwrapped the driver's own connection: its driver-side state is unknown (COPY, notifications). */
    static final int DRIVER_USED = 1 << 11;
    /** Connection.setSchema: pgjdbc runs SET search_path. */
    static final int SCHEMA_CALL = 1 << 12;
    /** Connection.setClientInfo: pgjdbc runs SET application_name. */
    static final int CLIENT_INFO_CALL = 1 << 13;
    /** Connection.abort: the session is gone. */
    static final int ABORTED = 1 << 14;
    /** nextval ran (explicitly, or through an INSERT's default): currval and lastval now answer. */
    static final int SEQUENCES = 1 << 15;
    /**
     * The borrower did something that can reach the server: made a statement, changed a connection setting,
     * asked for the metadata. Any of it may run server code that changes the session, so the full reset runs.
     */
    static final int USED = 1 << 16;
    /** A transaction left open could not be rolled back at close: the session's state is unknown. */
    static final int ROLLBACK_FAILED = 1 << 17;

    /** Changes that only a new session undoes, in the tracked mode. */
    static final int ENDS_SESSION = LISTEN | IRREVERSIBLE;
    /** Changes that end the session whatever the mode: the driver's state or the socket is unknown. */
    static final int ENDS_SESSION_ALWAYS = DRIVER_USED | ABORTED | ROLLBACK_FAILED;
    /** Changes for which only DISCARD ALL is enough. */
    static final int NEEDS_DISCARD_ALL = SEARCH_PATH | SCHEMA_CALL | PREPARED | UNKNOWN;

    private SessionChanges() {
    }
}
