/*
 * Gateway logging: formats lines and hands them to the embedder's sink
 * (gateway.h wg_gw_log_fn). Lines are bounded (WG_GW_LOG_LINE_MAX bytes, longer
 * ones are cut) and control characters a client or guest controls are escaped
 * so that nobody can forge log lines.
 */
#ifndef WG_GATEWAY_LOG_H
#define WG_GATEWAY_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "gateway/gateway.h"

#define WG_GW_LOG_LINE_MAX 4096

/* Where lines go: the embedder's callback (fn NULL: dropped). */
typedef struct wg_gw_log {
    wg_gw_log_fn fn;
    void *ud;
} wg_gw_log;

/* Formats one line printf-style and sends it to the sink. */
void wg__gw_logf(const wg_gw_log *lg, wg_gw_log_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sends each line of text[0..len) (split on LF, a CR before it dropped) as
 * its own line of `kind`, prefixed with `prefix`, with control characters
 * escaped as \xNN. At most max_lines lines; returns the number sent. */
size_t wg__gw_log_lines(const wg_gw_log *lg, wg_gw_log_kind kind, const char *prefix,
                        const uint8_t *text, size_t len, size_t max_lines);

/* Copies src (len bytes) into dst (size bytes, NUL-terminated) escaping bytes
 * below 0x20, 0x7F, '"' and '\\' as \xNN. Returns the bytes written. */
size_t wg__gw_escape(char *dst, size_t size, const char *src, size_t len);

/* The current UTC time as RFC 3339 with microseconds
 * ("2024-05-01T12:00:00.123456Z") into buf (at least 32 bytes). */
void wg__gw_rfc3339_now(char *buf, size_t size);

#endif
