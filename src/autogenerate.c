/*-------------------------------------------------------------------------
 *
 * autogenerate.c
 *	  Compare the declared model with the live schema (SPEC §10).  Inside a
 *	  subtransaction that is always rolled back, the model files are run
 *	  into a scratch schema put first in search_path, both schemas are read
 *	  from the catalogs, and schemadiff.c writes the upgrade (live to model)
 *	  and the downgrade (model to live).
 *
 * The live schema is the caller's current schema (current_schema()).  The
 * model files name their objects without a schema, and modelguard.c
 * refuses, before it runs, a statement that would do more than declare
 * objects in the scratch schema.  The scratch schema has a random name and
 * is created here, by the extension's owner for the caller; the model runs
 * with search_path = scratch, pg_catalog, the schemas of superusers'
 * extensions, pg_temp (modelguard_path_begin()) and, where the server
 * allows it (PostgreSQL 17 and later, a caller who may set it), with event
 * triggers off.  Every catalog query runs under a search_path of pg_catalog
 * and pg_temp, with the one schema it deparses names for, if any, between
 * them, with qualified operators and functions and typed literals.
 * Definitions of the model that read differently from the live schema's
 * are re-created once in the scratch schema from their own text, so that
 * deparsing that is not a fixed point does not show as a difference
 * forever (see schemadesc.h).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "catalog/catalog.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "parser/parse_coerce.h"
#include "parser/parser.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"

#include "autogenerate.h"
#include "modelguard.h"
#include "safesql.h"
#include "scriptdir.h"
#include "statements.h"
#include "state.h"
#include "subxact.h"

/* What an error in a model file is reported against */
typedef struct ModelPosition
{
	ScriptFile *file;
	int			offset;			/* of the statement in the file's text */
} ModelPosition;

static int
line_of(const char *text, int offset)
{
	int			line = 1;

	for (int i = 0; i < offset && text[i] != '\0'; i++)
	{
		if (text[i] == '\n')
			line++;
	}
	return line;
}

/*
 * An error in a model file: name the file and the line.  A syntax error
 * carries a position in the statement (in characters).
 */
static void
model_error_callback(void *arg)
{
	ModelPosition *pos = (ModelPosition *) arg;
	const char *text = pos->file->text + pos->offset;
	int			cursor = geterrposition();
	int			offset = pos->offset;

	if (cursor > 0)
	{
		offset += pg_mbcharcliplen(text, strlen(text), cursor - 1);
		errposition(0);
	}
	errcontext("model file \"%s\", line %d", pos->file->name,
			   line_of(pos->file->text, offset));
}

/*
 * Run one model file, statement by statement, each vetted by
 * modelguard_check() before it runs.
 */
static void
run_model_file(ScriptFile *file, ModelGuard *guard)
{
	ErrorContextCallback errcallback;
	ModelPosition pos = {file, 0};
	List	   *raw;
	ListCell   *lc;

	errcallback.callback = model_error_callback;
	errcallback.arg = &pos;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;

	raw = raw_parser(file->text, RAW_PARSE_DEFAULT);
	foreach(lc, raw)
	{
		RawStmt    *stmt = lfirst_node(RawStmt, lc);
		int			start = stmt->stmt_location;
		int			len = stmt->stmt_len > 0 ? stmt->stmt_len :
			(int) strlen(file->text + start);
		char	   *sql;
		int			rc;

		CHECK_FOR_INTERRUPTS();
		/* the statement starts after the comments the grammar counts in */
		start = statements_skip_space_and_comments(file->text, start);
		len -= start - stmt->stmt_location;
		pos.offset = start;
		guard->text = file->text;
		guard->start = start;
		modelguard_check(guard, stmt->stmt);
		sql = pnstrdup(file->text + start, len);
		rc = SPI_execute(sql, false, 0);
		if (rc < 0)
			elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(rc));
		pfree(sql);
	}
	error_context_stack = errcallback.previous;
}

