/*-------------------------------------------------------------------------
 *
 * target.h
 *	  Turning a target ("head", "+2", "maintenance@head", "ae10-1", ...)
 *	  into the set of revisions it names (SPEC §4).
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLEETMIG_TARGET_H
#define FLEETMIG_TARGET_H

#include "revmap.h"

/*
 * Which command asks: +N is refused by a downgrade, -N by an upgrade, every
 * relative form by a stamp; "heads" must name one revision in a downgrade.
 */
typedef enum TargetDirection
{
	TARGET_ANY,
	TARGET_UP,
	TARGET_DOWN,
	TARGET_STAMP
} TargetDirection;

typedef struct Target
{
	bool		is_base;		/* nothing applied, within base_scope */
	List	   *revisions;		/* of Revision *, when !is_base */
	List	   *base_scope;		/* of Revision *: the bases whose descendants
								 * a "base" target removes; NIL = all */
	Revision   *branch;			/* what the label before '@' names, or NULL */
} Target;

extern Target *target_resolve(RevisionMap *map, const char *spec,
							  List *current, TargetDirection direction);

#endif							/* FLEETMIG_TARGET_H */
