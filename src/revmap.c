/*-------------------------------------------------------------------------
 *
 * revmap.c
 *	  Build the revision graph from parsed files and check it (SPEC §3):
 *	  duplicate ids, unknown parents and dependencies, cycles, branch labels
 *	  used twice or equal to a revision id.
 *
 * Everything is linear in the number of revisions (hash lookups, one
 * topological sort with a heap), with no SPI and no catalog access.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/binaryheap.h"
#include "lib/stringinfo.h"
#include "common/hashfn.h"
#include "miscadmin.h"

#include "revmap.h"

/*
 * An entry of the tables by id and by label: the key is a pointer to the
 * name inside its Revision, not a copy (SPEC §11 bounds memory by the
 * input).
 */
typedef struct RevmapEntry
{
	const char *key;
	Revision   *rev;
} RevmapEntry;

static uint32 name_hash(const void *key, Size keysize);
static int	name_match(const void *key1, const void *key2, Size keysize);

static HTAB *create_name_table(const char *name, int size);
static List *exact_list(int n);
static Revision *resolve_edge(RevisionMap *map, Revision *rev, const char *name,
							  bool is_parent);
static void link_revisions(RevisionMap *map, List *revisions);
static void sort_topologically(RevisionMap *map, List *revisions);
static void report_cycle(List *revisions);
static int	compare_order(Datum a, Datum b, void *arg);
static void mark_reachable(Revision *from, bool *mask, bool up,
						   bool with_dependencies);

static uint32
name_hash(const void *key, Size keysize)
{
	const char *name = *(const char *const *) key;

	return hash_bytes((const unsigned char *) name, (int) strlen(name));
}

static int
name_match(const void *key1, const void *key2, Size keysize)
{
	return strcmp(*(const char *const *) key1, *(const char *const *) key2);
}

static HTAB *
create_name_table(const char *name, int size)
{
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(const char *);
	ctl.entrysize = sizeof(RevmapEntry);
	ctl.hash = name_hash;
	ctl.match = name_match;
	ctl.hcxt = CurrentMemoryContext;
	return hash_create(name, Max(size, 16), &ctl,
					   HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
}

/*
 * Build and check the graph of a list of parsed revisions.  Any problem of
 * SPEC §3 is an ERROR naming the files involved.
 */
RevisionMap *
revmap_build(List *revisions)
{
	RevisionMap *map = palloc0(sizeof(RevisionMap));
	ListCell   *lc;

	map->nrevisions = list_length(revisions);
	map->by_id = create_name_table("fleetmig revisions", map->nrevisions);
	map->by_label = create_name_table("fleetmig branch labels", 16);

	foreach(lc, revisions)
	{
		Revision   *rev = lfirst(lc);
		bool		found;
		RevmapEntry *e = hash_search(map->by_id, &rev->id, HASH_ENTER, &found);

		if (found)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("revision \"%s\" is defined twice", rev->id),
					 errdetail("File \"%s\", line %d. It is also defined in file \"%s\", line %d.",
							   rev->filename, rev->revision_line,
							   e->rev->filename, e->rev->revision_line)));
		e->rev = rev;
	}

	foreach(lc, revisions)
	{
		Revision   *rev = lfirst(lc);
		ListCell   *lc2;

		foreach(lc2, rev->branch_labels)
		{
			char	   *label = lfirst(lc2);
			Revision   *other = revmap_get(map, label);
			bool		found;
			RevmapEntry *e;

			if (other != NULL)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_OBJECT),
						 errmsg("branch label \"%s\" of revision \"%s\" is also a revision id",
								label, rev->id),
						 errdetail("File \"%s\", line %d. Revision \"%s\" is defined in file \"%s\", line %d.",
								   rev->filename, rev->branch_labels_line,
								   label, other->filename, other->revision_line)));
			e = hash_search(map->by_label, &lfirst(lc2), HASH_ENTER, &found);
			if (found)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_OBJECT),
						 errmsg("branch label \"%s\" is used by revisions \"%s\" and \"%s\"",
								label, e->rev->id, rev->id),
						 errdetail("File \"%s\", line %d. It is also declared in file \"%s\", line %d.",
								   rev->filename, rev->branch_labels_line,
								   e->rev->filename, e->rev->branch_labels_line)));
			e->rev = rev;
		}
	}

	link_revisions(map, revisions);
	sort_topologically(map, revisions);
	return map;
}

