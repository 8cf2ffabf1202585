/*
 * shim.h
 *	  What the fuzz harness needs from shim.c besides the PostgreSQL
 *	  functions it defines: a way to catch ereport(ERROR), the error that
 *	  was caught, and the per-input reset of every palloc'd chunk.
 */
#ifndef FLEETMIG_FUZZ_SHIM_H
#define FLEETMIG_FUZZ_SHIM_H

#include <setjmp.h>

/* The last error raised by ereport(), formatted; strings live in the arena */
typedef struct ShimError
{
	int			elevel;
	int			sqlerrcode;
	const char *message;
	const char *detail;
	const char *hint;
	const char *filename;		/* where ereport() was called */
	int			lineno;
} ShimError;

/*
 * Where ereport(ERROR) jumps to.  The harness sets it around each call into
 * the parser; an ERROR raised while it is NULL aborts (a crash).
 */
extern jmp_buf *shim_error_jump;

/* The error caught last, or NULL if none since the last reset */
extern const ShimError *shim_last_error(void);

/* Free every chunk palloc'd since the last reset, and forget the error */
extern void shim_arena_reset(void);

/* Chunks currently allocated (for the harness's own sanity checks) */
extern long shim_arena_chunks(void);

/*
 * Calls of ProcessInterrupts() so far: CHECK_FOR_INTERRUPTS() makes one
 * whenever InterruptPending is set
 */
extern long shim_interrupt_checks(void);

#endif							/* FLEETMIG_FUZZ_SHIM_H */
