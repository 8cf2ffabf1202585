/*-------------------------------------------------------------------------
 *
 * authoring.c
 *	  Write new migration files: create() and merge() (SPEC §7).
 *
 * A new file gets a random 12-hex revision id, the chosen parents, the
 * message folded onto one line and a "created" stamp in UTC; its name is
 * YYYYMMDD_HHMM_<revision>_<slug>.sql.  The text comes from
 * script.sql.tmpl in the migrations directory when there is one.  It is
 * parsed back before it is written, written exclusively (never over another
 * file) with the permissions of the directory's other migration files, and
 * only by a superuser or a member of pg_write_server_files.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "catalog/pg_authid.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "pgtime.h"
#include "storage/fd.h"
#include "utils/acl.h"
#include "utils/timestamp.h"

#include "authoring.h"
#include "target.h"
#include "scriptdir.h"


/* Longest slug taken from a message, as Alembic's truncate_slug_length */
#define SLUG_MAX_LEN 40

static const char default_template[] =
"-- fleetmig:revision      ${revision}\n"
"-- fleetmig:down_revision ${down_revision}\n"
"-- fleetmig:branch_labels ${branch_labels}\n"
"-- fleetmig:depends_on    ${depends_on}\n"
"-- fleetmig:message       ${message}\n"
"-- fleetmig:created       ${created}\n"
"\n"
"-- fleetmig:upgrade\n"
"${upgrades}\n"
"\n"
"-- fleetmig:downgrade\n"
"${downgrades}\n";

static const char *const placeholders[] = {
	"revision", "down_revision", "message", "created", "branch_labels",
	"depends_on", "upgrades", "downgrades"
};

static char *new_revision_id(RevisionMap *map);
static char *fold_message(const char *message);
static char *slug_of(const char *message);
static char *render(const char *template, const char *const values[]);
static void write_exclusively(const char *path, const char *name,
							  const char *text, mode_t mode);

/*
 * Writing files on the server is for superusers and pg_write_server_files.
 */
void
authoring_check_privilege(void)
{
	if (!superuser() && !has_privs_of_role(GetUserId(), ROLE_PG_WRITE_SERVER_FILES))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to write migration files"),
				 errdetail("Only superusers and members of pg_write_server_files may write files in the migrations directory."),
				 errhint("Ask a superuser to GRANT pg_write_server_files to the role that creates migrations.")));
}

/*
 * A fresh revision id: 12 hex digits from a strong random source, not used
 * by any revision yet.
 */
static char *
new_revision_id(RevisionMap *map)
{
	static const char hex[] = "0123456789abcdef";

	for (;;)
	{
		uint8		bytes[6];
		char	   *id = palloc(sizeof(bytes) * 2 + 1);

		if (!pg_strong_random(bytes, sizeof(bytes)))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate a random revision id")));
		for (int i = 0; i < (int) sizeof(bytes); i++)
		{
			id[i * 2] = hex[bytes[i] >> 4];
			id[i * 2 + 1] = hex[bytes[i] & 0x0F];
		}
		id[sizeof(bytes) * 2] = '\0';
		if (revmap_get(map, id) == NULL && revmap_get_label(map, id) == NULL)
			return id;
	}
}

/*
 * The message on one line: each run of line breaks becomes one space, and
 * white space at either end goes (the parser trims values anyway).
 */
static char *
fold_message(const char *message)
{
	StringInfoData buf;
	const char *start = message;
	const char *end = message + strlen(message);

	while (start < end && isspace((unsigned char) *start))
		start++;
	while (end > start && isspace((unsigned char) end[-1]))
		end--;
	initStringInfo(&buf);
	for (const char *c = start; c < end; c++)
	{
		if (*c != '\n' && *c != '\r')
			appendStringInfoChar(&buf, *c);
		else if (c[-1] != '\n' && c[-1] != '\r')
			appendStringInfoChar(&buf, ' ');
	}
	return buf.data;
}

