/*
 * wg_component_runner: runs the Component Model conformance scripts
 * ($WG_CONFORMANCE_DIR/component-model: reference/ and wasmtime/, JSON
 * command lists + binaries, see that folder's README.md) against the
 * component decoder, validator and instantiation. Modeled on
 * tests/spec/spec_runner.c.
 *
 *   wg_component_runner [--expected FILE] [--only PATH[,PATH...]] [--verbose]
 *                       [--fork | --no-fork] [--timeout SECS] DIR
 *
 * Scripts are every *.json below DIR/reference and DIR/wasmtime, named by
 * their path relative to DIR ("reference/binary/binary.json"), run in sorted
 * order. Per script it prints
 *   PATH: N passed, N failed, N skipped
 * and at the end
 *   component-spec: N passed, N failed, N skipped
 *
 * Each script runs in a forked child with a timeout, so that a crash or a
 * hang costs one script; the child streams its counts (cm_counts) through a
 * pipe before every command, and whatever it did not get to counts as
 * failed.
 *
 * Expected failures (--expected FILE): lines "PATH  reason" or
 * "PATH:LINE  reason", '#' comments. A script listed by PATH cannot pass
 * fully yet: it may fail or skip; if it passes with nothing failed and
 * nothing skipped, the list is stale and the run fails. PATH:LINE lists one
 * command (by its .wast line) that must fail; if it passes, the list is
 * stale. Any other failure fails the run (skips are fine: text-format
 * assert_malformed needs a text parser).
 * Exit status: 0 good, 1 unexpected failures or a stale list, 2 usage
 * errors and a missing or empty DIR.
 */
#define _GNU_SOURCE /* strsignal */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "component_script.h"

#define DEFAULT_TIMEOUT 120
#define KILL_GRACE 5

typedef struct expected {
    char *name;
    int32_t line;               /* 0: the whole script */
    char *reason;
    bool seen;
} expected;

typedef struct outcome {
    char *name;
    cm_counts counts;
    bool listed;                /* the whole script */
    int32_t *xlines;            /* listed lines */
    uint32_t nxlines;
    char problem[128];
} outcome;

typedef struct options {
    const char *expected_path;
    const char *only;
    const char *dir;
    bool verbose;
    int fork_mode;
    unsigned timeout;
} options;

static void usage(FILE *f) {
    fprintf(f,
            "usage: wg_component_runner [--expected FILE] [--only PATH[,PATH...]] [--verbose]\n"
            "                           [--fork | --no-fork] [--timeout SECS] DIR\n"
            "Runs every DIR/{reference,wasmtime}/**/*.json (Component Model conformance scripts).\n"
            "  --expected FILE  scripts that cannot pass fully yet: lines \"PATH  reason\"\n"
            "  --only LIST      run only these scripts (comma-separated paths relative to DIR)\n"
            "  --verbose        print every failure, message mismatch and skip\n"
            "  --fork/--no-fork run each script in a child process (default: yes, except\n"
            "                   for --only with a single script)\n"
            "  --timeout SECS   per-script time limit when forking (default %d)\n",
            DEFAULT_TIMEOUT);
}

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n);
    if (!q) {
        fprintf(stderr, "wg_component_runner: out of memory\n");
        exit(2);
    }
    return q;
}

static char *xstrdup(const char *s) {
    char *p = strdup(s);
    if (!p) {
        fprintf(stderr, "wg_component_runner: out of memory\n");
        exit(2);
    }
    return p;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

typedef struct names {
    char **v;
    size_t n, cap;
} names;

static void names_push(names *l, char *s) {
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = s;
}

/* Collects the .json files below root/rel, recursively. */
static void scan(const char *root, const char *rel, names *out) {
    size_t plen = strlen(root) + strlen(rel) + 2;
    char *path = xrealloc(NULL, plen);
    snprintf(path, plen, "%s/%s", root, rel);
    DIR *d = opendir(path);
    free(path);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        size_t rlen = strlen(rel) + strlen(e->d_name) + 2;
        char *sub = xrealloc(NULL, rlen);
        snprintf(sub, rlen, "%s/%s", rel, e->d_name);
        size_t flen = strlen(root) + rlen + 1;
        char *full = xrealloc(NULL, flen);
        snprintf(full, flen, "%s/%s", root, sub);
        struct stat st;
        bool isdir = stat(full, &st) == 0 && S_ISDIR(st.st_mode);
        bool isjson = !isdir && strlen(e->d_name) > 5 && strcmp(e->d_name + strlen(e->d_name) - 5, ".json") == 0;
        free(full);
        if (isdir) scan(root, sub, out);
        if (isjson) names_push(out, sub);
        else free(sub);
    }
    closedir(d);
}

