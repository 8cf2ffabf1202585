/*-------------------------------------------------------------------------
 *
 * state.c
 *	  Read and write fleetmig.version and fleetmig.log through SPI (SPEC §6).
 *
 * Every statement is schema-qualified, uses pg_catalog operators, runs under
 * search_path = pg_catalog, pg_temp and as the owner of fleetmig.version
 * (the extension's owner) in a security-restricted operation, so a deploy
 * role needs no privilege on these tables and objects in its search_path
 * cannot take part.  Plans are prepared once per backend and kept.
 *
 * The lock that serialises state changes is taken from C under a lock tag
 * no SQL function can take, not an advisory key any role could hold
 * (SPEC §9).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "safesql.h"
#include "state.h"

typedef enum StateStatement
{
	STMT_READ_VERSION,
	STMT_READ_LATEST_LOG,
	STMT_READ_LATEST_LOG_ALL,
	STMT_READ_CHECKSUMS,
	STMT_FINGERPRINT,
	STMT_READ_SCRIPT,
	STMT_APPLY,
	STMT_APPLY_ONE,
	NUM_STATEMENTS
} StateStatement;

static const struct
{
	const char *sql;
	int			nargs;
	Oid			argtypes[9];
}			statements[NUM_STATEMENTS] =
{
	[STMT_READ_VERSION] = {
		"SELECT revision FROM fleetmig.version"
		" ORDER BY revision COLLATE pg_catalog.\"C\"",
		0, {0}
	},
	[STMT_READ_LATEST_LOG] = {
		"SELECT DISTINCT ON (revision) revision, direction,"
		" checksum IS NOT NULL, applied_at FROM fleetmig.log"
		" WHERE direction OPERATOR(pg_catalog.<>) 'stamp'::pg_catalog.text OR checksum IS NOT NULL"
		" ORDER BY revision, id DESC",
		0, {0}
	},
	[STMT_READ_LATEST_LOG_ALL] = {
		"SELECT DISTINCT ON (revision) revision, direction,"
		" checksum IS NOT NULL, applied_at FROM fleetmig.log"
		" ORDER BY revision, id DESC",
		0, {0}
	},
	[STMT_READ_CHECKSUMS] = {
		"SELECT DISTINCT ON (revision) revision, checksum, direction FROM fleetmig.log"
		" WHERE direction OPERATOR(pg_catalog.<>) 'stamp'::pg_catalog.text OR checksum IS NOT NULL"
		" ORDER BY revision, id DESC",
		0, {0}
	},
	[STMT_FINGERPRINT] = {
		"SELECT pg_catalog.format('%s/%s/%s', (SELECT pg_catalog.count(*) FROM fleetmig.log),"
		" (SELECT pg_catalog.max(id) FROM fleetmig.log),"
		" (SELECT pg_catalog.string_agg(revision, ',' ORDER BY revision COLLATE pg_catalog.\"C\")"
		" FROM fleetmig.version))",
		0, {0}
	},
	[STMT_READ_SCRIPT] = {
		"SELECT script FROM fleetmig.log WHERE revision OPERATOR(pg_catalog.=) $1"
		" AND checksum OPERATOR(pg_catalog.=) $2 ORDER BY id DESC LIMIT 1",
		2, {TEXTOID, TEXTOID}
	},
	[STMT_APPLY] = {
		"WITH removed AS ("
		" DELETE FROM fleetmig.version WHERE revision OPERATOR(pg_catalog.=) ANY ($1)),"
		" added AS ("
		" INSERT INTO fleetmig.version (revision) SELECT pg_catalog.unnest($2))"
		" INSERT INTO fleetmig.log (revision, direction, checksum, script,"
		" applied_by, applied_at, duration)"
		" SELECT r, d, c, s, $9, a, u"
		" FROM ROWS FROM (pg_catalog.unnest($3), pg_catalog.unnest($4),"
		" pg_catalog.unnest($5), pg_catalog.unnest($6), pg_catalog.unnest($7),"
		" pg_catalog.unnest($8)) WITH ORDINALITY AS l (r, d, c, s, a, u, o)"
		" ORDER BY o",
		9, {TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID,
		TEXTARRAYOID, TIMESTAMPTZARRAYOID, INTERVALARRAYOID, TEXTOID}
	},
	/* one log row, its file text passed as it is, not copied into an array */
	[STMT_APPLY_ONE] = {
		"WITH removed AS ("
		" DELETE FROM fleetmig.version WHERE revision OPERATOR(pg_catalog.=) ANY ($1)),"
		" added AS ("
		" INSERT INTO fleetmig.version (revision) SELECT pg_catalog.unnest($2))"
		" INSERT INTO fleetmig.log (revision, direction, checksum, script,"
		" applied_by, applied_at, duration)"
		" VALUES ($3, $4, $5, $6, $9, $7, $8)",
		9, {TEXTARRAYOID, TEXTARRAYOID, TEXTOID, TEXTOID, TEXTOID,
		TEXTOID, TIMESTAMPTZOID, INTERVALOID, TEXTOID}
	},
};

