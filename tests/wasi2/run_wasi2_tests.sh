#!/usr/bin/env bash
# WASI 0.2 end to end: real command components built from C sources with
# public tooling, run by the real `wasmgate run`, compared with the same
# programs run as core modules, and with `jco run` (node) as the reference.
#
#   run_wasi2_tests.sh WASMGATE GUESTS P2_BUILD TESTS_SRC
#
# GUESTS holds the preview1 guests of tests/wasi/guests (*.wasm), P2_BUILD
# p2tool.wasm (and receives the components, cached), TESTS_SRC is tests/ (its
# node_modules has jco: scripts/install-npm.sh, run by make test, installs
# it; without it every scenario FAILS, never passes silently).
#
# Components are made with `jco new X.wasm --wasi-command` (jco ships the
# preview1 -> 0.2 adapter), so every WASI call of the C program crosses
# WASI 0.2. Scenarios, one line each (`ok NAME` / `FAIL NAME: why`):
#   same_*     core module and component: identical stdout, stderr and exit
#              status, and identical trees left in the --dir directories.
#              Exit statuses above 1 become 1 for a component (WASI 0.2's
#              exit carries ok / err only, as in wasmtime); a trap is 134
#              for both (stderr: the same first lines, not the backtrace).
#   jco_*      the component under `jco run` gives the same output as under
#              wasmgate (jco_preopens.mjs maps --dir for it).
#   comp_*     run options on components: --timeout 124, SIGTERM 143,
#              --max-memory, --max-open-files, the escape guest's sandbox
#              checks, FIFOs, --invoke (invoke.wat).
# Prints `N passed, N failed`; exits 1 if any failed. WG_W2_ONLY=REGEX runs
# only matching scenario groups (same jco comp invoke); WG_W2_VERBOSE=1
# shows outputs.
set -u

if [ $# -ne 4 ]; then
    echo "usage: $0 WASMGATE GUESTS P2_BUILD TESTS_SRC" >&2
    exit 2
fi
WG=$(realpath "$1")
G=$(realpath "$2")
P2=$(realpath "$3")
T=$(realpath "$4")
ONLY=${WG_W2_ONLY:-}
VERBOSE=${WG_W2_VERBOSE:-0}
export LC_ALL=C
JCO="$T/node_modules/.bin/jco"
NODE=$(command -v node || true)

PASSED=0
FAILED=0
ok() { echo "ok $1"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL $1: $2"; FAILED=$((FAILED + 1)); }
want() { [ -z "$ONLY" ] || [[ "$1" =~ $ONLY ]]; }
finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
    exit $?
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

if [ ! -x "$JCO" ] || [ -z "$NODE" ]; then
    fail setup "jco or node missing ($JCO): run scripts/install-npm.sh (make test does) and install Node.js"
    finish
fi
if ! bash "$T/../scripts/install-npm.sh" --check 2>/dev/null; then
    fail setup "tests/node_modules does not match tests/package-lock.json: run scripts/install-npm.sh"
    finish
fi

S=$(mktemp -d /tmp/wasi2-tests.XXXXXX)
trap 'rm -rf "$S"' EXIT

# ---- the programs: core modules and components, side by side under one name ----
# $S/core/NAME.wasm and $S/comp/NAME.wasm, so that argv[0] (the path as
# typed, "NAME.wasm") is the same for both. Components are cached in
# P2_BUILD/components and remade when their core module or jco changed.
GUESTS="p2tool wgtool exitcode escape poll timeout hoard membomb"
mkdir -p "$S/core" "$S/comp" "$P2/components"
for g in $GUESTS; do
    src="$G/$g.wasm"
    [ "$g" = p2tool ] && src="$P2/p2tool.wasm"
    if [ ! -f "$src" ]; then
        fail setup "missing guest $src (build the wasi_guests and wasi2_guests targets)"
        finish
    fi
    cp "$src" "$S/core/$g.wasm"
    c="$P2/components/$g.wasm"
    if [ ! -f "$c" ] || [ "$src" -nt "$c" ] || [ "$T/package-lock.json" -nt "$c" ]; then
        if ! "$JCO" new "$src" --wasi-command -o "$c.tmp" >"$S/jco-new.log" 2>&1; then
            fail setup "jco new $g.wasm --wasi-command: $(head -c 300 "$S/jco-new.log")"
            finish
        fi
        mv "$c.tmp" "$c"
    fi
    cp "$c" "$S/comp/$g.wasm"
done

# run KIND NAME [wasmgate run args...]: runs wasmgate in $S/KIND (core or
# comp) with stdin from $IN, 60 s at most; output in $S/KIND.NAME.{out,err},
# status in RC. MOD in the arguments stands for the guest's file.
IN=/dev/null
run() {
    local kind=$1 name=$2
    shift 2
    (cd "$S/$kind" && timeout -s KILL 60 "$WG" run "$@" <"$IN" >"$S/$kind.$name.out" 2>"$S/$kind.$name.err")
    RC=$?
    if [ "$VERBOSE" = 1 ]; then
        echo "--- $kind $name: exit $RC: wasmgate run $*"
        head -c 2000 "$S/$kind.$name.out" | sed 's/^/    out| /'
        head -c 2000 "$S/$kind.$name.err" | sed 's/^/    err| /'
    fi
}

# The exit status a component gives for a core module's status.
comp_rc() {
    case $1 in
        0|1|124|134) echo "$1" ;;
        *) if [ "$1" -gt 128 ]; then echo "$1"; else echo 1; fi ;;
    esac
}

