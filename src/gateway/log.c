/*
 * Gateway logging (log.h) and the file-descriptor sink (gateway.h).
 *
 * Every line is formatted into a stack buffer and written with a single
 * write(2), so lines from different worker threads never interleave (POSIX
 * makes writes up to PIPE_BUF atomic on pipes; O_APPEND files get whole
 * writes too) and no lock is needed.
 */
#define _GNU_SOURCE
#include "gateway/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Formats the current UTC time as RFC 3339 with microseconds. */
void wg__gw_rfc3339_now(char *buf, size_t size) {
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             (long)(ts.tv_nsec / 1000));
}

/* Escapes control characters, quote and backslash as \xNN (see log.h). */
size_t wg__gw_escape(char *dst, size_t size, const char *src, size_t len) {
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    if (size == 0) return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)src[i];
        if (c < 0x20 || c == 0x7F || c == '"' || c == '\\') {
            if (o + 4 >= size) break;
            dst[o++] = '\\';
            dst[o++] = 'x';
            dst[o++] = hex[c >> 4];
            dst[o++] = hex[c & 15];
        } else {
            if (o + 1 >= size) break;
            dst[o++] = (char)c;
        }
    }
    dst[o] = '\0';
    return o;
}

static void emit(const wg_gw_log *lg, wg_gw_log_kind kind, const char *line, size_t len) {
    if (lg && lg->fn) lg->fn(lg->ud, kind, line, len);
}

/* Formats one line and sends it (cut at WG_GW_LOG_LINE_MAX). */
void wg__gw_logf(const wg_gw_log *lg, wg_gw_log_kind kind, const char *fmt, ...) {
    if (!lg || !lg->fn) return;
    char line[WG_GW_LOG_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    emit(lg, kind, line, len);
}

/* Splits text into lines and sends each, escaped and prefixed. */
size_t wg__gw_log_lines(const wg_gw_log *lg, wg_gw_log_kind kind, const char *prefix,
                        const uint8_t *text, size_t len, size_t max_lines) {
    if (!lg || !lg->fn || !text) return 0;
    size_t sent = 0, pos = 0;
    size_t plen = strlen(prefix);
    char line[WG_GW_LOG_LINE_MAX];
    if (plen > sizeof line / 2) plen = sizeof line / 2;
    while (pos < len && sent < max_lines) {
        const uint8_t *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t llen = end - pos;
        if (llen && text[pos + llen - 1] == '\r') llen--;
        memcpy(line, prefix, plen);
        size_t n = plen + wg__gw_escape(line + plen, sizeof line - plen,
                                        (const char *)text + pos, llen);
        emit(lg, kind, line, n);
        sent++;
        pos = nl ? end + 1 : len;
    }
    return sent;
}

static void write_all(int fd, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t w = write(fd, buf, len);
        if (w < 0) {
            if (errno == EINTR) continue;
            return;
        }
        buf += w;
        len -= (size_t)w;
    }
}

static const char *kind_tag(wg_gw_log_kind kind) {
    switch (kind) {
    case WG_GW_LOG_ERROR: return "error";
    case WG_GW_LOG_WARN: return "warning";
    case WG_GW_LOG_GUEST: return "guest";
    default: return "info";
    }
}

/* The fd sink (gateway.h): access lines as they are, others as
 * "TIME wasmgate: KIND: LINE", each with one write(2). */
void wg__gw_log_fd_sink(void *ud, wg_gw_log_kind kind, const char *line, size_t len) {
    const wg_gw_fd_sink *s = ud;
    if (!s) return;
    char buf[WG_GW_LOG_LINE_MAX + 96];
    size_t n = 0;
    if (kind != WG_GW_LOG_ACCESS) {
        char now[40];
        wg__gw_rfc3339_now(now, sizeof now);
        int h = snprintf(buf, sizeof buf, "%s wasmgate: %s: ", now, kind_tag(kind));
        n = h > 0 ? (size_t)h : 0;
    }
    if (len > sizeof buf - n - 1) len = sizeof buf - n - 1;
    memcpy(buf + n, line, len);
    n += len;
    buf[n++] = '\n';
    write_all(kind == WG_GW_LOG_ACCESS ? s->access_fd : s->error_fd, buf, n);
}
