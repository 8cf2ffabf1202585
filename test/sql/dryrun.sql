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

-- Shown are the locks on the relations each step names (a lock a step
-- took already is not taken again by the next): the server also locks
-- indexes, sequences and referenced tables on its own, and which of those
-- depends on the release (recent minors lock the referenced primary key's
-- index when a foreign key is created).
CREATE TEMP TABLE named (revision text, direction text, names text[]);
INSERT INTO named VALUES
    ('67e22a55f6c0', 'upgrade', '{drivers}'), ('00d0c32b0873', 'upgrade', '{users}'),
    ('2318de486810', 'upgrade', '{users}'),
    ('1cdca2e65dfc', 'upgrade', '{maintenance_records,vehicles}'),
    ('5da1e03a4943', 'upgrade', '{maintenance_records}'), ('f16594f3311d', 'upgrade', '{}'),
    ('5ee6d1ef502b', 'upgrade', '{drivers}'), ('fb77dddeb5ae', 'upgrade', '{users}'),
    ('debb09a54f0f', 'upgrade', '{users}'), ('0c0f591ff87d', 'upgrade', '{users}'),
    ('a5544b383b39', 'downgrade', '{trips}'), ('cb3c34f8d146', 'downgrade', '{vehicles}'),
    ('2b2042f8c523', 'downgrade', '{drivers}'), ('1665f51c3905', 'downgrade', '{users}'),
    ('bbbb00000002', 'upgrade', '{odometer_readings}');
CREATE FUNCTION pg_temp.named_locks(step text, dir text, locks text[]) RETURNS text[]
LANGUAGE sql AS $$
    SELECT coalesce(array_agg(l ORDER BY l), '{}') FROM unnest(locks) l
     WHERE split_part(l, ' ', 1) = ANY ((SELECT n.names FROM named n
                                           WHERE n.revision = step AND n.direction = dir)::text[])
$$;

-- the example project, deployed up to the trips table
SET fleetmig.migrations_dir = :'migrations';
SELECT count(*) FROM fleetmig.upgrade('a5544b383b39');
TABLE state;
-- what the rest of the upgrade would lock: the phone column takes ACCESS
-- EXCLUSIVE on drivers, the email column on users
SELECT revision, direction, duration IS NOT NULL AS timed,
       pg_temp.named_locks(revision, direction, locks) AS locks, rewrites
  FROM fleetmig.upgrade('head', dry_run => true);
-- nothing changed
TABLE state;
-- a downgrade can be tried the same way
SELECT revision, direction, pg_temp.named_locks(revision, direction, locks) AS locks, rewrites
  FROM fleetmig.downgrade('base', dry_run => true);
TABLE state;
SELECT count(*) FROM fleetmig.downgrade('base');

-- a type change rewrites its table
\set dir :fixtures /dry_run_rewrite
SET fleetmig.migrations_dir = :'dir';
SELECT revision FROM fleetmig.upgrade('+1');
SELECT revision, pg_temp.named_locks(revision, 'upgrade', locks) AS locks, rewrites
  FROM fleetmig.upgrade('head', dry_run => true);
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
DROP FUNCTION pg_temp.named_locks(text, text, text[]);
DROP TABLE named;
TRUNCATE fleetmig.log RESTART IDENTITY;
