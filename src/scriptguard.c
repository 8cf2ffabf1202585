/*-------------------------------------------------------------------------
 *
 * scriptguard.c
 *	  fleetmig.script_guard() and fleetmig.script_unlock(): the server side
 *	  of an offline script (SPEC §9).
 *
 * A script of upgrade_sql()/downgrade_sql() calls script_guard() before
 * anything else.  It keeps every guard the online path has: the caller
 * must be able to write fleetmig's tables, fleetmig's lock is taken (for
 * the transaction inside a transaction block; for the session otherwise,
 * or when the script commits on its own), the database must be at the
 * heads the script starts from, and no applied revision may have a file
 * other than the one the script was written from (unless
 * fleetmig.verify_checksums is off).  Each statement of a migration goes
 * through script_statement() on its way to psql's \gexec, which refuses
 * it unless it still reads as one statement that upgrade() would run.
 * After a step's statements, script_record() writes its rows to
 * fleetmig.version and fleetmig.log as upgrade() does, the checksum taken
 * of the file text the script passes.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "args.h"
#include "checksum.h"
#include "fleetmig.h"
#include "script.h"
#include "state.h"
#include "statements.h"

PG_FUNCTION_INFO_V1(fleetmig_script_guard);
PG_FUNCTION_INFO_V1(fleetmig_script_unlock);
PG_FUNCTION_INFO_V1(fleetmig_script_statement);
PG_FUNCTION_INFO_V1(fleetmig_script_record);

/*
 * How many times this session took fleetmig's lock for a script (an abort
 * releases it sooner: state_session_locks() says how often it is held)
 */
static int	session_locks = 0;

/* The checksum a script was written with, by revision */
typedef struct ScriptGuardSum
{
	char		revision[SCRIPT_MAX_NAME_LEN + 1];
	char	   *checksum;
} ScriptGuardSum;

static char *quoted_list(List *strings);
static void require_writer(void);
static int	compare_strings(const ListCell *a, const ListCell *b);
static void check_state(List *heads, List *applied);
static List *checked_ids(List *ids, const char *name);

/*
 * "a", "b" -- or base for none.
 */
static char *
quoted_list(List *strings)
{
	StringInfoData buf;
	ListCell   *lc;

	if (strings == NIL)
		return "base";
	initStringInfo(&buf);
	foreach(lc, strings)
		appendStringInfo(&buf, "%s\"%s\"", buf.len > 0 ? ", " : "",
						 (char *) lfirst(lc));
	return buf.data;
}

/*
 * The script writes fleetmig.version and fleetmig.log itself: only a role
 * that may do that may take fleetmig's lock through it.
 */
static void
require_writer(void)
{
	Oid			nsp = get_namespace_oid("fleetmig", false);
	Oid			version = get_relname_relid("version", nsp);
	Oid			log = get_relname_relid("log", nsp);
	Oid			user = GetUserId();

	if (!OidIsValid(version) || !OidIsValid(log) ||
		pg_class_aclcheck(version, user, ACL_INSERT | ACL_DELETE) != ACLCHECK_OK ||
		pg_class_aclcheck(log, user, ACL_INSERT) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to run a fleetmig script"),
				 errdetail("The script writes fleetmig.version and fleetmig.log, which role \"%s\" may not write.",
						   GetUserNameFromId(user, false)),
				 errhint("Run it as the owner of the extension, or run SELECT * FROM fleetmig.upgrade(...) instead.")));
}

static int
compare_strings(const ListCell *a, const ListCell *b)
{
	return strcmp(lfirst(a), lfirst(b));
}

/*
 * Under the lock: the database is at "heads", and the checksum reference of
 * every applied revision is the one in "applied".
 */
static void
check_state(List *heads, List *applied)
{
	List	   *current = state_read_version();
	HASHCTL		ctl = {0};
	HTAB	   *sums;
	ListCell   *lc;
	ListCell   *lc2;

	list_sort(heads, compare_strings);
	forboth(lc, heads, lc2, current)
	{
		if (strcmp(lfirst(lc), lfirst(lc2)) != 0)
			break;
	}
	if (list_length(heads) != list_length(current) || lc != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the database is not at the revisions this script starts from"),
				 errdetail("The script starts from %s; fleetmig.version holds %s.",
						   quoted_list(heads), quoted_list(current)),
				 errhint("Write the script again for this database with fleetmig.upgrade_sql() or fleetmig.downgrade_sql().")));

	if (!fleetmig_verify_checksums)
		return;
	ctl.keysize = SCRIPT_MAX_NAME_LEN + 1;
	ctl.entrysize = sizeof(ScriptGuardSum);
	ctl.hcxt = CurrentMemoryContext;
	sums = hash_create("fleetmig script checksums", Max(list_length(applied), 16),
					   &ctl, HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	foreach(lc, applied)
	{
		char	   *entry = lfirst(lc);
		char	   *space = strchr(entry, ' ');
		ScriptGuardSum *sum;

		CHECK_FOR_INTERRUPTS();
		if (space == NULL || space - entry > SCRIPT_MAX_NAME_LEN)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid entry \"%s\" in applied", entry),
					 errdetail("Each entry is a revision id, a space and the checksum of its file.")));
		*space = '\0';
		sum = hash_search(sums, entry, HASH_ENTER, NULL);
		sum->checksum = space + 1;
	}
	foreach(lc, state_read_checksums())
	{
		StateChecksum *ref = lfirst(lc);
		ScriptGuardSum *sum;

		CHECK_FOR_INTERRUPTS();
		if (strlen(ref->revision) > SCRIPT_MAX_NAME_LEN)
			continue;
		sum = hash_search(sums, ref->revision, HASH_FIND, NULL);
		if (sum != NULL && strcmp(sum->checksum, ref->checksum) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("migration file of applied revision \"%s\" has been edited",
							ref->revision),
					 errdetail("The script was written from a file with checksum %s; fleetmig.log records %s.",
							   sum->checksum, ref->checksum),
					 errhint("Never edit an applied migration: restore the file and write a new migration for the change. A superuser can set fleetmig.verify_checksums = off to proceed anyway.")));
	}
	hash_destroy(sums);
}

