#!/bin/bash
# SPEC §9: the script of upgrade_sql()/downgrade_sql(), run with psql -f as a
# superuser (with and without -1), executes exactly what upgrade() and
# downgrade() execute, whatever file names, messages and sections contain.
#
# Hostile projects, one per attack, made here because git cannot hold some
# of them:
#  - cr: a lone carriage return in a message (psql ends a -- comment there);
#  - name: a newline in a file name (copied into a comment line);
#  - scs: a section that turns standard_conforming_strings off;
#  - sjis: one that switches client_encoding to SJIS (where the last byte
#    of "ぁ" in UTF-8 is a lead byte that swallows the closing quote);
#  - vars: SQL that holds a psql variable reference (:port, run with
#    psql -v port=3);
#  - tags: dollar-quote tags and a "\!" in every kind of literal and comment;
#  - created: a file written by create() for a role in pg_write_server_files
#    whose message holds a carriage return and a "\!";
#  - hidden: standard_conforming_strings off hides a COPY FROM STDIN inside
#    what the split saw as one statement (refused online and offline);
#  - half: a section that fails half way (nothing stays, with or without -1);
#  - deferred: a deferred trigger switches client_encoding to SJIS at the
#    script's own COMMIT, before a "transaction off" revision.
# Every "\!" would touch a marker file if psql ran it; with 0.1.0's scripts
# the carriage return, the file name and SJIS touched theirs and the
# variable changed the data.  For each project and each way of running the
# scripts, database A runs them with psql and its twin B calls upgrade() and
# downgrade(): no marker may appear, and schema, data, fleetmig.version and
# fleetmig.log (but the timing) must be the same.  Last, the guard: a script
# refuses to run on a database that is elsewhere, or whose applied file was
# edited, and for a role that may not write fleetmig's tables.
#
# Needs PGHOST/PGPORT/PGUSER of a superuser (pg_virtualenv).
set -uo pipefail

. "$(dirname "$0")/tap.bash"

echo "1..119"

TMP=$(mktemp -d /tmp/fleetmig-offline.XXXXXX)
MARK="$TMP/markers"
mkdir -p "$MARK"
DB_A="fleetmig_attack_${$}_a"
AUTHOR="fleetmig_attack_author_$$"
DB_B="fleetmig_attack_${$}_b"
cleanup() {
    for db in "$DB_A" "$DB_B"; do
        dropdb --if-exists "$db" >/dev/null 2>&1 || true
    done
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS fleetmig_attack_deployer" \
        -c "DROP ROLE IF EXISTS $AUTHOR" >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT

q() {
    local db=$1
    shift
    psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"
}

# ------------------------------------------------------------ the projects
# (written as files, as an author who commits migrations writes them; the
# last one by a role in pg_write_server_files through create())
# file PROJECT NAME REVISION DOWN_REVISION MESSAGE UPGRADE DOWNGRADE
file() {
    mkdir -p "$TMP/$1"
    printf -- '-- fleetmig:revision %s\n-- fleetmig:down_revision %s\n-- fleetmig:message %s\n\n-- fleetmig:upgrade\n%s\n\n-- fleetmig:downgrade\n%s\n' \
        "$3" "$4" "$5" "$6" "$7" >"$TMP/$1/$2" || bail "cannot write $1/$2"
}

file cr "20240101_0000_aaaa00000001_cr.sql" aaaa00000001 none \
    "$(printf 'carriage\r\\! touch %s/cr' "$MARK")" \
    "CREATE TABLE t1 (id int);" "DROP TABLE t1;"

# psql runs in the marker directory, so a relative name lands there
file name "$(printf '20240102_0000_bbbb00000002_x\n\\! touch name\n.sql')" bbbb00000002 none \
    "file name" "CREATE TABLE t2 (id int);" "DROP TABLE t2;"

file scs "20240103_0000_cccc00000003_scs.sql" cccc00000003 none "strings" \
"$(cat <<EOF
SET standard_conforming_strings = off;
CREATE TABLE t3 (s text);
INSERT INTO t3 VALUES ('a\\\\b'), (E'c\\\\d'), (\$x\$ \\' ; \\! touch $MARK/scs \$x\$);
SET standard_conforming_strings = on;
INSERT INTO t3 VALUES ('e\\f');
EOF
)" "DROP TABLE t3;"

file sjis "20240104_0000_dddd00000004_sjis.sql" dddd00000004 none "encoding ソ表" \
"$(cat <<EOF
SET client_encoding = 'SJIS';
CREATE TABLE t4 (s text);
INSERT INTO t4 SELECT 'ぁ' UNION ALL SELECT '
\\! touch $MARK/sjis
';
INSERT INTO t4 VALUES ('ソ表\\'), ('表 after');
RESET client_encoding;
EOF
)" "DROP TABLE t4;"

