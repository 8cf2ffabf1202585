-- test_roundtrip(): upgrade, downgrade and upgrade again each revision,
-- comparing the schema, inside a subtransaction that is always rolled
-- back; and upgrade_each()/downgrade_each(), which commit after every step.
\getenv fixtures FLEETMIG_FIXTURES
\getenv migrations FLEETMIG_MIGRATIONS
TRUNCATE fleetmig.log RESTART IDENTITY;
SET client_min_messages = warning;

-- the example project goes both ways cleanly, from base ...
SET fleetmig.migrations_dir = :'migrations';
SELECT * FROM fleetmig.test_roundtrip();
-- ... and from the middle, to the head only
SELECT revision FROM fleetmig.upgrade('maintenance@+1');
SELECT * FROM fleetmig.test_roundtrip('head');
-- nothing it did stays: the state and the schema are as before the call
SELECT * FROM fleetmig.current();
SELECT count(*) FROM fleetmig.log;
SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1;
SELECT count(*) FROM fleetmig.downgrade('base');
TRUNCATE fleetmig.log RESTART IDENTITY;

-- downgrades that forget an index, a column, a constraint, a function; one
-- that fails; an irreversible revision: each reported, the rest still tested
\set dir :fixtures /roundtrip_faults
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.test_roundtrip();
SELECT count(*) FROM fleetmig.version;
SELECT count(*) FROM fleetmig.log;
SELECT count(*) FROM pg_tables WHERE tablename LIKE 'rt%';
-- an upgrade that fails stops the walk; the revisions above are not tested
\set dir :fixtures /third_fails
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.test_roundtrip();
-- the same checks as upgrade() before anything runs
SELECT * FROM fleetmig.test_roundtrip('-1');
RESET client_min_messages;

-- upgrade_each() commits after every step
\set dir :fixtures /two_heads
SET fleetmig.migrations_dir = :'dir';
CALL fleetmig.upgrade_each('feature@head');
SELECT * FROM fleetmig.current();
CALL fleetmig.upgrade_each('heads');
CALL fleetmig.upgrade_each('heads');
CALL fleetmig.downgrade_each('base');
SELECT count(*) FROM fleetmig.version;
-- a NULL target is an error (22004), not a call that does nothing
CALL fleetmig.upgrade_each(NULL);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
CALL fleetmig.downgrade_each(NULL);
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT count(*) FROM fleetmig.version;
-- it cannot commit inside a transaction block or a function
BEGIN;
CALL fleetmig.upgrade_each('heads');
ROLLBACK;
CREATE FUNCTION upgrade_from_a_function() RETURNS void LANGUAGE plpgsql
    AS $$ BEGIN CALL fleetmig.upgrade_each('heads'); END $$;
SELECT upgrade_from_a_function();
DROP FUNCTION upgrade_from_a_function();
-- a DO block outside a transaction may commit
DO $$ BEGIN CALL fleetmig.upgrade_each('+1'); END $$;
SELECT revision FROM fleetmig.current();
-- after a failure in step k, the steps before k stay committed
\set dir :fixtures /third_fails
SET fleetmig.migrations_dir = :'dir';
SELECT revision FROM fleetmig.stamp('base', purge => true);
DROP TABLE t_aaaa00000001;
TRUNCATE fleetmig.log RESTART IDENTITY;
CALL fleetmig.upgrade_each('head');
SELECT * FROM fleetmig.current();
SELECT revision, direction FROM fleetmig.log ORDER BY id;
SELECT attname FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attnum > 0 ORDER BY attnum;
-- and fleetmig's session lock is released
SELECT count(*) AS locks_held FROM pg_locks
 WHERE pid = pg_backend_pid() AND locktype = 'advisory'
   AND classid = 1718379877 AND objid = 1953327463 AND objsubid = 3;
CALL fleetmig.downgrade_each('base');
SELECT count(*) FROM fleetmig.version;
TRUNCATE fleetmig.log RESTART IDENTITY;
