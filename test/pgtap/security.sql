-- SPEC §9, the points that pgTAP can prove in one session: NULL arguments
-- are errors, not empty results; stamp() never re-blesses an edited file;
-- offline scripts are not written from edited applied files; validate()
-- still finds an edit below a row no file defines; check() fails in a
-- read-only transaction unless told to skip the model; fleetmig's lock is
-- one no SQL function can take.
-- Each refusal leaves fleetmig.version and fleetmig.log as they were.
-- (Offline scripts run with psql: test/shell/offline_attacks.sh; the
-- install guard: test/shell/install_guard.sh; the lock between sessions:
-- test/specs/lock_squat.spec.)
\getenv fixtures FLEETMIG_FIXTURES
BEGIN;
SELECT plan(61);

CREATE FUNCTION pg_temp.state() RETURNS text
LANGUAGE sql AS $f$
    SELECT format('%s / %s',
                  (SELECT coalesce(string_agg(revision, ',' ORDER BY revision), '') FROM fleetmig.version),
                  (SELECT count(*) FROM fleetmig.log))
$f$;

--
-- fleetmig's lock: a lock on fleetmig.version, no advisory lock
--
-- (first in the file, so that no earlier call of this transaction holds it)
\set dir :fixtures /checksum_original
SET fleetmig.migrations_dir = :'dir';
SAVEPOINT lock;
SELECT lives_ok($$SELECT fleetmig.stamp('base', purge => true)$$, 'stamp() takes the lock');
SELECT is((SELECT array_agg(ROW(classid, objid, objsubid, mode, granted)::text) FROM pg_locks
            WHERE pid = pg_backend_pid() AND locktype = 'advisory'),
    ARRAY['(1718379877,1953327463,3,ExclusiveLock,t)'],
    'the lock is an advisory tag with objsubid 3, which pg_advisory_lock() never makes (1 or 2)');
SELECT is((SELECT count(*)::int FROM pg_locks WHERE pid = pg_backend_pid()
            AND relation = 'fleetmig.version'::regclass AND mode <> 'AccessShareLock' AND mode <> 'RowExclusiveLock'),
    0, 'no lock on fleetmig.version that another session could queue behind');
ROLLBACK TO SAVEPOINT lock;
SELECT is((SELECT count(*)::int FROM pg_locks WHERE pid = pg_backend_pid()
            AND locktype = 'advisory' AND objsubid = 3),
    0, 'the lock goes with the (sub)transaction');
-- 'SQLSTATE: message' of a statement, run as whoever the caller is: pgTAP's
-- own bookkeeping is out of reach under SET ROLE
CREATE FUNCTION pg_temp.try(query text) RETURNS text
LANGUAGE plpgsql AS $f$
BEGIN
    EXECUTE query;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$f$;
CREATE ROLE fleetmig_security_nobody;
GRANT USAGE ON SCHEMA fleetmig TO fleetmig_security_nobody;
SET LOCAL ROLE fleetmig_security_nobody;
SELECT pg_temp.try($$LOCK TABLE fleetmig.version IN SHARE UPDATE EXCLUSIVE MODE$$) AS lock_table,
       pg_temp.try($$SELECT fleetmig.script_guard(true, '{}', '{}')$$) AS guard_ungranted \gset
RESET ROLE;
GRANT EXECUTE ON FUNCTION fleetmig.script_guard(boolean, text[], text[]) TO fleetmig_security_nobody;
SET LOCAL ROLE fleetmig_security_nobody;
SELECT pg_temp.try($$SELECT fleetmig.script_guard(true, '{}', '{}')$$) AS guard_granted \gset
RESET ROLE;
SELECT is(:'lock_table'::text, '42501: permission denied for table version',
    'a role with USAGE on the schema cannot LOCK fleetmig.version either');
SELECT is(:'guard_ungranted'::text, '42501: permission denied for function script_guard',
    'nor through script_guard(), which it may not execute');
SELECT is(:'guard_granted'::text, '42501: permission denied to run a fleetmig script',
    'nor when granted EXECUTE: script_guard() checks that the caller may write the state');
