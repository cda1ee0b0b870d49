/*
 * wasmgate — public embedding API of the WebAssembly engine.
 *
 * Life cycle:
 *   bytes --wg_module_new--> wg_module   (decoded, validated, compiled; immutable;
 *                                          shareable by any number of threads)
 *   wg_module + wg_imports --wg_instance_new--> wg_instance (memories, tables,
 *                                          globals; used by one thread at a time)
 *   wg_instance_call / wg_func_call --> results or a trap (wg_trap)
 *
 * Errors are reported into a caller-owned wg_error (message with context, byte
 * offset); the library never prints. Every *_new has a matching *_free; freeing
 * NULL is a no-op. Nothing here uses global mutable state.
 */
#ifndef WASMGATE_H
#define WASMGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WG_VERSION "0.1.0"

/* ---- values ------------------------------------------------------------ */

/* Value types, numbered as in the binary format. */
typedef enum wg_valtype {
    WG_I32 = 0x7F,
    WG_I64 = 0x7E,
    WG_F32 = 0x7D,
    WG_F64 = 0x7C,
    WG_V128 = 0x7B,
    WG_FUNCREF = 0x70,
    WG_EXTERNREF = 0x6F,
} wg_valtype;

typedef struct wg_func wg_func;         /* a function instance (wasm or host) */
typedef struct wg_memory wg_memory;     /* a linear memory instance */
typedef struct wg_table wg_table;       /* a table instance */
typedef struct wg_global wg_global;     /* a global instance */
typedef struct wg_module wg_module;     /* a compiled module, immutable */
typedef struct wg_instance wg_instance; /* an instantiated module */
typedef struct wg_imports wg_imports;   /* what an instance's imports resolve to */
typedef struct wg_ctx wg_ctx;           /* the calling context of a host function */

/* A typed value. Floats travel as bit patterns so that NaN payloads survive. */
typedef struct wg_val {
    wg_valtype type;
    union {
        int32_t i32;
        int64_t i64;
        uint32_t f32_bits;
        uint64_t f64_bits;
        wg_func *funcref;  /* NULL is ref.null func */
        void *externref;   /* NULL is ref.null extern */
    } of;
} wg_val;

/* ---- errors and traps -------------------------------------------------- */

/* A load/link/instantiate error. Caller-owned; filled by the failing call. */
typedef struct wg_error {
    char message[512];  /* human-readable, with context ("section code, func 3, offset 0x1a: ...") */
    size_t offset;      /* byte offset in the module binary, or (size_t)-1 if none */
    int kind;           /* WG_ERR_* below */
} wg_error;

enum {
    WG_ERR_NONE = 0,
    WG_ERR_MALFORMED,     /* decoding failed (binary format) */
    WG_ERR_INVALID,       /* validation failed */
    WG_ERR_UNLINKABLE,    /* an import is missing or does not match */
    WG_ERR_TRAP,          /* instantiation trapped (segment out of bounds, start function) */
    WG_ERR_RESOURCE,      /* out of memory or an implementation limit */
    WG_ERR_BUDGET,        /* a wg_budget shared with other instances is used up */
};

/* Trap codes; WG_TRAP_LIST gives each its message, in the spec's wording. */
#define WG_TRAP_LIST(X)                                                          \
    X(NONE, "no trap")                                                           \
    X(UNREACHABLE, "unreachable")                                                \
    X(MEMORY_OOB, "out of bounds memory access")                                 \
    X(TABLE_OOB, "out of bounds table access")                                   \
    X(DIV_ZERO, "integer divide by zero")                                        \
    X(INT_OVERFLOW, "integer overflow")                                          \
    X(INVALID_CONVERSION, "invalid conversion to integer")                       \
    X(INDIRECT_TYPE, "indirect call type mismatch")                              \
    X(UNDEFINED_ELEMENT, "undefined element")                                    \
    X(UNINITIALIZED_ELEMENT, "uninitialized element")                            \
    X(STACK_EXHAUSTED, "call stack exhausted")                                   \
    X(INTERRUPTED, "interrupted")                                                \
    X(HOST, "host function trapped")                                             \
    X(EXIT, "exit")                                                              \
    X(OUT_OF_MEMORY, "out of memory")

typedef enum wg_trap_code {
#define WG_X_(name, msg) WG_TRAP_##name,
    WG_TRAP_LIST(WG_X_)
#undef WG_X_
    WG_TRAP_COUNT_
} wg_trap_code;

#define WG_BACKTRACE_MAX 32

