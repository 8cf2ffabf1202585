/*-------------------------------------------------------------------------
 *
 * statements.c
 *	  Split the SQL of a section into statements with PostgreSQL's own
 *	  parser, find the line each starts at, and refuse what cannot run
 *	  inside the caller's transaction (SPEC §2, §8).
 *
 * A section may change standard_conforming_strings, under which the server
 * reads a later statement's literals differently than when the section was
 * split: such a statement is parsed again just before it runs, and must
 * still be one statement that passes the same checks (a hidden COPY FROM
 * STDIN or COMMIT would otherwise slip through, in the offline script
 * too).
 *
 * Nothing is executed here; runner.c runs the statements.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "utils/memutils.h"

#include "prescan.h"
#include "statements.h"

/* What a syntax error in a section is reported against */
typedef struct SplitContext
{
	Revision   *rev;
	ScriptSection *section;
} SplitContext;

static const char *section_name(Revision *rev, ScriptSection *section);
static void split_error_callback(void *arg);
static int	line_at(ScriptSection *section, int *from_pos, int *from_line, int pos);
static void check_statement(Revision *rev, Node *stmt, int line);

/*
 * The line of the file at byte "pos" of a section's SQL, counting on from
 * an earlier position whose line is known (positions only move forward, so
 * splitting a section stays linear).  The SQL starts on the line after the
 * section directive.
 */
static int
line_at(ScriptSection *section, int *from_pos, int *from_line, int pos)
{
	for (; *from_pos < pos && section->sql[*from_pos] != '\0'; (*from_pos)++)
	{
		if (section->sql[*from_pos] == '\n')
			(*from_line)++;
	}
	return *from_line;
}

static const char *
section_name(Revision *rev, ScriptSection *section)
{
	if (section == &rev->upgrade)
		return "upgrade";
	if (section == &rev->downgrade)
		return "downgrade";
	return "verify";
}

/*
 * A syntax error inside the section: report the position against the
 * section's text and name the file and line.
 */
static void
split_error_callback(void *arg)
{
	SplitContext *cx = (SplitContext *) arg;
	int			pos = geterrposition();

	if (pos > 0)
	{
		const char *sql = cx->section->sql;
		int			from_pos = 0;
		int			from_line = cx->section->line + 1;

		/* the position counts characters, not bytes */
		int			byte = pg_mbcharcliplen(sql, strlen(sql), pos - 1);

		errposition(0);
		internalerrposition(pos);
		internalerrquery(sql);
		errcontext("revision %s (%s), file \"%s\", line %d",
				   cx->rev->id, section_name(cx->rev, cx->section),
				   cx->rev->filename,
				   line_at(cx->section, &from_pos, &from_line, byte));
	}
	else
		errcontext("revision %s (%s), file \"%s\", line %d",
				   cx->rev->id, section_name(cx->rev, cx->section),
				   cx->rev->filename, cx->section->line);
}

/*
 * Where the statement really starts: after white space and comments, which
 * the grammar counts as part of it.
 */
int
statements_skip_space_and_comments(const char *sql, int pos)
{
	for (;;)
	{
		while (sql[pos] == ' ' || sql[pos] == '\t' || sql[pos] == '\n' ||
			   sql[pos] == '\r' || sql[pos] == '\f' || sql[pos] == '\v')
			pos++;
		if (sql[pos] == '-' && sql[pos + 1] == '-')
		{
			while (sql[pos] != '\0' && sql[pos] != '\n')
				pos++;
		}
		else if (sql[pos] == '/' && sql[pos + 1] == '*')
		{
			int			depth = 1;

			pos += 2;
			while (sql[pos] != '\0' && depth > 0)
			{
				if (sql[pos] == '/' && sql[pos + 1] == '*')
				{
					depth++;
					pos += 2;
				}
				else if (sql[pos] == '*' && sql[pos + 1] == '/')
				{
					depth--;
					pos += 2;
				}
				else
					pos++;
			}
		}
		else
			return pos;
	}
}