# same NAME [--trap] [--dirs FIXTURE GUESTDIR[:ro]] -- ARGS...: runs ARGS with
# the core module and the component (each on its own copy of FIXTURE, preopened
# as GUESTDIR) and compares everything.
same() {
    local name=$1 trapped=0 fixture="" guest="" ro=""
    shift
    while [ "$1" != -- ]; do
        case $1 in
            --trap) trapped=1; shift ;;
            --dirs) fixture=$2; guest=${3%:ro}; [ "$3" != "$guest" ] && ro=:ro; shift 3 ;;
        esac
    done
    shift
    local rcs=() k
    for k in core comp; do
        local extra=()
        if [ -n "$fixture" ]; then
            rm -rf "$S/$k.$name.dir"
            cp -a "$fixture" "$S/$k.$name.dir"
            extra=(--dir "$S/$k.$name.dir::$guest$ro")
        fi
        run $k "$name" "${extra[@]}" "$@"
        rcs+=("$RC")
    done
    local want
    want=$(comp_rc "${rcs[0]}")
    if [ "${rcs[1]}" != "$want" ]; then
        fail "same_$name" "exit core ${rcs[0]} component ${rcs[1]} (want $want): $(head -c 200 "$S/comp.$name.err")"
    elif ! cmp -s "$S/core.$name.out" "$S/comp.$name.out"; then
        fail "same_$name" "stdout differs: $(diff "$S/core.$name.out" "$S/comp.$name.out" | head -4 | tr '\n' ' ')"
    elif [ $trapped = 1 ] && ! cmp -s <(head -2 "$S/core.$name.err") <(head -2 "$S/comp.$name.err"); then
        fail "same_$name" "stderr differs: $(diff <(head -2 "$S/core.$name.err") <(head -2 "$S/comp.$name.err") | tr '\n' ' ')"
    elif [ $trapped = 0 ] && ! cmp -s "$S/core.$name.err" "$S/comp.$name.err"; then
        fail "same_$name" "stderr differs: $(diff "$S/core.$name.err" "$S/comp.$name.err" | head -4 | tr '\n' ' ')"
    elif [ -n "$fixture" ] && ! diff -r "$S/core.$name.dir" "$S/comp.$name.dir" >"$S/$name.treediff" 2>&1; then
        fail "same_$name" "the directories differ afterwards: $(head -3 "$S/$name.treediff" | tr '\n' ' ')"
    else
        ok "same_$name (exit ${rcs[0]}/${rcs[1]})"
    fi
}

