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

#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "checksum.h"
#include "fleetmig.h"
#include "plan.h"
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
	MemoryContext files_cxt;
	MemoryContext texts_cxt;
	MemoryContext old;
	List	   *rows;
	ListCell   *lc;

	/*
	 * What is parsed from the files lives as long as the call and is never
	 * freed piece by piece: a generation context packs it without rounding
	 * each piece up to a power of two, which for small files costs more
	 * than the text (SPEC §11's memory bound).  The texts go into a
	 * generation context of their own, so that upgrade_sql() can hand
	 * their blocks back as its script takes them over.
	 */
	files_cxt = GenerationContextCreate(CurrentMemoryContext, "fleetmig files",
										ALLOCSET_DEFAULT_SIZES);
	texts_cxt = GenerationContextCreate(files_cxt, "fleetmig file texts",
										ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(files_cxt);
	project->map = revmap_build(scriptdir_load(&project->file_mode, texts_cxt));
	MemoryContextSwitchTo(old);
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
 * A WARNING when the directory holds no migration at all, before a command
 * that would otherwise only say "nothing to upgrade": a wrong
 * fleetmig.migrations_dir must not look like a database at its head.
 */
void
project_warn_if_empty(Project *project)
{
	if (project->map->nrevisions > 0)
		return;
	ereport(WARNING,
			(errmsg("migrations directory \"%s\" holds no migrations", scriptdir_path()),
			 errdetail("Migration files are the entries whose names end in \".sql\"."),
			 errhint("Check fleetmig.migrations_dir, or write the first migration with fleetmig.create().")));
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
 * The revisions in "mask" (by Revision.order; NULL: every revision) whose
 * file changed since they were last applied or stamped in: a List of
 * ProjectEdit *, in revision id order.
 */
List *
project_edits_in(Project *project, bool *mask)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, state_read_checksums())
	{
		StateChecksum *ref = lfirst(lc);
		Revision   *rev = revmap_get(project->map, ref->revision);
		char	   *now;

		CHECK_FOR_INTERRUPTS();
		if (rev == NULL || (mask != NULL && !mask[rev->order]))
			continue;
		now = checksum_sha256_hex(rev->text, rev->text_len);
		if (strcmp(now, ref->checksum) != 0)
		{
			ProjectEdit *edit = palloc(sizeof(ProjectEdit));

			edit->revision = rev;
			edit->applied_checksum = ref->checksum;
			edit->checksum = now;
			result = lappend(result, edit);
		}
		else
			pfree(now);
	}
	return result;
}

/*
 * The applied revisions whose file changed since they were applied (or
 * stamped).  When fleetmig.version names a revision no file defines, which
 * revisions lie below it is unknown: then every revision the log says is
 * applied counts.
 */
List *
project_edits(Project *project)
{
	return project_edits_in(project,
							project->unknown != NIL ? NULL : project->applied);
}

/*
 * What changed in an edited file: the first line that differs from the
 * text logged when it was applied, or the checksums when that text is gone.
 * A full sentence, for errdetail and validate().
 */
char *
project_describe_edit(ProjectEdit *edit)
{
	Revision   *rev = edit->revision;
	char	   *before = state_read_script(rev->id, edit->applied_checksum);
	const char *a = before;
	const char *b = rev->text;
	int			line = 1;

	while (a != NULL)
	{
		const char *ea = strchr(a, '\n');
		const char *eb = strchr(b, '\n');
		int			la = ea ? (int) (ea - a) : (int) strlen(a);
		int			lb = eb ? (int) (eb - b) : (int) strlen(b);

		if (la != lb || strncmp(a, b, la) != 0 || (ea == NULL) != (eb == NULL))
			return psprintf("File \"%s\" changed at line %d since it was applied: it was \"%.*s\" and is now \"%.*s\".",
							rev->filename, line,
							pg_mbcliplen(a, la, Min(la, 80)), a,
							pg_mbcliplen(b, lb, Min(lb, 80)), b);
		if (ea == NULL)
			break;
		a = ea + 1;
		b = eb + 1;
		line++;
	}
	return psprintf("File \"%s\" has SHA-256 %s; it was applied with %s.",
					rev->filename, edit->checksum, edit->applied_checksum);
}

/*
 * An applied revision whose file changed since it was applied (or stamped)
 * is an ERROR, unless fleetmig.verify_checksums is off (SPEC §6).
 */
void
project_verify_checksums(Project *project)
{
	project_verify_checksums_in(project, project->applied);
}

/*
 * The same for the revisions in "mask".
 */
void
project_verify_checksums_in(Project *project, bool *mask)
{
	List	   *edits;
	ProjectEdit *edit;

	if (!fleetmig_verify_checksums)
		return;
	edits = project_edits_in(project, mask);
	if (edits == NIL)
		return;
	edit = linitial(edits);
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("migration file of applied revision \"%s\" has been edited",
					edit->revision->id),
			 errdetail_internal("%s", project_describe_edit(edit)),
			 errhint("Never edit an applied migration: restore the file and write a new migration for the change. A superuser can set fleetmig.verify_checksums = off to proceed anyway.")));
}

/*
 * The steps of an upgrade or downgrade to "spec" from the current state,
 * after the checks every such call makes: no unknown rows, no edited
 * applied files, no "transaction off" revision on the way.
 */
List *
project_plan(Project *project, const char *spec, StepDirection direction)
{
	bool		up = (direction == STEP_UPGRADE);
	Target	   *target;
	List	   *steps;

	project_require_known(project);
	project_verify_checksums(project);
	target = target_resolve(project->map, spec, project->current,
							up ? TARGET_UP : TARGET_DOWN);
	steps = up ? plan_upgrade(project->map, project->current, target) :
		plan_downgrade(project->map, project->current, target, spec);
	plan_check_transactional(steps);
	return steps;
}
