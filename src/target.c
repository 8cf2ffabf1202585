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

#include "miscadmin.h"
#include "utils/formatting.h"
#include "utils/varlena.h"

#include "target.h"

#define MIN_PREFIX_LEN 4

/* What a target is resolved against */
typedef struct TargetContext
{
	RevisionMap *map;
	const char *spec;			/* the whole target, for messages */
	const char *label;			/* label before '@', or NULL */
	Revision   *branch;			/* the revision the label names */
	bool	   *lineage;		/* the label's ancestors and descendants */
	TargetDirection direction;
} TargetContext;

static Target *resolve_symbol(TargetContext *cx, const char *symbol);
static const char *close_word(RevisionMap *map, const char *symbol);
static Target *resolve_relative(TargetContext *cx, const char *symbol,
								char sign, int steps, List *current,
								TargetDirection direction);
static Revision *walk(TargetContext *cx, Revision *from, char sign, int steps,
					  bool below_base_is_base);
static List *filter_lineage(TargetContext *cx, List *revisions);
static List *lineage_start(TargetContext *cx, List *current, char sign);
static void check_one_head(TargetContext *cx, List *heads);
static void check_no_overlap(TargetContext *cx, List *heads);
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
 * Where a label@+N or label@-N starts, as Alembic 1.8 finds it: the current
 * heads in the label's lineage; when there are none, the top of what is
 * applied in the lineage.  For +N that top is the applied members no other
 * applied member of the lineage stands on (as child or dependent), so a walk
 * can start at the branch point below the label; for -N it is the applied
 * members with no applied descendant at all, so a walk starts only where a
 * revision is applied merely as a dependency of a head on another branch.
 */
static List *
lineage_start(TargetContext *cx, List *current, char sign)
{
	RevisionMap *map = cx->map;
	List	   *heads = filter_lineage(cx, current);
	bool	   *applied;
	List	   *result = NIL;
	ListCell   *lc;

	if (heads != NIL)
		return heads;
	applied = revmap_new_mask(map);
	foreach(lc, current)
		revmap_mark_ancestors(map, lfirst(lc), applied, true);
	for (int i = 0; i < map->nrevisions; i++)
	{
		Revision   *rev = map->revisions[i];
		List	   *above[2] = {rev->children, rev->dependents};
		bool		top = cx->lineage[i] && applied[i];

		CHECK_FOR_INTERRUPTS();
		for (int k = 0; top && k < (sign == '+' ? 2 : 1); k++)
		{
			foreach(lc, above[k])
			{
				Revision   *c = lfirst(lc);

				if (applied[c->order] &&
					(sign == '-' || cx->lineage[c->order]))
					top = false;
			}
		}
		if (top && sign == '-')
		{
			bool	   *desc = revmap_new_mask(map);

			revmap_mark_descendants(map, rev, desc, false);
			for (int j = 0; top && j < map->nrevisions; j++)
				top = (j == i || !desc[j] || !applied[j]);
			pfree(desc);
		}
		if (top)
			result = lappend(result, rev);
	}
	return result;
}

/*
 * "head" and, in a downgrade, "heads" must name one revision: several are
 * the multiple-heads error, with a label too (Alembic 1.8 raises in both).
 */
static void
check_one_head(TargetContext *cx, List *heads)
{
	if (list_length(heads) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("multiple heads are present for target \"%s\"", cx->spec),
				 errdetail("The heads are %s.", revmap_id_list(heads)),
				 cx->label ?
				 errhint("Name one of them by its revision id.") :
				 cx->direction == TARGET_DOWN ?
				 errhint("A downgrade goes to one revision: use \"<branch label>@head\" or a revision id.") :
				 errhint("Use \"heads\" for all of them, or \"<branch label>@head\" or a revision id for one.")));
}

/*
 * The heads an upgrade to "label@heads" goes to must be independent: one
 * that another needs (through depends_on) is an error, as in Alembic 1.8.
 */
static void
check_no_overlap(TargetContext *cx, List *heads)
{
	ListCell   *lc;

	foreach(lc, heads)
	{
		Revision   *rev = lfirst(lc);
		bool	   *below = revmap_new_mask(cx->map);
		ListCell   *lc2;

		revmap_mark_ancestors(cx->map, rev, below, true);
		foreach(lc2, heads)
		{
			Revision   *other = lfirst(lc2);

			if (other != rev && below[other->order])
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("target \"%s\" names revision \"%s\", which revision \"%s\" needs",
								cx->spec, other->id, rev->id),
						 errdetail("The heads of the lineage of \"%s\" are %s.",
								   cx->label, revmap_id_list(heads)),
						 errhint("Upgrade to \"%s\".", rev->id)));
		}
		pfree(below);
	}
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
	TargetContext cx = {map, spec, NULL, NULL, NULL, direction};
	Target	   *result;
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
		{
			const char *close = close_word(map, label);

			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("can't locate revision identified by '%s'", label),
					 errdetail("No branch label or revision id \"%s\" is defined, in target \"%s\".",
							   label, spec),
					 close ? errhint("Did you mean \"%s\"?", close) : 0));
		}
		cx.label = label;
		cx.branch = rev;
		cx.lineage = revmap_new_mask(map);
		revmap_mark_ancestors(map, rev, cx.lineage, false);
		revmap_mark_descendants(map, rev, cx.lineage, false);
		rest = at + 1;
	}

	if (parse_relative(rest, &symbol, &sign, &steps))
	{
		if (direction == TARGET_STAMP)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cannot stamp relative target \"%s\"", spec),
					 errhint("Name the revision to stamp: fleetmig.history() lists them.")));
		result = resolve_relative(&cx, symbol, sign, steps, current, direction);
	}
	else if (direction == TARGET_DOWN &&
			 (strcmp(rest, "head") == 0 || strcmp(rest, "heads") == 0))
	{
		/*
		 * downgrade('label@head') is the graph's one head, as in Alembic 1.8:
		 * the label only chooses which branch above it to go down.
		 */
		TargetContext whole = cx;

		whole.label = NULL;
		whole.lineage = NULL;
		result = resolve_symbol(&whole, rest);
	}
	else
		result = resolve_symbol(&cx, rest);
	if (result->branch == NULL)
		result->branch = cx.branch;
	return result;
}

