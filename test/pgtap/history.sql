-- history() on the example project: every revision, newest first, with the
-- right graph flags, and applied flags that follow fleetmig.version.
\getenv migrations FLEETMIG_MIGRATIONS
SET fleetmig.migrations_dir = :'migrations';
BEGIN;
SELECT plan(12);

SELECT is((SELECT count(*)::int FROM fleetmig.history()), 14,
          'history() lists all 14 revisions of migrations/');

SELECT results_eq(
    $$SELECT revision FROM fleetmig.history()$$,
    $$VALUES ('0c0f591ff87d'), ('debb09a54f0f'), ('fb77dddeb5ae'), ('5ee6d1ef502b'),
             ('f16594f3311d'), ('5da1e03a4943'), ('1cdca2e65dfc'), ('2318de486810'),
             ('00d0c32b0873'), ('67e22a55f6c0'), ('a5544b383b39'), ('cb3c34f8d146'),
             ('2b2042f8c523'), ('1665f51c3905')$$,
    'newest first: the reverse topological order, ties broken by created');

SELECT ok(NOT EXISTS (
    SELECT 1 FROM (SELECT created, lead(created) OVER () AS older FROM fleetmig.history()) x
     WHERE created < older),
    'created never increases down the list');

SELECT results_eq(
    $$SELECT revision FROM fleetmig.history() WHERE is_head$$,
    $$VALUES ('0c0f591ff87d')$$, 'one head: the contract step of display_name');
SELECT results_eq(
    $$SELECT revision FROM fleetmig.history() WHERE is_base$$,
    $$VALUES ('1665f51c3905')$$, 'one base: the users table');
SELECT results_eq(
    $$SELECT revision, down_revisions FROM fleetmig.history() WHERE is_merge$$,
    $$VALUES ('f16594f3311d', ARRAY['2318de486810', '5da1e03a4943'])$$,
    'the merge joins the trunk and the maintenance branch');
SELECT results_eq(
    $$SELECT revision FROM fleetmig.history() WHERE is_branch_point$$,
    $$VALUES ('a5544b383b39')$$, 'the maintenance branch leaves the trips revision');
SELECT results_eq(
    $$SELECT revision FROM fleetmig.history() WHERE branch_labels <> '{}'$$,
    $$VALUES ('1cdca2e65dfc')$$, 'the maintenance label');

SELECT ok(NOT EXISTS (SELECT 1 FROM fleetmig.history() WHERE applied),
          'nothing applied on a fresh database');

SELECT lives_ok($$SELECT fleetmig.stamp('67e22a55f6c0')$$, 'stamp the phone number revision');
SELECT results_eq(
    $$SELECT revision FROM fleetmig.history() WHERE applied$$,
    $$VALUES ('67e22a55f6c0'), ('a5544b383b39'), ('cb3c34f8d146'), ('2b2042f8c523'), ('1665f51c3905')$$,
    'applied: the stamped revision and its ancestors, not the maintenance branch');
SELECT results_eq(
    $$SELECT revision FROM fleetmig.history() WHERE applied_at IS NOT NULL$$,
    $$VALUES ('67e22a55f6c0')$$,
    'applied_at: only the revision the stamp put in place');

SELECT * FROM finish();
ROLLBACK;
