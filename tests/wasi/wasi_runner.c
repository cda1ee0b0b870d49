/*
 * wg_wasi_runner: runs the WASI preview1 conformance programs
 * ($WG_CONFORMANCE_DIR/wasi/{c,rust,assemblyscript}, format described in
 * that folder's README.md) through the real `wasmgate run` binary.
 *
 *   wg_wasi_runner --wasmgate PATH [--timeout SECONDS] [--only TEXT]...
 *                  [--verbose] DIR
 *
 * Every subfolder of DIR holding .wasm files is a suite; every .wasm in it is
 * a test, configured by the .json beside it if there is one (absent: all
 * defaults). A test runs as
 *
 *   wasmgate run [--env K=V]... [--dir SCRATCH/ROOT::/] -- NAME.wasm ARGS...
 *
 * from the suite's folder (so the guest's argv[0] is NAME.wasm), with stdin
 * a pipe at end-of-file and stdout/stderr captured. It passes when the exit
 * status equals `exit_code` (default 0) and stdout/stderr start with
 * `stdout`/`stderr` when those are given. A test still running after the
 * timeout (default 60 s) is killed and fails: a guard against a hang, far
 * beyond what any program needs even on a loaded machine.
 *
 * The conformance folder is never written to: each suite is copied to a
 * scratch folder (mkdtemp under $TMPDIR or /tmp, removed at the end), and
 * every `*.cleanup` file or folder under a test's root is deleted before and
 * after the test, as the upstream runner does.
 *
 * Output: one line per failing test with the reasons (exit status, output
 * mismatch, then the first lines of stderr), --verbose adds a line per
 * passing test; then "SUITE: N passed, N failed" per suite and finally
 * "wasi: N passed, N failed". --only TEXT runs the tests whose "suite/name"
 * contains TEXT (repeatable).
 *
 * Exit status: 0 all passed; 1 a test failed; 2 usage error, or DIR missing
 * or holding no test (a run never passes by finding nothing).
 */
#define _GNU_SOURCE /* strsignal */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
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

#define DEFAULT_TIMEOUT 60.0       /* seconds per test */
#define CAPTURE_MAX (1u << 20)     /* bytes of stdout/stderr kept per test */
#define STDERR_LINES 7             /* stderr lines shown for a failure */

static const char *prog = "wg_wasi_runner";

static void die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void die(int status, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "%s: error: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(status);
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) die(2, "out of memory");
    return p;
}

static char *xstrdup(const char *s) {
    char *p = strdup(s);
    if (!p) die(2, "out of memory");
    return p;
}

/* malloc'd "a/b". */
static char *path_join(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    char *p = xmalloc(la + lb + 2);
    memcpy(p, a, la);
    p[la] = '/';
    memcpy(p + la + 1, b, lb + 1);
    return p;
}

static bool ends_with(const char *s, const char *suffix) {
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

/* ---- a growable list of strings ---------------------------------------------- */

typedef struct strlist {
    char **items;
    size_t n, cap;
} strlist;

static void strlist_push(strlist *l, char *s) {
    if (l->n + 1 >= l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->items = realloc(l->items, l->cap * sizeof *l->items);
        if (!l->items) die(2, "out of memory");
    }
    l->items[l->n++] = s;
    l->items[l->n] = NULL;
}

static void strlist_free(strlist *l) {
    for (size_t i = 0; i < l->n; i++) free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- files: copy a tree, remove a tree, remove *.cleanup ---------------------- */

static bool copy_file(const char *from, const char *to, mode_t mode) {
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0) return false;
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 07777);
    if (out < 0) {
        close(in);
        return false;
    }
    char buf[65536];
    bool ok = true;
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ok = n == 0;
            break;
        }
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) {
                ok = false;
                break;
            }
            off += w;
        }
        if (!ok) break;
    }
    close(in);
    if (close(out) != 0) ok = false;
    return ok;
}

/* Copies directory from (which exists) into a new directory to: regular
 * files, directories and symlinks (as links). Dies on failure. */
