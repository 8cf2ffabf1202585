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

/* Called with each step's report, in order, while the dry run goes on */
typedef void (*DryRunReport) (DryRunStep *step, void *arg);

extern void dryrun_steps(List *steps, DryRunReport report, void *arg);

#endif							/* FLEETMIG_DRYRUN_H */
