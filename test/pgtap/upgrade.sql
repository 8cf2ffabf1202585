-- upgrade(), downgrade() and init() (SPEC §4, §5, §6, §8): what they build
-- on the example project, what they record in fleetmig.log, and for every
-- refusal its SQLSTATE, its message and the proof that nothing changed:
-- fleetmig.version, the number of fleetmig.log rows and the schema.
--
-- Many fixtures reuse the revision ids aaaa00000001 and bbbb00000002, so a
-- switch of fixture starts with stamp('base', purge => true) (stamp reads no
-- checksums); otherwise the checksum guard would rightly fire.
\getenv fixtures FLEETMIG_FIXTURES
\getenv migrations FLEETMIG_MIGRATIONS
BEGIN;
SELECT plan(190);
SET LOCAL client_min_messages = warning;

-- The DETAIL of the error a statement raises, NULL if none is raised.
CREATE FUNCTION pg_temp.error_detail(query text) RETURNS text
LANGUAGE plpgsql AS $f$
DECLARE
    detail text;
BEGIN
    EXECUTE query;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN detail;
END
$f$;

-- The CONTEXT line fleetmig adds to an error from a migration's SQL
-- ("revision <id> (<section>), file "<name>", line <n>"), NULL if none.
CREATE FUNCTION pg_temp.error_where(query text) RETURNS text
LANGUAGE plpgsql AS $f$
DECLARE
    context text;
BEGIN
    EXECUTE query;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS context = PG_EXCEPTION_CONTEXT;
    RETURN substring(context FROM 'revision \S+ \(\w+\), file "[^"]*", line \d+');
END
$f$;

-- fleetmig.version as one string, '' when empty
CREATE FUNCTION pg_temp.version() RETURNS text
LANGUAGE sql AS $f$
    SELECT coalesce(string_agg(revision, ', ' ORDER BY revision), '') FROM fleetmig.version
$f$;

CREATE FUNCTION pg_temp.log_count() RETURNS bigint
LANGUAGE sql AS $f$
    SELECT count(*) FROM fleetmig.log
$f$;

--
-- The example project
--
SET fleetmig.migrations_dir = :'migrations';
-- start from a clean state whatever the database holds (all rolled back)
TRUNCATE fleetmig.log;
SELECT lives_ok($$SELECT fleetmig.stamp('base', purge => true)$$,
    'migrations: start from an empty fleetmig.version');
SELECT is(pg_temp.log_count(), 0::bigint, 'migrations: stamp(base) at base logs nothing');

-- upgrade and downgrade run in the caller's transaction: rolling back to a
-- savepoint undoes the whole upgrade, schema and state alike.  The steps of
-- upgrade('heads') are kept for the comparison with init() below.
SAVEPOINT before_heads;
SELECT string_agg(revision, ',' ORDER BY n) AS heads_steps
  FROM fleetmig.upgrade('heads') WITH ORDINALITY AS u(revision, message, direction, duration, locks, rewrites, n) \gset
SELECT pg_temp.version() AS heads_version \gset
ROLLBACK TO SAVEPOINT before_heads;
SELECT hasnt_table('public', 'users', 'migrations: ROLLBACK TO SAVEPOINT undoes an upgrade: no users table');
SELECT hasnt_table('public', 'maintenance_records', 'migrations: ROLLBACK TO SAVEPOINT undoes an upgrade: no maintenance_records table');
SELECT is(pg_temp.version(), '', 'migrations: ROLLBACK TO SAVEPOINT undoes an upgrade: fleetmig.version is empty');
SELECT is(pg_temp.log_count(), 0::bigint, 'migrations: ROLLBACK TO SAVEPOINT undoes an upgrade: no log row');

-- upgrade('head'): every revision, trunk first, then the maintenance branch,
-- the merge and the revisions after it
SELECT results_eq(
    $$SELECT revision, direction FROM fleetmig.upgrade('head')$$,
    $$VALUES ('1665f51c3905'::text, 'upgrade'::text), ('2b2042f8c523', 'upgrade'),
             ('cb3c34f8d146', 'upgrade'), ('a5544b383b39', 'upgrade'),
             ('67e22a55f6c0', 'upgrade'), ('00d0c32b0873', 'upgrade'),
             ('2318de486810', 'upgrade'), ('1cdca2e65dfc', 'upgrade'),
             ('5da1e03a4943', 'upgrade'), ('f16594f3311d', 'upgrade'),
             ('5ee6d1ef502b', 'upgrade'), ('fb77dddeb5ae', 'upgrade'),
             ('debb09a54f0f', 'upgrade'), ('0c0f591ff87d', 'upgrade')$$,
    'migrations: upgrade(head) runs the 14 steps in topological order');
