/*
 * wg_spec_runner: runs the WebAssembly core spec test scripts (wast2json
 * output, ../shared/conformance/spec) against the engine.
 *
 *   wg_spec_runner [--expected FILE] [--only NAME[,NAME...]] [--verbose]
 *                  [--fork | --no-fork] [--timeout SECS] DIR
 *
 * Runs every DIR/<name>/<name>.json in sorted order and prints, per script,
 *   NAME: N passed, N failed, N skipped
 * and at the end
 *   spec: N passed, N failed, N skipped
 *
 * Each script runs in a forked child with a timeout (alarm in the child, and
 * a SIGKILL from the parent a little later if that did not work), so a crash
 * or a hang of the engine costs one script, not the run. The child streams
 * its counts (spec_counts records, see spec_script.h) through a pipe before
 * every command, so the parent knows how far it got; the assertions not run
 * are counted as failures. The parent prints the count line (exactly one per
 * script), after the child's --verbose output, so that a child that dies at
 * exit (a LeakSanitizer report) still gets one line with the final counts. With --only and a single script, nothing is
 * forked (for gdb) unless --fork is given.
 *
 * Expected failures (--expected FILE): lines "NAME  reason", '#' comments.
 * Exit status: 0 when every script not listed has no failure and every
 * listed script has at least one; 1 otherwise; 2 for usage errors and a
 * missing or empty DIR (a run never passes by finding nothing).
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

#include "spec_script.h"

#define DEFAULT_TIMEOUT 300     /* seconds per script: a hang guard (the largest
                                   scripts take seconds, far more on a loaded machine) */
#define KILL_GRACE 5            /* seconds after the timeout before the parent kills */

/* One entry of the expected-failures file. */
typedef struct expected {
    char *name;
    char *reason;
    bool seen;                  /* the script exists in DIR */
} expected;

/* The outcome of one script. */
typedef struct outcome {
    char *name;
    spec_counts counts;
    bool listed;                /* in the expected-failures file */
    char problem[128];          /* "crashed (signal 11)" etc., or "" */
} outcome;

typedef struct options {
    const char *expected_path;
    const char *only;           /* comma-separated names, or NULL */
    const char *dir;
    bool verbose;
    int fork_mode;              /* -1 no, 0 default, 1 yes */
    unsigned timeout;
} options;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: wg_spec_runner [--expected FILE] [--only NAME[,NAME...]] [--verbose]\n"
            "                      [--fork | --no-fork] [--timeout SECS] DIR\n"
            "Runs every DIR/<name>/<name>.json (wast2json spec scripts).\n"
            "  --expected FILE  scripts expected to fail: lines \"NAME  reason\", # comments\n"
            "  --only LIST      run only these scripts (comma-separated names)\n"
            "  --verbose        print every failure, message mismatch and skip\n"
            "  --fork/--no-fork run each script in a child process (default: yes,\n"
            "                   except for --only with a single script)\n"
            "  --timeout SECS   per-script time limit when forking (default %d)\n",
            DEFAULT_TIMEOUT);
}

static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (p == NULL) {
        fprintf(stderr, "wg_spec_runner: out of memory\n");
        exit(2);
    }
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (q == NULL) {
        fprintf(stderr, "wg_spec_runner: out of memory\n");
        exit(2);
    }
    return q;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists the script names of dir (subfolders <name> holding <name>.json),
 * sorted. Exits with status 2 if dir is missing or holds no script. */
static char **list_scripts(const char *dir, size_t *count)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr,
                "wg_spec_runner: cannot open the spec test directory %s: %s\n"
                "  Point WG_CONFORMANCE_DIR at the conformance data folder (the one holding\n"
                "  spec/<name>/<name>.json), e.g. WG_CONFORMANCE_DIR=/work/shared/conformance,\n"
                "  and re-run cmake; or pass the right DIR.\n",
                dir, strerror(errno));
        exit(2);
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        size_t plen = strlen(dir) + 2 * strlen(e->d_name) + 8;
        char *path = xrealloc(NULL, plen);
        snprintf(path, plen, "%s/%s/%s.json", dir, e->d_name, e->d_name);
        struct stat st;
        bool is_script = stat(path, &st) == 0 && S_ISREG(st.st_mode);
        free(path);
        if (!is_script)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            names = xrealloc(names, cap * sizeof *names);
        }
        names[n++] = xstrdup(e->d_name);
    }
    closedir(d);
    if (n == 0) {
        fprintf(stderr,
                "wg_spec_runner: no spec scripts (<name>/<name>.json) in %s\n"
                "  Point WG_CONFORMANCE_DIR at the conformance data folder (the one holding\n"
                "  spec/<name>/<name>.json), e.g. WG_CONFORMANCE_DIR=/work/shared/conformance,\n"
                "  and re-run cmake; or pass the right DIR.\n",
                dir);
        exit(2);
    }
    qsort(names, n, sizeof *names, cmp_str);
    *count = n;
    return names;
}