static SPIPlanPtr plans[NUM_STATEMENTS];

/* How many times this session holds fleetmig's lock at session level */
static int	session_locks = 0;

/* Saved around a state access: who the caller is, where results go */
typedef struct StateCall
{
	Oid			save_userid;
	int			save_sec_context;
	int			guc_nest;
	MemoryContext caller_cxt;
} StateCall;

static void state_enter(StateCall *call);
static void state_leave(StateCall *call);
static int	state_run(StateStatement stmt, Datum *values, const char *nulls);
static SPIPlanPtr state_plan(StateStatement stmt);
static char *state_fingerprint(Snapshot snapshot);

/*
 * fleetmig.version, whose owner is fleetmig's.
 */
static Oid
state_version_relid(void)
{
	Oid			relid = get_relname_relid("version",
										  get_namespace_oid("fleetmig", false));

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table fleetmig.version does not exist"),
				 errhint("Recreate the extension: DROP EXTENSION fleetmig, then CREATE EXTENSION fleetmig.")));
	return relid;
}

/*
 * The tag of fleetmig's lock: an advisory tag of this database with the
 * keys "flee" and "tmig" and a fourth field of 3, in the default lock
 * method.  SQL's advisory functions make tags of the user lock method with
 * a fourth field of 1 or 2 only, so no SQL caller can take, wait for or
 * release (pg_advisory_unlock_all()) this one; and unlike a lock on one of
 * fleetmig's tables, no statement of a role with mere USAGE on the schema
 * (a prepared INSERT, a REFERENCES waiting behind it, a database owner's
 * ANALYZE) can stand in its queue.
 */
static void
state_locktag(LOCKTAG *tag)
{
	tag->locktag_field1 = MyDatabaseId;
	tag->locktag_field2 = STATE_LOCK_KEY1;
	tag->locktag_field3 = STATE_LOCK_KEY2;
	tag->locktag_field4 = STATE_LOCK_FIELD4;
	tag->locktag_type = LOCKTAG_ADVISORY;
	tag->locktag_lockmethodid = DEFAULT_LOCKMETHOD;
}

/*
 * Take the lock that serialises every state change (SPEC §8, §9), for the
 * transaction: released at commit or abort.  Waits queue, honour
 * lock_timeout and take part in deadlock detection.
 */
void
state_lock(void)
{
	LOCKTAG		tag;

	state_locktag(&tag);
	(void) LockAcquire(&tag, STATE_LOCK_MODE, false, false);
}

/*
 * An abort releases the session's locks of the default lock method too:
 * forget them.
 */
static void
state_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		session_locks = 0;
}

/*
 * The same lock held by the session, across the commits of
 * upgrade_each(); release it with state_unlock_session().  An abort
 * releases it as well.
 */
void
state_lock_session(void)
{
	static bool registered = false;
	LOCKTAG		tag;

	if (!registered)
	{
		RegisterXactCallback(state_xact_callback, NULL);
		registered = true;
	}
	state_locktag(&tag);
	(void) LockAcquire(&tag, STATE_LOCK_MODE, true, false);
	session_locks++;
}

/*
 * Release the session's lock once, if an abort has not released it.
 */
void
state_unlock_session(void)
{
	LOCKTAG		tag;

	if (session_locks == 0)
		return;
	state_locktag(&tag);
	(void) LockRelease(&tag, STATE_LOCK_MODE, true);
	session_locks--;
}

/*
 * How many times the session holds the lock.
 */
int
state_session_locks(void)
{
	return session_locks;
}

/*
 * Whether this backend holds fleetmig's lock, for the transaction or the
 * session.
 */
bool
state_lock_held(void)
{
	LOCKTAG		tag;

	state_locktag(&tag);
#if PG_VERSION_NUM >= 170000
	return LockHeldByMe(&tag, STATE_LOCK_MODE, false);
#else
	return LockHeldByMe(&tag, STATE_LOCK_MODE);
#endif
}

/*
 * The owner of fleetmig.version: the role fleetmig's own reads and writes
 * run as.
 */
Oid
state_owner(void)
{
	Oid			relid = state_version_relid();
	HeapTuple	tuple;
	Oid			owner;

	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	return owner;
}

/*
 * Connect to SPI, restrict search_path and become the owner of
 * fleetmig.version, in a security-restricted operation (as a maintenance
 * command runs as a table's owner): nothing run on the owner's behalf can
 * change the session.
 */