SELECT has_table('public', 'users', 'migrations: table users exists');
SELECT has_table('public', 'drivers', 'migrations: table drivers exists');
SELECT has_table('public', 'vehicles', 'migrations: table vehicles exists');
SELECT has_table('public', 'trips', 'migrations: table trips exists');
SELECT has_table('public', 'maintenance_records', 'migrations: table maintenance_records exists');
SELECT has_column('public', 'drivers', 'phone_number', 'migrations: drivers.phone_number exists');
SELECT has_index('public'::name, 'drivers'::name, 'idx_driver_phone'::name,
    'migrations: index idx_driver_phone exists'::text);
SELECT has_column('public', 'users', 'email', 'migrations: users.email exists');
SELECT col_not_null('public', 'users', 'email', 'migrations: users.email is NOT NULL');
SELECT has_index('public'::name, 'users'::name, 'uq_users_email'::name,
    'migrations: index uq_users_email exists'::text);
SELECT has_column('public', 'users', 'status', 'migrations: users.status exists');
SELECT col_not_null('public', 'users', 'status', 'migrations: users.status is NOT NULL');
SELECT has_column('public', 'drivers', 'certification_expires_on',
    'migrations: drivers.certification_expires_on exists');
SELECT has_column('public', 'maintenance_records', 'next_service_due',
    'migrations: maintenance_records.next_service_due exists');
SELECT has_column('public', 'users', 'display_name', 'migrations: users.display_name exists');
SELECT col_not_null('public', 'users', 'display_name', 'migrations: users.display_name is NOT NULL');
SELECT hasnt_column('public', 'users', 'full_name', 'migrations: users.full_name was dropped');
SELECT results_eq($$SELECT revision FROM fleetmig.version$$,
    $$VALUES ('0c0f591ff87d'::text)$$,
    'migrations: fleetmig.version holds exactly the head');
SELECT results_eq($$SELECT revision, is_head FROM fleetmig.current()$$,
    $$VALUES ('0c0f591ff87d'::text, true)$$,
    'migrations: current() is the head');

-- fleetmig.log: one upgrade row per revision, in the order they ran
SELECT results_eq(
    $$SELECT revision, direction FROM fleetmig.log ORDER BY id$$,
    $$SELECT revision, 'upgrade'::text FROM fleetmig.history() ORDER BY created$$,
    'migrations: one upgrade log row per revision, in the order of the steps');
SELECT is_empty(
    $$SELECT revision FROM fleetmig.log l JOIN fleetmig.history() h USING (revision)
       WHERE l.checksum IS DISTINCT FROM encode(sha256(convert_to(pg_read_file(
                 current_setting('fleetmig.migrations_dir') || '/' || h.file), 'UTF8')), 'hex')$$,
    'migrations: each log row carries the SHA-256 of its file');
SELECT is_empty(
    $$SELECT revision FROM fleetmig.log l JOIN fleetmig.history() h USING (revision)
       WHERE l.script IS DISTINCT FROM pg_read_file(current_setting('fleetmig.migrations_dir') || '/' || h.file)$$,
    'migrations: each log row carries the text of its file');
SELECT is_empty(
    $$SELECT revision FROM fleetmig.log
       WHERE applied_by IS DISTINCT FROM current_user::text OR duration IS NULL OR applied_at IS NULL$$,
    'migrations: each log row names the caller and has a duration');
SELECT is_empty(
    $$SELECT revision FROM fleetmig.history() WHERE NOT applied OR applied_at IS NULL$$,
    'migrations: history() shows every revision applied, with the time');

-- at the head there is nothing to do, and nothing is logged
SELECT is_empty($$SELECT * FROM fleetmig.upgrade('head')$$,
    'migrations: upgrade(head) at the head returns no rows');
SELECT is(pg_temp.log_count(), 14::bigint, 'migrations: ... and writes no log row');
SELECT is_empty($$SELECT * FROM fleetmig.upgrade('heads')$$,
    'migrations: upgrade(heads) at the head returns no rows');
SELECT is_empty($$SELECT * FROM fleetmig.downgrade('head')$$,
    'migrations: downgrade(head) at the head returns no rows');

