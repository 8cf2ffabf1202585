/*-------------------------------------------------------------------------
 *
 * modelguard.c
 *	  What a model file may say (SPEC §9): each statement is vetted from its
 *	  raw parse tree before it runs, and the search_path that autogenerate
 *	  runs the model and its own catalog queries under.  No SPI here.
 *
 * A model file only declares.  Loading it must run no function of the
 * user's and change nothing outside the scratch schema, so a statement is
 * refused before it runs unless
 *	- it is of a kind that only declares (CREATE TABLE without AS, CREATE
 *	  INDEX, SEQUENCE, VIEW, TYPE AS ENUM, composite and range types,
 *	  domains, COMMENT, GRANT on the model's relations, CREATE POLICY, and
 *	  ALTER of what the model created);
 *	- every object it acts on, when it exists, is in the scratch schema, and
 *	  every object it reads is in the scratch schema or pg_catalog;
 *	- every function it calls is found in the scratch schema or pg_catalog
 *	  and is not volatile, except nextval() of a sequence of the model and
 *	  a few volatile functions whose effects a rollback undoes.
 * The model runs with search_path = scratch, pg_catalog, the schemas of
 * installed extensions that only superusers can create objects in, pg_temp
 * (see modelguard_path_begin()), so that a model may use the types,
 * functions and operators of extensions (citext, PostGIS) installed there.
 * Those schemas may hold other objects too: a type, function, operator or
 * collation the model names must be pg_catalog's, the model's own or an
 * extension's, and every function or operator of that name the path shows
 * must be so as well, since PostgreSQL picks among them by argument types
 * only when the statement runs (and may run an immutable one then, to fold
 * a constant).
 * A name qualified with another schema is refused here.  The scratch
 * schema holds only what the model made: no function or operator of a
 * user's.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_type.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "modelguard.h"
#include "safesql.h"

/* What a statement does with an object it names */
typedef enum GuardUse
{
	GUARD_CREATE,				/* creates it */
	GUARD_CHANGE,				/* acts on it */
	GUARD_READ					/* only reads or uses it */
} GuardUse;

/*
 * Volatile functions of pg_catalog a model may call (in a default): what
 * they do, a rollback undoes.  nextval() is vetted apart.
 */
static const char *const volatile_allowed[] = {
	"random", "gen_random_uuid", "clock_timestamp", "timeofday", NULL
};

/* Functions of pg_catalog that are not volatile and yet read relations */
static const char *const reading_denied[] = {
	"table_to_xml", "table_to_xmlschema", "table_to_xml_and_xmlschema",
	"schema_to_xml", "schema_to_xmlschema", "schema_to_xml_and_xmlschema",
	"database_to_xml", "database_to_xmlschema",
	"database_to_xml_and_xmlschema", NULL
};

static bool guard_walker(Node *node, ModelGuard *g);

/*
 * The position of a parse node in the statement, for the error context of
 * the caller, which turns it into a line of the model file.
 */
static int
guard_position(ModelGuard *g, int location)
{
	if (location < g->start)
		return 0;
	return errposition(pg_mbstrlen_with_len(g->text + g->start,
											location - g->start) + 1);
}

static char *
describe(const char *kind, const char *name)
{
	return psprintf("%s %s", kind, quote_identifier(name));
}

/*
 * The statement names "what" in schema nspid (InvalidOid if there is no
 * such schema), which is not the scratch schema: refuse it.
 */
static void
refuse_outside(ModelGuard *g, Oid nspid, const char *schema, GuardUse use,
			   const char *what, int location)
{
	if (OidIsValid(nspid) && nspid == g->live)
	{
		if (use == GUARD_READ)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_SCHEMA_DEFINITION),
					 errmsg("the model uses an object of schema \"%s\" that it does not declare",
							schema),
					 errdetail("The model names %s.", what),
					 errhint("Declare it in the model files too: the model describes the whole schema."),
					 guard_position(g, location)));
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_SCHEMA_DEFINITION),
				 errmsg("the model files change schema \"%s\"", schema),
				 use == GUARD_CREATE ?
				 errdetail("Loading them would add %s.", what) :
				 errdetail("Loading them would change %s.", what),
				 errhint("Name the objects of a model without a schema: it is loaded into a scratch schema."),
				 guard_position(g, location)));
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_SCHEMA_DEFINITION),
			 errmsg("the model uses an object of schema \"%s\"", schema),
			 errdetail("The model names %s; a model may use only the objects it declares and those of pg_catalog.",
					   what),
			 errhint("Name the objects of a model without a schema, and declare every object it uses."),
			 guard_position(g, location)));
}

