/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  A snapshot of the user-visible schema, for round-trip testing
 *	  (SPEC §10): every schema, table, view, sequence, column, constraint,
 *	  index, trigger, policy, function, type, domain constraint and comment
 *	  outside the system schemas and fleetmig's own, with owners, privileges,
 *	  storage options and row security, as (key, definition) pairs sorted by
 *	  key; and the difference between two snapshots, in words.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/transam.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"

#include "catalog.h"
#include "safesql.h"

/* One object: "index public.idx_driver_phone" and its definition */
typedef struct CatalogEntry
{
	char	   *key;
	char	   *definition;
} CatalogEntry;

/* How many differences a problem text names before "and N more" */
#define MAX_NAMED_DIFFERENCES 5

/*
 * The snapshot's query.  Comments are looked up only for objects created
 * after initdb (OIDs from FirstNormalObjectId on): identifying each of the
 * thousands of comments on built-in objects made every snapshot, taken
 * twice per revision, cost milliseconds; objects in user schemas are never
 * built in.
 */
static const char snapshot_sql[] =
"WITH ns AS ("
"  SELECT oid, nspname FROM pg_catalog.pg_namespace"
"   WHERE nspname OPERATOR(pg_catalog.<>) ALL (ARRAY['pg_catalog', 'information_schema', 'fleetmig']::pg_catalog.name[])"
"     AND nspname OPERATOR(pg_catalog.!~) '^pg_(toast|temp)'::pg_catalog.text)"
" SELECT key, def FROM ("
"  SELECT 'schema ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(n.nspname), ''"
"    FROM ns n"
"  UNION ALL"
"  SELECT CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'v'::pg_catalog.\"char\" THEN 'view '"
"              WHEN c.relkind OPERATOR(pg_catalog.=) 'm'::pg_catalog.\"char\" THEN 'materialized view '"
"              WHEN c.relkind OPERATOR(pg_catalog.=) 'S'::pg_catalog.\"char\" THEN 'sequence '"
"              WHEN c.relkind OPERATOR(pg_catalog.=) 'f'::pg_catalog.\"char\" THEN 'foreign table ' ELSE 'table ' END"
"         OPERATOR(pg_catalog.||) pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.'"
"         OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname),"
"         pg_catalog.format('owner %s acl %s options %s persistence %s rls %s/%s %s',"
"                           c.relowner::pg_catalog.regrole, c.relacl, c.reloptions, c.relpersistence,"
"                           c.relrowsecurity, c.relforcerowsecurity,"
"                           CASE WHEN c.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['v', 'm']::pg_catalog.\"char\"[]) THEN pg_catalog.pg_get_viewdef(c.oid) ELSE '' END)"
"    FROM pg_catalog.pg_class c JOIN ns n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
"   WHERE c.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['r', 'p', 'v', 'm', 'S', 'f']::pg_catalog.\"char\"[])"
"  UNION ALL"
"  SELECT 'column ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.'"
"         OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname) OPERATOR(pg_catalog.||) '.'"
"         OPERATOR(pg_catalog.||) pg_catalog.quote_ident(a.attname),"
"         pg_catalog.format_type(a.atttypid, a.atttypmod)"
"         OPERATOR(pg_catalog.||) CASE WHEN a.attnotnull THEN ' not null' ELSE '' END"
"         OPERATOR(pg_catalog.||) CASE WHEN a.attidentity OPERATOR(pg_catalog.=) 'a'::pg_catalog.\"char\" THEN ' identity always'"
"                                  WHEN a.attidentity OPERATOR(pg_catalog.=) 'd'::pg_catalog.\"char\" THEN ' identity by default' ELSE '' END"
"         OPERATOR(pg_catalog.||) CASE WHEN a.attgenerated OPERATOR(pg_catalog.=) 's'::pg_catalog.\"char\" THEN ' generated' ELSE '' END"
"         OPERATOR(pg_catalog.||) COALESCE(' default ' OPERATOR(pg_catalog.||)"
"                                  pg_catalog.pg_get_expr(d.adbin, d.adrelid), '')"
"         OPERATOR(pg_catalog.||) pg_catalog.format(' collation %s acl %s', a.attcollation, a.attacl)"
"    FROM pg_catalog.pg_attribute a"
"    JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) a.attrelid"
"    JOIN ns n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
"    LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid OPERATOR(pg_catalog.=) a.attrelid"
"                                     AND d.adnum OPERATOR(pg_catalog.=) a.attnum"
"   WHERE a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped"
"     AND c.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['r', 'p', 'v', 'm', 'f', 'c']::pg_catalog.\"char\"[])"
"  UNION ALL"
"  SELECT 'constraint ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.'"
"         OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname) OPERATOR(pg_catalog.||) '.'"
"         OPERATOR(pg_catalog.||) pg_catalog.quote_ident(k.conname),"
"         pg_catalog.pg_get_constraintdef(k.oid)"
"    FROM pg_catalog.pg_constraint k"
"    JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) k.conrelid"
"    JOIN ns n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
"  UNION ALL"
"  SELECT 'index ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.'"
"         OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname),"
"         pg_catalog.pg_get_indexdef(i.indexrelid)"
"    FROM pg_catalog.pg_index i"
"    JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.indexrelid"
"    JOIN ns n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
"  UNION ALL"
"  SELECT 'trigger ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.'"
"         OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname) OPERATOR(pg_catalog.||) '.'"
"         OPERATOR(pg_catalog.||) pg_catalog.quote_ident(t.tgname),"
"         pg_catalog.pg_get_triggerdef(t.oid)"
"    FROM pg_catalog.pg_trigger t"
"    JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.tgrelid"
"    JOIN ns n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
"   WHERE NOT t.tgisinternal"
"  UNION ALL"
"  SELECT 'function ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.'"
"         OPERATOR(pg_catalog.||) pg_catalog.quote_ident(p.proname) OPERATOR(pg_catalog.||) '('"
"         OPERATOR(pg_catalog.||) pg_catalog.pg_get_function_identity_arguments(p.oid) OPERATOR(pg_catalog.||) ')',"
"         pg_catalog.format('%s returns %s language %s volatility %s strict %s security definer %s"
"                            config %s owner %s acl %s source %s', p.prokind,"
"                           pg_catalog.pg_get_function_result(p.oid), p.prolang, p.provolatile,"
"                           p.proisstrict, p.prosecdef, p.proconfig, p.proowner::pg_catalog.regrole,"
"                           p.proacl, pg_catalog.md5(COALESCE(p.prosrc, '') OPERATOR(pg_catalog.||)"
"                           COALESCE(p.probin, '')))"
"    FROM pg_catalog.pg_proc p JOIN ns n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace"
"  UNION ALL"
"  SELECT 'policy ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.'"
"         OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname) OPERATOR(pg_catalog.||) '.'"
"         OPERATOR(pg_catalog.||) pg_catalog.quote_ident(po.polname),"
"         pg_catalog.format('%s %s %s using %s check %s', po.polcmd, po.polpermissive, po.polroles,"
"                           pg_catalog.pg_get_expr(po.polqual, po.polrelid),"
"                           pg_catalog.pg_get_expr(po.polwithcheck, po.polrelid))"
"    FROM pg_catalog.pg_policy po"
"    JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) po.polrelid"
"    JOIN ns n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
"  UNION ALL"
"  SELECT 'domain constraint ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.'"
"         OPERATOR(pg_catalog.||) pg_catalog.quote_ident(t.typname) OPERATOR(pg_catalog.||) '.'"
"         OPERATOR(pg_catalog.||) pg_catalog.quote_ident(k.conname),"
"         pg_catalog.pg_get_constraintdef(k.oid)"
"    FROM pg_catalog.pg_constraint k"
"    JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) k.contypid"
"    JOIN ns n ON n.oid OPERATOR(pg_catalog.=) t.typnamespace"
"  UNION ALL"
"  SELECT 'comment on ' OPERATOR(pg_catalog.||) (pg_catalog.pg_identify_object(d.classoid, d.objoid, d.objsubid)).identity"
"         OPERATOR(pg_catalog.||) ' (' OPERATOR(pg_catalog.||) (pg_catalog.pg_identify_object(d.classoid, d.objoid, d.objsubid)).type"
"         OPERATOR(pg_catalog.||) ')',"
"         d.description"
"    FROM pg_catalog.pg_description d"
"   WHERE d.objoid OPERATOR(pg_catalog.>=) " CppAsString2(FirstNormalObjectId) "::pg_catalog.oid"
"     AND (pg_catalog.pg_identify_object(d.classoid, d.objoid, d.objsubid)).schema OPERATOR(pg_catalog.=) ANY (SELECT nspname::pg_catalog.text FROM ns)"
"  UNION ALL"
"  SELECT 'type ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.'"
"         OPERATOR(pg_catalog.||) pg_catalog.quote_ident(t.typname),"
"         pg_catalog.format('%s base %s not null %s default %s owner %s ', t.typtype,"
"                           t.typbasetype::pg_catalog.regtype, t.typnotnull, t.typdefault,"
"                           t.typowner::pg_catalog.regrole) OPERATOR(pg_catalog.||) COALESCE(' ' OPERATOR(pg_catalog.||)"
"           (SELECT pg_catalog.string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder USING OPERATOR(pg_catalog.<))"
"              FROM pg_catalog.pg_enum e WHERE e.enumtypid OPERATOR(pg_catalog.=) t.oid), '')"
"    FROM pg_catalog.pg_type t JOIN ns n ON n.oid OPERATOR(pg_catalog.=) t.typnamespace"
"   WHERE t.typtype OPERATOR(pg_catalog.=) ANY (ARRAY['e', 'd', 'r', 'm']::pg_catalog.\"char\"[])"
"      OR (t.typtype OPERATOR(pg_catalog.=) 'c'::pg_catalog.\"char\" AND (SELECT c.relkind FROM pg_catalog.pg_class c"
"                       WHERE c.oid OPERATOR(pg_catalog.=) t.typrelid) OPERATOR(pg_catalog.=) 'c'::pg_catalog.\"char\")"
" ) s (key, def) ORDER BY key COLLATE pg_catalog.\"C\"";

