-- Decoys (SPEC §9, issue 14): no object a user creates can hijack the SQL
-- fleetmig runs for itself.
--
-- A role with CREATE on public and a schema of its own (the attacker)
-- creates, in both schemas,
--   operators = <> < > <= >= ~ !~ ~~ !~~ || + for every pair of types
--   fleetmig's queries compare or combine,
--   functions and aggregates named like every function those queries call,
--   with the argument types they are called with and those a call with an
--   untyped literal or NULL would prefer,
--   a collation named "C" (ICU root order, where '_' sorts before '.'),
--   domains named like the types fleetmig casts to;
-- every decoy returns what the real one does (a collation aside), after
-- counting the call in a sequence (nextval survives the rollback).  Then
-- every fleetmig function runs, as the superuser, under three search paths:
--   "$user", public                    the default (pg_catalog implicitly first)
--   public, pg_catalog                  public before pg_catalog
--   decoy_attacker, public, pg_catalog  the attacker's schema first
-- each in a subtransaction that is rolled back, and the test asserts for
-- each function and search path that no decoy was called and that the
-- result equals the one computed, before the decoys existed, in the same
-- database under the same search path (columns that vary, durations and
-- times, left out).  Positive controls show that each kind of decoy is
-- reachable from SQL that does not qualify its names, so the test cannot
-- pass vacuously.
--
-- The migrations that fleetmig runs (the example project, a fixture) only
-- bind operators in DDL and update empty tables: they call no decoy
-- themselves, so every call counted is fleetmig's.
\getenv fixtures FLEETMIG_FIXTURES
\getenv migrations FLEETMIG_MIGRATIONS
\set models :migrations /../models
\set collation_dir :fixtures /decoys_collation
\set create_dir :fixtures /decoys_tap/migrations
\set view_models :fixtures /decoys_models
BEGIN;
SELECT plan(187);
SET LOCAL client_min_messages = error;
-- the test's own statements run with pg_catalog first
SET LOCAL search_path = pg_catalog, public;

-- start from an empty fleetmig state (all rolled back)
TRUNCATE fleetmig.log;
TRUNCATE fleetmig.version;

--
-- The counters: one sequence per decoy, in a schema of the test's own
-- (outside every search path, so autogenerate and the round trip never see
-- the sequences appear).
--
CREATE SCHEMA decoy_counter;
CREATE SEQUENCE decoy_counter.calls;
CREATE TABLE decoy_counter.decoys (n serial PRIMARY KEY, label text NOT NULL UNIQUE);

