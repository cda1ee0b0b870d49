/*
 * Decoding of the canon section (Binary.md "Canonical Definitions"): lift,
 * lower, and every built-in with its immediates and options. Includes the
 * `cancellable` flag byte of waitable-set.wait/poll and thread.* that the
 * reference tests' spec commit still has (the conformance README, "Spec
 * version"). Duplicate and conflicting options are recorded for the
 * validator, which owns those rules.
 */
#include "component/cdecode.h"

#include <string.h>

/* Upper bound on options per canon (wasmparser's limit). */
#define MAX_OPTIONS 10

static bool set_index(wg_copts *o, uint32_t *slot, uint32_t v, uint8_t code) {
    if (*slot != WG_CNONE && !o->dup) o->dup = (uint8_t)(code + 1);
    *slot = v;
    return true;
}

static bool opts(wg_cdec *d, wg_copts *o) {
    o->memory = o->realloc = o->post_return = o->callback = WG_CNONE;
    uint32_t n;
    size_t at = wg_reader_pos(&d->r);
    if (!wg__cdec_count(d, &n)) return false;
    if (n > MAX_OPTIONS) return wg__cdec_fail_at(d, at, "too many canonical options (%u)", n);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t b = 0;
        uint32_t v;
        if (!wg__cdec_byte(d, &b)) return false;
        switch (b) {
        case 0x00: case 0x01: case 0x02:
            if (o->has_encoding) {
                /* Remember the pair for the validator's message. */
                if (!o->conflict) o->conflict = (uint8_t)(0x10 | (o->encoding << 2) | b);
            } else {
                o->has_encoding = true;
                o->encoding = b;
            }
            break;
        case 0x03:
            if (!wg__cdec_u32(d, &v)) return false;
            set_index(o, &o->memory, v, 0x03);
            break;
        case 0x04:
            if (!wg__cdec_u32(d, &v)) return false;
            set_index(o, &o->realloc, v, 0x04);
            break;
        case 0x05:
            if (!wg__cdec_u32(d, &v)) return false;
            set_index(o, &o->post_return, v, 0x05);
            break;
        case 0x06:
            if (o->async && !o->dup) o->dup = 0x06 + 1;
            o->async = true;
            break;
        case 0x07:
            if (!wg__cdec_u32(d, &v)) return false;
            set_index(o, &o->callback, v, 0x07);
            break;
        default:
            return wg__cdec_bad_byte(d, b, "canonical option");
        }
    }
    return true;
}

