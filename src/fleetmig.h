/*-------------------------------------------------------------------------
 *
 * fleetmig.h
 *	  Settings of the fleetmig extension, defined in fleetmig.c.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLEETMIG_H
#define FLEETMIG_H

extern char *fleetmig_migrations_dir;
extern char *fleetmig_models_dir;
extern bool fleetmig_verify_checksums;
extern bool fleetmig_check_drift;
extern int	fleetmig_step_lock_timeout;
extern int	fleetmig_step_retries;
extern int	fleetmig_max_directory_size;

#endif							/* FLEETMIG_H */
