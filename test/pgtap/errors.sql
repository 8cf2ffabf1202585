-- Every parser and graph error (SPEC §2, §3): the SQLSTATE, the exact
-- message and the file and line of each fixture under test/fixtures, and a
-- failing call changes neither fleetmig.version nor fleetmig.log.
\getenv fixtures FLEETMIG_FIXTURES
BEGIN;
SELECT plan(102);

-- The DETAIL of the error a stamp to head raises, NULL if none is raised.
CREATE FUNCTION pg_temp.error_detail() RETURNS text
LANGUAGE plpgsql AS $f$
DECLARE
    detail text;
BEGIN
    PERFORM * FROM fleetmig.stamp('head');
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN detail;
END
$f$;

--
-- Fixtures that work
--

-- ignored_entries: README.md, .hidden.sql, sub/, dir.sql/, a symlink to a
-- directory and a .SQL file are not migrations
\set dir :fixtures /ignored_entries
SET fleetmig.migrations_dir = :'dir';
SELECT results_eq('SELECT revision, file FROM fleetmig.history()',
    $$VALUES ('aaaa00000001'::text, '20240101_0000_aaaa00000001_create_base.sql'::text)$$,
    'ignored_entries: only the one migration file is read');

-- header_block_comment: nested block comments above the first section
\set dir :fixtures /header_block_comment
SET fleetmig.migrations_dir = :'dir';
SELECT results_eq('SELECT revision, message FROM fleetmig.history()',
    $$VALUES ('aaaa00000001'::text, 'create base   /* not a comment: part of the message */'::text)$$,
    'header_block_comment: block comments are comments, a directive value is kept whole');

-- crlf_and_bom: a BOM and CRLF line ends parse like plain LF files
\set dir :fixtures /crlf_and_bom
SET fleetmig.migrations_dir = :'dir';
SELECT results_eq('SELECT revision, message, created, branch_labels FROM fleetmig.history()',
    $$VALUES ('bbbb00000002'::text, 'second'::text, '2024-01-02'::timestamp, '{feature}'::text[]),
             ('aaaa00000001', 'create base', '2024-01-01', '{}')$$,
    'crlf_and_bom: both files parse, no carriage return in the values');
SELECT results_eq($$SELECT upgrade_sql, downgrade_sql FROM fleetmig.show('aaaa00000001')$$,
    $$VALUES ('SELECT 1;'::text, 'SELECT 2;'::text)$$,
    'crlf_and_bom: no carriage return in the sections');

-- longest_revision_id: 64 characters are fine for an id and a label
\set dir :fixtures /longest_revision_id
SET fleetmig.migrations_dir = :'dir';
SELECT results_eq('SELECT length(revision), length(branch_labels[1]) FROM fleetmig.history()',
    $$VALUES (64, 64), (12, NULL)$$,
    'longest_revision_id: a 64-character id and label');

-- Stamp a working fixture, so that fleetmig.version and fleetmig.log have a
-- row each that the failing calls below must leave alone.
\set dir :fixtures /crlf_and_bom
SET fleetmig.migrations_dir = :'dir';
SELECT results_eq($$SELECT revision FROM fleetmig.stamp('head')$$,
    $$VALUES ('bbbb00000002'::text)$$,
    'crlf_and_bom: stamp head');
-- the log keeps the file without BOM and CR, and that text's checksum
SELECT results_eq('SELECT revision, direction, script, checksum FROM fleetmig.log',
    $$VALUES ('bbbb00000002'::text, 'stamp'::text, E'-- fleetmig:revision bbbb00000002\n-- fleetmig:down_revision aaaa00000001\n-- fleetmig:message second\n-- fleetmig:created 2024-01-02 00:00:00\n-- fleetmig:branch_labels feature\n\n-- fleetmig:upgrade\nSELECT 1;\n'::text,
              encode(sha256(convert_to(E'-- fleetmig:revision bbbb00000002\n-- fleetmig:down_revision aaaa00000001\n-- fleetmig:message second\n-- fleetmig:created 2024-01-02 00:00:00\n-- fleetmig:branch_labels feature\n\n-- fleetmig:upgrade\nSELECT 1;\n', 'UTF8')), 'hex'))$$,
    'crlf_and_bom: the log holds the normalised text and its checksum');

--
-- The directory
--

