/*-------------------------------------------------------------------------
 *
 * roundtrip.c
 *	  test_roundtrip(): "test migrations both ways", done by the server
 *	  (SPEC §10).  Inside a subtransaction that is always rolled back, each
 *	  revision from the current state to the target is upgraded, downgraded
 *	  and upgraded again, and the schema after the downgrade is compared
 *	  with the schema before the upgrade.  The downgrade and the second
 *	  upgrade run in a subtransaction of their own, rolled back too, so a
 *	  faulty downgrade cannot stop the revisions above from being tested.  Nothing survives the call:
 *	  fleetmig.version and fleetmig.log are not even written.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "catalog.h"
#include "project.h"
#include "runner.h"
#include "srf.h"
#include "subxact.h"
#include "state.h"

PG_FUNCTION_INFO_V1(fleetmig_test_roundtrip);

/*
 * Run one step in a subtransaction of its own; returns NULL when it worked,
 * or the error message (the subtransaction is then rolled back).
 */
static char *
try_step(Step *step)
{
	Subxact		sub;
	char	   *volatile failure = NULL;

	subxact_begin(&sub);
	PG_TRY();
	{
		runner_run_step(step, NULL);
		subxact_commit(&sub);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(sub.cxt);
		edata = CopyErrorData();
		FlushErrorState();
		subxact_rollback(&sub);
		failure = edata->message;
	}
	PG_END_TRY();
	return failure;
}

/*
 * With the revision upgraded: downgrade it, compare the schema with
 * "before", upgrade it again; all in a subtransaction that is always rolled
 * back, so the chain goes on from the upgraded state whatever happens.
 * Returns the problem found, or NULL.
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

		runner_run_step(&down, NULL);
		difference = catalog_difference(before, catalog_snapshot());
		if (difference != NULL)
			problem = psprintf("the downgrade does not undo the upgrade: %s", difference);
		else
		{
			phase = "upgrade after the downgrade";
			runner_run_step(up, NULL);
		}
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(sub.cxt);
		edata = CopyErrorData();
		FlushErrorState();
		problem = psprintf("%s failed: %s", phase, edata->message);
	}
	PG_END_TRY();
	subxact_rollback(&sub);
	return problem;
}

/*
 * Round-trip one revision: upgrade it (kept, for the revisions above), then
 * probe its downgrade.  Returns the problem found, or NULL; *stop is set
 * when the upgrade itself failed and the chain cannot go on.
 */
static char *
roundtrip_one(Step *up, bool *stop)
{
	List	   *before = catalog_snapshot();
	char	   *failure;

	*stop = false;
	failure = try_step(up);
	if (failure != NULL)
	{
		*stop = true;
		return psprintf("upgrade failed: %s", failure);
	}
	if (!up->revision->downgrade.present)
		return pstrdup("irreversible: the file has no downgrade section");
	return probe_downgrade(up, before);
}

/*
 * test_roundtrip(target): one row per revision from the current state to
 * the target: revision, ok, problem.
 */
Datum
fleetmig_test_roundtrip(PG_FUNCTION_ARGS)
{
	char	   *spec = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ReturnSetInfo *rsinfo = srf_begin(fcinfo);
	Subxact		sub;
	Project    *project;
	List	   *steps;
	List	   *problems = NIL;
	ListCell   *lc;
	ListCell   *lc2;
	bool		stopped = false;

	state_lock();
	project = project_load(true);
	steps = project_plan(project, spec, STEP_UPGRADE);

	subxact_begin(&sub);
	PG_TRY();
	{
		foreach(lc, steps)
		{
			CHECK_FOR_INTERRUPTS();
			if (stopped)
				problems = lappend(problems, "not tested: an earlier revision could not be upgraded");
			else
				problems = lappend(problems, roundtrip_one(lfirst(lc), &stopped));
		}
	}
	PG_CATCH();
	{
		subxact_rollback(&sub);
		PG_RE_THROW();
	}
	PG_END_TRY();

	/* whatever happened, nothing stays */
	subxact_rollback(&sub);

	forboth(lc, steps, lc2, problems)
	{
		char	   *problem = lfirst(lc2);
		Datum		values[3];
		bool		nulls[3] = {0};

		values[0] = CStringGetTextDatum(((Step *) lfirst(lc))->revision->id);
		values[1] = BoolGetDatum(problem == NULL);
		values[2] = problem ? CStringGetTextDatum(problem) : (Datum) 0;
		nulls[2] = (problem == NULL);
		srf_put(rsinfo, values, nulls);
	}
	return (Datum) 0;
}