file vars "20240105_0000_eeee00000005_vars.sql" eeee00000005 none "variables :port" \
"$(cat <<'EOF'
CREATE TABLE t5 (port int, a int[]);
INSERT INTO t5 VALUES (2, '{1,2,3}');
CREATE TABLE t5r AS SELECT a[1:port]::text AS s FROM t5;
EOF
)" "DROP TABLE t5r; DROP TABLE t5;"

file tags "20240106_0000_ffff00000006_tags.sql" ffff00000006 none "tags \$fm\$ \\! touch $MARK/message" \
"$(cat <<EOF
CREATE TABLE t6 (s text);
-- \\! touch $MARK/comment
/* \\! touch $MARK/block */
INSERT INTO t6 VALUES (\$fm\$ \\! touch $MARK/fm \$fm\$), (\$fm1\$ \$fm\$ \$fm1\$), ('\$fm'), ('x\$fm');
COMMENT ON TABLE t6 IS 'ends with a tag start \$fm';
EOF
)" "DROP TABLE t6;"
# standard_conforming_strings off hides statements inside what the split
# (under on) saw as one: a COPY FROM STDIN would make psql read the script
# as data up to the "\." the next literal supplies, and the "\!" after it
# as script; the hidden statements are refused, online and offline
file hidden "20240108_0000_cdcd00000008_hidden.sql" cdcd00000008 none "hidden" \
"$(cat <<EOF
CREATE TABLE sink (x text);
SET standard_conforming_strings = off;
SELECT '\\' || ' ; COPY sink FROM STDIN; --';
SELECT \$x\$
\\.
\\! touch $MARK/hidden
\$x\$;
RESET standard_conforming_strings;
EOF
)" "DROP TABLE sink;"

# a section that fails half way: the script, like upgrade(), leaves nothing,
# with or without -1
file half "20240109_0000_efef00000009_half.sql" efef00000009 none "half" \
    "CREATE TABLE half (id int); SELECT 1 / 0;" "DROP TABLE half;"

# a deferred trigger switches client_encoding to SJIS at the script's own
# COMMIT, before a "transaction off" revision whose literal ends in "ぁ"
file deferred "20240110_0000_abcd00000010_deferred.sql" abcd00000010 none "deferred (répertoire)" \
"$(cat <<'EOF'
CREATE TABLE enc_a (id int);
CREATE FUNCTION enc_flip() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_catalog.set_config('client_encoding', 'SJIS', false); RETURN NULL; END $$;
CREATE CONSTRAINT TRIGGER enc_flip AFTER INSERT ON enc_a
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION enc_flip();
INSERT INTO enc_a VALUES (1);
EOF
)" "DROP TABLE enc_a; DROP FUNCTION enc_flip();"
mkdir -p "$TMP/deferred"
cat >"$TMP/deferred/20240111_0000_abcd00000011_concurrently.sql" <<EOF
-- fleetmig:revision abcd00000011
-- fleetmig:down_revision abcd00000010
-- fleetmig:message an index built concurrently
-- fleetmig:transaction off

-- fleetmig:upgrade
CREATE TABLE enc_b AS SELECT 'ぁ' AS s UNION ALL SELECT '
\! touch $MARK/deferred
';
CREATE INDEX CONCURRENTLY enc_a_id ON enc_a (id);

-- fleetmig:downgrade
DROP INDEX CONCURRENTLY enc_a_id;
DROP TABLE enc_b;
EOF

# a second revision on the tags project, for the guard's tests below
file tags "20240107_0000_abab00000007_more.sql" abab00000007 ffff00000006 "more" \
    "CREATE TABLE t7 (id int);" "DROP TABLE t7;"

