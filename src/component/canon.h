/*
 * The Canonical ABI (CanonicalABI.md; executable reference definitions.py):
 * moving component values (wg_cval trees, include/wasmgate/component.h)
 * between their WIT types (ctype.h) and core Wasm values and linear memory;
 * resource handles; the synchronous `canon lift` / `canon lower` call
 * sequences. Async (streams, futures, error-context, tasks) is not supported
 * yet: a value of those types traps with a "not supported yet" message.
 *
 * Design
 * ------
 * Values cross the ABI through the wg_cval tree, whoever is on the other side:
 * a host (embedding API, WASI) calls `lift` functions and gets a tree, and
 * hands a tree to `lower` functions; a component-to-component call lifts in
 * the caller's instance and lowers the same tree into the callee's (the
 * reference does the same with Python values). Strings in a tree are UTF-8;
 * a lifted string remembers the encoding it had (wg_cval.str_enc) so lowering
 * sizes its realloc calls exactly as the reference's (encoding, code units).
 *
 * One shortcut, invisible to guests: in a guest-to-guest call, UTF-8
 * strings and lists of plain elements (no pointer or handle inside) are
 * lifted as views into the source memory (validated at the lift) and copied
 * memory to memory when lowered, writing exactly what the tree would
 * (canon_plain.c; test_canon_fused.c holds the two paths to the same
 * bytes). Hosts only ever see trees.
 *
 * The call sequences (wg__canon_call_lifted / _lowered / _export) follow
 * definitions.py step by step, with the caller's side of a call as a
 * wg_canon_io (the reference's on_start / on_resolve): the callee is
 * entered before the arguments are lifted, and the result reaches the
 * caller before the callee's post-return. The instantiation code binds a
 * `canon lift` to a wg_canon_lifted and a `canon lower` to a
 * wg_canon_lowered whose callee is a host function or another lifted
 * function; realloc, post-return, destructors and lifted core functions are
 * wg_canon_core callbacks it makes call into the engine.
 *
 * Who is who (names as in definitions.py):
 *   wg_canon_inst   ComponentInstance: the handle table, may_enter/may_leave,
 *                   the parent instance, and the resource-slot map (ctype.h:
 *                   own/borrow name a slot; rtypes[slot] is the runtime type
 *                   bound to it when the instance was created).
 *   wg_rtype        ResourceType: a destructor, the implementing instance
 *                   (NULL for a host resource), a name for messages (rtype.h).
 *   wg_canon_opts   CanonicalOptions of one canon lift/lower: string encoding,
 *                   memory (a getter: the base moves when memory grows, so it
 *                   is re-read after every callback), pointer width (memory64),
 *                   realloc and post-return (core-function callbacks).
 *   wg_canon_call   the borrow scope of one call: Task.num_borrows for the
 *                   callee side, Subtask.lenders for the caller side.
 *   wg_canon_cx     LiftLowerContext: options + instance + scope + the trap to
 *                   fill, and the cached memory view.
 *
 * Core values travel as uint64_t slots, as for wg_host_fn: an i32 in the low
 * 32 bits (high bits ignored on input, zero on output), f32/f64 as bit
 * patterns.
 *
 * Failures: every operation returns false after filling *cx->trap (or the
 * wg_trap * it is given). Guest errors are traps with the reference tests'
 * messages (code WG_TRAP_HOST, the text in message); callback traps (a guest
 * realloc hitting `unreachable`) come back as the callback filled them;
 * allocation failure is WG_TRAP_OUT_OF_MEMORY. A host value that does not
 * match its type (wrong kind, integer out of range, enum case out of range,
 * invalid UTF-8, wrong resource type, ...) fails the same way with
 * cx->bad_value set and a message starting "invalid value: ", so the
 * embedding API can report it as the host's error rather than the guest's.
 * Values lifted before a failure are freed; nothing leaks on any path. Once
 * an instance trapped it must not be entered again (the reference's traps
 * poison the instance); the structures stay memory-safe if it is.
 *
 * Threads: an instance and everything here is used by one thread at a time,
 * like a core wg_instance. No global state.
 */
#ifndef WG_COMPONENT_CANON_H
#define WG_COMPONENT_CANON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "component/ctype.h"
#include "wasmgate/component.h"
#include "wasmgate/wasmgate.h"

/* ---- limits (definitions.py) --------------------------------------------- */

#define WG_CANON_MAX_FLAT_PARAMS 16
#define WG_CANON_MAX_FLAT_RESULTS 1
#define WG_CANON_MAX_STRING_BYTES ((1u << 28) - 1) /* MAX_STRING_BYTE_LENGTH */
#define WG_CANON_MAX_LIST_BYTES ((1u << 28) - 1)   /* MAX_LIST_BYTE_LENGTH */
#define WG_CANON_TABLE_MAX ((1u << 28) - 1)        /* Table.MAX_LENGTH */

