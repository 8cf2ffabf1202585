-- history(), heads(), current() and branches() on the example project
\getenv migrations FLEETMIG_MIGRATIONS
SET fleetmig.migrations_dir = :'migrations';

-- nothing applied: every revision newest first, with its place in the graph
SELECT revision, down_revisions, message, file, created, branch_labels, depends_on,
       is_head, is_base, is_merge, is_branch_point, applied, applied_at
  FROM fleetmig.history();
SELECT * FROM fleetmig.heads();
SELECT * FROM fleetmig.current();
SELECT * FROM fleetmig.branches();

-- at the head of the maintenance branch, with the trunk at its branch point
SELECT revision FROM fleetmig.stamp('maintenance@5da1');
SELECT revision, is_head, applied, applied_at IS NOT NULL AS has_applied_at
  FROM fleetmig.history();
SELECT * FROM fleetmig.current();
SELECT * FROM fleetmig.heads();

-- both branches applied: two current heads, neither of them a head
SELECT revision FROM fleetmig.stamp('2318de486810');
SELECT * FROM fleetmig.current();
SELECT revision, applied FROM fleetmig.history() WHERE NOT applied;

-- at the head
SELECT revision FROM fleetmig.stamp('head');
SELECT * FROM fleetmig.current();
SELECT * FROM fleetmig.heads();
SELECT count(*) FILTER (WHERE applied) AS applied, count(*) AS total FROM fleetmig.history();

-- show(): the header and the SQL of one revision
SELECT revision, down_revisions, message, file, created, branch_labels, depends_on
  FROM fleetmig.show('67e2');
SELECT upgrade_sql, downgrade_sql FROM fleetmig.show('67e2');
-- the merge has empty sections
SELECT upgrade_sql = '' AS empty_upgrade, downgrade_sql = '' AS empty_downgrade
  FROM fleetmig.show('f165');

SELECT revision FROM fleetmig.stamp('base');
TRUNCATE fleetmig.log RESTART IDENTITY;
