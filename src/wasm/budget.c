/*
 * Byte budgets shared by instances and the embedder (wasmgate.h wg_budget).
 *
 * One atomic counter. A charge is a compare-and-swap loop so that two threads
 * racing for the last bytes can never both succeed and pass the limit
 * together (a fetch_add followed by an undo would let a third thread see a
 * transient overshoot and fail for nothing).
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "wasmgate/wasmgate.h"

struct wg_budget {
    _Atomic uint64_t used;
    uint64_t limit;
};

wg_budget *wg_budget_new(uint64_t limit) {
    wg_budget *b = malloc(sizeof *b);
    if (!b) return NULL;
    atomic_init(&b->used, 0);
    b->limit = limit;
    return b;
}

void wg_budget_free(wg_budget *b) {
    free(b);
}

bool wg_budget_charge(wg_budget *b, uint64_t bytes) {
    uint64_t used = atomic_load_explicit(&b->used, memory_order_relaxed);
    do {
        if (bytes > b->limit || used > b->limit - bytes) return false;
    } while (!atomic_compare_exchange_weak_explicit(&b->used, &used, used + bytes,
                                                    memory_order_relaxed, memory_order_relaxed));
    return true;
}

void wg_budget_release(wg_budget *b, uint64_t bytes) {
    atomic_fetch_sub_explicit(&b->used, bytes, memory_order_relaxed);
}

uint64_t wg_budget_used(const wg_budget *b) {
    return atomic_load_explicit(&((wg_budget *)b)->used, memory_order_relaxed);
}

uint64_t wg_budget_limit(const wg_budget *b) {
    return b->limit;
}