# an author role (pg_write_server_files) writes a migration with create(),
# its message a carriage return and a psql command
mkdir -p "$TMP/created"
chmod a+rwx "$TMP/created"
chmod -R a+rX "$TMP"
DB_C="fleetmig_attack_${$}_c"
createdb -E UTF8 -T template0 "$DB_C" >"$TMP/setup.log" 2>&1 || bail "createdb: $(cat "$TMP/setup.log")"
q "$DB_C" -c "CREATE EXTENSION fleetmig" \
  -c "CREATE ROLE $AUTHOR IN ROLE pg_write_server_files" \
  -c "GRANT USAGE ON SCHEMA fleetmig TO $AUTHOR" \
  -c "GRANT EXECUTE ON FUNCTION fleetmig.create(text, boolean, text, text, text[]) TO $AUTHOR" \
  -c "SET fleetmig.migrations_dir = '$TMP/created'" \
  -c "SET ROLE $AUTHOR" \
  -c "SELECT fleetmig.create(E'made by create\\r\\\\! touch $MARK/created\\nsecond line')" \
    >"$TMP/setup.log" 2>&1 || bail "the author's create(): $(cat "$TMP/setup.log")"
dropdb "$DB_C" >/dev/null 2>&1
chmod -R a+rX "$TMP"

# ------------------------------------------------------------ the twins
schema() {
    pg_dump -s --schema=public -d "$1" 2>&1 | grep -v -e '^\\restrict' -e '^\\unrestrict'
}
# every row of every table of public, as text
data() {
    q "$1" -c "SELECT c.relname, r.x
                 FROM pg_class c
                 CROSS JOIN LATERAL (SELECT query_to_xml(format('SELECT * FROM public.%I', c.relname),
                                                         false, false, '')::text AS x) r
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
                ORDER BY 1" 2>&1
}
state() {
    q "$1" -c "SELECT revision FROM fleetmig.version ORDER BY 1" 2>&1
    q "$1" -c "SELECT revision, direction, checksum, script, applied_by FROM fleetmig.log ORDER BY id" 2>&1
}
all() {
    schema "$1"
    data "$1"
    state "$1"
}
markers() {
    ls -A "$MARK"
}
same() {
    if [ "$2" == "$3" ]; then
        ok "$1"
    else
        not_ok "$1" "$(diff -u <(printf '%s\n' "$2") <(printf '%s\n' "$3") | head -40)"
    fi
}
runs() {
    local name=$1 log=$2
    shift 2
    if "$@" >"$log" 2>&1; then
        ok "$name"
    else
        not_ok "$name" "exit status $?:" "$(head -30 "$log")"
    fi
}
# twins PROJECT: fresh databases A and B with the extension, on PROJECT
twins() {
    for db in "$DB_A" "$DB_B"; do
        dropdb --if-exists "$db" >/dev/null 2>&1
        createdb -E UTF8 -T template0 "$db" >"$TMP/setup.log" 2>&1 \
            || bail "createdb $db: $(cat "$TMP/setup.log")"
        q "$db" -c "CREATE EXTENSION fleetmig" >"$TMP/setup.log" 2>&1 \
            || bail "CREATE EXTENSION in $db: $(cat "$TMP/setup.log")"
        q postgres -c "ALTER DATABASE \"$db\" SET fleetmig.migrations_dir = '$TMP/$1'" \
            >"$TMP/setup.log" 2>&1 || bail "ALTER DATABASE $db: $(cat "$TMP/setup.log")"
    done
}

# the hidden statements: upgrade() refuses them, the script refuses them,
# with and without -1, and neither leaves anything behind
twins hidden
if q "$DB_B" -c "SELECT count(*) FROM fleetmig.upgrade('head')" >"$TMP/b.log" 2>&1; then
    not_ok "hidden: upgrade() refuses the statements standard_conforming_strings hides" "it succeeded"
else
    is "hidden: upgrade() refuses the statements standard_conforming_strings hides" \
        'ERROR:  a statement of revision "cdcd00000008" reads as 2 statements when it runs' \
        "$(grep -m1 '^ERROR' "$TMP/b.log")"
fi
for how in "-1" ""; do
    label="hidden, psql ${how:-without -1} -f"
    q "$DB_A" -o "$TMP/up.sql" -c "SELECT fleetmig.upgrade_sql('head')" >"$TMP/gen.log" 2>&1
    if sh -c "cd '$MARK' && psql -X -q $how -d '$DB_A' -f '$TMP/up.sql'" >"$TMP/a.log" 2>&1; then
        not_ok "$label: the script fails" "it succeeded"
    else
        is "$label: the script fails at the statement, as upgrade() does" \
            'ERROR:  a statement of the script reads as 2 statements when it runs' \
            "$(grep -m1 -o 'ERROR:.*' "$TMP/a.log")"
    fi
    same "$label: no marker; nothing applied on A, as on B" "$(all "$DB_B")" "$(markers; all "$DB_A")"
done