/* One frame of a trap's backtrace, innermost first. */
typedef struct wg_trap_frame {
    const wg_module *module; /* NULL for a host function */
    uint32_t func_index;     /* function index in that module */
    const char *func_name;   /* from the name section or the export; NULL if unknown; owned by module */
} wg_trap_frame;

/* What stopped a call. code == WG_TRAP_NONE means the call returned normally.
 * WG_TRAP_EXIT is not an error: a host function (WASI proc_exit) ended the
 * run with exit_code. */
typedef struct wg_trap {
    wg_trap_code code;
    int exit_code;                  /* for WG_TRAP_EXIT */
    char message[256];              /* the spec's message, or the host's text */
    uint32_t nframes;               /* frames recorded (at most WG_BACKTRACE_MAX) */
    wg_trap_frame frames[WG_BACKTRACE_MAX];
} wg_trap;

/* The spec's message for a trap code. Never NULL. */
const char *wg_trap_message(wg_trap_code code);

/* Writes "error: wasm trap: MESSAGE\n" followed by one "  #N name" line per
 * frame into buf (always NUL-terminated). Returns the length it wanted. */
size_t wg_trap_format(const wg_trap *trap, char *buf, size_t size);

/* ---- modules ------------------------------------------------------------ */

typedef enum wg_extern_kind {
    WG_EXTERN_FUNC = 0,
    WG_EXTERN_TABLE = 1,
    WG_EXTERN_MEMORY = 2,
    WG_EXTERN_GLOBAL = 3,
} wg_extern_kind;

/* Limits of a memory (in 64 KiB pages) or a table (in elements). */
typedef struct wg_limits {
    uint64_t min;
    uint64_t max;  /* valid only if has_max */
    bool has_max;
} wg_limits;

/* A function signature as seen by the embedder; arrays are owned by the module. */
typedef struct wg_functype_view {
    uint32_t nparams, nresults;
    const uint8_t *params;   /* wg_valtype values */
    const uint8_t *results;
} wg_functype_view;

/* Describes one import or export. Strings are owned by the module, not NUL-safe:
 * use the lengths (names are UTF-8 and may hold any code point). */
typedef struct wg_extern_desc {
    const char *module; size_t module_len;  /* imports only; NULL for exports */
    const char *name; size_t name_len;
    wg_extern_kind kind;
    wg_functype_view func;      /* WG_EXTERN_FUNC */
    wg_limits limits;           /* WG_EXTERN_TABLE, WG_EXTERN_MEMORY */
    wg_valtype type;            /* WG_EXTERN_TABLE: element type; WG_EXTERN_GLOBAL: value type */
    bool mutable_;              /* WG_EXTERN_GLOBAL */
} wg_extern_desc;

/* Decodes, validates and compiles a module. The bytes are copied: the caller
 * may free them afterwards. Returns NULL and fills err on failure.
 * The result is immutable and may be shared by threads; free with wg_module_free
 * after every instance of it is freed. */
wg_module *wg_module_new(const uint8_t *bytes, size_t len, wg_error *err);
void wg_module_free(wg_module *m);

uint32_t wg_module_import_count(const wg_module *m);
uint32_t wg_module_export_count(const wg_module *m);
/* Fill *out with import/export i. Returns false if i is out of range. */
bool wg_module_import(const wg_module *m, uint32_t i, wg_extern_desc *out);
bool wg_module_export(const wg_module *m, uint32_t i, wg_extern_desc *out);

/* Summary for `wasmgate inspect`. */
typedef struct wg_module_info {
    uint32_t nfuncs;            /* defined functions (imports not counted) */
    uint32_t nimported_funcs;
    uint32_t ntypes, ntables, nmemories, nglobals, nelems, ndatas;
    bool has_start;
    uint32_t start;
    uint32_t ncustom;           /* custom sections, the name section included */
    size_t code_bytes;          /* size of the compiled internal code */
} wg_module_info;
void wg_module_get_info(const wg_module *m, wg_module_info *out);

/* Custom section i: name and payload, owned by the module. */
bool wg_module_custom_section(const wg_module *m, uint32_t i, const char **name,
                              size_t *name_len, const uint8_t **data, size_t *len);

/* Function name from the name section (or NULL). Index space includes imports. */
const char *wg_module_func_name(const wg_module *m, uint32_t func_index);

/* ---- host functions ----------------------------------------------------- */

/* A host function. Arguments arrive in slots[0..nparams), raw: i32 in the low
 * 32 bits, f32/f64 as bit patterns, references as pointers. Results are written to
 * slots[0..nresults) (they overlap the arguments). Return 0 to continue, or the
 * value of wg_ctx_trap / wg_ctx_exit to stop the guest. */
