/* fleetmig 0.2.0: state tables, the commands, and the guard of offline scripts */

\echo Use "CREATE EXTENSION fleetmig" to load this file. \quit

-- Refuse a schema fleetmig that someone else prepared (SPEC §9): anyone with
-- CREATE on the database could have made it, and its owner could later drop
-- the extension with its whole history.  An empty one owned by a superuser,
-- as pg_dump's restore and Citus create it, is fine.
DO $guard$
DECLARE
    nsp pg_catalog.oid;
    owner_is_superuser boolean;
BEGIN
    SELECT n.oid, r.rolsuper INTO nsp, owner_is_superuser
      FROM pg_catalog.pg_namespace n
      JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) n.nspowner
     WHERE n.nspname OPERATOR(pg_catalog.=) 'fleetmig'::pg_catalog.name;
    IF NOT owner_is_superuser THEN
        RAISE EXCEPTION 'schema "fleetmig" is owned by a role that is not a superuser'
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'Its owner could change or drop everything fleetmig keeps in it.',
                  HINT = 'Drop the schema, or make a superuser its owner, then create the extension again.';
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.pg_namespace n, pg_catalog.aclexplode(n.nspacl) a
                WHERE n.oid OPERATOR(pg_catalog.=) nsp
                  AND a.privilege_type OPERATOR(pg_catalog.=) 'CREATE'::pg_catalog.text
                  AND NOT EXISTS (SELECT FROM pg_catalog.pg_roles r
                                   WHERE r.oid OPERATOR(pg_catalog.=) a.grantee AND r.rolsuper)) THEN
        RAISE EXCEPTION 'schema "fleetmig" lets a role that is not a superuser create objects in it'
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'Objects created beside fleetmig''s could take the place of its functions in a caller''s query.',
                  HINT = 'REVOKE CREATE ON SCHEMA fleetmig FROM PUBLIC and every other role, then create the extension again.';
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.pg_class WHERE relnamespace OPERATOR(pg_catalog.=) nsp)
       OR EXISTS (SELECT FROM pg_catalog.pg_proc WHERE pronamespace OPERATOR(pg_catalog.=) nsp)
       OR EXISTS (SELECT FROM pg_catalog.pg_type WHERE typnamespace OPERATOR(pg_catalog.=) nsp)
       OR EXISTS (SELECT FROM pg_catalog.pg_operator WHERE oprnamespace OPERATOR(pg_catalog.=) nsp)
       OR EXISTS (SELECT FROM pg_catalog.pg_collation WHERE collnamespace OPERATOR(pg_catalog.=) nsp)
       OR EXISTS (SELECT FROM pg_catalog.pg_conversion WHERE connamespace OPERATOR(pg_catalog.=) nsp)
       OR EXISTS (SELECT FROM pg_catalog.pg_opclass WHERE opcnamespace OPERATOR(pg_catalog.=) nsp)
       OR EXISTS (SELECT FROM pg_catalog.pg_opfamily WHERE opfnamespace OPERATOR(pg_catalog.=) nsp)
       OR EXISTS (SELECT FROM pg_catalog.pg_ts_config WHERE cfgnamespace OPERATOR(pg_catalog.=) nsp)
       OR EXISTS (SELECT FROM pg_catalog.pg_ts_dict WHERE dictnamespace OPERATOR(pg_catalog.=) nsp)
       OR EXISTS (SELECT FROM pg_catalog.pg_ts_parser WHERE prsnamespace OPERATOR(pg_catalog.=) nsp)
       OR EXISTS (SELECT FROM pg_catalog.pg_ts_template WHERE tmplnamespace OPERATOR(pg_catalog.=) nsp)
       OR EXISTS (SELECT FROM pg_catalog.pg_statistic_ext WHERE stxnamespace OPERATOR(pg_catalog.=) nsp)
    THEN
        RAISE EXCEPTION 'schema "fleetmig" already holds objects'
            USING ERRCODE = 'duplicate_schema',
                  DETAIL = 'fleetmig installs only into a schema that is empty or that it creates itself.',
                  HINT = 'Drop the schema or move its objects elsewhere, then create the extension again.';
    END IF;
END
$guard$;

-- One row per current head, as alembic_version keeps it.
CREATE TABLE fleetmig.version (
    revision text PRIMARY KEY
);

-- Append-only record of every step and stamp.
CREATE SEQUENCE fleetmig.log_id_seq;

CREATE TABLE fleetmig.log (
    id          bigint PRIMARY KEY DEFAULT pg_catalog.nextval('fleetmig.log_id_seq'),
    revision    text NOT NULL,
    direction   text NOT NULL
                CHECK (direction OPERATOR(pg_catalog.=) ANY (ARRAY['upgrade', 'downgrade', 'stamp'])),
    checksum    text,
    script      text,
    applied_by  text NOT NULL,
    applied_at  timestamptz NOT NULL,
    duration    interval
);

