/*-------------------------------------------------------------------------
 *
 * scriptdir.c
 *	  Read the migrations directory: find the .sql files, read each one,
 *	  check size and encoding, and hand its text to the parser.  The models
 *	  directory of autogenerate (SPEC §10) is read the same way.
 *
 * This is the only place that reads the migration and model files on disk.
 * Files are opened with AllocateDir/OpenTransientFile so an ERROR closes
 * them.  A symbolic link is followed only to a file inside its directory
 * (SPEC §9); model files are pre-scanned here, before autogenerate.c hands
 * them to PostgreSQL's parser.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_db_role_setting.h"
#include "commands/dbcommands.h"
#include "common/username.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "fleetmig.h"
#include "prescan.h"
#include "scriptdir.h"

/* What the files of a directory are called in messages */
typedef struct SqlDirKind
{
	const char *dir_noun;		/* "migrations directory" */
	const char *file_noun;		/* "migration file" */
	const char *setting;		/* the GUC that names the directory */
} SqlDirKind;

static const SqlDirKind migrations_kind =
{"migrations directory", "migration file", "fleetmig.migrations_dir"};
static const SqlDirKind models_kind =
{"models directory", "model file", "fleetmig.models_dir"};

static char **list_sql_files(const char *dir, const SqlDirKind *kind,
							 int *nnames);
static void charge_directory_size(const char *dir, const char *name,
								  const SqlDirKind *kind, Size total);
static char *read_sql_file(const char *dir, const char *name,
						   const SqlDirKind *kind, MemoryContext text_cxt,
						   Size *len, mode_t *file_mode, Size *total);
static int	compare_names(const void *a, const void *b);
static void check_name_encoding(const char *name, const SqlDirKind *kind);
static int	errcode_for_migration_file(int err);
static char *entry_path(const char *dir, const char *name,
						const SqlDirKind *kind, struct stat *st,
						bool *outside, char *path);

/*
 * Whether ALTER DATABASE or ALTER ROLE stored a value of the setting for
 * this database or this session's login role (pg_db_role_setting), which a
 * session only reads when it starts.
 */
static bool
setting_stored(const char *name)
{
	Oid			dbs[] = {MyDatabaseId, MyDatabaseId, InvalidOid};
	Oid			roles[] = {GetSessionUserId(), InvalidOid, GetSessionUserId()};
	size_t		namelen = strlen(name);
	bool		found = false;
	Relation	rel;

	rel = table_open(DbRoleSettingRelationId, AccessShareLock);
	for (size_t i = 0; i < lengthof(dbs) && !found; i++)
	{
		ScanKeyData keys[2];
		SysScanDesc scan;
		HeapTuple	tuple;

		ScanKeyInit(&keys[0], Anum_pg_db_role_setting_setdatabase,
					BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(dbs[i]));
		ScanKeyInit(&keys[1], Anum_pg_db_role_setting_setrole,
					BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(roles[i]));
		scan = systable_beginscan(rel, DbRoleSettingDatidRolidIndexId, true,
								  NULL, 2, keys);
		while (!found && HeapTupleIsValid(tuple = systable_getnext(scan)))
		{
			bool		isnull;
			Datum		config = heap_getattr(tuple, Anum_pg_db_role_setting_setconfig,
											  RelationGetDescr(rel), &isnull);
			Datum	   *items;
			int			nitems;

			if (isnull)
				continue;
			deconstruct_array(DatumGetArrayTypeP(config), TEXTOID, -1, false,
							  TYPALIGN_INT, &items, NULL, &nitems);
			for (int j = 0; j < nitems && !found; j++)
			{
				char	   *item = TextDatumGetCString(items[j]);

				found = pg_strncasecmp(item, name, namelen) == 0 && item[namelen] == '=';
			}
		}
		systable_endscan(scan);
	}
	table_close(rel, AccessShareLock);
	return found;
}

/*
 * The configured migrations directory; an ERROR when it is not set.
 */
