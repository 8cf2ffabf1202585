#!/bin/bash
# The differential test against Alembic (SPEC §4) as the test command runs
# it: first the fixed corpus of test/fixtures/alembic_diff/ (graphs where
# fleetmig once disagreed, each with its commands file), then random graphs.
# Runs where libpq's environment reaches a cluster as a superuser with
# fleetmig installed (inside pg_virtualenv).  Longer runs:
#   ALEMBIC_DIFF_GRAPHS   random graphs (default 150, about a minute)
#   ALEMBIC_DIFF_COMMANDS commands per graph (default 30)
#   ALEMBIC_DIFF_SEED     master seed (default: a new one, printed)
# Every command and its outcome goes to a log whose path is printed (in
# FLEETMIG_LOGS when the test command runs this).
set -u
cd "$(dirname "$0")/../.."
# Debian's python3, which has python3-alembic and python3-psycopg2, even
# where another python3 comes first on PATH
python=/usr/bin/python3
logdir=${FLEETMIG_LOGS:-$(mktemp -d /tmp/fleetmig-alembic-diff.XXXXXX)}
work=$(mktemp -d /tmp/fleetmig-alembic-work.XXXXXX)
chmod a+rx "$work"
trap 'rm -rf "$work"' EXIT

status=0
for project in test/fixtures/alembic_diff/*/; do
    "$python" test/alembic_diff/diff.py --project "${project%/}" --workdir "$work" \
        --log "$logdir/alembic-corpus.log" || status=1
done
seed=()
if [ -n "${ALEMBIC_DIFF_SEED:-}" ]; then
    seed=(--seed "$ALEMBIC_DIFF_SEED")
fi
"$python" test/alembic_diff/diff.py --graphs "${ALEMBIC_DIFF_GRAPHS:-150}" \
    --commands "${ALEMBIC_DIFF_COMMANDS:-30}" "${seed[@]}" --workdir "$work" \
    --log "$logdir/alembic-random.log" || status=1
echo "corpus replay: $logdir/alembic-corpus.log"
exit $status