/* snapshot_sql, prepared */
static SPIPlanPtr snapshot_plan = NULL;

/*
 * The schema as it is now: a List of CatalogEntry *, sorted by key, in the
 * caller's memory context.
 */
List *
catalog_snapshot(void)
{
	MemoryContext caller = CurrentMemoryContext;
	List	   *result = NIL;
	int			rc;
	int			nest;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	nest = safesql_enter();

	/*
	 * Planned once per session: planning the query cost about as much as
	 * running it, twice per revision.  A schema created or dropped by a
	 * step invalidates the plan, which is then made again.
	 */
	if (snapshot_plan == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(snapshot_sql, 0, NULL);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for the catalog snapshot: %s",
				 SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		snapshot_plan = plan;
	}
	/* not read-only: a fresh snapshot sees the steps just run */
	rc = SPI_execute_plan(snapshot_plan, NULL, NULL, false, 0);
	safesql_leave(nest);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not read the catalog: %s", SPI_result_code_string(rc));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		char	   *key = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		char	   *def = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);
		MemoryContext old;
		CatalogEntry *e;

		/* an object dropped by another session while the query ran */
		if (key == NULL)
			continue;
		old = MemoryContextSwitchTo(caller);
		e = palloc(sizeof(CatalogEntry));

		e->key = pstrdup(key);
		e->definition = pstrdup(def ? def : "");
		result = lappend(result, e);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	return result;
}