const char *
scriptdir_path(void)
{
	if (fleetmig_migrations_dir == NULL || fleetmig_migrations_dir[0] == '\0')
	{
		char	   *dbname = get_database_name(MyDatabaseId);

		if (setting_stored("fleetmig.migrations_dir"))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("fleetmig.migrations_dir is not set in this session"),
					 errdetail("It is set for this database or for your role, which takes effect in sessions that start afterwards."),
					 errhint("Reconnect, or SET fleetmig.migrations_dir in this session.")));
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("fleetmig.migrations_dir is not set"),
				 errhint("Point it at the directory of migration files as a superuser, e.g. ALTER DATABASE %s SET fleetmig.migrations_dir = '/srv/fleet/migrations', then reconnect.",
						 quote_identifier(dbname ? dbname : "mydb"))));
	}
	return fleetmig_migrations_dir;
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/*
 * errcode for a failed stat(), open() or read(): a symlink loop is a file
 * that cannot be found, like a dangling symlink.
 */
static int
errcode_for_migration_file(int err)
{
	if (err == ELOOP)
		return errcode(ERRCODE_UNDEFINED_FILE);
	return errcode_for_file_access();
}

/*
 * errhint for a file or directory the server may not read or write: the
 * operating system user it runs as, whom the permissions must let in.  Adds
 * nothing for other errors.
 */
int
errhint_server_os_user(int err, bool writing)
{
	char	   *errstr;
	const char *user;

	if (err != EACCES && err != EPERM)
		return 0;
	user = get_user_name(&errstr);
	if (user == NULL)
		return 0;
	if (writing)
		return errhint("The server writes files as the operating system user \"%s\": that user must be able to write the directory.",
					   user);
	return errhint("The server reads files as the operating system user \"%s\": that user must be able to read it and to enter every directory above it.",
				   user);
}

/*
 * File names appear in results and messages, so they must be valid in the
 * server encoding too.
 */
static void
check_name_encoding(const char *name, const SqlDirKind *kind)
{
	int			len = strlen(name);
	int			valid = pg_encoding_verifymbstr(GetDatabaseEncoding(), name, len);

	if (valid < len)
		ereport(ERROR,
				(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
				 errmsg("the name of a %s is not valid in encoding \"%s\"",
						kind->file_noun, GetDatabaseEncodingName()),
				 errdetail("The name starts with \"%.*s\".", valid, name),
				 errhint("Rename the file.")));
}

/*
 * The names of the .sql files of a directory, sorted; an ERROR when the
 * directory does not exist.
 */
static char **
list_sql_files(const char *dir, const SqlDirKind *kind, int *nnames)
{
	struct stat st;
	DIR		   *d;
	struct dirent *de;
	char	  **names;
	int			maxnames = 64;

	*nnames = 0;
	if (stat(dir, &st) != 0)
	{
		int			err = errno;

		if (err != ENOENT && err != ENOTDIR)
			ereport(ERROR,
					(errcode_for_migration_file(err),
					 errmsg("could not open %s \"%s\": %m", kind->dir_noun, dir),
					 errhint_server_os_user(err, false)));
		st.st_mode = 0;
	}
	if (!S_ISDIR(st.st_mode))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FILE),
				 errmsg("%s \"%s\" does not exist or is not a directory",
						kind->dir_noun, dir),
				 errhint("Check %s; a relative path is taken relative to the data directory.",
						 kind->setting)));

	names = palloc(maxnames * sizeof(char *));
	d = AllocateDir(dir);
	if (d == NULL)
	{
		int			err = errno;

		ereport(ERROR,
				(errcode_for_migration_file(err),
				 errmsg("could not open %s \"%s\": %m", kind->dir_noun, dir),
				 errhint_server_os_user(err, false)));
	}
	while ((de = ReadDir(d, dir)) != NULL)
	{
		size_t		len = strlen(de->d_name);

		CHECK_FOR_INTERRUPTS();
		if (de->d_name[0] == '.' || len < 5 ||
			strcmp(de->d_name + len - 4, ".sql") != 0)
			continue;
		check_name_encoding(de->d_name, kind);
		if (*nnames == maxnames)
		{
			maxnames *= 2;
			names = repalloc(names, maxnames * sizeof(char *));
		}
		names[(*nnames)++] = pstrdup(de->d_name);
	}
	FreeDir(d);

	qsort(names, *nnames, sizeof(char *), compare_names);
	return names;
}

