/*
 * One Component Model conformance script. See component_script.h for the
 * counting rules. Binary file names are relative to the .json's folder.
 * Instances, components and the harness linker live until the script
 * ends: instances are freed in reverse order (a consumer before the
 * instance it links against), then the linker, then the components.
 */
#include "component_script.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "component_harness.h"
#include "component_values.h"
#include "wasmgate/component.h"

/* A name ("$i") bound to a component or an instance. */
typedef struct binding {
    char *name;
    void *obj;
} binding;

typedef struct bindings {
    binding *v;
    size_t n, cap;
} bindings;

typedef struct script {
    const char *name;
    char *dir;
    const cm_script_opts *opts;
    cm_counts *c;
    int line;
    bool *xfailed;              /* per listed line: it failed */
    cm_harness harness;         /* the linker: harness imports + named instances */
    bool harness_ok;
    bindings comps;             /* every component loaded (name NULL: unnamed) */
    bindings insts;             /* every instance made, in order (freed in reverse) */
    bindings defs;              /* component_definition names */
    bindings named;             /* instance names (later bindings win) */
    wg_cinstance *current;
} script;

/* The index of the current line among the listed ones, or -1. */
static int listed_line(const script *s) {
    for (uint32_t i = 0; i < s->opts->nxlines; i++)
        if (s->opts->xlines[i] == s->line) return (int)i;
    return -1;
}

static void say(const script *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const script *s, const char *fmt, ...) {
    if (s->opts->quiet && !s->opts->verbose) return;
    va_list ap;
    va_start(ap, fmt);
    printf("%s:%d: ", s->name, s->line);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}

static void pass(script *s) { s->c->passed++; }

static void fail(script *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(script *s, const char *fmt, ...) {
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s->c->failed++;
    int x = listed_line(s);
    if (x >= 0) {
        s->c->xfailed++;
        if (s->xfailed) s->xfailed[x] = true;
        if (s->opts->verbose) printf("%s:%d: expected failure: %s\n", s->name, s->line, msg);
        return;
    }
    if (!s->c->first_failure[0]) {
        char first[sizeof msg + 16];
        snprintf(first, sizeof first, "%d: %s", s->line, msg);
        memcpy(s->c->first_failure, first, sizeof s->c->first_failure - 1);
        s->c->first_failure[sizeof s->c->first_failure - 1] = '\0';
    }
    if (!s->opts->quiet || s->opts->verbose) printf("%s:%d: FAIL: %s\n", s->name, s->line, msg);
}

static void skip(script *s, const char *why) {
    s->c->skipped++;
    if (s->opts->verbose) printf("%s:%d: skipped: %s\n", s->name, s->line, why);
}

static uint8_t *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            uint8_t *b = realloc(buf, cap);
            if (!b) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = b;
        }
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (k == 0) break;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Loads the command's binary; *comp NULL with err filled when it does not
 * load. False (a failure recorded) if the file cannot be read. */
static bool load(script *s, const cJSON *cmd, wg_component **comp, wg_error *err) {
    const cJSON *fn = cJSON_GetObjectItemCaseSensitive(cmd, "filename");
    *comp = NULL;
    if (!cJSON_IsString(fn)) {
        fail(s, "command without a filename");
        return false;
    }
    size_t plen = strlen(s->dir) + strlen(fn->valuestring) + 2;
    char *path = malloc(plen);
    if (!path) {
        fail(s, "out of memory");
        return false;
    }
    snprintf(path, plen, "%s/%s", s->dir, fn->valuestring);
    size_t len = 0;
    uint8_t *bytes = read_file(path, &len);
    if (!bytes) {
        fail(s, "cannot read %s", path);
        free(path);
        return false;
    }
    free(path);
    memset(err, 0, sizeof *err);
    *comp = wg_component_new(bytes, len, err);
    free(bytes);
    return true;
}

/* Loose match: the expected text (wasmparser's) appears in ours, ignoring
 * case; an empty text matches anything. */
static bool message_matches(const char *ours, const char *expected) {
    size_t n = strlen(expected), m = strlen(ours);
    if (n == 0) return true;
    for (size_t i = 0; i + n <= m; i++) {
        size_t k = 0;
        while (k < n && tolower((unsigned char)ours[i + k]) == tolower((unsigned char)expected[k])) k++;
        if (k == n) return true;
    }
    return false;
}

static bool bind_add(bindings *b, const char *name, void *obj) {
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        binding *v = realloc(b->v, cap * sizeof *v);
        if (!v) return false;
        b->v = v;
        b->cap = cap;
    }
    char *copy = name ? strdup(name) : NULL;
    if (name && !copy) return false;
    b->v[b->n++] = (binding){copy, obj};
    return true;
}

