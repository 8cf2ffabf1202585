/* fleetmig 0.1.0 to 0.2.0: functions that refuse NULL arguments, the guard of offline scripts, comments and parallel labels */

\echo Use "ALTER EXTENSION fleetmig UPDATE TO '0.2.0'" to load this file. \quit

-- Refuse to go on in a schema fleetmig that someone else controls (SPEC §9):
-- owned by a role that is not a superuser, open to CREATE by one, or holding
-- objects that are not the extension's.
DO $guard$
DECLARE
    nsp pg_catalog.oid;
    ext pg_catalog.oid;
    owner_is_superuser boolean;
    stranger text;
BEGIN
    SELECT n.oid, r.rolsuper INTO nsp, owner_is_superuser
      FROM pg_catalog.pg_namespace n
      JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) n.nspowner
     WHERE n.nspname OPERATOR(pg_catalog.=) 'fleetmig'::pg_catalog.name;
    SELECT e.oid INTO ext FROM pg_catalog.pg_extension e
     WHERE e.extname OPERATOR(pg_catalog.=) 'fleetmig'::pg_catalog.name;
    IF NOT owner_is_superuser THEN
        RAISE EXCEPTION 'schema "fleetmig" is owned by a role that is not a superuser'
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'Its owner could change or drop everything fleetmig keeps in it.',
                  HINT = 'Make a superuser the owner of the schema (ALTER SCHEMA fleetmig OWNER TO postgres), then update again.';
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.pg_namespace n, pg_catalog.aclexplode(n.nspacl) a
                WHERE n.oid OPERATOR(pg_catalog.=) nsp
                  AND a.privilege_type OPERATOR(pg_catalog.=) 'CREATE'::pg_catalog.text
                  AND NOT EXISTS (SELECT FROM pg_catalog.pg_roles r
                                   WHERE r.oid OPERATOR(pg_catalog.=) a.grantee AND r.rolsuper)) THEN
        RAISE EXCEPTION 'schema "fleetmig" lets a role that is not a superuser create objects in it'
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'Objects created beside fleetmig''s could take the place of its functions in a caller''s query.',
                  HINT = 'REVOKE CREATE ON SCHEMA fleetmig FROM PUBLIC and every other role, then update again.';
    END IF;

    -- the extension's own: its members, the indexes of its tables, the row
    -- and array types of its relations
    SELECT o.what INTO stranger FROM (
        SELECT pg_catalog.format('%s %s', 'relation', c.oid::pg_catalog.regclass) AS what,
               'pg_catalog.pg_class'::pg_catalog.regclass AS classid,
               CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'i'::pg_catalog."char"
                    THEN (SELECT i.indrelid FROM pg_catalog.pg_index i
                           WHERE i.indexrelid OPERATOR(pg_catalog.=) c.oid)
                    ELSE c.oid END AS objid
          FROM pg_catalog.pg_class c WHERE c.relnamespace OPERATOR(pg_catalog.=) nsp
        UNION ALL
        SELECT pg_catalog.format('%s %s', 'function', p.oid::pg_catalog.regprocedure),
               'pg_catalog.pg_proc'::pg_catalog.regclass, p.oid
          FROM pg_catalog.pg_proc p WHERE p.pronamespace OPERATOR(pg_catalog.=) nsp
        UNION ALL
        SELECT pg_catalog.format('%s %s', 'type', t.oid::pg_catalog.regtype),
               CASE WHEN t.typrelid OPERATOR(pg_catalog.<>) 0::pg_catalog.oid
                      OR e.typrelid OPERATOR(pg_catalog.<>) 0::pg_catalog.oid
                    THEN 'pg_catalog.pg_class'::pg_catalog.regclass
                    ELSE 'pg_catalog.pg_type'::pg_catalog.regclass END,
               CASE WHEN t.typrelid OPERATOR(pg_catalog.<>) 0::pg_catalog.oid THEN t.typrelid
                    WHEN e.typrelid OPERATOR(pg_catalog.<>) 0::pg_catalog.oid THEN e.typrelid
                    ELSE t.oid END
          FROM pg_catalog.pg_type t
          LEFT JOIN pg_catalog.pg_type e ON e.oid OPERATOR(pg_catalog.=) t.typelem
         WHERE t.typnamespace OPERATOR(pg_catalog.=) nsp
        UNION ALL
        SELECT pg_catalog.format('%s %s', 'operator', o.oid::pg_catalog.regoperator),
               'pg_catalog.pg_operator'::pg_catalog.regclass, o.oid
          FROM pg_catalog.pg_operator o WHERE o.oprnamespace OPERATOR(pg_catalog.=) nsp
        UNION ALL
        SELECT pg_catalog.format('%s %s', 'collation', k.collname),
               'pg_catalog.pg_collation'::pg_catalog.regclass, k.oid
          FROM pg_catalog.pg_collation k WHERE k.collnamespace OPERATOR(pg_catalog.=) nsp
        UNION ALL
        SELECT pg_catalog.format('%s %s', 'conversion', v.conname),
               'pg_catalog.pg_conversion'::pg_catalog.regclass, v.oid
          FROM pg_catalog.pg_conversion v WHERE v.connamespace OPERATOR(pg_catalog.=) nsp
        UNION ALL
        SELECT pg_catalog.format('%s %s', 'text search configuration', f.cfgname),
               'pg_catalog.pg_ts_config'::pg_catalog.regclass, f.oid
          FROM pg_catalog.pg_ts_config f WHERE f.cfgnamespace OPERATOR(pg_catalog.=) nsp
    ) o
    WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_depend d
                       WHERE d.classid OPERATOR(pg_catalog.=) o.classid
                         AND d.objid OPERATOR(pg_catalog.=) o.objid
                         AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
                         AND d.refobjid OPERATOR(pg_catalog.=) ext
                         AND d.deptype OPERATOR(pg_catalog.=) 'e'::pg_catalog."char")
    LIMIT 1;
    IF stranger IS NOT NULL THEN
        RAISE EXCEPTION 'schema "fleetmig" holds objects that are not the extension''s'
            USING ERRCODE = 'duplicate_object',
                  DETAIL = pg_catalog.format('The first is %s.', stranger),
                  HINT = 'Drop or move those objects (only the extension''s own belong in schema fleetmig), then update again.';
    END IF;
