-- Input that must not take the server down, and files that must not be
-- read (SPEC §9): the pre-scan refuses text whose shape would keep
-- PostgreSQL's lexer busy for minutes (54001), and a symbolic link that
-- leaves the migrations or models directory is refused without reading its
-- target (42501).  Every failing call leaves fleetmig.version and
-- fleetmig.log as they were.  The fixtures are made at run time by
-- test/runtime-fixtures.sh, except input_nested_ok.
\getenv fixtures FLEETMIG_FIXTURES
BEGIN;
SELECT plan(51);
SET LOCAL client_min_messages = warning;

-- The whole text of the error a query raises (message, detail, hint and
-- context), NULL if none is raised.
CREATE FUNCTION pg_temp.error_text(query text) RETURNS text
LANGUAGE plpgsql AS $f$
DECLARE
    msg text;
    detail text;
    hint text;
    context text;
BEGIN
    EXECUTE query;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL,
        hint = PG_EXCEPTION_HINT, context = PG_EXCEPTION_CONTEXT;
    RETURN concat_ws(E'\n', msg, detail, hint, context);
END
$f$;

-- The DETAIL of the error a query raises, NULL if none is raised.
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

-- Apply the good first revision that every input_* directory shares, so
-- that fleetmig.version and fleetmig.log have a row each to leave alone.
TRUNCATE fleetmig.version;
\set dir :fixtures /input_ok_only
SET fleetmig.migrations_dir = :'dir';
SELECT results_eq($$SELECT revision FROM fleetmig.upgrade('head')$$,
    $$VALUES ('aaaa00000001'::text)$$,
    'input_ok_only: the shared first revision applies');
CREATE TEMP TABLE before AS
SELECT (SELECT array_agg(revision ORDER BY revision) FROM fleetmig.version) AS version,
       (SELECT array_agg(row(revision, direction, checksum)::text ORDER BY id) FROM fleetmig.log) AS log;

--
-- The pre-scan (54001)
--

-- 50,000 nested block comments: refused before the lexer sees them
\set dir :fixtures /input_nested_comments
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.upgrade('head')$$, '54001',
    'block comments nested too deeply in revision "bbbb00000002"',
    'input_nested_comments: 50,000 nested comments are refused: 54001');
SELECT is(pg_temp.error_detail($$SELECT * FROM fleetmig.upgrade('head')$$),
    'File "20240102_0000_bbbb00000002_shape.sql", line 5. Block comments may be nested at most 64 deep.',
    'input_nested_comments: the detail names the file and line and the limit');
-- the offline script splits the sections too, and is refused the same way
SELECT throws_ok($$SELECT fleetmig.upgrade_sql('head')$$, '54001',
    'block comments nested too deeply in revision "bbbb00000002"',
    'input_nested_comments: upgrade_sql() refuses them too: 54001');

-- one level over the limit, with text between the markers
\set dir :fixtures /input_comment_depth_65
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.upgrade('head')$$, '54001',
    'block comments nested too deeply in revision "bbbb00000002"',
    'input_comment_depth_65: 65 nested comments are refused: 54001');

-- "/**/" 20,000 times: one level deep, but one run of 80,000 operator
-- characters, which costs the lexer as much as the nesting
\set dir :fixtures /input_operator_run
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.upgrade('head')$$, '54001',
    'too many operator characters in a row in revision "bbbb00000002"',
    'input_operator_run: a run of 80,000 operator characters is refused: 54001');
SELECT is(pg_temp.error_detail($$SELECT * FROM fleetmig.upgrade('head')$$),
    'File "20240102_0000_bbbb00000002_shape.sql", line 5. At most 256 operator characters (such as "+", "*" and "/") may follow each other, in code or in a block comment.',
    'input_operator_run: the detail names the file and line and the limit');

-- 1,001 nested parentheses
\set dir :fixtures /input_deep_parens
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.upgrade('head')$$, '54001',
    'parentheses nested too deeply in revision "bbbb00000002"',
    'input_deep_parens: 1,001 nested parentheses are refused: 54001');
SELECT is(pg_temp.error_detail($$SELECT * FROM fleetmig.upgrade('head')$$),
    'File "20240102_0000_bbbb00000002_shape.sql", line 5. Parentheses may be nested at most 1000 deep.',
    'input_deep_parens: the detail names the file and line and the limit');

