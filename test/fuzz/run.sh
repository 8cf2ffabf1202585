#!/bin/bash
# Build the libFuzzer target for the migration-file parser (src/script.c)
# and the pre-scan of SQL text (src/prescan.c) against the PostgreSQL 15
# server headers but without the server, seed a corpus from every *.sql
# under test/fixtures/ and migrations/, and fuzz it.
#
#   test/fuzz/run.sh [seconds] [extra libFuzzer options...]   (default 60 s)
#
# Exits non-zero if libFuzzer finds a crash, a leak, a timeout or an
# out-of-memory; the offending inputs are printed in hex and kept in the work
# directory, whose path is printed.  Everything is built in a temporary
# directory: nothing is written into the checkout.  FUZZ_KEEP=1 keeps that
# directory (binary, grown corpus, log) even when the run passes.
#
# Debian 12 packages: clang-14 libclang-rt-14-dev postgresql-server-dev-15
# (libclang-rt-14-dev holds libFuzzer and the sanitizer runtimes; it is only
# recommended by clang-14, so --no-install-recommends leaves it out).
set -euo pipefail

seconds=${1:-60}
[ $# -gt 0 ] && shift
case "$seconds" in
    '' | *[!0-9]* | 0)
        echo "usage: $0 [seconds] [libFuzzer options...]" >&2
        exit 2 ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

CC=${FUZZ_CC:-clang-14}
if [ -z "${PG_CONFIG:-}" ]; then
    PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
    [ -x "$PG_CONFIG" ] || PG_CONFIG=pg_config
fi

die() { echo "fuzz: $*" >&2; exit 2; }

command -v "$CC" >/dev/null || die "$CC not found (apt-get install clang-14)"
command -v "$PG_CONFIG" >/dev/null ||
    die "$PG_CONFIG not found (apt-get install postgresql-server-dev-15)"
incdir=$("$PG_CONFIG" --includedir-server)
[ -f "$incdir/postgres.h" ] ||
    die "no server headers in $incdir (apt-get install postgresql-server-dev-15)"

pglib=
for d in "$("$PG_CONFIG" --pkglibdir)" "$("$PG_CONFIG" --libdir)"; do
    if [ -f "$d/libpgcommon.a" ] && [ -f "$d/libpgport.a" ]; then
        pglib=$d
        break
    fi
done
[ -n "$pglib" ] ||
    die "libpgcommon.a/libpgport.a not found (apt-get install postgresql-server-dev-15)"

rt="$("$CC" -print-resource-dir)/lib/linux/libclang_rt.fuzzer-$(uname -m).a"
[ -f "$rt" ] || die "libFuzzer runtime $rt not found (apt-get install libclang-rt-14-dev)"

work=$(mktemp -d /tmp/fleetmig-fuzz.XXXXXX)
keep=${FUZZ_KEEP:-0}
cleanup() { [ "$keep" = 1 ] || rm -rf "$work"; }
trap cleanup EXIT

# -fno-sanitize-recover makes every UBSan report fatal, so libFuzzer records
# it as a crash; -fwrapv and -fno-strict-aliasing are what PGXS builds with;
# USE_ASSERT_CHECKING turns on the Asserts of the inline List functions.
cflags=(-g -O1 -fno-omit-frame-pointer -fno-strict-aliasing -fwrapv
        -fsanitize=address,undefined -fno-sanitize-recover=all
        -DUSE_ASSERT_CHECKING -DPRESCAN_INTERRUPT_INTERVAL=64
        -Wall -Wno-unused-parameter
        -Wno-ignored-attributes
        -I"$root/src" -I"$here" -I"$incdir")

echo "== building fuzz_script with $CC ($("$PG_CONFIG" --version))"
# only the code under test gets libFuzzer's coverage and comparison hooks;
# the harness and the shim are sanitized but not instrumented for coverage
"$CC" "${cflags[@]}" -fsanitize=fuzzer -c "$root/src/script.c" -o "$work/script.o"
"$CC" "${cflags[@]}" -fsanitize=fuzzer -c "$root/src/prescan.c" -o "$work/prescan.o"
"$CC" "${cflags[@]}" -c "$here/fuzz_script.c" -o "$work/fuzz_script.o"
"$CC" "${cflags[@]}" -c "$here/shim.c" -o "$work/shim.o"
"$CC" -fsanitize=fuzzer,address,undefined -o "$work/fuzz_script" \
    "$work/fuzz_script.o" "$work/script.o" "$work/prescan.o" "$work/shim.o" \
    "$pglib/libpgcommon.a" "$pglib/libpgport.a"

mkdir "$work/corpus" "$work/artifacts"
n=0
while IFS= read -r -d '' f; do
    n=$((n + 1))
    cp "$f" "$work/corpus/seed$n-$(basename "$f")"
done < <(find "$root/test/fixtures" "$root/migrations" -type f -name '*.sql' -print0 2>/dev/null | sort -z)
echo "== seeded the corpus with $n files; fuzzing for $seconds s"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# -timeout=25 s per input: a hang, not slowness; the slowest 64 KiB input
# known (17k names in one depends_on list) takes about 3 s under the sanitizers.
# libFuzzer's progress goes to a file (FLEETMIG_LOGS/fuzz.log when the
# test command runs this, else the work directory); a failure prints its end
log=${FLEETMIG_LOGS:-$work}/fuzz.log
echo "== libFuzzer's output: $log"
set +e
(cd "$work" && ./fuzz_script \
    -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=25 \
    -dict="$here/script.dict" -artifact_prefix="$work/artifacts/" \
    -print_final_stats=1 "$@" corpus) >"$log" 2>&1
rc=$?
set -e

last=$(grep -E '^#[0-9]+.*cov:' "$log" | tail -n 1 || true)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
echo "== fuzz_script: exit $rc; ${rate:-?} exec/s; last status: ${last:-none}"

found=$(find "$work/artifacts" -type f | sort)
if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
    keep=1
    echo "== the end of libFuzzer's output:"
    grep -vE '^#[0-9]+[[:space:]]' "$log" | tail -n 60
    for f in $found; do
        echo "== $(basename "$f") (hex):"
        od -An -tx1 -v "$f" | tr -d ' \n'
        echo
        echo "   reproduce: FUZZ_SCRIPT_VERBOSE=1 $work/fuzz_script $f"
    done
    echo "== fuzzing FAILED; work directory kept: $work" >&2
    [ "$rc" -ne 0 ] && exit "$rc"
    exit 1
fi
echo "== fuzzing passed: no crash, leak or timeout in $seconds s"
[ "$keep" = 1 ] && echo "== work directory kept: $work"
exit 0
