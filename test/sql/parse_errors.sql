-- Errors of the migrations directory and of single migration files (SPEC §2).
-- Each error names the file by its name inside the directory, and the line.
\getenv fixtures FLEETMIG_FIXTURES

--
-- The directory
--

-- no directory configured: the hint says how to set one
RESET fleetmig.migrations_dir;
SELECT * FROM fleetmig.heads();
-- a directory that does not exist
SET fleetmig.migrations_dir = '/nonexistent/fleetmig';
SELECT * FROM fleetmig.heads();
-- a relative path is taken relative to the data directory: PG_VERSION is a file there
SET fleetmig.migrations_dir = 'PG_VERSION';
SELECT * FROM fleetmig.heads();
-- set for the database (or the role) after this session started: reconnect
BEGIN;
RESET fleetmig.migrations_dir;
ALTER DATABASE contrib_regression SET fleetmig.migrations_dir = '/srv/fleet/migrations';
SELECT * FROM fleetmig.heads();
ROLLBACK;
BEGIN;
RESET fleetmig.migrations_dir;
ALTER ROLE CURRENT_USER SET fleetmig.migrations_dir = '/srv/fleet/migrations';
SELECT * FROM fleetmig.heads();
ROLLBACK;
-- set for another database only: still not set here
BEGIN;
RESET fleetmig.migrations_dir;
ALTER DATABASE template1 SET fleetmig.migrations_dir = '/srv/fleet/migrations';
SELECT * FROM fleetmig.heads();
ROLLBACK;
-- a directory without a .sql file (pg_twophase, in the data directory):
-- upgrade() and downgrade() warn, as a wrong setting must not look like a
-- database at its head
SET fleetmig.migrations_dir = 'pg_twophase';
SELECT * FROM fleetmig.upgrade('heads');
SELECT * FROM fleetmig.downgrade('base');
SELECT * FROM fleetmig.heads();

--
-- Entries that cannot be read are errors naming them, never skipped
--

-- a .sql file without read permission
\set dir :fixtures /unreadable_file
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- a symlink to nothing
\set dir :fixtures /dangling_symlink
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.history();
-- two symlinks naming each other
\set dir :fixtures /symlink_loop
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.current();
-- a file name that is not valid in the server encoding
\set dir :fixtures /bad_file_name
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.current();
-- a symlink to a device is not a regular file
\set dir :fixtures /not_regular_file
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- a file over 64 MiB is refused before it is read
\set dir :fixtures /file_too_large
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- invalid UTF-8 on line 6 (line 3 holds a valid é)
\set dir :fixtures /invalid_utf8
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- a NUL byte is not valid in any server encoding
\set dir :fixtures /nul_byte
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();

--
-- Entries that are ignored, and files that parse
--

-- README.md, .hidden.sql, sub/ with a broken file, a directory dir.sql/, a
-- symlink to a directory named link_to_dir.sql and a file ending in .SQL are
-- all ignored: one revision
\set dir :fixtures /ignored_entries
SET fleetmig.migrations_dir = :'dir';
SELECT revision, file FROM fleetmig.history();
-- a UTF-8 byte order mark and CRLF line ends parse like plain LF files
\set dir :fixtures /crlf_and_bom
SET fleetmig.migrations_dir = :'dir';
SELECT revision, down_revisions, message, file, created, branch_labels, is_head, is_base
  FROM fleetmig.history();
-- no carriage return is left in the sections
SELECT revision, upgrade_sql, downgrade_sql, upgrade_sql ~ E'\r' AS has_cr
  FROM fleetmig.show('aaaa00000001');
-- a revision id and a branch label of 64 characters are fine
\set dir :fixtures /longest_revision_id
SET fleetmig.migrations_dir = :'dir';
SELECT revision, length(revision) AS id_length, length(branch_labels[1]) AS label_length
  FROM fleetmig.history();

--
-- Directives
--

-- a key followed by anything but white space is malformed
\set dir :fixtures /malformed_directive
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- keys are lower case: an upper-case key is malformed, not a comment
\set dir :fixtures /uppercase_key
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- a misspelt key is an error, never a silent comment
\set dir :fixtures /unknown_directive
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- a header key twice: both lines are named
\set dir :fixtures /repeated_directive
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- a section twice
\set dir :fixtures /repeated_section
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- a section directive takes no value
\set dir :fixtures /section_with_value
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- a header key below the first section
\set dir :fixtures /header_after_section
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- block comments may stand in the header, and may nest
\set dir :fixtures /header_block_comment
SET fleetmig.migrations_dir = :'dir';
SELECT revision, message FROM fleetmig.history();
-- but one left open when a directive comes is an error
\set dir :fixtures /unterminated_header_comment
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- a header key without a value (an empty message is fine)
\set dir :fixtures /directive_without_value
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- SQL above the first section (comments and blank lines are fine)
\set dir :fixtures /text_before_section
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- no revision: the line named is the end of the header
\set dir :fixtures /missing_revision
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- an empty file has no revision either
\set dir :fixtures /empty_file
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- a downgrade but no upgrade section
\set dir :fixtures /missing_upgrade
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- an error in a file with a BOM and CRLF line ends names the right line
\set dir :fixtures /crlf_bom_error
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();

--
-- Values
--

-- a revision id of letters, digits and underscores only
\set dir :fixtures /invalid_revision_id
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- 65 characters are one too many
\set dir :fixtures /revision_id_too_long
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- head, heads and base are reserved
\set dir :fixtures /reserved_revision_id
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- ids in down_revision are checked the same way
\set dir :fixtures /invalid_down_revision
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- none is only "no parent" on its own, never inside a list
\set dir :fixtures /none_in_list
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- two commas in a row
\set dir :fixtures /empty_list_item
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- the same name twice in a list, white space around the comma ignored
\set dir :fixtures /name_listed_twice
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- a branch label of letters, digits and underscores only
\set dir :fixtures /invalid_branch_label
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- head is no branch label
\set dir :fixtures /reserved_branch_label
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- transaction is on or off
\set dir :fixtures /invalid_transaction
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- created must be a real time: 2023 had no February 29
\set dir :fixtures /invalid_created
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();

--
-- Nothing changed
--

-- a failing stamp writes nothing
\set dir :fixtures /unknown_directive
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.stamp('head');
\set dir :fixtures /invalid_utf8
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.stamp('head', purge => true);
RESET fleetmig.migrations_dir;
SELECT * FROM fleetmig.stamp('head');
SELECT count(*) FROM fleetmig.version;
SELECT count(*) FROM fleetmig.log;
