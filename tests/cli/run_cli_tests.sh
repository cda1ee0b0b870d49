#!/bin/sh
# Drives the real `wasmgate` binary and checks its stdout, stderr and exit
# status. Usage: run_cli_tests.sh WASMGATE WASM_DIR [CM_DIR]
#   WASMGATE   the binary under test
#   WASM_DIR   where the build put the modules converted from tests/cli/*.wat
#   CM_DIR     the Component Model conformance data (components to inspect);
#              without it those cases are skipped
# Prints one line per case (ok / FAIL with the reasons and the outputs) and
# ends with "N passed, N failed"; exits 1 if any case failed.
set -u

if [ $# -ne 2 ] && [ $# -ne 3 ]; then
    echo "usage: $0 WASMGATE WASM_DIR [CM_DIR]" >&2
    exit 2
fi
WG=$1
W=$2
CM=${3:-}
[ -x "$WG" ] || { echo "$0: $WG is not an executable" >&2; exit 2; }
T=$(mktemp -d "${TMPDIR:-/tmp}/wg-cli-tests.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
passed=0
failed=0

# ---- a tiny harness -------------------------------------------------------
# case_begin DESC; run STATUS CMD...; then any checks; case_end.
case_begin() {
    desc=$1
    bad=""
}
run() {
    want=$1
    shift
    "$@" >"$T/out" 2>"$T/err" </dev/null
    got=$?
    [ "$got" -eq "$want" ] || bad="$bad
    exit status $got, wanted $want"
}
# The whole stdout, one argument per line.
out_is() {
    printf '%s\n' "$@" >"$T/want"
    cmp -s "$T/want" "$T/out" || bad="$bad
    stdout is not: $*"
}
out_empty() { [ ! -s "$T/out" ] || bad="$bad
    stdout is not empty"; }
err_empty() { [ ! -s "$T/err" ] || bad="$bad
    stderr is not empty"; }
out_has() { grep -qF -- "$1" "$T/out" || bad="$bad
    stdout lacks: $1"; }
err_has() { grep -qF -- "$1" "$T/err" || bad="$bad
    stderr lacks: $1"; }
# An extended regular expression that some line of stdout / stderr matches.
out_line() { grep -qE -- "$1" "$T/out" || bad="$bad
    no stdout line matches: $1"; }
err_line() { grep -qE -- "$1" "$T/err" || bad="$bad
    no stderr line matches: $1"; }
case_end() {
    if [ -z "$bad" ]; then
        passed=$((passed + 1))
        echo "ok - $desc"
    else
        failed=$((failed + 1))
        echo "FAIL - $desc$bad"
        echo "  --- stdout:"; sed 's/^/  | /' "$T/out"
        echo "  --- stderr:"; sed 's/^/  | /' "$T/err"
    fi
}

# wait_for_err TEXT: polls (at most 600 times, 0.1 s apart: only a guard
# against a hang) until stderr of the background run has TEXT. 0 if it did.
wait_for_err() {
    tries=0
    while ! grep -qF -- "$1" "$T/err" 2>/dev/null; do
        tries=$((tries + 1))
        [ "$tries" -le 600 ] || return 1
        kill -0 "$bg" 2>/dev/null || { grep -qF -- "$1" "$T/err" 2>/dev/null; return; }
        sleep 0.1
    done
}
# signal_spinning SIG WANT_STATUS: runs loop.wasm's announce_spin in the
# background, waits for its "spinning" line, sends SIG, then waits (at most
# about 60 s, then SIGKILL: status 137) for the exit, which must be WANT_STATUS.
signal_spinning() {
    # Emptied here, not only by the redirections: those happen in the child,
    # maybe after the first poll, which must not see the last case's output.
    : >"$T/out"
    : >"$T/err"
    "$WG" run --invoke announce_spin "$W/loop.wasm" >"$T/out" 2>"$T/err" </dev/null &
    bg=$!
    if wait_for_err spinning; then
        kill -s "$1" "$bg"
    else
        bad="$bad
    the guest never said 'spinning' (not sending SIG$1)"
    fi
    tries=0
    while kill -0 "$bg" 2>/dev/null && [ "$tries" -lt 600 ]; do
        tries=$((tries + 1))
        sleep 0.1
    done
    kill -s KILL "$bg" 2>/dev/null
    wait "$bg"
    got=$?
    [ "$got" -eq "$2" ] || bad="$bad
    exit status $got, wanted $2"
}

# invoke WANT_STATUS FUNC ARGS... : run --invoke FUNC values.wasm ARGS...
invoke() {
    want=$1
    fn=$2
    shift 2
    run "$want" "$WG" run --invoke "$fn" "$W/values.wasm" "$@"
}
# returns FUNC ARG EXPECTED: one argument in, one result line out.
returns() {
    case_begin "run $1 $2 prints $3"
    invoke 0 "$1" "$2"
    out_is "$3"
    err_empty
    case_end
}
# rejects FUNC ARG PHRASE: the argument is refused with exit 2.
rejects() {
    case_begin "run $1 rejects '$2'"
    invoke 2 "$1" "$2"
    out_empty
    err_has "$3"
    case_end
}

# ---- help, version, usage errors -------------------------------------------
for form in "" help -h --help; do
    case_begin "usage via '${form:-no arguments}'"
    if [ -z "$form" ]; then run 0 "$WG"; else run 0 "$WG" "$form"; fi
    out_has "usage: wasmgate"
    for word in validate inspect run --invoke --dir --env --max-memory --max-open-files --timeout --version --help help; do
        out_has "$word"
    done
    case_end
done

case_begin "--version"
run 0 "$WG" --version
out_line '^wasmgate [0-9]+\.[0-9]+\.[0-9]+$'
case_end

case_begin "unknown command"
run 2 "$WG" frobnicate x.wasm
out_empty
err_has "unknown command 'frobnicate'"
err_has "wasmgate help"
case_end

case_begin "unknown flag"
run 2 "$WG" --frobnicate
err_has "unknown option '--frobnicate'"
case_end

case_begin "unknown run flag"
run 2 "$WG" run --frobnicate "$W/values.wasm"
err_has "unknown option '--frobnicate'"
case_end

case_begin "run --invoke without a name"
run 2 "$WG" run --invoke
err_has "--invoke needs a NAME"
case_end

case_begin "run without a module"
run 2 "$WG" run --invoke add
err_has "missing MODULE"
case_end

case_begin "run without --invoke on a module with no WASI entry"
run 2 "$WG" run "$W/values.wasm"
out_empty
err_has "$W/values.wasm: error: the module exports neither _start nor _initialize; use --invoke NAME"
err_has "exported functions: add, id_i32"
case_end

for opt in --dir --env --max-memory --max-open-files --timeout; do
    case_begin "run $opt without its value"
    run 2 "$WG" run "$opt"
    out_empty
    err_line "run: $opt needs "
    case_end
    case_begin "run $opt= with an empty value"
    run 2 "$WG" run "$opt=" "$W/wasi_probe.wasm" args
    out_empty
    err_line "run: $opt needs "
    case_end
done

# ---- validate ----------------------------------------------------------------
case_begin "validate a valid module"
run 0 "$WG" validate "$W/values.wasm"
out_is "valid"
err_empty
case_end

# () -> i32 whose body leaves nothing on the stack: decodes, but is invalid.
printf '\000asm\001\000\000\000\001\005\001\140\000\001\177\003\002\001\000\012\004\001\002\000\013' >"$T/invalid.wasm"
case_begin "validate an invalid module"
run 1 "$WG" validate "$T/invalid.wasm"
out_empty
err_line "^$T/invalid.wasm: error: .+"
err_has "type mismatch"
case_end

printf '\000asx\001\000\000\000' >"$T/badmagic.wasm"
case_begin "validate a module with a bad magic number"
run 1 "$WG" validate "$T/badmagic.wasm"
out_empty
err_line "^$T/badmagic.wasm: error: .*magic header not detected"
case_end

# The type section says 5 bytes, the file ends after 2 of them.
printf '\000asm\001\000\000\000\001\005\001\140\000' >"$T/truncated.wasm"
case_begin "validate a truncated module"
run 1 "$WG" validate "$T/truncated.wasm"
out_empty
err_line "^$T/truncated.wasm: error: .+"
case_end

case_begin "validate a missing file"
run 1 "$WG" validate "$T/no-such-module.wasm"
out_empty
err_has "$T/no-such-module.wasm: error: cannot read: No such file or directory"
case_end

case_begin "validate a directory"
run 1 "$WG" validate "$T"
err_has "$T: error: cannot read: Is a directory"
case_end

case_begin "validate without a module"
run 2 "$WG" validate
err_has "missing MODULE"
case_end

case_begin "validate with two modules"
run 2 "$WG" validate "$W/values.wasm" "$W/trap.wasm"
err_has "one MODULE only"
case_end

# Components: told from core modules by the preamble (version 0x0d, layer 1).
# (component (type (func)) (import "f" (func (type 0))))
printf '\000asm\015\000\001\000\007\005\001\100\000\001\000\012\006\001\000\001f\001\000' >"$T/comp.wasm"
case_begin "validate a valid component"
run 0 "$WG" validate "$T/comp.wasm"
out_is "valid"
err_empty
case_end

# (component (type (record))): a record needs a field (validation error)
printf '\000asm\015\000\001\000\007\003\001\162\000' >"$T/badcomp.wasm"
case_begin "validate an invalid component"
run 1 "$WG" validate "$T/badcomp.wasm"
out_empty
err_has "$T/badcomp.wasm: error: component section 0x7 (type), offset 0xb: record type must have at least one field"
case_end

# The type section says 5 bytes, the file ends after 1 of them.
printf '\000asm\015\000\001\000\007\005\001' >"$T/truncomp.wasm"
case_begin "validate a truncated component"
run 1 "$WG" validate "$T/truncomp.wasm"
out_empty
err_line "^$T/truncomp.wasm: error: component section 0x7 \(type\), offset 0x[0-9a-f]+: unexpected end-of-file"
case_end

# A component embedding an invalid core module: the engine's message.
printf '\000asm\015\000\001\000\001\031\000asm\001\000\000\000\001\005\001\140\000\001\177\003\002\001\000\012\004\001\002\000\013' >"$T/badcore.wasm"
case_begin "validate a component with an invalid core module"
run 1 "$WG" validate "$T/badcore.wasm"
out_empty
err_has "component section 0x1 (core module)"
err_has "type mismatch"
case_end

# ---- inspect -----------------------------------------------------------------
case_begin "inspect lists imports, exports and counts"
run 0 "$WG" inspect "$W/inspect.wasm"
err_empty
out_line "^module: .*inspect\.wasm \([0-9]+ bytes\)$"
out_line '^imports: 2$'
out_line '^  func +env::print \(i32\) -> \(\)$'
out_line '^  global +env::limit i32$'
out_line '^exports: 5$'
out_line '^  func +add \(i32, i32\) -> \(i32\)$'
out_line '^  func +twice \(f64\) -> \(f64\)$'
out_line '^  table +table funcref, min 2, max 4$'
out_line '^  memory +memory pages: min 1, max 2$'
out_line '^  global +count mut i64$'
out_line '^types: 4$'
out_line '^functions: 3 defined, 1 imported$'
out_line '^tables: 1 defined, 0 imported$'
out_line '^  table 0: funcref, min 2, max 4$'
out_line '^memories: 1 defined, 0 imported$'
out_line '^  memory 0: pages: min 1, max 2$'
out_line '^globals: 2 defined, 1 imported$'
out_line '^elems: 1$'
out_line '^datas: 2$'
out_line '^start: func 2 init$'
out_line '^custom sections: 1$'
out_line '^  name \([0-9]+ bytes\)$'
out_line '^sections: 12$'
out_line '^ +10 code +offset 0x[0-9a-f]+ +size [0-9]+$'
out_line '^ +0 custom +offset 0x[0-9a-f]+ +size [0-9]+ +"name"$'
out_line '^code: [0-9]+ bytes in the code section, [0-9]+ bytes compiled$'
case_end

case_begin "inspect shows every kind of import"
run 0 "$WG" inspect "$W/imports.wasm"
out_line '^imports: 5$'
out_line '^  func +env::log \(i32, i64\) -> \(f32\)$'
out_line '^  table +env::table funcref, min 1, max 10$'
out_line '^  memory +env::memory pages: min 1, no max$'
out_line '^  global +env::counter mut i64$'
out_line '^  func +wasi_snapshot_preview1::fd_write \(i32, i32, i32, i32\) -> \(i32\)$'
out_line '^tables: 0 defined, 1 imported$'
out_line '^memories: 0 defined, 1 imported$'
out_line '^start: none$'
case_end

# Components: the world as WIT, then core modules and nested components.
case_begin "inspect a component"
run 0 "$WG" inspect "$T/comp.wasm"
err_empty
out_is "component: $T/comp.wasm (23 bytes)" "world:" "package root:component;" "" "world root {" \
       "  import f: func();" "}" "core modules: 0" "components: 0"
case_end

case_begin "inspect an invalid component"
run 1 "$WG" inspect "$T/badcomp.wasm"
out_empty
err_has "$T/badcomp.wasm: error: component section 0x7 (type), offset 0xb: record type must have at least one field"
case_end

if [ -n "$CM" ] && [ -f "$CM/reference/resources/handle-table.2.wasm" ]; then
    case_begin "inspect a component with core modules and nested components"
    run 0 "$WG" inspect "$CM/reference/resources/handle-table.2.wasm"
    err_empty
    out_line '^component: .*/handle-table\.2\.wasm \(1810 bytes\)$'
    out_line '^world:$'
    out_line '^package root:component;$'
    out_line '^  export drop-never-allocated: func\(\);$'
    out_line '^core modules: 1$'
    out_line '^  module 0: 226 bytes at offset 0x1a$'
    out_line '^    imports: 3$'
    out_line '^      func    ::new \(i32\) -> \(i32\)$'
    out_line '^    exports: 5$'
    out_line '^      func    drop-zero \(\) -> \(\)$'
    out_line '^components: 2$'
    out_line '^  component 0: 408 bytes at offset 0x1d3$'
    out_line '^    imports: 0$'
    out_line '^    exports: 4$'
    out_line '^      type      R$'
    out_line '^      func      make$'
    out_line '^    core modules: 1$'
    out_line '^      module 0: 136 bytes at offset 0x1f4$'
    out_line '^    components: 0$'
    case_end

    case_begin "inspect prints interfaces, packages and resources as WIT"
    run 0 "$WG" inspect "$CM/reference/validation/attributes.1.wasm"
    err_empty
    out_line '^  import a:b/c;$'
    out_line '^  import d: interface \{$'
    out_line '^  resource c;$'
    out_line '^  import b: func\(text: string\) -> string;$'
    out_line '^  export a:b/c;$'
    out_line '^package a:b \{$'
    out_line '^  interface c \{$'
    case_end
else
    echo "skip - inspect of conformance components (no CM_DIR)"
fi

case_begin "inspect a malformed module"
run 1 "$WG" inspect "$T/badmagic.wasm"
out_empty
err_line "^$T/badmagic.wasm: error: "
case_end

# ---- run: arguments and results -----------------------------------------------
case_begin "run add with negative arguments"
invoke 0 add -5 -7
out_is -12
err_empty
case_end

case_begin "run --invoke=NAME and -- before the module"
run 0 "$WG" run --invoke=add -- "$W/values.wasm" 40 2
out_is 42
case_end

returns id_i32 0 0
returns id_i32 -2147483648 -2147483648
returns id_i32 2147483647 2147483647
returns id_i32 4294967295 -1
returns id_i32 0xffffffff -1
returns id_i32 0x7FFFFFFF 2147483647
returns id_i32 -0x80000000 -2147483648
returns id_i32 +17 17
rejects id_i32 4294967296 "out of range for i32"
rejects id_i32 -2147483649 "out of range for i32"
rejects id_i32 0x100000000 "out of range for i32"
rejects id_i32 abc "not an integer"
rejects id_i32 0x "no digits"
rejects id_i32 1.5 "not an integer"
rejects id_i32 "" "no digits"

returns id_i64 18446744073709551615 -1
returns id_i64 -9223372036854775808 -9223372036854775808
returns id_i64 9223372036854775807 9223372036854775807
returns id_i64 0xffffffffffffffff -1
returns id_i64 0x8000000000000000 -9223372036854775808
rejects id_i64 18446744073709551616 "out of range for i64"
rejects id_i64 -9223372036854775809 "out of range for i64"
rejects id_i64 0x10000000000000000 "out of range for i64"

returns id_f32 1.5 1.5
returns id_f32 0.1 0.1
returns id_f32 -0 -0
returns id_f32 0x1.8p1 3
returns id_f32 3.4028235e38 3.4028235e+38
returns id_f32 1e-45 1e-45
returns id_f32 inf inf
returns id_f32 -inf -inf
returns id_f32 nan nan
returns id_f32 -nan -nan
returns id_f32 nan:0x1 nan:0x1
returns id_f32 -nan:0x200000 -nan:0x200000
returns id_f32 nan:0x400000 nan
returns f32_bits 1 1065353216
returns f32_bits nan:0x1 2139095041
returns f32_bits -nan -4194304
returns f32_bits nan:0x7fffff 2147483647
returns f32_bits 16777217 1266679808
returns f32_from_bits 2143289344 nan
returns f32_from_bits 2141192192 nan:0x200000
returns f32_from_bits -8388608 -inf
rejects id_f32 1e39 "out of range for f32"
rejects id_f32 nan:0x800000 "NaN payload out of range for f32"
rejects id_f32 nan:0x0 "NaN payload out of range for f32"
rejects id_f32 nan:12 "NaN payload must be hexadecimal"
rejects id_f32 nanx "not a number"
rejects id_f32 1.5x "not a number"
rejects id_f32 " 1" "not a number"

returns id_f64 0.1 0.1
returns id_f64 0.30000000000000004 0.30000000000000004
returns id_f64 1.7976931348623157e308 1.7976931348623157e+308
returns id_f64 5e-324 5e-324
returns id_f64 -0x1p-1022 -2.2250738585072014e-308
returns id_f64 -inf -inf
returns id_f64 nan:0x4000000000000 nan:0x4000000000000
returns id_f64 -nan -nan
returns f64_bits nan:0x4000000000000 9219994337134247936
returns f64_bits -0 -9223372036854775808
returns f64_bits 0.1 4591870180066957722
returns f64_from_bits 9221120237041090560 nan
returns f64_from_bits -1 -nan:0xfffffffffffff
rejects id_f64 1e309 "out of range for f64"
rejects id_f64 nan:0x10000000000000 "NaN payload out of range for f64"

case_begin "run swap prints each result on its own line"
invoke 0 swap 7 -8
out_is -8 7
case_end

case_begin "run nothing prints nothing"
invoke 0 nothing
out_empty
err_empty
case_end

returns id_extern null null
returns is_null null 1
rejects is_null 5 "only null can be given for a reference"

case_begin "run null_func prints null"
invoke 0 null_func
out_is null
case_end

case_begin "run some_func prints ref"
invoke 0 some_func
out_is ref
case_end

case_begin "run with too few arguments"
invoke 2 add 1
out_empty
err_has "'add' (i32, i32) -> (i32) takes 2 arguments, got 1"
case_end

case_begin "run with too many arguments"
invoke 2 id_i64 1 2 3
err_has "takes 1 argument, got 3"
case_end

case_begin "run an unknown export"
invoke 2 no_such_function
err_has "no export named 'no_such_function'"
err_has "exported functions: add, id_i32"
case_end

case_begin "run an export that is not a function"
invoke 2 mem
err_has "export 'mem' is a memory, not a function"
case_end

# ---- run: traps, linking, files -----------------------------------------------
case_begin "run a trapping function: message and backtrace"
run 134 "$WG" run --invoke outer "$W/trap.wasm"
out_empty
err_line '^error: wasm trap: unreachable$'
err_line '^ +#0 .*inner'
err_line '^ +#1 .*middle'
err_line '^ +#2 .*outer'
case_end

case_begin "run an integer division by zero"
run 134 "$WG" run --invoke div "$W/trap.wasm" 1 0
err_line '^error: wasm trap: integer divide by zero$'
err_line '^ +#0 .*divide'
case_end

case_begin "run the trap's neighbour normally"
run 0 "$WG" run --invoke div "$W/trap.wasm" -7 2
out_is -3
case_end

case_begin "run a module whose start function traps"
run 134 "$WG" run --invoke never "$W/start_trap.wasm"
out_empty
err_line '^error: wasm trap: unreachable$'
err_line '^ +#0 .*init'
case_end

# The signal is sent once the guest has said "spinning" on stderr (from inside
# the call, just before its endless loop): an event, not a delay, so it
# provably interrupts the running guest, however slow the machine.
case_begin "run: SIGINT interrupts an endless loop and shows where it was"
signal_spinning INT 130
out_empty
err_line '^error: wasm trap: interrupted$'
err_line '^ +#0 .*spin'
case_end

case_begin "run: SIGTERM interrupts too"
signal_spinning TERM 143
err_line '^error: wasm trap: interrupted$'
case_end

case_begin "run a module with imports: unknown import"
run 1 "$WG" run --invoke main "$W/imports.wasm"
out_empty
# The engine's wording puts the name before or after the phrase.
err_line "^$W/imports.wasm: error: .*(unknown import.*env::log|env::log.*unknown import)"
case_end

case_begin "run a missing module"
run 1 "$WG" run --invoke f "$T/missing.wasm"
err_has "$T/missing.wasm: error: cannot read: No such file or directory"
case_end

case_begin "run an invalid module"
run 1 "$WG" run --invoke f "$T/invalid.wasm"
err_line "^$T/invalid.wasm: error: "
case_end

# ---- run: WASI ----------------------------------------------------------------
P="$W/wasi_probe.wasm"

case_begin "run a WASI command: argv is MODULE then ARGS, flags after MODULE included"
run 0 "$WG" run "$P" args one "two words" --help --invoke x -- ""
err_empty
out_is "argc=9" "argv[0]=$P" "argv[1]=args" "argv[2]=one" "argv[3]=two words" "argv[4]=--help" \
       "argv[5]=--invoke" "argv[6]=x" "argv[7]=--" "argv[8]="
case_end

case_begin "run: -- before MODULE ends the options"
run 0 "$WG" run --env A=1 -- "$P" args --env
out_is "argc=3" "argv[0]=$P" "argv[1]=args" "argv[2]=--env"
case_end

case_begin "run: stdout and stderr are the process's own"
run 0 "$WG" run "$P" hello
out_is hello
err_has "to stderr"
case_end

case_begin "run: stdin is the process's own"
printf 'line one\nline two\n' >"$T/stdin.txt"
"$WG" run "$P" stdin <"$T/stdin.txt" >"$T/out" 2>"$T/err"
[ $? -eq 0 ] || bad="$bad
    exit status not 0"
out_is "line one" "line two"
case_end

case_begin "run: the guest's environment holds only --env variables"
run 0 env HOST_ONLY_VAR=secret "$WG" run "$P" env
out_is "environ=0"
case_end

case_begin "run: --env NAME=VALUE, --env=NAME=VALUE, empty values and '=' in values"
run 0 "$WG" run --env A=1 --env=B= --env "C=x=y" --env "D=two
lines" "$P" env
out_is "environ=4" "A=1" "B=" "C=x=y" "D=two" "lines"
case_end

case_begin "run: a later --env of the same NAME wins"
run 0 env WG_CLI_PASSED=host "$WG" run --env A=1 --env B=2 --env A=3 --env WG_CLI_PASSED=x --env WG_CLI_PASSED "$P" env
out_is "environ=3" "B=2" "A=3" "WG_CLI_PASSED=host"
case_end

case_begin "run: --env NAME passes the host's value, and only that one"
run 0 env WG_CLI_PASSED=from-host WG_CLI_OTHER=no "$WG" run --env WG_CLI_PASSED "$P" env
out_is "environ=1" "WG_CLI_PASSED=from-host"
case_end

case_begin "run: --env NAME that the host does not have is a usage error"
run 2 env -u WG_CLI_UNSET "$WG" run --env WG_CLI_UNSET "$P" env
out_empty
err_has "--env WG_CLI_UNSET: WG_CLI_UNSET is not set in the environment"
case_end

case_begin "run: --env with an empty NAME"
run 2 "$WG" run --env =x "$P" env
err_has "--env '=x': empty variable NAME"
case_end

mkdir -p "$T/data" "$T/ro"
printf 'hello file\n' >"$T/data/in.txt"
printf 'read only\n' >"$T/ro/in.txt"

case_begin "run: no --dir, no files"
run 1 "$WG" run "$P" cat "$T/data/in.txt"
out_line "^cat $T/data/in.txt: "
case_end

case_begin "run: --dir HOST preopens HOST under its own name"
(cd "$T" && "$WG" run --dir data "$P" cat data/in.txt) >"$T/out" 2>"$T/err"
[ $? -eq 0 ] || bad="$bad
    exit status not 0"
out_is "hello file"
case_end

case_begin "run: --dir HOST::GUEST maps HOST to GUEST"
run 0 "$WG" run --dir "$T/data::/mnt" "$P" cat /mnt/in.txt
out_is "hello file"
case_end

case_begin "run: --dir=HOST::/ and a relative path resolves against /"
run 0 "$WG" run "--dir=$T/data::/" "$P" cat in.txt
out_is "hello file"
case_end

case_begin "run: several --dir at once"
run 0 "$WG" run --dir "$T/data::/a" --dir "$T/ro::/b:ro" "$P" cat /b/in.txt
out_is "read only"
run 0 "$WG" run --dir "$T/data::/a" --dir "$T/ro::/b:ro" "$P" cat /a/in.txt
out_is "hello file"
case_end

case_begin "run: a writable --dir can be written"
run 0 "$WG" run --dir "$T/data::/d" "$P" write /d/out.txt written
out_is wrote
[ "$(cat "$T/data/out.txt" 2>/dev/null)" = written ] || bad="$bad
    $T/data/out.txt does not hold 'written'"
case_end

case_begin "run: a :ro --dir can be read but not written"
run 1 "$WG" run --dir "$T/ro::/r:ro" "$P" write /r/new.txt nope
out_line "^write /r/new.txt: "
[ ! -e "$T/ro/new.txt" ] || bad="$bad
    $T/ro/new.txt was created through a read-only --dir"
run 0 "$WG" run --dir "$T/ro::/r:ro" "$P" cat /r/in.txt
out_is "read only"
case_end

case_begin "run: :ro existing file cannot be overwritten"
run 1 "$WG" run --dir "$T/ro:ro" "$P" write "$T/ro/in.txt" clobber
[ "$(cat "$T/ro/in.txt")" = "read only" ] || bad="$bad
    $T/ro/in.txt was changed through a read-only --dir"
case_end

case_begin "run: the guest cannot leave its --dir"
run 1 "$WG" run --dir "$T/data::/d" "$P" cat /d/../ro/in.txt
out_line "^cat /d/../ro/in.txt: "
case_end

case_begin "run: --dir of a missing directory"
run 1 "$WG" run --dir "$T/no-such-dir::/x" "$P" args
out_empty
err_has "error: --dir $T/no-such-dir: No such file or directory"
case_end

case_begin "run: --dir of a file"
run 1 "$WG" run --dir "$T/data/in.txt" "$P" args
err_has "error: --dir $T/data/in.txt: Not a directory"
case_end

case_begin "run: --dir with an empty GUEST"
run 2 "$WG" run --dir "$T/data::" "$P" args
err_has "--dir '$T/data::': empty GUEST name"
case_end

for code in 0 7 33 255; do
    case_begin "run: proc_exit($code) is the exit status"
    run "$code" "$WG" run "$P" exit "$code"
    err_empty
    case_end
done

case_begin "run: a guest's own usage error (exit 2 from main)"
run 2 "$WG" run "$P" no-such-request
err_has "wasi_probe: unknown request 'no-such-request'"
case_end

case_begin "run: a WASI guest that traps: 134, message and backtrace"
run 134 "$WG" run "$P" trap
out_empty
err_line '^error: wasm trap: unreachable$'
err_line '^ +#0 '
case_end

# The guests below never end by themselves: exit 124 proves --timeout stopped
# them. How soon depends on the machine's load, so nothing measures it; a
# timeout(1) of 120 s only guards against a hang (status 137).
case_begin "run --timeout ends an endless guest with 124"
run 124 timeout -s KILL 120 "$WG" run --timeout 0.5 "$P" spin
err_line '^error: timed out after 0.5 seconds$'
case_end

case_begin "run --timeout: the backtrace shows where the guest was"
run 124 timeout -s KILL 120 "$WG" run --timeout=0.2 "$W/wasi_spin.wasm"
err_line '^error: timed out after 0.2 seconds$'
err_line '^ +#0 spin_here'
err_line '^ +#1 _start'
case_end

case_begin "run --timeout also covers a start function that never returns"
run 124 timeout -s KILL 120 "$WG" run --timeout 0.3 "$W/start_spin.wasm"
err_line '^error: timed out after 0.3 seconds \(while instantiating\)$'
case_end

case_begin "run --timeout with --invoke"
run 124 timeout -s KILL 120 "$WG" run --timeout 0.2 --invoke spin "$W/loop.wasm"
err_line '^error: timed out after 0.2 seconds$'
err_line '^ +#0 .*spin'
case_end

# (an hour: "in time" however slow the machine)
case_begin "run --timeout: a guest that finishes in time is not affected"
run 7 "$WG" run --timeout 3600 "$P" exit 7
err_empty
case_end

for v in 0 -1 1e3 abc 5s; do
    case_begin "run --timeout rejects '$v'"
    run 2 "$WG" run --timeout "$v" "$P" args
    err_has "--timeout '$v'"
    case_end
done

case_begin "run --max-memory: memory.grow fails past the cap, and the guest sees it"
run 0 "$WG" run --max-memory 4M "$P" grow
out_is "grow failed at 64 pages"
case_end

case_begin "run --max-memory with a K suffix that is not a whole page"
run 0 "$WG" run --max-memory 4100K "$P" grow
out_is "grow failed at 64 pages"
case_end

case_begin "run --max-memory: an initial memory above the cap fails to instantiate"
run 1 "$WG" run --max-memory 1M "$W/bigmem.wasm"
out_empty
err_line "^$W/bigmem.wasm: error: .*32 pages exceeds the memory limit \(--max-memory is 1048576 bytes\)$"
case_end

case_begin "run --max-memory: an initial memory within the cap runs"
run 3 "$WG" run --max-memory=2MiB "$W/bigmem.wasm"
err_empty
case_end

for v in 0 -5 1.5M 1MB 99999999999999999999 ""; do
    case_begin "run --max-memory rejects '$v'"
    run 2 "$WG" run --max-memory "$v" "$P" args
    err_has "--max-memory"
    case_end
done

for v in -1 abc 1.5 10k 1048577; do
    case_begin "run --max-open-files rejects '$v'"
    run 2 "$WG" run --max-open-files "$v" "$P" args
    out_empty
    err_has "--max-open-files '$v'"
    case_end
done

case_begin "run --max-open-files: 0 (no cap) and a small cap leave --dir usable"
run 0 "$WG" run --max-open-files=0 --dir "$T/data::/d" "$P" cat /d/in.txt
out_is "hello file"
run 0 "$WG" run --max-open-files 1 --dir "$T/data::/d" --dir "$T/ro::/r:ro" "$P" cat /d/in.txt
out_is "hello file"
case_end

case_begin "run --invoke on a reactor runs _initialize first"
run 0 "$WG" run --invoke get "$W/reactor.wasm"
out_is 42
case_end

case_begin "run --invoke calls WASI functions"
run 0 "$WG" run --invoke write_hi "$W/reactor.wasm"
out_is hi 0
case_end

case_begin "run a reactor without --invoke: _initialize alone, exit 0"
run 0 "$WG" run "$W/reactor.wasm"
out_empty
err_empty
case_end

# main() without a request returns 2, which wasi-libc's _start passes to
# proc_exit: the status of the call.
case_begin "run --invoke: the guest's argv is just MODULE"
run 2 "$WG" run --invoke _start "$P"
out_empty
err_has "usage: wasi_probe"
case_end

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
