/*-------------------------------------------------------------------------
 *
 * plan.c
 *	  Work out the state a command leads to (SPEC §4, §6).  No SPI: the
 *	  current heads come in, the new heads go out.
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
 * The heads after stamp(target): rows related to the target (its ancestors
 * or descendants) are replaced by the target; unrelated rows stay.  A base
 * target removes the rows above its scope, or all of them.
 */
List *
plan_stamp(RevisionMap *map, List *current, Target *target)
{
	bool	   *above = revmap_new_mask(map);
	bool	   *below = revmap_new_mask(map);
	List	   *keep = NIL;
	ListCell   *lc;

	if (target->is_base && target->base_scope == NIL)
		return NIL;

	/* separate masks: each walk stops at revisions it has already marked */
	foreach(lc, target->is_base ? target->base_scope : target->revisions)
	{
		revmap_mark_descendants(map, lfirst(lc), above, true);
		if (!target->is_base)
			revmap_mark_ancestors(map, lfirst(lc), below, true);
	}

	foreach(lc, current)
	{
		Revision   *rev = lfirst(lc);

		if (!above[rev->order] && !below[rev->order])
			keep = lappend(keep, rev);
	}
	if (!target->is_base)
		keep = list_concat(keep, target->revisions);
	return plan_heads_of(map, keep);
}