static void copy_tree(const char *from, const char *to) {
    struct stat st;
    if (lstat(from, &st) != 0) die(2, "cannot stat %s: %s", from, strerror(errno));
    if (mkdir(to, (st.st_mode & 07777) | 0700) != 0) die(2, "cannot create %s: %s", to, strerror(errno));
    DIR *d = opendir(from);
    if (!d) die(2, "cannot read %s: %s", from, strerror(errno));
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char *src = path_join(from, e->d_name), *dst = path_join(to, e->d_name);
        if (lstat(src, &st) != 0) die(2, "cannot stat %s: %s", src, strerror(errno));
        if (S_ISDIR(st.st_mode)) {
            copy_tree(src, dst);
        } else if (S_ISLNK(st.st_mode)) {
            char target[PATH_MAX];
            ssize_t n = readlink(src, target, sizeof target - 1);
            if (n < 0) die(2, "cannot read link %s: %s", src, strerror(errno));
            target[n] = '\0';
            if (symlink(target, dst) != 0) die(2, "cannot create link %s: %s", dst, strerror(errno));
        } else if (S_ISREG(st.st_mode)) {
            if (!copy_file(src, dst, st.st_mode)) die(2, "cannot copy %s to %s: %s", src, dst, strerror(errno));
        }
        free(src);
        free(dst);
    }
    closedir(d);
}

/* Removes path and, for a directory, everything in it (symlinks are removed,
 * never followed). Returns false (errno set) on the first failure it cannot
 * get around; continues past entries that vanish. */
static bool remove_tree(const char *path) {
    struct stat st;
    if (lstat(path, &st) != 0) return errno == ENOENT;
    if (!S_ISDIR(st.st_mode)) return unlink(path) == 0 || errno == ENOENT;
    chmod(path, (st.st_mode & 07777) | 0700); /* a test may have left it unwritable */
    DIR *d = opendir(path);
    if (!d) return false;
    bool ok = true;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char *child = path_join(path, e->d_name);
        if (!remove_tree(child)) ok = false;
        free(child);
    }
    closedir(d);
    if (rmdir(path) != 0 && errno != ENOENT) ok = false;
    return ok;
}

/* Deletes every file, link or folder named *.cleanup under dir (recursively;
 * symlinks to folders are not followed). Returns how many it removed, or -1
 * after printing why one could not be removed. */
static int remove_cleanup(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return errno == ENOENT ? 0 : -1;
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char *child = path_join(dir, e->d_name);
        struct stat st;
        if (ends_with(e->d_name, ".cleanup")) {
            if (!remove_tree(child)) {
                fprintf(stderr, "%s: warning: cannot remove %s: %s\n", prog, child, strerror(errno));
                count = -1;
            } else if (count >= 0) {
                count++;
            }
        } else if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode)) {
            int n = remove_cleanup(child);
            if (n < 0) count = -1;
            else if (count >= 0) count += n;
        }
        free(child);
    }
    closedir(d);
    return count;
}

/* ---- one test ---------------------------------------------------------------- */

/* What a .json asks for (README.md: "Expectation .json format"). */
typedef struct test_config {
    strlist args;
    strlist env;        /* "K=V" */
    char *root;         /* relative to the suite folder, or NULL */
    int exit_code;
    char *want_stdout;  /* expected prefix, or NULL */
    char *want_stderr;
} test_config;

static void config_free(test_config *c) {
    strlist_free(&c->args);
    strlist_free(&c->env);
    free(c->root);
    free(c->want_stdout);
    free(c->want_stderr);
    memset(c, 0, sizeof *c);
}