/*
 * An empty list with room for exactly n cells, for lappend() to fill: a
 * list that lappend() starts holds five, which for the one parent and one
 * child most revisions have would be most of what a revision costs (SPEC
 * §11).  list.c makes lists of exactly their length itself when built with
 * DEBUG_LIST_MEMORY_USAGE, so every list operation works on these.  NIL
 * for none: a list is never left empty.
 */
static List *
exact_list(int n)
{
	List	   *list;

	if (n == 0)
		return NIL;
	list = palloc(offsetof(List, initial_elements) + n * sizeof(ListCell));
	list->type = T_List;
	list->length = 0;
	list->max_length = n;
	list->elements = list->initial_elements;
	return list;
}

/*
 * The revision a down_revision or depends_on entry names.
 */
static Revision *
resolve_edge(RevisionMap *map, Revision *rev, const char *name, bool is_parent)
{
	Revision   *target = revmap_get(map, name);

	if (target == NULL && !is_parent)
		target = revmap_get_label(map, name);
	if (target == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("revision \"%s\" referenced from revision \"%s\" is not present",
						name, rev->id),
				 errdetail("File \"%s\", line %d.", rev->filename,
						   is_parent ? rev->down_revision_line : rev->depends_on_line),
				 is_parent ? errhint("No migration file defines it as its revision.") :
				 errhint("A depends_on entry names a revision id or a branch label.")));
	return target;
}

/*
 * Resolve down_revision and depends_on into graph edges: a first pass
 * counts the children and dependents of each revision, so that every edge
 * list is allocated at its length.
 */
static void
link_revisions(RevisionMap *map, List *revisions)
{
	int			n = list_length(revisions);
	int		   *nchildren = palloc0(Max(n, 1) * sizeof(int));
	int		   *ndependents = palloc0(Max(n, 1) * sizeof(int));
	ListCell   *lc;

	/* borrow order as the index into the counts until it is assigned */
	foreach(lc, revisions)
		((Revision *) lfirst(lc))->order = foreach_current_index(lc);
	foreach(lc, revisions)
	{
		Revision   *rev = lfirst(lc);
		ListCell   *lc2;

		CHECK_FOR_INTERRUPTS();
		foreach(lc2, rev->down_revisions)
			nchildren[resolve_edge(map, rev, lfirst(lc2), true)->order]++;
		foreach(lc2, rev->depends_on)
			ndependents[resolve_edge(map, rev, lfirst(lc2), false)->order]++;
	}
	foreach(lc, revisions)
	{
		Revision   *rev = lfirst(lc);
		int			i = foreach_current_index(lc);

		rev->parents = exact_list(list_length(rev->down_revisions));
		rev->dependencies = exact_list(list_length(rev->depends_on));
		rev->children = exact_list(nchildren[i]);
		rev->dependents = exact_list(ndependents[i]);
	}

	foreach(lc, revisions)
	{
		Revision   *rev = lfirst(lc);
		ListCell   *lc2;

		CHECK_FOR_INTERRUPTS();
		foreach(lc2, rev->down_revisions)
		{
			Revision   *parent = resolve_edge(map, rev, lfirst(lc2), true);

			rev->parents = lappend(rev->parents, parent);
			parent->children = lappend(parent->children, rev);
		}
		foreach(lc2, rev->depends_on)
		{
			Revision   *dep = resolve_edge(map, rev, lfirst(lc2), false);

			rev->dependencies = lappend(rev->dependencies, dep);
			dep->dependents = lappend(dep->dependents, rev);
		}
	}
	pfree(nchildren);
	pfree(ndependents);

	foreach(lc, revisions)
	{
		Revision   *rev = lfirst(lc);

		if (rev->parents == NIL)
			map->bases = lappend(map->bases, rev);
	}
}

/*
 * Order used wherever independent revisions need one: created (absent
 * first), then revision id.  Negated for PostgreSQL's max-heap.
 */
