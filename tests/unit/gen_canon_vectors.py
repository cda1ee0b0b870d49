#!/usr/bin/env python3
"""Generates tests/unit/canon_vectors.h from the Canonical ABI's executable
reference (definitions.py): the expected numbers test_canon_*.c compare the C
implementation with. Not run by the build or the tests (they use the
committed header); rerun it after changing the tables below:

    python3 tests/unit/gen_canon_vectors.py \
        ../shared/design/component-model/definitions.py > tests/unit/canon_vectors.h

Types are written in the small WIT-like syntax that tests/unit/canon_test_types.c
parses too (see there): u8, string, list<T>, list<T,N>, option<T>,
result<T,E> (_ for no type, bare `result`), tuple<..>, record{a:T,..},
variant{a(T),b,..}, enum{a,b}, flags{a,b}, own<slot>, borrow<slot>,
map<K,V>, stream<T>, future<T>, and repetition: enum#N, flags#N,
tuple#N<T>, variant#N<T> (N cases, each with payload T).
"""
import importlib.util
import sys

spec = importlib.util.spec_from_file_location("definitions", sys.argv[1])
d = importlib.util.module_from_spec(spec)
sys.modules['definitions'] = d
spec.loader.exec_module(d)
d.DETERMINISTIC_PROFILE = True

PRIMS = {
    'bool': d.BoolType, 's8': d.S8Type, 'u8': d.U8Type, 's16': d.S16Type, 'u16': d.U16Type,
    's32': d.S32Type, 'u32': d.U32Type, 's64': d.S64Type, 'u64': d.U64Type,
    'f32': d.F32Type, 'f64': d.F64Type, 'char': d.CharType, 'string': d.StringType,
    'error-context': d.ErrorContextType,
}


class Parser:
    def __init__(self, s):
        self.s, self.i = s, 0

    def peek(self, c):
        return self.s.startswith(c, self.i)

    def eat(self, c):
        assert self.peek(c), (self.s, self.i, c)
        self.i += len(c)

    def word(self):
        j = self.i
        while self.i < len(self.s) and (self.s[self.i].isalnum() or self.s[self.i] in '-_'):
            self.i += 1
        return self.s[j:self.i]

    def num(self):
        self.eat('#')
        return int(self.word())

    def types_until(self, close):
        ts = []
        while not self.peek(close):
            ts.append(self.type())
            if self.peek(','):
                self.eat(',')
        self.eat(close)
        return ts

    def opt(self):
        if self.peek('_'):
            self.eat('_')
            return None
        return self.type()

    def type(self):
        w = self.word()
        if w in PRIMS:
            return PRIMS[w]()
        if w == 'list':
            self.eat('<')
            t = self.type()
            n = None
            if self.peek(','):
                self.eat(',')
                n = int(self.word())
            self.eat('>')
            return d.ListType(t, n)
        if w == 'option':
            self.eat('<'); t = self.type(); self.eat('>')
            return d.OptionType(t)
        if w == 'result':
            if not self.peek('<'):
                return d.ResultType(None, None)
            self.eat('<'); a = self.opt(); self.eat(','); b = self.opt(); self.eat('>')
            return d.ResultType(a, b)
        if w == 'map':
            self.eat('<'); k = self.type(); self.eat(','); v = self.type(); self.eat('>')
            return d.MapType(k, v)
        if w == 'tuple':
            if self.peek('#'):
                n = self.num(); self.eat('<'); t = self.type(); self.eat('>')
                return d.TupleType([t] * n)
            self.eat('<')
            return d.TupleType(self.types_until('>'))
        if w == 'record':
            self.eat('{')
            fs = []
            while not self.peek('}'):
                name = self.word(); self.eat(':')
                fs.append(d.FieldType(name, self.type()))
                if self.peek(','):
                    self.eat(',')
            self.eat('}')
            return d.RecordType(fs)
        if w == 'variant':
            if self.peek('#'):
                n = self.num(); self.eat('<'); t = self.opt(); self.eat('>')
                return d.VariantType([d.CaseType('c%d' % i, t) for i in range(n)])
            self.eat('{')
            cs = []
            while not self.peek('}'):
                name = self.word()
                t = None
                if self.peek('('):
                    self.eat('('); t = self.type(); self.eat(')')
                cs.append(d.CaseType(name, t))
                if self.peek(','):
                    self.eat(',')
            self.eat('}')
            return d.VariantType(cs)
        if w in ('enum', 'flags'):
            if self.peek('#'):
                labels = ['l%d' % i for i in range(self.num())]
            else:
                self.eat('{')
                labels = []
                while not self.peek('}'):
                    labels.append(self.word())
                    if self.peek(','):
                        self.eat(',')
                self.eat('}')
            return d.EnumType(labels) if w == 'enum' else d.FlagsType(labels)
        if w in ('own', 'borrow'):
            self.eat('<'); self.word(); self.eat('>')
            return d.OwnType(None) if w == 'own' else d.BorrowType(None)
        if w in ('stream', 'future'):
            t = None
            if self.peek('<'):
                self.eat('<'); t = self.type(); self.eat('>')
            return d.StreamType(t) if w == 'stream' else d.FutureType(t)
        raise ValueError('bad type ' + self.s)