/* ---- callbacks --------------------------------------------------------------- */

/* A core function (realloc, post-return, a destructor, a lifted callee): the
 * arguments in slots[0..nargs), the results written to slots[0..nresults)
 * (slots has room for both). True when it returned; false when it trapped,
 * with *trap filled. The instantiation code makes these call guest functions
 * through the engine (wg_func_call). */
typedef bool (*wg_canon_core_fn)(void *data, uint64_t *slots, uint32_t nargs,
                                 uint32_t nresults, wg_trap *trap);
typedef struct wg_canon_core {
    wg_canon_core_fn fn; /* NULL: none */
    void *data;
} wg_canon_core;

/* The memory a canon lift/lower names: returns its base and sets *size (bytes). */
typedef uint8_t *(*wg_canon_mem_fn)(void *data, uint64_t *size);

typedef enum wg_canon_enc {
    WG_CANON_UTF8 = 0,
    WG_CANON_UTF16,
    WG_CANON_LATIN1_UTF16,
} wg_canon_enc;

/* CanonicalOptions. Fields a function type does not need may be left zero
 * (validation guarantees memory/realloc where lifting or lowering needs them;
 * a missing one is reported as a trap, never dereferenced). */
typedef struct wg_canon_opts {
    wg_canon_enc enc;
    bool mem64;                 /* the memory is 64-bit: pointers are i64 (layout[1]) */
    wg_canon_mem_fn memory;     /* NULL: no memory option */
    void *memory_data;
    wg_canon_core realloc;      /* (old_ptr, old_size, align, new_size) -> ptr */
    wg_canon_core post_return;  /* canon lift only: called with the flat results */
} wg_canon_opts;

/* ---- instances, handle tables --------------------------------------------------- */

/* One entry of a handle table (ResourceHandle); rt NULL: a free slot. */
typedef struct wg_canon_handle {
    const wg_rtype *rt;
    uint32_t rep;
    uint32_t num_lends;
    uint32_t next_free;             /* free slots: the next one on the free list */
    bool own;
    struct wg_canon_call *scope;    /* borrow handles: the call that lent it (Task) */
} wg_canon_handle;

/* Table: index 0 is reserved; freed indices are reused last-freed first. */
typedef struct wg_canon_table {
    wg_canon_handle *a;
    uint32_t len, cap;              /* a[0..len) exist; a[0] is never used */
    uint32_t free_top;              /* 0: the free list is empty */
    uint32_t max_len;               /* WG_CANON_TABLE_MAX; tests lower it */
} wg_canon_table;

typedef struct wg_canon_inst {
    wg_canon_table handles;
    struct wg_canon_inst *parent;   /* the enclosing component instance, or NULL */
    bool may_enter, may_leave;
    const wg_rtype *const *rtypes;  /* resource slot -> runtime type */
    uint32_t nrtypes;
} wg_canon_inst;

/* An instance with an empty table, may_enter and may_leave set. */
void wg__canon_inst_init(wg_canon_inst *inst, wg_canon_inst *parent,
                         const wg_rtype *const *rtypes, uint32_t nrtypes);
/* Frees the table (no destructors run: the reference has no instance teardown). */
void wg__canon_inst_fini(wg_canon_inst *inst);

/* Table operations (Table.get/add/remove) with the reference's traps. */
wg_canon_handle *wg__canon_table_get(wg_canon_table *t, uint32_t i, wg_trap *trap);
bool wg__canon_table_add(wg_canon_table *t, const wg_canon_handle *h, uint32_t *index,
                         wg_trap *trap);
bool wg__canon_table_remove(wg_canon_table *t, uint32_t i, wg_canon_handle *out,
                            wg_trap *trap);

/* ---- reentrance (ComponentInstance.may_enter_from / enter_from / leave_to) --- */

/* Enters callee from caller (NULL: the host): traps "cannot enter component
 * instance" unless every instance in callee's entering set may be entered,
 * then clears their may_enter. An instance calling its own lifted function
 * has an empty entering set and would get in, as in the reference; wasmtime
 * traps instead, and so does wasmgate: the instantiation code refuses that
 * call before it gets here (cinst_canon.c, wg__ci_call_func). */
bool wg__canon_enter(wg_canon_inst *callee, wg_canon_inst *caller, wg_trap *trap);
void wg__canon_leave(wg_canon_inst *callee, wg_canon_inst *caller);
/* Traps "cannot leave component instance" when inst may not call out (it is
 * inside realloc or post-return). For import calls and built-ins. */
bool wg__canon_check_leave(const wg_canon_inst *inst, wg_trap *trap);

/* ---- borrow scopes ------------------------------------------------------------ */

