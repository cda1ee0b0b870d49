#!/usr/bin/env bash
# Profiles wasmgate on the benchmark workloads with perf: where does the
# interpreter spend its time? Builds a separate -O2 -g copy of wasmgate (so the
# numbers match the Release build but lines can be attributed), runs each
# workload at a reduced n under `perf record`, and writes, per workload,
# the hottest functions and the hottest interpreter handlers (the handlers are
# labels inside one function; bench/handlers.py maps samples to them).
#
#   bash bench/profile.sh            (after bash bench/run.sh built bench/out/)
#
# Environment: BENCH_ONLY=a,b   PROFILE_SCALE=F (default 0.25 of run.sh's n)
#              PROFILE_BUILD=dir (default /tmp/bench-prof-build)
#              PROFILE_TOP=N lines per table (default 25)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT="$ROOT/bench/out"
PDIR="$OUT/profile"
SCALE=${PROFILE_SCALE:-0.25}
BUILD=${PROFILE_BUILD:-/tmp/bench-prof-build}
TOP=${PROFILE_TOP:-25}

command -v perf >/dev/null || { echo "profile: perf not found" >&2; exit 1; }
mkdir -p "$PDIR"

echo "profile: building wasmgate with -O2 -g in $BUILD" >&2
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS="-g -fno-omit-frame-pointer" >/dev/null
cmake --build "$BUILD" -j2 --target wasmgate >/dev/null
WG="$BUILD/wasmgate"

# The workload list and n live in run.sh.
mapfile -t all < <(sed -n '/^WORKLOADS=(/,/^)/{/^ *[a-z0-9_]*:[0-9]*$/p}' "$ROOT/bench/run.sh" | tr -d ' ')
sel=()
if [[ -n "${BENCH_ONLY:-}" ]]; then
    IFS=', ' read -r -a only <<<"$BENCH_ONLY"
    for w in "${all[@]}"; do for o in "${only[@]}"; do [[ "${w%%:*}" == "$o" ]] && sel+=("$w"); done; done
else
    sel=("${all[@]}")
fi

for w in "${sel[@]}"; do
    name=${w%%:*}
    n=$(awk -v n="${w#*:}" -v s="$SCALE" 'BEGIN { v = int(n * s); if (v < 1) v = 1; print v }')
    [[ -f "$OUT/$name.wasm" ]] || { echo "profile: $OUT/$name.wasm missing; run bench/run.sh first" >&2; exit 1; }
    data="/tmp/bench-perf-$name.data"
    echo "profile: $name (n=$n)" >&2
    perf record -q -F 2000 -o "$data" -- "$WG" run --invoke "run_$name" "$OUT/$name.wasm" "$n" >/dev/null 2>"$PDIR/$name.record.log"
    {
        echo "== $name (n=$n): functions"
        perf report -i "$data" --stdio --no-children --sort symbol 2>/dev/null |
            grep -v '^#' | grep -v '^$' | head -n 6
        echo
        echo "== $name: interpreter handlers (bench/handlers.py)"
        python3 "$ROOT/bench/handlers.py" "$WG" "$data" "$TOP"
    } >"$PDIR/$name.txt"
    rm -f "$data" "$data.old"
    cat "$PDIR/$name.txt"
    echo
done
echo "profile: reports in ${PDIR#$ROOT/}/" >&2