-- register a decoy: its counter, and its number for mark()
CREATE FUNCTION decoy_counter.register(label text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$
DECLARE
    n integer;
BEGIN
    INSERT INTO decoy_counter.decoys (label) VALUES (register.label) RETURNING decoys.n INTO n;
    EXECUTE format('CREATE SEQUENCE decoy_counter.c%s', n);
    RETURN n;
END
$f$;

-- count a call of decoy n
CREATE FUNCTION decoy_counter.mark(n integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$
BEGIN
    PERFORM nextval('decoy_counter.calls'::regclass);
    PERFORM nextval(format('decoy_counter.c%s', n)::regclass);
END
$f$;

-- the CHECK of a decoy domain: count, and pass
CREATE FUNCTION decoy_counter.pass(n integer) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$
BEGIN
    PERFORM decoy_counter.mark(n);
    RETURN true;
END
$f$;

-- the calls counted so far, per decoy: {"label": count}
CREATE FUNCTION pg_temp.counters() RETURNS jsonb
LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $f$
    SELECT coalesce(jsonb_object_agg(d.label, s.last_value), '{}')
      FROM decoy_counter.decoys d
      JOIN pg_sequences s ON s.schemaname = 'decoy_counter' AND s.sequencename = 'c' || d.n
     WHERE s.last_value IS NOT NULL
$f$;

-- the calls between two readings: their number and the decoys called
CREATE FUNCTION pg_temp.calls(c0 jsonb, c1 jsonb, OUT calls bigint, OUT called text)
LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $f$
    SELECT coalesce(sum(d), 0)::bigint,
           string_agg(format('%s x%s', k, d), ', ' ORDER BY k COLLATE pg_catalog."C")
      FROM (SELECT k, (v #>> '{}')::bigint - coalesce((c0 ->> k)::bigint, 0) AS d
              FROM jsonb_each(c1) AS e (k, v)) x
     WHERE d > 0
$f$;

-- Run setup, then query (whose rows are folded into one text), under
-- search_path "path" with fleetmig.migrations_dir "dir" and
-- fleetmig.models_dir "models", in a subtransaction that is always rolled
-- back; the result or the error, and the decoy calls made by the query.
-- Every name in this function is qualified: it runs under the path tested.
CREATE FUNCTION pg_temp.capture(path text, dir text, models text, setup text, query text,
    OUT result text, OUT calls bigint, OUT called text)
LANGUAGE plpgsql AS $f$
DECLARE
    c0 jsonb;
    c1 jsonb;
    state text;
    message text;
    detail text;
BEGIN
    BEGIN
        PERFORM pg_catalog.set_config('fleetmig.migrations_dir', dir, true);
        PERFORM pg_catalog.set_config('fleetmig.models_dir', models, true);
        -- the setup is the user's own SQL (migrations): it runs with
        -- pg_catalog first, so that its operators are pg_catalog's as in a
        -- clean database and the live schema is the same; the query is
        -- fleetmig's, under the path tested
        PERFORM pg_catalog.set_config('search_path', 'pg_catalog, ' || path, true);
        IF setup IS NOT NULL THEN
            EXECUTE setup;
        END IF;
        PERFORM pg_catalog.set_config('search_path', path, true);
        c0 := pg_temp.counters();
        EXECUTE pg_catalog.format(
            'SELECT COALESCE(pg_catalog.string_agg(q::pg_catalog.text, E''\n''), '''') FROM (%s) q', query)
            INTO result;
        c1 := pg_temp.counters();
        RAISE SQLSTATE 'DC0Y0';
    EXCEPTION
        WHEN SQLSTATE 'DC0Y0' THEN
            NULL;
        WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                                    detail = PG_EXCEPTION_DETAIL;
            result := pg_catalog.format('ERROR %s: %s (%s)', state, message, detail);
            c1 := pg_temp.counters();
            IF c0 IS NULL THEN
                c0 := c1;
            END IF;
    END;
    SELECT x.calls, x.called INTO calls, called FROM pg_temp.calls(c0, c1) x;
END
$f$;

--
-- The attacker: CREATE on public and a schema of its own, nothing in it yet
--
CREATE ROLE decoy_attacker;
GRANT CREATE ON SCHEMA public TO decoy_attacker;
CREATE SCHEMA decoy_attacker AUTHORIZATION decoy_attacker;
GRANT USAGE ON SCHEMA decoy_counter TO decoy_attacker;
GRANT EXECUTE ON FUNCTION decoy_counter.register(text), decoy_counter.mark(integer),
    decoy_counter.pass(integer) TO decoy_attacker;

--
-- What every function is run on: (name, migrations directory, models
-- directory, setup, query).  The setup runs under the same search path,
-- with pg_catalog put first (see capture()), and is not counted (each
-- command it uses is a case of its own).
--
CREATE TEMP TABLE paths (p integer PRIMARY KEY, path text, label text);
INSERT INTO paths VALUES
    (1, '"$user", public', 'default ("$user", public)'),
    (2, 'public, pg_catalog', 'public, pg_catalog'),
    (3, 'decoy_attacker, public, pg_catalog', 'decoy_attacker, public, pg_catalog');

CREATE TEMP TABLE cases (c integer PRIMARY KEY, name text, dir text, models text, setup text, query text);
\set nomodels '/nonexistent/models'
INSERT INTO cases VALUES
 (1, 'help()', :'migrations', :'nomodels', NULL,
  $$SELECT command, usage, description FROM fleetmig.help()$$),
 (2, 'history() on a partly applied branch', :'migrations', :'nomodels',
  $$SELECT fleetmig.upgrade('1cdca2e65dfc')$$,
  $$SELECT revision, down_revisions, message, file, created, branch_labels, depends_on,
           is_head, is_base, is_merge, is_branch_point, applied, applied_at IS NULL
      FROM fleetmig.history()$$),
 (3, 'heads() on a partly applied branch', :'migrations', :'nomodels',
  $$SELECT fleetmig.upgrade('1cdca2e65dfc')$$,
  $$SELECT revision, message, branch_labels, is_current FROM fleetmig.heads()$$),
 (4, 'current() on a partly applied branch', :'migrations', :'nomodels',
  $$SELECT fleetmig.upgrade('1cdca2e65dfc')$$,
  $$SELECT revision, message, is_head FROM fleetmig.current()$$),
 (5, 'branches()', :'migrations', :'nomodels', NULL,
  $$SELECT revision, message, children FROM fleetmig.branches()$$),
 (6, 'show(a5544b383b39)', :'migrations', :'nomodels', NULL,
  $$SELECT * FROM fleetmig.show('a5544b383b39')$$),
 (7, 'show(heads)', :'migrations', :'nomodels', NULL,
  $$SELECT * FROM fleetmig.show('heads')$$),
 (8, 'validate() at the head', :'migrations', :'nomodels',
  $$SELECT fleetmig.upgrade('head')$$,
  $$SELECT revision, problem, detail FROM fleetmig.validate()$$),
 (9, 'validate() with an unknown version row', :'migrations', :'nomodels',
  $$SELECT fleetmig.upgrade('head'); INSERT INTO fleetmig.version VALUES ('0000deadbeef')$$,
  $$SELECT revision, problem, detail FROM fleetmig.validate()$$),
 (10, 'check() without models, at the head', :'migrations', :'nomodels',
  $$SELECT fleetmig.upgrade('head')$$,
  $$SELECT fleetmig.check()$$),
 (11, 'check() without models, migrations pending', :'migrations', :'nomodels',
  $$SELECT fleetmig.upgrade('5ee6d1ef502b')$$,
  $$SELECT fleetmig.check()$$),
 (12, 'check() with models, no drift', :'migrations', '',
  $$SELECT fleetmig.upgrade('head')$$,
  $$SELECT fleetmig.check()$$),
 (13, 'check() with models, drift', :'migrations', '',
  $$SELECT fleetmig.upgrade('head'); ALTER TABLE drivers DROP COLUMN phone_number$$,
  $$SELECT fleetmig.check()$$),
 (14, 'upgrade()', :'migrations', :'nomodels', NULL,
  $$SELECT revision, message, direction, locks, rewrites FROM fleetmig.upgrade()$$),
 (15, 'upgrade(+2)', :'migrations', :'nomodels',
  $$SELECT fleetmig.upgrade('a5544b383b39')$$,
  $$SELECT revision, message, direction, locks, rewrites FROM fleetmig.upgrade('+2')$$),
 (16, 'upgrade(dry_run => true)', :'migrations', :'nomodels',
  $$SELECT fleetmig.upgrade('a5544b383b39')$$,
  $$SELECT revision, message, direction, locks, rewrites
      FROM fleetmig.upgrade('head', dry_run => true)$$),
 (17, 'downgrade()', :'migrations', :'nomodels',
  $$SELECT fleetmig.upgrade('head')$$,
  $$SELECT revision, message, direction, locks, rewrites FROM fleetmig.downgrade()$$),
 (18, 'downgrade(base)', :'migrations', :'nomodels',
  $$SELECT fleetmig.upgrade('head')$$,
  $$SELECT revision, message, direction, locks, rewrites FROM fleetmig.downgrade('base')$$),
 (19, 'downgrade(dry_run => true)', :'migrations', :'nomodels',
  $$SELECT fleetmig.upgrade('head')$$,
  $$SELECT revision, message, direction, locks, rewrites
      FROM fleetmig.downgrade('a5544b383b39', dry_run => true)$$),
 (20, 'stamp(head)', :'migrations', :'nomodels', NULL,
  $$SELECT revision, message FROM fleetmig.stamp('head')$$),
 (21, 'stamp(a5544b383b39, purge => true)', :'migrations', :'nomodels',
  $$SELECT fleetmig.upgrade('head')$$,
  $$SELECT revision, message FROM fleetmig.stamp('a5544b383b39', purge => true)$$),
 (22, 'upgrade_sql(head)', :'migrations', :'nomodels', NULL,
  $$SELECT fleetmig.upgrade_sql('head')$$),
 (23, 'upgrade_sql(head, from_revision)', :'migrations', :'nomodels', NULL,
  $$SELECT fleetmig.upgrade_sql('head', from_revision => 'a5544b383b39')$$),
 (24, 'downgrade_sql()', :'migrations', :'nomodels',
  $$SELECT fleetmig.upgrade('head')$$,
  $$SELECT fleetmig.downgrade_sql()$$),
 (25, 'init()', :'migrations', :'nomodels', NULL,
  $$SELECT revision, message, direction, locks, rewrites FROM fleetmig.init()$$),
 (26, 'test_roundtrip()', :'migrations', :'nomodels', NULL,
  $$SELECT revision, ok, problem FROM fleetmig.test_roundtrip()$$),
 (27, 'test_roundtrip() with a table left behind', :'collation_dir', :'nomodels', NULL,
  $$SELECT revision, ok, problem FROM fleetmig.test_roundtrip()$$),
 -- the new file, without the lines that differ from call to call; the
 -- directory keeps the files of earlier calls, so the setup stamps them
 (28, 'create(autogenerate => true)', :'migrations', :'models',
  format($$SELECT fleetmig.upgrade('5ee6d1ef502b');
           SELECT pg_catalog.set_config('fleetmig.migrations_dir', %L, true);
           SELECT fleetmig.stamp('heads', purge => true)$$, :'create_dir'),
  $$SELECT pg_catalog.regexp_replace(pg_catalog.pg_read_file(p),
               '^-- fleetmig:(revision|down_revision|created) .*$', '', 'gn')
      FROM fleetmig.create('decoy autogenerate', autogenerate => true) AS f (p)$$),
 -- a view in the live schema and the model: autogenerate deparses it
 (29, 'check() with models and a view', :'collation_dir', :'view_models',
  $$SELECT fleetmig.upgrade('head')$$,
  $$SELECT fleetmig.check()$$);

--
-- The results without decoys, in the same database, under each path
--
CREATE TEMP TABLE clean AS
SELECT c.c, p.p, x.*
  FROM cases c CROSS JOIN paths p
 CROSS JOIN LATERAL pg_temp.capture(p.path, c.dir, c.models, c.setup, c.query) x;

SELECT is((SELECT count(*)::integer FROM clean WHERE result IS NOT NULL), 87,
    'without decoys: every function under every path has a result');
SELECT is((SELECT string_agg(c || '/' || p, ', ') FROM clean WHERE result LIKE 'ERROR XX%'), NULL,
    'without decoys: no internal error');

--
-- The decoys, created by the attacker
--
SET ROLE decoy_attacker;
SET LOCAL search_path = pg_catalog;

-- operators: (operator, left type, right type, result type); the decoy
-- computes the result with the pg_catalog operator
CREATE TEMP TABLE decoy_operators (op text, l text, r text, res text);
INSERT INTO decoy_operators
SELECT op, l, r, 'pg_catalog.bool'
  FROM unnest(ARRAY['=', '<>', '<', '>', '<=', '>=']) AS o (op),
       (VALUES ('pg_catalog.oid', 'pg_catalog.oid'),
               ('pg_catalog.oid', 'pg_catalog.regclass'),
               ('pg_catalog.regclass', 'pg_catalog.oid'),
               ('pg_catalog.regclass', 'pg_catalog.regclass'),
               ('pg_catalog."char"', 'pg_catalog."char"'),
               ('pg_catalog.name', 'pg_catalog.name'),
               ('pg_catalog.name', 'pg_catalog.text'),
               ('pg_catalog.text', 'pg_catalog.name'),
               ('pg_catalog.text', 'pg_catalog.text'),
               ('pg_catalog.int2', 'pg_catalog.int2'),
               ('pg_catalog.int2', 'pg_catalog.int4'),
               ('pg_catalog.int4', 'pg_catalog.int2'),
               ('pg_catalog.int4', 'pg_catalog.int4'),
               ('pg_catalog.int8', 'pg_catalog.int8'),
               ('pg_catalog.bool', 'pg_catalog.bool')) AS t (l, r)
UNION ALL
SELECT op, l, r, 'pg_catalog.bool'
  FROM unnest(ARRAY['~', '!~', '~~', '!~~']) AS o (op),
       (VALUES ('pg_catalog.text', 'pg_catalog.text'),
               ('pg_catalog.name', 'pg_catalog.text')) AS t (l, r)
UNION ALL
VALUES ('||', 'pg_catalog.text', 'pg_catalog.text', 'pg_catalog.text'),
       ('+', 'pg_catalog.int4', 'pg_catalog.int4', 'pg_catalog.int4'),
       ('+', 'pg_catalog.int2', 'pg_catalog.int4', 'pg_catalog.int4');

-- functions: (name, arguments, result, the real call); "plausible"
-- signatures include the exact types fleetmig passes (which beat
-- pg_catalog's own when those need a coercion) and text for an untyped
-- literal or NULL (the preferred type)
CREATE TEMP TABLE decoy_functions (name text, args text, res text, body text);
INSERT INTO decoy_functions VALUES
 ('format', 'pg_catalog.text', 'pg_catalog.text', 'pg_catalog.format($1)'),
 ('format', 'pg_catalog.text, pg_catalog.text', 'pg_catalog.text', 'pg_catalog.format($1, $2)'),
 ('format', 'pg_catalog.text, pg_catalog.text, pg_catalog.text', 'pg_catalog.text', 'pg_catalog.format($1, $2, $3)'),
 ('format', 'pg_catalog.text, pg_catalog.int8, pg_catalog.int8, pg_catalog.text', 'pg_catalog.text', 'pg_catalog.format($1, $2, $3, $4)'),
 ('format', 'pg_catalog.text, pg_catalog.int8, pg_catalog.text', 'pg_catalog.text', 'pg_catalog.format($1, $2, $3)'),
 ('format', 'pg_catalog.text, VARIADIC pg_catalog.text[]', 'pg_catalog.text', 'pg_catalog.format($1, VARIADIC $2)'),
 ('quote_ident', 'pg_catalog.text', 'pg_catalog.text', 'pg_catalog.quote_ident($1)'),
 ('quote_ident', 'pg_catalog.name', 'pg_catalog.text', 'pg_catalog.quote_ident($1)'),
 ('quote_literal', 'pg_catalog.text', 'pg_catalog.text', 'pg_catalog.quote_literal($1)'),
 ('md5', 'pg_catalog.text', 'pg_catalog.text', 'pg_catalog.md5($1)'),
 ('split_part', 'pg_catalog.text, pg_catalog.text, pg_catalog.int4', 'pg_catalog.text', 'pg_catalog.split_part($1, $2, $3)'),
 ('substr', 'pg_catalog.text, pg_catalog.int4', 'pg_catalog.text', 'pg_catalog.substr($1, $2)'),
 ('strpos', 'pg_catalog.text, pg_catalog.text', 'pg_catalog.int4', 'pg_catalog.strpos($1, $2)'),
 ('upper', 'pg_catalog.text', 'pg_catalog.text', 'pg_catalog.upper($1)'),
 ('format_type', 'pg_catalog.oid, pg_catalog.int4', 'pg_catalog.text', 'pg_catalog.format_type($1, $2)'),
 ('format_type', 'pg_catalog.oid, pg_catalog.text', 'pg_catalog.text', 'pg_catalog.format_type($1, NULL)'),
 ('pg_get_viewdef', 'pg_catalog.oid', 'pg_catalog.text', 'pg_catalog.pg_get_viewdef($1)'),
 ('pg_get_viewdef', 'pg_catalog.oid, pg_catalog.bool', 'pg_catalog.text', 'pg_catalog.pg_get_viewdef($1, $2)'),
 ('pg_get_expr', 'pg_catalog.pg_node_tree, pg_catalog.oid', 'pg_catalog.text', 'pg_catalog.pg_get_expr($1, $2)'),
 ('pg_get_expr', 'pg_catalog.pg_node_tree, pg_catalog.oid, pg_catalog.bool', 'pg_catalog.text', 'pg_catalog.pg_get_expr($1, $2, $3)'),
 ('pg_get_constraintdef', 'pg_catalog.oid', 'pg_catalog.text', 'pg_catalog.pg_get_constraintdef($1)'),
 ('pg_get_constraintdef', 'pg_catalog.oid, pg_catalog.bool', 'pg_catalog.text', 'pg_catalog.pg_get_constraintdef($1, $2)'),
 ('pg_get_indexdef', 'pg_catalog.oid', 'pg_catalog.text', 'pg_catalog.pg_get_indexdef($1)'),
 ('pg_get_indexdef', 'pg_catalog.oid, pg_catalog.int4, pg_catalog.bool', 'pg_catalog.text', 'pg_catalog.pg_get_indexdef($1, $2, $3)'),
 ('pg_get_triggerdef', 'pg_catalog.oid', 'pg_catalog.text', 'pg_catalog.pg_get_triggerdef($1)'),
 ('pg_get_function_identity_arguments', 'pg_catalog.oid', 'pg_catalog.text', 'pg_catalog.pg_get_function_identity_arguments($1)'),
 ('pg_get_function_result', 'pg_catalog.oid', 'pg_catalog.text', 'pg_catalog.pg_get_function_result($1)'),
 ('pg_describe_object', 'pg_catalog.oid, pg_catalog.oid, pg_catalog.int4', 'pg_catalog.text', 'pg_catalog.pg_describe_object($1, $2, $3)'),
 ('obj_description', 'pg_catalog.oid', 'pg_catalog.text', 'pg_catalog.obj_description($1)'),
 ('obj_description', 'pg_catalog.oid, pg_catalog.name', 'pg_catalog.text', 'pg_catalog.obj_description($1, $2)'),
 ('obj_description', 'pg_catalog.oid, pg_catalog.text', 'pg_catalog.text', 'pg_catalog.obj_description($1, $2::pg_catalog.name)'),
 ('col_description', 'pg_catalog.oid, pg_catalog.int4', 'pg_catalog.text', 'pg_catalog.col_description($1, $2)'),
 ('col_description', 'pg_catalog.oid, pg_catalog.int2', 'pg_catalog.text', 'pg_catalog.col_description($1, $2)'),
 ('pg_backend_pid', '', 'pg_catalog.int4', 'pg_catalog.pg_backend_pid()'),
 ('clock_timestamp', '', 'pg_catalog.timestamptz', 'pg_catalog.clock_timestamp()'),
 ('nextval', 'pg_catalog.regclass', 'pg_catalog.int8', 'pg_catalog.nextval($1)'),
 ('nextval', 'pg_catalog.text', 'pg_catalog.int8', 'pg_catalog.nextval($1::pg_catalog.regclass)'),
 ('setval', 'pg_catalog.regclass, pg_catalog.int8', 'pg_catalog.int8', 'pg_catalog.setval($1, $2)'),
 ('pg_get_serial_sequence', 'pg_catalog.text, pg_catalog.text', 'pg_catalog.text', 'pg_catalog.pg_get_serial_sequence($1, $2)'),
 ('pg_advisory_lock', 'pg_catalog.int8', 'pg_catalog.void', 'pg_catalog.pg_advisory_lock($1)'),
 ('pg_advisory_unlock', 'pg_catalog.int8', 'pg_catalog.bool', 'pg_catalog.pg_advisory_unlock($1)'),
 ('pg_advisory_xact_lock', 'pg_catalog.int8', 'pg_catalog.void', 'pg_catalog.pg_advisory_xact_lock($1)'),
 ('unnest', 'pg_catalog.text[]', 'SETOF pg_catalog.text', 'pg_catalog.unnest($1)'),
 ('unnest', 'pg_catalog.int2[]', 'SETOF pg_catalog.int2', 'pg_catalog.unnest($1)'),
 ('unnest', 'pg_catalog.timestamptz[]', 'SETOF pg_catalog.timestamptz', 'pg_catalog.unnest($1)'),
 ('unnest', 'pg_catalog.interval[]', 'SETOF pg_catalog.interval', 'pg_catalog.unnest($1)'),
 ('pg_identify_object', 'classid pg_catalog.oid, objid pg_catalog.oid, objsubid pg_catalog.int4, OUT type pg_catalog.text, OUT schema pg_catalog.text, OUT name pg_catalog.text, OUT identity pg_catalog.text',
  'record', '* FROM pg_catalog.pg_identify_object($1, $2, $3)');

-- aggregates: (name, arguments, state type, transition, final result)
CREATE TEMP TABLE decoy_aggregates (name text, args text, stype text, step text);
INSERT INTO decoy_aggregates VALUES
 ('count', '*', 'pg_catalog.int8', '$1 OPERATOR(pg_catalog.+) 1'),
 ('count', 'pg_catalog.text', 'pg_catalog.int8',
  'CASE WHEN $2 IS NULL THEN $1 ELSE $1 OPERATOR(pg_catalog.+) 1 END'),
 ('max', 'pg_catalog.int8', 'pg_catalog.int8',
  'CASE WHEN $1 IS NULL THEN $2 WHEN $2 IS NULL THEN $1 ELSE pg_catalog.int8larger($1, $2) END'),
 ('string_agg', 'pg_catalog.text, pg_catalog.text', 'pg_catalog.text',
  'CASE WHEN $2 IS NULL THEN $1 WHEN $1 IS NULL THEN $2 ELSE $1 OPERATOR(pg_catalog.||) COALESCE($3, '''') OPERATOR(pg_catalog.||) $2 END'),
 ('array_agg', 'pg_catalog.name', 'pg_catalog.name[]', 'pg_catalog.array_append($1, $2)'),
 ('array_agg', 'pg_catalog.text', 'pg_catalog.text[]', 'pg_catalog.array_append($1, $2)');

DO $do$
DECLARE
    s text;
    o record;
    n integer;
    f text;
BEGIN
    FOREACH s IN ARRAY ARRAY['public', 'decoy_attacker'] LOOP
        FOR o IN SELECT * FROM decoy_operators LOOP
            n := decoy_counter.register(format('%I.%s(%s, %s)', s, o.op, o.l, o.r));
            f := format('%I.decoy_op_%s', s, n);
            EXECUTE format('CREATE FUNCTION %s(%s, %s) RETURNS %s LANGUAGE sql'
                           ' SET search_path = pg_catalog, pg_temp'
                           ' AS $b$ SELECT decoy_counter.mark(%s); SELECT $1 OPERATOR(pg_catalog.%s) $2 $b$',
                           f, o.l, o.r, o.res, n, o.op);
            EXECUTE format('CREATE OPERATOR %I.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = %s)',
                           s, o.op, o.l, o.r, f);
        END LOOP;
        FOR o IN SELECT * FROM decoy_functions LOOP
            n := decoy_counter.register(format('%I.%s(%s)', s, o.name, o.args));
            EXECUTE format('CREATE FUNCTION %I.%I(%s) RETURNS %s LANGUAGE sql'
                           ' SET search_path = pg_catalog, pg_temp'
                           ' AS $b$ SELECT decoy_counter.mark(%s); SELECT %s $b$',
                           s, o.name, o.args, o.res, n, o.body);
        END LOOP;
        FOR o IN SELECT * FROM decoy_aggregates LOOP
            n := decoy_counter.register(format('%I.%s(%s)', s, o.name, o.args));
            f := format('%I.decoy_step_%s', s, n);
            EXECUTE format('CREATE FUNCTION %s(%s%s) RETURNS %s LANGUAGE sql'
                           ' SET search_path = pg_catalog, pg_temp'
                           ' AS $b$ SELECT decoy_counter.mark(%s); SELECT %s $b$',
                           f, o.stype, CASE WHEN o.args = '*' THEN '' ELSE ', ' || o.args END,
                           o.stype, n, o.step);
            EXECUTE format('CREATE AGGREGATE %I.%I(%s) (SFUNC = %s, STYPE = %s%s)',
                           s, o.name, o.args, f, o.stype,
                           CASE WHEN o.name = 'count' THEN ', INITCOND = 0' ELSE '' END);
        END LOOP;
        -- a collation "C" that does not sort bytewise
        EXECUTE format('CREATE COLLATION %I."C" (provider = icu, locale = %L)', s, 'und');
        -- domains named like the types fleetmig casts to (not those the
        -- migrations and models name, such as text or date): an unqualified
        -- cast would take the domain, whose CHECK counts the call
        FOREACH f IN ARRAY ARRAY['oid', 'regclass', 'regrole', 'regtype', 'regcollation',
                                 'char', 'name', 'int2', 'int4', 'int8', 'bool'] LOOP
            n := decoy_counter.register(format('%I.%I (domain)', s, f));
            EXECUTE format('CREATE DOMAIN %I.%I AS pg_catalog.%I CHECK (decoy_counter.pass(%s))',
                           s, f, f, n);
        END LOOP;
    END LOOP;
END
$do$;
RESET ROLE;
SET LOCAL search_path = pg_catalog, public;

SELECT is((SELECT count(*)::integer FROM decoy_counter.decoys),
          2 * ((SELECT count(*)::integer FROM decoy_operators) + (SELECT count(*)::integer FROM decoy_functions)
               + (SELECT count(*)::integer FROM decoy_aggregates) + 11),
          'the attacker created every decoy operator, function, aggregate and domain in public and in its own schema');
SELECT is((SELECT count(*)::integer FROM pg_collation
            WHERE collname = 'C' AND collnamespace IN ('public'::regnamespace, 'decoy_attacker'::regnamespace)), 2,
          'the attacker created a collation "C" in public and in its own schema');
SELECT is((SELECT count(*)::integer FROM pg_type
            WHERE typtype = 'd' AND typnamespace IN ('public'::regnamespace, 'decoy_attacker'::regnamespace)), 22,
          'the attacker created the decoy domains in public and in its own schema');

--
-- Positive controls: SQL that does not qualify its names reaches each kind
-- of decoy
--
SELECT is((pg_temp.capture('public, pg_catalog', :'migrations', '', NULL,
              $$SELECT 'r'::pg_catalog."char" = 'r'::pg_catalog."char"$$)).called,
          'public.=(pg_catalog."char", pg_catalog."char") x1',
          'control: an unqualified "char" = "char" calls public''s decoy under public, pg_catalog');
SELECT is((pg_temp.capture('decoy_attacker, public, pg_catalog', :'migrations', '', NULL,
              $$SELECT c.relkind IN ('r') FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass$$)).called,
          'decoy_attacker.=(pg_catalog."char", pg_catalog."char") x1',
          'control: an IN list on "char" calls the attacker''s decoy under decoy_attacker, public, pg_catalog');
SELECT is((pg_temp.capture('"$user", public', :'migrations', '', NULL,
              $$SELECT CASE 1::pg_catalog.oid WHEN 'pg_catalog.pg_class'::pg_catalog.regclass THEN 1 END$$)).called,
          'public.=(pg_catalog.oid, pg_catalog.regclass) x1',
          'control: a CASE comparing oid with regclass calls public''s decoy even under the default search path');
SELECT is((pg_temp.capture('"$user", public', :'migrations', '', NULL,
              $$SELECT pg_catalog.col_description(0::pg_catalog.oid, 1::pg_catalog.int4),
                       col_description(0::pg_catalog.oid, 1::pg_catalog.int2)$$)).called,
          'public.col_description(pg_catalog.oid, pg_catalog.int2) x1',
          'control: an unqualified function whose exact signature only the decoy has is called under the default search path');
SELECT is((pg_temp.capture('public, pg_catalog', :'migrations', '', NULL,
              $$SELECT count(*), format('%s', 'x'::pg_catalog.text) FROM pg_catalog.pg_namespace
                 WHERE nspname OPERATOR(pg_catalog.=) 'public'$$)).called,
          'public.count(*) x1, public.format(pg_catalog.text, pg_catalog.text) x1',
          'control: unqualified aggregates and functions call public''s decoys under public, pg_catalog');
SELECT is((pg_temp.capture('public, pg_catalog', :'migrations', '', NULL,
              $$SELECT x FROM (VALUES ('t.a'), ('t_x.a')) v (x) ORDER BY x COLLATE "C"$$)).result,
          E'(t_x.a)\n(t.a)',
          'control: an unqualified COLLATE "C" takes public''s ICU collation under public, pg_catalog');
SELECT is((pg_temp.capture('public, pg_catalog', :'migrations', '', NULL,
              $$SELECT 1::int8$$)).called,
          'public.int8 (domain) x1',
          'control: an unqualified cast takes public''s domain under public, pg_catalog');
SELECT is((pg_temp.capture('public, pg_catalog', :'migrations', '', NULL,
              $$SELECT pg_catalog.count(*), pg_catalog.format('%s', 'x'::pg_catalog.text),
                       'r'::pg_catalog."char" OPERATOR(pg_catalog.=) 'r'::pg_catalog."char"
                  FROM pg_catalog.pg_namespace WHERE nspname OPERATOR(pg_catalog.=) 'public'
                 ORDER BY 1 COLLATE pg_catalog."C"$$)).calls,
          0::bigint,
          'control: the same SQL qualified calls no decoy');

--
-- Every function under every path: no decoy called, the same result
--
CREATE TEMP TABLE decoyed AS
SELECT c.c, p.p, x.*
  FROM cases c CROSS JOIN paths p
 CROSS JOIN LATERAL pg_temp.capture(p.path, c.dir, c.models, c.setup, c.query) x;

-- (is() runs in the order of the rows: the sort is done below it)
SELECT is(x.calls, 0::bigint, format('%s under search_path %s: no decoy called', x.name, x.label))
       || CASE WHEN x.calls > 0 THEN E'\n' || diag('decoys called: ' || x.called) ELSE '' END
  FROM (SELECT d.calls, d.called, c.name, p.label
          FROM decoyed d JOIN cases c USING (c) JOIN paths p USING (p)
         ORDER BY d.c, d.p) x;

SELECT is(x.result, x.expected,
          format('%s under search_path %s: the same result as without decoys', x.name, x.label))
  FROM (SELECT d.result, k.result AS expected, c.name, p.label
          FROM decoyed d JOIN clean k USING (c, p) JOIN cases c USING (c) JOIN paths p USING (p)
         ORDER BY d.c, d.p) x;

SELECT * FROM finish();
ROLLBACK;
