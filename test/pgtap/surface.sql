-- The SQL surface is labelled on purpose (SPEC §1): every routine has a
-- comment; help() alone is IMMUTABLE and PARALLEL SAFE; every other
-- function reads the migrations directory or writes the state, so it is
-- VOLATILE and PARALLEL UNSAFE; no function is STRICT (a NULL argument is
-- an error, never an empty result).
BEGIN;
SELECT plan(4);

SELECT is_empty(
    $$SELECT p.oid::regprocedure::text FROM pg_proc p
       WHERE p.pronamespace = 'fleetmig'::regnamespace
         AND coalesce(obj_description(p.oid, 'pg_proc'), '') = ''$$,
    'every routine of schema fleetmig has a comment');
SELECT results_eq(
    $$SELECT p.oid::regprocedure::text, p.provolatile::text, p.proparallel::text FROM pg_proc p
       WHERE p.pronamespace = 'fleetmig'::regnamespace AND p.proname = 'help'$$,
    $$VALUES ('fleetmig.help()', 'i', 's')$$,
    'help() is IMMUTABLE and PARALLEL SAFE');
SELECT is_empty(
    $$SELECT p.oid::regprocedure::text FROM pg_proc p
       WHERE p.pronamespace = 'fleetmig'::regnamespace AND p.proname <> 'help'
         AND (p.provolatile <> 'v' OR p.proparallel <> 'u')$$,
    'every other routine is VOLATILE and PARALLEL UNSAFE');
SELECT is_empty(
    $$SELECT p.oid::regprocedure::text FROM pg_proc p
       WHERE p.pronamespace = 'fleetmig'::regnamespace AND p.proisstrict$$,
    'no routine is STRICT');

SELECT * FROM finish();
ROLLBACK;
