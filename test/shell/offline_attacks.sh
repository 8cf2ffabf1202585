#!/bin/bash
# SPEC §9: the script of upgrade_sql()/downgrade_sql(), run with psql -f as a
# superuser (with and without -1), executes exactly what upgrade() and
# downgrade() execute, whatever file names, messages and sections contain.
#
# A hostile project, made here because git cannot hold some of it: a lone
# carriage return in a message, a newline in a file name, a section that
# turns standard_conforming_strings off, one that switches client_encoding
# to SJIS, one whose SQL holds psql variable references, one that holds
# dollar-quote tags and a "\!" in every kind of literal and comment.  Every
# "\!" would touch a marker file if psql ran it.  For each way of running
# the scripts, database A runs them with psql and its twin B calls upgrade()
# and downgrade(): no marker may appear, and schema, fleetmig.version and
# fleetmig.log (but the timing) must be the same.  Last, the guard: a script
# refuses to run on a database that is elsewhere, or whose applied file was
# edited, and for a role that may not write fleetmig's tables.
#
# Needs PGHOST/PGPORT/PGUSER of a superuser (pg_virtualenv).
set -uo pipefail

. "$(dirname "$0")/tap.bash"

echo "1..45"

TMP=$(mktemp -d /tmp/fleetmig-offline.XXXXXX)
DIR="$TMP/migrations"
MARK="$TMP/markers"
mkdir -p "$DIR" "$MARK"
DB_A="fleetmig_attack_${$}_a"
DB_B="fleetmig_attack_${$}_b"
cleanup() {
    for db in "$DB_A" "$DB_B"; do
        dropdb --if-exists "$db" >/dev/null 2>&1 || true
    done
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS fleetmig_attack_deployer" >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT

q() {
    local db=$1
    shift
    psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"
}

# ------------------------------------------------------------ the project
# file NAME REVISION DOWN_REVISION MESSAGE UPGRADE DOWNGRADE
file() {
    printf -- '-- fleetmig:revision %s\n-- fleetmig:down_revision %s\n-- fleetmig:message %s\n\n-- fleetmig:upgrade\n%s\n\n-- fleetmig:downgrade\n%s\n' \
        "$2" "$3" "$4" "$5" "$6" >"$DIR/$1" || bail "cannot write $1"
}

# a lone carriage return in the message: psql ends a -- comment there
file "20240101_0000_aaaa00000001_cr.sql" aaaa00000001 none \
    "$(printf 'carriage\r\\! touch %s/cr' "$MARK")" \
    "CREATE TABLE t1 (id int);" "DROP TABLE t1;"

# a newline in the file name, which the script names in a comment (psql
# runs in the marker directory, so a relative name lands there)
file "$(printf '20240102_0000_bbbb00000002_x\n\\! touch name\n.sql')" bbbb00000002 aaaa00000001 \
    "file name" "CREATE TABLE t2 (id int);" "DROP TABLE t2;"

# standard_conforming_strings off: psql would read the literals below
# differently from the server
file "20240103_0000_cccc00000003_scs.sql" cccc00000003 bbbb00000002 "strings" \
"$(cat <<EOF
SET standard_conforming_strings = off;
CREATE TABLE t3 (s text);
INSERT INTO t3 VALUES ('a\\\\b'), (E'c\\\\d'), (\$x\$ \\' ; \\! touch $MARK/scs \$x\$);
SET standard_conforming_strings = on;
INSERT INTO t3 VALUES ('e\\f');
EOF
)" "DROP TABLE t3;"

# client_encoding SJIS: a multi-byte character could swallow a backslash
file "20240104_0000_dddd00000004_sjis.sql" dddd00000004 cccc00000003 "encoding ソ表" \
"$(cat <<EOF
SET client_encoding = 'SJIS';
CREATE TABLE t4 (s text);
INSERT INTO t4 VALUES ('ソ表\\'), (\$q\$ソ\\! touch $MARK/sjis \$q\$);
INSERT INTO t4 VALUES ('表 after');
RESET client_encoding;
EOF
)" "DROP TABLE t4;"

# psql variables: :port is a column here, and the DBA runs psql -v port=...
file "20240105_0000_eeee00000005_vars.sql" eeee00000005 dddd00000004 "variables :port" \
"$(cat <<'EOF'
CREATE TABLE t5 (port int, a int[]);
INSERT INTO t5 VALUES (2, '{1,2,3}');
CREATE TABLE t5r AS SELECT a[1:port] AS s, ':port' AS t FROM t5;
EOF
)" "DROP TABLE t5r; DROP TABLE t5;"

# dollar-quote tags fleetmig would use, and \! in every kind of text
file "20240106_0000_ffff00000006_tags.sql" ffff00000006 eeee00000005 "tags \$fm\$ \\! touch $MARK/message" \
"$(cat <<EOF
CREATE TABLE t6 (s text);
-- \\! touch $MARK/comment
/* \\! touch $MARK/block */
INSERT INTO t6 VALUES (\$fm\$ \\! touch $MARK/fm \$fm\$), (\$fm1\$ \$fm\$ \$fm1\$), ('\$fm'), ('x\$fm');
COMMENT ON TABLE t6 IS 'ends with a tag start \$fm';
EOF
)" "DROP TABLE t6;"
chmod -R a+rX "$TMP"

