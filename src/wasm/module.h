/*
 * The in-memory form of a WebAssembly module: what the decoder (decode.c)
 * produces, the validator/compiler (validate.c, compile.c) checks and
 * extends with internal code, and instances (instance.c) are made from.
 *
 * Invariants once wg_module_new has returned it:
 *   - every index in it is in range and every type matches (validated);
 *   - it is never written again, so any number of threads may share it;
 *   - it owns all its memory; `bytes` is a private copy of the binary and
 *     the `const uint8_t *` fields point into it.
 *
 * Index spaces (functions, tables, memories, globals) start with the imports
 * of that kind, in import order, followed by the module's own definitions.
 */
#ifndef WG_WASM_MODULE_H
#define WG_WASM_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/wasmgate.h"

/* Implementation limits (the spec allows an implementation to set these). */
#define WG_MAX_LOCALS 50000u       /* params + locals of one function */
#define WG_MAX_FUNC_PARAMS 1000u
#define WG_MAX_FUNC_RESULTS 1000u
#define WG_MAX_PAGES 65536u        /* 4 GiB of 32-bit memory */
#define WG_MAX_TABLE_SIZE 10000000u
#define WG_PAGE_SIZE 65536u

/* A function type. params and results point into one allocation owned by the module. */
typedef struct wg_functype {
    uint32_t nparams, nresults;
    uint8_t *params;   /* wg_valtype values */
    uint8_t *results;
} wg_functype;

typedef struct wg_tabletype {
    uint8_t elem_type;     /* WG_FUNCREF or WG_EXTERNREF */
    wg_limits limits;
} wg_tabletype;

typedef struct wg_globaltype {
    uint8_t type;          /* wg_valtype */
    bool mut;
} wg_globaltype;

/* One instruction of a constant expression (decoded: the opcode and its immediate). */
typedef struct wg_constop {
    uint8_t opcode;        /* 0x41 i32.const, 0x42 i64.const, 0x43 f32.const, 0x44 f64.const,
                              0xD0 ref.null, 0xD2 ref.func, 0x23 global.get,
                              0x6A/0x6B/0x6C i32.add/sub/mul, 0x7C/0x7D/0x7E i64.add/sub/mul
                              (extended-const; the validator rejects them unless enabled) */
    uint64_t imm;          /* the constant's bits, the ref type, or the index */
} wg_constop;

/* A constant expression, without its final `end`. */
typedef struct wg_constexpr {
    uint32_t nops;
    wg_constop *ops;
    size_t offset;         /* byte offset of the expression in the binary (for errors) */
} wg_constexpr;

typedef struct wg_import {
    const char *module; uint32_t module_len;   /* point into bytes; not NUL-terminated */
    const char *name; uint32_t name_len;
    uint8_t kind;          /* wg_extern_kind */
    uint32_t type_idx;     /* WG_EXTERN_FUNC: index into types */
    wg_tabletype table;    /* WG_EXTERN_TABLE */
    wg_limits mem;         /* WG_EXTERN_MEMORY (pages) */
    wg_globaltype global;  /* WG_EXTERN_GLOBAL */
} wg_import;

typedef struct wg_export {
    const char *name; uint32_t name_len;       /* points into bytes */
    uint8_t kind;          /* wg_extern_kind */
    uint32_t index;        /* in that kind's index space */
} wg_export;

typedef struct wg_global_def {
    wg_globaltype type;
    wg_constexpr init;
} wg_global_def;

enum { WG_SEG_ACTIVE = 0, WG_SEG_PASSIVE = 1, WG_SEG_DECLARATIVE = 2 };

typedef struct wg_elem {
    uint8_t mode;          /* WG_SEG_* */
    uint8_t elem_type;     /* WG_FUNCREF or WG_EXTERNREF */
    uint32_t table_idx;    /* active only */
    wg_constexpr offset;   /* active only */
    uint32_t nitems;
    wg_constexpr *items;   /* each yields one reference (function-index forms become ref.func) */
    size_t pos;            /* byte offset of the segment, for errors */
} wg_elem;

typedef struct wg_data {
    uint8_t mode;          /* WG_SEG_ACTIVE or WG_SEG_PASSIVE */
    uint32_t mem_idx;      /* active only */
    wg_constexpr offset;   /* active only */
    const uint8_t *bytes;  /* points into the module's bytes */
    uint32_t len;
    size_t pos;
} wg_data;

