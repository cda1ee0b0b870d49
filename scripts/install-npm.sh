#!/usr/bin/env bash
# Installs the pinned npm tooling of the tests (tests/package.json and
# tests/package-lock.json: jco, componentize-js) into tests/node_modules with
# `npm ci`, when it is missing or when the lock changed since it was
# installed. Cached: with an installed tree that matches the lock it prints
# nothing and touches nothing. Fails loudly (exit 1) when npm or the registry
# is unavailable: the component tests cannot pass without it, and must not
# pass silently.
#
#   scripts/install-npm.sh            install if needed
#   scripts/install-npm.sh --check    exit 1 (and say why) if an install is needed
set -euo pipefail

TESTS=$(cd "$(dirname "$0")/../tests" && pwd)
LOCK="$TESTS/package-lock.json"
STAMP="$TESTS/node_modules/.wasmgate-lock.sha256"

check_only=0
case "${1:-}" in
    "") ;;
    --check) check_only=1 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install-npm.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
esac

want=$(sha256sum "$LOCK" | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ -x "$TESTS/node_modules/.bin/jco" ]; then
    exit 0
fi
if [ "$check_only" -eq 1 ]; then
    echo "install-npm.sh: tests/node_modules is missing or older than tests/package-lock.json" >&2
    exit 1
fi
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
    echo "install-npm.sh: node and npm are needed to install the component tests' tooling" >&2
    echo "(jco, componentize-js; tests/package.json). Install Node.js 20 or newer." >&2
    exit 1
fi
echo "install-npm.sh: npm ci in tests/ (jco, componentize-js, pinned by tests/package-lock.json)"
rm -f "$STAMP"
if ! (cd "$TESTS" && npm ci --no-audit --no-fund --loglevel=error); then
    echo "install-npm.sh: npm ci failed (is the npm registry reachable?): the component" >&2
    echo "tests need tests/node_modules and will fail without it." >&2
    exit 1
fi
if [ ! -x "$TESTS/node_modules/.bin/jco" ]; then
    echo "install-npm.sh: npm ci ran but tests/node_modules/.bin/jco is missing" >&2
    exit 1
fi
echo "$want" >"$STAMP"
