/*-------------------------------------------------------------------------
 *
 * schemadiff.c
 *	  The DDL that turns one schema into another (SPEC §10): given the
 *	  SchemaDesc of the live schema and that of the model, write the
 *	  statements of an upgrade; with the two swapped, those of the
 *	  downgrade.
 *
 * The statements come in dependency order:
 *
 *	 1. drop the views that go, change, or read a table that changes
 *	 2. release sequences from columns that drop them or change owner
 *	 3. drop foreign keys, then other constraints, then indexes, that go
 *		or change (and foreign keys that point at a key that changes)
 *	 4. create enum types and add their values; drop identities that go;
 *		create and alter sequences
 *	 5. drop tables, create tables (without their foreign keys)
 *	 6. alter the columns of tables in both: drop, add, change; drop the
 *		sequences that go; add identities
 *	 7. give sequences their owners; add constraints, indexes, then
 *		foreign keys
 *	 8. drop enum types that go; create the views
 *	 9. comments
 *
 * Renames are never guessed: a column that goes and one that comes are a
 * drop and an add, with a comment that warns of the data loss.  What DDL
 * cannot say cleanly (removing an enum value, a type change with no cast)
 * becomes a "-- TODO" comment and an entry of SchemaScript.todos, never
 * SQL that would do the wrong thing.
 *
 * Also here: the statements that re-create the model's definitions that
 * read differently from the live schema's, and the adoption of what they
 * then read as (see schemadesc.h).
 *
 * Pure: no catalog access and no SPI, so it can be tested on its own.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "schemadesc.h"

typedef struct Diff
{
	SchemaDesc *from;
	SchemaDesc *to;
	SchemaCastable castable;
	StringInfoData sql;
	List	   *changes;
	List	   *todos;
	List	   *drop_views;		/* SchemaView * of "from" */
	List	   *rebuilt;		/* char *: tables whose constraints and
								 * indexes are all dropped and added again */
	List	   *gone_owners;	/* char *: "table.column" dropped, or a table */
} Diff;

#define q(name) quote_identifier(name)

/* The copies of tables schemadiff_recreate_sql() makes in the scratch schema */
#define RECREATED_COPY "fleetmig_recreated_"

static bool index_goes(Diff *d, SchemaTable *a, SchemaIndex *ia);
static bool foreign_key_loses_key(Diff *d, SchemaConstraint *ka);

static bool
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool
has_name(List *names, const char *name)
{
	ListCell   *lc;

	foreach(lc, names)
	{
		if (strcmp(lfirst(lc), name) == 0)
			return true;
	}
	return false;
}

/* The objects of a list whose struct starts with "char *name" */
static void *
find(List *objects, const char *name)
{
	ListCell   *lc;

	foreach(lc, objects)
	{
		char	   *object_name = *(char **) lfirst(lc);

		if (strcmp(object_name, name) == 0)
			return lfirst(lc);
	}
	return NULL;
}

/*
 * Text for a "--" comment: a name may hold a line break, which must not end
 * the comment and turn the rest of the name into SQL.
 */
static char *
one_line(const char *text)
{
	char	   *result = pstrdup(text);

	for (char *c = result; *c; c++)
	{
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	}
	return result;
}

/*
 * A string literal.  A carriage return is written as an E'\r' escape: the
 * file's line ends are normalised when it is read, which would turn a raw
 * CR LF inside the literal into LF.
 */
static char *
literal(const char *text)
{
	StringInfoData buf;

	if (strchr(text, '\r') == NULL)
		return quote_literal_cstr(text);
	initStringInfo(&buf);
	appendStringInfoString(&buf, "E'");
	for (const char *c = text; *c; c++)
	{
		if (*c == '\r')
			appendStringInfoString(&buf, "\\r");
		else if (*c == '\\' || *c == '\'')
		{
			appendStringInfoChar(&buf, '\\');
			appendStringInfoChar(&buf, *c);
		}
		else
			appendStringInfoChar(&buf, *c);
	}
	appendStringInfoChar(&buf, '\'');
	return buf.data;
}

static void
statement(Diff *d, const char *fmt,...) pg_attribute_printf(2, 3);

static void
statement(Diff *d, const char *fmt,...)
{
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&d->sql, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&d->sql, needed);
	}
	appendStringInfoString(&d->sql, ";\n");
}

static void
change(Diff *d, char *words)
{
	d->changes = lappend(d->changes, words);
}

static void
todo(Diff *d, char *words, const char *sketch)
{
	appendStringInfo(&d->sql, "-- TODO: %s\n", one_line(words));
	if (sketch != NULL)
		appendStringInfo(&d->sql, "-- %s;\n", one_line(sketch));
	d->todos = lappend(d->todos, words);
}

static void
remark(Diff *d, const char *words)
{
	appendStringInfo(&d->sql, "-- %s\n", one_line(words));
}

/*
 * A column as CREATE TABLE and ADD COLUMN write it.
 */
static char *
column_definition(SchemaColumn *col)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%s %s", q(col->name), col->type);
	if (col->collation)
		appendStringInfo(&buf, " COLLATE %s", col->collation);
	if (col->generated)
		appendStringInfo(&buf, " GENERATED ALWAYS AS (%s) STORED", col->expr);
	else if (col->expr)
		appendStringInfo(&buf, " DEFAULT %s", col->expr);
	if (col->identity == 'a')
		appendStringInfoString(&buf, " GENERATED ALWAYS AS IDENTITY");
	else if (col->identity == 'd')
		appendStringInfoString(&buf, " GENERATED BY DEFAULT AS IDENTITY");
	if (col->notnull)
		appendStringInfoString(&buf, " NOT NULL");
	return buf.data;
}

/* Two definitions are equal when they read alike, or one re-created does */
static bool
same_definition(const char *a, const char *a_canonical, const char *b,
				const char *b_canonical)
{
	return same(a, b) ||
		(a_canonical != NULL && same(a_canonical, b)) ||
		(b_canonical != NULL && same(a, b_canonical));
}