ALTER SEQUENCE fleetmig.log_id_seq OWNED BY fleetmig.log.id;

CREATE INDEX log_revision_id_idx ON fleetmig.log (revision, id);

COMMENT ON TABLE fleetmig.version IS 'Current heads of the migration graph, one row each';
COMMENT ON TABLE fleetmig.log IS 'Every upgrade, downgrade and stamp step, with the checksum and text of the file';

-- pg_dump carries the migration state of a database.
SELECT pg_catalog.pg_extension_config_dump('fleetmig.version', '');
SELECT pg_catalog.pg_extension_config_dump('fleetmig.log', '');
SELECT pg_catalog.pg_extension_config_dump('fleetmig.log_id_seq', '');

CREATE FUNCTION fleetmig.heads(
    OUT revision text,
    OUT message text,
    OUT branch_labels text[],
    OUT is_current boolean)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fleetmig_heads'
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION fleetmig.history(
    OUT revision text,
    OUT down_revisions text[],
    OUT message text,
    OUT file text,
    OUT created timestamp,
    OUT branch_labels text[],
    OUT depends_on text[],
    OUT is_head boolean,
    OUT is_base boolean,
    OUT is_merge boolean,
    OUT is_branch_point boolean,
    OUT applied boolean,
    OUT applied_at timestamptz)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fleetmig_history'
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION fleetmig.current(
    OUT revision text,
    OUT message text,
    OUT is_head boolean)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fleetmig_current'
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION fleetmig.branches(
    OUT revision text,
    OUT message text,
    OUT children text[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fleetmig_branches'
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION fleetmig.show(
    target text,
    OUT revision text,
    OUT down_revisions text[],
    OUT message text,
    OUT file text,
    OUT created timestamp,
    OUT branch_labels text[],
    OUT depends_on text[],
    OUT upgrade_sql text,
    OUT downgrade_sql text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fleetmig_show'
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION fleetmig.stamp(
    target text,
    purge boolean DEFAULT false,
    OUT revision text,
    OUT message text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fleetmig_stamp'
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION fleetmig.help(
    OUT command text,
    OUT usage text,
    OUT description text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fleetmig_help'
LANGUAGE C CALLED ON NULL INPUT IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION fleetmig.upgrade(
    target text DEFAULT 'head',
    dry_run boolean DEFAULT false,
    OUT revision text,
    OUT message text,
    OUT direction text,
    OUT duration interval,
    OUT locks text[],
    OUT rewrites text[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fleetmig_upgrade'
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION fleetmig.downgrade(
    target text DEFAULT '-1',
    dry_run boolean DEFAULT false,
    OUT revision text,
    OUT message text,
    OUT direction text,
    OUT duration interval,
    OUT locks text[],
    OUT rewrites text[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fleetmig_downgrade'
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION fleetmig.init(
    OUT revision text,
    OUT message text,
    OUT direction text,
    OUT duration interval,
    OUT locks text[],
    OUT rewrites text[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fleetmig_init'
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION fleetmig.create(
    message text,
    autogenerate boolean DEFAULT false,
    head text DEFAULT 'head',
    branch_label text DEFAULT NULL,
    depends_on text[] DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'fleetmig_create'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION fleetmig.merge(
    message text,
    revisions text[] DEFAULT '{heads}')
RETURNS text
AS 'MODULE_PATHNAME', 'fleetmig_merge'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION fleetmig.upgrade_sql(
    target text DEFAULT 'head',
    from_revision text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'fleetmig_upgrade_sql'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION fleetmig.downgrade_sql(
    target text DEFAULT '-1',
    from_revision text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'fleetmig_downgrade_sql'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION fleetmig.validate(
    OUT revision text,
    OUT problem text,
    OUT detail text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fleetmig_validate'
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION fleetmig.check()
RETURNS void
AS 'MODULE_PATHNAME', 'fleetmig_check'
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION fleetmig.test_roundtrip(
    target text DEFAULT 'heads',
    OUT revision text,
    OUT ok boolean,
    OUT problem text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fleetmig_test_roundtrip'
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE;

CREATE PROCEDURE fleetmig.upgrade_each(target text DEFAULT 'head')
AS 'MODULE_PATHNAME', 'fleetmig_upgrade_each'
LANGUAGE C;

CREATE PROCEDURE fleetmig.downgrade_each(target text DEFAULT '-1')
AS 'MODULE_PATHNAME', 'fleetmig_downgrade_each'
LANGUAGE C;

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

-- What each routine is for (\df+ and \sf show it).  Every function reads the
-- migrations directory, whose files change outside any transaction, and most
-- take fleetmig's lock or write its state: VOLATILE and PARALLEL UNSAFE.
-- help() returns a constant table: IMMUTABLE and PARALLEL SAFE.
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

-- Nothing runs without a GRANT: see "Privileges" in README.md.
REVOKE ALL ON ALL ROUTINES IN SCHEMA fleetmig FROM PUBLIC;
