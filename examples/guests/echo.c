/* echo: answers with the request as JSON:
 *
 *   {"method":"POST","path_info":"/a b","raw_path_info":"/a%20b",
 *    "query":"x=1","headers":{"HTTP_USER_AGENT":"curl/8",...},
 *    "body":"...","body_bytes":3}
 *
 * The request comes as WAGI gives it: CGI variables in the environment
 * (HTTP_* for the request headers), the body on stdin. Every string is
 * escaped for JSON: quotes, backslashes and control characters, and bytes
 * that are not valid UTF-8 become U+FFFD, so the output is always valid JSON
 * whatever the client sent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf) { len = 2; min = 0x80; }
    else if (c >= 0xe0 && c <= 0xef) { len = 3; min = 0x800; }
    else if (c >= 0xf0 && c <= 0xf4) { len = 4; min = 0x10000; }
    else return 0;
    if (n < len) return 0;
    unsigned cp = c & (0xff >> (len + 1));
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return len;
}

static void json_string(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    putchar('"');
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        switch (c) {
        case '"':  fputs("\\\"", stdout); i++; continue;
        case '\\': fputs("\\\\", stdout); i++; continue;
        case '\n': fputs("\\n", stdout); i++; continue;
        case '\r': fputs("\\r", stdout); i++; continue;
        case '\t': fputs("\\t", stdout); i++; continue;
        case '\b': fputs("\\b", stdout); i++; continue;
        case '\f': fputs("\\f", stdout); i++; continue;
        default: break;
        }
        if (c < 0x20 || c == 0x7f) {
            printf("\\u%04x", c);
            i++;
            continue;
        }
        size_t len = utf8_len(s + i, n - i);
        if (len == 0) {
            fputs("\\ufffd", stdout);
            i++;
            continue;
        }
        fwrite(s + i, 1, len, stdout);
        i += len;
    }
    putchar('"');
}

static void json_cstr(const char *s)
{
    json_string(s ? s : "", s ? strlen(s) : 0);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
    /* The body: all of stdin. */
    size_t cap = 65536, len = 0;
    char *body = malloc(cap);
    if (!body) return 1;
    for (;;) {
        if (len == cap) {
            cap *= 2;
            char *nb = realloc(body, cap);
            if (!nb) {
                fputs("status: 413 Payload Too Large\ncontent-type: text/plain\n\n"
                      "body too large for the guest's memory\n", stdout);
                return 0;
            }
            body = nb;
        }
        ssize_t r = read(0, body + len, cap - len);
        if (r < 0) return 1;
        if (r == 0) break;
        len += (size_t)r;
    }

    /* The HTTP_* variables, sorted so the output is stable. */
    size_t nh = 0;
    for (char **e = environ; *e; e++)
        if (strncmp(*e, "HTTP_", 5) == 0) nh++;
    char **hdrs = calloc(nh + 1, sizeof *hdrs);
    if (!hdrs) return 1;
    nh = 0;
    for (char **e = environ; *e; e++)
        if (strncmp(*e, "HTTP_", 5) == 0) hdrs[nh++] = *e;
    qsort(hdrs, nh, sizeof *hdrs, cmp_str);

    fputs("content-type: application/json\n\n{\"method\":", stdout);
    json_cstr(getenv("REQUEST_METHOD"));
    fputs(",\"path_info\":", stdout);
    json_cstr(getenv("PATH_INFO"));
    fputs(",\"raw_path_info\":", stdout);
    json_cstr(getenv("X_RAW_PATH_INFO"));
    fputs(",\"query\":", stdout);
    json_cstr(getenv("QUERY_STRING"));
    fputs(",\"headers\":{", stdout);
    for (size_t i = 0; i < nh; i++) {
        const char *eq = strchr(hdrs[i], '=');
        if (!eq) continue;
        if (i) putchar(',');
        json_string(hdrs[i], (size_t)(eq - hdrs[i]));
        putchar(':');
        json_cstr(eq + 1);
    }
    fputs("},\"body\":", stdout);
    json_string(body, len);
    printf(",\"body_bytes\":%zu}\n", len);
    free(hdrs);
    free(body);
    return 0;
}