static bool
view_same(SchemaView *a, SchemaView *b)
{
	return same_definition(a->definition, a->canonical, b->definition, b->canonical) &&
		same(a->options, b->options) && same(a->check_option, b->check_option);
}

static bool
constraint_same(SchemaConstraint *a, SchemaConstraint *b)
{
	return a->type == b->type &&
		same_definition(a->definition, a->canonical, b->definition, b->canonical);
}

/* The default of a column that is not generated in either */
static bool
default_same(SchemaColumn *a, SchemaColumn *b)
{
	return same_definition(a->generated ? NULL : a->expr, a->canonical_expr,
						   b->generated ? NULL : b->expr, b->canonical_expr);
}

static bool
column_retyped(SchemaColumn *a, SchemaColumn *b)
{
	return !same(a->type, b->type) || !same(a->collation, b->collation);
}

/*
 * Whether one of the named columns of table ta (in "from") goes from table
 * tb (in "to") or changes type there.
 */
static bool
columns_retyped(SchemaTable *ta, SchemaTable *tb, List *names)
{
	ListCell   *lc;

	foreach(lc, names)
	{
		SchemaColumn *ca = find(ta->columns, lfirst(lc));
		SchemaColumn *cb = find(tb->columns, lfirst(lc));

		if (ca == NULL || cb == NULL || column_retyped(ca, cb))
			return true;
	}
	return false;
}

/*
 * A column of table ta (in "from") must be dropped and added again as
 * column cb of table tb (in "to"): it becomes a generated column, its
 * generation changes, or a column its generation reads goes or changes
 * type (PostgreSQL 15 cannot alter a generation expression).
 */
static bool
column_recreated(SchemaTable *ta, SchemaTable *tb, SchemaColumn *ca,
				 SchemaColumn *cb)
{
	if (!cb->generated)
		return false;
	return !ca->generated || !same(ca->type, cb->type) ||
		!same_definition(ca->expr, ca->canonical_expr, cb->expr, cb->canonical_expr) ||
		columns_retyped(ta, tb, ca->uses);
}

/* "table.column", quoted, as OWNED BY names it; NULL when there is none */
static char *
sequence_owner(SchemaSequence *s)
{
	if (s->owner_table == NULL)
		return NULL;
	return psprintf("%s.%s", q(s->owner_table), q(s->owner_column));
}

/*
 * Whether a table of "from" changes in a way that the views reading it
 * must be dropped first: it goes, or one of its columns goes, changes type
 * or is recreated.
 */
static bool
table_reshaped(Diff *d, SchemaTable *a)
{
	SchemaTable *b = find(d->to->tables, a->name);
	ListCell   *lc;

	if (b == NULL)
		return true;
	foreach(lc, a->columns)
	{
		SchemaColumn *ca = lfirst(lc);
		SchemaColumn *cb = find(b->columns, ca->name);

		if (cb == NULL || column_retyped(ca, cb) || column_recreated(a, b, ca, cb))
			return true;
	}
	return false;
}

/* Whether a constraint of table "a" of "from" must be dropped */
static bool
constraint_goes(Diff *d, SchemaTable *a, SchemaConstraint *ka)
{
	SchemaTable *b = find(d->to->tables, a->name);
	SchemaConstraint *kb;

	/*
	 * A table that goes takes its constraints with it, but its foreign keys
	 * must go first when the key they point at goes before the table.
	 */
	if (b == NULL)
		return ka->type == 'f' && ka->references != NULL &&
			strcmp(ka->references, a->name) != 0 && foreign_key_loses_key(d, ka);
	if (has_name(d->rebuilt, a->name))
		return true;
	kb = find(b->constraints, ka->name);
	if (kb == NULL || !constraint_same(ka, kb))
		return true;
	/* a foreign key cannot stay while its columns change type */
	return ka->type == 'f' &&
		(columns_retyped(a, b, ka->columns) ||
		 (ka->references != NULL && foreign_key_loses_key(d, ka)));
}

/*
 * Whether the key a foreign key of "from" points at (a primary key or
 * unique constraint, or a unique index, of a table in the schema) is
 * dropped, rebuilt or changes type, so that the foreign key must be dropped
 * before and added after.
 */
static bool
foreign_key_loses_key(Diff *d, SchemaConstraint *ka)
{
	SchemaTable *ra = find(d->from->tables, ka->references);
	SchemaTable *rb = find(d->to->tables, ka->references);
	SchemaIndex *key = NULL;
	ListCell   *lc;

	if (ra == NULL)
		return false;			/* a table autogenerate does not compare */
	if (rb == NULL || has_name(d->rebuilt, ra->name))
		return true;
	/* the key is the unique index the foreign key uses, or its constraint */
	if (ka->key_index != NULL)
		key = find(ra->indexes, ka->key_index);
	if (key != NULL && index_goes(d, ra, key))
		return true;
	foreach(lc, ra->constraints)
	{
		SchemaConstraint *k = lfirst(lc);

		if ((k->type == 'p' || k->type == 'u') &&
			(ka->key_index == NULL || strcmp(k->name, ka->key_index) == 0) &&
			constraint_goes(d, ra, k))
			return true;
	}
	return columns_retyped(ra, rb, ka->ref_columns);
}

/* Whether a constraint of table "b" of "to" must be added */
static bool
constraint_comes(Diff *d, SchemaTable *b, SchemaConstraint *kb)
{
	SchemaTable *a = find(d->from->tables, b->name);
	SchemaConstraint *ka;

	if (a == NULL)
		return true;
	ka = find(a->constraints, kb->name);
	return ka == NULL || constraint_goes(d, a, ka);
}

static bool
index_goes(Diff *d, SchemaTable *a, SchemaIndex *ia)
{
	SchemaTable *b = find(d->to->tables, a->name);
	SchemaIndex *ib;

	if (b == NULL)
		return false;
	if (has_name(d->rebuilt, a->name))
		return true;
	ib = find(b->indexes, ia->name);
	return ib == NULL ||
		!same_definition(ia->definition, ia->canonical, ib->definition, ib->canonical);
}

