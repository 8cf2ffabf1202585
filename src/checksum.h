/*-------------------------------------------------------------------------
 *
 * checksum.h
 *	  SHA-256 of a normalised migration file, as lower-case hex.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FLEETMIG_CHECKSUM_H
#define FLEETMIG_CHECKSUM_H

extern char *checksum_sha256_hex(const char *data, Size len);

#endif							/* FLEETMIG_CHECKSUM_H */
