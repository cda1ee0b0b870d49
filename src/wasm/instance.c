/*
 * Instantiation (Wasm 2.0 spec 4.5.4 "Instantiation"): resolve and check the
 * imports (4.5.1 import matching, with limits subtyping), allocate the
 * instance's own functions, tables, memories and globals, initialise globals in
 * order, apply the active element segments and then the active data segments in
 * order (each is table.init / memory.init followed by a drop, so a segment out of
 * bounds traps after earlier segments have taken effect), run the start function.
 * Also: exports by name, the execution state (value stack and frame stack) and
 * freeing an instance.
 *
 * A failure after the imports were linked may leave the instance's functions
 * reachable from imported objects (an element segment wrote them into an
 * imported table; the start function stored them somewhere). The spec keeps
 * them callable, so such an instance is handed to the wg_imports map it was
 * linked with (wg__imports_adopt) and freed together with that map.
 */
#include "wasm/instance_int.h"

#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define DEFAULT_CALL_DEPTH 20000u
#define DEFAULT_STACK_CELLS (1u << 20)

static const char *const kind_names[] = {"func", "table", "memory", "global"};

static const char *kind_name(unsigned kind) {
    return kind < 4 ? kind_names[kind] : "unknown";
}

/* Writes a name for messages: printable ASCII and UTF-8 bytes as they are, other
 * bytes as \xx, cut (with "...") to fit. */
static void quote_name(char *buf, size_t size, const char *s, size_t len) {
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = (uint8_t)s[i];
        if (o + 8 >= size) {
            snprintf(buf + o, size - o, "...");
            return;
        }
        if (c < 0x20 || c == 0x7f || c == '\\')
            o += (size_t)snprintf(buf + o, size - o, "\\%02x", c);
        else
            buf[o++] = (char)c;
    }
    buf[o] = '\0';
}

/* Fills err for import imp: "WHAT M::N" ("unknown import env::log") with any
 * detail in parentheses after the name. Returns false. */
static bool link_error(wg_error *err, const wg_import *imp, const char *what) {
    char mod[128], name[128];
    quote_name(mod, sizeof mod, imp->module, imp->module_len);
    quote_name(name, sizeof name, imp->name, imp->name_len);
    const char *detail = strchr(what, '(');
    int head = detail ? (int)(detail - what - 1) : (int)strlen(what);
    return wg__error(err, WG_ERR_UNLINKABLE, (size_t)-1, "%.*s %s::%s%s%s", head, what, mod, name,
                     detail ? " " : "", detail ? detail : "");
}

/* Limits subtyping (spec 4.5.1): the provided object's current size and maximum
 * against the import's declared limits. */
static bool limits_match(uint64_t have_min, bool have_has_max, uint64_t have_max,
                         const wg_limits *want) {
    if (have_min < want->min) return false;
    if (want->has_max && (!have_has_max || have_max > want->max)) return false;
    return true;
}

/* Checks that (kind, ptr) satisfies import imp and puts it in inst's index
 * space at the next free position (counts in n[kind]). */
