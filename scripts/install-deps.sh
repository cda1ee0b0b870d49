#!/usr/bin/env bash
# Installs the Debian packages wasmgate needs to build, test, benchmark and
# fuzz. Idempotent: prints nothing and touches nothing when every package is
# already installed; otherwise runs `apt-get update` once and installs only
# the missing ones. Works without a TTY (CI). Uses sudo only when not root.
#
#   scripts/install-deps.sh            install what is missing
#   scripts/install-deps.sh --check    list what is missing; exit 1 if anything is
set -euo pipefail

# What each package is for:
#   build-essential, cmake        the C toolchain (gcc 12) and the build
#   clang-19, lld-19              second compiler; libFuzzer targets; wasm32 guests
#   libclang-rt-19-dev            sanitizer and libFuzzer runtimes for clang
#   libclang-rt-19-dev-wasm32     compiler-rt builtins for wasm32 (bench guests)
#   wasi-libc                     libc for wasm32-wasi guests (bench, WASI tests)
#   wabt                          wat2wasm: the CLI tests' modules are .wat sources
#   libcjson-dev                  JSON parsing (the spec runner reads wast2json output)
#   hyperfine                     timing for `make bench`
#   time                          /usr/bin/time: peak RSS in bench/startup.sh
#   libmicrohttpd-dev             the gateway's HTTP server (`wasmgate serve`)
#   libcurl4-openssl-dev          outbound HTTP for guests (wasi:http/outgoing-handler)
#   curl, openssl                 gateway end-to-end tests (requests, a test TLS certificate)
#   wrk                           HTTP load for `make bench-http`
#   pkg-config                    finds libmicrohttpd for CMake
#   nodejs                        V8 baseline for `make bench`; only if no `node` exists
PACKAGES=(
    build-essential
    cmake
    clang-19
    lld-19
    libclang-rt-19-dev
    libclang-rt-19-dev-wasm32
    wasi-libc
    wabt
    libcjson-dev
    hyperfine
    time
    libmicrohttpd-dev
    libcurl4-openssl-dev
    pkg-config
    curl
    openssl
    wrk
)
# A node already on PATH (e.g. a newer one from another source) is good enough
# for the bench: installing Debian's nodejs next to it would fight it.
if ! command -v node >/dev/null 2>&1; then
    PACKAGES+=(nodejs)
fi

check_only=0
case "${1:-}" in
    "") ;;
    --check) check_only=1 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install-deps.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-deps.sh: no dpkg-query: this is not a Debian system." >&2
    echo "Install the equivalents of: ${PACKAGES[*]}" >&2
    exit 1
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    if [ "$status" != "installed" ]; then
        missing+=("$pkg")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if [ "$check_only" -eq 1 ]; then
    echo "missing packages: ${missing[*]}"
    exit 1
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "install-deps.sh: need to install ${missing[*]}, but not root and no sudo" >&2
        exit 1
    fi
    # Without a terminal sudo cannot ask for a password: fail at once instead.
    if [ -t 0 ]; then sudo=(sudo); else sudo=(sudo -n); fi
fi

echo "install-deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-q -o DPkg::Lock::Timeout=300)
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update </dev/null
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y \
    --no-install-recommends "${missing[@]}" </dev/null
