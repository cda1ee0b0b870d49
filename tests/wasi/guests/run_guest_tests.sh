#!/usr/bin/env bash
# End-to-end WASI tests: our own guests (tests/wasi/guests/*.c, built to wasm
# by CMakeLists.txt here) run by the real `wasmgate run`.
#
#   run_guest_tests.sh WASMGATE GUEST_BUILD_DIR
#
# GUEST_BUILD_DIR holds the *.wasm guests and wgtool-native. Prints one line
# per scenario, `ok NAME` or `FAIL NAME: reason`, then `N passed, N failed`;
# exits 1 if any failed. Environment: WG_GUEST_VERBOSE=1 shows every guest's
# output; WG_GUEST_ONLY=REGEX runs only the scenario groups whose name matches
# (api exit stdio escape copy poll timeout memory hoard wgtool); WG_KEEP_GOING=1 makes
# the api and escape guests report every failed check, not only the first.
set -u

if [ $# -ne 2 ]; then
    echo "usage: $0 WASMGATE GUEST_BUILD_DIR" >&2
    exit 2
fi
WG=$(realpath "$1")
B=$(realpath "$2")
VERBOSE=${WG_GUEST_VERBOSE:-0}
ONLY=${WG_GUEST_ONLY:-}
export LC_ALL=C
KEEP=()
if [ -n "${WG_KEEP_GOING:-}" ] && [ "${WG_KEEP_GOING}" != 0 ]; then KEEP=(--env WG_KEEP_GOING=1); fi

S=$(mktemp -d /tmp/wasi-guests.XXXXXX)
trap 'rm -rf "$S"' EXIT
PASSED=0
FAILED=0
FAILED_NAMES=()

ok() { echo "ok $1"; PASSED=$((PASSED + 1)); }
fail() {
    echo "FAIL $1: $2"
    FAILED=$((FAILED + 1))
    FAILED_NAMES+=("$1")
}
want() { [ -z "$ONLY" ] || [[ "$1" =~ $ONLY ]]; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# run NAME LIMIT [wasmgate args...]: runs wasmgate with stdin from $IN (default
# /dev/null), killing it (SIGKILL, status 137) after LIMIT seconds. Sets RC,
# MS (elapsed), and leaves $S/NAME.out / $S/NAME.err.
# LIMIT only guards against a hang, and is raised to at least HANG_SECONDS
# (default 300, WG_HANG_SECONDS): a loaded machine can be 20 times slower
# than an idle one (the slowest scenario, wgtool_sha256, takes 1-2 s idle and
# 27 s under the sanitizers at load 18). No scenario passes or fails on how
# fast it ran; elapsed times are only checked from below (a timeout must not
# fire early).
HANG_SECONDS=${WG_HANG_SECONDS:-300}
IN=/dev/null
run() {
    local name=$1 limit=$2
    (( limit >= HANG_SECONDS )) || limit=$HANG_SECONDS
    shift 2
    local t0
    t0=$(now_ms)
    # (the group's 2>/dev/null hides bash's "Killed" notice, not wasmgate's stderr)
    { timeout -s KILL "$limit" "$WG" run "$@" <"$IN" >"$S/$name.out" 2>"$S/$name.err"; } 2>/dev/null
    RC=$?
    MS=$(( $(now_ms) - t0 ))
    if [ "$VERBOSE" = 1 ]; then
        echo "--- $name: exit $RC in ${MS} ms: wasmgate run $*"
        sed 's/^/    out| /' "$S/$name.out" | head -50
        sed 's/^/    err| /' "$S/$name.err" | head -50
    fi
}
# The first line of stderr (or stdout), for a failure message.
why() {
    local l
    l=$(grep -m1 -E 'FAIL|error|Error|trap|wasmgate' "$S/$1.err" 2>/dev/null)
    [ -n "$l" ] || l=$(head -c 300 "$S/$1.err" | head -3 | tr '\n' ' ')
    [ -n "$l" ] || l=$(head -c 300 "$S/$1.out" | head -3 | tr '\n' ' ')
    echo "$l"
}
# expect_rc NAME WANT: passes if the last run exited WANT.
expect_rc() {
    if [ "$RC" -eq "$2" ]; then ok "$1"; else fail "$1" "exit $RC (want $2): $(why "$1")"; fi
}

for g in wasi_api escape copy poll timeout membomb exitcode wgtool hoard; do
    if [ ! -f "$B/$g.wasm" ]; then
        echo "missing guest $B/$g.wasm (build the wasi_guests target)" >&2
        exit 2
    fi
done

# ---- api: every WASI function -------------------------------------------------------------
if want api; then
    mkdir -p "$S/api_data" "$S/api_ro/dir"
    printf 'hello, ro\n' >"$S/api_ro/hello.txt"
    FROMHOST=inherited run api 60 --dir "$S/api_data::/data" --dir "$S/api_ro::/ro:ro" \
        --env FOO=bar --env EMPTY= --env "ARGV0=$B/wasi_api.wasm" --env FROMHOST "${KEEP[@]}" \
        "$B/wasi_api.wasm" alpha "with space" ""
    if [ $RC -ne 0 ]; then
        fail api "exit $RC: $(why api)"
    elif [ "$(cat "$S/api_ro/hello.txt")" != "hello, ro" ] || [ "$(ls -A "$S/api_ro")" != "$(printf 'dir\nhello.txt')" ]; then
        fail api "the read-only directory was modified: $(ls -A "$S/api_ro" | tr '\n' ' ')"
    else
        ok api
    fi
fi

# ---- exit status, argv, stdio -----------------------------------------------------------------
if want exit; then
    run exit_ret0 30 "$B/exitcode.wasm" ret 0; expect_rc exit_ret0 0
    run exit_ret7 30 "$B/exitcode.wasm" ret 7; expect_rc exit_ret7 7
    run exit_proc3 30 "$B/exitcode.wasm" exit 3
    if [ $RC -eq 3 ] && grep -qx 'exiting with 3' "$S/exit_proc3.out"; then ok exit_proc3
    else fail exit_proc3 "exit $RC (want 3), stdout '$(head -c 100 "$S/exit_proc3.out")': $(why exit_proc3)"; fi
    run exit_proc0 30 "$B/exitcode.wasm" exit 0; expect_rc exit_proc0 0
    run exit_trap 30 "$B/exitcode.wasm" trap
    if [ $RC -eq 134 ] && grep -q 'about to trap' "$S/exit_trap.err"; then ok exit_trap
    else fail exit_trap "exit $RC (want 134): $(why exit_trap)"; fi
    # argv[0] is MODULE as given (here a relative path), then the arguments verbatim
    cd "$B" && run argv 30 ./exitcode.wasm echo "a b" "" "--dir" "é*?"
    cd - >/dev/null
    printf '[./exitcode.wasm]\n[echo]\n[a b]\n[]\n[--dir]\n[é*?]\n' >"$S/argv.want"
    if [ $RC -eq 0 ] && cmp -s "$S/argv.want" "$S/argv.out"; then ok argv
    else fail argv "exit $RC, argv printed as: $(tr '\n' ' ' <"$S/argv.out" | head -c 200) $(why argv)"; fi
fi
if want stdio; then
    head -c 1048576 /dev/urandom >"$S/stdin.bin"
    IN="$S/stdin.bin" run stdio_cat 60 "$B/exitcode.wasm" cat
    IN=/dev/null
    if [ $RC -eq 0 ] && cmp -s "$S/stdin.bin" "$S/stdio_cat.out" && grep -qx 'done 1048576' "$S/stdio_cat.err"; then
        ok stdio_cat
    else
        fail stdio_cat "exit $RC, $(wc -c <"$S/stdio_cat.out") bytes out of 1048576: $(why stdio_cat)"
    fi
    # through a pipe as well (stdin is not a file)
    t0=$(now_ms)
    cat "$S/stdin.bin" | timeout -s KILL "$HANG_SECONDS" "$WG" run "$B/exitcode.wasm" cat 2>"$S/stdio_pipe.err" | cmp -s - "$S/stdin.bin"
    st=("${PIPESTATUS[@]}")
    if [ "${st[1]}" -eq 0 ] && [ "${st[2]}" -eq 0 ]; then ok stdio_pipe
    else fail stdio_pipe "wasmgate exit ${st[1]}, cmp ${st[2]}: $(head -c 200 "$S/stdio_pipe.err")"; fi
fi

# ---- escape: the sandbox holds --------------------------------------------------------------
if want escape; then
    E="$S/esc"
    mkdir -p "$E/box/sub" "$E/outside" "$E/robox/rosub"
    printf 'TOPSECRET\n' >"$E/secret"
    printf 'TOPSECRET2\n' >"$E/outside/secret2"
    printf 'inside\n' >"$E/box/file_in_box"
    printf 'inner\n' >"$E/box/sub/inner.txt"
    printf 'readonly\n' >"$E/robox/ro_file"
    ln -s "$E/secret" "$E/box/link_abs"
    ln -s "$E/outside" "$E/box/link_abs_dir"
    ln -s ../secret "$E/box/link_rel"
    ln -s ../outside "$E/box/link_rel_dir"
    ln -s .. "$E/box/link_up"
    ln -s ../.. "$E/box/sub/link_upup"
    ln -s /etc "$E/box/link_etc"
    ln -s loop2 "$E/box/loop1"
    ln -s loop1 "$E/box/loop2"
    ln -s self "$E/box/self"
    ln -s "$E/outside/created_abs" "$E/box/link_dangling_abs"
    ln -s ../outside/created_rel "$E/box/link_dangling_rel"
    ln -s sub/inner.txt "$E/box/link_inside"
    ln -s ../file_in_box "$E/box/sub/link_inside_up"
    # the state of everything outside box/ (and of robox/), to compare afterwards
    snapshot() {
        (cd "$E" && find . -path ./box -prune -o -print0 | sort -z |
            xargs -0 stat -c '%n %F %s %Y %h' && cat secret outside/secret2 robox/ro_file) 2>&1
        ls -A "$(dirname "$E")" 2>&1
    }
    : >"$S/esc.before"; : >"$S/esc.after"; : >"$S/escape.out"; : >"$S/escape.err"
    snapshot >"$S/esc.before"
    etc_before=$(stat -c '%Y %s' /etc/passwd; ls -A /etc | wc -l)
    run escape 60 --dir "$E/box::/data" --dir "$E/robox::/ro:ro" --env "SCRATCH=$E" \
        --env WG_VERBOSE=1 "${KEEP[@]}" "$B/escape.wasm"
    snapshot >"$S/esc.after"
    etc_after=$(stat -c '%Y %s' /etc/passwd; ls -A /etc | wc -l)
    if ! cmp -s "$S/esc.before" "$S/esc.after"; then
        fail escape "SANDBOX ESCAPE: files outside the preopen changed: $(diff "$S/esc.before" "$S/esc.after" | head -5 | tr '\n' ' ')"
    elif [ "$etc_before" != "$etc_after" ]; then
        fail escape "SANDBOX ESCAPE: /etc changed"
    elif [ $RC -ne 0 ]; then
        fail escape "exit $RC: $(why escape)"
    elif [ -e "$E/box/hardsecret" ] && [ "$(cat "$E/box/hardsecret" 2>/dev/null)" = TOPSECRET ]; then
        fail escape "SANDBOX ESCAPE: the secret was hard-linked into the box"
    else
        ok "escape ($(grep -c '^blocked' "$S/escape.out") attempts blocked)"
    fi
fi

# ---- copy: 100 MB through the guest ---------------------------------------------------------
if want copy; then
    mkdir -p "$S/copy"
    head -c 100000000 /dev/urandom >"$S/copy/src.bin"
    run copy 120 --dir "$S/copy::/data" "$B/copy.wasm" /data/src.bin /data/dst.bin
    if [ $RC -ne 0 ]; then
        fail copy "exit $RC: $(why copy)"
    elif ! cmp -s "$S/copy/src.bin" "$S/copy/dst.bin"; then
        fail copy "the copy differs: $(cmp "$S/copy/src.bin" "$S/copy/dst.bin" 2>&1 | head -1)"
    else
        mbs=$(( MS > 0 ? 100000 / MS : 0 ))
        ok "copy (100 MB in ${MS} ms, ~${mbs} MB/s)"
    fi
    rm -f "$S/copy/src.bin" "$S/copy/dst.bin"
fi

# ---- poll_oneoff ----------------------------------------------------------------------------------
if want poll; then
    run poll_clock 120 "$B/poll.wasm" clock; expect_rc poll_clock 0
    printf 'ready on stdin' >"$S/poll.in"
    # stdin is a pipe that gets its data (and then EOF) whenever printf runs:
    # the guest's poll waits for it
    printf 'ready on stdin' | timeout -s KILL "$HANG_SECONDS" "$WG" run "$B/poll.wasm" stdin "$(cat "$S/poll.in")" \
        >"$S/poll_stdin.out" 2>"$S/poll_stdin.err"
    RC=$?
    expect_rc poll_stdin 0
    # stdin is a regular file
    IN="$S/poll.in" run poll_stdin_file 120 "$B/poll.wasm" stdin "$(cat "$S/poll.in")"
    IN=/dev/null
    expect_rc poll_stdin_file 0
fi

# ---- --timeout -----------------------------------------------------------------------------------
# The guest never ends by itself: exit 124 proves --timeout stopped it. It
# must not stop it early (0.9 s at least, measured from outside: slack for
# the clocks); how late depends on the load, so only the hang guard (status
# 137) bounds it.
if want timeout; then
    for mode in spin yield sleep read; do
        if [ $mode = read ]; then
            mkfifo "$S/fifo"
            # opened read-write: never EOF, never data, never blocks the open
            t0=$(now_ms)
            { timeout -s KILL "$HANG_SECONDS" "$WG" run --timeout 1 "$B/timeout.wasm" read <>"$S/fifo" \
                >"$S/timeout_read.out" 2>"$S/timeout_read.err"; } 2>/dev/null
            RC=$?
            MS=$(( $(now_ms) - t0 ))
        else
            run timeout_$mode 120 --timeout 1 "$B/timeout.wasm" $mode
        fi
        if [ $RC -eq 124 ] && [ $MS -ge 900 ]; then ok "timeout_$mode (${MS} ms)"
        elif [ $RC -eq 137 ]; then fail timeout_$mode "still running after $HANG_SECONDS s (killed): --timeout 1 never fired"
        elif [ $RC -eq 124 ]; then fail timeout_$mode "stopped after ${MS} ms, before the 1 s --timeout"
        else fail timeout_$mode "exit $RC after ${MS} ms (want 124, not before 1 s): $(why timeout_$mode)"; fi
    done
fi

# ---- memory limits -----------------------------------------------------------------------------
if want memory; then
    run mem_grow 60 --max-memory 67108864 "$B/membomb.wasm" grow
    pages=$(sed -n 's/^grow: stopped at \([0-9]*\) pages.*/\1/p' "$S/mem_grow.out")
    if [ $RC -ne 0 ]; then fail mem_grow "exit $RC: $(why mem_grow)"
    elif [ "$pages" != 1024 ]; then fail mem_grow "memory.grow stopped at '${pages}' pages, want 1024 (64 MiB): $(head -1 "$S/mem_grow.out")"
    else ok "mem_grow (stopped at 1024 pages)"; fi
    run mem_malloc 60 --max-memory 67108864 "$B/membomb.wasm" malloc
    mib=$(sed -n 's/^malloc: got \([0-9]*\) MiB.*/\1/p' "$S/mem_malloc.out")
    if [ $RC -ne 0 ]; then fail mem_malloc "exit $RC: $(why mem_malloc)"
    elif [ -z "$mib" ] || [ "$mib" -lt 48 ] || [ "$mib" -gt 64 ]; then fail mem_malloc "malloc gave '${mib}' MiB under a 64 MiB cap: $(head -1 "$S/mem_malloc.out")"
    else ok "mem_malloc (${mib} MiB before NULL)"; fi
fi

# ---- hoard: guests that try to keep host resources (issue 12) ---------------------------------
# out_has NAME LINE: the last run's stdout has exactly that line.
out_has() { grep -qxF -- "$2" "$S/$1.out"; }
# wait_for_line FILE LINE SECONDS: until FILE has that line (an event the guest
# reports), checking every 50 ms; false if SECONDS pass first (a failure, not
# a way to synchronise: nothing here depends on how long anything takes).
wait_for_line() {
    local i
    for ((i = 0; i < $3 * 20; i++)); do
        grep -qxF -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}
# reap PID SECONDS: waits for background PID to end (SIGKILL after SECONDS)
# and sets RC to its exit status.
reap() {
    local i
    for ((i = 0; i < $2 * 20; i++)); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.05
    done
    kill -KILL "$1" 2>/dev/null
    wait "$1"
    RC=$?
}
if want hoard; then
    H="$S/hoard"
    mkdir -p "$H"
    printf 'x\n' >"$H/file"
    # --max-open-files N: the guest's N-th open is its last; the next is MFILE (33)
    run hoard_cap10 60 --max-open-files 10 --dir "$H::/data" "$B/hoard.wasm" files /data/file
    if [ $RC -eq 0 ] && out_has hoard_cap10 "opened 10 files, then MFILE" && out_has hoard_cap10 "after a close: ok"; then
        ok hoard_cap10
    else fail hoard_cap10 "exit $RC, '$(head -2 "$S/hoard_cap10.out" | tr '\n' ' ')': $(why hoard_cap10)"; fi
    run hoard_default 60 --dir "$H::/data" "$B/hoard.wasm" files /data/file
    if [ $RC -eq 0 ] && out_has hoard_default "opened 256 files, then MFILE"; then ok "hoard_default (256)"
    else fail hoard_default "exit $RC, '$(head -1 "$S/hoard_default.out")': $(why hoard_default)"; fi
    # no cap of ours: the process's own RLIMIT_NOFILE (EMFILE) still ends it as MFILE
    { (ulimit -n 64 && exec timeout -s KILL 60 "$WG" run --max-open-files 0 --dir "$H::/data" \
        "$B/hoard.wasm" files /data/file) </dev/null >"$S/hoard_rlimit.out" 2>"$S/hoard_rlimit.err"; } 2>/dev/null
    RC=$?
    n=$(sed -n 's/^opened \([0-9]*\) files, then MFILE$/\1/p' "$S/hoard_rlimit.out")
    if [ $RC -eq 0 ] && [ -n "$n" ] && [ "$n" -gt 0 ] && [ "$n" -lt 64 ] && out_has hoard_rlimit "after a close: ok"; then
        ok "hoard_rlimit ($n under ulimit -n 64)"
    else fail hoard_rlimit "exit $RC, '$(head -2 "$S/hoard_rlimit.out" | tr '\n' ' ')': $(why hoard_rlimit)"; fi

    # A FIFO in a --dir. Without a writer, opening it used to wait in the kernel
    # for one, beyond the reach of --timeout and SIGTERM.
    mkfifo "$H/fifo"
    run fifo_no_writer 60 --dir "$H::/data" "$B/hoard.wasm" fifo-read /data/fifo
    if [ $RC -eq 0 ] && out_has fifo_no_writer opened && out_has fifo_no_writer "eof after 0 bytes"; then ok fifo_no_writer
    else fail fifo_no_writer "exit $RC (137: killed while blocked), '$(head -2 "$S/fifo_no_writer.out" | tr '\n' ' ')': $(why fifo_no_writer)"; fi
    run fifo_no_reader 60 --dir "$H::/data" "$B/hoard.wasm" fifo-write /data/fifo
    if [ $RC -eq 0 ] && out_has fifo_no_reader "open for writing: NXIO"; then ok fifo_no_reader
    else fail fifo_no_reader "exit $RC (137: killed while blocked), '$(head -1 "$S/fifo_no_reader.out")': $(why fifo_no_reader)"; fi
    # A peer that holds the FIFO open and never writes (nor reads): read-write,
    # so opening it here does not wait either.
    exec 7<>"$H/fifo"
    run fifo_silent_writer_timeout 60 --timeout 1 --dir "$H::/data" "$B/hoard.wasm" fifo-read /data/fifo
    if [ $RC -eq 124 ] && out_has fifo_silent_writer_timeout opened && grep -q '^error: timed out after 1 seconds$' "$S/fifo_silent_writer_timeout.err"; then
        ok fifo_silent_writer_timeout
    else fail fifo_silent_writer_timeout "exit $RC (want 124), '$(head -2 "$S/fifo_silent_writer_timeout.out" | tr '\n' ' ')': $(why fifo_silent_writer_timeout)"; fi
    run fifo_full_pipe_timeout 60 --timeout 1 --dir "$H::/data" "$B/hoard.wasm" fifo-write /data/fifo
    if [ $RC -eq 124 ] && out_has fifo_full_pipe_timeout opened; then ok fifo_full_pipe_timeout
    else fail fifo_full_pipe_timeout "exit $RC (want 124), '$(head -2 "$S/fifo_full_pipe_timeout.out" | tr '\n' ' ')': $(why fifo_full_pipe_timeout)"; fi
    # SIGTERM, sent once the guest says it has the FIFO open (so it is reading
    # or about to: either way it must end with 143)
    "$WG" run --dir "$H::/data" "$B/hoard.wasm" fifo-read /data/fifo </dev/null \
        >"$S/fifo_sigterm.out" 2>"$S/fifo_sigterm.err" &
    pid=$!
    if wait_for_line "$S/fifo_sigterm.out" opened 60; then kill -TERM "$pid"; fi
    reap "$pid" 60
    if [ $RC -eq 143 ] && out_has fifo_sigterm opened && grep -q 'interrupted' "$S/fifo_sigterm.err"; then ok fifo_sigterm
    else fail fifo_sigterm "exit $RC (want 143; 137: SIGTERM did not end it), '$(head -2 "$S/fifo_sigterm.out" | tr '\n' ' ')': $(why fifo_sigterm)"; fi
    exec 7>&-
fi

# ---- wgtool: the same program natively and in wasm --------------------------------------------
if want wgtool; then
    NAT="$B/wgtool-native"
    T="$S/tree"
    mkdir -p "$T" "$S/tree_wasm"
    "$NAT" mktree "$T" 42 >"$S/mktree_native.out"
    run wgtool_mktree 60 --dir "$S/tree_wasm::/data" "$B/wgtool.wasm" mktree /data 42
    if [ $RC -ne 0 ]; then fail wgtool_mktree "exit $RC: $(why wgtool_mktree)"
    elif ! diff -r "$T" "$S/tree_wasm" >"$S/mktree.diff" 2>&1; then fail wgtool_mktree "the trees differ: $(head -3 "$S/mktree.diff" | tr '\n' ' ')"
    elif ! cmp -s "$S/mktree_native.out" "$S/wgtool_mktree.out"; then fail wgtool_mktree "outputs differ"
    else ok wgtool_mktree; fi
    # more input: a large random file, an inside symlink, many entries in one directory
    head -c 3000000 /dev/urandom >"$T/delta/big.bin"
    ln -s alpha/beta "$T/link to beta"
    mkdir "$T/many"
    for i in $(seq 1 300); do printf 'line %d\n' "$i" >"$T/many/f$i"; done
    # the native tool agrees with coreutils
    (cd "$T" && find . -type f | sed 's|^\./||' | sort | while IFS= read -r f; do sha256sum "$f"; done) >"$S/sha.coreutils"
    "$NAT" sha256 "$T" >"$S/sha.native"
    (cd "$T" && find . -type f | sed 's|^\./||' | sort | while IFS= read -r f; do
        printf '%s %s %s %s\n' "$(wc -l <"$f")" "$(wc -w <"$f")" "$(wc -c <"$f")" "$f"; done) |
        grep -v '\.bin$' >"$S/wc.coreutils"   # coreutils counts words in binary data differently
    "$NAT" wc "$T" | sed '$d' | grep -v '\.bin$' >"$S/wc.native"
    if cmp -s "$S/sha.coreutils" "$S/sha.native" && cmp -s "$S/wc.coreutils" "$S/wc.native"; then ok wgtool_native_vs_coreutils
    else fail wgtool_native_vs_coreutils "$(diff "$S/sha.coreutils" "$S/sha.native" | head -2 | tr '\n' ' ') $(diff "$S/wc.coreutils" "$S/wc.native" | head -2 | tr '\n' ' ')"; fi
    for cmd in find wc sha256; do
        "$NAT" $cmd "$T" >"$S/$cmd.native"
        run wgtool_$cmd 60 --dir "$T::/data:ro" "$B/wgtool.wasm" $cmd /data
        if [ $RC -ne 0 ]; then fail wgtool_$cmd "exit $RC: $(why wgtool_$cmd)"
        elif ! diff "$S/$cmd.native" "$S/wgtool_$cmd.out" >"$S/$cmd.diff"; then
            fail wgtool_$cmd "native and wasm outputs differ: $(head -4 "$S/$cmd.diff" | tr '\n' ' ')"
        else ok "wgtool_$cmd ($(wc -l <"$S/$cmd.native") lines)"; fi
    done
    # a different mount point and a relative-looking root give the same output
    run wgtool_find_mnt 60 --dir "$T::/mnt/x" "$B/wgtool.wasm" find /mnt/x
    if [ $RC -eq 0 ] && cmp -s "$S/find.native" "$S/wgtool_find_mnt.out"; then ok wgtool_find_mnt
    else fail wgtool_find_mnt "exit $RC: $(why wgtool_find_mnt)"; fi
    IN="$T/alpha/file 00.bin" run wgtool_wc_stdin 60 "$B/wgtool.wasm" wc -
    IN=/dev/null
    if [ $RC -eq 0 ] && [ "$("$NAT" wc - <"$T/alpha/file 00.bin")" = "$(cat "$S/wgtool_wc_stdin.out")" ]; then ok wgtool_wc_stdin
    else fail wgtool_wc_stdin "exit $RC: $(why wgtool_wc_stdin)"; fi
    IN="$T/delta/big.bin" run wgtool_cat 60 "$B/wgtool.wasm" cat
    IN=/dev/null
    if [ $RC -eq 0 ] && cmp -s "$T/delta/big.bin" "$S/wgtool_cat.out"; then ok wgtool_cat
    else fail wgtool_cat "exit $RC: $(why wgtool_cat)"; fi
    for cmd in rand time; do
        "$NAT" $cmd >"$S/$cmd.native"
        run wgtool_$cmd 30 "$B/wgtool.wasm" $cmd
        if [ $RC -eq 0 ] && cmp -s "$S/$cmd.native" "$S/wgtool_$cmd.out"; then ok wgtool_$cmd
        else fail wgtool_$cmd "exit $RC, '$(head -c 100 "$S/wgtool_$cmd.out")': $(why wgtool_$cmd)"; fi
    done
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
