#!/usr/bin/env bash
# Hostile clients and hostile guests against `wasmgate serve` (CTest
# `gateway-hostile`): request smuggling shapes, slow clients, greedy clients,
# guests that hoard memory, descriptors or the log. The raw-socket work is
# done by tests/gateway/hostile.c; this script starts the servers and checks
# what curl can check.
#
#   run_hostile_tests.sh WASMGATE WASM_DIR SOURCE_DIR HOSTILE
#
# Loopback only; every wait is bounded, and nothing is asserted on elapsed
# time: the guests that must be running while something else happens wait
# for a file the test creates (tests/gateway/guests/hold.c).
set -u
set -o pipefail

if [ $# -ne 4 ]; then
    echo "usage: $0 WASMGATE WASM_DIR SOURCE_DIR HOSTILE" >&2
    exit 2
fi
WG_BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
WASM_DIR=$2
SRC=$3
HOSTILE=$4

WG_TMP=$(mktemp -d /tmp/e2e-hostile.XXXXXX)
BG_PIDS=()
cleanup() {
    local p
    for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
    wg_kill_all
    if [ "${WG_E2E_KEEP:-0}" = 1 ]; then echo "scratch files kept in $WG_TMP"; else rm -rf "$WG_TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# shellcheck source=/dev/null
. "$SRC/tests/gateway/server_lib.sh"

PASS=0
FAILS=0
ok() { PASS=$((PASS + 1)); echo "ok $1"; }
fail() { FAILS=$((FAILS + 1)); echo "FAIL $1: $2"; }
expect() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "got '$2', expected '$3'"; fi; }

# http CURL-ARGS...: sets CODE, BODY (file), HDRS (file).
REQN=0
http() {
    REQN=$((REQN + 1))
    BODY=$WG_TMP/body.$REQN
    HDRS=$WG_TMP/hdrs.$REQN
    CODE=$(curl -sS --max-time "${MAXT:-30}" -o "$BODY" -D "$HDRS" -w '%{http_code}' "$@" \
                2>"$WG_TMP/curlerr.$REQN")
    [ -n "$CODE" ] || CODE=000
    : >>"$BODY"
}
# wait_file PATH: waits (bounded: 60 s, a hang guard) until PATH exists.
wait_file() {
    local i
    for (( i = 0; i < 1200; i++ )); do
        [ -e "$1" ] && return 0
        sleep 0.05
    done
    return 1
}
# wait_grep FILE TEXT: waits (bounded: 60 s, a hang guard) until FILE
# contains TEXT. The server's log reaches its file through a pipe and cat,
# so a line can land a moment after the response that caused it.
wait_grep() {
    local i
    for (( i = 0; i < 1200; i++ )); do
        grep -qF -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}
# metric_value NAME: the value of the unlabelled metric NAME now.
metric_value() {
    curl -s --max-time 30 "$U/.well-known/wasmgate/metrics" | awk -v n="$1" '$1 == n { print $2 }'
}
# hostile_run MODE ARGS...: runs the raw-socket client, passing its lines on.
hostile_run() {
    local line
    while IFS= read -r line; do
        case $line in
            "ok "*) ok "${line#ok }" ;;
            "FAIL "*) FAILS=$((FAILS + 1)); echo "$line" ;;
            *) echo "$line" ;;
        esac
    done < <("$HOSTILE" "$@" 2>&1; echo "# hostile $1 exited $?")
}

