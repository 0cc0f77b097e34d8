package io.poolagent.session;

import static io.poolagent.session.SessionChanges.ADVISORY_LOCKS;
import static io.poolagent.session.SessionChanges.HELD_CURSORS;
import static io.poolagent.session.SessionChanges.IRREVERSIBLE;
import static io.poolagent.session.SessionChanges.LISTEN;
import static io.poolagent.session.SessionChanges.NONE;
import static io.poolagent.session.SessionChanges.PREPARED;
import static io.poolagent.session.SessionChanges.ROLE;
import static io.poolagent.session.SessionChanges.SEARCH_PATH;
import static io.poolagent.session.SessionChanges.SEQUENCES;
import static io.poolagent.session.SessionChanges.SETTINGS;
import static io.poolagent.session.SessionChanges.TEMP_OBJECTS;
import static io.poolagent.session.SessionChanges.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SqlClassifierTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "select 1",
        "SELECT * FROM users WHERE name = 'set role x'",
        "update t set x = 1 where id = ?",
        "select temp from weather",
        "insert into accounts(name, hash) values (?, ?) returning id",
        "update accounts set name = 'set role x' where id = 1",
        "select \"PG_ADVISORY_LOCK\"(1)",
        "select 'it''s; set role x'",
        "select e'it\\'s; set role x'",
        "select E'\\\\'; select 1",
        "select $$it's; set role x$$",
        "select $tag$ $$ set role x $$ $tag$",
        "select $1::int, a$b from t",
        "-- set role x\nselect 1",
        "/* set role x /* nested */ still a comment; set role y */ select 1",
        "select \"set\" from t",
        "set local search_path to x",
        "SET LOCAL ROLE other",
        "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE",
        "set constraints all deferred",
        "select set_config('app.tenant', '42', true)",
        "select set_config(?, ?, true)",
        "SELECT SET_CONFIG('a.b', 'c', TRUE)",
        "select set_config from t",
        "select pg_advisory_xact_lock(1)",
        "select pg_advisory_unlock_all()",
        "prepare transaction 'x'",
        "reset all",
        "reset role",
        "discard all",
        "commit",
        "rollback",
        "unlisten *",
        "notify channel, 'payload'",
        "{call refresh(?)}",
        "",
        ";;",
        "select 'unterminated",
    })
    void statementsThatLeaveNoSessionStateNeedNoReset(String sql) {
        assertEquals(NONE, SqlClassifier.scan(sql), sql);
    }

    static Stream<Arguments> statementsThatChangeTheSession() {
        return Stream.of(
                Arguments.of("SET search_path TO tenant_a", SEARCH_PATH),
                Arguments.of("set schema 'tenant_a'", SEARCH_PATH),
                Arguments.of("SET statement_timeout = 5000", SETTINGS),
                Arguments.of("set session statement_timeout = 1", SETTINGS),
                Arguments.of("set time zone 'UTC'", SETTINGS),
                Arguments.of("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE", SETTINGS),
                Arguments.of("set role other", ROLE),
                Arguments.of("SET SESSION ROLE other", ROLE),
                Arguments.of("set session authorization other", ROLE),
                Arguments.of("set \"search_path\" to x", UNKNOWN),
                Arguments.of("select set_config('app.tenant', '42', false)", SETTINGS),
                Arguments.of("select set_config('app.tenant', ?, false)", SETTINGS),
                Arguments.of("select set_config('app.tenant', '42', ?)", SETTINGS),
                Arguments.of("select set_config('app.tenant', '42', not false)", SETTINGS),
                Arguments.of("select set_config('search_path', 'x', false)", SEARCH_PATH),
                Arguments.of("SELECT SET_CONFIG('ROLE', 'x', false)", ROLE),
                Arguments.of("select set_config(?, ?, false)", UNKNOWN),
                Arguments.of("select set_config(name, value, false) from defaults", UNKNOWN),
                Arguments.of("select pg_catalog.set_config('a.b', lower('C'), false)", SETTINGS),
                Arguments.of("select set_config('a.b', 'c'", SETTINGS),
                Arguments.of("create temp table t (id int)", TEMP_OBJECTS),
                Arguments.of("CREATE TEMPORARY TABLE t(x int)", TEMP_OBJECTS),
                Arguments.of("create global temporary table t(x int)", TEMP_OBJECTS),
                Arguments.of("create table pg_temp.t (x int)", TEMP_OBJECTS),
                Arguments.of("create temp view v as select 1", TEMP_OBJECTS),
                Arguments.of("select 1 as x into temp t", TEMP_OBJECTS),
                Arguments.of("select * into temporary table t from accounts", TEMP_OBJECTS),
                Arguments.of("select pg_advisory_lock(42)", ADVISORY_LOCKS),
                Arguments.of("select pg_try_advisory_lock_shared(1, 2)", ADVISORY_LOCKS),
                Arguments.of("declare c cursor with hold for select 1", HELD_CURSORS),
                Arguments.of("prepare p(int) as select $1", PREPARED),
                Arguments.of("listen jobs", LISTEN),
                Arguments.of("do $$ begin perform set_config('a.b', 'c', false); end $$", UNKNOWN),
                Arguments.of("load 'auto_explain'", IRREVERSIBLE),
                Arguments.of("select dblink_connect('c', 'dbname=x')", IRREVERSIBLE),
                Arguments.of("select set_config('ro' || 'le', 'admin', false)", UNKNOWN),
                Arguments.of("update pg_settings set setting = 'x' where name = 'search_path'", UNKNOWN),
                Arguments.of("explain analyze create temp table t as select 1", TEMP_OBJECTS),
                Arguments.of("select 1 into pg_temp.t", TEMP_OBJECTS),
                Arguments.of("create table \"pg_temp\".t (x int)", TEMP_OBJECTS),
                Arguments.of("select \"pg_advisory_lock\"(1)", ADVISORY_LOCKS),
                Arguments.of("select pg_catalog.\"set_config\"('a.b', 'c', false)", SETTINGS),
                Arguments.of("select nextval('orders_id_seq')", SEQUENCES),
                Arguments.of("select setval('orders_id_seq', 42)", SEQUENCES),
                // A transaction needs no word of its own: the driver says at return whether one is open.
                Arguments.of("begin", NONE),
                Arguments.of("START TRANSACTION READ ONLY", NONE),
                Arguments.of("begin; set local statement_timeout = 1; commit", NONE),
                Arguments.of("select 1; set role x", ROLE),
                Arguments.of("select 'a;b'; set search_path = x", SEARCH_PATH),
                Arguments.of("select 1 /* ; */ ; set role x", ROLE),
                Arguments.of("select $$;$$; set role x", ROLE),
                Arguments.of("  ( select 1 ) ; listen x", LISTEN),
                Arguments.of("select set_config('a.b', 'c', false); set role x", SETTINGS | ROLE),
                Arguments.of("set role a; create temp table t(x int); select pg_advisory_lock(1)",
                        ROLE | TEMP_OBJECTS | ADVISORY_LOCKS));
    }

    @ParameterizedTest
    @MethodSource
    void statementsThatChangeTheSession(String sql, int expected) {
        assertEquals(expected, SqlClassifier.scan(sql), sql);
    }

    @ParameterizedTest
    @ValueSource(strings = {"set role x", "select 1"})
    void cachedAnswersEqualScannedOnes(String sql) {
        assertEquals(SqlClassifier.scan(sql), SqlClassifier.classify(sql));
        assertEquals(SqlClassifier.scan(sql), SqlClassifier.classify(sql));
    }
}
