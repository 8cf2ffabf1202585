/*-------------------------------------------------------------------------
 *
 * target.c
 *	  Resolve a target string against the revision graph and the current
 *	  heads (SPEC §4, with Alembic 1.8 as the reference where the spec
 *	  defers to it).
 *
 * Forms: head, heads, base, a full id, a unique prefix of at least four
 * characters, a branch label, label@head, label@base, label@<rev>, +N, -N,
 * label@+N, label@-N, <rev>+N and <rev>-N.  No SPI: the current heads are
 * passed in.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "target.h"

#define MIN_PREFIX_LEN 4

/* What a target is resolved against */
typedef struct TargetContext
{
	RevisionMap *map;
	const char *spec;			/* the whole target, for messages */
	const char *label;			/* label before '@', or NULL */
	bool	   *lineage;		/* the label's ancestors and descendants */
} TargetContext;

static Target *resolve_symbol(TargetContext *cx, const char *symbol);
static Target *resolve_relative(TargetContext *cx, const char *symbol,
								char sign, int steps, List *current,
								TargetDirection direction);
static Revision *walk(TargetContext *cx, Revision *from, char sign, int steps,
					  bool below_base_is_base);
static List *filter_lineage(TargetContext *cx, List *revisions);
static List *lineage_heads(TargetContext *cx, List *current);
static Target *make_target(List *revisions);
static Target *make_base(List *scope);
static bool parse_relative(const char *s, char **symbol, char *sign, int *steps);

static Target *
make_target(List *revisions)
{
	Target	   *t = palloc0(sizeof(Target));

	t->revisions = revisions;
	return t;
}

static Target *
make_base(List *scope)
{
	Target	   *t = palloc0(sizeof(Target));

	t->is_base = true;
	t->base_scope = scope;
	return t;
}

/*
 * The members of a list that lie in the label's lineage (all of them when
 * the target has no label).
 */
static List *
filter_lineage(TargetContext *cx, List *revisions)
{
	List	   *result = NIL;
	ListCell   *lc;

	if (cx->lineage == NULL)
		return revisions;
	foreach(lc, revisions)
	{
		Revision   *rev = lfirst(lc);

		if (cx->lineage[rev->order])
			result = lappend(result, rev);
	}
	return result;
}

/*
 * Where a label@+N or label@-N starts: the applied members of the lineage
 * that have no applied child in it.  The current heads themselves may lie
 * outside the lineage, e.g. on the trunk above the label's branch point.
 */
static List *
lineage_heads(TargetContext *cx, List *current)
{
	RevisionMap *map = cx->map;
	bool	   *applied = revmap_new_mask(map);
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, current)
		revmap_mark_ancestors(map, lfirst(lc), applied, true);
	for (int i = 0; i < map->nrevisions; i++)
	{
		Revision   *rev = map->revisions[i];
		bool		top = cx->lineage[i] && applied[i];

		foreach(lc, rev->children)
		{
			Revision   *c = lfirst(lc);

			if (top && cx->lineage[c->order] && applied[c->order])
				top = false;
		}
		if (top)
			result = lappend(result, rev);
	}
	return result;
}

/*
 * "[symbol](+|-)digits": split it, or return false for any other form.
 */
static bool
parse_relative(const char *s, char **symbol, char *sign, int *steps)
{
	const char *p = s;
	const char *digits;
	int64		n = 0;

	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		   (*p >= '0' && *p <= '9') || *p == '_')
		p++;
	if (*p != '+' && *p != '-')
		return false;
	digits = p + 1;
	if (*digits == '\0')
		return false;
	for (const char *d = digits; *d; d++)
	{
		if (*d < '0' || *d > '9')
			return false;
		if (n <= PG_INT32_MAX)
			n = n * 10 + (*d - '0');
	}
	*symbol = pnstrdup(s, p - s);
	*sign = *p;
	*steps = (n > PG_INT32_MAX) ? PG_INT32_MAX : (int) n;
	return true;
}

/*
 * Resolve a target.  "current" is the list of Revision * in
 * fleetmig.version; "direction" says which relative forms are allowed.
 */
