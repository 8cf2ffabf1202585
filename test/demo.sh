#!/bin/bash
# The main job: set up, start a throw-away cluster, point fleetmig at
# migrations/ (models/ beside it), upgrade to head and show what a DBA looks
# at.
cd "$(dirname "$0")/.."
. test/prepare.sh
fleetmig_install
fleetmig_stage
trap 'rm -rf "$FLEETMIG_STAGE"' EXIT

echo "== fleetmig on a throw-away cluster, migrations from migrations/"
bash test/cluster.sh demo sh -c '
    createdb fleet_db &&
    psql -X -v ON_ERROR_STOP=1 -d fleet_db -c "CREATE EXTENSION fleetmig" \
         -c "ALTER DATABASE fleet_db SET fleetmig.migrations_dir = '"'"'$FLEETMIG_MIGRATIONS'"'"'" &&
    psql -X -v ON_ERROR_STOP=1 -d fleet_db \
         -c "\echo heads()" -c "SELECT * FROM fleetmig.heads()" \
         -c "\echo upgrade(head)" -c "SELECT revision, message, direction, duration FROM fleetmig.upgrade('"'"'head'"'"')" \
         -c "\echo history()" -c "SELECT revision, down_revisions, message, branch_labels, is_head, is_base, is_merge, is_branch_point, applied, applied_at FROM fleetmig.history()" \
         -c "\echo current()" -c "SELECT * FROM fleetmig.current()" \
         -c "\echo check(): nothing pending, no edited file, no drift from models/" -c "SELECT fleetmig.check()"'