# the deferred encoding switch: the script, which commits on its own,
# puts psql's encoding back before the next text that is not ASCII
twins deferred
q "$DB_A" -o "$TMP/up.sql" -c "SELECT fleetmig.upgrade_sql('head')" >"$TMP/gen.log" 2>&1
runs "deferred: the script that commits on its own runs on A" "$TMP/a.log" \
    sh -c "cd '$MARK' && psql -X -q -d '$DB_A' -f '$TMP/up.sql'"
is "deferred: no marker, and the literal arrived whole" "abcd00000011|2|1" \
    "$(markers; q "$DB_A" -c "SELECT (SELECT string_agg(revision, ',') FROM fleetmig.version),
                                   (SELECT count(*) FROM enc_b),
                                   (SELECT count(*) FROM enc_b WHERE s = 'ぁ')")"

# a failure half way: nothing stays, with or without -1
twins half
q "$DB_B" -c "SELECT count(*) FROM fleetmig.upgrade('head')" >"$TMP/b.log" 2>&1
for how in "-1" ""; do
    label="half, psql ${how:-without -1} -f"
    q "$DB_A" -o "$TMP/up.sql" -c "SELECT fleetmig.upgrade_sql('head')" >"$TMP/gen.log" 2>&1
    if sh -c "cd '$MARK' && psql -X -q $how -d '$DB_A' -f '$TMP/up.sql'" >"$TMP/a.log" 2>&1; then
        not_ok "$label: the script fails" "it succeeded"
    else
        is "$label: the script fails where upgrade() fails" "$(grep -m1 -o 'ERROR:.*' "$TMP/b.log")" \
            "$(grep -m1 -o 'ERROR:.*' "$TMP/a.log")"
    fi
    same "$label: nothing stays on A, as on B: the script is one transaction" \
        "$(all "$DB_B")" "$(markers; all "$DB_A")"
done

for project in cr name scs sjis vars created tags; do
    twins "$project"
    # the online run on B is harmless: each revision runs through upgrade()
    runs "$project: upgrade('head') runs on B" "$TMP/b.log" \
        q "$DB_B" -c "SELECT count(*) FROM fleetmig.upgrade('head')"
    is "$project: upgrade() on B touched no marker" "" "$(markers)"
    # how: the psql options of one way of running the scripts
    for how in "-1" "" "-1 -v port=3"; do
        label="$project, psql ${how:-without -1} -f"
        q "$DB_A" -o "$TMP/up.sql" -c "SELECT fleetmig.upgrade_sql('head')" >"$TMP/gen.log" 2>&1
        runs "$label: the script of upgrade_sql('head') runs on A" "$TMP/a.log" \
            sh -c "cd '$MARK' && psql -X -q $how -d '$DB_A' -f '$TMP/up.sql'"
        same "$label: no marker; schema, data, version and log as upgrade() left them on B" \
            "$(all "$DB_B")" "$(markers; all "$DB_A")"
        q "$DB_A" -o "$TMP/down.sql" -c "SELECT fleetmig.downgrade_sql('base')" >"$TMP/gen.log" 2>&1
        q "$DB_B" -c "SELECT count(*) FROM fleetmig.downgrade('base')" >"$TMP/b.log" 2>&1 \
            || bail "$label: downgrade('base') on B: $(cat "$TMP/b.log")"
        runs "$label: the script of downgrade_sql('base') runs on A" "$TMP/a.log" \
            sh -c "cd '$MARK' && psql -X -q $how -d '$DB_A' -f '$TMP/down.sql'"
        same "$label: no marker; schema, data, version and log as downgrade() left them on B" \
            "$(all "$DB_B")" "$(markers; all "$DB_A")"
        q "$DB_B" -c "SELECT count(*) FROM fleetmig.upgrade('head')" >"$TMP/b.log" 2>&1 \
            || bail "upgrade('head') on B: $(cat "$TMP/b.log")"
    done
done

# the comment lines of the scripts are single printable lines
q "$DB_A" -c "SET fleetmig.migrations_dir = '$TMP/cr'" -c "SELECT fleetmig.upgrade_sql('head', from_revision => 'base')" \
    >"$TMP/up.sql" 2>"$TMP/gen.log"
is "the carriage return of the message is folded in its comment line" "1" \
    "$(grep -c '^-- Running upgrade <base> -> aaaa00000001, carriage?\\! touch .*/cr$' "$TMP/up.sql")"
q "$DB_A" -c "SET fleetmig.migrations_dir = '$TMP/name'" -c "SELECT fleetmig.upgrade_sql('head', from_revision => 'base')" \
    >"$TMP/up.sql" 2>"$TMP/gen.log"
