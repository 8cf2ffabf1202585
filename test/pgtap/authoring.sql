-- create() and merge() (SPEC §7) and upgrade_sql() / downgrade_sql() (SPEC §5)
-- on the writable fixture authoring_tap, which the staging script makes with
-- only a script.sql.tmpl whose upgrade creates t_<revision> and whose
-- downgrade drops it.
--
-- The files create() and merge() write stay on disk when the transaction
-- rolls back; every file count below is therefore relative to the count at
-- the start, and every revision is found through the path create() returns.
-- The test command stages a fresh copy of the fixtures for every run.
\getenv fixtures FLEETMIG_FIXTURES
\set dir :fixtures /authoring_tap
SET fleetmig.migrations_dir = :'dir';
BEGIN;
SELECT plan(160);
SET LOCAL client_min_messages = warning;

-- The migration files (*.sql) of the configured directory.
CREATE FUNCTION pg_temp.files() RETURNS int
LANGUAGE sql AS $f$
    SELECT count(*)::int FROM pg_ls_dir(current_setting('fleetmig.migrations_dir')) AS f(name)
     WHERE name LIKE '%.sql'
$f$;

-- The last component of a path.
CREATE FUNCTION pg_temp.name_of(path text) RETURNS text
LANGUAGE sql IMMUTABLE AS $f$
    SELECT substring(path FROM '[^/]*$')
$f$;

-- The revision id in the name of a file create() or merge() wrote.
CREATE FUNCTION pg_temp.rev_of(path text) RETURNS text
LANGUAGE sql IMMUTABLE AS $f$
    SELECT substring(path FROM '/\d{8}_\d{4}_([0-9a-f]{12})_[^/]*\.sql$')
$f$;

-- fleetmig.version as one string, '' when empty
CREATE FUNCTION pg_temp.version() RETURNS text
LANGUAGE sql AS $f$
    SELECT coalesce(string_agg(revision, ', ' ORDER BY revision), '') FROM fleetmig.version
$f$;

-- Run a query that returns one text; its value, or 'SQLSTATE: message' of
-- the error it raises.  Callable under SET ROLE, where pgTAP's own
-- bookkeeping tables are out of reach.
CREATE FUNCTION pg_temp.try(query text) RETURNS text
LANGUAGE plpgsql AS $f$
DECLARE
    result text;
BEGIN
    EXECUTE query INTO result;
    RETURN result;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$f$;

