#!/usr/bin/env python3
"""Attributes perf samples inside the interpreter's run() to its handlers.

The interpreter (src/wasm/interp.c) is one function whose handlers are labels
L_<name>; with -g, DWARF records each label's address and source line
(DW_TAG_label: DW_AT_low_pc, DW_AT_decl_line). A sample in run() is charged to
the nearest label at or below its address if its (outermost, inlining undone)
source line lies in that label's source region (from its line to the next
label's). Otherwise the compiler moved the code (shared call/entry paths,
out-of-line slow paths): the sample is charged to the handler whose source
region holds the line, marked "*" (if several handlers are generated from that
line by one macro, to "interp.c:LINE" instead).
Sampling skid moves some cost of an indirect jump to the instruction after it.

    python3 bench/handlers.py WASMGATE_BINARY PERF_DATA [TOP]
"""
import bisect
import re
import subprocess
import sys
from collections import Counter, defaultdict


def labels(binary):
    """[(address, name, decl_line)] of the L_ labels, sorted by address."""
    out = subprocess.run(["readelf", "--debug-dump=info", binary], capture_output=True,
                         text=True, check=True).stdout
    res, in_label, name, line_no = [], False, None, None
    for line in out.splitlines():
        if "Abbrev Number" in line:
            in_label, name, line_no = "DW_TAG_label" in line, None, None
        elif in_label and "DW_AT_name" in line:
            name = line.split()[-1]
        elif in_label and "DW_AT_decl_line" in line:
            line_no = int(line.split()[-1], 0)
        elif in_label and "DW_AT_low_pc" in line and name:
            res.append((int(line.split()[-1], 16), name, line_no or 0))
    return sorted(res)


def func_range(binary, lo, hi):
    """(start, end) of the `run` symbol that contains the L_ labels."""
    out = subprocess.run(["nm", "-S", binary], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) == 4 and f[3] == "run":
            start, size = int(f[0], 16), int(f[1], 16)
            if start <= lo and hi < start + size:
                return start, start + size
    sys.exit("handlers.py: no symbol `run` containing the L_ labels")


def outer_lines(binary, pcs):
    """pc -> source line of the outermost (non-inlined) frame in interp.c."""
    out = subprocess.run(["addr2line", "-a", "-i", "-e", binary] + [hex(p) for p in pcs],
                         capture_output=True, text=True).stdout
    res, cur = {}, None
    for line in out.splitlines():
        if line.startswith("0x"):
            cur = int(line, 16)
            continue
        m = re.search(r"interp\.c:(\d+)", line)
        if cur is not None and m:
            res[cur] = int(m.group(1))  # the last interp.c frame is the outermost
    return res


def main():
    binary, data = sys.argv[1], sys.argv[2]
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    every = labels(binary)
    ls = [a for a, n, _ in every if n.startswith("L_")]
    if not ls:
        sys.exit("handlers.py: no L_ labels in the debug info (build with -g)")
    base, end = func_range(binary, min(ls), max(ls))
    # the handlers and run()'s other labels (enter_wasm, trap, ...)
    labs = [(a, n[2:] if n.startswith("L_") else n, ln) for a, n, ln in every if base <= a < end]
    addrs = [a for a, _, _ in labs]

    # source regions: label line -> next distinct label line
    decl = sorted({ln for _, _, ln in labs})
    by_line = defaultdict(list)
    for _, name, ln in labs:
        by_line[ln].append(name)

    def region(line):
        i = bisect.bisect_right(decl, line) - 1
        return decl[i] if i >= 0 else None

    script = subprocess.run(["perf", "script", "-i", data, "-F", "ip,sym,symoff"],
                            capture_output=True, text=True).stdout
    total, per_pc = 0, Counter()
    for line in script.splitlines():
        total += 1
        m = re.search(r"\srun\+0x([0-9a-f]+)", line)
        if m:
            per_pc[base + int(m.group(1), 16)] += 1
    if not total:
        sys.exit("handlers.py: no samples")
    lines = outer_lines(binary, sorted(per_pc))

    counts = Counter()
    for pc, c in per_pc.items():
        i = bisect.bisect_right(addrs, pc) - 1
        ln = lines.get(pc)
        near = labs[i] if i >= 0 else None
        if near and (ln is None or region(ln) == near[2]):
            counts[near[1]] += c
            continue
        r = region(ln) if ln is not None else None
        if r is not None and len(by_line[r]) == 1 and ln < decl[-1]:
            counts[by_line[r][0] + "*"] += c
        else:
            counts[f"interp.c:{ln}"] += c
    in_run = sum(per_pc.values())
    print(f"samples: {total}, in run(): {in_run} ({100.0 * in_run / total:.1f}%);"
          " * = code of that handler placed out of line")
    for name, c in counts.most_common(top):
        print(f"  {100.0 * c / total:6.2f}%  {name}")


if __name__ == "__main__":
    main()
