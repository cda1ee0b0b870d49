#!/usr/bin/env bash
# Start-up benchmark (`make bench`, or alone): bench/hello.c built natively
# (gcc -O2) and to wasm32-wasi (clang-19 -O2), then hyperfine times the
# native program, `wasmgate run hello.wasm`, and `wasmgate --version` (the
# process alone, no module: what start-up costs before the engine).
# Prints the median wall time of each, the ratio to native, and the peak RSS
# (`/usr/bin/time -f %M`, the median of RSS_RUNS runs). No assertion: it
# reports.
#
# hyperfine runs all runs of one command, then all of the next, so a change
# of the machine's load between them skews the ratio (on a shared 2-core
# machine, by 2x either way). So the runs are split into STARTUP_ROUNDS
# hyperfine runs of the three commands, one after the other: each round
# gives a median per command and ratios of commands that ran close together
# in time. Printed: the median over the rounds of each command's median, and
# of each round's ratio (with the lowest and highest round ratio).
#
# Environment:
#   STARTUP_RUNS=N     timed runs of each command in all (default 300)
#   STARTUP_ROUNDS=N   rounds they are split into (default 10), each after 5
#                      warm-up runs
#   RSS_RUNS=N         runs measured for the peak RSS (default 5)
#   WASMGATE=path      the binary (default build/wasmgate)
#   CC_NATIVE, CC_WASM compilers (default gcc, clang-19)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT="$ROOT/bench/out"
RUNS=${STARTUP_RUNS:-300}
ROUNDS=${STARTUP_ROUNDS:-10}
RSS_RUNS=${RSS_RUNS:-5}
WASMGATE=${WASMGATE:-$ROOT/build/wasmgate}
CC_NATIVE=${CC_NATIVE:-gcc}
CC_WASM=${CC_WASM:-clang-19}
TIME=/usr/bin/time

die() { echo "bench/startup.sh: error: $*" >&2; exit 1; }
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "STARTUP_RUNS must be a positive integer"
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "STARTUP_ROUNDS must be a positive integer"
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
per_round=$(( (RUNS + ROUNDS - 1) / ROUNDS ))
echo "bench/startup.sh: $ROUNDS rounds of $per_round runs each; machine: $(nproc) cpu(s), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for ((r = 1; r <= ROUNDS; r++)); do
    # Its warnings (outliers: the machine is shared) would drown the table.
    hyperfine -N --style none --warmup 5 --runs "$per_round" --export-csv "$TMP/round$r.csv" \
        "$native" "$WASMGATE run $wasm" "$WASMGATE --version" >/dev/null 2>"$TMP/hyperfine.err" || {
        cat "$TMP/hyperfine.err" >&2
        die "hyperfine failed"
    }
done

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

# round*.csv: command,mean,stddev,median,user,system,min,max (seconds), one
# line per command in the order given.
awk -F, -v rn="$rss_native" -v rw="$rss_wg" -v rv="$rss_version" -v runs="$per_round" \
    -v rounds="$ROUNDS" -v tsv="$OUT/startup.tsv" '
    function median(a, n,    i, j, t) {   # sorts a[1..n] in place
        for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    FNR == 1 { r++; next }
    { c = FNR - 1; med[c, r] = $4 * 1000; cmd[c] = $1 }
    END {
        rss[1] = rn; rss[2] = rw; rss[3] = rv
        name[1] = "native hello (gcc -O2)"
        name[2] = "wasmgate run hello.wasm"
        name[3] = "wasmgate --version"
        printf "\n%-26s %10s %9s %17s %10s\n", "start-up", "median ms", "ratio", "(rounds: lo-hi)", "peak RSS"
        print "command\tmedian_ms\tratio_to_native\tpeak_rss_kib" >tsv
        for (c = 1; c <= 3; c++) {
            lo = hi = 0
            for (k = 1; k <= r; k++) {
                m[k] = med[c, k]
                q[k] = med[c, k] / med[1, k]
                if (k == 1 || q[k] < lo) lo = q[k]
                if (k == 1 || q[k] > hi) hi = q[k]
            }
            t = median(m, r)
            ratio = median(q, r)
            printf "%-26s %10.3f %8.2fx %8.2fx-%5.2fx %6.2f MiB\n", name[c], t, ratio, lo, hi, rss[c] / 1024
            printf "%s\t%.3f\t%.3f\t%s\n", cmd[c], t, ratio, rss[c] >tsv
        }
        printf "(%d hyperfine rounds of %d runs: medians of the round medians and of the round\n", rounds, runs
        printf "ratios; peak RSS: median of /usr/bin/time %%M)\n"
    }' "$TMP"/round*.csv
echo "bench/startup.sh: results in ${OUT#$ROOT/}/startup.tsv" >&2
