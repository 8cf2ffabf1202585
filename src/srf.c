/*-------------------------------------------------------------------------
 *
 * srf.c
 *	  Materialized output for the set-returning functions, held in memory
 *	  up to a small bound and spilled to a temporary file beyond it, so that
 *	  a call's memory does not grow with the rows it returns (SPEC §11).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "funcapi.h"
#include "miscadmin.h"
#include "utils/tuplestore.h"

#include "srf.h"

/* rows beyond this many kilobytes (or work_mem, when lower) go to a file */
#define SRF_MEMORY_KB 256

/*
 * Prepare materialized output with the function's declared row type.
 * InitMaterializedSRF() would keep up to work_mem of rows in memory.
 */
ReturnSetInfo *
srf_begin(FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TupleDesc	tupdesc;
	MemoryContext old;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (!(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("materialize mode required, but it is not allowed in this context")));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setDesc = CreateTupleDescCopy(tupdesc);
	rsinfo->setResult =
		tuplestore_begin_heap((rsinfo->allowedModes & SFRM_Materialize_Random) != 0,
							  false, Min(work_mem, SRF_MEMORY_KB));
	MemoryContextSwitchTo(old);
	return rsinfo;
}

void
srf_put(ReturnSetInfo *rsinfo, Datum *values, bool *nulls)
{
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}