-- downgrade('base'): the reverse order, every table gone
SELECT results_eq(
    $$SELECT revision, direction FROM fleetmig.downgrade('base')$$,
    $$VALUES ('0c0f591ff87d'::text, 'downgrade'::text), ('debb09a54f0f', 'downgrade'),
             ('fb77dddeb5ae', 'downgrade'), ('5ee6d1ef502b', 'downgrade'),
             ('f16594f3311d', 'downgrade'), ('5da1e03a4943', 'downgrade'),
             ('1cdca2e65dfc', 'downgrade'), ('2318de486810', 'downgrade'),
             ('00d0c32b0873', 'downgrade'), ('67e22a55f6c0', 'downgrade'),
             ('a5544b383b39', 'downgrade'), ('cb3c34f8d146', 'downgrade'),
             ('2b2042f8c523', 'downgrade'), ('1665f51c3905', 'downgrade')$$,
    'migrations: downgrade(base) runs the 14 steps in reverse order');
SELECT hasnt_table('public', 'users', 'migrations: after downgrade(base) no table users');
SELECT hasnt_table('public', 'drivers', 'migrations: after downgrade(base) no table drivers');
SELECT hasnt_table('public', 'vehicles', 'migrations: after downgrade(base) no table vehicles');
SELECT hasnt_table('public', 'trips', 'migrations: after downgrade(base) no table trips');
SELECT hasnt_table('public', 'maintenance_records', 'migrations: after downgrade(base) no table maintenance_records');
SELECT is(pg_temp.version(), '', 'migrations: after downgrade(base) fleetmig.version is empty');
SELECT results_eq(
    $$SELECT direction, count(*) FROM fleetmig.log GROUP BY direction ORDER BY direction$$,
    $$VALUES ('downgrade'::text, 14::bigint), ('upgrade', 14)$$,
    'migrations: one downgrade log row per revision');
SELECT is_empty($$SELECT * FROM fleetmig.downgrade('base')$$,
    'migrations: downgrade(base) at base returns no rows');

-- init() is upgrade('heads')
SELECT is(
    (SELECT string_agg(revision, ',' ORDER BY n)
       FROM fleetmig.init() WITH ORDINALITY AS u(revision, message, direction, duration, locks, rewrites, n)),
    :'heads_steps',
    'migrations: init() runs the steps of upgrade(heads)');
SELECT is(pg_temp.version(), :'heads_version', 'migrations: init() leaves the version upgrade(heads) leaves');
SELECT is(pg_temp.version(), '0c0f591ff87d', 'migrations: ... which is the head');
SELECT has_table('public', 'maintenance_records', 'migrations: init() built maintenance_records');
SELECT has_column('public', 'drivers', 'certification_expires_on',
    'migrations: init() added drivers.certification_expires_on');
SELECT is_empty($$SELECT * FROM fleetmig.init()$$, 'migrations: init() at the heads returns no rows');
SELECT lives_ok($$SELECT fleetmig.downgrade('base')$$, 'migrations: back to base');

-- a data migration: the email, status and display_name back-fills work on
-- existing rows
SELECT results_eq($$SELECT revision FROM fleetmig.upgrade('+1')$$,
    $$VALUES ('1665f51c3905'::text)$$, 'migrations: upgrade(+1) from base creates users only');
SELECT hasnt_table('public', 'drivers', 'migrations: ... no drivers yet');
INSERT INTO users (username, full_name, deleted_at)
VALUES ('alice', 'Alice Martin', NULL), ('bob', 'Bob Stone', '2024-01-01'), ('carol', NULL, NULL);
SELECT is((SELECT count(*) FROM fleetmig.upgrade('head')), 13::bigint,
    'migrations: upgrade(head) runs the other 13 steps over the rows');
SELECT results_eq(
    $$SELECT username::text, email::text, status::text, display_name::text FROM users ORDER BY username$$,
    $$VALUES ('alice'::text, 'alice@example.com'::text, 'active'::text, 'Alice Martin'::text),
             ('bob', 'bob@example.com', 'deleted', 'Bob Stone'),
             ('carol', 'carol@example.com', 'active', 'carol')$$,
    'migrations: email back-filled from username, status from deleted_at, display_name from full_name or else username');
-- undoing the contract step brings full_name back, filled from display_name
SELECT results_eq($$SELECT revision FROM fleetmig.downgrade('-1')$$,
    $$VALUES ('0c0f591ff87d'::text)$$, 'migrations: downgrade(-1) undoes the contract step');
SELECT results_eq(
    $$SELECT username::text, full_name::text, display_name::text FROM users ORDER BY username$$,
    $$VALUES ('alice'::text, 'Alice Martin'::text, 'Alice Martin'::text),
             ('bob', 'Bob Stone', 'Bob Stone'),
             ('carol', 'carol', 'carol')$$,
    'migrations: ... full_name is back, filled from display_name');