/* Reads the expected-failures file. Exits with status 2 if it cannot be read
 * or a line has no reason. */
static expected *read_expected(const char *path, size_t *count)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "wg_spec_runner: cannot read the expected-failures file %s: %s\n", path,
                strerror(errno));
        exit(2);
    }
    expected *list = NULL;
    size_t n = 0, cap = 0;
    char line[1024];
    int lineno = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        lineno++;
        char *p = line;
        char *hash = strchr(p, '#');
        if (hash != NULL)
            *hash = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        size_t len = strlen(p);
        while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r' || p[len - 1] == ' ' ||
                           p[len - 1] == '\t'))
            p[--len] = '\0';
        if (len == 0)
            continue;
        char *sep = p + strcspn(p, " \t");
        char *reason = sep;
        if (*sep != '\0') {
            *sep = '\0';
            reason = sep + 1;
            while (*reason == ' ' || *reason == '\t')
                reason++;
        }
        if (*reason == '\0') {
            fprintf(stderr, "wg_spec_runner: %s:%d: \"%s\" has no reason (write \"NAME  reason\")\n",
                    path, lineno, p);
            exit(2);
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            list = xrealloc(list, cap * sizeof *list);
        }
        list[n++] = (expected){.name = xstrdup(p), .reason = xstrdup(reason)};
    }
    fclose(f);
    *count = n;
    return list;
}

static expected *find_expected(expected *list, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(list[i].name, name) == 0)
            return &list[i];
    }
    return NULL;
}

/* True if name is one of the comma-separated entries of list. */
static bool in_list(const char *list, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = list; *p != '\0';) {
        size_t n = strcspn(p, ",");
        if (n == len && strncmp(p, name, n) == 0)
            return true;
        p += n;
        if (*p == ',')
            p++;
    }
    return false;
}

/* ---- running one script in a child ------------------------------------------ */

/* spec_script progress callback in the child: one record per call. */
static void send_counts(const spec_counts *c, void *data)
{
    int fd = *(int *)data;
    const char *p = (const char *)c;
    size_t left = sizeof *c;
    while (left > 0) {
        ssize_t k = write(fd, p, left);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            _exit(3); /* the parent is gone */
        p += k;
        left -= (size_t)k;
    }
}

static void print_counts(const char *name, const spec_counts *c)
{
    printf("%s: %d passed, %d failed, %d skipped\n", name, (int)c->passed, (int)c->failed,
           (int)c->skipped);
}

