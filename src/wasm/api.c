/*
 * Public entry points not covered elsewhere: loading and querying modules,
 * host functions, calling functions (wg_func_call and its value conversion),
 * the host-function context (wg_ctx_*), interrupts and interrupt handles.
 *
 * Calls. wg_func_call places the arguments at the first free cell of the
 * instance's value stack (ex->sp) and runs the interpreter with fp there. When
 * a guest calls a host function, the interpreter moves ex->sp above the running
 * frame first, so a host function may call wg_func_call again on the same
 * instance: the nested call builds its frame above the suspended one, and every
 * call restores sp, the frame count and the trap pointer on its way out.
 */
#include "wasm/instance_int.h"

#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- modules ------------------------------------------------------------- */

/* Decodes (copying bytes), then validates and compiles. Returns a module the caller
 * frees with wg_module_free, or NULL with err filled (the partial module is freed). */
wg_module *wg_module_new(const uint8_t *bytes, size_t len, wg_error *err) {
    wg__error_clear(err);
    if (!bytes && len) {
        wg__error(err, WG_ERR_MALFORMED, 0, "no bytes");
        return NULL;
    }
    wg_module *m = wg__decode(bytes, len, err);
    if (!m) return NULL;
    if (!wg__validate_and_compile(m, err)) {
        wg__module_free(m);
        return NULL;
    }
    return m;
}

/* Frees m (NULL is a no-op); every instance of it must be freed first. */
void wg_module_free(wg_module *m) {
    if (m) wg__module_free(m);
}

/* Number of imports (0 for NULL). */
uint32_t wg_module_import_count(const wg_module *m) { return m ? m->nimports : 0; }

/* Number of exports (0 for NULL). */
uint32_t wg_module_export_count(const wg_module *m) { return m ? m->nexports : 0; }

static wg_functype_view view_of(const wg_functype *t) {
    wg_functype_view v = {t->nparams, t->nresults, t->params, t->results};
    return v;
}

/* Describes import i into *out; the strings and type arrays belong to m. */
bool wg_module_import(const wg_module *m, uint32_t i, wg_extern_desc *out) {
    if (!m || !out || i >= m->nimports) return false;
    const wg_import *imp = &m->imports[i];
    memset(out, 0, sizeof *out);
    out->module = imp->module;
    out->module_len = imp->module_len;
    out->name = imp->name;
    out->name_len = imp->name_len;
    out->kind = (wg_extern_kind)imp->kind;
    switch (imp->kind) {
    case WG_EXTERN_FUNC:
        if (imp->type_idx < m->ntypes) out->func = view_of(&m->types[imp->type_idx]);
        break;
    case WG_EXTERN_TABLE:
        out->limits = imp->table.limits;
        out->type = (wg_valtype)imp->table.elem_type;
        break;
    case WG_EXTERN_MEMORY:
        out->limits = imp->mem;
        break;
    case WG_EXTERN_GLOBAL:
        out->type = (wg_valtype)imp->global.type;
        out->mutable_ = imp->global.mut;
        break;
    default:
        break;
    }
    return true;
}

/* Describes export i into *out (module is NULL); its type comes from the index space. */
bool wg_module_export(const wg_module *m, uint32_t i, wg_extern_desc *out) {
    if (!m || !out || i >= m->nexports) return false;
    const wg_export *ex = &m->exports[i];
    memset(out, 0, sizeof *out);
    out->name = ex->name;
    out->name_len = ex->name_len;
    out->kind = (wg_extern_kind)ex->kind;
    uint32_t idx = ex->index;
    switch (ex->kind) {
    case WG_EXTERN_FUNC:
        if (idx < m->nfuncs) out->func = view_of(&m->types[m->func_types[idx]]);
        break;
    case WG_EXTERN_TABLE:
        if (idx < m->ntables) {
            out->limits = m->tables[idx].limits;
            out->type = (wg_valtype)m->tables[idx].elem_type;
        }
        break;
    case WG_EXTERN_MEMORY:
        if (idx < m->nmems) out->limits = m->mems[idx];
        break;
    case WG_EXTERN_GLOBAL:
        if (idx < m->nglobals) {
            out->type = (wg_valtype)m->global_types[idx].type;
            out->mutable_ = m->global_types[idx].mut;
        }
        break;
    default:
        break;
    }
    return true;
}

/* Counts of tables, memories and globals include imports (their index spaces);
 * nfuncs does not (nimported_funcs says how many there are). */