static bool
index_comes(Diff *d, SchemaTable *b, SchemaIndex *ib)
{
	SchemaTable *a = find(d->from->tables, b->name);
	SchemaIndex *ia;

	if (a == NULL)
		return true;
	ia = find(a->indexes, ib->name);
	return ia == NULL || index_goes(d, a, ia);
}

/*
 * 1. The views of "from" to drop: those that go or change, those that read
 * a table that changes shape, and those that read such a view; dropped
 * readers first.
 */
static void
drop_views(Diff *d)
{
	List	   *affected = NIL;
	List	   *dropped = NIL;
	bool		grew = true;
	ListCell   *lc;

	while (grew)
	{
		grew = false;
		foreach(lc, d->from->views)
		{
			SchemaView *va = lfirst(lc);
			SchemaView *vb = find(d->to->views, va->name);
			bool		goes = false;
			ListCell   *lu;

			if (list_member_ptr(affected, va))
				continue;
			if (vb == NULL || !view_same(va, vb))
				goes = true;
			foreach(lu, va->uses)
			{
				SchemaTable *t = find(d->from->tables, lfirst(lu));
				SchemaView *v = find(d->from->views, lfirst(lu));

				if ((t != NULL && table_reshaped(d, t)) ||
					(v != NULL && list_member_ptr(affected, v)))
					goes = true;
			}
			if (goes)
			{
				affected = lappend(affected, va);
				grew = true;
			}
		}
	}

	while (list_length(dropped) < list_length(affected))
	{
		foreach(lc, affected)
		{
			SchemaView *va = lfirst(lc);
			bool		read = false;
			ListCell   *lr;

			if (list_member_ptr(dropped, va))
				continue;
			foreach(lr, affected)
			{
				SchemaView *reader = lfirst(lr);

				if (reader != va && !list_member_ptr(dropped, reader) &&
					has_name(reader->uses, va->name))
					read = true;
			}
			if (read)
				continue;
			statement(d, "DROP VIEW %s", q(va->name));
			if (find(d->to->views, va->name) == NULL)
				change(d, psprintf("drop view %s", va->name));
			dropped = lappend(dropped, va);
		}
	}
	d->drop_views = affected;
}

/*
 * The tables of "from" with a column that is dropped and added again: all
 * their constraints and indexes are dropped before and added after.
 */
static void
find_rebuilt_tables(Diff *d)
{
	ListCell   *lc;

	foreach(lc, d->from->tables)
	{
		SchemaTable *a = lfirst(lc);
		SchemaTable *b = find(d->to->tables, a->name);
		ListCell   *lcol;

		if (b == NULL)
		{
			d->gone_owners = lappend(d->gone_owners, (char *) q(a->name));
			continue;
		}
		foreach(lcol, a->columns)
		{
			SchemaColumn *ca = lfirst(lcol);
			SchemaColumn *cb = find(b->columns, ca->name);

			if (cb == NULL || column_recreated(a, b, ca, cb))
				d->gone_owners = lappend(d->gone_owners,
										 psprintf("%s.%s", q(a->name), q(ca->name)));
			if (cb != NULL && column_recreated(a, b, ca, cb) &&
				!has_name(d->rebuilt, a->name))
				d->rebuilt = lappend(d->rebuilt, a->name);
		}
	}
}

/* Whether a sequence of "from" goes with the table or column owning it */
static bool
sequence_dropped_with_owner(Diff *d, SchemaSequence *s)
{
	if (s->owner_table == NULL)
		return false;
	return has_name(d->gone_owners, sequence_owner(s)) ||
		has_name(d->gone_owners, q(s->owner_table));
}

/*
 * 2. Sequences in both whose owner changes are released first, so that
 * dropping their old owner does not drop them.
 */
static void
release_sequences(Diff *d)
{
	ListCell   *lc;

	foreach(lc, d->from->sequences)
	{
		SchemaSequence *sa = lfirst(lc);
		SchemaSequence *sb = find(d->to->sequences, sa->name);

		if (sb != NULL && sa->owner_table != NULL &&
			!same(sequence_owner(sa), sequence_owner(sb)))
			statement(d, "ALTER SEQUENCE %s OWNED BY NONE", q(sa->name));
	}
}

/*
 * 3. Foreign keys, then the other constraints, then indexes, of the tables
 * that stay.
 */
static void
drop_constraints_and_indexes(Diff *d)
{
	ListCell   *lc;

	for (int pass = 0; pass < 2; pass++)
	{
		foreach(lc, d->from->tables)
		{
			SchemaTable *a = lfirst(lc);
			SchemaTable *b = find(d->to->tables, a->name);
			ListCell   *lk;

			foreach(lk, a->constraints)
			{
				SchemaConstraint *ka = lfirst(lk);

				if ((ka->type == 'f') != (pass == 0) || !constraint_goes(d, a, ka))
					continue;
				statement(d, "ALTER TABLE %s DROP CONSTRAINT %s", q(a->name), q(ka->name));
				if (b != NULL && find(b->constraints, ka->name) == NULL)
					change(d, psprintf("drop constraint %s on %s", ka->name, a->name));
			}
		}
	}
	foreach(lc, d->from->tables)
	{
		SchemaTable *a = lfirst(lc);
		SchemaTable *b = find(d->to->tables, a->name);
		ListCell   *li;

		foreach(li, a->indexes)
		{
			SchemaIndex *ia = lfirst(li);

			if (!index_goes(d, a, ia))
				continue;
			statement(d, "DROP INDEX %s", q(ia->name));
			if (find(b->indexes, ia->name) == NULL)
				change(d, psprintf("drop index %s", ia->name));
		}
	}
}

/* Whether "sub" is "full" with some labels left out, in the same order */
static bool
labels_subsequence(List *sub, List *full)
{
	ListCell   *lc = list_head(sub);
	ListCell   *lf;

	foreach(lf, full)
	{
		if (lc != NULL && strcmp(lfirst(lc), lfirst(lf)) == 0)
			lc = lnext(sub, lc);
	}
	return lc == NULL;
}

