package io.poolagent.it.apps;

/**
 * Server-side code of the kind multi-tenant services run, each piece changing the calling session without a
 * word of it in the caller's SQL: the usual row-level-security helper {@code set_tenant}, a procedure, a
 * trigger, a view, a rule, a column default, and functions that take a role, a lock, a temp table, a
 * prepared statement, a held cursor or a LISTEN. {@link #SETUP} runs once as the superuser.
 */
public final class ServerCode {

    public static final String[] SETUP = {
        "CREATE ROLE other",
        "CREATE TABLE matrix_rows(id int)",
        "CREATE SEQUENCE matrix_seq",
        "GRANT ALL ON matrix_rows TO other",
        "CREATE TABLE written_rows(id int)",
        "GRANT ALL ON written_rows TO other",
        "CREATE TABLE serial_rows(id bigserial primary key)",
        "CREATE FUNCTION set_tenant(t text) RETURNS text LANGUAGE sql AS"
                + " $$ SELECT set_config('app.tenant', t, false) $$",
        "CREATE FUNCTION set_tenant_plpgsql(t text) RETURNS void LANGUAGE plpgsql AS"
                + " $$ BEGIN PERFORM set_config('app.tenant', t, false); END $$",
        "CREATE PROCEDURE login(t text) LANGUAGE plpgsql AS"
                + " $$ BEGIN PERFORM set_config('app.tenant', t, false); END $$",
        "CREATE TABLE audited(id int)",
        "CREATE FUNCTION audited_tenant() RETURNS trigger LANGUAGE plpgsql AS"
                + " $$ BEGIN PERFORM set_config('app.tenant', '42', false); RETURN NEW; END $$",
        "CREATE TRIGGER audited_tenant BEFORE INSERT ON audited FOR EACH ROW EXECUTE FUNCTION audited_tenant()",
        "CREATE VIEW tenant_view AS SELECT set_tenant('42') AS tenant",
        "CREATE TABLE ruled(id int)",
        "CREATE RULE ruled_tenant AS ON INSERT TO ruled DO ALSO SELECT set_config('app.tenant', '42', false)",
        "CREATE TABLE defaulted(id int, tenant text DEFAULT set_config('app.tenant', '42', false))",
        "CREATE FUNCTION become_other() RETURNS void LANGUAGE plpgsql AS"
                + " $$ BEGIN PERFORM set_config('role', 'other', false); END $$",
        "CREATE FUNCTION take_lock(k bigint) RETURNS void LANGUAGE plpgsql AS"
                + " $$ BEGIN PERFORM pg_advisory_lock(k); END $$",
        "CREATE FUNCTION make_temp(n text) RETURNS void LANGUAGE plpgsql AS"
                + " $$ BEGIN EXECUTE format('CREATE TEMP TABLE IF NOT EXISTS %I(id int)', n); END $$",
        "CREATE FUNCTION make_prepared(n text) RETURNS void LANGUAGE plpgsql AS"
                + " $$ BEGIN EXECUTE format('PREPARE %I AS SELECT 1', n); END $$",
        "CREATE FUNCTION hold_cursor(n text) RETURNS void LANGUAGE plpgsql AS"
                + " $$ BEGIN EXECUTE format('DECLARE %I CURSOR WITH HOLD FOR SELECT 1', n); END $$",
        "CREATE FUNCTION listen_to(n text) RETURNS void LANGUAGE plpgsql AS"
                + " $$ BEGIN EXECUTE format('LISTEN %I', n); PERFORM pg_notify(n, 'for this borrower only'); END $$",
        // The same query reads another table under another search_path, and other rows under another role.
        "CREATE SCHEMA s1",
        "CREATE TABLE s1.which(v text)",
        "INSERT INTO s1.which VALUES ('s1')",
        "CREATE TABLE public.which(v text)",
        "INSERT INTO public.which VALUES ('public')",
        "GRANT USAGE ON SCHEMA s1 TO other",
        "GRANT SELECT ON s1.which, public.which TO other",
        "CREATE TABLE owned_rows(owner text)",
        "INSERT INTO owned_rows VALUES ('other'), ('postgres'), ('postgres')",
        "ALTER TABLE owned_rows ENABLE ROW LEVEL SECURITY",
        "CREATE POLICY own ON owned_rows USING (owner = current_user)",
        "GRANT SELECT ON owned_rows TO other",
        "CREATE FUNCTION set_search_path(p text) RETURNS void LANGUAGE sql AS"
                + " $$ SELECT set_config('search_path', p, false) $$",
    };

    private ServerCode() {
    }
}
