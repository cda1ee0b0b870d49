#!/usr/bin/env python3
"""Writes the runner's self-test scripts (ok/, bad/): tiny hand-assembled
modules and wast2json-style command lists whose expected counts are known.
Rerun after editing: python3 make_selftest.py (from this folder)."""
import json, os

def leb(n):
    out = bytearray()
    while True:
        b = n & 0x7f
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)

def vec(items):
    return leb(len(items)) + b"".join(items)

def name(s):
    b = s.encode()
    return leb(len(b)) + b

def section(sid, content):
    return bytes([sid]) + leb(len(content)) + content

def module(*sections):
    return b"\0asm\1\0\0\0" + b"".join(sections)

def functype(params, results):
    return b"\x60" + vec([bytes([p]) for p in params]) + vec([bytes([r]) for r in results])

def body(code, locals_=b"\x00"):
    b = locals_ + code + b"\x0b"
    return leb(len(b)) + b

I32, F32, EXTERN, FUNCREF = 0x7f, 0x7d, 0x6f, 0x70

# Module with: answer () -> 42, div (i32 i32) -> i32.div_s, nan () -> f32 canonical NaN,
# id (externref) -> externref, loop () -> () infinite recursion, global g = 7.
main = module(
    section(1, vec([functype([], [I32]), functype([I32, I32], [I32]), functype([], [F32]),
                    functype([EXTERN], [EXTERN]), functype([], [])])),
    section(3, vec([leb(0), leb(1), leb(2), leb(3), leb(4)])),
    section(6, vec([bytes([I32, 0x00, 0x41, 0x07, 0x0b])])),
    section(7, vec([name("answer") + b"\x00" + leb(0), name("div") + b"\x00" + leb(1),
                    name("nan") + b"\x00" + leb(2), name("id") + b"\x00" + leb(3),
                    name("loop") + b"\x00" + leb(4), name("g") + b"\x03" + leb(0)])),
    section(10, vec([body(b"\x41\x2a"), body(b"\x20\x00\x20\x01\x6d"),
                     body(b"\x43\x00\x00\xc0\x7f"), body(b"\x20\x00"), body(b"\x10\x04")])),
)
bad_magic = b"\0asn\1\0\0\0"
# () -> i32 whose body leaves nothing on the stack: type mismatch.
invalid = module(section(1, vec([functype([], [I32])])), section(3, vec([leb(0)])),
                 section(10, vec([body(b"")])))
# Imports spectest.unknown: unknown import.
unlinkable = module(section(1, vec([functype([], [])])),
                    section(2, vec([name("spectest") + name("unknown") + b"\x00" + leb(0)])))
# Start function runs unreachable.
uninstantiable = module(section(1, vec([functype([], [])])), section(3, vec([leb(0)])),
                        section(8, leb(0)), section(10, vec([body(b"\x00")])))
# Imports the registered module and every kind of spectest extern.
importer = module(
    section(1, vec([functype([], [I32]), functype([I32], [])])),
    section(2, vec([name("M") + name("answer") + b"\x00" + leb(0),
                    name("spectest") + name("global_i32") + bytes([0x03, I32, 0x00]),
                    name("spectest") + name("print_i32") + b"\x00" + leb(1),
                    name("spectest") + name("memory") + bytes([0x02, 0x01, 0x01, 0x02]),
                    name("spectest") + name("table") + bytes([0x01, FUNCREF, 0x01, 0x0a, 0x14])])),
    section(7, vec([name("answer2") + b"\x00" + leb(0), name("sg") + b"\x03" + leb(0),
                    name("p") + b"\x00" + leb(1)])),
)

def v(t, x):
    return {"type": t, "value": str(x)}

def invoke(field, args=(), module=None):
    a = {"type": "invoke", "field": field, "args": list(args)}
    if module:
        a["module"] = module
    return a

def get(field):
    return {"type": "get", "field": field}

def write(folder, files, commands):
    os.makedirs(folder, exist_ok=True)
    for fname, data in files.items():
        with open(os.path.join(folder, fname), "wb") as f:
            f.write(data)
    with open(os.path.join(folder, folder + ".json"), "w") as f:
        json.dump({"source_filename": folder + ".wast", "commands": commands}, f, indent=1)
        f.write("\n")

