/*
 * WIT printing internals shared by wit_print.c (worlds, interfaces, the
 * order of things) and wit_types.c (output with indentation, type names,
 * type references and declarations, function signatures).
 *
 * Output follows wit-component's OutputToString: two spaces per level,
 * ` {` opens a block, `}` closes it on a line of its own, a blank line
 * between the items of a block (new_item).
 *
 * Naming: every type an interface (or the world) exports is registered
 * under its owner with its identity: the wg_ctype object for value types,
 * the slot for resources (the validator keeps these identities: a type
 * export's `created` type is what the functions beside it refer to). A
 * reference prints the name its own owner gives the type, else the first
 * name any owner gives it, else the type's structure.
 */
#ifndef WG_COMPONENT_WIT_INT_H
#define WG_COMPONENT_WIT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "component/component_int.h"
#include "util/strbuf.h"
#include "util/vec.h"

#define WG_WIT_WORLD (-1)   /* owner: the world itself */

typedef struct wg_witname {
    int owner;              /* index into ifaces, or WG_WIT_WORLD */
    uint64_t key;           /* wg__wit_key_* */
    const char *name;
} wg_witname;

/* An instance import or export: an interface. */
typedef struct wg_witiface {
    const char *full;       /* the import/export name */
    bool named;             /* ns:pkg/name[@version] (else a plain label) */
    const char *ns, *pkg, *name, *version;  /* parts of a named one (NUL-terminated copies) */
    const wg_cinsttype *type;
    bool printed;           /* its body is out (each interface name once) */
} wg_witiface;

typedef struct wg_witp {
    wg_strbuf *out;
    unsigned indent;
    bool needs_indent;      /* the next text starts a line */
    bool any_items;         /* the current block has an item (new_item) */
    WG_VEC(wg_witname) names;
    WG_VEC(wg_witiface) ifaces;
    wg_arena arena;         /* the name parts */
    bool oom;
} wg_witp;

/* ---- output ---------------------------------------------------------------------- */

void wg__wit_str(wg_witp *p, const char *s);
void wg__wit_strn(wg_witp *p, const char *s, size_t n);
void wg__wit_newline(wg_witp *p);
void wg__wit_open(wg_witp *p);      /* " {" and a new line, one level in */
void wg__wit_close(wg_witp *p);     /* "}" on its own line, one level out */
void wg__wit_semicolon(wg_witp *p); /* ";" and a new line */
void wg__wit_new_item(wg_witp *p);  /* a blank line unless first in the block */
/* A name, %-prefixed when it is a WIT keyword. */
void wg__wit_name(wg_witp *p, const char *name);

/* ---- names ---------------------------------------------------------------------- */

static inline uint64_t wg__wit_key_val(const wg_ctype *t) { return (uint64_t)(uintptr_t)t; }
static inline uint64_t wg__wit_key_res(uint32_t slot) { return (1ULL << 63) | slot; }
/* The identity of a type export's type (0: nothing WIT can name). */
uint64_t wg__wit_key_tyref(wg_ctyref t);

bool wg__wit_register(wg_witp *p, int owner, uint64_t key, const char *name);
/* The name owner gives the type, else the first name anyone gives it. */
const wg_witname *wg__wit_lookup(const wg_witp *p, uint64_t key, int owner);
/* The first registration of key (the type's definition), or NULL. */
const wg_witname *wg__wit_first(const wg_witp *p, uint64_t key);

/* ---- types and functions (wit_types.c) ------------------------------------------ */

/* A reference to t as seen from owner: its name, or its structure. */
void wg__wit_type(wg_witp *p, const wg_ctype *t, int owner);
/* A named type's declaration (record, variant, enum, flags, or `type x = T;`). */
void wg__wit_declare(wg_witp *p, const char *name, const wg_ctype *t, int owner);
/* func(params) -> result; skip_self leaves out a method's first parameter;
 * a constructor prints `constructor(params)` and its result only when it is
 * not just own<its resource>. */
void wg__wit_func(wg_witp *p, const wg_cfunctype *f, int owner, bool async, bool skip_self,
                  bool constructor, uint32_t resource);

#endif
