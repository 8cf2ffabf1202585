/*-------------------------------------------------------------------------
 *
 * prescan.h
 *	  The linear pre-scan of SQL text that PostgreSQL's lexer would take
 *	  too long over (SPEC §9), and its limits.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLEETMIG_PRESCAN_H
#define FLEETMIG_PRESCAN_H

/* Deepest nesting of block comments accepted */
#define PRESCAN_MAX_COMMENT_DEPTH 64

/* Deepest nesting of parentheses accepted */
#define PRESCAN_MAX_PAREN_DEPTH 1000

/* Longest run of operator characters accepted, in code or in a comment */
#define PRESCAN_MAX_OPERATOR_RUN 256

/* Levels of dollar-quoted bodies (DO, CREATE FUNCTION) checked as SQL */
#define PRESCAN_MAX_BODY_DEPTH 4

/*
 * Characters scanned between two checks for interrupts (the fuzz target
 * builds with a small one, to check that the checks happen)
 */
#ifndef PRESCAN_INTERRUPT_INTERVAL
#define PRESCAN_INTERRUPT_INTERVAL 65536
#endif

/* Where the text comes from, for the error */
typedef struct PrescanSource
{
	const char *noun;			/* "revision" or "model file" */
	const char *name;			/* the revision id or the model file's name */
	const char *filename;		/* name inside the directory */
	int			first_line;		/* line of the file the text starts on */
} PrescanSource;

extern void prescan_sql(const char *sql, int len, const PrescanSource *source);

#endif							/* FLEETMIG_PRESCAN_H */