SELECT is((SELECT count(*)::int FROM pg_locks WHERE pid = pg_backend_pid()
            AND relation = 'fleetmig.version'::regclass AND mode = 'ShareUpdateExclusiveLock'),
    0, 'the refused guard holds no lock');
SELECT pg_temp.state() AS unlocked_before \gset
SELECT throws_ok($$SELECT fleetmig.script_record('upgrade', 'zzzz00000009', '{}', ARRAY['zzzz00000009'], 'x')$$,
    '55000', 'fleetmig''s lock is not held',
    'script_record() writes nothing unless a script''s guard took the lock (nothing here took it yet)');
SELECT is(pg_temp.state(), :'unlocked_before', 'the refused script_record() wrote nothing');

\set dir :fixtures /checksum_original
SET fleetmig.migrations_dir = :'dir';
SELECT lives_ok($$SELECT fleetmig.stamp('base', purge => true)$$, 'start at base');
SELECT lives_ok($$SELECT fleetmig.upgrade('aaaa00000001')$$, 'upgrade to aaaa00000001');
SELECT pg_temp.state() AS state0 \gset

--
-- NULL arguments: 22004, and nothing changed
--
SELECT throws_ok($$SELECT * FROM fleetmig.upgrade(NULL)$$, '22004', 'target must not be NULL',
    'upgrade(NULL) is an error');
SELECT throws_ok($$SELECT * FROM fleetmig.upgrade('head', dry_run => NULL)$$, '22004', 'dry_run must not be NULL',
    'upgrade(head, dry_run => NULL) is an error');
SELECT throws_ok($$SELECT * FROM fleetmig.downgrade(NULL)$$, '22004', 'target must not be NULL',
    'downgrade(NULL) is an error');
SELECT throws_ok($$SELECT * FROM fleetmig.downgrade('-1', dry_run => NULL)$$, '22004', 'dry_run must not be NULL',
    'downgrade(-1, dry_run => NULL) is an error');
SELECT throws_ok($$SELECT * FROM fleetmig.stamp(NULL)$$, '22004', 'target must not be NULL',
    'stamp(NULL) is an error');
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head', purge => NULL)$$, '22004', 'purge must not be NULL',
    'stamp(head, purge => NULL) is an error');
SELECT throws_ok($$SELECT * FROM fleetmig.show(NULL)$$, '22004', 'target must not be NULL',
    'show(NULL) is an error');
SELECT throws_ok($$SELECT * FROM fleetmig.test_roundtrip(NULL)$$, '22004', 'target must not be NULL',
    'test_roundtrip(NULL) is an error');
SELECT throws_ok($$SELECT fleetmig.upgrade_sql(NULL)$$, '22004', 'target must not be NULL',
    'upgrade_sql(NULL) is an error');
SELECT throws_ok($$SELECT fleetmig.create('m', autogenerate => NULL)$$, '22004', 'autogenerate must not be NULL',
    'create(m, autogenerate => NULL) is an error, not a plain file');
SELECT throws_ok($$SELECT fleetmig.create('m', head => NULL)$$, '22004', 'head must not be NULL',
    'create(m, head => NULL) is an error, not head');
SELECT throws_ok($$SELECT fleetmig.script_guard(NULL, '{}', '{}')$$, '22004', NULL,
    'script_guard(NULL, ...) is an error');
SELECT throws_ok($$SELECT fleetmig.script_guard(false, '{}', ARRAY[NULL])$$, '22004', 'applied must not contain NULL',
    'script_guard() with a NULL element is an error');
SELECT is(pg_temp.state(), :'state0', 'NULL arguments: fleetmig.version and fleetmig.log unchanged');
SELECT has_table('public', 'base_table', 'NULL arguments: the schema unchanged');
SELECT hasnt_table('public', 'second_table', 'NULL arguments: nothing upgraded');
SELECT is((SELECT count(*)::int FROM pg_proc p WHERE p.pronamespace = 'fleetmig'::regnamespace AND p.proisstrict),
    0, 'no function of fleetmig is STRICT');

