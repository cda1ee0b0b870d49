/*
 * Running one spec test script. See spec_script.h for the counting rules.
 *
 * Lifetimes: every module that loaded, every instance, every wg_imports set
 * and the script's spectest externs live until the script is done, then are
 * freed: import sets (they own the failed instances the engine kept alive),
 * instances (newest first), modules, spectest.
 * Registered instances are imported by later modules, and a module whose
 * instantiation failed may already have written its functions into an
 * imported table (linking.wast), so nothing is freed earlier.
 *
 * Export names may contain U+0000 (names.wast). cJSON strings are
 * NUL-terminated, so before parsing, every "\u0000" escape in the JSON text
 * is replaced by the raw byte 0xFF (which never occurs in UTF-8 text), and
 * names are mapped back (0xFF -> 0) with an explicit length.
 */
#include "spec_script.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "spec_spectest.h"
#include "spec_value.h"
#include "wasmgate/wasmgate.h"

#define NUL_MARK 0xFF   /* stands for U+0000 inside cJSON strings */

/* A growable array of pointers. */
typedef struct ptrvec {
    void **items;
    size_t n, cap;
} ptrvec;

/* A name bound to an instance: a module's "$name" or a register's "as".
 * inst is NULL if that module failed to load. */
typedef struct binding {
    char *name;
    wg_instance *inst;
} binding;

typedef struct bindvec {
    binding *items;
    size_t n, cap;
} bindvec;

/* The state of one script run. */
typedef struct script {
    const char *name;               /* script base name, for messages */
    char *dir;                      /* folder of the .json (module files are relative to it) */
    const spec_script_opts *opts;
    spec_counts *c;
    const char *kind;               /* type of the command running, for messages */
    spectest st;
    bool st_ok;                     /* spectest_init succeeded */
    ptrvec modules;                 /* wg_module *, every module that loaded */
    ptrvec instances;               /* wg_instance *, in creation order */
    ptrvec imports;                 /* wg_imports *, one per instantiation */
    bindvec named;                  /* "$name" -> instance */
    bindvec registered;             /* "as" -> instance, in command order */
    wg_instance *current;           /* the most recent module (NULL if it failed) */
    bool have_current;              /* a module command has been seen */
} script;

/* ---- small helpers ---------------------------------------------------------- */

static bool ptrvec_push(ptrvec *v, void *p)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 16;
        void **items = realloc(v->items, cap * sizeof *items);
        if (items == NULL)
            return false;
        v->items = items;
        v->cap = cap;
    }
    v->items[v->n++] = p;
    return true;
}

/* Binds name to inst (replacing an earlier binding of the same name if
 * replace is set, else appending). False when out of memory. */
static bool bindvec_set(bindvec *v, const char *name, wg_instance *inst, bool replace)
{
    if (replace) {
        for (size_t i = 0; i < v->n; i++) {
            if (strcmp(v->items[i].name, name) == 0) {
                v->items[i].inst = inst;
                return true;
            }
        }
    }
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        binding *items = realloc(v->items, cap * sizeof *items);
        if (items == NULL)
            return false;
        v->items = items;
        v->cap = cap;
    }
    char *copy = strdup(name);
    if (copy == NULL)
        return false;
    v->items[v->n++] = (binding){.name = copy, .inst = inst};
    return true;
}

/* Finds the binding of name; NULL if there is none. */
static const binding *bindvec_find(const bindvec *v, const char *name)
{
    for (size_t i = v->n; i-- > 0;) {
        if (strcmp(v->items[i].name, name) == 0)
            return &v->items[i];
    }
    return NULL;
}

static void bindvec_free(bindvec *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->items[i].name);
    free(v->items);
    memset(v, 0, sizeof *v);
}

