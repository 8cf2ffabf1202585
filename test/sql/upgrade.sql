-- upgrade() and downgrade() on the example project: up to head through the
-- branch and the merge, down to base, up again; the schema after each step.
\getenv migrations FLEETMIG_MIGRATIONS
SET fleetmig.migrations_dir = :'migrations';
TRUNCATE fleetmig.log RESTART IDENTITY;
CREATE SCHEMA test;
-- each table of public with its columns (! = NOT NULL) and its indexes
CREATE VIEW test.shape AS
SELECT c.relname AS "table",
       (SELECT string_agg(a.attname || CASE WHEN a.attnotnull THEN '!' ELSE '' END, ' ' ORDER BY a.attnum)
          FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
       (SELECT string_agg(i.relname, ' ' ORDER BY i.relname)
          FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = c.oid) AS indexes
  FROM pg_class c
 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
 ORDER BY 1;
CREATE VIEW test.state AS
SELECT string_agg(revision, ', ' ORDER BY revision) AS version FROM fleetmig.version;

-- +2 from nothing: the users and drivers tables
SELECT revision, message, direction FROM fleetmig.upgrade('+2');
TABLE test.shape;
-- a revision id: up to the trips table, the branch point
SELECT revision, message, direction FROM fleetmig.upgrade('a5544b383b39');
TABLE test.state;
-- +1 at the branch point is ambiguous ...
SELECT revision FROM fleetmig.upgrade('+1');
-- ... label@+N walks into the maintenance branch
SELECT revision, message, direction FROM fleetmig.upgrade('maintenance@+2');
TABLE test.shape;
-- a revision on the trunk: now two heads are applied
SELECT revision, message, direction FROM fleetmig.upgrade('2318');
SELECT * FROM fleetmig.current();
-- heads: the merge and the revisions after it
SELECT revision, message, direction FROM fleetmig.upgrade('heads');
TABLE test.shape;
TABLE test.state;
CREATE TABLE test.at_head AS TABLE test.shape;
-- at the head there is nothing to do
SELECT revision FROM fleetmig.upgrade('head');
SELECT revision FROM fleetmig.upgrade('f165');

-- downgrade: -1 by default; undoing the contract step brings full_name back
SELECT revision, message, direction FROM fleetmig.downgrade();
TABLE test.shape;
-- down to the merge: the display_name steps and the certification date
SELECT revision, message, direction FROM fleetmig.downgrade('f165');
TABLE test.state;
-- -1 from the merge would unmerge: an error
SELECT revision FROM fleetmig.downgrade('-1');
-- down to one parent of the merge keeps the other parent's line
SELECT revision, message, direction FROM fleetmig.downgrade('5da1');
TABLE test.state;
-- label@-1 inside the maintenance branch
SELECT revision, message, direction FROM fleetmig.downgrade('maintenance@-1');
TABLE test.state;
TABLE test.shape;
-- down to the branch point removes both branches above it
SELECT revision, message, direction FROM fleetmig.downgrade('a554');
TABLE test.state;
TABLE test.shape;
-- a revision that is not applied is not a downgrade target; +1 is not either
SELECT revision FROM fleetmig.downgrade('5ee6');
SELECT revision FROM fleetmig.downgrade('+1');
-- and -1 is not an upgrade target
SELECT revision FROM fleetmig.upgrade('-1');
-- base: everything
SELECT revision, message, direction FROM fleetmig.downgrade('base');
TABLE test.shape;
TABLE test.state;
SELECT revision FROM fleetmig.downgrade('base');

-- up again, with data in place for the back-fills
SELECT revision FROM fleetmig.upgrade('+1');
INSERT INTO users (username, full_name) VALUES ('alice', 'Alice Martin'), ('bob', 'Bob Stone');
UPDATE users SET deleted_at = '2024-01-01' WHERE username = 'bob';
-- no full name: display_name falls back to the username
INSERT INTO users (username) VALUES ('dave');
SELECT revision, message, direction FROM fleetmig.upgrade('head');
SELECT username, email, status, display_name FROM users ORDER BY username;
-- the schema is the one the first walk built
(TABLE test.shape EXCEPT TABLE test.at_head) UNION ALL (TABLE test.at_head EXCEPT TABLE test.shape);
SELECT * FROM fleetmig.current();

-- init() applies every head, like migrate.py init
SELECT revision FROM fleetmig.downgrade('base');
SELECT revision, direction FROM fleetmig.init();
(TABLE test.shape EXCEPT TABLE test.at_head) UNION ALL (TABLE test.at_head EXCEPT TABLE test.shape);

-- one log row per step, with the file's checksum and text, by the caller
SELECT direction, count(*), bool_and(checksum IS NOT NULL AND script IS NOT NULL
                                      AND applied_by = current_user AND duration IS NOT NULL) AS complete
  FROM fleetmig.log GROUP BY direction ORDER BY direction;
SELECT l.revision, l.checksum = encode(sha256(convert_to(pg_read_file(:'migrations' || '/' || h.file), 'UTF8')), 'hex') AS checksum_ok
  FROM fleetmig.log l JOIN fleetmig.history() h USING (revision)
 WHERE l.id = (SELECT max(id) FROM fleetmig.log m WHERE m.revision = l.revision)
 ORDER BY h.created;

-- upgrade and downgrade run in the caller's transaction: a rollback undoes them
SELECT revision FROM fleetmig.downgrade('base');
BEGIN;
SELECT count(*) FROM fleetmig.upgrade('head');
ROLLBACK;
TABLE test.shape;
TABLE test.state;
-- and a commit keeps them with the caller's other statements
BEGIN;
SELECT count(*) FROM fleetmig.upgrade('+1');
INSERT INTO users (username, full_name) VALUES ('carol', 'Carol King');
SELECT count(*) FROM fleetmig.upgrade('head');
COMMIT;
TABLE test.state;
SELECT username, email, status, display_name FROM users;

SELECT count(*) FROM fleetmig.downgrade('base');

-- two heads: label@head upgrades one branch only, heads the rest
\getenv fixtures FLEETMIG_FIXTURES
\set dir :fixtures /two_heads
SET fleetmig.migrations_dir = :'dir';
SELECT revision, message, direction FROM fleetmig.upgrade('feature@head');
SELECT revision FROM fleetmig.upgrade('head');
SELECT revision, message, direction FROM fleetmig.upgrade('heads');
TABLE test.state;
-- label@-1 walks down one branch, leaving the other alone
SELECT revision, message, direction FROM fleetmig.downgrade('feature@-1');
TABLE test.state;
-- label@base: everything above the base below the label, the trunk included
SELECT revision, message, direction FROM fleetmig.downgrade('feature@base');
TABLE test.state;
TABLE test.shape;
DROP SCHEMA test CASCADE;
TRUNCATE fleetmig.log RESTART IDENTITY;