APP=$WG_TMP/app
mkdir -p "$APP/wasm" "$APP/sync"
cp "$WASM_DIR"/*.wasm "$APP/wasm/"
cp -R "$SRC/examples/static" "$APP/static"
cp "$SRC/tests/gateway/hostile.toml" "$APP/modules.toml"
T_START=$SECONDS

# ---- request heads: smuggling shapes, bad targets, long URLs ---------------------------
ACCESS_LOG=$WG_TMP/access.log
if wg_start_server main "$APP/modules.toml" --access-log "$ACCESS_LOG"; then
    PORT=$WG_PORT
    U="http://127.0.0.1:$PORT"
    hostile_run shapes "$PORT"

    # AUTH_TYPE names a registered scheme or nothing: never the credential.
    http -H 'Authorization: sk_live_SECRET' "$U/env"
    if [ "$CODE" = 200 ] && grep -qx 'env:AUTH_TYPE=' "$BODY" && ! grep -q sk_live "$BODY"; then
        ok "AUTH_TYPE is empty for a bare credential, which reaches the guest nowhere"
    else
        fail "AUTH_TYPE for a bare credential" "status $CODE, $(grep -E 'AUTH_TYPE|sk_live' "$BODY" | head -n 3 | tr '\n' '|')"
    fi
    http -H 'Authorization: bearer abc' "$U/env"
    if [ "$CODE" = 200 ] && grep -qx 'env:AUTH_TYPE=Bearer' "$BODY"; then ok "AUTH_TYPE Bearer"; else fail "AUTH_TYPE Bearer" "status $CODE"; fi

    # Response headers the server can send are sent whole; larger ones are a
    # 502 that the log and the access log both tell.
    http "$U/bigheaders?kib=20"
    n=$(grep -c '^x-pad-' "$HDRS")
    if [ "$CODE" = 200 ] && [ "$n" = 40 ] && grep -q '20 KiB of headers' "$BODY"; then
        ok "20 KiB of guest response headers sent whole"
    else
        fail "20 KiB of guest response headers" "status $CODE, $n of 40 header lines"
    fi
    http "$U/bigheaders?kib=40"
    expect "40 KiB of guest response headers -> 502" "$CODE" 502
    if wait_grep "$ACCESS_LOG" ' /bigheaders /bigheaders 502 ' &&
       wait_grep "$WG_LOG" "502: the guest's response headers take"; then
        ok "the 502 is in the access log and explained in the server log"
    else
        fail "502 logged" "access log: $(grep bigheaders "$ACCESS_LOG" | tail -n 2 | tr '\n' '|')"
    fi
    http "$U/.well-known/wasmgate/health"
    expect "healthy after the hostile heads" "$CODE" 200
    wg_stop_server "$WG_PID" 15
    expect "main server exit status" "$WG_EXIT" 0
else
    fail "main server" "did not start"
fi

# ---- greedy clients: connections per address -------------------------------------------
if wg_start_server perip "$APP/modules.toml" --max-connections-per-ip 20; then
    hostile_run perip "$WG_PORT" 20
    wg_stop_server "$WG_PID" 15
else
    fail "per-ip server" "did not start"
fi

# ---- slow clients: 4,200 connections that never finish their head ---------------------
# The head deadline is long here so that they are all still held when the
# real client comes: it is served thanks to the reserve.
if wg_start_server reserve "$APP/modules.toml" --header-timeout 60; then
    hostile_run reserve "$WG_PORT" 4200
    wg_stop_server "$WG_PID" 30
    expect "reserve server exit status" "$WG_EXIT" 0
else
    fail "reserve server" "did not start"
fi

# ---- slow clients: trickling heads end at the head deadline ----------------------------
if wg_start_server deadline "$APP/modules.toml" --header-timeout 2; then
    hostile_run deadline "$WG_PORT" 500
    # A kept-alive connection that says nothing more is closed at the deadline too.
    wg_stop_server "$WG_PID" 15
else
    fail "deadline server" "did not start"
fi

# ---- the memory budget: guest memories + buffered bodies --------------------------------
if wg_start_server budget "$APP/modules.toml" --max-total-memory 16M; then
    U="http://127.0.0.1:$WG_PORT"
    # rawecho buffers its stdin: body (4 MiB, charged while buffered) plus
    # the guest's memory (4 MiB and more) fit in 16 MiB.
    head -c $((4 * 1024 * 1024)) /dev/zero >"$WG_TMP/4m"
    http -X POST --data-binary @"$WG_TMP/4m" -H 'Expect:' "$U/rawecho"
    expect "budget: a 4 MiB body with 16 MiB free -> 200" "$CODE" 200
    rm -f "$APP/sync/a.started" "$APP/sync/a.go"
    curl -s --max-time 120 -o "$WG_TMP/hold.body" -w '%{http_code}' "$U/hold?grow&name=a" \
         >"$WG_TMP/hold.code" 2>/dev/null &
    BG_PIDS+=($!)
    if wait_file "$APP/sync/a.started"; then
        # The held guest grew until memory.grow failed: the budget is full.
        # A refused body of up to 1 MiB is read and dropped, so the 503 always
        # arrives; a larger one is refused before it is sent when the client
        # asks with Expect: 100-continue (curl does), else answered at once
        # (a client still sending may then see a reset: not tested).
        head -c $((512 * 1024)) /dev/zero >"$WG_TMP/512k"
        http -X POST --data-binary @"$WG_TMP/512k" -H 'Expect:' "$U/rawecho"
        expect "budget full: a 512 KiB body (read and dropped) -> 503" "$CODE" 503
        http -X POST --data-binary @"$WG_TMP/4m" -H 'Expect: 100-continue' "$U/rawecho"
        expect "budget full: a 4 MiB body that waits for 100-continue -> 503" "$CODE" 503
        http -X POST --data-binary @"$WG_TMP/512k" -H 'Expect:' -H 'Transfer-Encoding: chunked' "$U/rawecho"
        expect "budget full: a chunked 512 KiB body (read and dropped) -> 503" "$CODE" 503
        http -X POST --data-binary @"$WG_TMP/4m" -H 'Expect: 100-continue' -H 'Transfer-Encoding: chunked' "$U/rawecho"
        expect "budget full: a chunked 4 MiB body that waits for 100-continue -> 503" "$CODE" 503
        http "$U/hello"
        expect "budget full: /hello -> 503" "$CODE" 503
        http "$U/.well-known/wasmgate/metrics"
        used=$(awk '$1 == "wasmgate_memory_budget_bytes{kind=\"used\"}" { print $2 }' "$BODY")
        limit=$(awk '$1 == "wasmgate_memory_budget_bytes{kind=\"limit\"}" { print $2 }' "$BODY")
        rej=$(grep -F 'reason="memory"' "$BODY" | awk '{ s += $NF } END { print s + 0 }')
        if [ "$limit" = 16777216 ] && [ -n "$used" ] && [ "$used" -le 16777216 ] && \
           [ "$used" -gt $((16777216 - 65536 * 4)) ] && [ "$rej" -ge 2 ]; then
            ok "budget metrics: used $used of $limit, $rej refused"
        else
            fail "budget metrics" "used '$used', limit '$limit', refused '$rej'"
        fi
    else
        fail "budget: held guest" "never created sync/a.started"
    fi
    touch "$APP/sync/a.go"
    wait "${BG_PIDS[@]}" 2>/dev/null
    BG_PIDS=()
    held=$(sed -n 's/^held \([0-9]*\) bytes$/\1/p' "$WG_TMP/hold.body")
    if [ "$(cat "$WG_TMP/hold.code")" = 200 ] && [ -n "$held" ] && [ "$held" -le 16777216 ]; then
        ok "budget: the greedy guest stopped at $held bytes of 16 MiB"
    else
        fail "budget: greedy guest" "status $(cat "$WG_TMP/hold.code"), body '$(head -c 100 "$WG_TMP/hold.body")'"
    fi
    http "$U/hello"
    expect "budget freed: /hello -> 200" "$CODE" 200
    http -X POST --data-binary @"$WG_TMP/4m" -H 'Expect:' "$U/rawecho"
    expect "budget freed: a 4 MiB body -> 200" "$CODE" 200
    rm -f "$WG_TMP/4m"
    wg_stop_server "$WG_PID" 15
    expect "budget server exit status" "$WG_EXIT" 0
else
    fail "budget server" "did not start"
fi

# ---- guests that hoard descriptors or the log --------------------------------------------
: >"$APP/sync/hoard.txt"
# hoard ROUTE: runs the fdhoard guest on ROUTE; while it holds its files,
# another request and the health endpoint must be answered. Sets HOARD (its
# "opened=N error=E" answer).
hoard() {
    rm -f "$APP/sync/hoard.started" "$APP/sync/hoard.go"
    curl -s --max-time 120 -o "$WG_TMP/hoard.body" "$U$1" 2>/dev/null &
    local cpid=$!
    BG_PIDS+=("$cpid")
    if wait_file "$APP/sync/hoard.started"; then
        http "$U/hello"
        expect "while $1 hoards files: /hello" "$CODE" 200
        http "$U/.well-known/wasmgate/health"
        expect "while $1 hoards files: health" "$CODE" 200
    else
        fail "$1" "the guest never created sync/hoard.started"
    fi
    touch "$APP/sync/hoard.go"
    wait "$cpid" 2>/dev/null
    BG_PIDS=()
    HOARD=$(tr '\n' ' ' <"$WG_TMP/hoard.body")
}
if wg_start_server files "$APP/modules.toml" --max-log-bytes 4K; then
    U="http://127.0.0.1:$WG_PORT"
    hoard /fdhoard
    expect "a guest stops at the default 256 open files" "$HOARD" "opened=256 error=EMFILE "
    hoard /fdhoard10
    expect "a guest stops at its route's max_open_files = 10" "$HOARD" "opened=10 error=EMFILE "
    # The guest's files close when its WASI state is freed, once the server
    # has finished sending its response: poll (bounded) for the gauge to fall.
    for (( i = 0; i < 1200; i++ )); do
        open_now=$(metric_value wasmgate_guest_files_open)
        [ "$open_now" = 0 ] && break
        sleep 0.05
    done
    expect "every hoarded file is given back" "$open_now" 0
    # stderr is logged up to --max-log-bytes, with a note; the response stays.
    http "$U/noisy?kib=100"
    if [ "$CODE" = 200 ] && grep -q 'said 100 KiB' "$BODY"; then
        ok "100 KiB of guest stderr: the response is still 200"
    else
        fail "100 KiB of guest stderr" "status $CODE, body '$(head -c 80 "$BODY")'"
    fi
    wait_grep "$WG_LOG" 'guest stderr cut at 4096 bytes'
    lines=$(grep -c 'noisy line' "$WG_LOG")
    if grep -q 'guest stderr cut at 4096 bytes' "$WG_LOG" && [ "$lines" -ge 60 ] && [ "$lines" -le 64 ]; then
        ok "guest stderr logged up to --max-log-bytes 4K ($lines lines), then a note"
    else
        fail "guest stderr cut" "$lines 'noisy line' lines in the log; note: $(grep -c 'stderr cut' "$WG_LOG")"
    fi
    wg_stop_server "$WG_PID" 15
    expect "files server exit status" "$WG_EXIT" 0
else
    fail "files server" "did not start"
fi
# With few descriptors (ulimit -n 600), guests together get what is left
# after the connections and a reserve: a guest allowed 100,000 files gets
# ENFILE at that share, and the server still accepts connections.
printf '#!/bin/sh\nulimit -n 600 || exit 1\nexec "%s" "$@"\n' "$WG_BIN" >"$WG_TMP/wasmgate-600"
chmod +x "$WG_TMP/wasmgate-600"
REAL_BIN=$WG_BIN
WG_BIN=$WG_TMP/wasmgate-600
if wg_start_server fewfds "$APP/modules.toml" --max-connections 100; then
    U="http://127.0.0.1:$WG_PORT"
    hoard /fdhoard-many
    if [[ $HOARD =~ ^opened=([0-9]+)\ error=ENFILE\ $ ]] && (( BASH_REMATCH[1] >= 200 && BASH_REMATCH[1] <= 244 )); then
        ok "guests together stop at the descriptors left for them: $HOARD"
    else
        fail "shared descriptor budget" "'$HOARD' (expected opened=200..244 error=ENFILE)"
    fi
    wg_stop_server "$WG_PID" 15
else
    fail "fewfds server" "did not start under ulimit -n 600"
fi
WG_BIN=$REAL_BIN

# ---- sanitizers: no report in any server's output ---------------------------------------
san=$(grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$WG_TMP"/*.log 2>/dev/null | xargs -r -n1 basename | tr '\n' ' ')
if [ -z "$san" ]; then ok "no sanitizer report in the servers' output"; else fail "sanitizers" "reports in: $san"; fi

echo "# hostile tests took $(( SECONDS - T_START ))s"
echo "$PASS passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