/*
 * A possibly qualified name of a type, function, operator, collation...:
 * its schema, if it names one, must be the scratch schema, or pg_catalog
 * for what the statement only uses.
 */
static void
guard_names(ModelGuard *g, List *names, GuardUse use, const char *kind,
			int location)
{
	const char *schema;

	if (list_length(names) < 2)
		return;
	schema = strVal(list_nth(names, list_length(names) - 2));
	if (strcmp(schema, g->scratch_name) == 0 ||
		(use == GUARD_READ && strcmp(schema, "pg_catalog") == 0))
		return;
	refuse_outside(g, get_namespace_oid(schema, true), schema, use,
				   psprintf("%s %s", kind, NameListToQuotedString(names)),
				   location);
}

/*
 * Whether an extension is a superuser's: a trusted extension created by
 * another role is that role's, and its owner may add objects of its own
 * to it.
 */
static bool
superuser_extension(Oid extid)
{
	Relation	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	bool		result = false;

	ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(extid));
	scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, &key);
	tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple))
		result = superuser_arg(((Form_pg_extension) GETSTRUCT(tuple))->extowner);
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return result;
}

/*
 * Whether an object the model uses may be used: pg_catalog's, the model's
 * own, or a member of an extension a superuser owns.
 */
static bool
usable(ModelGuard *g, Oid classid, Oid objid, Oid nspid)
{
	Oid			extid;

	if (nspid == PG_CATALOG_NAMESPACE || nspid == g->scratch)
		return true;
	extid = getExtensionOfObject(classid, objid);
	return OidIsValid(extid) && superuser_extension(extid);
}

/*
 * Refuse an object of a user's that the path shows the model: "what" in
 * schema nspid, which is neither pg_catalog nor the scratch schema nor
 * part of an extension.
 */
static void
refuse_foreign(ModelGuard *g, Oid nspid, const char *what, int location)
{
	if (nspid == g->live)
		refuse_outside(g, nspid, get_namespace_name(nspid), GUARD_READ, what,
					   location);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_SCHEMA_DEFINITION),
			 errmsg("the model could use %s of schema \"%s\", which is not part of an extension",
					what, get_namespace_name(nspid)),
			 errdetail("A model may use only what it declares, what pg_catalog has, and the objects of installed extensions."),
			 errhint("Drop or move that object, or declare what the model needs in the model files."),
			 guard_position(g, location)));
}

static Oid
operator_namespace(Oid oprid)
{
	HeapTuple	tuple = SearchSysCache1(OPEROID, ObjectIdGetDatum(oprid));
	Oid			nspid;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for operator %u", oprid);
	nspid = ((Form_pg_operator) GETSTRUCT(tuple))->oprnamespace;
	ReleaseSysCache(tuple);
	return nspid;
}

/*
 * An operator name the statement uses, qualified or not: every operator of
 * that name the path shows must be usable.
 */
static void
guard_operator(ModelGuard *g, List *names, int location)
{
	FuncCandidateList candidate;

	if (names == NIL)
		return;
	guard_names(g, names, GUARD_READ, "operator", location);
	candidate = OpernameGetCandidates(names, '\0', true);
	for (; candidate != NULL; candidate = candidate->next)
	{
		Oid			nspid = operator_namespace(candidate->oid);

		if (!usable(g, OperatorRelationId, candidate->oid, nspid))
			refuse_foreign(g, nspid,
						   psprintf("operator %s", format_operator(candidate->oid)),
						   location);
	}
}

/*
 * A collation the statement uses: pg_catalog's, the model's or an
 * extension's.
 */