typedef int (*wg_host_fn)(wg_ctx *ctx, uint64_t *slots, void *userdata);

/* From inside a host function: stop the guest with a trap carrying msg (copied). */
int wg_ctx_trap(wg_ctx *ctx, const char *msg);
/* From inside a host function: end the run with an exit status (not an error). */
int wg_ctx_exit(wg_ctx *ctx, int status);
/* From inside a host function: stop the guest with *trap as it is (code,
 * message, exit status), for a host function that called back into wasm
 * (wg_func_call) and passes the trap of that call on: an interruption stays
 * WG_TRAP_INTERRUPTED, an exit stays WG_TRAP_EXIT. The backtrace is the
 * trap's frames followed by the frames of the calling guest. */
int wg_ctx_raise(wg_ctx *ctx, const wg_trap *trap);
/* The instance whose code called the host function. */
wg_instance *wg_ctx_instance(wg_ctx *ctx);
/* That instance's memory 0 (NULL if it has none). */
wg_memory *wg_ctx_memory(wg_ctx *ctx);

/* ---- stand-alone externs (for host modules like the spec's `spectest`) ---- */

/* A host function object; params/results are copied. Free with wg_func_free. */
wg_func *wg_func_new_host(const uint8_t *params, uint32_t nparams,
                          const uint8_t *results, uint32_t nresults,
                          wg_host_fn fn, void *userdata);
void wg_func_free(wg_func *f);
wg_functype_view wg_func_type(const wg_func *f);

/* A memory with the given limits (pages). NULL on failure. */
wg_memory *wg_memory_new(wg_limits limits);
void wg_memory_free(wg_memory *mem);
uint8_t *wg_memory_data(wg_memory *mem);     /* moves on grow: do not keep across calls */
size_t wg_memory_size(const wg_memory *mem); /* bytes */
/* Grows by delta pages; returns the old size in pages, or -1. */
int64_t wg_memory_grow(wg_memory *mem, uint64_t delta);

wg_table *wg_table_new(wg_valtype elem_type, wg_limits limits);
void wg_table_free(wg_table *t);
uint32_t wg_table_size(const wg_table *t);

wg_global *wg_global_new(wg_val value, bool mutable_);
void wg_global_free(wg_global *g);
wg_val wg_global_get(const wg_global *g);
void wg_global_set(wg_global *g, wg_val v);

/* ---- imports -------------------------------------------------------------- */

/* A set of named externs that instances import from. Borrowed objects (funcs,
 * memories, tables, globals, instances) must outlive every instance made with it.
 * It may own failed instances (see wg_instance_new): free it before their modules. */
wg_imports *wg_imports_new(void);
void wg_imports_free(wg_imports *im);
/* Each returns false only when out of memory. A later definition of the same
 * module::name replaces an earlier one. */
bool wg_imports_add_func(wg_imports *im, const char *module, const char *name, wg_func *f);
bool wg_imports_add_memory(wg_imports *im, const char *module, const char *name, wg_memory *m);
bool wg_imports_add_table(wg_imports *im, const char *module, const char *name, wg_table *t);
bool wg_imports_add_global(wg_imports *im, const char *module, const char *name, wg_global *g);
/* Convenience: a host function defined in one call (signature copied). */
bool wg_imports_add_host(wg_imports *im, const char *module, const char *name,
                         const uint8_t *params, uint32_t nparams,
                         const uint8_t *results, uint32_t nresults,
                         wg_host_fn fn, void *userdata);
/* Every export of inst becomes importable as module_name::export_name. */
bool wg_imports_add_instance(wg_imports *im, const char *module_name, wg_instance *inst);

/* An extern given by value: what one import resolves to
 * (wg_instance_new_externs), or one export of an instance
 * (wg_instance_export_at). */
typedef struct wg_extern {
    wg_extern_kind kind;
    union {
        wg_func *func;
        wg_table *table;
        wg_memory *memory;
        wg_global *global;
    } of;
} wg_extern;

/* ---- instances ------------------------------------------------------------ */

/* ---- resource pools ------------------------------------------------------- */

/* A pool of instance resources, owned by the embedder (there is no global
 * pool). An instance made with wg_instance_opts.pool takes its own linear
 * memories' address-space reservations and its execution stack (value stack
 * + frame array) from the pool, and wg_instance_free gives them back instead
 * of unmapping them. A memory given back is reset to zeros (memset when it is
 * small, else one madvise(MADV_DONTNEED) over the bytes it used), so the next
 * instance never sees the previous one's data; a reservation is reused by any later memory
 * whose reachable size (maximum, or the instance's max_memory_bytes) fits in
 * it. This removes the mmap/mprotect/munmap calls (and the cross-CPU TLB
 * shootdowns of munmap) from every instantiation.
 *
 * Thread-safe: any number of threads may create and free instances with one
 * pool at once (a mutex guards the idle lists; it is held for a few dozen
 * instructions). The pool must outlive every instance made with it, failed
 * instances adopted by a wg_imports included (free such imports first). */