static bool link_one(wg_instance *inst, const wg_import *imp, wg_extern_kind kind, void *ptr,
                     uint32_t n[4], wg_error *err) {
    const wg_module *m = inst->module;
    if ((unsigned)kind != imp->kind || !ptr) {
        char what[96];
        snprintf(what, sizeof what, "incompatible import type (expected %s, got %s)",
                 kind_name(imp->kind), ptr ? kind_name(kind) : "nothing");
        return link_error(err, imp, what);
    }
    switch (imp->kind) {
    case WG_EXTERN_FUNC: {
        wg_func *f = ptr;
        if (!wg__functype_equal(f->type, &m->types[imp->type_idx]))
            return link_error(err, imp, "incompatible import type (function type mismatch)");
        inst->funcs[n[0]++] = f;
        return true;
    }
    case WG_EXTERN_TABLE: {
        wg_table *t = ptr;
        if (t->elem_type != imp->table.elem_type)
            return link_error(err, imp, "incompatible import type (element type mismatch)");
        if (!limits_match(t->size, t->has_max, t->max, &imp->table.limits))
            return link_error(err, imp, "incompatible import type (table limits mismatch)");
        inst->tables[n[1]++] = t;
        return true;
    }
    case WG_EXTERN_MEMORY: {
        wg_memory *mem = ptr;
        if (!limits_match(mem->pages, mem->has_max, mem->max_pages, &imp->mem))
            return link_error(err, imp, "incompatible import type (memory limits mismatch)");
        inst->mems[n[2]++] = mem;
        return true;
    }
    case WG_EXTERN_GLOBAL: {
        wg_global *g = ptr;
        if (g->type != imp->global.type)
            return link_error(err, imp, "incompatible import type (global type mismatch)");
        if (g->mut != imp->global.mut)
            return link_error(err, imp, "incompatible import type (global mutability mismatch)");
        inst->globals[n[3]++] = g;
        return true;
    }
    default:
        return link_error(err, imp, "incompatible import type (unknown kind)");
    }
}

/* The decoder's counts and the import list agree for a validated module;
 * check anyway rather than leave NULL entries behind. */
static bool link_counts(const wg_module *m, const uint32_t n[4], wg_error *err) {
    if (n[0] != m->nimported_funcs || n[1] != m->nimported_tables || n[2] != m->nimported_mems ||
        n[3] != m->nimported_globals)
        return wg__error(err, WG_ERR_INVALID, (size_t)-1, "import counts do not match the module");
    return true;
}

/* Resolves (by name) and checks every import into inst's index spaces. */
static bool link_imports(wg_instance *inst, const wg_imports *imports, wg_error *err) {
    const wg_module *m = inst->module;
    uint32_t n[4] = {0};
    for (uint32_t i = 0; i < m->nimports; i++) {
        const wg_import *imp = &m->imports[i];
        wg_extern_kind kind;
        void *ptr;
        if (!wg__imports_lookup(imports, imp->module, imp->module_len, imp->name, imp->name_len,
                                &kind, &ptr))
            return link_error(err, imp, "unknown import");
        if (!link_one(inst, imp, kind, ptr, n, err)) return false;
    }
    return link_counts(m, n, err);
}

/* The object an extern value holds, untyped. */
static void *extern_ptr(const wg_extern *e) {
    switch (e->kind) {
    case WG_EXTERN_FUNC: return e->of.func;
    case WG_EXTERN_TABLE: return e->of.table;
    case WG_EXTERN_MEMORY: return e->of.memory;
    case WG_EXTERN_GLOBAL: return e->of.global;
    default: return NULL;
    }
}

/* Checks the imports given in order into inst's index spaces. */
static bool link_externs(wg_instance *inst, const wg_extern *imports, uint32_t nimports,
                         wg_error *err) {
    const wg_module *m = inst->module;
    if (nimports != m->nimports || (nimports && !imports))
        return wg__error(err, WG_ERR_UNLINKABLE, (size_t)-1,
                         "the module has %u imports, %u given", m->nimports, nimports);
    uint32_t n[4] = {0};
    for (uint32_t i = 0; i < m->nimports; i++)
        if (!link_one(inst, &m->imports[i], imports[i].kind, extern_ptr(&imports[i]), n, err))
            return false;
    return link_counts(m, n, err);
}

/* Rounds n up to the alignment of any object (the arrays below hold pointers,
 * cells and structs). */
static size_t align_up(size_t n) {
    size_t a = _Alignof(max_align_t);
    return (n + a - 1) / a * a;
}

/* Allocates the instance and its index-space arrays and own objects in ONE
 * zeroed block (this used to be eleven callocs and eleven frees per instance):
 * the wg_instance, then funcs, tables, mems, globals (pointer arrays), then
 * own_funcs, own_tables, own_mems, own_globals, elem_dropped, data_dropped.
 * NULL when out of memory. Freed with one free(inst). */