static void
guard_collation(ModelGuard *g, List *names, int location)
{
	Oid			collid;
	HeapTuple	tuple;
	Oid			nspid;

	if (names == NIL)
		return;
	guard_names(g, names, GUARD_READ, "collation", location);
	collid = get_collation_oid(names, true);
	if (!OidIsValid(collid))
		return;
	tuple = SearchSysCache1(COLLOID, ObjectIdGetDatum(collid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for collation %u", collid);
	nspid = ((Form_pg_collation) GETSTRUCT(tuple))->collnamespace;
	ReleaseSysCache(tuple);
	if (!usable(g, CollationRelationId, collid, nspid))
		refuse_foreign(g, nspid, psprintf("collation %s", NameListToQuotedString(names)),
					   location);
}

/*
 * A relation the statement creates, acts on or reads.  One that exists
 * must be in the scratch schema (or pg_catalog, to be read); one that does
 * not is reported by PostgreSQL when the statement runs, unless the live
 * schema has it: then the model borrows it.
 */
static void
guard_relation(ModelGuard *g, RangeVar *rv, GuardUse use, const char *kind)
{
	Oid			relid;
	Oid			nspid;

	if (rv->schemaname != NULL &&
		strcmp(rv->schemaname, g->scratch_name) != 0 &&
		!(use == GUARD_READ && strcmp(rv->schemaname, "pg_catalog") == 0))
		refuse_outside(g, get_namespace_oid(rv->schemaname, true),
					   rv->schemaname, use, describe(kind, rv->relname),
					   rv->location);
	if (use == GUARD_CREATE)
	{
		if (rv->relpersistence == RELPERSISTENCE_TEMP)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_SCHEMA_DEFINITION),
					 errmsg("a model file must not create temporary objects"),
					 errdetail("Temporary objects live outside the scratch schema the model is loaded into."),
					 guard_position(g, rv->location)));
		return;
	}
	if (rv->schemaname == NULL)
	{
		ListCell   *lc;

		foreach(lc, g->ctes)
		{
			if (strcmp(lfirst(lc), rv->relname) == 0)
				return;
		}
	}
	relid = RangeVarGetRelid(rv, NoLock, true);
	if (!OidIsValid(relid))
	{
		if (rv->schemaname == NULL &&
			OidIsValid(get_relname_relid(rv->relname, g->live)))
			refuse_outside(g, g->live, get_namespace_name(g->live), GUARD_READ,
						   describe("relation", rv->relname), rv->location);
		return;
	}
	nspid = get_rel_namespace(relid);
	if (nspid == g->scratch ||
		(use == GUARD_READ && nspid == PG_CATALOG_NAMESPACE))
		return;
	refuse_outside(g, nspid, get_namespace_name(nspid), use,
				   describe(kind, rv->relname), rv->location);
}

static void
guard_type(ModelGuard *g, TypeName *type)
{
	Oid			typid;

	if (type == NULL)
		return;
	/* a.b.c%TYPE names a column, and its last name but one is no schema */
	if (type->pct_type)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_SCHEMA_DEFINITION),
				 errmsg("%%TYPE is not allowed in a model file"),
				 errdetail("A model names its types; the type of a column elsewhere could be anyone's."),
				 guard_position(g, type->location)));
	guard_names(g, type->names, GUARD_READ, "type", type->location);
	(void) guard_walker((Node *) type->typmods, g);
	typid = LookupTypeNameOid(NULL, type, true);
	if (OidIsValid(typid))
	{
		Oid			elem = get_element_type(typid);
		Oid			base = OidIsValid(elem) ? elem : typid;
		HeapTuple	tuple = SearchSysCache1(TYPEOID, ObjectIdGetDatum(base));
		Oid			nspid;

		if (!HeapTupleIsValid(tuple))
			elog(ERROR, "cache lookup failed for type %u", base);
		nspid = ((Form_pg_type) GETSTRUCT(tuple))->typnamespace;
		ReleaseSysCache(tuple);
		if (!usable(g, TypeRelationId, base, nspid))
			refuse_foreign(g, nspid, psprintf("type %s", format_type_be(base)),
						   type->location);
	}
}

/*
 * nextval() must name, by a literal, a sequence of the model: one of the
 * live schema (or any other) would keep its new value after the rollback.
 */
static void
guard_nextval(ModelGuard *g, FuncCall *call)
{
	Node	   *arg = list_length(call->args) == 1 ? linitial(call->args) : NULL;
	A_Const    *literal;
	List	   *names;
	RangeVar   *rv;

	if (arg != NULL && IsA(arg, TypeCast))
		arg = ((TypeCast *) arg)->arg;
	literal = (arg != NULL && IsA(arg, A_Const)) ? (A_Const *) arg : NULL;
	if (literal == NULL || literal->isnull || !IsA(&literal->val, String))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("a model file must not call nextval() on a sequence it does not name"),
				 errdetail("In a model, nextval() takes the name of a sequence of the model, as a literal."),
				 guard_position(g, call->location)));