-- no directory configured
RESET fleetmig.migrations_dir;
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '55000',
    'fleetmig.migrations_dir is not set',
    'migrations_dir unset: 55000');

-- directories the server's OS user may not list or enter: the hint names
-- that user
CREATE FUNCTION pg_temp.error_hint() RETURNS text
LANGUAGE plpgsql AS $f$
DECLARE
    hint text;
BEGIN
    PERFORM * FROM fleetmig.heads();
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS hint = PG_EXCEPTION_HINT;
    RETURN hint;
END
$f$;
\set os_user_hint 'The server reads files as the operating system user "postgres": that user must be able to read it and to enter every directory above it.'
\set dir :fixtures /unreadable_dir
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.heads()$$, '42501',
    format('could not open migrations directory "%s": Permission denied', :'dir'),
    'unreadable_dir: 42501');
SELECT is(pg_temp.error_hint(), :'os_user_hint',
    'unreadable_dir: the hint names the server''s OS user');
\set dir :fixtures /unsearchable_dir/inner
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.heads()$$, '42501',
    format('could not open migrations directory "%s": Permission denied', :'dir'),
    'unsearchable_dir: 42501');
SELECT is(pg_temp.error_hint(), :'os_user_hint',
    'unsearchable_dir: the hint names the server''s OS user');
\set dir :fixtures /unreadable_file
SET fleetmig.migrations_dir = :'dir';
SELECT is(pg_temp.error_hint(), :'os_user_hint',
    'unreadable_file: the hint names the server''s OS user');
-- a directory that does not exist: no permission hint
SET fleetmig.migrations_dir = '/nonexistent/fleetmig';
SELECT is(pg_temp.error_hint(),
    'Check fleetmig.migrations_dir; a relative path is taken relative to the data directory.',
    'a missing directory: the hint is about the setting');
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '58P01',
    'migrations directory "/nonexistent/fleetmig" does not exist or is not a directory',
    'nonexistent directory: 58P01');

-- a file is not a directory
\set dir :fixtures /ignored_entries/README.md
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '58P01',
    format('migrations directory "%s" does not exist or is not a directory', :'dir'),
    'a file as the directory: 58P01');

--
-- Every broken fixture: the stamp fails with the right error
--

-- Parser errors (script.c, scriptdir.c)

-- unreadable_file: a .sql file without read permission
\set dir :fixtures /unreadable_file
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42501',
    'could not read migration file "20240102_0000_bbbb00000002_secret.sql": Permission denied',
    'unreadable_file: 42501');

-- dangling_symlink: a symlink to nothing
\set dir :fixtures /dangling_symlink
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '58P01',
    'could not read migration file "20240102_0000_bbbb00000002_gone.sql": No such file or directory',
    'dangling_symlink: 58P01');

-- symlink_loop: two symlinks naming each other
\set dir :fixtures /symlink_loop
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '58P01',
    'could not read migration file "loop_a.sql": Too many levels of symbolic links',
    'symlink_loop: 58P01');

-- unterminated_header_comment: a block comment still open at a directive
\set dir :fixtures /unterminated_header_comment
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42601',
    'unterminated /* comment in the header',
    'unterminated_header_comment: 42601');
SELECT is(pg_temp.error_detail(),
    'File "20240101_0000_aaaa00000001_create_base.sql", line 4.',
    'unterminated_header_comment: detail');

-- bad_file_name: a file name that is not valid UTF-8
\set dir :fixtures /bad_file_name
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '22021',
    'the name of a migration file is not valid in encoding "UTF8"',
    'bad_file_name: 22021');
SELECT is(pg_temp.error_detail(),
    'The name starts with "20240101_0000_aaaa00000001_caf".',
    'bad_file_name: detail');

-- not_regular_file: a symlink to a device
\set dir :fixtures /not_regular_file
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42809',
    'migration file "20240102_0000_bbbb00000002_device.sql" is not a regular file',
    'not_regular_file: 42809');

-- file_too_large: a file over 64 MiB
\set dir :fixtures /file_too_large
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '54000',
    'migration file "20240102_0000_bbbb00000002_huge.sql" is too large',
    'file_too_large: 54000');
SELECT is(pg_temp.error_detail(),
    'The file has 73400320 bytes; the limit is 64 MiB.',
    'file_too_large: detail');

