/*-------------------------------------------------------------------------
 *
 * schemaread.c
 *	  Read one schema from the catalogs into a SchemaDesc for autogenerate
 *	  (SPEC §10): tables, columns, constraints, indexes, sequences, enum
 *	  types, views and their comments.  Objects that belong to an extension
 *	  are left out.
 *
 * Definitions are deparsed by the server (format_type, pg_get_expr,
 * pg_get_constraintdef, pg_get_indexdef, pg_get_viewdef), which qualify a
 * name only when search_path does not find it: a query that deparses runs
 * with search_path = pg_catalog, the schema, pg_temp, the others with
 * pg_catalog, pg_temp, each set for that query alone.  Every operator is
 * written OPERATOR(pg_catalog.x), every function qualified and every
 * literal cast to the type it is compared with, so that no object a user
 * created can be chosen.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type_d.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "modelguard.h"
#include "safesql.h"
#include "schemadesc.h"

/* An object that belongs to an extension, for classid (a regclass name) */
#define NOT_EXTENSION_MEMBER(classid, oid) \
	" NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e" \
	"  WHERE e.classid OPERATOR(pg_catalog.=) '" classid "'::pg_catalog.regclass::pg_catalog.oid" \
	"    AND e.objid OPERATOR(pg_catalog.=) " oid \
	"    AND e.deptype OPERATOR(pg_catalog.=) 'e'::pg_catalog.\"char\")"

static const char enums_sql[] =
"SELECT t.typname, e.enumlabel, pg_catalog.obj_description(t.oid, 'pg_type'::pg_catalog.name)"
"  FROM pg_catalog.pg_type t"
"  LEFT JOIN pg_catalog.pg_enum e ON e.enumtypid OPERATOR(pg_catalog.=) t.oid"
" WHERE t.typnamespace OPERATOR(pg_catalog.=) $1 AND t.typtype OPERATOR(pg_catalog.=) 'e'::pg_catalog.\"char\""
"   AND" NOT_EXTENSION_MEMBER("pg_catalog.pg_type", "t.oid")
" ORDER BY t.oid, e.enumsortorder";

static const char sequences_sql[] =
"SELECT c.relname,"
"       pg_catalog.format('AS %s INCREMENT BY %s MINVALUE %s MAXVALUE %s START WITH %s CACHE %s %sCYCLE'::pg_catalog.text,"
"                         pg_catalog.format_type(s.seqtypid, NULL::pg_catalog.int4), s.seqincrement, s.seqmin,"
"                         s.seqmax, s.seqstart, s.seqcache,"
"                         CASE WHEN s.seqcycle THEN ''::pg_catalog.text ELSE 'NO '::pg_catalog.text END),"
"       o.relname, o.attname,"
"       pg_catalog.obj_description(c.oid, 'pg_class'::pg_catalog.name),"
"       s.seqmin, s.seqmax, s.seqincrement"
"  FROM pg_catalog.pg_class c"
"  JOIN pg_catalog.pg_sequence s ON s.seqrelid OPERATOR(pg_catalog.=) c.oid"
"  LEFT JOIN LATERAL (SELECT t.relname, a.attname"
"          FROM pg_catalog.pg_depend d"
"          JOIN pg_catalog.pg_class t ON t.oid OPERATOR(pg_catalog.=) d.refobjid"
"          JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) d.refobjid"
"                                        AND a.attnum OPERATOR(pg_catalog.=) d.refobjsubid"
"         WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid"
"           AND d.objid OPERATOR(pg_catalog.=) c.oid"
"           AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid"
"           AND d.deptype OPERATOR(pg_catalog.=) 'a'::pg_catalog.\"char\""
"           AND t.relnamespace OPERATOR(pg_catalog.=) $1) o ON true"
" WHERE c.relnamespace OPERATOR(pg_catalog.=) $1 AND c.relkind OPERATOR(pg_catalog.=) 'S'::pg_catalog.\"char\""
"   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend i"
"                    WHERE i.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid"
"                      AND i.objid OPERATOR(pg_catalog.=) c.oid"
"                      AND i.deptype OPERATOR(pg_catalog.=) 'i'::pg_catalog.\"char\")"
"   AND" NOT_EXTENSION_MEMBER("pg_catalog.pg_class", "c.oid")
" ORDER BY c.oid";

static const char tables_sql[] =
"SELECT c.oid, c.relname, pg_catalog.obj_description(c.oid, 'pg_class'::pg_catalog.name)"
"  FROM pg_catalog.pg_class c"
" WHERE c.relnamespace OPERATOR(pg_catalog.=) $1 AND c.relkind OPERATOR(pg_catalog.=) 'r'::pg_catalog.\"char\""
"   AND NOT c.relispartition"
"   AND" NOT_EXTENSION_MEMBER("pg_catalog.pg_class", "c.oid")
" ORDER BY c.oid";

