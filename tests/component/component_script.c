/*
 * One Component Model conformance script. See component_script.h for the
 * counting rules. Binary file names are relative to the .json's folder.
 */
#include "component_script.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "wasmgate/component.h"

#define SKIP_INSTANTIATION "instantiation not implemented yet"

typedef struct script {
    const char *name;
    char *dir;
    const cm_script_opts *opts;
    cm_counts *c;
    int line;
    bool *xfailed;              /* per listed line: it failed */
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

static void must_load(script *s, const cJSON *cmd, bool then_skip) {
    wg_component *comp;
    wg_error err;
    if (!load(s, cmd, &comp, &err)) return;
    if (!comp) {
        fail(s, "component does not load: %s", err.message);
        return;
    }
    wg_component_free(comp);
    if (then_skip) skip(s, SKIP_INSTANTIATION);
    else pass(s);
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
    if (strcmp(t, "component") == 0 || strcmp(t, "component_definition") == 0) must_load(s, cmd, false);
    else if (strcmp(t, "assert_invalid") == 0) must_fail(s, cmd, false);
    else if (strcmp(t, "assert_malformed") == 0) must_fail(s, cmd, true);
    else if (strcmp(t, "assert_unlinkable") == 0 || strcmp(t, "assert_uninstantiable") == 0)
        must_load(s, cmd, true);
    else if (strcmp(t, "component_instance") == 0 || strcmp(t, "assert_return") == 0 ||
             strcmp(t, "assert_trap") == 0 || strcmp(t, "action") == 0)
        skip(s, SKIP_INSTANTIATION);
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
    cJSON_Delete(root);
    free(text);
    free(s.dir);
    free(s.xfailed);
    return ok;
}
