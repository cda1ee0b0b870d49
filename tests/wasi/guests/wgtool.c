/*
 * wgtool: a small real program, built both natively and for wasm32-wasi, so
 * the test can run the two on the same input and diff their outputs. Paths
 * are printed relative to the ROOT argument, so the native run (on the host
 * directory) and the wasm run (on its preopen) print the same thing.
 *
 *   wgtool find ROOT         recursive listing, sorted: "d REL/", "f SIZE REL",
 *                            "l REL -> TARGET"
 *   wgtool wc ROOT           "LINES WORDS BYTES REL" per regular file, sorted,
 *                            then "LINES WORDS BYTES total"
 *   wgtool wc -              the same counts for stdin ("... -")
 *   wgtool sha256 ROOT       "HEX  REL" per regular file, sorted (sha256sum format)
 *   wgtool mktree ROOT SEED  writes a deterministic tree of files and directories
 *   wgtool cat               stdin to stdout
 *   wgtool rand              "rand: ok" if getentropy gives varying bytes
 *   wgtool time              "time: ok" if the clocks are sane (wall clock in
 *                            2020..2100, monotonic advances at least 20 ms across
 *                            a 20 ms sleep)
 * Exit 0 on success; 1 with a message on stderr on any error.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

static void die(const char *what, const char *path) {
    fprintf(stderr, "wgtool: %s %s: %s\n", what, path ? path : "", strerror(errno));
    exit(1);
}

/* ---- sha256 ---------------------------------------------------------------------- */

typedef struct {
    uint32_t h[8];
    uint64_t len;
    uint8_t buf[64];
    size_t n;
} sha256_ctx;

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(sha256_ctx *c, const uint8_t *p) {
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
               p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3], e = c->h[4], f = c->h[5],
             g = c->h[6], h = c->h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & cc) ^ (b & cc));
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = cc;
        cc = b;
        b = a;
        a = t1 + t2;
    }
    c->h[0] += a;
    c->h[1] += b;
    c->h[2] += cc;
    c->h[3] += d;
    c->h[4] += e;
    c->h[5] += f;
    c->h[6] += g;
    c->h[7] += h;
}

static void sha256_init(sha256_ctx *c) {
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(c->h, iv, sizeof iv);
    c->len = 0;
    c->n = 0;
}

static void sha256_update(sha256_ctx *c, const uint8_t *p, size_t len) {
    c->len += len;
    while (len) {
        size_t take = 64 - c->n < len ? 64 - c->n : len;
        memcpy(c->buf + c->n, p, take);
        c->n += take;
        p += take;
        len -= take;
        if (c->n == 64) {
            sha256_block(c, c->buf);
            c->n = 0;
        }
    }
}

static void sha256_final(sha256_ctx *c, char hex[65]) {
    uint64_t bits = c->len * 8;
    uint8_t pad = 0x80;
    sha256_update(c, &pad, 1);
    pad = 0;
    while (c->n != 56) sha256_update(c, &pad, 1);
    uint8_t l[8];
    for (int i = 0; i < 8; i++) l[i] = (uint8_t)(bits >> (56 - 8 * i));
    sha256_update(c, l, 8);
    for (int i = 0; i < 8; i++) snprintf(hex + 8 * i, 9, "%08x", c->h[i]);
}

/* ---- tree walk ------------------------------------------------------------------------- */

typedef struct {
    char *rel;
    char type; /* d f l */
    long long size;
    char *target;
} entry;

static entry *g_ents;
static size_t g_n, g_cap;

static char *join(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 2);
    if (!s) die("out of memory", NULL);
    memcpy(s, a, la);
    s[la] = '/';
    memcpy(s + la + 1, b, lb + 1);
    return s;
}

static void walk(const char *root, const char *rel) {
    char *dir = rel ? join(root, rel) : strdup(root);
    DIR *d = opendir(dir);
    if (!d) die("opendir", dir);
    struct dirent *de;
    errno = 0;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        char *r = rel ? join(rel, de->d_name) : strdup(de->d_name);
        char *full = join(root, r);
        struct stat st;
        if (lstat(full, &st) != 0) die("lstat", full);
        if (g_n == g_cap) {
            g_cap = g_cap ? 2 * g_cap : 256;
            g_ents = realloc(g_ents, g_cap * sizeof *g_ents);
            if (!g_ents) die("out of memory", NULL);
        }
        entry *e = &g_ents[g_n++];
        e->rel = r;
        e->size = (long long)st.st_size;
        e->target = NULL;
        if (S_ISDIR(st.st_mode)) {
            e->type = 'd';
            walk(root, r);
        } else if (S_ISLNK(st.st_mode)) {
            e->type = 'l';
            char t[4096];
            ssize_t n = readlink(full, t, sizeof t - 1);
            if (n < 0) die("readlink", full);
            t[n] = 0;
            e->target = strdup(t);
        } else if (S_ISREG(st.st_mode)) {
            e->type = 'f';
        } else {
            e->type = '?';
        }
        free(full);
        errno = 0;
    }
    if (errno) die("readdir", dir);
    closedir(d);
    free(dir);
}