SELECT col_is_null('public', 'users', 'display_name', 'migrations: ... and display_name is nullable again');
SELECT lives_ok($$SELECT fleetmig.downgrade('base')$$, 'migrations: back to base again');
SELECT hasnt_table('public', 'users', 'migrations: ... no users table left');

--
-- branches_and_merge: init(), down to one parent of the merge, down to the
-- branch point
--
\set dir :fixtures /branches_and_merge
SET fleetmig.migrations_dir = :'dir';
SELECT lives_ok($$SELECT fleetmig.stamp('base', purge => true)$$, 'branches_and_merge: purge');
SELECT results_eq($$SELECT revision FROM fleetmig.init()$$,
    $$VALUES ('a1b2c3d4e5f6'::text), ('b2c3d4e5f6a1'), ('c3d4aaaa0003'), ('e5f6a1b20005'),
             ('c3d4bbbb0004'), ('f6a1b2c30006'), ('a7a7a7a70007'), ('b8b8b8b80008')$$,
    'branches_and_merge: init() applies both branches, the merge and the revision after it');
SELECT is(pg_temp.version(), 'b8b8b8b80008', 'branches_and_merge: at the head');
SELECT results_eq($$SELECT revision FROM fleetmig.downgrade('c3d4bbbb0004')$$,
    $$VALUES ('b8b8b8b80008'::text), ('a7a7a7a70007')$$,
    'branches_and_merge: down to one parent of the merge');
SELECT is(pg_temp.version(), 'c3d4bbbb0004, f6a1b2c30006',
    'branches_and_merge: ... keeps the other parent''s line applied');
SELECT hasnt_table('public', 't_a7a7a7a70007', 'branches_and_merge: the merge''s table is gone');
SELECT has_table('public', 't_f6a1b2c30006', 'branches_and_merge: the other line''s table stays');
SELECT results_eq($$SELECT revision FROM fleetmig.downgrade('b2c3d4e5f6a1')$$,
    $$VALUES ('f6a1b2c30006'::text), ('c3d4bbbb0004'), ('e5f6a1b20005'), ('c3d4aaaa0003')$$,
    'branches_and_merge: down to the branch point removes both branches');
SELECT is(pg_temp.version(), 'b2c3d4e5f6a1', 'branches_and_merge: at the branch point');
SELECT lives_ok($$SELECT fleetmig.downgrade('base')$$, 'branches_and_merge: back to base');
SELECT hasnt_table('public', 't_a1b2c3d4e5f6', 'branches_and_merge: no table left');

--
-- third_fails: the third step fails; the first two steps of the same call
-- are undone with it
--
\set dir :fixtures /third_fails
SET fleetmig.migrations_dir = :'dir';
SELECT lives_ok($$SELECT fleetmig.stamp('base', purge => true)$$, 'third_fails: purge');
SELECT results_eq($$SELECT revision FROM fleetmig.upgrade('+1')$$,
    $$VALUES ('aaaa00000001'::text)$$, 'third_fails: upgrade(+1) creates accounts');
SELECT pg_temp.log_count() AS logn \gset
SELECT throws_ok($$SELECT fleetmig.upgrade('head')$$, '42P01',
    'relation "owners" does not exist',
    'third_fails: upgrade(head) fails with the error of the third step');
SELECT is(pg_temp.version(), 'aaaa00000001', 'third_fails: fleetmig.version is still aaaa00000001');
SELECT is(pg_temp.log_count(), :logn::bigint, 'third_fails: no log row was added');
SELECT has_table('public', 'accounts', 'third_fails: accounts still exists');
SELECT hasnt_column('public', 'accounts', 'balance', 'third_fails: the second step''s column is gone');
SELECT hasnt_index('public', 'accounts', 'accounts_name_idx', 'third_fails: the third step''s index is gone');
SELECT is_empty($$SELECT * FROM accounts$$, 'third_fails: the second step''s row is gone');
SELECT is(pg_temp.error_where($$SELECT fleetmig.upgrade('head')$$),
    'revision cccc00000003 (upgrade), file "20240103_0000_cccc00000003_add_owner.sql", line 10',
    'third_fails: the CONTEXT names the revision, the file and the line of the failing statement');

-- targets that are no upgrade or downgrade, and dry runs, change nothing
SELECT throws_ok($$SELECT fleetmig.downgrade('cccc00000003')$$, '55000',
    'cannot downgrade to revision "cccc00000003": it is not applied',
    'third_fails: downgrade to a revision that is not applied');
