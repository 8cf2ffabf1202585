/*-------------------------------------------------------------------------
 *
 * statewriter.c
 *	  Collect the version and log rows of the steps of one call and write
 *	  them with one statement per batch (SPEC §6, §11).
 *
 * Within one call every step runs in the caller's transaction, so writing
 * the rows of several steps together leaves the same state at the end of
 * the call as writing each at once: what one step adds to fleetmig.version
 * and a later one removes is never written.  The caller flushes between
 * steps, outside any step's subtransaction, when the batch is full, and at
 * the end of the call or before it commits.
 *
 * Revision ids and file texts are the project's, which outlive the call's
 * steps; only the pointers, the checksum and the duration are copied.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/memutils.h"

#include "statewriter.h"

static List *cancel_or_append(List *pending, List **other, const char *id);

void
state_writer_init(StateWriter *w)
{
	w->cxt = AllocSetContextCreate(CurrentMemoryContext, "fleetmig state writer",
								   ALLOCSET_SMALL_SIZES);
	w->remove = NIL;
	w->add = NIL;
	w->log = NIL;
	w->bytes = 0;
}

/*
 * Note that "id" is to be removed (or added): it cancels its pending
 * opposite in "other" when there is one, or joins "pending".
 */
static List *
cancel_or_append(List *pending, List **other, const char *id)
{
	ListCell   *lc;

	foreach(lc, *other)
	{
		if (strcmp(lfirst(lc), id) == 0)
		{
			*other = foreach_delete_current(*other, lc);
			return pending;
		}
	}
	return lappend(pending, (char *) id);
}

/*
 * One step's changes: the version rows it removes and adds, and its log
 * row.
 */
void
state_writer_add(StateWriter *w, List *remove, List *add, const StateLogRow *row)
{
	MemoryContext old = MemoryContextSwitchTo(w->cxt);
	StateLogRow *copy = palloc(sizeof(StateLogRow));
	ListCell   *lc;

	foreach(lc, remove)
		w->remove = cancel_or_append(w->remove, &w->add, lfirst(lc));
	foreach(lc, add)
		w->add = cancel_or_append(w->add, &w->remove, lfirst(lc));
	*copy = *row;
	copy->checksum = row->checksum ? pstrdup(row->checksum) : NULL;
	if (row->duration)
	{
		copy->duration = palloc(sizeof(Interval));
		*copy->duration = *row->duration;
	}
	w->log = lappend(w->log, copy);
	if (row->script)
		w->bytes += VARSIZE_ANY_EXHDR(row->script);
	MemoryContextSwitchTo(old);
}

bool
state_writer_full(const StateWriter *w)
{
	return list_length(w->log) >= STATE_WRITER_MAX_ROWS ||
		w->bytes >= STATE_WRITER_MAX_BYTES;
}

/*
 * Write what is pending, if anything, and start an empty batch.
 */
void
state_writer_flush(StateWriter *w)
{
	if (w->log == NIL)
		return;
	if (w->bytes < STATE_WRITER_MAX_BYTES || list_length(w->log) == 1)
		state_apply(w->remove, w->add, w->log);
	else
	{
		ListCell   *lc;

		/* big files one by one, so that no array holds a copy of them */
		foreach(lc, w->log)
		{
			bool		first = (foreach_current_index(lc) == 0);

			state_apply(first ? w->remove : NIL, first ? w->add : NIL,
						list_make1(lfirst(lc)));
		}
	}
	MemoryContextReset(w->cxt);
	w->remove = NIL;
	w->add = NIL;
	w->log = NIL;
	w->bytes = 0;
}