/*
 * The file name part taken from a message: lower-case letters, digits and
 * single underscores, at most SLUG_MAX_LEN characters; "migration" when
 * nothing is left.
 */
static char *
slug_of(const char *message)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (const char *c = message; *c && buf.len < SLUG_MAX_LEN; c++)
	{
		char		ch = *c;

		if (ch >= 'A' && ch <= 'Z')
			ch += 'a' - 'A';
		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
			appendStringInfoChar(&buf, ch);
		else if (buf.len > 0 && buf.data[buf.len - 1] != '_')
			appendStringInfoChar(&buf, '_');
	}
	while (buf.len > 0 && buf.data[buf.len - 1] == '_')
		buf.data[--buf.len] = '\0';
	if (buf.len == 0)
		appendStringInfoString(&buf, "migration");
	return buf.data;
}

/*
 * Fill the placeholders ${name} of a template.  A directive line whose
 * placeholders are all empty is left out, so optional header lines
 * (branch_labels, depends_on) vanish when there is nothing to say.  An
 * unknown placeholder is an error.
 */
static char *
render(const char *template, const char *const values[])
{
	StringInfoData out;
	const char *line = template;

	initStringInfo(&out);
	while (*line)
	{
		const char *eol = strchr(line, '\n');
		const char *end = eol ? eol + 1 : line + strlen(line);
		StringInfoData buf;
		bool		filled = false;
		bool		empty = false;

		initStringInfo(&buf);
		for (const char *c = line; c < end; c++)
		{
			const char *close;
			int			k;

			if (c[0] != '$' || c[1] != '{' || (close = strchr(c, '}')) == NULL ||
				close >= end)
			{
				appendStringInfoChar(&buf, *c);
				continue;
			}
			for (k = 0; k < (int) lengthof(placeholders); k++)
			{
				if ((int) strlen(placeholders[k]) == close - c - 2 &&
					strncmp(c + 2, placeholders[k], close - c - 2) == 0)
					break;
			}
			if (k == (int) lengthof(placeholders))
				ereport(ERROR,
						(errcode(ERRCODE_SYNTAX_ERROR),
						 errmsg("unknown placeholder \"%.*s\" in %s",
								(int) (close - c + 1), c, SCRIPTDIR_TEMPLATE),
						 errhint("The placeholders are ${revision}, ${down_revision}, ${message}, ${created}, ${branch_labels}, ${depends_on}, ${upgrades} and ${downgrades}.")));
			appendStringInfoString(&buf, values[k]);
			if (values[k][0] != '\0')
				filled = true;
			else
				empty = true;
			c = close;
		}
		if (!(empty && !filled && strstr(buf.data, "fleetmig:") != NULL))
			appendBinaryStringInfo(&out, buf.data, buf.len);
		pfree(buf.data);
		line = end;
	}
	return out.data;
}

/*
 * Remove a file being written and report why, keeping errno for %m.
 */
static void
abandon_file(const char *path, const char *name, const char *what)
{
	int			err = errno;

	unlink(path);
	errno = err;
	ereport(ERROR,
			(errcode_for_file_access(),
			 errmsg("could not %s migration file \"%s\": %m", what, name),
			 errhint_server_os_user(err, true)));
}

/*
 * Create the file; it must not exist yet.
 */
static void
write_exclusively(const char *path, const char *name, const char *text,
				  mode_t mode)
{
	int			fd = OpenTransientFilePerm(path, O_WRONLY | O_CREAT | O_EXCL | PG_BINARY,
										   mode);
	size_t		len = strlen(text);
	size_t		done = 0;

	if (fd < 0)
	{
		int			err = errno;

		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not create migration file \"%s\": %m", name),
				 errhint_server_os_user(err, true)));
	}
	/* the server's umask must not narrow the mode of the other files */
	if (fchmod(fd, mode) != 0)
		abandon_file(path, name, "set permissions of");
	while (done < len)
	{
		ssize_t		w = write(fd, text + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			abandon_file(path, name, "write");
		done += w;
	}
	if (pg_fsync(fd) != 0 || CloseTransientFile(fd) != 0)
		abandon_file(path, name, "write");
}

