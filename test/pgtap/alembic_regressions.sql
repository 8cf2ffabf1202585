-- The graphs on which fleetmig once disagreed with Alembic 1.8 (SPEC §4),
-- from test/fixtures/alembic_diff/: every class the differential test
-- found has a named test here, so a fix never comes undone.  Each failing
-- command is shown to change neither fleetmig.version, fleetmig.log nor
-- the tables.  test/alembic_diff/diff.py --project replays the same
-- directories against Alembic itself.
\getenv fixtures FLEETMIG_FIXTURES
BEGIN;
SELECT plan(51);
SET LOCAL client_min_messages = warning;

CREATE FUNCTION pg_temp.rows() RETURNS text[] LANGUAGE sql AS
$$SELECT coalesce(array_agg(revision ORDER BY revision), '{}') FROM fleetmig.version$$;
CREATE FUNCTION pg_temp.tables() RETURNS text[] LANGUAGE sql AS
$$SELECT coalesce(array_agg(relname::text ORDER BY relname), '{}') FROM pg_class
  WHERE relname LIKE 't\_%' AND relkind = 'r' AND relnamespace = 'public'::regnamespace$$;
CREATE TEMP TABLE snapshot (rows text[], tables text[], log bigint);
CREATE FUNCTION pg_temp.snap() RETURNS void LANGUAGE sql AS
$$DELETE FROM snapshot;
  INSERT INTO snapshot SELECT pg_temp.rows(), pg_temp.tables(), (SELECT count(*) FROM fleetmig.log)$$;
CREATE FUNCTION pg_temp.unchanged() RETURNS boolean LANGUAGE sql AS
$$SELECT rows = pg_temp.rows() AND tables = pg_temp.tables()
     AND log = (SELECT count(*) FROM fleetmig.log) FROM snapshot$$;

-- class 1: downgrade(X) keeps what names X only in depends_on
\set dir :fixtures /alembic_diff/depends_on_stays
SET fleetmig.migrations_dir = :'dir';
SELECT lives_ok($$SELECT fleetmig.upgrade('heads')$$, 'depends_on_stays: upgrade heads');
SELECT is(pg_temp.rows(), '{c3c3c3c30003,e5e5e5e50005}', 'depends_on_stays: both heads applied');
SELECT results_eq(
    $$SELECT revision, direction FROM fleetmig.downgrade('b1b1b1b10001')$$,
    $$VALUES ('e5e5e5e50005', 'downgrade'), ('d4d4d4d40004', 'downgrade')$$,
    'depends_on_stays: downgrade(b1b1) removes its child d4d4 and e5e5, which depends on d4d4');
SELECT is(pg_temp.rows(), '{c3c3c3c30003}',
    'depends_on_stays: c3c3, which depends on b1b1, stays applied');
SELECT is(pg_temp.tables(), '{t_b1b1b1b10001,t_b2b2b2b20002,t_c3c3c3c30003}',
    'depends_on_stays: the tables of b1b1, b2b2 and c3c3 stay');
SELECT results_eq(
    $$SELECT revision FROM fleetmig.downgrade('base')$$,
    $$VALUES ('c3c3c3c30003'), ('b2b2b2b20002'), ('b1b1b1b10001')$$,
    'depends_on_stays: downgrade(base) removes c3c3 before both bases');
SELECT is(pg_temp.tables(), '{}', 'depends_on_stays: no table is left');

-- class 1, the edge: nothing above X but what depends on it
\set dir :fixtures /alembic_diff/depends_on_only
SET fleetmig.migrations_dir = :'dir';
SELECT lives_ok($$SELECT fleetmig.upgrade('heads')$$, 'depends_on_only: upgrade heads');
SELECT pg_temp.snap();
SELECT throws_ok($$SELECT fleetmig.downgrade('b1b1b1b10001')$$, '55000',
    'cannot downgrade to revision "b1b1b1b10001": nothing above it is applied',
    'depends_on_only: downgrade(b1b1) has nothing to remove');