static char *
labels_list(List *labels)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, labels)
		appendStringInfo(&buf, "%s%s", buf.len > 0 ? ", " : "",
						 literal(lfirst(lc)));
	return buf.data;
}

/*
 * 4. Enum types: create the new ones; add the values that come.  Values
 * that go or move cannot be done with ALTER TYPE.
 */
static void
create_enums(Diff *d)
{
	ListCell   *lc;

	foreach(lc, d->to->enums)
	{
		SchemaEnum *eb = lfirst(lc);
		SchemaEnum *ea = find(d->from->enums, eb->name);
		ListCell   *ll;
		char	   *previous = NULL;

		if (ea == NULL)
		{
			statement(d, "CREATE TYPE %s AS ENUM (%s)", q(eb->name), labels_list(eb->labels));
			change(d, psprintf("add enum type %s", eb->name));
			continue;
		}
		if (!labels_subsequence(ea->labels, eb->labels))
		{
			todo(d, psprintf("enum type %s goes from (%s) to (%s): ALTER TYPE cannot remove or reorder values; create a new type, move the columns to it with USING, and drop the old one",
							 eb->name, labels_list(ea->labels), labels_list(eb->labels)),
				 NULL);
			change(d, psprintf("change the values of enum type %s", eb->name));
			continue;
		}
		foreach(ll, eb->labels)
		{
			char	   *label = lfirst(ll);

			if (!has_name(ea->labels, label))
			{
				if (previous != NULL)
					statement(d, "ALTER TYPE %s ADD VALUE %s AFTER %s", q(eb->name),
							  literal(label), literal(previous));
				else if (ea->labels != NIL)
					statement(d, "ALTER TYPE %s ADD VALUE %s BEFORE %s", q(eb->name),
							  literal(label), literal(linitial(ea->labels)));
				else
					statement(d, "ALTER TYPE %s ADD VALUE %s", q(eb->name), literal(label));
				change(d, psprintf("add value %s to enum type %s", label, eb->name));
			}
			previous = label;
		}
	}
}

static void
create_sequences(Diff *d)
{
	ListCell   *lc;

	foreach(lc, d->to->sequences)
	{
		SchemaSequence *sb = lfirst(lc);
		SchemaSequence *sa = find(d->from->sequences, sb->name);

		if (sa == NULL)
		{
			statement(d, "CREATE SEQUENCE %s %s", q(sb->name), sb->options);
			change(d, psprintf("add sequence %s", sb->name));
		}
		else if (!same(sa->options, sb->options))
		{
			if (sb->minvalue > sa->minvalue || sb->maxvalue < sa->maxvalue ||
				(sb->increment > 0) != (sa->increment > 0))
				todo(d, psprintf("sequence %s gets the bounds " INT64_FORMAT " to " INT64_FORMAT " and the increment " INT64_FORMAT ": the ALTER SEQUENCE fails unless its current value lies within them; add RESTART WITH a value within them if it may not",
								 sb->name, sb->minvalue, sb->maxvalue, sb->increment),
					 NULL);
			statement(d, "ALTER SEQUENCE %s %s", q(sb->name), sb->options);
			change(d, psprintf("change sequence %s", sb->name));
		}
	}
}

/*
 * 5. Tables that go, in one statement (foreign keys between them do not
 * matter then), and tables that come, without their foreign keys.
 */
static void
drop_and_create_tables(Diff *d)
{
	StringInfoData names;
	ListCell   *lc;

	initStringInfo(&names);
	foreach(lc, d->from->tables)
	{
		SchemaTable *a = lfirst(lc);

		if (find(d->to->tables, a->name) != NULL)
			continue;
		appendStringInfo(&names, "%s%s", names.len > 0 ? ", " : "", q(a->name));
		change(d, psprintf("drop table %s", a->name));
	}
	if (names.len > 0)
	{
		remark(d, psprintf("data loss: %s and %s data are dropped", names.data,
						   strchr(names.data, ',') ? "their" : "its"));
		statement(d, "DROP TABLE %s", names.data);
	}

	foreach(lc, d->to->tables)
	{
		SchemaTable *b = lfirst(lc);
		StringInfoData buf;
		ListCell   *lcol;
		ListCell   *lk;
		bool		first = true;

		if (find(d->from->tables, b->name) != NULL)
			continue;
		change(d, psprintf("add table %s", b->name));
		initStringInfo(&buf);
		foreach(lcol, b->columns)
		{
			appendStringInfo(&buf, "%s\n    %s", first ? "" : ",",
							 column_definition(lfirst(lcol)));
			first = false;
		}
		foreach(lk, b->constraints)
		{
			SchemaConstraint *kb = lfirst(lk);

			if (kb->type == 'f')
				continue;
			appendStringInfo(&buf, "%s\n    CONSTRAINT %s %s", first ? "" : ",",
							 q(kb->name), kb->definition);
			first = false;
		}
		statement(d, "CREATE TABLE %s (%s\n)", q(b->name), buf.data);
	}
}

/*
 * Identity columns that stop being identity columns lose it before any
 * sequence is created, so that the name of their sequence is free; those
 * that become identity columns get it after the sequences that go are
 * dropped, for the same reason.
 */
static void
drop_identities(Diff *d)
{
	ListCell   *lc;

	foreach(lc, d->from->tables)
	{
		SchemaTable *a = lfirst(lc);
		SchemaTable *b = find(d->to->tables, a->name);
		ListCell   *lcol;

		if (b == NULL)
			continue;
		foreach(lcol, a->columns)
		{
			SchemaColumn *ca = lfirst(lcol);
			SchemaColumn *cb = find(b->columns, ca->name);

			if (cb != NULL && ca->identity != '\0' && cb->identity == '\0' &&
				!column_recreated(a, b, ca, cb))
				statement(d, "ALTER TABLE %s ALTER COLUMN %s DROP IDENTITY",
						  q(a->name), q(ca->name));
		}
	}
}

