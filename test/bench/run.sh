#!/bin/bash
# The SPEC §11 benchmarks: fleetmig against the plain-SQL floor, side by side
# in one throw-away cluster.
#
#   bash test/bench/run.sh [N...]      default N: 100 1000 10000
#   bash test/bench/run.sh --smoke     N = 100, one run, no N = 10,000 memory
#                                      (a quick check that everything runs)
#
# Run as root from anywhere, after `make -s && make -s install` (when no
# fleetmig is installed at all, the script builds and installs it).  It starts
# its own cluster with `pg_virtualenv -t -v 15` (test/cluster.sh) and generates the migrations
# with test/bench/generate.sh in a temporary directory.
#
# Environment:
#   FLEETMIG_BENCH_RUNS       runs per measurement (default 5; the median is shown)
#   FLEETMIG_BENCH_WRITE_MAX  largest N for upgrade/downgrade (default 1000:
#                             10,000 tables in one transaction exhaust the lock table)
#   FLEETMIG_BENCH_MEM        the N of the memory measurement (default "100 10000")
#   FLEETMIG_BENCH_FILES      files of the many-files input (default 100000)
#   FLEETMIG_BENCH_STATEMENTS INSERTs in the one-file input (default 1000000,
#                             about 60 MiB); both in test/bench/inputs.sh
#
# Every figure is the wall time of a whole psql process (-X -q, output to
# /dev/null, client_min_messages = warning), started from the shell:
#   heads/history/current  `SELECT count(*) FROM fleetmig.heads()` (etc.) over
#                          N files of the chain shape (stamped at head), against
#                          one SELECT summing pg_read_file() over the same files;
#                          the "(branchy)" rows do the same over the branchy shape
#                          (stamped at heads), for information
#   upgrade                `SELECT count(*) FROM fleetmig.upgrade('head')` from
#                          base, against the same SQL sent as one simple-query
#                          message (DIR.upgrade.msg.sql: the statements joined
#                          by psql's \;, the floor of SPEC §11), and in a row of
#                          its own against `psql -1 -f DIR.upgrade.sql`, each on
#                          a fresh database made from a template outside the
#                          timing
#   downgrade              `SELECT count(*) FROM fleetmig.downgrade('base')` from
#                          head, the same way against DIR.downgrade.msg.sql and
#                          `psql -1 -f DIR.downgrade.sql`, both on a fresh copy
#                          of a database that fleetmig upgraded to head
# The ours/floor runs alternate (ours first on odd runs, the floor first on
# even runs) with a CHECKPOINT and a sync before each pair; beside the ratio
# of the medians (the budget's), the table shows the median of each pair's
# own ratio and their range, which tells how far the machine's noise
# reaches.  The databases of all runs are made before the first run and
# checked and dropped after the last: dropping thousands of relation files just before a run makes the
# kernel's file creation several times slower and bimodal on some machines.
# Beside the wall time, each run's backend CPU (user and system, from the
# postmaster's cutime/cstime) is reported, to show where the time goes.
#
# Memory: one session runs upgrade('head') over N revisions of the rows shape
# in a transaction, and reports the total of pg_backend_memory_contexts inside
# the transaction (before COMMIT) and after it, the backend's VmHWM (peak RSS,
# shared buffers included) from /proc, and its peak RssAnon (private memory,
# sampled every 5 ms from /proc while the call runs, or VmHWM minus the final
# RssFile and RssShmem when that is larger).  One more session runs only 100
# steps over the largest directory, which separates what grows with the number
# of steps from what grows with the number of files.
#
# Big inputs (test/bench/inputs.sh): the peak private memory of one call of
# history(), upgrade(), upgrade(dry_run => true), upgrade_sql() and
# test_roundtrip() on FLEETMIG_BENCH_FILES small files and on one file of
# FLEETMIG_BENCH_STATEMENTS INSERTs, against SPEC §11's bound of 4 times the
# bytes of the files plus 32 MB.
#
# The script reports; it never fails on a ratio.  It fails (exit 1) when a
# command errors or a migrated database does not look as it should.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

