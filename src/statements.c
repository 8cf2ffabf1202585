/*-------------------------------------------------------------------------
 *
 * statements.c
 *	  Read the SQL of a section one statement at a time: find where each
 *	  ends with PostgreSQL's own lexer, parse it alone, find the line it
 *	  starts at, and refuse what cannot run inside the caller's
 *	  transaction (SPEC §2, §8).
 *
 * Only one statement's parse tree is held at a time, so memory stays
 * bounded by the text however many statements a section holds (SPEC §11).
 * A statement ends at a ';' outside parentheses and outside the BEGIN
 * ATOMIC body of CREATE FUNCTION or PROCEDURE, as psql splits a file; a
 * chunk that still holds several statements is parsed and checked as
 * such, so a split that differs from the grammar's can make a statement
 * fail to parse, never slip past the checks.
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
#include "parser/scanner.h"
#include "common/keywords.h"
#include "utils/memutils.h"

#include "prescan.h"
#include "statements.h"

/* Reading the statements of a section, one at a time */
struct StatementScan
{
	MemoryContext cxt;			/* the scan's, with the lexer's copy of the
								 * text */
	MemoryContext stmt_cxt;		/* the current statement's */
	Revision   *rev;
	ScriptSection *section;
	const char *sql;			/* the section's SQL */
	int			len;
	bool		check;			/* parse and check each statement */
	bool		standard_strings;	/* standard_conforming_strings at the
									 * start */
	core_yyscan_t scanner;
	core_yy_extra_type yyextra;
	int			pos;			/* where the next chunk's text starts */
	int			end;			/* where the current one ends */
	bool		done;			/* no chunk left */
	char	   *chunk;			/* the current chunk's text */
	int			chunk_start;	/* its offset in the section */
	bool		chunk_terminated;	/* it ends with ';' */
	List	   *parsed;			/* with check: its RawStmts not yet given */
	int			line_pos;		/* a position and its line, for line_at() */
	int			line;
};

/* What a syntax error in a section is reported against */
typedef struct SplitContext
{
	Revision   *rev;
	ScriptSection *section;
	const char *text;			/* the text being parsed or scanned */
	int			len;			/* its length */
	int			base;			/* its offset in the section's SQL */
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
	for (; *from_pos < pos && *from_pos < section->len; (*from_pos)++)
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
		int			from_pos = 0;
		int			from_line = cx->section->line + 1;

		/* the position counts characters, not bytes */
		int			byte = pg_mbcharcliplen(cx->text, cx->len, pos - 1);

		errposition(0);
		internalerrposition(pos);
		internalerrquery(pnstrdup(cx->text, cx->len));
		errcontext("revision %s (%s), file \"%s\", line %d",
				   cx->rev->id, section_name(cx->rev, cx->section),
				   cx->rev->filename,
				   line_at(cx->section, &from_pos, &from_line, cx->base + byte));
	}
	else
		errcontext("revision %s (%s), file \"%s\", line %d",
				   cx->rev->id, section_name(cx->rev, cx->section),
				   cx->rev->filename, cx->section->line);
}

/*
 * Where the statement really starts: after white space and comments, which
 * the grammar counts as part of it.  Read as PostgreSQL's lexer reads them
 * (scan.l): a "--" comment ends at a line feed or a carriage return, and
 * only what every supported version reads as white space is skipped
 * (vertical tab is white space from PostgreSQL 16 on).  Skipping less than
 * the lexer leaves harmless white space in the statement; skipping more
 * would cut off text that the grammar read as part of it.
 */