/*
 * The objects of the model autogenerate does not compare: functions,
 * domains, composite types, materialized views, partitioned tables and
 * their partitions, triggers, policies and rules.  Named in a WARNING, so
 * that nothing in the model is skipped in silence.
 */
static const char uncompared_sql[] =
"SELECT pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid)"
"  FROM pg_catalog.pg_depend d"
" WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_namespace'::pg_catalog.regclass::pg_catalog.oid"
"   AND d.refobjid OPERATOR(pg_catalog.=) $1 AND d.deptype OPERATOR(pg_catalog.=) 'n'::pg_catalog.\"char\""
"   AND NOT (d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid"
"            AND (SELECT c.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['r', 'v', 'S']::pg_catalog.\"char\"[])"
"                        AND NOT c.relispartition"
"                   FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) d.objid))"
"   AND NOT (d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass::pg_catalog.oid"
"            AND (SELECT t.typtype OPERATOR(pg_catalog.=) 'e'::pg_catalog.\"char\""
"                   FROM pg_catalog.pg_type t WHERE t.oid OPERATOR(pg_catalog.=) d.objid))"
" UNION ALL"
" SELECT pg_catalog.pg_describe_object(x.classid, x.objid, 0)"
"  FROM (SELECT 'pg_catalog.pg_trigger'::pg_catalog.regclass::pg_catalog.oid, t.oid, t.tgrelid"
"          FROM pg_catalog.pg_trigger t WHERE NOT t.tgisinternal"
"        UNION ALL"
"        SELECT 'pg_catalog.pg_policy'::pg_catalog.regclass::pg_catalog.oid, p.oid, p.polrelid"
"          FROM pg_catalog.pg_policy p"
"        UNION ALL"
"        SELECT 'pg_catalog.pg_rewrite'::pg_catalog.regclass::pg_catalog.oid, r.oid, r.ev_class"
"          FROM pg_catalog.pg_rewrite r WHERE r.rulename OPERATOR(pg_catalog.<>) '_RETURN'::pg_catalog.name) x (classid, objid, relid)"
"  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) x.relid"
" WHERE c.relnamespace OPERATOR(pg_catalog.=) $1"
" ORDER BY 1";

/*
 * The model describes the whole schema: an object of the model that uses a
 * table, view, sequence or type of the live schema the model does not
 * declare would be compared against a schema that lacks it.  modelguard.c
 * refuses the names it sees; this finds what a literal named (a regclass
 * in a default, say).
 */
static const char borrowed_sql[] =
"SELECT pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid),"
"       pg_catalog.pg_describe_object(d.refclassid, d.refobjid, 0)"
"  FROM pg_catalog.pg_depend d"
" WHERE d.deptype OPERATOR(pg_catalog.=) ANY ('{n,a}'::pg_catalog.\"char\"[])"
"   AND ((d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid"
"         AND d.refobjid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT c.oid FROM pg_catalog.pg_class c"
"                  WHERE c.relnamespace OPERATOR(pg_catalog.=) $2)))"
"     OR (d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass::pg_catalog.oid"
"         AND d.refobjid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT t.oid FROM pg_catalog.pg_type t"
"                  WHERE t.typnamespace OPERATOR(pg_catalog.=) $2))))"
"   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e"
"                    WHERE e.classid OPERATOR(pg_catalog.=) d.refclassid"
"                      AND e.objid OPERATOR(pg_catalog.=) d.refobjid"
"                      AND e.deptype OPERATOR(pg_catalog.=) 'e'::pg_catalog.\"char\")"
"   AND $1 OPERATOR(pg_catalog.=) CASE"
"       WHEN d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid THEN"
"            (SELECT c.relnamespace FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) d.objid)"
"       WHEN d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass::pg_catalog.oid THEN"
"            (SELECT t.typnamespace FROM pg_catalog.pg_type t WHERE t.oid OPERATOR(pg_catalog.=) d.objid)"
"       WHEN d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass::pg_catalog.oid THEN"
"            (SELECT p.pronamespace FROM pg_catalog.pg_proc p WHERE p.oid OPERATOR(pg_catalog.=) d.objid)"
"       WHEN d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass::pg_catalog.oid THEN"
"            (SELECT c.relnamespace FROM pg_catalog.pg_rewrite r"
"               JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) r.ev_class"
"              WHERE r.oid OPERATOR(pg_catalog.=) d.objid)"
"       WHEN d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_attrdef'::pg_catalog.regclass::pg_catalog.oid THEN"
"            (SELECT c.relnamespace FROM pg_catalog.pg_attrdef a"
"               JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) a.adrelid"
"              WHERE a.oid OPERATOR(pg_catalog.=) d.objid)"
"       WHEN d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_constraint'::pg_catalog.regclass::pg_catalog.oid THEN"
"            (SELECT COALESCE(c.relnamespace, k.connamespace) FROM pg_catalog.pg_constraint k"
"               LEFT JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) k.conrelid"
"              WHERE k.oid OPERATOR(pg_catalog.=) d.objid)"
"       END"
" ORDER BY 1, 2 LIMIT 1";