/* A run of locals of one type, as in the binary. */
typedef struct wg_local_run {
    uint32_t count;
    uint8_t type;
} wg_local_run;

/* A defined function's body as decoded (before compilation). */
typedef struct wg_body {
    uint32_t nruns;
    wg_local_run *runs;
    uint32_t nlocals;        /* sum of the runs (params not included) */
    const uint8_t *code;     /* the instruction bytes, final `end` included */
    uint32_t code_len;
    size_t offset;           /* byte offset of `code` in the binary */
} wg_body;

/* A defined function's compiled form (filled by compile.c; see ir.h). */
typedef struct wg_code_func {
    const uint32_t *code;    /* internal code; points into module->code */
    uint32_t code_len;       /* words */
    uint32_t nparams;
    uint32_t nresults;
    uint32_t nlocals;        /* params + declared locals: slots [nparams, nlocals) are zeroed on entry */
    uint32_t frame_size;     /* slots the frame needs: locals + deepest operand stack + call scratch */
    uint32_t type_idx;
} wg_code_func;

typedef struct wg_custom {
    const char *name; uint32_t name_len;
    const uint8_t *data; uint32_t len;
} wg_custom;

struct wg_module {
    uint8_t *bytes;          /* private copy of the binary */
    size_t len;

    uint32_t ntypes;
    wg_functype *types;

    uint32_t nimports;
    wg_import *imports;
    uint32_t nimported_funcs, nimported_tables, nimported_mems, nimported_globals;

    uint32_t nfuncs;         /* all functions: imported + defined */
    uint32_t *func_types;    /* [nfuncs] type index of every function, imports included */

    uint32_t ntables;        /* imported + defined */
    wg_tabletype *tables;    /* [ntables], imports included */

    uint32_t nmems;          /* imported + defined */
    wg_limits *mems;         /* [nmems], imports included */

    uint32_t nglobals;       /* imported + defined */
    wg_globaltype *global_types;  /* [nglobals], imports included */
    wg_global_def *globals;  /* [nglobals - nimported_globals] the defined ones */

    uint32_t nexports;
    wg_export *exports;

    bool has_start;
    uint32_t start;

    uint32_t nelems;
    wg_elem *elems;

    bool has_datacount;
    uint32_t datacount;
    uint32_t ndatas;
    wg_data *datas;

    uint32_t nbodies;        /* == nfuncs - nimported_funcs once validated */
    wg_body *bodies;

    uint32_t ncustoms;
    wg_custom *customs;

    /* From the `name` section (ignored if it is malformed, as the spec allows). */
    char *module_name;       /* NUL-terminated copy, or NULL */
    char **func_names;       /* [nfuncs] NUL-terminated copies or NULL entries; array may be NULL */

    /* Filled by the compiler. */
    uint32_t *code;          /* all internal code, one allocation */
    size_t code_words;
    wg_code_func *code_funcs;  /* [nfuncs - nimported_funcs] */
    bool *declared_funcs;    /* [nfuncs] function may be used by ref.func (C.refs) */
};

/* ---- decode.c ---- */

/* Decodes bytes (copied) into a new module; no validation beyond the binary
 * format. On failure returns NULL with err->kind == WG_ERR_MALFORMED and a message
 * in the spec's wording (e.g. "unexpected end", "integer too large") plus context. */
wg_module *wg__decode(const uint8_t *bytes, size_t len, wg_error *err);

/* Frees a module in any state of construction. */
void wg__module_free(wg_module *m);

/* ---- validate.c / compile.c ---- */

/* Validates the whole module and compiles every function body to internal
 * code. On failure returns false with err->kind WG_ERR_INVALID (or MALFORMED for
 * errors the binary format defines inside code, like an unknown opcode). */
bool wg__validate_and_compile(wg_module *m, wg_error *err);

/* compile.c: validates every function body and compiles it to internal code
 * (fills m->code, m->code_words, m->code_funcs). Requires module-level
 * validation to have passed and m->declared_funcs to be filled. */
bool wg__compile_functions(wg_module *m, wg_error *err);

/* Two function types are equal (same params and results). */
bool wg__functype_equal(const wg_functype *a, const wg_functype *b);

#endif
