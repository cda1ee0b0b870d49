#!/usr/bin/env bash
# wasmgate benchmarks: each workload in bench/workloads/ is built natively
# (gcc -O2) and to wasm32 (clang-19 -O2, no imports), then timed (wall clock,
# process start-up included) natively, under Node's V8 and under wasmgate.
# The three checksums must agree. Prints a table of median times and ratios
# to native (by wall time, and by CPU time = user + sys, which a busy machine
# disturbs less), with geometric means.
#
# Environment:
#   BENCH_RUNS=N        timed runs per workload and engine (default 3; median)
#   BENCH_ONLY=a,b      only these workloads (names as in bench/workloads/)
#   BENCH_SCALE=F       multiply every workload's n by F (e.g. 0.1 for a smoke run)
#   BENCH_TIMEOUT=S     per-run time limit in seconds (default 300)
#   WASMGATE=path       the wasmgate binary (default build/wasmgate); if it does
#                       not exist the wasmgate column is skipped with a warning
#   BENCH_NODE_FLAGS    flags for node (default --no-liftoff: V8's optimizing
#                       tier, TurboFan, for every function; with V8's default
#                       dynamic tiering a long-running call stays in the Liftoff
#                       baseline code, since wasm frames are not replaced (no
#                       OSR), which measures V8's baseline compiler instead)
#   CC_NATIVE, CC_WASM  compilers (default gcc, clang-19); NODE (default node)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
OUT="$BENCH/out"
RUNS=${BENCH_RUNS:-3}
SCALE=${BENCH_SCALE:-1}
TIMEOUT=${BENCH_TIMEOUT:-300}
WASMGATE=${WASMGATE:-$ROOT/build/wasmgate}
CC_NATIVE=${CC_NATIVE:-gcc}
CC_WASM=${CC_WASM:-clang-19}
NODE=${NODE:-node}
read -r -a NODE_FLAGS <<<"${BENCH_NODE_FLAGS---no-liftoff}"

# name:n — n chosen so that the native run takes roughly 0.3 s on the
# reference machine (2 cores, x86-64).
WORKLOADS=(
    sieve:60
    fib:75
    sha256:1100
    matmul:220
    qsort:18
    memscan:50
    crc32:110
    nbody:2200000
)

die() { echo "bench: error: $*" >&2; exit 1; }

