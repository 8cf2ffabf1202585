#!/bin/bash
# SPEC §1, §9: installing and updating the extension.
#
# CREATE EXTENSION fleetmig refuses a schema fleetmig that someone else
# prepared: owned by a role that is not a superuser (anyone with CREATE on
# the database can make one, and its owner could later drop the extension
# with its whole history), open to CREATE by such a role, or holding objects;
# an empty one owned by a superuser (pg_dump's restore, Citus) is fine.
# Then the update path: a database migrated with 0.1.0, with a deploy role's
# grants, goes to 0.2.0 by ALTER EXTENSION fleetmig UPDATE with its state,
# grants and behaviour intact; the update refuses a squatted schema too.
#
# Needs PGHOST/PGPORT/PGUSER of a superuser (pg_virtualenv) and
# FLEETMIG_MIGRATIONS (a staged copy of migrations/).
set -uo pipefail

: "${FLEETMIG_MIGRATIONS:?FLEETMIG_MIGRATIONS is not set (source test/prepare.sh and run fleetmig_stage)}"

. "$(dirname "$0")/tap.bash"

echo "1..24"

TMP=$(mktemp -d)
DB="fleetmig_install_${$}"
SQUATTER="fleetmig_install_squatter_$$"
DEPLOYER="fleetmig_install_deployer_$$"
cleanup() {
    dropdb --if-exists "$DB" >/dev/null 2>&1 || true
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS $SQUATTER" -c "DROP ROLE IF EXISTS $DEPLOYER" >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT

q() {
    psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" "$@"
}
fresh() {
    dropdb --if-exists "$DB" >/dev/null 2>&1
    createdb -E UTF8 -T template0 "$DB" >"$TMP/setup.log" 2>&1 || bail "createdb: $(cat "$TMP/setup.log")"
}
# refused NAME EXPECTED_FIRST_LINE SQL...: the statements fail with that error
refused() {
    local name=$1 expected=$2
    shift 2
    if q "$@" >"$TMP/out.log" 2>&1; then
        not_ok "$name" "it succeeded"
    else
        is "$name" "$expected" "$(grep -m1 '^psql:.*ERROR\|^ERROR' "$TMP/out.log" | sed 's/^psql:[^E]*//')"
    fi
}
no_extension() {
    is "$1" "0" "$(q -c "SELECT count(*) FROM pg_extension WHERE extname = 'fleetmig'")"
}

psql -X -q -d postgres -c "CREATE ROLE $SQUATTER LOGIN" -c "CREATE ROLE $DEPLOYER" \
    >"$TMP/setup.log" 2>&1 || bail "roles: $(cat "$TMP/setup.log")"

# ------------------------------------------------ a squatted schema
fresh
q -c "GRANT CREATE ON DATABASE \"$DB\" TO $SQUATTER" >/dev/null
q -c "SET ROLE $SQUATTER" -c "CREATE SCHEMA fleetmig" >"$TMP/out.log" 2>&1 \
    || bail "the squatter creates its schema: $(cat "$TMP/out.log")"
refused "CREATE EXTENSION refuses a schema fleetmig owned by a role that is not a superuser (42501)" \
    'ERROR:  schema "fleetmig" is owned by a role that is not a superuser' \
    -c "CREATE EXTENSION fleetmig"
no_extension "the refused CREATE EXTENSION left no extension"
is "the squatter's schema is as it was: empty, its owner unchanged" "$SQUATTER|0" \
    "$(q -c "SELECT nspowner::regrole, (SELECT count(*) FROM pg_class WHERE relnamespace = n.oid) FROM pg_namespace n WHERE nspname = 'fleetmig'")"

# a superuser's schema that lets others create in it
fresh
q -c "CREATE SCHEMA fleetmig" -c "GRANT CREATE ON SCHEMA fleetmig TO PUBLIC" >/dev/null
refused "CREATE EXTENSION refuses a schema fleetmig open to CREATE by others" \
    'ERROR:  schema "fleetmig" lets a role that is not a superuser create objects in it' \
    -c "CREATE EXTENSION fleetmig"
no_extension "and left no extension"

# a superuser's schema that holds something already
fresh
q -c "CREATE SCHEMA fleetmig" -c "CREATE FUNCTION fleetmig.upgrade(varchar) RETURNS int LANGUAGE sql AS 'SELECT 1'" >/dev/null
refused "CREATE EXTENSION refuses a schema fleetmig that holds objects (42P06)" \
    'ERROR:  schema "fleetmig" already holds objects' \
    -c "CREATE EXTENSION fleetmig"
no_extension "and left no extension"

# an empty schema of a superuser, as a restore creates it, is fine
fresh
if q -c "CREATE SCHEMA fleetmig" -c "CREATE EXTENSION fleetmig" >"$TMP/out.log" 2>&1; then
    ok "CREATE EXTENSION accepts an empty schema fleetmig owned by a superuser"
else
    not_ok "CREATE EXTENSION accepts an empty schema fleetmig owned by a superuser" "$(cat "$TMP/out.log")"
fi
is "the version installed by default is 0.2.0" "0.2.0" \
    "$(q -c "SELECT extversion FROM pg_extension WHERE extname = 'fleetmig'")"

# ------------------------------------------------ 0.1.0 to 0.2.0
fresh
q -c "CREATE EXTENSION fleetmig VERSION '0.1.0'" \
  -c "ALTER DATABASE \"$DB\" SET fleetmig.migrations_dir = '$FLEETMIG_MIGRATIONS'" >"$TMP/out.log" 2>&1 \
    || bail "install 0.1.0: $(cat "$TMP/out.log")"
q -c "GRANT USAGE ON SCHEMA fleetmig TO $DEPLOYER;
      GRANT EXECUTE ON FUNCTION fleetmig.current(), fleetmig.upgrade(text, boolean),
            fleetmig.downgrade(text, boolean), fleetmig.history() TO $DEPLOYER;
      GRANT CREATE ON SCHEMA public TO $DEPLOYER" >/dev/null
q -c "SET ROLE $DEPLOYER" -c "SELECT count(*) FROM fleetmig.upgrade('a5544b383b39')" >"$TMP/out.log" 2>&1 \
    || bail "the deployer upgrades with 0.1.0: $(cat "$TMP/out.log")"
is "0.1.0: upgrade(NULL) returns nothing without a word (STRICT)" "0" \
    "$(q -c "SELECT count(*) FROM fleetmig.upgrade(NULL)" 2>&1)"
state_before=$(q -c "SELECT revision FROM fleetmig.version" -c "SELECT id, revision, direction, checksum, applied_by FROM fleetmig.log ORDER BY id")
grants_before=$(q -c "SELECT p.oid::regprocedure, p.proacl FROM pg_proc p WHERE p.pronamespace = 'fleetmig'::regnamespace ORDER BY p.oid::regprocedure::text COLLATE \"C\"")

if q -c "ALTER EXTENSION fleetmig UPDATE" >"$TMP/out.log" 2>&1; then
    ok "ALTER EXTENSION fleetmig UPDATE runs"
else
    not_ok "ALTER EXTENSION fleetmig UPDATE runs" "$(cat "$TMP/out.log")"
fi
is "the extension is at 0.2.0" "0.2.0" "$(q -c "SELECT extversion FROM pg_extension WHERE extname = 'fleetmig'")"
is "fleetmig.version and fleetmig.log are as before the update" "$state_before" \
    "$(q -c "SELECT revision FROM fleetmig.version" -c "SELECT id, revision, direction, checksum, applied_by FROM fleetmig.log ORDER BY id")"
is "the grants on the functions of 0.1.0 are as before the update" "$grants_before" \
    "$(q -c "SELECT p.oid::regprocedure, p.proacl FROM pg_proc p WHERE p.pronamespace = 'fleetmig'::regnamespace
              AND p.proname NOT IN ('script_guard', 'script_statement', 'script_record', 'script_unlock') ORDER BY p.oid::regprocedure::text COLLATE \"C\"")"