if [ "${1:-}" != "--inner" ]; then
    NS=()
    SMOKE=0
    for a in "$@"; do
        case "$a" in
            --smoke) SMOKE=1 ;;
            -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
            *)
                [[ "$a" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: not a number: $a" >&2; exit 2; }
                NS+=("$a") ;;
        esac
    done
    if [ "$SMOKE" = 1 ]; then
        export FLEETMIG_BENCH_NS=100 FLEETMIG_BENCH_RUNS=1 FLEETMIG_BENCH_MEM=100
        export FLEETMIG_BENCH_FILES=1000 FLEETMIG_BENCH_STATEMENTS=10000
    else
        [ ${#NS[@]} -gt 0 ] || NS=(100 1000 10000)
        export FLEETMIG_BENCH_NS="${NS[*]}"
        export FLEETMIG_BENCH_RUNS=${FLEETMIG_BENCH_RUNS:-5}
        export FLEETMIG_BENCH_MEM=${FLEETMIG_BENCH_MEM:-100 10000}
    fi
    PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
    if [ ! -f "$("$PG_CONFIG" --sharedir)/extension/fleetmig.control" ]; then
        echo "== fleetmig is not installed: building and installing it" >&2
        make -s -C "$ROOT" PG_CONFIG="$PG_CONFIG"
        make -s -C "$ROOT" PG_CONFIG="$PG_CONFIG" install
    fi
    # SPEC §11 measures with fsync on; pg_virtualenv turns it off
    FLEETMIG_PG_OPTIONS="fsync=on" exec bash "$ROOT/test/cluster.sh" bench bash "$HERE/run.sh" --inner
fi

# ---------------------------------------------------------------- in the cluster
export LC_NUMERIC=C
export PGOPTIONS='-c client_min_messages=warning'
read -r -a NS <<<"$FLEETMIG_BENCH_NS"
read -r -a MEM_NS <<<"$FLEETMIG_BENCH_MEM"
RUNS=$FLEETMIG_BENCH_RUNS
WRITE_MAX=${FLEETMIG_BENCH_WRITE_MAX:-1000}
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "FLEETMIG_BENCH_RUNS must be a positive number" >&2; exit 2; }

TMP=$(mktemp -d /tmp/fleetmig-bench.XXXXXX)
chmod 755 "$TMP"
cleanup() { rm -rf "$TMP"; }
trap cleanup EXIT

say() { echo "# $*" >&2; }
die() {
    echo "run.sh: FAILED: $1" >&2
    shift
    [ $# -gt 0 ] && [ -s "$1" ] && sed 's/^/    /' "$1" >&2
    exit 1
}

PSQL=(psql -X -q -v ON_ERROR_STOP=1)
q() { "${PSQL[@]}" -At "$@" 2>"$TMP/q.err" || die "psql $*" "$TMP/q.err"; }

fresh_db() { # NAME TEMPLATE [MIGRATIONS_DIR]
    q -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1 TEMPLATE $2"
    [ -z "${3:-}" ] || q -d postgres -c "ALTER DATABASE $1 SET fleetmig.migrations_dir = '$3'"
}
drop_db() { q -d postgres -c "DROP DATABASE IF EXISTS $1"; }

# timed CMD...: run a whole command, output to /dev/null; sets T (seconds)
T=
timed() {
    local t0 t1
    t0=$EPOCHREALTIME
    "$@" >/dev/null 2>"$TMP/timed.err" || die "$*" "$TMP/timed.err"
    t1=$EPOCHREALTIME
    T=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
    END { if (NR % 2) printf "%.6f", v[(NR + 1) / 2]; else printf "%.6f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# before each timed pair: write out the dirty buffers (a fresh database copy
# leaves many) and let the kernel flush them, so neither side pays for that
checkpoint() {
    q -d postgres -c CHECKPOINT
    sync
}

# results: one line per row, "op|N|ours|floor|runs"
ROWS=()
declare -A OURS FLOOR
record() { # OP N OURS FLOOR [OURS_RUNS FLOOR_RUNS]
    ROWS+=("$1|$2|$3|$4|$RUNS")
    OURS["$1|$2"]=$3
    FLOOR["$1|$2"]=$4
    say "$(printf '%-24s N=%-6s ours %.4f s  floor %.4f s' "$1" "$2" "$3" "$4")${5:+   runs: ours $5 / floor $6}"
}
short() { printf '%.3f ' "$@" | sed 's/ $//'; }

# Backends' CPU time: a backend's user and system time are added to the
# postmaster's cutime and cstime (/proc/PM/stat) when it exits, so the
# difference around a timed psql is the CPU its backend used (10 ms ticks).
PM=
CLK_TCK=$(getconf CLK_TCK)
# the postmaster's children, from /proc (a minimal system has no pgrep)
pm_children() { { grep -lsx "PPid:[[:space:]]*$PM" /proc/[0-9]*/status || true; } | wc -l; }
pm_cpu() { awk -v hz="$CLK_TCK" '{ sub(/^.*\) /, ""); printf "%.2f %.2f\n", $14 / hz, $15 / hz }' "/proc/$PM/stat"; }
# timed_backend CMD: like timed, then waits for the backend to be reaped and
# sets BU and BS (its user and system CPU seconds) as well
BU=
BS=
timed_backend() {
    local before u0 s0 u1 s1 i
    before=$(pm_children)
    read -r u0 s0 < <(pm_cpu)
    timed "$@"
    for ((i = 0; i < 300; i++)); do
        (($(pm_children) <= before)) && break
        sleep 0.01
    done
    read -r u1 s1 < <(pm_cpu)
    BU=$(awk -v a="$u0" -v b="$u1" 'BEGIN { printf "%.2f", b - a }')
    BS=$(awk -v a="$s0" -v b="$s1" 'BEGIN { printf "%.2f", b - a }')
}

# side_by_side OP N PREPARE OURS_CMD FLOOR_CMD: PREPARE R (a function, untimed)
# makes what run R needs, for every run before the first one; PREPARE_check R,
# if defined, checks and drops it after the last.  "{r}" in the commands
# stands for the run number.  The pair's order alternates.
declare -A CPU PAIRED
side_by_side() {
    local op=$1 n=$2 prep=$3 ours=$4 floor=$5 r os=() fs=() ou=() osy=() fu=() fsy=() o f
    for ((r = 1; r <= RUNS; r++)); do
        $prep "$r"
    done
    for ((r = 1; r <= RUNS; r++)); do
        checkpoint
        o=${ours//\{r\}/$r}
        f=${floor//\{r\}/$r}
        if ((r % 2)); then
            timed_backend eval "$o"; os+=("$T"); ou+=("$BU"); osy+=("$BS")
            timed_backend eval "$f"; fs+=("$T"); fu+=("$BU"); fsy+=("$BS")
        else
            timed_backend eval "$f"; fs+=("$T"); fu+=("$BU"); fsy+=("$BS")
            timed_backend eval "$o"; os+=("$T"); ou+=("$BU"); osy+=("$BS")
        fi
    done
    if [ "$(type -t "${prep}_check" || true)" = function ]; then
        for ((r = 1; r <= RUNS; r++)); do
            "${prep}_check" "$r"
        done
    fi
    CPU["$op|$n"]="$(median "${ou[@]}") $(median "${osy[@]}") $(median "${fu[@]}") $(median "${fsy[@]}")"
    # each round's own ratio: a machine that drifts during the row moves
    # both sides of a pair together
    local pr=()
    for ((r = 0; r < RUNS; r++)); do
        pr+=("$(awk -v a="${os[r]}" -v b="${fs[r]}" 'BEGIN { printf "%.6f", a / b }')")
    done
    PAIRED["$op|$n"]="$(median "${pr[@]}") $(printf '%s\n' "${pr[@]}" | sort -g | sed -n '1p;$p' | tr '\n' ' ')"
    record "$op" "$n" "$(median "${os[@]}")" "$(median "${fs[@]}")" "$(short "${os[@]}")" "$(short "${fs[@]}")"
}
PSQLS="psql -X -q -v ON_ERROR_STOP=1"

say "fleetmig $(q -d postgres -c "SELECT default_version FROM pg_available_extensions WHERE name = 'fleetmig'"), $(q -d postgres -c 'SHOW server_version'), fsync $(q -d postgres -c 'SHOW fsync'), N: ${NS[*]}, runs: $RUNS, memory N: ${MEM_NS[*]}"
PM=$(head -1 "$(q -d postgres -c 'SHOW data_directory')/postmaster.pid")
[ -r "/proc/$PM/stat" ] || die "cannot read /proc/$PM/stat of the postmaster (run as root)"
q -d postgres -c "CREATE DATABASE bench_tpl TEMPLATE template0 ENCODING 'UTF8'"
q -d bench_tpl -c "CREATE EXTENSION fleetmig"

# a psql process that does nothing, on both sides: its ratio shows the noise
noop_prep() { :; }
side_by_side "psql -c 'SELECT 1' (A/A)" - noop_prep "$PSQLS -d bench_tpl -c 'SELECT 1'" "$PSQLS -d bench_tpl -c 'SELECT 1'"

# ------------------------------------------------------------ read-only commands
read_only() { # SHAPE N SUFFIX
    local shape=$1 n=$2 suffix=$3 dir="$TMP/$1_$2" db="bench_ro_$1_$2" cmd floor
    [ -d "$dir" ] || bash "$HERE/generate.sh" "$dir" "$n" "$shape"
    fresh_db "$db" bench_tpl "$dir"
    if [ "$shape" = chain ]; then
        q -d "$db" -c "SELECT count(*) FROM fleetmig.stamp('head')" >/dev/null
    else
        q -d "$db" -c "SELECT count(*) FROM fleetmig.stamp('heads')" >/dev/null
    fi
    [ "$(q -d "$db" -c "SELECT count(*) FROM fleetmig.history()")" = "$n" ] \
        || die "history() over $dir does not list $n revisions"
    floor="$PSQLS -d $db -c \"SELECT sum(length(pg_read_file('$dir' || '/' || f))) FROM pg_ls_dir('$dir') AS f WHERE f LIKE '%.sql'\""
    for cmd in heads history current; do
        side_by_side "$cmd()$suffix" "$n" noop_prep \
            "$PSQLS -d $db -c 'SELECT count(*) FROM fleetmig.$cmd()'" "$floor"
    done
    drop_db "$db"
}
for n in "${NS[@]}"; do
    read_only chain "$n" ""
done
for n in "${NS[@]}"; do
    read_only branchy "$n" " (branchy)"
done

# ------------------------------------------------------------ upgrade, downgrade
count_bench_tables() {
    q -d "$1" -c "SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relname LIKE 'bench\_%'"
}
CUR_N=
CUR_DIR=
# one_message IN OUT: the script IN as one simple-query message (SPEC §11's
# floor): every statement but the last ends in psql's \; so that psql sends
# them together, and the server runs them as one implicit transaction.  The
# generated statements each end a line with ";".
one_message() {
    [ -f "$2" ] && return 0
    awk '{ lines[NR] = $0 } /;$/ { last = NR }
         END { for (i = 1; i <= NR; i++) { l = lines[i]; if (i != last) sub(/;$/, "\\;", l); print l } }' "$1" >"$2"
}
up_prep() {
    fresh_db "bench_ours_$1" bench_tpl "$CUR_DIR"
    fresh_db "bench_floor_$1" bench_tpl
}
up_prep_check() {
    [ "$(count_bench_tables "bench_ours_$1")" = "$CUR_N" ] || die "upgrade('head') did not create $CUR_N tables"
    [ "$(count_bench_tables "bench_floor_$1")" = "$CUR_N" ] || die "$CUR_DIR.upgrade.sql did not create $CUR_N tables"
    [ "$(q -d "bench_ours_$1" -c "SELECT revision FROM fleetmig.version")" = "$(printf %012d "$CUR_N")" ] \
        || die "fleetmig.version is not at head after upgrade('head')"
    drop_db "bench_ours_$1"
    drop_db "bench_floor_$1"
}
down_prep() {
    fresh_db "bench_ours_$1" "bench_head_$CUR_N" "$CUR_DIR"
    fresh_db "bench_floor_$1" "bench_head_$CUR_N"
}
down_prep_check() {
    [ "$(count_bench_tables "bench_ours_$1")" = 0 ] || die "downgrade('base') left tables behind"
    [ "$(count_bench_tables "bench_floor_$1")" = 0 ] || die "$CUR_DIR.downgrade.sql left tables behind"
    [ "$(q -d "bench_ours_$1" -c "SELECT count(*) FROM fleetmig.version")" = 0 ] \
        || die "fleetmig.version is not empty after downgrade('base')"
    drop_db "bench_ours_$1"
    drop_db "bench_floor_$1"
}
for n in "${NS[@]}"; do
    if ((n > WRITE_MAX)); then
        say "upgrade/downgrade skipped at N=$n (FLEETMIG_BENCH_WRITE_MAX=$WRITE_MAX)"
        continue
    fi
    CUR_N=$n
    CUR_DIR="$TMP/chain_$n"
    [ -d "$CUR_DIR" ] || bash "$HERE/generate.sh" "$CUR_DIR" "$n" chain
    one_message "$CUR_DIR.upgrade.sql" "$CUR_DIR.upgrade.msg.sql"
    one_message "$CUR_DIR.downgrade.sql" "$CUR_DIR.downgrade.msg.sql"
    side_by_side "upgrade('head')" "$n" up_prep \
        "$PSQLS -d bench_ours_{r} -c \"SELECT count(*) FROM fleetmig.upgrade('head')\"" \
        "$PSQLS -d bench_floor_{r} -f '$CUR_DIR.upgrade.msg.sql'"
    side_by_side "upgrade('head') vs psql -1 -f" "$n" up_prep \
        "$PSQLS -d bench_ours_{r} -c \"SELECT count(*) FROM fleetmig.upgrade('head')\"" \
        "$PSQLS -d bench_floor_{r} -1 -f '$CUR_DIR.upgrade.sql'"

    # the template at head: upgraded by fleetmig, so that both sides start
    # from the same database (fleetmig.version and fleetmig.log included)
    fresh_db "bench_head_$n" bench_tpl "$CUR_DIR"
    q -d "bench_head_$n" -c "SELECT count(*) FROM fleetmig.upgrade('head')" >/dev/null
    side_by_side "downgrade('base')" "$n" down_prep \
        "$PSQLS -d bench_ours_{r} -c \"SELECT count(*) FROM fleetmig.downgrade('base')\"" \
        "$PSQLS -d bench_floor_{r} -f '$CUR_DIR.downgrade.msg.sql'"
    side_by_side "downgrade('base') vs psql -1 -f" "$n" down_prep \
        "$PSQLS -d bench_ours_{r} -c \"SELECT count(*) FROM fleetmig.downgrade('base')\"" \
        "$PSQLS -d bench_floor_{r} -1 -f '$CUR_DIR.downgrade.sql'"
    drop_db "bench_head_$n"
done

# ------------------------------------------------------------------------ memory
# memory KEY FILES STEPS: one session runs upgrade() of STEPS revisions (to
# revision STEPS) of a FILES-revision rows directory; results in MEM[KEY|...]
declare -A MEM
memory() {
    local key=$1 files=$2 steps=$3 dir="$TMP/rows_$2" db="bench_mem_$1" out="$TMP/mem_$1.out" pidfile="$TMP/mem_$1.pid"
    local psql_pid bpid= peak=0 k v ran nrows secs ctx_before ctx_tx ctx_after target
    [ -d "$dir" ] || bash "$HERE/generate.sh" "$dir" "$files" rows
    target=$(printf %012d "$steps")
    fresh_db "$db" bench_tpl "$dir"
    cat >"$TMP/mem.sql" <<EOF
SELECT pg_backend_pid() AS pid \gset
\setenv BPID :pid
\! echo "\$BPID" > '$pidfile'
SELECT sum(total_bytes) AS ctx_before FROM pg_backend_memory_contexts \gset
BEGIN;
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SELECT count(*) AS steps FROM fleetmig.upgrade('$target') \gset
SELECT extract(epoch FROM clock_timestamp()) - :t0 AS secs \gset
SELECT sum(total_bytes) AS ctx_tx FROM pg_backend_memory_contexts \gset
COMMIT;
SELECT sum(total_bytes) AS ctx_after FROM pg_backend_memory_contexts \gset
SELECT count(*) AS nrows FROM bench_rows \gset
\echo steps :steps rows :nrows secs :secs ctx_before :ctx_before ctx_tx :ctx_tx ctx_after :ctx_after
\! awk '/^(VmHWM|VmRSS|RssAnon|RssFile|RssShmem):/ { print \$1, \$2 }' /proc/\$BPID/status
EOF
    rm -f "$pidfile"
    "${PSQL[@]}" -At -d "$db" -f "$TMP/mem.sql" >"$out" 2>"$TMP/mem.err" &
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
    wait "$psql_pid" || die "upgrade('$target') over $files revisions of the rows shape" "$TMP/mem.err"
    [ -s "$pidfile" ] || die "no backend pid from the memory session" "$out"
    read -r _ ran _ nrows _ secs _ ctx_before _ ctx_tx _ ctx_after < <(grep '^steps ' "$out")
    [ "$ran" = "$steps" ] && [ "$nrows" = "$steps" ] \
        || die "upgrade('$target') of the rows shape ran $ran steps, $nrows rows, not $steps" "$out"
    MEM["$key|label"]="$steps steps, $files files"
    MEM["$key|secs"]=$secs
    MEM["$key|steps"]=$steps
    MEM["$key|ctx_before"]=$ctx_before
    MEM["$key|ctx_tx"]=$ctx_tx
    MEM["$key|ctx_after"]=$ctx_after
    MEM["$key|RssAnon_peak"]=$((peak * 1024))
    while read -r k v; do
        MEM["$key|${k%:}"]=$((v * 1024))
    done < <(grep -E '^(VmHWM|VmRSS|RssAnon|RssFile|RssShmem):' "$out")
    # The samples miss a peak shorter than their interval.  File and shared
    # pages once mapped stay mapped, so VmHWM minus their final size is a
    # second lower bound of the private peak; take the larger.
    v=$((MEM["$key|VmHWM"] - MEM["$key|RssFile"] - MEM["$key|RssShmem"]))
    ((v > MEM["$key|RssAnon_peak"])) && MEM["$key|RssAnon_peak"]=$v
    ((MEM["$key|RssAnon"] > MEM["$key|RssAnon_peak"])) && MEM["$key|RssAnon_peak"]=${MEM["$key|RssAnon"]}
    say "$(printf 'memory %-24s in %.2f s: contexts in tx %s, VmHWM %s, peak RssAnon %s' \
        "${MEM["$key|label"]}" "$secs" "$ctx_tx" "${MEM["$key|VmHWM"]}" "${MEM["$key|RssAnon_peak"]}")"
    drop_db "$db"
}
MEM_KEYS=()
for n in "${MEM_NS[@]}"; do
    memory "$n" "$n" "$n"
    MEM_KEYS+=("$n")
done
# the step count alone: 100 steps over the largest directory
MEM_MAX=$(printf '%s\n' "${MEM_NS[@]}" | sort -n | tail -1)
if ((MEM_MAX > 100)); then
    memory "100of$MEM_MAX" "$MEM_MAX" 100
    MEM_KEYS+=("100of$MEM_MAX")
fi

# the big inputs: every function's peak memory against its bound
source "$HERE/inputs.sh"

# ------------------------------------------------------------------------ report
budget_of() { # OP N -> budget ratio or empty
    case "$1|$2" in
        "upgrade('head')|1000" | "downgrade('base')|1000") echo 1.05 ;;
        "upgrade('head') vs psql -1 -f|1000") echo 1.00 ;;
        "heads()|10000" | "history()|10000" | "current()|10000") echo 1.3 ;;
    esac
}
# verdict WHAT VALUE BUDGET: sets VERDICT (met or MISSED) and records it
verdicts=()
VERDICT=
verdict() {
    if awk -v v="$2" -v b="$3" 'BEGIN { exit !(v <= b) }'; then
        VERDICT=met
    else
        VERDICT=MISSED
    fi
    verdicts+=("$(printf '%-7s %s' "$VERDICT" "$1")")
}
mb() { awk -v b="$1" 'BEGIN { printf "%+.1f MB", b / 1048576 }'; }
mba() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1048576 }'; }

echo
echo "fleetmig benchmarks (SPEC §11): median of $RUNS run(s), wall time of whole psql processes"
echo
printf '%-32s | %6s | %9s | %9s | %7s | %-17s | %-23s | %s\n' operation N "ours (s)" "floor (s)" ratio budget "paired (min-max)" runs
printf '%s\n' "---------------------------------+--------+-----------+-----------+---------+-------------------+-------------------------+-----"
for row in "${ROWS[@]}"; do
    IFS='|' read -r op n ours floor runs <<<"$row"
    ratio=$(awk -v a="$ours" -v b="$floor" 'BEGIN { printf "%.2fx", a / b }')
    b=$(budget_of "$op" "$n")
    if [ -n "$b" ]; then
        verdict "$op at N=$n: $ratio (budget <= ${b}x)" "${ratio%x}" "$b"
        bcol="<= ${b}x $VERDICT"
    else
        bcol=-
    fi
    read -r pmed pmin pmax <<<"${PAIRED["$op|$n"]}"
    paired=$(awk -v m="$pmed" -v a="$pmin" -v b="$pmax" 'BEGIN { printf "%.2fx (%.2fx-%.2fx)", m, a, b }')
    printf '%-32s | %6s | %9.4f | %9.4f | %7s | %-17s | %-23s | %s\n' "$op" "$n" "$ours" "$floor" "$ratio" "$bcol" "$paired" "$runs"
done

echo
echo "per step (ours - floor) / N, upgrade and downgrade:"
for row in "${ROWS[@]}"; do
    IFS='|' read -r op n ours floor runs <<<"$row"
    case "$op" in upgrade* | downgrade*) ;; *) continue ;; esac
    awk -v op="$op" -v n="$n" -v a="$ours" -v b="$floor" \
        'BEGIN { printf "  %-32s N=%-6s ours %.3f ms/step, floor %.3f ms/step, extra %+.3f ms/step\n", op, n, 1000 * a / n, 1000 * b / n, 1000 * (a - b) / n }'
done

echo
echo "backend CPU, median of the runs (s; from the postmaster's cutime/cstime, 10 ms ticks):"
for row in "${ROWS[@]}"; do
    IFS='|' read -r op n ours floor runs <<<"$row"
    case "$op" in upgrade* | downgrade* | *"(branchy)") [[ "$op" != *branchy* ]] || continue ;; *) [ "$n" = 10000 ] || continue ;; esac
    read -r ou osy fu fsy <<<"${CPU["$op|$n"]}"
    awk -v op="$op" -v n="$n" -v ou="$ou" -v os="$osy" -v fu="$fu" -v fs="$fsy" -v ow="$ours" -v fw="$floor" \
        'BEGIN { printf "  %-32s N=%-6s ours user %.2f sys %.2f (%.0f%% of wall), floor user %.2f sys %.2f (%.0f%% of wall)\n", op, n, ou, os, 100 * (ou + os) / ow, fu, fs, 100 * (fu + fs) / fw }'
