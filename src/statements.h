/*-------------------------------------------------------------------------
 *
 * statements.h
 *	  The statements of a migration section, each with its line in the file.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLEETMIG_STATEMENTS_H
#define FLEETMIG_STATEMENTS_H

#include "lib/stringinfo.h"

#include "script.h"

/* Where a statement of a section is, and the line of the file it starts at */
typedef struct StatementSpan
{
	int			start;			/* offset in the section's SQL */
	int			len;
	int			line;
} StatementSpan;

/* The statements of a section, as statements_check() split them */
typedef struct StatementList
{
	int			nspans;
	StatementSpan *spans;
	bool		standard_strings;	/* standard_conforming_strings when split */
} StatementList;

extern StatementList *statements_check(Revision *rev, ScriptSection *section);
extern void statements_text(ScriptSection *section, const StatementSpan *span,
							StringInfo buf);
extern void statements_recheck(Revision *rev, const StatementList *list,
							   const char *sql, int line);
extern void statements_check_script(const char *sql);
extern int	statements_skip_space_and_comments(const char *sql, int pos);

#endif							/* FLEETMIG_STATEMENTS_H */