static void missing_dir(const char *dir, const char *why) {
    fprintf(stderr,
            "wg_component_runner: %s: %s\n"
            "  The Component Model conformance suite is not there. Point WG_CONFORMANCE_DIR at the\n"
            "  conformance data folder (the one holding component-model/reference and\n"
            "  component-model/wasmtime), e.g. WG_CONFORMANCE_DIR=/work/shared/conformance, and\n"
            "  re-run cmake (or make component-spec); or pass the right DIR.\n",
            dir, why);
    exit(2);
}

static char **list_scripts(const char *dir, size_t *count) {
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) missing_dir(dir, strerror(errno ? errno : ENOENT));
    names l = {0};
    scan(dir, "reference", &l);
    scan(dir, "wasmtime", &l);
    if (l.n == 0) missing_dir(dir, "no scripts (reference/**/*.json, wasmtime/**/*.json)");
    qsort(l.v, l.n, sizeof *l.v, cmp_str);
    *count = l.n;
    return l.v;
}

static expected *read_expected(const char *path, size_t *count) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "wg_component_runner: cannot read %s: %s\n", path, strerror(errno));
        exit(2);
    }
    expected *list = NULL;
    size_t n = 0, cap = 0;
    char line[1024];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash) *hash = '\0';
        char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        size_t len = strlen(p);
        while (len && strchr("\r\n \t", p[len - 1])) p[--len] = '\0';
        if (!len) continue;
        char *sep = p + strcspn(p, " \t"), *reason = sep;
        if (*sep) {
            *sep = '\0';
            reason = sep + 1;
            while (*reason == ' ' || *reason == '\t') reason++;
        }
        if (!*reason) {
            fprintf(stderr, "wg_component_runner: %s:%d: \"%s\" has no reason\n", path, lineno, p);
            exit(2);
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            list = xrealloc(list, cap * sizeof *list);
        }
        int32_t line = 0;
        char *colon = strrchr(p, ':');
        if (colon && colon[1]) {
            char *end;
            long v = strtol(colon + 1, &end, 10);
            if (*end || v <= 0 || v > INT32_MAX) {
                fprintf(stderr, "wg_component_runner: %s:%d: bad line number in \"%s\"\n", path, lineno, p);
                exit(2);
            }
            line = (int32_t)v;
            *colon = '\0';
        }
        list[n++] = (expected){.name = xstrdup(p), .line = line, .reason = xstrdup(reason)};
    }
    fclose(f);
    *count = n;
    return list;
}

/* The whole-script entry for name (NULL if none); marks every entry of
 * name seen and collects the listed lines into *lines. */
static expected *find_expected(expected *l, size_t n, const char *name, int32_t **lines, uint32_t *nlines) {
    expected *whole = NULL;
    *lines = NULL;
    *nlines = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(l[i].name, name) != 0) continue;
        l[i].seen = true;
        if (!l[i].line) {
            whole = &l[i];
            continue;
        }
        *lines = xrealloc(*lines, (*nlines + 1) * sizeof **lines);
        (*lines)[(*nlines)++] = l[i].line;
    }
    return whole;
}

static bool in_list(const char *list, const char *name) {
    size_t len = strlen(name);
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        if (n == len && strncmp(p, name, n) == 0) return true;
        p += n;
        if (*p == ',') p++;
    }
    return false;
}

/* ---- forked runs ------------------------------------------------------------------ */

static void send_counts(const cm_counts *c, void *data) {
    int fd = *(int *)data;
    const char *p = (const char *)c;
    size_t left = sizeof *c;
    while (left) {
        ssize_t k = write(fd, p, left);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) _exit(3);
        p += k;
        left -= (size_t)k;
    }
}