done

if [ -n "${OURS["heads()|1000"]:-}" ] && [ -n "${OURS["heads()|10000"]:-}" ]; then
    base=$(median "${OURS["psql -c 'SELECT 1' (A/A)|-"]}" "${FLOOR["psql -c 'SELECT 1' (A/A)|-"]}")
    echo
    echo "growth from N=1,000 to N=10,000 files (budget: at most 11x; linear is 10x):"
    for op in "heads()" "history()" "current()" "heads() (branchy)" "history() (branchy)" "current() (branchy)"; do
        [ -n "${OURS["$op|1000"]:-}" ] && [ -n "${OURS["$op|10000"]:-}" ] || continue
        g=$(awk -v a="${OURS["$op|1000"]}" -v b="${OURS["$op|10000"]}" 'BEGIN { printf "%.2f", b / a }')
        gn=$(awk -v a="${OURS["$op|1000"]}" -v b="${OURS["$op|10000"]}" -v z="$base" 'BEGIN { printf "%.2f", (b - z) / (a - z) }')
        gf=$(awk -v a="${FLOOR["$op|1000"]}" -v b="${FLOOR["$op|10000"]}" 'BEGIN { printf "%.2f", b / a }')
        case "$op" in
            *branchy*) v=info ;;
            *) verdict "$op growth from 1,000 to 10,000 files: ${g}x (budget <= 11x)" "$g" 11; v=$VERDICT ;;
        esac
        printf '  %-20s %6sx  (%sx without the %.3f s of a psql that does nothing; floor %sx)  %s\n' \
            "$op" "$g" "$gn" "$base" "$gf" "$v"
    done