/* Reads a whole file; *len receives its size. NULL on failure (errno set).
 * The caller frees the result. One extra NUL byte is appended. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (cap - n < 65536) {
            size_t ncap = cap ? cap * 2 : 65536;
            char *nbuf = realloc(buf, ncap + 1);
            if (nbuf == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nbuf;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Replaces every \u0000 escape of the JSON text by the raw byte NUL_MARK, in
 * place; returns the new length. Other escapes are left as they are. */
static size_t mark_nul_escapes(char *text, size_t len)
{
    size_t r = 0, w = 0;
    while (r < len) {
        if (text[r] == '\\' && r + 1 < len) {
            if (r + 6 <= len && memcmp(text + r, "\\u0000", 6) == 0) {
                text[w++] = (char)NUL_MARK;
                r += 6;
            } else {
                text[w++] = text[r++];
                text[w++] = text[r++];
            }
        } else {
            text[w++] = text[r++];
        }
    }
    text[w] = '\0';
    return w;
}

/* A name from the JSON with U+0000 restored: a malloc'd copy (NUL-terminated
 * too) and its length in *len. NULL when out of memory. */
static char *name_bytes(const char *s, size_t *len)
{
    size_t n = strlen(s);
    char *out = malloc(n + 1);
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        out[i] = (unsigned char)s[i] == NUL_MARK ? '\0' : s[i];
    out[n] = '\0';
    *len = n;
    return out;
}

/* Writes s (JSON form, NUL_MARK for U+0000) for printing into buf[n]:
 * control bytes and the mark are escaped. Returns buf. */
static const char *printable(const char *s, char *buf, size_t n)
{
    size_t w = 0;
    for (; *s != '\0' && w + 5 < n; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == NUL_MARK)
            w += (size_t)snprintf(buf + w, n - w, "\\00");
        else if (ch < 0x20 || ch == 0x7f)
            w += (size_t)snprintf(buf + w, n - w, "\\%02x", ch);
        else
            buf[w++] = (char)ch;
    }
    buf[w] = '\0';
    return buf;
}

/* snprintf that may truncate on purpose (vsnprintf escapes gcc's
 * -Wformat-truncation, which is right about these and harmless). */
__attribute__((format(printf, 3, 4)))
static void fmt_trunc(char *dst, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, n, fmt, ap);
    va_end(ap);
}

/* The string member `key` of obj, or NULL. */
static const char *json_str(const cJSON *obj, const char *key)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(j) ? j->valuestring : NULL;
}

/* True if the engine's message says what the script expects: it contains
 * the expected text, or it is a non-empty word-prefix of it (the reference
 * interpreter adds details such as "uninitialized element 2"). */
static bool text_matches(const char *actual, const char *expected)
{
    if (expected == NULL || strstr(actual, expected) != NULL)
        return true;
    size_t n = strlen(actual);
    return n > 0 && strncmp(expected, actual, n) == 0 && expected[n] == ' ';
}

static const char *err_kind_name(int kind)
{
    switch (kind) {
    case WG_ERR_NONE: return "none";
    case WG_ERR_MALFORMED: return "malformed";
    case WG_ERR_INVALID: return "invalid";
    case WG_ERR_UNLINKABLE: return "unlinkable";
    case WG_ERR_TRAP: return "trap";
    case WG_ERR_RESOURCE: return "resource";
    default: return "?";
    }
}

/* ---- outcomes --------------------------------------------------------------- */

static void pass(script *s)
{
    s->c->passed++;
}

/* Counts a failure of the running command; prints it under --verbose and
 * keeps the first one for the summary. */
__attribute__((format(printf, 2, 3)))
static void fail(script *s, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s->c->failed++;
    if (s->c->first_failure[0] == '\0')
        fmt_trunc(s->c->first_failure, sizeof s->c->first_failure, "line %d: %s: %s",
                 (int)s->c->line, s->kind, msg);
    if (s->opts->verbose)
        printf("  %s:%d: %s: FAIL: %s\n", s->name, (int)s->c->line, s->kind, msg);
}