typedef struct wg_canon_call {
    uint32_t num_borrows;           /* Task: borrow handles lowered into the callee */
    wg_canon_inst *lender_inst;     /* Subtask: where the lent handles live */
    uint32_t *lenders;              /* Subtask: indices of the lent handles */
    uint32_t nlenders, cap;
    uint32_t small[4];
} wg_canon_call;

void wg__canon_call_init(wg_canon_call *c);
/* Subtask.deliver_resolve: gives back every lent handle. */
void wg__canon_call_release(wg_canon_call *c);
/* Task.return_'s check: traps "borrow handles still remain at the end of the
 * call" when the callee did not drop every borrow it was given (and detaches
 * those handles from c, which is about to go away). */
bool wg__canon_call_end(wg_canon_call *c, wg_canon_inst *callee, wg_trap *trap);
/* Releases what c holds (after release/end, or on a trap path). */
void wg__canon_call_fini(wg_canon_call *c);

/* ---- the lifting/lowering context ------------------------------------------- */

typedef struct wg_canon_cx {
    const wg_canon_opts *opts;
    wg_canon_inst *inst;
    wg_canon_call *scope;           /* NULL outside a call (borrows then trap) */
    wg_trap *trap;                  /* filled on failure */
    bool bad_value;                 /* the failure was a host value not matching its type */
    /* Set by the call sequences for a guest-to-guest call, never for a
     * value a host will see: views lifts a UTF-8 string or a list of plain
     * elements as a view into this memory (validated, not copied: see
     * canon_plain.c), and trusted skips re-checking lifted values when
     * lowering them (resources are checked still). */
    bool views, trusted;
    /* The memory view, re-read after every callback. */
    uint8_t *mem;
    uint64_t mem_size;
} wg_canon_cx;

void wg__canon_cx_init(wg_canon_cx *cx, const wg_canon_opts *opts, wg_canon_inst *inst,
                       wg_canon_call *scope, wg_trap *trap);

/* flatten_functype: the core signature of a lifted ('lift': the core function
 * called) or lowered ('lower': the core function given to the guest) function. */
#define WG_CANON_FLAT_MAX_PARAMS (WG_CANON_MAX_FLAT_PARAMS + 1)
typedef struct wg_canon_flat_sig {
    uint32_t nparams, nresults;
    uint8_t params[WG_CANON_FLAT_MAX_PARAMS]; /* WG_I32 ... */
    uint8_t results[WG_CANON_MAX_FLAT_RESULTS];
    bool params_in_memory;          /* params spilled: params[0] is a pointer */
    bool results_in_memory;         /* results spilled: a pointer (lift: the
                                       result; lower: an extra last param) */
} wg_canon_flat_sig;
typedef enum wg_canon_side { WG_CANON_SIDE_LIFT, WG_CANON_SIDE_LOWER } wg_canon_side;
void wg__canon_flatten_functype(const wg_cfunctype *ft, bool mem64, wg_canon_side side,
                                wg_canon_flat_sig *out);

/* lift_flat_values: lifts the values of types ts[0..n) (fields: a function's
 * params, or one result) from flat[0..nflat): flat when they flatten to at
 * most max_flat core values, else from the tuple flat[0] points to. out[0..n)
 * receive the values (freed again on failure). *used (may be NULL) is the
 * number of slots consumed (the lower side finds its return pointer next). */
bool wg__canon_lift_values(wg_canon_cx *cx, uint32_t max_flat, const wg_cfield *ts,
                           uint32_t n, const uint64_t *flat, uint32_t nflat,
                           wg_cval *out, uint32_t *used);

/* lower_flat_values: lowers vals[0..n) of types ts into flat (room for
 * max_flat slots, at least 1), *nflat set. Past max_flat the values go to
 * memory: at *out_param when given (the caller's return pointer, canon
 * lower), else in a block allocated through realloc whose pointer is the one
 * flat value (canon lift). */
bool wg__canon_lower_values(wg_canon_cx *cx, uint32_t max_flat, const wg_cfield *ts,
                            uint32_t n, const wg_cval *vals, uint64_t *flat,
                            uint32_t *nflat, const uint64_t *out_param);

/* load / store: one value of type t at ptr (alignment and bounds trap). */
bool wg__canon_load(wg_canon_cx *cx, uint64_t ptr, const wg_ctype *t, wg_cval *out);
bool wg__canon_store(wg_canon_cx *cx, const wg_cval *v, const wg_ctype *t, uint64_t ptr);

/* ---- resource built-ins (canon resource.new / resource.rep / resource.drop) - */

bool wg__canon_resource_new(wg_canon_inst *inst, const wg_rtype *rt, uint32_t rep,
                            uint32_t *index, wg_trap *trap);
bool wg__canon_resource_rep(wg_canon_inst *inst, const wg_rtype *rt, uint32_t index,
                            uint32_t *rep, wg_trap *trap);