[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"
command -v "$CC_NATIVE" >/dev/null || die "$CC_NATIVE not found"
command -v "$CC_WASM" >/dev/null || die "$CC_WASM not found"
command -v "$NODE" >/dev/null || die "$NODE not found"
command -v wasm-objdump >/dev/null || die "wasm-objdump (wabt) not found"

# ---- selection -------------------------------------------------------------
selected=()
if [[ -n "${BENCH_ONLY:-}" ]]; then
    IFS=', ' read -r -a only <<<"$BENCH_ONLY"
    for o in "${only[@]}"; do
        found=
        for w in "${WORKLOADS[@]}"; do
            [[ "${w%%:*}" == "$o" ]] && { selected+=("$w"); found=1; }
        done
        [[ -n "$found" ]] || die "unknown workload '$o' (have: $(printf '%s ' "${WORKLOADS[@]%%:*}"))"
    done
else
    selected=("${WORKLOADS[@]}")
fi

# ---- build -------------------------------------------------------------------
mkdir -p "$OUT"
NATIVE_FLAGS=(-O2 -std=gnu17 -Wall -Wextra -Werror)
WASM_FLAGS=(--target=wasm32-wasi -O2 -std=gnu17 -Wall -Wextra -Werror -nostartfiles
            -Wl,--no-entry -Wl,-z,stack-size=1048576 -Wl,--strip-debug)

# stale OUT DEP... : true if OUT is missing or older than any DEP
stale() {
    local out=$1; shift
    [[ -e "$out" ]] || return 0
    local d
    for d in "$@"; do [[ "$d" -nt "$out" ]] && return 0; done
    return 1
}

for w in "${selected[@]}"; do
    name=${w%%:*}
    src="$BENCH/workloads/$name.c"
    deps=("$src" "$BENCH/workloads/common.h" "$BENCH/driver.c" "${BASH_SOURCE[0]}")
    if stale "$OUT/$name.native" "${deps[@]}"; then
        echo "bench: building $name.native" >&2
        "$CC_NATIVE" "${NATIVE_FLAGS[@]}" -DRUN="run_$name" "$BENCH/driver.c" "$src" \
            -o "$OUT/$name.native" -lm
    fi
    if stale "$OUT/$name.wasm" "${deps[@]}"; then
        echo "bench: building $name.wasm" >&2
        "$CC_WASM" "${WASM_FLAGS[@]}" -Wl,--export="run_$name" "$src" -o "$OUT/$name.wasm"
        # The module must be self-contained: no imports at all.
        if wasm-objdump -h "$OUT/$name.wasm" | grep -q '^ *Import'; then
            wasm-objdump -j Import -x "$OUT/$name.wasm" >&2
            rm -f "$OUT/$name.wasm"
            die "$name.wasm has imports"
        fi
    fi
done

have_wg=1
if [[ ! -x "$WASMGATE" ]]; then
    echo "bench: warning: $WASMGATE not found; the wasmgate column is skipped" >&2
    have_wg=0
fi

# ---- measuring -------------------------------------------------------------
# checksum FILE: the last non-empty output line as an unsigned 32-bit decimal
# (tolerates a signed rendering of i32 and a type tag such as "i32:").
checksum() {
    awk 'NF { line = $0 } END {
            gsub(/[iu](32|64)/, "", line)
            if (match(line, /-?[0-9]+/)) {
                v = substr(line, RSTART, RLENGTH) + 0
                v = v % 4294967296
                if (v < 0) v += 4294967296
                printf "%.0f\n", v
            }
         }' "$1"
}