#if PG_VERSION_NUM >= 160000
	names = stringToQualifiedNameList(strVal(&literal->val), NULL);
#else
	names = stringToQualifiedNameList(strVal(&literal->val));
#endif
	rv = makeRangeVarFromNameList(names);
	rv->location = call->location;
	guard_relation(g, rv, GUARD_CHANGE, "sequence");
}

/*
 * A function call: found in the scratch schema or pg_catalog (the
 * search_path of the model), and none of the functions of that name is
 * volatile or reads relations, but for those of volatile_allowed and
 * nextval() of the model's own sequences.
 */
static void
guard_function(ModelGuard *g, FuncCall *call)
{
	const char *name = strVal(llast(call->funcname));
	FuncCandidateList candidate;
	bool		is_volatile = false;

	guard_names(g, call->funcname, GUARD_READ, "function", call->location);
	for (int i = 0; reading_denied[i] != NULL; i++)
	{
		if (strcmp(name, reading_denied[i]) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("a model file must not call function \"%s\"",
							NameListToString(call->funcname)),
					 errdetail("The function reads tables and views, whose definitions could run functions of the user's while the model loads."),
					 guard_position(g, call->location)));
	}
	candidate = FuncnameGetCandidates(call->funcname, -1, NIL,
									  false, false, false, true);
	for (; candidate != NULL; candidate = candidate->next)
	{
		Oid			nspid = get_func_namespace(candidate->oid);

		if (!usable(g, ProcedureRelationId, candidate->oid, nspid))
			refuse_foreign(g, nspid,
						   psprintf("function %s", format_procedure(candidate->oid)),
						   call->location);
		if (func_volatile(candidate->oid) == PROVOLATILE_VOLATILE)
			is_volatile = true;
	}
	if (!is_volatile)
		return;
	if (strcmp(name, "nextval") == 0)
	{
		guard_nextval(g, call);
		return;
	}
	for (int i = 0; volatile_allowed[i] != NULL; i++)
	{
		if (strcmp(name, volatile_allowed[i]) == 0)
			return;
	}
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("a model file must not call function \"%s\"",
					NameListToString(call->funcname)),
			 errdetail("The function is volatile: while the model loads, it could act outside the scratch schema or leave effects that the rollback does not undo."),
			 errhint("A model may call nextval() on its own sequences, random(), gen_random_uuid(), clock_timestamp() and timeofday(), and functions of pg_catalog that are not volatile."),
			 guard_position(g, call->location)));
}

/*
 * An expression or query, as a raw parse tree: the relations it reads, the
 * functions it calls and the names of its types, operators and collations.
 */
static bool
guard_walker(Node *node, ModelGuard *g)
{
	if (node == NULL)
		return false;
	CHECK_FOR_INTERRUPTS();
	switch (nodeTag(node))
	{
		case T_RangeVar:
			guard_relation(g, (RangeVar *) node, GUARD_READ, "relation");
			return false;
		case T_TypeName:
			guard_type(g, (TypeName *) node);
			return false;
		case T_FuncCall:
			guard_function(g, (FuncCall *) node);
			break;
		case T_A_Expr:
			{
				A_Expr	   *expr = (A_Expr *) node;

				switch (expr->kind)
				{
					case AEXPR_BETWEEN:
					case AEXPR_NOT_BETWEEN:
					case AEXPR_BETWEEN_SYM:
					case AEXPR_NOT_BETWEEN_SYM:
						/* the name is BETWEEN; the operators are these */
						guard_operator(g, list_make1(makeString("<=")), expr->location);
						guard_operator(g, list_make1(makeString(">=")), expr->location);
						break;
					default:
						guard_operator(g, expr->name, expr->location);
						break;
				}
				break;
			}
		case T_CaseExpr:
			/* CASE x WHEN y compares with the operator named = */
			if (((CaseExpr *) node)->arg != NULL)
				guard_operator(g, list_make1(makeString("=")),
							   ((CaseExpr *) node)->location);
			break;
		case T_SubLink:
			{
				SubLink    *sublink = (SubLink *) node;

				if (sublink->operName != NIL)
					guard_operator(g, sublink->operName, sublink->location);
				else if (sublink->subLinkType == ANY_SUBLINK)
					guard_operator(g, list_make1(makeString("=")), sublink->location);
				break;
			}
		case T_SortBy:
			guard_operator(g, ((SortBy *) node)->useOp, ((SortBy *) node)->location);
			break;
		case T_CollateClause:
			guard_collation(g, ((CollateClause *) node)->collname,
							((CollateClause *) node)->location);
			break;
		case T_RangeTableSample:
			guard_names(g, ((RangeTableSample *) node)->method, GUARD_READ,
						"tablesample method", ((RangeTableSample *) node)->location);
			break;
		case T_SelectStmt:
			{
				WithClause *with = ((SelectStmt *) node)->withClause;
				ListCell   *lc;

				/* a WITH query's name is not a relation */
				if (with != NULL)
				{
					foreach(lc, with->ctes)
						g->ctes = lappend(g->ctes,
										  lfirst_node(CommonTableExpr, lc)->ctename);
				}
				break;
			}
		default:
			break;
	}
	return raw_expression_tree_walker(node, guard_walker, (void *) g);
}