void wg_module_get_info(const wg_module *m, wg_module_info *out) {
    if (!out) return;
    memset(out, 0, sizeof *out);
    if (!m) return;
    out->nfuncs = m->nfuncs - m->nimported_funcs;
    out->nimported_funcs = m->nimported_funcs;
    out->ntypes = m->ntypes;
    out->ntables = m->ntables;
    out->nmemories = m->nmems;
    out->nglobals = m->nglobals;
    out->nelems = m->nelems;
    out->ndatas = m->ndatas;
    out->has_start = m->has_start;
    out->start = m->start;
    out->ncustom = m->ncustoms;
    out->code_bytes = m->code_words * sizeof(uint32_t);
}

/* Custom section i (the name section included), as pointers into m. False if out of range. */
bool wg_module_custom_section(const wg_module *m, uint32_t i, const char **name,
                              size_t *name_len, const uint8_t **data, size_t *len) {
    if (!m || i >= m->ncustoms) return false;
    const wg_custom *c = &m->customs[i];
    if (name) *name = c->name;
    if (name_len) *name_len = c->name_len;
    if (data) *data = c->data;
    if (len) *len = c->len;
    return true;
}

/* Name of function func_index from the name section, owned by m; NULL if none. */
const char *wg_module_func_name(const wg_module *m, uint32_t func_index) {
    if (!m || !m->func_names || func_index >= m->nfuncs) return NULL;
    return m->func_names[func_index];
}

/* ---- host functions -------------------------------------------------------- */

static bool valtype_ok(uint8_t t) {
    switch (t) {
    case WG_I32: case WG_I64: case WG_F32: case WG_F64: case WG_V128:
    case WG_FUNCREF: case WG_EXTERNREF:
        return true;
    default:
        return false;
    }
}

/* One allocation: the wg_func followed by its parameter and result types. */
wg_func *wg_func_new_host(const uint8_t *params, uint32_t nparams,
                          const uint8_t *results, uint32_t nresults,
                          wg_host_fn fn, void *userdata) {
    if (!fn || nparams > WG_MAX_FUNC_PARAMS || nresults > WG_MAX_FUNC_RESULTS) return NULL;
    if ((nparams && !params) || (nresults && !results)) return NULL;
    for (uint32_t i = 0; i < nparams; i++)
        if (!valtype_ok(params[i])) return NULL;
    for (uint32_t i = 0; i < nresults; i++)
        if (!valtype_ok(results[i])) return NULL;
    wg_func *f = calloc(1, sizeof *f + nparams + nresults);
    if (!f) return NULL;
    uint8_t *types = (uint8_t *)(f + 1);
    if (nparams) memcpy(types, params, nparams);
    if (nresults) memcpy(types + nparams, results, nresults);
    f->host_type.nparams = nparams;
    f->host_type.nresults = nresults;
    f->host_type.params = types;
    f->host_type.results = types + nparams;
    f->type = &f->host_type;
    f->host = fn;
    f->host_data = userdata;
    return f;
}

/* Frees a host function; functions owned by an instance are left alone. */
void wg_func_free(wg_func *f) {
    if (f && !f->inst && f->host) free(f);
}

/* f's signature as a view into f's own storage (or its module's); empty for NULL. */
wg_functype_view wg_func_type(const wg_func *f) {
    if (!f || !f->type) {
        wg_functype_view none = {0, 0, NULL, NULL};
        return none;
    }
    return view_of(f->type);
}

/* ---- calls ---------------------------------------------------------------------- */

