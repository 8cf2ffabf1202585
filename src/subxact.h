/*-------------------------------------------------------------------------
 *
 * subxact.h
 *	  Internal subtransactions the PL/pgSQL way, with the caller's memory
 *	  context and resource owner restored after each.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLEETMIG_SUBXACT_H
#define FLEETMIG_SUBXACT_H

#include "utils/resowner.h"

typedef struct Subxact
{
	MemoryContext cxt;
	ResourceOwner owner;
	int			level;			/* transaction nest level before it began */
} Subxact;

extern void subxact_begin(Subxact *s);
extern void subxact_commit(Subxact *s);
extern void subxact_rollback(Subxact *s);

#endif							/* FLEETMIG_SUBXACT_H */
