/*-------------------------------------------------------------------------
 *
 * statements.h
 *	  The statements of a migration section, each with its line in the file.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLEETMIG_STATEMENTS_H
#define FLEETMIG_STATEMENTS_H

#include "script.h"

typedef struct Statement
{
	char	   *sql;
	int			line;			/* line in the file where it starts */
	bool		terminated;		/* followed by a semicolon in the file */
	bool		standard_strings;	/* standard_conforming_strings when split */
} Statement;

typedef struct StatementScan StatementScan;

extern StatementScan *statements_open(Revision *rev, ScriptSection *section,
									  bool check);
extern Statement *statements_next(StatementScan *scan);
extern void statements_close(StatementScan *scan);
extern void statements_check(Revision *rev, ScriptSection *section);
extern void statements_recheck(Revision *rev, Statement *st);
extern void statements_check_script(const char *sql);
extern int	statements_skip_space_and_comments(const char *sql, int pos);

#endif							/* FLEETMIG_STATEMENTS_H */