static int
compare_order(Datum a, Datum b, void *arg)
{
	Revision   *ra = (Revision *) DatumGetPointer(a);
	Revision   *rb = (Revision *) DatumGetPointer(b);
	int			c;

	if (ra->created == NULL || rb->created == NULL)
		c = (ra->created != NULL) - (rb->created != NULL);
	else
		c = strcmp(ra->created, rb->created);
	if (c == 0)
		c = strcmp(ra->id, rb->id);
	return -c;
}

/*
 * Kahn's algorithm over parent and dependency edges, always taking the
 * oldest ready revision; sets Revision.order and map->revisions, and the
 * head lists in that order.  A revision left over lies on a cycle.
 */
static void
sort_topologically(RevisionMap *map, List *revisions)
{
	int			n = map->nrevisions;
	int		   *indegree = palloc0(Max(n, 1) * sizeof(int));
	binaryheap *heap = binaryheap_allocate(Max(n, 1), compare_order, NULL);
	int			done = 0;
	ListCell   *lc;
	int			i = 0;

	map->revisions = palloc0(Max(n, 1) * sizeof(Revision *));
	foreach(lc, revisions)
	{
		Revision   *rev = lfirst(lc);

		indegree[i] = list_length(rev->parents) + list_length(rev->dependencies);
		/* borrow order as the index into indegree until it is assigned */
		rev->order = -(i + 2);
		if (indegree[i] == 0)
			binaryheap_add_unordered(heap, PointerGetDatum(rev));
		i++;
	}
	binaryheap_build(heap);

	while (!binaryheap_empty(heap))
	{
		Revision   *rev = (Revision *) DatumGetPointer(binaryheap_remove_first(heap));
		List	   *next[2];

		CHECK_FOR_INTERRUPTS();
		rev->order = done;
		map->revisions[done++] = rev;
		if (rev->children == NIL)
		{
			map->heads = lappend(map->heads, rev);
			if (rev->dependents == NIL)
				map->real_heads = lappend(map->real_heads, rev);
		}

		next[0] = rev->children;
		next[1] = rev->dependents;
		for (int k = 0; k < 2; k++)
		{
			ListCell   *lc2;

			foreach(lc2, next[k])
			{
				Revision   *c = lfirst(lc2);
				int			ci = -(c->order + 2);

				if (--indegree[ci] == 0)
					binaryheap_add(heap, PointerGetDatum(c));
			}
		}
	}

	if (done < n)
		report_cycle(revisions);
	binaryheap_free(heap);
	pfree(indegree);
}

/*
 * Find one cycle among the revisions the sort could not place and report it
 * with the file and line of each edge.
 */
static void
report_cycle(List *revisions)
{
	int		   *visited = palloc0(list_length(revisions) * sizeof(int));
	List	   *path = NIL;
	Revision   *rev = NULL;
	ListCell   *lc;
	StringInfoData ids;
	StringInfoData edges;
	int			first;

	foreach(lc, revisions)
	{
		rev = lfirst(lc);
		if (rev->order < 0)
			break;
	}

	/*
	 * Walk from an unplaced revision to an unplaced parent or dependency
	 * until one repeats; every unplaced revision has one.  An unplaced
	 * revision's order is -(index + 2); visited holds its position + 1.
	 */
	while (visited[-(rev->order + 2)] == 0)
	{
		Revision   *prev = NULL;
		List	   *edges_of[2] = {rev->parents, rev->dependencies};

		path = lappend(path, rev);
		visited[-(rev->order + 2)] = list_length(path);
		for (int k = 0; k < 2 && prev == NULL; k++)
		{
			foreach(lc, edges_of[k])
			{
				if (((Revision *) lfirst(lc))->order < 0)
				{
					prev = lfirst(lc);
					break;
				}
			}
		}
		Assert(prev != NULL);
		rev = prev;
	}
	first = visited[-(rev->order + 2)] - 1;

	initStringInfo(&ids);
	initStringInfo(&edges);
	for (int i = first; i < list_length(path); i++)
	{
		Revision   *child = list_nth(path, i);
		Revision   *parent = list_nth(path, i + 1 < list_length(path) ? i + 1 : first);
		bool		is_parent = list_member_ptr(child->parents, parent);

		appendStringInfo(&ids, "%s -> ", child->id);
		appendStringInfo(&edges, "%sFile \"%s\", line %d names \"%s\" in %s.",
						 i > first ? " " : "",
						 child->filename,
						 is_parent ? child->down_revision_line : child->depends_on_line,
						 parent->id,
						 is_parent ? "down_revision" : "depends_on");
	}
	appendStringInfoString(&ids, rev->id);

	ereport(ERROR,
			(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
			 errmsg("revisions form a cycle: %s", ids.data),
			 errdetail_internal("%s", edges.data)));
}

