/*-------------------------------------------------------------------------
 *
 * srf.h
 *	  Materialized set-returning output for the SQL-callable functions.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLEETMIG_SRF_H
#define FLEETMIG_SRF_H

#include "fmgr.h"
#include "nodes/execnodes.h"

extern ReturnSetInfo *srf_begin(FunctionCallInfo fcinfo);
extern void srf_put(ReturnSetInfo *rsinfo, Datum *values, bool *nulls);

#endif							/* FLEETMIG_SRF_H */
