/*-------------------------------------------------------------------------
 *
 * commands.c
 *	  The SQL-callable functions of schema fleetmig (SPEC §5): argument
 *	  checks and result rows.  The work is done by project.c (loading),
 *	  target.c (targets), plan.c (new state) and state.c (tables).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "args.h"
#include "authoring.h"
#include "autogenerate.h"
#include "checksum.h"
#include "dryrun.h"
#include "fleetmig.h"
#include "plan.h"
#include "project.h"
#include "offline.h"
#include "runner.h"
#include "scriptdir.h"
#include "srf.h"
#include "state.h"

PG_FUNCTION_INFO_V1(fleetmig_heads);
PG_FUNCTION_INFO_V1(fleetmig_history);
PG_FUNCTION_INFO_V1(fleetmig_current);
PG_FUNCTION_INFO_V1(fleetmig_branches);
PG_FUNCTION_INFO_V1(fleetmig_show);
PG_FUNCTION_INFO_V1(fleetmig_stamp);
PG_FUNCTION_INFO_V1(fleetmig_help);
PG_FUNCTION_INFO_V1(fleetmig_upgrade);
PG_FUNCTION_INFO_V1(fleetmig_downgrade);
PG_FUNCTION_INFO_V1(fleetmig_init);
PG_FUNCTION_INFO_V1(fleetmig_create);
PG_FUNCTION_INFO_V1(fleetmig_merge);
PG_FUNCTION_INFO_V1(fleetmig_upgrade_sql);
PG_FUNCTION_INFO_V1(fleetmig_downgrade_sql);
PG_FUNCTION_INFO_V1(fleetmig_validate);
PG_FUNCTION_INFO_V1(fleetmig_check);

/*
 * A text[] of C strings.
 */
static Datum
text_array(List *strings)
{
	int			n = list_length(strings);
	Datum	   *elems = palloc(Max(n, 1) * sizeof(Datum));
	int			i = 0;
	ListCell   *lc;

	foreach(lc, strings)
		elems[i++] = CStringGetTextDatum(lfirst(lc));
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false,
										   TYPALIGN_INT));
}

