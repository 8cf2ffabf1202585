#!/bin/bash
# Autogenerate against its floor, side by side in one throw-away cluster.
#
#   bash test/bench/autogenerate.sh [N...]   default N: 100 1000
#   bash test/bench/autogenerate.sh --smoke  N = 100, one run
#
# A model of N tables (eight columns of assorted types, a primary key, a
# foreign key to the table before, a check, an index and a comment each) is
# loaded into schema public of a database, so that the database matches it.
# Then, as whole psql processes (-X -q, output to /dev/null), median of
# FLEETMIG_BENCH_RUNS runs (default 5):
#   check()     SELECT fleetmig.check(): load the model into a scratch schema,
#               read both schemas, compare (no drift, nothing written)
#   floor       psql -1 of the same model files into a fresh schema, rolled
#               back: what any comparison has to do at least
#   create()    create(autogenerate => true) on an empty database: the
#               comparison plus writing an N-table migration, for information
# The script reports; it never fails on a ratio.  It fails when a command
# errors or check() finds drift.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [ "${1:-}" != "--inner" ]; then
    NS=()
    RUNS=${FLEETMIG_BENCH_RUNS:-5}
    for a in "$@"; do
        case "$a" in
            --smoke) NS=(100); RUNS=1 ;;
            *)
                [[ "$a" =~ ^[1-9][0-9]*$ ]] || { echo "autogenerate.sh: not a number: $a" >&2; exit 2; }
                NS+=("$a") ;;
        esac
    done
    [ ${#NS[@]} -gt 0 ] || NS=(100 1000)
    WORK=$(mktemp -d /tmp/fleetmig-bench-ag.XXXXXX)
    trap 'rm -rf "$WORK"' EXIT
    for n in "${NS[@]}"; do
        mkdir -p "$WORK/$n/migrations" "$WORK/$n/models"
        awk -v n="$n" -v out="$WORK/$n/models/model.sql" 'BEGIN {
            for (i = 1; i <= n; i++) {
                printf "CREATE TABLE t%05d (\n", i > out
                printf "    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n" > out
                if (i > 1)
                    printf "    parent_id bigint REFERENCES t%05d (id) ON DELETE SET NULL,\n", i - 1 > out
                printf "    name varchar(100) NOT NULL,\n    code char(8) UNIQUE,\n" > out
                printf "    amount numeric(12,2) NOT NULL DEFAULT 0 CHECK (amount >= 0),\n" > out
                printf "    active boolean NOT NULL DEFAULT true,\n    note text,\n" > out
                printf "    created_at timestamptz NOT NULL DEFAULT now()\n);\n" > out
                printf "CREATE INDEX t%05d_name_idx ON t%05d (lower(name)) WHERE active;\n", i, i > out
                printf "COMMENT ON TABLE t%05d IS %s;\n", i, "'\''table " i "'\''" > out
            }
        }'
    done
    chown -R postgres "$WORK"
    chmod -R a+rX "$WORK"
    export FLEETMIG_BENCH_WORK=$WORK FLEETMIG_BENCH_NS="${NS[*]}" FLEETMIG_BENCH_RUNS=$RUNS
    bash "$HERE/../cluster.sh" bench-autogenerate bash "$HERE/autogenerate.sh" --inner
    exit
fi

# --inner: inside the throw-away cluster
WORK=$FLEETMIG_BENCH_WORK
RUNS=$FLEETMIG_BENCH_RUNS
PSQL=(psql -X -q -v ON_ERROR_STOP=1)

seconds() {
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null
    end=$(date +%s%N)
    awk -v ns=$((end - start)) 'BEGIN { printf "%.4f\n", ns / 1e9 }'
}

median() {
    sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

printf '%-10s | %6s | %9s | %9s | %7s | %s\n' operation N 'ours (s)' 'floor (s)' ratio runs
for n in $FLEETMIG_BENCH_NS; do
    dir=$WORK/$n
    for db in ag_match ag_empty; do
        createdb "$db"
        "${PSQL[@]}" -d "$db" -c "CREATE EXTENSION fleetmig" \
            -c "ALTER DATABASE $db SET fleetmig.migrations_dir = '$dir/migrations'"
    done
    "${PSQL[@]}" -d ag_match -1 -f "$dir/models/model.sql"
    "${PSQL[@]}" -d ag_match -c "SELECT fleetmig.check()" >/dev/null

    ours=() floor=() create=()
    for ((r = 1; r <= RUNS; r++)); do
        ours+=("$(seconds "${PSQL[@]}" -d ag_match -c "SELECT fleetmig.check()")")
        floor+=("$(seconds "${PSQL[@]}" -d ag_match -c "BEGIN" -c "CREATE SCHEMA floor" \
            -c "SET search_path = floor" -f "$dir/models/model.sql" -c "ROLLBACK")")
        create+=("$(seconds "${PSQL[@]}" -d ag_empty \
            -c "SET client_min_messages = error" \
            -c "SELECT fleetmig.create('bench', autogenerate => true)")")
        rm -f "$dir"/migrations/*.sql
    done
    o=$(printf '%s\n' "${ours[@]}" | median)
    f=$(printf '%s\n' "${floor[@]}" | median)
    c=$(printf '%s\n' "${create[@]}" | median)
    awk -v n="$n" -v o="$o" -v f="$f" -v c="$c" -v runs="$RUNS" 'BEGIN {
        printf "%-10s | %6d | %9.4f | %9.4f | %6.2fx | %d\n", "check()", n, o, f, o / f, runs
        printf "%-10s | %6d | %9.4f | %9.4f | %6.2fx | %d\n", "create()", n, c, f, c / f, runs
    }'
    dropdb ag_match
    dropdb ag_empty
done
