/*-------------------------------------------------------------------------
 *
 * project.h
 *	  What one call knows: the parsed migration files, their graph, and the
 *	  applied state read from fleetmig.version.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLEETMIG_PROJECT_H
#define FLEETMIG_PROJECT_H

#include <sys/types.h>

#include "plan.h"

typedef struct Project
{
	RevisionMap *map;
	List	   *current;		/* Revision * of fleetmig.version rows, in
								 * topological order */
	List	   *unknown;		/* char *: rows no migration file defines */
	bool	   *applied;		/* by Revision.order: applied revisions */
	mode_t		file_mode;		/* permissions of the migration files, 0 if
								 * there is none */
} Project;

/* An applied revision whose file changed since */
typedef struct ProjectEdit
{
	Revision   *revision;
	char	   *applied_checksum;
	char	   *checksum;		/* of the file now */
} ProjectEdit;

extern Project *project_load(bool with_state);
extern void project_warn_if_empty(Project *project);
extern void project_report_unknown(const char *revision, int elevel);
extern void project_require_known(Project *project);
extern List *project_edits(Project *project);
extern List *project_edits_in(Project *project, bool *mask);
extern char *project_describe_edit(ProjectEdit *edit);
extern void project_verify_checksums(Project *project);
extern void project_verify_checksums_in(Project *project, bool *mask);
extern List *project_plan(Project *project, const char *spec,
						  StepDirection direction);
extern bool *project_applied_mask(RevisionMap *map, List *heads);

#endif							/* FLEETMIG_PROJECT_H */
