-- Target errors carry SQLSTATE 22023 (invalid_parameter_value), state
-- errors 55000; a failing stamp(), upgrade() or downgrade() changes neither fleetmig.version nor
-- fleetmig.log.
\getenv fixtures FLEETMIG_FIXTURES
\set dir :fixtures /branches_and_merge
SET fleetmig.migrations_dir = :'dir';
BEGIN;
SELECT plan(21);

SELECT lives_ok($$SELECT fleetmig.stamp('b2c3d4e5f6a1')$$, 'stamp the branch point');
CREATE TEMP TABLE before_version AS SELECT revision FROM fleetmig.version;
CREATE TEMP TABLE before_log AS SELECT * FROM fleetmig.log;

SELECT throws_ok($$SELECT fleetmig.stamp('c3d4')$$, '22023',
    'revision prefix "c3d4" is ambiguous', 'ambiguous prefix');
SELECT throws_ok($$SELECT fleetmig.stamp('ffffffffffff')$$, '22023',
    'can''t locate revision identified by ''ffffffffffff''', 'unknown revision');
SELECT throws_ok($$SELECT fleetmig.stamp('gamma@head')$$, '22023',
    'can''t locate revision identified by ''gamma''', 'unknown label');
SELECT throws_ok($$SELECT fleetmig.stamp('beta@c3d4aaaa0003')$$, '22023',
    'revision "c3d4aaaa0003" is not in the lineage of "beta"', 'label@rev outside the lineage');
SELECT throws_ok($$SELECT fleetmig.upgrade('+1')$$, '22023',
    'relative target "+1" crosses the branch point "b2c3d4e5f6a1"', '+1 at a branch point');
SELECT throws_ok($$SELECT fleetmig.downgrade('b8b8-2')$$, '22023',
    'relative target "b8b8-2" crosses the merge "a7a7a7a70007"', 'rev-N through a merge');
SELECT throws_ok($$SELECT fleetmig.upgrade('a7a7+2')$$, '22023',
    'relative target "a7a7+2" goes beyond the head', 'rev+N past the head');
SELECT throws_ok($$SELECT fleetmig.downgrade('a1b2-2')$$, '22023',
    'relative target "a1b2-2" goes below base', 'rev-N below the base');
SELECT throws_ok($$SELECT fleetmig.upgrade('+0')$$, '22023',
    'relative target "+0" must move at least one step', 'zero steps');
SELECT throws_ok($$SELECT fleetmig.stamp('+1')$$, '22023',
    'cannot stamp relative target "+1"', 'stamp takes no relative target (Alembic 1.8 cannot locate one)');

SELECT results_eq($$SELECT revision FROM fleetmig.version$$,
                  $$SELECT revision FROM before_version$$, 'version unchanged');
SELECT results_eq($$SELECT * FROM fleetmig.log$$,
                  $$SELECT * FROM before_log$$, 'log unchanged');

-- several heads and several bases
\set dir :fixtures /two_heads
SET fleetmig.migrations_dir = :'dir';
SELECT lives_ok($$SELECT fleetmig.stamp('bbbb00000002', purge => true)$$,
    'purge the other fixture''s rows and stamp the trunk');
SELECT throws_ok($$SELECT fleetmig.downgrade('feature@-1')$$, '22023',
    'relative target "feature@-1" needs an applied revision', 'label@-N with no current head in the branch');
SELECT throws_ok($$SELECT fleetmig.stamp('head')$$, '22023',
    'multiple heads are present for target "head"', 'head with two heads');
SELECT lives_ok($$SELECT fleetmig.stamp('heads')$$, 'heads with two heads');
SELECT throws_ok($$SELECT fleetmig.downgrade('-1')$$, '22023',
    'relative target "-1" needs one current head, but 2 are applied', '-1 with two current heads');
\set dir :fixtures /two_bases
SET fleetmig.migrations_dir = :'dir';
SELECT lives_ok($$SELECT fleetmig.stamp('base', purge => true)$$, 'purge the other fixture''s rows');
SELECT throws_ok($$SELECT fleetmig.upgrade('+1')$$, '22023',
    'relative target "+1" needs one base, but there are 2', '+1 from nothing with two bases');

-- a row no file defines
INSERT INTO fleetmig.version VALUES ('deadbeef0000');
SELECT throws_ok($$SELECT fleetmig.stamp('head')$$, '55000',
    'can''t locate revision identified by ''deadbeef0000''', 'unknown row in fleetmig.version');

SELECT * FROM finish();
ROLLBACK;
