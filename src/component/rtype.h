/*
 * Runtime resource types (wg_rtype, opaque in include/wasmgate/component.h):
 * definitions.py ResourceType. A component instance gets one per resource it
 * defines (`impl` is that instance); a host gets one per resource type it
 * defines (`impl` NULL). Handles remember the type they were made with and
 * every use compares it by pointer, as the reference compares `rt is not
 * t.rt`: two instances of one component have distinct types.
 *
 * The instantiation code owns these (an array per instance, or one per host
 * resource) and must keep them alive while any handle or value names them.
 */
#ifndef WG_COMPONENT_RTYPE_H
#define WG_COMPONENT_RTYPE_H

#include "component/canon.h"

struct wg_rtype {
    /* For messages: the resource's name in its WIT (may be NULL). */
    const char *name;
    /* The implementing component instance; NULL for a host resource. A borrow
     * lowered into the implementing instance arrives as the bare rep. */
    wg_canon_inst *impl;
    /* The destructor, called with slots[0] = rep (one argument, no result)
     * when an own handle is dropped; fn NULL: none. */
    wg_canon_core dtor;
    /* A host resource (impl NULL) may have this instead: its destructor is
     * told which instance dropped the handle (the host's per-instance state
     * lives there). NULL: none (dtor is used). */
    bool (*host_dtor)(const wg_rtype *rt, wg_canon_inst *dropper, uint32_t rep, wg_trap *trap);
};

/* A resource type with its fields set (no allocation). */
static inline wg_rtype wg__rtype_make(const char *name, wg_canon_inst *impl, wg_canon_core dtor) {
    return (wg_rtype){.name = name, .impl = impl, .dtor = dtor, .host_dtor = NULL};
}

#endif
