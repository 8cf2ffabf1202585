/*-------------------------------------------------------------------------
 *
 * offline.c
 *	  The script that upgrade_sql() and downgrade_sql() return (SPEC §5):
 *	  the sections an upgrade or downgrade would run, in order, with the
 *	  writes to fleetmig.version and fleetmig.log, for review or for psql.
 *
 * psql never reads migration text as script (SPEC §9).  Every statement of
 * a section, and every value fleetmig writes, is a dollar-quoted literal
 * whose tag does not occur in it; a statement runs by "SELECT
 * fleetmig.script_statement(<literal>) \gexec", so psql sends its text to
 * the server unread: no meta-command, no variable interpolation, whatever
 * standard_conforming_strings says.  script_statement() first makes sure
 * the server still reads it as the one statement upgrade() would run, not
 * as several (a COPY FROM STDIN hidden behind a changed
 * standard_conforming_strings would make psql read the script as data).
 * Outside the literals the script is ASCII, and before any text that is
 * not, psql's client encoding is put back to the one the script started
 * with (whatever ran before may have changed it).  Comment lines (names, messages)
 * are folded to one printable line.
 *
 * The script first calls fleetmig.script_guard(), which checks the caller,
 * takes fleetmig's lock and refuses to go on unless the database is at the
 * revisions the script starts from, with the applied files unchanged.
 *
 * The script runs as one transaction, with a BEGIN and COMMIT of its own,
 * unless a revision marked "transaction off" is on the way: that one runs
 * as its own step outside any transaction block, between transactions the
 * script opens and commits itself, under fleetmig's lock held by the
 * session.  Nothing here touches the database.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "checksum.h"
#include "offline.h"
#include "project.h"
#include "scriptdir.h"
#include "statements.h"

/* The script being written */
typedef struct OfflineScript
{
	StringInfoData buf;
} OfflineScript;

static bool is_ascii(const char *s);
static void emit(OfflineScript *out, StringInfo text);
static void append_folded(StringInfo buf, const char *s);
static void append_literal(StringInfo buf, const char *s);
static void append_section(OfflineScript *out, Revision *rev,
						   ScriptSection *section);
static void append_guard(StringInfo buf, RevisionMap *map, List *from,
						 bool session);
static void append_step(OfflineScript *out, Step *step, bool *applied,
						bool up);
static void append_id_array(StringInfo buf, List *revisions);
static char *describe_heads(List *heads);
static List *heads_after(RevisionMap *map, List *from, List *steps);

static bool
is_ascii(const char *s)
{
	for (; *s; s++)
	{
		if ((unsigned char) *s >= 0x80)
			return false;
	}
	return true;
}

/*
 * Add "text" (whole lines) to the script and empty it.  If it is not ASCII,
 * first put psql's client encoding back to the script's (the variable the
 * script set at its start), so that psql lexes the text and the server
 * reads it as written: anything that ran before may have changed it (a
 * section, and a deferred trigger at the script's own COMMIT too).
 */
static void
emit(OfflineScript *out, StringInfo text)
{
	if (!is_ascii(text->data))
		appendStringInfoString(&out->buf, "\\encoding :fleetmig_encoding\n");
	appendBinaryStringInfo(&out->buf, text->data, text->len);
	resetStringInfo(text);
}

/*
 * "s" on one line of a comment: control characters (line feeds, carriage
 * returns and the like, which could end the comment for psql) become '?'.
 */
static void
append_folded(StringInfo buf, const char *s)
{
	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		appendStringInfoChar(buf, (c < 0x20 || c == 0x7f) ? '?' : (char) c);
	}
}

/*
 * "s" as a dollar-quoted literal: $fm$ unless the text would end the quote
 * early, then $fm1$, $fm2$, ...  The quote ends early if the tag occurs in
 * the text, or if the text ends with a beginning of the tag that the tag
 * completes to the tag again (text "x$fm" + "$fm$").
 */
static void
append_literal(StringInfo buf, const char *s)
{
	size_t		len = strlen(s);
	char		tag[32];

	for (int n = 0;; n++)
	{
		size_t		taglen;
		bool		clash;

		CHECK_FOR_INTERRUPTS();
		if (n == 0)
			strlcpy(tag, "$fm$", sizeof(tag));
		else
			snprintf(tag, sizeof(tag), "$fm%d$", n);
		taglen = strlen(tag);
		clash = strstr(s, tag) != NULL;
		for (size_t k = 1; !clash && k < taglen && k <= len; k++)
			clash = memcmp(s + len - k, tag, k) == 0 &&
				memcmp(tag, tag + k, taglen - k) == 0;
		if (!clash)
			break;
	}
	appendStringInfoString(buf, tag);
	appendBinaryStringInfo(buf, s, len);
	appendStringInfoString(buf, tag);
}

/*
 * ", ARRAY[<id>, ...]" of revisions, or ", '{}'" for none: an argument of
 * script_record().
 */
