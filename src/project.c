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

#include "checksum.h"
#include "fleetmig.h"
#include "project.h"
#include "scriptdir.h"
#include "state.h"

/*
 * Read the directory and build the graph; then, when with_state, read
 * fleetmig.version.  File and graph errors come first, whatever the state
 * of the database.
 */
Project *
project_load(bool with_state)
{
	Project    *project = palloc0(sizeof(Project));
	List	   *rows;
	ListCell   *lc;

	project->map = revmap_build(scriptdir_load(&project->file_mode));
	rows = with_state ? state_read_version() : NIL;
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
 * Report a row of fleetmig.version that no file defines: a WARNING for the
 * commands that only read, an ERROR for those that change the state
 * (SPEC §6).
 */
void
project_report_unknown(const char *revision, int elevel)
{
	ereport(elevel,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("can't locate revision identified by '%s'", revision),
			 errdetail("fleetmig.version names a revision that no file in the migrations directory defines."),
			 errhint("Restore the missing file, or mark the database with fleetmig.stamp('head', purge => true).")));
}

/*
 * Commands that change the state refuse to work from rows that no file
 * defines.
 */
void
project_require_known(Project *project)
{
	if (project->unknown != NIL)
		project_report_unknown(linitial(project->unknown), ERROR);
}

/*
 * An applied revision whose file changed since it was applied (or stamped)
 * is an ERROR, unless fleetmig.verify_checksums is off (SPEC §6).
 */
void
project_verify_checksums(Project *project)
{
	ListCell   *lc;

	if (!fleetmig_verify_checksums)
		return;
	foreach(lc, state_read_checksums())
	{
		StateChecksum *ref = lfirst(lc);
		Revision   *rev = revmap_get(project->map, ref->revision);
		char	   *now;

		if (rev == NULL || !project->applied[rev->order])
			continue;
		now = checksum_sha256_hex(rev->text, rev->text_len);
		if (strcmp(now, ref->checksum) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("migration file of applied revision \"%s\" has been edited",
							rev->id),
					 errdetail("File \"%s\" has SHA-256 %s; it was applied with %s.",
							   rev->filename, now, ref->checksum),
					 errhint("Never edit an applied migration: restore the file and write a new migration for the change. A superuser can set fleetmig.verify_checksums = off to proceed anyway.")));
		pfree(now);
	}
}