/*
 * Read and parse every migration file of the configured directory.  Returns
 * a List of Revision *, in file name order.  When file_mode is not NULL it
 * receives the permission bits of the migration files (of the first one),
 * or 0 when there is none.  The files' texts go into "text_cxt", apart from
 * what is parsed from them, so that a caller can free them one by one
 * (scriptdir_free_text()) and see the memory go back.
 */
List *
scriptdir_load(mode_t *file_mode, MemoryContext text_cxt)
{
	const char *dir = scriptdir_path();
	int			nnames;
	char	  **names = list_sql_files(dir, &migrations_kind, &nnames);
	List	   *result = NIL;
	Size		total = 0;
	MemoryContext parse_cxt;

	if (file_mode != NULL)
		*file_mode = 0;
	/* a file is parsed here, then packed where the caller keeps it */
	parse_cxt = AllocSetContextCreate(CurrentMemoryContext, "fleetmig parse",
									  ALLOCSET_SMALL_SIZES);
	for (int i = 0; i < nnames; i++)
	{
		Size		len;
		char	   *text;
		Revision   *rev;
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();
		text = read_sql_file(dir, names[i], &migrations_kind, text_cxt, &len,
							 file_mode, &total);
		if (text == NULL)
			continue;
		file_mode = NULL;
		old = MemoryContextSwitchTo(parse_cxt);
		rev = script_parse(names[i], text, len);
		MemoryContextSwitchTo(old);
		rev = script_pack(rev);
		MemoryContextReset(parse_cxt);
		rev->text_has_room = true;
		result = lappend(result, rev);
	}
	MemoryContextDelete(parse_cxt);
	return result;
}

/*
 * The model directory of autogenerate: fleetmig.models_dir, or "models"
 * beside the migrations directory when it is not set.
 */
const char *
scriptdir_models_path(void)
{
	char	   *parent;
	int			len;

	if (fleetmig_models_dir != NULL && fleetmig_models_dir[0] != '\0')
		return fleetmig_models_dir;
	parent = pstrdup(scriptdir_path());
	len = strlen(parent);
	while (len > 1 && parent[len - 1] == '/')
		parent[--len] = '\0';
	get_parent_directory(parent);
	if (parent[0] == '\0')
		return "models";
	return psprintf("%s%smodels", parent,
					parent[strlen(parent) - 1] == '/' ? "" : "/");
}

/*
 * Whether the model directory exists (check() compares with the model only
 * then).
 */