static bool
has_concurrently_option(List *params)
{
	ListCell   *lc;

	foreach(lc, params)
	{
		DefElem    *opt = lfirst(lc);

		if (strcmp(opt->defname, "concurrently") == 0)
			return true;
	}
	return false;
}

/*
 * The name of a statement that cannot run inside a transaction block, or
 * NULL.
 */
static const char *
non_transactional_name(Node *stmt)
{
	switch (nodeTag(stmt))
	{
		case T_VacuumStmt:
			return ((VacuumStmt *) stmt)->is_vacuumcmd ? "VACUUM" : NULL;
		case T_IndexStmt:
			return ((IndexStmt *) stmt)->concurrent ? "CREATE INDEX CONCURRENTLY" : NULL;
		case T_DropStmt:
			return ((DropStmt *) stmt)->concurrent ? "DROP INDEX CONCURRENTLY" : NULL;
		case T_ReindexStmt:
			{
				ReindexStmt *r = (ReindexStmt *) stmt;

				if (has_concurrently_option(r->params))
					return "REINDEX CONCURRENTLY";
				if (r->kind == REINDEX_OBJECT_SYSTEM || r->kind == REINDEX_OBJECT_DATABASE)
					return "REINDEX SYSTEM or DATABASE";
				return NULL;
			}
		case T_ClusterStmt:
			return ((ClusterStmt *) stmt)->relation == NULL ? "CLUSTER without a table" : NULL;
		case T_CreatedbStmt:
			return "CREATE DATABASE";
		case T_DropdbStmt:
			return "DROP DATABASE";
		case T_CreateTableSpaceStmt:
			return "CREATE TABLESPACE";
		case T_DropTableSpaceStmt:
			return "DROP TABLESPACE";
		case T_AlterSystemStmt:
			return "ALTER SYSTEM";
		case T_DiscardStmt:
			return ((DiscardStmt *) stmt)->target == DISCARD_ALL ? "DISCARD ALL" : NULL;
		case T_AlterDatabaseStmt:
			{
				ListCell   *lc;

				foreach(lc, ((AlterDatabaseStmt *) stmt)->options)
				{
					if (strcmp(((DefElem *) lfirst(lc))->defname, "tablespace") == 0)
						return "ALTER DATABASE SET TABLESPACE";
				}
				return NULL;
			}
		case T_AlterTableStmt:
			{
				ListCell   *lc;

				foreach(lc, ((AlterTableStmt *) stmt)->cmds)
				{
					AlterTableCmd *cmd = lfirst(lc);

					if (cmd->subtype == AT_DetachPartition &&
						((PartitionCmd *) cmd->def)->concurrent)
						return "DETACH PARTITION CONCURRENTLY";
				}
				return NULL;
			}
		default:
			return NULL;
	}
}

/*
 * Refuse transaction control, COPY to or from the client, and (unless the
 * revision says "transaction off") statements that cannot run inside a
 * transaction block.
 */
static void
check_statement(Revision *rev, Node *stmt, int line)
{
	const char *name;

	if (IsA(stmt, TransactionStmt))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
				 errmsg("transaction control statements are not allowed in revision \"%s\"",
						rev->id),
				 errdetail("File \"%s\", line %d.", rev->filename, line),
				 errhint("fleetmig runs each migration inside the caller's transaction; remove BEGIN, COMMIT, ROLLBACK and SAVEPOINT from the file.")));
	if (IsA(stmt, CopyStmt) && ((CopyStmt *) stmt)->filename == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("COPY %s is not supported in revision \"%s\"",
						((CopyStmt *) stmt)->is_from ? "FROM STDIN" : "TO STDOUT",
						rev->id),
				 errdetail("File \"%s\", line %d.", rev->filename, line),
				 errhint("The server has no client to copy from; use INSERT, or COPY from a file on the server.")));
	name = non_transactional_name(stmt);
	if (name != NULL && rev->transactional)
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("%s cannot run inside a transaction block, in revision \"%s\"",
						name, rev->id),
				 errdetail("File \"%s\", line %d.", rev->filename, line),
				 errhint("Move the statement to a revision of its own marked \"-- fleetmig:transaction off\", and run that revision through psql.")));
}

