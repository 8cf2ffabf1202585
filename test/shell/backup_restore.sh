#!/bin/bash
# SPEC §6: pg_dump of a migrated database carries its migration state.
#
# Database A is migrated with the example project into two heads (the trunk
# up to 2318de486810 and the maintenance branch), one of them moved by a
# stamp, and gets a few application rows.  It is dumped in custom format
# (restored with pg_restore into B) and in plain format (restored with psql
# into C).  Each copy must answer current(), fleetmig.version, fleetmig.log
# (every column) and history() exactly as A does, and its log id sequence
# must continue: an upgrade('head') on the copy appends log rows with ids
# above the restored ones.
#
# Needs PGHOST/PGPORT/PGUSER of a superuser (pg_virtualenv) and
# FLEETMIG_MIGRATIONS (a staged copy of migrations/).
set -uo pipefail

: "${FLEETMIG_MIGRATIONS:?FLEETMIG_MIGRATIONS is not set (source test/prepare.sh and run fleetmig_stage)}"

echo "1..16"

. "$(dirname "$0")/tap.bash"
# same NAME A_OUTPUT B_OUTPUT: both non-empty and identical, diff on failure
same() {
    if [ -z "$2" ]; then
        not_ok "$1" "the source database returned nothing"
    elif [ "$2" == "$3" ]; then
        ok "$1"
    else
        not_ok "$1" "$(diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | head -40)"
    fi
}

q() {
    local db=$1
    shift
    psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"
}

DB_A="fleetmig_br_${$}_a"
DB_B="fleetmig_br_${$}_b"
DB_C="fleetmig_br_${$}_c"
TMP=$(mktemp -d)
cleanup() {
    for db in "$DB_A" "$DB_B" "$DB_C"; do
        dropdb --if-exists "$db" >/dev/null 2>&1 || true
    done
    rm -rf "$TMP"
}
trap cleanup EXIT

set_dir() {
    q postgres -c "ALTER DATABASE \"$1\" SET fleetmig.migrations_dir = '$FLEETMIG_MIGRATIONS'"
}

# ---------------------------------------------------------------- database A
createdb -E UTF8 -T template0 "$DB_A" || bail "createdb $DB_A failed"
set_dir "$DB_A" || bail "ALTER DATABASE $DB_A failed"
out=$(q "$DB_A" 2>&1 <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION fleetmig;
SELECT count(*) FROM fleetmig.upgrade('2318de486810');
SELECT count(*) FROM fleetmig.upgrade('maintenance@+1');
-- moves the maintenance head without running its SQL: a stamp log row pair
SELECT count(*) FROM fleetmig.stamp('5da1e03a4943');
INSERT INTO users (username, full_name, email) VALUES
    ('ada', 'Ada Lovelace', 'ada@example.com'),
    ('bob', 'Bob Builder', 'bob@example.com');
INSERT INTO drivers (first_name, last_name, license_number) VALUES
    ('Carl', 'Driver', 'L-0001');
INSERT INTO vehicles (plate_number, make, model, year, assigned_driver_id)
    SELECT 'AB-123', 'Volvo', 'FH16', 2021, id FROM drivers;
INSERT INTO maintenance_records (vehicle_id, performed_on, description)
    SELECT id, date '2024-03-01', 'oil change' FROM vehicles;
SQL
) || bail "migrating $DB_A failed: $out"

# what a copy must answer identically
STATE_SQL=(
    "current()|SELECT revision, message, is_head FROM fleetmig.current()"
    "fleetmig.version|SELECT revision FROM fleetmig.version ORDER BY revision"
    "fleetmig.log|SELECT id, revision, direction, checksum, script, applied_by, applied_at, duration FROM fleetmig.log ORDER BY id"
    "history() applied flags|SELECT revision, applied, applied_at FROM fleetmig.history()"
    "application rows|SELECT u.username, u.email, u.status, d.license_number, v.plate_number, m.description FROM users u, drivers d JOIN vehicles v ON v.assigned_driver_id = d.id JOIN maintenance_records m ON m.vehicle_id = v.id ORDER BY u.username"
)