/* Counts the assertions a dead child did not get to as failures (at least one). */
static void count_rest_failed(spec_counts *c)
{
    int32_t ran = c->passed + c->failed + c->skipped;
    int32_t rest = c->assertions > ran ? c->assertions - ran : 0;
    c->failed += rest > 0 ? rest : 1;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs one script in a forked child; fills *o (counts and problem). */
static void run_forked(const options *opt, const spec_script_opts *sopts, outcome *o)
{
    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(o->problem, sizeof o->problem, "runner error (pipe: %s)", strerror(errno));
        o->counts.failed = 1;
        printf("%s: %s\n", o->name, o->problem);
        print_counts(o->name, &o->counts);
        return;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(o->problem, sizeof o->problem, "runner error (fork: %s)", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        o->counts.failed = 1;
        printf("%s: %s\n", o->name, o->problem);
        print_counts(o->name, &o->counts);
        return;
    }
    if (pid == 0) {
        close(fds[0]);
        signal(SIGALRM, SIG_DFL);
        alarm(opt->timeout);
        spec_script_opts child = *sopts;
        int wfd = fds[1];
        child.progress = send_counts;
        child.progress_data = &wfd;
        spec_counts c;
        spec_script_run(opt->dir, o->name, &child, &c);
        fflush(stdout);
        close(wfd);
        exit(0); /* exit, not _exit: lets LeakSanitizer report */
    }

    close(fds[1]);
    spec_counts last;
    memset(&last, 0, sizeof last);
    last.assertions = -1;
    bool have = false;
    char buf[sizeof(spec_counts)];
    size_t fill = 0;
    bool killed = false;
    double deadline = now_seconds() + opt->timeout + KILL_GRACE;
    for (;;) {
        int wait_ms = (int)((deadline - now_seconds()) * 1000);
        if (wait_ms < 0)
            wait_ms = 0;
        struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
        int r = poll(&pfd, 1, wait_ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0) {
            kill(pid, SIGKILL);
            killed = true;
            break;
        }
        ssize_t k = read(fds[0], buf + fill, sizeof buf - fill);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
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
    if (!have)
        o->counts.assertions = -1;

    bool finished = have && last.done;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && finished) {
        print_counts(o->name, &o->counts);
        return;
    }

    if (finished) {
        /* The script ran to the end (its line is printed) but the child then
         * failed: a sanitizer or leak report at exit, typically. */
        snprintf(o->problem, sizeof o->problem, "exited with status %d after its run",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        if (WIFSIGNALED(status))
            snprintf(o->problem, sizeof o->problem, "crashed (signal %d) after its run: %s",
                     WTERMSIG(status), strsignal(WTERMSIG(status)));
        o->counts.failed++;
        printf("%s: %s (see the report above): 1 more failure\n", o->name, o->problem);
        print_counts(o->name, &o->counts);
        return;
    }
    char where[48] = "";
    if (have && last.line > 0)
        snprintf(where, sizeof where, " at line %d", (int)last.line);
    else if (have && last.line == SPEC_LINE_CLEANUP)
        snprintf(where, sizeof where, " while freeing its instances and modules");
    if (killed || (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM))
        snprintf(o->problem, sizeof o->problem, "timed out after %u s%s", opt->timeout, where);
    else if (WIFSIGNALED(status))
        snprintf(o->problem, sizeof o->problem, "crashed (signal %d)%s: %s", WTERMSIG(status),
                 where, strsignal(WTERMSIG(status)));
    else
        snprintf(o->problem, sizeof o->problem,
                 "crashed (exit status %d before the end%s; see the report above)",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1, where);
    if (o->counts.first_failure[0] == '\0')
        snprintf(o->counts.first_failure, sizeof o->counts.first_failure, "%s", o->problem);
    count_rest_failed(&o->counts);
    printf("%s: %s\n", o->name, o->problem);
    print_counts(o->name, &o->counts);
}

/* ---- main ------------------------------------------------------------------- */

static void parse_args(int argc, char **argv, options *opt)
{
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
            if (*end != '\0' || t <= 0 || t > 86400) {
                fprintf(stderr, "wg_spec_runner: bad --timeout %s\n", argv[i]);
                exit(2);
            }
            opt->timeout = (unsigned)t;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(0);
        } else if (a[0] == '-' || opt->dir != NULL) {
            fprintf(stderr, "wg_spec_runner: unexpected argument %s\n", a);
            usage(stderr);
            exit(2);
        } else {
            opt->dir = a;
        }
    }
    if (opt->dir == NULL) {
        fprintf(stderr, "wg_spec_runner: no spec test directory given (usually "
                        "$WG_CONFORMANCE_DIR/spec)\n");
        usage(stderr);
        exit(2);
    }
}

/* Parses the options, runs the selected scripts (forked or not), prints the
 * per-script lines, the summary and the totals; returns the exit status
 * described at the top of this file. */