static const char columns_sql[] =
"SELECT a.attrelid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.atttypid,"
"       CASE WHEN a.attcollation OPERATOR(pg_catalog.<>) t.typcollation"
"            THEN a.attcollation::pg_catalog.regcollation::pg_catalog.text END,"
"       a.attnotnull, pg_catalog.pg_get_expr(d.adbin, d.adrelid, true), a.attidentity::pg_catalog.text,"
"       a.attgenerated OPERATOR(pg_catalog.=) 's'::pg_catalog.\"char\","
"       pg_catalog.col_description(a.attrelid, a.attnum),"
"       (SELECT pg_catalog.array_agg(u.attname ORDER BY u.attnum)"
"          FROM pg_catalog.pg_depend g"
"          JOIN pg_catalog.pg_attribute u ON u.attrelid OPERATOR(pg_catalog.=) g.refobjid"
"                                        AND u.attnum OPERATOR(pg_catalog.=) g.refobjsubid"
"         WHERE g.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_attrdef'::pg_catalog.regclass::pg_catalog.oid"
"           AND g.objid OPERATOR(pg_catalog.=) d.oid"
"           AND g.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid"
"           AND g.refobjid OPERATOR(pg_catalog.=) a.attrelid"
"           AND g.refobjsubid OPERATOR(pg_catalog.<>) a.attnum"
"           AND a.attgenerated OPERATOR(pg_catalog.=) 's'::pg_catalog.\"char\")"
"  FROM pg_catalog.pg_attribute a"
"  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) a.attrelid"
"  JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) a.atttypid"
"  LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid OPERATOR(pg_catalog.=) a.attrelid"
"                                   AND d.adnum OPERATOR(pg_catalog.=) a.attnum"
" WHERE c.relnamespace OPERATOR(pg_catalog.=) $1 AND c.relkind OPERATOR(pg_catalog.=) 'r'::pg_catalog.\"char\""
"   AND a.attnum OPERATOR(pg_catalog.>) 0::pg_catalog.int2 AND NOT a.attisdropped"
" ORDER BY a.attrelid, a.attnum";

static const char constraints_sql[] =
"SELECT k.conrelid, k.conname, k.contype::pg_catalog.text,"
"       pg_catalog.pg_get_constraintdef(k.oid, true),"
"       (SELECT r.relname FROM pg_catalog.pg_class r"
"         WHERE r.oid OPERATOR(pg_catalog.=) k.confrelid"
"           AND r.relnamespace OPERATOR(pg_catalog.=) $1),"
"       (SELECT x.relname FROM pg_catalog.pg_class x"
"         WHERE x.oid OPERATOR(pg_catalog.=) k.conindid"
"           AND k.contype OPERATOR(pg_catalog.=) 'f'::pg_catalog.\"char\"),"
"       ARRAY(SELECT a.attname FROM pg_catalog.unnest(k.conkey) WITH ORDINALITY u (n, o)"
"               JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) k.conrelid"
"                                             AND a.attnum OPERATOR(pg_catalog.=) u.n"
"              ORDER BY u.o),"
"       ARRAY(SELECT a.attname FROM pg_catalog.unnest(k.confkey) WITH ORDINALITY u (n, o)"
"               JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) k.confrelid"
"                                             AND a.attnum OPERATOR(pg_catalog.=) u.n"
"              ORDER BY u.o)"
"  FROM pg_catalog.pg_constraint k"
"  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) k.conrelid"
" WHERE c.relnamespace OPERATOR(pg_catalog.=) $1 AND c.relkind OPERATOR(pg_catalog.=) 'r'::pg_catalog.\"char\""
"   AND k.contype OPERATOR(pg_catalog.=) ANY ('{p,u,f,c,x}'::pg_catalog.\"char\"[])"
" ORDER BY k.conrelid, k.conname COLLATE pg_catalog.\"C\"";