SELECT throws_ok($$SELECT fleetmig.upgrade('-1')$$, '22023',
    'cannot upgrade to relative target "-1"', 'third_fails: upgrade(-1)');
SELECT throws_ok($$SELECT fleetmig.downgrade('+1')$$, '22023',
    'cannot downgrade to relative target "+1"', 'third_fails: downgrade(+1)');
SELECT throws_ok($$SELECT fleetmig.upgrade('head', dry_run => true)$$, '42P01',
    'relation "owners" does not exist', 'third_fails: a dry run fails where the upgrade would');
SELECT results_eq($$SELECT revision FROM fleetmig.downgrade('base', dry_run => true)$$,
    $$VALUES ('aaaa00000001'::text)$$, 'third_fails: a dry run of the downgrade');
SELECT is(pg_temp.version(), 'aaaa00000001', 'third_fails: fleetmig.version unchanged by the refusals');
SELECT is(pg_temp.log_count(), :logn::bigint, 'third_fails: fleetmig.log unchanged by the refusals');
SELECT has_table('public', 'accounts', 'third_fails: accounts untouched by the refusals');
SELECT lives_ok($$SELECT fleetmig.downgrade('base')$$, 'third_fails: back to base');
SELECT hasnt_table('public', 'accounts', 'third_fails: no accounts table left');

--
-- Statements refused before the step runs.  Each fixture's first revision
-- creates base_table and is applied first; the second revision creates
-- second_table before the statement that fails.
--

-- transaction control
\set dir :fixtures /transaction_control
SET fleetmig.migrations_dir = :'dir';
SELECT lives_ok($$SELECT fleetmig.stamp('base', purge => true)$$, 'transaction_control: purge');
SELECT lives_ok($$SELECT fleetmig.upgrade('+1')$$, 'transaction_control: upgrade(+1)');
SELECT pg_temp.log_count() AS logn \gset
SELECT throws_ok($$SELECT fleetmig.upgrade('head')$$, '2D000',
    'transaction control statements are not allowed in revision "bbbb00000002"',
    'transaction_control: COMMIT in a migration is refused');
SELECT is(pg_temp.error_detail($$SELECT fleetmig.upgrade('head')$$),
    'File "20240102_0000_bbbb00000002_second.sql", line 8.',
    'transaction_control: the DETAIL names the file and the line of the COMMIT');
SELECT is(pg_temp.version(), 'aaaa00000001', 'transaction_control: fleetmig.version unchanged');
SELECT is(pg_temp.log_count(), :logn::bigint, 'transaction_control: fleetmig.log unchanged');
SELECT has_table('public', 'base_table', 'transaction_control: base_table still exists');
SELECT hasnt_table('public', 'second_table', 'transaction_control: second_table was never created');
SELECT hasnt_table('public', 'third_table', 'transaction_control: third_table was never created');
SELECT lives_ok($$SELECT fleetmig.downgrade('base')$$, 'transaction_control: back to base');

-- COPY FROM STDIN
\set dir :fixtures /copy_from_stdin
SET fleetmig.migrations_dir = :'dir';
SELECT lives_ok($$SELECT fleetmig.stamp('base', purge => true)$$, 'copy_from_stdin: purge');
SELECT lives_ok($$SELECT fleetmig.upgrade('+1')$$, 'copy_from_stdin: upgrade(+1)');
SELECT pg_temp.log_count() AS logn \gset
SELECT throws_ok($$SELECT fleetmig.upgrade('head')$$, '0A000',
    'COPY FROM STDIN is not supported in revision "bbbb00000002"',
    'copy_from_stdin: COPY FROM STDIN is refused');
SELECT is(pg_temp.error_detail($$SELECT fleetmig.upgrade('head')$$),
    'File "20240102_0000_bbbb00000002_second.sql", line 8.',
    'copy_from_stdin: the DETAIL names the file and the line of the COPY');
SELECT is(pg_temp.version(), 'aaaa00000001', 'copy_from_stdin: fleetmig.version unchanged');
SELECT is(pg_temp.log_count(), :logn::bigint, 'copy_from_stdin: fleetmig.log unchanged');
SELECT hasnt_table('public', 'second_table', 'copy_from_stdin: second_table was never created');
SELECT lives_ok($$SELECT fleetmig.downgrade('base')$$, 'copy_from_stdin: back to base');

