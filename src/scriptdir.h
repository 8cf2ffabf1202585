/*-------------------------------------------------------------------------
 *
 * scriptdir.h
 *	  Reading the migrations directory into a list of parsed revisions.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLEETMIG_SCRIPTDIR_H
#define FLEETMIG_SCRIPTDIR_H

#include "script.h"

extern const char *scriptdir_path(void);
extern List *scriptdir_load(void);

#endif							/* FLEETMIG_SCRIPTDIR_H */