static const char indexes_sql[] =
"SELECT i.indrelid, x.relname, pg_catalog.pg_get_indexdef(i.indexrelid, 0, true),"
"       pg_catalog.obj_description(i.indexrelid, 'pg_class'::pg_catalog.name)"
"  FROM pg_catalog.pg_index i"
"  JOIN pg_catalog.pg_class x ON x.oid OPERATOR(pg_catalog.=) i.indexrelid"
"  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.indrelid"
" WHERE c.relnamespace OPERATOR(pg_catalog.=) $1 AND c.relkind OPERATOR(pg_catalog.=) 'r'::pg_catalog.\"char\""
"   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k"
"                    WHERE k.conindid OPERATOR(pg_catalog.=) i.indexrelid"
"                      AND k.conrelid OPERATOR(pg_catalog.=) i.indrelid"
"                      AND k.contype OPERATOR(pg_catalog.=) ANY ('{p,u,x}'::pg_catalog.\"char\"[]))"
" ORDER BY i.indrelid, x.oid";

static const char views_sql[] =
"SELECT c.oid, c.relname, pg_catalog.pg_get_viewdef(c.oid, true),"
"       pg_catalog.obj_description(c.oid, 'pg_class'::pg_catalog.name),"
"       (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(pg_catalog.split_part(o, '='::pg_catalog.text, 1))"
"                   OPERATOR(pg_catalog.||) '='::pg_catalog.text"
"                   OPERATOR(pg_catalog.||) pg_catalog.quote_literal(pg_catalog.substr(o,"
"                       pg_catalog.strpos(o, '='::pg_catalog.text) OPERATOR(pg_catalog.+) 1)), ', '::pg_catalog.text ORDER BY o)"
"          FROM pg_catalog.unnest(c.reloptions) o"
"         WHERE o OPERATOR(pg_catalog.!~~) 'check\\_option=%'::pg_catalog.text),"
"       (SELECT pg_catalog.upper(pg_catalog.substr(o, 14)) FROM pg_catalog.unnest(c.reloptions) o"
"         WHERE o OPERATOR(pg_catalog.~~) 'check\\_option=%'::pg_catalog.text),"
"       c.relacl::pg_catalog.text"
"  FROM pg_catalog.pg_class c"
" WHERE c.relnamespace OPERATOR(pg_catalog.=) $1 AND c.relkind OPERATOR(pg_catalog.=) 'v'::pg_catalog.\"char\""
"   AND" NOT_EXTENSION_MEMBER("pg_catalog.pg_class", "c.oid")
" ORDER BY c.oid";

static const char view_columns_sql[] =
"SELECT a.attrelid, a.attname, pg_catalog.col_description(a.attrelid, a.attnum)"
"  FROM pg_catalog.pg_attribute a"
"  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) a.attrelid"
" WHERE c.relnamespace OPERATOR(pg_catalog.=) $1 AND c.relkind OPERATOR(pg_catalog.=) 'v'::pg_catalog.\"char\""
"   AND a.attnum OPERATOR(pg_catalog.>) 0::pg_catalog.int2"
" ORDER BY a.attrelid, a.attnum";

static const char view_uses_sql[] =
"SELECT DISTINCT w.ev_class, r.relname"
"  FROM pg_catalog.pg_rewrite w"
"  JOIN pg_catalog.pg_class v ON v.oid OPERATOR(pg_catalog.=) w.ev_class"
"  JOIN pg_catalog.pg_depend d ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass::pg_catalog.oid"
"                             AND d.objid OPERATOR(pg_catalog.=) w.oid"
"                             AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid"
"  JOIN pg_catalog.pg_class r ON r.oid OPERATOR(pg_catalog.=) d.refobjid"
" WHERE v.relnamespace OPERATOR(pg_catalog.=) $1 AND v.relkind OPERATOR(pg_catalog.=) 'v'::pg_catalog.\"char\""
"   AND r.relnamespace OPERATOR(pg_catalog.=) $1 AND r.oid OPERATOR(pg_catalog.<>) v.oid"
" ORDER BY 1, 2";

/* The state of one read: the caller's memory context and the query's row */
typedef struct Reader
{
	MemoryContext cxt;
	HeapTuple	row;
} Reader;

/* An object the rows of another query attach to, by OID */
typedef struct Owner
{
	Oid			oid;
	void	   *object;
} Owner;

/*
 * Run one query with the schema's OID as $1; one that deparses names, with
 * the schema in search_path (after pg_catalog).
 */
static void
run(const char *sql, Oid nspid, bool deparses)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(nspid)};
	int			nestlevel;
	int			rc;

	CHECK_FOR_INTERRUPTS();
	nestlevel = deparses ? modelguard_path_begin(nspid, false) : safesql_enter();
	/* not read-only: a fresh snapshot sees what the caller just created */
	rc = SPI_execute_with_args(sql, 1, argtypes, values, NULL, false, 0);
	safesql_leave(nestlevel);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not read the catalog: %s", SPI_result_code_string(rc));
}

