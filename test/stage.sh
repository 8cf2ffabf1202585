#!/bin/bash
# Copy migrations/, models/ and test/fixtures/ into DIR (made anew), readable
# by the postgres OS user, and make there the fixtures git cannot hold.
# Needs root (some fixtures belong to postgres).  Used by the test command
# (test/prepare.sh) and by `make installcheck` on its own.
#   bash test/stage.sh DIR
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:?usage: test/stage.sh DIR}
rm -rf "$dir"
mkdir -p "$dir"
cp -r migrations "$dir/migrations"
cp -r models "$dir/models"
cp -r test/fixtures "$dir/fixtures"
bash test/runtime-fixtures.sh "$dir/fixtures"
chmod a+rx "$dir"