fi

echo
echo "backend memory of one session running upgrade() over the rows shape (one INSERT per step):"
echo "  contexts: sum(total_bytes) of pg_backend_memory_contexts before the call, inside its"
echo "  transaction after it returned, and after COMMIT; VmHWM: peak RSS (shared buffers the"
echo "  backend touched included); peak RssAnon: private memory during the call, the larger of"
echo "  samples every 5 ms and VmHWM - RssFile - RssShmem at the end"
printf '  %-26s | %8s | %10s | %10s | %10s | %9s | %12s | %9s\n' run "time (s)" "ctx before" "ctx in tx" "ctx after" VmHWM "peak RssAnon" RssShmem
for key in "${MEM_KEYS[@]}"; do
    printf '  %-26s | %8.2f | %10s | %10s | %10s | %9s | %12s | %9s\n' "${MEM["$key|label"]}" "${MEM["$key|secs"]}" \
        "$(mba "${MEM["$key|ctx_before"]}")" "$(mba "${MEM["$key|ctx_tx"]}")" "$(mba "${MEM["$key|ctx_after"]}")" \
        "$(mba "${MEM["$key|VmHWM"]}")" "$(mba "${MEM["$key|RssAnon_peak"]}")" "$(mba "${MEM["$key|RssShmem"]}")"
