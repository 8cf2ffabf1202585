/*-------------------------------------------------------------------------
 *
 * schemadesc.h
 *	  What autogenerate knows of one schema (SPEC §10): its tables, columns,
 *	  constraints, indexes, sequences, enum types, views and comments, as
 *	  read from the catalogs by schemaread.c and compared by schemadiff.c.
 *
 * Every name is unqualified and every definition is deparsed with the
 * schema first in search_path, so the same object in the live schema and
 * in the model's scratch schema reads the same.
 *
 * Deparsing is not always a fixed point: CHECK (status IN ('a', 'b')) on a
 * varchar column reads back as an ARRAY[...]::text[] that, run again,
 * reads ARRAY[('a'::varchar)::text, ...].  So the model's definitions that
 * differ from the live schema's are re-created once from their own text in
 * the scratch schema, and the "canonical" text they then read as counts as
 * equal too: what a generated migration creates matches the model.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLEETMIG_SCHEMADESC_H
#define FLEETMIG_SCHEMADESC_H

#include "nodes/pg_list.h"

typedef struct SchemaEnum
{
	char	   *name;
	List	   *labels;			/* char *, in sort order */
	char	   *comment;
} SchemaEnum;

typedef struct SchemaSequence
{
	char	   *name;
	char	   *options;		/* "AS integer INCREMENT BY 1 ..." */
	char	   *owner_table;	/* OWNED BY a column of a table of the schema */
	char	   *owner_column;	/* (both NULL when there is none) */
	int64		minvalue;
	int64		maxvalue;
	int64		increment;
	char	   *comment;
} SchemaSequence;

typedef struct SchemaColumn
{
	char	   *name;
	char	   *type;			/* format_type(), with typmod */
	Oid			typid;
	char	   *collation;		/* when not the type's default, else NULL */
	bool		notnull;
	char	   *expr;			/* default or generation expression, or NULL */
	char	   *canonical_expr; /* the default as it reads once re-created
								 * from expr, when that differs */
	char		identity;		/* 'a', 'd' or '\0' */
	bool		generated;		/* expr is a GENERATED ... STORED expression */
	List	   *uses;			/* char *: the columns a generated column reads */
	char	   *comment;
} SchemaColumn;

typedef struct SchemaConstraint
{
	char	   *name;
	char		type;			/* 'p', 'u', 'f', 'c' or 'x' */
	char	   *definition;		/* pg_get_constraintdef() */
	char	   *canonical;		/* as it reads once re-created from
								 * definition, when that differs */
	char	   *references;		/* a foreign key's table in the schema */
	char	   *key_index;		/* the unique index a foreign key uses */
	List	   *columns;		/* char *: the columns it constrains */
	List	   *ref_columns;	/* char *: the columns a foreign key references */
} SchemaConstraint;

typedef struct SchemaIndex
{
	char	   *name;
	char	   *definition;		/* pg_get_indexdef() */
	char	   *canonical;		/* see SchemaConstraint */
	char	   *comment;
} SchemaIndex;

typedef struct SchemaTable
{
	char	   *name;
	List	   *columns;		/* SchemaColumn *, in column order */
	List	   *constraints;	/* SchemaConstraint *, by name */
	List	   *indexes;		/* SchemaIndex * not behind a constraint */
	char	   *comment;
} SchemaTable;

typedef struct SchemaView
{
	char	   *name;
	char	   *definition;		/* pg_get_viewdef() */
	char	   *canonical;		/* see SchemaConstraint */
	char	   *options;		/* reloptions but check_option, or NULL */
	char	   *check_option;	/* "LOCAL", "CASCADED" or NULL */
	char	   *acl;			/* privileges granted on it, or NULL */
	List	   *columns;		/* SchemaColumn *: only name and comment */
	List	   *uses;			/* char *: tables and views of the schema */
	char	   *comment;
} SchemaView;

/* Every list is in the order the objects were created (by OID) */
typedef struct SchemaDesc
{
	List	   *enums;
	List	   *sequences;
	List	   *tables;
	List	   *views;
} SchemaDesc;

/* Whether ALTER COLUMN ... TYPE can turn one column's type into another's */
typedef bool (*SchemaCastable) (const SchemaColumn *from, const SchemaColumn *to);

/* What schemadiff_script() writes */
typedef struct SchemaScript
{
	char	   *sql;			/* the DDL, statements and comments */
	List	   *changes;		/* char *: each change in words */
	List	   *todos;			/* char *: what needs a hand, in words */
} SchemaScript;

extern SchemaDesc *schemaread(Oid nspid);
extern SchemaScript *schemadiff_script(SchemaDesc *from, SchemaDesc *to,
									   SchemaCastable castable);
extern List *schemadiff_recreate_sql(SchemaDesc *live, SchemaDesc *model);
extern void schemadiff_adopt_canonical(SchemaDesc *model, SchemaDesc *recreated);

#endif							/* FLEETMIG_SCHEMADESC_H */
