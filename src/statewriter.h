/*-------------------------------------------------------------------------
 *
 * statewriter.h
 *	  The state changes of the steps of one call, written to
 *	  fleetmig.version and fleetmig.log in batches.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLEETMIG_STATEWRITER_H
#define FLEETMIG_STATEWRITER_H

#include "nodes/pg_list.h"

#include "state.h"

/* Steps, and bytes of their files, held before they are written */
#define STATE_WRITER_MAX_ROWS 64
#define STATE_WRITER_MAX_BYTES ((Size) 1024 * 1024)

typedef struct StateWriter
{
	MemoryContext cxt;			/* holds what is pending */
	List	   *remove;			/* of char *: version rows to delete */
	List	   *add;			/* of char *: version rows to insert */
	List	   *log;			/* of StateLogRow * */
	Size		bytes;			/* of the pending log rows' scripts */
} StateWriter;

extern void state_writer_init(StateWriter *w);
extern void state_writer_add(StateWriter *w, List *remove, List *add,
							 const StateLogRow *row);
extern bool state_writer_full(const StateWriter *w);
extern void state_writer_flush(StateWriter *w);

#endif							/* FLEETMIG_STATEWRITER_H */