static Datum
nullable_text(const char *s, bool *isnull)
{
	*isnull = (s == NULL);
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

static Datum
created_timestamp(Revision *rev, bool *isnull)
{
	*isnull = (rev->created == NULL);
	if (rev->created == NULL)
		return (Datum) 0;
	return DirectFunctionCall3(timestamp_in, CStringGetDatum(rev->created),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

/*
 * The header columns that history() and show() share: revision,
 * down_revisions, message, file, created, branch_labels, depends_on.
 */
#define HEADER_COLUMNS 7

static void
header_columns(Revision *rev, Datum *values, bool *nulls)
{
	values[0] = CStringGetTextDatum(rev->id);
	values[1] = text_array(rev->down_revisions);
	values[2] = nullable_text(rev->message, &nulls[2]);
	values[3] = CStringGetTextDatum(rev->filename);
	values[4] = created_timestamp(rev, &nulls[4]);
	values[5] = text_array(rev->branch_labels);
	values[6] = text_array(rev->depends_on);
}

/*
 * When each applied revision was applied: the time of its latest log row,
 * if that row put it in place (an upgrade, or a stamp that added it).
 * Indexed by Revision.order; 0 where unknown.
 */
static TimestampTz *
applied_times(Project *project)
{
	RevisionMap *map = project->map;
	TimestampTz *times = palloc0(Max(map->nrevisions, 1) * sizeof(TimestampTz));
	ListCell   *lc;

	foreach(lc, state_read_latest_log(false))
	{
		StateLogEntry *e = lfirst(lc);
		Revision   *rev = revmap_get(map, e->revision);

		if (rev == NULL || !project->applied[rev->order])
			continue;
		if (strcmp(e->direction, "upgrade") == 0 ||
			(strcmp(e->direction, "stamp") == 0 && e->has_checksum))
			times[rev->order] = e->applied_at;
	}
	return times;
}

/*
 * heads(): revision, message, branch_labels, is_current; newest first.
 */
Datum
fleetmig_heads(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = srf_begin(fcinfo);
	Project    *project = project_load(true);
	List	   *heads = project->map->heads;

	for (int i = list_length(heads) - 1; i >= 0; i--)
	{
		Revision   *rev = list_nth(heads, i);
		Datum		values[4];
		bool		nulls[4] = {0};

		values[0] = CStringGetTextDatum(rev->id);
		values[1] = nullable_text(rev->message, &nulls[1]);
		values[2] = text_array(rev->branch_labels);
		values[3] = BoolGetDatum(project->applied[rev->order]);
		srf_put(rsinfo, values, nulls);
	}
	return (Datum) 0;
}

/*
 * history(): every revision, newest first (the reverse topological order).
 */
Datum
fleetmig_history(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = srf_begin(fcinfo);
	Project    *project = project_load(true);
	RevisionMap *map = project->map;
	TimestampTz *times = applied_times(project);
	MemoryContext row_cxt = AllocSetContextCreate(CurrentMemoryContext, "fleetmig row",
												  ALLOCSET_SMALL_SIZES);

	for (int i = map->nrevisions - 1; i >= 0; i--)
	{
		Revision   *rev = map->revisions[i];
		Datum		values[HEADER_COLUMNS + 6];
		bool		nulls[HEADER_COLUMNS + 6] = {0};
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();
		/* a row's values are copied into the result: none outlives it */
		old = MemoryContextSwitchTo(row_cxt);
		header_columns(rev, values, nulls);
		values[HEADER_COLUMNS] = BoolGetDatum(rev->children == NIL);
		values[HEADER_COLUMNS + 1] = BoolGetDatum(rev->parents == NIL);
		values[HEADER_COLUMNS + 2] = BoolGetDatum(list_length(rev->parents) > 1);
		values[HEADER_COLUMNS + 3] = BoolGetDatum(list_length(rev->children) > 1);
		values[HEADER_COLUMNS + 4] = BoolGetDatum(project->applied[i]);
		values[HEADER_COLUMNS + 5] = TimestampTzGetDatum(times[i]);
		nulls[HEADER_COLUMNS + 5] = (times[i] == 0);
		srf_put(rsinfo, values, nulls);
		MemoryContextSwitchTo(old);
		MemoryContextReset(row_cxt);
	}
	MemoryContextDelete(row_cxt);
	return (Datum) 0;
}

/*
 * current(): one row per fleetmig.version row, newest first; a row that no
 * file defines gets a WARNING and NULL columns.
 */
Datum
fleetmig_current(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = srf_begin(fcinfo);
	Project    *project = project_load(true);
	ListCell   *lc;

	for (int i = list_length(project->current) - 1; i >= 0; i--)
	{
		Revision   *rev = list_nth(project->current, i);
		Datum		values[3];
		bool		nulls[3] = {0};

		values[0] = CStringGetTextDatum(rev->id);
		values[1] = nullable_text(rev->message, &nulls[1]);
		values[2] = BoolGetDatum(rev->children == NIL);
		srf_put(rsinfo, values, nulls);
	}
	foreach(lc, project->unknown)
	{
		Datum		values[3] = {CStringGetTextDatum(lfirst(lc)), 0, 0};
		bool		nulls[3] = {false, true, true};

		project_report_unknown(lfirst(lc), WARNING);
		srf_put(rsinfo, values, nulls);
	}
	return (Datum) 0;
}

/*
 * branches(): every branch point, newest first, with its children.
 */
Datum
fleetmig_branches(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = srf_begin(fcinfo);
	Project    *project = project_load(true);
	RevisionMap *map = project->map;

	for (int i = map->nrevisions - 1; i >= 0; i--)
	{
		Revision   *rev = map->revisions[i];
		Datum		values[3];
		bool		nulls[3] = {0};

		if (list_length(rev->children) < 2)
			continue;
		values[0] = CStringGetTextDatum(rev->id);
		values[1] = nullable_text(rev->message, &nulls[1]);
		values[2] = text_array(revmap_ids(revmap_sort(map, rev->children)));
		srf_put(rsinfo, values, nulls);
	}
	return (Datum) 0;
}

/*
 * show(target): metadata and SQL of each revision the target names.
 */
Datum
fleetmig_show(PG_FUNCTION_ARGS)
{
	char	   *spec = args_text(fcinfo, 0, "target");
	ReturnSetInfo *rsinfo = srf_begin(fcinfo);
	Project    *project = project_load(true);
	Target	   *target = target_resolve(project->map, spec, project->current,
										TARGET_ANY);
	ListCell   *lc;

	foreach(lc, target->revisions)
	{
		Revision   *rev = lfirst(lc);
		Datum		values[HEADER_COLUMNS + 2];
		bool		nulls[HEADER_COLUMNS + 2] = {0};

		header_columns(rev, values, nulls);
		values[HEADER_COLUMNS] =
			PointerGetDatum(cstring_to_text_with_len(rev->upgrade.sql, rev->upgrade.len));
		if (rev->downgrade.present)
			values[HEADER_COLUMNS + 1] =
				PointerGetDatum(cstring_to_text_with_len(rev->downgrade.sql,
														 rev->downgrade.len));
		else
			nulls[HEADER_COLUMNS + 1] = true;
		srf_put(rsinfo, values, nulls);
	}
	return (Datum) 0;
}

/*
 * A stamp's log row: with the file's checksum and text when it adds the
 * revision (rev given), without when it removes it.
 */
static StateLogRow *
stamp_log_row(const char *revision, Revision *rev, TimestampTz now)
{
	StateLogRow *row = palloc0(sizeof(StateLogRow));

	row->revision = revision;
	row->direction = "stamp";
	row->applied_at = now;
	if (rev != NULL)
	{
		row->checksum = checksum_sha256_hex(rev->text, rev->text_len);
		row->script = scriptdir_file_text(rev);
	}
	return row;
}

/*
 * stamp(target, purge): set fleetmig.version to the target without running
 * any SQL; one log row per row added or removed.  Returns the new heads.
 */
Datum
fleetmig_stamp(PG_FUNCTION_ARGS)
{
	char	   *spec = args_text(fcinfo, 0, "target");
	bool		purge = args_bool(fcinfo, 1, "purge");
	ReturnSetInfo *rsinfo = srf_begin(fcinfo);
	Project    *project;
	Target	   *target;
	List	   *old_heads;
	List	   *new_heads;
	List	   *remove = NIL;
	List	   *add = NIL;
	List	   *log = NIL;
	bool	   *mask;
	TimestampTz now;
	ListCell   *lc;

	state_lock();
	state_check_snapshot();
	now = GetCurrentTimestamp();
	project = project_load(true);
	if (purge)
	{
		foreach(lc, project->unknown)
		{
			remove = lappend(remove, lfirst(lc));
			log = lappend(log, stamp_log_row(lfirst(lc), NULL, now));
		}
	}
	else
		project_require_known(project);

	old_heads = purge ? NIL : project->current;
	target = target_resolve(project->map, spec, old_heads, TARGET_STAMP);
	new_heads = plan_stamp(project->map, old_heads, target);

	/*
	 * Never re-bless an edited file: neither one the stamp leaves applied or
	 * marks applied whose log holds the checksum it was applied with
	 * (stamped below it and back, say), nor, like upgrade(), one applied
	 * now, unless purge forgets the state.
	 */
	mask = project_applied_mask(project->map, new_heads);
	for (int i = 0; !purge && i < project->map->nrevisions; i++)
		mask[i] |= project->applied[i];
	project_verify_checksums_in(project, mask);

	foreach(lc, project->current)
	{
		Revision   *rev = lfirst(lc);

		if (list_member_ptr(new_heads, rev))
			continue;
		remove = lappend(remove, rev->id);
		log = lappend(log, stamp_log_row(rev->id, NULL, now));
	}
	foreach(lc, new_heads)
	{
		Revision   *rev = lfirst(lc);

		if (list_member_ptr(project->current, rev))
			continue;
		add = lappend(add, rev->id);
		log = lappend(log, stamp_log_row(rev->id, rev, now));
	}
	state_apply(remove, add, log);

	for (int i = list_length(new_heads) - 1; i >= 0; i--)
	{
		Revision   *rev = list_nth(new_heads, i);
		Datum		values[2];
		bool		nulls[2] = {0};

		values[0] = CStringGetTextDatum(rev->id);
		values[1] = nullable_text(rev->message, &nulls[1]);
		srf_put(rsinfo, values, nulls);
	}
	return (Datum) 0;
}

/* Where a dry run's rows go */
typedef struct DryRunOutput
{
	ReturnSetInfo *rsinfo;
	bool		up;
} DryRunOutput;

/*
 * One output row of a dry run, as its step ends.
 */
static void
put_dry_run_step(DryRunStep *r, void *arg)
{
	DryRunOutput *out = (DryRunOutput *) arg;
	Datum		values[6];
	bool		nulls[6] = {0};

	values[0] = CStringGetTextDatum(r->step->revision->id);
	values[1] = nullable_text(r->step->revision->message, &nulls[1]);
	values[2] = CStringGetTextDatum(out->up ? "upgrade" : "downgrade");
	values[3] = IntervalPGetDatum(r->duration);
	values[4] = text_array(r->locks);
	values[5] = text_array(r->rewrites);
	srf_put(out->rsinfo, values, nulls);
}

/*
 * Plan and run an upgrade or downgrade to "spec" in the caller's
 * transaction, one output row per step.
 */
static Datum
run_migration(FunctionCallInfo fcinfo, const char *spec, StepDirection direction,
			  bool dry_run)
{
	ReturnSetInfo *rsinfo;
	bool		up = (direction == STEP_UPGRADE);
	Project    *project;
	List	   *steps;
	MemoryContext step_cxt;
	StateWriter writer;
	ListCell   *lc;

	rsinfo = srf_begin(fcinfo);
	state_lock();
	state_check_snapshot();
	project = project_load(true);
	project_warn_if_empty(project);
	steps = project_plan(project, spec, direction);

	if (steps == NIL)
	{
		List	   *heads = project->current;

		ereport(NOTICE,
				(errmsg("nothing to %s", up ? "upgrade" : "downgrade"),
				 heads == NIL ? errdetail("The database is at base.") :
				 errdetail("The database is at %s.", revmap_id_list(heads))));
		return (Datum) 0;
	}

	if (dry_run)
	{
		DryRunOutput out = {rsinfo, up};

		dryrun_steps(steps, put_dry_run_step, &out);
		return (Datum) 0;
	}

	state_writer_init(&writer);
	step_cxt = AllocSetContextCreate(CurrentMemoryContext, "fleetmig step",
									 ALLOCSET_DEFAULT_SIZES);
	foreach(lc, steps)
	{
		Step	   *step = lfirst(lc);
		Datum		values[6];
		bool		nulls[6] = {false, false, false, false, true, true};
		MemoryContext old;
		Interval   *duration;

		CHECK_FOR_INTERRUPTS();
		old = MemoryContextSwitchTo(step_cxt);
		duration = runner_run_step_retrying(step, project->applied,
											project->map->nrevisions, &writer);
		if (state_writer_full(&writer))
			state_writer_flush(&writer);
		values[0] = CStringGetTextDatum(step->revision->id);
		values[1] = nullable_text(step->revision->message, &nulls[1]);
		values[2] = CStringGetTextDatum(up ? "upgrade" : "downgrade");
		values[3] = IntervalPGetDatum(duration);
		srf_put(rsinfo, values, nulls);
		MemoryContextSwitchTo(old);
		MemoryContextReset(step_cxt);
	}
	state_writer_flush(&writer);
	MemoryContextDelete(step_cxt);
	return (Datum) 0;
}

/*
 * upgrade(target, dry_run)
 */
Datum
fleetmig_upgrade(PG_FUNCTION_ARGS)
{
	return run_migration(fcinfo, args_text(fcinfo, 0, "target"),
						 STEP_UPGRADE, args_bool(fcinfo, 1, "dry_run"));
}

/*
 * downgrade(target, dry_run)
 */
Datum
fleetmig_downgrade(PG_FUNCTION_ARGS)
{
	return run_migration(fcinfo, args_text(fcinfo, 0, "target"),
						 STEP_DOWNGRADE, args_bool(fcinfo, 1, "dry_run"));
}

/*
 * init(): upgrade('heads'), as migrate.py init applies every migration.
 */
Datum
fleetmig_init(PG_FUNCTION_ARGS)
{
	return run_migration(fcinfo, "heads", STEP_UPGRADE, false);
}

/*
 * Autogenerate compares the model with the database as the migration's
 * parents leave it: the database must be at exactly those revisions, as
 * Alembic requires ("Target database is not up to date").
 */
static void
require_up_to_date(Project *project, Target *target, const char *spec)
{
	List	   *parents = target->is_base ? NIL : target->revisions;
	bool		same = list_length(parents) == list_length(project->current);
	ListCell   *lc;

	foreach(lc, parents)
	{
		if (!list_member_ptr(project->current, lfirst(lc)))
			same = false;
	}
	if (!same)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("target database is not up to date"),
				 errdetail("The database is at %s; the new migration would go on top of %s.",
						   project->current ? revmap_id_list(project->current) : "base",
						   parents ? revmap_id_list(parents) : "base"),
				 errhint("Upgrade first: SELECT * FROM fleetmig.upgrade('%s').", spec)));
}

/*
 * create(message, autogenerate, head, branch_label, depends_on): write a new
 * migration file on top of "head" and return its path.
 */
Datum
fleetmig_create(PG_FUNCTION_ARGS)
{
	char	   *message;
	char	   *head;
	bool		autogen;
	List	   *labels = NIL;
	List	   *depends_on = NIL;
	Project    *project;
	Target	   *target;
	Autogenerated *generated = NULL;
	char	   *path;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("a migration needs a message")));
	message = text_to_cstring(PG_GETARG_TEXT_PP(0));
	autogen = args_bool(fcinfo, 1, "autogenerate");
	head = args_text(fcinfo, 2, "head");
	if (!PG_ARGISNULL(3))
		labels = list_make1(text_to_cstring(PG_GETARG_TEXT_PP(3)));
	if (!PG_ARGISNULL(4))
		depends_on = args_text_array(fcinfo, 4, "depends_on");

	authoring_check_privilege();
	state_lock();
	project = project_load(true);
	target = target_resolve(project->map, head, project->current, TARGET_ANY);
	if (autogen)
	{
		require_up_to_date(project, target, head);
		generated = autogenerate();
		autogenerate_require_writable(generated);
		if (generated->upgrade->changes == NIL)
			ereport(NOTICE,
					(errmsg("schema \"%s\" matches the model: the new migration is empty",
							generated->schema)));
	}
	path = authoring_write(project, message,
						   target->is_base ? NIL : target->revisions,
						   labels, depends_on,
						   generated ? generated->upgrade->sql : "",
						   generated ? generated->downgrade->sql : "");
	if (generated)
		autogenerate_warn(generated);
	PG_RETURN_TEXT_P(cstring_to_text(path));
}