Revision *
revmap_get(RevisionMap *map, const char *id)
{
	RevmapEntry *e;

	e = hash_search(map->by_id, &id, HASH_FIND, NULL);
	return e ? e->rev : NULL;
}

Revision *
revmap_get_label(RevisionMap *map, const char *label)
{
	RevmapEntry *e;

	e = hash_search(map->by_label, &label, HASH_FIND, NULL);
	return e ? e->rev : NULL;
}

/*
 * Revisions whose id starts with prefix, in topological order; only those
 * marked in "within" when it is not NULL.
 */
List *
revmap_prefix_matches(RevisionMap *map, const char *prefix, const bool *within)
{
	List	   *result = NIL;
	size_t		len = strlen(prefix);

	for (int i = 0; i < map->nrevisions; i++)
	{
		Revision   *rev = map->revisions[i];

		if ((within == NULL || within[i]) && strncmp(rev->id, prefix, len) == 0)
			result = lappend(result, rev);
	}
	return result;
}

bool *
revmap_new_mask(RevisionMap *map)
{
	return palloc0(Max(map->nrevisions, 1) * sizeof(bool));
}

/*
 * Mark "from" and every revision reachable from it over two kinds of edge
 * (the second only when asked) in mask, indexed by Revision.order.  The
 * walk stops at revisions already marked.
 */
static void
mark_reachable(Revision *from, bool *mask, bool up, bool with_dependencies)
{
	List	   *stack = list_make1(from);

	mask[from->order] = true;
	while (stack != NIL)
	{
		Revision   *rev = llast(stack);
		List	   *edges[2];

		edges[0] = up ? rev->children : rev->parents;
		edges[1] = !with_dependencies ? NIL :
			up ? rev->dependents : rev->dependencies;
		stack = list_delete_last(stack);
		for (int k = 0; k < 2; k++)
		{
			ListCell   *lc;

			foreach(lc, edges[k])
			{
				Revision   *next = lfirst(lc);

				if (!mask[next->order])
				{
					mask[next->order] = true;
					stack = lappend(stack, next);
				}
			}
		}
	}
}

/*
 * Mark "from" and everything below it (parents, and dependencies when
 * asked) in mask.
 */
void
revmap_mark_ancestors(RevisionMap *map, Revision *from, bool *mask,
					  bool with_dependencies)
{
	mark_reachable(from, mask, false, with_dependencies);
}

/*
 * Mark "from" and everything above it (children, and dependents when
 * asked) in mask.
 */
void
revmap_mark_descendants(RevisionMap *map, Revision *from, bool *mask,
						bool with_dependencies)
{
	mark_reachable(from, mask, true, with_dependencies);
}

static int
compare_by_order(const ListCell *a, const ListCell *b)
{
	return ((Revision *) lfirst(a))->order - ((Revision *) lfirst(b))->order;
}

/*
 * A copy of a list of revisions in topological order.
 */
List *
revmap_sort(RevisionMap *map, List *revisions)
{
	List	   *result = list_copy(revisions);

	list_sort(result, compare_by_order);
	return result;
}

/*
 * The ids of a list of revisions.
 */
List *
revmap_ids(List *revisions)
{
	List	   *ids = NIL;
	ListCell   *lc;

	foreach(lc, revisions)
		ids = lappend(ids, ((Revision *) lfirst(lc))->id);
	return ids;
}

/*
 * "a, b, c": names joined for messages and headers.
 */
char *
revmap_join(List *names)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, names)
	{
		if (buf.len > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, lfirst(lc));
	}
	return buf.data;
}

/*
 * The ids of a list of revisions, joined.
 */
char *
revmap_id_list(List *revisions)
{
	return revmap_join(revmap_ids(revisions));
}