/* Counts a rejection with another message than the script's (not a failure). */
__attribute__((format(printf, 2, 3)))
static void mismatch(script *s, const char *fmt, ...)
{
    s->c->mismatches++;
    if (!s->opts->verbose)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    printf("  %s:%d: %s: message mismatch: %s\n", s->name, (int)s->c->line, s->kind, msg);
}

static void skip(script *s, const char *why)
{
    s->c->skipped++;
    if (s->opts->verbose)
        printf("  %s:%d: %s: skipped: %s\n", s->name, (int)s->c->line, s->kind, why);
}

/* ---- modules ------------------------------------------------------------------ */

/* Loads s->dir/filename; NULL with err filled (also for an unreadable file,
 * with kind WG_ERR_NONE and *io set). A loaded module is kept in s->modules
 * unless keep is false (the caller then frees it). */
static wg_module *load_module(script *s, const char *filename, bool keep, wg_error *err, bool *io)
{
    *io = false;
    memset(err, 0, sizeof *err);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", s->dir, filename);
    size_t len = 0;
    char *bytes = read_file(path, &len);
    if (bytes == NULL) {
        *io = true;
        fmt_trunc(err->message, sizeof err->message, "cannot read %s", path);
        return NULL;
    }
    wg_module *m = wg_module_new((const uint8_t *)bytes, len, err);
    free(bytes);
    if (m != NULL && keep && !ptrvec_push(&s->modules, m)) {
        wg_module_free(m);
        *io = true;
        snprintf(err->message, sizeof err->message, "out of memory");
        return NULL;
    }
    return m;
}

/* A fresh import set: spectest, then every registered instance in command
 * order (a later registration of the same name wins). Kept in s->imports.
 * NULL when out of memory. */
static wg_imports *make_imports(script *s)
{
    wg_imports *im = wg_imports_new();
    if (im == NULL)
        return NULL;
    if (!ptrvec_push(&s->imports, im)) {
        wg_imports_free(im);
        return NULL;
    }
    if (!spectest_add_to(&s->st, im))
        return NULL;
    for (size_t i = 0; i < s->registered.n; i++) {
        if (s->registered.items[i].inst != NULL &&
            !wg_imports_add_instance(im, s->registered.items[i].name, s->registered.items[i].inst))
            return NULL;
    }
    return im;
}

/* Instantiates m against a fresh import set; the instance is kept in
 * s->instances. NULL with err (and trap, for a start-function trap) filled. */
static wg_instance *instantiate(script *s, const wg_module *m, wg_error *err, wg_trap *trap)
{
    memset(err, 0, sizeof *err);
    memset(trap, 0, sizeof *trap);
    wg_imports *im = make_imports(s);
    if (im == NULL) {
        err->kind = WG_ERR_RESOURCE;
        snprintf(err->message, sizeof err->message, "runner: out of memory building imports");
        return NULL;
    }
    wg_instance *inst = wg_instance_new(m, im, NULL, err, trap);
    if (inst != NULL && !ptrvec_push(&s->instances, inst)) {
        wg_instance_free(inst);
        err->kind = WG_ERR_RESOURCE;
        snprintf(err->message, sizeof err->message, "runner: out of memory");
        return NULL;
    }
    return inst;
}

/* Prints a module load/instantiation error (always for scripts expected to
 * pass, under --verbose only for listed ones) and counts one failure. */
__attribute__((format(printf, 2, 3)))
static void module_error(script *s, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    bool verbose = s->opts->verbose;
    if (!verbose && !s->opts->quiet_load_errors)
        printf("  %s:%d: error: %s\n", s->name, (int)s->c->line, msg);
    fail(s, "%s", msg);
}

