/*
 * Run-time objects: function, memory, table and global instances, module
 * instances, and the execution state of a call (value stack + frame stack).
 * Shared by instance.c (creates them), interp.c (runs code against them) and
 * api.c (the public wrappers).
 *
 * Ownership: an instance owns the objects it defines and its exec state; it
 * borrows the ones it imports (their owners must outlive it). Host-created
 * objects (wg_func_new_host, wg_memory_new, ...) are owned by their creator.
 */
#ifndef WG_WASM_RUNTIME_H
#define WG_WASM_RUNTIME_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "wasm/module.h"
#include "wasmgate/wasmgate.h"

/* One value-stack cell; see ir.h for how each type is stored. */
typedef union wg_cell {
    uint64_t u64;
    int64_t i64;
    uint32_t u32;
    int32_t i32;
    float f32;
    double f64;
    void *ref;
} wg_cell;

/* A function instance. */
struct wg_func {
    const wg_functype *type;        /* points into the module (wasm) or into host_type */
    wg_instance *inst;              /* owning instance; NULL for host functions */
    const wg_code_func *code;       /* wasm: compiled body; NULL for host functions */
    uint32_t index;                 /* wasm: function index in inst->module */
    wg_host_fn host;                /* host: the callback */
    void *host_data;                /* host: its userdata */
    wg_functype host_type;          /* host: owned copy of the signature */
};

/* A linear memory. The data area is reserved once (virtual address space) for
 * the largest size the memory may reach and committed as it grows, so `data`
 * does not move on grow in practice; code must still reload it after any call
 * that can grow memory (Lua's "Protect" rule). */
struct wg_memory {
    uint8_t *data;                  /* base address */
    uint64_t size;                  /* bytes accessible: pages * WG_PAGE_SIZE */
    uint64_t pages;
    uint64_t max_pages;             /* from the limits (WG_MAX_PAGES if none) */
    bool has_max;                   /* the type declared a maximum */
    uint64_t cap_bytes;             /* growth cap from wg_instance_opts, 0 = none */
    wg_budget *budget;              /* charged with size (wg_instance_opts.budget), or NULL */
    size_t reserved;                /* bytes of address space reserved at data */
    size_t committed;               /* bytes at data already readable and writable (>= size
                                     * when pooled: beyond size the explicit bounds checks,
                                     * not PROT_NONE, keep the guest out) */
};

struct wg_table {
    void **elems;                   /* [size]; wg_func * or externref; NULL = null */
    uint32_t size;
    uint32_t max;                   /* from the limits (WG_MAX_TABLE_SIZE if none) */
    bool has_max;
    uint8_t elem_type;              /* WG_FUNCREF or WG_EXTERNREF */
};

struct wg_global {
    wg_cell val;
    uint8_t type;                   /* wg_valtype */
    bool mut;
};

/* One activation on the frame stack (for returns and backtraces). */
typedef struct wg_frame {
    const uint32_t *ret_ip;         /* where the caller resumes */
    wg_cell *fp;                    /* the caller's frame pointer */
    const wg_func *func;            /* the callee running in this activation */
} wg_frame;

/* Execution state of one thread of wasm execution: owned by the instance whose
 * wg_func_call started it; cross-instance calls run on it too. */
typedef struct wg_exec {
    wg_cell *stack;                 /* value stack base */
    wg_cell *stack_end;             /* one past the last cell */
    wg_cell *sp;                    /* first free cell: where a re-entrant call's frame starts */
    wg_frame *frames;               /* frame stack */
    uint32_t nframes;               /* frames in use */
    uint32_t max_frames;            /* the call-depth limit */
    atomic_uint *interrupt;         /* non-zero: stop at the next call or back-edge */
    wg_trap *trap;                  /* where a trap is described (set by the caller of wg__interp_call) */
} wg_exec;

/* What a host function sees (wg_ctx_*). Lives on the interpreter's C stack. */
struct wg_ctx {
    wg_exec *exec;
    wg_instance *inst;              /* the calling instance */
    const wg_func *func;            /* the host function being called */
};

struct wg_instance {
    const wg_module *module;
    wg_func **funcs;                /* [module->nfuncs]: imports first, then own_funcs */
    wg_func *own_funcs;             /* [nfuncs - nimported_funcs] */
    wg_table **tables;              /* [module->ntables] */
    wg_table *own_tables;
    wg_memory **mems;               /* [module->nmems] */
    wg_memory *own_mems;
    wg_global **globals;            /* [module->nglobals] */
    wg_global *own_globals;
    bool *elem_dropped;             /* [module->nelems]: dropped (or active/declarative after init) */
    bool *data_dropped;             /* [module->ndatas] */
    wg_instance_opts opts;
    wg_exec exec;                   /* allocated on first call */
    atomic_uint interrupt;          /* see wg_instance_interrupt */
};

/* ---- interp.c ---- */

/* Runs f with its arguments in fp[0..nparams); on return the results are in
 * fp[0..nresults). fp must be inside ex's value stack with room checked by the
 * callee's entry. Host functions are called directly. Returns WG_TRAP_NONE, or
 * the trap code with ex->trap filled (message and backtrace).
 * `inst` is the instance whose exec this is (for wg_ctx). */
wg_trap_code wg__interp_call(wg_exec *ex, const wg_func *f, wg_cell *fp);

/* Evaluates a constant expression against an instance (its globals and
 * functions must already exist): numeric consts, ref.null, ref.func ->
 * inst->funcs[idx], global.get -> inst->globals[i]->val, and the
 * extended-const i32/i64 add/sub/mul. False if the expression is malformed
 * (cannot happen for a validated module). Implemented in interp.c. */
bool wg__constexpr_eval(const wg_instance *inst, const wg_constexpr *e, wg_cell *out);

/* ---- instance.c ---- */

/* Prepares inst->exec (stack and frames) if not yet done. False when out of memory. */
bool wg__exec_init(wg_instance *inst);

/* Memory growth used by memory.grow and wg_memory_grow: old pages, or -1. */
int64_t wg__memory_grow(wg_memory *mem, uint64_t delta);
/* Table growth used by table.grow: old size, or -1. */
int64_t wg__table_grow(wg_table *t, uint64_t delta, void *init);

/* Fills trap's message from its code (spec wording) and the backtrace from
 * ex's frames. Used by the interpreter when it stops. */
void wg__trap_fill(wg_exec *ex, wg_trap_code code, const char *host_msg);

#endif