SELECT ok(pg_temp.unchanged(), 'depends_on_only: version, log and tables unchanged');
SELECT is(pg_temp.rows(), '{c3c3c3c30003}', 'depends_on_only: c3c3 still applied');
SELECT results_eq(
    $$SELECT revision FROM fleetmig.downgrade('b2b2b2b20002')$$,
    $$VALUES ('c3c3c3c30003')$$, 'depends_on_only: downgrade(b2b2) removes c3c3');
SELECT is(pg_temp.rows(), '{b1b1b1b10001,b2b2b2b20002}', 'depends_on_only: both bases stay');
SELECT lives_ok($$SELECT fleetmig.downgrade('base')$$, 'depends_on_only: back to base');

-- class 2: label@head with several heads in the label's lineage
\set dir :fixtures /alembic_diff/label_two_heads
SET fleetmig.migrations_dir = :'dir';
SELECT pg_temp.snap();
SELECT throws_ok($$SELECT fleetmig.upgrade('trunk@head')$$, '22023',
    'multiple heads are present for target "trunk@head"',
    'label_two_heads: upgrade(trunk@head) with two heads in the lineage');
SELECT throws_ok($$SELECT fleetmig.stamp('trunk@head')$$, '22023',
    'multiple heads are present for target "trunk@head"',
    'label_two_heads: stamp(trunk@head) with two heads in the lineage');
SELECT ok(pg_temp.unchanged(), 'label_two_heads: nothing changed at base');

-- label@<prefix>: ambiguous in the graph, unique in the branch
SELECT throws_ok($$SELECT fleetmig.upgrade('abcd')$$, '22023',
    'revision prefix "abcd" is ambiguous', 'label_two_heads: abcd is ambiguous in the graph');
SELECT ok(pg_temp.unchanged(), 'label_two_heads: the ambiguous prefix changed nothing');
SELECT results_eq(
    $$SELECT revision FROM fleetmig.upgrade('left@abcd')$$,
    $$VALUES ('a0a0a0a00001'), ('abcd11110002')$$,
    'label_two_heads: left@abcd names abcd1111, the one in the left branch');
SELECT lives_ok($$SELECT fleetmig.downgrade('base')$$, 'label_two_heads: back to base');

-- a label that is also a revision id prefix
SELECT results_eq(
    $$SELECT revision FROM fleetmig.upgrade('beef')$$,
    $$VALUES ('a0a0a0a00001'), ('abcd22220003'), ('f0f0f0f00005')$$,
    'label_two_heads: beef is the label of f0f0, not the prefix of beef0000');
SELECT is(pg_temp.rows(), '{f0f0f0f00005}', 'label_two_heads: beef0000 is not applied');
SELECT lives_ok($$SELECT fleetmig.upgrade('heads')$$, 'label_two_heads: upgrade heads');
SELECT pg_temp.snap();
SELECT throws_ok($$SELECT fleetmig.downgrade('trunk@head')$$, '22023',
    'multiple heads are present for target "trunk@head"',
    'label_two_heads: downgrade(trunk@head) with two heads in the lineage');

-- class 3: downgrade('heads') with several heads
SELECT throws_ok($$SELECT fleetmig.downgrade('heads')$$, '22023',
    'multiple heads are present for target "heads"',
    'label_two_heads: downgrade(heads) with two heads');
SELECT throws_ok($$SELECT fleetmig.downgrade('head')$$, '22023',
    'multiple heads are present for target "head"',
    'label_two_heads: downgrade(head) with two heads');
SELECT ok(pg_temp.unchanged(), 'label_two_heads: the refused downgrades changed nothing');
SELECT is(pg_temp.rows(), '{beef00000004,f0f0f0f00005}', 'label_two_heads: both heads still applied');

-- downgrade(label@rev) and upgrade(label@label)
SELECT results_eq(
    $$SELECT revision FROM fleetmig.downgrade('abcd22220003')$$,
    $$VALUES ('f0f0f0f00005')$$, 'label_two_heads: downgrade(abcd2222) removes f0f0');
