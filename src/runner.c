/*-------------------------------------------------------------------------
 *
 * runner.c
 *	  Run one step of an upgrade or downgrade inside the caller's
 *	  transaction: announce it, run its statements through SPI as the
 *	  calling role with an error context naming the revision, file and line,
 *	  then record it in fleetmig.version and fleetmig.log (SPEC §5, §6, §8).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "storage/latch.h"
#include "utils/guc.h"
#include "utils/wait_event.h"
#include "utils/timestamp.h"

#include "checksum.h"
#include "fleetmig.h"
#include "runner.h"
#include "scriptdir.h"
#include "state.h"
#include "statewriter.h"
#include "statements.h"
#include "subxact.h"

/* Where a running step is, for the error context */
typedef struct RunnerContext
{
	Revision   *rev;
	const char *section;		/* upgrade, downgrade or verify */
	int			line;			/* line of the running statement */
} RunnerContext;

static void runner_error_callback(void *arg);
static void run_section(RunnerContext *cx, ScriptSection *section);

static void
runner_error_callback(void *arg)
{
	RunnerContext *cx = (RunnerContext *) arg;

	errcontext("revision %s (%s), file \"%s\", line %d",
			   cx->rev->id, cx->section, cx->rev->filename, cx->line);
}

/*
 * Run the statements of a section, checked before, one by one through SPI.
 * Each keeps its own SQLSTATE and message on error and gains the CONTEXT
 * line.
 */
static void
run_section(RunnerContext *cx, ScriptSection *section)
{
	ErrorContextCallback callback;
	StatementScan *scan;
	Statement  *st;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	scan = statements_open(cx->rev, section, false);
	callback.callback = runner_error_callback;
	callback.arg = cx;
	callback.previous = error_context_stack;
	error_context_stack = &callback;

	while ((st = statements_next(scan)) != NULL)
	{
		int			rc;

		CHECK_FOR_INTERRUPTS();
		cx->line = st->line;
		statements_recheck(cx->rev, st);
		rc = SPI_execute(st->sql, false, 0);
		if (rc < 0)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("statement cannot run in a migration: %s",
							SPI_result_code_string(rc))));
		/* a data migration's results are not kept past its statement */
		SPI_freetuptable(SPI_tuptable);
	}

	error_context_stack = callback.previous;
	statements_close(scan);
	SPI_finish();
}

/*
 * Run one step.  "applied" (by Revision.order) is the applied set before
 * the step and is updated to the set after it; the step's rows for
 * fleetmig.version and fleetmig.log join "writer", which the caller
 * flushes.  With applied NULL nothing is recorded (dry runs and round-trip
 * testing, which roll everything back).  Returns the duration.
 */
Interval *
runner_run_step(Step *step, bool *applied, StateWriter *writer)
{
	Revision   *rev = step->revision;
	bool		up = (step->direction == STEP_UPGRADE);
	RunnerContext cx = {rev, up ? "upgrade" : "downgrade", 0};
	TimestampTz started = GetCurrentTimestamp();
	ScriptSection *section = up ? &rev->upgrade : &rev->downgrade;
	bool		verify = up && rev->verify.present;
	List	   *remove;
	List	   *add;
	StateLogRow log;
	Interval   *duration = palloc0(sizeof(Interval));

	if (rev->message != NULL)
		ereport(NOTICE,
				(errmsg("running %s %s -> %s, %s", cx.section,
						plan_step_origin(step), plan_step_destination(step), rev->message)));
	else
		ereport(NOTICE,
				(errmsg("running %s %s -> %s", cx.section,
						plan_step_origin(step), plan_step_destination(step))));

	/* every statement is checked before the first one runs */
	statements_check(rev, section);
	if (verify)
		statements_check(rev, &rev->verify);

	run_section(&cx, section);
	cx.section = "verify";
	if (verify)
		run_section(&cx, &rev->verify);

	duration->time = GetCurrentTimestamp() - started;
	if (applied == NULL)
		return duration;
	plan_step_rows(step, applied, &remove, &add);
	log.revision = rev->id;
	log.direction = up ? "upgrade" : "downgrade";
	log.checksum = checksum_sha256_hex(rev->text, rev->text_len);
	log.script = scriptdir_file_text(rev);
	log.applied_at = started;
	log.duration = duration;
	state_writer_add(writer, revmap_ids(remove), revmap_ids(add), &log);
	return duration;
}

/*
 * Run one step as runner_run_step() does; with fleetmig.step_lock_timeout
 * or fleetmig.step_retries set, in a subtransaction of its own under that
 * lock_timeout, so that a lock timeout rolls back the step alone, which is
 * then retried after a backoff (SPEC §8).  Other errors are never retried.
 */
Interval *
runner_run_step_retrying(Step *step, bool *applied, int nrevisions,
						 StateWriter *writer)
{
	bool	   *saved;

	if (fleetmig_step_lock_timeout <= 0 && fleetmig_step_retries <= 0)
		return runner_run_step(step, applied, writer);
	saved = palloc(Max(nrevisions, 1) * sizeof(bool));

	for (int attempt = 0;; attempt++)
	{
		Interval   *volatile duration = NULL;
		Subxact		sub;
		long		backoff;

		memcpy(saved, applied, nrevisions * sizeof(bool));
		subxact_begin(&sub);
		PG_TRY();
		{
			int			nest = NewGUCNestLevel();

			if (fleetmig_step_lock_timeout > 0)
				(void) set_config_option("lock_timeout",
										 psprintf("%d", fleetmig_step_lock_timeout),
										 PGC_USERSET, PGC_S_SESSION,
										 GUC_ACTION_SAVE, true, 0, false);
			duration = runner_run_step(step, applied, writer);
			AtEOXact_GUC(true, nest);
			subxact_commit(&sub);
		}
		PG_CATCH();
		{
			ErrorData  *edata;

			MemoryContextSwitchTo(sub.cxt);
			edata = CopyErrorData();
			if (edata->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE)
			{
				subxact_rollback(&sub);
				PG_RE_THROW();
			}
			FlushErrorState();
			subxact_rollback(&sub);
			memcpy(applied, saved, nrevisions * sizeof(bool));
		}
		PG_END_TRY();

		if (duration != NULL)
			return duration;
		if (attempt >= fleetmig_step_retries)
			ereport(ERROR,
					(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
					 errmsg("revision \"%s\" could not take its locks within %d ms, %d time%s",
							step->revision->id, fleetmig_step_lock_timeout,
							attempt + 1, attempt == 0 ? "" : "s"),
					 errdetail("File \"%s\". The call stops at this step.",
							   step->revision->filename),
					 errhint("Look in pg_locks for the sessions holding locks on the tables this step alters, or raise fleetmig.step_lock_timeout or fleetmig.step_retries.")));

		/* back off: the lock timeout, doubled on each retry, at most 10 s */
		backoff = Min((long) Max(fleetmig_step_lock_timeout, 10) << Min(attempt, 20), 10000L);
		ereport(NOTICE,
				(errmsg("lock timeout in %s of revision %s, retry %d of %d in %ld ms",
						step->direction == STEP_UPGRADE ? "upgrade" : "downgrade",
						step->revision->id, attempt + 1, fleetmig_step_retries, backoff)));
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 backoff, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}