static void
require_self_contained(Oid scratch, Oid live)
{
	Oid			argtypes[2] = {OIDOID, OIDOID};
	Datum		values[2] = {ObjectIdGetDatum(scratch), ObjectIdGetDatum(live)};
	int			nestlevel;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* the model's objects are described as seen from the scratch schema */
	nestlevel = modelguard_path_begin(scratch, false);
	if (SPI_execute_with_args(borrowed_sql, 2, argtypes, values, NULL,
							  false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the catalog");
	safesql_leave(nestlevel);
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_SCHEMA_DEFINITION),
				 errmsg("the model uses an object of schema \"%s\" that it does not declare",
						get_namespace_name(live)),
				 errdetail("The model's %s depends on %s.",
						   SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1),
						   SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2)),
				 errhint("Declare it in the model files too: the model describes the whole schema.")));
	SPI_finish();
}

static char *
uncompared_objects(Oid nspid)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(nspid)};
	MemoryContext caller = CurrentMemoryContext;
	StringInfoData buf;
	int			nestlevel;

	initStringInfo(&buf);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	nestlevel = modelguard_path_begin(nspid, false);
	/* not read-only: a fresh snapshot sees what the model just created */
	if (SPI_execute_with_args(uncompared_sql, 1, argtypes, values, NULL,
							  false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the catalog");
	safesql_leave(nestlevel);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		char	   *object = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		MemoryContext old = MemoryContextSwitchTo(caller);

		appendStringInfo(&buf, "%s%s", buf.len > 0 ? "; " : "", object);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	return buf.len > 0 ? buf.data : NULL;
}

/*
 * A name or a definition may hold a line break: none of the generated
 * lines may then read as a "-- fleetmig:" directive of the new file.  Nor
 * may a definition hold a CR LF (in a string literal), which reading the
 * file back would turn into LF.
 */
static void
require_writable(const char *sql)
{
	const char *line = sql;

	if (strstr(sql, "\r\n") != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
				 errmsg("autogenerate cannot write a carriage return before a line feed"),
				 errdetail("A definition in the schema holds one in a string literal; migration files are read with CR LF turned into LF."),
				 errhint("Write this migration by hand, with E'\\r\\n' in the literal.")));

	while (line != NULL && *line != '\0')
	{
		const char *p = line;

		while (*p == ' ' || *p == '\t')
			p++;
		if (p[0] == '-' && p[1] == '-')
		{
			p += 2;
			while (*p == ' ' || *p == '\t')
				p++;
			if (strncmp(p, "fleetmig:", 9) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_NAME),
						 errmsg("autogenerate cannot write a line that reads as a fleetmig directive"),
						 errdetail("A name or a definition in the schema holds a line break followed by \"%.40s\".", line),
						 errhint("Rename the object, or write this migration by hand.")));
		}
		line = strchr(line, '\n');
		if (line != NULL)
			line++;
	}
}