-- CREATE INDEX CONCURRENTLY
\set dir :fixtures /index_concurrently
SET fleetmig.migrations_dir = :'dir';
SELECT lives_ok($$SELECT fleetmig.stamp('base', purge => true)$$, 'index_concurrently: purge');
SELECT lives_ok($$SELECT fleetmig.upgrade('+1')$$, 'index_concurrently: upgrade(+1)');
SELECT pg_temp.log_count() AS logn \gset
SELECT throws_ok($$SELECT fleetmig.upgrade('head')$$, '25001',
    'CREATE INDEX CONCURRENTLY cannot run inside a transaction block, in revision "bbbb00000002"',
    'index_concurrently: CREATE INDEX CONCURRENTLY is refused');
SELECT is(pg_temp.error_detail($$SELECT fleetmig.upgrade('head')$$),
    'File "20240102_0000_bbbb00000002_second.sql", line 9.',
    'index_concurrently: the DETAIL names the line of the statement, after its comment');
SELECT is(pg_temp.version(), 'aaaa00000001', 'index_concurrently: fleetmig.version unchanged');
SELECT is(pg_temp.log_count(), :logn::bigint, 'index_concurrently: fleetmig.log unchanged');
SELECT hasnt_table('public', 'second_table', 'index_concurrently: second_table was never created');
SELECT hasnt_index('public', 'second_table', 'second_table_id_idx', 'index_concurrently: no index');
SELECT lives_ok($$SELECT fleetmig.downgrade('base')$$, 'index_concurrently: back to base');

-- VACUUM
\set dir :fixtures /vacuum
SET fleetmig.migrations_dir = :'dir';
SELECT lives_ok($$SELECT fleetmig.stamp('base', purge => true)$$, 'vacuum: purge');
SELECT lives_ok($$SELECT fleetmig.upgrade('+1')$$, 'vacuum: upgrade(+1)');
SELECT pg_temp.log_count() AS logn \gset
SELECT throws_ok($$SELECT fleetmig.upgrade('head')$$, '25001',
    'VACUUM cannot run inside a transaction block, in revision "bbbb00000002"',
    'vacuum: VACUUM is refused');
SELECT is(pg_temp.error_detail($$SELECT fleetmig.upgrade('head')$$),
    'File "20240102_0000_bbbb00000002_second.sql", line 7.',
    'vacuum: the DETAIL names the file and the line of the VACUUM');
SELECT is(pg_temp.version(), 'aaaa00000001', 'vacuum: fleetmig.version unchanged');
SELECT is(pg_temp.log_count(), :logn::bigint, 'vacuum: fleetmig.log unchanged');
SELECT lives_ok($$SELECT fleetmig.downgrade('base')$$, 'vacuum: back to base');
SELECT hasnt_table('public', 'base_table', 'vacuum: no base_table left');

-- a revision marked "transaction off": refused before any step runs
\set dir :fixtures /transaction_off
SET fleetmig.migrations_dir = :'dir';
SELECT lives_ok($$SELECT fleetmig.stamp('base', purge => true)$$, 'transaction_off: purge');
SELECT pg_temp.log_count() AS logn \gset
SELECT throws_ok($$SELECT fleetmig.upgrade('head')$$, '25001',
    'revision "bbbb00000002" cannot run inside a transaction',
    'transaction_off: upgrade(head) through a transaction off revision is refused');
SELECT is(pg_temp.version(), '', 'transaction_off: fleetmig.version unchanged');
SELECT is(pg_temp.log_count(), :logn::bigint, 'transaction_off: fleetmig.log unchanged');
SELECT hasnt_table('public', 'base_table', 'transaction_off: not even the first step ran');
SELECT lives_ok($$SELECT fleetmig.upgrade('+1')$$, 'transaction_off: upgrade(+1) runs the revision before it');
SELECT lives_ok($$SELECT fleetmig.stamp('bbbb00000002')$$,
    'transaction_off: stamp the revision as run through psql');
SELECT pg_temp.log_count() AS logn \gset
SELECT throws_ok($$SELECT fleetmig.downgrade('base')$$, '25001',
    'revision "bbbb00000002" cannot run inside a transaction',
    'transaction_off: downgrade(base) through a transaction off revision is refused');
SELECT is(pg_temp.version(), 'bbbb00000002', 'transaction_off: fleetmig.version unchanged by the downgrade');
SELECT is(pg_temp.log_count(), :logn::bigint, 'transaction_off: fleetmig.log unchanged by the downgrade');
SELECT has_table('public', 'base_table', 'transaction_off: base_table untouched by the downgrade');
SELECT lives_ok($$SELECT fleetmig.stamp('aaaa00000001')$$, 'transaction_off: stamp below it');
SELECT lives_ok($$SELECT fleetmig.downgrade('base')$$, 'transaction_off: back to base');