/*
 * Keep word in *best when, ignoring case, it is closer to the lower-case
 * symbol than the best so far and close enough to be a typo of it.
 */
static void
consider_word(const char *symbol, const char *word, const char **best,
			  int *best_distance)
{
	int			slen = strlen(symbol);
	int			wlen = strlen(word);
	int			limit = wlen < 4 ? 1 : 2;
	int			distance;
	char	   *lower = asc_tolower(word, wlen);

	distance = varstr_levenshtein_less_equal(symbol, slen, lower, wlen,
											 1, 1, 1, limit + 1, true);
	if (distance <= limit && distance < *best_distance)
	{
		*best = word;
		*best_distance = distance;
	}
}

/*
 * A keyword (head, heads, base) or branch label within two edits of an
 * unknown symbol (one for labels under four characters), ignoring case,
 * for "did you mean": a typo of a keyword would otherwise read as an
 * unknown revision.  NULL when none is that close.
 */
static const char *
close_word(RevisionMap *map, const char *symbol)
{
	static const char *const keywords[] = {"head", "heads", "base"};
	char	   *lower = asc_tolower(symbol, strlen(symbol));
	const char *best = NULL;
	int			best_distance = PG_INT32_MAX;

	for (size_t i = 0; i < lengthof(keywords); i++)
		consider_word(lower, keywords[i], &best, &best_distance);
	for (int i = 0; i < map->nrevisions; i++)
	{
		ListCell   *lc;

		CHECK_FOR_INTERRUPTS();
		foreach(lc, map->revisions[i]->branch_labels)
			consider_word(lower, lfirst(lc), &best, &best_distance);
	}
	return best;
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

		check_one_head(cx, heads);
		return heads == NIL ? make_base(NIL) : make_target(heads);
	}
	if (strcmp(symbol, "heads") == 0)
	{
		/* in a lineage, the heads by down_revision, as in Alembic 1.8 */
		List	   *heads = cx->label ? filter_lineage(cx, map->heads) :
			map->real_heads;

		if (cx->direction == TARGET_DOWN)
			check_one_head(cx, heads);
		if (cx->label && cx->direction == TARGET_UP)
			check_no_overlap(cx, heads);
		return heads == NIL ? make_base(NIL) : make_target(heads);
	}
	if (strcmp(symbol, "base") == 0)
		return make_base(cx->lineage ? filter_lineage(cx, map->bases) : NIL);

	rev = revmap_get(map, symbol);
	if (rev == NULL)
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
	{
		const char *close = close_word(map, symbol);

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("can't locate revision identified by '%s'", symbol),
				 cx->label ?
				 errdetail("No revision in the lineage of \"%s\" has that id or an id starting with it.",
						   cx->label) :
				 errdetail("No revision id or branch label matches it; a prefix needs at least %d characters.",
						   MIN_PREFIX_LEN),
				 close ? errhint("Did you mean \"%s\"?", close) : 0));
	}
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
		/*
		 * As in Alembic 1.8, label@<rev>+N finds rev in the whole graph and
		 * walks up inside the lineage; label@<rev>-N finds rev inside it.
		 */
		TargetContext whole = *cx;
		Target	   *t;

		whole.label = NULL;
		whole.lineage = NULL;
		t = resolve_symbol(sign == '+' ? &whole : cx, symbol);

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
		if (to == NULL)
			return make_base(cx->lineage ? filter_lineage(cx, cx->map->bases) : NIL);
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

	if (cx->lineage != NULL)
		current = lineage_start(cx, current, sign);
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
	if (sign == '-' && cx->branch == NULL)
	{
		/*
		 * As in Alembic 1.8, -N goes down the current head's own line: at a
		 * branch point or a base it leaves what the head does not stand on.
		 */
		TargetContext own = *cx;
		Target	   *t;

		own.branch = linitial(current);
		own.lineage = revmap_new_mask(cx->map);
		revmap_mark_ancestors(cx->map, own.branch, own.lineage, false);
		t = to ? make_target(list_make1(to)) :
			make_base(filter_lineage(&own, cx->map->bases));
		t->branch = own.branch;
		return t;
	}
	if (to == NULL)
		return make_base(cx->lineage ? filter_lineage(cx, cx->map->bases) : NIL);
	return make_target(list_make1(to));
}

/*
 * Walk "steps" revisions up (children) or down (parents) from "from", NULL
 * meaning nothing applied (for an upward walk: start below the one base).
 * On the way up inside a label's lineage only its members count.  A branch
 * point on the way up, a merge on the way down, the end of the graph above
 * and, unless below_base_is_base, going on below a base are errors.  Returns
 * NULL for base.
 */
static Revision *
walk(TargetContext *cx, Revision *from, char sign, int steps,
	 bool below_base_is_base)
{
	Revision   *rev = from;

	for (int i = 0; i < steps; i++)
	{
		List	   *next;

		/* a label chooses among children; a walk down takes every parent */
		if (sign == '+')
			next = filter_lineage(cx, rev ? rev->children : cx->map->bases);
		else
			next = rev->parents;

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
			if (below_base_is_base || i == steps - 1)
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