def parse(s):
    p = Parser(s)
    t = p.type()
    assert p.i == len(s), s
    return t


FLAT = {'i32': 'i', 'i64': 'I', 'f32': 'f', 'f64': 'F'}

LAYOUT_TYPES = [
    'bool', 's8', 'u8', 's16', 'u16', 's32', 'u32', 's64', 'u64', 'f32', 'f64', 'char',
    'string', 'error-context', 'own<0>', 'borrow<0>', 'stream<u8>', 'future', 'list<u8>',
    'list<string>', 'list<u8,3>', 'list<u64,2>', 'list<string,2>', 'list<list<u16,3>,2>',
    'list<u8,17>', 'list<u32,16>', 'list<tuple<u8,u16>,5>',
    'record{a:u8,b:u16,c:u32}', 'record{a:u8,b:u64}', 'record{a:u64,b:u8}',
    'record{a:u8,b:u8,c:u8}', 'record{a:u16,b:u8}', 'record{a:string,b:u8}',
    'record{a:f32,b:f64,c:u8}', 'record{a:record{x:u8,y:u32},b:u8}', 'tuple<u8,u16,u8,u32>',
    'tuple<tuple<u16,u8>,u8>', 'tuple#16<u8>', 'tuple#17<u8>', 'tuple#8<string>',
    'tuple#9<string>', 'enum{a}', 'enum{a,b,c}', 'enum#256', 'enum#257', 'enum#65536',
    'enum#65537', 'flags{a}', 'flags#8', 'flags#9', 'flags#16', 'flags#17', 'flags#32',
    'option<u8>', 'option<u64>', 'option<string>', 'option<f32>', 'option<option<u8>>',
    'option<tuple<u8,u64>>', 'result', 'result<u8,_>', 'result<_,u32>', 'result<u8,u32>',
    'result<u64,u8>', 'result<f32,u32>', 'result<f32,f64>', 'result<u32,f64>',
    'result<f32,u64>', 'result<string,u64>', 'result<tuple<u8,f32>,tuple<f64,u8>>',
    'variant{a(u8),b(f32),c}', 'variant{a(u16),b(tuple<u8,u8,u8>)}', 'variant#257<u8>',
    'variant#257<u32>', 'variant#65537<u8>', 'variant#3<_>', 'variant{a(tuple#15<u8>),b}',
    'variant{a(tuple#16<u8>),b}', 'variant{a(f32),b(f64),c(s64),d(u32)}',
    'variant{a(list<u8,2>),b(string)}', 'map<u8,u16>', 'map<string,u64>',
    'list<map<u8,u16>>', 'option<map<u8,u8>>', 'record{a:u8,b:list<u32,3>,c:u8}',
    'record{a:option<u8>,b:result<u16,u64>}', 'tuple<char,bool,flags#20,enum#3>',
]

FUNCTYPES = [  # params separated by ';'
    ('u8;f32;f64', None), ('u8;f32;f64', 'f32'), ('u8;f32;f64', 'u8'),
    ('u8;f32;f64', 'tuple<f32>'), ('u8;f32;f64', 'tuple<f32,f32>'), ('', 'string'),
    ('string', ''), ('tuple#16<u8>', 'u8'), ('tuple#17<u8>', 'u8'),
    (';'.join(['u8'] * 16), None), (';'.join(['u8'] * 17), 'option<u8>'),
    (';'.join(['string'] * 8), 'u64'), (';'.join(['string'] * 8 + ['u8']), 'list<u8>'),
    ('result<u8,f32>', 'result<_,_>'), ('option<u8>', 'result'),
]