/* Column n of the current row as a string in the caller's context, or NULL */
static char *
text_at(Reader *r, int n)
{
	char	   *value = SPI_getvalue(r->row, SPI_tuptable->tupdesc, n);

	return value ? MemoryContextStrdup(r->cxt, value) : NULL;
}

static Oid
oid_at(Reader *r, int n)
{
	bool		isnull;
	Datum		d = SPI_getbinval(r->row, SPI_tuptable->tupdesc, n, &isnull);

	return isnull ? InvalidOid : DatumGetObjectId(d);
}

static int64
int64_at(Reader *r, int n)
{
	bool		isnull;
	Datum		d = SPI_getbinval(r->row, SPI_tuptable->tupdesc, n, &isnull);

	return isnull ? 0 : DatumGetInt64(d);
}

static bool
bool_at(Reader *r, int n)
{
	bool		isnull;
	Datum		d = SPI_getbinval(r->row, SPI_tuptable->tupdesc, n, &isnull);

	return !isnull && DatumGetBool(d);
}

/* A text[] column as a List of char *, in the caller's context */
static List *
names_at(Reader *r, int n)
{
	bool		isnull;
	Datum		d = SPI_getbinval(r->row, SPI_tuptable->tupdesc, n, &isnull);
	Datum	   *elems;
	bool	   *nulls;
	int			nelems;
	List	   *result = NIL;
	MemoryContext old;

	if (isnull)
		return NIL;
	deconstruct_array(DatumGetArrayTypeP(d), NAMEOID, NAMEDATALEN, false,
					  TYPALIGN_CHAR, &elems, &nulls, &nelems);
	old = MemoryContextSwitchTo(r->cxt);
	for (int i = 0; i < nelems; i++)
		result = lappend(result, pstrdup(NameStr(*DatumGetName(elems[i]))));
	MemoryContextSwitchTo(old);
	return result;
}

/* lappend() in the caller's context */
static List *
append(Reader *r, List *list, void *object)
{
	MemoryContext old = MemoryContextSwitchTo(r->cxt);

	list = lappend(list, object);
	MemoryContextSwitchTo(old);
	return list;
}

static void *
alloc(Reader *r, Size size)
{
	return MemoryContextAllocZero(r->cxt, size);
}

/*
 * The object of "owners" (sorted by OID) with the given OID, searched from
 * *pos on: the rows of the queries that attach to owners come sorted by the
 * owner's OID too, so the search only moves forward.
 */
static void *
owner_of(Owner *owners, int nowners, int *pos, Oid oid)
{
	while (*pos < nowners && owners[*pos].oid < oid)
		(*pos)++;
	if (*pos < nowners && owners[*pos].oid == oid)
		return owners[*pos].object;
	return NULL;
}

static List *
read_enums(Reader *r, Oid nspid)
{
	List	   *result = NIL;
	SchemaEnum *current = NULL;

	run(enums_sql, nspid, false);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		char	   *name;
		char	   *label;

		r->row = SPI_tuptable->vals[i];
		name = text_at(r, 1);
		if (current == NULL || strcmp(current->name, name) != 0)
		{
			current = alloc(r, sizeof(SchemaEnum));
			current->name = name;
			current->comment = text_at(r, 3);
			result = append(r, result, current);
		}
		/* an enum type without values has one row, with a NULL label */
		label = text_at(r, 2);
		if (label != NULL)
			current->labels = append(r, current->labels, label);
	}
	return result;
}

static List *
read_sequences(Reader *r, Oid nspid)
{
	List	   *result = NIL;

	run(sequences_sql, nspid, true);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		SchemaSequence *seq = alloc(r, sizeof(SchemaSequence));

		r->row = SPI_tuptable->vals[i];
		seq->name = text_at(r, 1);
		seq->options = text_at(r, 2);
		seq->owner_table = text_at(r, 3);
		seq->owner_column = text_at(r, 4);
		seq->comment = text_at(r, 5);
		seq->minvalue = int64_at(r, 6);
		seq->maxvalue = int64_at(r, 7);
		seq->increment = int64_at(r, 8);
		result = append(r, result, seq);
	}
	return result;
}

/*
 * The tables, with their columns, constraints and indexes.
 */