static void
add_identities(Diff *d, SchemaTable *a, SchemaTable *b)
{
	ListCell   *lc;

	foreach(lc, b->columns)
	{
		SchemaColumn *cb = lfirst(lc);
		SchemaColumn *ca = find(a->columns, cb->name);
		const char *kind = cb->identity == 'a' ? "ALWAYS" : "BY DEFAULT";

		if (ca == NULL || cb->identity == '\0' || ca->identity == cb->identity ||
			column_recreated(a, b, ca, cb))
			continue;
		if (ca->identity == '\0')
			statement(d, "ALTER TABLE %s ALTER COLUMN %s ADD GENERATED %s AS IDENTITY",
					  q(b->name), q(cb->name), kind);
		else
			statement(d, "ALTER TABLE %s ALTER COLUMN %s SET GENERATED %s",
					  q(b->name), q(cb->name), kind);
	}
}

/*
 * 6. The columns of one table in both: generated columns that are dropped
 * or recreated, or lose their generation, go first (they read the others);
 * then the columns that go; then the changes; then the columns that come,
 * recreated ones included, so that they read their columns as they end up.
 */
static void
alter_columns(Diff *d, SchemaTable *a, SchemaTable *b, bool identities)
{
	const char *t = q(a->name);
	ListCell   *lc;

	if (identities)
	{
		add_identities(d, a, b);
		return;
	}
	foreach(lc, a->columns)
	{
		SchemaColumn *ca = lfirst(lc);
		SchemaColumn *cb = find(b->columns, ca->name);

		if (cb != NULL && column_recreated(a, b, ca, cb))
		{
			remark(d, psprintf(ca->generated ?
							   "column %s.%s becomes a different generated column: it is dropped and added again" :
							   "data loss: column %s.%s becomes a generated column: it is dropped and added again",
							   a->name, cb->name));
			statement(d, "ALTER TABLE %s DROP COLUMN %s", t, q(ca->name));
		}
		else if (cb != NULL && ca->generated && !cb->generated)
			statement(d, "ALTER TABLE %s ALTER COLUMN %s DROP EXPRESSION", t, q(ca->name));
	}
	for (int pass = 0; pass < 2; pass++)
	{
		foreach(lc, a->columns)
		{
			SchemaColumn *ca = lfirst(lc);

			if (find(b->columns, ca->name) != NULL || ca->generated != (pass == 0))
				continue;
			remark(d, psprintf("data loss: column %s.%s is dropped; if it was renamed, write ALTER TABLE %s RENAME COLUMN instead",
							   a->name, ca->name, t));
			statement(d, "ALTER TABLE %s DROP COLUMN %s", t, q(ca->name));
			change(d, psprintf("drop column %s.%s", a->name, ca->name));
		}
	}
	foreach(lc, b->columns)
	{
		SchemaColumn *cb = lfirst(lc);
		SchemaColumn *ca = find(a->columns, cb->name);
		const char *c = q(cb->name);
		bool		default_dropped = false;
		List	   *what = NIL;

		if (ca == NULL || column_recreated(a, b, ca, cb))
			continue;
		if (ca->generated && !cb->generated)
			what = lappend(what, "generated");
		if (ca->identity != cb->identity)
			what = lappend(what, "identity");
		if (!cb->generated && !default_same(ca, cb) &&
			ca->expr != NULL && !ca->generated && column_retyped(ca, cb))
		{
			statement(d, "ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT", t, c);
			default_dropped = true;
		}
		if (column_retyped(ca, cb))
		{
			char	   *retype = psprintf("ALTER TABLE %s ALTER COLUMN %s TYPE %s%s%s",
										  t, c, cb->type,
										  cb->collation ? " COLLATE " : "",
										  cb->collation ? cb->collation : "");

			if (d->castable(ca, cb))
				statement(d, "%s", retype);
			else
				todo(d, psprintf("column %s.%s changes from %s to %s, which has no assignment cast: write the USING expression",
								 b->name, cb->name, ca->type, cb->type),
					 psprintf("%s USING %s::%s", retype, c, cb->type));
			what = lappend(what, "type");
		}
		if (!cb->generated && !default_same(ca, cb))
		{
			if (cb->expr != NULL)
				statement(d, "ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", t, c, cb->expr);
			else if (!default_dropped && !ca->generated)
				statement(d, "ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT", t, c);
			what = lappend(what, "default");
		}
		if (cb->notnull && !ca->notnull)
		{
			statement(d, "ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", t, c);
			what = lappend(what, "not null");
		}
		if (!cb->notnull && ca->notnull)
		{
			statement(d, "ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL", t, c);
			what = lappend(what, "null");
		}
		if (what != NIL)
		{
			StringInfoData words;
			ListCell   *lw;

			initStringInfo(&words);
			foreach(lw, what)
				appendStringInfo(&words, "%s%s", words.len > 0 ? ", " : "", (char *) lfirst(lw));
			change(d, psprintf("change column %s.%s (%s)", b->name, cb->name, words.data));
		}
	}
	foreach(lc, b->columns)
	{
		SchemaColumn *cb = lfirst(lc);
		SchemaColumn *ca = find(a->columns, cb->name);

		if (ca != NULL && !column_recreated(a, b, ca, cb))
			continue;
		statement(d, "ALTER TABLE %s ADD COLUMN %s", t, column_definition(cb));
		if (ca == NULL)
			change(d, psprintf("add column %s.%s", b->name, cb->name));
		else
			change(d, psprintf("change column %s.%s (generated)", b->name, cb->name));
	}
}

/* Whether column tb.cb gets a sequence it did not have as column ca */
static bool
column_gets_sequence(Diff *d, SchemaTable *tb, SchemaColumn *ca, SchemaColumn *cb)
{
	ListCell   *lc;

	if (cb->identity != '\0' && ca->identity == '\0')
		return true;
	foreach(lc, d->to->sequences)
	{
		SchemaSequence *sb = lfirst(lc);
		SchemaSequence *sa = find(d->from->sequences, sb->name);

		if (same(sb->owner_table, tb->name) && same(sb->owner_column, cb->name) &&
			(sa == NULL || !same(sequence_owner(sa), sequence_owner(sb))))
			return true;
	}
	return false;
}

