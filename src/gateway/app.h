/*
 * The application a gateway serves, as loaded from a manifest (manifest.c):
 * a WAGI `modules.toml` or a Spin-style `spin.toml` (version 2 subset), both
 * reduced to one list of routes. Paths are already resolved against the
 * manifest's folder. Immutable once loaded; owned by the wg_app.
 */
#ifndef WG_GATEWAY_APP_H
#define WG_GATEWAY_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/wasmgate.h"

/* A host directory (or file) granted to a route's guest under a guest path. */
typedef struct wg_app_volume {
    char *guest;             /* "/data" */
    char *host;              /* resolved host path */
    bool read_only;          /* Spin `files` are read-only; WAGI volumes are writable */
} wg_app_volume;

typedef struct wg_app_env {
    char *name;
    char *value;
} wg_app_env;

typedef struct wg_app_route {
    char *route;             /* as written: "/hello", "/static/..." */
    char *prefix;            /* route without a trailing "/..." ("" for "/...") */
    bool wildcard;           /* the route ended in "/..." */
    char *module_path;       /* resolved path of the .wasm */
    char *entrypoint;        /* export to call: default "_start" */
    char **argv;             /* manifest argv template split on spaces, or NULL for
                                the default "${SCRIPT_NAME} ${ARGS}" */
    size_t nargv;
    wg_app_volume *volumes; size_t nvolumes;
    wg_app_env *env; size_t nenv;
    char **allowed_hosts; size_t nallowed_hosts;  /* outbound HTTP grants (kept for later) */
    char *component;         /* Spin component id, or NULL for WAGI */
    /* Limits; 0 means "the server-wide default". */
    double timeout_s;
    uint64_t max_memory;
    uint32_t max_concurrency;
    uint64_t max_body;
    uint32_t max_open_files;   /* files the guest may hold open at once */
    uint32_t line;           /* manifest line where the route was defined */
} wg_app_route;

typedef struct wg_app {
    char *manifest_path;     /* as given to wg__app_load (errors quote it so) */
    char *base_dir;          /* the manifest's folder, resolved (realpath) */
    char *name;              /* Spin [application] name, or NULL */
    enum { WG_APP_WAGI, WG_APP_SPIN } format;
    wg_app_route *routes; size_t nroutes;
} wg_app;

/* Loads and checks a manifest: TOML syntax, known keys only (unknown key →
 * error), required keys, types, duplicate routes, module files exist. Does not
 * compile modules (the server does, reporting "file:line: module X: ..."). On
 * failure returns NULL with err->message "FILE:LINE:COL: message". Free with
 * wg__app_free. */
wg_app *wg__app_load(const char *path, wg_error *err);
void wg__app_free(wg_app *app);

#endif
