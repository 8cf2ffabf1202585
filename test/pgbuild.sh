#!/bin/bash
# Build a PostgreSQL major that Debian 12 does not package, from Debian's own
# source package of it (postgresql-18 from unstable, postgresql-17 from
# trixie), into /opt/pg/MAJOR with contrib, and pgTAP (that suite's source
# package) for it; link it as /usr/lib/postgresql/MAJOR so that pg_virtualenv and
# pg_createcluster find it.  Does nothing when it is already built.  The test command runs it for
# each major of PG_MAJORS but 15.  Needs root.
#   bash test/pgbuild.sh MAJOR
# The build log goes to $FLEETMIG_LOGS (or a new directory), whose path is
# printed.
set -euo pipefail
cd "$(dirname "$0")/.."
major=${1:?usage: test/pgbuild.sh MAJOR}
case "$major" in
    17) suite=trixie ;;
    18) suite=sid ;;
    *) echo "pgbuild: no Debian source package of PostgreSQL $major is known here" >&2; exit 2 ;;
esac
prefix=/opt/pg/$major
link=/usr/lib/postgresql/$major
if [ -x "$prefix/bin/pg_config" ]; then
    extdir="$("$prefix/bin/pg_config" --sharedir)/extension"
    if [ -x "$prefix/bin/postgres" ] && [ -f "$extdir/citext.control" ] &&
        [ -f "$extdir/pgtap.control" ]; then
        exit 0
    fi
fi

logs=${FLEETMIG_LOGS:-$(mktemp -d /tmp/fleetmig-pgbuild.XXXXXX)}
log="$logs/pgbuild-$major.log"
echo "== building PostgreSQL $major from Debian's source package ($suite) into $prefix (log: $log)"

# the tools, and the libraries the server is built with, as Debian builds
# it: OpenSSL (postgresql-common turns SSL on where a snakeoil certificate
# exists) and ICU (collations with provider icu)
deps="build-essential bison flex pkg-config libssl-dev zlib1g-dev libicu-dev perl"
missing=()
for pkg in $deps; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >>"$log" 2>&1
fi

work=$(mktemp -d /tmp/fleetmig-pgbuild.XXXXXX)
trap 'rm -rf "$work"' EXIT

# apt-get source with a list of its own: the host's apt configuration and
# lists stay as they are
mkdir -p "$work/apt/lists/partial"
{
    echo "deb-src http://deb.debian.org/debian $suite main"
} >"$work/apt/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$work/apt/sources.list" -o "Dir::Etc::SourceParts=/nonexistent"
          -o "Dir::State::Lists=$work/apt/lists" -o "Dir::Cache=$work/apt/cache")
# fetch PKG: the upstream tarball of a source package (apt checks it against
# the signed Sources index); only that is needed, so a mirror that lacks the
# .dsc or the Debian patches does not stop the build
fetch() {
    local pkg=$1
    (cd "$work" && apt-get "${apt_opts[@]}" source --download-only "$pkg") >>"$log" 2>&1 || true
    compgen -G "$work/${pkg}_*.orig.tar.*" >/dev/null || {
        echo "pgbuild: could not fetch the upstream tarball of $pkg; the end of $log:" >&2
        tail -15 "$log" >&2
        exit 1
    }
}
apt-get "${apt_opts[@]}" update >>"$log" 2>&1
fetch "postgresql-$major"
fetch pgtap

step() {
    local what=$1
    shift
    if ! "$@" >>"$log" 2>&1; then
        echo "pgbuild: $what failed; the end of $log:" >&2
        tail -30 "$log" >&2
        exit 1
    fi
}
mkdir "$work/src"
step "unpacking PostgreSQL" tar -xf "$(ls "$work"/postgresql-"$major"_*.orig.tar.*)" -C "$work/src"
src=$(ls -d "$work"/src/postgresql-*)
step "configure" sh -c "cd '$src' && ./configure --prefix='$prefix' --with-openssl --with-icu --without-readline --enable-debug"
step "make" make -C "$src" -j"$(nproc)"
step "make install" make -C "$src" install
step "make install of the isolation tester" make -C "$src/src/test/isolation" install
step "make install of contrib" make -C "$src/contrib" -j"$(nproc)" install
step "unpacking pgTAP" tar -xf "$(ls "$work"/pgtap_*.orig.tar.*)" -C "$work"
pgtap=$(ls -d "$work"/pgtap-*)
step "pgTAP" make -C "$pgtap" PG_CONFIG="$prefix/bin/pg_config" install
if [ ! -e "$link" ]; then
    ln -s "$prefix" "$link"
fi
echo "== PostgreSQL $("$prefix/bin/postgres" --version | awk '{ print $3 }') in $prefix, linked as $link"
