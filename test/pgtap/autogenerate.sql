-- Autogenerate (SPEC §10) over the model/database pairs of
-- test/fixtures/autogen: for each pair NN_name, db.sql builds the live
-- schema and model/*.sql declares the wanted one.  In schema ag_NN the test
-- runs db.sql (both schemas get their CHECK constraints, defaults and views
-- re-created from their own text, see pg_temp.recreate), writes the
-- migration with create(autogenerate => true) into
-- the writable directory autogen_tap/migrations, and checks, by a catalog
-- query of its own, that
--   the upgrade makes schema ag_NN equal to the model (loaded by the test
--   into schema model_NN), check() then finds no drift,
--   the downgrade brings back the schema db.sql built,
--   and the upgrade runs again.
-- Then the error codes of autogenerate, and check() for a role that may not
-- create schemas.
\getenv fixtures FLEETMIG_FIXTURES
\set dir :fixtures /autogen_tap/migrations
\set pairs :fixtures /autogen
SET fleetmig.migrations_dir = :'dir';
SET fleetmig_test.pairs = :'pairs';
BEGIN;
SELECT plan(195);
SET LOCAL client_min_messages = warning;
TRUNCATE fleetmig.version;

-- A generation expression as it reads once re-created from its own text
-- (in a copy of its table): an IN list on a varchar column does not read
-- back the same, and the DDL a migration runs is such text.
CREATE FUNCTION pg_temp.generation(rel regclass, col name) RETURNS text
LANGUAGE plpgsql AS $f$
DECLARE
    result text;
BEGIN
    EXECUTE format('CREATE TEMP TABLE fleetmig_test_generation (LIKE %s)', rel);
    EXECUTE format('ALTER TABLE fleetmig_test_generation DROP COLUMN %I, ADD COLUMN %I %s GENERATED ALWAYS AS (%s) STORED',
                   col, col,
                   (SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
                     WHERE a.attrelid = rel AND a.attname = col),
                   (SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
                      JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
                     WHERE d.adrelid = rel AND a.attname = col));
    SELECT pg_get_expr(d.adbin, d.adrelid) INTO result
      FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
     WHERE d.adrelid = 'fleetmig_test_generation'::regclass AND a.attname = col;
    DROP TABLE fleetmig_test_generation;
    RETURN result;
END
$f$;

-- The shape of a schema as the catalogs hold it, one line per object, with
-- every definition deparsed while the schema alone is in search_path (so
-- ag_NN and model_NN read the same when they are equal).  Written apart
-- from fleetmig's own reader on purpose.
CREATE FUNCTION pg_temp.shape(nsp text) RETURNS text[]
LANGUAGE plpgsql AS $f$
DECLARE
    saved text := current_setting('search_path');
    result text[];
BEGIN
    PERFORM set_config('search_path', quote_ident(nsp), true);
    SELECT array_agg(line ORDER BY line COLLATE "C") INTO result FROM (
        SELECT format('relation %s %s %s', c.relname, c.relkind,
                      CASE c.relkind WHEN 'v' THEN pg_get_viewdef(c.oid, true)
                                     WHEN 'S' THEN (SELECT format('%s %s %s %s %s %s %s', s.seqtypid::regtype,
                                                        s.seqstart, s.seqincrement, s.seqmin, s.seqmax,
                                                        s.seqcache, s.seqcycle)
                                                      FROM pg_sequence s WHERE s.seqrelid = c.oid)
                                     ELSE '' END) AS line
          FROM pg_class c
         WHERE c.relnamespace = nsp::regnamespace AND c.relkind IN ('r', 'v', 'S', 'i')
        UNION ALL
        SELECT format('column %s.%s %s notnull=%s default=%s identity=%s generated=%s collation=%s',
                      c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                      CASE WHEN a.attgenerated = 's' THEN pg_temp.generation(c.oid, a.attname)
                           ELSE pg_get_expr(d.adbin, d.adrelid) END,
                      a.attidentity, a.attgenerated,
                      a.attcollation::regcollation)
          FROM pg_attribute a
          JOIN pg_class c ON c.oid = a.attrelid
          LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE c.relnamespace = nsp::regnamespace AND c.relkind IN ('r', 'v')
           AND a.attnum > 0 AND NOT a.attisdropped
        UNION ALL
        SELECT format('constraint %s.%s %s', c.relname, k.conname, pg_get_constraintdef(k.oid))
          FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
         WHERE c.relnamespace = nsp::regnamespace
        UNION ALL
        SELECT format('index %s', pg_get_indexdef(i.indexrelid, 0, true))
          FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
         WHERE c.relnamespace = nsp::regnamespace
        UNION ALL
        SELECT format('type %s %s', t.typname,
                      (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
                         FROM pg_enum e WHERE e.enumtypid = t.oid))
          FROM pg_type t
         WHERE t.typnamespace = nsp::regnamespace AND t.typtype = 'e'
        UNION ALL
        SELECT format('owned %s by %s.%s', s.relname, t.relname, a.attname)
          FROM pg_depend dp
          JOIN pg_class s ON s.oid = dp.objid AND dp.classid = 'pg_class'::regclass
          JOIN pg_class t ON t.oid = dp.refobjid AND dp.refclassid = 'pg_class'::regclass
          JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = dp.refobjsubid
         WHERE s.relnamespace = nsp::regnamespace AND s.relkind = 'S' AND dp.deptype IN ('a', 'i')
        UNION ALL
        SELECT format('comment %s %s', (pg_identify_object(d.classoid, d.objoid, d.objsubid)).type,
                      regexp_replace((pg_identify_object(d.classoid, d.objoid, d.objsubid)).identity,
                                     '^' || quote_ident(nsp) || '\.', '')) || ' ' || d.description
          FROM pg_description d
         WHERE (pg_identify_object(d.classoid, d.objoid, d.objsubid)).schema = nsp
    ) lines;
    PERFORM set_config('search_path', saved, true);
    RETURN coalesce(result, '{}');
END
$f$;

-- Run the SQL files of a fixture into a schema.
CREATE FUNCTION pg_temp.load(nsp text, path text) RETURNS void
LANGUAGE plpgsql AS $f$
DECLARE
    saved text := current_setting('search_path');
    f text;
BEGIN
    PERFORM set_config('search_path', quote_ident(nsp), true);
    IF path LIKE '%.sql' THEN
        EXECUTE pg_read_file(path);
    ELSE
        FOR f IN SELECT name FROM pg_ls_dir(path) AS name WHERE name LIKE '%.sql' ORDER BY name COLLATE "C" LOOP
            EXECUTE pg_read_file(path || '/' || f);
        END LOOP;
    END IF;
    PERFORM set_config('search_path', saved, true);
END
$f$;

-- Re-create the CHECK constraints, defaults and views of a schema from
-- their own definitions: deparsing is not always a fixed point (an IN list
-- on a varchar column reads back as an ARRAY[...]::text[] that reads
-- differently once run again), and the DDL a migration runs is such text.
CREATE FUNCTION pg_temp.recreate(nsp text) RETURNS void
LANGUAGE plpgsql AS $f$
DECLARE
    saved text := current_setting('search_path');
    r record;
BEGIN
    PERFORM set_config('search_path', quote_ident(nsp), true);
    FOR r IN SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) AS def
               FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
              WHERE c.relnamespace = nsp::regnamespace AND k.contype = 'c' LOOP
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I, ADD CONSTRAINT %I %s',
                       r.relname, r.conname, r.conname, r.def);
    END LOOP;
    FOR r IN SELECT c.relname, a.attname, pg_get_expr(d.adbin, d.adrelid) AS def
               FROM pg_attrdef d
               JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
               JOIN pg_class c ON c.oid = d.adrelid
              WHERE c.relnamespace = nsp::regnamespace AND a.attgenerated = '' LOOP
        EXECUTE format('ALTER TABLE %I ALTER COLUMN %I SET DEFAULT %s', r.relname, r.attname, r.def);
    END LOOP;
    FOR r IN SELECT c.relname, pg_get_viewdef(c.oid) AS def,
                    array_to_string(c.reloptions, ', ') AS options
               FROM pg_class c
              WHERE c.relnamespace = nsp::regnamespace AND c.relkind = 'v'
                AND NOT EXISTS (SELECT 1 FROM unnest(c.reloptions) o WHERE o LIKE 'check\_option=%')
              ORDER BY c.oid LOOP
        EXECUTE format('CREATE OR REPLACE VIEW %I %s AS %s', r.relname,
                       CASE WHEN r.options IS NULL THEN '' ELSE 'WITH (' || r.options || ')' END,
                       rtrim(r.def, ';'));
    END LOOP;
    PERFORM set_config('search_path', saved, true);
END
$f$;

-- One pair: its four assertions, as TAP lines.
CREATE FUNCTION pg_temp.pair(name text, db text DEFAULT NULL, models text DEFAULT NULL)
RETURNS SETOF text
LANGUAGE plpgsql AS $f$
DECLARE
    fixture text := current_setting('fleetmig_test.pairs') || '/' || name;
    live text := 'ag_' || split_part(name, '_', 1);
    model text := 'model_' || split_part(name, '_', 1);
    saved text := current_setting('search_path');
    before text[];
    wanted text[];
    after_upgrade text[];
    after_downgrade text[];
    drift text := 'no drift';
BEGIN
    EXECUTE format('CREATE SCHEMA %I', live);
    EXECUTE format('CREATE SCHEMA %I', model);
    db := coalesce(db, fixture || '/db.sql');
    models := coalesce(models, fixture || '/model');
    PERFORM pg_temp.load(live, db);
    PERFORM pg_temp.load(model, models);
    PERFORM pg_temp.recreate(live);
    PERFORM pg_temp.recreate(model);
    before := pg_temp.shape(live);
    wanted := pg_temp.shape(model);

    PERFORM set_config('fleetmig.models_dir', models, true);
    PERFORM set_config('search_path', quote_ident(live), true);
    PERFORM fleetmig.create(name, autogenerate => true);
    PERFORM fleetmig.upgrade('head');
    after_upgrade := pg_temp.shape(live);
    BEGIN
        PERFORM fleetmig.check();
    EXCEPTION WHEN object_not_in_prerequisite_state THEN
        GET STACKED DIAGNOSTICS drift = MESSAGE_TEXT;
    END;
    PERFORM fleetmig.downgrade('-1');
    after_downgrade := pg_temp.shape(live);
    PERFORM fleetmig.upgrade('head');
    PERFORM set_config('search_path', saved, true);

    RETURN NEXT is(after_upgrade, wanted, name || ': the upgrade makes the schema equal to the model');
    RETURN NEXT is(drift, 'no drift', name || ': check() finds no drift after the upgrade');
    RETURN NEXT is(after_downgrade, before, name || ': the downgrade brings the schema back');
    RETURN NEXT is(pg_temp.shape(live), wanted, name || ': the upgrade runs again');
END
$f$;

SELECT cmp_ok((SELECT count(*)::int FROM pg_ls_dir(:'pairs') AS d(name) WHERE name ~ '^[0-9]{2}_'),
              '>=', 25, 'at least 25 model/database pairs');
SELECT pg_temp.pair(name) FROM pg_ls_dir(:'pairs') AS d(name)
 WHERE name ~ '^[0-9]{2}_' ORDER BY name;

-- The example project's models/ from an empty schema: one migration that
-- creates the whole fleet schema, and back.
\set empty :fixtures /autogen_cases/empty/00_nothing.sql
\set models :fixtures /../models
SELECT pg_temp.pair('99_example', :'empty', :'models');

-- The errors of autogenerate, by SQLSTATE; each leaves no file, the same
-- fleetmig.version and the same schema.
CREATE FUNCTION pg_temp.files() RETURNS int
LANGUAGE sql AS $f$
    SELECT count(*)::int FROM pg_ls_dir(current_setting('fleetmig.migrations_dir')) AS f(name)
     WHERE name LIKE '%.sql'
$f$;
CREATE TEMP TABLE before AS
SELECT pg_temp.files() AS files, (SELECT array_agg(revision) FROM fleetmig.version) AS version,
       pg_temp.shape('ag_01') AS shape;
SET LOCAL search_path = ag_01, public;

SET LOCAL fleetmig.models_dir = '/nonexistent/models';
SELECT throws_ok($$SELECT fleetmig.create('x', autogenerate => true)$$, '58P01',
    'models directory "/nonexistent/models" does not exist or is not a directory',
    'a models directory that does not exist: 58P01');
\set m :fixtures /file_too_large
SET LOCAL fleetmig.models_dir = :'m';
SELECT throws_ok($$SELECT fleetmig.create('x', autogenerate => true)$$, '54000',
    'model file "20240102_0000_bbbb00000002_huge.sql" is too large',
    'a model file over 64 MiB: 54000');
\set m :fixtures /unreadable_file
SET LOCAL fleetmig.models_dir = :'m';
SELECT throws_ok($$SELECT fleetmig.create('x', autogenerate => true)$$, '42501', NULL,
    'an unreadable model file: 42501');
\set m :fixtures /bad_file_name
SET LOCAL fleetmig.models_dir = :'m';
SELECT throws_ok($$SELECT fleetmig.create('x', autogenerate => true)$$, '22021', NULL,
    'a model file name that is not valid UTF-8: 22021');
\set m :fixtures /autogen_cases/syntax_error
SET LOCAL fleetmig.models_dir = :'m';
SELECT throws_ok($$SELECT fleetmig.create('x', autogenerate => true)$$, '42601', NULL,
    'a syntax error in a model file: 42601');
SELECT throws_ok($$SELECT fleetmig.check()$$, '42601', NULL,
    'check() reports a syntax error in a model file: 42601');
\set m :fixtures /autogen_cases/missing_relation
SET LOCAL fleetmig.models_dir = :'m';
SELECT throws_ok($$SELECT fleetmig.create('x', autogenerate => true)$$, '42P01',
    'relation "trips" does not exist',
    'a model file that reads a relation it does not declare: 42P01');
\set m :fixtures /autogen_cases/transaction
SET LOCAL fleetmig.models_dir = :'m';
SELECT throws_ok($$SELECT fleetmig.create('x', autogenerate => true)$$, '2D000',
    'transaction control is not allowed in a model file',
    'COMMIT in a model file: 2D000');
\set m :fixtures /autogen_cases/qualified_ag01
SET LOCAL fleetmig.models_dir = :'m';
SELECT throws_ok($$SELECT fleetmig.create('x', autogenerate => true)$$, '42P15',
    'the model files change schema "ag_01"',
    'a model file that writes into the live schema: 42P15');
\set m :pairs /01_create_from_nothing/model
SET LOCAL fleetmig.models_dir = :'m';
SELECT lives_ok($$SELECT fleetmig.stamp('base')$$, 'stamp base: the database falls behind the head');
SELECT throws_ok($$SELECT fleetmig.create('x', autogenerate => true)$$, '55000',
    'target database is not up to date',
    'the database below the head: 55000');
SELECT lives_ok($$SELECT fleetmig.stamp('head')$$, 'stamp head: back at the head');
\set m :pairs /02_drop_table/model
SET LOCAL fleetmig.models_dir = :'m';
SELECT throws_ok($$SELECT fleetmig.check()$$, '55000',
    'schema "ag_01" does not match the model',
    'check() with a schema that differs from the model: 55000');
\set m :fixtures /autogen_cases/set_statement
SET LOCAL fleetmig.models_dir = :'m';
SELECT throws_ok($$SELECT fleetmig.create('x', autogenerate => true)$$, '42P15',
    'SET is not allowed in a model file',
    'a model file that runs SET: 42P15');
\set m :fixtures /autogen_cases/borrowed
SET LOCAL fleetmig.models_dir = :'m';
SELECT throws_ok($$SELECT fleetmig.create('x', autogenerate => true)$$, '42P15',
    'the model uses an object of schema "ag_01" that it does not declare',
    'a model that reads a live table it does not declare: 42P15');
\set m :fixtures /autogen_cases/crlf_default
SET LOCAL fleetmig.models_dir = :'m';
SELECT throws_ok($$SELECT fleetmig.create('x', autogenerate => true)$$, '22021',
    'autogenerate cannot write a carriage return before a line feed',
    'a CR LF inside a literal of a default: 22021, no file');
SELECT throws_ok($$SELECT fleetmig.check()$$, '55000', 'schema "ag_01" does not match the model',
    'check() still compares with such a model');
SET LOCAL search_path = pg_catalog, public;
SELECT throws_ok($$SELECT fleetmig.create('x', autogenerate => true)$$, '3F000',
    'cannot compare the model with schema "pg_catalog"',
    'pg_catalog first in search_path: 3F000');
SET LOCAL search_path = ag_01, public;
CREATE SCHEMA ag_evil;
CREATE TABLE ag_evil."payroll
-- fleetmig:downgrade" (id integer);
SET LOCAL search_path = ag_evil, public;
\set m :fixtures /autogen_cases/empty
SET LOCAL fleetmig.models_dir = :'m';
SELECT throws_ok($$SELECT fleetmig.create('x', autogenerate => true)$$, '42602',
    'autogenerate cannot write a line that reads as a fleetmig directive',
    'a name that would write a directive line into the file: 42602');
DROP TABLE ag_evil."payroll
-- fleetmig:downgrade";
SET LOCAL search_path = public;
SELECT is(pg_temp.files(), (SELECT files FROM before), 'the errors wrote no file');
SELECT is((SELECT array_agg(revision) FROM fleetmig.version), (SELECT version FROM before),
    'the errors left fleetmig.version as it was');
SELECT is(pg_temp.shape('ag_01'), (SELECT shape FROM before), 'the errors left the schema as it was');
SELECT is((SELECT count(*)::int FROM pg_namespace WHERE nspname LIKE 'fleetmig_model%'), 0,
    'no scratch schema is left behind');

-- A line break in a name stays inside its quoted identifier: the
-- data-loss comment is one line and nothing else runs.
CREATE TABLE ag_evil."fax
DROP TABLE ag_01.drivers; --" (id integer);
SET LOCAL search_path = ag_evil, public;
SELECT lives_ok($$SELECT fleetmig.create('newline', autogenerate => true)$$,
    'a name with a line break: the migration is written');
SELECT lives_ok($$SELECT fleetmig.upgrade('head')$$, 'and applied');
SET LOCAL search_path = public;
SELECT is((SELECT count(*)::int FROM pg_class WHERE relnamespace = 'ag_evil'::regnamespace), 0,
    'it dropped the table with the odd name');
SELECT ok(to_regclass('ag_01.drivers') IS NOT NULL, 'and nothing the name spells');

-- A deploy role that may not create schemas can still run check(): the
-- scratch schema is made for it by the extension's owner.
CREATE ROLE ag_checker;
GRANT USAGE ON SCHEMA fleetmig TO ag_checker;
GRANT EXECUTE ON FUNCTION fleetmig.check() TO ag_checker;
GRANT USAGE ON SCHEMA ag_01 TO ag_checker;
\set m :pairs /01_create_from_nothing/model
SET LOCAL fleetmig.models_dir = :'m';
SET LOCAL search_path = ag_01, public;
SET LOCAL ROLE ag_checker;
SELECT public.ok(NOT has_database_privilege(current_database(), 'CREATE'),
    'the deploy role may not create schemas');
SELECT public.lives_ok($$SELECT fleetmig.check()$$, 'check() compares with the model for it');
SELECT public.throws_ok($$SET fleetmig.models_dir = '/tmp'$$, '42501', NULL,
    'only a superuser may point fleetmig.models_dir elsewhere');
RESET ROLE;
SET LOCAL search_path = public;

SELECT * FROM finish();
ROLLBACK;