/*
 * Write a new migration file whose parents are "parents" (Revision *) and
 * return its path.  labels and depends_on are lists of names (a depends_on
 * entry may be any target naming one revision); upgrades and downgrades the
 * SQL of the sections.  The caller has checked the privilege with
 * authoring_check_privilege() and holds the state lock.
 */
char *
authoring_write(Project *project, const char *message, List *parents,
				List *labels, List *depends_on, const char *upgrades,
				const char *downgrades)
{
	RevisionMap *map = project->map;
	const char *dir = scriptdir_path();
	int			dirlen = strlen(dir);
	char	   *folded = fold_message(message);
	char	   *id;
	char	   *down;
	char		created[32];
	char		stamp[16];
	const char *values[lengthof(placeholders)];
	char	   *template;
	char	   *text;
	char	   *name;
	Revision   *parsed;
	struct pg_tm tm;
	fsec_t		fsec;
	ListCell   *lc;

	foreach(lc, labels)
	{
		char	   *label = lfirst(lc);

		if (!script_valid_name(label) || script_reserved_name(label))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_NAME),
					 errmsg("invalid branch label \"%s\"", label),
					 errhint("A branch label is 1 to 64 letters, digits or underscores, and not head, heads, base or none.")));
		if (revmap_get_label(map, label) != NULL || revmap_get(map, label) != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("branch label \"%s\" is already used", label),
					 errhint("Branch labels and revision ids must all be different.")));
	}
	foreach(lc, depends_on)
	{
		char	   *dep = lfirst(lc);
		Target	   *target;

		if (revmap_get(map, dep) != NULL || revmap_get_label(map, dep) != NULL)
			continue;
		/* any other target naming one revision is written as its full id */
		target = target_resolve(map, dep, project->current, TARGET_ANY);
		if (list_length(target->revisions) != 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("depends_on entry \"%s\" must name one revision", dep)));
		lfirst(lc) = ((Revision *) linitial(target->revisions))->id;
	}

	while (dirlen > 1 && dir[dirlen - 1] == '/')
		dirlen--;
	id = new_revision_id(map);
	down = parents ? revmap_id_list(parents) : "none";
	if (timestamp2tm(GetCurrentTimestamp(), NULL, &tm, &fsec, NULL, NULL) != 0)
		elog(ERROR, "current time out of range");
	snprintf(created, sizeof(created), "%04d-%02d-%02d %02d:%02d:%02d",
			 tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	snprintf(stamp, sizeof(stamp), "%04d%02d%02d_%02d%02d",
			 tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min);

	values[0] = id;
	values[1] = down;
	values[2] = folded;
	values[3] = created;
	values[4] = revmap_join(labels);
	values[5] = revmap_join(depends_on);
	values[6] = upgrades;
	values[7] = downgrades;
	template = scriptdir_read_template();
	text = render(template ? template : default_template, values);
	name = psprintf("%s_%s_%s.sql", stamp, id, slug_of(folded));

	/* what is written must read back as what was asked for */
	parsed = script_parse(name, text, strlen(text));
	if (strcmp(parsed->id, id) != 0 ||
		strcmp(revmap_join(parsed->down_revisions), parents ? down : "") != 0 ||
		strcmp(parsed->message ? parsed->message : "", folded) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("%s does not produce the revision, down_revision and message asked for",
						SCRIPTDIR_TEMPLATE),
				 errhint("Keep the ${revision}, ${down_revision} and ${message} directives in the template.")));

	write_exclusively(psprintf("%.*s/%s", dirlen, dir, name), name, text,
					  project->file_mode ? project->file_mode : 0644);
	/* the new name must survive a crash too */
	(void) fsync_fname_ext(dir, true, false, ERROR);
	return psprintf("%.*s/%s", dirlen, dir, name);
}
