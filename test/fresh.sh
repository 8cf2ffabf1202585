#!/bin/bash
# Prove README.md's two commands on a fresh machine: build a minimal Debian 12
# root with debootstrap, copy this checkout's committed tree into it, and run
# `bash test/demo.sh` and then `bash test/check.sh` in it as root, the way a
# new user would, nothing installed by hand.  Not part of CI: it downloads a
# system and takes about a quarter of an hour.  Run as root on a Debian host:
#   bash test/fresh.sh            # root in /var/tmp/fleetmig-fresh, thrown away after
#   FRESH_KEEP=1 bash test/fresh.sh   # keep the root to look inside
# Only a policy-rc.d is added to the root, as in every Debian container
# image: package scripts do not start services in a chroot.  Full output goes
# to files whose paths are printed; the screen gets the outcome and, for a
# failing command, the end of its output.
set -euo pipefail
cd "$(dirname "$0")/.."

root=${FRESH_ROOT:-/var/tmp/fleetmig-fresh}
mirror=${FRESH_MIRROR:-http://deb.debian.org/debian}
logs=$(mktemp -d /tmp/fleetmig-fresh.XXXXXX)

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
        rm -rf "$root"
    fi
}
trap cleanup EXIT

echo "== debootstrap --variant=minbase bookworm into $root (log: $logs/debootstrap.log)"
rm -rf "$root"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$logs/debootstrap.log" 2>&1 || {
    tail -20 "$logs/debootstrap.log"; exit 1; }
cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian}/debian-security bookworm-security main
EOF
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$root/etc/resolv.conf"
for fs in proc sys dev dev/pts dev/shm; do
    mount --bind "/$fs" "$root/$fs"
    mounted+=("$root/$fs")
done

echo "== the committed tree of $(git rev-parse --short HEAD) into $root/root/fleetmig"
mkdir -p "$root/root/fleetmig"
git archive HEAD | tar -x -C "$root/root/fleetmig"

status=0
run() {
    local name=$1 cmd=$2 start rc
    start=$(date +%s)
    echo "== $cmd (log: $logs/$name.log)"
    rc=0
    chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        TERM=dumb LANG=C.UTF-8 /bin/bash -c "cd /root/fleetmig && $cmd" \
        >"$logs/$name.log" 2>&1 || rc=$?
    if [ "$rc" -eq 0 ]; then
        echo "   passed in $(($(date +%s) - start)) s"
    else
        echo "   FAILED (exit $rc) after $(($(date +%s) - start)) s; the end of its output:"
        tail -40 "$logs/$name.log" | sed 's/^/   | /'
        status=1
    fi
}
run demo "bash test/demo.sh"
ssl=$(chroot "$root" /bin/sh -c 'test -s /etc/ssl/certs/ssl-cert-snakeoil.pem && echo on || echo off')
echo "== the root's clusters run with SSL $ssl"
run check "bash test/check.sh"
exit $status