typedef struct wg_pool wg_pool;

/* Pool options; zero means "the default". */
typedef struct wg_pool_opts {
    uint32_t max_idle_memories; /* idle reservations kept; default 64; more are unmapped */
    uint32_t max_idle_stacks;   /* idle execution stacks kept; default 64 */
    /* A memory of at most this many bytes is reset with memset instead of
     * madvise (default 256 KiB): no syscall and, above all, no TLB-shootdown
     * IPI to the other CPUs running this process, and its pages stay mapped
     * for the next instance (no page faults). Larger memories use madvise, so
     * an idle memory holds at most this much resident. */
    uint64_t memset_reset_max;
    bool madvise_only;          /* always madvise (measurements, tests) */
} wg_pool_opts;

/* Counters for tests and metrics (a snapshot). */
typedef struct wg_pool_stats {
    uint64_t memory_hits, memory_misses; /* memories taken from the pool / newly mapped */
    uint64_t stack_hits, stack_misses;   /* execution stacks likewise */
    uint32_t idle_memories, idle_stacks; /* held right now */
} wg_pool_stats;

/* A new, empty pool (opts may be NULL). NULL when out of memory. */
wg_pool *wg_pool_new(const wg_pool_opts *opts);
/* Unmaps everything idle and frees the pool. Every instance made with it must
 * be freed first. NULL is a no-op. */
void wg_pool_free(wg_pool *pool);
void wg_pool_get_stats(const wg_pool *pool, wg_pool_stats *out);

/* ---- memory budgets --------------------------------------------------------- */

/* A byte budget shared by many instances and by whatever else the embedder
 * charges to it (a server charges request bodies it buffers), owned by the
 * embedder. An instance made with wg_instance_opts.budget charges the size of
 * each of its linear memories: the initial size at instantiation (which fails
 * with WG_ERR_BUDGET if it does not fit) and every memory.grow (which returns
 * -1 to the guest if the growth does not fit); wg_instance_free gives the
 * bytes back. It bounds what guests may hold together, where
 * max_memory_bytes bounds each memory alone. Thread-safe (atomics, no lock). */
typedef struct wg_budget wg_budget;

/* A budget of limit bytes, none used. NULL when out of memory. */
wg_budget *wg_budget_new(uint64_t limit);
/* Frees it: every instance made with it must be freed first. NULL is a no-op. */
void wg_budget_free(wg_budget *b);
/* Takes bytes from the budget: false (nothing taken) if used + bytes would pass the limit. */
bool wg_budget_charge(wg_budget *b, uint64_t bytes);
/* Gives back bytes taken by wg_budget_charge. */
void wg_budget_release(wg_budget *b, uint64_t bytes);
uint64_t wg_budget_used(const wg_budget *b);
uint64_t wg_budget_limit(const wg_budget *b);

/* ---- interrupt handles ------------------------------------------------------ */

/* An interrupt flag that exists before the instance does: give it to
 * wg_instance_new through wg_instance_opts.interrupt and the instance (start
 * function included) checks it instead of its own flag, so a watchdog can stop
 * a start function that never returns. One handle may serve several instances
 * (e.g. all those of one request); it must outlive them. Set/clear/is_set are
 * atomic: any thread, any time. wg_instance_interrupt on such an instance sets
 * this handle. */
typedef struct wg_interrupt wg_interrupt;

wg_interrupt *wg_interrupt_new(void);           /* cleared; NULL when out of memory */
void wg_interrupt_free(wg_interrupt *intr);     /* NULL is a no-op */
void wg_interrupt_set(wg_interrupt *intr);
void wg_interrupt_clear(wg_interrupt *intr);
bool wg_interrupt_is_set(const wg_interrupt *intr);

/* Per-instance options; zero means "the default". */
typedef struct wg_instance_opts {
    uint64_t max_memory_bytes;  /* cap on each memory's growth (0: only the module's limits) */
    uint32_t max_call_depth;    /* frames; default 20000 */
    uint32_t stack_cells;       /* 8-byte value-stack cells; default 1 Mi */
    void *host_data;            /* for host functions: wg_instance_host_data() */
    bool skip_start;            /* do not run the start function */
    wg_pool *pool;              /* NULL: map and unmap per instance; see wg_pool */
    wg_interrupt *interrupt;    /* NULL: the instance's own flag; see wg_interrupt */
    wg_budget *budget;          /* NULL: none; memories charge their size to it (wg_budget) */
} wg_instance_opts;

