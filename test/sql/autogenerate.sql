-- create(autogenerate => true) and check() against a declared model
-- (SPEC §7, §10): the file autogenerate writes, drift, TODOs, and the errors
-- that stop it before anything is written.
--
-- The migrations directory autogen_regress/migrations starts empty (the
-- staging script makes it writable); its models sit beside it in
-- autogen_regress/models, where fleetmig.models_dir looks by default.
\getenv fixtures FLEETMIG_FIXTURES
\set dir :fixtures /autogen_regress/migrations
\set cases :fixtures /autogen_cases
SET fleetmig.migrations_dir = :'dir';
TRUNCATE fleetmig.version;
TRUNCATE fleetmig.log RESTART IDENTITY;
CREATE SCHEMA ag;
SET search_path = ag;

-- the migration files of the directory
CREATE FUNCTION pg_temp.files() RETURNS bigint
LANGUAGE sql AS $f$
    SELECT count(*) FROM pg_catalog.pg_ls_dir(current_setting('fleetmig.migrations_dir')) AS f(name)
     WHERE name LIKE '%.sql'
$f$;
-- the sections of a file autogenerate wrote (its header has a random id)
CREATE FUNCTION pg_temp.sections(path text) RETURNS text
LANGUAGE sql AS $f$
    SELECT substring(pg_catalog.pg_read_file(path) FROM '-- fleetmig:upgrade.*$')
$f$;
-- the tables, columns and types of schema ag, to show nothing changed
CREATE FUNCTION pg_temp.shape() RETURNS text
LANGUAGE sql AS $f$
    SELECT coalesce(string_agg(c.relname || '(' || (
               SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
                 FROM pg_catalog.pg_attribute a
                WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) || ')',
               '; ' ORDER BY c.relname), '')
      FROM pg_catalog.pg_class c
     WHERE c.relnamespace = 'ag'::regnamespace AND c.relkind IN ('r', 'v')
$f$;

-- the live schema: an older drivers table
CREATE TABLE drivers (id serial PRIMARY KEY, name varchar(50), license text);
\pset format unaligned
\pset tuples_only on

-- autogenerate writes the DDL that turns schema ag into the model, and back
SELECT fleetmig.create('model drivers and vehicles', autogenerate => true) AS path \gset
SELECT pg_temp.sections(:'path');
SELECT pg_temp.files();

-- applied, the schema matches the model: check() is silent
SET client_min_messages = warning;
SELECT revision IS NOT NULL FROM fleetmig.upgrade('head');
RESET client_min_messages;
SELECT fleetmig.check();
SELECT pg_temp.shape();

-- drift: a change made by hand, outside any migration
ALTER TABLE drivers ADD COLUMN nickname text;
CREATE INDEX drivers_name_idx ON drivers (name);
COMMENT ON TABLE drivers IS 'changed by hand';
SELECT fleetmig.check();
ALTER TABLE drivers DROP COLUMN nickname;
DROP INDEX drivers_name_idx;
COMMENT ON TABLE drivers IS 'People who drive the fleet';
SELECT fleetmig.check();

-- nothing to do: the new migration is empty, as with Alembic
SELECT fleetmig.create('nothing changed', autogenerate => true) AS empty_path \gset
SELECT pg_temp.sections(:'empty_path');
SET client_min_messages = warning;
SELECT revision IS NOT NULL FROM fleetmig.upgrade('head');
RESET client_min_messages;

-- the database must be at the head the migration goes on
SET client_min_messages = warning;
SELECT direction FROM fleetmig.downgrade('-1');
RESET client_min_messages;
\set VERBOSITY terse
SELECT fleetmig.create('behind', autogenerate => true);
\set VERBOSITY default
SELECT pg_temp.files();
SET client_min_messages = warning;
SELECT revision IS NOT NULL FROM fleetmig.upgrade('head');
RESET client_min_messages;

