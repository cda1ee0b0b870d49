/*
 * Internal interface between the files of the instance layer: memory.c (memory,
 * table and global objects), imports.c (the wg_imports map), instance.c
 * (instantiation and linking) and api.c (the public wrappers).
 * Nothing outside those four files should need it.
 */
#ifndef WG_WASM_INSTANCE_INT_H
#define WG_WASM_INSTANCE_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasm/runtime.h"

/* ---- interrupt handles (api.c) ---- */

/* wg_interrupt: the flag an instance's exec points at when opts.interrupt is set. */
struct wg_interrupt {
    atomic_uint flag;
};

/* The flag inst checks: opts.interrupt's, else its own. */
static inline atomic_uint *wg__instance_flag(const wg_instance *inst) {
    return inst->opts.interrupt ? &inst->opts.interrupt->flag
                                : (atomic_uint *)&((wg_instance *)inst)->interrupt;
}

/* ---- memory.c ---- */

/* Initialises *mem (caller-allocated, zeroed) with min pages committed and
 * address space reserved for the largest size it may reach: max pages (or
 * WG_MAX_PAGES), lowered to cap_bytes when cap_bytes != 0. Returns false when
 * the limits exceed WG_MAX_PAGES or the cap, or when mapping fails.
 * Release with wg__memory_release. */
bool wg__memory_init(wg_memory *mem, uint64_t min_pages, bool has_max, uint64_t max_pages,
                     uint64_t cap_bytes);

/* Unmaps mem's data (if any) and zeroes *mem; the struct itself is the caller's. */
void wg__memory_release(wg_memory *mem);

/* Pooled variants (pool may be NULL: then exactly the two above). init takes
 * an idle reservation of at least the size wg__memory_init would reserve, if
 * the pool has one; its bytes are all zero (see release) and it may already
 * be readable and writable beyond min pages (mem->committed). release resets
 * the used bytes to zero with one madvise(MADV_DONTNEED) and keeps the
 * reservation for the next instance, or unmaps it when the pool is full. */
bool wg__memory_init_pooled(wg_memory *mem, wg_pool *pool, uint64_t min_pages, bool has_max,
                            uint64_t max_pages, uint64_t cap_bytes);
void wg__memory_release_pooled(wg_memory *mem, wg_pool *pool);

/* Execution stacks from a pool: a value stack of exactly `cells` cells and a
 * frame array of exactly `depth` frames, both with stale contents (see
 * wg__exec_init for why that is safe). False when the pool has none idle. */
bool wg__rpool_take_stack(wg_pool *pool, size_t cells, uint32_t depth, wg_cell **stack,
                         wg_frame **frames);
/* Gives them back; false when the pool is full (the caller frees them). */
bool wg__rpool_put_stack(wg_pool *pool, wg_cell *stack, size_t cells, wg_frame *frames,
                        uint32_t depth);
/* Counts a stack made without the pool's help (stats only). */
void wg__rpool_note_stack_miss(wg_pool *pool);

/* Initialises *t (caller-allocated) with min null elements. False when min
 * exceeds the maximum or WG_MAX_TABLE_SIZE, or out of memory.
 * Release with wg__table_release. */
bool wg__table_init(wg_table *t, uint8_t elem_type, uint64_t min, bool has_max, uint64_t max);

/* Frees t's element array and zeroes *t; the struct itself is the caller's. */
void wg__table_release(wg_table *t);

/* ---- imports.c ---- */

/* Finds module::name (byte strings). Returns true and sets *kind and *ptr if
 * present. Safe to call from several threads at once. */
bool wg__imports_lookup(const wg_imports *im, const char *module, size_t module_len,
                        const char *name, size_t name_len, wg_extern_kind *kind, void **ptr);

/* Hands a failed instance to the map, which frees it in wg_imports_free. Used
 * when instantiation fails after the instance's functions may have escaped into
 * imported objects (an element segment wrote them into an imported table, or the
 * start function ran): the spec keeps such functions callable. Returns false
 * when out of memory (the caller then frees the instance). Thread-safe. */
bool wg__imports_adopt(const wg_imports *im, wg_instance *inst);

#endif
