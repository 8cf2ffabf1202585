/*-------------------------------------------------------------------------
 *
 * plan.c
 *	  Work out what a command does (SPEC §4, §6): the steps of an upgrade or
 *	  downgrade in order, the heads after a stamp, and the rows of
 *	  fleetmig.version after each step.  No SPI: the current heads come in,
 *	  steps and heads go out.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "plan.h"

/*
 * The rows fleetmig.version should hold for a set of applied revisions:
 * those that no other member has as parent or dependency, in topological
 * order.
 */
List *
plan_heads_of(RevisionMap *map, List *applied_revisions)
{
	bool	   *below = revmap_new_mask(map);
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, applied_revisions)
	{
		Revision   *rev = lfirst(lc);
		ListCell   *lc2;

		foreach(lc2, rev->parents)
		{
			Revision   *p = lfirst(lc2);

			if (!below[p->order])
				revmap_mark_ancestors(map, p, below, true);
		}
		foreach(lc2, rev->dependencies)
		{
			Revision   *p = lfirst(lc2);

			if (!below[p->order])
				revmap_mark_ancestors(map, p, below, true);
		}
	}
	foreach(lc, applied_revisions)
	{
		Revision   *rev = lfirst(lc);

		if (!below[rev->order] && !list_member_ptr(result, rev))
			result = lappend(result, rev);
	}
	return revmap_sort(map, result);
}

/*
 * The heads after stamp(target), as in Alembic 1.8.  The rows concerned are
 * those related to the target (its ancestors or descendants, through
 * depends_on too) and, with a label, those related to the label's revision.
 * A target already in fleetmig.version changes nothing; a target related to
 * none of the rows is added beside them; otherwise the rows concerned are
 * replaced by the target.  "label@base" removes the rows related to the
 * label's revision, and "base" every row.
 */
List *
plan_stamp(RevisionMap *map, List *current, Target *target)
{
	bool	   *related = revmap_new_mask(map);
	bool	   *labelled = revmap_new_mask(map);
	bool		replace = target->is_base;
	List	   *keep = NIL;
	ListCell   *lc;

	if (target->is_base && target->branch == NULL)
		return NIL;

	foreach(lc, target->revisions)
	{
		if (!list_member_ptr(current, lfirst(lc)))
			break;
	}
	if (target->revisions != NIL && lc == NULL)
		return current;

	/* separate masks: each walk stops at revisions it has already marked */
	foreach(lc, target->revisions)
	{
		bool	   *below = revmap_new_mask(map);

		revmap_mark_descendants(map, lfirst(lc), related, true);
		revmap_mark_ancestors(map, lfirst(lc), below, true);
		for (int i = 0; i < map->nrevisions; i++)
			related[i] |= below[i];
		pfree(below);
	}
	if (target->branch != NULL)
	{
		bool	   *below = revmap_new_mask(map);

		revmap_mark_descendants(map, target->branch, labelled, true);
		revmap_mark_ancestors(map, target->branch, below, true);
		for (int i = 0; i < map->nrevisions; i++)
			labelled[i] |= below[i];
		pfree(below);
	}

	foreach(lc, current)
		replace |= related[((Revision *) lfirst(lc))->order];
	foreach(lc, current)
	{
		Revision   *rev = lfirst(lc);

		if (!replace || !(related[rev->order] || labelled[rev->order]))
			keep = lappend(keep, rev);
	}
	return plan_heads_of(map, list_concat(keep, target->revisions));
}

/*
 * The steps of an upgrade: every revision the target needs (itself, its
 * ancestors and what they depend on) that is not applied, in topological
 * order.  An applied target or "base" needs nothing.
 */
