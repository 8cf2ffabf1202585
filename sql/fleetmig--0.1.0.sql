/* fleetmig 0.1.0: state tables, the read-only commands, stamp, upgrade and downgrade */

\echo Use "CREATE EXTENSION fleetmig" to load this file. \quit

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
LANGUAGE C STRICT VOLATILE;

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
LANGUAGE C STRICT VOLATILE;

CREATE FUNCTION fleetmig.current(
    OUT revision text,
    OUT message text,
    OUT is_head boolean)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fleetmig_current'
LANGUAGE C STRICT VOLATILE;

CREATE FUNCTION fleetmig.branches(
    OUT revision text,
    OUT message text,
    OUT children text[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fleetmig_branches'
LANGUAGE C STRICT VOLATILE;

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
LANGUAGE C STRICT VOLATILE;

CREATE FUNCTION fleetmig.stamp(
    target text,
    purge boolean DEFAULT false,
    OUT revision text,
    OUT message text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fleetmig_stamp'
LANGUAGE C STRICT VOLATILE;

CREATE FUNCTION fleetmig.help(
    OUT command text,
    OUT usage text,
    OUT description text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fleetmig_help'
LANGUAGE C STRICT IMMUTABLE;

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
LANGUAGE C STRICT VOLATILE;

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
LANGUAGE C STRICT VOLATILE;

CREATE FUNCTION fleetmig.init(
    OUT revision text,
    OUT message text,
    OUT direction text,
    OUT duration interval,
    OUT locks text[],
    OUT rewrites text[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fleetmig_init'
LANGUAGE C STRICT VOLATILE;

CREATE FUNCTION fleetmig.create(
    message text,
    autogenerate boolean DEFAULT false,
    head text DEFAULT 'head',
    branch_label text DEFAULT NULL,
    depends_on text[] DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'fleetmig_create'
LANGUAGE C VOLATILE;

CREATE FUNCTION fleetmig.merge(
    message text,
    revisions text[] DEFAULT '{heads}')
RETURNS text
AS 'MODULE_PATHNAME', 'fleetmig_merge'
LANGUAGE C VOLATILE;

CREATE FUNCTION fleetmig.upgrade_sql(
    target text DEFAULT 'head',
    from_revision text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'fleetmig_upgrade_sql'
LANGUAGE C VOLATILE;

CREATE FUNCTION fleetmig.downgrade_sql(
    target text DEFAULT '-1',
    from_revision text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'fleetmig_downgrade_sql'
LANGUAGE C VOLATILE;

CREATE FUNCTION fleetmig.validate(
    OUT revision text,
    OUT problem text,
    OUT detail text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fleetmig_validate'
LANGUAGE C STRICT VOLATILE;

CREATE FUNCTION fleetmig.check()
RETURNS void
AS 'MODULE_PATHNAME', 'fleetmig_check'
LANGUAGE C STRICT VOLATILE;

CREATE FUNCTION fleetmig.test_roundtrip(
    target text DEFAULT 'heads',
    OUT revision text,
    OUT ok boolean,
    OUT problem text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fleetmig_test_roundtrip'
LANGUAGE C STRICT VOLATILE;

CREATE PROCEDURE fleetmig.upgrade_each(target text DEFAULT 'head')
AS 'MODULE_PATHNAME', 'fleetmig_upgrade_each'
LANGUAGE C;

CREATE PROCEDURE fleetmig.downgrade_each(target text DEFAULT '-1')
AS 'MODULE_PATHNAME', 'fleetmig_downgrade_each'
LANGUAGE C;

-- Nothing runs without a GRANT: see "Privileges" in README.md.
REVOKE ALL ON ALL ROUTINES IN SCHEMA fleetmig FROM PUBLIC;
