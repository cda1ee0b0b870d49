#!/usr/bin/env bash
# End-to-end tests of `wasmgate serve`: the real server on a loopback port,
# real HTTP requests with curl (and a raw socket for malformed requests).
#
#   run_gateway_tests.sh WASMGATE WASM_DIR SOURCE_DIR
#
# WASM_DIR holds the guests (tests/gateway/guests/*.c and examples/guests/*.c
# compiled by tests/gateway/CMakeLists.txt); SOURCE_DIR is the repository.
# Every check prints "ok NAME" or "FAIL NAME: reason"; the last line is
# "N passed, N failed"; the exit status is 1 if anything failed.
# Scratch files live in /tmp/e2e-gateway.XXXXXX, removed at the end
# (WG_E2E_KEEP=1 keeps them). Every server is stopped on exit.
#
# Nothing here passes or fails on how fast something was: on a busy machine
# everything is slower. What happens "while" something else runs is made
# certain by events: the slow guest creates sync/ID.started when it runs and
# finishes only when the test creates sync/ID.go, so a check made between the
# two happens while it runs. Waits poll for an event with a bounded number of
# tries; time limits (curl --max-time, the polls' bounds) are generous guards
# against a hang, never the thing tested.
set -u
set -o pipefail

if [ $# -ne 3 ]; then
    echo "usage: $0 WASMGATE WASM_DIR SOURCE_DIR" >&2
    exit 2
fi
WG_BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
WASM_DIR=$2
SRC=$3

for tool in curl openssl mkfifo cmp head; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "FAIL setup: '$tool' not found (scripts/install-deps.sh installs curl and openssl)"
        echo "0 passed, 1 failed"
        exit 1
    fi
done
for w in hello echo file redirect cgienv rawecho headers state loop trap membomb slow; do
    if [ ! -f "$WASM_DIR/$w.wasm" ]; then
        echo "FAIL setup: $WASM_DIR/$w.wasm missing (built by tests/gateway/CMakeLists.txt)"
        echo "0 passed, 1 failed"
        exit 1
    fi
done

WG_TMP=$(mktemp -d /tmp/e2e-gateway.XXXXXX)
BG_PIDS=()
cleanup() {
    local p
    for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
    wg_kill_all
    if [ "${WG_E2E_KEEP:-0}" = 1 ]; then
        echo "scratch files kept in $WG_TMP"
    else
        rm -rf "$WG_TMP"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# shellcheck source=/dev/null
. "$SRC/tests/gateway/server_lib.sh"

PASS=0
FAILS=0
ok() { PASS=$((PASS + 1)); echo "ok $1"; }
fail() { FAILS=$((FAILS + 1)); echo "FAIL $1: $2"; }
# expect NAME ACTUAL EXPECTED: ok when equal.
expect() {
    if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "got '$2', expected '$3'"; fi
}

# http CURL-ARGS...: one request; sets CODE (000 when curl failed: then
# CURLERR says why), BODY (file), HDRS (file, CRs removed), TIME (seconds).
# MAXT (default 60) is curl's --max-time: a guard against a hang.
REQN=0
http() {
    REQN=$((REQN + 1))
    BODY=$WG_TMP/body.$REQN
    HDRS=$WG_TMP/hdrs.$REQN
    local out
    out=$(curl -sS --max-time "${MAXT:-60}" -o "$BODY" -D "$HDRS.raw" \
               -w '%{http_code} %{time_total}' "$@" 2>"$WG_TMP/curlerr.$REQN")
    CODE=${out%% *}
    TIME=${out##* }
    [ -n "$CODE" ] || CODE=000
    CURLERR=$(head -c 300 "$WG_TMP/curlerr.$REQN")
    tr -d '\r' <"$HDRS.raw" >"$HDRS" 2>/dev/null || : >"$HDRS"
    : >>"$BODY"
}
# hdr NAME: the value of response header NAME of the last request.
hdr() {
    grep -i "^$1:" "$HDRS" | tail -n 1 | cut -d: -f2- | sed 's/^[[:space:]]*//'
}
# what: the status and the start of the body, for failure messages.
what() {
    local b
    b=$(head -c 160 "$BODY" | tr '\n\r' '  ')
    if [ "$CODE" = 000 ]; then echo "no response ($CURLERR)"; else echo "status $CODE, body '$b'"; fi
}
# has_line FILE LINE: FILE has exactly that line.
has_line() { grep -qxF -- "$2" "$1"; }
# wait_for_file_text FILE TEXT SECONDS: polls (at most SECONDS * 20 times,
# 0.05 s apart) until FILE contains TEXT. For log lines written
# asynchronously after a response, or by a server while it stops.
wait_for_file_text() {
    local i n=$(( $3 * 20 ))
    for (( i = 0; i < n; i++ )); do
        grep -qF -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    grep -qF -- "$2" "$1" 2>/dev/null
}
# wait_for_file PATH SECONDS: the same, until PATH exists.
wait_for_file() {
    local i n=$(( $2 * 20 ))
    for (( i = 0; i < n; i++ )); do
        [ -e "$1" ] && return 0
        sleep 0.05
    done
    [ -e "$1" ]
}
health_ok() {
    http "$U/.well-known/wasmgate/health"
    [ "$CODE" = 200 ]
}

# ---- the apps: manifests beside wasm/ and static/ ------------------------------
APP=$WG_TMP/app
EXA=$WG_TMP/examples
for d in "$APP" "$EXA"; do
    mkdir -p "$d/wasm"
    cp "$WASM_DIR"/*.wasm "$d/wasm/"
    cp -R "$SRC/examples/static" "$d/static"
done
cp "$SRC/tests/gateway/modules.toml" "$APP/modules.toml"
# The folder the slow guest (routes /slow and /slow-free) sees as /sync.
SYNC=$APP/sync
mkdir -p "$SYNC"
cp "$SRC/examples/modules.toml" "$SRC/examples/spin.toml" "$EXA/"

T_START=$SECONDS
ACCESS_LOG=$WG_TMP/access.log

# ---- the main server ------------------------------------------------------------
# A host variable that must not leak into guests.
export WG_E2E_HOST_SECRET=host-environment-must-not-leak
# --timeout 600: the default for routes without their own, far beyond any
# curl guard here, so a 504 seen here comes from the route's own timeout.
if ! wg_start_server main "$APP/modules.toml" --drain-timeout 600 --threads 4 --timeout 600 --access-log "$ACCESS_LOG"; then
    fail "server-start" "wasmgate serve did not become ready (see above)"
    echo "$PASS passed, $FAILS failed"
    exit 1
fi
unset WG_E2E_HOST_SECRET
MAIN_PID=$WG_PID
MAIN_LOG=$WG_LOG
PORT=$WG_PORT
U="http://127.0.0.1:$PORT"
ok "server-start (port $PORT)"
HELLO_REQUESTS=0

# -- health
http "$U/.well-known/wasmgate/health"
if [ "$CODE" = 200 ] && grep -q '^OK' "$BODY"; then ok health; else fail health "$(what)"; fi

# -- hello world
http "$U/hello"; HELLO_REQUESTS=$((HELLO_REQUESTS + 1))
if [ "$CODE" = 200 ] && [ "$(cat "$BODY")" = "Hello, world!" ]; then ok hello; else fail hello "$(what)"; fi
expect hello-content-type "$(hdr content-type)" "text/plain"

# -- every CGI variable, field by field
printf 'hello body' >"$WG_TMP/cgi-body"
http -X POST "$U/env/a%20b/c?x=1&y=two%20three" \
     -H 'X-Custom: yes' -H 'Authorization: Basic dXNlcjpwYXNz' -H 'Proxy: http://evil.test' \
     -H 'Connection: keep-alive' -H 'Content-Type: application/x-wasmgate-test' \
     --data-binary @"$WG_TMP/cgi-body"
if [ "$CODE" != 200 ]; then
    fail cgi "$(what)"
else
    ok cgi-status
    CGI=$BODY
    cgi_field() {  # NAME EXPECTED
        local got
        if ! grep -q "^env:$1=" "$CGI"; then
            fail "cgi $1" "not set (expected '$2')"
            return
        fi
        got=$(grep "^env:$1=" "$CGI" | head -n 1)
        got=${got#env:"$1"=}
        expect "cgi $1" "$got" "$2"
    }
    cgi_field REQUEST_METHOD POST
    cgi_field QUERY_STRING 'x=1&y=two%20three'
    cgi_field PATH_INFO '/a b/c'
    cgi_field X_RAW_PATH_INFO '/a%20b/c'
    cgi_field PATH_TRANSLATED '/a b/c'
    cgi_field SCRIPT_NAME /env
    cgi_field X_COMPONENT_ROUTE /env
    cgi_field X_MATCHED_ROUTE '/env/...'
    cgi_field X_FULL_URL "http://127.0.0.1:$PORT/env/a%20b/c?x=1&y=two%20three"
    cgi_field HTTP_X_CUSTOM yes
    cgi_field HTTP_HOST "127.0.0.1:$PORT"
    cgi_field CONTENT_TYPE application/x-wasmgate-test
    cgi_field CONTENT_LENGTH 10
    cgi_field SERVER_NAME 127.0.0.1
    cgi_field SERVER_PORT "$PORT"
    cgi_field SERVER_PROTOCOL HTTP/1.1
    cgi_field REMOTE_ADDR 127.0.0.1
    cgi_field REMOTE_HOST 127.0.0.1
    cgi_field GATEWAY_INTERFACE CGI/1.1
    cgi_field AUTH_TYPE Basic
    cgi_field REMOTE_USER user
    cgi_field GREETING 'hello from the manifest'
    cgi_field ROUTE_ID env
    if grep -q '^env:SERVER_SOFTWARE=.' "$CGI"; then ok "cgi SERVER_SOFTWARE"; else fail "cgi SERVER_SOFTWARE" "not set or empty"; fi
    for absent in HTTP_AUTHORIZATION HTTP_CONNECTION HTTP_PROXY WG_E2E_HOST_SECRET; do
        if grep -q "^env:$absent=" "$CGI"; then
            fail "cgi no $absent" "$(grep "^env:$absent=" "$CGI" | head -n 1)"
        else
            ok "cgi no $absent"
        fi
    done
    if grep -qE 'dXNlcjpwYXNz|host-environment-must-not-leak' "$CGI"; then
        fail "cgi no secrets" "the credentials or a host variable reached the guest"
    else
        ok "cgi no secrets"
    fi
    expect "cgi argc" "$(grep '^argc=' "$CGI")" "argc=3"
    expect "cgi argv[0]" "$(grep '^argv\[0\]=' "$CGI")" "argv[0]=/env"
    expect "cgi argv[1]" "$(grep '^argv\[1\]=' "$CGI")" "argv[1]=x=1"
    expect "cgi argv[2]" "$(grep '^argv\[2\]=' "$CGI")" "argv[2]=y=two three"
    expect "cgi stdin" "$(grep '^stdin=' "$CGI")" "stdin=hello body"
fi
# A GET without a body: CONTENT_LENGTH 0 (or empty), no CONTENT_TYPE from nowhere.
http "$U/env"
if [ "$CODE" = 200 ] && has_line "$BODY" 'env:X_MATCHED_ROUTE=/env/...' && has_line "$BODY" 'env:PATH_INFO=' \
   && has_line "$BODY" 'env:REQUEST_METHOD=GET' && has_line "$BODY" 'stdin='; then
    ok "cgi bare prefix /env"
else
    fail "cgi bare prefix /env" "$(what)"
fi

# -- status, location and header passthrough
http "$U/headers?teapot"
expect "passthrough status 418" "$CODE" 418
expect "passthrough custom header" "$(hdr x-test-header)" passthrough-value
expect "passthrough content-type" "$(hdr content-type)" text/x-wasmgate-test
expect "passthrough body" "$(cat "$BODY")" "short and stout"
http "$U/headers?notfound"
expect "passthrough status 404" "$CODE" 404
http "$U/headers?location"
expect "location -> 302" "$CODE" 302
expect "location header" "$(hdr location)" /somewhere/else
http "$U/headers?crlf"
if [ "$CODE" = 201 ] && [ "$(hdr x-crlf)" = yes ] && [ "$(cat "$BODY")" = created ]; then
    ok "crlf headers"
else
    fail "crlf headers" "$(what), x-crlf '$(hdr x-crlf)'"
fi
http "$U/redirect"
if [ "$CODE" = 302 ] && [ "$(hdr location)" = /hello ]; then ok "example redirect"; else fail "example redirect" "$(what), location '$(hdr location)'"; fi

# -- 404 when nothing matches
for p in /no/such/route /hellox /hello/more /; do
    http "$U$p"
    expect "no route $p -> 404" "$CODE" 404
done

# -- longest match wins
http "$U/pre/a"
if [ "$CODE" = 200 ] && has_line "$BODY" 'env:ROUTE_ID=short' && has_line "$BODY" 'env:X_MATCHED_ROUTE=/pre/...' \
   && has_line "$BODY" 'env:PATH_INFO=/a'; then ok "routing /pre/a -> /pre/..."; else fail "routing /pre/a -> /pre/..." "$(what)"; fi
http "$U/pre/deeper/b/c"
if [ "$CODE" = 200 ] && has_line "$BODY" 'env:ROUTE_ID=long' && has_line "$BODY" 'env:X_MATCHED_ROUTE=/pre/deeper/...' \
   && has_line "$BODY" 'env:PATH_INFO=/b/c' && has_line "$BODY" 'env:SCRIPT_NAME=/pre/deeper'; then
    ok "routing /pre/deeper/b/c -> /pre/deeper/..."
else
    fail "routing /pre/deeper/b/c -> /pre/deeper/..." "$(what)"
fi
http "$U/pre/deeperx"
if [ "$CODE" = 200 ] && has_line "$BODY" 'env:ROUTE_ID=short'; then ok "routing /pre/deeperx -> /pre/..."; else fail "routing /pre/deeperx -> /pre/..." "$(what)"; fi

# -- a 10 MB random body echoed byte for byte
head -c 10000000 /dev/urandom >"$WG_TMP/big"
MAXT=180 http -X POST --data-binary @"$WG_TMP/big" -H 'Content-Type: application/octet-stream' "$U/rawecho"
if [ "$CODE" = 200 ] && cmp -s "$WG_TMP/big" "$BODY"; then
    ok "10 MB body echoed byte-exact (${TIME}s)"
else
    fail "10 MB body echo" "status $CODE, $(stat -c %s "$BODY") bytes back, $(cmp "$WG_TMP/big" "$BODY" 2>&1 | head -n 1) $CURLERR"
fi
rm -f "$WG_TMP/big" "$BODY"

# -- keep-alive: one curl, several URLs, one connection
curl -sv --max-time 60 -o /dev/null -o /dev/null -o /dev/null -w '%{http_code}\n' \
     "$U/hello" "$U/.well-known/wasmgate/health" "$U/hello" >"$WG_TMP/ka.codes" 2>"$WG_TMP/ka.err"
HELLO_REQUESTS=$((HELLO_REQUESTS + 2))
reuse=$(grep -cE 'Re-?using existing connection' "$WG_TMP/ka.err")
codes=$(tr '\n' ' ' <"$WG_TMP/ka.codes")
if [ "$reuse" -ge 2 ] && [ "$codes" = "200 200 200 " ]; then
    ok keep-alive
else
    fail keep-alive "codes '$codes', connection re-used $reuse times of 2"
fi

# -- per-request isolation: a fresh instance every time
http "$U/state?first"
first=$(tr '\n' ' ' <"$BODY")
http "$U/state?second"
second=$(tr '\n' ' ' <"$BODY")
expect "isolation first request" "$first" "counter=1 last=initial heap=none "
expect "isolation second request" "$second" "counter=1 last=initial heap=none "

# -- timeout -> 504, and the server still answers
# /loop never ends by itself, so a 504 means the timeout stopped it; the
# route's 1 s, since the server's default (600 s) is beyond curl's guard. Not
# before 1 s; how long after depends on the load, so nothing bounds it.
MAXT=120 http "$U/loop"
if [ "$CODE" = 504 ] && awk -v t="$TIME" 'BEGIN { exit !(t >= 1) }'; then
    ok "timeout -> 504 (${TIME}s)"
else
    fail "timeout -> 504" "$(what) after ${TIME}s (route timeout = 1 s; want 504, not before 1 s)"
fi
if health_ok; then ok "health after timeout"; else fail "health after timeout" "$(what)"; fi

# -- a trap -> 500, in the access log, guest stderr in the server log
http "$U/trap"
expect "trap -> 500" "$CODE" 500
if grep -q 'partial output before the trap' "$BODY"; then
    fail "trap output dropped" "the partial output of the trapped guest was sent"
else
    ok "trap output dropped"
fi
if wait_for_file_text "$ACCESS_LOG" /trap 60 && grep -F /trap "$ACCESS_LOG" | grep -qw 500; then
    ok "access log has the trap's 500"
else
    fail "access log has the trap's 500" "no line with /trap and 500 in the access log: $(tail -n 3 "$ACCESS_LOG" 2>/dev/null | tr '\n' '|')"
fi
if wait_for_file_text "$MAIN_LOG" 'trap-guest: about to trap' 60; then
    ok "guest stderr in the server log"
else
    fail "guest stderr in the server log" "'trap-guest: about to trap' not in the server's stderr"
fi
if health_ok; then ok "health after trap"; else fail "health after trap" "$(what)"; fi

# -- a memory bomb against max_memory = 16 MiB
http "$U/membomb"
if [ "$CODE" = 200 ]; then
    bytes=$(sed -n 's/^bytes=//p' "$BODY")
    if has_line "$BODY" grow_failed=1 && [ -n "$bytes" ] && [ "$bytes" -le 16777216 ]; then
        ok "memory cap: memory.grow fails at ${bytes} bytes"
    else
        fail "memory cap" "guest answered $(tr '\n' ' ' <"$BODY") (cap 16777216)"
    fi
elif [ "$CODE" = 500 ]; then
    ok "memory cap: 500"
else
    fail "memory cap" "$(what)"
fi
if health_ok; then ok "health after memory bomb"; else fail "health after memory bomb" "$(what)"; fi

# -- concurrency cap: max_concurrency = 1 on /slow
# running ID: the slow guest of request ID has started and cannot have
# finished (no go-file yet).
running() { [ -e "$SYNC/$1.started" ] && [ ! -e "$SYNC/$1.go" ]; }
# answered FILE: the background curl writing its -w status into FILE is done
# (curl writes it last, "000" when it failed).
answered() { [ -s "$1" ]; }
# (a) A request arriving while the only permitted one runs: 503 at once. "At
# once" by order, not by a clock: the first guest provably runs (it said so,
# and cannot end before conc-first.go exists), and the test creates
# conc-first.go only after the second request was answered. Were the second
# queued behind the first, it would get no answer at all (curl's guard).
curl -s --max-time 120 -o "$WG_TMP/conc.first.body" -w '%{http_code}' "$U/slow?id=conc-first" \
     >"$WG_TMP/conc.first" 2>/dev/null &
cpid=$!
BG_PIDS+=("$cpid")
if wait_for_file "$SYNC/conc-first.started" 60; then
    # If it were (wrongly) admitted, this one would not wait: its go-file exists.
    : >"$SYNC/conc-second.go"
    http "$U/slow?id=conc-second"
    if [ "$CODE" = 503 ] && running conc-first && ! answered "$WG_TMP/conc.first"; then
        ok "concurrency cap: a second request -> 503 while the first runs"
    else
        fail "concurrency cap: a second request -> 503" "$(what) while the first ran (max_concurrency = 1)"
    fi
else
    fail "concurrency cap: a second request -> 503" "the first request's guest never started (no sync/conc-first.started after 60 s): $(cat "$WG_TMP/conc.first" 2>/dev/null)"
fi
: >"$SYNC/conc-first.go"
wait "$cpid" 2>/dev/null
BG_PIDS=()
if [ "$(cat "$WG_TMP/conc.first")" = 200 ] && grep -qx 'done conc-first' "$WG_TMP/conc.first.body"; then
    ok "concurrency cap: the first request -> 200"
else
    fail "concurrency cap: the first request -> 200" "status '$(cat "$WG_TMP/conc.first")', body '$(head -c 100 "$WG_TMP/conc.first.body")'"
fi
# (b) Three at once: exactly one is admitted (its guest says it started), and
# the other two are answered 503 while it still runs. None may wait in a
# queue (e.g. behind a worker thread busy with the first): such a request
# would get no answer before the admitted one is let go, and the test lets it
# go only after the two answers came.
for i in 1 2 3; do
    curl -s --max-time 120 -o /dev/null -w '%{http_code}' "$U/slow?id=burst$i" \
         >"$WG_TMP/conc.$i" 2>/dev/null &
    BG_PIDS+=($!)
done
# Until two have their answer and one guest started (at most 60 s: a guard).
burst_state() {
    local i
    ndone=0; nstarted=0; admitted=""
    for i in 1 2 3; do
        answered "$WG_TMP/conc.$i" && ndone=$((ndone + 1))
        if [ -e "$SYNC/burst$i.started" ]; then nstarted=$((nstarted + 1)); admitted=$i; fi
    done
}
for (( k = 0; k < 1200; k++ )); do
    burst_state
    (( ndone >= 2 && nstarted >= 1 )) && break
    (( ndone == 3 || nstarted >= 2 )) && break
    sleep 0.05
done
burst_state
answers=""
for i in 1 2 3; do
    [ "$i" = "$admitted" ] || answers="$answers $(cat "$WG_TMP/conc.$i")"
done
if (( nstarted == 1 && ndone == 2 )) && running "burst$admitted" \
   && ! answered "$WG_TMP/conc.$admitted" && [ "$answers" = " 503 503" ]; then
    ok "concurrency burst: one runs, two get 503 while it runs"
else
    fail "concurrency burst" "3 simultaneous requests, max_concurrency = 1: $nstarted guest(s) started, $ndone answered (others:$answers); want 1 running and two 503s (an answer missing after 60 s means a request waits in a queue)"
fi
for i in 1 2 3; do : >"$SYNC/burst$i.go"; done
wait "${BG_PIDS[@]}" 2>/dev/null
BG_PIDS=()
if [ -n "$admitted" ] && (( nstarted == 1 )); then
    expect "concurrency burst: the admitted request -> 200" "$(cat "$WG_TMP/conc.$admitted")" 200
fi

# -- body over max_body (1024) -> 413; under it -> echoed
head -c 2048 /dev/urandom >"$WG_TMP/2k"
head -c 512 /dev/urandom >"$WG_TMP/halfk"
http -X POST --data-binary @"$WG_TMP/2k" "$U/small"
expect "max_body -> 413" "$CODE" 413
http -X POST --data-binary @"$WG_TMP/2k" -H 'Transfer-Encoding: chunked' "$U/small"
expect "max_body chunked -> 413" "$CODE" 413
http -X POST --data-binary @"$WG_TMP/halfk" "$U/small"
if [ "$CODE" = 200 ] && cmp -s "$BODY" "$WG_TMP/halfk"; then ok "under max_body -> 200"; else fail "under max_body -> 200" "$(what)"; fi

# -- malformed HTTP on a raw socket -> 400, and the server stays up
raw_request() {  # DATA: sends it, sets RAW_STATUS to the first response line
    local s rc
    RAW_STATUS=""
    if ! exec {s}<>"/dev/tcp/127.0.0.1/$PORT"; then
        RAW_STATUS="(connect failed)"
        return
    fi
    # In a subshell: if the server has already closed, SIGPIPE ends only it.
    (printf '%b' "$1" >&"$s") 2>/dev/null
    IFS= read -r -t 60 -u "$s" RAW_STATUS
    rc=$?
    RAW_STATUS=${RAW_STATUS%$'\r'}
    if [ -z "$RAW_STATUS" ]; then
        if (( rc > 128 )); then
            RAW_STATUS="(no answer in 60 s, connection still open)"
        else
            RAW_STATUS="(connection closed without any response)"
        fi
    fi
    exec {s}>&-
}
malformed() {  # NAME DATA: must be answered 400
    raw_request "$2"
    if [[ $RAW_STATUS =~ ^HTTP/1\.[01]\ 400 ]]; then ok "$1 -> 400"; else fail "$1 -> 400" "got '$RAW_STATUS'"; fi
}
# A request line without any space: libmicrohttpd 0.9.75 (Debian 12) drops the
# connection before the server sees the request, so no 400 can be sent. Accept
# exactly that: a 400, or a close without an answer, never a hang or another status.
raw_request 'GARBAGE\r\n\r\n'
if [[ $RAW_STATUS =~ ^HTTP/1\.[01]\ 400 || $RAW_STATUS == "(connection closed without any response)" ]]; then
    ok "garbage request line -> 400 or closed"
else
    fail "garbage request line -> 400 or closed" "got '$RAW_STATUS'"
fi
malformed "bad header line" 'GET /hello HTTP/1.1\r\nHost: x\r\nthis line has no colon\r\n\r\n'
malformed "HTTP/1.1 without Host" 'GET /hello HTTP/1.1\r\n\r\n'
malformed "bad Content-Length" 'POST /rawecho HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'
malformed "control bytes in the method" '\001\002 / HTTP/1.1\r\nHost: x\r\n\r\n'
raw_request 'GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
HELLO_REQUESTS=$((HELLO_REQUESTS + 1))
if [[ $RAW_STATUS =~ ^HTTP/1\.1\ 200 ]]; then ok "raw GET -> 200"; else fail "raw GET -> 200" "got '$RAW_STATUS'"; fi
if health_ok; then ok "health after malformed requests"; else fail "health after malformed requests" "$(what)"; fi

# -- the echo example: JSON, escaped
printf 'q"b\\s\nl\tt\001 caf\303\251 \377' >"$WG_TMP/json-body"
http -X PUT --data-binary @"$WG_TMP/json-body" -H 'X-Quote: say "hi"' "$U/echo/p%20q?k=v"
want_body='"body":"q\"b\\s\nl\tt\u0001 café \ufffd"'
if [ "$CODE" = 200 ] && grep -qF -- "$want_body" "$BODY" && grep -qF '"method":"PUT"' "$BODY" \
   && grep -qF '"path_info":"/p q"' "$BODY" && grep -qF '"query":"k=v"' "$BODY" \
   && grep -qF '"HTTP_X_QUOTE":"say \"hi\""' "$BODY" && grep -qF '"body_bytes":18' "$BODY"; then
    ok "echo example JSON"
else
    fail "echo example JSON" "$(what)"
fi
if command -v python3 >/dev/null 2>&1 && [ "$CODE" = 200 ]; then
    if python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$BODY" 2>/dev/null; then
        ok "echo example JSON parses"
    else
        fail "echo example JSON parses" "python3's json rejects: $(head -c 200 "$BODY")"
    fi
fi

# -- the file example
http "$U/file?name=hello.txt"
if [ "$CODE" = 200 ] && cmp -s "$BODY" "$SRC/examples/static/hello.txt"; then ok "file example"; else fail "file example" "$(what)"; fi
for bad in '..%2Fmodules.toml' 'a%2Fb' '..' '%2Fetc%2Fpasswd'; do
    http "$U/file?name=$bad"
    expect "file example refuses $bad" "$CODE" 400
done
http "$U/file?name=missing.txt"
expect "file example missing -> 404" "$CODE" 404

# -- metrics
http "$U/.well-known/wasmgate/metrics"
if [ "$CODE" = 200 ] && grep -q '^wasmgate_requests_total{' "$BODY"; then
    ok "metrics endpoint"
    hello_total=$(grep '^wasmgate_requests_total{' "$BODY" | grep -F 'route="/hello"' \
                  | awk '{ s += $NF } END { print s + 0 }')
    if [ "$hello_total" -ge "$HELLO_REQUESTS" ]; then
        ok "metrics route=\"/hello\" counts $hello_total >= $HELLO_REQUESTS"
    else
        fail "metrics route=\"/hello\"" "sum $hello_total, expected >= $HELLO_REQUESTS: $(grep -F 'route="/hello"' "$BODY" | head -n 3 | tr '\n' '|')"
    fi
    for r in /trap /loop '/env/...'; do
        if grep '^wasmgate_requests_total{' "$BODY" | grep -qF "route=\"$r\""; then
            ok "metrics route=\"$r\""
        else
            fail "metrics route=\"$r\"" "no wasmgate_requests_total line with that label"
        fi
    done
else
    fail "metrics endpoint" "$(what)"
fi

# -- graceful shutdown with a request in flight
# The order of events proves it: the guest runs (sync/graceful.started), the
# server gets SIGTERM and starts draining ("draining:" in its log), and only
# then does the test let the guest finish (sync/graceful.go). The request
# must still complete with 200, and the server exit 0.
: >"$WG_TMP/graceful.code"
curl -s --max-time 120 -o "$WG_TMP/graceful.body" -w '%{http_code}' "$U/slow-free?id=graceful" \
     >"$WG_TMP/graceful.code" 2>/dev/null &
cpid=$!
BG_PIDS+=("$cpid")
graceful_why=""
if ! wait_for_file "$SYNC/graceful.started" 60; then
    graceful_why="the guest never started (no sync/graceful.started after 60 s)"
fi
kill -TERM "$MAIN_PID"
if [ -z "$graceful_why" ] && ! wait_for_file_text "$MAIN_LOG" 'draining: ' 60; then
    graceful_why="no 'draining:' line in the server's log after 60 s"
fi
# While it drains, the listening socket is closed: a new client is refused
# at once (curl exit 7), not left waiting in the kernel's queue.
if [ -z "$graceful_why" ]; then
    curl -s --max-time 60 -o /dev/null "$U/.well-known/wasmgate/health" 2>/dev/null
    crc=$?
    if [ "$crc" = 7 ]; then ok "draining: a new connection is refused"; else fail "draining: a new connection is refused" "curl exit $crc (7 = refused)"; fi
fi
if [ -z "$graceful_why" ] && ! { running graceful && ! answered "$WG_TMP/graceful.code"; }; then
    graceful_why="the request was no longer in flight when the server got SIGTERM"
fi
: >"$SYNC/graceful.go"
wait "$cpid" 2>/dev/null
BG_PIDS=()
gcode=$(cat "$WG_TMP/graceful.code")
if [ -z "$graceful_why" ] && [ "$gcode" = 200 ] && grep -qx 'done graceful' "$WG_TMP/graceful.body"; then
    ok "graceful shutdown: in-flight request completed"
else
    fail "graceful shutdown: in-flight request" "${graceful_why:+$graceful_why; }status '$gcode', body '$(head -c 100 "$WG_TMP/graceful.body" 2>/dev/null)'$(grep -m1 'still running after' "$MAIN_LOG" | sed 's/^/; server: /')"
fi
# No second signal: wait for the exit the first one asked for.
wg_wait_exit "$MAIN_PID" 60
expect "graceful shutdown: exit status 0" "$WG_EXIT" 0

# ---- the examples: modules.toml and spin.toml serve the same app -------------------
if wg_start_server wagi "$EXA/modules.toml"; then
    WAGI_PID=$WG_PID; WAGI_U="http://127.0.0.1:$WG_PORT"
    if wg_start_server spin "$EXA/spin.toml"; then
        SPIN_PID=$WG_PID; SPIN_U="http://127.0.0.1:$WG_PORT"
        ok "examples: both manifests load"
        printf 'spin and wagi' >"$WG_TMP/same-body"
        same_app() {  # NAME EXPECTED-CODE PATH [CURL-ARGS...]
            local name=$1 want=$2 path=$3 c1 b1
            shift 3
            http "$@" -H 'Host: example.test' "$WAGI_U$path"
            c1=$CODE; b1=$BODY
            http "$@" -H 'Host: example.test' "$SPIN_U$path"
            if [ "$c1" = "$want" ] && [ "$CODE" = "$want" ] && cmp -s "$b1" "$BODY"; then
                ok "same app: $name"
            else
                fail "same app: $name" "modules.toml $c1, spin.toml $CODE (expected $want), bodies $(cmp -s "$b1" "$BODY" && echo equal || echo differ)"
            fi
        }
        same_app hello 200 /hello
        same_app echo 200 '/echo/x%20y?a=b' -X POST --data-binary @"$WG_TMP/same-body"
        same_app file 200 '/file?name=hello.txt'
        same_app "file refusal" 400 '/file?name=..%2Fspin.toml'
        same_app redirect 302 /redirect
        same_app "no route" 404 /nowhere
        http "$SPIN_U/hello"
        expect "spin hello body" "$(cat "$BODY")" "Hello, world!"
        wg_stop_server "$SPIN_PID" 60
        expect "spin server exit status" "$WG_EXIT" 0
    else
        fail "examples: spin.toml" "the server did not start (see above)"
    fi
    wg_stop_server "$WAGI_PID" 60
    expect "examples server exit status" "$WG_EXIT" 0
else
    fail "examples: modules.toml" "the server did not start (see above)"
fi

# ---- TLS ----------------------------------------------------------------------------
if openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
        -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' \
        -keyout "$WG_TMP/key.pem" -out "$WG_TMP/cert.pem" >"$WG_TMP/openssl.log" 2>&1; then
    if wg_start_server tls "$EXA/modules.toml" --tls-cert "$WG_TMP/cert.pem" --tls-key "$WG_TMP/key.pem"; then
        TLS_PID=$WG_PID
        expect "tls readiness line says https" "$WG_SCHEME" https
        http --cacert "$WG_TMP/cert.pem" --resolve "localhost:$WG_PORT:127.0.0.1" "https://localhost:$WG_PORT/hello"
        if [ "$CODE" = 200 ] && [ "$(cat "$BODY")" = "Hello, world!" ]; then ok "tls hello"; else fail "tls hello" "$(what)"; fi
        http --cacert "$WG_TMP/cert.pem" --resolve "localhost:$WG_PORT:127.0.0.1" \
             "https://localhost:$WG_PORT/.well-known/wasmgate/health"
        expect "tls health" "$CODE" 200
        http "http://127.0.0.1:$WG_PORT/hello"
        if [ "$CODE" != 200 ]; then ok "tls port refuses plain http"; else fail "tls port refuses plain http" "plain HTTP got 200"; fi
        wg_stop_server "$TLS_PID" 60
        expect "tls server exit status" "$WG_EXIT" 0
    else
        fail "tls server" "did not start with --tls-cert/--tls-key (see above)"
    fi
else
    fail "tls certificate" "openssl req failed: $(tail -n 2 "$WG_TMP/openssl.log")"
fi

# ---- bad manifests: exit 1 with FILE:LINE:COL ----------------------------------------
bad_manifest() {  # NAME FILE EXPECTED-PREFIX
    local rc
    timeout 60 "$WG_BIN" serve --listen 127.0.0.1:0 "$2" >"$WG_TMP/bad.out" 2>"$WG_TMP/bad.err"
    rc=$?
    cat "$WG_TMP/bad.err" >>"$WG_TMP/bad-manifests.log"
    if [ "$rc" = 1 ] && grep -qE -- "$3" "$WG_TMP/bad.err"; then
        ok "$1 -> exit 1 with $(grep -m1 -oE -- "$3" "$WG_TMP/bad.err")"
    else
        fail "$1" "exit $rc (expected 1), stderr '$(head -c 300 "$WG_TMP/bad.err" | tr '\n' '|')' (expected /$3/)"
    fi
}
cat >"$APP/bad-key.toml" <<'EOF'
[[module]]
route = "/hello"
module = "wasm/hello.wasm"
colour = "blue"
EOF
bad_manifest "unknown manifest key" "$APP/bad-key.toml" 'bad-key\.toml:4:[0-9]+:'
printf 'not a wasm module\n' >"$APP/wasm/garbage.wasm"
cat >"$APP/bad-module.toml" <<'EOF'
[[module]]
route = "/hello"
module = "wasm/hello.wasm"

[[module]]
route = "/garbage"
module = "wasm/garbage.wasm"
EOF
bad_manifest "module that is not wasm" "$APP/bad-module.toml" 'bad-module\.toml:[5-7]:'
cat >"$APP/bad-syntax.toml" <<'EOF'
[[module]]
route = "/hello
module = "wasm/hello.wasm"
EOF
bad_manifest "TOML syntax error" "$APP/bad-syntax.toml" 'bad-syntax\.toml:2:[0-9]+:'

# ---- sanitizers (an ASan/UBSan build): no report in any server's output ------------
san=$(grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$WG_TMP"/*.log 2>/dev/null | xargs -r -n1 basename | tr '\n' ' ')
if [ -z "$san" ]; then
    ok "no sanitizer report in the servers' output"
else
    fail "no sanitizer report in the servers' output" "reports in: $san(WG_E2E_KEEP=1 keeps the logs)"
fi

echo "# gateway end-to-end tests took $(( SECONDS - T_START ))s"
echo "$PASS passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
