#!/bin/bash
# SPEC §5: the script upgrade_sql() and downgrade_sql() return does what
# upgrade() and downgrade() do.
#
# Two fresh databases with only the extension, on the example project:
# A runs the scripts with psql -1 -v ON_ERROR_STOP=1 -f, its twin B calls
# upgrade() and downgrade().  After each direction the public schema
# (pg_dump -s), fleetmig.version, current() and fleetmig.log (all but the
# timing) must be identical.  Last, a script generated with an explicit
# from_revision (on a database that is somewhere else) takes A from that
# revision to head as upgrade() takes B.
#
# Needs PGHOST/PGPORT/PGUSER of a superuser (pg_virtualenv) and
# FLEETMIG_MIGRATIONS (a staged copy of migrations/).
set -uo pipefail

: "${FLEETMIG_MIGRATIONS:?FLEETMIG_MIGRATIONS is not set (source test/prepare.sh and run fleetmig_stage)}"

# the revision the partial script starts from: on the trunk, below the
# branch point of the maintenance branch
FROM_REV=a5544b383b39

echo "1..35"

. "$(dirname "$0")/tap.bash"
# same NAME A_OUTPUT B_OUTPUT: identical, diff on failure
same() {
    if [ "$2" == "$3" ]; then
        ok "$1"
    else
        not_ok "$1" "$(diff -u <(printf '%s\n' "$2") <(printf '%s\n' "$3") | head -60)"
    fi
}
# runs NAME LOGFILE COMMAND...: the command succeeds, its output on failure
runs() {
    local name=$1 log=$2
    shift 2
    if "$@" >"$log" 2>&1; then
        ok "$name"
    else
        not_ok "$name" "exit status $?:" "$(head -40 "$log")"
    fi
}

q() {
    local db=$1
    shift
    psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"
}

DB_A="fleetmig_twin_${$}_a"
DB_B="fleetmig_twin_${$}_b"
DB_C="fleetmig_twin_${$}_c"
TMP=$(mktemp -d)
cleanup() {
    for db in "$DB_A" "$DB_B" "$DB_C"; do
        dropdb --if-exists "$db" >/dev/null 2>&1 || true
    done
    rm -rf "$TMP"
}
trap cleanup EXIT

for db in "$DB_A" "$DB_B" "$DB_C"; do
    createdb -E UTF8 -T template0 "$db" >"$TMP/setup.log" 2>&1 \
        || bail "createdb $db: $(cat "$TMP/setup.log")"
    q "$db" -c "CREATE EXTENSION fleetmig" >"$TMP/setup.log" 2>&1 \
        || bail "CREATE EXTENSION in $db: $(cat "$TMP/setup.log")"
    q postgres -c "ALTER DATABASE \"$db\" SET fleetmig.migrations_dir = '$FLEETMIG_MIGRATIONS'" \
        >"$TMP/setup.log" 2>&1 || bail "ALTER DATABASE $db: $(cat "$TMP/setup.log")"
done

# The public schema, without the random \restrict keys of pg_dump 15.20.
schema() {
    pg_dump -s --schema=public -d "$1" 2>&1 | grep -v -e '^\\restrict' -e '^\\unrestrict'
}
version() {
    q "$1" -c "SELECT revision FROM fleetmig.version ORDER BY 1" 2>&1
}
current() {
    q "$1" -c "SELECT * FROM fleetmig.current() ORDER BY 1" 2>&1
}
# every column of fleetmig.log but applied_at and duration
log() {
    q "$1" -c "SELECT id, revision, direction, checksum, script, applied_by FROM fleetmig.log ORDER BY id" 2>&1
}
tables() {
    q "$1" -c "SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
                WHERE s.nspname = 'public'" 2>&1
}
# compare WHAT: the state of A and B after WHAT
compare() {
    same "$1: the public schema of A and B is the same" "$(schema "$DB_A")" "$(schema "$DB_B")"
    same "$1: fleetmig.version of A and B is the same" "$(version "$DB_A")" "$(version "$DB_B")"
    same "$1: current() of A and B is the same" "$(current "$DB_A")" "$(current "$DB_B")"
    same "$1: fleetmig.log of A and B is the same, but for the timing" "$(log "$DB_A")" "$(log "$DB_B")"
}

# ------------------------------------------------------------------ upgrade
heads=$(q "$DB_A" -c "SELECT revision FROM fleetmig.heads() ORDER BY 1" 2>&1)
nrevs=$(q "$DB_A" -c "SELECT count(*) FROM fleetmig.history()" 2>&1)

if q "$DB_A" -c "SELECT fleetmig.upgrade_sql('head')" >"$TMP/upgrade.sql" 2>"$TMP/gen.log" \
    && head -1 "$TMP/upgrade.sql" | grep -qx -- '-- fleetmig upgrade script'; then
    ok "upgrade_sql('head') on A returns a script"
else
    not_ok "upgrade_sql('head') on A returns a script" "$(cat "$TMP/gen.log")" "$(head -5 "$TMP/upgrade.sql")"
fi
is "upgrade_sql('head'): one step per revision of the example project" \
    "$nrevs" "$(grep -c '^-- Running upgrade ' "$TMP/upgrade.sql")"
is "upgrade_sql('head') changed nothing on A" "" "$(version "$DB_A")"
runs "the upgrade script runs on A with psql -1 -v ON_ERROR_STOP=1" "$TMP/run.log" \
    psql -X -q -1 -v ON_ERROR_STOP=1 -d "$DB_A" -f "$TMP/upgrade.sql"