done
memdiff() { # A B TITLE JUDGE(yes|no)
    local a=$1 b=$2 k d what v
    [ -n "${MEM["$a|secs"]:-}" ] && [ -n "${MEM["$b|secs"]:-}" ] || return 0
    echo "  $3:"
    for k in ctx_tx ctx_after RssAnon_peak VmHWM; do
        d=$((MEM["$a|$k"] - MEM["$b|$k"]))
        case "$k" in
            ctx_tx) what="memory contexts inside the transaction" ;;
            ctx_after) what="memory contexts after COMMIT" ;;
            RssAnon_peak) what="peak RssAnon (private memory during the call)" ;;
            VmHWM) what="VmHWM (peak RSS, shared buffers included)" ;;
        esac
        v=info
        # SPEC §11 bounds the private memory during the call
        if [ "$4" = yes ] && [ "$k" = RssAnon_peak ]; then
            verdict "memory of 10,000 steps vs 100, $what: $(mb "$d") (budget: within 2 MB)" "${d#-}" $((2 * 1048576))
            v=$VERDICT
        fi
        printf '    %-48s %10s  %s\n' "$what" "$(mb "$d")" "$v"
    done
}
# SPEC §11: memory does not grow with the number of steps run, so the
# budget compares 10,000 steps with 100 steps of the same 10,000-file
# project; the growth with the size of the directory is shown beside it
memdiff 10000 100of10000 "SPEC budget, the steps: 10,000 steps minus 100 steps, both over the same 10,000 files, within 2 MB" yes
memdiff 10000 100 "10,000 steps over 10,000 files minus 100 steps over 100 files (steps and files together)" no
memdiff 100of10000 100 "the files alone: 100 steps over 10,000 files minus 100 steps over 100 files" no
for key in "${MEM_KEYS[@]}"; do
    awk -v l="${MEM["$key|label"]}" -v s="${MEM["$key|secs"]}" -v n="${MEM["$key|steps"]}" \
        'BEGIN { printf "  %s: %.3f ms per step (reading the directory included)\n", l, 1000 * s / n }'
done

input_report

echo
echo "budgets:"
if [ ${#verdicts[@]} -gt 0 ]; then
    printf '  %s\n' "${verdicts[@]}"
else
    echo "  none applies at N = ${NS[*]} (they are set at N = 1,000 and 10,000)"
fi