static wg_instance *alloc_instance(const wg_module *m) {
    size_t nf = m->nfuncs, nt = m->ntables, nm = m->nmems, ng = m->nglobals;
    size_t sizes[10] = {
        nf * sizeof(wg_func *), nt * sizeof(wg_table *), nm * sizeof(wg_memory *),
        ng * sizeof(wg_global *),
        (nf - m->nimported_funcs) * sizeof(wg_func),
        (nt - m->nimported_tables) * sizeof(wg_table),
        (nm - m->nimported_mems) * sizeof(wg_memory),
        (ng - m->nimported_globals) * sizeof(wg_global),
        (size_t)m->nelems * sizeof(bool), (size_t)m->ndatas * sizeof(bool),
    };
    size_t offs[10], total = align_up(sizeof(wg_instance));
    for (int i = 0; i < 10; i++) {
        offs[i] = total;
        total += align_up(sizes[i]);
    }
    char *block = calloc(1, total);
    if (!block) return NULL;
    wg_instance *inst = (wg_instance *)(void *)block;
    inst->funcs = (wg_func **)(void *)(block + offs[0]);
    inst->tables = (wg_table **)(void *)(block + offs[1]);
    inst->mems = (wg_memory **)(void *)(block + offs[2]);
    inst->globals = (wg_global **)(void *)(block + offs[3]);
    inst->own_funcs = (wg_func *)(void *)(block + offs[4]);
    inst->own_tables = (wg_table *)(void *)(block + offs[5]);
    inst->own_mems = (wg_memory *)(void *)(block + offs[6]);
    inst->own_globals = (wg_global *)(void *)(block + offs[7]);
    inst->elem_dropped = (bool *)(void *)(block + offs[8]);
    inst->data_dropped = (bool *)(void *)(block + offs[9]);
    return inst;
}

/* Creates the module's own functions, tables, memories and globals. */
static bool define_objects(wg_instance *inst, wg_error *err) {
    const wg_module *m = inst->module;
    for (uint32_t i = m->nimported_funcs; i < m->nfuncs; i++) {
        wg_func *f = &inst->own_funcs[i - m->nimported_funcs];
        f->inst = inst;
        f->code = &m->code_funcs[i - m->nimported_funcs];
        f->index = i;
        f->type = &m->types[m->func_types[i]];
        inst->funcs[i] = f;
    }
    for (uint32_t i = m->nimported_tables; i < m->ntables; i++) {
        const wg_tabletype *tt = &m->tables[i];
        wg_table *t = &inst->own_tables[i - m->nimported_tables];
        if (!wg__table_init(t, tt->elem_type, tt->limits.min, tt->limits.has_max, tt->limits.max))
            return wg__error(err, WG_ERR_RESOURCE, (size_t)-1,
                             "table %u: cannot allocate %llu elements", i,
                             (unsigned long long)tt->limits.min);
        inst->tables[i] = t;
    }
    uint64_t cap = inst->opts.max_memory_bytes;
    for (uint32_t i = m->nimported_mems; i < m->nmems; i++) {
        const wg_limits *l = &m->mems[i];
        wg_memory *mem = &inst->own_mems[i - m->nimported_mems];
        if (l->min > WG_MAX_PAGES || (cap && l->min * WG_PAGE_SIZE > cap))
            return wg__error(err, WG_ERR_RESOURCE, (size_t)-1,
                             "memory %u: initial size of %llu pages exceeds the memory limit", i,
                             (unsigned long long)l->min);
        wg_budget *budget = inst->opts.budget;
        uint64_t bytes = l->min * WG_PAGE_SIZE;
        if (budget && !wg_budget_charge(budget, bytes))
            return wg__error(err, WG_ERR_BUDGET, (size_t)-1,
                             "memory %u: %llu bytes do not fit in the memory budget "
                             "(%llu of %llu bytes in use)", i, (unsigned long long)bytes,
                             (unsigned long long)wg_budget_used(budget),
                             (unsigned long long)wg_budget_limit(budget));
        if (!wg__memory_init_pooled(mem, inst->opts.pool, l->min, l->has_max, l->max, cap)) {
            if (budget) wg_budget_release(budget, bytes);
            return wg__error(err, WG_ERR_RESOURCE, (size_t)-1,
                             "memory %u: cannot map %llu pages", i, (unsigned long long)l->min);
        }
        mem->budget = budget;
        inst->mems[i] = mem;
    }
    for (uint32_t i = m->nimported_globals; i < m->nglobals; i++) {
        const wg_global_def *def = &m->globals[i - m->nimported_globals];
        wg_global *g = &inst->own_globals[i - m->nimported_globals];
        g->type = def->type.type;
        g->mut = def->type.mut;
        g->val.u64 = 0;
        if (!wg__constexpr_eval(inst, &def->init, &g->val))
            return wg__error(err, WG_ERR_INVALID, def->init.offset,
                             "global %u: bad constant expression", i);
        inst->globals[i] = g;
    }
    return true;
}