-- a verify section that fails fails the upgrade
\set dir :fixtures /verify_fails
SET fleetmig.migrations_dir = :'dir';
SELECT lives_ok($$SELECT fleetmig.stamp('base', purge => true)$$, 'verify_fails: purge');
SELECT lives_ok($$SELECT fleetmig.upgrade('+1')$$, 'verify_fails: upgrade(+1)');
SELECT pg_temp.log_count() AS logn \gset
SELECT throws_ok($$SELECT fleetmig.upgrade('head')$$, 'P0001',
    'second_table has duplicate ids', 'verify_fails: the verify section''s error fails the upgrade');
SELECT is(pg_temp.error_where($$SELECT fleetmig.upgrade('head')$$),
    'revision bbbb00000002 (verify), file "20240102_0000_bbbb00000002_second.sql", line 11',
    'verify_fails: the CONTEXT names the verify section and its line');
SELECT is(pg_temp.version(), 'aaaa00000001', 'verify_fails: fleetmig.version unchanged');
SELECT is(pg_temp.log_count(), :logn::bigint, 'verify_fails: fleetmig.log unchanged');
SELECT hasnt_table('public', 'second_table', 'verify_fails: second_table does not exist afterwards');
SELECT lives_ok($$SELECT fleetmig.downgrade('base')$$, 'verify_fails: back to base');

-- a syntax error in a section: found before the section runs
\set dir :fixtures /syntax_error
SET fleetmig.migrations_dir = :'dir';
SELECT lives_ok($$SELECT fleetmig.stamp('base', purge => true)$$, 'syntax_error: purge');
SELECT lives_ok($$SELECT fleetmig.upgrade('+1')$$, 'syntax_error: upgrade(+1)');
SELECT pg_temp.log_count() AS logn \gset
SELECT throws_ok($$SELECT fleetmig.upgrade('head')$$, '42601',
    'syntax error at or near ")"', 'syntax_error: a syntax error in a section');
SELECT is(pg_temp.error_where($$SELECT fleetmig.upgrade('head')$$),
    'revision bbbb00000002 (upgrade), file "20240102_0000_bbbb00000002_second.sql", line 8',
    'syntax_error: the CONTEXT names the file and the line of the error');
SELECT is(pg_temp.version(), 'aaaa00000001', 'syntax_error: fleetmig.version unchanged');
SELECT is(pg_temp.log_count(), :logn::bigint, 'syntax_error: fleetmig.log unchanged');
SELECT hasnt_table('public', 'second_table', 'syntax_error: second_table was never created');
SELECT lives_ok($$SELECT fleetmig.downgrade('base')$$, 'syntax_error: back to base');

--
-- irreversible: a revision without a downgrade section
--
\set dir :fixtures /irreversible
SET fleetmig.migrations_dir = :'dir';
SELECT lives_ok($$SELECT fleetmig.stamp('base', purge => true)$$, 'irreversible: purge');
SELECT lives_ok($$SELECT fleetmig.upgrade('head')$$, 'irreversible: upgrade(head)');
SELECT pg_temp.log_count() AS logn \gset
SELECT throws_ok($$SELECT fleetmig.downgrade('base')$$, '55000',
    'revision "bbbb00000002" cannot be downgraded',
    'irreversible: downgrade(base) through a revision without downgrade section');
SELECT throws_ok($$SELECT fleetmig.downgrade('-1')$$, '55000',
    'revision "bbbb00000002" cannot be downgraded', 'irreversible: downgrade(-1) as well');
SELECT is(pg_temp.version(), 'bbbb00000002', 'irreversible: fleetmig.version unchanged');
SELECT is(pg_temp.log_count(), :logn::bigint, 'irreversible: fleetmig.log unchanged');
SELECT results_eq($$SELECT id FROM base_table$$, $$VALUES (1)$$,
    'irreversible: base_table and its row are untouched');
-- clean up by hand: the revision cannot be downgraded
SELECT lives_ok($$SELECT fleetmig.stamp('base', purge => true)$$, 'irreversible: stamp base');
DROP TABLE base_table;

