#!/bin/bash
# Concurrent deployers under load (SPEC §8): 8 sessions upgrade and
# downgrade a 50-revision chain with random targets for a bounded time
# (FLEETMIG_STRESS_SECONDS, default 20), and fleetmig.version matches the
# schema at every moment.
#
# Revision 0000000000NN creates table s_NN, its downgrade drops it.  Each
# worker is a loop of psql sessions; each session runs one upgrade() or
# downgrade() with a random target (head, base, +N, -N, a revision id,
# <rev>+N, <rev>-N), mostly in autocommit, sometimes in a REPEATABLE READ
# or SERIALIZABLE transaction, sometimes in a transaction that is rolled
# back, and then the checker query.  Errors a random target legitimately
# earns (beyond the head, below base, not applied, nothing applied;
# fleetmig's 40001 under REPEATABLE READ, any 40001 under SERIALIZABLE) are
# counted; any other error (deadlock, duplicate key, a migration's own CREATE
# or DROP failing, 40001 under READ COMMITTED) fails the test.
#
# The checker: fleetmig.version holds 0 or 1 rows, and the s_NN tables are
# exactly s_01 .. s_<version>.  Besides the workers' own checks after each
# call, a ninth session runs it continuously, twice per REPEATABLE READ
# snapshot.  At the end the log must replay as a valid walk along the chain
# that ends at fleetmig.version, with one row per committed step.
#
# Needs PGHOST/PGPORT/PGUSER of a superuser (pg_virtualenv).
set -uo pipefail

SECS=${FLEETMIG_STRESS_SECONDS:-20}
WORKERS=8
REVS=50
SEED=${FLEETMIG_STRESS_SEED:-$$}

PLAN=$((WORKERS + 6))
echo "1..$PLAN"
echo "# $WORKERS workers for $SECS s on a $REVS-revision chain, seed $SEED (FLEETMIG_STRESS_SEED)"

. "$(dirname "$0")/tap.bash"

DB="fleetmig_stress_$$"
TMP=$(mktemp -d)
DIR="$TMP/migrations"
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do
        kill "$p" 2>/dev/null
    done
    wait 2>/dev/null
    dropdb --if-exists --force "$DB" >/dev/null 2>&1
    rm -rf "$TMP"
}
trap cleanup EXIT

q() {
    psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" "$@"
}

# ------------------------------------------------------------ the migrations
rev() { printf '%012d' "$1"; }
mkdir "$DIR"
for i in $(seq 1 $REVS); do
    nn=$(printf '%02d' "$i")
    if [ "$i" -eq 1 ]; then parent=none; else parent=$(rev $((i - 1))); fi
    cat >"$DIR/20240101_00${nn}_$(rev "$i")_create_s_$nn.sql" <<EOF
-- fleetmig:revision      $(rev "$i")
-- fleetmig:down_revision $parent
-- fleetmig:message       create s_$nn
-- fleetmig:created       2024-01-01 00:$nn:00

-- fleetmig:upgrade
CREATE TABLE s_$nn (id int PRIMARY KEY);
INSERT INTO s_$nn VALUES ($i);

