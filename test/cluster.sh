#!/bin/bash
# Run a command on a throw-away cluster (pg_virtualenv -t), with the server's
# log in a file instead of on the screen:
#   bash test/cluster.sh NAME COMMAND [ARGS...]
# pg_virtualenv prints the last 100 lines of the server log when the command
# fails; here the command's status is carried out of it instead, and the log
# is copied to $FLEETMIG_LOGS/NAME-server.log (default: a new directory under
# /tmp), whose path is printed when the command failed.  FLEETMIG_PG_MAJOR
# picks the server (default 15); FLEETMIG_PG_OPTIONS, space-separated
# name=value settings, go to postgresql.conf after pg_virtualenv's own
# (fsync=off among them).
set -uo pipefail

if [ "${1:-}" = --inner ]; then
    shift
    "$@"
    rc=$?
    logfile=$(pg_lsclusters -h | awk '$2 == "regress" { print $7; exit }')
    if [ -n "$logfile" ] && [ -r "$logfile" ]; then
        cp "$logfile" "$FLEETMIG_CLUSTER_LOG"
    fi
    echo "$rc" >"$FLEETMIG_CLUSTER_STATUS"
    exit 0
fi

[ $# -ge 2 ] || { echo "usage: $0 NAME COMMAND [ARGS...]" >&2; exit 2; }
name=$1
shift
logs=${FLEETMIG_LOGS:-$(mktemp -d /tmp/fleetmig-logs.XXXXXX)}
mkdir -p "$logs"
status=$(mktemp)
export FLEETMIG_CLUSTER_LOG="$logs/$name-server.log" FLEETMIG_CLUSTER_STATUS=$status
options=()
for o in ${FLEETMIG_PG_OPTIONS:-}; do
    options+=(-o "$o")
done
pg_virtualenv -t -v "${FLEETMIG_PG_MAJOR:-15}" "${options[@]}" bash "$0" --inner "$@"
rc=$?
[ -s "$status" ] && rc=$(cat "$status")
rm -f "$status"
if [ "$rc" -ne 0 ]; then
    echo "== $name failed (exit $rc); the server log: $FLEETMIG_CLUSTER_LOG" >&2
fi
exit "$rc"
