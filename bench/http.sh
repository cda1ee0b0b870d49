#!/usr/bin/env bash
# shellcheck disable=SC2154  # RPS_*, P50_*, P99_*, ERR_* are set by run_wrk (printf -v)
# HTTP benchmark of `wasmgate serve` (`make bench-http`): the example app
# (examples/modules.toml) on a free loopback port, then wrk against
#   (a) /hello                            a fresh WebAssembly instance per request
#   (b) /.well-known/wasmgate/health      the built-in endpoint, no guest
# one after the other in the same run, and a summary: requests/s, p50 and p99
# latency of each, and the ratio (a)/(b) of the request rates (the share of the
# server's plain HTTP throughput a guest request keeps).
#
# Environment:
#   WASMGATE          the binary (default: build/wasmgate; `make bench-http` builds it)
#   BENCH_DURATION    wrk -d (default 10s)    BENCH_CONNECTIONS  wrk -c (default 32)
#   BENCH_THREADS     wrk -t (default 2)      BENCH_SERVER_ARGS  extra `serve` options
#                                             (e.g. "--threads 4")
# The examples must be built (`make examples`; `make bench-http` does it).
# Only 127.0.0.1 is used. The server is always stopped at the end.
set -u
set -o pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WG_BIN=${WASMGATE:-$ROOT/build/wasmgate}
DURATION=${BENCH_DURATION:-10s}
CONNS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
read -r -a SERVER_ARGS <<<"${BENCH_SERVER_ARGS:-}"

die() { echo "bench/http.sh: $*" >&2; exit 1; }
[ -x "$WG_BIN" ] || die "no wasmgate binary at $WG_BIN (make build, or set WASMGATE)"
command -v wrk >/dev/null 2>&1 || die "wrk not found (scripts/install-deps.sh installs it)"
command -v curl >/dev/null 2>&1 || die "curl not found (scripts/install-deps.sh installs it)"
[ -f "$ROOT/examples/wasm/hello.wasm" ] || die "examples/wasm/hello.wasm missing: run 'make examples'"

WG_TMP=$(mktemp -d /tmp/e2e-bench-http.XXXXXX)
cleanup() {
    wg_kill_all
    rm -rf "$WG_TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# shellcheck source=/dev/null
. "$ROOT/tests/gateway/server_lib.sh"

wg_start_server bench "$ROOT/examples/modules.toml" "${SERVER_ARGS[@]}" ||
    die "the server did not start"
PORT=$WG_PORT
BASE="http://127.0.0.1:$PORT"
echo "server: $WG_BIN serve ${SERVER_ARGS[*]:+${SERVER_ARGS[*]} }examples/modules.toml on 127.0.0.1:$PORT (pid $WG_PID)"

# Both endpoints must answer 200 before anything is measured.
for path in /hello /.well-known/wasmgate/health; do
    code=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' "$BASE$path")
    [ "$code" = 200 ] || die "GET $path answered '$code', not 200"
done

# run_wrk NAME PATH: runs wrk, prints its output, sets RPS_<NAME>, P50_<NAME>,
# P99_<NAME> (latencies in ms) and ERR_<NAME>.
to_ms() {  # wrk latency "812.00us" / "1.20ms" / "2.01s" -> milliseconds
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
        else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
        else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
        else printf "nan" }'
}
run_wrk() {
    local name=$1 path=$2 out=$WG_TMP/wrk.$1
    echo
    echo "== wrk -t$THREADS -c$CONNS -d$DURATION --latency $BASE$path"
    # wrk's own -d bounds the run; timeout is a safety net.
    timeout 300 wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$BASE$path" | tee "$out" ||
        die "wrk failed on $path"
    local rps p50 p99 non2xx sockerr
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
    p50=$(awk '$1 == "50%" { print $2; exit }' "$out")
    p99=$(awk '$1 == "99%" { print $2; exit }' "$out")
    non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
    sockerr=$(grep -m1 'Socket errors:' "$out" | sed 's/^ *//')
    if [ -z "$rps" ] || [ -z "$p50" ] || [ -z "$p99" ]; then
        die "cannot parse wrk's output for $path"
    fi
    printf -v "RPS_$name" '%s' "$rps"
    printf -v "P50_$name" '%s' "$(to_ms "$p50")"
    printf -v "P99_$name" '%s' "$(to_ms "$p99")"
    printf -v "ERR_$name" '%s' "${non2xx:+non-2xx: $non2xx }${sockerr}"
}

run_wrk hello /hello
run_wrk health /.well-known/wasmgate/health

wg_stop_server "$WG_PID" 20
echo
echo "server exit status after SIGTERM: $WG_EXIT"
if grep -qiE 'error|trap' "$WG_LOG"; then
    echo "server log (errors):"
    grep -iE 'error|trap' "$WG_LOG" | head -n 10 | sed 's/^/    /'
fi

ratio=$(awk -v a="$RPS_hello" -v b="$RPS_health" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }')
echo
echo "== summary (wrk -t$THREADS -c$CONNS -d$DURATION, $(nproc) CPUs)"
printf '%-34s %12s %10s %10s  %s\n' endpoint "requests/s" "p50 ms" "p99 ms" "errors"
printf '%-34s %12s %10s %10s  %s\n' "(a) /hello" "$RPS_hello" "$P50_hello" "$P99_hello" "${ERR_hello:-none}"
printf '%-34s %12s %10s %10s  %s\n' "(b) /.well-known/wasmgate/health" "$RPS_health" "$P50_health" "$P99_health" "${ERR_health:-none}"
echo "ratio (a)/(b) of requests/s: $ratio"