/* Reports a trap during instantiation in err (and trap, if given). */
static bool init_trap(wg_error *err, wg_trap *trap, wg_trap_code code, size_t offset,
                      const char *what, uint32_t index) {
    if (trap) {
        memset(trap, 0, sizeof *trap);
        trap->code = code;
        snprintf(trap->message, sizeof trap->message, "%s", wg_trap_message(code));
    }
    return wg__error(err, WG_ERR_TRAP, offset, "%s %u: %s", what, index, wg_trap_message(code));
}

/* Applies element then data segments in order. *escaped is set once one of the
 * instance's references has been written into an imported table. */
static bool init_segments(wg_instance *inst, wg_error *err, wg_trap *trap, bool *escaped) {
    const wg_module *m = inst->module;
    for (uint32_t i = 0; i < m->nelems; i++) {
        const wg_elem *e = &m->elems[i];
        if (e->mode == WG_SEG_DECLARATIVE) {
            inst->elem_dropped[i] = true;
            continue;
        }
        if (e->mode != WG_SEG_ACTIVE) continue;
        wg_cell off;
        if (e->table_idx >= m->ntables || !wg__constexpr_eval(inst, &e->offset, &off))
            return wg__error(err, WG_ERR_INVALID, e->pos, "elem segment %u: bad offset", i);
        wg_table *t = inst->tables[e->table_idx];
        if ((uint64_t)off.u32 + e->nitems > t->size)
            return init_trap(err, trap, WG_TRAP_TABLE_OOB, e->pos, "elem segment", i);
        for (uint32_t j = 0; j < e->nitems; j++) {
            wg_cell ref;
            if (!wg__constexpr_eval(inst, &e->items[j], &ref))
                return wg__error(err, WG_ERR_INVALID, e->pos, "elem segment %u: bad item %u", i, j);
            t->elems[off.u32 + j] = ref.ref;
        }
        if (e->table_idx < m->nimported_tables && e->nitems > 0) *escaped = true;
        inst->elem_dropped[i] = true;
    }
    for (uint32_t i = 0; i < m->ndatas; i++) {
        const wg_data *d = &m->datas[i];
        if (d->mode != WG_SEG_ACTIVE) continue;
        wg_cell off;
        if (d->mem_idx >= m->nmems || !wg__constexpr_eval(inst, &d->offset, &off))
            return wg__error(err, WG_ERR_INVALID, d->pos, "data segment %u: bad offset", i);
        wg_memory *mem = inst->mems[d->mem_idx];
        if ((uint64_t)off.u32 + d->len > mem->size)
            return init_trap(err, trap, WG_TRAP_MEMORY_OOB, d->pos, "data segment", i);
        if (d->len) memcpy(mem->data + off.u32, d->bytes, d->len);
        inst->data_dropped[i] = true;
    }
    return true;
}

/* Can the start function have put this instance's functions where they outlive
 * it? Only through imported tables, globals, or functions of other instances
 * (host functions are trusted not to keep references they are passed). */