/* Reads the whole file; NULL (errno set) on failure. */
static char *read_text(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (n + 1 >= cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            if (!buf) die(2, "out of memory");
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        errno = EIO;
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* Fills c from the .json at path. Returns NULL or a reason (static or in
 * why[]) for a file that cannot be used. */
static const char *load_config(const char *path, test_config *c, char *why, size_t why_size) {
    char *text = read_text(path);
    if (!text) {
        snprintf(why, why_size, "cannot read %s: %s", path, strerror(errno));
        return why;
    }
    cJSON *json = cJSON_Parse(text);
    free(text);
    const char *bad = NULL;
    if (!json || !cJSON_IsObject(json)) {
        bad = "not a JSON object";
        goto done;
    }
    for (cJSON *item = json->child; item; item = item->next) {
        const char *key = item->string;
        if (strcmp(key, "args") == 0) {
            if (!cJSON_IsArray(item)) {
                bad = "\"args\" is not an array";
                goto done;
            }
            for (cJSON *a = item->child; a; a = a->next) {
                if (!cJSON_IsString(a)) {
                    bad = "\"args\" holds a non-string";
                    goto done;
                }
                strlist_push(&c->args, xstrdup(a->valuestring));
            }
        } else if (strcmp(key, "env") == 0) {
            if (!cJSON_IsObject(item)) {
                bad = "\"env\" is not an object";
                goto done;
            }
            for (cJSON *v = item->child; v; v = v->next) {
                if (!cJSON_IsString(v)) {
                    bad = "\"env\" holds a non-string value";
                    goto done;
                }
                size_t lk = strlen(v->string), lv = strlen(v->valuestring);
                char *kv = xmalloc(lk + lv + 2);
                memcpy(kv, v->string, lk);
                kv[lk] = '=';
                memcpy(kv + lk + 1, v->valuestring, lv + 1);
                strlist_push(&c->env, kv);
            }
        } else if (strcmp(key, "root") == 0) {
            if (!cJSON_IsString(item)) {
                bad = "\"root\" is not a string";
                goto done;
            }
            c->root = xstrdup(item->valuestring);
        } else if (strcmp(key, "exit_code") == 0) {
            if (!cJSON_IsNumber(item) || item->valuedouble != (double)(int)item->valuedouble) {
                bad = "\"exit_code\" is not an integer";
                goto done;
            }
            c->exit_code = (int)item->valuedouble;
        } else if (strcmp(key, "stdout") == 0 || strcmp(key, "stderr") == 0) {
            if (!cJSON_IsString(item)) {
                bad = "\"stdout\"/\"stderr\" is not a string";
                goto done;
            }
            char **slot = key[3] == 'o' ? &c->want_stdout : &c->want_stderr;
            free(*slot);
            *slot = xstrdup(item->valuestring);
        } else {
            /* The upstream runner only warns about other keys. */
            fprintf(stderr, "%s: warning: %s: unknown key \"%s\" ignored\n", prog, path, key);
        }
    }
done:
    cJSON_Delete(json);
    if (bad) {
        snprintf(why, why_size, "bad %s: %s", path, bad);
        return why;
    }
    return NULL;
}

/* Captured output of a stream. */
typedef struct capture {
    char *data;
    size_t len;
    bool truncated;
    bool open;
} capture;

static void capture_read(capture *c, int fd) {
    char buf[65536];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
    if (n <= 0) {
        c->open = false;
        return;
    }
    size_t room = CAPTURE_MAX - c->len, take = (size_t)n < room ? (size_t)n : room;
    if (take < (size_t)n) c->truncated = true;
    memcpy(c->data + c->len, buf, take);
    c->len += take;
    c->data[c->len] = '\0';
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The result of running one test. */
typedef struct run_result {
    bool started;
    bool timed_out;
    int status;          /* waitpid's */
    capture out, err;
    double seconds;
} run_result;

/* Runs argv (argv[0] an absolute path) in dir with stdin at EOF, capturing
 * stdout and stderr, killing it after timeout seconds. */
static void run_child(char **argv, const char *dir, double timeout, run_result *r) {
    int out_pipe[2], err_pipe[2], in_pipe[2];
    memset(r, 0, sizeof *r);
    r->out.data = xmalloc(CAPTURE_MAX + 1);
    r->err.data = xmalloc(CAPTURE_MAX + 1);
    r->out.data[0] = r->err.data[0] = '\0';
    if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0 ||
        pipe2(in_pipe, O_CLOEXEC) != 0)
        die(2, "pipe: %s", strerror(errno));
    fflush(stdout);
    fflush(stderr);
    double start = now_seconds();
    pid_t pid = fork();
    if (pid < 0) die(2, "fork: %s", strerror(errno));
    if (pid == 0) {
        if (dup2(in_pipe[0], 0) < 0 || dup2(out_pipe[1], 1) < 0 || dup2(err_pipe[1], 2) < 0) _exit(127);
        if (chdir(dir) != 0) {
            dprintf(2, "%s: cannot chdir to %s: %s\n", prog, dir, strerror(errno));
            _exit(127);
        }
        execv(argv[0], argv);
        dprintf(2, "%s: cannot run %s: %s\n", prog, argv[0], strerror(errno));
        _exit(127);
    }
    r->started = true;
    close(in_pipe[0]);
    close(in_pipe[1]); /* the guest's stdin: a pipe at end-of-file */
    close(out_pipe[1]);
    close(err_pipe[1]);
    r->out.open = r->err.open = true;
    double deadline = start + timeout;
    bool exited = false;
    while (r->out.open || r->err.open) {
        double left = deadline - now_seconds();
        if (left <= 0) {
            kill(pid, SIGKILL);
            r->timed_out = true;
            break;
        }
        struct pollfd fds[2] = {{.fd = r->out.open ? out_pipe[0] : -1, .events = POLLIN},
                                {.fd = r->err.open ? err_pipe[0] : -1, .events = POLLIN}};
        int n = poll(fds, 2, (int)(left * 1000) + 1);
        if (n < 0 && errno != EINTR) die(2, "poll: %s", strerror(errno));
        if (n <= 0) continue;
        if (fds[0].revents) capture_read(&r->out, out_pipe[0]);
        if (fds[1].revents) capture_read(&r->err, err_pipe[0]);
    }
    /* Both pipes closed: the child is ending (or something it spawned holds
     * them, which wasmgate does not do). Wait with the same deadline. */
    while (!exited) {
        pid_t w = waitpid(pid, &r->status, r->timed_out ? 0 : WNOHANG);
        if (w == pid) {
            exited = true;
        } else if (w < 0 && errno != EINTR) {
            die(2, "waitpid: %s", strerror(errno));
        } else if (w == 0) {
            if (now_seconds() >= deadline) {
                kill(pid, SIGKILL);
                r->timed_out = true;
            } else {
                struct timespec ts = {0, 2000000};
                nanosleep(&ts, NULL);
            }
        }
    }
    close(out_pipe[0]);
    close(err_pipe[0]);
    r->seconds = now_seconds() - start;
}

/* True for a stderr line not worth showing: blank, or Rust's hint about
 * RUST_BACKTRACE. */
static bool boring_line(const char *p, size_t l) {
    static const char hint[] = "note: run with `RUST_BACKTRACE=1`";
    size_t i = 0;
    while (i < l && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r')) i++;
    return i == l || (l >= sizeof hint - 1 && memcmp(p, hint, sizeof hint - 1) == 0);
}

/* Appends the first interesting lines of text to *msg, each prefixed with
 * label. */
static void append_lines(char **msg, size_t *len, size_t *cap, const char *label, const char *text,
                         size_t text_len, int max_lines) {
    const char *p = text, *end = text + text_len;
    for (int i = 0; i < max_lines && p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (boring_line(p, l)) {
            p = nl ? nl + 1 : end;
            continue;
        }
        i++;
        if (l > 200) l = 200;
        size_t need = *len + strlen(label) + l + 16;
        if (need > *cap) {
            *cap = need * 2;
            *msg = realloc(*msg, *cap);
            if (!*msg) die(2, "out of memory");
        }
        *len += (size_t)sprintf(*msg + *len, "\n    %s%.*s", label, (int)l, p);
        p = nl ? nl + 1 : end;
    }
    if (p < end) {
        size_t need = *len + 32;
        if (need > *cap) {
            *cap = need * 2;
            *msg = realloc(*msg, *cap);
            if (!*msg) die(2, "out of memory");
        }
        *len += (size_t)sprintf(*msg + *len, "\n    %s...", label);
    }
}

/* Shows s (at most n bytes of it) as a C-like quoted string. */
static void quote(char *buf, size_t size, const char *s, size_t n) {
    size_t o = 0;
    if (size < 8) return;
    buf[o++] = '"';
    for (size_t i = 0; i < n && o + 6 < size; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') o += (size_t)snprintf(buf + o, size - o, "\\%c", ch);
        else if (ch == '\n') o += (size_t)snprintf(buf + o, size - o, "\\n");
        else if (ch < 32 || ch >= 127) o += (size_t)snprintf(buf + o, size - o, "\\x%02x", ch);
        else buf[o++] = (char)ch;
    }
    buf[o++] = '"';
    buf[o] = '\0';
}

typedef struct options {
    char *wasmgate;       /* absolute */
    double timeout;
    strlist only;
    bool verbose;
    const char *dir;
} options;

static bool selected(const options *o, const char *suite, const char *test) {
    if (o->only.n == 0) return true;
    char full[1024];
    snprintf(full, sizeof full, "%s/%s", suite, test);
    for (size_t i = 0; i < o->only.n; i++)
        if (strstr(full, o->only.items[i])) return true;
    return false;
}

/* Runs one test of a suite (its scratch copy at suite_dir). Returns true if
 * it passed; prints the FAIL line otherwise. */
static bool run_test(const options *o, const char *suite, const char *suite_dir, const char *wasm) {
    char name[512];
    snprintf(name, sizeof name, "%.*s", (int)(strlen(wasm) - 5), wasm);
    char *json_name = xmalloc(strlen(name) + 6);
    sprintf(json_name, "%s.json", name);
    char *json_path = path_join(suite_dir, json_name);
    free(json_name);
    test_config cfg;
    memset(&cfg, 0, sizeof cfg);
    char why[1024];
    const char *bad = NULL;
    struct stat st;
    if (stat(json_path, &st) == 0) bad = load_config(json_path, &cfg, why, sizeof why);
    free(json_path);

    char *root = NULL;
    if (!bad && cfg.root) {
        root = path_join(suite_dir, cfg.root);
        if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode)) {
            snprintf(why, sizeof why, "root %s is not a directory in the suite", cfg.root);
            bad = why;
        } else if (remove_cleanup(root) < 0) {
            snprintf(why, sizeof why, "cannot delete the *.cleanup files under %s", cfg.root);
            bad = why;
        }
    }
    if (bad) {
        printf("FAIL %s/%s: %s\n", suite, name, bad);
        config_free(&cfg);
        free(root);
        return false;
    }

    strlist argv = {0};
    strlist_push(&argv, xstrdup(o->wasmgate));
    strlist_push(&argv, xstrdup("run"));
    for (size_t i = 0; i < cfg.env.n; i++) {
        strlist_push(&argv, xstrdup("--env"));
        strlist_push(&argv, xstrdup(cfg.env.items[i]));
    }
    if (root) {
        strlist_push(&argv, xstrdup("--dir"));
        char *spec = xmalloc(strlen(root) + 4);
        sprintf(spec, "%s::/", root);
        strlist_push(&argv, spec);
    }
    strlist_push(&argv, xstrdup("--"));
    strlist_push(&argv, xstrdup(wasm));
    for (size_t i = 0; i < cfg.args.n; i++) strlist_push(&argv, xstrdup(cfg.args.items[i]));

    run_result r;
    run_child(argv.items, suite_dir, o->timeout, &r);
    strlist_free(&argv);
    if (root && remove_cleanup(root) < 0)
        fprintf(stderr, "%s: warning: %s/%s left *.cleanup files that cannot be deleted\n", prog,
                suite, name);

    /* Judge. */
    size_t cap = 1024, len = 0;
    char *msg = xmalloc(cap);
    msg[0] = '\0';
    char q1[512], q2[512];
#define ADD(...)                                                                  \
    do {                                                                          \
        char tmp_[1200];                                                          \
        int n_ = snprintf(tmp_, sizeof tmp_, __VA_ARGS__);                        \
        if (len + (size_t)n_ + 1 > cap) {                                         \
            cap = (len + (size_t)n_ + 1) * 2;                                     \
            msg = realloc(msg, cap);                                              \
            if (!msg) die(2, "out of memory");                                    \
        }                                                                         \
        memcpy(msg + len, tmp_, (size_t)n_ + 1);                                  \
        len += (size_t)n_;                                                        \
    } while (0)
    if (r.timed_out) {
        ADD("%stimed out after %g s (killed)", len ? "; " : "", o->timeout);
    } else if (WIFSIGNALED(r.status)) {
        ADD("%swasmgate killed by signal %d (%s), expected exit status %d", len ? "; " : "",
            WTERMSIG(r.status), strsignal(WTERMSIG(r.status)), cfg.exit_code);
    } else if (WIFEXITED(r.status) && WEXITSTATUS(r.status) != (cfg.exit_code & 0xff)) {
        ADD("%sexit status %d, expected %d", len ? "; " : "", WEXITSTATUS(r.status), cfg.exit_code);
    }
    if (cfg.want_stdout) {
        size_t n = strlen(cfg.want_stdout);
        if (r.out.len < n || memcmp(r.out.data, cfg.want_stdout, n) != 0) {
            quote(q1, sizeof q1, r.out.data, r.out.len < n + 20 ? r.out.len : n + 20);
            quote(q2, sizeof q2, cfg.want_stdout, n);
            ADD("%sstdout %s does not start with %s", len ? "; " : "", q1, q2);
        }
    }
    if (cfg.want_stderr) {
        size_t n = strlen(cfg.want_stderr);
        if (r.err.len < n || memcmp(r.err.data, cfg.want_stderr, n) != 0) {
            quote(q1, sizeof q1, r.err.data, r.err.len < n + 20 ? r.err.len : n + 20);
            quote(q2, sizeof q2, cfg.want_stderr, n);
            ADD("%sstderr %s does not start with %s", len ? "; " : "", q1, q2);
        }
    }
#undef ADD
    bool passed = len == 0;
    if (passed) {
        if (o->verbose) printf("ok   %s/%s (%.2f s)\n", suite, name, r.seconds);
    } else {
        append_lines(&msg, &len, &cap, "stderr: ", r.err.data, r.err.len, STDERR_LINES);
        printf("FAIL %s/%s: %s\n", suite, name, msg);
    }
    fflush(stdout);
    free(msg);
    free(r.out.data);
    free(r.err.data);
    config_free(&cfg);
    free(root);
    return passed;
}

/* The .wasm files of dir, sorted. */
static void list_wasm(const char *dir, strlist *out) {
    DIR *d = opendir(dir);
    if (!d) die(2, "cannot read %s: %s", dir, strerror(errno));
    struct dirent *e;
    while ((e = readdir(d))) {
        if (ends_with(e->d_name, ".wasm") && strlen(e->d_name) > 5) strlist_push(out, xstrdup(e->d_name));
    }
    closedir(d);
    if (out->n) qsort(out->items, out->n, sizeof *out->items, cmp_str);
}

/* The suites: subfolders of dir holding .wasm files, in the order c, rust,
 * assemblyscript (the README's), then any others sorted. */
static void list_suites(const char *dir, strlist *out) {
    static const char *const known[] = {"c", "rust", "assemblyscript"};
    strlist all = {0};
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char *p = path_join(dir, e->d_name);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            strlist w = {0};
            list_wasm(p, &w);
            if (w.n) strlist_push(&all, xstrdup(e->d_name));
            strlist_free(&w);
        }
        free(p);
    }
    closedir(d);
    if (all.n) qsort(all.items, all.n, sizeof *all.items, cmp_str);
    for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
        for (size_t i = 0; i < all.n; i++) {
            if (all.items[i] && strcmp(all.items[i], known[k]) == 0) {
                strlist_push(out, all.items[i]);
                all.items[i] = NULL;
            }
        }
    }
    for (size_t i = 0; i < all.n; i++)
        if (all.items[i]) strlist_push(out, all.items[i]);
    free(all.items);
}

