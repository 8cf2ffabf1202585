-- upgrade(..., dry_run => true) and downgrade(..., dry_run => true): the
-- steps run for real in a subtransaction that is always rolled back; each
-- row says how long the step took, the locks it took, the tables it
-- rewrote.  Durations vary, so only their presence is shown.
\getenv fixtures FLEETMIG_FIXTURES
\getenv migrations FLEETMIG_MIGRATIONS
TRUNCATE fleetmig.log RESTART IDENTITY;
SET client_min_messages = warning;
CREATE VIEW state AS
SELECT (SELECT string_agg(revision, ', ' ORDER BY revision) FROM fleetmig.version) AS version,
       (SELECT count(*) FROM fleetmig.log) AS log_rows,
       (SELECT string_agg(c.relname || '(' || c.relnatts || ')', ', ' ORDER BY c.relname) FROM pg_class c
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r') AS tables;

-- the example project, deployed up to the trips table
SET fleetmig.migrations_dir = :'migrations';
SELECT count(*) FROM fleetmig.upgrade('a5544b383b39');
TABLE state;
-- what the rest of the upgrade would lock: the phone column takes ACCESS
-- EXCLUSIVE on drivers, the email column on users
SELECT revision, direction, duration IS NOT NULL AS timed, locks, rewrites
  FROM fleetmig.upgrade('head', dry_run => true);
-- nothing changed
TABLE state;
-- a downgrade can be tried the same way
SELECT revision, direction, locks, rewrites FROM fleetmig.downgrade('base', dry_run => true);
TABLE state;
SELECT count(*) FROM fleetmig.downgrade('base');

-- a type change rewrites its table
\set dir :fixtures /dry_run_rewrite
SET fleetmig.migrations_dir = :'dir';
SELECT revision FROM fleetmig.upgrade('+1');
SELECT revision, locks, rewrites FROM fleetmig.upgrade('head', dry_run => true);
TABLE state;
SELECT revision FROM fleetmig.downgrade('base');

-- a step that fails in a dry run fails the call, and changes nothing
\set dir :fixtures /third_fails
SET fleetmig.migrations_dir = :'dir';
SELECT revision FROM fleetmig.upgrade('head', dry_run => true);
TABLE state;
-- nothing to do is said as for a real run
SET client_min_messages = notice;
SELECT revision FROM fleetmig.downgrade('base', dry_run => true);

DROP VIEW state;
TRUNCATE fleetmig.log RESTART IDENTITY;