static bool start_may_escape(const wg_instance *inst) {
    const wg_module *m = inst->module;
    if (m->nimported_tables > 0) return true;
    for (uint32_t i = 0; i < m->nimported_globals; i++)
        if (inst->globals[i]->mut && (inst->globals[i]->type == WG_FUNCREF ||
                                      inst->globals[i]->type == WG_EXTERNREF))
            return true;
    for (uint32_t i = 0; i < m->nimported_funcs; i++)
        if (inst->funcs[i]->inst) return true;
    return false;
}

/* What links the imports: a map (wg_instance_new) or an array
 * (wg_instance_new_externs). */
typedef struct import_source {
    bool by_name;                   /* map (may be NULL: no imports), else externs */
    const wg_imports *map;
    const wg_extern *externs;
    uint32_t nexterns;
} import_source;

/* The common body of both: link, allocate, initialise, start. A failed
 * instance whose functions may have escaped is adopted by the map, or
 * handed back through *failed, or freed. */
static wg_instance *instantiate(const wg_module *m, const import_source *src,
                                const wg_instance_opts *opts, wg_error *err, wg_trap *trap,
                                wg_instance **failed) {
    wg__error_clear(err);
    if (trap) memset(trap, 0, sizeof *trap);
    if (failed) *failed = NULL;
    if (!m) {
        wg__error(err, WG_ERR_INVALID, (size_t)-1, "no module");
        return NULL;
    }
    wg_instance *inst = alloc_instance(m);
    if (!inst) {
        wg__error(err, WG_ERR_RESOURCE, (size_t)-1, "out of memory");
        return NULL;
    }
    inst->module = m;
    if (opts) inst->opts = *opts;
    if (!inst->opts.max_call_depth) inst->opts.max_call_depth = DEFAULT_CALL_DEPTH;
    if (!inst->opts.stack_cells) inst->opts.stack_cells = DEFAULT_STACK_CELLS;
    atomic_init(&inst->interrupt, 0u);

    bool escaped = false;
    bool linked = src->by_name ? link_imports(inst, src->map, err)
                           : link_externs(inst, src->externs, src->nexterns, err);
    if (!linked) goto fail;
    if (!define_objects(inst, err)) goto fail;
    if (!init_segments(inst, err, trap, &escaped)) goto fail;

    if (m->has_start && !inst->opts.skip_start) {
        wg_trap local;
        wg_trap *t = trap ? trap : &local;
        if (!wg_func_call(inst, inst->funcs[m->start], NULL, 0, NULL, 0, t)) {
            escaped = escaped || start_may_escape(inst);
            if (t->code == WG_TRAP_EXIT)
                wg__error(err, WG_ERR_TRAP, (size_t)-1, "start function: exit with status %d",
                          t->exit_code);
            else
                wg__error(err, WG_ERR_TRAP, (size_t)-1, "start function: %s", t->message);
            goto fail;
        }
    }
    return inst;

fail:
    if (escaped && src->map && wg__imports_adopt(src->map, inst)) return NULL;
    if (escaped && failed) {
        *failed = inst;
        return NULL;
    }
    wg_instance_free(inst);
    return NULL;
}

/* Instantiates m (see wasmgate.h and the file comment). Returns a new instance the
 * caller frees with wg_instance_free, or NULL with err (and trap) filled. */
wg_instance *wg_instance_new(const wg_module *m, const wg_imports *imports,
                             const wg_instance_opts *opts, wg_error *err, wg_trap *trap) {
    import_source src = {.by_name = true, .map = imports};
    return instantiate(m, &src, opts, err, trap, NULL);
}

/* Instantiates m with its imports given in order (see wasmgate.h). */
wg_instance *wg_instance_new_externs(const wg_module *m, const wg_extern *imports,
                                     uint32_t nimports, const wg_instance_opts *opts,
                                     wg_error *err, wg_trap *trap, wg_instance **failed) {
    import_source src = {.externs = imports, .nexterns = nimports};
    return instantiate(m, &src, opts, err, trap, failed);
}

