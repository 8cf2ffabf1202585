#!/bin/bash
# Make the fixture directories that git cannot hold, inside a staged copy of
# test/fixtures (the argument): an unreadable file, a dangling symlink, a
# symlink loop, a file name that is not UTF-8, a file over 64 MiB, a file
# with a 4 MiB line, a chain of 10,000 revisions, and directories the server
# may write into (for create(), merge() and autogenerate).
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