/*
 * script_guard(session_lock, heads, applied): "applied" holds one
 * "<revision> <checksum>" per revision applied at "heads", the checksum of
 * the file the script was written from.
 */
Datum
fleetmig_script_guard(PG_FUNCTION_ARGS)
{
	bool		session;
	List	   *heads;
	List	   *applied;

	session = args_bool(fcinfo, 0, "session_lock") || !IsTransactionBlock();
	heads = args_text_array(fcinfo, 1, "heads");
	applied = args_text_array(fcinfo, 2, "applied");

	require_writer();
	if (!session)
	{
		state_lock();
		state_check_snapshot();
		check_state(heads, applied);
		PG_RETURN_VOID();
	}

	/* a script that stops here must not leave the session holding the lock */
	state_lock_session();
	PG_TRY();
	{
		state_check_snapshot();
		check_state(heads, applied);
	}
	PG_CATCH();
	{
		state_unlock_session();
		PG_RE_THROW();
	}
	PG_END_TRY();
	session_locks++;
	PG_RETURN_VOID();
}

/*
 * script_unlock(): release the session lock script_guard() took; nothing
 * when it took none.
 */
Datum
fleetmig_script_unlock(PG_FUNCTION_ARGS)
{
	int			held = Min(session_locks, state_session_locks());

	while (held-- > 0)
		state_unlock_session();
	session_locks = 0;
	PG_RETURN_VOID();
}

/*
 * script_statement(sql): sql, once it is shown to read, under the session's
 * settings now, as one statement that may run in a migration.
 */
Datum
fleetmig_script_statement(PG_FUNCTION_ARGS)
{
	char	   *sql = args_text(fcinfo, 0, "sql");

	statements_check_script(sql);
	PG_RETURN_TEXT_P(cstring_to_text(sql));
}

/*
 * The revision ids of argument "name", each of which must be one.
 */
static List *
checked_ids(List *ids, const char *name)
{
	ListCell   *lc;

	foreach(lc, ids)
	{
		if (!script_valid_name(lfirst(lc)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid revision id \"%s\" in %s", (char *) lfirst(lc), name)));
	}
	return ids;
}

/*
 * script_record(direction, revision, remove, add, script): the state
 * writes of one step of an offline script, under the lock script_guard()
 * took: the version rows "remove" go, "add" come, and the log gets the
 * step's row with the file's text "script", its checksum, the caller and
 * the time now.
 */
Datum
fleetmig_script_record(PG_FUNCTION_ARGS)
{
	char	   *direction = args_text(fcinfo, 0, "direction");
	char	   *revision = args_text(fcinfo, 1, "revision");
	List	   *remove = checked_ids(args_text_array(fcinfo, 2, "remove"), "remove");
	List	   *add = checked_ids(args_text_array(fcinfo, 3, "add"), "add");
	text	   *script = args_text_value(fcinfo, 4, "script");
	StateLogRow row;

	if (strcmp(direction, "upgrade") != 0 && strcmp(direction, "downgrade") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid direction \"%s\"", direction),
				 errhint("A step of a script is an upgrade or a downgrade.")));
	checked_ids(list_make1(revision), "revision");
	require_writer();
	if (!state_lock_held())
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("fleetmig's lock is not held"),
				 errdetail("script_record() writes a step of an offline script, after fleetmig.script_guard() took the lock."),
				 errhint("Run the whole script that fleetmig.upgrade_sql() or fleetmig.downgrade_sql() wrote.")));

	row.revision = revision;
	row.direction = direction;
	row.checksum = checksum_sha256_hex(VARDATA_ANY(script), VARSIZE_ANY_EXHDR(script));
	row.script = script;
	row.applied_at = GetCurrentTimestamp();
	row.duration = NULL;
	state_apply(remove, add, list_make1(&row));
	PG_RETURN_VOID();
}