-- invalid_utf8: invalid UTF-8
\set dir :fixtures /invalid_utf8
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '22021',
    'migration file "20240102_0000_bbbb00000002_latin1.sql" is not valid in encoding "UTF8"',
    'invalid_utf8: 22021');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_bbbb00000002_latin1.sql", line 6.',
    'invalid_utf8: detail');

-- nul_byte: a NUL byte
\set dir :fixtures /nul_byte
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '22021',
    'migration file "20240102_0000_bbbb00000002_nul.sql" is not valid in encoding "UTF8"',
    'nul_byte: 22021');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_bbbb00000002_nul.sql", line 5.',
    'nul_byte: detail');

-- malformed_directive: a key followed by anything but white space
\set dir :fixtures /malformed_directive
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42601',
    'malformed fleetmig directive',
    'malformed_directive: 42601');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_bbbb00000002_second.sql", line 2.',
    'malformed_directive: detail');

-- uppercase_key: an upper-case key
\set dir :fixtures /uppercase_key
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42601',
    'malformed fleetmig directive',
    'uppercase_key: 42601');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_bbbb00000002_second.sql", line 3.',
    'uppercase_key: detail');

-- unknown_directive: a misspelt key
\set dir :fixtures /unknown_directive
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42601',
    'unknown fleetmig directive "mesage"',
    'unknown_directive: 42601');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_bbbb00000002_second.sql", line 3.',
    'unknown_directive: detail');

-- repeated_directive: a header key twice
\set dir :fixtures /repeated_directive
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42601',
    'fleetmig directive "message" appears more than once',
    'repeated_directive: 42601');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_bbbb00000002_second.sql", line 4. It first appears at line 2.',
    'repeated_directive: detail');

-- repeated_section: a section twice
\set dir :fixtures /repeated_section
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42601',
    'fleetmig directive "upgrade" appears more than once',
    'repeated_section: 42601');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_bbbb00000002_second.sql", line 10. It first appears at line 4.',
    'repeated_section: detail');

-- section_with_value: a section directive with a value
\set dir :fixtures /section_with_value
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42601',
    'section directive "downgrade" takes no value',
    'section_with_value: 42601');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_bbbb00000002_second.sql", line 7.',
    'section_with_value: detail');

-- header_after_section: a header key below the first section
\set dir :fixtures /header_after_section
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42601',
    'header directive "down_revision" after the first section',
    'header_after_section: 42601');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_bbbb00000002_second.sql", line 5.',
    'header_after_section: detail');

-- directive_without_value: a header key without a value
\set dir :fixtures /directive_without_value
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42601',
    'fleetmig directive "down_revision" has no value',
    'directive_without_value: 42601');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_bbbb00000002_second.sql", line 3.',
    'directive_without_value: detail');

-- text_before_section: SQL above the first section
\set dir :fixtures /text_before_section
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42601',
    'text before the first section',
    'text_before_section: 42601');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_bbbb00000002_second.sql", line 5.',
    'text_before_section: detail');

-- missing_revision: no revision directive
\set dir :fixtures /missing_revision
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42601',
    'missing fleetmig directive "revision"',
    'missing_revision: 42601');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_bbbb00000002_second.sql", line 4.',
    'missing_revision: detail');

-- empty_file: an empty file
\set dir :fixtures /empty_file
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42601',
    'missing fleetmig directive "revision"',
    'empty_file: 42601');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_bbbb00000002_empty.sql", line 1.',
    'empty_file: detail');

-- missing_upgrade: no upgrade section
\set dir :fixtures /missing_upgrade
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42601',
    'missing section "upgrade" in revision "bbbb00000002"',
    'missing_upgrade: 42601');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_bbbb00000002_second.sql", line 5.',
    'missing_upgrade: detail');

-- crlf_bom_error: an error in a file with a BOM and CRLF line ends
\set dir :fixtures /crlf_bom_error
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42601',
    'unknown fleetmig directive "verfiy"',
    'crlf_bom_error: 42601');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_bbbb00000002_windows.sql", line 6.',
    'crlf_bom_error: detail');

-- invalid_revision_id: a revision id with a dash
\set dir :fixtures /invalid_revision_id
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42602',
    'invalid revision id "bbbb-0002"',
    'invalid_revision_id: 42602');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_bbbb00000002_second.sql", line 2.',
    'invalid_revision_id: detail');

