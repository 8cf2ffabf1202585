/*-------------------------------------------------------------------------
 *
 * modelguard.h
 *	  What a model file may say, vetted before it runs, and the search_path
 *	  autogenerate runs under (SPEC §9).
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLEETMIG_MODELGUARD_H
#define FLEETMIG_MODELGUARD_H

#include "nodes/parsenodes.h"

/* One statement of a model file, and the schemas it is judged against */
typedef struct ModelGuard
{
	Oid			scratch;		/* the scratch schema the model is loaded into */
	const char *scratch_name;
	Oid			live;			/* the live schema it is compared with */
	const char *text;			/* the model file's text */
	int			start;			/* offset of the statement in it */
	List	   *ctes;			/* names of the statement's WITH queries */
} ModelGuard;

extern void modelguard_check(ModelGuard *guard, Node *stmt);
extern int	modelguard_path_begin(Oid schema, bool model_first);

#endif							/* FLEETMIG_MODELGUARD_H */