static void
append_id_array(StringInfo buf, List *revisions)
{
	ListCell   *lc;

	if (revisions == NIL)
	{
		appendStringInfoString(buf, ", '{}'");
		return;
	}
	appendStringInfoString(buf, ", ARRAY[");
	foreach(lc, revisions)
	{
		if (foreach_current_index(lc) > 0)
			appendStringInfoString(buf, ", ");
		append_literal(buf, ((Revision *) lfirst(lc))->id);
	}
	appendStringInfoChar(buf, ']');
}

static char *
describe_heads(List *heads)
{
	return heads == NIL ? "base" : revmap_id_list(heads);
}

/*
 * The heads once "steps" have run from "from".  The rows of each step are
 * worked out and dropped in a context of their own: they would add up to
 * hundreds of bytes per step.
 */
static List *
heads_after(RevisionMap *map, List *from, List *steps)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "fleetmig heads after",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	bool	   *applied = project_applied_mask(map, from);
	List	   *after = NIL;
	List	   *heads;
	ListCell   *lc;

	foreach(lc, steps)
	{
		List	   *remove;
		List	   *add;

		CHECK_FOR_INTERRUPTS();
		plan_step_rows(lfirst(lc), applied, &remove, &add);
		list_free(remove);
		list_free(add);
	}
	for (int i = 0; i < map->nrevisions; i++)
	{
		if (applied[i])
			after = lappend(after, map->revisions[i]);
	}
	heads = plan_heads_of(map, after);
	MemoryContextSwitchTo(old);
	heads = list_copy(heads);
	MemoryContextDelete(cxt);
	return heads;
}

/*
 * A section, checked like upgrade() checks it, one statement per \gexec, as
 * upgrade() runs it one statement at a time.
 */
static void
append_section(OfflineScript *out, Revision *rev, ScriptSection *section)
{
	StringInfoData line;
	StatementScan *scan = statements_open(rev, section, true);
	Statement  *st;

	initStringInfo(&line);
	while ((st = statements_next(scan)) != NULL)
	{
		CHECK_FOR_INTERRUPTS();
		appendStringInfoString(&line, "SELECT fleetmig.script_statement(");
		append_literal(&line, st->sql);
		appendStringInfoString(&line, ") \\gexec\n");
		emit(out, &line);
	}
	statements_close(scan);
	pfree(line.data);
}

/*
 * The guard call: the heads the script starts from, and the checksum of
 * every revision applied there as its file is now.
 */
static void
append_guard(StringInfo buf, RevisionMap *map, List *from, bool session)
{
	bool	   *applied = project_applied_mask(map, from);
	const char *sep = "";
	ListCell   *lc;

	appendStringInfo(buf,
					 "SELECT fleetmig.script_guard(session_lock => %s,\n"
					 "    heads => ARRAY[",
					 session ? "true" : "false");
	foreach(lc, from)
	{
		appendStringInfoString(buf, sep);
		append_literal(buf, ((Revision *) lfirst(lc))->id);
		sep = ", ";
	}
	appendStringInfoString(buf, "]::pg_catalog.text[],\n    applied => ARRAY[");
	sep = "\n        ";
	for (int i = 0; i < map->nrevisions; i++)
	{
		Revision   *rev = map->revisions[i];
		char	   *checksum;
		char	   *item;

		CHECK_FOR_INTERRUPTS();
		if (!applied[i])
			continue;
		checksum = checksum_sha256_hex(rev->text, rev->text_len);
		item = psprintf("%s %s", rev->id, checksum);
		appendStringInfoString(buf, sep);
		append_literal(buf, item);
		pfree(item);
		pfree(checksum);
		sep = ",\n        ";
	}
	appendStringInfoString(buf, "]::pg_catalog.text[]);\n");
}

/*
 * One step: its comment lines, its section and its state writes.  "applied"
 * is the state before it, and after it on return.
 */
static void
append_step(OfflineScript *out, Step *step, bool *applied, bool up)
{
	Revision   *rev = step->revision;
	StringInfoData text;
	List	   *remove;
	List	   *add;

	initStringInfo(&text);
	appendStringInfo(&text, "\n-- Running %s ", up ? "upgrade" : "downgrade");
	append_folded(&text, psprintf("%s -> %s%s%s", plan_step_origin(step),
								  plan_step_destination(step),
								  rev->message ? ", " : "",
								  rev->message ? rev->message : ""));
	appendStringInfoString(&text, "\n-- File \"");
	append_folded(&text, rev->filename);
	appendStringInfoString(&text, "\"\n");
	if (!rev->transactional)
		appendStringInfoString(&text, "COMMIT;\n-- transaction off: each statement on its own\n");
	emit(out, &text);

	append_section(out, rev, up ? &rev->upgrade : &rev->downgrade);
	if (!rev->transactional)
		appendStringInfoString(&text, "BEGIN;\n");
	if (up && rev->verify.present)
	{
		appendStringInfoString(&text, "-- verify\n");
		emit(out, &text);
		append_section(out, rev, &rev->verify);
	}

	plan_step_rows(step, applied, &remove, &add);
	appendStringInfo(&text, "SELECT fleetmig.script_record('%s', ",
					 up ? "upgrade" : "downgrade");
	append_literal(&text, rev->id);
	append_id_array(&text, remove);
	append_id_array(&text, add);
	appendStringInfoString(&text, ",\n");

	/*
	 * The file's text goes straight into the script, not through "text":
	 * it may be 64 MiB.  Like emit(), the encoding first if it is not ASCII.
	 */
	if (!is_ascii(text.data) || !is_ascii(rev->text))
		appendStringInfoString(&out->buf, "\\encoding :fleetmig_encoding\n");
	appendBinaryStringInfo(&out->buf, text.data, text.len);
	append_literal(&out->buf, rev->text);
	appendStringInfoString(&out->buf, ");\n");
	pfree(text.data);
}