-- revision_id_too_long: a revision id of 65 characters
\set dir :fixtures /revision_id_too_long
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42602',
    'invalid revision id "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"',
    'revision_id_too_long: 42602');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_bbbb_too_long.sql", line 1.',
    'revision_id_too_long: detail');

-- reserved_revision_id: a reserved revision id
\set dir :fixtures /reserved_revision_id
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42602',
    'invalid revision id "heads"',
    'reserved_revision_id: 42602');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_heads_second.sql", line 1.',
    'reserved_revision_id: detail');

-- invalid_down_revision: an invalid id in down_revision
\set dir :fixtures /invalid_down_revision
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42602',
    'invalid revision id "aaaa.00000001"',
    'invalid_down_revision: 42602');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_bbbb00000002_second.sql", line 2.',
    'invalid_down_revision: detail');

-- none_in_list: none inside a list
\set dir :fixtures /none_in_list
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42602',
    'invalid revision id "none"',
    'none_in_list: 42602');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_bbbb00000002_second.sql", line 2.',
    'none_in_list: detail');

-- empty_list_item: two commas in a row
\set dir :fixtures /empty_list_item
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42601',
    'empty item in fleetmig directive "down_revision"',
    'empty_list_item: 42601');
SELECT is(pg_temp.error_detail(),
    'File "20240103_0000_cccc00000003_merge.sql", line 2.',
    'empty_list_item: detail');

-- name_listed_twice: a name twice in a list
\set dir :fixtures /name_listed_twice
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42601',
    '"aaaa00000001" is listed twice in fleetmig directive "depends_on"',
    'name_listed_twice: 42601');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_bbbb00000002_second.sql", line 3.',
    'name_listed_twice: detail');

-- invalid_branch_label: a branch label with a dash
\set dir :fixtures /invalid_branch_label
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42602',
    'invalid branch label "feature-x"',
    'invalid_branch_label: 42602');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_bbbb00000002_second.sql", line 3.',
    'invalid_branch_label: detail');

-- reserved_branch_label: a reserved branch label
\set dir :fixtures /reserved_branch_label
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42602',
    'invalid branch label "head"',
    'reserved_branch_label: 42602');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_bbbb00000002_second.sql", line 3.',
    'reserved_branch_label: detail');

-- invalid_transaction: transaction neither on nor off
\set dir :fixtures /invalid_transaction
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42601',
    'invalid value "false" for fleetmig directive "transaction"',
    'invalid_transaction: 42601');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_bbbb00000002_second.sql", line 3.',
    'invalid_transaction: detail');

-- invalid_created: a created date that does not exist
\set dir :fixtures /invalid_created
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '22007',
    'invalid value "2023-02-29 10:00:00" for fleetmig directive "created"',
    'invalid_created: 22007');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_bbbb00000002_second.sql", line 3.',
    'invalid_created: detail');

-- Graph errors (revmap.c)

-- duplicate_revision: two files define the same revision
\set dir :fixtures /duplicate_revision
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42710',
    'revision "bbbb00000002" is defined twice',
    'duplicate_revision: 42710');
SELECT is(pg_temp.error_detail(),
    'File "20240103_0000_bbbb00000002_second_again.sql", line 1. It is also defined in file "20240102_0000_bbbb00000002_second.sql", line 1.',
    'duplicate_revision: detail');

-- unknown_down_revision: a parent that no file defines
\set dir :fixtures /unknown_down_revision
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42704',
    'revision "ffff00000009" referenced from revision "bbbb00000002" is not present',
    'unknown_down_revision: 42704');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_bbbb00000002_second.sql", line 2.',
    'unknown_down_revision: detail');

-- capitalized_none: None is not none
\set dir :fixtures /capitalized_none
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42704',
    'revision "None" referenced from revision "bbbb00000002" is not present',
    'capitalized_none: 42704');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_bbbb00000002_second.sql", line 2.',
    'capitalized_none: detail');

-- unknown_depends_on: a dependency that no file defines
\set dir :fixtures /unknown_depends_on
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42704',
    'revision "no_such_label" referenced from revision "bbbb00000002" is not present',
    'unknown_depends_on: 42704');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_bbbb00000002_second.sql", line 5.',
    'unknown_depends_on: detail');