/*
 * merge(message, revisions): write a merge revision whose parents are the
 * revisions the targets name (all heads by default); at least two.
 */
Datum
fleetmig_merge(PG_FUNCTION_ARGS)
{
	char	   *message;
	List	   *specs;
	List	   *parents = NIL;
	Project    *project;
	bool	   *below;
	ListCell   *lc;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("a merge needs a message and revisions")));
	message = text_to_cstring(PG_GETARG_TEXT_PP(0));
	specs = args_text_array(fcinfo, 1, "revisions");
	authoring_check_privilege();
	state_lock();
	project = project_load(true);
	foreach(lc, specs)
	{
		Target	   *target = target_resolve(project->map, lfirst(lc),
											project->current, TARGET_ANY);

		parents = list_concat_unique_ptr(parents, target->revisions);
	}
	if (list_length(parents) < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a merge needs at least two revisions"),
				 parents == NIL ? errdetail("The revisions given name none.") :
				 errdetail("The revisions given name only %s.", revmap_id_list(parents)),
				 errhint("With one head there is nothing to merge.")));
	parents = revmap_sort(project->map, parents);
	below = revmap_new_mask(project->map);
	foreach(lc, parents)
	{
		Revision   *rev = lfirst(lc);
		ListCell   *lc2;

		foreach(lc2, rev->parents)
			revmap_mark_ancestors(project->map, lfirst(lc2), below, true);
	}
	foreach(lc, parents)
	{
		Revision   *rev = lfirst(lc);

		if (below[rev->order])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("revision \"%s\" is an ancestor of another revision to merge", rev->id),
					 errdetail("The revisions to merge are %s.", revmap_id_list(parents)),
					 errhint("Merge heads of separate branches; a revision and its descendant are already joined.")));
	}
	PG_RETURN_TEXT_P(cstring_to_text(authoring_write(project, message, parents,
													 NIL, NIL, "", "")));
}