is "the newline of the file name is folded in its comment line" "1" \
    "$(grep -c '^-- File "20240102_0000_bbbb00000002_x?\\! touch name?.sql"$' "$TMP/up.sql")"

# the twins of the tags project, for the guard: A at base, B at head
DIR="$TMP/tags"
q "$DB_A" -c "SELECT count(*) FROM fleetmig.downgrade('base')" >/dev/null 2>&1
q "$DB_A" -o "$TMP/up.sql" -c "SELECT fleetmig.upgrade_sql('head')" >"$TMP/gen.log" 2>&1

# ------------------------------------------------------------ the guard
# a script for another state: B is at head, the script starts from base
base_log=$(state "$DB_B")
if psql -X -q -1 -d "$DB_B" -f "$TMP/up.sql" >"$TMP/b.log" 2>&1; then
    not_ok "a script run on a database that is elsewhere fails" "it succeeded"
else
    ok "a script run on a database that is elsewhere fails"
fi
if grep -q 'ERROR:  the database is not at the revisions this script starts from' "$TMP/b.log"; then
    ok "the script says the database is not where it starts"
else
    not_ok "the script says the database is not where it starts" "$(head -10 "$TMP/b.log")"
fi
same "the refused script changed neither fleetmig.version nor fleetmig.log" "$base_log" "$(state "$DB_B")"

# an applied file edited after the script was written: the downgrade script
# carries the edited SQL, and refuses to run it
q "$DB_A" -c "SELECT count(*) FROM fleetmig.upgrade('head')" >/dev/null 2>&1
cp "$DIR/20240106_0000_ffff00000006_tags.sql" "$TMP/tags.orig"
sed -i "s|^DROP TABLE t6;|DROP TABLE t6; DROP TABLE t7;|" "$DIR/20240106_0000_ffff00000006_tags.sql"
q "$DB_A" -c "SELECT fleetmig.downgrade_sql('base', from_revision => 'head')" >"$TMP/down1.sql" 2>"$TMP/gen.log"
before=$(schema "$DB_A"; state "$DB_A")
if psql -X -q -1 -d "$DB_A" -f "$TMP/down1.sql" >"$TMP/a.log" 2>&1; then
    not_ok "a script that carries an edited applied file fails" "it succeeded"
else
    ok "a script that carries an edited applied file fails"
fi
if grep -q 'ERROR:  migration file of applied revision "ffff00000006" has been edited' "$TMP/a.log"; then
    ok "the script names the edited revision, as downgrade() does"
else
    not_ok "the script names the edited revision, as downgrade() does" "$(head -10 "$TMP/a.log")"
fi
same "the refused script changed nothing on A" "$before" "$(schema "$DB_A"; state "$DB_A")"
if q "$DB_A" -c "SELECT fleetmig.downgrade_sql('-1')" >/dev/null 2>"$TMP/gen.log"; then
    not_ok "downgrade_sql('-1') from the database's state refuses an edited applied file" "it succeeded"
else
    is "downgrade_sql('-1') from the database's state refuses an edited applied file, as downgrade() does" \
        'ERROR:  migration file of applied revision "ffff00000006" has been edited' "$(head -1 "$TMP/gen.log")"
fi
cp "$TMP/tags.orig" "$DIR/20240106_0000_ffff00000006_tags.sql"

# a role that may not write fleetmig's tables cannot take the lock through
# the guard, even with EXECUTE on it
q "$DB_A" -c "CREATE ROLE fleetmig_attack_deployer;
              GRANT USAGE ON SCHEMA fleetmig TO fleetmig_attack_deployer;
              GRANT EXECUTE ON FUNCTION fleetmig.script_guard(boolean, text[], text[]) TO fleetmig_attack_deployer" \
    >"$TMP/setup.log" 2>&1 || bail "deployer role: $(cat "$TMP/setup.log")"
if psql -X -q -d "$DB_A" -c "SET ROLE fleetmig_attack_deployer" \
        -c "SELECT fleetmig.script_guard(true, '{}', '{}')" >"$TMP/a.log" 2>&1; then
    not_ok "script_guard() refuses a role that may not write fleetmig's tables" "it succeeded"
else
    is "script_guard() refuses a role that may not write fleetmig's tables (42501)" \
        'ERROR:  permission denied to run a fleetmig script' "$(head -1 "$TMP/a.log")"
fi

[ "$n" -eq 119 ] || { echo "# ran $n tests, planned 119"; exit 1; }
[ "$failed" -eq 0 ]