int
statements_skip_space_and_comments(const char *sql, int pos)
{
	for (;;)
	{
		while (sql[pos] == ' ' || sql[pos] == '\t' || sql[pos] == '\n' ||
			   sql[pos] == '\r' || sql[pos] == '\f')
			pos++;
		if (sql[pos] == '-' && sql[pos + 1] == '-')
		{
			while (sql[pos] != '\0' && sql[pos] != '\n' && sql[pos] != '\r')
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
 * Whether the token at "loc" is the bare word "word" (a keyword: PostgreSQL's
 * lexer reads a bare word that spells a keyword as that keyword).
 */
static bool
token_is_word(const char *sql, int loc, const char *word)
{
	int			n = strlen(word);
	char		next = sql[loc + n];

	return pg_strncasecmp(sql + loc, word, n) == 0 &&
		!(IS_HIGHBIT_SET(next) || isalnum((unsigned char) next) ||
		  next == '_' || next == '$');
}

/*
 * Move the scan on to the end of the next statement: the next ';' outside
 * parentheses and outside the BEGIN ATOMIC body of CREATE FUNCTION or
 * CREATE PROCEDURE (where ';' ends the body's statements), or the end of
 * the section.  Tokens come from PostgreSQL's own lexer, so quotes,
 * comments and dollar quoting are read exactly as the server reads them.
 * Sets scan->end to the position of the ';' (or the length) and returns
 * whether there was a ';'.
 */
static bool
scan_to_semicolon(StatementScan *scan)
{
	enum
	{
		PREFIX_START,			/* no token yet */
		PREFIX_CREATE,			/* CREATE */
		PREFIX_OR,				/* CREATE OR */
		PREFIX_REPLACE,			/* CREATE OR REPLACE */
		PREFIX_ROUTINE,			/* CREATE [OR REPLACE] FUNCTION|PROCEDURE */
		PREFIX_OTHER			/* any other statement */
	}			prefix = PREFIX_START;
	int			depth = 0;
	bool		after_begin = false;
	bool		in_body = false;
	int			case_depth = 0;

	for (;;)
	{
		core_YYSTYPE yylval;
		int			loc;
		int			tok = core_yylex(&yylval, &loc, scan->scanner);
		const char *sql = scan->sql;

		CHECK_FOR_INTERRUPTS();
		if (tok == 0)
		{
			scan->end = scan->len;
			return false;
		}
		if (tok == ';' && depth == 0 && !in_body)
		{
			scan->end = loc;
			return true;
		}

		switch (prefix)
		{
			case PREFIX_START:
				prefix = token_is_word(sql, loc, "create") ? PREFIX_CREATE : PREFIX_OTHER;
				break;
			case PREFIX_CREATE:
			case PREFIX_REPLACE:
				if (token_is_word(sql, loc, "function") ||
					token_is_word(sql, loc, "procedure"))
					prefix = PREFIX_ROUTINE;
				else if (prefix == PREFIX_CREATE && token_is_word(sql, loc, "or"))
					prefix = PREFIX_OR;
				else
					prefix = PREFIX_OTHER;
				break;
			case PREFIX_OR:
				prefix = token_is_word(sql, loc, "replace") ? PREFIX_REPLACE : PREFIX_OTHER;
				break;
			case PREFIX_ROUTINE:
			case PREFIX_OTHER:
				break;
		}

		if (tok == '(')
			depth++;
		else if (tok == ')')
			depth = Max(depth - 1, 0);
		else if (in_body)
		{
			/* CASE ... END nests inside the body, at any depth */
			if (token_is_word(sql, loc, "case"))
				case_depth++;
			else if (token_is_word(sql, loc, "end") && case_depth-- == 0)
			{
				in_body = false;
				case_depth = 0;
			}
		}
		else if (prefix == PREFIX_ROUTINE && depth == 0)
		{
			in_body = after_begin && token_is_word(sql, loc, "atomic");
			after_begin = token_is_word(sql, loc, "begin");
		}
	}
}

/*
 * Begin reading the statements of a section.  With "check", the text is
 * pre-scanned first, and every statement next() returns has been parsed
 * and refused if it cannot run (check_statement()); without, statements
 * are the lexer's chunks, for a section checked before.
 */
StatementScan *
statements_open(Revision *rev, ScriptSection *section, bool check)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "fleetmig statements",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	StatementScan *scan = palloc0(sizeof(StatementScan));

	scan->cxt = cxt;
	scan->stmt_cxt = AllocSetContextCreate(cxt, "fleetmig statement",
										   ALLOCSET_DEFAULT_SIZES);
	scan->rev = rev;
	scan->section = section;
	scan->sql = section->sql;
	scan->len = section->len;
	scan->check = check;
	scan->line_pos = 0;
	scan->line = section->line + 1;
	scan->standard_strings = standard_conforming_strings;
	if (check)
	{
		PrescanSource source = {"revision", rev->id, rev->filename, section->line + 1};

		prescan_sql(section->sql, section->len, &source);
	}

	/*
	 * The lexer copies a NUL-terminated text: end the section in the file's
	 * text for that moment rather than copy it once more (it may be 64 MiB).
	 */
	{
		char	   *end = (char *) section->sql + section->len;
		char		saved = *end;

		*end = '\0';
		scan->scanner = scanner_init(section->sql, &scan->yyextra,
									 &ScanKeywords, ScanKeywordTokens);
		*end = saved;
	}
	/* the parse of each statement warns, not this scan */
	scan->yyextra.escape_string_warning = false;
	scan->yyextra.standard_conforming_strings = scan->standard_strings;
	MemoryContextSwitchTo(old);
	return scan;
}

void
statements_close(StatementScan *scan)
{
	scanner_finish(scan->scanner);
	MemoryContextDelete(scan->cxt);
}

/*
 * A statement of the current chunk: its text from "at" to "end" (offsets in
 * the chunk, which starts at "start" in the section).
 */
static Statement *
make_statement(StatementScan *scan, const char *chunk, int start, int at, int end,
			   bool terminated)
{
	Statement  *st = palloc(sizeof(Statement));

	at = statements_skip_space_and_comments(chunk, at);
	/* the grammar read at least one token there */
	if (at >= end)
		elog(ERROR, "statement of revision \"%s\" at byte %d is empty after its comments",
			 scan->rev->id, start + at);
	st->sql = pnstrdup(chunk + at, end - at);
	st->line = line_at(scan->section, &scan->line_pos, &scan->line, start + at);
	st->terminated = terminated;
	st->standard_strings = scan->standard_strings;
	return st;
}

/*
 * The next statement of the section, or NULL after the last; it lives
 * until the next call.  With check, a chunk that parses as several
 * statements gives each of them in turn.
 */
Statement *
statements_next(StatementScan *scan)
{
	SplitContext cx = {scan->rev, scan->section, scan->sql, scan->len, 0};
	ErrorContextCallback callback;
	MemoryContext old;
	Statement  *st = NULL;

	callback.callback = split_error_callback;
	callback.arg = &cx;
	callback.previous = error_context_stack;
	error_context_stack = &callback;

	while (st == NULL)
	{
		int			start;

		CHECK_FOR_INTERRUPTS();
		if (scan->parsed != NIL)
		{
			RawStmt    *rs = linitial_node(RawStmt, scan->parsed);
			bool		last = (list_length(scan->parsed) == 1);

			old = MemoryContextSwitchTo(scan->stmt_cxt);
			st = make_statement(scan, scan->chunk, scan->chunk_start, rs->stmt_location,
								rs->stmt_len > 0 ? rs->stmt_location + rs->stmt_len :
								(int) strlen(scan->chunk),
								last ? scan->chunk_terminated : true);
			/* its error names the file and line itself */
			error_context_stack = callback.previous;
			check_statement(scan->rev, rs->stmt, st->line);
			error_context_stack = &callback;
			scan->parsed = list_delete_first(scan->parsed);
			MemoryContextSwitchTo(old);
			break;
		}
		if (scan->done)
			break;

		MemoryContextReset(scan->stmt_cxt);
		old = MemoryContextSwitchTo(scan->stmt_cxt);
		cx.text = scan->sql;
		cx.len = scan->len;
		cx.base = 0;
		scan->chunk_terminated = scan_to_semicolon(scan);
		scan->done = !scan->chunk_terminated;
		start = statements_skip_space_and_comments(scan->sql, scan->pos);
		/*
		 * Only white space and comments are left before the section's end
		 * (the skip may read on into the file's next lines).  Before a ';'
		 * the lexer found, no comment can reach past it.
		 */
		if (start > scan->end)
		{
			if (scan->chunk_terminated)
				elog(ERROR, "comment in revision \"%s\" ends past the statement at byte %d",
					 scan->rev->id, scan->end);
			start = scan->end;
		}
		scan->pos = scan->end + 1;
		if (start < scan->end)
		{
			scan->chunk = pnstrdup(scan->sql + start, scan->end - start);
			scan->chunk_start = start;
			if (scan->check)
			{
				cx.text = scan->chunk;
				cx.len = scan->end - start;
				cx.base = start;
				scan->parsed = raw_parser(scan->chunk, RAW_PARSE_DEFAULT);
			}
			else
				st = make_statement(scan, scan->chunk, start, 0, scan->end - start,
									scan->chunk_terminated);
		}
		MemoryContextSwitchTo(old);
	}

	error_context_stack = callback.previous;
	return st;
}

/*
 * Check every statement of a section (statements_open() with check): text
 * that would keep the lexer busy for long, syntax errors and forbidden
 * statements are reported with the file and line before anything runs.
 */
void
statements_check(Revision *rev, ScriptSection *section)
{
	StatementScan *scan = statements_open(rev, section, true);

	while (statements_next(scan) != NULL)
		;
	statements_close(scan);
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
	MemoryContext cxt;
	MemoryContext old;
	char	   *detail;

	if (st->standard_strings == standard_conforming_strings)
		return;
	/* the parse goes with the statement, not with the section's run */
	cxt = AllocSetContextCreate(CurrentMemoryContext, "fleetmig recheck",
								ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(cxt);
	detail = psprintf("File \"%s\", line %d.", rev->filename, st->line);
	check_statement(rev, parse_one(st->sql, psprintf("a statement of revision \"%s\"", rev->id),
								   detail),
					st->line);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
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
