# TAP helpers for the shell tests of test/shell, sourced by each of them
# (this file does not end in .sh, so prove does not run it).
# shellcheck shell=bash

n=0
failed=0

# ok NAME: a passing test
ok() {
    n=$((n + 1))
    echo "ok $n - $1"
}

# not_ok NAME [DIAGNOSTIC...]: a failing test, with diagnostics as comments
not_ok() {
    n=$((n + 1))
    failed=$((failed + 1))
    echo "not ok $n - $1"
    shift
    # on stderr, as Test::More's diag: prove shows it without -v
    [ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/#   /' >&2
    return 0
}

# check STATUS NAME: passes when STATUS (a command's exit status) is 0
check() {
    if [ "$1" -eq 0 ]; then ok "$2"; else not_ok "$2"; fi
}

# bail REASON: stop the whole test file
bail() {
    echo "Bail out! $*"
    exit 1
}

# is NAME EXPECTED GOT
is() {
    if [ "$2" == "$3" ]; then
        ok "$1"
    else
        not_ok "$1" "expected:" "$2" "got:" "$3"
    fi
}
