/*-------------------------------------------------------------------------
 *
 * safesql.h
 *	  The search_path fleetmig's own queries run under (SPEC §9).
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLEETMIG_SAFESQL_H
#define FLEETMIG_SAFESQL_H

/* Only pg_catalog, then temporary tables, which never supply operators or functions */
#define SAFESQL_SEARCH_PATH "pg_catalog, pg_temp"

extern int	safesql_enter(void);
extern int	safesql_enter_path(const char *path);
extern void safesql_leave(int nest);

#endif							/* FLEETMIG_SAFESQL_H */