/*
 * A column of a table in both that gets a new sequence (serial to identity,
 * identity to serial) would number from the start again: its sequence
 * continues after the rows already there.
 */
static void
restart_sequences(Diff *d)
{
	ListCell   *lc;

	foreach(lc, d->to->tables)
	{
		SchemaTable *b = lfirst(lc);
		SchemaTable *a = find(d->from->tables, b->name);
		ListCell   *lcol;

		if (a == NULL)
			continue;
		foreach(lcol, b->columns)
		{
			SchemaColumn *cb = lfirst(lcol);
			SchemaColumn *ca = find(a->columns, cb->name);

			if (ca == NULL || !column_gets_sequence(d, b, ca, cb))
				continue;
			statement(d, "SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence(%s, %s), pg_catalog.max(%s)) FROM %s HAVING pg_catalog.max(%s) IS NOT NULL",
					  quote_literal_cstr(q(b->name)), quote_literal_cstr(cb->name),
					  q(cb->name), q(b->name), q(cb->name));
		}
	}
}

/*
 * An enum value added by this script cannot be used before the
 * transaction that added it commits (55P04): when the script uses it too,
 * say so.
 */
static void
check_added_values(Diff *d)
{
	ListCell   *lc;

	foreach(lc, d->to->enums)
	{
		SchemaEnum *eb = lfirst(lc);
		SchemaEnum *ea = find(d->from->enums, eb->name);
		ListCell   *ll;

		if (ea == NULL || !labels_subsequence(ea->labels, eb->labels))
			continue;
		foreach(ll, eb->labels)
		{
			char	   *label = lfirst(ll);

			if (has_name(ea->labels, label) ||
				strstr(d->sql.data, psprintf("%s::%s", quote_literal_cstr(label),
											 q(eb->name))) == NULL)
				continue;
			todo(d, psprintf("enum type %s gains value %s, which this script also uses: a value added by ALTER TYPE cannot be used in the transaction that adds it; move the ALTER TYPE into a migration of its own and apply the two with upgrade_each()",
							 eb->name, quote_literal_cstr(label)),
				 NULL);
		}
	}
}

/*
 * The constraints that come, foreign keys or the others; those of a new
 * table but its foreign keys are in its CREATE TABLE.
 */
static void
add_constraints(Diff *d, bool foreign_keys)
{
	ListCell   *lc;

	foreach(lc, d->to->tables)
	{
		SchemaTable *b = lfirst(lc);
		SchemaTable *a = find(d->from->tables, b->name);
		ListCell   *lx;

		foreach(lx, b->constraints)
		{
			SchemaConstraint *kb = lfirst(lx);
			SchemaConstraint *ka = a ? find(a->constraints, kb->name) : NULL;

			if ((kb->type == 'f') != foreign_keys || (a == NULL && !foreign_keys) ||
				!constraint_comes(d, b, kb))
				continue;
			statement(d, "ALTER TABLE %s ADD CONSTRAINT %s %s", q(b->name),
					  q(kb->name), kb->definition);
			if (ka == NULL && a != NULL)
				change(d, psprintf("add constraint %s on %s", kb->name, b->name));
			else if (ka != NULL && !constraint_same(ka, kb))
				change(d, psprintf("change constraint %s on %s", kb->name, b->name));
		}
	}
}

/*
 * 7. Owners of sequences, then constraints, indexes and foreign keys that
 * come.
 */
static void
add_constraints_and_indexes(Diff *d)
{
	ListCell   *lc;

	foreach(lc, d->to->sequences)
	{
		SchemaSequence *sb = lfirst(lc);
		SchemaSequence *sa = find(d->from->sequences, sb->name);

		if (sb->owner_table != NULL &&
			(sa == NULL || !same(sequence_owner(sa), sequence_owner(sb))))
			statement(d, "ALTER SEQUENCE %s OWNED BY %s", q(sb->name), sequence_owner(sb));
	}
	restart_sequences(d);
	add_constraints(d, false);
	foreach(lc, d->to->tables)
	{
		SchemaTable *b = lfirst(lc);
		SchemaTable *a = find(d->from->tables, b->name);
		ListCell   *lx;

		foreach(lx, b->indexes)
		{
			SchemaIndex *ib = lfirst(lx);

			if (!index_comes(d, b, ib))
				continue;
			statement(d, "%s", ib->definition);
			if (a == NULL || find(a->indexes, ib->name) == NULL)
				change(d, psprintf("add index %s", ib->name));
			else if (!has_name(d->rebuilt, b->name))
				change(d, psprintf("change index %s", ib->name));
		}
	}
	add_constraints(d, true);
}

/*
 * Sequences that go, once no default uses them: those owned by a column or
 * table that was dropped went with it.
 */
static void
drop_sequences(Diff *d)
{
	ListCell   *lc;

	foreach(lc, d->from->sequences)
	{
		SchemaSequence *sa = lfirst(lc);

		if (find(d->to->sequences, sa->name) != NULL)
			continue;
		change(d, psprintf("drop sequence %s", sa->name));
		if (!sequence_dropped_with_owner(d, sa))
			statement(d, "DROP SEQUENCE %s", q(sa->name));
	}
}

/* CREATE [OR REPLACE] VIEW for a view, without the semicolon */
static char *
view_sql(SchemaView *v, bool replace)
{
	char	   *def = pstrdup(v->definition);
	int			len = strlen(def);

	while (len > 0 && (def[len - 1] == ';' || def[len - 1] == ' ' ||
					   def[len - 1] == '\n'))
		def[--len] = '\0';
	return psprintf("CREATE %sVIEW %s%s%s%s AS\n%s%s%s%s",
					replace ? "OR REPLACE " : "", q(v->name),
					v->options ? " WITH (" : "", v->options ? v->options : "",
					v->options ? ")" : "", def,
					v->check_option ? "\n  WITH " : "",
					v->check_option ? v->check_option : "",
					v->check_option ? " CHECK OPTION" : "");
}

