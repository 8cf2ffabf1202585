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
#include "statewriter.h"

extern Interval *runner_run_step(Step *step, bool *applied,
								 StateWriter *writer);
extern Interval *runner_run_step_retrying(Step *step, bool *applied,
										  int nrevisions, StateWriter *writer);

#endif							/* FLEETMIG_RUNNER_H */
