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
} Statement;

extern List *statements_split(Revision *rev, ScriptSection *section);
extern int	statements_skip_space_and_comments(const char *sql, int pos);

#endif							/* FLEETMIG_STATEMENTS_H */
