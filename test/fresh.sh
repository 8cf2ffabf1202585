#!/bin/bash
# Prove README.md's two commands on a fresh machine: build a minimal Debian 12
# root with debootstrap, copy this checkout's committed tree into it, and run
# `bash test/demo.sh` and then `bash test/check.sh` in it as root, the way a
# new user would, nothing installed by hand.  Then build the Debian package
# there (test/package.sh), install it on a second fresh root, which has no
# compiler, and run `make installcheck` against the packaged server.  Not
# part of CI: it downloads a system and takes about a quarter of an hour.
# Run as root on a Debian host, with no other cluster on port 5432:
#   bash test/fresh.sh                # roots in /var/tmp/fleetmig-fresh*, thrown away after
#   FRESH_KEEP=1 bash test/fresh.sh   # keep the roots to look inside
# Only a policy-rc.d is added to the roots, as in every Debian container
# image: package scripts do not start services in a chroot.  Full output goes
# to files whose paths are printed; the screen gets the outcome and, for a
# failing command, the end of its output.
set -euo pipefail
cd "$(dirname "$0")/.."

root=${FRESH_ROOT:-/var/tmp/fleetmig-fresh}
mirror=${FRESH_MIRROR:-http://deb.debian.org/debian}
logs=$(mktemp -d /tmp/fleetmig-fresh.XXXXXX)
[ -n "$root" ] && [ "$root" != / ] || { echo "FRESH_ROOT must name a directory" >&2; exit 2; }

if ! command -v debootstrap >/dev/null; then
    echo "== installing debootstrap on the host"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends debootstrap \
        >"$logs/host-install.log" 2>&1
fi

mounted=()
cleanup() {
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        umount -l "${mounted[i]}" 2>/dev/null || true
    done
    if [ -z "${FRESH_KEEP:-}" ]; then
        rm -rf "$root" "$root-pkg" "$root-pristine"
    fi
}
trap cleanup EXIT

# mount_root DIR: what a chroot needs of the host
mount_root() {
    local fs
    cp /etc/resolv.conf "$1/etc/resolv.conf"
    for fs in proc sys dev dev/pts dev/shm; do
        mount --bind "/$fs" "$1/$fs"
        mounted+=("$1/$fs")
    done
}

# tree DIR: the committed tree of this checkout into DIR/root/fleetmig
tree() {
    mkdir -p "$1/root/fleetmig"
    git archive HEAD | tar -x -C "$1/root/fleetmig"
}

echo "== debootstrap --variant=minbase bookworm into $root (log: $logs/debootstrap.log)"
rm -rf "$root" "$root-pkg" "$root-pristine"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$logs/debootstrap.log" 2>&1 || {
    tail -20 "$logs/debootstrap.log"; exit 1; }
{
    echo "deb $mirror bookworm main"
    echo "deb $mirror bookworm-updates main"
    echo "deb ${mirror%/debian}/debian-security bookworm-security main"
} >"$root/etc/apt/sources.list"
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
# the second root, for the package, starts from the same fresh system
cp -a "$root" "$root-pristine"
mount_root "$root"
echo "== the committed tree of $(git rev-parse --short HEAD) into $root/root/fleetmig"
tree "$root"

status=0
# run NAME ROOT CMD: CMD in /root/fleetmig of ROOT, as root, output in a log
run() {
    local name=$1 dir=$2 cmd=$3 start rc
    start=$(date +%s)
    echo "== $cmd (log: $logs/$name.log)"
    rc=0
    chroot "$dir" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        TERM=dumb LANG=C.UTF-8 /bin/bash -c "cd /root/fleetmig && $cmd" \
        >"$logs/$name.log" 2>&1 || rc=$?
    if [ "$rc" -eq 0 ]; then
        echo "   passed in $(($(date +%s) - start)) s"
    else
        echo "   FAILED (exit $rc) after $(($(date +%s) - start)) s; the end of its output:"
        tail -40 "$logs/$name.log" | sed 's/^/   | /'
        status=1
    fi
    return $rc
}
run demo "$root" "bash test/demo.sh" || true
ssl=$(chroot "$root" /bin/sh -c 'test -s /etc/ssl/certs/ssl-cert-snakeoil.pem && echo on || echo off')
echo "== the root's clusters run with SSL $ssl"
run check "$root" "bash test/check.sh" || true

# The package: built in the first root (the test command installed the
# tools), installed in a second fresh root that never builds anything, and
# make installcheck there against the packaged server.
if run package "$root" "bash test/package.sh /root/deb"; then
    mv "$root-pristine" "$root-pkg"
    mount_root "$root-pkg"
    cp "$root"/root/deb/*.deb "$root-pkg/root/"
    tree "$root-pkg"
    run package-install "$root-pkg" "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends /root/postgresql-15-fleetmig_*.deb make" || true
    run package-installcheck "$root-pkg" "if command -v cc; then echo 'a compiler is installed'; exit 1; fi; pg_virtualenv -t -v 15 make PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config installcheck" || true
fi
exit $status