static int cmp_ent(const void *a, const void *b) {
    return strcmp(((const entry *)a)->rel, ((const entry *)b)->rel);
}

static void load_tree(const char *root) {
    walk(root, NULL);
    qsort(g_ents, g_n, sizeof *g_ents, cmp_ent);
}

static int cmd_find(const char *root) {
    load_tree(root);
    for (size_t i = 0; i < g_n; i++) {
        entry *e = &g_ents[i];
        if (e->type == 'd') printf("d %s/\n", e->rel);
        else if (e->type == 'f') printf("f %lld %s\n", e->size, e->rel);
        else if (e->type == 'l') printf("l %s -> %s\n", e->rel, e->target);
        else printf("? %s\n", e->rel);
    }
    return 0;
}

typedef struct {
    long long lines, words, bytes;
} counts;

static void count_stream(FILE *f, counts *c, const char *name) {
    static char buf[65536];
    int inword = 0;
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        c->bytes += (long long)n;
        for (size_t i = 0; i < n; i++) {
            unsigned char ch = (unsigned char)buf[i];
            if (ch == '\n') c->lines++;
            /* the C locale's isspace: space \t \n \v \f \r */
            int sp = ch == ' ' || (ch >= '\t' && ch <= '\r');
            if (sp) inword = 0;
            else if (!inword) {
                inword = 1;
                c->words++;
            }
        }
    }
    if (ferror(f)) die("read", name);
}

static int cmd_wc(const char *root) {
    counts total = {0, 0, 0};
    if (strcmp(root, "-") == 0) {
        count_stream(stdin, &total, "stdin");
        printf("%lld %lld %lld -\n", total.lines, total.words, total.bytes);
        return 0;
    }
    load_tree(root);
    for (size_t i = 0; i < g_n; i++) {
        if (g_ents[i].type != 'f') continue;
        char *full = join(root, g_ents[i].rel);
        FILE *f = fopen(full, "rb");
        if (!f) die("fopen", full);
        counts c = {0, 0, 0};
        count_stream(f, &c, full);
        fclose(f);
        printf("%lld %lld %lld %s\n", c.lines, c.words, c.bytes, g_ents[i].rel);
        total.lines += c.lines;
        total.words += c.words;
        total.bytes += c.bytes;
        free(full);
    }
    printf("%lld %lld %lld total\n", total.lines, total.words, total.bytes);
    return 0;
}

static int cmd_sha256(const char *root) {
    load_tree(root);
    static uint8_t buf[65536];
    for (size_t i = 0; i < g_n; i++) {
        if (g_ents[i].type != 'f') continue;
        char *full = join(root, g_ents[i].rel);
        int fd = open(full, O_RDONLY);
        if (fd < 0) die("open", full);
        sha256_ctx c;
        sha256_init(&c);
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0) sha256_update(&c, buf, (size_t)n);
        if (n < 0) die("read", full);
        close(fd);
        char hex[65];
        sha256_final(&c, hex);
        printf("%s  %s\n", hex, g_ents[i].rel);
        free(full);
    }
    return 0;
}

/* xorshift64*: the same bytes on every platform */
static uint64_t g_rng;
static uint64_t rnd(void) {
    g_rng ^= g_rng >> 12;
    g_rng ^= g_rng << 25;
    g_rng ^= g_rng >> 27;
    return g_rng * 2685821657736338717ull;
}

