/*
 * wasmtime's wast harness imports (crates/wast/src/spectest.rs,
 * link_component_spectest; the conformance README "Host imports of
 * wasmtime's harness"), the synchronous ones and host-echo-u32, defined
 * with the public linker API (component_harness.c).
 */
#ifndef WG_COMPONENT_HARNESS_H
#define WG_COMPONENT_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "wasmgate/component.h"

typedef struct cm_harness {
    wg_clinker *linker;
    wg_module *simple_module;
    const wg_rtype *resource1, *resource2;
    uint32_t drops, last_drop;       /* resource1's destructor calls */
} cm_harness;

/* Defines the imports in a new linker. False when out of memory. */
bool cm_harness_init(cm_harness *h);
void cm_harness_fini(cm_harness *h);

#endif
