#!/bin/bash
# Make the fixture directories that git cannot hold, inside a staged copy of
# test/fixtures (the argument): an unreadable file, directories the server
# may not list or enter, a dangling symlink, a
# symlink loop, a file name that is not UTF-8, a file over 64 MiB, a file
# with a 4 MiB line, a chain of 10,000 revisions, directories the server
# may write into (for create(), merge() and autogenerate), and the input
# that the pre-scan and the symlink rule refuse (SPEC §9), and comments
# that a lone carriage return ends.
# Everything else becomes readable by the postgres OS user.
set -euo pipefail
fx=$1
ok="-- fleetmig:revision aaaa00000001
-- fleetmig:upgrade
SELECT 1;"

chmod -R a+rX "$fx"

mkdir -p "$fx/unreadable_file"
printf '%s\n' "$ok" > "$fx/unreadable_file/20240101_0000_aaaa00000001_ok.sql"
printf '%s\n' "-- fleetmig:revision bbbb00000002" "-- fleetmig:down_revision aaaa00000001" \
    "-- fleetmig:upgrade" > "$fx/unreadable_file/20240102_0000_bbbb00000002_secret.sql"
chmod 000 "$fx/unreadable_file/20240102_0000_bbbb00000002_secret.sql"

# a directory the server may not list (0700, owned by root), and one in
# which it may not enter a subdirectory
mkdir -p "$fx/unreadable_dir" "$fx/unsearchable_dir/inner"
printf '%s\n' "$ok" > "$fx/unreadable_dir/20240101_0000_aaaa00000001_ok.sql"
chmod 700 "$fx/unreadable_dir" "$fx/unsearchable_dir"

mkdir -p "$fx/dangling_symlink"
printf '%s\n' "$ok" > "$fx/dangling_symlink/20240101_0000_aaaa00000001_ok.sql"
ln -s /nonexistent/fleetmig.sql "$fx/dangling_symlink/20240102_0000_bbbb00000002_gone.sql"

mkdir -p "$fx/symlink_loop"
printf '%s\n' "$ok" > "$fx/symlink_loop/20240101_0000_aaaa00000001_ok.sql"
ln -s loop_b.sql "$fx/symlink_loop/loop_a.sql"
ln -s loop_a.sql "$fx/symlink_loop/loop_b.sql"

mkdir -p "$fx/bad_file_name"
printf '%s\n' "$ok" > "$fx/bad_file_name/20240101_0000_aaaa00000001_caf$(printf '\351').sql"

mkdir -p "$fx/file_too_large"
printf '%s\n' "$ok" > "$fx/file_too_large/20240101_0000_aaaa00000001_ok.sql"
big="$fx/file_too_large/20240102_0000_bbbb00000002_huge.sql"
printf '%s\n' "-- fleetmig:revision bbbb00000002" "-- fleetmig:upgrade" > "$big"
truncate -s 70M "$big"
chmod a+r "$big"

# directories the server may write into, for create() and merge(): one per
# suite, each starting with a template whose sections create a table
for d in authoring_regress authoring_tap; do
    mkdir -p "$fx/$d"
    cat > "$fx/$d/script.sql.tmpl" <<'TMPL'
-- fleetmig:revision      ${revision}
-- fleetmig:down_revision ${down_revision}
-- fleetmig:branch_labels ${branch_labels}
-- fleetmig:depends_on    ${depends_on}
-- fleetmig:message       ${message}
-- fleetmig:created       ${created}

-- fleetmig:upgrade
CREATE TABLE t_${revision} (id int);
${upgrades}

-- fleetmig:downgrade
DROP TABLE t_${revision};
${downgrades}
TMPL
    chmod 644 "$fx/$d/script.sql.tmpl"
    chown -R postgres "$fx/$d"
done

# migrations directories the server may write into for autogenerate; the
# regression test's models sit beside its directory (the default place)
for d in autogen_regress autogen_tap decoys_tap; do
    mkdir -p "$fx/$d/migrations"
    chown -R postgres "$fx/$d/migrations"
done

# a valid file with a 4 MiB comment line and a 1 MiB statement line
mkdir -p "$fx/long_lines"
{
    echo "-- fleetmig:revision aaaa00000001"
    echo "-- fleetmig:upgrade"
    printf -- '-- %*s\n' 4194304 '' | tr ' ' 'x'
    printf "SELECT length('%s');\n" "$(printf '%*s' 1048576 '' | tr ' ' 'y')"
} > "$fx/long_lines/20240101_0000_aaaa00000001_long.sql"