/* The latest object bound to name, or NULL. */
static void *bind_find(const bindings *b, const char *name) {
    for (size_t i = b->n; i > 0; i--)
        if (b->v[i - 1].name && strcmp(b->v[i - 1].name, name) == 0) return b->v[i - 1].obj;
    return NULL;
}

static void bind_free(bindings *b) {
    for (size_t i = 0; i < b->n; i++) free(b->v[i].name);
    free(b->v);
    memset(b, 0, sizeof *b);
}

static const char *cmd_string(const cJSON *cmd, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cmd, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Instantiates comp with the harness linker; NULL with err/trap filled. */
static wg_cinstance *instantiate(script *s, const wg_component *comp, wg_error *err, wg_trap *trap) {
    memset(err, 0, sizeof *err);
    if (!s->harness_ok) {
        snprintf(err->message, sizeof err->message, "the harness imports could not be defined");
        err->kind = WG_ERR_RESOURCE;
        return NULL;
    }
    wg_cinstance *inst = wg_cinstance_new(comp, s->harness.linker, NULL, err, trap);
    if (inst && !bind_add(&s->insts, NULL, inst)) {
        wg_cinstance_free(inst);
        snprintf(err->message, sizeof err->message, "out of memory");
        err->kind = WG_ERR_RESOURCE;
        return NULL;
    }
    return inst;
}

/* Makes inst current and, with a name ("$foo"), importable as "foo" by
 * later components, as wasmtime's wast runner does. */
static void make_current(script *s, wg_cinstance *inst, const char *name) {
    s->current = inst;
    if (!name) return;
    if (!bind_add(&s->named, name, inst) ||
        !wg_clinker_define_instance(s->harness.linker, name[0] == '$' ? name + 1 : name, inst, NULL))
        fail(s, "cannot register instance %s", name);
}

/* component / component_definition: load (and instantiate). */
static void component_cmd(script *s, const cJSON *cmd, bool instance) {
    wg_component *comp;
    wg_error err;
    if (!load(s, cmd, &comp, &err)) return;
    if (!comp) {
        fail(s, "component does not load: %s", err.message);
        return;
    }
    const char *name = cmd_string(cmd, "name");
    if (!bind_add(&s->comps, NULL, comp)) {
        wg_component_free(comp);
        fail(s, "out of memory");
        return;
    }
    if (!instance) {
        if (name && !bind_add(&s->defs, name, comp)) fail(s, "out of memory");
        else pass(s);
        return;
    }
    wg_trap trap;
    wg_cinstance *inst = instantiate(s, comp, &err, &trap);
    if (!inst) {
        fail(s, "component does not instantiate: %s", err.message);
        return;
    }
    make_current(s, inst, name);
    pass(s);
}

static void instance_cmd(script *s, const cJSON *cmd) {
    const char *def = cmd_string(cmd, "definition");
    const wg_component *comp = def ? bind_find(&s->defs, def) : NULL;
    if (!comp) {
        fail(s, "no component definition %s", def ? def : "(none)");
        return;
    }
    wg_error err;
    wg_trap trap;
    wg_cinstance *inst = instantiate(s, comp, &err, &trap);
    if (!inst) {
        fail(s, "component %s does not instantiate: %s", def, err.message);
        return;
    }
    make_current(s, inst, cmd_string(cmd, "name"));
    pass(s);
}

/* assert_unlinkable (kind WG_ERR_UNLINKABLE) and assert_uninstantiable
 * (WG_ERR_TRAP): the component loads, instantiating it fails. */
static void must_not_instantiate(script *s, const cJSON *cmd, int kind) {
    const char *want = cmd_string(cmd, "text");
    if (!want) want = "";
    wg_component *comp;
    wg_error err;
    if (!load(s, cmd, &comp, &err)) return;
    if (!comp) {
        fail(s, "component does not load: %s", err.message);
        return;
    }
    wg_trap trap;
    memset(&trap, 0, sizeof trap);
    wg_cinstance *inst = instantiate(s, comp, &err, &trap);
    if (inst) {
        fail(s, "component instantiated (expected %s \"%s\")",
             kind == WG_ERR_TRAP ? "a trap" : "a link error", want);
    } else if (err.kind != kind) {
        fail(s, "expected %s \"%s\", got error kind %d: %s",
             kind == WG_ERR_TRAP ? "a trap" : "a link error", want, err.kind, err.message);
    } else if (!message_matches(err.message, want) &&
               !(kind == WG_ERR_TRAP && message_matches(trap.message, want))) {
        /* Unlike validation messages (wasmparser's words), these are the
         * runtime's own: a different one is a different failure. */
        fail(s, "failed as required, but with \"%s\" (expected \"%s\")", err.message, want);
    } else {
        pass(s);
    }
    if (!bind_add(&s->comps, NULL, comp)) wg_component_free(comp);
}

typedef enum { EXPECT_RETURN, EXPECT_TRAP, EXPECT_NOTHING } expect_kind;

/* assert_return / assert_trap / action: invoke an export. */
static void action_cmd(script *s, const cJSON *cmd, expect_kind expect) {
    const cJSON *action = cJSON_GetObjectItemCaseSensitive(cmd, "action");
    const char *type = cmd_string(action, "type");
    const char *field = cmd_string(action, "field");
    const char *target = cmd_string(action, "component");
    if (!type || strcmp(type, "invoke") != 0 || !field) {
        fail(s, "unsupported action");
        return;
    }
    wg_cinstance *inst = target ? bind_find(&s->named, target) : s->current;
    if (!inst) {
        fail(s, "no instance to invoke %s on", field);
        return;
    }
    const wg_cfunc *f = wg_cinstance_func(inst, field);
    if (!f) {
        fail(s, "the instance exports no function %s", field);
        return;
    }
    const wg_cfunctype *ft = wg_cfunc_type(f);
    const cJSON *jargs = cJSON_GetObjectItemCaseSensitive(action, "args");
    uint32_t n = wg_cfunctype_param_count(ft);
    if ((uint32_t)cJSON_GetArraySize(jargs) != n) {
        fail(s, "%s takes %u arguments, the script gives %d", field, n, cJSON_GetArraySize(jargs));
        return;
    }
    wg_cval *args = n ? calloc(n, sizeof *args) : NULL;
    char why[300];
    uint32_t made = 0;
    bool ok = !n || args;
    if (!ok) fail(s, "out of memory");
    for (; ok && made < n; made++)
        if (!cm_value_from_json(cJSON_GetArrayItem(jargs, (int)made), wg_cfunctype_param_type(ft, made),
                                &args[made], why, sizeof why)) {
            fail(s, "argument %u of %s: %s", made, field, why);
            ok = false;
        }
    wg_cval result;
    wg_trap trap;
    bool returned = ok && wg_cfunc_call(inst, f, args, n, &result, &trap);
    if (!ok) {
        /* reported */
    } else if (expect == EXPECT_TRAP) {
        const char *want = cmd_string(cmd, "text");
        /* wasmtime's wording around the same message: its error reads
         * "wasm trap: <message>", and a core `unreachable` is "wasm
         * `unreachable` instruction executed". */
        char said[sizeof trap.message + 80];
        snprintf(said, sizeof said, "wasm trap: %s%s", trap.message,
                 trap.code == WG_TRAP_UNREACHABLE ? " (wasm `unreachable` instruction executed)" : "");
        if (returned) fail(s, "%s returned (expected a trap \"%s\")", field, want ? want : "");
        else if (want && !strstr(said, want))
            fail(s, "%s trapped with \"%s\" (expected \"%s\")", field, trap.message, want);
        else pass(s);
    } else if (!returned) {
        fail(s, "%s trapped: %s", field, trap.message);
    } else if (expect == EXPECT_NOTHING) {
        pass(s);
    } else {
        const cJSON *jexp = cJSON_GetObjectItemCaseSensitive(cmd, "expected");
        const wg_ctype *rt = wg_cfunctype_result(ft);
        int nexp = cJSON_GetArraySize(jexp);
        wg_cval want;
        char got[200], wanted[200];
        if (nexp != (rt ? 1 : 0)) {
            fail(s, "%s returns %d values, the script expects %d", field, rt ? 1 : 0, nexp);
        } else if (!rt) {
            pass(s);
        } else if (!cm_value_from_json(cJSON_GetArrayItem(jexp, 0), rt, &want, why, sizeof why)) {
            fail(s, "expected value of %s: %s", field, why);
        } else {
            if (wg_cval_equal(&result, &want)) {
                pass(s);
            } else {
                cm_value_print(&result, got, sizeof got);
                cm_value_print(&want, wanted, sizeof wanted);
                fail(s, "%s returned %s, expected %s", field, got, wanted);
            }
            wg_cval_free(&want);
        }
    }
    if (returned) wg_cval_free(&result);
    for (uint32_t i = 0; i < made && args; i++) wg_cval_free(&args[i]);
    free(args);
}

static void must_fail(script *s, const cJSON *cmd, bool malformed) {
    const cJSON *mt = cJSON_GetObjectItemCaseSensitive(cmd, "module_type");
    if (cJSON_IsString(mt) && strcmp(mt->valuestring, "text") == 0) {
        skip(s, "text format (no text parser)");
        return;
    }
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(cmd, "text");
    const char *want = cJSON_IsString(text) ? text->valuestring : "";
    wg_component *comp;
    wg_error err;
    if (!load(s, cmd, &comp, &err)) return;
    if (comp) {
        wg_component_free(comp);
        fail(s, "%s component was accepted (expected \"%s\")", malformed ? "malformed" : "invalid", want);
        return;
    }
    pass(s);
    bool kind_ok = malformed ? err.kind == WG_ERR_MALFORMED : err.kind == WG_ERR_INVALID;
    if (!message_matches(err.message, want) || !kind_ok) {
        s->c->mismatches++;
        if (s->opts->verbose)
            say(s, "message mismatch: expected \"%s\" (%s), got \"%s\" (kind %d)", want,
                malformed ? "malformed" : "invalid", err.message, err.kind);
    }
}

static void run_command(script *s, const cJSON *cmd) {
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(cmd, "type");
    const char *t = cJSON_IsString(type) ? type->valuestring : "";
    if (strcmp(t, "component") == 0) component_cmd(s, cmd, true);
    else if (strcmp(t, "component_definition") == 0) component_cmd(s, cmd, false);
    else if (strcmp(t, "component_instance") == 0) instance_cmd(s, cmd);
    else if (strcmp(t, "assert_invalid") == 0) must_fail(s, cmd, false);
    else if (strcmp(t, "assert_malformed") == 0) must_fail(s, cmd, true);
    else if (strcmp(t, "assert_unlinkable") == 0) must_not_instantiate(s, cmd, WG_ERR_UNLINKABLE);
    else if (strcmp(t, "assert_uninstantiable") == 0) must_not_instantiate(s, cmd, WG_ERR_TRAP);
    else if (strcmp(t, "assert_return") == 0) action_cmd(s, cmd, EXPECT_RETURN);
    else if (strcmp(t, "assert_trap") == 0) action_cmd(s, cmd, EXPECT_TRAP);
    else if (strcmp(t, "action") == 0) action_cmd(s, cmd, EXPECT_NOTHING);
    else if (strncmp(t, "module", 6) == 0 || strcmp(t, "register") == 0)
        skip(s, "core module commands are not run by this runner");
    else
        fail(s, "unknown command type \"%s\"", t);
}

static void progress(const script *s) {
    if (s->opts->progress) s->opts->progress(s->c, s->opts->progress_data);
}

bool cm_script_run(const char *path, const char *name, const cm_script_opts *opts, cm_counts *out) {
    memset(out, 0, sizeof *out);
    out->checks = -1;
    script s = {.name = name, .opts = opts, .c = out};
    s.harness_ok = cm_harness_init(&s.harness);
    s.xfailed = opts->nxlines ? calloc(opts->nxlines, sizeof *s.xfailed) : NULL;
    size_t len;
    char *text = (char *)read_file(path, &len);
    cJSON *root = NULL;
    bool ok = false;
    if (text) {
        char *t = realloc(text, len + 1);
        if (t) {
            text = t;
            text[len] = '\0';
            root = cJSON_Parse(text);
        }
    }
    const cJSON *cmds = root ? cJSON_GetObjectItemCaseSensitive(root, "commands") : NULL;
    s.dir = strdup(path);
    if (!cJSON_IsArray(cmds) || !s.dir) {
        fail(&s, "cannot read or parse %s", path);
        goto out;
    }
    char *slash = strrchr(s.dir, '/');
    if (slash) *slash = '\0';
    else strcpy(s.dir, ".");
    out->checks = cJSON_GetArraySize(cmds);
    const cJSON *cmd;
    cJSON_ArrayForEach(cmd, cmds) {
        const cJSON *line = cJSON_GetObjectItemCaseSensitive(cmd, "line");
        s.line = cJSON_IsNumber(line) ? line->valueint : 0;
        out->line = s.line;
        progress(&s);
        run_command(&s, cmd);
    }
    ok = true;
    for (uint32_t i = 0; s.xfailed && i < opts->nxlines; i++)
        if (!s.xfailed[i]) {
            out->xpassed++;
            printf("%s:%d: listed as an expected failure but passed\n", name, (int)opts->xlines[i]);
        }
out:
    out->done = 1;
    out->line = 0;
    progress(&s);
    /* Consumers before what they link against: instances in reverse order,
     * then the linker (host resources, named instances), then components. */
    for (size_t i = s.insts.n; i > 0; i--) wg_cinstance_free(s.insts.v[i - 1].obj);
    cm_harness_fini(&s.harness);
    for (size_t i = 0; i < s.comps.n; i++) wg_component_free(s.comps.v[i].obj);
    bind_free(&s.insts);
    bind_free(&s.comps);
    bind_free(&s.defs);
    bind_free(&s.named);
    cJSON_Delete(root);
    free(text);
    free(s.dir);
    free(s.xfailed);
    return ok;
}