int main(int argc, char **argv)
{
    options opt;
    parse_args(argc, argv, &opt);

    size_t nnames = 0;
    char **names = list_scripts(opt.dir, &nnames);
    size_t nexpected = 0;
    expected *exp = opt.expected_path ? read_expected(opt.expected_path, &nexpected) : NULL;

    /* Select the scripts to run. */
    if (opt.only != NULL) {
        for (const char *p = opt.only; *p != '\0';) {
            size_t n = strcspn(p, ",");
            bool found = false;
            for (size_t i = 0; i < nnames && !found; i++)
                found = strlen(names[i]) == n && strncmp(names[i], p, n) == 0;
            if (!found && n > 0) {
                fprintf(stderr, "wg_spec_runner: --only: no script %.*s/%.*s.json in %s\n", (int)n, p,
                        (int)n, p, opt.dir);
                exit(2);
            }
            p += n;
            if (*p == ',')
                p++;
        }
    }
    outcome *outs = xrealloc(NULL, (nnames ? nnames : 1) * sizeof *outs);
    size_t nouts = 0;
    for (size_t i = 0; i < nnames; i++) {
        expected *e = find_expected(exp, nexpected, names[i]);
        if (e != NULL)
            e->seen = true;
        if (opt.only != NULL && !in_list(opt.only, names[i]))
            continue;
        memset(&outs[nouts], 0, sizeof outs[nouts]);
        outs[nouts].name = names[i];
        outs[nouts].listed = e != NULL;
        nouts++;
    }
    if (nouts == 0) {
        fprintf(stderr, "wg_spec_runner: --only selected no script\n");
        exit(2);
    }
    for (size_t i = 0; i < nexpected; i++) {
        if (!exp[i].seen)
            printf("warning: %s lists %s, which is not a script in %s\n", opt.expected_path,
                   exp[i].name, opt.dir);
    }

    bool use_fork = opt.fork_mode > 0 || (opt.fork_mode == 0 && !(opt.only != NULL && nouts == 1));
    signal(SIGPIPE, SIG_IGN);

    for (size_t i = 0; i < nouts; i++) {
        outcome *o = &outs[i];
        spec_script_opts sopts = {.verbose = opt.verbose, .quiet_load_errors = o->listed};
        if (use_fork) {
            run_forked(&opt, &sopts, o);
        } else {
            spec_script_run(opt.dir, o->name, &sopts, &o->counts);
            print_counts(o->name, &o->counts);
        }
        fflush(stdout);
    }

    /* Totals and the verdict. */
    spec_counts total;
    memset(&total, 0, sizeof total);
    size_t nunexpected = 0, nstale = 0, nlisted_run = 0;
    int32_t listed_failures = 0;
    for (size_t i = 0; i < nouts; i++) {
        const outcome *o = &outs[i];
        total.passed += o->counts.passed;
        total.failed += o->counts.failed;
        total.skipped += o->counts.skipped;
        total.mismatches += o->counts.mismatches;
        if (o->listed) {
            nlisted_run++;
            listed_failures += o->counts.failed;
            if (o->counts.failed == 0)
                nstale++;
        } else if (o->counts.failed > 0) {
            nunexpected++;
        }
    }
    printf("\n");
    for (size_t i = 0; i < nouts; i++) {
        const outcome *o = &outs[i];
        if (o->listed && o->counts.failed == 0)
            printf("%s: listed in expected-failures but passed — remove it\n", o->name);
    }
    if (nunexpected > 0) {
        printf("unexpected failures in %zu script%s:\n", nunexpected, nunexpected == 1 ? "" : "s");
        for (size_t i = 0; i < nouts; i++) {
            const outcome *o = &outs[i];
            if (o->listed || o->counts.failed == 0)
                continue;
            printf("  %s: %d failed%s%s; first: %s\n", o->name, (int)o->counts.failed,
                   o->problem[0] ? ", " : "", o->problem, o->counts.first_failure);
        }
        printf("  (rerun with --only NAME --verbose for every failure)\n");
    }
    if (nlisted_run > 0)
        printf("expected failures: %zu script%s listed, %d failures in them\n", nlisted_run,
               nlisted_run == 1 ? "" : "s", (int)listed_failures);
    if (total.mismatches > 0)
        printf("message mismatches: %d (rejected as required but with another message; "
               "not failures; see --verbose)\n",
               (int)total.mismatches);
    printf("spec: %d passed, %d failed, %d skipped\n", (int)total.passed, (int)total.failed,
           (int)total.skipped);

    for (size_t i = 0; i < nexpected; i++) {
        free(exp[i].name);
        free(exp[i].reason);
    }
    free(exp);
    for (size_t i = 0; i < nnames; i++)
        free(names[i]);
    free(names);
    free(outs);
    return nunexpected == 0 && nstale == 0 ? 0 : 1;
}
