# Sourced by test/bench/run.sh inside its cluster: the peak private memory
# of one call of each function on the two big inputs of SPEC §11, against
# its bound (4 times the bytes of the files read, plus 32 MB).
#
#   many files  FLEETMIG_BENCH_FILES files of the rows shape (default
#               100,000; 1,000 in the smoke run)
#   one file    one revision whose upgrade creates a table and inserts
#               FLEETMIG_BENCH_STATEMENTS rows, one short INSERT each
#               (default 1,000,000, about 60 MiB; 10,000 in the smoke run)
#
# Each call runs in a session of its own, inside a transaction that is
# rolled back; the backend's RssAnon is sampled every 5 ms while it runs
# (and VmHWM - RssFile - RssShmem at the end bounds it from below too).
# Uses run.sh's q, die, say, fresh_db, drop_db, verdict, TMP and HERE.

# sampled_call KEY DB SQL: run "SELECT count(*) FROM (SQL) AS s" in a new
# session on DB; sets INPUT[KEY|peak], INPUT[KEY|before], INPUT[KEY|secs]
declare -A INPUT
sampled_call() {
    local key=$1 db=$2 sql=$3 out="$TMP/input.out" pidfile="$TMP/input.pid"
    local psql_pid bpid= peak=0 k v
    cat >"$TMP/input.sql" <<EOF
SELECT pg_backend_pid() AS pid \gset
\setenv BPID :pid
\! echo "\$BPID" > '$pidfile'
\! awk '/^RssAnon:/ { print "before", \$2 }' /proc/\$BPID/status
BEGIN;
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SELECT count(*) AS n FROM ($sql) AS s \gset
SELECT extract(epoch FROM clock_timestamp()) - :t0 AS secs \gset
ROLLBACK;
\echo rows :n secs :secs
\! awk '/^(VmHWM|RssFile|RssShmem):/ { print \$1, \$2 }' /proc/\$BPID/status
EOF
    rm -f "$pidfile"
    psql -X -q -v ON_ERROR_STOP=1 -At -d "$db" -f "$TMP/input.sql" >"$out" 2>"$TMP/input.err" &
    psql_pid=$!
    while kill -0 "$psql_pid" 2>/dev/null; do
        [ -z "$bpid" ] && [ -s "$pidfile" ] && bpid=$(cat "$pidfile")
        if [ -n "$bpid" ] && [ -r "/proc/$bpid/status" ]; then
            while read -r k v _; do
                [ "$k" = RssAnon: ] && ((v > peak)) && peak=$v
            done <"/proc/$bpid/status" 2>/dev/null || true
        fi
        sleep 0.005
    done
    wait "$psql_pid" || die "$sql on $db" "$TMP/input.err"
    v=$(awk '$1 == "VmHWM:" { h = $2 } $1 == "RssFile:" { f = $2 } $1 == "RssShmem:" { s = $2 }
             END { print h - f - s }' "$out")
    ((v > peak)) && peak=$v
    INPUT["$key|peak"]=$((peak * 1024))
    INPUT["$key|before"]=$(($(awk '$1 == "before" { print $2 }' "$out") * 1024))
    INPUT["$key|secs"]=$(awk '$1 == "rows" { print $4 }' "$out")
    INPUT["$key|rows"]=$(awk '$1 == "rows" { print $2 }' "$out")
}

# big_one_file DIR STATEMENTS: one revision of STATEMENTS short INSERTs
big_one_file() {
    mkdir -p "$1"
    awk -v n="$2" 'BEGIN {
        print "-- fleetmig:revision      b1g000000001"
        print "-- fleetmig:message       one big file"
        print ""
        print "-- fleetmig:upgrade"
        print "CREATE TABLE bench_big (id int, note text);"
        for (i = 1; i <= n; i++)
            printf "INSERT INTO bench_big VALUES (%7d, %cnote of a short row%c);\n", i, 39, 39
        print ""
        print "-- fleetmig:downgrade"
        print "DROP TABLE bench_big;"
    }' >"$1/20240101_0000_b1g000000001_big.sql"
    chmod -R a+rX "$1"
}

INPUT_KEYS=()
INPUT_LABELS=()
# input_calls NAME DIR: each function once over DIR
input_calls() {
    local name=$1 dir=$2 db="bench_input" bytes fn key
    bytes=$(find "$dir" -name '*.sql' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
    fresh_db "$db" bench_tpl "$dir"
    for fn in "history()" "upgrade('head')" "upgrade('head', dry_run => true)" "upgrade_sql('head')" "test_roundtrip('head')"; do
        key="$name|$fn"
        case "$fn" in
            upgrade_sql*) sampled_call "$key" "$db" "SELECT length(fleetmig.$fn)" ;;
            *) sampled_call "$key" "$db" "SELECT * FROM fleetmig.$fn" ;;
        esac
        INPUT["$key|bytes"]=$bytes
        INPUT_KEYS+=("$key")
        say "$(printf 'input %-11s %-34s %8.2f s  peak RssAnon %6.1f MB (before %5.1f MB), files %6.1f MB' \
            "$name" "$fn" "${INPUT["$key|secs"]}" \
            "$(awk -v b="${INPUT["$key|peak"]}" 'BEGIN { print b / 1048576 }')" \
            "$(awk -v b="${INPUT["$key|before"]}" 'BEGIN { print b / 1048576 }')" \
            "$(awk -v b="$bytes" 'BEGIN { print b / 1048576 }')")"
    done
    drop_db "$db"
}

INPUT_FILES=${FLEETMIG_BENCH_FILES:-100000}
INPUT_STATEMENTS=${FLEETMIG_BENCH_STATEMENTS:-1000000}
[ -d "$TMP/rows_$INPUT_FILES" ] || bash "$HERE/generate.sh" "$TMP/rows_$INPUT_FILES" "$INPUT_FILES" rows
chmod -R a+rX "$TMP/rows_$INPUT_FILES"
input_calls "$INPUT_FILES files" "$TMP/rows_$INPUT_FILES"
big_one_file "$TMP/big_$INPUT_STATEMENTS" "$INPUT_STATEMENTS"
input_calls "1 file" "$TMP/big_$INPUT_STATEMENTS"

# input_report: the table, with a verdict per call
input_report() {
    local key name fn peak bytes bound
    echo
    echo "peak private memory of one call (SPEC §11: at most 4 x the bytes of the files + 32 MB);"
    echo "  $INPUT_FILES files of the rows shape, and 1 file of $INPUT_STATEMENTS INSERTs;"
    echo "  each call in a new session, rolled back; peak RssAnon includes the session's own before it"
    printf '  %-14s | %-34s | %9s | %8s | %10s | %10s | %s\n' input call "files" "time (s)" "peak" bound verdict
    for key in "${INPUT_KEYS[@]}"; do
        IFS='|' read -r name fn <<<"$key"
        peak=${INPUT["$key|peak"]}
        bytes=${INPUT["$key|bytes"]}
        bound=$((4 * bytes + 32 * 1048576))
        verdict "memory of $fn on $name: $(mba "$peak") (bound $(mba "$bound"))" "$peak" "$bound"
        printf '  %-14s | %-34s | %9s | %8.2f | %10s | %10s | %s\n' "$name" "$fn" "$(mba "$bytes")" \
            "${INPUT["$key|secs"]}" "$(mba "$peak")" "$(mba "$bound")" "$VERDICT"
    done
}
