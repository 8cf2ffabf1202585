/*-------------------------------------------------------------------------
 *
 * scriptdir.h
 *	  Reading the migrations directory into a list of parsed revisions, and
 *	  the models directory into a list of files.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLEETMIG_SCRIPTDIR_H
#define FLEETMIG_SCRIPTDIR_H

#include <sys/types.h>

#include "script.h"

/* The template for new migration files, inside the migrations directory */
#define SCRIPTDIR_TEMPLATE "script.sql.tmpl"

/* A file of the models directory */
typedef struct ScriptFile
{
	char	   *name;
	char	   *text;			/* normalised like a migration file */
	Size		len;
} ScriptFile;

extern const char *scriptdir_path(void);
extern List *scriptdir_load(mode_t *file_mode, MemoryContext text_cxt);
extern void scriptdir_free_text(Revision *rev);
extern char *scriptdir_read_template(void);
extern const char *scriptdir_models_path(void);
extern bool scriptdir_models_exist(void);
extern List *scriptdir_load_models(void);
extern int	errhint_server_os_user(int err, bool writing);

extern struct varlena *scriptdir_file_text(Revision *rev);

#endif							/* FLEETMIG_SCRIPTDIR_H */
