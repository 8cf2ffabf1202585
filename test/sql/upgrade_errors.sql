-- A failing upgrade or downgrade changes nothing: the schema, fleetmig.version
-- and fleetmig.log stay as they were.  Errors from a migration's SQL keep
-- their SQLSTATE and message and gain a CONTEXT line with the revision, the
-- file and the line; fleetmig's own refusals name the file and line.
\getenv fixtures FLEETMIG_FIXTURES
TRUNCATE fleetmig.log RESTART IDENTITY;
\set VERBOSITY default
CREATE VIEW state AS
SELECT (SELECT string_agg(revision, ', ' ORDER BY revision) FROM fleetmig.version) AS version,
       (SELECT count(*) FROM fleetmig.log) AS log_rows,
       (SELECT string_agg(c.relname, ', ' ORDER BY c.relname) FROM pg_class c
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'i')) AS relations;

-- the third migration fails: steps two and three are undone with it
\set dir :fixtures /third_fails
SET fleetmig.migrations_dir = :'dir';
SELECT revision FROM fleetmig.upgrade('+1');
SELECT attname FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attnum > 0 ORDER BY attnum;
TABLE state;
SELECT revision FROM fleetmig.upgrade('head');
TABLE state;
SELECT attname FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attnum > 0 ORDER BY attnum;
SELECT count(*) FROM accounts;
SELECT revision FROM fleetmig.downgrade('base');
SELECT * FROM fleetmig.stamp('base', purge => true);
TRUNCATE fleetmig.log RESTART IDENTITY;

-- a syntax error is reported against the section, with the file's line
\set dir :fixtures /syntax_error
SET fleetmig.migrations_dir = :'dir';
SELECT revision FROM fleetmig.upgrade('head');
TABLE state;

-- the line is right after multi-byte characters too
\set dir :fixtures /syntax_error_utf8
SET fleetmig.migrations_dir = :'dir';
SELECT revision FROM fleetmig.upgrade('head');

-- statements that cannot run in the caller's transaction are refused
-- before the section runs
\set dir :fixtures /transaction_control
SET fleetmig.migrations_dir = :'dir';
SELECT revision FROM fleetmig.upgrade('head');
\set dir :fixtures /copy_from_stdin
SET fleetmig.migrations_dir = :'dir';
SELECT revision FROM fleetmig.upgrade('head');
\set dir :fixtures /index_concurrently
SET fleetmig.migrations_dir = :'dir';
SELECT revision FROM fleetmig.upgrade('head');
\set dir :fixtures /vacuum
SET fleetmig.migrations_dir = :'dir';
SELECT revision FROM fleetmig.upgrade('head');
\set dir :fixtures /discard_all
SET fleetmig.migrations_dir = :'dir';
SELECT revision FROM fleetmig.upgrade('head');
-- a revision marked "transaction off" stops the call before anything runs
\set dir :fixtures /transaction_off
SET fleetmig.migrations_dir = :'dir';
SELECT revision FROM fleetmig.upgrade('head');
TABLE state;
-- going down through it stops too, with the steps to take by hand
SELECT revision FROM fleetmig.stamp('bbbb00000002');
SELECT revision FROM fleetmig.downgrade('base');
SELECT revision FROM fleetmig.stamp('base');
TRUNCATE fleetmig.log RESTART IDENTITY;

-- the verify section runs after the upgrade; its failure fails the step
\set dir :fixtures /verify_fails
SET fleetmig.migrations_dir = :'dir';
SELECT revision FROM fleetmig.upgrade('head');
TABLE state;

-- a revision without a downgrade section cannot be passed going down
\set dir :fixtures /irreversible
SET fleetmig.migrations_dir = :'dir';
SELECT revision FROM fleetmig.upgrade('head');
TABLE state;
SELECT revision FROM fleetmig.downgrade('base');
TABLE state;
SELECT revision FROM fleetmig.downgrade('aaaa');
SELECT * FROM fleetmig.stamp('base');
DROP TABLE base_table;
TRUNCATE fleetmig.log RESTART IDENTITY;

-- an applied file that was edited is refused, naming the revision ...
\set dir :fixtures /checksum_original
SET fleetmig.migrations_dir = :'dir';
SELECT revision FROM fleetmig.upgrade('head');
\set dir :fixtures /checksum_edited
SET fleetmig.migrations_dir = :'dir';
SELECT revision FROM fleetmig.downgrade('-1');
SELECT revision FROM fleetmig.upgrade('head');
TABLE state;
-- ... but CRLF line ends are not an edit
\set dir :fixtures /checksum_crlf
SET fleetmig.migrations_dir = :'dir';
SELECT revision FROM fleetmig.downgrade('-1');
SELECT revision FROM fleetmig.upgrade('head');
-- a superuser can let an edited file through
\set dir :fixtures /checksum_edited
SET fleetmig.migrations_dir = :'dir';
SET fleetmig.verify_checksums = off;
SELECT revision FROM fleetmig.downgrade('-1');
RESET fleetmig.verify_checksums;
TABLE state;
-- a revision downgraded since it was applied has no checksum reference: it
-- may be edited, and a stamp that implies it again does not compare it
SELECT revision FROM fleetmig.downgrade('base');
\set dir :fixtures /stamp_implied_original
SET fleetmig.migrations_dir = :'dir';
SELECT revision FROM fleetmig.upgrade('head');
SELECT revision FROM fleetmig.downgrade('base');
\set dir :fixtures /stamp_implied_edited
SET fleetmig.migrations_dir = :'dir';
SELECT revision FROM fleetmig.stamp('cccc00000003');
SELECT revision FROM fleetmig.upgrade('head');
SELECT revision FROM fleetmig.stamp('aaaa');
\set dir :fixtures /checksum_edited
SET fleetmig.migrations_dir = :'dir';
CREATE TABLE base_table (id int);
TABLE state;

-- a row no file defines stops upgrade and downgrade, with a hint to stamp
INSERT INTO fleetmig.version VALUES ('zzzz00000000');
SELECT revision FROM fleetmig.upgrade('head');
SELECT revision FROM fleetmig.downgrade('base');
TABLE state;
-- a dry run makes the same checks
SELECT revision FROM fleetmig.upgrade('head', dry_run => true);
DELETE FROM fleetmig.version WHERE revision = 'zzzz00000000';
SELECT revision FROM fleetmig.downgrade('base');

DROP VIEW state;
TRUNCATE fleetmig.log RESTART IDENTITY;