-- cycle_of_one: a revision that is its own parent
\set dir :fixtures /cycle_of_one
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42P17',
    'revisions form a cycle: aaaa00000001 -> aaaa00000001',
    'cycle_of_one: 42P17');
SELECT is(pg_temp.error_detail(),
    'File "20240101_0000_aaaa00000001_self.sql", line 2 names "aaaa00000001" in down_revision.',
    'cycle_of_one: detail');

-- cycle_of_three: a cycle of three revisions
\set dir :fixtures /cycle_of_three
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42P17',
    'revisions form a cycle: aaaa00000001 -> cccc00000003 -> bbbb00000002 -> aaaa00000001',
    'cycle_of_three: 42P17');
SELECT is(pg_temp.error_detail(),
    'File "20240101_0000_aaaa00000001_first.sql", line 2 names "cccc00000003" in down_revision. File "20240103_0000_cccc00000003_third.sql", line 2 names "bbbb00000002" in down_revision. File "20240102_0000_bbbb00000002_second.sql", line 2 names "aaaa00000001" in down_revision.',
    'cycle_of_three: detail');

-- cycle_below_child: a cycle with a revision above it
\set dir :fixtures /cycle_below_child
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42P17',
    'revisions form a cycle: bbbb00000002 -> cccc00000003 -> bbbb00000002',
    'cycle_below_child: 42P17');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_bbbb00000002_second.sql", line 2 names "cccc00000003" in down_revision. File "20240103_0000_cccc00000003_third.sql", line 2 names "bbbb00000002" in down_revision.',
    'cycle_below_child: detail');

-- dependency_cycle: a cycle through depends_on
\set dir :fixtures /dependency_cycle
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42P17',
    'revisions form a cycle: bbbb00000002 -> cccc00000003 -> bbbb00000002',
    'dependency_cycle: 42P17');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_bbbb00000002_second.sql", line 5 names "cccc00000003" in depends_on. File "20240103_0000_cccc00000003_third.sql", line 2 names "bbbb00000002" in down_revision.',
    'dependency_cycle: detail');

-- label_used_twice: a branch label declared twice
\set dir :fixtures /label_used_twice
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42710',
    'branch label "feature" is used by revisions "bbbb00000002" and "cccc00000003"',
    'label_used_twice: 42710');
SELECT is(pg_temp.error_detail(),
    'File "20240103_0000_cccc00000003_third.sql", line 5. It is also declared in file "20240102_0000_bbbb00000002_second.sql", line 5.',
    'label_used_twice: detail');

-- label_equals_revision: a branch label equal to a revision id
\set dir :fixtures /label_equals_revision
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('head')$$, '42710',
    'branch label "aaaa00000001" of revision "bbbb00000002" is also a revision id',
    'label_equals_revision: 42710');
SELECT is(pg_temp.error_detail(),
    'File "20240102_0000_bbbb00000002_second.sql", line 5. Revision "aaaa00000001" is defined in file "20240101_0000_aaaa00000001_create_base.sql", line 1.',
    'label_equals_revision: detail');
--
-- Nothing changed
--

-- a failing stamp with purge purges nothing
\set dir :fixtures /cycle_of_three
SET fleetmig.migrations_dir = :'dir';
SELECT throws_ok($$SELECT * FROM fleetmig.stamp('base', purge => true)$$, '42P17',
    'revisions form a cycle: aaaa00000001 -> cccc00000003 -> bbbb00000002 -> aaaa00000001',
    'cycle_of_three: stamp base with purge fails');

SELECT results_eq('SELECT revision FROM fleetmig.version',
    $$VALUES ('bbbb00000002'::text)$$,
    'fleetmig.version is unchanged after the failing stamps');
SELECT results_eq('SELECT count(*) FROM fleetmig.log',
    $$VALUES (1::bigint)$$,
    'fleetmig.log is unchanged after the failing stamps');
\set dir :fixtures /crlf_and_bom
SET fleetmig.migrations_dir = :'dir';
SELECT results_eq('SELECT revision, is_head FROM fleetmig.current()',
    $$VALUES ('bbbb00000002'::text, true)$$,
    'crlf_and_bom: current() still answers the stamped head');

SELECT * FROM finish();
ROLLBACK;
