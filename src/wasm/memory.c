/*
 * Memory, table and global objects (Wasm 2.0 spec 4.2.8-4.2.10, 4.4.7 grow).
 *
 * Linear memory. Address space for the largest size a memory may reach
 * (its max pages, or WG_MAX_PAGES, lowered to the instance's cap) is reserved
 * once with mmap(PROT_NONE), plus one guard page; pages become readable and
 * writable with mprotect as the memory grows. Fresh anonymous pages read as
 * zero, so growth never copies or clears anything and `data` does not move.
 * If the reservation itself is refused (a small RLIMIT_AS, say), the memory
 * falls back to reserving only what it needs and moves on growth; callers
 * already reload `data` after anything that can grow memory.
 *
 * Pools (wg_pool). An instance made with a pool takes its memories'
 * reservations from the pool's idle list and gives them back when freed. A
 * returned memory is reset over the bytes the guest could reach (its final
 * size: memories never shrink, so that covers every byte it could have
 * written), so every idle reservation is all zeros: with ONE
 * madvise(MADV_DONTNEED) (the kernel supplies zero pages on the next touch),
 * or, up to memset_reset_max (256 KiB), with memset. Measured on the gateway's
 * hello route (2 pages, 2 threads): the madvise's TLB flush IPIs to the other
 * CPU (smp_call_function_many_cond) were 10% of the server's CPU, and the
 * next request page-faulted the pages back in; memset of 128 KiB costs about
 * as much as one syscall and keeps the pages (hello: 13.8k -> 21.3k req/s).
 * Scanning for non-zero 4 KiB blocks and clearing only those was slower
 * still (20% of the CPU in the scan: cold lines must be read, while memset's
 * rep stosb writes them without reading). Pages that were
 * made readable and writable stay so (mem->committed): the next instance may
 * see RW pages beyond its size, which its code never reaches because every
 * access is checked against `size` explicitly (interp.c, WASI's
 * wg__wasi_mem), and growing into them needs no mprotect. Per instance this
 * removes mmap + mprotect + munmap (and munmap's cross-CPU TLB shootdown)
 * for the memory, and mmap + madvise + munmap for the execution stack, which
 * the pool keeps too (instance.c says why a reused stack needs no clearing).
 * The idle lists are bounded arrays under one mutex: an operation is a short
 * scan and a swap, so two or a few threads do not contend measurably.
 *
 * Tables are plain arrays of pointers grown with realloc. Globals hold one cell.
 */
#include "wasm/instance_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* ---- linear memory ------------------------------------------------------ */

static size_t os_page_size(void) {
    long p = sysconf(_SC_PAGESIZE);
    return p > 0 ? (size_t)p : 4096;
}

/* Rounds n up to a multiple of the OS page size (n + page must not overflow). */
static size_t round_to_os_page(uint64_t n) {
    size_t page = os_page_size();
    return (size_t)((n + page - 1) / page * page);
}

/* Largest size in pages that mem may ever reach. */
static uint64_t reach_pages(const wg_memory *mem) {
    uint64_t pages = mem->max_pages;
    if (pages > WG_MAX_PAGES) pages = WG_MAX_PAGES;
    if (mem->cap_bytes && pages > mem->cap_bytes / WG_PAGE_SIZE)
        pages = mem->cap_bytes / WG_PAGE_SIZE;
    return pages;
}

/* Reserves len bytes of inaccessible address space; NULL on failure. */
static uint8_t *reserve(size_t len) {
    void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : (uint8_t *)p;
}

/* Makes the first `bytes` bytes of a reservation usable. */
static bool commit(uint8_t *base, uint64_t bytes) {
    if (bytes == 0) return true;
    return mprotect(base, round_to_os_page(bytes), PROT_READ | PROT_WRITE) == 0;
}