def cstr(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'


def flat_str(ts):
    return ''.join(FLAT[t] for t in ts)


def layout_rows():
    out = []
    for s in LAYOUT_TYPES:
        t = parse(s)
        row = []
        for at in ('i32', 'i64'):
            opts = d.LiftLowerOptions(memory=d.MemInst(bytearray(), at))
            flat = d.flatten_type(t, opts)
            n = len(flat) if len(flat) <= 16 else 17
            row.append((d.elem_size(t, at), d.alignment(t, at), n,
                        flat_str(flat) if n <= 16 else ''))
        out.append('    {%s, {%d, %d}, {%d, %d}, {%d, %d}, {%s, %s}},' % (
            cstr(s), row[0][0], row[1][0], row[0][1], row[1][1], row[0][2], row[1][2],
            cstr(row[0][3]), cstr(row[1][3])))
    return out


def functype_rows():
    out = []
    for params, result in FUNCTYPES:
        ps = [parse(p) for p in params.split(';')] if params else []
        rs = [parse(result)] if result else []
        ft = d.FuncType([d.FieldType('p%d' % i, t) for i, t in enumerate(ps)], rs)
        ft.param_types = lambda ps=ps: ps
        ft.result_type = lambda rs=rs: rs
        for at in ('i32', 'i64'):
            opts = d.CanonicalOptions(memory=d.MemInst(bytearray(), at))
            lift = d.flatten_functype(opts, ft, 'lift')
            lower = d.flatten_functype(opts, ft, 'lower')
            out.append('    {%s, %s, %d, %s, %s, %s, %s},' % (
                cstr(params), cstr(result or ''), at == 'i64', cstr(flat_str(lift.params)),
                cstr(flat_str(lift.results)), cstr(flat_str(lower.params)),
                cstr(flat_str(lower.results))))
    return out


class Heap:
    """run_tests.py's Heap, recording each realloc call."""
    def __init__(self, n):
        self.memory = bytearray(n)
        self.last_alloc = 0
        self.calls = []

    def realloc(self, args):
        original_ptr, original_size, alignment, new_size = args
        if original_ptr != 0 and new_size < original_size:
            ret = d.align_to(original_ptr, alignment)
            self.calls.append((original_ptr, original_size, alignment, new_size, ret))
            return [ret]
        ret = d.align_to(self.last_alloc, alignment)
        self.last_alloc = ret + new_size
        if self.last_alloc > len(self.memory):
            d.trap()
        self.memory[ret:ret + original_size] = self.memory[original_ptr:original_ptr + original_size]
        self.calls.append((original_ptr, original_size, alignment, new_size, ret))
        return [ret]


def mk_cx(mem, enc, realloc=None):
    opts = d.CanonicalOptions()
    opts.memory = mem
    opts.string_encoding = enc
    opts.realloc = realloc
    inst = d.ComponentInstance(d.Store())
    return d.LiftLowerContext(opts, inst)


ENCS = {'utf8': 'WG_CANON_UTF8', 'utf16': 'WG_CANON_UTF16', 'latin1+utf16': 'WG_CANON_LATIN1_UTF16'}
STRINGS = ['', 'a', 'hi', '\x00', 'a\x00b', '\x80', '\x80b', 'ab\xefc', '\u01ffy', 'xy\u01ff',
           'a\ud7ffb', 'a\u02ff\u03ff\u04ffbc', '\uf123', '\uf123\uf123abc', 'abcdef\uf123',
           'h\xf6\u2603\U0001f370', 'ok\u2603\U0001f370', '\U0001f370', 'abc\xff', '\xe0\xe0']


def hexs(b):
    return cstr(''.join('%02x' % x for x in b))


def string_rows():
    """Lift s from memory in src encoding, lower it into a Heap in dst
    encoding: the realloc calls and the bytes written."""
    out = []
    for at in ('i32', 'i64'):
        tag = d.utf16_tag(at)
        for src in ENCS:
            for dst in ENCS:
                for s in STRINGS:
                    forms = []
                    if src == 'utf8':
                        forms.append((s.encode('utf-8'), len(s.encode('utf-8'))))
                    elif src == 'utf16':
                        e = s.encode('utf-16-le')
                        forms.append((e, len(e) // 2))
                    else:
                        try:
                            e = s.encode('latin-1')
                            forms.append((e, len(e)))
                        except UnicodeEncodeError:
                            pass
                        e = s.encode('utf-16-le')
                        forms.append((e, len(e) // 2 | tag))
                    for encoded, tagged in forms:
                        src_mem = d.MemInst(bytearray(encoded), at)
                        v = d.lift_flat(mk_cx(src_mem, src), d.CoreValueIter([0, tagged]),
                                        d.StringType())
                        heap = Heap(5 * max(len(encoded), 1) + 16)
                        cx = mk_cx(d.MemInst(heap.memory, at), dst, heap.realloc)
                        ptr, units = d.lower_flat(cx, v, d.StringType())
                        if dst == 'utf8':
                            nbytes = units
                        elif dst == 'utf16':
                            nbytes = 2 * units
                        else:
                            nbytes = 2 * (units ^ tag) if units & tag else units
                        calls = ', '.join('{%du, %du, %du, %du, %du}' % c for c in heap.calls)
                        out.append('    {%d, %s, %s, %s, %dull, %d, %du, %dull, %s, %d, {%s}},' % (
                            at == 'i64', ENCS[src], ENCS[dst], hexs(encoded), tagged,
                            len(heap.memory), ptr, units, hexs(heap.memory[ptr:ptr + nbytes]),
                            len(heap.calls), calls))
    return out


# Memory contents whose lifting must trap in the reference (and in C).
BAD_STRINGS = [
    ('utf8', 'ff'), ('utf8', 'c3'), ('utf8', 'e282'), ('utf8', 'c328'), ('utf8', 'eda080'),
    ('utf8', 'f4908080'), ('utf8', 'c0af'), ('utf8', 'f0908028'), ('utf8', '61e2'),
    ('utf16', '00d8'), ('utf16', '00dc'), ('utf16', '00d84100'), ('utf16', '4100ffdb'),
    ('latin1+utf16', '00d8', 0x80000001),
]


def bad_string_rows():
    out = []
    for row in BAD_STRINGS:
        enc, hx = row[0], row[1]
        b = bytes.fromhex(hx)
        tagged = row[2] if len(row) > 2 else (len(b) if enc == 'utf8' else len(b) // 2)
        try:
            d.lift_flat(mk_cx(d.MemInst(bytearray(b), 'i32'), enc), d.CoreValueIter([0, tagged]),
                        d.StringType())
            trapped = 0
        except d.Trap:
            trapped = 1
        assert trapped, row
        out.append('    {%s, %s, %du},' % (ENCS[enc], cstr(hx), tagged))
    return out


def main():
    print('/* Generated by tests/unit/gen_canon_vectors.py from the Canonical ABI reference')
    print(' * (definitions.py); do not edit. */')
    print('#ifndef CANON_VECTORS_H\n#define CANON_VECTORS_H\n')
    print('/* Layouts: elem_size, alignment, flatten_type for i32 [0] and i64 [1]')
    print(' * memories; flat letters i=i32 I=i64 f=f32 F=f64; nflat 17: more than 16. */')
    print('static const struct layout_vec {\n    const char *type;\n    uint32_t size[2], align[2], nflat[2];')
    print('    const char *flat[2];\n} LAYOUT_VECS[] = {')
    print('\n'.join(layout_rows()))
    print('};\n')
    print('/* flatten_functype: params (types separated by ;) and result, the lift and')
    print(' * lower core signatures. */')
    print('static const struct functype_vec {\n    const char *params, *result;\n    int mem64;')
    print('    const char *lift_params, *lift_results, *lower_params, *lower_results;')
    print('} FUNCTYPE_VECS[] = {')
    print('\n'.join(functype_rows()))
    print('};\n')
    print('/* Strings lifted from memory (hex bytes at 0, tagged code units) in one')
    print(' * encoding and lowered into a run_tests.py Heap of heap_size bytes in')
    print(' * another: the (ptr, tagged units) result, the bytes at ptr, and every')
    print(' * realloc call {old_ptr, old_size, align, new_size, returned}. */')
    print('static const struct string_vec {\n    int mem64;\n    wg_canon_enc src, dst;')
    print('    const char *in_hex;\n    uint64_t in_tagged;\n    uint32_t heap_size;')
    print('    uint64_t out_ptr, out_tagged;\n    const char *out_hex;\n    uint32_t ncalls;')
    print('    uint64_t calls[4][5];\n} STRING_VECS[] = {')
    print('\n'.join(string_rows()))
    print('};\n')
    print('/* Memory contents (hex at 0, tagged units) whose lifting traps. */')
    print('static const struct bad_string_vec {\n    wg_canon_enc enc;\n    const char *hex;')
    print('    uint64_t tagged;\n} BAD_STRING_VECS[] = {')
    print('\n'.join(bad_string_rows()))
    print('};\n\n#endif')


main()
