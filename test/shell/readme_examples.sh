#!/bin/bash
# README.md's examples run as written: the create()/merge() block on a copy
# of the example project, and the CI recipe, which must pass on the example
# project and fail (non-zero, with the reason) on a revision whose downgrade
# is wrong and on a directory the server cannot read.  The blocks are taken
# from README.md itself, so the README cannot drift from what works.  TAP
# output; run by test/check.sh inside pg_virtualenv (as root), with
# FLEETMIG_MIGRATIONS set.
set -u

. "$(dirname "$0")/tap.bash"
readme="$(dirname "$0")/../../README.md"
work=$(mktemp -d)
db="fleetmig_readme_$$"
trap 'dropdb --if-exists "$db" >/dev/null 2>&1; rm -rf "$work"' EXIT
chmod a+rx "$work"

# block HEADING LANG: the first ```LANG block after the line HEADING starts with
block() {
    awk -v head="$1" -v fence="\`\`\`$2" '
        index($0, head) == 1 { found = 1; next }
        found && !inside && $0 == fence { inside = 1; next }
        inside && $0 == "```" { exit }
        inside { print }' "$readme"
}

echo "1..10"

# ------------------------------------------------------------ create and merge
block "### Writing migrations: create and merge" sql >"$work/create.sql"
cp -r "$FLEETMIG_MIGRATIONS" "$work/project"
chown -R postgres "$work/project"
createdb "$db" && psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "CREATE EXTENSION fleetmig" \
    || bail "cannot create $db"
out=$(psql -X -q -v ON_ERROR_STOP=1 -d "$db" \
    -c "SET fleetmig.migrations_dir = '$work/project'" -f "$work/create.sql" 2>&1)
rc=$?
if [ "$rc" -eq 0 ] && [ -s "$work/create.sql" ]; then
    ok "the create() and merge() example runs on the example project"
else
    not_ok "the create() and merge() example runs on the example project" \
        "exit $rc; the block:" "$(cat "$work/create.sql")" "psql said:" "$out"
fi
pq() {
    psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "SET fleetmig.migrations_dir = '$work/project'" -c "$1" 2>&1
}
is "it wrote four files" "4" "$(($(ls "$work/project" | wc -l) - $(ls "$FLEETMIG_MIGRATIONS" | wc -l)))"
is "the merge is the one head" "merge tyres" "$(pq "SELECT message FROM fleetmig.heads()")"
is "the tyres branch leaves maintenance's revision, and its second revision depends on the trips revision" \
    "1cdca2e65dfc|{a5544b383b39}" \
    "$(pq "SELECT h2.down_revisions[1] || '|' || t.depends_on::text FROM fleetmig.history() h2, fleetmig.history() t
           WHERE 'tyres' = ANY (h2.branch_labels) AND t.message = 'tyre report views'")"

# ------------------------------------------------------------------ CI recipe
block "A CI recipe for a project that uses fleetmig" sh >"$work/recipe.sh"
[ -s "$work/recipe.sh" ] || bail "no CI recipe found in README.md"
# recipe DIR DB: run the recipe as written in DIR (holding migrations/) on DB
recipe() {
    createdb "$2" || return 99
    (cd "$1" && sed "s/-d scratch/-d $2/g" "$work/recipe.sh" | bash) >"$1/out" 2>&1
    local rc=$?
    dropdb --if-exists "$2" >/dev/null 2>&1
    return $rc
}
# project DIR: a directory holding a copy of the example project's migrations/
project() {
    mkdir "$1" && cp -r "$FLEETMIG_MIGRATIONS" "$1/migrations" && chmod -R a+rX "$1"
}
project "$work/good"
recipe "$work/good" "${db}_good"
rc=$?
if [ "$rc" -eq 0 ]; then
    ok "the CI recipe passes on the example project"
else
    not_ok "the CI recipe passes on the example project" "exit $rc:" "$(cat "$work/good/out")"
fi
is "it upgraded and checked" "1" "$(grep -c '^ check' "$work/good/out")"

# a revision on top of the head whose downgrade leaves its table behind
project "$work/bad"
cat >"$work/bad/migrations/20991231_0000_badd0wn00001_leaky.sql" <<'EOF'
-- fleetmig:revision      badd0wn00001
-- fleetmig:down_revision 0c0f591ff87d
-- fleetmig:message       leaky downgrade

-- fleetmig:upgrade
CREATE TABLE leaky (id int);

-- fleetmig:downgrade
SELECT 1;
EOF
chmod a+r "$work/bad/migrations/20991231_0000_badd0wn00001_leaky.sql"
recipe "$work/bad" "${db}_bad"
rc=$?
if [ "$rc" -ne 0 ] && grep -q "^badd0wn00001|" "$work/bad/out"; then
    ok "the CI recipe fails on a wrong downgrade and lists it (exit $rc)"
else
    not_ok "the CI recipe fails on a wrong downgrade and lists it" "exit $rc:" "$(cat "$work/bad/out")"
fi
if grep -q "fleetmig.check\|^ check" "$work/bad/out"; then
    not_ok "nothing was applied after the failed round trip" "$(cat "$work/bad/out")"
else
    ok "nothing was applied after the failed round trip"
fi

# a directory the postgres OS user cannot read: the round trip cannot run
project "$work/closed"
chmod 700 "$work/closed/migrations"
recipe "$work/closed" "${db}_closed"
rc=$?
if [ "$rc" -ne 0 ] && grep -q 'could not open migrations directory' "$work/closed/out"; then
    ok "the CI recipe fails when test_roundtrip() cannot run (exit $rc)"
else
    not_ok "the CI recipe fails when test_roundtrip() cannot run" "exit $rc:" "$(cat "$work/closed/out")"
fi
# one error only: the job ended at the round trip, and an empty problems.txt
# was not read as "no problems" (the upgrade's psql would fail a second time)
if [ -e "$work/closed/problems.txt" ] && [ ! -s "$work/closed/problems.txt" ] &&
    [ "$(grep -c 'could not open migrations directory' "$work/closed/out")" -eq 1 ]; then
    ok "it stopped there, before upgrade()"
else
    not_ok "it stopped there, before upgrade()" "$(cat "$work/closed/out")"
fi

[ "$n" -eq 10 ] || { echo "# ran $n tests, planned 10"; exit 1; }
exit $((failed > 0))