# ------------------------------------------------------------ the twins
for db in "$DB_A" "$DB_B"; do
    createdb -E UTF8 -T template0 "$db" >"$TMP/setup.log" 2>&1 \
        || bail "createdb $db: $(cat "$TMP/setup.log")"
    q "$db" -c "CREATE EXTENSION fleetmig" >"$TMP/setup.log" 2>&1 \
        || bail "CREATE EXTENSION in $db: $(cat "$TMP/setup.log")"
    q postgres -c "ALTER DATABASE \"$db\" SET fleetmig.migrations_dir = '$DIR'" \
        >"$TMP/setup.log" 2>&1 || bail "ALTER DATABASE $db: $(cat "$TMP/setup.log")"
done

schema() {
    pg_dump -s --schema=public -d "$1" 2>&1 | grep -v -e '^\\restrict' -e '^\\unrestrict'
}
data() {
    q "$1" -c "SELECT 't3', s FROM t3 UNION ALL SELECT 't4', s FROM t4 UNION ALL
               SELECT 't5r', s::text || t FROM t5r UNION ALL SELECT 't6', s FROM t6 ORDER BY 1, 2" 2>&1
}
state() {
    q "$1" -c "SELECT revision FROM fleetmig.version ORDER BY 1" 2>&1
    q "$1" -c "SELECT revision, direction, checksum, script, applied_by FROM fleetmig.log ORDER BY id" 2>&1
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

# the online run on B is harmless: each revision runs through upgrade()
runs "upgrade('head') runs the hostile project on B" "$TMP/b.log" \
    q "$DB_B" -c "SELECT count(*) FROM fleetmig.upgrade('head')"
is "upgrade() on B touched no marker" "" "$(markers)"

# how: the psql options of one way of running the scripts
for how in "-1" "" "-1 -v port=3"; do
    label="psql ${how:-without -1} -f"
    if q "$DB_A" -c "SELECT fleetmig.upgrade_sql('head')" >"$TMP/up.sql" 2>"$TMP/gen.log"; then
        ok "$label: upgrade_sql('head') returns a script"
    else
        not_ok "$label: upgrade_sql('head') returns a script" "$(cat "$TMP/gen.log")"
    fi
    # shellcheck disable=SC2086
    runs "$label: the upgrade script runs on A" "$TMP/a.log" \
        sh -c "cd '$MARK' && psql -X -q $how -d '$DB_A' -f '$TMP/up.sql'"
    is "$label: the upgrade script touched no marker" "" "$(markers)"
    same "$label: after the upgrade, A's schema is B's" "$(schema "$DB_B")" "$(schema "$DB_A")"
    same "$label: after the upgrade, A's data is B's" "$(data "$DB_B")" "$(data "$DB_A")"
    same "$label: after the upgrade, A's version and log are B's" "$(state "$DB_B")" "$(state "$DB_A")"

    runs "$label: downgrade_sql('base') returns a script" "$TMP/gen.log" \
        q "$DB_A" -o "$TMP/down.sql" -c "SELECT fleetmig.downgrade_sql('base')"
    # shellcheck disable=SC2086
    runs "$label: the downgrade script runs on A" "$TMP/a.log" \
        sh -c "cd '$MARK' && psql -X -q $how -d '$DB_A' -f '$TMP/down.sql'"
    is "$label: the downgrade script touched no marker" "" "$(markers)"
    runs "$label: downgrade('base') runs on B" "$TMP/b.log" \
        q "$DB_B" -c "SELECT count(*) FROM fleetmig.downgrade('base')"
    same "$label: after the downgrade, A's schema and state are B's" \
        "$(schema "$DB_B"; state "$DB_B")" "$(schema "$DB_A"; state "$DB_A")"
    q "$DB_B" -c "SELECT count(*) FROM fleetmig.upgrade('head')" >"$TMP/b.log" 2>&1 \
        || bail "upgrade('head') on B: $(cat "$TMP/b.log")"
done

# the comment lines of the script are single printable lines
q "$DB_A" -c "SELECT fleetmig.upgrade_sql('head')" >"$TMP/up.sql" 2>"$TMP/gen.log"
is "the carriage return of the message is folded in its comment line" "1" \
    "$(grep -c '^-- Running upgrade <base> -> aaaa00000001, carriage?\\! touch .*/cr$' "$TMP/up.sql")"
is "every comment line starts a line: the file name is folded" "1" \
    "$(grep -c '^-- File "20240102_0000_bbbb00000002_x?\\! touch name?.sql"$' "$TMP/up.sql")"

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
sed -i "s|^DROP TABLE t6;|DROP TABLE t6; DROP TABLE t1;|" "$DIR/20240106_0000_ffff00000006_tags.sql"
q "$DB_A" -c "SELECT fleetmig.downgrade_sql('-1', from_revision => 'head')" >"$TMP/down1.sql" 2>"$TMP/gen.log"
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

[ "$n" -eq 45 ] || { echo "# ran $n tests, planned 45"; exit 1; }
[ "$failed" -eq 0 ]
