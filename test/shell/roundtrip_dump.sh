#!/bin/bash
# test_roundtrip() leaves nothing behind: pg_dump of the database (schema,
# data, fleetmig.version, fleetmig.log and its sequence) is byte for byte
# the same before and after the call.  TAP output; run by test/check.sh
# inside pg_virtualenv, with FLEETMIG_MIGRATIONS set.
set -u

db="fleetmig_roundtrip_$$"
work=$(mktemp -d)
trap 'dropdb --if-exists "$db" >/dev/null 2>&1; rm -rf "$work"' EXIT
. "$(dirname "$0")/tap.bash"
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }
dump() { pg_dump -d "$db" | grep -v '^\\\(un\)\?restrict '; }

echo "1..5"
createdb "$db" && q -c "CREATE EXTENSION fleetmig" \
    -c "ALTER DATABASE $db SET fleetmig.migrations_dir = '$FLEETMIG_MIGRATIONS'"
check $? "a database with fleetmig"

# half-way up, with data, so that there is something to protect
q -c "SET client_min_messages = warning" \
  -c "SELECT count(*) FROM fleetmig.upgrade('a5544b383b39')" \
  -c "INSERT INTO users (username, full_name) VALUES ('alice', 'Alice Martin')" \
  -c "INSERT INTO drivers (first_name, last_name, license_number) VALUES ('Bo', 'Diaz', 'L-1')" >/dev/null
check $? "upgraded to the trips revision, with rows"

dump > "$work/before.sql"
result=$(q -c "SET client_min_messages = warning" \
           -c "SELECT string_agg(revision || ':' || ok, ' ') FROM fleetmig.test_roundtrip('heads')")
echo "$result" | grep -q ':false' ; [ $? -ne 0 ] && [ -n "$result" ]
check $? "test_roundtrip('heads') passes for every revision above ($result)"

dump > "$work/after.sql"
if diff -u "$work/before.sql" "$work/after.sql" > "$work/diff"; then
    ok "pg_dump is byte for byte the same after test_roundtrip()"
else
    not_ok "pg_dump is byte for byte the same after test_roundtrip()"
    sed 's/^/# /' "$work/diff" | head -40
fi

[ "$(q -c "SELECT string_agg(revision, ',') FROM fleetmig.version")" = "a5544b383b39" ]
check $? "fleetmig.version still names the trips revision"
exit $failed