static void
guard_expr(ModelGuard *g, Node *expr)
{
	(void) guard_walker(expr, g);
}

/*
 * Options (WITH, sequence and range options): a name they hold is a name
 * the statement uses; OWNED BY names a column the sequence then belongs to.
 */
static void
guard_options(ModelGuard *g, List *options)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *def = lfirst_node(DefElem, lc);

		if (def->arg == NULL)
			continue;
		if (IsA(def->arg, TypeName))
			guard_type(g, (TypeName *) def->arg);
		else if (IsA(def->arg, List) && strcmp(def->defname, "owned_by") == 0)
		{
			List	   *names = (List *) def->arg;

			if (list_length(names) > 1)
				guard_relation(g,
							   makeRangeVarFromNameList(list_truncate(list_copy(names),
																	  list_length(names) - 1)),
							   GUARD_CHANGE, "table");
		}
		else if (IsA(def->arg, List))
			guard_names(g, (List *) def->arg, GUARD_READ, def->defname,
						def->location);
	}
}

static void
guard_index_elem(ModelGuard *g, IndexElem *elem)
{
	guard_expr(g, elem->expr);
	guard_collation(g, elem->collation, -1);
	guard_names(g, elem->opclass, GUARD_READ, "operator class", -1);
	guard_options(g, elem->opclassopts);
}

static void
guard_constraint(ModelGuard *g, Constraint *con)
{
	ListCell   *lc;

	guard_expr(g, con->raw_expr);
	guard_expr(g, con->where_clause);
	if (con->pktable != NULL)
		guard_relation(g, con->pktable, GUARD_CHANGE, "table");
	foreach(lc, con->exclusions)
	{
		List	   *pair = lfirst(lc);

		guard_index_elem(g, linitial_node(IndexElem, pair));
		guard_operator(g, lsecond(pair), con->location);
	}
	guard_options(g, con->options);
}

static void
guard_column(ModelGuard *g, ColumnDef *col)
{
	ListCell   *lc;

	guard_type(g, col->typeName);
	guard_expr(g, col->raw_default);
	if (col->collClause != NULL)
		guard_expr(g, (Node *) col->collClause);
	foreach(lc, col->constraints)
		guard_constraint(g, lfirst_node(Constraint, lc));
}

/* A FOR VALUES clause: PostgreSQL evaluates it while the statement runs */
static void
guard_bound(ModelGuard *g, PartitionBoundSpec *bound)
{
	if (bound == NULL)
		return;
	guard_expr(g, (Node *) bound->listdatums);
	guard_expr(g, (Node *) bound->lowerdatums);
	guard_expr(g, (Node *) bound->upperdatums);
}

static void
guard_create_table(ModelGuard *g, CreateStmt *stmt)
{
	ListCell   *lc;

	guard_relation(g, stmt->relation, GUARD_CREATE, "table");
	foreach(lc, stmt->tableElts)
	{
		Node	   *elt = lfirst(lc);

		if (IsA(elt, ColumnDef))
			guard_column(g, (ColumnDef *) elt);
		else if (IsA(elt, Constraint))
			guard_constraint(g, (Constraint *) elt);
		else if (IsA(elt, TableLikeClause))
			guard_relation(g, ((TableLikeClause *) elt)->relation, GUARD_READ,
						   "relation");
	}
	foreach(lc, stmt->inhRelations)
		guard_relation(g, lfirst_node(RangeVar, lc), GUARD_CHANGE, "table");
	guard_bound(g, stmt->partbound);
	if (stmt->partspec != NULL)
	{
		foreach(lc, stmt->partspec->partParams)
		{
			PartitionElem *elem = lfirst_node(PartitionElem, lc);

			guard_expr(g, elem->expr);
			guard_collation(g, elem->collation, elem->location);
			guard_names(g, elem->opclass, GUARD_READ, "operator class", elem->location);
		}
	}
	guard_type(g, stmt->ofTypename);
	foreach(lc, stmt->constraints)
		guard_constraint(g, lfirst_node(Constraint, lc));
	guard_options(g, stmt->options);
}

