/*-------------------------------------------------------------------------
 *
 * revmap.h
 *	  The revision graph: lookup by id, label and prefix; heads and bases;
 *	  the deterministic topological order; ancestors and descendants.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLEETMIG_REVMAP_H
#define FLEETMIG_REVMAP_H

#include "utils/hsearch.h"

#include "script.h"

typedef struct RevisionMap
{
	int			nrevisions;
	Revision  **revisions;		/* in topological order: revisions[r->order] */
	HTAB	   *by_id;
	HTAB	   *by_label;
	List	   *heads;			/* no revision names them as down_revision */
	List	   *real_heads;		/* ... nor in depends_on */
	List	   *bases;			/* no down_revision */
} RevisionMap;

extern RevisionMap *revmap_build(List *revisions);
extern Revision *revmap_get(RevisionMap *map, const char *id);
extern Revision *revmap_get_label(RevisionMap *map, const char *label);
extern List *revmap_prefix_matches(RevisionMap *map, const char *prefix,
								   const bool *within);
extern bool *revmap_new_mask(RevisionMap *map);
extern void revmap_mark_ancestors(RevisionMap *map, Revision *from,
								  bool *mask, bool with_dependencies);
extern void revmap_mark_descendants(RevisionMap *map, Revision *from,
									bool *mask, bool with_dependencies);
extern List *revmap_sort(RevisionMap *map, List *revisions);
extern List *revmap_ids(List *revisions);
extern char *revmap_join(List *names);
extern char *revmap_id_list(List *revisions);

#endif							/* FLEETMIG_REVMAP_H */