-- the nesting inside a DO block's body, which is lexed again when it runs
\set dir :fixtures /input_nested_body
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.upgrade('head')$$, '54001',
    'block comments nested too deeply in revision "bbbb00000002"',
    'input_nested_body: nesting inside a dollar-quoted body is refused: 54001');
SELECT is(pg_temp.error_detail($$SELECT * FROM fleetmig.upgrade('head')$$),
    'File "20240102_0000_bbbb00000002_shape.sql", line 6. Block comments may be nested at most 64 deep.',
    'input_nested_body: the detail names the line inside the body');

-- a model file: refused before autogenerate loads it
\set dir :fixtures /input_ok_only
SET fleetmig.migrations_dir = :'dir';
\set m :fixtures /input_models_nested
SET fleetmig.models_dir = :'m';
SELECT throws_ok($$SELECT fleetmig.check()$$, '54001',
    'block comments nested too deeply in model file "01_drivers.sql"',
    'input_models_nested: check() refuses a model file with 50,000 nested comments: 54001');
SELECT is(pg_temp.error_detail($$SELECT fleetmig.check()$$),
    'File "01_drivers.sql", line 2. Block comments may be nested at most 64 deep.',
    'input_models_nested: the detail names the model file and line');
SELECT throws_ok($$SELECT fleetmig.create('x', autogenerate => true)$$, '54001',
    'block comments nested too deeply in model file "01_drivers.sql"',
    'input_models_nested: create(autogenerate) refuses it too: 54001');
SELECT hasnt_table('drivers', 'input_models_nested: the model left no table');

--
-- Symbolic links that leave the directory (42501)
--

-- a link to a 0600 file the server could read, outside the directory; the
-- file holds a marker that an error quoting it would show
\set dir :fixtures /input_link_outside
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.upgrade('head')$$, '42501',
    'migration file "20240103_0000_cccc00000003_secret.sql" is a symbolic link that points outside the migrations directory',
    'input_link_outside: the link is refused: 42501');
SELECT is(pg_temp.error_detail($$SELECT * FROM fleetmig.upgrade('head')$$),
    'Its target is not read.',
    'input_link_outside: the detail says the target is not read');
SELECT is(strpos(pg_temp.error_text($$SELECT * FROM fleetmig.upgrade('head')$$), 'FLEETMIG_SECRET_MARKER'), 0,
    'input_link_outside: the error of upgrade() does not quote the target');
SELECT is(strpos(pg_temp.error_text($$SELECT * FROM fleetmig.history()$$), 'FLEETMIG_SECRET_MARKER'), 0,
    'input_link_outside: the error of history() does not quote the target');
SELECT is(strpos(pg_temp.error_text($$SELECT fleetmig.upgrade_sql('head')$$), 'FLEETMIG_SECRET_MARKER'), 0,
    'input_link_outside: the error of upgrade_sql() does not quote the target');
SELECT throws_ok($$SELECT * FROM fleetmig.history()$$, '42501',
    'migration file "20240103_0000_cccc00000003_secret.sql" is a symbolic link that points outside the migrations directory',
    'input_link_outside: every function that reads the directory refuses it: 42501');

-- the same text as a file of the directory is read, and its error shows
-- the marker: the checks above would see a leak
\set dir :fixtures /input_secret_inside
SET fleetmig.migrations_dir = :'dir';
SELECT isnt(strpos(pg_temp.error_text($$SELECT * FROM fleetmig.upgrade('head')$$), 'FLEETMIG_SECRET_MARKER'), 0,
    'input_secret_inside: as a migration file the text is read and quoted');

-- a link to a directory outside is refused too (a link to a directory
-- inside is ignored, see ignored_entries in errors.sql)
\set dir :fixtures /input_link_outside_dir
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.heads()$$, '42501',
    'migration file "20240103_0000_cccc00000003_dir.sql" is a symbolic link that points outside the migrations directory',
    'input_link_outside_dir: a link to a directory outside is refused: 42501');

-- the models directory follows the same rule
\set dir :fixtures /input_ok_only
SET fleetmig.migrations_dir = :'dir';
\set m :fixtures /input_models_link
SET fleetmig.models_dir = :'m';
SELECT throws_ok($$SELECT fleetmig.check()$$, '42501',
    'model file "01_secret.sql" is a symbolic link that points outside the models directory',
    'input_models_link: a model file linked from outside is refused: 42501');
