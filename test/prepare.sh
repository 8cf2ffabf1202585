# Sourced by test/demo.sh and test/check.sh: install what is missing, build
# and install fleetmig, and stage migrations/ and the fixtures where the
# postgres OS user can read them.
set -euo pipefail

FLEETMIG_PACKAGES="postgresql-15 postgresql-server-dev-15 postgresql-15-pgtap \
libtap-parser-sourcehandler-pgtap-perl make gcc libc6-dev clang-14 libclang-rt-14-dev \
python3-alembic python3-psycopg2 build-essential debhelper postgresql-server-dev-all"

# fleetmig_install [PG_CONFIG]: install the missing packages, then build and
# install fleetmig against PG_CONFIG (default: PostgreSQL 15's)
fleetmig_install() {
    local pg_config=${1:-/usr/lib/postgresql/15/bin/pg_config} missing=()
    for pkg in $FLEETMIG_PACKAGES; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$pkg")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "== installing ${missing[*]}"
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
    fi
    echo "== building and installing fleetmig"
    make -s clean
    make -s PG_CONFIG="$pg_config"
    make -s PG_CONFIG="$pg_config" install
}

# Stage migrations/, models/ and test/fixtures/ in a fresh directory the
# postgres user can read (test/stage.sh).  Sets FLEETMIG_STAGE,
# FLEETMIG_MIGRATIONS and FLEETMIG_FIXTURES.
fleetmig_stage() {
    FLEETMIG_STAGE=$(mktemp -d /tmp/fleetmig.XXXXXX)
    bash test/stage.sh "$FLEETMIG_STAGE"
    export FLEETMIG_STAGE
    export FLEETMIG_MIGRATIONS="$FLEETMIG_STAGE/migrations"
    export FLEETMIG_FIXTURES="$FLEETMIG_STAGE/fixtures"
}