is "the new functions are revoked from PUBLIC" "f|f" \
    "$(q -c "SELECT bool_or(has_function_privilege('public', p.oid, 'EXECUTE')), bool_or(has_function_privilege('$DEPLOYER', p.oid, 'EXECUTE'))
              FROM pg_proc p WHERE p.pronamespace = 'fleetmig'::regnamespace AND p.proname IN ('script_guard', 'script_statement', 'script_record', 'script_unlock')")"
refused "0.2.0: upgrade(NULL) is an error (22004)" 'ERROR:  target must not be NULL' \
    -c "SET ROLE $DEPLOYER" -c "SELECT * FROM fleetmig.upgrade(NULL)"
if q -c "SET ROLE $DEPLOYER" -c "SELECT count(*) FROM fleetmig.upgrade('head')" >"$TMP/out.log" 2>&1; then
    ok "the deployer's grants still work: it upgrades to head after the update"
else
    not_ok "the deployer's grants still work: it upgrades to head after the update" "$(cat "$TMP/out.log")"
fi
is "current() is the head" "0c0f591ff87d" "$(q -c "SELECT revision FROM fleetmig.current()")"
is "the log continues: one row per step, ids in order" \
    "$(q -c "SELECT count(*) FROM fleetmig.history()")|t" \
    "$(q -c "SELECT count(*), bool_and(id = rn) FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM fleetmig.log) l")"

