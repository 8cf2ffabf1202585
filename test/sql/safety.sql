-- validate() and check(); a deploy role that is not a superuser; objects in
-- public that try to stand in for fleetmig's own.
\getenv fixtures FLEETMIG_FIXTURES
TRUNCATE fleetmig.log RESTART IDENTITY;

-- a clean state: nothing to report, nothing pending once at the heads
\set dir :fixtures /stamp_implied_original
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.validate();
SELECT fleetmig.check();
SELECT revision FROM fleetmig.upgrade('+1');
SELECT fleetmig.check();
SELECT revision FROM fleetmig.upgrade('head');
SELECT fleetmig.check();

-- an edited file is reported with the line that changed
\set dir :fixtures /stamp_implied_edited
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.validate();
SELECT fleetmig.check();
-- check() honours verify_checksums like upgrade(); validate() always reports
SET fleetmig.verify_checksums = off;
SELECT fleetmig.check();
RESET fleetmig.verify_checksums;

-- files gone: the head is unknown to the directory, the revision below it
-- is missing
\set dir :fixtures /only_base
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.validate();
SELECT fleetmig.check();
SELECT revision FROM fleetmig.stamp('aaaa', purge => true);

-- a revision without a downgrade section
\set dir :fixtures /irreversible
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.validate();
SELECT revision FROM fleetmig.stamp('base');
DROP TABLE base_table, second_table, third_table;
TRUNCATE fleetmig.log RESTART IDENTITY;

-- a deploy role: runs migrations, owns the application schema, needs no
-- privilege on fleetmig's tables and cannot point fleetmig elsewhere
CREATE ROLE fleet_deployer;
CREATE SCHEMA fleet_app AUTHORIZATION fleet_deployer;
GRANT USAGE ON SCHEMA fleetmig TO fleet_deployer;
GRANT EXECUTE ON FUNCTION fleetmig.upgrade(text, boolean), fleetmig.downgrade(text, boolean),
      fleetmig.current(), fleetmig.history(), fleetmig.check() TO fleet_deployer;
\set dir :fixtures /two_heads
SET fleetmig.migrations_dir = :'dir';
SET ROLE fleet_deployer;
SET search_path = fleet_app;
SELECT revision FROM fleetmig.upgrade('heads');
SELECT * FROM fleetmig.current();
SELECT fleetmig.check();
-- the tables are the deployer's, in its schema
SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'fleet_app' ORDER BY 1;
-- fleetmig's own tables are out of reach, and so are its settings and
-- functions that were not granted
SELECT count(*) FROM fleetmig.version;
INSERT INTO fleetmig.log (revision, direction, applied_by, applied_at) VALUES ('x', 'stamp', 'me', now());
SET fleetmig.migrations_dir = '/etc';
SET fleetmig.verify_checksums = off;
SELECT fleetmig.stamp('base');
SELECT fleetmig.create('sneaky');
-- downgrades run as the deployer too
SELECT revision FROM fleetmig.downgrade('base');
RESET search_path;
RESET ROLE;
-- the log names the deployer
SELECT revision, direction, applied_by FROM fleetmig.log ORDER BY id;
DROP SCHEMA fleet_app;
REVOKE ALL ON SCHEMA fleetmig FROM fleet_deployer;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA fleetmig FROM fleet_deployer;
DROP ROLE fleet_deployer;
TRUNCATE fleetmig.log RESTART IDENTITY;

-- objects in public that shadow what fleetmig uses, first in search_path
CREATE TABLE public.version (revision text);
CREATE TABLE public.log (id bigint, revision text, direction text, checksum text,
                         script text, applied_by text, applied_at timestamptz, duration interval);
CREATE FUNCTION public.texteq_always(text, text) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS 'SELECT true';
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, PROCEDURE = public.texteq_always);
CREATE OPERATOR public.<> (LEFTARG = text, RIGHTARG = text, PROCEDURE = public.texteq_always);
CREATE FUNCTION public.count(anyelement) RETURNS bigint LANGUAGE sql AS 'SELECT 42::bigint';
CREATE FUNCTION public.nextval(regclass) RETURNS bigint LANGUAGE sql AS 'SELECT 42::bigint';
CREATE FUNCTION public.pg_advisory_xact_lock(bigint) RETURNS void LANGUAGE sql AS 'SELECT NULL';
CREATE FUNCTION public.fleetmig(text) RETURNS text LANGUAGE sql AS 'SELECT $1';
SET search_path = public, pg_catalog;
SELECT revision FROM fleetmig.upgrade('feature@head');
SELECT revision FROM fleetmig.stamp('heads');
SELECT revision FROM fleetmig.downgrade('feature@-1');
SELECT * FROM fleetmig.current();
SELECT * FROM fleetmig.validate();
RESET search_path;
-- fleetmig's tables hold the truth; the decoys are untouched
SELECT revision FROM fleetmig.version ORDER BY revision;
SELECT id, revision, direction FROM fleetmig.log ORDER BY id;
SELECT count(*) FROM public.version;
SELECT count(*) FROM public.log;
SELECT revision FROM fleetmig.stamp('base');
DROP TABLE t_aaaa00000001, t_cccc00000003;
DROP FUNCTION public.fleetmig(text), public.pg_advisory_xact_lock(bigint),
     public.nextval(regclass), public.count(anyelement);
DROP OPERATOR public.= (text, text);
DROP OPERATOR public.<> (text, text);
DROP FUNCTION public.texteq_always(text, text);
DROP TABLE public.version, public.log;
TRUNCATE fleetmig.log RESTART IDENTITY;