static void cmd_module(script *s, const cJSON *cmd)
{
    const char *filename = json_str(cmd, "filename");
    const char *name = json_str(cmd, "name");
    wg_instance *inst = NULL;
    s->have_current = true;
    if (filename == NULL) {
        module_error(s, "module command without a filename");
    } else {
        wg_error err;
        bool io;
        wg_module *m = load_module(s, filename, true, &err, &io);
        if (m == NULL) {
            module_error(s, "module %s failed to load (%s): %s", filename,
                         io ? "runner" : err_kind_name(err.kind), err.message);
        } else {
            wg_trap trap;
            inst = instantiate(s, m, &err, &trap);
            if (inst == NULL) {
                if (trap.code != WG_TRAP_NONE)
                    module_error(s, "module %s failed to instantiate (%s): %s [trap: %s]", filename,
                                 err_kind_name(err.kind), err.message, trap.message);
                else
                    module_error(s, "module %s failed to instantiate (%s): %s", filename,
                                 err_kind_name(err.kind), err.message);
            }
        }
    }
    s->current = inst;
    if (name != NULL && !bindvec_set(&s->named, name, inst, true))
        fail(s, "runner: out of memory");
}

/* The instance a command refers to: by "$name", else the current one. On
 * failure returns NULL and writes why; *known is false if the name (or any
 * module) was never defined, true if it was but failed to load. */
static wg_instance *find_instance(script *s, const char *name, char *why, size_t n)
{
    if (name != NULL) {
        const binding *b = bindvec_find(&s->named, name);
        if (b == NULL)
            snprintf(why, n, "no module named %s", name);
        else if (b->inst == NULL)
            snprintf(why, n, "module %s is not available (it failed to load)", name);
        return b ? b->inst : NULL;
    }
    if (!s->have_current)
        snprintf(why, n, "no module defined yet");
    else if (s->current == NULL)
        snprintf(why, n, "the current module is not available (it failed to load)");
    return s->current;
}

static void cmd_register(script *s, const cJSON *cmd)
{
    const char *as = json_str(cmd, "as");
    const char *name = json_str(cmd, "name");
    if (as == NULL) {
        fail(s, "register without \"as\"");
        return;
    }
    char why[256];
    wg_instance *inst = find_instance(s, name, why, sizeof why);
    if (inst == NULL) {
        /* A module that failed to load was already counted; say why under --verbose. */
        if (s->opts->verbose)
            printf("  %s:%d: register \"%s\": %s\n", s->name, (int)s->c->line, as, why);
        if ((name != NULL && bindvec_find(&s->named, name) == NULL) ||
            (name == NULL && !s->have_current))
            fail(s, "%s", why);
    }
    /* Registered as well when NULL, so that the name shadows an older one. */
    if (!bindvec_set(&s->registered, as, inst, false))
        fail(s, "runner: out of memory");
}

/* ---- actions ------------------------------------------------------------------ */

typedef enum action_result {
    ACT_RETURNED,       /* results hold nresults values */
    ACT_TRAPPED,        /* trap is filled */
    ACT_ERROR,          /* the runner could not perform it; why says so */
} action_result;

/* Performs an action object ("invoke" or "get"). On ACT_RETURNED, *results
 * (malloc'd, the caller frees) holds *nresults values. */
