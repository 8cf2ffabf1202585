#!/bin/bash
# A backend killed with SIGKILL in the middle of upgrade(): after the crash
# recovery fleetmig.version still matches the schema (SPEC §8: the whole call
# runs in the caller's transaction, so it is rolled back as one).
#
# A temporary migrations directory holds a chain of 20 revisions, each
# creating table t_NN; revision 10 sleeps 30 s after its CREATE TABLE.  An
# upgrade('head') runs in a background psql; as soon as pg_stat_activity shows
# it sleeping, its backend is killed with kill -9 (the postmaster then resets
# every backend), and once the server answers again the version table, the
# tables and the log must show nothing of the killed call: first from base,
# then from a committed upgrade('+3').  The sleep never runs out: the backend
# is killed as soon as it is seen.
#
# Needs PGHOST/PGPORT/PGUSER of a superuser (pg_virtualenv) and permission to
# signal the server's processes (root or the postgres OS user).
set -uo pipefail

echo "1..17"

. "$(dirname "$0")/tap.bash"

q() {
    psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" "$@"
}

DB="fleetmig_sigkill_$$"
VICTIM="fleetmig_sigkill_victim_$$"
TMP=$(mktemp -d)
DIR="$TMP/migrations"
BG_PID=
cleanup() {
    if [ -n "$BG_PID" ] && kill -0 "$BG_PID" 2>/dev/null; then
        kill "$BG_PID" 2>/dev/null
        wait "$BG_PID" 2>/dev/null
    fi
    psql -X -q -d postgres -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '$VICTIM'" >/dev/null 2>&1
    dropdb --if-exists --force "$DB" >/dev/null 2>&1
    rm -rf "$TMP"
}
trap cleanup EXIT

# ------------------------------------------------------------ the migrations
rev() { printf 'k%011d' "$1"; }
mkdir "$DIR"
for i in $(seq 1 20); do
    nn=$(printf '%02d' "$i")
    if [ "$i" -eq 1 ]; then parent=none; else parent=$(rev $((i - 1))); fi
    {
        echo "-- fleetmig:revision      $(rev "$i")"
        echo "-- fleetmig:down_revision $parent"
        echo "-- fleetmig:message       create t_$nn"
        echo "-- fleetmig:created       2024-01-01 00:$nn:00"
        echo
        echo "-- fleetmig:upgrade"
        echo "CREATE TABLE t_$nn (id int PRIMARY KEY, note text);"
        echo "INSERT INTO t_$nn VALUES (1, 'revision $i');"
        [ "$i" -eq 10 ] && echo "SELECT pg_sleep(30);"
        echo
        echo "-- fleetmig:downgrade"
        echo "DROP TABLE t_$nn;"
    } >"$DIR/20240101_00${nn}_$(rev "$i")_create_t_$nn.sql"