# A fixture tree: files (one with a space in its name), nested directories.
FIX="$S/fixture"
mkdir -p "$FIX/dir one/deeper" "$FIX/void"
printf 'first line\nsecond line\n' >"$FIX/notes.txt"
head -c 70000 /dev/urandom >"$FIX/dir one/blob.bin"
printf 'x' >"$FIX/dir one/deeper/x"
head -c 1048576 /dev/urandom >"$S/stdin.bin"
WGTREE="$S/wgtree"
mkdir -p "$WGTREE"
(cd "$S/core" && "$WG" run --dir "$WGTREE::/data" wgtool.wasm mktree /data 7 >/dev/null 2>&1)

# ---- same_*: core module and component ---------------------------------------------------
if want same; then
    same args -- p2tool.wasm args a "b c" "" "é*?" "--dir"
    same argv0 -- p2tool.wasm argv0
    same env -- --env FOO=bar --env EMPTY= --env "EQ=a=b" --env "UTF8=ünï" p2tool.wasm env
    IN="$S/stdin.bin"
    same cat -- p2tool.wasm cat
    IN=/dev/null
    if cmp -s "$S/stdin.bin" "$S/comp.cat.out"; then ok "same_cat_bytes"; else fail same_cat_bytes "the component's stdout is not stdin"; fi
    # stdin from a pipe (not a file)
    pipe_out=$(cat "$S/stdin.bin" | (cd "$S/comp" && timeout -s KILL 60 "$WG" run p2tool.wasm cat 2>"$S/pipe.err") | cksum)
    if [ "$pipe_out" = "$(cksum <"$S/stdin.bin")" ] && grep -qx 'cat: 1048576 bytes' "$S/pipe.err"; then ok same_cat_pipe
    else fail same_cat_pipe "stdin through a pipe: $(head -c 200 "$S/pipe.err")"; fi
    same fs --dirs "$FIX" /data -- p2tool.wasm fs /data
    same ls --dirs "$FIX" /data:ro -- p2tool.wasm ls /data
    same exit0 -- p2tool.wasm exit 0
    same exit1 -- p2tool.wasm exit 1
    same exit7 -- p2tool.wasm exit 7
    same trap --trap -- p2tool.wasm trap
    same usage -- p2tool.wasm
    same echo_argv -- exitcode.wasm echo "a b" "" "--dir" "é*?"
    same ret7 -- exitcode.wasm ret 7
    same proc_exit3 -- exitcode.wasm exit 3
    for c in find wc sha256; do same "wgtool_$c" --dirs "$WGTREE" /data:ro -- wgtool.wasm $c /data; done
    same wgtool_mktree --dirs "$FIX" /data -- wgtool.wasm mktree /data 42
    IN="$S/stdin.bin"
    same wgtool_wc_stdin -- wgtool.wasm wc -
    IN=/dev/null
    same wgtool_rand -- wgtool.wasm rand
    # Where WASI 0.2 answers differently, by design (docs/wasi2.md):
    # a write beneath a read-only preopen is NOTCAPABLE in preview1 and
    # not-permitted (EPERM through the adapter) in WASI 0.2, as in wasmtime.
    rcs_ro=()
    for k in core comp; do
        rm -rf "$S/$k.ro.dir"; cp -a "$FIX" "$S/$k.ro.dir"
        run $k ro --dir "$S/$k.ro.dir::/data:ro" p2tool.wasm fs /data
        rcs_ro[${#rcs_ro[@]}]=$RC
    done
    if [ "${rcs_ro[0]}" = 3 ] && [ "${rcs_ro[1]}" = 1 ] &&
        grep -q 'fopen /data/a.txt: Capabilities insufficient' "$S/core.ro.err" &&
        grep -q 'fopen /data/a.txt: Operation not permitted' "$S/comp.ro.err" &&
        diff -r "$FIX" "$S/comp.ro.dir" >/dev/null; then
        ok "same_read_only (NOTCAPABLE / not-permitted, nothing written)"
    else
        fail same_read_only "exit ${rcs_ro[*]}: $(cat "$S/core.ro.err" "$S/comp.ro.err" | head -c 300)"
    fi
fi

# ---- jco_*: the reference, `jco run` on node -----------------------------------------------------
# jco_run NAME DIRSPEC ARGS...: the component under jco, with only JCO_ENV's
# variables in its environment and DIRSPEC (HOST::GUEST or "") preopened by
# jco_preopens.mjs, which must live in the jco output directory to share the
# shim instance the component uses. Output in $S/jco.NAME.{out,err}.
jco_run() {
    local name=$1 dirs=$2
    shift 2
    local jd="$S/jco.$name.js"
    rm -rf "$jd"
    mkdir -p "$jd"
    cp "$T/wasi2/jco_preopens.mjs" "$jd/preopens.mjs"
    printf '%s\n' "$dirs" >"$jd/preopens.txt"
    (cd "$S/comp" && timeout -s KILL 120 env -i "${JCO_ENV[@]}" "$NODE" "$JCO" run \
        --jco-dir "$jd" --jco-import "$jd/preopens.mjs" "$@" <"$IN" >"$S/jco.$name.out" 2>"$S/jco.$name.err")
    RC=$?
}
# jco_same NAME WANT_RC: jco's stdout equals the component's under wasmgate
jco_same() {
    if [ "$RC" != "$2" ]; then fail "jco_$1" "jco run exited $RC (want $2): $(head -c 300 "$S/jco.$1.err")"
    elif ! cmp -s "$S/comp.$1.out" "$S/jco.$1.out"; then
        fail "jco_$1" "jco and wasmgate differ: $(diff "$S/comp.$1.out" "$S/jco.$1.out" | head -4 | tr '\n' ' ')"
    else ok "jco_$1"; fi
}
JCO_ENV=()
if want jco; then
    jco_run args "" p2tool.wasm args a "b c" "" "é*?"
    run comp args p2tool.wasm args a "b c" "" "é*?"
    jco_same args 0
    # (no empty value: jco 1.35 gives the component "EMPTY=EQ=a=b" for
    # EMPTY= followed by EQ=a=b, where wasmgate and preview1 give two)
    JCO_ENV=(FOO=bar EQ=a=b "UTF8=ünï")
    jco_run env "" p2tool.wasm env
    JCO_ENV=()
    run comp env --env FOO=bar --env "EQ=a=b" --env "UTF8=ünï" p2tool.wasm env
    jco_same env 0
    IN="$S/stdin.bin"
    jco_run cat "" p2tool.wasm cat
    run comp cat p2tool.wasm cat
    IN=/dev/null
    jco_same cat 0
    for k in comp jco; do rm -rf "$S/$k.fs.dir"; cp -a "$FIX" "$S/$k.fs.dir"; done
    jco_run fs "$S/jco.fs.dir::/data" p2tool.wasm fs /data
    run comp fs --dir "$S/comp.fs.dir::/data" p2tool.wasm fs /data
    jco_same fs 0
    if diff -r "$S/comp.fs.dir" "$S/jco.fs.dir" >/dev/null 2>&1; then ok jco_fs_tree
    else fail jco_fs_tree "the directory jco left differs from wasmgate's"; fi
    jco_run ls "$WGTREE::/data" wgtool.wasm find /data
    run comp ls --dir "$WGTREE::/data:ro" wgtool.wasm find /data
    jco_same ls 0
    jco_run exit7 "" p2tool.wasm exit 7
    run comp exit7 p2tool.wasm exit 7
    jco_same exit7 1
fi

# ---- comp_*: run options on components ---------------------------------------------------------------
if want comp; then
    for mode in spin sleep read; do
        t0=$(now_ms)
        if [ $mode = read ]; then
            mkfifo "$S/fifo_$mode"
            (cd "$S/comp" && timeout -s KILL 30 "$WG" run --timeout 1 timeout.wasm read <>"$S/fifo_$mode" \
                >"$S/to.out" 2>"$S/to.err")
        else
            (cd "$S/comp" && timeout -s KILL 30 "$WG" run --timeout 1 timeout.wasm $mode </dev/null \
                >"$S/to.out" 2>"$S/to.err")
        fi
        RC=$?
        ms=$(( $(now_ms) - t0 ))
        if [ $RC -eq 124 ] && grep -qx 'error: timed out after 1 seconds' "$S/to.err" && [ $ms -ge 900 ]; then
            ok "comp_timeout_$mode"
        else fail "comp_timeout_$mode" "exit $RC after $ms ms (want 124): $(head -c 200 "$S/to.err")"; fi
    done
    H="$S/hoard"
    mkdir -p "$H"
    printf 'x\n' >"$H/file"
    mkfifo "$H/fifo"
    run comp hoard10 --max-open-files 10 --dir "$H::/data" hoard.wasm files /data/file
    if [ $RC -eq 0 ] && grep -qx 'opened 10 files, then NOMEM' "$S/comp.hoard10.out" &&
        grep -qx 'after a close: ok' "$S/comp.hoard10.out"; then ok comp_max_open_files
    else fail comp_max_open_files "exit $RC: $(head -c 200 "$S/comp.hoard10.out")"; fi
    run comp fifo --dir "$H::/data" hoard.wasm fifo-read /data/fifo
    if [ $RC -eq 0 ] && grep -qx 'eof after 0 bytes' "$S/comp.fifo.out"; then ok comp_fifo_no_writer
    else fail comp_fifo_no_writer "exit $RC: $(head -c 200 "$S/comp.fifo.out")"; fi
    # SIGTERM while a read of a FIFO waits: 143, "interrupted"
    exec 7<>"$H/fifo"
    (cd "$S/comp" && exec "$WG" run --dir "$H::/data" hoard.wasm fifo-read /data/fifo </dev/null \
        >"$S/sig.out" 2>"$S/sig.err") &
    pid=$!
    for _ in $(seq 1 1200); do grep -qx opened "$S/sig.out" 2>/dev/null && break; sleep 0.05; done
    kill -TERM $pid 2>/dev/null
    for _ in $(seq 1 1200); do kill -0 $pid 2>/dev/null || break; sleep 0.05; done
    kill -KILL $pid 2>/dev/null
    wait $pid
    RC=$?
    exec 7>&-
    if [ $RC -eq 143 ] && grep -q interrupted "$S/sig.err"; then ok comp_sigterm
    else fail comp_sigterm "exit $RC (want 143): $(head -c 200 "$S/sig.err")"; fi
    run comp grow --max-memory 67108864 membomb.wasm grow
    if [ $RC -eq 0 ] && grep -q '^grow: stopped at 1024 pages' "$S/comp.grow.out"; then ok comp_max_memory
    else fail comp_max_memory "exit $RC: $(head -c 200 "$S/comp.grow.out")"; fi
    run comp poll_clock poll.wasm clock
    if [ $RC -eq 0 ]; then ok comp_poll_clock; else fail comp_poll_clock "exit $RC: $(head -c 200 "$S/comp.poll_clock.err")"; fi
    printf 'ready on stdin' >"$S/poll.in"
    IN="$S/poll.in" run comp poll_stdin poll.wasm stdin 'ready on stdin'
    if [ $RC -eq 0 ]; then ok comp_poll_stdin; else fail comp_poll_stdin "exit $RC: $(head -c 200 "$S/comp.poll_stdin.err")"; fi
    # the escape guest: its checks pass and nothing outside the box changes
    E="$S/esc"
    mkdir -p "$E/box/sub" "$E/outside" "$E/robox/rosub"
    printf 'TOPSECRET\n' >"$E/secret"
    printf 'inside\n' >"$E/box/file_in_box"
    printf 'inner\n' >"$E/box/sub/inner.txt"
    printf 'readonly\n' >"$E/robox/ro_file"
    ln -s "$E/secret" "$E/box/link_abs"; ln -s "$E/outside" "$E/box/link_abs_dir"
    ln -s ../secret "$E/box/link_rel"; ln -s ../outside "$E/box/link_rel_dir"
    ln -s .. "$E/box/link_up"; ln -s ../.. "$E/box/sub/link_upup"; ln -s /etc "$E/box/link_etc"
    ln -s loop2 "$E/box/loop1"; ln -s loop1 "$E/box/loop2"; ln -s self "$E/box/self"
    ln -s "$E/outside/created_abs" "$E/box/link_dangling_abs"
    ln -s ../outside/created_rel "$E/box/link_dangling_rel"
    ln -s sub/inner.txt "$E/box/link_inside"; ln -s ../file_in_box "$E/box/sub/link_inside_up"
    before=$(cd "$E" && find . -path ./box -prune -o -print | sort; cat secret robox/ro_file)
    run comp escape --dir "$E/box::/data" --dir "$E/robox::/ro:ro" --env "SCRATCH=$E" escape.wasm
    after=$(cd "$E" && find . -path ./box -prune -o -print | sort; cat secret robox/ro_file)
    if [ "$before" != "$after" ]; then fail comp_escape "SANDBOX ESCAPE: files outside the preopen changed"
    elif [ $RC -ne 0 ]; then fail comp_escape "exit $RC: $(grep -m3 FAIL "$S/comp.escape.err" "$S/comp.escape.out" | tr '\n' ' ')"
    else ok "comp_escape ($(grep -o 'all [0-9]* checks passed' "$S/comp.escape.out"))"; fi
fi

# ---- invoke: --invoke with WAVE (invoke.wat) ----------------------------------------------------------
if want invoke; then
    if ! "$JCO" parse "$T/wasi2/invoke.wat" -o "$S/comp/invoke.wasm" >"$S/parse.log" 2>&1; then
        fail invoke_setup "jco parse invoke.wat: $(head -c 300 "$S/parse.log")"
    else
        # invoke NAME WANT_RC WANT_STDOUT CALL [ARGS...]
        invoke() {
            local name=$1 rc=$2 out=$3 call=$4
            shift 4
            run comp "inv_$name" --invoke "$call" invoke.wasm "$@"
            if [ $RC -ne "$rc" ]; then fail "invoke_$name" "exit $RC (want $rc): $(head -c 300 "$S/comp.inv_$name.err")"
            elif [ "$(cat "$S/comp.inv_$name.out")" != "$out" ]; then
                fail "invoke_$name" "printed '$(cat "$S/comp.inv_$name.out")', want '$out'"
            else ok "invoke_$name"; fi
        }
        invoke add 0 42 'add(2, 40)'
        invoke string 0 '"héllo \"wörld\"\n😀\u{7}"' 'echo("héllo \"wörld\"\n\u{1f600}\u{7}")'
        invoke option_some 0 'ok(42)' 'maybe(some(41))'
        invoke option_none 0 'err("none")' 'maybe(none)'
        invoke option_left_out 0 'err("none")' 'maybe()'
        invoke iface_full 0 '("x", 7)' 'demo:test/api@1.0.0#swap((7, "x"))'
        invoke iface_short 0 '("x", 7)' 'api#swap((7, "x"))'
        invoke iface_dotted 0 '("x", 7)' 'demo:test/api.swap((7, "x"))'
        invoke no_result 134 '' 'fail()'
        invoke bad_arg 2 '' 'add(1, "x")'
        if grep -q 'column 8' "$S/comp.inv_bad_arg.err" && grep -q '^         \^$' "$S/comp.inv_bad_arg.err"; then
            ok invoke_bad_arg_column
        else fail invoke_bad_arg_column "$(cat "$S/comp.inv_bad_arg.err")"; fi
        invoke unknown 2 '' 'nope()'
        if grep -q 'exported functions: demo:test/api@1.0.0#swap, add' "$S/comp.inv_unknown.err"; then ok invoke_unknown_lists
        else fail invoke_unknown_lists "$(cat "$S/comp.inv_unknown.err")"; fi
        invoke extra_args 2 '' 'add(1, 2)' extra
        run comp inv_spin --timeout 1 --invoke 'spin()' invoke.wasm
        if [ $RC -eq 124 ] && grep -qx 'error: timed out after 1 seconds' "$S/comp.inv_spin.err"; then ok invoke_timeout
        else fail invoke_timeout "exit $RC: $(head -c 200 "$S/comp.inv_spin.err")"; fi
        run comp inv_norun invoke.wasm
        if [ $RC -eq 2 ] && grep -q 'exports no wasi:cli/run' "$S/comp.inv_norun.err"; then ok invoke_no_run_export
        else fail invoke_no_run_export "exit $RC: $(head -c 200 "$S/comp.inv_norun.err")"; fi
    fi
fi

finish