bool
scriptdir_models_exist(void)
{
	struct stat st;

	return stat(scriptdir_models_path(), &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * The model files, in name order: a List of ScriptFile *.  Each file's text
 * has passed the pre-scan, so it can go to PostgreSQL's parser whole.
 */
List *
scriptdir_load_models(void)
{
	const char *dir = scriptdir_models_path();
	int			nnames;
	char	  **names = list_sql_files(dir, &models_kind, &nnames);
	List	   *result = NIL;
	Size		total = 0;

	for (int i = 0; i < nnames; i++)
	{
		ScriptFile *file = palloc(sizeof(ScriptFile));
		PrescanSource source = {"model file", names[i], names[i], 1};

		CHECK_FOR_INTERRUPTS();
		file->text = read_sql_file(dir, names[i], &models_kind,
								   CurrentMemoryContext, &file->len, NULL,
								   &total);
		if (file->text == NULL)
			continue;
		prescan_sql(file->text, (int) file->len, &source);
		file->name = names[i];
		result = lappend(result, file);
	}
	return result;
}

/*
 * The path to open for the entry "name" of "dir", with its stat() in *st:
 * the entry itself or, for a symbolic link, the file it finally leads to.
 * *outside tells whether that lies outside the directory.  Only the link
 * and the target's metadata are looked at, never the target's content;
 * errors name the entry, never the target.  "path" (MAXPGPATH bytes)
 * receives the entry's own path, so that reading a file allocates nothing
 * beyond its text (SPEC §11).
 */
static char *
entry_path(const char *dir, const char *name, const SqlDirKind *kind,
		   struct stat *st, bool *outside, char *path)
{
	char	   *resolved;
	char	   *target;
	char	   *dir_target;
	size_t		dirlen;

	*outside = false;
	if (snprintf(path, MAXPGPATH, "%s/%s", dir, name) >= MAXPGPATH)
		ereport(ERROR,
				(errcode(ERRCODE_NAME_TOO_LONG),
				 errmsg("path of %s \"%s\" is too long", kind->file_noun, name),
				 errdetail("A path may have at most %d bytes.", MAXPGPATH - 1)));
	if (lstat(path, st) != 0)
	{
		int			err = errno;

		ereport(ERROR,
				(errcode_for_migration_file(err),
				 errmsg("could not read %s \"%s\": %m", kind->file_noun, name),
				 errhint_server_os_user(err, false)));
	}
	if (!S_ISLNK(st->st_mode))
		return path;

	/* a dangling link or a loop is an error naming the entry */
	resolved = realpath(path, NULL);
	if (resolved == NULL)
	{
		int			err = errno;

		ereport(ERROR,
				(errcode_for_migration_file(err),
				 errmsg("could not read %s \"%s\": %m", kind->file_noun, name),
				 errhint_server_os_user(err, false)));
	}
	target = pstrdup(resolved);
	free(resolved);
	resolved = realpath(dir, NULL);
	if (resolved == NULL)
	{
		int			err = errno;

		ereport(ERROR,
				(errcode_for_migration_file(err),
				 errmsg("could not open %s \"%s\": %m", kind->dir_noun, dir),
				 errhint_server_os_user(err, false)));
	}
	dir_target = pstrdup(resolved);
	free(resolved);

	if (stat(target, st) != 0)
	{
		int			err = errno;

		ereport(ERROR,
				(errcode_for_migration_file(err),
				 errmsg("could not read %s \"%s\": %m", kind->file_noun, name),
				 errhint_server_os_user(err, false)));
	}
	/* inside: the directory itself, or below it */
	dirlen = strlen(dir_target);
	if (strcmp(dir_target, "/") != 0 &&
		!(strncmp(target, dir_target, dirlen) == 0 &&
		  (target[dirlen] == '/' || target[dirlen] == '\0')))
		*outside = true;
	return target;
}

/*
 * An ERROR when the files of a directory read so far add up to more than
 * fleetmig.max_directory_size (SPEC §9): one call holds them all, so the
 * server's memory must not be the limit.
 */
static void
charge_directory_size(const char *dir, const char *name, const SqlDirKind *kind,
					  Size total)
{
	Size		limit = (Size) fleetmig_max_directory_size * 1024;

	if (total <= limit)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("the files of %s \"%s\" add up to more than fleetmig.max_directory_size",
					kind->dir_noun, dir),
			 errdetail("The limit is %d kB; with \"%s\" the .sql files add up to %zu kB.",
					   fleetmig_max_directory_size, name, (total + 1023) / 1024),
			 errhint("A superuser can raise fleetmig.max_directory_size; the server holds every file of the directory during one call.")));
}

/*
 * The whole file as a text datum.  A file read from the directory has room
 * for the varlena header before its text, so the log row gets the text
 * without a copy (a file may be 64 MiB; SPEC §11 bounds memory by 4 times
 * the input).
 */
struct varlena *
scriptdir_file_text(Revision *rev)
{
	struct varlena *result;

	if (!rev->text_has_room)
		return (struct varlena *) cstring_to_text_with_len(rev->text, rev->text_len);
	result = (struct varlena *) (rev->text - VARHDRSZ);
	SET_VARSIZE(result, VARHDRSZ + rev->text_len);
	return result;
}

/*
 * Free the text of a revision read by scriptdir_load(), when nothing will
 * read it or its sections again.
 */
void
scriptdir_free_text(Revision *rev)
{
	pfree(rev->text_has_room ? rev->text - VARHDRSZ : rev->text);
	rev->text = NULL;
	rev->text_len = 0;
	rev->upgrade.sql = NULL;
	rev->downgrade.sql = NULL;
	rev->verify.sql = NULL;
}

/*
 * Read one file, normalised.  Returns NULL for a directory (ignored like any
 * sub-directory); any other entry that cannot be read, and a symbolic link
 * that leads outside the directory, is an ERROR naming it.  The file's
 * permission bits go to *file_mode when it is not NULL.
 */