/*
 * The script for upgrade_sql() and downgrade_sql(): from the database's
 * state, or from the revision(s) "from" names without reading the state.
 */
static Datum
offline(FunctionCallInfo fcinfo, StepDirection direction)
{
	char	   *spec;
	bool		up = (direction == STEP_UPGRADE);
	Project    *project;
	List	   *from;
	Target	   *target;
	List	   *steps;

	spec = args_text(fcinfo, 0, "target");
	project = project_load(PG_ARGISNULL(1));
	if (PG_ARGISNULL(1))
	{
		project_require_known(project);
		project_verify_checksums(project);
		from = project->current;
	}
	else
	{
		Target	   *start = target_resolve(project->map,
										   text_to_cstring(PG_GETARG_TEXT_PP(1)),
										   NIL, TARGET_ANY);

		from = start->is_base ? NIL : plan_heads_of(project->map, start->revisions);
	}
	target = target_resolve(project->map, spec, from, up ? TARGET_UP : TARGET_DOWN);
	steps = up ? plan_upgrade(project->map, from, target) :
		plan_downgrade(project->map, from, target, spec);
	PG_RETURN_TEXT_P(offline_script(project->map, from, steps, spec, direction));
}

/*
 * upgrade_sql(target, from_revision)
 */
Datum
fleetmig_upgrade_sql(PG_FUNCTION_ARGS)
{
	return offline(fcinfo, STEP_UPGRADE);
}

