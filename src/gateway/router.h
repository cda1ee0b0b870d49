/*
 * Route matching. A route is exact ("/hello": only that path) or a wildcard
 * ("/static/...": "/static" itself and every path below it, "/staticx" not;
 * "/..." matches everything). The longest matching route wins; at equal
 * length an exact route beats a wildcard. Paths are compared decoded and
 * byte for byte (no case folding, no dot-segment removal).
 */
#ifndef WG_GATEWAY_ROUTER_H
#define WG_GATEWAY_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "gateway/app.h"

typedef struct wg_router wg_router;

/* The outcome of a successful match. */
typedef struct wg_router_match {
    size_t index;          /* index of the route in the array given to wg__router_new */
    size_t prefix_len;     /* bytes of the path the route consumed */
    const char *path_info; /* the rest of the path (points into it): "" for exact routes */
} wg_router_match;

/* Builds a router over routes[0..n) (borrowed: they must outlive it). Free
 * with wg__router_free. NULL when out of memory. */
wg_router *wg__router_new(const wg_app_route *routes, size_t n);
void wg__router_free(wg_router *r);

/* Finds the route for path (NUL-terminated, decoded). False when none matches. */
bool wg__router_match(const wg_router *r, const char *path, wg_router_match *out);

#endif