END
$guard$;

-- A NULL argument is an error, not an empty result (SPEC §9)
ALTER FUNCTION fleetmig.heads() CALLED ON NULL INPUT;
ALTER FUNCTION fleetmig.history() CALLED ON NULL INPUT;
ALTER FUNCTION fleetmig.current() CALLED ON NULL INPUT;
ALTER FUNCTION fleetmig.branches() CALLED ON NULL INPUT;
ALTER FUNCTION fleetmig.show(text) CALLED ON NULL INPUT;
ALTER FUNCTION fleetmig.stamp(text, boolean) CALLED ON NULL INPUT;
ALTER FUNCTION fleetmig.help() CALLED ON NULL INPUT;
ALTER FUNCTION fleetmig.upgrade(text, boolean) CALLED ON NULL INPUT;
ALTER FUNCTION fleetmig.downgrade(text, boolean) CALLED ON NULL INPUT;
ALTER FUNCTION fleetmig.init() CALLED ON NULL INPUT;
ALTER FUNCTION fleetmig.validate() CALLED ON NULL INPUT;
ALTER FUNCTION fleetmig.check() CALLED ON NULL INPUT;
ALTER FUNCTION fleetmig.test_roundtrip(text) CALLED ON NULL INPUT;

-- The first statement of an offline script: checks the caller, takes
-- fleetmig's lock and refuses unless the database is where the script starts.
CREATE FUNCTION fleetmig.script_guard(
    session_lock boolean,
    heads text[],
    applied text[])
RETURNS void
AS 'MODULE_PATHNAME', 'fleetmig_script_guard'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

-- Each statement of a migration on its way to psql's \gexec: refused
-- unless it reads, as it runs, as the one statement upgrade() would run.
CREATE FUNCTION fleetmig.script_statement(sql text)
RETURNS text
AS 'MODULE_PATHNAME', 'fleetmig_script_statement'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

-- After the statements of each step of an offline script: its rows in
-- fleetmig.version and fleetmig.log, written as upgrade() writes them.
CREATE FUNCTION fleetmig.script_record(
    direction text,
    revision text,
    remove text[],
    add text[],
    script text)
RETURNS void
AS 'MODULE_PATHNAME', 'fleetmig_script_record'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

