/*-------------------------------------------------------------------------
 *
 * dryrun.h
 *	  Dry runs of upgrades and downgrades: the steps run and rolled back.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLEETMIG_DRYRUN_H
#define FLEETMIG_DRYRUN_H

#include "plan.h"

/* What one step did in a dry run */
typedef struct DryRunStep
{
	Step	   *step;
	Interval   *duration;
	List	   *locks;			/* of char *: "public.drivers AccessExclusiveLock" */
	List	   *rewrites;		/* of char *: tables rewritten */
} DryRunStep;

extern List *dryrun_steps(List *steps);

#endif							/* FLEETMIG_DRYRUN_H */
