/*-------------------------------------------------------------------------
 *
 * roundtrip.c
 *	  test_roundtrip(): "test migrations both ways", done by the server
 *	  (SPEC §10).  Inside a subtransaction that is always rolled back, each
 *	  revision from the current state to the target is upgraded, downgraded
 *	  and upgraded again, and the schema after the downgrade is compared
 *	  with the schema before the upgrade.  The downgrade and the second
 *	  upgrade run in a subtransaction of their own, rolled back too, so a
 *	  faulty downgrade cannot stop the revisions above from being tested.
 *	  Nothing survives the call: fleetmig.version and fleetmig.log are not
 *	  even written.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "args.h"
#include "catalog.h"
#include "project.h"
#include "runner.h"
#include "srf.h"
#include "subxact.h"
#include "state.h"

PG_FUNCTION_INFO_V1(fleetmig_test_roundtrip);

/*
 * With the revision upgraded: downgrade it, compare the schema with
 * "before", upgrade it again; all in a subtransaction that is always rolled
 * back, so the chain goes on from the upgraded state whatever happens.
 * Returns the problem found, or NULL.  A cancel is not a problem: it ends
 * the call.
 */
static char *
probe_downgrade(Step *up, List *before)
{
	Subxact		sub;
	Step		down = {up->revision, STEP_DOWNGRADE};
	const char *volatile phase = "downgrade";
	char	   *volatile problem = NULL;

	subxact_begin(&sub);
	PG_TRY();
	{
		char	   *difference;

		runner_run_step(&down, NULL, NULL);
		difference = catalog_difference(before, catalog_snapshot());
		if (difference != NULL)
			problem = psprintf("the downgrade does not undo the upgrade: %s", difference);
		else
		{
			phase = "upgrade after the downgrade";
			runner_run_step(up, NULL, NULL);
		}
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(sub.cxt);
		edata = CopyErrorData();
		if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED)
		{
			subxact_rollback(&sub);
			PG_RE_THROW();
		}
		FlushErrorState();
		subxact_rollback(&sub);
		return psprintf("%s failed: %s", phase, edata->message);
	}
	PG_END_TRY();
	subxact_rollback(&sub);
	return problem;
}

/*
 * test_roundtrip(target): one row per revision from the current state to
 * the target: revision, ok, problem.
 */
Datum
fleetmig_test_roundtrip(PG_FUNCTION_ARGS)
{
	char	   *spec = args_text(fcinfo, 0, "target");
	ReturnSetInfo *rsinfo = srf_begin(fcinfo);
	Subxact		sub;
	Project    *project;
	List	   *steps;
	List	   *volatile problems = NIL;
	MemoryContext revision_cxt;
	ListCell   *lc;
	int			i = 0;

	state_lock();
	project = project_load(true);
	steps = project_plan(project, spec, STEP_UPGRADE);
	revision_cxt = AllocSetContextCreate(CurrentMemoryContext, "fleetmig roundtrip",
										 ALLOCSET_DEFAULT_SIZES);

	/*
	 * The upgrades stay in this subtransaction, which is rolled back at the
	 * end; an upgrade that fails ends the walk.
	 */
	subxact_begin(&sub);
	PG_TRY();
	{
		foreach(lc, steps)
		{
			Step	   *step = lfirst(lc);
			MemoryContext old;
			List	   *before;
			char	   *problem;

			CHECK_FOR_INTERRUPTS();
			old = MemoryContextSwitchTo(revision_cxt);
			before = catalog_snapshot();
			runner_run_step(step, NULL, NULL);
			if (!step->revision->downgrade.present)
				problem = "irreversible: the file has no downgrade section";
			else
				problem = probe_downgrade(step, before);
			MemoryContextSwitchTo(old);
			problems = lappend(problems, problem ? pstrdup(problem) : NULL);
			MemoryContextReset(revision_cxt);
		}
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(sub.cxt);
		edata = CopyErrorData();
		if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED)
		{
			subxact_rollback(&sub);
			PG_RE_THROW();
		}
		FlushErrorState();
		problems = lappend(problems, psprintf("upgrade failed: %s", edata->message));
	}
	PG_END_TRY();

	/* whatever happened, nothing stays */
	subxact_rollback(&sub);
	MemoryContextDelete(revision_cxt);

	foreach(lc, steps)
	{
		char	   *problem = (i < list_length(problems)) ? list_nth(problems, i) :
			"not tested: an earlier revision could not be upgraded";
		Datum		values[3];
		bool		nulls[3] = {0};

		values[0] = CStringGetTextDatum(((Step *) lfirst(lc))->revision->id);
		values[1] = BoolGetDatum(problem == NULL);
		values[2] = problem ? CStringGetTextDatum(problem) : (Datum) 0;
		nulls[2] = (problem == NULL);
		srf_put(rsinfo, values, nulls);
		i++;
	}
	return (Datum) 0;
}