static char *
read_sql_file(const char *dir, const char *name, const SqlDirKind *kind,
			  MemoryContext text_cxt, Size *len, mode_t *file_mode, Size *total)
{
	struct stat st;
	bool		outside;
	char		pathbuf[MAXPGPATH];
	char	   *path = entry_path(dir, name, kind, &st, &outside, pathbuf);
	int			fd;
	char	   *buf;
	Size		size;
	Size		done = 0;
	int			valid;

	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("%s \"%s\" is not a regular file", kind->file_noun, name)));
	if (outside)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("%s \"%s\" is a symbolic link that points outside the %s",
						kind->file_noun, name, kind->dir_noun),
				 errdetail("Its target is not read."),
				 errhint("Copy the file into the %s, or point the link at a file inside it.",
						 kind->dir_noun)));
	if (S_ISDIR(st.st_mode))
		return NULL;
	if ((Size) st.st_size > SCRIPT_MAX_FILE_SIZE)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s \"%s\" is too large", kind->file_noun, name),
				 errdetail("The file has %lld bytes; the limit is 64 MiB.",
						   (long long) st.st_size)));
	if (total != NULL)
		charge_directory_size(dir, name, kind, *total + (Size) st.st_size);
	if (file_mode != NULL)
		*file_mode = st.st_mode & (S_IRWXU | S_IRWXG | S_IRWXO);

	/* a file swapped for a symbolic link since lstat() is not followed */
	fd = OpenTransientFile(path, O_RDONLY | PG_BINARY | O_NOFOLLOW);
	if (fd < 0)
	{
		int			err = errno;

		ereport(ERROR,
				(errcode_for_migration_file(err),
				 errmsg("could not read %s \"%s\": %m", kind->file_noun, name),
				 errhint_server_os_user(err, false)));
	}

	/* room for a varlena header before the text: see scriptdir_file_text() */
	size = (Size) st.st_size;
	buf = (char *) MemoryContextAlloc(text_cxt, VARHDRSZ + size + 1) + VARHDRSZ;
	for (;;)
	{
		ssize_t		r;

		if (done == size)
		{
			/* the file may have grown since stat(): look for one more byte */
			char		probe;

			r = read(fd, &probe, 1);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				ereport(ERROR,
						(errcode_for_file_access(),
						 errmsg("could not read %s \"%s\": %m", kind->file_noun, name)));
			if (r == 0)
				break;
			if (size >= SCRIPT_MAX_FILE_SIZE)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("%s \"%s\" is too large", kind->file_noun, name),
						 errdetail("The limit is 64 MiB.")));
			size = Min(size * 2 + 1024, SCRIPT_MAX_FILE_SIZE);
			buf = (char *) repalloc(buf - VARHDRSZ, VARHDRSZ + size + 1) + VARHDRSZ;
			buf[done++] = probe;
			continue;
		}
		r = read(fd, buf + done, size - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not read %s \"%s\": %m", kind->file_noun, name)));
		if (r == 0)
			break;
		done += r;
	}
	CloseTransientFile(fd);
	/* the file may have grown since stat() */
	if (total != NULL)
	{
		charge_directory_size(dir, name, kind, *total + done);
		*total += done;
	}

	script_normalize(buf, &done);
	valid = pg_encoding_verifymbstr(GetDatabaseEncoding(), buf, (int) done);
	if (valid < (int) done)
	{
		int			line = 1;

		for (int i = 0; i < valid; i++)
			if (buf[i] == '\n')
				line++;
		ereport(ERROR,
				(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
				 errmsg("%s \"%s\" is not valid in encoding \"%s\"",
						kind->file_noun, name, GetDatabaseEncodingName()),
				 errdetail("File \"%s\", line %d.", name, line)));
	}
	*len = done;
	return buf;
}

/*
 * The text of the template for new migration files, script.sql.tmpl in the
 * migrations directory, or NULL when there is none.
 */
char *
scriptdir_read_template(void)
{
	const char *dir = scriptdir_path();
	char	   *path = psprintf("%s/%s", dir, SCRIPTDIR_TEMPLATE);
	struct stat st;
	Size		len;

	if (stat(path, &st) != 0 && errno == ENOENT)
		return NULL;
	return read_sql_file(dir, SCRIPTDIR_TEMPLATE, &migrations_kind,
						 CurrentMemoryContext, &len, NULL, NULL);
}