bool wg__cdec_canon(wg_cdec *d, wg_ccanon *c) {
    memset(c, 0, sizeof *c);
    c->func = c->type = c->table = WG_CNONE;
    c->result = WG_RAW_NONE;
    c->resource = WG_CNONE;
    c->opts.memory = c->opts.realloc = c->opts.post_return = c->opts.callback = WG_CNONE;
    uint8_t op = 0, b = 0;
    if (!wg__cdec_byte(d, &op)) return false;
    c->op = op;
    switch (op) {
    case WG_CANON_LIFT:
        if (!wg__cdec_byte(d, &b)) return false;
        if (b != 0x00) return wg__cdec_bad_byte(d, b, "canonical function lift");
        return wg__cdec_u32(d, &c->func) && opts(d, &c->opts) && wg__cdec_u32(d, &c->type);
    case WG_CANON_LOWER:
        if (!wg__cdec_byte(d, &b)) return false;
        if (b != 0x00) return wg__cdec_bad_byte(d, b, "canonical function lower");
        return wg__cdec_u32(d, &c->func) && opts(d, &c->opts);
    case WG_CANON_RESOURCE_NEW: case WG_CANON_RESOURCE_DROP: case WG_CANON_RESOURCE_REP:
    case WG_CANON_STREAM_NEW: case WG_CANON_STREAM_DROP_READABLE:
    case WG_CANON_STREAM_DROP_WRITABLE: case WG_CANON_FUTURE_NEW:
    case WG_CANON_FUTURE_DROP_READABLE: case WG_CANON_FUTURE_DROP_WRITABLE:
        return wg__cdec_u32(d, &c->type);
    case WG_CANON_BACKPRESSURE_INC: case WG_CANON_BACKPRESSURE_DEC: case WG_CANON_TASK_CANCEL:
    case WG_CANON_SUBTASK_DROP: case WG_CANON_ERROR_CONTEXT_DROP: case WG_CANON_WAITABLE_SET_NEW:
    case WG_CANON_WAITABLE_SET_DROP: case WG_CANON_WAITABLE_JOIN: case WG_CANON_THREAD_INDEX:
    case WG_CANON_THREAD_RESUME_LATER:
        return true;
    case WG_CANON_TASK_RETURN: {
        if (!wg__cdec_byte(d, &b)) return false;
        if (b == 0x00) {
            if (!wg__cdec_valtype(d, &c->result)) return false;
        } else if (b == 0x01) {
            if (!wg__cdec_byte(d, &b)) return false;
            if (b != 0x00) return wg__cdec_bad_byte(d, b, "number of results");
        } else {
            return wg__cdec_bad_byte(d, b, "component function results");
        }
        return opts(d, &c->opts);
    }
    case WG_CANON_CONTEXT_GET: case WG_CANON_CONTEXT_SET:
        return wg__cdec_core_valtype(d, &c->valtype) && wg__cdec_u32(d, &c->slot);
    case WG_CANON_SUBTASK_CANCEL:
        return wg__cdec_bool(d, &c->flag);
    case WG_CANON_STREAM_READ: case WG_CANON_STREAM_WRITE: case WG_CANON_FUTURE_READ:
    case WG_CANON_FUTURE_WRITE:
        return wg__cdec_u32(d, &c->type) && opts(d, &c->opts);
    case WG_CANON_STREAM_CANCEL_READ: case WG_CANON_STREAM_CANCEL_WRITE:
    case WG_CANON_FUTURE_CANCEL_READ: case WG_CANON_FUTURE_CANCEL_WRITE:
        return wg__cdec_u32(d, &c->type) && wg__cdec_bool(d, &c->flag);
    case WG_CANON_ERROR_CONTEXT_NEW: case WG_CANON_ERROR_CONTEXT_DEBUG_MESSAGE:
        return opts(d, &c->opts);
    case WG_CANON_WAITABLE_SET_WAIT: case WG_CANON_WAITABLE_SET_POLL:
        if (!wg__cdec_bool(d, &c->flag)) return false;
        if (!wg__cdec_u32(d, &c->opts.memory)) return false;
        return true;
    case WG_CANON_THREAD_NEW_INDIRECT:
        return wg__cdec_u32(d, &c->type) && wg__cdec_u32(d, &c->table);
    case WG_CANON_THREAD_SUSPEND: case WG_CANON_THREAD_YIELD:
    case WG_CANON_THREAD_SUSPEND_THEN_RESUME: case WG_CANON_THREAD_YIELD_THEN_RESUME:
    case WG_CANON_THREAD_SUSPEND_THEN_PROMOTE: case WG_CANON_THREAD_YIELD_THEN_PROMOTE:
        return wg__cdec_bool(d, &c->flag);
    case WG_CANON_THREAD_SPAWN_REF:
        return wg__cdec_bool(d, &c->flag) && wg__cdec_u32(d, &c->type);
    case WG_CANON_THREAD_SPAWN_INDIRECT:
        return wg__cdec_bool(d, &c->flag) && wg__cdec_u32(d, &c->type) &&
               wg__cdec_u32(d, &c->table);
    case WG_CANON_THREAD_AVAILABLE_PARALLELISM:
        return wg__cdec_bool(d, &c->flag);
    default:
        return wg__cdec_bad_byte(d, op, "canonical function");
    }
}
