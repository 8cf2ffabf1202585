/*-------------------------------------------------------------------------
 *
 * plan.h
 *	  From the current heads and a target to the steps that lead there and
 *	  the rows fleetmig.version holds on the way.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLEETMIG_PLAN_H
#define FLEETMIG_PLAN_H

#include "target.h"

typedef enum StepDirection
{
	STEP_UPGRADE,
	STEP_DOWNGRADE
} StepDirection;

/* One revision to run, one way */
typedef struct Step
{
	Revision   *revision;
	StepDirection direction;
} Step;

extern List *plan_heads_of(RevisionMap *map, List *applied_revisions);
extern List *plan_stamp(RevisionMap *map, List *current, Target *target);
extern List *plan_upgrade(RevisionMap *map, List *current, Target *target);
extern List *plan_downgrade(RevisionMap *map, List *current, Target *target,
							const char *spec);
extern void plan_step_rows(Step *step, bool *applied, List **remove,
						   List **add);
extern void plan_check_transactional(List *steps);
extern char *plan_step_origin(Step *step);
extern char *plan_step_destination(Step *step);

#endif							/* FLEETMIG_PLAN_H */