static void
add_difference(StringInfo buf, int *count, const char *what)
{
	if (*count < MAX_NAMED_DIFFERENCES)
		appendStringInfo(buf, "%s%s", buf->len > 0 ? "; " : "", what);
	(*count)++;
}

/*
 * What differs between the snapshot before an upgrade and the one after
 * its downgrade, in words ("index public.idx_driver_phone left behind;
 * column public.drivers.phone changed"), or NULL when nothing does.
 */
char *
catalog_difference(List *before, List *after)
{
	StringInfoData buf;
	int			count = 0;
	int			i = 0;
	int			j = 0;

	initStringInfo(&buf);
	while (i < list_length(before) || j < list_length(after))
	{
		CatalogEntry *b = i < list_length(before) ? list_nth(before, i) : NULL;
		CatalogEntry *a = j < list_length(after) ? list_nth(after, j) : NULL;
		int			c = (b == NULL) ? 1 : (a == NULL) ? -1 : strcmp(b->key, a->key);

		if (c < 0)
		{
			add_difference(&buf, &count, psprintf("%s missing", b->key));
			i++;
		}
		else if (c > 0)
		{
			add_difference(&buf, &count, psprintf("%s left behind", a->key));
			j++;
		}
		else
		{
			if (strcmp(b->definition, a->definition) != 0)
				add_difference(&buf, &count, psprintf("%s changed", b->key));
			i++;
			j++;
		}
	}
	if (count == 0)
		return NULL;
	if (count > MAX_NAMED_DIFFERENCES)
		appendStringInfo(&buf, "; and %d more", count - MAX_NAMED_DIFFERENCES);
	return buf.data;
}
