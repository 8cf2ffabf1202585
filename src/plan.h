/*-------------------------------------------------------------------------
 *
 * plan.h
 *	  From the current heads and a target to the new state: which rows
 *	  fleetmig.version holds afterwards.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLEETMIG_PLAN_H
#define FLEETMIG_PLAN_H

#include "target.h"

extern List *plan_heads_of(RevisionMap *map, List *applied_revisions);
extern List *plan_stamp(RevisionMap *map, List *current, Target *target);

#endif							/* FLEETMIG_PLAN_H */
