/*-------------------------------------------------------------------------
 *
 * stepwise.c
 *	  CALL fleetmig.upgrade_each() and downgrade_each(): commit after every
 *	  step, for long chains and big data migrations (SPEC §8).
 *
 * A C procedure with non-atomic SPI: the plan is made once, in memory that
 * lives across the commits, under a session-level lock on fleetmig.version
 * held for the whole call and released on return and on error.  After a failure in
 * step k, the steps before k stay committed.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "args.h"
#include "project.h"
#include "runner.h"
#include "state.h"

PG_FUNCTION_INFO_V1(fleetmig_upgrade_each);
PG_FUNCTION_INFO_V1(fleetmig_downgrade_each);

/*
 * Run the steps to "spec", committing after each.
 */
static void
run_each(FunctionCallInfo fcinfo, StepDirection direction)
{
	const char *name = (direction == STEP_UPGRADE) ? "upgrade" : "downgrade";
	char	   *spec;
	Project    *project;
	List	   *steps;
	ListCell   *lc;

	if (fcinfo->context == NULL || !IsA(fcinfo->context, CallContext) ||
		castNode(CallContext, fcinfo->context)->atomic)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
				 errmsg("%s_each() cannot commit here", name),
				 errdetail("It commits after every step, which is not possible inside a transaction block or a function."),
				 errhint("Run CALL fleetmig.%s_each(...) on its own, or use SELECT * FROM fleetmig.%s(...) inside a transaction.",
						 name, name)));

	/* the procedure's SPI memory lives until it returns, across commits */
	if (SPI_connect_ext(SPI_OPT_NONATOMIC) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect_ext failed");
	spec = args_text(fcinfo, 0, "target");

	state_lock_session();
	PG_TRY();
	{
		MemoryContext step_cxt;
		StateWriter writer;

		/*
		 * The CALL's snapshot predates the wait for the lock: start afresh,
		 * so that the state read next includes what another deployer
		 * committed meanwhile, under any isolation level.
		 */
		SPI_commit();
		SPI_start_transaction();

		project = project_load(true);
		project_warn_if_empty(project);
		steps = project_plan(project, spec, direction);
		if (steps == NIL)
			ereport(NOTICE,
					(errmsg("nothing to %s", name),
					 project->current == NIL ? errdetail("The database is at base.") :
					 errdetail("The database is at %s.", revmap_id_list(project->current))));
		state_writer_init(&writer);
		step_cxt = AllocSetContextCreate(CurrentMemoryContext, "fleetmig step",
										 ALLOCSET_DEFAULT_SIZES);
		foreach(lc, steps)
		{
			MemoryContext old;

			CHECK_FOR_INTERRUPTS();
			old = MemoryContextSwitchTo(step_cxt);
			runner_run_step_retrying(lfirst(lc), project->applied,
									 project->map->nrevisions, &writer);
			state_writer_flush(&writer);
			MemoryContextSwitchTo(old);
			SPI_commit();
			SPI_start_transaction();
			MemoryContextReset(step_cxt);
		}
	}
	PG_FINALLY();
	{
		state_unlock_session();
	}
	PG_END_TRY();
	SPI_finish();
}

/*
 * CALL upgrade_each(target)
 */
Datum
fleetmig_upgrade_each(PG_FUNCTION_ARGS)
{
	run_each(fcinfo, STEP_UPGRADE);
	PG_RETURN_VOID();
}

/*
 * CALL downgrade_each(target)
 */
Datum
fleetmig_downgrade_each(PG_FUNCTION_ARGS)
{
	run_each(fcinfo, STEP_DOWNGRADE);
	PG_RETURN_VOID();
}