static void
create_view(Diff *d, SchemaView *vb)
{
	SchemaView *va = find(d->from->views, vb->name);

	if (va != NULL && va->acl != NULL)
		todo(d, psprintf("view %s is created again and loses the privileges granted on it (%s): grant them again",
						 vb->name, va->acl), NULL);
	statement(d, "%s", view_sql(vb, false));
	if (va == NULL)
		change(d, psprintf("add view %s", vb->name));
	else if (!view_same(va, vb))
		change(d, psprintf("change view %s", vb->name));
}

/*
 * 8. Enum types that go, after the columns that used them; then the
 * views, each after the views it reads.
 */
static void
drop_types_and_create_views(Diff *d)
{
	List	   *created = NIL;
	List	   *pending = NIL;
	ListCell   *lc;

	foreach(lc, d->from->enums)
	{
		SchemaEnum *ea = lfirst(lc);

		if (find(d->to->enums, ea->name) != NULL)
			continue;
		statement(d, "DROP TYPE %s", q(ea->name));
		change(d, psprintf("drop enum type %s", ea->name));
	}

	foreach(lc, d->to->views)
	{
		SchemaView *vb = lfirst(lc);
		SchemaView *va = find(d->from->views, vb->name);

		if (va == NULL || list_member_ptr(d->drop_views, va))
			pending = lappend(pending, vb);
	}
	/* each pass creates the views whose views are there; a cycle cannot be */
	while (list_length(created) < list_length(pending))
	{
		bool		stuck = true;

		for (int pass = 0; pass < 2 && stuck; pass++)
		{
			foreach(lc, pending)
			{
				SchemaView *vb = lfirst(lc);
				ListCell   *lu;
				bool		ready = true;

				if (list_member_ptr(created, vb))
					continue;
				foreach(lu, vb->uses)
				{
					SchemaView *used = find(pending, lfirst(lu));

					if (used != NULL && used != vb && !list_member_ptr(created, used))
						ready = false;
				}
				if (!ready && pass == 0)
					continue;
				create_view(d, vb);
				created = lappend(created, vb);
				stuck = false;
			}
		}
	}
}

/*
 * 9. COMMENT ON, where the comment an object will have after the
 * statements above differs from the one it should have.
 */
static void
comment_on(Diff *d, const char *kind, const char *name, const char *now,
		   const char *wanted)
{
	if (same(now, wanted))
		return;
	statement(d, "COMMENT ON %s %s IS %s", kind, name,
			  wanted ? literal(wanted) : "NULL");
	{
		char	   *word = pstrdup(kind);

		for (char *c = word; *c; c++)
			*c = pg_tolower((unsigned char) *c);
		change(d, psprintf("change comment on %s %s", word, name));
	}
}

static void
write_comments(Diff *d)
{
	ListCell   *lc;

	foreach(lc, d->to->enums)
	{
		SchemaEnum *eb = lfirst(lc);
		SchemaEnum *ea = find(d->from->enums, eb->name);

		comment_on(d, "TYPE", q(eb->name), ea ? ea->comment : NULL, eb->comment);
	}
	foreach(lc, d->to->sequences)
	{
		SchemaSequence *sb = lfirst(lc);
		SchemaSequence *sa = find(d->from->sequences, sb->name);

		comment_on(d, "SEQUENCE", q(sb->name), sa ? sa->comment : NULL, sb->comment);
	}
	foreach(lc, d->to->tables)
	{
		SchemaTable *b = lfirst(lc);
		SchemaTable *a = find(d->from->tables, b->name);
		ListCell   *lx;

		comment_on(d, "TABLE", q(b->name), a ? a->comment : NULL, b->comment);
		foreach(lx, b->columns)
		{
			SchemaColumn *cb = lfirst(lx);
			SchemaColumn *ca = a ? find(a->columns, cb->name) : NULL;

			if (ca != NULL && column_recreated(a, b, ca, cb))
				ca = NULL;
			comment_on(d, "COLUMN", psprintf("%s.%s", q(b->name), q(cb->name)),
					   ca ? ca->comment : NULL, cb->comment);
		}
		foreach(lx, b->indexes)
		{
			SchemaIndex *ib = lfirst(lx);
			SchemaIndex *ia = a ? find(a->indexes, ib->name) : NULL;

			if (ia != NULL && index_goes(d, a, ia))
				ia = NULL;
			comment_on(d, "INDEX", q(ib->name), ia ? ia->comment : NULL, ib->comment);
		}
	}
	foreach(lc, d->to->views)
	{
		SchemaView *vb = lfirst(lc);
		SchemaView *va = find(d->from->views, vb->name);

		ListCell   *lx;

		if (va != NULL && list_member_ptr(d->drop_views, va))
			va = NULL;
		comment_on(d, "VIEW", q(vb->name), va ? va->comment : NULL, vb->comment);
		foreach(lx, vb->columns)
		{
			SchemaColumn *cb = lfirst(lx);
			SchemaColumn *ca = va ? find(va->columns, cb->name) : NULL;

			comment_on(d, "COLUMN", psprintf("%s.%s", q(vb->name), q(cb->name)),
					   ca ? ca->comment : NULL, cb->comment);
		}
	}
}

/*
 * The DDL that turns schema "from" into schema "to".  castable says whether
 * ALTER COLUMN ... TYPE can convert a column without a USING clause.
 */
SchemaScript *
schemadiff_script(SchemaDesc *from, SchemaDesc *to, SchemaCastable castable)
{
	Diff		d = {0};
	SchemaScript *script = palloc0(sizeof(SchemaScript));
	ListCell   *lc;

	d.from = from;
	d.to = to;
	d.castable = castable;
	initStringInfo(&d.sql);

	find_rebuilt_tables(&d);
	drop_views(&d);
	release_sequences(&d);
	drop_constraints_and_indexes(&d);
	create_enums(&d);
	drop_identities(&d);
	create_sequences(&d);
	drop_and_create_tables(&d);
	for (int pass = 0; pass < 2; pass++)
	{
		if (pass == 1)
			drop_sequences(&d);
		foreach(lc, from->tables)
		{
			SchemaTable *a = lfirst(lc);
			SchemaTable *b = find(to->tables, a->name);

			if (b != NULL)
				alter_columns(&d, a, b, pass == 1);
		}
	}
	add_constraints_and_indexes(&d);
	drop_types_and_create_views(&d);
	write_comments(&d);
	check_added_values(&d);

	script->sql = d.sql.data;
	script->changes = d.changes;
	script->todos = d.todos;
	return script;
}

