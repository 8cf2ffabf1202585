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

#include "fmgr.h"
#include "utils/guc.h"

#include "fleetmig.h"

PG_MODULE_MAGIC;

char	   *fleetmig_migrations_dir = NULL;
bool		fleetmig_verify_checksums = true;

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

	DefineCustomBoolVariable("fleetmig.verify_checksums",
							 "Refuse to run when an applied migration file has been edited.",
							 NULL,
							 &fleetmig_verify_checksums,
							 true,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("fleetmig");
#else
	EmitWarningsOnPlaceholders("fleetmig");
#endif
}
