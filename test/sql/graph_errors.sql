-- Errors of the revision graph (SPEC §3): each names the files and lines
-- involved, whatever function reads the directory.
\getenv fixtures FLEETMIG_FIXTURES

-- two files define the same revision: both are named
\set dir :fixtures /duplicate_revision
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- a parent that no file defines (the second of a merge)
\set dir :fixtures /unknown_down_revision
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.history();
-- None is not none: only the lower-case spelling means "no parent"
\set dir :fixtures /capitalized_none
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- a dependency that is neither a revision id nor a branch label
\set dir :fixtures /unknown_depends_on
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.current();
-- a revision that is its own parent
\set dir :fixtures /cycle_of_one
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- a cycle of three revisions names all three files
\set dir :fixtures /cycle_of_three
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- a revision above a cycle is not part of it: only the cycle is named
\set dir :fixtures /cycle_below_child
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.branches();
-- a cycle through depends_on (naming a branch label) and down_revision
\set dir :fixtures /dependency_cycle
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.show('head');
-- a branch label declared by two revisions
\set dir :fixtures /label_used_twice
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();
-- a branch label equal to a revision id
\set dir :fixtures /label_equals_revision
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.heads();

-- a failing stamp writes nothing
\set dir :fixtures /cycle_of_three
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.stamp('head');
\set dir :fixtures /duplicate_revision
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.stamp('base', purge => true);
\set dir :fixtures /label_used_twice
SET fleetmig.migrations_dir = :'dir';
SELECT * FROM fleetmig.stamp('feature');
SELECT count(*) FROM fleetmig.version;
SELECT count(*) FROM fleetmig.log;