static action_result perform(script *s, const cJSON *action, wg_val **results, uint32_t *nresults,
                             wg_trap *trap, char *why, size_t n)
{
    *results = NULL;
    *nresults = 0;
    memset(trap, 0, sizeof *trap);
    const char *type = json_str(action, "type");
    const char *field = json_str(action, "field");
    if (type == NULL || field == NULL) {
        snprintf(why, n, "action without type or field");
        return ACT_ERROR;
    }
    char pbuf[256];
    wg_instance *inst = find_instance(s, json_str(action, "module"), why, n);
    if (inst == NULL)
        return ACT_ERROR;
    size_t len;
    char *fname = name_bytes(field, &len);
    if (fname == NULL) {
        snprintf(why, n, "runner: out of memory");
        return ACT_ERROR;
    }

    action_result res = ACT_ERROR;
    wg_val *args = NULL;
    if (strcmp(type, "get") == 0) {
        wg_global *g = wg_instance_export(inst, fname, len, WG_EXTERN_GLOBAL);
        if (g == NULL) {
            snprintf(why, n, "no exported global \"%s\"", printable(field, pbuf, sizeof pbuf));
            goto done;
        }
        *results = malloc(sizeof **results);
        if (*results == NULL) {
            snprintf(why, n, "runner: out of memory");
            goto done;
        }
        (*results)[0] = wg_global_get(g);
        *nresults = 1;
        res = ACT_RETURNED;
        goto done;
    }
    if (strcmp(type, "invoke") != 0) {
        snprintf(why, n, "unknown action type \"%s\"", type);
        goto done;
    }

    wg_func *f = wg_instance_export(inst, fname, len, WG_EXTERN_FUNC);
    if (f == NULL) {
        snprintf(why, n, "no exported function \"%s\"", printable(field, pbuf, sizeof pbuf));
        goto done;
    }
    const cJSON *jargs = cJSON_GetObjectItemCaseSensitive(action, "args");
    int nargs = cJSON_IsArray(jargs) ? cJSON_GetArraySize(jargs) : 0;
    wg_functype_view ft = wg_func_type(f);
    if ((uint32_t)nargs != ft.nparams) {
        snprintf(why, n, "\"%s\" takes %u arguments, the script passes %d",
                 printable(field, pbuf, sizeof pbuf), ft.nparams, nargs);
        goto done;
    }
    args = calloc((size_t)nargs + 1, sizeof *args);
    *results = calloc((size_t)ft.nresults + 1, sizeof **results);
    if (args == NULL || *results == NULL) {
        snprintf(why, n, "runner: out of memory");
        goto done;
    }
    for (int i = 0; i < nargs; i++) {
        if (!spec_parse_arg(cJSON_GetArrayItem(jargs, i), &args[i], why, n))
            goto done;
        if (args[i].type != ft.params[i]) {
            snprintf(why, n, "argument %d is %s, \"%s\" takes %s", i, spec_type_name(args[i].type),
                     printable(field, pbuf, sizeof pbuf), spec_type_name(ft.params[i]));
            goto done;
        }
    }
    if (wg_func_call(inst, f, args, (uint32_t)nargs, *results, ft.nresults, trap)) {
        *nresults = ft.nresults;
        res = ACT_RETURNED;
    } else {
        res = ACT_TRAPPED;
    }

done:
    if (res != ACT_RETURNED) {
        free(*results);
        *results = NULL;
    }
    free(args);
    free(fname);
    return res;
}

/* Formats a list of values into buf[n]. */
static const char *format_vals(const wg_val *vals, uint32_t nvals, char *buf, size_t n)
{
    size_t w = 0;
    buf[0] = '\0';
    for (uint32_t i = 0; i < nvals && w + 2 < n; i++) {
        char one[96];
        int k = snprintf(buf + w, n - w, "%s%s", i ? ", " : "", spec_val_format(&vals[i], one, sizeof one));
        if (k < 0)
            break;
        w += (size_t)k;
        if (w >= n)
            w = n - 1;
    }
    if (nvals == 0)
        snprintf(buf, n, "(nothing)");
    return buf;
}

/* The trap's message, or "(code N, empty message)" when the engine left it empty. */
static const char *trap_text(const wg_trap *trap, char *buf, size_t n)
{
    if (trap->message[0] != '\0')
        return trap->message;
    snprintf(buf, n, "(code %d, empty message)", (int)trap->code);
    return buf;
}

