-- upgrade_sql() and downgrade_sql(): the script an upgrade or downgrade
-- would run, for review or for psql -1 -f; and the errors of create() and
-- merge() that come before anything is written.
\getenv fixtures FLEETMIG_FIXTURES
\set dir :fixtures /two_heads
SET fleetmig.migrations_dir = :'dir';
TRUNCATE fleetmig.log RESTART IDENTITY;
\pset format unaligned
\pset tuples_only on

-- from an explicit revision the state is not read: every head from base
SELECT fleetmig.upgrade_sql('heads', from_revision => 'base');
-- one step up the feature branch from the base
SELECT fleetmig.upgrade_sql('feature@+1', from_revision => 'aaaa');
-- down from both heads to the base, newest first
SELECT fleetmig.downgrade_sql('aaaa', from_revision => 'heads');
-- nothing to do is a script with no steps
SELECT fleetmig.upgrade_sql('heads', from_revision => 'heads');
-- without from_revision the script starts where fleetmig.version is
SELECT revision FROM fleetmig.stamp('bbbb00000002');
SELECT fleetmig.upgrade_sql('feature@head');
SELECT fleetmig.downgrade_sql();
\pset format aligned
\pset tuples_only off

-- the same refusals as upgrade() and downgrade()
SELECT fleetmig.upgrade_sql('head');
SELECT fleetmig.upgrade_sql('-1');
SELECT fleetmig.downgrade_sql('+1');
SELECT fleetmig.downgrade_sql('dddd');
INSERT INTO fleetmig.version VALUES ('zzzz00000000');
SELECT fleetmig.upgrade_sql('heads');
-- ... but an explicit from_revision does not look at fleetmig.version
SELECT length(fleetmig.upgrade_sql('heads', from_revision => 'base')) > 0 AS works;
DELETE FROM fleetmig.version;
-- a transaction-off revision becomes a step of its own, outside any
-- transaction block, between transactions the script commits itself
\set dir :fixtures /transaction_off
SET fleetmig.migrations_dir = :'dir';
SELECT fleetmig.upgrade_sql('head', from_revision => 'base');
-- nor can a statement the server cannot run in a transaction
\set dir :fixtures /vacuum
SET fleetmig.migrations_dir = :'dir';
SELECT fleetmig.upgrade_sql('head', from_revision => 'base');

-- create() and merge() check before they write
\set dir :fixtures /two_heads
SET fleetmig.migrations_dir = :'dir';
SELECT fleetmig.create('on which head?');
SELECT fleetmig.create('x', head => 'nosuch');
SELECT fleetmig.create('x', head => 'bbbb', branch_label => 'feature');
SELECT fleetmig.create('x', head => 'bbbb', branch_label => 'heads');
SELECT fleetmig.create('x', head => 'bbbb', depends_on => ARRAY['nosuch']);
SELECT fleetmig.create('x', autogenerate => true);
SELECT fleetmig.create(NULL);
SELECT fleetmig.merge('one is not enough', ARRAY['bbbb']);
SELECT fleetmig.merge('already joined', ARRAY['aaaa', 'dddd']);
SELECT fleetmig.merge(NULL);
-- a template with a placeholder fleetmig does not know
\set dir :fixtures /bad_template
SET fleetmig.migrations_dir = :'dir';
SELECT fleetmig.create('from a bad template');
-- a template that does not produce the revision asked for
\set dir :fixtures /template_without_revision
SET fleetmig.migrations_dir = :'dir';
SELECT fleetmig.create('from a template without ${revision}');
-- writing needs superuser or pg_write_server_files
CREATE ROLE fleetmig_author;
GRANT USAGE ON SCHEMA fleetmig TO fleetmig_author;
GRANT EXECUTE ON FUNCTION fleetmig.create(text, boolean, text, text, text[]) TO fleetmig_author;
SET ROLE fleetmig_author;
SELECT fleetmig.create('not allowed');
RESET ROLE;
DROP OWNED BY fleetmig_author;
DROP ROLE fleetmig_author;
SELECT revision FROM fleetmig.stamp('base');
TRUNCATE fleetmig.log RESTART IDENTITY;