/*
 * The statements of a section, each with the line it starts at; a List of
 * Statement *.  Text that would keep the lexer busy for long, syntax errors
 * and forbidden statements are reported with the file and line before
 * anything runs.
 */
List *
statements_split(Revision *rev, ScriptSection *section)
{
	SplitContext cx = {rev, section};
	ErrorContextCallback callback;
	MemoryContext parse_cxt;
	MemoryContext old;
	List	   *raw;
	List	   *result = NIL;
	ListCell   *lc;
	int			from_pos = 0;
	int			from_line = section->line + 1;
	int			sql_len = strlen(section->sql);
	PrescanSource source = {"revision", rev->id, rev->filename, section->line + 1};

	prescan_sql(section->sql, &source);

	/* parse trees are large; only the statements' text and lines are kept */
	parse_cxt = AllocSetContextCreate(CurrentMemoryContext, "fleetmig parse",
									  ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(parse_cxt);
	callback.callback = split_error_callback;
	callback.arg = &cx;
	callback.previous = error_context_stack;
	error_context_stack = &callback;
	raw = raw_parser(section->sql, RAW_PARSE_DEFAULT);
	error_context_stack = callback.previous;
	MemoryContextSwitchTo(old);

	foreach(lc, raw)
	{
		RawStmt    *rs = lfirst_node(RawStmt, lc);
		int			start = statements_skip_space_and_comments(section->sql, rs->stmt_location);
		int			len = rs->stmt_len > 0 ?
			rs->stmt_location + rs->stmt_len - start : sql_len - start;
		Statement  *st = palloc(sizeof(Statement));

		CHECK_FOR_INTERRUPTS();
		st->line = line_at(section, &from_pos, &from_line, start);
		st->sql = pnstrdup(section->sql + start, len);
		/* the grammar leaves the length 0 for a last statement without ';' */
		st->terminated = (rs->stmt_len > 0);
		st->standard_strings = standard_conforming_strings;
		check_statement(rev, rs->stmt, st->line);
		result = lappend(result, st);
	}
	MemoryContextDelete(parse_cxt);
	return result;
}

/*
 * The raw parse of "sql" under the session's settings now, which must be
 * one statement; "what" names it in the error.
 */
static Node *
parse_one(const char *sql, const char *what, const char *detail)
{
	List	   *raw;

	raw = raw_parser(sql, RAW_PARSE_DEFAULT);
	if (list_length(raw) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("%s reads as %d statements when it runs", what, list_length(raw)),
				 errdetail_internal("%s", detail),
				 errhint("A setting the migration changed (standard_conforming_strings) makes the server read its literals differently than when the section was split; write them so that they read the same either way, with E'...' or dollar quotes.")));
	return linitial_node(RawStmt, raw)->stmt;
}

/*
 * Before a statement runs: if standard_conforming_strings changed since the
 * section was split, parse it again and check it as at the split.
 */
void
statements_recheck(Revision *rev, Statement *st)
{
	char	   *detail;

	if (st->standard_strings == standard_conforming_strings)
		return;
	detail = psprintf("File \"%s\", line %d.", rev->filename, st->line);
	check_statement(rev, parse_one(st->sql, psprintf("a statement of revision \"%s\"", rev->id),
								   detail),
					st->line);
}

/*
 * A statement an offline script is about to run (fleetmig.script_statement()):
 * under the session's settings now it is one statement, neither
 * transaction control nor COPY to or from the client, whatever the
 * sections before it set.
 */
void
statements_check_script(const char *sql)
{
	Node	   *stmt = parse_one(sql, "a statement of the script",
								 "The script runs each statement of a migration on its own.");

	if (IsA(stmt, TransactionStmt))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
				 errmsg("transaction control statements are not allowed in a migration"),
				 errdetail("The script holds its own BEGIN and COMMIT.")));
	if (IsA(stmt, CopyStmt) && ((CopyStmt *) stmt)->filename == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("COPY %s is not supported in a migration",
						((CopyStmt *) stmt)->is_from ? "FROM STDIN" : "TO STDOUT"),
				 errdetail("psql would read the rest of the script as the data to copy.")));
}