/*
 * An error while re-creating a definition of the model from its own text:
 * say which.
 */
static void
recreate_error_callback(void *arg)
{
	errcontext("autogenerate, re-creating from its definition: %s", (char *) arg);
}

/*
 * Run, in the scratch schema, the statements of schemadiff_recreate_sql().
 */
static void
run_recreate(List *statements)
{
	ErrorContextCallback errcallback;
	ListCell   *lc;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	errcallback.callback = recreate_error_callback;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;
	foreach(lc, statements)
	{
		int			rc;

		CHECK_FOR_INTERRUPTS();
		errcallback.arg = lfirst(lc);
		rc = SPI_execute(lfirst(lc), false, 0);
		if (rc < 0)
			elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(rc));
	}
	error_context_stack = errcallback.previous;
	SPI_finish();
}

/*
 * ALTER COLUMN ... TYPE converts without USING where an assignment
 * coercion exists.
 */
static bool
castable(const SchemaColumn *from, const SchemaColumn *to)
{
	return from->typid == to->typid ||
		can_coerce_type(1, &from->typid, &to->typid, COERCION_ASSIGNMENT);
}

/*
 * The schema the comparison is for: the caller's current schema.
 */
static Oid
live_schema(void)
{
	List	   *path = fetch_search_path(false);

	Oid			nspid;

	if (path == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_SCHEMA),
				 errmsg("no schema has been selected to compare with the model"),
				 errhint("Put the schema first in search_path, e.g. SET search_path = public.")));
	nspid = linitial_oid(path);
	if (IsCatalogNamespace(nspid) || IsToastNamespace(nspid) ||
		isAnyTempNamespace(nspid) ||
		nspid == get_namespace_oid("information_schema", true) ||
		nspid == get_namespace_oid("fleetmig", true))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_SCHEMA_NAME),
				 errmsg("cannot compare the model with schema \"%s\"",
						get_namespace_name(nspid)),
				 errhint("Put the application's schema first in search_path, e.g. SET search_path = public.")));
	return nspid;
}

/*
 * A name for the scratch schema that no one can guess or take in advance.
 */
static char *
scratch_name(void)
{
	uint8		random[8];
	StringInfoData name;

	if (!pg_strong_random(random, sizeof(random)))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate a random name for the scratch schema")));
	initStringInfo(&name);
	appendStringInfoString(&name, "fleetmig_model_");
	for (int i = 0; i < (int) sizeof(random); i++)
		appendStringInfo(&name, "%02x", random[i]);
	return name.data;
}

/*
 * Create the scratch schema, owned by the caller, as the extension's owner
 * so that comparing needs no CREATE privilege on the database.  No SQL
 * runs: NamespaceCreate() fires no event trigger and resolves no name, and
 * fails if the schema exists.  It still runs as a security-restricted
 * operation under search_path = pg_catalog, pg_temp, for the object access
 * hooks it calls.
 */