static void
state_enter(StateCall *call)
{
	Oid			owner = state_owner();

	call->caller_cxt = CurrentMemoryContext;
	GetUserIdAndSecContext(&call->save_userid, &call->save_sec_context);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	SetUserIdAndSecContext(owner,
						   call->save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	call->guc_nest = safesql_enter();
}

static void
state_leave(StateCall *call)
{
	safesql_leave(call->guc_nest);
	SetUserIdAndSecContext(call->save_userid, call->save_sec_context);
	SPI_finish();
}

/*
 * Run one of the statements with its kept plan; returns SPI_processed.
 */
static SPIPlanPtr
state_plan(StateStatement stmt)
{
	if (plans[stmt] == NULL)
	{
		/*
		 * A generic plan: these statements read and write two small tables
		 * by their keys, and planning them again for every step's
		 * parameters costs more than running them.
		 */
		SPIPlanPtr	plan = SPI_prepare_cursor(statements[stmt].sql,
											  statements[stmt].nargs,
											  (Oid *) statements[stmt].argtypes,
											  CURSOR_OPT_GENERIC_PLAN);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s",
				 statements[stmt].sql, SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		plans[stmt] = plan;
	}
	return plans[stmt];
}

static int
state_run(StateStatement stmt, Datum *values, const char *nulls)
{
	int			rc = SPI_execute_plan(state_plan(stmt), values, nulls, false, 0);

	if (rc < 0)
		elog(ERROR, "SPI_execute_plan failed for \"%s\": %s",
			 statements[stmt].sql, SPI_result_code_string(rc));
	return (int) SPI_processed;
}

/*
 * The log's size and last id and the version rows, as one string, seen
 * through a snapshot.  Runs inside state_enter().
 */
static char *
state_fingerprint(Snapshot snapshot)
{
	int			rc = SPI_execute_snapshot(state_plan(STMT_FINGERPRINT), NULL, NULL,
										  snapshot, InvalidSnapshot,
										  true, false, 1);

	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read the fleetmig state: %s",
			 SPI_result_code_string(rc));
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

/*
 * Under REPEATABLE READ or SERIALIZABLE the caller's snapshot may predate
 * the wait for the lock: if another deployer changed the state meanwhile,
 * working from the old snapshot would run migrations twice.  Fail with a
 * serialization error instead (SPEC §8).  Call after state_lock().
 */
void
state_check_snapshot(void)
{
	StateCall	call;
	char	   *seen;
	char	   *latest;

	if (!IsolationUsesXactSnapshot())
		return;
	state_enter(&call);
	seen = state_fingerprint(GetTransactionSnapshot());
	latest = state_fingerprint(GetLatestSnapshot());
	if (strcmp(seen, latest) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access to the fleetmig state"),
				 errdetail("Another session changed fleetmig.version after this transaction took its snapshot."),
				 errhint("Retry the transaction: it will find that work done.")));
	state_leave(&call);
}

/*
 * The checksum reference of every revision that has one: its latest upgrade
 * or adding stamp, unless a downgrade came after it.  Stamps that removed a
 * row do not count: the revision may still be applied below another.  A
 * List of StateChecksum *, without the revisions that have no reference.
 */
List *
state_read_checksums(void)
{
	StateCall	call;
	List	   *result = NIL;
	int			n;

	state_enter(&call);
	n = state_run(STMT_READ_CHECKSUMS, NULL, NULL);
	for (int i = 0; i < n; i++)
	{
		char	   *rev = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		char	   *sum = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);
		char	   *dir = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 3);
		MemoryContext old;
		StateChecksum *c;

		if (strcmp(dir, "downgrade") == 0)
			continue;
		old = MemoryContextSwitchTo(call.caller_cxt);
		c = palloc(sizeof(StateChecksum));

		c->revision = pstrdup(rev);
		c->checksum = pstrdup(sum);
		result = lappend(result, c);
		MemoryContextSwitchTo(old);
	}
	state_leave(&call);
	return result;
}

/*
 * The text of a revision's file as it was when logged with this checksum,
 * or NULL.
 */
char *
state_read_script(const char *revision, const char *checksum)
{
	StateCall	call;
	Datum		values[2] = {CStringGetTextDatum(revision), CStringGetTextDatum(checksum)};
	char	   *result = NULL;

	state_enter(&call);
	if (state_run(STMT_READ_SCRIPT, values, NULL) == 1)
	{
		char	   *script = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

		if (script != NULL)
			result = MemoryContextStrdup(call.caller_cxt, script);
	}
	state_leave(&call);
	return result;
}

/*
 * The rows of fleetmig.version: a List of char *, sorted.
 */
