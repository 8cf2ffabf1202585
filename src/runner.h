/*-------------------------------------------------------------------------
 *
 * runner.h
 *	  Running one step of an upgrade or downgrade.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLEETMIG_RUNNER_H
#define FLEETMIG_RUNNER_H

#include "datatype/timestamp.h"

#include "plan.h"

extern Interval *runner_run_step(Step *step, bool *applied);
extern Interval *runner_run_step_retrying(Step *step, bool *applied,
										  int nrevisions);

#endif							/* FLEETMIG_RUNNER_H */
