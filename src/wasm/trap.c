/*
 * Traps: the spec's message for each code, filling a wg_trap with a backtrace
 * when the interpreter stops, and formatting one for people.
 */
#include <stdio.h>
#include <string.h>

#include "wasm/runtime.h"

static const char *const trap_messages[] = {
#define WG_X_(name, msg) msg,
    WG_TRAP_LIST(WG_X_)
#undef WG_X_
};

const char *wg_trap_message(wg_trap_code code) {
    if ((unsigned)code >= WG_TRAP_COUNT_) return "unknown trap";
    return trap_messages[code];
}

/* The frames are walked innermost first: the function that trapped is
 * frames[nframes-1]. */
void wg__trap_fill(wg_exec *ex, wg_trap_code code, const char *host_msg) {
    wg_trap *t = ex->trap;
    if (!t) return;
    t->code = code;
    if (code == WG_TRAP_HOST && host_msg) {
        snprintf(t->message, sizeof t->message, "%s", host_msg);
    } else if (code != WG_TRAP_EXIT) {
        snprintf(t->message, sizeof t->message, "%s", wg_trap_message(code));
    }
    t->nframes = 0;
    for (uint32_t i = ex->nframes; i > 0 && t->nframes < WG_BACKTRACE_MAX; i--) {
        const wg_func *f = ex->frames[i - 1].func;
        wg_trap_frame *fr = &t->frames[t->nframes++];
        if (f && f->inst) {
            fr->module = f->inst->module;
            fr->func_index = f->index;
            fr->func_name = wg_module_func_name(f->inst->module, f->index);
        } else {
            fr->module = NULL;
            fr->func_index = 0;
            fr->func_name = NULL;
        }
    }
}

size_t wg_trap_format(const wg_trap *trap, char *buf, size_t size) {
    size_t len = 0;
    int n;
#define APPEND(...)                                                        \
    do {                                                                   \
        n = snprintf(buf && len < size ? buf + len : NULL,                 \
                     buf && len < size ? size - len : 0, __VA_ARGS__);     \
        if (n > 0) len += (size_t)n;                                       \
    } while (0)
    if (buf && size) buf[0] = '\0';
    APPEND("error: wasm trap: %s\n", trap->message);
    for (uint32_t i = 0; i < trap->nframes; i++) {
        const wg_trap_frame *f = &trap->frames[i];
        if (!f->module)
            APPEND("  #%u <host function>\n", i);
        else if (f->func_name)
            APPEND("  #%u %s (func %u)\n", i, f->func_name, f->func_index);
        else
            APPEND("  #%u func[%u]\n", i, f->func_index);
    }
#undef APPEND
    return len;
}