Target *
target_resolve(RevisionMap *map, const char *spec, List *current,
			   TargetDirection direction)
{
	TargetContext cx = {map, spec, NULL, NULL};
	const char *at = strchr(spec, '@');
	const char *rest = spec;
	char	   *symbol;
	char		sign;
	int			steps;

	if (at != NULL)
	{
		char	   *label = pnstrdup(spec, at - spec);
		Revision   *rev = revmap_get_label(map, label);

		if (rev == NULL)
			rev = revmap_get(map, label);
		if (rev == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("can't locate revision identified by '%s'", label),
					 errdetail("No branch label or revision id \"%s\" is defined, in target \"%s\".",
							   label, spec)));
		cx.label = label;
		cx.lineage = revmap_new_mask(map);
		revmap_mark_ancestors(map, rev, cx.lineage, false);
		revmap_mark_descendants(map, rev, cx.lineage, false);
		rest = at + 1;
	}

	if (parse_relative(rest, &symbol, &sign, &steps))
		return resolve_relative(&cx, symbol, sign, steps, current, direction);
	return resolve_symbol(&cx, rest);
}

/*
 * head, heads, base, an id, a label or a prefix, inside the lineage when the
 * target has a label.
 */
static Target *
resolve_symbol(TargetContext *cx, const char *symbol)
{
	RevisionMap *map = cx->map;
	Revision   *rev;
	List	   *matches;

	if (strcmp(symbol, "head") == 0)
	{
		List	   *heads = filter_lineage(cx, map->heads);

		if (list_length(heads) > 1 && cx->label == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("multiple heads are present for target \"head\""),
					 errdetail("The heads are %s.", revmap_id_list(heads)),
					 errhint("Use \"heads\" for all of them, or \"<branch label>@head\" or a revision id for one.")));
		return heads == NIL ? make_base(NIL) : make_target(heads);
	}
	if (strcmp(symbol, "heads") == 0)
	{
		List	   *heads = filter_lineage(cx, map->real_heads);

		return heads == NIL ? make_base(NIL) : make_target(heads);
	}
	if (strcmp(symbol, "base") == 0)
		return make_base(cx->lineage ? filter_lineage(cx, map->bases) : NIL);

	rev = revmap_get(map, symbol);
	if (rev == NULL && cx->label == NULL)
		rev = revmap_get_label(map, symbol);
	if (rev != NULL)
	{
		if (cx->lineage != NULL && !cx->lineage[rev->order])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("revision \"%s\" is not in the lineage of \"%s\"",
							rev->id, cx->label),
					 errdetail("Target \"%s\" names a revision that is neither an ancestor nor a descendant of \"%s\".",
							   cx->spec, cx->label)));
		return make_target(list_make1(rev));
	}

	matches = NIL;
	if (strlen(symbol) >= MIN_PREFIX_LEN)
		matches = revmap_prefix_matches(map, symbol, cx->lineage);
	if (matches == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("can't locate revision identified by '%s'", symbol),
				 cx->label ?
				 errdetail("No revision in the lineage of \"%s\" has that id or an id starting with it.",
						   cx->label) :
				 errdetail("No revision id or branch label matches it; a prefix needs at least %d characters.",
						   MIN_PREFIX_LEN)));
	if (list_length(matches) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("revision prefix \"%s\" is ambiguous", symbol),
				 errdetail("It matches %s.", revmap_id_list(matches)),
				 errhint("Give more characters of the revision id.")));
	return make_target(matches);
}

/*
 * +N, -N, label@+N, label@-N (from the current heads) and <rev>+N, <rev>-N
 * (from rev).
 */
