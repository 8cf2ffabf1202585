/*-------------------------------------------------------------------------
 *
 * checksum.c
 *	  SHA-256 checksums of migration files (SPEC §6).
 *
 * The caller passes the text already normalised by script_normalize(), so
 * a BOM or CRLF line ends do not change the checksum.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/cryptohash.h"
#include "common/sha2.h"

#include "checksum.h"

/*
 * The SHA-256 of data, as 64 lower-case hex digits.
 */
char *
checksum_sha256_hex(const char *data, Size len)
{
	static const char hex[] = "0123456789abcdef";
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	char	   *result = palloc(PG_SHA256_DIGEST_LENGTH * 2 + 1);

	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);

	if (ctx == NULL ||
		pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) data, len) < 0 ||
		pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not compute SHA-256 checksum")));
	pg_cryptohash_free(ctx);

	for (int i = 0; i < PG_SHA256_DIGEST_LENGTH; i++)
	{
		result[i * 2] = hex[digest[i] >> 4];
		result[i * 2 + 1] = hex[digest[i] & 0x0F];
	}
	result[PG_SHA256_DIGEST_LENGTH * 2] = '\0';
	return result;
}