/*
 * The script for "steps", which lead from the heads "from" to the state the
 * target "spec" names.  A plan has one step per revision at most, so each
 * revision's text is freed once its step is in the script (the script holds
 * it now), and the files and the script are not held twice (SPEC §11): the
 * caller reads no text of the map afterwards.
 */
text *
offline_script(RevisionMap *map, List *from, List *steps, const char *spec,
			   StepDirection direction)
{
	OfflineScript out;
	StringInfoData text;
	bool	   *applied = project_applied_mask(map, from);
	bool		up = (direction == STEP_UPGRADE);
	bool		split = false;
	MemoryContext step_cxt;
	ListCell   *lc;

	foreach(lc, steps)
		split |= !((Step *) lfirst(lc))->revision->transactional;

	/* the script is built in place as a text value: it may be large */
	initStringInfo(&out.buf);
	appendStringInfoSpaces(&out.buf, VARHDRSZ);
	initStringInfo(&text);
	appendStringInfo(&text, "-- fleetmig %s script\n-- from: ",
					 up ? "upgrade" : "downgrade");
	append_folded(&text, describe_heads(from));
	appendStringInfoString(&text, "\n-- to:   ");
	append_folded(&text, spec);
	appendStringInfoString(&text, " (");
	append_folded(&text, describe_heads(heads_after(map, from, steps)));
	appendStringInfo(&text, ")\n-- %d step%s.  ", list_length(steps),
					 list_length(steps) == 1 ? "" : "s");
	if (split)
		appendStringInfoString(&text,
							   "A revision marked \"transaction off\" runs outside any\n"
							   "-- transaction block, so the script holds its own transactions: run it\n"
							   "-- with psql, without -1, as a role that may write fleetmig.version and\n"
							   "-- fleetmig.log:\n"
							   "--   psql -f <this file>\n"
							   "-- It stops at the first error; the steps before it stay committed.\n"
							   "-- fleetmig's lock, held by the session, keeps other deployers out.\n");
	else
		appendStringInfoString(&text,
							   "It runs as one transaction (BEGIN ... COMMIT):\n"
							   "-- run it with psql as a role that may write fleetmig.version and\n"
							   "-- fleetmig.log:\n"
							   "--   psql -f <this file>\n");
	appendStringInfoString(&text,
						   "-- Each statement of a migration is a dollar-quoted literal that psql\n"
						   "-- sends to the server as it is (\\gexec): psql reads none of it.\n"
						   "\n"
						   "\\set ON_ERROR_STOP on\n"
						   "\\set fleetmig_encoding :ENCODING\n");
	if (!split)
		appendStringInfoString(&text, "BEGIN;\n");
	append_guard(&text, map, from, split);
	if (split)
		appendStringInfoString(&text, "BEGIN;\n");
	emit(&out, &text);

	/* a step's own allocations go with it; the script grows where it is */
	step_cxt = AllocSetContextCreate(CurrentMemoryContext, "fleetmig script step",
									 ALLOCSET_DEFAULT_SIZES);
	foreach(lc, steps)
	{
		Step	   *step = lfirst(lc);
		MemoryContext old = MemoryContextSwitchTo(step_cxt);

		CHECK_FOR_INTERRUPTS();
		if (step->revision->text == NULL)
			elog(ERROR, "revision \"%s\" has two steps in one plan", step->revision->id);
		append_step(&out, step, applied, up);
		MemoryContextSwitchTo(old);
		MemoryContextReset(step_cxt);
		scriptdir_free_text(step->revision);
	}
	MemoryContextDelete(step_cxt);

	appendStringInfoString(&text, "COMMIT;\n");
	if (split)
		appendStringInfoString(&text, "SELECT fleetmig.script_unlock();\n");
	emit(&out, &text);
	pfree(text.data);
	SET_VARSIZE(out.buf.data, out.buf.len);
	return (struct varlena *) out.buf.data;
}