# the same objects and definitions as a fresh 0.2.0 install
defs="SELECT p.oid::regprocedure, p.proisstrict, p.provolatile, p.proparallel, pg_get_function_result(p.oid),
             obj_description(p.oid, 'pg_proc')
        FROM pg_proc p WHERE p.pronamespace = 'fleetmig'::regnamespace ORDER BY p.oid::regprocedure::text COLLATE \"C\""
q -c "$defs" >"$TMP/updated.txt"
fresh
q -c "CREATE EXTENSION fleetmig" >/dev/null
is "an updated 0.1.0 has the functions of a fresh 0.2.0, with the same definitions, labels and comments" \
    "$(q -c "$defs")" "$(cat "$TMP/updated.txt")"

# the update refuses a schema a squatter owns
fresh
q -c "GRANT CREATE ON DATABASE \"$DB\" TO $SQUATTER" >/dev/null
q -c "SET ROLE $SQUATTER" -c "CREATE SCHEMA fleetmig" >/dev/null 2>&1
q -c "CREATE EXTENSION fleetmig VERSION '0.1.0'" >"$TMP/out.log" 2>&1 \
    || bail "0.1.0 installs into a squatted schema: $(cat "$TMP/out.log")"
refused "ALTER EXTENSION UPDATE refuses a schema fleetmig owned by a role that is not a superuser" \
    'ERROR:  schema "fleetmig" is owned by a role that is not a superuser' \
    -c "ALTER EXTENSION fleetmig UPDATE"
is "the refused update left 0.1.0" "0.1.0" "$(q -c "SELECT extversion FROM pg_extension WHERE extname = 'fleetmig'")"

# the update refuses an object planted beside the extension's
fresh
q -c "CREATE EXTENSION fleetmig VERSION '0.1.0'" \
  -c "CREATE FUNCTION fleetmig.upgrade(varchar) RETURNS int LANGUAGE sql AS 'SELECT 1'" >/dev/null
refused "ALTER EXTENSION UPDATE refuses objects in schema fleetmig that are not the extension's" \
    "ERROR:  schema \"fleetmig\" holds objects that are not the extension's" \
    -c "ALTER EXTENSION fleetmig UPDATE"
is "the refused update left 0.1.0" "0.1.0" "$(q -c "SELECT extversion FROM pg_extension WHERE extname = 'fleetmig'")"

[ "$n" -eq 24 ] || { echo "# ran $n tests, planned 24"; exit 1; }
[ "$failed" -eq 0 ]