-- errors come before anything is written: no file, the same state and schema
SELECT count(*) FROM fleetmig.version;
\set VERBOSITY default
SET fleetmig.models_dir = '/nonexistent/models';
SELECT fleetmig.create('no models', autogenerate => true);
\set m :cases /syntax_error
SET fleetmig.models_dir = :'m';
SELECT fleetmig.create('syntax', autogenerate => true);
\set m :cases /missing_relation
SET fleetmig.models_dir = :'m';
SELECT fleetmig.create('missing relation', autogenerate => true);
\set m :cases /qualified
SET fleetmig.models_dir = :'m';
SELECT fleetmig.create('qualified', autogenerate => true);
\set m :cases /transaction
SET fleetmig.models_dir = :'m';
SELECT fleetmig.create('transaction', autogenerate => true);
\set m :cases /set_statement
SET fleetmig.models_dir = :'m';
SELECT fleetmig.create('set', autogenerate => true);
\set m :cases /borrowed
SET fleetmig.models_dir = :'m';
SELECT fleetmig.create('borrowed', autogenerate => true);
SET search_path = pg_catalog, ag;
SELECT fleetmig.create('system schema', autogenerate => true);
SET search_path = ag;
-- check() compares with a models directory only when there is one
\set m :cases /syntax_error
SET fleetmig.models_dir = :'m';
SELECT fleetmig.check();
SET fleetmig.models_dir = '/nonexistent/models';
SELECT fleetmig.check();
-- a read-only transaction (a hot standby) cannot create the scratch schema:
-- check() fails (25006) rather than pass without comparing, unless the
-- caller asks to skip the comparison
RESET fleetmig.models_dir;
BEGIN READ ONLY;
SELECT fleetmig.check();
ROLLBACK;
BEGIN READ ONLY;
SET LOCAL fleetmig.check_drift = off;
SELECT fleetmig.check();
COMMIT;
\set VERBOSITY terse
SELECT pg_temp.files();
SELECT count(*) FROM fleetmig.version;
SELECT pg_temp.shape();
SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname LIKE 'fleetmig_model%';

-- what autogenerate does not compare is named in a WARNING, not skipped in
-- silence
CREATE SCHEMA ag_more;
SET search_path = ag_more;
\set m :cases /uncompared
SET fleetmig.models_dir = :'m';
\set VERBOSITY default
SELECT fleetmig.create('uncompared', autogenerate => true) AS more_path \gset
\set VERBOSITY terse
SELECT pg_temp.sections(:'more_path');
SET client_min_messages = warning;
SELECT revision IS NOT NULL FROM fleetmig.upgrade('head');
RESET client_min_messages;

-- a serial column that becomes an identity column keeps numbering after
-- the rows it has, and so does the way back
CREATE SCHEMA ag_seq;
SET search_path = ag_seq;
CREATE TABLE trips (id serial PRIMARY KEY, note text);
INSERT INTO trips (note) VALUES ('first'), ('second'), ('third');
\set m :cases /serial_to_identity
SET fleetmig.models_dir = :'m';
SELECT fleetmig.create('trips get an identity', autogenerate => true) AS seq_path \gset
SELECT pg_temp.sections(:'seq_path');
SET client_min_messages = warning;
SELECT revision IS NOT NULL FROM fleetmig.upgrade('head');
INSERT INTO trips (note) VALUES ('fourth') RETURNING id;
SELECT direction FROM fleetmig.downgrade('-1');
INSERT INTO trips (note) VALUES ('fifth') RETURNING id;
SELECT revision IS NOT NULL FROM fleetmig.upgrade('head');
RESET client_min_messages;

-- what DDL cannot say is a TODO and a WARNING, never wrong SQL
CREATE SCHEMA ag_todo;
SET search_path = ag_todo;
CREATE TYPE mood AS ENUM ('happy', 'sad', 'meh');
CREATE TABLE notes (id integer PRIMARY KEY, body text, mood mood);
CREATE TYPE shade AS ENUM ();
CREATE SEQUENCE ticket_seq START 5;
\set m :cases /todos
SET fleetmig.models_dir = :'m';
\set VERBOSITY default
SELECT fleetmig.create('notes', autogenerate => true) AS todo_path \gset
\set VERBOSITY terse
SELECT pg_temp.sections(:'todo_path');

RESET fleetmig.models_dir;
RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA ag, ag_more, ag_seq, ag_todo CASCADE;
RESET client_min_messages;
TRUNCATE fleetmig.version;
TRUNCATE fleetmig.log RESTART IDENTITY;

-- the example project: models/ beside migrations/ declares the schema of
-- the head, so check() finds no drift there
\getenv migrations FLEETMIG_MIGRATIONS
SET fleetmig.migrations_dir = :'migrations';
CREATE SCHEMA fleet;
SET search_path = fleet;
SET client_min_messages = warning;
SELECT count(*) FROM fleetmig.upgrade('heads');
RESET client_min_messages;
SELECT fleetmig.check();
SET client_min_messages = warning;
SELECT count(*) FROM fleetmig.downgrade('base');
RESET client_min_messages;
RESET search_path;
DROP SCHEMA fleet;
TRUNCATE fleetmig.log RESTART IDENTITY;