/* See instance_int.h: reserve for the reachable size, commit min pages. */
bool wg__memory_init(wg_memory *mem, uint64_t min_pages, bool has_max, uint64_t max_pages,
                     uint64_t cap_bytes) {
    memset(mem, 0, sizeof *mem);
    if (min_pages > WG_MAX_PAGES) return false;
    if (has_max && max_pages < min_pages) return false;
    mem->has_max = has_max;
    mem->max_pages = has_max && max_pages < WG_MAX_PAGES ? max_pages : WG_MAX_PAGES;
    mem->cap_bytes = cap_bytes;
    if (min_pages > reach_pages(mem)) return false;

    uint64_t min_bytes = min_pages * WG_PAGE_SIZE;
    size_t guard = os_page_size();
    size_t want = round_to_os_page(reach_pages(mem) * WG_PAGE_SIZE) + guard;
    uint8_t *base = reserve(want);
    if (!base) {
        /* Fall back to the initial size; growth will move the memory. */
        want = round_to_os_page(min_bytes) + guard;
        base = reserve(want);
        if (!base) return false;
    }
    if (!commit(base, min_bytes)) {
        munmap(base, want);
        return false;
    }
    mem->data = base;
    mem->reserved = want;
    mem->committed = min_bytes ? round_to_os_page(min_bytes) : 0;
    mem->pages = min_pages;
    mem->size = min_bytes;
    return true;
}

/* Unmaps the whole reservation of mem. */
void wg__memory_release(wg_memory *mem) {
    if (mem->data) munmap(mem->data, mem->reserved);
    memset(mem, 0, sizeof *mem);
}

/* ---- pools ---------------------------------------------------------------- */

#define DEFAULT_IDLE 64u
#define DEFAULT_MEMSET_MAX ((uint64_t)256 << 10)

typedef struct pool_mem {
    uint8_t *base;
    size_t reserved;    /* bytes mapped at base (guard included) */
    size_t committed;   /* RW prefix; every byte of the reservation is zero */
} pool_mem;

typedef struct pool_stack {
    wg_cell *stack;
    size_t cells;
    wg_frame *frames;
    uint32_t depth;
} pool_stack;

struct wg_pool {
    pthread_mutex_t lock;
    pool_mem *mems;     /* [max_mems]; idle ones in [0, nmems), most recent last */
    uint32_t nmems, max_mems;
    pool_stack *stacks; /* [max_stacks] */
    uint32_t nstacks, max_stacks;
    uint64_t memset_max;  /* reset by memset up to this size (bytes), else madvise */
    uint64_t mem_hits, mem_misses, stack_hits, stack_misses;
};

/* See wasmgate.h. */
wg_pool *wg_pool_new(const wg_pool_opts *opts) {
    wg_pool *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->max_mems = opts && opts->max_idle_memories ? opts->max_idle_memories : DEFAULT_IDLE;
    p->max_stacks = opts && opts->max_idle_stacks ? opts->max_idle_stacks : DEFAULT_IDLE;
    p->memset_max = opts && opts->memset_reset_max ? opts->memset_reset_max : DEFAULT_MEMSET_MAX;
    if (opts && opts->madvise_only) p->memset_max = 0;
    p->mems = calloc(p->max_mems, sizeof *p->mems);
    p->stacks = calloc(p->max_stacks, sizeof *p->stacks);
    if (!p->mems || !p->stacks || pthread_mutex_init(&p->lock, NULL) != 0) {
        free(p->mems);
        free(p->stacks);
        free(p);
        return NULL;
    }
    return p;
}

/* Unmaps every idle resource. */
void wg_pool_free(wg_pool *p) {
    if (!p) return;
    for (uint32_t i = 0; i < p->nmems; i++) munmap(p->mems[i].base, p->mems[i].reserved);
    for (uint32_t i = 0; i < p->nstacks; i++) {
        munmap(p->stacks[i].stack, p->stacks[i].cells * sizeof(wg_cell));
        free(p->stacks[i].frames);
    }
    pthread_mutex_destroy(&p->lock);
    free(p->mems);
    free(p->stacks);
    free(p);
}

void wg_pool_get_stats(const wg_pool *cp, wg_pool_stats *out) {
    if (!out) return;
    memset(out, 0, sizeof *out);
    if (!cp) return;
    wg_pool *p = (wg_pool *)cp;
    pthread_mutex_lock(&p->lock);
    out->memory_hits = p->mem_hits;
    out->memory_misses = p->mem_misses;
    out->stack_hits = p->stack_hits;
    out->stack_misses = p->stack_misses;
    out->idle_memories = p->nmems;
    out->idle_stacks = p->nstacks;
    pthread_mutex_unlock(&p->lock);
}