static void
guard_create_index(ModelGuard *g, IndexStmt *stmt)
{
	ListCell   *lc;

	guard_relation(g, stmt->relation, GUARD_CHANGE, "table");
	foreach(lc, stmt->indexParams)
		guard_index_elem(g, lfirst_node(IndexElem, lc));
	foreach(lc, stmt->indexIncludingParams)
		guard_index_elem(g, lfirst_node(IndexElem, lc));
	guard_expr(g, stmt->whereClause);
	guard_operator(g, stmt->excludeOpNames, -1);
	guard_options(g, stmt->options);
}

static void
guard_alter_table(ModelGuard *g, AlterTableStmt *stmt)
{
	ListCell   *lc;

	guard_relation(g, stmt->relation, GUARD_CHANGE, "relation");
	foreach(lc, stmt->cmds)
	{
		Node	   *def = lfirst_node(AlterTableCmd, lc)->def;

		if (def == NULL)
			continue;
		switch (nodeTag(def))
		{
			case T_ColumnDef:
				guard_column(g, (ColumnDef *) def);
				break;
			case T_Constraint:
				guard_constraint(g, (Constraint *) def);
				break;
			case T_PartitionCmd:
				guard_relation(g, ((PartitionCmd *) def)->name, GUARD_CHANGE, "table");
				guard_bound(g, ((PartitionCmd *) def)->bound);
				break;
			case T_RangeVar:
				/* INHERIT, NO INHERIT */
				guard_relation(g, (RangeVar *) def, GUARD_CHANGE, "table");
				break;
			case T_List:
				guard_options(g, (List *) def);
				break;
			case T_ReplicaIdentityStmt:
				break;
			default:
				/* OF type, a generation expression, a number or a name */
				guard_expr(g, def);
				break;
		}
	}
}

/*
 * COMMENT ON: the object, once found, must be the model's.  One that is not
 * found is reported by PostgreSQL when the statement runs.
 */
static void
guard_comment(ModelGuard *g, CommentStmt *stmt)
{
	ObjectAddress address;
	Relation	rel = NULL;
	Oid			nspid;

	switch (stmt->objtype)
	{
		case OBJECT_TABLE:
		case OBJECT_VIEW:
		case OBJECT_SEQUENCE:
		case OBJECT_INDEX:
		case OBJECT_COLUMN:
		case OBJECT_TYPE:
		case OBJECT_DOMAIN:
		case OBJECT_TABCONSTRAINT:
		case OBJECT_DOMCONSTRAINT:
		case OBJECT_POLICY:
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_SCHEMA_DEFINITION),
					 errmsg("COMMENT on this kind of object is not allowed in a model file"),
					 errdetail("A model comments only on its own tables, views, sequences, indexes, columns, types, domains, constraints and policies.")));
	}
	address = get_object_address(stmt->objtype, stmt->object, &rel,
								 AccessShareLock, true);
	if (!OidIsValid(address.objectId))
		return;
	nspid = rel != NULL ? RelationGetNamespace(rel) : get_object_namespace(&address);
	if (rel != NULL)
		relation_close(rel, NoLock);
	if (nspid != g->scratch)
		refuse_outside(g, nspid, get_namespace_name(nspid), GUARD_CHANGE,
					   getObjectDescription(&address, false), -1);
}

/* ALTER TYPE ... ADD VALUE: the enum type must be the model's */
static void
guard_alter_enum(ModelGuard *g, AlterEnumStmt *stmt)
{
	TypeName   *type = makeTypeNameFromNameList(stmt->typeName);
	Oid			typid;
	ObjectAddress address;
	Oid			nspid;

	guard_names(g, stmt->typeName, GUARD_CHANGE, "type", -1);
	typid = LookupTypeNameOid(NULL, type, true);
	if (!OidIsValid(typid))
		return;
	ObjectAddressSet(address, TypeRelationId, typid);
	nspid = get_object_namespace(&address);
	if (nspid != g->scratch)
		refuse_outside(g, nspid, get_namespace_name(nspid), GUARD_CHANGE,
					   describe("type", NameListToString(stmt->typeName)), -1);
}