# 10,000 revisions in one chain
mkdir -p "$fx/chain_10000"
awk -v dir="$fx/chain_10000" 'BEGIN {
    for (i = 1; i <= 10000; i++) {
        file = sprintf("%s/20240101_0000_%012d_step.sql", dir, i)
        printf "-- fleetmig:revision %012d\n", i > file
        if (i > 1)
            printf "-- fleetmig:down_revision %012d\n", i - 1 > file
        printf "-- fleetmig:message step %d\n-- fleetmig:upgrade\nSELECT %d;\n", i, i > file
        close(file)
    }
}'
chmod -R a+rX "$fx/long_lines" "$fx/chain_10000"

# input_*: what PostgreSQL's lexer would take minutes over, and symbolic
# links that leave the directory (test/pgtap/input_limits.sql).  Each
# directory has a good first revision, so a failing upgrade has something
# to leave alone.
input_dir() {
    mkdir -p "$fx/$1"
    printf '%s\n' "$ok" > "$fx/$1/20240101_0000_aaaa00000001_ok.sql"
}
input_revision() {  # dir, then the upgrade section's SQL on stdin
    {
        printf '%s\n' "-- fleetmig:revision bbbb00000002" \
            "-- fleetmig:down_revision aaaa00000001" "-- fleetmig:upgrade" "SELECT 1;"
        cat
    } > "$fx/$1/20240102_0000_bbbb00000002_shape.sql"
}
# 50,000 nested block comments, on line 5
input_dir input_nested_comments
awk 'BEGIN { for (i = 0; i < 50000; i++) printf "/*"; for (i = 0; i < 50000; i++) printf "*/"; print " SELECT 2;" }' |
    input_revision input_nested_comments
# 65 nested comments with text between the markers: one over the limit
input_dir input_comment_depth_65
awk 'BEGIN { for (i = 0; i < 65; i++) printf "/* x "; for (i = 0; i < 65; i++) printf "*/ "; print "SELECT 2;" }' |
    input_revision input_comment_depth_65
# 64 nested comments, the most accepted
input_dir input_comment_depth_64
awk 'BEGIN { for (i = 0; i < 64; i++) printf "/* x "; for (i = 0; i < 64; i++) printf "*/ "; print "SELECT 2;" }' |
    input_revision input_comment_depth_64
# "/**/" 20,000 times: never nested deeper than one, yet as slow
input_dir input_operator_run
awk 'BEGIN { printf "SELECT 2 "; for (i = 0; i < 20000; i++) printf "/**/"; print ";" }' |
    input_revision input_operator_run
# 1,001 nested parentheses; 1,000 work
input_dir input_deep_parens
awk 'BEGIN { printf "SELECT "; for (i = 0; i < 1001; i++) printf "("; printf "2"; for (i = 0; i < 1001; i++) printf ")"; print ";" }' |
    input_revision input_deep_parens
input_dir input_parens_1000
awk 'BEGIN { printf "SELECT "; for (i = 0; i < 1000; i++) printf "("; printf "2"; for (i = 0; i < 1000; i++) printf ")"; print ";" }' |
    input_revision input_parens_1000
# the same nesting inside a DO block's body, which is lexed when it runs
input_dir input_nested_body
{
    echo 'DO $body$ BEGIN'
    awk 'BEGIN { for (i = 0; i < 50000; i++) printf "/*"; for (i = 0; i < 50000; i++) printf "*/"; print "" }'
    echo 'END $body$;'
} | input_revision input_nested_body
# the good revision alone, to compare models with
input_dir input_ok_only
# a path longer than MAXPGPATH (1,024 bytes) to the second file: three
# directories of 250 bytes, then a name of 250 bytes; the first file's path
# is short enough
deep=input_path_too_long/$(printf 'p%.0s' $(seq 250))/$(printf 'q%.0s' $(seq 250))/$(printf 'r%.0s' $(seq 250))
input_dir "$deep"
printf '%s\n' "-- fleetmig:revision bbbb00000002" "-- fleetmig:down_revision aaaa00000001" \
    "-- fleetmig:upgrade" "SELECT 2;" > "$fx/$deep/20240102_0000_bbbb00000002_$(printf 'n%.0s' $(seq 219)).sql"