runs "upgrade('head') runs on B" "$TMP/run.log" \
    q "$DB_B" -c "SELECT * FROM fleetmig.upgrade('head')"
compare "upgrade"
is "upgrade: fleetmig.version of A holds the heads of the project" "$heads" "$(version "$DB_A")"
is "upgrade: A's log has one upgrade row per revision" "$nrevs upgrade" \
    "$(q "$DB_A" -c "SELECT count(*), string_agg(DISTINCT direction, ',') FROM fleetmig.log" -F ' ')"

# the script runs in one transaction: a second run fails at once and leaves
# A as it was
before=$(log "$DB_A")
if psql -X -q -1 -v ON_ERROR_STOP=1 -d "$DB_A" -f "$TMP/upgrade.sql" >"$TMP/run.log" 2>&1; then
    not_ok "the upgrade script run again on A fails" "it succeeded"
else
    ok "the upgrade script run again on A fails"
fi
same "the failed second run changed neither fleetmig.version nor fleetmig.log" \
    "$heads"$'\n'"$before" "$(version "$DB_A")"$'\n'"$(log "$DB_A")"
if q "$DB_A" -c "SELECT fleetmig.upgrade_sql('head')" 2>&1 | grep -qx -- '-- 0 steps.  It runs as one transaction (BEGIN ... COMMIT):'; then
    ok "upgrade_sql('head') at head has no step"
else
    not_ok "upgrade_sql('head') at head has no step" "$(q "$DB_A" -c "SELECT fleetmig.upgrade_sql('head')" 2>&1 | head -8)"
fi

# ---------------------------------------------------------------- downgrade
if q "$DB_A" -c "SELECT fleetmig.downgrade_sql('base')" >"$TMP/downgrade.sql" 2>"$TMP/gen.log" \
    && head -1 "$TMP/downgrade.sql" | grep -qx -- '-- fleetmig downgrade script'; then
    ok "downgrade_sql('base') on A returns a script"
else
    not_ok "downgrade_sql('base') on A returns a script" "$(cat "$TMP/gen.log")" "$(head -5 "$TMP/downgrade.sql")"
fi
is "downgrade_sql('base'): one step per revision" \
    "$nrevs" "$(grep -c '^-- Running downgrade ' "$TMP/downgrade.sql")"
runs "the downgrade script runs on A with psql -1 -v ON_ERROR_STOP=1" "$TMP/run.log" \
    psql -X -q -1 -v ON_ERROR_STOP=1 -d "$DB_A" -f "$TMP/downgrade.sql"
runs "downgrade('base') runs on B" "$TMP/run.log" \
    q "$DB_B" -c "SELECT * FROM fleetmig.downgrade('base')"
compare "downgrade"
is "downgrade: the public schema of A is empty" "0" "$(tables "$DB_A")"
is "downgrade: the public schema of B is empty" "0" "$(tables "$DB_B")"
is "downgrade: fleetmig.version of A is empty" "" "$(version "$DB_A")"

# ------------------------------------------------- from an explicit revision
# B goes up with upgrade(); A first goes to FROM_REV with upgrade() as well
# (so that both logs stay alike), then runs a script generated on C, which
# is at base: from_revision, not C's state, says where the script starts.
runs "upgrade('$FROM_REV') runs on A and on B" "$TMP/run.log" \
    sh -c "psql -X -q -v ON_ERROR_STOP=1 -d '$DB_A' -c \"SELECT * FROM fleetmig.upgrade('$FROM_REV')\" &&
           psql -X -q -v ON_ERROR_STOP=1 -d '$DB_B' -c \"SELECT * FROM fleetmig.upgrade('$FROM_REV')\""
if q "$DB_C" -c "SELECT fleetmig.upgrade_sql('head', from_revision => '$FROM_REV')" \
        >"$TMP/partial.sql" 2>"$TMP/gen.log" \
    && grep -qx -- "-- from: $FROM_REV" "$TMP/partial.sql"; then
    ok "upgrade_sql('head', from_revision => '$FROM_REV') on C (at base) starts at $FROM_REV"
else
    not_ok "upgrade_sql('head', from_revision => '$FROM_REV') on C (at base) starts at $FROM_REV" \
        "$(cat "$TMP/gen.log")" "$(head -5 "$TMP/partial.sql")"
fi
is "the partial script has a step per revision above $FROM_REV" \
    "$(q "$DB_A" -c "SELECT count(*) FROM fleetmig.history() WHERE NOT applied")" \
    "$(grep -c '^-- Running upgrade ' "$TMP/partial.sql")"
runs "the partial script runs on A with psql -1 -v ON_ERROR_STOP=1" "$TMP/run.log" \
    psql -X -q -1 -v ON_ERROR_STOP=1 -d "$DB_A" -f "$TMP/partial.sql"
runs "upgrade('head') runs on B" "$TMP/run.log" \
    q "$DB_B" -c "SELECT * FROM fleetmig.upgrade('head')"
compare "from $FROM_REV"
is "from $FROM_REV: C is still at base, with no log row" "|0" \
    "$(q "$DB_C" -c "SELECT (SELECT string_agg(revision, ',') FROM fleetmig.version), (SELECT count(*) FROM fleetmig.log)")"

[ "$n" -eq 35 ] || { echo "# ran $n tests, planned 35"; exit 1; }
[ "$failed" -eq 0 ]
