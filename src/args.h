/*-------------------------------------------------------------------------
 *
 * args.h
 *	  Arguments of the SQL-callable functions that must not be NULL.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLEETMIG_ARGS_H
#define FLEETMIG_ARGS_H

#include "fmgr.h"
#include "nodes/pg_list.h"

extern char *args_text(FunctionCallInfo fcinfo, int n, const char *name);
extern text *args_text_value(FunctionCallInfo fcinfo, int n, const char *name);
extern bool args_bool(FunctionCallInfo fcinfo, int n, const char *name);
extern List *args_text_array(FunctionCallInfo fcinfo, int n, const char *name);

#endif							/* FLEETMIG_ARGS_H */