TMP=$(mktemp -d /tmp/bench-run.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# timed LABEL CMD... : runs CMD once, appends its wall time (seconds) to
# $TMP/LABEL.times, its CPU time (user + sys, children included) to
# $TMP/LABEL.cpu and its checksum to $TMP/LABEL.sums. Fails loudly.
timed() {
    local label=$1; shift
    local t0 t1 rc=0 TIMEFORMAT='%3U %3S'
    t0=$(date +%s%N)
    { time timeout "$TIMEOUT" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?; } 2>"$TMP/time"
    t1=$(date +%s%N)
    if (( rc != 0 )); then
        echo "bench: FAILED (exit $rc): $*" >&2
        sed 's/^/  | /' "$TMP/err" "$TMP/out" | tail -20 >&2
        return 1
    fi
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", (b - a) / 1e9 }' >>"$TMP/$label.times"
    awk 'END { printf "%.3f\n", $1 + $2 }' "$TMP/time" >>"$TMP/$label.cpu"
    local sum
    sum=$(checksum "$TMP/out")
    if [[ -z "$sum" ]]; then
        echo "bench: FAILED: no checksum in the output of: $*" >&2
        sed 's/^/  | /' "$TMP/out" | tail -5 >&2
        return 1
    fi
    echo "$sum" >>"$TMP/$label.sums"
}

median() { sort -g "$1" | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

engines=(native node)
(( have_wg )) && engines+=(wasmgate)

status=0
RESULTS="$OUT/results.tsv"
printf 'workload\tn\tnative_s\tnode_s\twasmgate_s\tnative_cpu_s\tnode_cpu_s\twasmgate_cpu_s\tchecksum\n' >"$RESULTS"
echo "bench: $RUNS run(s) per engine, median wall time; node flags: ${NODE_FLAGS[*]:-(none)}; machine: $(nproc) cpu(s), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

rows=()
for w in "${selected[@]}"; do
    name=${w%%:*}
    n=${w#*:}
    n=$(awk -v n="$n" -v s="$SCALE" 'BEGIN { v = int(n * s); if (v < 1) v = 1; print v }')
    rm -f "$TMP"/*.times "$TMP"/*.cpu "$TMP"/*.sums
    echo "bench: $name (n=$n)" >&2
    failed=0
    # Interleave the engines so that drifting machine load hits all of them.
    for ((r = 1; r <= RUNS; r++)); do
        timed native "$OUT/$name.native" "$n" || { failed=1; break; }
        timed node "$NODE" ${NODE_FLAGS[@]+"${NODE_FLAGS[@]}"} "$BENCH/run_node.mjs" "$OUT/$name.wasm" "run_$name" "$n" || { failed=1; break; }
        if (( have_wg )); then
            timed wasmgate "$WASMGATE" run --invoke "run_$name" "$OUT/$name.wasm" "$n" || { failed=1; break; }
        fi
    done
    if (( failed )); then
        status=1
        rows+=("$name|$n|FAIL|||")
        continue
    fi
    # Every run of every engine must produce the same checksum.
    ref=$(head -n1 "$TMP/native.sums")
    for e in "${engines[@]}"; do
        while read -r s; do
            if [[ "$s" != "$ref" ]]; then
                echo "bench: CHECKSUM MISMATCH in $name: native=$ref $e=$s" >&2
                failed=1
            fi
        done <"$TMP/$e.sums"
    done
    if (( failed )); then
        status=1
        rows+=("$name|$n|MISMATCH|||")
        continue
    fi
    tn=$(median "$TMP/native.times")
    tv=$(median "$TMP/node.times")
    tw=- cw=-
    (( have_wg )) && { tw=$(median "$TMP/wasmgate.times"); cw=$(median "$TMP/wasmgate.cpu"); }
    cn=$(median "$TMP/native.cpu")
    cv=$(median "$TMP/node.cpu")
    rows+=("$name|$n|$tn|$tv|$tw|$cn|$cv|$cw")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$n" "$tn" "$tv" "$tw" "$cn" "$cv" "$cw" "$ref" >>"$RESULTS"
done

# ---- report ----------------------------------------------------------------
printf '%s\n' "${rows[@]}" | awk -F'|' '
    function fmt(x) { return x == "-" ? "-" : sprintf("%.3f", x) }
    function ratio(a, b) { return (a == "-" || b <= 0) ? "-" : sprintf("%.2fx", a / b) }
    function row(a, b, c, d, e, f, g, h, i) {
        printf "%-10s %8s %9s %9s %11s %10s %10s   %10s %10s\n", a, b, c, d, e, f, g, h, i
    }
    BEGIN {
        print ""
        row("", "", "wall time", "(median)", "", "wall ratio", "", "CPU ratio", "(user+sys)")
        row("workload", "n", "native s", "node s", "wasmgate s", "wg/native", "node/nat", "wg/native", "node/nat")
        row("--------", "-", "--------", "------", "----------", "---------", "--------", "---------", "--------")
    }
    $3 == "FAIL" || $3 == "MISMATCH" { row($1, $2, $3); next }
    {
        row($1, $2, fmt($3), fmt($4), fmt($5), ratio($5, $3), ratio($4, $3), ratio($8, $6), ratio($7, $6))
        lv += log($4 / $3); k++
        if ($5 != "-") { lw += log($5 / $3); kw++ }
        if ($6 > 0) {
            lcv += log($7 / $6); kc++
            if ($8 != "-") { lcw += log($8 / $6); kcw++ }
        }
    }
    END {
        if (k) row("geomean", "", "", "", "", kw ? sprintf("%.2fx", exp(lw / kw)) : "-", sprintf("%.2fx", exp(lv / k)),
                   kcw ? sprintf("%.2fx", exp(lcw / kcw)) : "-", kc ? sprintf("%.2fx", exp(lcv / kc)) : "-")
    }'
echo
echo "bench: results in ${RESULTS#$ROOT/}" >&2
if (( status )); then
    echo "bench: FAILED (see the messages above)" >&2
fi
exit "$status"