static void cmd_assert_return(script *s, const cJSON *cmd)
{
    const cJSON *action = cJSON_GetObjectItemCaseSensitive(cmd, "action");
    wg_val *got;
    uint32_t ngot;
    wg_trap trap;
    char why[512], tbuf[64];
    switch (perform(s, action, &got, &ngot, &trap, why, sizeof why)) {
    case ACT_ERROR:
        fail(s, "%s", why);
        return;
    case ACT_TRAPPED:
        fail(s, "trapped: %s", trap_text(&trap, tbuf, sizeof tbuf));
        return;
    case ACT_RETURNED:
        break;
    }
    const cJSON *jexp = cJSON_GetObjectItemCaseSensitive(cmd, "expected");
    int nexp = cJSON_IsArray(jexp) ? cJSON_GetArraySize(jexp) : 0;
    char gbuf[512], ebuf[96];
    if ((uint32_t)nexp != ngot) {
        fail(s, "returned %u values (%s), the script expects %d", ngot,
             format_vals(got, ngot, gbuf, sizeof gbuf), nexp);
        free(got);
        return;
    }
    for (int i = 0; i < nexp; i++) {
        spec_expect want;
        if (!spec_parse_expect(cJSON_GetArrayItem(jexp, i), &want, why, sizeof why)) {
            fail(s, "%s", why);
            break;
        }
        if (!spec_val_matches(&got[i], &want)) {
            char one[96];
            fail(s, "result %d: got %s, expected %s", i, spec_val_format(&got[i], one, sizeof one),
                 spec_expect_format(&want, ebuf, sizeof ebuf));
            break;
        }
        if (i == nexp - 1)
            pass(s);
    }
    if (nexp == 0)
        pass(s);
    free(got);
}

static void cmd_action(script *s, const cJSON *cmd)
{
    const cJSON *action = cJSON_GetObjectItemCaseSensitive(cmd, "action");
    wg_val *got;
    uint32_t ngot;
    wg_trap trap;
    char why[512], tbuf[64];
    switch (perform(s, action, &got, &ngot, &trap, why, sizeof why)) {
    case ACT_ERROR:
        fail(s, "%s", why);
        return;
    case ACT_TRAPPED:
        fail(s, "trapped: %s", trap_text(&trap, tbuf, sizeof tbuf));
        return;
    case ACT_RETURNED:
        pass(s);
        free(got);
        return;
    }
}

/* assert_trap (exhaustion false) and assert_exhaustion (true). */
static void cmd_assert_trap(script *s, const cJSON *cmd, bool exhaustion)
{
    const cJSON *action = cJSON_GetObjectItemCaseSensitive(cmd, "action");
    const char *text = json_str(cmd, "text");
    wg_val *got;
    uint32_t ngot;
    wg_trap trap;
    char why[512], gbuf[512], tbuf[64];
    switch (perform(s, action, &got, &ngot, &trap, why, sizeof why)) {
    case ACT_ERROR:
        fail(s, "%s", why);
        return;
    case ACT_RETURNED:
        fail(s, "returned %s instead of trapping with \"%s\"", format_vals(got, ngot, gbuf, sizeof gbuf),
             text ? text : "?");
        free(got);
        return;
    case ACT_TRAPPED:
        break;
    }
    const char *msg = trap_text(&trap, tbuf, sizeof tbuf);
    if (exhaustion) {
        if (trap.code != WG_TRAP_STACK_EXHAUSTED) {
            fail(s, "trapped with \"%s\" (code %d), expected call stack exhaustion", msg, (int)trap.code);
            return;
        }
        pass(s);
        if (!text_matches(trap.message, text))
            mismatch(s, "trap \"%s\", the script says \"%s\"", msg, text);
        return;
    }
    if (trap.code == WG_TRAP_NONE) {
        fail(s, "the call failed but the trap code is WG_TRAP_NONE (message \"%s\")", trap.message);
        return;
    }
    if (!text_matches(trap.message, text)) {
        fail(s, "trapped with \"%s\", expected \"%s\"", msg, text ? text : "?");
        return;
    }
    pass(s);
}