# ok: 16 passed, 0 failed, 1 skipped.
write("ok", {"ok.0.wasm": main, "ok.1.wasm": bad_magic, "ok.2.wasm": invalid,
             "ok.3.wasm": unlinkable, "ok.4.wasm": uninstantiable, "ok.5.wasm": importer}, [
    {"type": "module", "line": 1, "name": "$A", "filename": "ok.0.wasm"},
    {"type": "assert_return", "line": 2, "action": invoke("answer"), "expected": [v("i32", 42)]},
    {"type": "assert_return", "line": 3, "action": get("g"), "expected": [v("i32", 7)]},
    {"type": "assert_trap", "line": 4, "action": invoke("div", [v("i32", 1), v("i32", 0)]),
     "text": "integer divide by zero", "expected": [{"type": "i32"}]},
    {"type": "assert_return", "line": 5, "action": invoke("div", [v("i32", 4294967289), v("i32", 2)]),
     "expected": [v("i32", 4294967293)]},
    {"type": "assert_return", "line": 6, "action": invoke("nan"), "expected": [v("f32", "nan:canonical")]},
    {"type": "assert_return", "line": 7, "action": invoke("id", [v("externref", 5)]),
     "expected": [v("externref", 5)]},
    {"type": "assert_return", "line": 8, "action": invoke("id", [v("externref", "null")]),
     "expected": [v("externref", "null")]},
    {"type": "assert_exhaustion", "line": 9, "action": invoke("loop"), "text": "call stack exhausted",
     "expected": []},
    {"type": "assert_malformed", "line": 10, "filename": "ok.1.wasm", "text": "magic header not detected",
     "module_type": "binary"},
    {"type": "assert_malformed", "line": 11, "filename": "ok.1.wat", "text": "unknown operator",
     "module_type": "text"},
    {"type": "assert_invalid", "line": 12, "filename": "ok.2.wasm", "text": "type mismatch",
     "module_type": "binary"},
    {"type": "assert_unlinkable", "line": 13, "filename": "ok.3.wasm", "text": "unknown import",
     "module_type": "binary"},
    {"type": "assert_uninstantiable", "line": 14, "filename": "ok.4.wasm", "text": "unreachable",
     "module_type": "binary"},
    {"type": "register", "line": 15, "name": "$A", "as": "M"},
    {"type": "module", "line": 16, "filename": "ok.5.wasm"},
    {"type": "assert_return", "line": 17, "action": invoke("answer2"), "expected": [v("i32", 42)]},
    {"type": "assert_return", "line": 18, "action": get("sg"), "expected": [v("i32", 666)]},
    {"type": "action", "line": 19, "action": invoke("p", [v("i32", 5)]), "expected": []},
    {"type": "assert_return", "line": 20, "action": invoke("answer", module="$A"),
     "expected": [v("i32", 42)]},
])

# bad: 1 passed, 10 failed, 0 skipped: every assertion but line 6 is wrong on purpose.
write("bad", {"bad.0.wasm": main}, [
    {"type": "module", "line": 1, "filename": "bad.0.wasm"},
    {"type": "assert_return", "line": 2, "action": invoke("answer"), "expected": [v("i32", 43)]},
    {"type": "assert_trap", "line": 3, "action": invoke("answer"), "text": "unreachable",
     "expected": [{"type": "i32"}]},
    {"type": "assert_invalid", "line": 4, "filename": "bad.0.wasm", "text": "type mismatch",
     "module_type": "binary"},
    {"type": "assert_return", "line": 5, "action": invoke("nan"), "expected": [v("f32", 0x7fc00001)]},
    {"type": "assert_return", "line": 6, "action": invoke("answer"), "expected": [v("i32", 42)]},
    {"type": "assert_return", "line": 7, "action": invoke("id", [v("externref", 5)]),
     "expected": [v("externref", 6)]},
    {"type": "assert_unlinkable", "line": 8, "filename": "bad.0.wasm", "text": "unknown import",
     "module_type": "binary"},
    {"type": "assert_trap", "line": 9, "action": invoke("div", [v("i32", 1), v("i32", 0)]),
     "text": "integer overflow", "expected": [{"type": "i32"}]},
    {"type": "assert_return", "line": 10, "action": invoke("answer"),
     "expected": [{"type": "v128", "lane_type": "i32", "value": ["0", "0", "0", "0"]}]},
    {"type": "module", "line": 11, "filename": "bad.1.wasm"},
    {"type": "assert_return", "line": 12, "action": invoke("answer"), "expected": [v("i32", 42)]},
])
