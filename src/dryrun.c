/*-------------------------------------------------------------------------
 *
 * dryrun.c
 *	  upgrade(..., dry_run => true) and downgrade(..., dry_run => true): run
 *	  the steps for real inside a subtransaction that is always rolled back,
 *	  and report per step its duration, the relation locks it took and the
 *	  tables it rewrote (SPEC §8).  For estimating migration time and lock
 *	  impact on a staging copy.
 *
 * Locks are read from the lock manager (pg_locks) before and after each
 * step, on the relations that existed when the dry run started (those it
 * creates itself bother no one; a dropped table keeps its name): a lock an
 * earlier step of the same dry run already holds in that mode is not listed
 * again.  A table is rewritten when its relfilenode changed during the
 * step.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "dryrun.h"
#include "safesql.h"
#include "runner.h"
#include "subxact.h"

/* this backend's relation locks, "oid mode", but on system relations */
static const char locks_sql[] =
"SELECT pg_catalog.format('%s %s', l.relation::pg_catalog.int8, l.mode)"
"  FROM pg_catalog.pg_locks l"
"  LEFT JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) l.relation"
"  LEFT JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
" WHERE l.locktype OPERATOR(pg_catalog.=) 'relation'::pg_catalog.text AND l.granted"
"   AND l.pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid()"
"   AND (c.oid IS NULL OR (n.nspname OPERATOR(pg_catalog.<>) ALL (ARRAY['pg_catalog', 'information_schema', 'fleetmig']::pg_catalog.name[])"
"        AND n.nspname OPERATOR(pg_catalog.!~) '^pg_toast'::pg_catalog.text))"
" ORDER BY 1 USING OPERATOR(pg_catalog.<)";

/* user relations, "oid kind filenode"; query_strings() adds the name */
static const char relations_sql[] =
"SELECT pg_catalog.format('%s %s %s', c.oid::pg_catalog.int8, c.relkind, c.relfilenode)"
"  FROM pg_catalog.pg_class c"
"  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
" WHERE n.nspname OPERATOR(pg_catalog.<>) ALL (ARRAY['pg_catalog', 'information_schema', 'fleetmig']::pg_catalog.name[])"
"   AND n.nspname OPERATOR(pg_catalog.!~) '^pg_toast'::pg_catalog.text"
" ORDER BY 1 USING OPERATOR(pg_catalog.<)";

/* locks_sql and relations_sql, prepared */
static SPIPlanPtr locks_plan = NULL;
static SPIPlanPtr relations_plan = NULL;

/*
 * The rows of a one-column query, planned once per session into *plan,
 * as a List of char * in the caller's memory context.  With
 * relation_names, each row starts with a relation's OID, and its name is
 * added at the end as regclass prints it under the caller's search_path
 * (so "users" for public.users), by C code that runs nothing a user could
 * have defined.
 */
static List *
query_strings(const char *sql, SPIPlanPtr *plan, bool relation_names)
{
	MemoryContext caller = CurrentMemoryContext;
	List	   *result = NIL;
	int			nest;
	int			rc;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	nest = safesql_enter();
	/* each step reads both twice */
	if (*plan == NULL)
	{
		SPIPlanPtr	p = SPI_prepare(sql, 0, NULL);

		if (p == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql,
				 SPI_result_code_string(SPI_result));
		SPI_keepplan(p);
		*plan = p;
	}
	rc = SPI_execute_plan(*plan, NULL, NULL, false, 0);
	safesql_leave(nest);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not read the lock manager or the catalog");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		char	   *value = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		MemoryContext old = MemoryContextSwitchTo(caller);

		CHECK_FOR_INTERRUPTS();
		if (relation_names)
		{
			Oid			relid = (Oid) strtoul(value, NULL, 10);

			value = psprintf("%s %s", value,
							 DatumGetCString(DirectFunctionCall1(regclassout,
																 ObjectIdGetDatum(relid))));
		}
		else
			value = pstrdup(value);
		result = lappend(result, value);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	return result;
}