-- The lines of a script that start with a prefix, in order, as the text
-- after the prefix.
CREATE FUNCTION pg_temp.lines(script text, prefix text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $f$
    SELECT coalesce(array_agg(substr(line, length(prefix) + 1) ORDER BY n), '{}')
      FROM regexp_split_to_table(script, E'\n') WITH ORDINALITY AS l(line, n)
     WHERE starts_with(line, prefix)
$f$;

-- The revision ids of the "-- Running <direction> a -> b, message" lines.
CREATE FUNCTION pg_temp.steps(script text, direction text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $f$
    SELECT coalesce(array_agg(
               CASE direction
                   WHEN 'upgrade' THEN substring(l FROM '-> ([0-9a-f]{12})')
                   ELSE substring(l FROM '^([0-9a-f]{12}) ->') END
               ORDER BY n), '{}')
      FROM unnest(pg_temp.lines(script, '-- Running ' || direction || ' ')) WITH ORDINALITY AS s(l, n)
$f$;

-- start from an empty fleetmig.version whatever the database holds (all
-- rolled back)
SELECT lives_ok($$SELECT fleetmig.stamp('base', purge => true)$$,
    'start from an empty fleetmig.version');
SELECT pg_temp.files() AS files0 \gset
SELECT is(:files0, 0, 'the directory starts with only the template (a fresh staging: fleetmig_stage)');

--
-- A first revision: a base
--
SELECT fleetmig.create('create base') AS base_path \gset
SELECT pg_temp.rev_of(:'base_path') AS base \gset
SELECT matches(pg_temp.name_of(:'base_path'), '^\d{8}_\d{4}_[0-9a-f]{12}_create_base\.sql$',
    'create: the file name is YYYYMMDD_HHMM_<revision>_<slug>.sql');
SELECT is(:'base_path', :'dir' || '/' || pg_temp.name_of(:'base_path'),
    'create: the path returned is the file in the configured directory');
SELECT is(pg_temp.files(), :files0 + 1, 'create: one file more in the directory');
SELECT ok(pg_temp.name_of(:'base_path') IN (SELECT pg_ls_dir(:'dir')),
    'create: the file is listed in the directory');
SELECT results_eq(
    format($$SELECT revision, down_revisions, message, file, branch_labels, depends_on,
                    is_head, is_base, is_merge, applied
               FROM fleetmig.history() WHERE revision = %L$$, :'base'),
    format($$VALUES (%L::text, '{}'::text[], 'create base'::text, %L::text, '{}'::text[],
                     '{}'::text[], true, true, false, false)$$, :'base', pg_temp.name_of(:'base_path')),
    'create: history() has the new revision, a base, with its message');
SELECT ok((SELECT created BETWEEN date_trunc('second', now() AT TIME ZONE 'UTC')
                              AND clock_timestamp() AT TIME ZONE 'UTC'
             FROM fleetmig.history() WHERE revision = :'base'),
    'create: created is the time of the call, in UTC');
SELECT is((SELECT to_char(created, 'YYYYMMDD_HH24MI') FROM fleetmig.history() WHERE revision = :'base'),
    left(pg_temp.name_of(:'base_path'), 13),
    'create: the file name starts with the created stamp');
SELECT is(pg_read_file(:'base_path'),
    format(E'-- fleetmig:revision      %s\n'
           '-- fleetmig:down_revision none\n'
           '-- fleetmig:message       create base\n'
           '-- fleetmig:created       %s\n'
           '\n'
           '-- fleetmig:upgrade\n'
           'CREATE TABLE t_%s (id int);\n'
           '\n'
           '\n'
           '-- fleetmig:downgrade\n'
           'DROP TABLE t_%s;\n'
           '\n',
           :'base', (SELECT created FROM fleetmig.history() WHERE revision = :'base'), :'base', :'base'),
    'create: the file is the template filled in; the empty branch_labels and depends_on lines are left out');
SELECT results_eq(format($$SELECT upgrade_sql, downgrade_sql FROM fleetmig.show(%L)$$, :'base'),
    format($$VALUES (%L::text, %L::text)$$,
           format('CREATE TABLE t_%s (id int);', :'base'), format('DROP TABLE t_%s;', :'base')),
    'create: show() has the sections of the template');
SELECT results_eq($$SELECT revision FROM fleetmig.upgrade('head')$$,
    format($$VALUES (%L::text)$$, :'base'),
    'create: upgrade(head) runs the new revision');
SELECT has_table('public', 't_' || :'base', 'create: upgrade(head) created the table of the template');
SELECT is(pg_temp.version(), :'base', 'create: fleetmig.version is the new revision');

--
-- Two branches on the base, one with a label
--
SELECT fleetmig.create('trunk') AS trunk_path \gset
SELECT pg_temp.rev_of(:'trunk_path') AS trunk \gset
SELECT fleetmig.create('feature', head => :'base', branch_label => 'feature') AS feature_path \gset
SELECT pg_temp.rev_of(:'feature_path') AS feature \gset
SELECT is(pg_temp.files(), :files0 + 3, 'branches: two files more');
SELECT results_eq(
    format($$SELECT revision, down_revisions, branch_labels FROM fleetmig.history()
              WHERE revision IN (%L, %L) ORDER BY message DESC$$, :'trunk', :'feature'),
    format($$VALUES (%L::text, ARRAY[%L]::text[], '{}'::text[]), (%L, ARRAY[%L], '{feature}')$$,
           :'trunk', :'base', :'feature', :'base'),
    'branches: both on the base, the feature revision carries its label');
SELECT ok(pg_read_file(:'feature_path') LIKE E'%\n-- fleetmig:branch_labels feature\n%',
    'branches: the file has a branch_labels line');
SELECT ok(pg_read_file(:'trunk_path') NOT LIKE '%branch_labels%' AND pg_read_file(:'trunk_path') NOT LIKE '%depends_on%',
    'branches: a file without labels or dependencies has no lines for them');
SELECT set_eq($$SELECT revision FROM fleetmig.heads()$$,
    ARRAY[:'trunk', :'feature'], 'branches: heads() has both');
SELECT results_eq($$SELECT revision, branch_labels FROM fleetmig.show('feature')$$,
    format($$VALUES (%L::text, '{feature}'::text[])$$, :'feature'),
    'branches: show(feature) is the revision with the label');
SELECT ok((SELECT is_branch_point FROM fleetmig.history() WHERE revision = :'base'),
    'branches: the base is a branch point');

-- with two heads there is no "head" to write on
SELECT throws_ok($$SELECT fleetmig.create('x')$$, '22023',
    'multiple heads are present for target "head"',
    'two heads: create() on the default head fails');
SELECT is(pg_temp.files(), :files0 + 3, 'two heads: no file written');

SELECT set_eq($$SELECT revision FROM fleetmig.upgrade('heads')$$,
    ARRAY[:'trunk', :'feature'], 'branches: upgrade(heads) runs both');
SELECT has_table('public', 't_' || :'trunk', 'branches: the trunk table exists');
SELECT has_table('public', 't_' || :'feature', 'branches: the feature table exists');
SELECT set_eq($$SELECT revision FROM fleetmig.current()$$,
    ARRAY[:'trunk', :'feature'], 'branches: current() has both heads');

--
-- merge()
--
SELECT fleetmig.merge('merge feature') AS merge_path \gset
SELECT pg_temp.rev_of(:'merge_path') AS merge \gset
SELECT matches(pg_temp.name_of(:'merge_path'), '^\d{8}_\d{4}_[0-9a-f]{12}_merge_feature\.sql$',
    'merge: the file name');
SELECT is(pg_temp.files(), :files0 + 4, 'merge: one file more');
SELECT results_eq(
    format($$SELECT (SELECT array_agg(d ORDER BY d) FROM unnest(down_revisions) d), message, is_merge
               FROM fleetmig.history() WHERE revision = %L$$, :'merge'),
    format($$SELECT (SELECT array_agg(d ORDER BY d) FROM unnest(ARRAY[%L, %L]::text[]) d), 'merge feature'::text, true$$,
           :'trunk', :'feature'),
    'merge: the merge revision has both heads as down_revisions');
SELECT results_eq($$SELECT revision FROM fleetmig.heads()$$,
    format($$VALUES (%L::text)$$, :'merge'), 'merge: heads() has one head, the merge');
SELECT results_eq($$SELECT revision FROM fleetmig.upgrade('head')$$,
    format($$VALUES (%L::text)$$, :'merge'), 'merge: upgrade(head) runs the merge');
SELECT has_table('public', 't_' || :'merge', 'merge: the merge table exists');
SELECT results_eq($$SELECT revision, is_head FROM fleetmig.current()$$,
    format($$VALUES (%L::text, true)$$, :'merge'), 'merge: current() is the merge');
SELECT throws_ok($$SELECT * FROM fleetmig.downgrade('-1')$$, '22023', NULL,
    'merge: downgrade(-1) does not unmerge');
SELECT is(pg_temp.version(), :'merge', 'merge: the failed downgrade changed nothing');
SELECT results_eq(format($$SELECT revision, direction FROM fleetmig.downgrade(%L)$$, :'trunk'),
    format($$VALUES (%L::text, 'downgrade'::text)$$, :'merge'),
    'merge: downgrade(<trunk>) takes back the merge only');
SELECT set_eq($$SELECT revision FROM fleetmig.current()$$,
    ARRAY[:'trunk', :'feature'], 'merge: down to one parent leaves both lines applied');
SELECT hasnt_table('public', 't_' || :'merge', 'merge: the merge table is gone');
SELECT results_eq($$SELECT revision FROM fleetmig.upgrade('head')$$,
    format($$VALUES (%L::text)$$, :'merge'), 'merge: upgrade(head) runs the merge again');

--
-- depends_on, and the refusals that write nothing
--
SELECT fleetmig.create('needs the feature', depends_on => ARRAY['feature']) AS dep_path \gset
SELECT pg_temp.rev_of(:'dep_path') AS dep \gset
SELECT results_eq(
    format($$SELECT down_revisions, depends_on FROM fleetmig.history() WHERE revision = %L$$, :'dep'),
    format($$VALUES (ARRAY[%L]::text[], '{feature}'::text[])$$, :'merge'),
    'depends_on: recorded, on top of the head');
SELECT ok(pg_read_file(:'dep_path') LIKE E'%\n-- fleetmig:depends_on    feature\n%',
    'depends_on: the file has a depends_on line');
SELECT is(pg_temp.files(), :files0 + 5, 'depends_on: one file more');
SELECT results_eq($$SELECT revision FROM fleetmig.upgrade('head')$$,
    format($$VALUES (%L::text)$$, :'dep'), 'depends_on: upgrade(head) runs it');

SELECT throws_ok($$SELECT fleetmig.create('x', depends_on => ARRAY['nosuch'])$$, '22023',
    'can''t locate revision identified by ''nosuch''', 'create: an unknown depends_on fails');
SELECT throws_ok($$SELECT fleetmig.create('x', depends_on => ARRAY['feature', NULL])$$, '22004',
    NULL, 'create: a NULL in depends_on fails');
SELECT throws_ok($$SELECT fleetmig.create('x', head => 'nosuch')$$, '22023', NULL,
    'create: an unknown head fails');
SELECT throws_ok($$SELECT fleetmig.create('x', branch_label => 'feature')$$, '42710',
    'branch label "feature" is already used', 'create: a label in use fails');
SELECT throws_ok(format($$SELECT fleetmig.create('x', branch_label => %L)$$, :'trunk'), '42710',
    NULL, 'create: a label that is a revision id fails');
SELECT throws_ok($$SELECT fleetmig.create('x', branch_label => 'head')$$, '42602',
    'invalid branch label "head"', 'create: a reserved label fails');
SELECT throws_ok($$SELECT fleetmig.create('x', branch_label => 'no-dashes')$$, '42602',
    NULL, 'create: a label with a dash fails');
SELECT throws_ok($$SELECT fleetmig.create('x', branch_label => '')$$, '42602',
    NULL, 'create: an empty label fails');
SELECT throws_ok($$SELECT fleetmig.merge('m')$$, '22023',
    'a merge needs at least two revisions', 'merge: one head fails');
SELECT throws_ok(format($$SELECT fleetmig.merge('m', ARRAY['feature', %L])$$, :'feature'), '22023',
    'a merge needs at least two revisions', 'merge: the same revision twice is one revision');
SELECT throws_ok($$SELECT fleetmig.merge('m', ARRAY['head', 'nosuch'])$$, '22023',
    NULL, 'merge: an unknown revision fails');
SELECT throws_ok($$SELECT fleetmig.create('x', autogenerate => true)$$, '58P01',
    NULL, 'create: autogenerate without a models directory fails');
SELECT throws_ok($$SELECT fleetmig.create(NULL)$$, '22004',
    NULL, 'create: a NULL message fails');
SELECT is(pg_temp.files(), :files0 + 5, 'refusals: no file written by any of them');
SELECT is(pg_temp.version(), :'dep', 'refusals: fleetmig.version unchanged');

--
-- Hostile messages: the file name stays a plain name in the directory, the
-- message comes back as given, folded onto one line
--
CREATE TEMP TABLE hostile (
    n        int PRIMARY KEY,
    label    text NOT NULL,
    message  text NOT NULL,
    folded   text NOT NULL,     -- the message history() must show
    slug     text NOT NULL,     -- the file name part
    path     text
);
INSERT INTO hostile (n, label, message, folded, slug) VALUES
    (1, 'path traversal', '../../x', '../../x', 'x'),
    (2, 'quotes and backslashes', 'it''s "quoted" with \backslashes\ and \n literal',
        'it''s "quoted" with \backslashes\ and \n literal', 'it_s_quoted_with_backslashes_and_n_liter'),
    (3, 'line breaks', E'line one\nline two\r\n\r\nline three', 'line one line two line three',
        'line_one_line_two_line_three'),
    (4, '10 kB', repeat('fleet ', 2000), rtrim(repeat('fleet ', 2000)),
        'fleet_fleet_fleet_fleet_fleet_fleet_flee'),
    (5, 'non-ASCII', 'ajouter le numéro de téléphone 🚚', 'ajouter le numéro de téléphone 🚚',
        'ajouter_le_num_ro_de_t_l_phone'),
    (6, 'directives and placeholders', E'x\n-- fleetmig:upgrade\nDROP TABLE t_${revision}; ${nosuch} ${message}',
        'x -- fleetmig:upgrade DROP TABLE t_${revision}; ${nosuch} ${message}',
        'x_fleetmig_upgrade_drop_table_t_revision'),
    (7, 'punctuation only', '!?.,;:-_/\()[]{}''"`~@#$%^&*+=|<>', '!?.,;:-_/\()[]{}''"`~@#$%^&*+=|<>',
        'migration'),
    (8, 'white space at the ends', E' \t\n tabs\tinside \r\n', E'tabs\tinside', 'tabs_inside'),
    (9, 'block comment opener', 'starts a /* comment', 'starts a /* comment', 'starts_a_comment');
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT n, message FROM hostile ORDER BY n LOOP
        UPDATE hostile SET path = fleetmig.create(r.message) WHERE n = r.n;
    END LOOP;
END
$$;
SELECT matches(pg_temp.name_of(path), '^\d{8}_\d{4}_[0-9a-f]{12}_[a-z0-9_]{1,40}\.sql$',
           'hostile message, ' || label || ': a plain file name')
  FROM hostile ORDER BY n;
SELECT is(substring(pg_temp.name_of(path) FROM '^\d{8}_\d{4}_[0-9a-f]{12}_(.*)\.sql$'), slug,
           'hostile message, ' || label || ': the slug is ' || slug)
  FROM hostile ORDER BY n;
SELECT ok(path = :'dir' || '/' || pg_temp.name_of(path)
          AND pg_temp.name_of(path) IN (SELECT pg_ls_dir(:'dir')),
           'hostile message, ' || label || ': the file is directly in the directory')
  FROM hostile ORDER BY n;
SELECT is((SELECT h.message FROM fleetmig.history() h WHERE h.revision = pg_temp.rev_of(path)), folded,
           'hostile message, ' || label || ': history() has the message on one line')
  FROM hostile ORDER BY n;
SELECT ok(starts_with(pg_read_file(path), '-- fleetmig:revision      ' || pg_temp.rev_of(path) || E'\n'),
           'hostile message, ' || label || ': the file starts with its revision directive')
  FROM hostile ORDER BY n;
SELECT is((SELECT s.upgrade_sql || ' / ' || s.downgrade_sql FROM fleetmig.show(pg_temp.rev_of(path)) s),
          format('CREATE TABLE t_%s (id int); / DROP TABLE t_%s;', pg_temp.rev_of(path), pg_temp.rev_of(path)),
           'hostile message, ' || label || ': the sections are the template''s')
  FROM hostile ORDER BY n;
SELECT ok((SELECT h.created IS NOT NULL
             FROM fleetmig.history() h WHERE h.revision = pg_temp.rev_of(path)),
           'hostile message, ' || label || ': the lines after the message are read')
  FROM hostile ORDER BY n;
SELECT is(pg_temp.files(), :files0 + 5 + (SELECT count(*)::int FROM hostile),
    'hostile messages: one file each');
SELECT is((SELECT count(*) FROM fleetmig.upgrade('head')), (SELECT count(*) FROM hostile),
    'hostile messages: upgrade(head) runs them all');
SELECT is((SELECT count(*) FROM hostile WHERE to_regclass('public.t_' || pg_temp.rev_of(path)) IS NOT NULL),
    (SELECT count(*) FROM hostile), 'hostile messages: every table exists');

-- an empty message: a file named "migration", no message line
SELECT fleetmig.create('   ') AS empty_path \gset
SELECT matches(pg_temp.name_of(:'empty_path'), '^\d{8}_\d{4}_[0-9a-f]{12}_migration\.sql$',
    'empty message: the slug is migration');
SELECT is((SELECT message FROM fleetmig.history() WHERE revision = pg_temp.rev_of(:'empty_path')), NULL,
    'empty message: history() has no message');

--
-- Privileges: superuser or pg_write_server_files
--
CREATE ROLE fm_nobody;
CREATE ROLE fm_writer IN ROLE pg_write_server_files;
GRANT USAGE ON SCHEMA fleetmig TO fm_nobody, fm_writer;
GRANT EXECUTE ON FUNCTION fleetmig.create(text, boolean, text, text, text[]) TO fm_nobody, fm_writer;
GRANT EXECUTE ON FUNCTION fleetmig.merge(text, text[]) TO fm_nobody, fm_writer;
SELECT pg_temp.files() AS files_before_roles \gset
SET ROLE fm_nobody;
SELECT pg_temp.try($$SELECT fleetmig.create('nope')$$) AS nobody_create,
       pg_temp.try(format($$SELECT fleetmig.merge('nope', ARRAY[%L, %L])$$, :'trunk', :'feature')) AS nobody_merge \gset
RESET ROLE;
SELECT is(:'nobody_create'::text, '42501: permission denied to write migration files',
    'privileges: a role without pg_write_server_files cannot create');
SELECT is(:'nobody_merge'::text, '42501: permission denied to write migration files',
    'privileges: a role without pg_write_server_files cannot merge');
SELECT is(pg_temp.files(), :files_before_roles, 'privileges: the refusals wrote no file');
SET ROLE fm_writer;
SELECT pg_temp.try($$SELECT fleetmig.create('by the writer')$$) AS writer_path \gset
RESET ROLE;
SELECT matches(:'writer_path'::text, '/\d{8}_\d{4}_[0-9a-f]{12}_by_the_writer\.sql$',
    'privileges: a member of pg_write_server_files creates');
SELECT is(pg_temp.files(), :files_before_roles + 1, 'privileges: the writer''s file is there');
SELECT results_eq(
    format($$SELECT message, down_revisions FROM fleetmig.history() WHERE revision = %L$$,
           pg_temp.rev_of(:'writer_path')),
    format($$VALUES ('by the writer'::text, ARRAY[%L]::text[])$$, pg_temp.rev_of(:'empty_path')),
    'privileges: the writer''s revision is on the head');

-- Every file has the permissions of the first one (0644: the server's umask
-- of 0077 must not narrow it).  The modes come from stat(1), run by the
-- server as a superuser may.
CREATE TEMP TABLE modes (line text);
DO $$
BEGIN
    EXECUTE format('COPY modes FROM PROGRAM %L',
                   'stat -c %a -- ''' || replace(current_setting('fleetmig.migrations_dir'), '''', '''\''''')
                   || '''/*.sql');
END
$$;
SELECT is((SELECT count(*)::int FROM modes), pg_temp.files(), 'file modes: stat saw every file');
SELECT results_eq($$SELECT DISTINCT line FROM modes$$, $$VALUES ('644')$$,
    'file modes: every file is 0644');
SELECT ok(length(pg_read_file(:'writer_path')) > 0, 'file modes: the server reads the files back');

--
-- upgrade_sql() and downgrade_sql()
--
SELECT lives_ok($$SELECT * FROM fleetmig.upgrade('head')$$, 'offline: the database is at head');
SELECT count(*) AS nrevs FROM fleetmig.history() \gset
SELECT fleetmig.upgrade_sql('head', from_revision => 'base') AS up_script \gset
SELECT fleetmig.downgrade_sql('base') AS down_script \gset
-- what upgrade() and downgrade() do, for comparison (rolled back)
SAVEPOINT real_runs;
SELECT array_agg(revision ORDER BY n) AS real_down
  FROM fleetmig.downgrade('base') WITH ORDINALITY AS d(revision, message, direction, duration, locks, rewrites, n) \gset
SELECT array_agg(revision ORDER BY n) AS real_up
  FROM fleetmig.upgrade('head') WITH ORDINALITY AS u(revision, message, direction, duration, locks, rewrites, n) \gset
ROLLBACK TO SAVEPOINT real_runs;

SELECT ok(starts_with(:'up_script', E'-- fleetmig upgrade script\n-- from: base\n'),
    'upgrade_sql: the script says what it is and where it starts');
SELECT ok(position(format(E'\n-- %s steps.', :nrevs) IN :'up_script') > 0,
    'upgrade_sql: the script counts its steps');
SELECT is(cardinality(pg_temp.steps(:'up_script', 'upgrade')), :nrevs::int,
    'upgrade_sql: one "-- Running upgrade" line per revision');
SELECT is(pg_temp.steps(:'up_script', 'upgrade'), :'real_up'::text[],
    'upgrade_sql: the steps of upgrade(head) from base, in its order');
SELECT is((SELECT array_agg(substring(l FROM '^\$fm\$([0-9a-f]{12})\$fm\$, ') ORDER BY n)
             FROM unnest(pg_temp.lines(:'up_script', 'SELECT fleetmig.script_record(''upgrade'', ')) WITH ORDINALITY AS s(l, n)),
    pg_temp.steps(:'up_script', 'upgrade'),
    'upgrade_sql: each step records its revision in fleetmig.log, in the order of the steps');
SELECT is((SELECT count(*)::int
             FROM unnest(pg_temp.lines(:'up_script', 'SELECT fleetmig.script_record(''upgrade'', ')) l
            WHERE right(l, 30) <> format(', ARRAY[$fm$%s$fm$],', substring(l FROM '^\$fm\$([0-9a-f]{12})\$fm\$, '))),
    0, 'upgrade_sql: each step adds its revision to fleetmig.version');
SELECT is((SELECT sum((length(l) - length(replace(l, '$fm$', ''))) / 8 - 2)::int
             FROM unnest(pg_temp.lines(:'up_script', 'SELECT fleetmig.script_record(''upgrade'', ')) l),
    :nrevs - 1,
    'upgrade_sql: the steps take the revisions below them out of fleetmig.version');
SELECT ok(position(format(E'\n-- Running upgrade <base> -> %s, create base\n', :'base') IN :'up_script') > 0,
    'upgrade_sql: the first step is from <base>');
SELECT ok(position(format(E'-- Running upgrade %s -> %s, merge feature\n',
                          (SELECT string_agg(d, ', ' ORDER BY d) FROM unnest(ARRAY[:'trunk', :'feature']) d), :'merge')
               IN :'up_script') > 0,
    'upgrade_sql: the merge step starts from both parents');

SELECT ok(starts_with(:'down_script', E'-- fleetmig downgrade script\n'),
    'downgrade_sql: the script says what it is');
SELECT is(cardinality(pg_temp.steps(:'down_script', 'downgrade')),
    (SELECT count(*)::int FROM fleetmig.history() WHERE applied),
    'downgrade_sql: one "-- Running downgrade" line per applied revision');
SELECT is(pg_temp.steps(:'down_script', 'downgrade'), :'real_down'::text[],
    'downgrade_sql: the steps of downgrade(base), in its order');
SELECT is((SELECT count(*)::int
             FROM unnest(pg_temp.steps(:'down_script', 'downgrade')) WITH ORDINALITY AS s(r, n)
             JOIN fleetmig.history() h ON h.revision = s.r
            WHERE EXISTS (SELECT FROM unnest(pg_temp.steps(:'down_script', 'downgrade')) WITH ORDINALITY AS p(r, m)
                           WHERE p.m < s.n AND (p.r = ANY (h.down_revisions) OR p.r = ANY (h.depends_on)))),
    0, 'downgrade_sql: no revision goes before what stands on it');
SELECT is((pg_temp.steps(:'down_script', 'downgrade'))[1], pg_temp.rev_of(:'writer_path'),
    'downgrade_sql: the head goes first');
SELECT is((SELECT array_agg(x ORDER BY n DESC) FROM unnest(pg_temp.steps(:'down_script', 'downgrade')) WITH ORDINALITY AS s(x, n)
            WHERE x IN (SELECT pg_temp.rev_of(path) FROM hostile)),
    (SELECT array_agg(x ORDER BY n) FROM unnest(pg_temp.steps(:'up_script', 'upgrade')) WITH ORDINALITY AS s(x, n)
            WHERE x IN (SELECT pg_temp.rev_of(path) FROM hostile)),
    'downgrade_sql: a line of revisions goes down in the reverse order of the upgrade');
SELECT is((SELECT array_agg(substring(l FROM '^\$fm\$([0-9a-f]{12})\$fm\$, ') ORDER BY n)
             FROM unnest(pg_temp.lines(:'down_script', 'SELECT fleetmig.script_record(''downgrade'', ')) WITH ORDINALITY AS s(l, n)
            WHERE starts_with(l, format('$fm$%1$s$fm$, ARRAY[$fm$%1$s$fm$]', substring(l FROM '^\$fm\$([0-9a-f]{12})\$fm\$, ')))),
    pg_temp.steps(:'down_script', 'downgrade'),
    'downgrade_sql: each step takes its revision out of fleetmig.version');
SELECT is(pg_temp.version(), pg_temp.rev_of(:'writer_path'), 'offline: generating scripts changed nothing');

-- The scripts are for psql (they hold \gexec and \set lines): running them
-- is test/shell/offline_twin.sh and test/shell/offline_attacks.sh

-- at head, an upgrade script has nothing to do
SELECT ok(position(E'\n-- 0 steps.' IN fleetmig.upgrade_sql('head')) > 0,
    'upgrade_sql: at head the script has no step');

-- the refusals
SAVEPOINT unknown_row;
INSERT INTO fleetmig.version VALUES ('zzzz00000000');
SELECT throws_ok($$SELECT fleetmig.upgrade_sql('head')$$, '55000',
    'can''t locate revision identified by ''zzzz00000000''',
    'upgrade_sql: a row of fleetmig.version no file defines fails');
SELECT lives_ok($$SELECT fleetmig.upgrade_sql('head', from_revision => 'base')$$,
    'upgrade_sql: ... unless from_revision says where to start');
ROLLBACK TO SAVEPOINT unknown_row;
SELECT throws_ok($$SELECT fleetmig.upgrade_sql('-1')$$, '22023', NULL,
    'upgrade_sql: -1 is not an upgrade');
SELECT throws_ok($$SELECT fleetmig.downgrade_sql('+1')$$, '22023', NULL,
    'downgrade_sql: +1 is not a downgrade');
SELECT throws_ok($$SELECT fleetmig.upgrade_sql(NULL)$$, '22004', NULL,
    'upgrade_sql: a NULL target fails');

SELECT * FROM finish();
ROLLBACK;
