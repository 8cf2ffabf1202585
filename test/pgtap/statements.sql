-- Where statements end (SPEC §2): fleetmig reads a section one statement
-- at a time, ending each at a ';' outside quotes, comments, parentheses and
-- the BEGIN ATOMIC body of CREATE FUNCTION or PROCEDURE, as psql does.
-- The fixture statement_boundaries hides ';' in every such place; the
-- upgrade, its offline script and a syntax error after a routine body
-- show that each statement was read whole.
\getenv fixtures FLEETMIG_FIXTURES
BEGIN;
SELECT plan(20);
SET LOCAL client_min_messages = warning;

TRUNCATE fleetmig.version;
TRUNCATE fleetmig.log RESTART IDENTITY;
\set dir :fixtures /statement_boundaries
SET fleetmig.migrations_dir = :'dir';

-- the offline script runs each statement on its own: one line each
SELECT is((SELECT count(*)::int FROM regexp_matches(fleetmig.upgrade_sql('head'),
              'SELECT fleetmig\.script_statement\(', 'g')),
    7, 'upgrade_sql() holds the 7 statements of the section, the empty one dropped');
SELECT is((SELECT count(*)::int FROM regexp_matches(fleetmig.upgrade_sql('head'),
              E'\nEND\\$fm\\$\\) \\\\gexec', 'g')),
    2, 'each BEGIN ATOMIC body, with the semicolons inside it, is one statement');

SELECT results_eq($$SELECT revision FROM fleetmig.upgrade('head')$$,
    $$VALUES ('aaaa00000001'::text)$$, 'the revision applies');
SELECT results_eq($$SELECT id, note FROM boundaries ORDER BY id$$,
    $q$VALUES (1, 'called;'), (2, 'c;d'), (3, 'e;$$;f'), (4, 'g'';h'), (5, 'i'), (101, 'called;')$q$,
    'semicolons in literals, dollar quotes and comments are data, not ends');
SELECT is(boundary_grade(3), 'high;', 'a BEGIN ATOMIC body with CASE ... END is one statement');
SELECT is(boundary_grade(1), 'low;', 'and its CASE runs as written');
SELECT is(begin(), 7, 'a function named begin does not open a body');
SELECT is((SELECT count(*)::int FROM fleetmig.version), 1, 'version row written');

-- a syntax error after a routine body: the line is the statement's, the
-- state and schema stay as they were
\set dir :fixtures /statement_boundaries_error
SET fleetmig.migrations_dir = :'dir';
CREATE TEMP TABLE before AS
SELECT (SELECT array_agg(revision ORDER BY revision) FROM fleetmig.version) AS version,
       (SELECT array_agg(row(revision, direction, checksum)::text ORDER BY id) FROM fleetmig.log) AS log;
SELECT throws_ok($$SELECT * FROM fleetmig.upgrade('head')$$, '42601',
    'syntax error at or near ";"',
    'a syntax error after a BEGIN ATOMIC body is 42601');
CREATE FUNCTION pg_temp.error_context(query text) RETURNS text
LANGUAGE plpgsql AS $f$
DECLARE
    context text;
BEGIN
    EXECUTE query;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS context = PG_EXCEPTION_CONTEXT;
    RETURN context;
END
$f$;
SELECT alike(pg_temp.error_context($$SELECT * FROM fleetmig.upgrade('head')$$),
    'revision bbbb00000002 (upgrade), file "20240102_0000_bbbb00000002_error.sql", line 11%',
    'the error names the file and the line of the failing statement');
SELECT ok((SELECT version FROM before) = (SELECT array_agg(revision ORDER BY revision) FROM fleetmig.version)
          AND (SELECT log FROM before) = (SELECT array_agg(row(revision, direction, checksum)::text ORDER BY id) FROM fleetmig.log),
    'after the error fleetmig.version and fleetmig.log are as before');
SELECT hasnt_function('boundary_twice', 'and the routine before the error was rolled back');

-- a "--" comment ends at a lone carriage return, as PostgreSQL's lexer
-- ends it: the statement after it is neither dropped nor cut short (the
-- fixture's third statement would read as DROP TABLE cr_marker if the
-- comment ran on to the line feed)
TRUNCATE fleetmig.version;
TRUNCATE fleetmig.log RESTART IDENTITY;
\set dir :fixtures /statement_cr_comments
SET fleetmig.migrations_dir = :'dir';
SELECT is((SELECT count(*)::int FROM regexp_matches(fleetmig.upgrade_sql('head'),
              'SELECT fleetmig\.script_statement\(', 'g')),
    3, 'upgrade_sql() holds the 3 statements, the one after a comment ended by a carriage return too');
SELECT unalike(fleetmig.upgrade_sql('head'), '%script_statement($fm$DROP%',
    'no statement of the offline script starts inside the dollar quote');
SELECT results_eq($$SELECT revision FROM fleetmig.upgrade('head')$$,
    $$VALUES ('aaaa00000001'::text)$$, 'the revision with carriage-return comments applies');
SELECT has_table('cr_kept', 'the statement after a comment ended by a carriage return ran');
SELECT has_table('cr_marker', 'the text inside the dollar quote did not run as DROP TABLE');

\set dir :fixtures /statement_cr_comments_error
SET fleetmig.migrations_dir = :'dir';
TRUNCATE fleetmig.version;
TRUNCATE fleetmig.log RESTART IDENTITY;
SELECT throws_ok($$SELECT * FROM fleetmig.upgrade('head')$$, '22012',
    'division by zero', 'the statement after a carriage-return comment runs and fails');
SELECT alike(pg_temp.error_context($$SELECT * FROM fleetmig.upgrade('head')$$),
    '%revision aaaa00000001 (upgrade), file "20240101_0000_aaaa00000001_cr.sql", line 4%',
    'its error names the line the statement is on');
SELECT ok((SELECT count(*) FROM fleetmig.version) = 0 AND (SELECT count(*) FROM fleetmig.log) = 0
          AND to_regclass('cr_before') IS NULL,
    'after the error fleetmig.version, fleetmig.log and the schema are as before');

SELECT * FROM finish();
ROLLBACK;
