-- The hostile-input corpus: every broken migration directory gives one
-- clear ERROR with its SQLSTATE, leaves fleetmig.version and fleetmig.log
-- as they were and the backend alive; the odd but valid ones work.
\getenv fixtures FLEETMIG_FIXTURES
BEGIN;
SET LOCAL client_min_messages = warning;
SELECT plan(110);

CREATE TEMP TABLE corpus (fixture text, sqlstate text) ON COMMIT DROP;
INSERT INTO corpus VALUES
    ('cycle_of_one', '42P17'), ('cycle_of_three', '42P17'),
    ('cycle_below_child', '42P17'), ('dependency_cycle', '42P17'),
    ('duplicate_revision', '42710'), ('label_used_twice', '42710'),
    ('label_equals_revision', '42710'),
    ('unknown_down_revision', '42704'), ('unknown_depends_on', '42704'),
    ('capitalized_none', '42704'),
    ('unknown_directive', '42601'), ('repeated_directive', '42601'),
    ('repeated_section', '42601'), ('header_after_section', '42601'),
    ('text_before_section', '42601'), ('malformed_directive', '42601'),
    ('uppercase_key', '42601'), ('missing_revision', '42601'),
    ('missing_upgrade', '42601'), ('empty_file', '42601'),
    ('section_with_value', '42601'), ('directive_without_value', '42601'),
    ('empty_list_item', '42601'), ('name_listed_twice', '42601'),
    ('invalid_transaction', '42601'), ('unterminated_header_comment', '42601'),
    ('crlf_bom_error', '42601'),
    ('invalid_revision_id', '42602'), ('revision_id_too_long', '42602'),
    ('reserved_revision_id', '42602'), ('invalid_down_revision', '42602'),
    ('none_in_list', '42602'), ('invalid_branch_label', '42602'),
    ('reserved_branch_label', '42602'),
    ('invalid_created', '22007'),
    ('invalid_utf8', '22021'), ('nul_byte', '22021'), ('binary_file', '22021'),
    ('bad_file_name', '22021'),
    ('file_too_large', '54000'),
    ('unreadable_file', '42501'),
    ('dangling_symlink', '58P01'), ('symlink_loop', '58P01'),
    ('not_regular_file', '42809');

-- The SQLSTATE a call raises against a fixture, or 'ok'.
CREATE FUNCTION pg_temp.outcome(fixture text, call text) RETURNS text
LANGUAGE plpgsql AS $f$
BEGIN
    PERFORM set_config('fleetmig.migrations_dir',
                       current_setting('fleetmig_test.corpus') || '/' || fixture, true);
    EXECUTE call;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END
$f$;
SELECT set_config('fleetmig_test.corpus', :'fixtures', true);

-- a state to protect: one applied revision and its log row
\set dir :fixtures /only_base
SET LOCAL fleetmig.migrations_dir = :'dir';
SELECT lives_ok($$SELECT fleetmig.stamp('base', purge => true)$$, 'start from base');
SELECT lives_ok($$SELECT fleetmig.upgrade('head')$$, 'apply one revision');
CREATE TEMP TABLE before_version ON COMMIT DROP AS SELECT * FROM fleetmig.version;
CREATE TEMP TABLE before_log ON COMMIT DROP AS SELECT * FROM fleetmig.log;

SELECT is(pg_temp.outcome(fixture, 'SELECT * FROM fleetmig.history()'), sqlstate,
          fixture || ': history() fails with ' || sqlstate)
  FROM corpus ORDER BY fixture;
SELECT is(pg_temp.outcome(fixture, $$SELECT * FROM fleetmig.stamp('head')$$), sqlstate,
          fixture || ': stamp() fails with ' || sqlstate)
  FROM corpus ORDER BY fixture;
SELECT is((SELECT count(*) FROM corpus)::int, 44, 'the corpus holds 44 broken directories');

SELECT results_eq('SELECT * FROM fleetmig.version', 'SELECT * FROM before_version',
                  'fleetmig.version is as before');
SELECT results_eq('SELECT * FROM fleetmig.log', 'SELECT * FROM before_log',
                  'fleetmig.log is as before');
SELECT is((SELECT 1), 1, 'the backend is alive');

-- odd but valid directories work
SELECT is(pg_temp.outcome('crlf_and_bom', 'SELECT * FROM fleetmig.history()'), 'ok', 'crlf_and_bom works');
SELECT is(pg_temp.outcome('ignored_entries', 'SELECT * FROM fleetmig.history()'), 'ok', 'ignored_entries works');
SELECT is(pg_temp.outcome('longest_revision_id', 'SELECT * FROM fleetmig.history()'), 'ok', 'a 64-character id works');
SELECT is(pg_temp.outcome('header_block_comment', 'SELECT * FROM fleetmig.history()'), 'ok', 'block comments in the header work');

\set dir :fixtures /sections_out_of_order
SET LOCAL fleetmig.migrations_dir = :'dir';
SELECT lives_ok($$SELECT fleetmig.stamp('base', purge => true)$$, 'sections_out_of_order: from base');
SELECT results_eq($$SELECT revision FROM fleetmig.upgrade('head')$$, $$VALUES ('aaaa00000001'::text)$$,
                  'sections_out_of_order: downgrade, verify, upgrade in that order still upgrade');
SELECT has_table('out_of_order', 'sections_out_of_order: the upgrade section ran');
SELECT lives_ok($$SELECT fleetmig.downgrade('base')$$, 'sections_out_of_order: and the downgrade');
SELECT hasnt_table('out_of_order', 'sections_out_of_order: the table is gone');

\set dir :fixtures /long_lines
SET LOCAL fleetmig.migrations_dir = :'dir';
SELECT results_eq($$SELECT revision FROM fleetmig.upgrade('head')$$, $$VALUES ('aaaa00000001'::text)$$,
                  'long_lines: a 4 MiB line and a 1 MiB statement run');
SELECT lives_ok($$SELECT fleetmig.stamp('base')$$, 'long_lines: back to base');

\set dir :fixtures /chain_10000
SET LOCAL fleetmig.migrations_dir = :'dir';
SELECT is((SELECT count(*)::int FROM fleetmig.history()), 10000, 'chain_10000: 10,000 revisions');
SELECT results_eq($$SELECT revision FROM fleetmig.heads()$$, $$VALUES ('000000010000'::text)$$,
                  'chain_10000: one head');
SELECT results_eq($$SELECT revision FROM fleetmig.show('000000005000+1')$$, $$VALUES ('000000005001'::text)$$,
                  'chain_10000: relative targets walk the chain');
SELECT is((SELECT count(*)::int FROM fleetmig.upgrade('000000001000')), 1000,
          'chain_10000: a thousand steps in one call');
SELECT results_eq($$SELECT revision FROM fleetmig.current()$$, $$VALUES ('000000001000'::text)$$,
                  'chain_10000: at the thousandth revision');

SELECT * FROM finish();
ROLLBACK;