static int cmd_mktree(const char *root, const char *seed) {
    g_rng = strtoull(seed, NULL, 10) * 0x9E3779B97F4A7C15ull + 1;
    static const char *dirs[] = {"alpha", "alpha/beta", "alpha/beta/gamma", "delta", "empty dir"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char *p = join(root, dirs[i]);
        if (mkdir(p, 0755) != 0) die("mkdir", p);
        free(p);
    }
    static const char *words[] = {"wasm", "gate", "sandbox", "preopen", "fd", "cookie", "lorem",
                                  "ipsum", "\t", "  ", "x"};
    int nfiles = 0;
    for (int i = 0; i < 60; i++) {
        char name[128];
        const char *d = i % 5 == 4 ? NULL : dirs[i % 4];
        snprintf(name, sizeof name, "%s%sfile %02d.%s", d ? d : "", d ? "/" : "", i,
                 i % 3 ? "txt" : "bin");
        char *p = join(root, name);
        FILE *f = fopen(p, "wb");
        if (!f) die("fopen for writing", p);
        size_t size = (size_t)(rnd() % (i == 7 ? 400000 : 5000));
        if (i == 9) size = 0;
        if (i % 3 == 0) {
            for (size_t k = 0; k < size; k++) fputc((int)(rnd() >> 56), f);
        } else {
            size_t k = 0;
            while (k < size) {
                const char *w = words[rnd() % (sizeof words / sizeof words[0])];
                fputs(w, f);
                k += strlen(w);
                fputc(rnd() % 7 == 0 ? '\n' : ' ', f);
                k++;
            }
        }
        if (fclose(f) != 0) die("fclose", p);
        free(p);
        nfiles++;
    }
    printf("mktree: %d files\n", nfiles);
    return 0;
}

static int cmd_cat(void) {
    static char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
        if (fwrite(buf, 1, n, stdout) != n) die("write", "stdout");
    if (ferror(stdin)) die("read", "stdin");
    return 0;
}

static int cmd_rand(void) {
    uint8_t a[32], b[32];
    if (getentropy(a, sizeof a) != 0 || getentropy(b, sizeof b) != 0) die("getentropy", NULL);
    int distinct = 0;
    for (size_t i = 1; i < sizeof a; i++) distinct += a[i] != a[0];
    if (memcmp(a, b, sizeof a) == 0 || distinct == 0) {
        fprintf(stderr, "wgtool: getentropy returned constant bytes\n");
        return 1;
    }
    /* rand() seeded from it works too */
    unsigned seed;
    memcpy(&seed, a, sizeof seed);
    srand(seed);
    printf("rand: ok\n");
    return 0;
}

static int cmd_time(void) {
    time_t now = time(NULL);
    if (now < 1577836800 || now > 4102444800) {
        fprintf(stderr, "wgtool: time() = %lld is not between 2020 and 2100\n", (long long)now);
        return 1;
    }
    struct tm tm;
    if (!gmtime_r(&now, &tm) || tm.tm_year < 120) {
        fprintf(stderr, "wgtool: gmtime_r failed\n");
        return 1;
    }
    struct timespec t0, t1, d = {0, 20000000};
    if (clock_gettime(CLOCK_MONOTONIC, &t0) != 0) die("clock_gettime", NULL);
    if (nanosleep(&d, NULL) != 0) die("nanosleep", NULL);
    if (clock_gettime(CLOCK_MONOTONIC, &t1) != 0) die("clock_gettime", NULL);
    long long ns = (long long)(t1.tv_sec - t0.tv_sec) * 1000000000 + (t1.tv_nsec - t0.tv_nsec);
    /* Never shorter than asked; how much longer depends on the machine's
     * load, so there is no upper bound. */
    if (ns < 20000000) {
        fprintf(stderr, "wgtool: a 20 ms nanosleep took only %lld ns\n", ns);
        return 1;
    }
    struct timespec cpu;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu) != 0) die("clock_gettime cputime", NULL);
    printf("time: ok\n");
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: wgtool find|wc|sha256|mktree|cat|rand|time [ARGS]\n");
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "find") == 0 && argc == 3) return cmd_find(argv[2]);
    if (strcmp(cmd, "wc") == 0 && argc == 3) return cmd_wc(argv[2]);
    if (strcmp(cmd, "sha256") == 0 && argc == 3) return cmd_sha256(argv[2]);
    if (strcmp(cmd, "mktree") == 0 && argc == 4) return cmd_mktree(argv[2], argv[3]);
    if (strcmp(cmd, "cat") == 0) return cmd_cat();
    if (strcmp(cmd, "rand") == 0) return cmd_rand();
    if (strcmp(cmd, "time") == 0) return cmd_time();
    fprintf(stderr, "wgtool: bad command or arguments\n");
    return 2;
}
