/*-------------------------------------------------------------------------
 *
 * catalog.h
 *	  Schema snapshots and their differences, for round-trip testing.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLEETMIG_CATALOG_H
#define FLEETMIG_CATALOG_H

#include "nodes/pg_list.h"

extern List *catalog_snapshot(void);
extern char *catalog_difference(List *before, List *after);

#endif							/* FLEETMIG_CATALOG_H */