List *
state_read_version(void)
{
	StateCall	call;
	List	   *result = NIL;
	int			n;

	state_enter(&call);
	n = state_run(STMT_READ_VERSION, NULL, NULL);
	for (int i = 0; i < n; i++)
	{
		char	   *rev = SPI_getvalue(SPI_tuptable->vals[i],
									   SPI_tuptable->tupdesc, 1);
		MemoryContext old = MemoryContextSwitchTo(call.caller_cxt);

		result = lappend(result, pstrdup(rev));
		MemoryContextSwitchTo(old);
	}
	state_leave(&call);
	return result;
}

/*
 * The latest log row of every revision that has one: a List of
 * StateLogEntry *.  Unless with_removals, stamps that removed a row are left
 * out (the revision may still be applied below another).
 */
List *
state_read_latest_log(bool with_removals)
{
	StateCall	call;
	List	   *result = NIL;
	int			n;

	state_enter(&call);
	n = state_run(with_removals ? STMT_READ_LATEST_LOG_ALL : STMT_READ_LATEST_LOG,
				  NULL, NULL);
	for (int i = 0; i < n; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		char	   *rev = SPI_getvalue(tup, desc, 1);
		char	   *dir = SPI_getvalue(tup, desc, 2);
		bool		has_checksum = DatumGetBool(SPI_getbinval(tup, desc, 3, &isnull));
		TimestampTz at = DatumGetTimestampTz(SPI_getbinval(tup, desc, 4, &isnull));
		MemoryContext old = MemoryContextSwitchTo(call.caller_cxt);
		StateLogEntry *e = palloc(sizeof(StateLogEntry));

		e->revision = pstrdup(rev);
		e->direction = pstrdup(dir);
		e->has_checksum = has_checksum;
		e->applied_at = at;
		result = lappend(result, e);
		MemoryContextSwitchTo(old);
	}
	state_leave(&call);
	return result;
}

/*
 * A one-dimensional array of "n" Datums of type "elemtype"; nulls may be
 * NULL.
 */
static Datum
make_array(Datum *elems, bool *nulls, int n, Oid elemtype)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;
	int			dims[1] = {n};
	int			lbs[1] = {1};

	if (n == 0)
		return PointerGetDatum(construct_empty_array(elemtype));
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs,
											  elemtype, typlen, typbyval, typalign));
}

static Datum
id_array(List *ids)
{
	int			n = list_length(ids);
	Datum	   *elems = palloc(Max(n, 1) * sizeof(Datum));
	int			i = 0;
	ListCell   *lc;

	foreach(lc, ids)
		elems[i++] = CStringGetTextDatum(lfirst(lc));
	return make_array(elems, NULL, n, TEXTOID);
}

/*
 * Change the state in one statement: remove and add rows of
 * fleetmig.version (lists of revision ids) and append rows to fleetmig.log
 * (a list of StateLogRow *), with applied_by the calling role.
 */
void
state_apply(List *remove, List *add, List *log_rows)
{
	StateCall	call;
	int			n = list_length(log_rows);
	Datum		values[9];
	char		nulls[9];
	Datum	   *cols[6];
	bool	   *colnulls[6];
	static const Oid coltypes[6] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID,
	TIMESTAMPTZOID, INTERVALOID};
	int			i = 0;
	ListCell   *lc;

	for (int c = 0; c < 6; c++)
	{
		cols[c] = palloc(Max(n, 1) * sizeof(Datum));
		colnulls[c] = palloc0(Max(n, 1) * sizeof(bool));
	}
	foreach(lc, log_rows)
	{
		StateLogRow *row = lfirst(lc);

		cols[0][i] = CStringGetTextDatum(row->revision);
		cols[1][i] = CStringGetTextDatum(row->direction);
		cols[2][i] = row->checksum ? CStringGetTextDatum(row->checksum) : (Datum) 0;
		colnulls[2][i] = (row->checksum == NULL);
		cols[3][i] = PointerGetDatum(row->script);
		colnulls[3][i] = (row->script == NULL);
		cols[4][i] = TimestampTzGetDatum(row->applied_at);
		cols[5][i] = row->duration ? IntervalPGetDatum(row->duration) : (Datum) 0;
		colnulls[5][i] = (row->duration == NULL);
		i++;
	}

	memset(nulls, ' ', sizeof(nulls));
	values[0] = id_array(remove);
	values[1] = id_array(add);
	for (int c = 0; c < 6; c++)
	{
		if (n == 1)
		{
			values[2 + c] = cols[c][0];
			nulls[2 + c] = colnulls[c][0] ? 'n' : ' ';
		}
		else
			values[2 + c] = make_array(cols[c], colnulls[c], n, coltypes[c]);
	}
	values[8] = CStringGetTextDatum(GetUserNameFromId(GetUserId(), false));

	state_enter(&call);
	state_run(n == 1 ? STMT_APPLY_ONE : STMT_APPLY, values, nulls);
	state_leave(&call);
}