-- The last statement of an offline script: releases a session-level lock.
CREATE FUNCTION fleetmig.script_unlock()
RETURNS void
AS 'MODULE_PATHNAME', 'fleetmig_script_unlock'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

REVOKE ALL ON FUNCTION fleetmig.script_guard(boolean, text[], text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION fleetmig.script_statement(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION fleetmig.script_record(text, text, text[], text[], text) FROM PUBLIC;
REVOKE ALL ON FUNCTION fleetmig.script_unlock() FROM PUBLIC;

-- What each routine is for (\df+ and \sf show it).  Every function reads the
-- migrations directory, whose files change outside any transaction, and most
-- take fleetmig's lock or write its state: VOLATILE and PARALLEL UNSAFE.
-- help() returns a constant table: IMMUTABLE and PARALLEL SAFE.
ALTER FUNCTION fleetmig.help() PARALLEL SAFE;
COMMENT ON FUNCTION fleetmig.heads() IS 'The heads of the revision graph, and whether each is applied';
COMMENT ON FUNCTION fleetmig.history() IS 'Every revision of the migrations directory, newest first, with its parents, labels and whether it is applied';
COMMENT ON FUNCTION fleetmig.current() IS 'The revisions the database is at (the rows of fleetmig.version)';
COMMENT ON FUNCTION fleetmig.branches() IS 'The branch points of the revision graph and the revisions above each';
COMMENT ON FUNCTION fleetmig.show(text) IS 'The revisions a target names, with their files';
COMMENT ON FUNCTION fleetmig.stamp(text, boolean) IS 'Mark the database as being at a target without running any SQL (purge: empty fleetmig.version first)';
COMMENT ON FUNCTION fleetmig.help() IS 'The commands, with their usage';
COMMENT ON FUNCTION fleetmig.upgrade(text, boolean) IS 'Run the upgrades up to a target in the caller''s transaction (dry_run: run and roll back, reporting locks and rewrites)';
COMMENT ON FUNCTION fleetmig.downgrade(text, boolean) IS 'Run the downgrades down to a target in the caller''s transaction (dry_run: run and roll back, reporting locks and rewrites)';
COMMENT ON FUNCTION fleetmig.init() IS 'Upgrade to every head';
COMMENT ON FUNCTION fleetmig."create"(text, boolean, text, text, text[]) IS 'Write a new migration file (autogenerate: from the difference between the schema and the models directory) and return its path';
COMMENT ON FUNCTION fleetmig.merge(text, text[]) IS 'Write a migration file that merges heads and return its path';
COMMENT ON FUNCTION fleetmig.upgrade_sql(text, text) IS 'The psql script of the upgrades up to a target, for review and offline runs';
COMMENT ON FUNCTION fleetmig.downgrade_sql(text, text) IS 'The psql script of the downgrades down to a target, for review and offline runs';
COMMENT ON FUNCTION fleetmig.validate() IS 'Problems of the migrations directory and of the database''s state, one row each';
COMMENT ON FUNCTION fleetmig."check"() IS 'Fail unless the database is at its heads, no applied file was edited and the schema matches the models directory';
COMMENT ON FUNCTION fleetmig.test_roundtrip(text) IS 'Run every pending revision up, down and up again, rolled back, and report what does not round-trip';
COMMENT ON PROCEDURE fleetmig.upgrade_each(text) IS 'Upgrade to a target with a commit after every step';
COMMENT ON PROCEDURE fleetmig.downgrade_each(text) IS 'Downgrade to a target with a commit after every step';
COMMENT ON FUNCTION fleetmig.script_guard(boolean, text[], text[]) IS 'First statement of an offline script: checks the caller, takes fleetmig''s lock, and refuses unless the database is where the script starts';
COMMENT ON FUNCTION fleetmig.script_statement(text) IS 'A statement of an offline script on its way to \gexec, refused unless it reads as the one statement upgrade() would run';
COMMENT ON FUNCTION fleetmig.script_record(text, text, text[], text[], text) IS 'After the statements of a step of an offline script: writes its rows to fleetmig.version and fleetmig.log, with the checksum of the file text it is given';
COMMENT ON FUNCTION fleetmig.script_unlock() IS 'Last statement of an offline script: releases its session-level lock';