static Target *
resolve_relative(TargetContext *cx, const char *symbol, char sign, int steps,
				 List *current, TargetDirection direction)
{
	Revision   *from;
	Revision   *to;

	if (steps < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("relative target \"%s\" must move at least one step",
						cx->spec)));

	if (symbol[0] != '\0')
	{
		Target	   *t = resolve_symbol(cx, symbol);

		if (list_length(t->revisions) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("relative target \"%s\" must start from one revision",
							cx->spec),
					 errdetail("\"%s\" names %s.", symbol,
							   revmap_id_list(t->revisions))));
		from = t->is_base ? NULL : linitial(t->revisions);
		if (from == NULL && sign == '-')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("relative target \"%s\" goes below base", cx->spec)));
		to = walk(cx, from, sign, steps, false);
		return make_target(list_make1(to));
	}

	if (direction == TARGET_UP && sign == '-')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot upgrade to relative target \"%s\"", cx->spec),
				 errhint("An upgrade takes +N; use fleetmig.downgrade() to go down.")));
	if (direction == TARGET_DOWN && sign == '+')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot downgrade to relative target \"%s\"", cx->spec),
				 errhint("A downgrade takes -N; use fleetmig.upgrade() to go up.")));

	/*
	 * label@+N starts from the top of what is applied in the lineage, which
	 * may be its branch point; label@-N from a current head inside it.
	 */
	if (cx->lineage != NULL)
		current = (sign == '+') ? lineage_heads(cx, current) :
			filter_lineage(cx, current);
	if (list_length(current) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("relative target \"%s\" needs one current head, but %d are applied",
						cx->spec, list_length(current)),
				 cx->label ?
				 errdetail("The applied heads in the lineage of \"%s\" are %s.",
						   cx->label, revmap_id_list(current)) :
				 errdetail("The current heads are %s.", revmap_id_list(current)),
				 cx->label ? 0 :
				 errhint("Use \"<branch label>@%c%d\" to move inside one branch.",
						 sign, steps)));
	if (current == NIL && sign == '-')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("relative target \"%s\" needs an applied revision", cx->spec),
				 cx->label ?
				 errdetail("No current head is in the lineage of \"%s\".", cx->label) :
				 errdetail("The database is at base.")));

	to = walk(cx, current == NIL ? NULL : linitial(current), sign, steps, true);
	if (to == NULL)
		return make_base(cx->lineage ? filter_lineage(cx, cx->map->bases) : NIL);
	return make_target(list_make1(to));
}

/*
 * Walk "steps" revisions up (children) or down (parents) from "from", NULL
 * meaning nothing applied (for an upward walk: start below the one base).
 * Inside a label's lineage only its members count.  A branch point on the
 * way up, a merge on the way down, the end of the graph above and, unless
 * below_base_is_base, the end below are errors.  Returns NULL for base.
 */
static Revision *
walk(TargetContext *cx, Revision *from, char sign, int steps,
	 bool below_base_is_base)
{
	Revision   *rev = from;

	for (int i = 0; i < steps; i++)
	{
		List	   *next;

		if (sign == '+')
			next = filter_lineage(cx, rev ? rev->children : cx->map->bases);
		else
			next = filter_lineage(cx, rev->parents);

		if (list_length(next) > 1)
		{
			if (sign == '-')
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("relative target \"%s\" crosses the merge \"%s\"",
								cx->spec, rev->id),
						 errdetail("Revision \"%s\" has the parents %s.",
								   rev->id, revmap_id_list(next)),
						 errhint("Name the revision to go to, or use \"<branch label>@-N\".")));
			if (rev == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("relative target \"%s\" needs one base, but there are %d",
								cx->spec, list_length(next)),
						 errdetail("The bases are %s.", revmap_id_list(next)),
						 errhint("Use \"<branch label>@+N\" or a revision id.")));
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("relative target \"%s\" crosses the branch point \"%s\"",
							cx->spec, rev->id),
					 errdetail("Revision \"%s\" has the children %s.",
							   rev->id, revmap_id_list(next)),
					 errhint("Name the revision to go to, or use \"<branch label>@+N\".")));
		}
		if (next == NIL)
		{
			if (sign == '+')
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("relative target \"%s\" goes beyond the head", cx->spec),
						 rev ?
						 errdetail("Revision \"%s\" is a head.", rev->id) :
						 errdetail("There are no revisions.")));
			if (below_base_is_base)
				return NULL;
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("relative target \"%s\" goes below base", cx->spec),
					 errdetail("Revision \"%s\" is a base.", rev->id)));
		}
		rev = linitial(next);
	}
	return rev;
}