static List *
read_tables(Reader *r, Oid nspid)
{
	List	   *result = NIL;
	Owner	   *owners;
	int			ntables;
	int			pos;

	run(tables_sql, nspid, false);
	ntables = (int) SPI_processed;
	owners = palloc0(sizeof(Owner) * (ntables + 1));
	for (int i = 0; i < ntables; i++)
	{
		SchemaTable *table = alloc(r, sizeof(SchemaTable));

		r->row = SPI_tuptable->vals[i];
		owners[i].oid = oid_at(r, 1);
		owners[i].object = table;
		table->name = text_at(r, 2);
		table->comment = text_at(r, 3);
		result = append(r, result, table);
	}

	run(columns_sql, nspid, true);
	pos = 0;
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		SchemaTable *table;
		SchemaColumn *col;
		char	   *identity;

		r->row = SPI_tuptable->vals[i];
		table = owner_of(owners, ntables, &pos, oid_at(r, 1));
		if (table == NULL)
			continue;
		col = alloc(r, sizeof(SchemaColumn));
		col->name = text_at(r, 2);
		col->type = text_at(r, 3);
		col->typid = oid_at(r, 4);
		col->collation = text_at(r, 5);
		col->notnull = bool_at(r, 6);
		col->expr = text_at(r, 7);
		identity = text_at(r, 8);
		col->identity = identity ? identity[0] : '\0';
		col->generated = bool_at(r, 9);
		col->comment = text_at(r, 10);
		col->uses = names_at(r, 11);
		table->columns = append(r, table->columns, col);
	}

	run(constraints_sql, nspid, true);
	pos = 0;
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		SchemaTable *table;
		SchemaConstraint *con;

		r->row = SPI_tuptable->vals[i];
		table = owner_of(owners, ntables, &pos, oid_at(r, 1));
		if (table == NULL)
			continue;
		con = alloc(r, sizeof(SchemaConstraint));
		con->name = text_at(r, 2);
		con->type = text_at(r, 3)[0];
		con->definition = text_at(r, 4);
		con->references = text_at(r, 5);
		con->key_index = text_at(r, 6);
		con->columns = names_at(r, 7);
		con->ref_columns = names_at(r, 8);
		table->constraints = append(r, table->constraints, con);
	}

	run(indexes_sql, nspid, true);
	pos = 0;
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		SchemaTable *table;
		SchemaIndex *index;

		r->row = SPI_tuptable->vals[i];
		table = owner_of(owners, ntables, &pos, oid_at(r, 1));
		if (table == NULL)
			continue;
		index = alloc(r, sizeof(SchemaIndex));
		index->name = text_at(r, 2);
		index->definition = text_at(r, 3);
		index->comment = text_at(r, 4);
		table->indexes = append(r, table->indexes, index);
	}
	pfree(owners);
	return result;
}

static List *
read_views(Reader *r, Oid nspid)
{
	List	   *result = NIL;
	Owner	   *owners;
	int			nviews;
	int			pos = 0;

	run(views_sql, nspid, true);
	nviews = (int) SPI_processed;
	owners = palloc0(sizeof(Owner) * (nviews + 1));
	for (int i = 0; i < nviews; i++)
	{
		SchemaView *view = alloc(r, sizeof(SchemaView));

		r->row = SPI_tuptable->vals[i];
		owners[i].oid = oid_at(r, 1);
		owners[i].object = view;
		view->name = text_at(r, 2);
		view->definition = text_at(r, 3);
		view->comment = text_at(r, 4);
		view->options = text_at(r, 5);
		view->check_option = text_at(r, 6);
		view->acl = text_at(r, 7);
		result = append(r, result, view);
	}

	run(view_columns_sql, nspid, false);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		SchemaView *view;
		SchemaColumn *col;

		r->row = SPI_tuptable->vals[i];
		view = owner_of(owners, nviews, &pos, oid_at(r, 1));
		if (view == NULL)
			continue;
		col = alloc(r, sizeof(SchemaColumn));
		col->name = text_at(r, 2);
		col->comment = text_at(r, 3);
		view->columns = append(r, view->columns, col);
	}

	run(view_uses_sql, nspid, false);
	pos = 0;
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		SchemaView *view;

		r->row = SPI_tuptable->vals[i];
		view = owner_of(owners, nviews, &pos, oid_at(r, 1));
		if (view == NULL)
			continue;
		view->uses = append(r, view->uses, text_at(r, 2));
	}
	pfree(owners);
	return result;
}

/*
 * The schema with OID nspid, in the caller's memory context.
 */
SchemaDesc *
schemaread(Oid nspid)
{
	Reader		r;
	SchemaDesc *desc;

	r.cxt = CurrentMemoryContext;
	r.row = NULL;
	desc = palloc0(sizeof(SchemaDesc));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	desc->enums = read_enums(&r, nspid);
	desc->sequences = read_sequences(&r, nspid);
	desc->tables = read_tables(&r, nspid);
	desc->views = read_views(&r, nspid);
	SPI_finish();
	return desc;
}