/* Takes the most recently returned idle reservation of at least `want` bytes. */
static bool pool_take_mem(wg_pool *p, size_t want, pool_mem *out) {
    bool hit = false;
    pthread_mutex_lock(&p->lock);
    for (uint32_t i = p->nmems; i-- > 0;) {
        if (p->mems[i].reserved < want) continue;
        *out = p->mems[i];
        p->mems[i] = p->mems[--p->nmems];
        hit = true;
        break;
    }
    if (hit) p->mem_hits++; else p->mem_misses++;
    pthread_mutex_unlock(&p->lock);
    return hit;
}

/* See instance_int.h. */
bool wg__memory_init_pooled(wg_memory *mem, wg_pool *pool, uint64_t min_pages, bool has_max,
                            uint64_t max_pages, uint64_t cap_bytes) {
    if (!pool) return wg__memory_init(mem, min_pages, has_max, max_pages, cap_bytes);
    memset(mem, 0, sizeof *mem);
    if (min_pages > WG_MAX_PAGES) return false;
    if (has_max && max_pages < min_pages) return false;
    mem->has_max = has_max;
    mem->max_pages = has_max && max_pages < WG_MAX_PAGES ? max_pages : WG_MAX_PAGES;
    mem->cap_bytes = cap_bytes;
    if (min_pages > reach_pages(mem)) return false;
    uint64_t min_bytes = min_pages * WG_PAGE_SIZE;
    size_t want = round_to_os_page(reach_pages(mem) * WG_PAGE_SIZE) + os_page_size();
    pool_mem pm;
    if (!pool_take_mem(pool, want, &pm))
        return wg__memory_init(mem, min_pages, has_max, max_pages, cap_bytes);
    if (min_bytes > pm.committed) {
        if (!commit(pm.base, min_bytes)) {
            munmap(pm.base, pm.reserved);
            memset(mem, 0, sizeof *mem);
            return false;
        }
        pm.committed = round_to_os_page(min_bytes);
    }
    mem->data = pm.base;
    mem->reserved = pm.reserved;
    mem->committed = pm.committed;
    mem->pages = min_pages;
    mem->size = min_bytes;
    return true;
}

/* See instance_int.h: zero what the guest could reach, then keep or unmap. */
void wg__memory_release_pooled(wg_memory *mem, wg_pool *pool) {
    if (!pool || !mem->data) {
        wg__memory_release(mem);
        return;
    }
    /* A fallback-sized reservation (see wg__memory_init) would never fit a
     * later memory of the same kind: unmap it rather than keep it idle. */
    size_t full = round_to_os_page(reach_pages(mem) * WG_PAGE_SIZE) + os_page_size();
    bool clean = mem->reserved >= full;
    if (clean && mem->size > 0) {
        if (mem->size <= pool->memset_max)
            memset(mem->data, 0, mem->size);
        else
            clean = madvise(mem->data, round_to_os_page(mem->size), MADV_DONTNEED) == 0;
    }
    bool kept = false;
    if (clean) {
        pthread_mutex_lock(&pool->lock);
        if (pool->nmems < pool->max_mems) {
            pool_mem *pm = &pool->mems[pool->nmems++];
            pm->base = mem->data;
            pm->reserved = mem->reserved;
            pm->committed = mem->committed;
            kept = true;
        }
        pthread_mutex_unlock(&pool->lock);
    }
    if (!kept) munmap(mem->data, mem->reserved);
    memset(mem, 0, sizeof *mem);
}

/* See instance_int.h. Exact sizes: a server's instances all use the same. */
bool wg__rpool_take_stack(wg_pool *p, size_t cells, uint32_t depth, wg_cell **stack,
                         wg_frame **frames) {
    bool hit = false;
    pthread_mutex_lock(&p->lock);
    for (uint32_t i = p->nstacks; i-- > 0;) {
        if (p->stacks[i].cells != cells || p->stacks[i].depth != depth) continue;
        *stack = p->stacks[i].stack;
        *frames = p->stacks[i].frames;
        p->stacks[i] = p->stacks[--p->nstacks];
        hit = true;
        break;
    }
    if (hit) p->stack_hits++;
    pthread_mutex_unlock(&p->lock);
    return hit;
}