static void host_trap(wg_trap *trap, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void host_trap(wg_trap *trap, const char *fmt, ...) {
    memset(trap, 0, sizeof *trap);
    trap->code = WG_TRAP_HOST;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(trap->message, sizeof trap->message, fmt, ap);
    va_end(ap);
}

static const char *valtype_name(uint8_t t) {
    switch (t) {
    case WG_I32: return "i32";
    case WG_I64: return "i64";
    case WG_F32: return "f32";
    case WG_F64: return "f64";
    case WG_V128: return "v128";
    case WG_FUNCREF: return "funcref";
    case WG_EXTERNREF: return "externref";
    default: return "unknown";
    }
}

static wg_cell cell_of(const wg_val *v) {
    wg_cell c;
    c.u64 = 0;
    switch (v->type) {
    case WG_I32: c.u32 = (uint32_t)v->of.i32; break;
    case WG_I64: c.i64 = v->of.i64; break;
    case WG_F32: c.u32 = v->of.f32_bits; break;
    case WG_F64: c.u64 = v->of.f64_bits; break;
    case WG_FUNCREF: c.ref = v->of.funcref; break;
    case WG_EXTERNREF: c.ref = v->of.externref; break;
    default: break;
    }
    return c;
}

static wg_val val_of(uint8_t type, wg_cell c) {
    wg_val v;
    memset(&v, 0, sizeof v);
    v.type = (wg_valtype)type;
    switch (type) {
    case WG_I32: v.of.i32 = c.i32; break;
    case WG_I64: v.of.i64 = c.i64; break;
    case WG_F32: v.of.f32_bits = c.u32; break;
    case WG_F64: v.of.f64_bits = c.u64; break;
    case WG_FUNCREF: v.of.funcref = (wg_func *)c.ref; break;
    case WG_EXTERNREF: v.of.externref = c.ref; break;
    default: v.of.i64 = c.i64; break;
    }
    return v;
}

/* Calls f on inst's execution stack with type-checked args; results are converted back
 * from cells by f's result types. False with *trap filled on a trap, an exit or bad arguments.
 * Re-entrant: may be called from a host function running on the same instance. */
bool wg_func_call(wg_instance *inst, const wg_func *f, const wg_val *args, uint32_t nargs,
                  wg_val *results, uint32_t nresults, wg_trap *trap) {
    wg_trap local;
    if (!trap) trap = &local;
    if (!inst || !f || !f->type) {
        host_trap(trap, "call: %s", !inst ? "no instance" : "no function");
        return false;
    }
    const wg_functype *t = f->type;
    if (nargs != t->nparams || (nargs && !args)) {
        host_trap(trap, "call: function takes %u arguments, %u given", t->nparams, nargs);
        return false;
    }
    if (nresults != t->nresults || (nresults && !results)) {
        host_trap(trap, "call: function returns %u results, %u expected", t->nresults, nresults);
        return false;
    }
    for (uint32_t i = 0; i < nargs; i++) {
        if ((uint8_t)args[i].type != t->params[i]) {
            host_trap(trap, "call: argument %u is %s, expected %s", i,
                      valtype_name((uint8_t)args[i].type), valtype_name(t->params[i]));
            return false;
        }
        if (t->params[i] == WG_V128) {
            host_trap(trap, "call: v128 arguments are not supported");
            return false;
        }
    }
    for (uint32_t i = 0; i < nresults; i++) {
        if (t->results[i] == WG_V128) {
            host_trap(trap, "call: v128 results are not supported");
            return false;
        }
    }
    if (!wg__exec_init(inst)) {
        memset(trap, 0, sizeof *trap);
        trap->code = WG_TRAP_OUT_OF_MEMORY;
        snprintf(trap->message, sizeof trap->message, "%s", wg_trap_message(WG_TRAP_OUT_OF_MEMORY));
        return false;
    }

    wg_exec *ex = &inst->exec;
    wg_cell *fp = ex->sp;
    uint32_t need = nargs > nresults ? nargs : nresults;
    wg_cell *saved_sp = ex->sp;
    uint32_t saved_nframes = ex->nframes;
    wg_trap *saved_trap = ex->trap;

    /* Cleared field by field: the frames array makes the struct about 1 KiB. */
    trap->code = WG_TRAP_NONE;
    trap->exit_code = 0;
    trap->message[0] = '\0';
    trap->nframes = 0;
    if ((size_t)(ex->stack_end - fp) < need) {
        trap->code = WG_TRAP_STACK_EXHAUSTED;
        snprintf(trap->message, sizeof trap->message, "%s", wg_trap_message(WG_TRAP_STACK_EXHAUSTED));
        return false;
    }
    for (uint32_t i = 0; i < nargs; i++) fp[i] = cell_of(&args[i]);

    ex->trap = trap;
    wg_trap_code rc = wg__interp_call(ex, f, fp);
    ex->trap = saved_trap;
    ex->sp = saved_sp;
    ex->nframes = saved_nframes;

    if (rc != WG_TRAP_NONE) {
        if (trap->code == WG_TRAP_NONE) {
            /* The interpreter reported a code without filling the trap. */
            trap->code = rc;
            snprintf(trap->message, sizeof trap->message, "%s", wg_trap_message(rc));
        }
        return false;
    }
    for (uint32_t i = 0; i < nresults; i++) results[i] = val_of(t->results[i], fp[i]);
    return true;
}

/* Looks up function export `name` and calls it with wg_func_call; an unknown name
 * is a WG_TRAP_HOST trap saying so. */
bool wg_instance_call(wg_instance *inst, const char *name, const wg_val *args, uint32_t nargs,
                      wg_val *results, uint32_t nresults, wg_trap *trap) {
    wg_trap local;
    if (!trap) trap = &local;
    wg_func *f = inst && name ? wg_instance_export_func(inst, name) : NULL;
    if (!f) {
        host_trap(trap, "unknown export: no function named \"%.200s\"", name ? name : "(null)");
        return false;
    }
    return wg_func_call(inst, f, args, nargs, results, nresults, trap);
}

/* ---- host-function context ------------------------------------------------------ */

/* Records a host trap with msg (copied) and a backtrace in the running call's trap.
 * Returns non-zero: the host function returns it to stop the guest. */
int wg_ctx_trap(wg_ctx *ctx, const char *msg) {
    if (ctx && ctx->exec) wg__trap_fill(ctx->exec, WG_TRAP_HOST, msg ? msg : "host function trapped");
    return 1;
}

/* Records an exit (WG_TRAP_EXIT, exit_code = status, no backtrace) in the running
 * call's trap. Returns non-zero: the host function returns it to stop the guest. */
int wg_ctx_exit(wg_ctx *ctx, int status) {
    wg_trap *t = ctx && ctx->exec ? ctx->exec->trap : NULL;
    if (t) {
        t->code = WG_TRAP_EXIT;
        t->exit_code = status;
        snprintf(t->message, sizeof t->message, "exit with status %d", status);
        t->nframes = 0;
    }
    return 2;
}

/* Records *trap as the running call's trap (see wasmgate.h): its code, exit status and
 * message as they are, its frames followed by those of the calling guest. Returns
 * non-zero for the host function to return. */
int wg_ctx_raise(wg_ctx *ctx, const wg_trap *trap) {
    if (!trap) return wg_ctx_trap(ctx, NULL);
    wg_trap *t = ctx && ctx->exec ? ctx->exec->trap : NULL;
    if (!t) return 1;
    if (t == trap) return 1;
    wg_trap inner = *trap;
    wg__trap_fill(ctx->exec, WG_TRAP_HOST, "");
    uint32_t outer = t->nframes;
    if (inner.nframes > WG_BACKTRACE_MAX) inner.nframes = WG_BACKTRACE_MAX;
    uint32_t keep = outer;
    if (inner.nframes + keep > WG_BACKTRACE_MAX) keep = WG_BACKTRACE_MAX - inner.nframes;
    memmove(t->frames + inner.nframes, t->frames, keep * sizeof *t->frames);
    memcpy(t->frames, inner.frames, inner.nframes * sizeof *t->frames);
    t->nframes = inner.nframes + keep;
    t->code = inner.code == WG_TRAP_NONE ? WG_TRAP_HOST : inner.code;
    t->exit_code = inner.exit_code;
    memcpy(t->message, inner.message, sizeof t->message);
    return 1;
}

/* The instance whose code called the host function (for a direct call: the one running it). */
wg_instance *wg_ctx_instance(wg_ctx *ctx) { return ctx ? ctx->inst : NULL; }

/* Memory 0 of the calling instance, or NULL. */
wg_memory *wg_ctx_memory(wg_ctx *ctx) {
    return ctx && ctx->inst ? wg_instance_memory(ctx->inst) : NULL;
}

/* ---- interrupts ---------------------------------------------------------------- */

/* Sets the interrupt flag (an atomic store: any thread, any time). With
 * opts.interrupt that is the handle's flag. */
void wg_instance_interrupt(wg_instance *inst) {
    if (inst) atomic_store(wg__instance_flag(inst), 1u);
}

/* Clears the interrupt flag (any thread). */
void wg_instance_clear_interrupt(wg_instance *inst) {
    if (inst) atomic_store(wg__instance_flag(inst), 0u);
}

bool wg_instance_is_interrupted(const wg_instance *inst) {
    return inst && atomic_load_explicit(wg__instance_flag(inst), memory_order_relaxed) != 0;
}

/* ---- interrupt handles (wg_interrupt) ---------------------------------------- */

wg_interrupt *wg_interrupt_new(void) {
    wg_interrupt *h = malloc(sizeof *h);
    if (h) atomic_init(&h->flag, 0u);
    return h;
}

void wg_interrupt_free(wg_interrupt *h) { free(h); }

void wg_interrupt_set(wg_interrupt *h) {
    if (h) atomic_store(&h->flag, 1u);
}

void wg_interrupt_clear(wg_interrupt *h) {
    if (h) atomic_store(&h->flag, 0u);
}

bool wg_interrupt_is_set(const wg_interrupt *h) {
    return h && atomic_load_explicit(&((wg_interrupt *)h)->flag, memory_order_relaxed) != 0;
}
