/*-------------------------------------------------------------------------
 *
 * state.h
 *	  fleetmig.version and fleetmig.log, read and written through SPI.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLEETMIG_STATE_H
#define FLEETMIG_STATE_H

#include "datatype/timestamp.h"
#include "nodes/pg_list.h"
#include "storage/lockdefs.h"

/*
 * fleetmig's lock (state.c): in pg_locks, locktype advisory, classid
 * 1718379877 ("flee"), objid 1953327463 ("tmig"), objsubid 3, mode
 * ExclusiveLock.
 */
#define STATE_LOCK_KEY1 1718379877
#define STATE_LOCK_KEY2 1953327463
#define STATE_LOCK_FIELD4 3
#define STATE_LOCK_MODE ExclusiveLock

/* The latest log row of a revision */
typedef struct StateLogEntry
{
	char	   *revision;
	char	   *direction;		/* upgrade, downgrade or stamp */
	bool		has_checksum;
	TimestampTz applied_at;
} StateLogEntry;

/* A row for fleetmig.log; checksum, script and duration may be NULL */
typedef struct StateLogRow
{
	const char *revision;
	const char *direction;		/* upgrade, downgrade or stamp */
	const char *checksum;
	struct varlena *script;		/* the file's text, as a text datum */
	TimestampTz applied_at;
	Interval   *duration;
} StateLogRow;

/* The checksum a revision was last applied or stamped with */
typedef struct StateChecksum
{
	char	   *revision;
	char	   *checksum;
} StateChecksum;

extern void state_lock(void);
extern void state_lock_session(void);
extern void state_unlock_session(void);
extern int	state_session_locks(void);
extern bool state_lock_held(void);
extern Oid	state_owner(void);
extern void state_check_snapshot(void);
extern List *state_read_checksums(void);
extern char *state_read_script(const char *revision, const char *checksum);
extern List *state_read_version(void);
extern List *state_read_latest_log(bool with_removals);
extern void state_apply(List *remove, List *add, List *log_rows);

#endif							/* FLEETMIG_STATE_H */