--
-- stamp() never re-blesses an edited applied file
--
SELECT lives_ok($$SELECT fleetmig.upgrade('head')$$, 'checksum_original at head');
\set dir :fixtures /checksum_edited
SET fleetmig.migrations_dir = :'dir';
SELECT pg_temp.state() AS state1 \gset
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, 'XX001',
    'migration file of applied revision "bbbb00000002" has been edited',
    'stamp(head) over an edited applied file is refused, as upgrade() refuses');
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('aaaa00000001')$$, 'XX001',
    'migration file of applied revision "bbbb00000002" has been edited',
    'stamp() to an ancestor of an edited applied file is refused');
SELECT is(pg_temp.state(), :'state1', 'refused stamps: fleetmig.version and fleetmig.log unchanged');
-- stamped below it with the original file, edited, stamped back: the log
-- still holds the checksum bbbb00000002 was applied with
\set dir :fixtures /checksum_original
SET fleetmig.migrations_dir = :'dir';
SELECT lives_ok($$SELECT fleetmig.stamp('aaaa00000001')$$, 'stamp below bbbb00000002 with the original file');
\set dir :fixtures /checksum_edited
SET fleetmig.migrations_dir = :'dir';
SELECT pg_temp.state() AS state2 \gset
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, 'XX001',
    'migration file of applied revision "bbbb00000002" has been edited',
    'stamping an edited file back in is refused');
SELECT is(pg_temp.state(), :'state2', 'refused stamp back: fleetmig.version and fleetmig.log unchanged');
SET fleetmig.verify_checksums = off;
SELECT results_eq($$SELECT revision FROM fleetmig.stamp('head')$$, $$VALUES ('bbbb00000002'::text)$$,
    'with fleetmig.verify_checksums off stamp() goes through');
RESET fleetmig.verify_checksums;
-- purge forgets the state: stamp('base', purge => true) is not blocked by a
-- file that differs from its reference (here: the original, after the
-- edited one was stamped in)
\set dir :fixtures /checksum_original
SET fleetmig.migrations_dir = :'dir';
SELECT lives_ok($$SELECT fleetmig.stamp('base', purge => true)$$,
    'stamp(base, purge => true) empties the state whatever the files');
SELECT is(pg_temp.state() ~ '^ / ', true, 'purged: fleetmig.version is empty');
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, 'XX001',
    'migration file of applied revision "bbbb00000002" has been edited',
    'from base, stamping in a file that differs from its latest reference is refused');

--
-- offline scripts are not written from an edited applied file
--
SET fleetmig.verify_checksums = off;
SELECT lives_ok($$SELECT fleetmig.stamp('head')$$, 'the original file stamped in again, on purpose');
RESET fleetmig.verify_checksums;
\set dir :fixtures /checksum_edited
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT fleetmig.downgrade_sql('-1')$$, 'XX001',
    'migration file of applied revision "bbbb00000002" has been edited',
    'downgrade_sql(-1) refuses an edited applied file, as downgrade(-1) does');
SELECT throws_ok($$SELECT fleetmig.upgrade_sql('head')$$, 'XX001',
    'migration file of applied revision "bbbb00000002" has been edited',
    'upgrade_sql(head) refuses too');
SELECT lives_ok($$SELECT fleetmig.downgrade_sql('-1', from_revision => 'head')$$,
    'with from_revision the state is not read: the script itself carries the guard');
SELECT ok(position((SELECT checksum FROM fleetmig.log WHERE revision = 'bbbb00000002' ORDER BY id DESC LIMIT 1)
                   IN fleetmig.downgrade_sql('-1', from_revision => 'head')) = 0,
    'the script carries the checksum of the file it was written from, not the logged one');

--
-- validate() finds an edit below a row that no file defines
--
SELECT lives_ok($$INSERT INTO fleetmig.version VALUES ('zzzz00000009')$$, 'a row no file defines');
SELECT set_eq($$SELECT revision, problem FROM fleetmig.validate() WHERE problem IN ('unknown', 'edited')$$,
    $$VALUES ('zzzz00000009'::text, 'unknown'::text), ('bbbb00000002', 'edited')$$,
    'validate() reports the unknown row and the edited applied file');
DELETE FROM fleetmig.version WHERE revision = 'zzzz00000009';