static bool
string_member(List *list, const char *s)
{
	ListCell   *lc;

	foreach(lc, list)
	{
		if (strcmp(lfirst(lc), s) == 0)
			return true;
	}
	return false;
}

static int
compare_strings(const ListCell *a, const ListCell *b)
{
	return strcmp(lfirst(a), lfirst(b));
}

/*
 * The name of relation "oid" in a list of relations_sql rows, or NULL.
 */
static char *
relation_name(List *relations, const char *oid)
{
	size_t		len = strlen(oid);
	ListCell   *lc;

	foreach(lc, relations)
	{
		char	   *row = lfirst(lc);

		if (strncmp(row, oid, len) == 0 && row[len] == ' ')
			return strchr(strchr(strchr(row, ' ') + 1, ' ') + 1, ' ') + 1;
	}
	return NULL;
}

/*
 * The locks taken during a step, "name mode": those in "after" but not in
 * "before", on relations that existed when the dry run started.
 */
static List *
new_locks(List *before, List *after, List *existing)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, after)
	{
		char	   *lock = lfirst(lc);
		char	   *oid;
		char	   *name;

		if (string_member(before, lock))
			continue;
		oid = pnstrdup(lock, strchr(lock, ' ') - lock);
		name = relation_name(existing, oid);
		/* relations the dry run created itself bother no one */
		if (name != NULL)
			result = lappend(result, psprintf("%s%s", name, strchr(lock, ' ')));
	}
	list_sort(result, compare_strings);
	return result;
}

/*
 * The tables (and materialized views) whose storage changed during a step.
 */
static List *
rewritten(List *before, List *after)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, after)
	{
		char	   *row = lfirst(lc);
		char	   *kind = strchr(row, ' ') + 1;
		char	   *node = strchr(kind, ' ') + 1;
		char	   *name = strchr(node, ' ') + 1;
		ListCell   *lc2;

		if (*kind != 'r' && *kind != 'm')
			continue;
		foreach(lc2, before)
		{
			char	   *old = lfirst(lc2);

			/* same oid and kind, another filenode */
			if (strncmp(old, row, node - row) == 0 &&
				strncmp(old + (node - row), node, name - node) != 0)
				result = lappend(result, name);
		}
	}
	list_sort(result, compare_strings);
	return result;
}

/*
 * Run the steps in a subtransaction that is always rolled back, and hand
 * each step's DryRunStep to "report" as soon as the step has run.  What a
 * step reads and reports lives in a context reset after the step, so the
 * memory of a dry run does not grow with its steps (SPEC §11).
 */
void
dryrun_steps(List *steps, DryRunReport report, void *arg)
{
	Subxact		sub;
	List	   *existing = query_strings(relations_sql, &relations_plan, true);
	MemoryContext step_cxt = AllocSetContextCreate(CurrentMemoryContext,
												   "fleetmig dry-run step",
												   ALLOCSET_DEFAULT_SIZES);
	ListCell   *lc;

	subxact_begin(&sub);
	PG_TRY();
	{
		foreach(lc, steps)
		{
			MemoryContext old = MemoryContextSwitchTo(step_cxt);
			DryRunStep	r;
			List	   *locks_before;
			List	   *rels_before;
			List	   *rels_after;

			CHECK_FOR_INTERRUPTS();
			locks_before = query_strings(locks_sql, &locks_plan, false);
			rels_before = query_strings(relations_sql, &relations_plan, true);
			r.step = lfirst(lc);
			r.duration = runner_run_step(r.step, NULL, NULL);
			rels_after = query_strings(relations_sql, &relations_plan, true);
			r.locks = new_locks(locks_before, query_strings(locks_sql, &locks_plan, false), existing);
			r.rewrites = rewritten(rels_before, rels_after);
			report(&r, arg);
			MemoryContextSwitchTo(old);
			MemoryContextReset(step_cxt);
		}
	}
	PG_CATCH();
	{
		subxact_rollback(&sub);
		PG_RE_THROW();
	}
	PG_END_TRY();

	/* a dry run leaves nothing */
	subxact_rollback(&sub);
	MemoryContextDelete(step_cxt);
}
