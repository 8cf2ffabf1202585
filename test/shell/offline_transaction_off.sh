#!/bin/bash
# A revision marked "transaction off" (CREATE INDEX CONCURRENTLY) cannot run
# inside upgrade(), but upgrade_sql() writes it as its own step outside any
# transaction block: the script, run with psql without -1, applies it and
# records it.  TAP output; run by test/check.sh inside pg_virtualenv, with
# FLEETMIG_FIXTURES set.
set -u

db="fleetmig_txoff_$$"
work=$(mktemp -d)
trap 'dropdb --if-exists "$db" >/dev/null 2>&1; rm -rf "$work"' EXIT
. "$(dirname "$0")/tap.bash"
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }

echo "1..5"
createdb "$db" && q -c "CREATE EXTENSION fleetmig" \
    -c "ALTER DATABASE $db SET fleetmig.migrations_dir = '$FLEETMIG_FIXTURES/transaction_off'"
check $? "a database with fleetmig"

q -c "SELECT * FROM fleetmig.upgrade('head')" > "$work/out" 2>&1
grep -q 'cannot run inside a transaction' "$work/out"
check $? "upgrade() stops before the transaction-off revision"

q -c "SELECT fleetmig.upgrade_sql('head')" > "$work/script.sql"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$work/script.sql" > "$work/run" 2>&1
check $? "the script runs with psql, without -1"
sed 's/^/# /' "$work/run"

[ "$(q -c "SELECT indisvalid FROM pg_index WHERE indexrelid = 'base_table_id_idx'::regclass")" = "t" ]
check $? "the index was built concurrently and is valid"

[ "$(q -c "SELECT string_agg(revision, ',') FROM fleetmig.version")" = "bbbb00000002" ] &&
    [ "$(q -c "SELECT count(*) FROM fleetmig.log WHERE direction = 'upgrade'")" -eq 2 ]
check $? "fleetmig.version and fleetmig.log record both revisions"
exit $failed
