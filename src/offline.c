/*-------------------------------------------------------------------------
 *
 * offline.c
 *	  The script that upgrade_sql() and downgrade_sql() return (SPEC §5):
 *	  the sections an upgrade or downgrade would run, in order, with the
 *	  writes to fleetmig.version and fleetmig.log, for review or for psql.
 *
 * The script is meant to run as one transaction (psql -1): it has no BEGIN
 * or COMMIT of its own, unless a revision marked "transaction off" is on
 * the way: that one runs as its own step outside any transaction block,
 * between transactions the script opens and commits itself.  Nothing here
 * touches the database.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "checksum.h"
#include "offline.h"
#include "project.h"
#include "state.h"
#include "statements.h"

static void append_section(StringInfo buf, Revision *rev, ScriptSection *section);
static char *describe_heads(List *heads);

static char *
describe_heads(List *heads)
{
	return heads == NIL ? "base" : revmap_id_list(heads);
}

/*
 * A section as written in the file, checked like upgrade() checks it, with
 * a semicolon after the last statement when the file has none.
 */
static void
append_section(StringInfo buf, Revision *rev, ScriptSection *section)
{
	List	   *statements = statements_split(rev, section);

	if (statements == NIL)
		return;
	appendStringInfo(buf, "%s\n", section->sql);
	if (!((Statement *) llast(statements))->terminated)
		appendStringInfoString(buf, ";\n");
}

/*
 * The script for "steps", which lead from the heads "from" to the state the
 * target "spec" names.
 */
char *
offline_script(RevisionMap *map, List *from, List *steps, const char *spec,
			   StepDirection direction)
{
	StringInfoData buf;
	bool	   *applied = project_applied_mask(map, from);
	List	   *after = NIL;
	bool		up = (direction == STEP_UPGRADE);
	bool		split = false;
	ListCell   *lc;

	foreach(lc, steps)
		split |= !((Step *) lfirst(lc))->revision->transactional;

	initStringInfo(&buf);
	foreach(lc, steps)
	{
		Step	   *step = lfirst(lc);
		Revision   *rev = step->revision;
		List	   *remove;
		List	   *add;
		ListCell   *lc2;

		CHECK_FOR_INTERRUPTS();
		appendStringInfo(&buf, "\n-- Running %s %s -> %s%s%s\n",
						 up ? "upgrade" : "downgrade",
						 plan_step_origin(step), plan_step_destination(step),
						 rev->message ? ", " : "", rev->message ? rev->message : "");
		appendStringInfo(&buf, "-- File \"%s\"\n", rev->filename);
		if (!rev->transactional)
		{
			/* its own step, outside any transaction block, then its record */
			appendStringInfoString(&buf, "COMMIT;\n-- transaction off: each statement on its own\n");
			append_section(&buf, rev, up ? &rev->upgrade : &rev->downgrade);
			appendStringInfoString(&buf, "BEGIN;\n");
		}
		else
			append_section(&buf, rev, up ? &rev->upgrade : &rev->downgrade);
		if (up && rev->verify.present)
		{
			appendStringInfoString(&buf, "-- verify\n");
			append_section(&buf, rev, &rev->verify);
		}

		plan_step_rows(step, applied, &remove, &add);
		foreach(lc2, remove)
			appendStringInfo(&buf,
							 "DELETE FROM fleetmig.version WHERE revision OPERATOR(pg_catalog.=) %s;\n",
							 quote_literal_cstr(((Revision *) lfirst(lc2))->id));
		foreach(lc2, add)
			appendStringInfo(&buf,
							 "INSERT INTO fleetmig.version (revision) VALUES (%s);\n",
							 quote_literal_cstr(((Revision *) lfirst(lc2))->id));
		appendStringInfo(&buf,
						 "INSERT INTO fleetmig.log (revision, direction, checksum, script, applied_by, applied_at)\n"
						 "VALUES (%s, '%s', '%s', %s, CURRENT_USER, pg_catalog.clock_timestamp());\n",
						 quote_literal_cstr(rev->id), up ? "upgrade" : "downgrade",
						 checksum_sha256_hex(rev->text, rev->text_len),
						 quote_literal_cstr(rev->text));
	}

	for (int i = 0; i < map->nrevisions; i++)
	{
		if (applied[i])
			after = lappend(after, map->revisions[i]);
	}
	after = plan_heads_of(map, after);

	if (split)
		return psprintf("-- fleetmig %s script\n"
						"-- from: %s\n"
						"-- to:   %s (%s)\n"
						"-- %d step%s.  A revision marked \"transaction off\" runs outside any\n"
						"-- transaction block, so the script holds its own transactions: run it\n"
						"-- with psql, without -1, as a role that may write fleetmig.version and\n"
						"-- fleetmig.log:\n"
						"--   psql -f <this file>\n"
						"-- It stops at the first error; the steps before it stay committed.  A\n"
						"-- session-level advisory lock keeps other deployers out meanwhile.\n"
						"\n"
						"\\set ON_ERROR_STOP on\n"
						"SELECT pg_catalog.pg_advisory_lock(" INT64_FORMAT ");\n"
						"BEGIN;\n"
						"%s"
						"COMMIT;\n"
						"SELECT pg_catalog.pg_advisory_unlock(" INT64_FORMAT ");\n",
						up ? "upgrade" : "downgrade",
						describe_heads(from), spec, describe_heads(after),
						list_length(steps), list_length(steps) == 1 ? "" : "s",
						STATE_LOCK_KEY, buf.data, STATE_LOCK_KEY);
	return psprintf("-- fleetmig %s script\n"
					"-- from: %s\n"
					"-- to:   %s (%s)\n"
					"-- %d step%s.  Run it as one transaction, as a role that may write\n"
					"-- fleetmig.version and fleetmig.log:\n"
					"--   psql -1 -v ON_ERROR_STOP=1 -f <this file>\n"
					"\n"
					"SELECT pg_catalog.pg_advisory_xact_lock(" INT64_FORMAT ");\n"
					"%s",
					up ? "upgrade" : "downgrade",
					describe_heads(from), spec, describe_heads(after),
					list_length(steps), list_length(steps) == 1 ? "" : "s",
					STATE_LOCK_KEY, buf.data);
}
