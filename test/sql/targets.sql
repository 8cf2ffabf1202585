-- Every target form of SPEC §4, shown with show() and, for the forms that
-- start from the current state, after stamp() has set that state.
\getenv fixtures FLEETMIG_FIXTURES
\set dir :fixtures /branches_and_merge
SET fleetmig.migrations_dir = :'dir';
-- the fixture: branches alpha and beta leave b2c3d4e5f6a1, a7a7a7a70007 merges them
SELECT revision, down_revisions, branch_labels, is_head, is_merge, is_branch_point
  FROM fleetmig.history();

-- head: the one head
SELECT revision FROM fleetmig.show('head');
-- heads: every head
SELECT revision FROM fleetmig.show('heads');
-- base names no revision
SELECT count(*) FROM fleetmig.show('base');
-- a full revision id
SELECT revision FROM fleetmig.show('e5f6a1b20005');
-- a unique prefix of at least four characters
SELECT revision FROM fleetmig.show('a7a7');
SELECT revision FROM fleetmig.show('c3d4a');
-- an ambiguous prefix lists the candidates
SELECT revision FROM fleetmig.show('c3d4');
-- three characters are not a prefix
SELECT revision FROM fleetmig.show('a7a');
-- an unknown revision
SELECT revision FROM fleetmig.show('ffffffffffff');
-- a word close to a keyword or a branch label: "did you mean"
SELECT revision FROM fleetmig.show('haed');
SELECT revision FROM fleetmig.show('HEAD');
SELECT revision FROM fleetmig.show('Heads');
SELECT revision FROM fleetmig.show('bsae');
SELECT revision FROM fleetmig.show('aplha');
SELECT revision FROM fleetmig.show('btea@head');
-- too far from every word: no hint
SELECT revision FROM fleetmig.show('hovercraft');
-- a branch label is the revision that declares it
SELECT revision FROM fleetmig.show('alpha');
-- label@head: the head among the label's ancestors and descendants
SELECT revision FROM fleetmig.show('beta@head');
-- label@<rev> and label@<prefix> look inside the label's lineage only
SELECT revision FROM fleetmig.show('beta@f6a1b2c30006');
SELECT revision FROM fleetmig.show('beta@f6a1');
SELECT revision FROM fleetmig.show('beta@c3d4');
SELECT revision FROM fleetmig.show('beta@c3d4aaaa0003');
-- an unknown label
SELECT revision FROM fleetmig.show('gamma@head');

-- <rev>+N and <rev>-N walk from rev, whatever is applied
SELECT revision FROM fleetmig.show('a1b2+1');
SELECT revision FROM fleetmig.show('c3d4aaaa0003+2');
SELECT revision FROM fleetmig.show('b8b8-1');
SELECT revision FROM fleetmig.show('head-1');
SELECT revision FROM fleetmig.show('base+2');
SELECT revision FROM fleetmig.show('alpha@c3d4bbbb0004-1');
-- a branch point on the way up, a merge on the way down
SELECT revision FROM fleetmig.show('a1b2+2');
SELECT revision FROM fleetmig.show('b8b8-2');
-- past a head; a base's -1 is base, one more goes below it
SELECT revision FROM fleetmig.show('a7a7+2');
SELECT revision FROM fleetmig.show('a1b2-1');
SELECT revision FROM fleetmig.show('a1b2-2');
SELECT revision FROM fleetmig.show('base-1');
-- zero steps and a target that is not a relative form
SELECT revision FROM fleetmig.show('+0');
SELECT revision FROM fleetmig.show('a1b2-x');

-- +N and -N from nothing applied: +N starts below the one base
SELECT revision FROM fleetmig.show('+1');
SELECT revision FROM fleetmig.show('+2');
SELECT revision FROM fleetmig.show('+3');
SELECT revision FROM fleetmig.show('-1');

-- at the branch point: +1 is ambiguous, label@+N walks inside the branch
SELECT revision FROM fleetmig.stamp('b2c3d4e5f6a1');
SELECT revision FROM fleetmig.show('+1');
SELECT revision FROM fleetmig.show('alpha@+1');
SELECT revision FROM fleetmig.show('beta@+2');
SELECT revision FROM fleetmig.show('-1');
-- walking below the base means base
SELECT count(*) FROM fleetmig.show('-2');
SELECT count(*) FROM fleetmig.show('-9');

-- two current heads, one in each branch
SELECT revision FROM fleetmig.stamp('c3d4bbbb0004');
SELECT revision FROM fleetmig.stamp('e5f6a1b20005');
SELECT revision FROM fleetmig.show('+1');
SELECT revision FROM fleetmig.show('-1');
SELECT revision FROM fleetmig.show('beta@+1');
SELECT revision FROM fleetmig.show('alpha@+1');
SELECT revision FROM fleetmig.show('alpha@-1');
SELECT revision FROM fleetmig.show('beta@-1');

-- on the trunk above a branch point, label@+N starts where the branch leaves it
SELECT revision FROM fleetmig.stamp('base');
SELECT revision FROM fleetmig.stamp('c3d4aaaa0003');
SELECT revision FROM fleetmig.show('beta@+1');
SELECT revision FROM fleetmig.show('beta@-1');

-- -N never unmerges: at the merge itself, or with a merge on the way
SELECT revision FROM fleetmig.stamp('a7a7a7a70007');
SELECT revision FROM fleetmig.show('-1');
SELECT revision FROM fleetmig.stamp('b8b8b8b80008');
SELECT revision FROM fleetmig.show('-1');
SELECT revision FROM fleetmig.show('-2');
-- and +N stops at the head
SELECT revision FROM fleetmig.show('+1');
SELECT revision FROM fleetmig.stamp('base');

-- several heads: head is an error with a hint, heads and label@head work
\set dir :fixtures /two_heads
SET fleetmig.migrations_dir = :'dir';
SELECT revision FROM fleetmig.show('head');
SELECT revision FROM fleetmig.show('heads');
SELECT revision FROM fleetmig.show('feature@head');

-- several bases: +1 from nothing is an error, label@+1 is not
\set dir :fixtures /two_bases
SET fleetmig.migrations_dir = :'dir';
SELECT revision FROM fleetmig.show('+1');
SELECT revision FROM fleetmig.show('second@+1');
SELECT count(*) FROM fleetmig.show('second@base');

-- a revision named only in depends_on is a head for head and heads(),
-- but heads means the revisions nothing names at all
\set dir :fixtures /depends_on
SET fleetmig.migrations_dir = :'dir';
SELECT revision FROM fleetmig.heads();
SELECT revision FROM fleetmig.show('head');
SELECT revision FROM fleetmig.show('heads');
-- nothing was left behind
SELECT count(*) FROM fleetmig.version;
TRUNCATE fleetmig.log RESTART IDENTITY;
