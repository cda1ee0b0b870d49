/*
 * WAVE function calls (wave.h, wg__wave_parse_call): `name(arg, ...)`, the
 * form `wasmtime run --invoke` takes (wasm-wave's UntypedFuncCall). The name
 * is split into an instance name and a function name, resolved through the
 * caller's lookup, and the arguments are parsed with the parameter types.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "component/wave_int.h"

static bool name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == ':' || c == '/' || c == '@' || c == '.' || c == '#' || c == '+';
}

static char *dup_n(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* Splits name[0..n) into instance and function names (malloc'd; *iface NULL
 * for a top-level function). False with *why set if the name has no form
 * wave.h lists, or out of memory (*why NULL). */
static bool split_name(const char *name, size_t n, char **iface, char **func, const char **why) {
    *iface = *func = NULL;
    *why = NULL;
    const char *hash = memchr(name, '#', n);
    if (hash) {
        /* iface#func: the Component Model's export path. */
        size_t il = (size_t)(hash - name), fl = n - il - 1;
        if (!il || !fl || memchr(hash + 1, '#', fl)) {
            *why = "expected `iface#func`";
            return false;
        }
        *iface = dup_n(name, il);
        *func = dup_n(hash + 1, fl);
    } else {
        /* [ns:pkg/]iface.func[@version] (wit-parser's ItemName) or func. */
        const char *at = memchr(name, '@', n);
        size_t rest = at ? (size_t)(at - name) : n;
        const char *slash = memchr(name, '/', rest);
        const char *dot = NULL;
        for (size_t i = slash ? (size_t)(slash - name) : 0; i < rest; i++)
            if (name[i] == '.') dot = name + i;
        if (!dot) {
            if (slash || at) {
                *why = "expected `ns:pkg/iface.func@version` or `ns:pkg/iface@version#func`";
                return false;
            }
            *func = dup_n(name, n);
            return *func != NULL;
        }
        size_t il = (size_t)(dot - name), fl = rest - il - 1;
        if (!il || !fl) {
            *why = "expected `iface.func`";
            return false;
        }
        *func = dup_n(dot + 1, fl);
        *iface = malloc(il + (n - rest) + 1);
        if (*iface) {
            memcpy(*iface, name, il);
            memcpy(*iface + il, name + rest, n - rest); /* @version */
            (*iface)[il + n - rest] = '\0';
        }
    }
    if (!*iface || !*func) {
        free(*iface);
        free(*func);
        *iface = *func = NULL;
        return false;
    }
    return true;
}

void wg__wave_call_free(wg_wave_call *c) {
    if (!c) return;
    for (size_t i = 0; i < c->nargs && c->args; i++) wg_cval_free(&c->args[i]);
    free(c->args);
    free(c->iface);
    free(c->func);
    memset(c, 0, sizeof *c);
}

/* The arguments `(a, b, ...)` for ft into call->args. */
static bool parse_args(wg_wparser *p, wg_wave_call *call, const char *shown) {
    const wg_cfunctype *ft = call->type;
    wg_wtoken open = wg__wave_next(p);
    if (open.kind != WG_WT_LPAREN) return wg__wave_unexpected(p, &open, "`(` after the function name");
    call->args = calloc(ft->nparams ? ft->nparams : 1, sizeof *call->args);
    if (!call->args) return wg__wave_fail(p, open.start, 0, "out of memory");
    call->nargs = ft->nparams;
    for (uint32_t i = 0; i < ft->nparams; i++) call->args[i].kind = WG_CV_BOOL;
    uint32_t count = 0;
    wg_wtoken close;
    for (;;) {
        const wg_wtoken *next = wg__wave_peek(p);
        if (next->kind == WG_WT_RPAREN) {
            close = wg__wave_next(p);
            break;
        }
        if (count >= ft->nparams && next->kind != WG_WT_BAD)
            return wg__wave_fail(p, next->start, next->end - next->start,
                                 "too many arguments: `%s` takes %u", shown, ft->nparams);
        if (!wg__wave_value(p, ft->params[count].type, &call->args[count], 0)) return false;
        count++;
        close = wg__wave_next(p);
        if (close.kind == WG_WT_RPAREN) break;
        if (close.kind != WG_WT_COMMA) return wg__wave_unexpected(p, &close, "`,` or `)`");
    }
    /* Trailing option parameters may be left out (none). */
    for (uint32_t i = count; i < ft->nparams; i++) {
        if (ft->params[i].type->kind != WG_CT_OPTION)
            return wg__wave_fail(p, close.start, 1, "missing argument `%s` (%s) of `%s`", ft->params[i].name,
                                 wg__wave_type_name(ft->params[i].type), shown);
        call->args[i] = wg_cval_var(WG_CV_OPTION, 0, NULL);
    }
    return wg__wave_end(p);
}

bool wg__wave_parse_call(const char *text, size_t len, wg_wave_lookup lookup, void *ctx,
                         wg_wave_call *out, wg_wave_error *err) {
    wg_wparser p;
    memset(out, 0, sizeof *out);
    if (!wg__wave_begin(&p, text, len, err)) return false;
    size_t start = 0;
    while (start < len && (text[start] == ' ' || text[start] == '\t' || text[start] == '\n' || text[start] == '\r'))
        start++;
    size_t end = start;
    while (end < len && name_char(text[end])) end++;
    if (end == start) {
        p.pos = start;
        const wg_wtoken *t = wg__wave_peek(&p);
        return wg__wave_unexpected(&p, t, "a function name");
    }
    const char *why;
    if (!split_name(text + start, end - start, &out->iface, &out->func, &why)) {
        if (why)
            return wg__wave_fail(&p, start, end - start, "invalid function name `%.*s`: %s",
                                 (int)(end - start), text + start, why);
        return wg__wave_fail(&p, start, 0, "out of memory");
    }
    out->type = lookup(ctx, out->iface, out->func);
    if (!out->type) {
        wg__wave_fail(&p, start, end - start, "unknown function `%.*s`", (int)(end - start), text + start);
        wg__wave_call_free(out);
        return false;
    }
    p.pos = end;
    char shown[128];
    snprintf(shown, sizeof shown, "%.*s", (int)(end - start > 100 ? 100 : end - start), text + start);
    if (!parse_args(&p, out, shown)) {
        wg__wave_call_free(out);
        return false;
    }
    return true;
}