# a model file with 50,000 nested comments on line 2
mkdir -p "$fx/input_models_nested"
{
    echo "CREATE TABLE drivers (id int);"
    awk 'BEGIN { for (i = 0; i < 50000; i++) printf "/*"; for (i = 0; i < 50000; i++) printf "*/"; print "" }'
} > "$fx/input_models_nested/01_drivers.sql"

# a secret the server could read (0600, owned by postgres) outside the
# migrations directories, shaped so that parsing it would quote the marker
mkdir -p "$fx/input_secret"
printf '%s\n' "-- fleetmig:revision cccc00000003" "-- fleetmig:down_revision aaaa00000001" \
    "-- fleetmig:upgrade" "SELECT 1 AS a FLEETMIG_SECRET_MARKER_7f3e9;" > "$fx/input_secret/secret.sql"
chown postgres "$fx/input_secret/secret.sql"
chmod 600 "$fx/input_secret/secret.sql"
# a link to it from a migrations directory, and from a models directory
input_dir input_link_outside
ln -s ../input_secret/secret.sql "$fx/input_link_outside/20240103_0000_cccc00000003_secret.sql"
mkdir -p "$fx/input_models_link"
ln -s ../input_secret/secret.sql "$fx/input_models_link/01_secret.sql"
# the same text as a file of the directory: it is read, and the marker shows
input_dir input_secret_inside
cp "$fx/input_secret/secret.sql" "$fx/input_secret_inside/20240103_0000_cccc00000003_secret.sql"
chmod 644 "$fx/input_secret_inside/20240103_0000_cccc00000003_secret.sql"
# a link to a directory outside
input_dir input_link_outside_dir
ln -s ../input_secret "$fx/input_link_outside_dir/20240103_0000_cccc00000003_dir.sql"
# a link to a file in a sub-directory, and one that leaves and comes back:
# both end inside and are read
input_dir input_link_inside
mkdir -p "$fx/input_link_inside/archive"
printf '%s\n' "-- fleetmig:revision bbbb00000002" "-- fleetmig:down_revision aaaa00000001" \
    "-- fleetmig:upgrade" "SELECT 2;" > "$fx/input_link_inside/archive/second.sql"
ln -s archive/second.sql "$fx/input_link_inside/20240102_0000_bbbb00000002_second.sql"
printf '%s\n' "-- fleetmig:revision cccc00000003" "-- fleetmig:down_revision bbbb00000002" \
    "-- fleetmig:upgrade" "SELECT 3;" > "$fx/input_link_inside/archive/third.sql"
ln -s ../input_link_inside/archive/third.sql "$fx/input_link_inside/20240103_0000_cccc00000003_third.sql"
# comments that a lone carriage return ends, as PostgreSQL's lexer ends
# them (git and editors would turn the byte into a line end): the
# statement after each is read whole, none is cut short or dropped
mkdir -p "$fx/statement_cr_comments" "$fx/statement_cr_comments_error"
printf -- '-- fleetmig:revision aaaa00000001\n-- fleetmig:upgrade\nCREATE TABLE cr_marker (id int);\n--x\rCREATE TABLE cr_kept (id int);\n--y\rSELECT $q$\nDROP TABLE cr_marker --$q$ AS swallowed;\n' \
    > "$fx/statement_cr_comments/20240101_0000_aaaa00000001_cr.sql"
printf -- '-- fleetmig:revision aaaa00000001\n-- fleetmig:upgrade\nCREATE TABLE cr_before (id int);\n--z\rSELECT 1 / 0;\n' \
    > "$fx/statement_cr_comments_error/20240101_0000_aaaa00000001_cr.sql"
chmod -R a+rX "$fx"/input_nested_comments "$fx"/input_comment_depth_65 \
    "$fx"/input_comment_depth_64 "$fx"/input_ok_only \
    "$fx"/input_operator_run "$fx"/input_deep_parens "$fx"/input_parens_1000 \
    "$fx"/input_nested_body "$fx"/input_models_nested "$fx"/input_link_outside \
    "$fx"/input_models_link "$fx"/input_secret_inside "$fx"/input_link_outside_dir \
    "$fx"/input_link_inside "$fx"/statement_cr_comments \
    "$fx"/statement_cr_comments_error