/*
 * downgrade_sql(target, from_revision)
 */
Datum
fleetmig_downgrade_sql(PG_FUNCTION_ARGS)
{
	return offline(fcinfo, STEP_DOWNGRADE);
}

static void
put_problem(ReturnSetInfo *rsinfo, const char *revision, const char *problem,
			const char *detail)
{
	Datum		values[3];
	bool		nulls[3] = {0};

	values[0] = CStringGetTextDatum(revision);
	values[1] = CStringGetTextDatum(problem);
	values[2] = CStringGetTextDatum(detail);
	srf_put(rsinfo, values, nulls);
}

/*
 * validate(): one row per problem: rows of fleetmig.version no file defines
 * (unknown), revisions the log says are applied whose file is gone
 * (missing), applied files edited since (edited, with the first changed
 * line), revisions without a downgrade section (irreversible).
 */
Datum
fleetmig_validate(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = srf_begin(fcinfo);
	Project    *project = project_load(true);
	RevisionMap *map = project->map;
	ListCell   *lc;

	foreach(lc, project->unknown)
		put_problem(rsinfo, lfirst(lc), "unknown",
					"fleetmig.version names it, but no file in the migrations directory defines it.");
	foreach(lc, state_read_latest_log(true))
	{
		StateLogEntry *e = lfirst(lc);
		bool		in_version = false;
		ListCell   *lc2;

		foreach(lc2, project->unknown)
			in_version |= (strcmp(lfirst(lc2), e->revision) == 0);
		if (revmap_get(map, e->revision) != NULL || in_version ||
			strcmp(e->direction, "downgrade") == 0 ||
			(strcmp(e->direction, "stamp") == 0 && !e->has_checksum))
			continue;
		put_problem(rsinfo, e->revision, "missing",
					"fleetmig.log last records it being applied, and no file in the migrations directory defines it.");
	}
	foreach(lc, project_edits(project))
	{
		ProjectEdit *edit = lfirst(lc);

		put_problem(rsinfo, edit->revision->id, "edited",
					project_describe_edit(edit));
	}
	for (int i = 0; i < map->nrevisions; i++)
	{
		Revision   *rev = map->revisions[i];

		if (!rev->downgrade.present)
			put_problem(rsinfo, rev->id, "irreversible",
						psprintf("File \"%s\" has no downgrade section.", rev->filename));
	}
	return (Datum) 0;
}

