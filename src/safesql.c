/*-------------------------------------------------------------------------
 *
 * safesql.c
 *	  Run fleetmig's own queries under search_path = pg_catalog, pg_temp
 *	  (SPEC §9), so that no operator, function, cast, collation or table a
 *	  user created in any schema can be chosen by them.
 *
 * The setting is pushed at a new GUC nest level and popped when the query
 * is done; an error pops it with the (sub)transaction.  The queries
 * themselves also qualify every operator and function, so the path is a
 * second line of defence, not the only one.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/guc.h"

#include "safesql.h"

/*
 * Restrict search_path until safesql_leave(); returns the nest level to
 * give it.
 */
int
safesql_enter(void)
{
	return safesql_enter_path(SAFESQL_SEARCH_PATH);
}

/*
 * The same with a path of the caller's making, which starts with
 * pg_catalog and ends with pg_temp (autogenerate's deparsing and model
 * paths, modelguard.c).
 */
int
safesql_enter_path(const char *path)
{
	int			nest = NewGUCNestLevel();

	(void) set_config_option("search_path", path,
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	return nest;
}

/*
 * Put back the caller's search_path.
 */
void
safesql_leave(int nest)
{
	AtEOXact_GUC(false, nest);
}
