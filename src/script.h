/*-------------------------------------------------------------------------
 *
 * script.h
 *	  One migration file parsed into a Revision: header directives, the
 *	  upgrade, downgrade and verify sections, and where each came from.
 *
 * Parsing is pure: no SPI, no catalog access, no file system.  The graph
 * fields at the end of Revision are filled in by revmap.c.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLEETMIG_SCRIPT_H
#define FLEETMIG_SCRIPT_H

#include "nodes/pg_list.h"

/* Longest revision id or branch label */
#define SCRIPT_MAX_NAME_LEN 64

/* Largest migration file accepted */
#define SCRIPT_MAX_FILE_SIZE ((Size) 64 * 1024 * 1024)

/* A section of a migration file: the SQL below a "-- fleetmig:upgrade" line */
typedef struct ScriptSection
{
	bool		present;
	int			line;			/* line of the section directive */
	const char *sql;			/* text below it, up to the next section: a
								 * place in Revision.text, not NUL-terminated */
	int			len;			/* its bytes, trailing blank lines left out */
} ScriptSection;

typedef struct Revision
{
	/* from the file */
	char	   *id;
	const char *filename;		/* name inside the migrations directory: the
								 * string given to script_parse() */
	char	   *message;		/* NULL when absent */
	char	   *created;		/* "YYYY-MM-DD HH:MM:SS.ffffff" or NULL */
	List	   *down_revisions; /* of char *; NIL for a base */
	List	   *branch_labels;	/* of char * */
	List	   *depends_on;		/* of char *: revision ids or labels */
	bool		transactional;	/* "transaction" directive, default on */
	ScriptSection upgrade;
	ScriptSection downgrade;
	ScriptSection verify;
	char	   *text;			/* whole file, normalised (no BOM, LF only) */
	Size		text_len;
	bool		text_has_room;	/* VARHDRSZ bytes before text are free */

	/* lines of directives, for error reports (0 when absent) */
	int			revision_line;
	int			down_revision_line;
	int			branch_labels_line;
	int			depends_on_line;

	/* graph, filled by revmap_build() */
	int			order;			/* position in the deterministic topological
								 * order, 0 = oldest */
	List	   *parents;		/* of Revision *, from down_revisions */
	List	   *dependencies;	/* of Revision *, from depends_on */
	List	   *children;		/* of Revision *: revisions naming this one as
								 * down_revision */
	List	   *dependents;		/* of Revision *: revisions naming this one in
								 * depends_on */
} Revision;

extern void script_normalize(char *buf, Size *len);
extern Revision *script_parse(const char *filename, char *text, Size len);
extern Revision *script_pack(const Revision *rev);
extern bool script_valid_name(const char *name);
extern bool script_reserved_name(const char *name);

#endif							/* FLEETMIG_SCRIPT_H */