/* Drops handle index of inst: an own runs rt's destructor (entering its
 * implementing instance as the reference's lift/lower pair does); a borrow
 * ends its loan to the call it came with. */
bool wg__canon_resource_drop(wg_canon_inst *inst, const wg_rtype *rt, uint32_t index,
                             wg_trap *trap);

/* ---- synchronous calls (canon lift / canon lower) ------------------------------ */

typedef struct wg_canon_lowered wg_canon_lowered;

/* The caller's side of a call in progress: the reference's on_start /
 * on_resolve pair. A callee (a lifted function, or a host function) asks
 * for its arguments with wg__canon_io_start once it has been entered, and
 * hands its result back with wg__canon_io_resolve before its post-return:
 * for a guest caller that is when the arguments are lifted from, and the
 * result lowered into, the caller's memory, so every trap comes in the
 * reference's order. For a host caller the values just pass through. */
typedef struct wg_canon_io {
    wg_trap *trap;
    bool started, resolved;
    /* a host caller */
    const wg_cval *host_args;
    uint32_t host_nargs;
    wg_cval *host_result;
    /* a guest caller (canon lower) */
    const wg_canon_lowered *lowered;
    wg_canon_call sub;              /* the lends of its borrowed handles */
    wg_canon_cx cx;
    uint64_t *slots;
    uint32_t nargs, nresults;
    uint64_t retptr;
    wg_cval *args;                  /* lifted; owned here */
    wg_cval small[8];
    bool guest_to_guest;            /* set by a lifted callee: views and trust allowed */
} wg_canon_io;

/* on_start: *args[0..*nargs) are the arguments (owned by io; own handles
 * in them are the callee's to keep). Once only. */
bool wg__canon_io_start(wg_canon_io *io, const wg_cval **args, uint32_t *nargs);
/* on_resolve: delivers *result (NULL or an empty bool when the function has
 * none), which it consumes (left an empty bool). Once only, after start. */
bool wg__canon_io_resolve(wg_canon_io *io, wg_cval *result);

/* What a `canon lift` made: calling it runs Store.lift's func_inst and the
 * synchronous canon_lift: enter inst, take the arguments (io start) and
 * lower them into it, call the core function, lift the result, check the
 * borrows (Task.return_), deliver the result (io resolve), post-return,
 * leave. */
typedef struct wg_canon_lifted {
    const wg_cfunctype *ft;
    wg_canon_opts opts;
    wg_canon_core callee;
    wg_canon_inst *inst;
} wg_canon_lifted;

/* Calls f from caller (NULL: the host) for io. */
bool wg__canon_call_lifted(const wg_canon_lifted *f, wg_canon_inst *caller, wg_canon_io *io,
                           wg_trap *trap);

/* The host calls export f with args[0..ft->nparams): *result receives the
 * result (an empty bool when the function has none; the caller frees it).
 * The arguments are not consumed (own handles in them are moved into the
 * callee's table: the host gives them up). A host's argument that does not
 * match its type fails (trap->message "invalid value: ...") before anything
 * happens, and the instance stays usable. */
bool wg__canon_call_export(const wg_canon_lifted *f, const wg_cval *args, uint32_t nargs,
                           wg_cval *result, wg_trap *trap);

/* A component-level function as a canon lower calls it: a host function, or
 * wg__canon_func_lifted with a wg_canon_lifted as data (component to
 * component). It is given the caller's instance and the io to take its
 * arguments from and give its result to. */
typedef bool (*wg_canon_func_fn)(void *data, wg_canon_inst *caller, wg_canon_io *io,
                                 wg_trap *trap);
bool wg__canon_func_lifted(void *lifted, wg_canon_inst *caller, wg_canon_io *io, wg_trap *trap);

/* What a `canon lower` made: the core function the guest imports. */
struct wg_canon_lowered {
    const wg_cfunctype *ft;
    wg_canon_opts opts;
    wg_canon_inst *inst;            /* the calling instance */
    wg_canon_func_fn callee;
    void *callee_data;
};

/* Runs the synchronous canon_lower: traps if inst may not leave, calls the
 * callee, which lifts the flat arguments in slots[0..nargs) (borrows are
 * lent for the call) and has its result lowered into slots[0..nresults) or
 * through the return pointer; then gives the lent handles back. A callee
 * that returns without starting or resolving is completed here (a missing
 * result traps). The slot convention of wg_host_fn, so a core import can be
 * a thin wrapper around it. */
bool wg__canon_call_lowered(const wg_canon_lowered *f, uint64_t *slots, uint32_t nargs,
                            uint32_t nresults, wg_trap *trap);

/* post-return: calls opts->post_return with the flat results while inst may
 * not leave. A no-op without a post-return option. */
bool wg__canon_post_return(wg_canon_inst *inst, const wg_canon_opts *opts,
                           const uint64_t *flat, uint32_t nflat, wg_trap *trap);

#endif