static void usage(void) {
    fprintf(stderr,
            "usage: %s --wasmgate PATH [--timeout SECONDS] [--only TEXT]... [--verbose] DIR\n"
            "  DIR is the WASI conformance folder, $WG_CONFORMANCE_DIR/wasi\n",
            prog);
    exit(2);
}

static char *scratch_root; /* removed at exit */

static void remove_scratch(void) {
    if (scratch_root && !remove_tree(scratch_root))
        fprintf(stderr, "%s: warning: cannot remove %s: %s\n", prog, scratch_root, strerror(errno));
    free(scratch_root);
    scratch_root = NULL;
}

static void on_fatal_signal(int sig) {
    /* Not async-signal-safe in theory; the runner is single-threaded and
     * this path only ends it. */
    remove_scratch();
    signal(sig, SIG_DFL);
    raise(sig);
}

int main(int argc, char **argv) {
    options o = {.timeout = DEFAULT_TIMEOUT};
    const char *wasmgate = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--wasmgate") == 0 && i + 1 < argc) {
            wasmgate = argv[++i];
        } else if (strcmp(a, "--timeout") == 0 && i + 1 < argc) {
            char *end;
            o.timeout = strtod(argv[++i], &end);
            if (*end || !(o.timeout > 0)) usage();
        } else if (strcmp(a, "--only") == 0 && i + 1 < argc) {
            strlist_push(&o.only, xstrdup(argv[++i]));
        } else if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0) {
            o.verbose = true;
        } else if (a[0] == '-') {
            usage();
        } else if (!o.dir) {
            o.dir = a;
        } else {
            usage();
        }
    }
    if (!wasmgate || !o.dir) usage();
    o.wasmgate = realpath(wasmgate, NULL);
    if (!o.wasmgate || access(o.wasmgate, X_OK) != 0)
        die(2, "--wasmgate %s: not an executable: %s", wasmgate, strerror(errno));

    struct stat st;
    if (stat(o.dir, &st) != 0 || !S_ISDIR(st.st_mode))
        die(2, "no WASI conformance suite at %s (set WG_CONFORMANCE_DIR to the folder that holds "
               "wasi/, e.g. ../shared/conformance)", o.dir);
    strlist suites = {0};
    list_suites(o.dir, &suites);
    if (suites.n == 0)
        die(2, "no test suites (folders with .wasm files) in %s (set WG_CONFORMANCE_DIR to the "
               "folder that holds wasi/)", o.dir);

    const char *tmp = getenv("TMPDIR");
    char *tmpl = path_join(tmp && *tmp ? tmp : "/tmp", "wg-wasi-XXXXXX");
    if (!mkdtemp(tmpl)) die(2, "mkdtemp %s: %s", tmpl, strerror(errno));
    scratch_root = tmpl;
    atexit(remove_scratch);
    /* Ctrl-C, kill, and a reader that goes away (`| head`) leave no scratch
     * folder behind. */
    signal(SIGINT, on_fatal_signal);
    signal(SIGTERM, on_fatal_signal);
    signal(SIGHUP, on_fatal_signal);
    signal(SIGPIPE, on_fatal_signal);

    size_t total_pass = 0, total_fail = 0, total_run = 0;
    strlist summary = {0};
    for (size_t s = 0; s < suites.n; s++) {
        const char *suite = suites.items[s];
        char *src = path_join(o.dir, suite);
        char *dst = path_join(scratch_root, suite);
        strlist tests = {0};
        list_wasm(src, &tests);
        size_t pass = 0, fail = 0;
        bool any = false;
        for (size_t t = 0; t < tests.n; t++) any |= selected(&o, suite, tests.items[t]);
        if (any) {
            copy_tree(src, dst);
            for (size_t t = 0; t < tests.n; t++) {
                if (!selected(&o, suite, tests.items[t])) continue;
                if (run_test(&o, suite, dst, tests.items[t])) pass++;
                else fail++;
            }
            remove_tree(dst);
            char line[256];
            snprintf(line, sizeof line, "%s: %zu passed, %zu failed", suite, pass, fail);
            strlist_push(&summary, xstrdup(line));
        }
        total_pass += pass;
        total_fail += fail;
        total_run += pass + fail;
        strlist_free(&tests);
        free(src);
        free(dst);
    }
    for (size_t i = 0; i < summary.n; i++) puts(summary.items[i]);
    printf("wasi: %zu passed, %zu failed\n", total_pass, total_fail);
    strlist_free(&summary);
    strlist_free(&suites);
    strlist_free(&o.only);
    free(o.wasmgate);
    if (total_run == 0) {
        fprintf(stderr, "%s: error: no test matched --only\n", prog);
        return 2;
    }
    return total_fail ? 1 : 0;
}