List *
plan_upgrade(RevisionMap *map, List *current, Target *target)
{
	bool	   *applied = revmap_new_mask(map);
	bool	   *needed = revmap_new_mask(map);
	List	   *steps = NIL;
	ListCell   *lc;

	if (target->is_base)
		return NIL;
	foreach(lc, current)
		revmap_mark_ancestors(map, lfirst(lc), applied, true);
	foreach(lc, target->revisions)
	{
		Revision   *rev = lfirst(lc);

		if (!needed[rev->order])
			revmap_mark_ancestors(map, rev, needed, true);
	}
	for (int i = 0; i < map->nrevisions; i++)
	{
		Step	   *step;

		if (!needed[i] || applied[i])
			continue;
		step = palloc(sizeof(Step));
		step->revision = map->revisions[i];
		step->direction = STEP_UPGRADE;
		steps = lappend(steps, step);
	}
	return steps;
}

/*
 * The revisions a downgrade removes above its target, as Alembic 1.8 finds
 * them: the target's children (through down_revision only; with a label and
 * several children, only those the label's revision stands on), or every
 * base for "base" (with a label, the bases below it); then everything that
 * descends from those, as child or through depends_on.  What depends on the
 * target itself stays, and so does the target: removing more would drop
 * tables that must stay.
 */
static List *
downgrade_roots(RevisionMap *map, Target *target, const char *spec)
{
	Revision   *to;
	List	   *roots = NIL;
	bool	   *under_label;
	ListCell   *lc;

	if (target->is_base)
		return target->branch ? target->base_scope : map->bases;
	to = linitial(target->revisions);
	if (target->branch == NULL || list_length(to->children) < 2)
		return to->children;

	under_label = revmap_new_mask(map);
	revmap_mark_ancestors(map, target->branch, under_label, false);
	foreach(lc, to->children)
	{
		Revision   *child = lfirst(lc);

		if (under_label[child->order])
			roots = lappend(roots, child);
	}
	if (roots == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("target \"%s\" leaves no branch of revision \"%s\" to go down",
						spec, to->id),
				 errdetail("Revision \"%s\" is a branch point (children %s), and \"%s\" lies on none of them.",
						   to->id, revmap_id_list(to->children), target->branch->id),
				 errhint("Give the revision without the label to go down on every branch above it.")));
	return roots;
}

/*
 * The steps of a downgrade, newest first: the applied revisions
 * downgrade_roots() finds.  Going down to one parent of a merge keeps the
 * other parent's line; going down to a branch point removes both branches.
 * A target that is not applied, one that nothing applied stands on through
 * down_revision while it is not a current head, and a revision on the way
 * without a downgrade section are errors.
 */
List *
plan_downgrade(RevisionMap *map, List *current, Target *target,
			   const char *spec)
{
	bool	   *applied = revmap_new_mask(map);
	bool	   *remove = revmap_new_mask(map);
	Revision   *to = target->is_base ? NULL : linitial(target->revisions);
	List	   *steps = NIL;
	ListCell   *lc;

	Assert(target->is_base || list_length(target->revisions) == 1);
	foreach(lc, current)
		revmap_mark_ancestors(map, lfirst(lc), applied, true);
	if (to != NULL && !applied[to->order])
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot downgrade to revision \"%s\": it is not applied",
						to->id),
				 errdetail("Target \"%s\" names a revision above the current state.", spec),
				 errhint("Use fleetmig.upgrade() to go up.")));

	foreach(lc, downgrade_roots(map, target, spec))
	{
		Revision   *root = lfirst(lc);

		if (!remove[root->order])
			revmap_mark_descendants(map, root, remove, true);
	}

	for (int i = map->nrevisions - 1; i >= 0; i--)
	{
		Revision   *rev = map->revisions[i];
		Step	   *step;

		if (!remove[i] || !applied[i])
			continue;
		if (!rev->downgrade.present)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("revision \"%s\" cannot be downgraded", rev->id),
					 errdetail("File \"%s\" has no downgrade section.", rev->filename),
					 errhint("Add a \"-- fleetmig:downgrade\" section, or choose a target above it.")));
		step = palloc(sizeof(Step));
		step->revision = rev;
		step->direction = STEP_DOWNGRADE;
		steps = lappend(steps, step);
	}

	if (to != NULL && steps == NIL && !list_member_ptr(current, to))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot downgrade to revision \"%s\": nothing above it is applied",
						to->id),
				 errdetail("No applied revision stands on it through down_revision; what needs it through depends_on (below %s) stays applied, and so does it.",
						   revmap_id_list(current)),
				 errhint("Downgrade to a revision below the current heads, or use fleetmig.stamp().")));
	return steps;
}

