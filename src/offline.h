/*-------------------------------------------------------------------------
 *
 * offline.h
 *	  Offline SQL scripts for upgrade_sql() and downgrade_sql().  Building
 *	  one frees the texts of the revisions it runs (see offline_script()).
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLEETMIG_OFFLINE_H
#define FLEETMIG_OFFLINE_H

#include "plan.h"

extern text *offline_script(RevisionMap *map, List *from, List *steps,
							const char *spec, StepDirection direction);

#endif							/* FLEETMIG_OFFLINE_H */
