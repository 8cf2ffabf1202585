#!/bin/bash
# fleetmig.step_lock_timeout and fleetmig.step_retries (SPEC §8): a step that
# times out waiting for a lock is rolled back alone and retried after a
# backoff, with a NOTICE each time; when the lock comes free in time the
# upgrade succeeds, when it does not the call fails with nothing applied.
# Other errors are never retried.  TAP output; run by test/check.sh inside
# pg_virtualenv, with FLEETMIG_FIXTURES set.
set -u

db="fleetmig_retry_$$"
work=$(mktemp -d)
chmod a+rx "$work"
holder=
trap '[ -n "$holder" ] && kill "$holder" 2>/dev/null; dropdb --if-exists "$db" >/dev/null 2>&1; rm -rf "$work"' EXIT
. "$(dirname "$0")/tap.bash"
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }

# two revisions: the first creates a table, the second alters retry_target
mkdir "$work/migrations"
cat > "$work/migrations/20240101_0000_aaaa00000001_create_retry_new.sql" <<'SQL'
-- fleetmig:revision aaaa00000001
-- fleetmig:message  create retry_new
-- fleetmig:upgrade
CREATE TABLE retry_new (id int);
-- fleetmig:downgrade
DROP TABLE retry_new;
SQL
cat > "$work/migrations/20240102_0000_bbbb00000002_alter_retry_target.sql" <<'SQL'
-- fleetmig:revision      bbbb00000002
-- fleetmig:down_revision aaaa00000001
-- fleetmig:message       add a note to retry_target
-- fleetmig:upgrade
ALTER TABLE retry_target ADD COLUMN note text;
-- fleetmig:downgrade
ALTER TABLE retry_target DROP COLUMN note;
SQL
chmod -R a+rX "$work/migrations"

# hold a lock on retry_target for "seconds", in the background
hold() {
    psql -X -q -d "$db" -c "BEGIN" -c "SELECT count(*) FROM retry_target" \
         -c "SELECT pg_sleep($1)" -c "COMMIT" >/dev/null 2>&1 &
    holder=$!
    for _ in $(seq 100); do
        [ "$(q -c "SELECT count(*) FROM pg_locks WHERE relation = 'retry_target'::regclass AND pid <> pg_backend_pid()")" -gt 0 ] && return 0
        sleep 0.05
    done
    return 1
}
upgrade() {
    PGOPTIONS="-c fleetmig.step_lock_timeout=$1 -c fleetmig.step_retries=$2" \
        psql -X -At -d "$db" -c "SELECT revision FROM fleetmig.upgrade('head')" 2>&1
}

echo "1..10"
createdb "$db" && q -c "CREATE EXTENSION fleetmig" -c "CREATE TABLE retry_target (id int)" \
    -c "ALTER DATABASE $db SET fleetmig.migrations_dir = '$work/migrations'"
check $? "a database with fleetmig and a table to lock"

# the lock is released after 0.6 s: 100 ms timeouts, backoff 100, 200, 400 ms
hold 0.6
check $? "another session holds a lock on retry_target"
out=$(upgrade 100ms 5)
echo "$out" | sed 's/^/# /'
echo "$out" | grep -q "lock timeout in upgrade of revision bbbb00000002, retry 1 of 5 in 100 ms"
check $? "a NOTICE says the step timed out and is retried"
[ "$(echo "$out" | grep -c '^bbbb00000002$')" -eq 1 ] && [ "$(q -c "SELECT string_agg(revision, ',') FROM fleetmig.version")" = "bbbb00000002" ]
check $? "the upgrade succeeds once the lock is free"
[ "$(q -c "SELECT count(*) FROM fleetmig.log WHERE direction = 'upgrade'")" -eq 2 ]
check $? "each step is logged once, the retried one too"
wait "$holder"; holder=
q -c "SELECT count(*) FROM fleetmig.downgrade('base')" >/dev/null 2>&1
q -c "TRUNCATE fleetmig.log"

# the lock stays: 2 retries of 100 ms are not enough
hold 30
check $? "another session holds the lock for good"
out=$(upgrade 100ms 2)
echo "$out" | sed 's/^/# /'
echo "$out" | grep -q 'ERROR:  revision "bbbb00000002" could not take its locks within 100 ms, 3 times'
check $? "after the last retry the call fails, naming the revision"
[ "$(q -c "SELECT count(*) FROM fleetmig.version")" -eq 0 ] &&
    [ "$(q -c "SELECT count(*) FROM fleetmig.log")" -eq 0 ] &&
    [ "$(q -c "SELECT count(*) FROM pg_tables WHERE tablename = 'retry_new'")" -eq 0 ]
check $? "nothing is applied: the first step is rolled back too"
q -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" >/dev/null
wait "$holder" 2>/dev/null; holder=

# other errors are not retried
q -c "ALTER DATABASE $db SET fleetmig.migrations_dir = '$FLEETMIG_FIXTURES/third_fails'"
out=$(upgrade 100ms 5)
echo "$out" | grep -q 'ERROR:  relation "owners" does not exist' && ! echo "$out" | grep -q "retry"
check $? "an error that is not a lock timeout fails at once, without retries"
[ "$(q -c "SELECT count(*) FROM fleetmig.version")" -eq 0 ]
check $? "and changes nothing"
exit $failed