static Oid
create_scratch(const char *name, Oid owner)
{
	Oid			save_userid;
	int			save_sec_context;
	int			nestlevel;
	Oid			nspid;

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(owner, save_sec_context |
						   SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	nestlevel = safesql_enter();
	nspid = NamespaceCreate(name, save_userid, false);
	CommandCounterIncrement();
	safesql_leave(nestlevel);
	SetUserIdAndSecContext(save_userid, save_sec_context);
	return nspid;
}

/*
 * Keep event triggers from firing on the model's statements, where the
 * server has the setting (PostgreSQL 17 and later) and the caller may set
 * it; until the nest level of the model's search_path ends.
 */
static void
quiet_event_triggers(void)
{
#if PG_VERSION_NUM >= 170000
	if (superuser() ||
		pg_parameter_aclcheck("event_triggers", GetUserId(), ACL_SET) == ACLCHECK_OK)
		(void) set_config_option("event_triggers", "off", PGC_SUSET,
								 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
#endif
}

/*
 * Load the model into a scratch schema and compare it with the live
 * schema; nothing of it stays.
 */
Autogenerated *
autogenerate(void)
{
	List	   *files = scriptdir_load_models();
	Oid			live = live_schema();
	char	   *live_name = get_namespace_name(live);
	char	   *scratch = scratch_name();
	Oid			owner = state_owner();
	Autogenerated *result = palloc0(sizeof(Autogenerated));
	Subxact		sub;

	subxact_begin(&sub);
	PG_TRY();
	{
		SchemaDesc *before = schemaread(live);
		SchemaDesc *model;
		SchemaDesc *after;
		SchemaScript *changed;
		List	   *recreate;
		ModelGuard	guard;
		int			nestlevel;
		ListCell   *lc;

		memset(&guard, 0, sizeof(guard));
		guard.scratch = create_scratch(scratch, owner);
		guard.scratch_name = scratch;
		guard.live = live;

		nestlevel = modelguard_path_begin(guard.scratch, true);
		quiet_event_triggers();
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		foreach(lc, files)
			run_model_file(lfirst(lc), &guard);
		SPI_finish();

		model = schemaread(guard.scratch);
		result->uncompared = uncompared_objects(guard.scratch);
		require_self_contained(guard.scratch, live);
		recreate = schemadiff_recreate_sql(before, model);
		if (recreate != NIL)
		{
			run_recreate(recreate);
			schemadiff_adopt_canonical(model, schemaread(guard.scratch));
		}
		safesql_leave(nestlevel);

		after = schemaread(live);
		changed = schemadiff_script(before, after, castable);
		if (changed->changes != NIL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_SCHEMA_DEFINITION),
					 errmsg("the model files change schema \"%s\"", live_name),
					 errdetail("Loading them would %s.", (char *) linitial(changed->changes)),
					 errhint("Name the objects of a model without a schema: it is loaded into a scratch schema.")));

		result->schema = live_name;
		result->upgrade = schemadiff_script(before, model, castable);
		result->downgrade = schemadiff_script(model, before, castable);
	}
	PG_CATCH();
	{
		subxact_rollback(&sub);
		PG_RE_THROW();
	}
	PG_END_TRY();
	subxact_rollback(&sub);
	return result;
}

/*
 * Before create() writes the sections: they must read back as written.
 */
void
autogenerate_require_writable(Autogenerated *result)
{
	require_writable(result->upgrade->sql);
	require_writable(result->downgrade->sql);
}

/*
 * A WARNING for each TODO autogenerate left in the new file.
 */
void
autogenerate_warn(Autogenerated *result)
{
	if (result->uncompared != NULL)
		ereport(WARNING,
				(errcode(ERRCODE_WARNING),
				 errmsg("autogenerate does not compare some objects of the model"),
				 errdetail("Not compared: %s.", result->uncompared),
				 errhint("Write the SQL for them by hand in the new migration file.")));
	for (int pass = 0; pass < 2; pass++)
	{
		SchemaScript *script = pass == 0 ? result->upgrade : result->downgrade;
		ListCell   *lc;

		foreach(lc, script->todos)
		{
			if (pass == 0)
				ereport(WARNING,
						(errcode(ERRCODE_WARNING),
						 errmsg("autogenerate left a TODO in the upgrade section"),
						 errdetail("The %s.", (char *) lfirst(lc)),
						 errhint("Edit the new migration file before you apply it.")));
			else
				ereport(WARNING,
						(errcode(ERRCODE_WARNING),
						 errmsg("autogenerate left a TODO in the downgrade section"),
						 errdetail("The %s.", (char *) lfirst(lc)),
						 errhint("Edit the new migration file before you apply it.")));
		}
	}
}
