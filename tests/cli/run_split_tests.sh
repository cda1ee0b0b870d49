#!/bin/sh
# `wasmgate` and its gateway program `wasmgate-serve` (src/cli/serve_exec.c,
# docs/cli.md "Start-up"). Checks that
#   1. run, validate, inspect, help and --version load no HTTP or TLS
#      library, seen two ways: the dynamic loader's own report (LD_DEBUG=libs:
#      silent for a static wasmgate, which has no loader; that is a pass) and
#      the mappings of a process running a guest (/proc/PID/maps), whatever
#      the link;
#   2. serve does load them, by the same two checks (so they can fail);
#   3. serve finds wasmgate-serve beside the executable (through a symlink
#      too), never on PATH or in the working directory, and a missing one is
#      exit 1 with an error naming the file it looked for.
# Usage: run_split_tests.sh WASMGATE WASM_DIR
#   WASMGATE   the binary under test (wasmgate-serve is in the same folder)
#   WASM_DIR   where the build put the modules converted from tests/cli/*.wat
# Prints one line per case and "N passed, N failed"; exits 1 if any failed.
set -u

if [ $# -ne 2 ]; then
    echo "usage: $0 WASMGATE WASM_DIR" >&2
    exit 2
fi
[ -x "$1" ] || { echo "$0: $1 is not an executable" >&2; exit 2; }
WG=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
W=$2
SERVE_PROGRAM=$(dirname "$WG")/wasmgate-serve
T=$(mktemp -d "${TMPDIR:-/tmp}/wg-split-tests.XXXXXX") || exit 2
BG=""
trap '[ -n "$BG" ] && kill -KILL "$BG" 2>/dev/null; rm -rf "$T"' EXIT
passed=0
failed=0

# What `wasmgate serve` loads (libmicrohttpd and its TLS stack) and nothing
# else may: any of these in a report or a mapping is a failure.
HTTP_LIBS='lib(microhttpd|gnutls|ssl|crypto|nettle|hogweed|gmp|p11-kit|tasn1|idn2|unistring|ffi)\.so'

# ---- the harness (as run_cli_tests.sh) ---------------------------------------
case_begin() {
    desc=$1
    bad=""
}
run() {
    want=$1
    shift
    "$@" >"$T/out" 2>"$T/err" </dev/null
    got=$?
    [ "$got" -eq "$want" ] || bad="$bad
    exit status $got, wanted $want"
}
out_has() { grep -qF -- "$1" "$T/out" || bad="$bad
    stdout lacks: $1"; }
out_lacks() { ! grep -qF -- "$1" "$T/out" || bad="$bad
    stdout has: $1"; }
err_has() { grep -qF -- "$1" "$T/err" || bad="$bad
    stderr lacks: $1"; }
# FILE WHAT: FILE names no HTTP/TLS library / names one.
no_http_libs() { ! grep -qE -- "$HTTP_LIBS" "$1" || bad="$bad
    $2 names an HTTP/TLS library: $(grep -oE -- "$HTTP_LIBS" "$1" | sort -u | tr '\n' ' ')"; }
has_http_libs() { grep -qE -- "$HTTP_LIBS" "$1" || bad="$bad
    $2 names no HTTP/TLS library (the check cannot see them?)"; }
case_end() {
    if [ -z "$bad" ]; then
        passed=$((passed + 1))
        echo "ok - $desc"
    else
        failed=$((failed + 1))
        echo "FAIL - $desc$bad"
        echo "  --- stdout:"; sed 's/^/  | /' "$T/out" | head -20
        echo "  --- stderr:"; sed 's/^/  | /' "$T/err" | head -40
    fi
}

# start_bg FILE TEXT CMD...: runs CMD in the background (stdout to $T/bg.out,
# stderr to $T/bg.err, its pid in BG) and waits until FILE ($T/bg.out or
# $T/bg.err) holds TEXT: at most 30 s (the ASan build is slow to start).
# False if it never does, or the process ended first.
start_bg() {
    file=$1
    text=$2
    shift 2
    "$@" >"$T/bg.out" 2>"$T/bg.err" </dev/null &
    BG=$!
    tries=0
    until grep -qF -- "$text" "$file"; do
        kill -0 "$BG" 2>/dev/null || return 1
        tries=$((tries + 1))
        [ "$tries" -le 600 ] || return 1
        sleep 0.05
    done
}
# stop_bg SIGNAL WANT: sends SIGNAL to the background process, waits for it
# and checks its exit status.
stop_bg() {
    kill -"$1" "$BG" 2>/dev/null
    wait "$BG"
    got=$?
    BG=""
    [ "$got" -eq "$2" ] || bad="$bad
    exit status $got after SIG$1, wanted $2"
}

# ---- 1. the commands that must not load the gateway's libraries -------------
for cmd in "run $W/reactor.wasm" "validate $W/values.wasm" "inspect $W/values.wasm" \
           "help" "--version"; do
    case_begin "LD_DEBUG=libs wasmgate $cmd: no HTTP/TLS library loaded"
    # shellcheck disable=SC2086 # $cmd is split into words on purpose
    run 0 env LD_DEBUG=libs "$WG" $cmd
    no_http_libs "$T/err" "the loader's report"
    case_end
done

case_begin "wasmgate run, while the guest runs: no HTTP/TLS library mapped"
if start_bg "$T/bg.out" ready "$WG" run --timeout 60 "$W/ready_spin.wasm"; then
    cat "/proc/$BG/maps" >"$T/out" 2>"$T/err"
    # The right process: the maps of wasmgate itself, not of a shell.
    grep -qF -- "$(basename "$WG")" "$T/out" || bad="$bad
    /proc/$BG/maps does not map $(basename "$WG")"
    no_http_libs "$T/out" "/proc/PID/maps"
    stop_bg TERM 143
else
    bad="$bad
    the guest never printed 'ready'"
    cp "$T/bg.out" "$T/out"
    cp "$T/bg.err" "$T/err"
    [ -n "$BG" ] && stop_bg KILL 137
fi
case_end

# ---- 2. serve loads them, from the gateway program ---------------------------
case_begin "LD_DEBUG=libs wasmgate serve --help: the gateway program loads libmicrohttpd"
run 0 env LD_DEBUG=libs "$WG" serve --help
out_has "usage: wasmgate serve"
has_http_libs "$T/err" "the loader's report"
case_end

case_begin "wasmgate serve, while serving: HTTP library mapped, same pid"
cat >"$T/app.toml" <<EOF
[[module]]
route = "/spin"
module = "$W/ready_spin.wasm"
EOF
if start_bg "$T/bg.err" "wasmgate: serving" "$WG" serve --listen 127.0.0.1:0 "$T/app.toml"; then
    cat "/proc/$BG/maps" >"$T/out" 2>"$T/err"
    has_http_libs "$T/out" "/proc/PID/maps"
    # exec kept the process that was started as wasmgate: $! is the server.
    grep -qF -- "$SERVE_PROGRAM" "$T/out" || bad="$bad
    /proc/$BG/maps does not map $SERVE_PROGRAM"
    stop_bg TERM 0
else
    bad="$bad
    the server never said 'wasmgate: serving'"
    cp "$T/bg.out" "$T/out"
    cp "$T/bg.err" "$T/err"
    [ -n "$BG" ] && stop_bg KILL 137
fi
case_end

# ---- 3. where serve looks for the gateway program ---------------------------
case_begin "serve through a symlink to wasmgate finds the program beside the real file"
mkdir -p "$T/links"
ln -s "$WG" "$T/links/wasmgate"
run 0 "$T/links/wasmgate" serve --help
out_has "usage: wasmgate serve"
case_end

# A wasmgate alone in its folder, started from a folder that has a decoy
# wasmgate-serve, which is also first on PATH: the decoy must not run.
case_begin "serve without wasmgate-serve beside it: exit 1, names the file, ignores PATH and cwd"
mkdir -p "$T/alone" "$T/decoy"
cp "$WG" "$T/alone/wasmgate"
printf '#!/bin/sh\necho DECOY\n' >"$T/decoy/wasmgate-serve"
chmod +x "$T/decoy/wasmgate-serve"
run 1 sh -c 'cd "$1" && PATH="$1:$PATH" exec "$2" serve app.toml' sh "$T/decoy" "$T/alone/wasmgate"
err_has "wasmgate: error: serve: cannot run the gateway program $T/alone/wasmgate-serve: No such file or directory"
out_lacks DECOY
case_end

case_begin "wasmgate-serve run without the word serve: usage error"
run 2 "$SERVE_PROGRAM" app.toml
err_has "is the gateway program of 'wasmgate serve'"
case_end

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