/*
 * "add table x; drop column y.z", at most 10 of them.
 */
static char *
join_words(List *words)
{
	StringInfoData buf;
	ListCell   *lc;
	int			n = 0;

	initStringInfo(&buf);
	foreach(lc, words)
	{
		if (n++ == 10)
		{
			appendStringInfo(&buf, "; and %d more", list_length(words) - 10);
			break;
		}
		appendStringInfo(&buf, "%s%s", buf.len > 0 ? "; " : "", (char *) lfirst(lc));
	}
	return buf.data;
}

/*
 * check(): an ERROR when fleetmig.version names a revision no file defines,
 * when an applied file was edited (unless verify_checksums is off), when
 * upgrades are pending, or when a models directory exists and the current
 * schema differs from it (unless fleetmig.check_drift is off; in a
 * read-only transaction the comparison cannot run, which is an error too);
 * nothing otherwise.
 */
Datum
fleetmig_check(PG_FUNCTION_ARGS)
{
	Project    *project = project_load(true);
	Target	   *heads;
	List	   *pending;
	Autogenerated *generated;

	project_require_known(project);
	project_verify_checksums(project);
	heads = target_resolve(project->map, "heads", project->current, TARGET_UP);
	pending = plan_upgrade(project->map, project->current, heads);
	if (pending != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg_plural("%d migration is not applied",
							   "%d migrations are not applied",
							   list_length(pending), list_length(pending)),
				 errdetail("The database is at %s; the heads are %s.",
						   project->current ? revmap_id_list(project->current) : "base",
						   revmap_id_list(heads->revisions)),
				 errhint("Run SELECT * FROM fleetmig.upgrade('heads'), or look at the steps first with fleetmig.upgrade_sql('heads').")));
	if (!fleetmig_check_drift || !scriptdir_models_exist())
		PG_RETURN_VOID();
	if (XactReadOnly || RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("cannot compare the schema with the model in a read-only transaction"),
				 errdetail("The comparison loads the model into a scratch schema, which a read-only transaction cannot create."),
				 errhint("Run check() on the primary in a read-write transaction, or SET fleetmig.check_drift = off to check only the migrations.")));
	generated = autogenerate();
	if (generated->upgrade->changes != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("schema \"%s\" does not match the model", generated->schema),
				 errdetail("The model would %s.", join_words(generated->upgrade->changes)),
				 errhint("Write the migration with SELECT fleetmig.create('<message>', autogenerate => true).")));
	PG_RETURN_VOID();
}

