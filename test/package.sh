#!/bin/bash
# Build the Debian package from this tree (dpkg-buildpackage -us -uc -b on a
# copy, so the checkout stays clean) into DIR, and check what it holds: the
# module, the control file and every install and update script.
#   bash test/package.sh DIR
# The test command runs it; test/fresh.sh installs the result on a fresh
# root.  The build log goes to DIR/build.log.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: test/package.sh DIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d /tmp/fleetmig-package.XXXXXX)
trap 'rm -rf "$work"' EXIT

mkdir "$work/fleetmig"
tar -cf - --exclude=./results --exclude='./regression.*' --exclude='./output_iso' \
    --exclude='*.o' --exclude='*.bc' --exclude='*.so' --exclude=./.git . | tar -xf - -C "$work/fleetmig"
if ! (cd "$work/fleetmig" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1; then
    echo "== dpkg-buildpackage failed; the end of $out/build.log:"
    tail -30 "$out/build.log"
    exit 1
fi
version=$(dpkg-parsechangelog -l debian/changelog -S Version)
deb="postgresql-15-fleetmig_${version}_$(dpkg --print-architecture).deb"
mv "$work/$deb" "$out/"
status=0
for f in ./usr/lib/postgresql/15/lib/fleetmig.so \
         ./usr/share/postgresql/15/extension/fleetmig.control \
         $(cd sql && printf './usr/share/postgresql/15/extension/%s\n' fleetmig--*.sql); do
    dpkg-deb -c "$out/$deb" | awk '{ print $6 }' | grep -qx "$f" || {
        echo "== $deb lacks $f"; status=1; }
done
[ "$status" -eq 0 ] && echo "== built $out/$deb ($(dpkg-deb -f "$out/$deb" Depends))"
exit $status