/*
 * Is an applied revision a row of fleetmig.version, i.e. does no applied
 * revision have it as parent or dependency?
 */
static bool
is_applied_head(Revision *rev, const bool *applied)
{
	List	   *above[2] = {rev->children, rev->dependents};
	ListCell   *lc;

	if (!applied[rev->order])
		return false;
	for (int k = 0; k < 2; k++)
	{
		foreach(lc, above[k])
		{
			if (applied[((Revision *) lfirst(lc))->order])
				return false;
		}
	}
	return true;
}

/*
 * The rows of fleetmig.version that one step removes and adds, keeping one
 * row per applied head; "applied" is updated to the state after the step.
 */
void
plan_step_rows(Step *step, bool *applied, List **remove, List **add)
{
	Revision   *rev = step->revision;
	List	   *below = list_concat_copy(rev->parents, rev->dependencies);
	ListCell   *lc;

	*remove = NIL;
	*add = NIL;
	if (step->direction == STEP_UPGRADE)
	{
		foreach(lc, below)
		{
			if (is_applied_head(lfirst(lc), applied))
				*remove = list_append_unique_ptr(*remove, lfirst(lc));
		}
		applied[rev->order] = true;
		*add = list_make1(rev);
	}
	else
	{
		applied[rev->order] = false;
		*remove = list_make1(rev);
		foreach(lc, below)
		{
			if (is_applied_head(lfirst(lc), applied))
				*add = list_append_unique_ptr(*add, lfirst(lc));
		}
	}
	list_free(below);
}

/*
 * The left side of a step's arrow in "running upgrade A -> B": where it
 * starts.  For an upgrade the parents (joined by commas for a merge, <base>
 * at a base); for a downgrade the revision itself.
 */
char *
plan_step_origin(Step *step)
{
	if (step->direction == STEP_DOWNGRADE)
		return step->revision->id;
	if (step->revision->parents == NIL)
		return "<base>";
	return revmap_id_list(step->revision->parents);
}

/*
 * The right side of the arrow: where the step ends.
 */
char *
plan_step_destination(Step *step)
{
	if (step->direction == STEP_UPGRADE)
		return step->revision->id;
	if (step->revision->parents == NIL)
		return "<base>";
	return revmap_id_list(step->revision->parents);
}

/*
 * A revision marked "transaction off" never runs inside the caller's
 * transaction: stop before anything runs, saying how to run it by hand.
 */
void
plan_check_transactional(List *steps)
{
	ListCell   *lc;

	foreach(lc, steps)
	{
		Step	   *step = lfirst(lc);
		Revision   *rev = step->revision;
		char	   *below;

		if (rev->transactional)
			continue;
		below = rev->parents ? revmap_id_list(rev->parents) : "base";
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("revision \"%s\" cannot run inside a transaction", rev->id),
				 errdetail("File \"%s\" is marked \"-- fleetmig:transaction off\".",
						   rev->filename),
				 step->direction == STEP_UPGRADE ?
				 errhint("Upgrade to the revision before it, run this revision's upgrade section through psql outside a transaction block, then record it with fleetmig.stamp('%s').",
						 rev->id) :
				 list_length(rev->parents) > 1 ?
				 errhint("Downgrade to this revision with fleetmig.downgrade('%s'), run its downgrade section through psql outside a transaction block, then stamp each of its parents (%s) with fleetmig.stamp().",
						 rev->id, below) :
				 errhint("Downgrade to this revision with fleetmig.downgrade('%s'), run its downgrade section through psql outside a transaction block, then record it with fleetmig.stamp('%s').",
						 rev->id, below)));
	}
}