SELECT is(strpos(pg_temp.error_text($$SELECT fleetmig.check()$$), 'FLEETMIG_SECRET_MARKER'), 0,
    'input_models_link: the error of check() does not quote the target');
SELECT is(strpos(pg_temp.error_text($$SELECT fleetmig.create('x', autogenerate => true)$$), 'FLEETMIG_SECRET_MARKER'), 0,
    'input_models_link: the error of create(autogenerate) does not quote the target');
RESET fleetmig.models_dir;

-- a path longer than PostgreSQL's MAXPGPATH is refused, naming the file
SELECT :'fixtures' || '/input_path_too_long/' || repeat('p', 250) || '/' ||
    repeat('q', 250) || '/' || repeat('r', 250) AS dir,
    '20240102_0000_bbbb00000002_' || repeat('n', 219) || '.sql' AS long_name \gset
SET fleetmig.migrations_dir = :'dir';
SELECT cmp_ok(length(:'dir') + 1 + length(:'long_name'), '>=', 1024,
    'input_path_too_long: the second file''s path has at least 1,024 bytes');
SELECT throws_ok($$SELECT * FROM fleetmig.upgrade('head')$$, '42622',
    format('path of migration file "%s" is too long', :'long_name'),
    'input_path_too_long: upgrade() refuses a path over MAXPGPATH: 42622');

--
-- Nothing changed
--

SELECT is((SELECT array_agg(revision ORDER BY revision) FROM fleetmig.version),
    (SELECT version FROM before),
    'fleetmig.version is unchanged after the refused calls');
SELECT is((SELECT array_agg(row(revision, direction, checksum)::text ORDER BY id) FROM fleetmig.log),
    (SELECT log FROM before),
    'fleetmig.log is unchanged after the refused calls');
SELECT is((SELECT count(*) FROM fleetmig.log), 1::bigint,
    'fleetmig.log still holds the one upgrade');

--
-- What real migrations do still works
--

-- comments nested three deep, a banner of stars, parentheses, operators
-- and comment markers inside literals and quoted names, a function body
TRUNCATE fleetmig.version;
\set dir :fixtures /input_nested_ok
SET fleetmig.migrations_dir = :'dir';
SELECT results_eq($$SELECT revision FROM fleetmig.upgrade('head')$$,
    $$VALUES ('aaaa00000001'::text)$$,
    'input_nested_ok: the migration applies');
