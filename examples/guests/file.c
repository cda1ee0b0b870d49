/* file: serves a file from the volume the manifest grants at /static:
 *
 *   GET /file?name=hello.txt   -> the contents of /static/hello.txt
 *
 * The name is URL-decoded first; a name that is empty, contains '/' or '\\',
 * or is "." / contains ".." is refused with 400 — the guest only ever opens a
 * file directly inside /static (the sandbox would refuse an escape anyway,
 * this is defence in depth and a clear error). A missing file is 404. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void answer(const char *status, const char *msg)
{
    printf("status: %s\ncontent-type: text/plain\n\n%s\n", status, msg);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes %XX and '+' in [s, s+n) into out (size >= n+1). Returns 0, or -1
 * on a malformed escape or an encoded NUL. */
static int url_decode(const char *s, size_t n, char *out)
{
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            if (i + 2 >= n) return -1;
            int hi = hexval((unsigned char)s[i + 1]), lo = hexval((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return -1;
            out[j++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (s[i] == '+') {
            out[j++] = ' ';
        } else {
            out[j++] = s[i];
        }
    }
    out[j] = '\0';
    return 0;
}

static const char *content_type(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot) return "application/octet-stream";
    if (strcmp(dot, ".txt") == 0) return "text/plain; charset=utf-8";
    if (strcmp(dot, ".html") == 0) return "text/html; charset=utf-8";
    if (strcmp(dot, ".css") == 0) return "text/css";
    if (strcmp(dot, ".js") == 0) return "text/javascript";
    if (strcmp(dot, ".json") == 0) return "application/json";
    if (strcmp(dot, ".png") == 0) return "image/png";
    return "application/octet-stream";
}

int main(void)
{
    const char *q = getenv("QUERY_STRING");
    const char *val = NULL;
    size_t vlen = 0;
    /* Find name=... among the &-separated items. */
    for (const char *p = q ? q : ""; *p;) {
        const char *end = strchr(p, '&');
        size_t itemlen = end ? (size_t)(end - p) : strlen(p);
        if (itemlen >= 5 && strncmp(p, "name=", 5) == 0) {
            val = p + 5;
            vlen = itemlen - 5;
            break;
        }
        p += itemlen;
        if (*p == '&') p++;
    }
    if (!val) {
        answer("400 Bad Request", "usage: /file?name=FILE (a file in the static folder)");
        return 0;
    }
    char *name = malloc(vlen + 1);
    if (!name) return 1;
    if (url_decode(val, vlen, name) != 0 || name[0] == '\0' || strchr(name, '/') ||
        strchr(name, '\\') || strstr(name, "..") || strcmp(name, ".") == 0) {
        answer("400 Bad Request", "bad file name: it must be a plain name, no '/' or '..'");
        free(name);
        return 0;
    }

    char path[1024];
    if (snprintf(path, sizeof path, "/static/%s", name) >= (int)sizeof path) {
        answer("400 Bad Request", "file name too long");
        free(name);
        return 0;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT || errno == ENOTDIR)
            answer("404 Not Found", "no such file");
        else
            answer("500 Internal Server Error", "cannot open the file");
        free(name);
        return 0;
    }
    printf("content-type: %s\n\n", content_type(name));
    static char buf[65536];  /* static: the default wasm stack is only 64 KiB */
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, stdout);
    int bad = ferror(f);
    fclose(f);
    free(name);
    return bad ? 1 : 0;
}
