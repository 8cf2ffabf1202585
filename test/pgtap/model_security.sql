-- Model files only declare (SPEC §9): attacks on whoever runs check() or
-- create(autogenerate => true), each mounted by the role that could mount
-- it, against a superuser victim (README's CI recipe).  Every payload
-- bumps the sequence public.ms_marker, whose value survives a rollback;
-- each attack is shown to work when its statement runs by hand (in a block
-- that is rolled back), then to do nothing through fleetmig, with the
-- SQLSTATE it is refused with.  The models are the directories of
-- test/fixtures/model_security.
\getenv fixtures FLEETMIG_FIXTURES
\set ms :fixtures /model_security
\set migrations :ms /migrations
SET fleetmig.migrations_dir = :'migrations';
SET fleetmig_test.ms = :'ms';
BEGIN;
SELECT plan(61);
SET LOCAL client_min_messages = warning;
TRUNCATE fleetmig.version;
SELECT lives_ok($$SELECT fleetmig.stamp('head')$$, 'the database is at the head');

-- ms_dev writes the models and may create objects in public, nothing more
CREATE ROLE ms_dev;
GRANT CREATE ON SCHEMA public TO ms_dev;
CREATE SEQUENCE public.ms_marker;
GRANT USAGE, SELECT, UPDATE ON SEQUENCE public.ms_marker TO PUBLIC;
SET LOCAL ROLE ms_dev;
CREATE FUNCTION public.ms_payload() RETURNS integer
LANGUAGE plpgsql IMMUTABLE AS $f$
BEGIN
    PERFORM pg_catalog.nextval('public.ms_marker');
    RETURN 1;
END
$f$;
RESET ROLE;

-- the live schema, and a schema where the models run by hand
CREATE SCHEMA ms_live;
CREATE TABLE ms_live.vehicles (id integer PRIMARY KEY, plate text);
INSERT INTO ms_live.vehicles VALUES (1, 'AB-1');
CREATE SCHEMA ms_direct;

CREATE FUNCTION pg_temp.marker() RETURNS bigint
LANGUAGE sql AS $f$
    SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM public.ms_marker
$f$;

-- Run the files of a models directory by hand, with the given
-- search_path, in a block that is rolled back: how far the marker moved.
CREATE FUNCTION pg_temp.by_hand(dir text, path text) RETURNS bigint
LANGUAGE plpgsql AS $f$
DECLARE
    before bigint := pg_temp.marker();
    base text := current_setting('fleetmig_test.ms') || '/' || dir;
    f text;
BEGIN
    BEGIN
        PERFORM set_config('search_path', path, true);
        FOR f IN SELECT name FROM pg_ls_dir(base) AS name WHERE name LIKE '%.sql' ORDER BY name COLLATE "C" LOOP
            EXECUTE pg_read_file(base || '/' || f);
        END LOOP;
        RAISE EXCEPTION 'undo';
    EXCEPTION WHEN raise_exception THEN
        NULL;
    END;
    RETURN pg_temp.marker() - before;
END
$f$;

-- Run a fleetmig call with a models directory and a search_path: the
-- SQLSTATE it fails with ('none' if it does not) and how far the marker
-- moved while it ran.
CREATE FUNCTION pg_temp.via(call text, dir text, path text DEFAULT 'ms_live, public')
RETURNS text[]
LANGUAGE plpgsql AS $f$
DECLARE
    saved text := current_setting('search_path');
    state text := 'none';
    before bigint;
    after bigint;
BEGIN
    PERFORM set_config('fleetmig.models_dir', current_setting('fleetmig_test.ms') || '/' || dir, true);
    before := pg_temp.marker();
    BEGIN
        PERFORM set_config('search_path', path, true);
        EXECUTE call;
    EXCEPTION WHEN OTHERS THEN
        state := SQLSTATE;
    END;
    after := pg_temp.marker();
    PERFORM set_config('search_path', saved, true);
    RETURN ARRAY[state, (after - before)::text];
END
$f$;

-- The error context of check() on a models directory: file and line.
CREATE FUNCTION pg_temp.context(dir text) RETURNS text
LANGUAGE plpgsql AS $f$
DECLARE
    saved text := current_setting('search_path');
    context text;
BEGIN
    PERFORM set_config('fleetmig.models_dir', current_setting('fleetmig_test.ms') || '/' || dir, true);
    PERFORM set_config('search_path', 'ms_live, public', true);
    BEGIN
        PERFORM fleetmig.check();
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS context = PG_EXCEPTION_CONTEXT;
    END;
    PERFORM set_config('search_path', saved, true);
    RETURN split_part(context, E'\n', 1);
END
$f$;

\set check 'SELECT fleetmig.check()'
\set create 'SELECT fleetmig.create(''attack'', autogenerate => true)'

-- A materialized view runs its query when it is created.
SELECT is(pg_temp.by_hand('matview', 'ms_direct, public'), 1::bigint,
    'by hand, the materialized view runs ms_payload()');
SELECT is(pg_temp.via(:'check', 'matview'), ARRAY['42P15', '0'],
    'check(): a materialized view is refused before it runs (42P15); ms_payload() does not run');
SELECT is(pg_temp.via(:'create', 'matview'), ARRAY['42P15', '0'],
    'create(autogenerate): the same');
SELECT is(pg_temp.context('matview'), 'model file "01_fleet.sql", line 3',
    'the error names the model file and the line');
\set m :ms /matview
SET LOCAL fleetmig.models_dir = :'m';
SET LOCAL search_path = ms_live, public;
SELECT throws_ok(:'check', '42P15', 'CREATE MATERIALIZED VIEW is not allowed in a model file',
    'the message names the statement');
RESET search_path;

-- CREATE TABLE AS and a query.
SELECT is(pg_temp.by_hand('ctas', 'ms_direct, public'), 1::bigint,
    'by hand, CREATE TABLE AS runs ms_payload()');
SELECT is(pg_temp.via(:'check', 'ctas'), ARRAY['42P15', '0'],
    'check(): CREATE TABLE AS is refused before it runs (42P15)');
SELECT is(pg_temp.by_hand('select_nextval', 'ms_direct, public'), 1::bigint,
    'by hand, SELECT nextval() moves a sequence for good');
SELECT is(pg_temp.via(:'check', 'select_nextval'), ARRAY['42P15', '0'],
    'check(): SELECT is refused before it runs (42P15)');
SELECT is(pg_temp.by_hand('do_block', 'ms_direct, public'), 1::bigint,
    'by hand, the DO block runs ms_payload()');
SELECT is(pg_temp.via(:'check', 'do_block'), ARRAY['42P15', '0'],
    'check(): DO is refused before it runs (42P15)');
SELECT is(pg_temp.via(:'check', 'create_function'), ARRAY['42P15', '0'],
    'check(): CREATE FUNCTION is refused (42P15)');

-- ALTER TABLE on a table of the live schema: refused before it runs, so
-- its CHECK constraint is never validated over the live rows.
SELECT is(pg_temp.by_hand('alter_live', 'ms_live, public'), 1::bigint,
    'by hand, the constraint on the live table runs ms_payload()');
SELECT is(pg_temp.via(:'check', 'alter_live'), ARRAY['42P15', '0'],
    'check(): ALTER TABLE on a live table is refused before it runs (42P15)');
SELECT is(pg_temp.via(:'create', 'alter_live'), ARRAY['42P15', '0'],
    'create(autogenerate): the same');
SELECT is(pg_temp.via(:'check', 'alter_live_qualified'), ARRAY['42P15', '0'],
    'check(): the same with the live schema named (42P15)');
\set m :ms /alter_live
SET LOCAL fleetmig.models_dir = :'m';
SET LOCAL search_path = ms_live, public;
SELECT throws_ok(:'check', '42P15', 'the model uses an object of schema "ms_live" that it does not declare',
    'the unqualified live table is named as borrowed');
\set m :ms /alter_live_qualified
SET LOCAL fleetmig.models_dir = :'m';
SELECT throws_ok(:'check', '42P15', 'the model files change schema "ms_live"',
    'the qualified one as a change to the live schema');
RESET search_path;
-- (PostgreSQL 18 also lists the key's NOT NULL in pg_constraint)
SELECT is((SELECT string_agg(contype::text, ',' ORDER BY contype) FROM pg_constraint
            WHERE conrelid = 'ms_live.vehicles'::regclass AND contype <> 'n'),
    'p', 'the live table keeps its one constraint, the primary key');

-- ALTER TABLE ADD COLUMN evaluates a default that is not volatile.
SELECT is(pg_temp.by_hand('add_column_default', 'ms_direct, public'), 1::bigint,
    'by hand, the default of ADD COLUMN runs ms_payload()');
SELECT is(pg_temp.via(:'check', 'add_column_default'), ARRAY['42P15', '0'],
    'check(): a default that calls a function outside pg_catalog is refused (42P15)');
\set m :ms /add_column_default
SET LOCAL fleetmig.models_dir = :'m';
SET LOCAL search_path = ms_live, public;
SELECT throws_ok(:'check', '42P15', 'the model uses an object of schema "public"',
    'the message names the schema of the function');
RESET search_path;
SELECT is(pg_temp.by_hand('add_column_unqualified', 'ms_direct, public'), 1::bigint,
    'by hand, the unqualified default runs ms_payload() too');
SELECT is(pg_temp.via(:'check', 'add_column_unqualified'), ARRAY['42883', '0'],
    'check(): unqualified, the function is not found at all (42883)');
SELECT is(pg_temp.by_hand('volatile_default', 'ms_direct, public'), 0::bigint,
    'by hand, a default may call set_config()');
SELECT is(pg_temp.via(:'check', 'volatile_default'), ARRAY['0A000', '0'],
    'check(): a volatile function of pg_catalog in a default is refused (0A000)');

-- A partition bound is evaluated when the partition is created.
SELECT is(pg_temp.by_hand('partition_bound', 'ms_direct, public'), 1::bigint,
    'by hand, the partition bound runs ms_payload()');
SELECT is(pg_temp.via(:'check', 'partition_bound'), ARRAY['42P15', '0'],
    'check(): a bound that calls a function outside pg_catalog is refused (42P15)');
SELECT is(pg_temp.by_hand('partition_nextval', 'ms_direct, public'), 1::bigint,
    'by hand, a bound of nextval() moves a live sequence for good');
SELECT is(pg_temp.via(:'check', 'partition_nextval'), ARRAY['42P15', '0'],
    'check(): nextval() of a sequence outside the model is refused (42P15)');
SELECT is(pg_temp.by_hand('advisory_lock', 'ms_direct, public'), 0::bigint,
    'by hand, a bound may take an advisory lock');
SELECT is((SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242
             AND pid = pg_backend_pid()), 1, 'which outlives the rollback');
SELECT ok(pg_advisory_unlock(4242), 'released by hand');
SELECT is(pg_temp.via(:'check', 'advisory_lock'), ARRAY['0A000', '0'],
    'check(): a volatile function of pg_catalog in a bound is refused (0A000)');
SELECT is((SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242
             AND pid = pg_backend_pid()), 0, 'and no advisory lock is held');

-- The audit hijack: a superuser's event trigger inserts into an
-- unqualified "audit"; the deploy role's schema, first in the superuser's
-- search_path, holds an audit table whose trigger makes the deploy role
-- a superuser.  The scratch schema is created without SQL, so no event
-- trigger fires for it; the model's own statements run with search_path =
-- scratch, pg_catalog, pg_temp (and, on PostgreSQL 17 and later, with
-- event triggers off for a superuser).
CREATE ROLE ms_deploy;
GRANT USAGE ON SCHEMA fleetmig TO ms_deploy;
GRANT EXECUTE ON FUNCTION fleetmig.current(), fleetmig.heads(), fleetmig.history(),
      fleetmig.branches(), fleetmig.show(text), fleetmig.stamp(text, boolean),
      fleetmig.upgrade(text, boolean), fleetmig.downgrade(text, boolean),
      fleetmig.init(), fleetmig.help(), fleetmig.upgrade_sql(text, text),
      fleetmig.downgrade_sql(text, text), fleetmig.check(), fleetmig.validate(),
      fleetmig.test_roundtrip(text) TO ms_deploy;
CREATE SCHEMA ms_deploy AUTHORIZATION ms_deploy;
CREATE TABLE public.audit (tag text);
CREATE FUNCTION public.ms_audit_log() RETURNS event_trigger
LANGUAGE plpgsql AS $f$
BEGIN
    INSERT INTO audit (tag) VALUES (tg_tag);
END
$f$;
SET LOCAL ROLE ms_deploy;
CREATE TABLE ms_deploy.audit (tag text);
CREATE FUNCTION ms_deploy.escalate() RETURNS trigger
LANGUAGE plpgsql AS $f$
BEGIN
    PERFORM pg_catalog.nextval('public.ms_marker');
    ALTER ROLE ms_deploy SUPERUSER;
    RETURN NEW;
END
$f$;
CREATE TRIGGER escalate BEFORE INSERT ON ms_deploy.audit
    FOR EACH ROW EXECUTE FUNCTION ms_deploy.escalate();
RESET ROLE;
CREATE EVENT TRIGGER ms_audit ON ddl_command_end EXECUTE FUNCTION public.ms_audit_log();

CREATE FUNCTION pg_temp.ddl_by_hand(path text) RETURNS bigint
LANGUAGE plpgsql AS $f$
DECLARE
    before bigint := pg_temp.marker();
BEGIN
    BEGIN
        PERFORM set_config('search_path', path, true);
        CREATE TABLE ms_probe (id integer);
        RAISE EXCEPTION 'undo';
    EXCEPTION WHEN raise_exception THEN
        NULL;
    END;
    RETURN pg_temp.marker() - before;
END
$f$;
SELECT is(pg_temp.ddl_by_hand('ms_deploy, public'), 1::bigint,
    'by hand, any DDL of the superuser runs the deploy role''s trigger');
SELECT is(pg_temp.via(:'check', '../autogen_cases/empty', 'ms_deploy, public'), ARRAY['55000', '0'],
    'check() with an empty model compares (55000: drift) and runs no trigger of the deploy role');
SELECT is(pg_temp.via(:'check', 'one_table', 'ms_deploy, public'),
    ARRAY[CASE WHEN current_setting('server_version_num')::int >= 170000 THEN '55000' ELSE '42P01' END, '0'],
    'with a table in the model: the event trigger finds no "audit" on 15 and 16 (42P01), does not fire on 17 and later');
SELECT ok(NOT (SELECT rolsuper FROM pg_roles WHERE rolname = 'ms_deploy'),
    'the deploy role is not a superuser');
DROP EVENT TRIGGER ms_audit;

-- The scratch schema's name is random: a schema named after the backend's
-- pid, as the old name was, does not stop check(), and two calls use two
-- names.  An event trigger records a hash of the schema name of the
-- model's statements, by setval(), which outlives the rollback; check()
-- runs as the deploy role, for which event triggers fire on every version.
CREATE ROLE ms_squatter;
SELECT format('GRANT CREATE ON DATABASE %I TO ms_squatter', current_database()) AS grant_create \gset
:grant_create;
SET LOCAL ROLE ms_squatter;
SELECT format('CREATE SCHEMA %I', 'fleetmig_model_' || pg_backend_pid()) AS squat \gset
:squat;
RESET ROLE;
CREATE SCHEMA ms_names_live;
CREATE TABLE ms_names_live.things (id integer PRIMARY KEY);
GRANT USAGE ON SCHEMA ms_names_live TO ms_deploy;
CREATE SEQUENCE public.ms_names;
GRANT USAGE, SELECT, UPDATE ON SEQUENCE public.ms_names TO ms_deploy;
CREATE FUNCTION public.ms_record_schema() RETURNS event_trigger
LANGUAGE plpgsql AS $f$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT c.schema_name FROM pg_catalog.pg_event_trigger_ddl_commands() c
              WHERE c.schema_name OPERATOR(pg_catalog.~~) 'fleetmig\_model\_%'::pg_catalog.text LOOP
        PERFORM pg_catalog.setval('public.ms_names',
                                  pg_catalog.abs(pg_catalog.hashtext(r.schema_name)::bigint) + 1);
    END LOOP;
END
$f$;
CREATE EVENT TRIGGER ms_names ON ddl_command_end EXECUTE FUNCTION public.ms_record_schema();
\set m :ms /one_table
SET LOCAL fleetmig.models_dir = :'m';
SET LOCAL search_path = ms_names_live, public;
SET LOCAL ROLE ms_deploy;
SELECT public.lives_ok(:'check', 'check() compares although a schema has the old name');
SELECT last_value AS first_name FROM public.ms_names \gset
SELECT public.lives_ok(:'check', 'and again');
SELECT last_value AS second_name FROM public.ms_names \gset
RESET ROLE;
RESET search_path;
DROP EVENT TRIGGER ms_names;
SELECT ok((SELECT is_called FROM public.ms_names), 'the event trigger saw the scratch schema');
SELECT isnt(:first_name::bigint, :second_name::bigint, 'the two calls used two names');
SELECT isnt(:first_name::bigint, abs(hashtext('fleetmig_model_' || pg_backend_pid())::bigint) + 1,
    'neither is the old name');

-- Planted operators: a role with CREATE on public plants =, <>, >, || and
-- ~~ operators for the types fleetmig's catalog queries compare; the
-- victim has search_path = public, pg_catalog, where they win.  A live
-- schema (public) with a table, an index, a view, an enum and a sequence
-- makes every catalog query run; the model declares one of each kind.
CREATE TABLE public.ms_cars (
    id serial PRIMARY KEY,
    plate text NOT NULL CHECK (plate <> ''),
    made date DEFAULT now()
);
CREATE INDEX ms_cars_plate_idx ON public.ms_cars (lower(plate));
CREATE VIEW public.ms_car_plates AS SELECT plate FROM public.ms_cars WHERE id > 0;
CREATE TYPE public.ms_colour AS ENUM ('red');
COMMENT ON TABLE public.ms_cars IS 'cars';
CREATE ROLE ms_planter;
GRANT CREATE ON SCHEMA public TO ms_planter;
SET LOCAL ROLE ms_planter;
DO $do$
DECLARE
    d text[];
    n int := 0;
BEGIN
    FOREACH d SLICE 1 IN ARRAY ARRAY[
        ['=', 'oid', 'regclass', 'boolean', '$1 OPERATOR(pg_catalog.=) $2::pg_catalog.oid'],
        ['=', 'oid', 'oid', 'boolean', '$1 OPERATOR(pg_catalog.=) $2'],
        ['=', '"char"', '"char"', 'boolean', '$1 OPERATOR(pg_catalog.=) $2'],
        ['=', 'text', 'name', 'boolean', '$1 OPERATOR(pg_catalog.=) $2::pg_catalog.text'],
        ['=', 'name', 'name', 'boolean', '$1 OPERATOR(pg_catalog.=) $2'],
        ['<>', 'oid', 'oid', 'boolean', '$1 OPERATOR(pg_catalog.<>) $2'],
        ['<>', 'name', 'name', 'boolean', '$1 OPERATOR(pg_catalog.<>) $2'],
        ['>', 'int2', 'int2', 'boolean', '$1 OPERATOR(pg_catalog.>) $2'],
        ['||', 'text', 'text', 'text', '$1 OPERATOR(pg_catalog.||) $2'],
        ['~~', 'text', 'text', 'boolean', '$1 OPERATOR(pg_catalog.~~) $2']]
    LOOP
        n := n + 1;
        EXECUTE format('CREATE FUNCTION public.ms_decoy_%s(%s, %s) RETURNS %s LANGUAGE plpgsql AS %L',
                       n, d[2], d[3], d[4],
                       'BEGIN PERFORM pg_catalog.nextval(''public.ms_marker''); RETURN ' || d[5] || '; END');
        EXECUTE format('CREATE OPERATOR public.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = public.ms_decoy_%s)',
                       d[1], d[2], d[3], n);
    END LOOP;
END
$do$;
RESET ROLE;

-- How many of the decoys a plain query with the victim's path calls.
CREATE FUNCTION pg_temp.decoys_called() RETURNS int
LANGUAGE plpgsql AS $f$
DECLARE
    saved text := current_setting('search_path');
    q text;
    before bigint;
    called int := 0;
BEGIN
    FOREACH q IN ARRAY ARRAY[
        'SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = ''pg_catalog.pg_class''::pg_catalog.regclass',
        'SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = c.reltype LIMIT 1',
        'SELECT 1 FROM pg_catalog.pg_class c WHERE c.relkind = ''r''::"char" LIMIT 1',
        'SELECT 1 FROM pg_catalog.pg_class c WHERE ''pg_class''::text = c.relname LIMIT 1',
        'SELECT 1 FROM pg_catalog.pg_class c WHERE c.relname = c.relname LIMIT 1',
        'SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid <> c.reltype LIMIT 1',
        'SELECT 1 FROM pg_catalog.pg_class c WHERE c.relname <> ''x''::name LIMIT 1',
        'SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attnum > 0::int2 LIMIT 1',
        'SELECT ''a''::text || ''b''::text',
        'SELECT ''a''::text LIKE ''a''::text']
    LOOP
        before := pg_temp.marker();
        PERFORM set_config('search_path', 'public, pg_catalog', true);
        EXECUTE q;
        PERFORM set_config('search_path', 'pg_catalog', true);
        IF pg_temp.marker() OPERATOR(pg_catalog.>) before THEN
            called := called + 1;
        END IF;
    END LOOP;
    PERFORM set_config('search_path', saved, true);
    RETURN called;
END
$f$;
SELECT is(pg_temp.decoys_called(), 10, 'by hand, a query under the victim''s path calls each of the ten decoys');
SELECT is(pg_temp.via(:'check', 'planted', 'public, pg_catalog'), ARRAY['55000', '0'],
    'check() reads both schemas and calls no decoy');
SELECT is(pg_temp.via(:'create', 'planted', 'public, pg_catalog'), ARRAY['22021', '0'],
    'create(autogenerate) reads both schemas, writes nothing (the CR LF) and calls no decoy');
SELECT is(pg_temp.via(:'check', '../../models', 'public, pg_catalog'), ARRAY['55000', '0'],
    'the example models: no decoy either');

-- Extensions: a model may use the types, functions and operators of an
-- extension installed in a schema only superusers can create in (ms_ext),
-- and nothing else that lies there; an extension in a schema others may
-- create in (ms_ext_open) is not seen at all.
CREATE SCHEMA ms_ext;
CREATE EXTENSION citext SCHEMA ms_ext;
CREATE FUNCTION ms_ext.ms_plain(integer) RETURNS integer
LANGUAGE plpgsql IMMUTABLE AS $f$
BEGIN
    PERFORM pg_catalog.nextval('public.ms_marker');
    RETURN 1;
END
$f$;
CREATE SCHEMA ms_ext_open;
GRANT CREATE ON SCHEMA ms_ext_open TO ms_dev;
CREATE EXTENSION hstore SCHEMA ms_ext_open;
CREATE SCHEMA ms_extlive;
CREATE TABLE ms_extlive.people (id integer PRIMARY KEY, email ms_ext.citext NOT NULL);
CREATE INDEX people_email ON ms_extlive.people (email);
SELECT is(pg_temp.via(:'check', 'extension_type', 'ms_extlive'), ARRAY['none', '0'],
    'check(): a model with a citext column matches the live table that has one');
CREATE SCHEMA ms_extempty;
SELECT is(pg_temp.via(:'check', 'extension_type', 'ms_extempty'), ARRAY['55000', '0'],
    'check(): the same model loads against an empty schema and reports the table to add');
SELECT is(pg_temp.via(:'check', 'extension_open', 'ms_extempty'), ARRAY['42704', '0'],
    'check(): the type of an extension in a schema others may create in is not found (42704)');
SELECT is(pg_temp.by_hand('extension_plain', 'ms_direct, ms_ext'), 1::bigint,
    'by hand, the default of ADD COLUMN runs ms_ext.ms_plain()');
SELECT is(pg_temp.via(:'check', 'extension_plain', 'ms_extempty'), ARRAY['42P15', '0'],
    'check(): a function beside the extension''s that is not one of them is refused (42P15); it does not run');
\set m :ms /extension_plain
SET LOCAL fleetmig.models_dir = :'m';
SET LOCAL search_path = ms_extempty, public;
SELECT throws_ok(:'check', '42P15',
    'the model could use function ms_plain(integer) of schema "ms_ext", which is not part of an extension',
    'the message names the function and its schema');
RESET search_path;

-- A trusted extension that a role that is not a superuser creates, even in
-- a superuser's schema (CREATE EXTENSION asks it for no CREATE there), is
-- that role's: neither its objects nor its schema count.
CREATE ROLE ms_ext_owner;
DO $$ BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO ms_ext_owner', current_database()); END $$;
CREATE SCHEMA ms_ext2;
SET LOCAL ROLE ms_ext_owner;
CREATE EXTENSION ltree SCHEMA ms_ext;
CREATE EXTENSION isn SCHEMA ms_ext2;
RESET ROLE;
SELECT is(pg_temp.via(:'check', 'extension_member', 'ms_extempty'), ARRAY['42P15', '0'],
    'check(): the type of a trusted extension another role created beside a superuser''s is refused (42P15)');
SELECT is(pg_temp.via(:'check', 'extension_owned', 'ms_extempty'), ARRAY['42704', '0'],
    'check(): a schema whose only extension another role created is not in the path (42704)');

-- %TYPE: in a.b.c%TYPE the last name but one is a table, not a schema.
SET LOCAL ROLE ms_dev;
CREATE DOMAIN public.ms_dom AS integer CHECK (public.ms_payload() = 1);
CREATE TABLE public."pg_catalog" (c public.ms_dom);
RESET ROLE;
SELECT is(pg_temp.by_hand('pct_type', 'ms_direct, public'), 1::bigint,
    'by hand, the range over public."pg_catalog".c%TYPE runs ms_payload()');
SELECT is(pg_temp.via(:'check', 'pct_type'), ARRAY['42P15', '0'],
    'check(): %TYPE is refused before it runs (42P15); ms_payload() does not run');
SELECT is(pg_temp.via(:'create', 'pct_type'), ARRAY['42P15', '0'],
    'create(autogenerate): the same');
DROP TABLE public."pg_catalog";
DROP DOMAIN public.ms_dom;

-- Nothing of the scratch schemas stays, but the squatter's schema.
SELECT is((SELECT array_agg(nspname::text) FROM pg_namespace WHERE nspname LIKE 'fleetmig\_model\_%'),
    ARRAY['fleetmig_model_' || pg_backend_pid()], 'no scratch schema is left behind');

SELECT * FROM finish();
ROLLBACK;