SELECT is(input_nested_fn(3), 8, 'input_nested_ok: the function body runs');
INSERT INTO input_nested (id, score) VALUES (1, 50);
SELECT results_eq($$SELECT "(((((((((((((((((((((((((((", length(pluses), quote, label FROM input_nested_view JOIN input_nested USING (id)$$,
    $$VALUES (2, 300, E'''/*/*', '((((/*/*/* ))))*/ ')$$,
    'input_nested_ok: literals keep their parentheses and comment markers');
SELECT results_eq($$SELECT revision FROM fleetmig.downgrade('base')$$,
    $$VALUES ('aaaa00000001'::text)$$,
    'input_nested_ok: the downgrade applies');
SELECT hasnt_table('input_nested', 'input_nested_ok: the downgrade dropped the table');

-- 64 nested comments, the limit, are fine
TRUNCATE fleetmig.version;
\set dir :fixtures /input_comment_depth_64
SET fleetmig.migrations_dir = :'dir';
SELECT results_eq($$SELECT revision FROM fleetmig.upgrade('head')$$,
    $$VALUES ('aaaa00000001'::text), ('bbbb00000002')$$,
    'input_comment_depth_64: 64 nested comments are accepted');

-- 1,000 nested parentheses, the limit, are fine
TRUNCATE fleetmig.version;
\set dir :fixtures /input_parens_1000
SET fleetmig.migrations_dir = :'dir';
SELECT results_eq($$SELECT revision FROM fleetmig.upgrade('head')$$,
    $$VALUES ('aaaa00000001'::text), ('bbbb00000002')$$,
    'input_parens_1000: 1,000 nested parentheses are accepted');

-- links that end inside the directory are followed: one into a
-- sub-directory, one that leaves and comes back
TRUNCATE fleetmig.version;
\set dir :fixtures /input_link_inside
SET fleetmig.migrations_dir = :'dir';
SELECT results_eq($$SELECT revision, file FROM fleetmig.history() ORDER BY revision$$,
    $$VALUES ('aaaa00000001'::text, '20240101_0000_aaaa00000001_ok.sql'::text),
             ('bbbb00000002', '20240102_0000_bbbb00000002_second.sql'),
             ('cccc00000003', '20240103_0000_cccc00000003_third.sql')$$,
    'input_link_inside: links that end inside are read under their own names');
SELECT results_eq($$SELECT revision FROM fleetmig.upgrade('head')$$,
    $$VALUES ('aaaa00000001'::text), ('bbbb00000002'), ('cccc00000003')$$,
    'input_link_inside: and they apply');

-- the existing rules for other links hold: a dangling link and a loop are
-- errors naming the entry, a link to a device is not a regular file
\set dir :fixtures /dangling_symlink
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.heads()$$, '58P01',
    'could not read migration file "20240102_0000_bbbb00000002_gone.sql": No such file or directory',
    'dangling_symlink: still 58P01');
\set dir :fixtures /not_regular_file
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.heads()$$, '42809',
    'migration file "20240102_0000_bbbb00000002_device.sql" is not a regular file',
    'not_regular_file: a link to a device outside is still not a regular file: 42809');

-- fleetmig.max_directory_size (SPEC §9, 54000): one call holds every file
-- of the directory, so a directory whose .sql files add up to more is
-- refused, naming the limit; the example project's 14 files add up to 11 kB
\getenv migrations FLEETMIG_MIGRATIONS
SET fleetmig.migrations_dir = :'migrations';
SELECT is(current_setting('fleetmig.max_directory_size'), '256MB',
    'max_directory_size: 256 MB by default');
CREATE TEMP TABLE version_before AS SELECT revision FROM fleetmig.version;
CREATE TEMP TABLE log_before AS SELECT id FROM fleetmig.log;
SET fleetmig.max_directory_size = '8kB';
SELECT throws_ok($$SELECT * FROM fleetmig.heads()$$, '54000',
    format('the files of migrations directory "%s" add up to more than fleetmig.max_directory_size', :'migrations'),
    'max_directory_size: a directory over the limit is refused (54000)');
SELECT matches(pg_temp.error_text($$SELECT * FROM fleetmig.heads()$$),
    E'The limit is 8 kB; with "[^"]+\\.sql" the \\.sql files add up to (9|10|11) kB\\.\nA superuser can raise fleetmig.max_directory_size',
    'max_directory_size: the detail names the limit and the file that crossed it, the hint the setting');
SELECT throws_ok($$SELECT * FROM fleetmig.upgrade('head')$$, '54000', NULL,
    'max_directory_size: upgrade() is refused before anything runs');
SELECT results_eq($$SELECT revision FROM fleetmig.version$$, $$SELECT revision FROM version_before$$,
    'max_directory_size: fleetmig.version unchanged');
SELECT results_eq($$SELECT id FROM fleetmig.log$$, $$SELECT id FROM log_before$$,
    'max_directory_size: fleetmig.log unchanged');
SET fleetmig.max_directory_size = '11kB';
SELECT is((SELECT count(*) FROM fleetmig.heads()), 1::bigint,
    'max_directory_size: a directory within the limit is read');
-- the models directory counts on its own: the example models add up to 4.1 kB
SET fleetmig.max_directory_size = '4kB';
\set dir :fixtures /two_heads
SET fleetmig.migrations_dir = :'dir';
-- (at its heads, so that check() goes on to the model; the other fixtures'
-- log rows would read as edited files)
SET fleetmig.verify_checksums = off;
DELETE FROM fleetmig.version;
SELECT count(*) FROM fleetmig.stamp('heads');
\set m :migrations /../models
SET fleetmig.models_dir = :'m';
SELECT throws_ok($$SELECT fleetmig.check()$$, '54000',
    format('the files of models directory "%s" add up to more than fleetmig.max_directory_size', :'m'),
    'max_directory_size: the models directory is refused the same way');
RESET fleetmig.models_dir;
RESET fleetmig.max_directory_size;
RESET fleetmig.verify_checksums;
-- only a superuser may change it
CREATE ROLE fleetmig_limits_nobody;
SET LOCAL ROLE fleetmig_limits_nobody;
SELECT throws_ok($$SET fleetmig.max_directory_size = '1GB'$$, '42501',
    'permission denied to set parameter "fleetmig.max_directory_size"',
    'max_directory_size: a role that is not a superuser cannot raise it');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