-- fleetmig:downgrade
DROP TABLE s_$nn;
EOF
done
chmod a+rx "$TMP" "$DIR"
chmod a+r "$DIR"/*.sql

createdb -E UTF8 -T template0 "$DB" || bail "createdb $DB failed"
psql -X -q -v ON_ERROR_STOP=1 -d postgres \
    -c "ALTER DATABASE \"$DB\" SET fleetmig.migrations_dir = '$DIR'" || bail "ALTER DATABASE failed"
q -c "CREATE EXTENSION fleetmig" || bail "CREATE EXTENSION failed"

is "the generated chain has $REVS revisions and one head" "$REVS $(rev $REVS)" \
    "$(q -c "SELECT (SELECT count(*) FROM fleetmig.history()) || ' ' || (SELECT string_agg(revision, ',') FROM fleetmig.heads())" 2>&1)"

# 'ok', or what is wrong: several version rows, or tables that do not match
CHECKER="WITH v AS (
    SELECT count(*) AS nrows, string_agg(revision, ',') AS revs,
           coalesce(max(right(revision, 2)::int), 0) AS top
    FROM fleetmig.version),
  t AS (
    SELECT coalesce(array_agg(relname::text ORDER BY relname::text), '{}') AS names
    FROM pg_catalog.pg_class
    WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace AND relname ~ '^s_[0-9]+\$'),
  e AS (
    SELECT coalesce(array_agg(format('s_%s', lpad(i::text, 2, '0')) ORDER BY i), '{}') AS names
    FROM v, generate_series(1, v.top) AS i)
SELECT CASE
    WHEN v.nrows > 1 THEN 'several version rows: ' || v.revs
    WHEN t.names = e.names THEN 'ok'
    ELSE format('version %s but tables %s', coalesce(v.revs, '<base>'), t.names)
  END
FROM v, t, e"

LEGIT='relative target "[^"]*" goes beyond the head|relative target "[^"]*" goes below base|cannot downgrade to revision "[^"]*": it is not applied|relative target "[^"]*" needs an applied revision'
LEGIT_RR='could not serialize access to the fleetmig state'
LEGIT_SERIALIZABLE='could not serialize access'
RE_ERROR=$'ERROR: +([^\n]*)'
RE_CHECK=$'check=([^\n]*)'

# worker W: loop until the deadline, one psql session per call; writes
# "calls steps committed refused serialization rolled_back checks" to
# $TMP/w$W.result and every unexpected outcome to $TMP/w$W.bad
worker() {
    local w=$1 end=$((EPOCHSECONDS + SECS))
    local calls=0 steps=0 committed=0 refused=0 serial=0 rolled=0 checks=0
    local r fn target mode begin finish out errtext err s check
    RANDOM=$((SEED * 31 + w))
    : >"$TMP/w$w.bad"
    while [ "$EPOCHSECONDS" -lt "$end" ]; do
        r=$((RANDOM % 100))
        if [ $r -lt 50 ]; then fn=upgrade; else fn=downgrade; fi
        case $((RANDOM % 7)) in
            0) if [ $fn = upgrade ]; then target=head; else target=base; fi ;;
            1 | 2) if [ $fn = upgrade ]; then target="+$((RANDOM % 8 + 1))"; else target="-$((RANDOM % 8 + 1))"; fi ;;
            3 | 4) target=$(rev $((RANDOM % REVS + 1))) ;;
            5) if [ $fn = upgrade ]; then target="$(rev $((RANDOM % REVS + 1)))+$((RANDOM % 5 + 1))"; else
                target="$(rev $((RANDOM % REVS + 1)))-$((RANDOM % 5 + 1))"; fi ;;
            6) if [ $fn = upgrade ]; then target=base; else target=head; fi ;;
        esac
        r=$((RANDOM % 20))
        if [ $r -lt 2 ]; then
            mode=rr begin="BEGIN ISOLATION LEVEL REPEATABLE READ;" finish="COMMIT;"
        elif [ $r -lt 3 ]; then
            mode=serializable begin="BEGIN ISOLATION LEVEL SERIALIZABLE;" finish="COMMIT;"
        elif [ $r -lt 4 ]; then
            mode=rollback begin="BEGIN;" finish="ROLLBACK;"
        else
            mode=auto begin="" finish=""
        fi
        out=$(psql -X -q -At -d "$DB" 2>"$TMP/w$w.err" <<SQL
$begin
SELECT 'steps=' || count(*) FROM fleetmig.$fn('$target');
$finish
SELECT 'check=' || ($CHECKER);
SQL
        )
        # bash matching only: forks cost CPU the server needs
        errtext=$(<"$TMP/w$w.err")
        err= s= check=
        [[ $errtext =~ $RE_ERROR ]] && err=${BASH_REMATCH[1]}
        [[ $out =~ steps=([0-9]+) ]] && s=${BASH_REMATCH[1]}
        [[ $out =~ $RE_CHECK ]] && check=${BASH_REMATCH[1]}
        calls=$((calls + 1))
        if [ -n "$s" ] && [ -z "$err" ]; then
            steps=$((steps + s))
            if [ $mode = rollback ]; then
                rolled=$((rolled + 1))
            else
                committed=$((committed + s))
            fi
        elif [ -n "$err" ] && [[ $err =~ $LEGIT ]]; then
            refused=$((refused + 1))
        elif [ $mode = rr ] && [[ $err =~ $LEGIT_RR ]]; then
            serial=$((serial + 1))
        elif [ $mode = serializable ] && [[ $err =~ $LEGIT_SERIALIZABLE ]]; then
            serial=$((serial + 1))
        else
            {
                echo "$fn('$target') ($mode): unexpected outcome"
                echo "$errtext" | sed 's/^/    /'
                echo "$out" | sed 's/^/    stdout: /'
            } >>"$TMP/w$w.bad"
        fi
        if [ -n "$check" ]; then
            checks=$((checks + 1))
            [ "$check" = ok ] || echo "checker after $fn('$target') ($mode): $check" >>"$TMP/w$w.bad"
        else
            echo "checker after $fn('$target') ($mode) returned nothing: $errtext" >>"$TMP/w$w.bad"
        fi
    done
    echo "$calls $steps $committed $refused $serial $rolled $checks" >"$TMP/w$w.result"
}

# the concurrent checker: twice per REPEATABLE READ snapshot, until the
# workers are done; "snapshots bad" to $TMP/checker.result
concurrent_checker() {
    local snaps=0 bad=0 out
    : >"$TMP/checker.bad"
    while [ ! -e "$TMP/done" ]; do
        out=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" 2>&1 <<SQL
BEGIN ISOLATION LEVEL REPEATABLE READ;
$CHECKER;
SELECT pg_sleep(0.01);
$CHECKER;
COMMIT;
SQL
        )
        snaps=$((snaps + 1))
        if [ "$out" != "ok

ok" ]; then
            bad=$((bad + 1))
            echo "snapshot $snaps: $out" >>"$TMP/checker.bad"
        fi
    done
    echo "$snaps $bad" >"$TMP/checker.result"
}

# ------------------------------------------------------------------ the run
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
started=$(date +%s%N)
for w in $(seq 1 $WORKERS); do
    worker "$w" &
    PIDS+=($!)
done
concurrent_checker &
checker_pid=$!
for p in "${PIDS[@]}"; do
    wait "$p"
done
touch "$TMP/done"
wait "$checker_pid"
PIDS=()
elapsed=$((($(date +%s%N) - started) / 1000000))
echo "# workers done after $elapsed ms"

total_calls=0 total_steps=0 total_committed=0
for w in $(seq 1 $WORKERS); do
    if [ ! -s "$TMP/w$w.result" ]; then
        not_ok "worker $w finished" "$(cat "$TMP/w$w.bad" 2>/dev/null)"
        continue
    fi
    read -r calls steps committed refused serial rolled checks <"$TMP/w$w.result"
    total_calls=$((total_calls + calls))
    total_steps=$((total_steps + steps))
    total_committed=$((total_committed + committed))
    desc="worker $w: $calls calls, $steps steps ($rolled calls rolled back), $refused targets refused, $serial serialization failures under REPEATABLE READ or SERIALIZABLE, $checks checks"
    if [ -s "$TMP/w$w.bad" ]; then
        not_ok "$desc" "$(head -60 "$TMP/w$w.bad")"
    elif [ "$calls" -eq 0 ] || [ "$checks" -ne "$calls" ]; then
        not_ok "$desc" "no calls, or not every call was checked"
    else
        ok "$desc"
    fi
done
echo "# $total_calls calls and $total_steps steps in all, $total_committed steps committed"

read -r snaps bad <"$TMP/checker.result" || snaps=0 bad=1
if [ "$bad" -eq 0 ] && [ "$snaps" -gt 0 ]; then
    ok "concurrent checker: $snaps REPEATABLE READ snapshots, each consistent twice"
else
    not_ok "concurrent checker: $snaps snapshots, $bad inconsistent" "$(head -20 "$TMP/checker.bad")"
fi

is "the state is consistent at the end" ok "$(q -c "$CHECKER" 2>&1)"

# the log: one row per committed step, and it replays as a walk along the chain
log_counts=$(q -F ' ' -c "SELECT count(*) FILTER (WHERE direction = 'upgrade'), count(*) FILTER (WHERE direction = 'downgrade'), count(*) FILTER (WHERE direction NOT IN ('upgrade', 'downgrade')), count(*) FROM fleetmig.log" 2>&1)
read -r log_up log_down log_other log_all <<<"$log_counts"
if [ "${log_all:-x}" == "$total_committed" ] && [ "$log_other" == 0 ] &&
    [ "$log_up" -gt 0 ] && [ "$log_down" -gt 0 ]; then
    ok "fleetmig.log has one row per committed step ($log_up upgrades, $log_down downgrades)"
else
    not_ok "fleetmig.log has one row per committed step" \
        "steps committed: $total_committed" "log (upgrades, downgrades, others, all): $log_counts"
fi

replay=$(q -F ' ' -c "SELECT id, revision, direction FROM fleetmig.log ORDER BY id" 2>&1 | {
    top=0 bad=
    while read -r id revision direction; do
        r=$((10#$revision))
        if [ "$direction" = upgrade ] && [ "$r" -eq $((top + 1)) ]; then
            top=$r
        elif [ "$direction" = downgrade ] && [ "$r" -eq "$top" ]; then
            top=$((top - 1))
        else
            bad="log row $id: $direction $revision while at $top"
            break
        fi
    done
    echo "${bad:-$top}"
})
final=$(q -c "SELECT coalesce(max(right(revision, 2)::int), 0) FROM fleetmig.version" 2>&1)
is "the log replays as a walk along the chain that ends at fleetmig.version" "$final" "$replay"

out=$(q -c "SELECT count(*) FROM fleetmig.downgrade('base')" -c "SELECT count(*) FROM fleetmig.upgrade('head')" -c "$CHECKER" -c "SELECT string_agg(revision, ',') FROM fleetmig.version" 2>&1)
is "afterwards downgrade('base') and upgrade('head') run cleanly" \
    "$final
$REVS
ok
$(rev $REVS)" "$out"

if [ "$n" -ne "$PLAN" ]; then
    echo "# ran $n tests, planned $PLAN"
    exit 1
fi
[ "$failed" -eq 0 ]
