/*-------------------------------------------------------------------------
 *
 * args.c
 *	  Arguments of the SQL-callable functions that must not be NULL.
 *
 * The functions are not STRICT: a NULL argument would make a STRICT
 * function return nothing without a word, and a deploy that did nothing
 * would look like success (SPEC §9).  A NULL is an error instead.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "args.h"

static void
require_not_null(FunctionCallInfo fcinfo, int n, const char *name)
{
	if (PG_ARGISNULL(n))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", name)));
}

/*
 * Text argument n, which must not be NULL.
 */
char *
args_text(FunctionCallInfo fcinfo, int n, const char *name)
{
	require_not_null(fcinfo, n, name);
	return text_to_cstring(PG_GETARG_TEXT_PP(n));
}

/*
 * Text argument n as a text value, not copied (it may be a file's text),
 * which must not be NULL.
 */
text *
args_text_value(FunctionCallInfo fcinfo, int n, const char *name)
{
	require_not_null(fcinfo, n, name);
	return PG_GETARG_TEXT_PP(n);
}

/*
 * Boolean argument n, which must not be NULL.
 */
bool
args_bool(FunctionCallInfo fcinfo, int n, const char *name)
{
	require_not_null(fcinfo, n, name);
	return PG_GETARG_BOOL(n);
}

/*
 * Text[] argument n as a List of C strings; neither the array nor an
 * element may be NULL.
 */
List *
args_text_array(FunctionCallInfo fcinfo, int n, const char *name)
{
	Datum	   *elems;
	bool	   *nulls;
	int			count;
	List	   *result = NIL;

	require_not_null(fcinfo, n, name);
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(n), TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &count);
	for (int i = 0; i < count; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULL", name)));
		result = lappend(result, TextDatumGetCString(elems[i]));
	}
	return result;
}
