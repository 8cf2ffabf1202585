-- stamp(): marks the database without running SQL, changes only the rows in
-- the target's lineage, and logs one row per version row added or removed.
\getenv fixtures FLEETMIG_FIXTURES
\set dir :fixtures /branches_and_merge
SET fleetmig.migrations_dir = :'dir';
TRUNCATE fleetmig.log RESTART IDENTITY;
CREATE VIEW state AS SELECT string_agg(revision, ', ' ORDER BY revision) AS version FROM fleetmig.version;

-- stamp runs no SQL: the fixture's tables are not created
SELECT * FROM fleetmig.stamp('c3d4bbbb0004');
SELECT count(*) FROM pg_tables WHERE tablename LIKE 't\_%';
-- a target on an unrelated branch adds a row
SELECT * FROM fleetmig.stamp('e5f6a1b20005');
TABLE state;
-- a target in one row's lineage replaces that row only
SELECT * FROM fleetmig.stamp('f6a1b2c30006');
TABLE state;
-- the merge replaces both
SELECT * FROM fleetmig.stamp('a7a7');
TABLE state;
-- going down: the row above the target goes
SELECT * FROM fleetmig.stamp('c3d4aaaa0003');
TABLE state;
-- heads: all of them
SELECT * FROM fleetmig.stamp('heads');
TABLE state;
-- base empties the table
SELECT * FROM fleetmig.stamp('base');
TABLE state;
-- one log row per row added or removed; an added row carries the file's
-- checksum and text, a removed one neither
SELECT id, revision, direction, checksum IS NOT NULL AS has_checksum,
       script IS NOT NULL AS has_script, applied_by = current_user AS by_me,
       duration
  FROM fleetmig.log ORDER BY id;
-- the checksum is the SHA-256 of the file as applied
SELECT l.revision,
       l.checksum = encode(sha256(convert_to(pg_read_file(:'dir' || '/' || h.file), 'UTF8')), 'hex') AS checksum_ok,
       l.script = pg_read_file(:'dir' || '/' || h.file) AS script_ok
  FROM fleetmig.log l JOIN fleetmig.history() h USING (revision)
 WHERE l.checksum IS NOT NULL ORDER BY l.id;

-- stamp takes fleetmig's lock (SPEC §8, §9), for the transaction: an
-- advisory tag with objsubid 3, which no SQL function takes
BEGIN;
SELECT revision FROM fleetmig.stamp('head');
SELECT locktype, classid, objid, objsubid, mode, granted FROM pg_locks
 WHERE pid = pg_backend_pid() AND locktype = 'advisory';
ROLLBACK;
TABLE state;

-- a row no file defines: current() warns, stamp() refuses ...
INSERT INTO fleetmig.version VALUES ('deadbeef0000'), ('a1b2c3d4e5f6');
SELECT * FROM fleetmig.current();
SELECT * FROM fleetmig.stamp('head');
TABLE state;
-- ... unless purge empties the table first
SELECT * FROM fleetmig.stamp('head', purge => true);
TABLE state;
SELECT revision, direction, checksum IS NOT NULL AS has_checksum
  FROM fleetmig.log WHERE id > 12 ORDER BY id;

-- a target that cannot be resolved changes nothing
SELECT * FROM fleetmig.stamp('nosuchrev');
SELECT * FROM fleetmig.stamp('+1');
TABLE state;
SELECT count(*) FROM fleetmig.log;

SELECT * FROM fleetmig.stamp('base');

-- applied_at stays with a revision that was upgraded, after a stamp moved
-- the head above it
SELECT revision FROM fleetmig.upgrade('+2');
SELECT revision FROM fleetmig.stamp('alpha');
SELECT revision, applied, applied_at IS NOT NULL AS has_applied_at
  FROM fleetmig.history() WHERE applied;
SELECT revision FROM fleetmig.stamp('b2c3d4e5f6a1');
SELECT revision FROM fleetmig.downgrade('base');
DROP VIEW state;
TRUNCATE fleetmig.log RESTART IDENTITY;