/* Frees inst's own objects and execution state; imported objects are borrowed and left
 * alone. Works on a partially built instance. NULL is a no-op. With a pool, the
 * memories and the execution stack go back to it (memory.c). */
void wg_instance_free(wg_instance *inst) {
    if (!inst) return;
    const wg_module *m = inst->module;
    wg_pool *pool = inst->opts.pool;
    wg_exec *ex = &inst->exec;
    if (ex->stack) {
        size_t cells = (size_t)(ex->stack_end - ex->stack);
        if (!pool || !wg__rpool_put_stack(pool, ex->stack, cells, ex->frames, ex->max_frames)) {
            munmap(ex->stack, cells * sizeof(wg_cell));
            free(ex->frames);
        }
    }
    for (uint32_t i = 0; i < m->nmems - m->nimported_mems; i++) {
        wg_memory *mem = &inst->own_mems[i];
        if (mem->budget) wg_budget_release(mem->budget, mem->size);
        wg__memory_release_pooled(mem, pool);
    }
    for (uint32_t i = 0; i < m->ntables - m->nimported_tables; i++)
        wg__table_release(&inst->own_tables[i]);
    free(inst);  /* the arrays live in the same block (alloc_instance) */
}

/* Maps a fresh value stack and frame array. */
static bool exec_map(size_t cells, uint32_t depth, wg_cell **stack_out, wg_frame **frames_out) {
    size_t bytes = cells * sizeof(wg_cell);
    /* mmap: pages the guest never touches cost nothing. */
    void *stack = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (stack == MAP_FAILED) return false;
#ifdef MADV_NOHUGEPAGE
    /* A transparent huge page here would make the first call zero 2 MiB (~50 us
     * measured), while most calls touch a few KiB: instantiation speed matters more. */
    madvise(stack, bytes, MADV_NOHUGEPAGE);
#endif
    /* Not zeroed: a frame is written before it is read, and clearing 480 KB
     * (the default depth) cost more than the rest of a small instantiation. */
    wg_frame *frames = malloc((size_t)depth * sizeof *frames);
    if (!frames) {
        munmap(stack, bytes);
        return false;
    }
    *stack_out = stack;
    *frames_out = frames;
    return true;
}

/* Allocates inst->exec on first use: a value stack of opts.stack_cells cells and a
 * frame array of opts.max_call_depth, from opts.pool when it has a pair of exactly
 * these sizes idle, else freshly mapped. Released by wg_instance_free. False when
 * out of memory.
 *
 * A pooled stack and frame array are NOT cleared, though they hold what an earlier
 * instance (maybe another request's) left there. That is safe because the
 * interpreter never reads a cell or a frame it has not written in this run:
 *  - frames[n] is written (ret_ip, fp, func) on entry to every call before
 *    nframes covers it, and only frames below nframes are read (returns,
 *    backtraces in wg__trap_fill);
 *  - a callee's frame starts at its arguments, which the caller wrote (or
 *    wg_func_call, from the embedder's values); its declared locals are zeroed
 *    on entry (interp.c enter_wasm); every other cell of the frame is an operand
 *    temporary, and validation guarantees an operand is pushed (so its slot
 *    written) before it is popped (read), and that code after unreachable/br/
 *    return, where the stack is polymorphic, is never executed;
 *  - host functions get slots[0..nparams) written by the caller and write their
 *    results before the caller reads them.
 * So stale cells are unobservable, exactly as stale bytes of a C stack are.
 * (Linear memory, which the guest CAN read without writing, is zeroed.) */
