/*-------------------------------------------------------------------------
 *
 * subxact.c
 *	  Internal subtransactions for the features that need them (per-step
 *	  lock timeouts, dry runs, round-trip testing), opened and closed the
 *	  PL/pgSQL way: the caller's memory context and resource owner are
 *	  restored whether the subtransaction is released or rolled back.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "utils/memutils.h"

#include "subxact.h"

/*
 * Start a subtransaction, staying in the caller's memory context.
 */
void
subxact_begin(Subxact *s)
{
	s->cxt = CurrentMemoryContext;
	s->owner = CurrentResourceOwner;
	s->level = GetCurrentTransactionNestLevel();
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(s->cxt);
}

/*
 * Keep what the subtransaction did.
 */
void
subxact_commit(Subxact *s)
{
	ReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(s->cxt);
	CurrentResourceOwner = s->owner;
}

/*
 * Undo what the subtransaction did; also the way out after an error.  Any
 * subtransaction an error left open inside it is rolled back too.
 */
void
subxact_rollback(Subxact *s)
{
	while (GetCurrentTransactionNestLevel() > s->level)
		RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(s->cxt);
	CurrentResourceOwner = s->owner;
}
