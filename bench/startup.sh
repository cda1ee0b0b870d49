#!/usr/bin/env bash
# Start-up benchmark (`make bench`, or alone): bench/hello.c built natively
# (gcc -O2) and to wasm32-wasi (clang-19 -O2), then, in one hyperfine run,
# the native program, `wasmgate run hello.wasm`, and `wasmgate --version`
# (the process alone, no module: what start-up costs before the engine).
# Prints the median wall time of each, the ratio to native, and the peak RSS
# (`/usr/bin/time -f %M`, the median of RSS_RUNS runs). Ratios are only
# meaningful within one run: the machine's load moves all rows at once.
# No assertion: it reports.
#
# Environment:
#   STARTUP_RUNS=N   timed runs of each command (default 300, after 30 warm-up)
#   RSS_RUNS=N       runs measured for the peak RSS (default 5)
#   WASMGATE=path    the binary (default build/wasmgate)
#   CC_NATIVE, CC_WASM   compilers (default gcc, clang-19)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT="$ROOT/bench/out"
RUNS=${STARTUP_RUNS:-300}
RSS_RUNS=${RSS_RUNS:-5}
WASMGATE=${WASMGATE:-$ROOT/build/wasmgate}
CC_NATIVE=${CC_NATIVE:-gcc}
CC_WASM=${CC_WASM:-clang-19}
TIME=/usr/bin/time

die() { echo "bench/startup.sh: error: $*" >&2; exit 1; }
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "STARTUP_RUNS must be a positive integer"
[[ "$RSS_RUNS" =~ ^[1-9][0-9]*$ ]] || die "RSS_RUNS must be a positive integer"
[[ -x "$WASMGATE" ]] || die "no wasmgate at $WASMGATE (make build, or set WASMGATE)"
command -v hyperfine >/dev/null || die "hyperfine not found (scripts/install-deps.sh installs it)"
[[ -x "$TIME" ]] || die "$TIME not found (Debian package time; scripts/install-deps.sh installs it)"
command -v "$CC_NATIVE" >/dev/null || die "$CC_NATIVE not found"
command -v "$CC_WASM" >/dev/null || die "$CC_WASM not found"

mkdir -p "$OUT"
src="$ROOT/bench/hello.c"
native="$OUT/hello.native"
wasm="$OUT/hello.wasm"
"$CC_NATIVE" -O2 -Wall -Wextra -Werror "$src" -o "$native"
"$CC_WASM" --target=wasm32-wasi -O2 -Wall -Wextra -Werror "$src" -o "$wasm"
# Both must do the same thing, or the comparison means nothing.
[[ "$("$native")" == "hello, world" ]] || die "$native does not print 'hello, world'"
[[ "$("$WASMGATE" run "$wasm")" == "hello, world" ]] || die "wasmgate run $wasm does not print 'hello, world'"

TMP=$(mktemp -d /tmp/bench-startup.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# -N: no shell between hyperfine and the command (the shell would cost more
# than what is measured); the commands take no quoted arguments.
echo "bench/startup.sh: $RUNS runs each; machine: $(nproc) cpu(s), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
hyperfine -N --style basic --warmup 30 --runs "$RUNS" --export-csv "$TMP/times.csv" \
    "$native" "$WASMGATE run $wasm" "$WASMGATE --version" >&2

# peak_rss CMD...: the median over RSS_RUNS runs of the peak RSS, in KiB.
peak_rss() {
    local i
    for ((i = 0; i < RSS_RUNS; i++)); do
        "$TIME" -f %M -o "$TMP/rss" "$@" >/dev/null
        cat "$TMP/rss"
    done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
rss_native=$(peak_rss "$native")
rss_wg=$(peak_rss "$WASMGATE" run "$wasm")
rss_version=$(peak_rss "$WASMGATE" --version)

# times.csv: command,mean,stddev,median,user,system,min,max (seconds), in
# the order given.
awk -F, -v rn="$rss_native" -v rw="$rss_wg" -v rv="$rss_version" -v runs="$RUNS" '
    NR == 1 { next }
    { med[NR - 1] = $4 * 1000; cpu[NR - 1] = ($5 + $6) * 1000 }
    END {
        rss[1] = rn; rss[2] = rw; rss[3] = rv
        name[1] = "native hello (gcc -O2)"
        name[2] = "wasmgate run hello.wasm"
        name[3] = "wasmgate --version"
        printf "\n%-26s %10s %9s %10s %11s\n", "start-up", "median ms", "ratio", "peak RSS", "user+sys ms"
        for (i = 1; i <= 3; i++)
            printf "%-26s %10.3f %8.2fx %6.2f MiB %11.3f\n", name[i], med[i], med[i] / med[1],
                   rss[i] / 1024, cpu[i]
        printf "(medians of %d runs in one hyperfine run; peak RSS: median of /usr/bin/time %%M)\n", runs
    }' "$TMP/times.csv"
printf 'command\tmedian_ms\tpeak_rss_kib\n' >"$OUT/startup.tsv"
awk -F, -v rn="$rss_native" -v rw="$rss_wg" -v rv="$rss_version" '
    NR > 1 { split(rn " " rw " " rv, r, " "); printf "%s\t%.3f\t%s\n", $1, $4 * 1000, r[NR - 1] }' \
    "$TMP/times.csv" >>"$OUT/startup.tsv"
echo "bench/startup.sh: results in ${OUT#$ROOT/}/startup.tsv" >&2
