#!/bin/bash
# Benchmark migrations for SPEC §11 (used by test/bench/run.sh).
#
#   test/bench/generate.sh DIR N [chain|rows|branchy]
#
# Writes N migration files into DIR (created if missing; existing .sql files
# in it are removed first) and the two "floor" scripts beside it:
#   DIR.upgrade.sql    every upgrade section, in upgrade order
#   DIR.downgrade.sql  every downgrade section, in the reverse order
# so that `psql -1 -f DIR.upgrade.sql` does what upgrade('head') does, minus
# fleetmig's own bookkeeping.
#
# Shapes:
#   chain    (default) revision i (id printf %012d) has down_revision i-1;
#            its upgrade creates table bench_NNNNN (id, name, created_at) and
#            an index on name, its downgrade drops both.
#   rows     for the memory measurement: revision 1 creates bench_rows, every
#            revision i inserts row i (downgrade: deletes it; revision 1
#            drops the table).  No lock-table pressure however large N is.
#   branchy  for the read-only commands: blocks of a trunk revision, four
#            labelled branches (br_<block>_<k>) of three revisions each and a
#            merge of the four; the tail is a trunk revision with up to four
#            branches left open, so there are several heads.  Each non-merge
#            revision creates a table as in chain.
#
# All files are written by one awk process (N = 10,000 takes well under a
# second).  Revision ids, `created` stamps and file names are deterministic.
set -euo pipefail

usage() {
    echo "usage: $0 DIR N [chain|rows|branchy]" >&2
    exit 2
}
[ $# -ge 2 ] && [ $# -le 3 ] || usage
DIR=${1%/}
N=$2
SHAPE=${3:-chain}
[[ "$N" =~ ^[1-9][0-9]*$ ]] || usage
case "$SHAPE" in chain | rows | branchy) ;; *) usage ;; esac

mkdir -p "$DIR"
find "$DIR" -maxdepth 1 -name '*.sql' -type f -delete

awk -v dir="$DIR" -v n="$N" -v shape="$SHAPE" '
function rev(i) { return sprintf("%012d", i) }

# created stamp and file name prefix of revision i: one second apart
function stamp(i,   d, r) {
    d = 1 + int(i / 86400); r = i % 86400
    CREATED = sprintf("2024-01-%02d %02d:%02d:%02d", d, int(r / 3600), int(r % 3600 / 60), r % 60)
    PREFIX = sprintf("202401%02d_%02d%02d", d, int(r / 3600), int(r % 3600 / 60))
}

function table_up(i,   t) {
    t = sprintf("bench_%05d", i)
    return "CREATE TABLE " t " (id bigint PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());\n" \
           "CREATE INDEX " t "_name_idx ON " t " (name);\n"
}
function table_down(i,   t) {
    t = sprintf("bench_%05d", i)
    return "DROP INDEX " t "_name_idx;\nDROP TABLE " t ";\n"
}

# write revision i; parents: "none" or a comma list; up/down: section SQL
function emit(i, parents, labels, message, up, down,   f) {
    stamp(i)
    f = dir "/" PREFIX "_" rev(i) "_" slug(message) ".sql"
    printf "-- fleetmig:revision      %s\n", rev(i) > f
    printf "-- fleetmig:down_revision %s\n", parents > f
    if (labels != "")
        printf "-- fleetmig:branch_labels %s\n", labels > f
    printf "-- fleetmig:message       %s\n", message > f
    printf "-- fleetmig:created       %s\n", CREATED > f
    printf "\n-- fleetmig:upgrade\n%s\n-- fleetmig:downgrade\n%s", up, down > f
    close(f)
    printf "%s", up > upfile
    DOWN[++ndown] = down
}
function slug(s) { gsub(/[^A-Za-z0-9]+/, "_", s); return s }

BEGIN {
    upfile = dir ".upgrade.sql"; downfile = dir ".downgrade.sql"
    printf "" > upfile
    ndown = 0

    if (shape == "chain") {
        for (i = 1; i <= n; i++)
            emit(i, i == 1 ? "none" : rev(i - 1), "", "bench step " i, table_up(i), table_down(i))
    } else if (shape == "rows") {
        for (i = 1; i <= n; i++) {
            if (i == 1)
                emit(i, "none", "", "create bench_rows",
                     "CREATE TABLE bench_rows (step integer PRIMARY KEY);\nINSERT INTO bench_rows (step) VALUES (1);\n",
                     "DROP TABLE bench_rows;\n")
            else
                emit(i, rev(i - 1), "", "insert row " i,
                     "INSERT INTO bench_rows (step) VALUES (" i ");\n",
                     "DELETE FROM bench_rows WHERE step = " i ";\n")
        }
    } else {
        B = 4; L = 3; P = 2 + B * L      # a block: trunk, B branches of L, merge
        nblocks = (n > 1 + B) ? int((n - 1 - B) / P) : 0
        i = 0; prev = "none"
        for (blk = 1; blk <= nblocks; blk++) {
            trunk = ++i
            emit(trunk, prev, "", "trunk " blk, table_up(trunk), table_down(trunk))
            tips = ""
            for (k = 0; k < B; k++) {
                parent = rev(trunk)
                for (s = 0; s < L; s++) {
                    ++i
                    emit(i, parent, s == 0 ? "br_" blk "_" k : "", "branch " blk "." k " step " s,
                         table_up(i), table_down(i))
                    parent = rev(i)
                }
                tips = tips (k ? ", " : "") parent
            }
            ++i
            emit(i, tips, "", "merge block " blk, "", "")
            prev = rev(i)
        }
        # the tail: a trunk revision and up to B open branches (several heads)
        if (i < n) {
            trunk = ++i
            emit(trunk, prev, "", "trunk " (nblocks + 1), table_up(trunk), table_down(trunk))
            for (k = 0; k < B; k++) TIP[k] = ""
            for (k = 0; i < n; k = (k + 1) % B) {
                ++i
                emit(i, TIP[k] == "" ? rev(trunk) : TIP[k], TIP[k] == "" ? "br_open_" k : "",
                     "open branch " k " step " i, table_up(i), table_down(i))
                TIP[k] = rev(i)
            }
        }
    }

    close(upfile)
    printf "" > downfile
    for (j = ndown; j >= 1; j--)
        printf "%s", DOWN[j] > downfile
    close(downfile)
}'