static void print_counts(const char *name, const cm_counts *c) {
    printf("%s: %d passed, %d failed, %d skipped\n", name, (int)c->passed, (int)c->failed, (int)c->skipped);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void script_path(const options *opt, const char *name, char *buf, size_t size) {
    snprintf(buf, size, "%s/%s", opt->dir, name);
}

static void run_forked(const options *opt, const cm_script_opts *sopts, outcome *o) {
    char path[4096];
    script_path(opt, o->name, path, sizeof path);
    int fds[2];
    fflush(stdout);
    fflush(stderr);
    pid_t pid = -1;
    if (pipe(fds) == 0 && (pid = fork()) < 0) {
        close(fds[0]);
        close(fds[1]);
    }
    if (pid < 0) {
        snprintf(o->problem, sizeof o->problem, "runner error (pipe/fork: %s)", strerror(errno));
        o->counts.failed = 1;
        printf("%s: %s\n", o->name, o->problem);
        print_counts(o->name, &o->counts);
        return;
    }
    if (pid == 0) {
        close(fds[0]);
        signal(SIGALRM, SIG_DFL);
        alarm(opt->timeout);
        cm_script_opts child = *sopts;
        int wfd = fds[1];
        child.progress = send_counts;
        child.progress_data = &wfd;
        cm_counts c;
        cm_script_run(path, o->name, &child, &c);
        fflush(stdout);
        close(wfd);
        exit(0); /* exit, not _exit: LeakSanitizer reports */
    }
    close(fds[1]);
    cm_counts last;
    memset(&last, 0, sizeof last);
    bool have = false, killed = false;
    char buf[sizeof(cm_counts)];
    size_t fill = 0;
    double deadline = now() + opt->timeout + KILL_GRACE;
    for (;;) {
        int wait_ms = (int)((deadline - now()) * 1000);
        struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
        int r = poll(&pfd, 1, wait_ms < 0 ? 0 : wait_ms);
        if (r < 0 && errno == EINTR) continue;
        if (r == 0) {
            kill(pid, SIGKILL);
            killed = true;
            break;
        }
        ssize_t k = read(fds[0], buf + fill, sizeof buf - fill);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        fill += (size_t)k;
        if (fill == sizeof buf) {
            memcpy(&last, buf, sizeof last);
            last.first_failure[sizeof last.first_failure - 1] = '\0';
            have = true;
            fill = 0;
        }
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    o->counts = last;
    bool finished = have && last.done;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && finished) {
        print_counts(o->name, &o->counts);
        return;
    }
    if (finished) {
        snprintf(o->problem, sizeof o->problem, "exited with status %d after its run (see the report above)",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        o->counts.failed++;
    } else {
        char where[48] = "";
        if (have && last.line > 0) snprintf(where, sizeof where, " at line %d", (int)last.line);
        if (killed || (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM))
            snprintf(o->problem, sizeof o->problem, "timed out after %u s%s", opt->timeout, where);
        else if (WIFSIGNALED(status))
            snprintf(o->problem, sizeof o->problem, "crashed (signal %d)%s: %s", WTERMSIG(status), where,
                     strsignal(WTERMSIG(status)));
        else
            snprintf(o->problem, sizeof o->problem, "died (exit status %d)%s",
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1, where);
        int32_t ran = o->counts.passed + o->counts.failed + o->counts.skipped;
        int32_t rest = o->counts.checks > ran ? o->counts.checks - ran : 0;
        o->counts.failed += rest > 0 ? rest : 1;
    }
    if (!o->counts.first_failure[0])
        snprintf(o->counts.first_failure, sizeof o->counts.first_failure, "%s", o->problem);
    printf("%s: %s\n", o->name, o->problem);
    print_counts(o->name, &o->counts);
}

/* ---- main ------------------------------------------------------------------------------- */

static void parse_args(int argc, char **argv, options *opt) {
    memset(opt, 0, sizeof *opt);
    opt->timeout = DEFAULT_TIMEOUT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--expected") == 0 && i + 1 < argc) {
            opt->expected_path = argv[++i];
        } else if (strcmp(a, "--only") == 0 && i + 1 < argc) {
            opt->only = argv[++i];
        } else if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0) {
            opt->verbose = true;
        } else if (strcmp(a, "--fork") == 0) {
            opt->fork_mode = 1;
        } else if (strcmp(a, "--no-fork") == 0) {
            opt->fork_mode = -1;
        } else if (strcmp(a, "--timeout") == 0 && i + 1 < argc) {
            char *end;
            long t = strtol(argv[++i], &end, 10);
            if (*end || t <= 0 || t > 86400) {
                fprintf(stderr, "wg_component_runner: bad --timeout %s\n", argv[i]);
                exit(2);
            }
            opt->timeout = (unsigned)t;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(0);
        } else if (a[0] == '-' || opt->dir) {
            fprintf(stderr, "wg_component_runner: unexpected argument %s\n", a);
            usage(stderr);
            exit(2);
        } else {
            opt->dir = a;
        }
    }
    if (!opt->dir) {
        fprintf(stderr, "wg_component_runner: no directory given (usually $WG_CONFORMANCE_DIR/component-model)\n");
        usage(stderr);
        exit(2);
    }
}