/* A statement of a kind a model file may not hold; detail may be NULL */
static void
refuse_statement(Node *stmt, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_SCHEMA_DEFINITION),
			 errmsg("%s is not allowed in a model file",
					GetCommandTagName(CreateCommandTag(stmt))),
			 detail != NULL ? errdetail_internal("%s", detail) : 0,
			 errhint("A model file declares the schema: CREATE TABLE, CREATE INDEX, CREATE TYPE, CREATE SEQUENCE, CREATE VIEW, COMMENT ON and the like.")));
}

/*
 * Refuse the statement of a model file, before it runs, unless it only
 * declares objects of the scratch schema.
 */
void
modelguard_check(ModelGuard *g, Node *stmt)
{
	ListCell   *lc;

	g->ctes = NIL;
	switch (nodeTag(stmt))
	{
		case T_CreateStmt:
			guard_create_table(g, (CreateStmt *) stmt);
			break;
		case T_IndexStmt:
			guard_create_index(g, (IndexStmt *) stmt);
			break;
		case T_CreateSeqStmt:
			guard_relation(g, ((CreateSeqStmt *) stmt)->sequence, GUARD_CREATE, "sequence");
			guard_options(g, ((CreateSeqStmt *) stmt)->options);
			break;
		case T_AlterSeqStmt:
			guard_relation(g, ((AlterSeqStmt *) stmt)->sequence, GUARD_CHANGE, "sequence");
			guard_options(g, ((AlterSeqStmt *) stmt)->options);
			break;
		case T_ViewStmt:
			guard_relation(g, ((ViewStmt *) stmt)->view, GUARD_CREATE, "view");
			guard_expr(g, ((ViewStmt *) stmt)->query);
			guard_options(g, ((ViewStmt *) stmt)->options);
			break;
		case T_CreateEnumStmt:
			guard_names(g, ((CreateEnumStmt *) stmt)->typeName, GUARD_CREATE, "type", -1);
			break;
		case T_AlterEnumStmt:
			guard_alter_enum(g, (AlterEnumStmt *) stmt);
			break;
		case T_CompositeTypeStmt:
			guard_relation(g, ((CompositeTypeStmt *) stmt)->typevar, GUARD_CREATE, "type");
			foreach(lc, ((CompositeTypeStmt *) stmt)->coldeflist)
				guard_column(g, lfirst_node(ColumnDef, lc));
			break;
		case T_CreateRangeStmt:
			guard_names(g, ((CreateRangeStmt *) stmt)->typeName, GUARD_CREATE, "type", -1);
			guard_options(g, ((CreateRangeStmt *) stmt)->params);
			break;
		case T_CreateDomainStmt:
			{
				CreateDomainStmt *domain = (CreateDomainStmt *) stmt;

				guard_names(g, domain->domainname, GUARD_CREATE, "domain", -1);
				guard_type(g, domain->typeName);
				if (domain->collClause != NULL)
					guard_expr(g, (Node *) domain->collClause);
				foreach(lc, domain->constraints)
					guard_constraint(g, lfirst_node(Constraint, lc));
				break;
			}
		case T_CommentStmt:
			guard_comment(g, (CommentStmt *) stmt);
			break;
		case T_AlterTableStmt:
			guard_alter_table(g, (AlterTableStmt *) stmt);
			break;
		case T_CreatePolicyStmt:
			guard_relation(g, ((CreatePolicyStmt *) stmt)->table, GUARD_CHANGE, "table");
			guard_expr(g, ((CreatePolicyStmt *) stmt)->qual);
			guard_expr(g, ((CreatePolicyStmt *) stmt)->with_check);
			break;
		case T_GrantStmt:
			{
				GrantStmt  *grant = (GrantStmt *) stmt;

				if (grant->targtype != ACL_TARGET_OBJECT ||
					(grant->objtype != OBJECT_TABLE &&
					 grant->objtype != OBJECT_SEQUENCE))
					refuse_statement(stmt, "A model grants privileges only on its own tables, views and sequences.");
				foreach(lc, grant->objects)
					guard_relation(g, lfirst_node(RangeVar, lc), GUARD_CHANGE, "relation");
				break;
			}
		case T_TransactionStmt:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
					 errmsg("transaction control is not allowed in a model file"),
					 errhint("A model file declares the schema; autogenerate runs it in a subtransaction that is always rolled back.")));
			break;
		case T_CreateTableAsStmt:
		case T_SelectStmt:
		case T_InsertStmt:
		case T_UpdateStmt:
		case T_DeleteStmt:
		case T_CopyStmt:
		case T_DoStmt:
		case T_CallStmt:
		case T_ExplainStmt:
		case T_ExecuteStmt:
			refuse_statement(stmt, "It would run a query or a function while the model loads.");
			break;
		default:
			refuse_statement(stmt, NULL);
			break;
	}
}

