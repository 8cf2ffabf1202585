/*-------------------------------------------------------------------------
 *
 * authoring.h
 *	  Writing new migration files for create() and merge().
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLEETMIG_AUTHORING_H
#define FLEETMIG_AUTHORING_H

#include "project.h"

extern void authoring_check_privilege(void);
extern char *authoring_write(Project *project, const char *message,
							 List *parents, List *labels, List *depends_on,
							 const char *upgrades, const char *downgrades);

#endif							/* FLEETMIG_AUTHORING_H */
