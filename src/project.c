/*-------------------------------------------------------------------------
 *
 * project.c
 *	  Load what a command works on: read and check the migrations directory,
 *	  then match fleetmig.version against it.
 *
 * The directory is read once per call; nothing is cached between calls, so
 * an edited file is seen at once.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "project.h"
#include "scriptdir.h"
#include "state.h"

/*
 * Read the directory, build the graph, read fleetmig.version.  File and
 * graph errors come first, whatever the state of the database.
 */
Project *
project_load(void)
{
	Project    *project = palloc0(sizeof(Project));
	List	   *rows;
	ListCell   *lc;

	project->map = revmap_build(scriptdir_load());
	rows = state_read_version();
	foreach(lc, rows)
	{
		Revision   *rev = revmap_get(project->map, lfirst(lc));

		if (rev != NULL)
			project->current = lappend(project->current, rev);
		else
			project->unknown = lappend(project->unknown, lfirst(lc));
	}
	project->current = revmap_sort(project->map, project->current);
	project->applied = project_applied_mask(project->map, project->current);
	return project;
}

/*
 * The applied revisions implied by a set of heads: each head, its
 * ancestors and what they depend on.
 */
bool *
project_applied_mask(RevisionMap *map, List *heads)
{
	bool	   *mask = revmap_new_mask(map);
	ListCell   *lc;

	foreach(lc, heads)
	{
		Revision   *rev = lfirst(lc);

		if (!mask[rev->order])
			revmap_mark_ancestors(map, rev, mask, true);
	}
	return mask;
}

/*
 * Commands that change the state refuse to work from rows that no file
 * defines (SPEC §6).
 */
void
project_require_known(Project *project)
{
	if (project->unknown != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("can't locate revision identified by '%s'",
						(char *) linitial(project->unknown)),
				 errdetail("fleetmig.version names a revision that no file in the migrations directory defines."),
				 errhint("Restore the missing file, or mark the database with SELECT fleetmig.stamp('head', purge => true);")));
}