/* Links imports (by module::name, checking kind, type and limits), allocates
 * memories, tables and globals, applies segments, runs the start function.
 * opts may be NULL. Returns NULL and fills err (kind UNLINKABLE or TRAP) on
 * failure; if the start function trapped, *trap (if non-NULL) says how.
 * Free with wg_instance_free, before freeing m.
 *
 * A failed instantiation can leave the failed instance reachable (the spec
 * keeps the effects of segments applied before the failing one, so its
 * functions may already sit in an imported table). In that case `imports`
 * adopts the failed instance and frees it in wg_imports_free: free imports
 * before the module, and keep it alive while such tables are in use. */
wg_instance *wg_instance_new(const wg_module *m, const wg_imports *imports,
                             const wg_instance_opts *opts, wg_error *err, wg_trap *trap);
void wg_instance_free(wg_instance *inst);

/* wg_instance_new with the imports given in the module's import order
 * (imports[i] satisfies wg_module_import(m, i)) instead of looked up by
 * name in a wg_imports map: for embedders that resolve imports themselves,
 * once per instantiation (component instantiation does, for every core
 * instance), without building a map. nimports must be the module's import
 * count. The same checks (kind, function type, limits, global type) and
 * the same errors ("incompatible import type M::N (...)").
 *
 * There is no map to adopt a failed instance whose functions may have
 * escaped (see wg_instance_new): when failed is non-NULL such an instance
 * is handed back through *failed (NULL otherwise) and the caller frees it
 * once nothing can reach it any more (with the objects it escaped into);
 * when failed is NULL it is freed at once. */
wg_instance *wg_instance_new_externs(const wg_module *m, const wg_extern *imports,
                                     uint32_t nimports, const wg_instance_opts *opts,
                                     wg_error *err, wg_trap *trap, wg_instance **failed);

const wg_module *wg_instance_module(const wg_instance *inst);
void *wg_instance_host_data(const wg_instance *inst);

/* Exports by name (NULL if absent or of another kind). Owned by the instance. */
wg_func *wg_instance_export_func(wg_instance *inst, const char *name);
wg_memory *wg_instance_export_memory(wg_instance *inst, const char *name);
wg_table *wg_instance_export_table(wg_instance *inst, const char *name);
wg_global *wg_instance_export_global(wg_instance *inst, const char *name);
/* Same, with an explicit length (names may contain NUL). kind selects the space. */
void *wg_instance_export(wg_instance *inst, const char *name, size_t len, wg_extern_kind kind);
/* The instance's memory 0, or NULL. */
wg_memory *wg_instance_memory(wg_instance *inst);
/* Export i of inst (the order of wg_module_export): no name lookup, for
 * embedders that resolved the index once. False if i is out of range. */
bool wg_instance_export_at(wg_instance *inst, uint32_t i, wg_extern *out);

/* Calls f (args must match its parameter types; results receives nresults
 * values). Runs on inst's execution stack: inst is the instance that owns the
 * stack and the interrupt flag (usually f's own). Returns true if the call
 * returned; false if it trapped or exited (see *trap, which must be non-NULL). */
bool wg_func_call(wg_instance *inst, const wg_func *f, const wg_val *args, uint32_t nargs,
                  wg_val *results, uint32_t nresults, wg_trap *trap);

/* Convenience: look up export `name` and call it. Unknown export: false with
 * trap->code == WG_TRAP_HOST and a message saying so. */
bool wg_instance_call(wg_instance *inst, const char *name, const wg_val *args, uint32_t nargs,
                      wg_val *results, uint32_t nresults, wg_trap *trap);

/* Safe to call from any thread at any time: the guest running on inst stops at
 * its next call or loop back-edge with WG_TRAP_INTERRUPTED. The flag stays set
 * until wg_instance_clear_interrupt. With opts.interrupt these act on (and
 * read) that handle. */
void wg_instance_interrupt(wg_instance *inst);
void wg_instance_clear_interrupt(wg_instance *inst);
/* Whether the interrupt flag is set: host functions that block (sleeps, reads
 * from pipes) poll it in short slices so that a timeout can end them. */
bool wg_instance_is_interrupted(const wg_instance *inst);

#ifdef __cplusplus
}
#endif
#endif