/* assert_invalid and assert_malformed: the module must be rejected. */
static void cmd_assert_rejected(script *s, const cJSON *cmd, int want_kind)
{
    const char *filename = json_str(cmd, "filename");
    const char *text = json_str(cmd, "text");
    const char *mtype = json_str(cmd, "module_type");
    if (mtype != NULL && strcmp(mtype, "text") == 0) {
        skip(s, "text-format module (no text parser)");
        return;
    }
    if (filename == NULL) {
        fail(s, "no filename");
        return;
    }
    wg_error err;
    bool io;
    wg_module *m = load_module(s, filename, false, &err, &io);
    if (m != NULL) {
        wg_module_free(m);
        fail(s, "%s was accepted; expected rejection with \"%s\"", filename, text ? text : "?");
        return;
    }
    if (io) {
        fail(s, "%s", err.message);
        return;
    }
    pass(s);
    bool text_ok = text_matches(err.message, text);
    bool kind_ok = err.kind == want_kind;
    if (!text_ok || !kind_ok)
        mismatch(s, "%s: got %s error \"%s\", the script says %s \"%s\"", filename,
                 err_kind_name(err.kind), err.message, err_kind_name(want_kind), text ? text : "?");
}

/* assert_unlinkable (trap false) and assert_uninstantiable (trap true). */
static void cmd_assert_instantiation_fails(script *s, const cJSON *cmd, bool want_trap)
{
    const char *filename = json_str(cmd, "filename");
    const char *text = json_str(cmd, "text");
    if (filename == NULL) {
        fail(s, "no filename");
        return;
    }
    wg_error err;
    bool io;
    wg_module *m = load_module(s, filename, true, &err, &io);
    if (m == NULL) {
        fail(s, "%s failed to load (%s): %s", filename, io ? "runner" : err_kind_name(err.kind),
             err.message);
        return;
    }
    wg_trap trap;
    wg_instance *inst = instantiate(s, m, &err, &trap);
    if (inst != NULL) {
        /* Kept (in s->instances): it may have written to shared tables or memories. */
        fail(s, "%s instantiated; expected %s \"%s\"", filename,
             want_trap ? "a trap" : "a link error", text ? text : "?");
        return;
    }
    if (want_trap && err.kind != WG_ERR_TRAP) {
        fail(s, "%s: instantiation failed with a %s error, not a trap: %s", filename,
             err_kind_name(err.kind), err.message);
        return;
    }
    pass(s);
    bool text_ok = text_matches(err.message, text) || (trap.message[0] && text_matches(trap.message, text));
    bool kind_ok = err.kind == (want_trap ? WG_ERR_TRAP : WG_ERR_UNLINKABLE);
    if (!text_ok || !kind_ok)
        mismatch(s, "%s: got %s error \"%s\"%s%s, the script says \"%s\"", filename,
                 err_kind_name(err.kind), err.message, trap.message[0] ? " trap " : "",
                 trap.message, text ? text : "?");
}

/* ---- the script ------------------------------------------------------------- */

static bool is_assertion(const char *type)
{
    return strcmp(type, "module") != 0 && strcmp(type, "register") != 0;
}

static void run_command(script *s, const cJSON *cmd)
{
    const char *type = json_str(cmd, "type");
    s->kind = type ? type : "?";
    if (type == NULL)
        fail(s, "command without a type");
    else if (strcmp(type, "module") == 0)
        cmd_module(s, cmd);
    else if (strcmp(type, "register") == 0)
        cmd_register(s, cmd);
    else if (strcmp(type, "assert_return") == 0)
        cmd_assert_return(s, cmd);
    else if (strcmp(type, "action") == 0)
        cmd_action(s, cmd);
    else if (strcmp(type, "assert_trap") == 0)
        cmd_assert_trap(s, cmd, false);
    else if (strcmp(type, "assert_exhaustion") == 0)
        cmd_assert_trap(s, cmd, true);
    else if (strcmp(type, "assert_invalid") == 0)
        cmd_assert_rejected(s, cmd, WG_ERR_INVALID);
    else if (strcmp(type, "assert_malformed") == 0)
        cmd_assert_rejected(s, cmd, WG_ERR_MALFORMED);
    else if (strcmp(type, "assert_unlinkable") == 0)
        cmd_assert_instantiation_fails(s, cmd, false);
    else if (strcmp(type, "assert_uninstantiable") == 0)
        cmd_assert_instantiation_fails(s, cmd, true);
    else
        fail(s, "unknown command type \"%s\"", type);
}