/*
 * help(): the commands, as migrate.py help lists them.
 */
Datum
fleetmig_help(PG_FUNCTION_ARGS)
{
	static const char *const rows[][3] = {
		{"current", "SELECT * FROM fleetmig.current();",
		"Show the revisions the database is at."},
		{"heads", "SELECT * FROM fleetmig.heads();",
		"Show the head revisions of the migrations directory."},
		{"history", "SELECT * FROM fleetmig.history();",
		"Show every revision, newest first, and which are applied."},
		{"branches", "SELECT * FROM fleetmig.branches();",
		"Show the branch points and their children."},
		{"show", "SELECT * FROM fleetmig.show('<target>');",
		"Show one revision: its header and its SQL."},
		{"stamp", "SELECT * FROM fleetmig.stamp('<target>', purge => false);",
		"Mark the database as being at a target without running any SQL."},
		{"init", "SELECT * FROM fleetmig.init();",
		"Apply every migration: upgrade to all heads."},
		{"upgrade", "SELECT * FROM fleetmig.upgrade('head');",
		"Run the upgrades up to a target (head, +N, a revision, a label@head) in this transaction."},
		{"downgrade", "SELECT * FROM fleetmig.downgrade('-1');",
		"Run the downgrades down to a target (-N, a revision, base) in this transaction."},
		{"create", "SELECT fleetmig.create('<message>');",
		"Write a new, empty migration file on top of the head."},
		{"autogenerate", "SELECT fleetmig.create('<message>', autogenerate => true);",
		"Write a migration with the DDL that turns the current schema into the model of fleetmig.models_dir."},
		{"merge", "SELECT fleetmig.merge('<message>');",
		"Write a merge revision that joins the heads."},
		{"upgrade_sql", "SELECT fleetmig.upgrade_sql('head');",
		"Print the script an upgrade would run, for review or for psql -1 -f."},
		{"downgrade_sql", "SELECT fleetmig.downgrade_sql('-1');",
		"Print the script a downgrade would run."},
		{"upgrade_each", "CALL fleetmig.upgrade_each('head');",
		"Upgrade committing after every step, for long chains and data migrations."},
		{"downgrade_each", "CALL fleetmig.downgrade_each('-1');",
		"Downgrade committing after every step."},
		{"test_roundtrip", "SELECT * FROM fleetmig.test_roundtrip('heads');",
		"Upgrade, downgrade and upgrade again each pending revision, comparing the schema; nothing stays."},
		{"check", "SELECT fleetmig.check();",
		"Fail when migrations are pending, an applied file was edited, or the schema differs from the model."},
		{"validate", "SELECT * FROM fleetmig.validate();",
		"List edited, missing, unknown and irreversible revisions."},
		{"help", "SELECT * FROM fleetmig.help();",
		"Show this list."},
	};
	ReturnSetInfo *rsinfo = srf_begin(fcinfo);

	for (int i = 0; i < (int) lengthof(rows); i++)
	{
		Datum		values[3];
		bool		nulls[3] = {0};

		for (int j = 0; j < 3; j++)
			values[j] = CStringGetTextDatum(rows[i][j]);
		srf_put(rsinfo, values, nulls);
	}
	return (Datum) 0;
}