/*
 * Whether only superusers can create objects in a schema: its owner is one,
 * and CREATE on it is granted to no one else.
 */
static bool
superusers_only(Oid nspid)
{
	HeapTuple	tuple = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nspid));
	bool		isnull;
	Datum		datum;
	Oid			owner;
	bool		result;

	if (!HeapTupleIsValid(tuple))
		return false;
	owner = ((Form_pg_namespace) GETSTRUCT(tuple))->nspowner;
	result = superuser_arg(owner);
	datum = SysCacheGetAttr(NAMESPACEOID, tuple, Anum_pg_namespace_nspacl, &isnull);
	if (result && !isnull)
	{
		Acl		   *acl = DatumGetAclP(datum);
		Oid		   *roles;
		int			nroles = aclmembers(acl, &roles);

		if (aclmask(acl, ACL_ID_PUBLIC, owner, ACL_CREATE, ACLMASK_ANY) != 0)
			result = false;
		for (int i = 0; result && i < nroles; i++)
		{
			if (!superuser_arg(roles[i]) &&
				aclmask(acl, roles[i], owner, ACL_CREATE, ACLMASK_ANY) != 0)
				result = false;
		}
	}
	ReleaseSysCache(tuple);
	return result;
}

/*
 * The schemas of the extensions superusers own in which only superusers
 * can create objects, but pg_catalog, fleetmig's and "except", as ", a, b"
 * for a search_path.  A schema others can create in (public, usually) is
 * left out: an object planted there could take the place of what the model
 * or an event trigger means; so is the schema of a trusted extension
 * another role created (CREATE EXTENSION does not ask that role for CREATE
 * on the schema).
 */
static char *
extension_schemas(Oid except)
{
	Oid			own = get_namespace_oid("fleetmig", true);
	Relation	rel = table_open(ExtensionRelationId, AccessShareLock);
	SysScanDesc scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	List	   *seen = NIL;
	StringInfoData buf;
	HeapTuple	tuple;

	initStringInfo(&buf);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_extension ext = (Form_pg_extension) GETSTRUCT(tuple);
		Oid			nspid = ext->extnamespace;
		char	   *name;

		if (nspid == PG_CATALOG_NAMESPACE || nspid == own || nspid == except ||
			list_member_oid(seen, nspid) || !superuser_arg(ext->extowner) ||
			!superusers_only(nspid))
			continue;
		name = get_namespace_name(nspid);
		if (name == NULL)
			continue;
		seen = lappend_oid(seen, nspid);
		appendStringInfo(&buf, ", %s", quote_identifier(name));
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return buf.data;
}

/*
 * Set search_path, until safesql_leave(), so that what fleetmig runs for
 * itself finds no object a user created elsewhere: pg_catalog, the schema
 * "schema", the schemas of installed extensions that only superusers can
 * create in, pg_temp.
 * pg_catalog comes before the schema because the server's own deparsing
 * runs queries with unqualified operators (pg_get_viewdef() before
 * PostgreSQL 17), where an exact match of the schema's would win; the
 * schema is there for names to be deparsed relative to it, the extensions'
 * for the types of extensions to be found and deparsed without their
 * schema, in the model and in the live schema alike.  With model_first,
 * the schema (the scratch schema) comes first, for the model's statements
 * to create their objects in it.  (Without a schema, safesql_enter() sets
 * pg_catalog, pg_temp.)  Returns the GUC nest level to end.
 */
int
modelguard_path_begin(Oid schema, bool model_first)
{
	const char *name = quote_identifier(get_namespace_name(schema));
	char	   *extensions = extension_schemas(schema);

	return safesql_enter_path(model_first ?
							  psprintf("%s, pg_catalog%s, pg_temp", name, extensions) :
							  psprintf("pg_catalog, %s%s, pg_temp", name, extensions));
}
