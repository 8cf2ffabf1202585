/*-------------------------------------------------------------------------
 *
 * fleetmig.c
 *	  Module magic and the settings (GUCs) of the fleetmig extension.
 *
 * The SQL-callable functions live in commands.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "fmgr.h"
#include "utils/guc.h"

#include "fleetmig.h"

PG_MODULE_MAGIC;

char	   *fleetmig_migrations_dir = NULL;
char	   *fleetmig_models_dir = NULL;
bool		fleetmig_verify_checksums = true;
bool		fleetmig_check_drift = true;
int			fleetmig_step_lock_timeout = 0;
int			fleetmig_step_retries = 0;
int			fleetmig_max_directory_size = 256 * 1024;

void		_PG_init(void);

void
_PG_init(void)
{
	DefineCustomStringVariable("fleetmig.migrations_dir",
							   "Directory the migration files are read from.",
							   "A relative path is taken relative to the data directory.",
							   &fleetmig_migrations_dir,
							   NULL,
							   PGC_SUSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomStringVariable("fleetmig.models_dir",
							   "Directory the declared model of autogenerate is read from.",
							   "Empty means \"models\" beside the migrations directory; a relative path is taken relative to the data directory.",
							   &fleetmig_models_dir,
							   NULL,
							   PGC_SUSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomBoolVariable("fleetmig.verify_checksums",
							 "Refuse to run when an applied migration file has been edited.",
							 NULL,
							 &fleetmig_verify_checksums,
							 true,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("fleetmig.check_drift",
							 "Make check() compare the schema with the declared model.",
							 "Off, check() looks only at the migrations; in a read-only transaction the comparison cannot run and check() fails unless this is off.",
							 &fleetmig_check_drift,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("fleetmig.step_lock_timeout",
							"Lock timeout of each step of an upgrade or downgrade; 0 means none.",
							"A step that times out waiting for a lock is rolled back alone and retried fleetmig.step_retries times.",
							&fleetmig_step_lock_timeout,
							0, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("fleetmig.step_retries",
							"How many times a step that timed out waiting for a lock is retried.",
							NULL,
							&fleetmig_step_retries,
							0, 0, 1000,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("fleetmig.max_directory_size",
							"Largest total size of the .sql files of the migrations or the models directory.",
							"One call holds every file of the directory; a larger directory is refused.",
							&fleetmig_max_directory_size,
							256 * 1024, 1, INT_MAX,
							PGC_SUSET,
							GUC_UNIT_KB,
							NULL, NULL, NULL);

	MarkGUCPrefixReserved("fleetmig");
}