int main(int argc, char **argv) {
    options opt;
    parse_args(argc, argv, &opt);
    size_t nnames = 0, nexp = 0;
    char **names_v = list_scripts(opt.dir, &nnames);
    expected *exp = opt.expected_path ? read_expected(opt.expected_path, &nexp) : NULL;

    if (opt.only) {
        for (const char *p = opt.only; *p;) {
            size_t n = strcspn(p, ",");
            bool found = false;
            for (size_t i = 0; i < nnames && !found; i++)
                found = strlen(names_v[i]) == n && strncmp(names_v[i], p, n) == 0;
            if (!found && n) {
                fprintf(stderr, "wg_component_runner: --only: no script %.*s in %s\n", (int)n, p, opt.dir);
                exit(2);
            }
            p += n;
            if (*p == ',') p++;
        }
    }
    outcome *outs = xrealloc(NULL, nnames * sizeof *outs);
    size_t nouts = 0;
    for (size_t i = 0; i < nnames; i++) {
        int32_t *lines;
        uint32_t nlines;
        expected *e = find_expected(exp, nexp, names_v[i], &lines, &nlines);
        if (opt.only && !in_list(opt.only, names_v[i])) {
            free(lines);
            continue;
        }
        memset(&outs[nouts], 0, sizeof outs[nouts]);
        outs[nouts].name = names_v[i];
        outs[nouts].listed = e != NULL;
        outs[nouts].xlines = lines;
        outs[nouts].nxlines = nlines;
        nouts++;
    }
    for (size_t i = 0; i < nexp; i++)
        if (!exp[i].seen) printf("warning: %s lists %s, which is not a script in %s\n", opt.expected_path, exp[i].name, opt.dir);

    bool use_fork = opt.fork_mode > 0 || (opt.fork_mode == 0 && !(opt.only && nouts == 1));
    signal(SIGPIPE, SIG_IGN);
    for (size_t i = 0; i < nouts; i++) {
        outcome *o = &outs[i];
        cm_script_opts so = {.verbose = opt.verbose, .quiet = o->listed, .xlines = o->xlines, .nxlines = o->nxlines};
        if (use_fork) {
            run_forked(&opt, &so, o);
        } else {
            char path[4096];
            script_path(&opt, o->name, path, sizeof path);
            cm_script_run(path, o->name, &so, &o->counts);
            print_counts(o->name, &o->counts);
        }
        fflush(stdout);
    }

    cm_counts total;
    memset(&total, 0, sizeof total);
    size_t nunexpected = 0, nstale = 0, nlisted = 0;
    int32_t listed_failures = 0;
    for (size_t i = 0; i < nouts; i++) {
        const outcome *o = &outs[i];
        total.passed += o->counts.passed;
        total.failed += o->counts.failed;
        total.skipped += o->counts.skipped;
        total.mismatches += o->counts.mismatches;
        if (o->listed) {
            nlisted++;
            listed_failures += o->counts.failed;
            if (o->counts.failed == 0 && o->counts.skipped == 0) nstale++;
        } else {
            listed_failures += o->counts.xfailed;
            if (o->counts.failed > o->counts.xfailed) nunexpected++;
        }
        if (o->counts.xpassed) nstale++;
        nlisted += o->nxlines > 0 && !o->listed;
    }
    printf("\n");
    for (size_t i = 0; i < nouts; i++) {
        const outcome *o = &outs[i];
        if (o->listed && o->counts.failed == 0 && o->counts.skipped == 0)
            printf("%s: listed in expected-failures but passed fully — remove it\n", o->name);
    }
    if (nunexpected) {
        printf("unexpected failures in %zu script%s:\n", nunexpected, nunexpected == 1 ? "" : "s");
        for (size_t i = 0; i < nouts; i++) {
            const outcome *o = &outs[i];
            if (o->listed || o->counts.failed <= o->counts.xfailed) continue;
            printf("  %s: %d failed%s%s; first: %s\n", o->name, (int)(o->counts.failed - o->counts.xfailed),
                   o->problem[0] ? ", " : "",
                   o->problem, o->counts.first_failure);
        }
        printf("  (rerun with --only PATH --verbose for every failure)\n");
    }
    if (nlisted)
        printf("expected failures: %zu script%s listed, %d failures in them\n", nlisted, nlisted == 1 ? "" : "s",
               (int)listed_failures);
    if (total.mismatches)
        printf("message mismatches: %d (rejected as required but with another message or error kind; "
               "not failures; see --verbose)\n",
               (int)total.mismatches);
    printf("component-spec: %d passed, %d failed, %d skipped\n", (int)total.passed, (int)total.failed,
           (int)total.skipped);

    for (size_t i = 0; i < nexp; i++) {
        free(exp[i].name);
        free(exp[i].reason);
    }
    free(exp);
    for (size_t i = 0; i < nnames; i++) free(names_v[i]);
    free(names_v);
    for (size_t i = 0; i < nouts; i++) free(outs[i].xlines);
    free(outs);
    return nunexpected == 0 && nstale == 0 ? 0 : 1;
}