bool wg__rpool_put_stack(wg_pool *p, wg_cell *stack, size_t cells, wg_frame *frames,
                        uint32_t depth) {
    bool kept = false;
    pthread_mutex_lock(&p->lock);
    if (p->nstacks < p->max_stacks) {
        p->stacks[p->nstacks++] = (pool_stack){stack, cells, frames, depth};
        kept = true;
    }
    pthread_mutex_unlock(&p->lock);
    return kept;
}

void wg__rpool_note_stack_miss(wg_pool *p) {
    pthread_mutex_lock(&p->lock);
    p->stack_misses++;
    pthread_mutex_unlock(&p->lock);
}

/* Moves mem into a new reservation big enough for new_bytes (fallback path). */
static bool relocate(wg_memory *mem, uint64_t new_bytes) {
    size_t guard = os_page_size();
    uint64_t reach = reach_pages(mem) * WG_PAGE_SIZE;
    uint64_t want_bytes = new_bytes * 2 < reach ? new_bytes * 2 : reach;
    size_t want = round_to_os_page(want_bytes) + guard;
    uint8_t *base = reserve(want);
    if (!base) {
        want = round_to_os_page(new_bytes) + guard;
        base = reserve(want);
        if (!base) return false;
    }
    if (!commit(base, new_bytes)) {
        munmap(base, want);
        return false;
    }
    memcpy(base, mem->data, mem->size);
    munmap(mem->data, mem->reserved);
    mem->data = base;
    mem->reserved = want;
    mem->committed = round_to_os_page(new_bytes);
    return true;
}

/* Grows mem by delta pages (memory.grow). Returns the old size in pages, or
 * -1 (nothing changed) when the result would pass the maximum, WG_MAX_PAGES,
 * cap_bytes or what is left of the budget, or when the system refuses the
 * memory. */
int64_t wg__memory_grow(wg_memory *mem, uint64_t delta) {
    if (!mem) return -1;
    uint64_t old = mem->pages;
    if (delta > WG_MAX_PAGES) return -1;
    uint64_t pages = old + delta;
    if (pages > reach_pages(mem)) return -1;
    if (delta == 0) return (int64_t)old;
    uint64_t bytes = pages * WG_PAGE_SIZE;
    uint64_t more = delta * WG_PAGE_SIZE;
    if (mem->budget && !wg_budget_charge(mem->budget, more)) return -1;
    if (round_to_os_page(bytes) + os_page_size() <= mem->reserved) {
        /* Pooled memories may already be RW that far (see the file comment). */
        if (bytes > mem->committed) {
            if (!commit(mem->data + mem->committed, bytes - mem->committed)) goto refused;
            mem->committed = round_to_os_page(bytes);
        }
    } else if (!relocate(mem, bytes)) {
        goto refused;
    }
    mem->pages = pages;
    mem->size = bytes;
    return (int64_t)old;
refused:
    if (mem->budget) wg_budget_release(mem->budget, more);
    return -1;
}

/* A host-owned memory with the given limits (no cap); free with wg_memory_free. */
wg_memory *wg_memory_new(wg_limits limits) {
    wg_memory *mem = malloc(sizeof *mem);
    if (!mem) return NULL;
    if (!wg__memory_init(mem, limits.min, limits.has_max, limits.max, 0)) {
        free(mem);
        return NULL;
    }
    return mem;
}

/* Frees a memory made by wg_memory_new (not one owned by an instance). */
void wg_memory_free(wg_memory *mem) {
    if (!mem) return;
    wg__memory_release(mem);
    free(mem);
}

/* Base address of the memory's bytes; reload after anything that can grow it. */
uint8_t *wg_memory_data(wg_memory *mem) { return mem ? mem->data : NULL; }

/* Current size in bytes. */
size_t wg_memory_size(const wg_memory *mem) { return mem ? (size_t)mem->size : 0; }

/* Public memory growth: see wg__memory_grow. */
int64_t wg_memory_grow(wg_memory *mem, uint64_t delta) { return wg__memory_grow(mem, delta); }

/* ---- tables ------------------------------------------------------------- */

bool wg__table_init(wg_table *t, uint8_t elem_type, uint64_t min, bool has_max, uint64_t max) {
    memset(t, 0, sizeof *t);
    t->elem_type = elem_type;
    t->has_max = has_max;
    t->max = has_max && max < WG_MAX_TABLE_SIZE ? (uint32_t)max : WG_MAX_TABLE_SIZE;
    if (min > t->max) return false;
    if (min > 0) {
        t->elems = calloc((size_t)min, sizeof *t->elems);
        if (!t->elems) return false;
    }
    t->size = (uint32_t)min;
    return true;
}

