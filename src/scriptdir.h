/*-------------------------------------------------------------------------
 *
 * scriptdir.h
 *	  Reading the migrations directory into a list of parsed revisions.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLEETMIG_SCRIPTDIR_H
#define FLEETMIG_SCRIPTDIR_H

#include <sys/types.h>

#include "script.h"

/* The template for new migration files, inside the migrations directory */
#define SCRIPTDIR_TEMPLATE "script.sql.tmpl"

extern const char *scriptdir_path(void);
extern List *scriptdir_load(mode_t *file_mode);
extern char *scriptdir_read_template(void);

#endif							/* FLEETMIG_SCRIPTDIR_H */
