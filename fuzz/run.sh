#!/usr/bin/env bash
# Builds and runs the libFuzzer target fuzz/decode_validate.c (decoder,
# validator and compiler through wg_module_new) under ASan + UBSan.
#
#   bash fuzz/run.sh [SECONDS] [-- EXTRA_LIBFUZZER_FLAGS...]   (default 600 s)
#
# Everything goes to fuzz/out/: the binary, the corpus (fuzz/out/corpus, seeded
# from the conformance suite's .wasm files), the log (fuzz/out/decode_validate.log) and
# crash/timeout/oom/leak inputs (fuzz/out/artifacts/). Exits non-zero if the
# run found anything.
#
# Environment:
#   WG_CONFORMANCE_DIR    conformance root (default ../shared/conformance)
#   FUZZ_INSTANTIATE=1    also instantiate import-free modules (never calls them)
#   FUZZ_FORK=N           run N fuzzing processes (libFuzzer -fork=N)
#   FUZZ_TARGET=toml      fuzz the TOML parser (fuzz/toml.c) instead of the wasm decoder
#   FUZZ_TARGET=component fuzz the component decoder/validator (fuzz/component.c),
#                         seeded from the Component Model conformance binaries
#   CC_FUZZ               compiler (default clang-19)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FUZZ="$ROOT/fuzz"
OUT="$FUZZ/out"
SECS=${1:-600}
shift || true
[[ "${1:-}" == "--" ]] && shift
CC_FUZZ=${CC_FUZZ:-clang-19}
CONF=${WG_CONFORMANCE_DIR:-$ROOT/../shared/conformance}

die() { echo "fuzz: error: $*" >&2; exit 2; }
[[ "$SECS" =~ ^[1-9][0-9]*$ ]] || die "SECONDS must be a positive number (got '$SECS')"
command -v "$CC_FUZZ" >/dev/null || die "$CC_FUZZ not found"

# ---- the target ------------------------------------------------------------------
TARGET=${FUZZ_TARGET:-decode_validate}
case "$TARGET" in
    decode_validate) LIBDIRS=(util wasm); SEED_DIR=spec; SEED_EXT=wasm; DICT="$FUZZ/wasm.dict" ;;
    toml) LIBDIRS=(toml); SEED_DIR=toml; SEED_EXT=toml; DICT="$FUZZ/toml.dict" ;;
    component) LIBDIRS=(util wasm component); SEED_DIR=component-model; SEED_EXT=wasm
               DICT="$FUZZ/component.dict" ;;
    *) die "unknown FUZZ_TARGET '$TARGET' (decode_validate, toml or component)" ;;
esac
CORPUS="$OUT/corpus"
[[ "$TARGET" == decode_validate ]] || CORPUS="$OUT/corpus-$TARGET"
mkdir -p "$CORPUS" "$OUT/artifacts"

# ---- build (only when a source changed) --------------------------------------
BIN="$OUT/$TARGET"
DEFS=()
if [[ "${FUZZ_INSTANTIATE:-0}" == 1 ]]; then
    DEFS+=(-DWG_FUZZ_INSTANTIATE)
    BIN="$OUT/decode_validate_inst"
fi
shopt -s nullglob
SRCS=(); HDRS=()
for d in "${LIBDIRS[@]}"; do SRCS+=("$ROOT/src/$d"/*.c); HDRS+=("$ROOT/src/$d"/*.h); done
DEPS=("${SRCS[@]}" "${HDRS[@]}" "$ROOT"/include/wasmgate/*.h "$FUZZ/$TARGET.c" "${BASH_SOURCE[0]}")
shopt -u nullglob
(( ${#SRCS[@]} )) || die "no library sources under src/"
rebuild=0
[[ -x "$BIN" ]] || rebuild=1
if (( !rebuild )); then
    for d in "${DEPS[@]}"; do [[ "$d" -nt "$BIN" ]] && { rebuild=1; break; }; done
fi
if (( rebuild )); then
    echo "fuzz: building ${BIN#$ROOT/}" >&2
    # -fno-sanitize-recover: a UBSan finding stops the run like a crash does.
    "$CC_FUZZ" -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
        -g -O1 -fno-omit-frame-pointer -fno-strict-aliasing -std=gnu17 \
        -I"$ROOT/include" -I"$ROOT/src" "${DEFS[@]}" \
        "$FUZZ/$TARGET.c" "${SRCS[@]}" -lm -lpthread -o "$BIN.tmp" ||
        die "build failed (if it is libFuzzer's runtime that is missing: apt-get install libclang-rt-19-dev)"
    mv "$BIN.tmp" "$BIN"
fi

# ---- seed corpus ---------------------------------------------------------------
nseed=0
if [[ -d "$CONF/$SEED_DIR" ]]; then
    while IFS= read -r -d '' f; do
        # flatten the tree: the relative path with '/' replaced keeps names unique
        rel=${f#"$CONF/$SEED_DIR/"}
        dst="$CORPUS/seed-${rel//\//_}"
        [[ -e "$dst" ]] || cp "$f" "$dst"
        nseed=$((nseed + 1))
    done < <(find "$CONF/$SEED_DIR" -name "*.$SEED_EXT" -print0)
else
    echo "fuzz: warning: no conformance suite at $CONF/$SEED_DIR; starting from the dictionary only" >&2
fi
echo "fuzz: corpus ${CORPUS#$ROOT/}: $(find "$CORPUS" -type f | wc -l) inputs ($nseed seeds from ${CONF})" >&2

# ---- run ------------------------------------------------------------------------
# Per-target log and stamp, so that the two variants can run at the same time.
STAMP="$OUT/.$(basename "$BIN").start"
touch "$STAMP"
LOG="$OUT/$(basename "$BIN").log"
FLAGS=(-max_total_time="$SECS" -max_len=65536 -timeout=10 -rss_limit_mb=2048
       -artifact_prefix="$OUT/artifacts/" -dict="$DICT" -print_final_stats=1)
[[ -n "${FUZZ_FORK:-}" ]] && FLAGS+=(-fork="$FUZZ_FORK")
echo "fuzz: running ${BIN#$ROOT/} for ${SECS}s (log: ${LOG#$ROOT/})" >&2
rc=0
ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
    "$BIN" "${FLAGS[@]}" "$@" "$CORPUS" >"$LOG" 2>&1 || rc=$?

# ---- report ---------------------------------------------------------------------
# libFuzzer's last status line ("#N DONE ..." or the last pulse) and final stats.
grep -aE '^#[0-9]+' "$LOG" | tail -n 1 || true
grep -aE '^(Done [0-9]+ runs|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' "$LOG" || true
mapfile -t found < <(find "$OUT/artifacts" -type f -newer "$STAMP" | sort)
if (( rc != 0 || ${#found[@]} > 0 )); then
    echo "fuzz: FOUND PROBLEMS (libFuzzer exit $rc)" >&2
    # the sanitizer report: from its first line, at most 60 lines
    LC_ALL=C awk '/^==[0-9]+==ERROR|runtime error:|^==[0-9]+== ERROR|ALARM: working on the last Unit|out-of-memory/ { p = 1 } p && n++ < 60' "$LOG" >&2
    for f in "${found[@]}"; do echo "fuzz: artifact: ${f#$ROOT/} ($(stat -c %s "$f") bytes)" >&2; done
    echo "fuzz: reproduce with: $BIN ARTIFACT" >&2
    exit 1
fi
echo "fuzz: no crashes in ${SECS}s" >&2