--
-- check() in a read-only transaction: 25006 unless fleetmig.check_drift is off
--
\set dir :fixtures /checksum_original
SET fleetmig.migrations_dir = :'dir';
\set models :fixtures /autogen/01_create_from_nothing/model
SET fleetmig.models_dir = :'models';
SAVEPOINT ro;
SET TRANSACTION READ ONLY;
SELECT throws_ok($$SELECT fleetmig.check()$$, '25006',
    'cannot compare the schema with the model in a read-only transaction',
    'check() in a read-only transaction fails rather than pass without comparing');
ROLLBACK TO SAVEPOINT ro;
SAVEPOINT ro2;
SET TRANSACTION READ ONLY;
SET LOCAL fleetmig.check_drift = off;
SELECT lives_ok($$SELECT fleetmig.check()$$,
    'with fleetmig.check_drift off check() looks only at the migrations');
ROLLBACK TO SAVEPOINT ro2;
RESET fleetmig.models_dir;
SELECT is((SELECT context FROM pg_settings WHERE name = 'fleetmig.check_drift'), 'user',
    'fleetmig.check_drift is a setting for anyone');

--
-- script_record(): an offline script's state writes, only under its lock
--
SELECT pg_temp.state() AS record_before \gset
SET LOCAL ROLE fleetmig_security_nobody;
SELECT pg_temp.try($$SELECT fleetmig.script_record('upgrade', 'zzzz00000009', '{}', ARRAY['zzzz00000009'], 'x')$$) AS record_ungranted \gset
RESET ROLE;
GRANT EXECUTE ON FUNCTION fleetmig.script_record(text, text, text[], text[], text) TO fleetmig_security_nobody;
SET LOCAL ROLE fleetmig_security_nobody;
SELECT pg_temp.try($$SELECT fleetmig.script_record('upgrade', 'zzzz00000009', '{}', ARRAY['zzzz00000009'], 'x')$$) AS record_granted \gset
RESET ROLE;
SELECT is(:'record_ungranted'::text, '42501: permission denied for function script_record',
    'script_record() is not for a role that was not granted it');
SELECT is(:'record_granted'::text, '42501: permission denied to run a fleetmig script',
    'nor, when granted EXECUTE, for a role that may not write the state');
SAVEPOINT record;
SELECT lives_ok($$SELECT fleetmig.script_guard(false, (SELECT coalesce(array_agg(revision), '{}') FROM fleetmig.version), '{}')$$,
    'script_record: the guard takes the lock');
SELECT throws_ok($$SELECT fleetmig.script_record('sideways', 'zzzz00000009', '{}', ARRAY['zzzz00000009'], 'x')$$,
    '22023', 'invalid direction "sideways"', 'script_record() refuses a direction other than upgrade or downgrade');
SELECT throws_ok($$SELECT fleetmig.script_record('upgrade', 'zzzz00000009', '{}', ARRAY['zzzz 0009'], 'x')$$,
    '22023', 'invalid revision id "zzzz 0009" in add', 'script_record() refuses what is not a revision id');
SELECT throws_ok($$SELECT fleetmig.script_record('upgrade', 'zzzz00000009', '{}', ARRAY['zzzz00000009'], NULL)$$,
    '22004', 'script must not be NULL', 'script_record() refuses a NULL file text');
SELECT is(pg_temp.state(), :'record_before', 'the refused calls changed nothing');
SELECT lives_ok($$SELECT fleetmig.script_record('upgrade', 'zzzz00000009', '{}', ARRAY['zzzz00000009'], E'-- the file\n')$$,
    'script_record() under the lock');
SELECT is((SELECT array_agg(revision) FROM fleetmig.version WHERE revision = 'zzzz00000009'), ARRAY['zzzz00000009'],
    'script_record() adds the version row');
SELECT is((SELECT format('%s %s %s %s %s %s', revision, direction, checksum = encode(sha256(convert_to(script, 'UTF8')), 'hex'),
                         script = E'-- the file\n', applied_by = current_user, duration IS NULL)
             FROM fleetmig.log ORDER BY id DESC LIMIT 1),
    'zzzz00000009 upgrade t t t t',
    'script_record() writes the log row: the checksum of the text it got, the text, the caller');
ROLLBACK TO SAVEPOINT record;
SELECT is(pg_temp.state(), :'record_before', 'script_record: the test left the state as it was');

SELECT * FROM finish();
ROLLBACK;