bool wg__exec_init(wg_instance *inst) {
    wg_exec *ex = &inst->exec;
    if (ex->stack) return true;
    size_t cells = inst->opts.stack_cells ? inst->opts.stack_cells : DEFAULT_STACK_CELLS;
    uint32_t depth = inst->opts.max_call_depth ? inst->opts.max_call_depth : DEFAULT_CALL_DEPTH;
    wg_pool *pool = inst->opts.pool;
    wg_cell *stack;
    wg_frame *frames;
    if (!pool || !wg__rpool_take_stack(pool, cells, depth, &stack, &frames)) {
        if (pool) wg__rpool_note_stack_miss(pool);
        if (!exec_map(cells, depth, &stack, &frames)) return false;
    }
    ex->stack = stack;
    ex->stack_end = ex->stack + cells;
    ex->sp = ex->stack;
    ex->frames = frames;
    ex->nframes = 0;
    ex->max_frames = depth;
    ex->interrupt = wg__instance_flag(inst);
    ex->trap = NULL;
    return true;
}

/* The module inst was made from. */
const wg_module *wg_instance_module(const wg_instance *inst) { return inst ? inst->module : NULL; }

/* opts.host_data given at instantiation. */
void *wg_instance_host_data(const wg_instance *inst) { return inst ? inst->opts.host_data : NULL; }

/* The object exported as name[0..len) if it is of `kind`, else NULL; owned by inst
 * (or borrowed by it, for re-exported imports). Linear scan over the exports. */
void *wg_instance_export(wg_instance *inst, const char *name, size_t len, wg_extern_kind kind) {
    if (!inst || (!name && len)) return NULL;
    const wg_module *m = inst->module;
    for (uint32_t i = 0; i < m->nexports; i++) {
        const wg_export *ex = &m->exports[i];
        if (ex->name_len != len || (len && memcmp(ex->name, name, len) != 0)) continue;
        if (ex->kind != (uint8_t)kind) return NULL;  /* export names are unique */
        switch (kind) {
        case WG_EXTERN_FUNC: return inst->funcs[ex->index];
        case WG_EXTERN_TABLE: return inst->tables[ex->index];
        case WG_EXTERN_MEMORY: return inst->mems[ex->index];
        case WG_EXTERN_GLOBAL: return inst->globals[ex->index];
        default: return NULL;
        }
    }
    return NULL;
}

/* Function export by NUL-terminated name, or NULL. */
wg_func *wg_instance_export_func(wg_instance *inst, const char *name) {
    return name ? wg_instance_export(inst, name, strlen(name), WG_EXTERN_FUNC) : NULL;
}

/* Memory export by NUL-terminated name, or NULL. */
wg_memory *wg_instance_export_memory(wg_instance *inst, const char *name) {
    return name ? wg_instance_export(inst, name, strlen(name), WG_EXTERN_MEMORY) : NULL;
}

/* Table export by NUL-terminated name, or NULL. */
wg_table *wg_instance_export_table(wg_instance *inst, const char *name) {
    return name ? wg_instance_export(inst, name, strlen(name), WG_EXTERN_TABLE) : NULL;
}

/* Global export by NUL-terminated name, or NULL. */
wg_global *wg_instance_export_global(wg_instance *inst, const char *name) {
    return name ? wg_instance_export(inst, name, strlen(name), WG_EXTERN_GLOBAL) : NULL;
}

/* Memory 0 of inst (own or imported), or NULL. */
wg_memory *wg_instance_memory(wg_instance *inst) {
    return inst && inst->module->nmems > 0 ? inst->mems[0] : NULL;
}

/* Export i, by index (see wasmgate.h). */
bool wg_instance_export_at(wg_instance *inst, uint32_t i, wg_extern *out) {
    if (!inst || !out || i >= inst->module->nexports) return false;
    const wg_export *ex = &inst->module->exports[i];
    out->kind = (wg_extern_kind)ex->kind;
    switch (ex->kind) {
    case WG_EXTERN_FUNC: out->of.func = inst->funcs[ex->index]; return true;
    case WG_EXTERN_TABLE: out->of.table = inst->tables[ex->index]; return true;
    case WG_EXTERN_MEMORY: out->of.memory = inst->mems[ex->index]; return true;
    case WG_EXTERN_GLOBAL: out->of.global = inst->globals[ex->index]; return true;
    default: return false;
    }
}