/*
 * The statements that re-create, in the scratch schema, each definition of
 * the model that reads differently from the same object of the live
 * schema: CHECK and EXCLUDE constraints, defaults, generation expressions
 * (in a copy of their table), indexes and views (see schemadesc.h).  Run
 * with the scratch schema first in search_path.
 */
List *
schemadiff_recreate_sql(SchemaDesc *live, SchemaDesc *model)
{
	List	   *result = NIL;
	ListCell   *lc;
	int			copies = 0;

	foreach(lc, model->tables)
	{
		SchemaTable *b = lfirst(lc);
		SchemaTable *a = find(live->tables, b->name);
		ListCell   *lx;

		if (a == NULL)
			continue;
		foreach(lx, b->constraints)
		{
			SchemaConstraint *kb = lfirst(lx);
			SchemaConstraint *ka = find(a->constraints, kb->name);

			if (ka != NULL && (kb->type == 'c' || kb->type == 'x') &&
				ka->type == kb->type && !same(ka->definition, kb->definition))
				result = lappend(result,
								 psprintf("ALTER TABLE %s DROP CONSTRAINT %s, ADD CONSTRAINT %s %s",
										  q(b->name), q(kb->name), q(kb->name), kb->definition));
		}
		foreach(lx, b->columns)
		{
			SchemaColumn *cb = lfirst(lx);
			SchemaColumn *ca = find(a->columns, cb->name);

			if (ca != NULL && !ca->generated && !cb->generated && cb->expr != NULL &&
				!same(ca->expr, cb->expr))
				result = lappend(result,
								 psprintf("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s",
										  q(b->name), q(cb->name), cb->expr));

			/*
			 * A generation expression cannot be altered: it is re-created in
			 * a copy of the table, named RECREATED_COPY<n>, whose comment
			 * names the table.
			 */
			if (ca != NULL && ca->generated && cb->generated && !same(ca->expr, cb->expr))
			{
				char	   *copy = psprintf("%s%d", RECREATED_COPY, ++copies);

				result = lappend(result, psprintf("CREATE TABLE %s (LIKE %s)", copy, q(b->name)));
				result = lappend(result,
								 psprintf("ALTER TABLE %s DROP COLUMN %s, ADD COLUMN %s %s GENERATED ALWAYS AS (%s) STORED",
										  copy, q(cb->name), q(cb->name), cb->type, cb->expr));
				result = lappend(result, psprintf("COMMENT ON TABLE %s IS %s", copy,
												  literal(b->name)));
			}
		}
		foreach(lx, b->indexes)
		{
			SchemaIndex *ib = lfirst(lx);
			SchemaIndex *ia = find(a->indexes, ib->name);

			if (ia != NULL && !same(ia->definition, ib->definition))
			{
				result = lappend(result, psprintf("DROP INDEX %s", q(ib->name)));
				result = lappend(result, ib->definition);
			}
		}
	}
	foreach(lc, model->views)
	{
		SchemaView *vb = lfirst(lc);
		SchemaView *va = find(live->views, vb->name);

		if (va != NULL && !same(va->definition, vb->definition))
			result = lappend(result, view_sql(vb, true));
	}
	return result;
}

/*
 * Note in "model" how its definitions read once re-created, as read from
 * the scratch schema into "recreated" after schemadiff_recreate_sql().
 */
void
schemadiff_adopt_canonical(SchemaDesc *model, SchemaDesc *recreated)
{
	ListCell   *lc;

	foreach(lc, model->tables)
	{
		SchemaTable *b = lfirst(lc);
		SchemaTable *r = find(recreated->tables, b->name);
		ListCell   *lx;

		if (r == NULL)
			continue;
		foreach(lx, b->constraints)
		{
			SchemaConstraint *kb = lfirst(lx);
			SchemaConstraint *kr = find(r->constraints, kb->name);

			if (kr != NULL && !same(kb->definition, kr->definition))
				kb->canonical = kr->definition;
		}
		foreach(lx, b->columns)
		{
			SchemaColumn *cb = lfirst(lx);
			SchemaColumn *cr = find(r->columns, cb->name);

			if (cr != NULL && !cb->generated && !same(cb->expr, cr->expr))
				cb->canonical_expr = cr->expr;
		}
		foreach(lx, b->indexes)
		{
			SchemaIndex *ib = lfirst(lx);
			SchemaIndex *ir = find(r->indexes, ib->name);

			if (ir != NULL && !same(ib->definition, ir->definition))
				ib->canonical = ir->definition;
		}
	}
	foreach(lc, model->views)
	{
		SchemaView *vb = lfirst(lc);
		SchemaView *vr = find(recreated->views, vb->name);

		if (vr != NULL && !same(vb->definition, vr->definition))
			vb->canonical = vr->definition;
	}
	foreach(lc, recreated->tables)
	{
		SchemaTable *copy = lfirst(lc);
		SchemaTable *b;
		ListCell   *lx;

		if (strncmp(copy->name, RECREATED_COPY, strlen(RECREATED_COPY)) != 0 ||
			copy->comment == NULL || (b = find(model->tables, copy->comment)) == NULL)
			continue;
		foreach(lx, copy->columns)
		{
			SchemaColumn *cr = lfirst(lx);
			SchemaColumn *cb = find(b->columns, cr->name);

			if (cr->generated && cb != NULL && cb->generated && !same(cb->expr, cr->expr))
				cb->canonical_expr = cr->expr;
		}
	}
}