/* Frees t's elements (not the references they hold, which are borrowed). */
void wg__table_release(wg_table *t) {
    free(t->elems);
    memset(t, 0, sizeof *t);
}

/* Grows t by delta elements set to init (table.grow). Returns the old size,
 * or -1 (nothing changed) past the maximum or when out of memory. */
int64_t wg__table_grow(wg_table *t, uint64_t delta, void *init) {
    if (!t) return -1;
    uint32_t old = t->size;
    if (delta > (uint64_t)(t->max - old)) return -1;
    if (delta == 0) return old;
    uint32_t size = old + (uint32_t)delta;
    void **elems = realloc(t->elems, (size_t)size * sizeof *elems);
    if (!elems) return -1;
    for (uint32_t i = old; i < size; i++) elems[i] = init;
    t->elems = elems;
    t->size = size;
    return old;
}

/* A host-owned table of funcref or externref; NULL for another type or bad limits. */
wg_table *wg_table_new(wg_valtype elem_type, wg_limits limits) {
    if (elem_type != WG_FUNCREF && elem_type != WG_EXTERNREF) return NULL;
    wg_table *t = malloc(sizeof *t);
    if (!t) return NULL;
    if (!wg__table_init(t, (uint8_t)elem_type, limits.min, limits.has_max, limits.max)) {
        free(t);
        return NULL;
    }
    return t;
}

/* Frees a table made by wg_table_new. */
void wg_table_free(wg_table *t) {
    if (!t) return;
    wg__table_release(t);
    free(t);
}

/* Current size in elements. */
uint32_t wg_table_size(const wg_table *t) { return t ? t->size : 0; }

/* ---- globals ------------------------------------------------------------ */

/* Stores a typed value into a cell the way the interpreter reads it (ir.h). */
static wg_cell cell_from_val(wg_val v) {
    wg_cell c;
    c.u64 = 0;
    switch (v.type) {
    case WG_I32: c.u32 = (uint32_t)v.of.i32; break;
    case WG_I64: c.i64 = v.of.i64; break;
    case WG_F32: c.u32 = v.of.f32_bits; break;
    case WG_F64: c.u64 = v.of.f64_bits; break;
    case WG_FUNCREF: c.ref = v.of.funcref; break;
    case WG_EXTERNREF: c.ref = v.of.externref; break;
    default: break;  /* v128 globals are not supported by wg_val */
    }
    return c;
}

/* A host-owned global holding value (numeric or reference types; v128 is refused). */
wg_global *wg_global_new(wg_val value, bool mutable_) {
    switch (value.type) {
    case WG_I32: case WG_I64: case WG_F32: case WG_F64: case WG_FUNCREF: case WG_EXTERNREF:
        break;
    default:
        return NULL;
    }
    wg_global *g = malloc(sizeof *g);
    if (!g) return NULL;
    g->val = cell_from_val(value);
    g->type = (uint8_t)value.type;
    g->mut = mutable_;
    return g;
}

/* Frees a global made by wg_global_new. */
void wg_global_free(wg_global *g) { free(g); }

/* g's value with its type; floats as bit patterns. */
wg_val wg_global_get(const wg_global *g) {
    wg_val v;
    memset(&v, 0, sizeof v);
    if (!g) {
        v.type = WG_I32;
        return v;
    }
    v.type = (wg_valtype)g->type;
    switch (g->type) {
    case WG_I32: v.of.i32 = g->val.i32; break;
    case WG_I64: v.of.i64 = g->val.i64; break;
    case WG_F32: v.of.f32_bits = g->val.u32; break;
    case WG_F64: v.of.f64_bits = g->val.u64; break;
    case WG_FUNCREF: v.of.funcref = (wg_func *)g->val.ref; break;
    case WG_EXTERNREF: v.of.externref = g->val.ref; break;
    default: break;
    }
    return v;
}

/* Sets g's value. A value of another type is ignored (the API cannot report it);
 * mutability is the embedder's business (an immutable global may be set by its
 * host before any instance imports it). */
void wg_global_set(wg_global *g, wg_val v) {
    if (!g || (uint8_t)v.type != g->type) return;
    g->val = cell_from_val(v);
}