--
-- fleetmig.version names a revision no file defines
--
\set dir :fixtures /checksum_original
SET fleetmig.migrations_dir = :'dir';
SELECT lives_ok($$SELECT fleetmig.stamp('base', purge => true)$$, 'unknown row: purge');
INSERT INTO fleetmig.version VALUES ('zzzz');
SELECT pg_temp.log_count() AS logn \gset
SELECT throws_ok($$SELECT fleetmig.upgrade('head')$$, '55000',
    $$can't locate revision identified by 'zzzz'$$, 'unknown row: upgrade() refuses');
SELECT throws_ok($$SELECT fleetmig.downgrade('base')$$, '55000',
    $$can't locate revision identified by 'zzzz'$$, 'unknown row: downgrade() refuses');
SELECT throws_ok($$SELECT fleetmig.init()$$, '55000',
    $$can't locate revision identified by 'zzzz'$$, 'unknown row: init() refuses');
SELECT is(pg_temp.version(), 'zzzz', 'unknown row: fleetmig.version unchanged');
SELECT is(pg_temp.log_count(), :logn::bigint, 'unknown row: fleetmig.log unchanged');
SELECT hasnt_table('public', 'base_table', 'unknown row: nothing ran');
SELECT lives_ok($$SELECT fleetmig.stamp('base', purge => true)$$, 'unknown row: stamp(purge) removes it');

--
-- checksums: an applied file that was edited
--
SELECT results_eq($$SELECT revision FROM fleetmig.upgrade('head')$$,
    $$VALUES ('aaaa00000001'::text), ('bbbb00000002')$$,
    'checksum_original: upgrade(head)');
\set dir :fixtures /checksum_edited
SET fleetmig.migrations_dir = :'dir';
SELECT pg_temp.log_count() AS logn \gset
SELECT throws_ok($$SELECT fleetmig.downgrade('-1')$$, 'XX001',
    'migration file of applied revision "bbbb00000002" has been edited',
    'checksum_edited: downgrade(-1) refuses an edited applied file');
SELECT throws_ok($$SELECT fleetmig.upgrade('head')$$, 'XX001',
    'migration file of applied revision "bbbb00000002" has been edited',
    'checksum_edited: upgrade(head) refuses too, even with nothing to do');
SELECT is(pg_temp.version(), 'bbbb00000002', 'checksum_edited: fleetmig.version unchanged');
SELECT is(pg_temp.log_count(), :logn::bigint, 'checksum_edited: fleetmig.log unchanged');
SELECT has_table('public', 'second_table', 'checksum_edited: second_table untouched');
SET fleetmig.verify_checksums = off;
SELECT results_eq($$SELECT revision FROM fleetmig.downgrade('-1')$$,
    $$VALUES ('bbbb00000002'::text)$$,
    'checksum_edited: with fleetmig.verify_checksums off downgrade(-1) goes through');
RESET fleetmig.verify_checksums;
SELECT is(pg_temp.version(), 'aaaa00000001', 'checksum_edited: now at aaaa00000001');
SELECT hasnt_table('public', 'second_table', 'checksum_edited: second_table dropped');
SELECT lives_ok($$SELECT fleetmig.downgrade('base')$$, 'checksum_edited: back to base');

-- checksum_crlf is a CRLF copy of checksum_original: not an edit
\set dir :fixtures /checksum_original
SET fleetmig.migrations_dir = :'dir';
SELECT lives_ok($$SELECT fleetmig.stamp('base', purge => true)$$, 'checksum_crlf: purge');
SELECT max(id) AS crlf_from FROM fleetmig.log \gset
SELECT lives_ok($$SELECT fleetmig.upgrade('head')$$, 'checksum_crlf: apply checksum_original');
\set dir :fixtures /checksum_crlf
SET fleetmig.migrations_dir = :'dir';
SELECT is_empty($$SELECT * FROM fleetmig.upgrade('head')$$,
    'checksum_crlf: upgrade(head) from the CRLF copy finds nothing to do');
SELECT results_eq($$SELECT revision FROM fleetmig.downgrade('-1')$$,
    $$VALUES ('bbbb00000002'::text)$$, 'checksum_crlf: downgrade(-1) from the CRLF copy');
SELECT results_eq($$SELECT revision FROM fleetmig.upgrade('head')$$,
    $$VALUES ('bbbb00000002'::text)$$, 'checksum_crlf: upgrade(head) from the CRLF copy');
SELECT is(
    (SELECT count(DISTINCT checksum) FROM fleetmig.log
      WHERE id > :crlf_from AND revision = 'bbbb00000002' AND direction <> 'stamp'),
    1::bigint, 'checksum_crlf: both copies were logged with the same checksum');
SELECT ok(
    (SELECT strpos(script, E'\r') = 0 FROM fleetmig.log ORDER BY id DESC LIMIT 1),
    'checksum_crlf: the logged text has LF line ends');
SELECT lives_ok($$SELECT fleetmig.downgrade('base')$$, 'checksum_crlf: back to base');
SELECT hasnt_table('public', 'base_table', 'checksum_crlf: no table left');

SELECT * FROM finish();
ROLLBACK;
