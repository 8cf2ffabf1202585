#!/bin/bash
# The test command: set up, then pg_regress and the isolation specs (make
# installcheck), the pgTAP suites (pg_prove), the shell tests that need
# several databases or psql itself (prove) and the differential test against
# Alembic (test/alembic_diff/run.sh), on a throw-away cluster (for each
# major of PG_MAJORS, default 15); then the
# Debian package is built and checked (test/package.sh), the benchmarks run
# as a smoke check and the parser's fuzz target for a minute.
cd "$(dirname "$0")/.."
. test/prepare.sh
fleetmig_install
stages=()
trap 'rm -rf "${stages[@]}"' EXIT

# long logs (server logs, fuzzer progress, every command of the differential
# test) go to one directory; the screen gets the outcomes and the reasons
export FLEETMIG_LOGS=$(mktemp -d /tmp/fleetmig-check.XXXXXX)

# PG_MAJORS="15 18" runs the suite on each major: 15 from Debian 12's
# packages, the others built from Debian's source packages (test/pgbuild.sh)
status=0
for major in ${PG_MAJORS:-15}; do
    pg_config=/usr/lib/postgresql/$major/bin/pg_config
    if [ "$major" != 15 ]; then
        bash test/pgbuild.sh "$major" || { status=1; continue; }
        fleetmig_install "$pg_config" || { status=1; continue; }
    fi
    # fixtures of their own for each major: the tests write into some
    fleetmig_stage
    stages+=("$FLEETMIG_STAGE")
    # the isolation specs cannot read the environment: they find the
    # fixtures through a setting every session starts with
    export PGOPTIONS="-c fleetmig_test.fixtures=$FLEETMIG_FIXTURES"
    echo "== PostgreSQL $major: pg_regress, isolation tests, pgTAP, shell tests and the Alembic differential test on a throw-away cluster"
    # the clients of that major first: with several installed, pg_wrapper
    # would pick the newest pg_dump and pg_restore for every cluster
    FLEETMIG_PG_MAJOR=$major bash test/cluster.sh "suite-$major" sh -c '
        PATH="$(dirname "$PG_CONFIG"):$PATH"
        status=0
        make -s PG_CONFIG="$PG_CONFIG" installcheck || {
            status=1; cat regression.diffs output_iso/regression.diffs 2>/dev/null || true; }
        createdb -E UTF8 -T template0 fleetmig_tap &&
        psql -X -q -d fleetmig_tap -c "CREATE EXTENSION pgtap; CREATE EXTENSION fleetmig;" &&
        pg_prove -d fleetmig_tap --ext .sql -r test/pgtap || status=1
        prove --exec bash --ext .sh test/shell || status=1
        bash test/alembic_diff/run.sh || status=1
        exit $status' || status=1
done
if [ "${PG_MAJORS:-15}" != 15 ]; then
    # the package, the benchmarks and the fuzzer are PostgreSQL 15's
    fleetmig_install
fi

echo "== the Debian package (dpkg-buildpackage), its build log in $FLEETMIG_LOGS/deb"
bash test/package.sh "$FLEETMIG_LOGS/deb" || status=1

echo "== benchmarks at N = 100, as a smoke check (no timing is asserted)"
bash test/bench/run.sh --smoke || status=1
bash test/bench/autogenerate.sh --smoke || status=1

echo "== fuzzing the migration-file parser for 60 seconds"
bash test/fuzz/run.sh 60 || status=1
echo "== logs: $FLEETMIG_LOGS"
[ "$status" -eq 0 ] && echo "== all passed" || echo "== FAILED: see the reasons above"
exit $status