static void report(const script *s)
{
    if (s->opts->progress != NULL)
        s->opts->progress(s->c, s->opts->progress_data);
}

bool spec_script_run(const char *dir, const char *name, const spec_script_opts *opts,
                     spec_counts *out)
{
    memset(out, 0, sizeof *out);
    out->assertions = -1;
    script s = {.name = name, .opts = opts, .c = out, .kind = "script"};
    bool ok = false;
    char *text = NULL;
    cJSON *root = NULL;

    size_t dlen = strlen(dir) + strlen(name) + 2;
    s.dir = malloc(dlen);
    if (s.dir == NULL) {
        fail(&s, "runner: out of memory");
        goto done;
    }
    snprintf(s.dir, dlen, "%s/%s", dir, name);

    char path[4096];
    snprintf(path, sizeof path, "%s/%s.json", s.dir, name);
    size_t len = 0;
    text = read_file(path, &len);
    if (text == NULL) {
        printf("  %s: error: cannot read %s\n", name, path);
        fail(&s, "cannot read %s", path);
        goto done;
    }
    len = mark_nul_escapes(text, len);
    root = cJSON_ParseWithLength(text, len);
    const cJSON *cmds = cJSON_GetObjectItemCaseSensitive(root, "commands");
    if (root == NULL || !cJSON_IsArray(cmds)) {
        printf("  %s: error: %s is not a wast2json command list\n", name, path);
        fail(&s, "%s is not a wast2json command list", path);
        goto done;
    }
    const char *what = NULL;
    if (!spectest_init(&s.st, opts->verbose, &what)) {
        printf("  %s: error: cannot create spectest.%s\n", name, what);
        fail(&s, "cannot create spectest.%s", what);
        goto done;
    }
    s.st_ok = true;

    out->assertions = 0;
    const cJSON *cmd;
    cJSON_ArrayForEach(cmd, cmds) {
        const char *type = json_str(cmd, "type");
        if (type == NULL || is_assertion(type))
            out->assertions++;
    }
    cJSON_ArrayForEach(cmd, cmds) {
        const cJSON *jl = cJSON_GetObjectItemCaseSensitive(cmd, "line");
        out->line = cJSON_IsNumber(jl) ? jl->valueint : 0;
        report(&s);
        fflush(stdout);
        run_command(&s, cmd);
    }
    out->line = SPEC_LINE_CLEANUP;
    report(&s);
    ok = true;

done:
    /* Import sets first: the engine hands a failed instance that may still be
     * reachable (functions written into an imported table) to its import set,
     * which frees it and needs its module alive. */
    for (size_t i = s.imports.n; i-- > 0;)
        wg_imports_free(s.imports.items[i]);
    for (size_t i = s.instances.n; i-- > 0;)
        wg_instance_free(s.instances.items[i]);
    for (size_t i = s.modules.n; i-- > 0;)
        wg_module_free(s.modules.items[i]);
    free(s.instances.items);
    free(s.modules.items);
    free(s.imports.items);
    if (s.st_ok)
        spectest_free(&s.st);
    bindvec_free(&s.named);
    bindvec_free(&s.registered);
    cJSON_Delete(root);
    free(text);
    free(s.dir);
    out->line = 0;
    out->done = 1;
    report(&s);
    return ok;
}