done
chmod a+rx "$TMP" "$DIR"
chmod a+r "$DIR"/*.sql

createdb -E UTF8 -T template0 "$DB" || bail "createdb $DB failed"
psql -X -q -v ON_ERROR_STOP=1 -d postgres \
    -c "ALTER DATABASE \"$DB\" SET fleetmig.migrations_dir = '$DIR'" || bail "ALTER DATABASE failed"
q -c "CREATE EXTENSION fleetmig" || bail "CREATE EXTENSION failed"

# the observable state: version rows, t_NN tables, log rows
version() { q -c "SELECT coalesce(string_agg(revision, ',' ORDER BY revision), '') FROM fleetmig.version" 2>&1; }
tables() {
    q -c "SELECT coalesce(string_agg(relname, ',' ORDER BY relname), '') FROM pg_class
          WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace AND relname ~ '^t_[0-9]+$'" 2>&1
}
log_rows() { q -c "SELECT coalesce(string_agg(revision || ':' || direction, ',' ORDER BY id), '') FROM fleetmig.log" 2>&1; }

checkpointer() {
    psql -X -At -d postgres -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'" 2>/dev/null
}

# kill_mid_upgrade TARGET LABEL: start upgrade(TARGET) in the background, kill
# its backend with SIGKILL while revision 10 sleeps, wait for the recovery.
# Three test points: seen and killed, the client lost its connection, the
# server answers again.
kill_mid_upgrade() {
    local target=$1 label=$2 pid= started elapsed status sleeping ckpt new_ckpt
    # the crash reset restarts the checkpointer too: a new pid tells that
    # the reset has happened, not just that the server still answers
    ckpt=$(checkpointer)
    [ -n "$ckpt" ] || bail "cannot read the checkpointer's pid"
    PGAPPNAME=$VICTIM psql -X -q -v ON_ERROR_STOP=1 -d "$DB" \
        -c "SELECT * FROM fleetmig.upgrade('$target')" >"$TMP/bg.out" 2>&1 &
    BG_PID=$!
    started=$(date +%s%N)
    # poll until the backend sleeps inside revision 10 (at most 15 s)
    for _ in $(seq 1 300); do
        pid=$(psql -X -At -d postgres -c "SELECT pid FROM pg_stat_activity
              WHERE application_name = '$VICTIM' AND datname = '$DB'
                AND wait_event = 'PgSleep' AND query LIKE '%fleetmig.upgrade%'" 2>/dev/null)
        [ -n "$pid" ] && break
        kill -0 "$BG_PID" 2>/dev/null || break
        sleep 0.05
    done
    if [ -z "$pid" ]; then
        not_ok "$label: the upgrade is seen sleeping in revision 10 and killed" \
            "never seen sleeping; psql said:" "$(cat "$TMP/bg.out")"
        bail "cannot go on without the kill"
    fi
    # the tables of revisions 1..10 exist inside the victim's transaction only
    sleeping=$(tables)
    if kill -9 "$pid"; then
        ok "$label: the upgrade is seen sleeping in revision 10 (backend $pid) and killed with SIGKILL"
    else
        not_ok "$label: kill -9 $pid"
        bail "cannot go on without the kill"
    fi
    wait "$BG_PID"
    status=$?
    BG_PID=
    # psql exits with 2 when it loses the connection; libpq words the loss
    # differently over SSL (a fresh postgresql-common turns SSL on)
    if [ "$status" -eq 2 ] && grep -qE "server closed the connection unexpectedly|SSL SYSCALL error: EOF detected|SSL connection has been closed unexpectedly|connection to server was lost|terminat" "$TMP/bg.out"; then
        ok "$label: the client lost its connection (psql exit status $status)"
    else
        not_ok "$label: the client lost its connection" "psql exit status $status, output:" "$(cat "$TMP/bg.out")"
    fi
    # wait for the crash recovery (at most 30 s)
    for _ in $(seq 1 300); do
        if pg_isready -q -d "$DB" && new_ckpt=$(checkpointer) && [ -n "$new_ckpt" ] && [ "$new_ckpt" != "$ckpt" ] &&
            q -c "SELECT 1" >/dev/null 2>&1; then
            elapsed=$((($(date +%s%N) - started) / 1000000))
            ok "$label: the server answers again after the crash recovery (checkpointer $ckpt -> $new_ckpt; ${elapsed} ms after the start; other sessions saw tables '$sleeping' while it slept)"
            return 0
        fi
        sleep 0.1
    done
    not_ok "$label: the server answers again after the crash recovery" "still not ready after 30 s"
    bail "the server did not come back"
}

# ------------------------------------------------ killed from base: nothing
kill_mid_upgrade head "from base"
is "from base: fleetmig.version is empty" "" "$(version)"
is "from base: no t_NN table exists" "" "$(tables)"
is "from base: fleetmig.log has no rows" "" "$(log_rows)"
is "from base: current() returns no rows" "0" "$(q -c "SELECT count(*) FROM fleetmig.current()" 2>&1)"

# ------------------------------------ a committed upgrade('+3'), then a kill
is "upgrade('+3') commits 3 steps" "3" \
    "$(q -c "SET client_min_messages = warning; SELECT count(*) FROM fleetmig.upgrade('+3')" 2>&1)"
kill_mid_upgrade head "from +3"
is "from +3: fleetmig.version is the third revision" "$(rev 3)" "$(version)"
is "from +3: exactly t_01, t_02, t_03 exist" "t_01,t_02,t_03" "$(tables)"
is "from +3: fleetmig.log has the three upgrades only" \
    "$(rev 1):upgrade,$(rev 2):upgrade,$(rev 3):upgrade" "$(log_rows)"
is "from +3: history() marks revisions 1 to 3 applied" "$(rev 3),$(rev 2),$(rev 1)" \
    "$(q -c "SELECT string_agg(revision, ',') FROM fleetmig.history() WHERE applied" 2>&1)"

# ------------------------------------------- life goes on after the crash
is "upgrade to revision 9 (just below the sleeper) runs 6 steps" "6" \
    "$(q -c "SET client_min_messages = warning; SELECT count(*) FROM fleetmig.upgrade('$(rev 9)')" 2>&1)"
is "then fleetmig.version is revision 9 and t_01..t_09 exist" \
    "$(rev 9) t_01,t_02,t_03,t_04,t_05,t_06,t_07,t_08,t_09" "$(version) $(tables)"

if [ "$n" -ne 17 ]; then
    echo "# ran $n tests, planned 17"
    exit 1
fi
[ "$failed" -eq 0 ]