declare -A A_STATE
for item in "${STATE_SQL[@]}"; do
    A_STATE[${item%%|*}]=$(q "$DB_A" -c "${item#*|}" 2>&1) || bail "reading ${item%%|*} of $DB_A failed: ${A_STATE[${item%%|*}]}"
done

is "A is at two heads after upgrade, maintenance@+1 and a stamp" \
    "$(printf '%s\n%s' 2318de486810 5da1e03a4943)" "${A_STATE[fleetmig.version]}"
is "A's log has 7 trunk upgrades, 1 branch upgrade and 2 stamp rows" \
    "upgrade 8
stamp 2" "$(q "$DB_A" -c "SELECT direction, count(*) FROM fleetmig.log GROUP BY 1 ORDER BY 2 DESC" -F ' ')"

# compare_copy DB LABEL: the checks a restored copy must pass
compare_copy() {
    local db=$1 label=$2 item name got max_before out new_ids
    for item in "${STATE_SQL[@]}"; do
        name=${item%%|*}
        got=$(q "$db" -c "${item#*|}" 2>&1)
        same "$label: $name identical to A" "${A_STATE[$name]}" "$got"
    done
    # the log id sequence continues after the restored ids
    max_before=$(q "$db" -c "SELECT max(id) FROM fleetmig.log")
    if out=$(q "$db" -c "SET client_min_messages = warning; SELECT count(*) FROM fleetmig.upgrade('head')" 2>&1) &&
        new_ids=$(q "$db" -c "SELECT string_agg(id::text, ',' ORDER BY id) FROM fleetmig.log WHERE id > $max_before") &&
        [ "$out" == 5 ] &&
        [ "$(q "$db" -c "SELECT count(*) FROM fleetmig.log")" == "$(($(q "$DB_A" -c "SELECT count(*) FROM fleetmig.log") + 5))" ] &&
        [ "$(q "$db" -c "SELECT string_agg(revision, ',' ORDER BY revision) FROM fleetmig.version")" == 0c0f591ff87d ]; then
        ok "$label: upgrade('head') runs the merge, 5ee6d1ef502b and the three display_name steps up to 0c0f591ff87d, new log ids ($new_ids) above the restored ones (max $max_before)"
    else
        not_ok "$label: upgrade('head') after the restore" "steps: $out" \
            "log ids above $max_before: ${new_ids:-}" \
            "$(q "$db" -c "SELECT id, revision, direction FROM fleetmig.log ORDER BY id" 2>&1)"
    fi
}

# ------------------------------------------- custom format, pg_restore into B
if ! out=$(pg_dump -Fc -f "$TMP/a.dump" "$DB_A" 2>&1); then
    bail "pg_dump -Fc failed: $out"
fi
createdb -E UTF8 -T template0 "$DB_B" || bail "createdb $DB_B failed"
if out=$(pg_restore --exit-on-error -d "$DB_B" "$TMP/a.dump" 2>&1); then
    ok "pg_restore of the custom-format dump into B"
else
    not_ok "pg_restore of the custom-format dump into B" "$out"
fi
set_dir "$DB_B" || bail "ALTER DATABASE $DB_B failed"
compare_copy "$DB_B" "pg_restore"

# ---------------------------------------------- plain format, psql into C
# pg_dump 15.20 writes \restrict/\unrestrict lines with random keys
if ! out=$(pg_dump -Fp "$DB_A" 2>&1 >"$TMP/a.raw"); then
    bail "pg_dump -Fp failed: $out"
fi
grep -Ev '^\\(un)?restrict( |$)' "$TMP/a.raw" >"$TMP/a.sql"
createdb -E UTF8 -T template0 "$DB_C" || bail "createdb $DB_C failed"
if out=$(psql -X -q -v ON_ERROR_STOP=1 -d "$DB_C" -f "$TMP/a.sql" 2>&1 >/dev/null); then
    ok "plain-format dump restored with psql into C"
else
    not_ok "plain-format dump restored with psql into C" "$out"
fi
set_dir "$DB_C" || bail "ALTER DATABASE $DB_C failed"
compare_copy "$DB_C" "plain dump"

if [ "$n" -ne 16 ]; then
    echo "# ran $n tests, planned 16"
    exit 1
fi
[ "$failed" -eq 0 ]