SELECT results_eq(
    $$SELECT revision FROM fleetmig.upgrade('right@beef')$$,
    $$VALUES ('f0f0f0f00005')$$, 'label_two_heads: right@beef is the label beef in the right branch');
SELECT throws_ok($$SELECT fleetmig.upgrade('left@beef')$$, '22023',
    'revision "f0f0f0f00005" is not in the lineage of "left"',
    'label_two_heads: left@beef names a revision outside the left branch');
SELECT results_eq(
    $$SELECT revision FROM fleetmig.downgrade('right@abcd')$$,
    $$VALUES ('f0f0f0f00005')$$, 'label_two_heads: downgrade(right@abcd) resolves abcd in the right branch');
SELECT is(pg_temp.rows(), '{abcd22220003,beef00000004}', 'label_two_heads: the left head stays');

-- downgrade(label@<branch point>) goes down only the label's branches
SELECT lives_ok($$SELECT fleetmig.upgrade('heads')$$, 'label_two_heads: upgrade heads again');
SELECT pg_temp.snap();
SELECT throws_ok($$SELECT fleetmig.downgrade('trunk@a0a0a0a00001')$$, '22023',
    'target "trunk@a0a0a0a00001" leaves no branch of revision "a0a0a0a00001" to go down',
    'label_two_heads: trunk stands on no branch above its own revision');
SELECT ok(pg_temp.unchanged(), 'label_two_heads: the refused downgrade changed nothing');
SELECT results_eq(
    $$SELECT revision FROM fleetmig.downgrade('left@a0a0a0a00001')$$,
    $$VALUES ('beef00000004'), ('abcd11110002')$$,
    'label_two_heads: left@a0a0 removes the left branch only');
SELECT is(pg_temp.rows(), '{f0f0f0f00005}', 'label_two_heads: the right branch stays');
SELECT lives_ok($$SELECT fleetmig.downgrade('base')$$, 'label_two_heads: back to base');
SELECT is(pg_temp.tables(), '{}', 'label_two_heads: no table is left');

-- -1 from a head that is also a base goes down only the head's own line
\set dir :fixtures /alembic_diff/minus_at_base
SET fleetmig.migrations_dir = :'dir';
SELECT results_eq(
    $$SELECT revision FROM fleetmig.upgrade('side')$$,
    $$VALUES ('5090d0000001'), ('f9af81000003')$$,
    'minus_at_base: upgrade(side) applies the revision side depends on first');
SELECT results_eq(
    $$SELECT revision FROM fleetmig.downgrade('-1')$$,
    $$VALUES ('f9af81000003')$$, 'minus_at_base: -1 from the base f9af removes only f9af');
SELECT is(pg_temp.rows(), '{5090d0000001}', 'minus_at_base: the other base stays');
SELECT lives_ok($$SELECT fleetmig.upgrade('heads')$$, 'minus_at_base: upgrade heads');
SELECT is(pg_temp.rows(), '{e4a3e0000002,f9af81000003}', 'minus_at_base: both heads applied');
SELECT results_eq(
    $$SELECT revision FROM fleetmig.downgrade('e4a3e0000002-2')$$,
    $$VALUES ('f9af81000003'), ('e4a3e0000002'), ('5090d0000001')$$,
    'minus_at_base: e4a3-2 is base, and f9af goes first because it depends on 5090');
SELECT pg_temp.snap();
SELECT throws_ok($$SELECT fleetmig.downgrade('e4a3e0000002-3')$$, '22023',
    'relative target "e4a3e0000002-3" goes below base', 'minus_at_base: e4a3-3 goes below base');
SELECT throws_ok($$SELECT fleetmig.stamp('side@-1')$$, '22023',
    'cannot stamp relative target "side@-1"', 'minus_at_base: stamp takes no relative target');
SELECT ok(pg_temp.unchanged(), 'minus_at_base: the refused commands changed nothing');
SELECT is(pg_temp.tables(), '{}', 'minus_at_base: no table is left');

SELECT * FROM finish();
ROLLBACK;
