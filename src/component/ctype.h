/*
 * Component Model value and function types (WIT types) as the runtime uses
 * them: the contract between the validator (which builds them from a
 * component's type definitions), the Canonical ABI (canon*.c: layout,
 * flattening, lifting and lowering) and the embedding API (values are checked
 * against them; WAVE and WIT printing walk them).
 *
 * A wg_ctype is immutable once built and owned by the arena of the component
 * it was defined in (a compiled component is shared by threads, like a core
 * module). Types are structural: two equal types may be two objects, so
 * compare with wg__ctype_equal, never by pointer.
 *
 * Specialised types are kept as written (tuple, enum, option, result, map,
 * fixed-length list), not despecialised: WIT printing and WAVE need the
 * difference; the Canonical ABI treats them as the record/variant/list they
 * despecialise to (CanonicalABI.md "Despecialization").
 *
 * Resources: own<R> and borrow<R> name R by a slot in the resource space of
 * the component definition the type belongs to (`resource`). A slot is bound
 * to a runtime resource type when that component is instantiated (a defined
 * resource gets a fresh one per instance, an imported one the type its
 * importer supplied), so one static type serves every instance; the lifting
 * and lowering context maps slots to runtime types. Types that mention a
 * resource cannot be aliased across a component boundary (Binary.md, outer
 * aliases), so a slot always refers to the component that owns the type.
 */
#ifndef WG_COMPONENT_CTYPE_H
#define WG_COMPONENT_CTYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum wg_ctype_kind {
    WG_CT_BOOL = 1,
    WG_CT_S8,
    WG_CT_U8,
    WG_CT_S16,
    WG_CT_U16,
    WG_CT_S32,
    WG_CT_U32,
    WG_CT_S64,
    WG_CT_U64,
    WG_CT_F32,
    WG_CT_F64,
    WG_CT_CHAR,
    WG_CT_STRING,
    WG_CT_ERROR_CONTEXT, /* async era (📝): decoded and validated; lifting it traps */
    WG_CT_LIST,          /* elem; n = fixed length (🔧), 0 for an ordinary list */
    WG_CT_RECORD,        /* fields[n] (named) */
    WG_CT_TUPLE,         /* fields[n] (name NULL) */
    WG_CT_VARIANT,       /* fields[n]: cases, type NULL when a case has no payload */
    WG_CT_ENUM,          /* labels[n] */
    WG_CT_OPTION,        /* elem */
    WG_CT_RESULT,        /* elem = ok type or NULL, elem2 = error type or NULL */
    WG_CT_FLAGS,         /* labels[n], 1 <= n <= 32 */
    WG_CT_OWN,           /* resource slot */
    WG_CT_BORROW,        /* resource slot */
    WG_CT_STREAM,        /* elem or NULL (🔀) */
    WG_CT_FUTURE,        /* elem or NULL (🔀) */
    WG_CT_MAP,           /* elem = key, elem2 = value (🗺️): despecialises to list<tuple<k, v>> */
} wg_ctype_kind;

typedef struct wg_ctype wg_ctype;

/* A record field, a tuple member (name NULL), a variant case (type NULL: no
 * payload), or a function parameter. */
typedef struct wg_cfield {
    const char *name;
    const wg_ctype *type;
} wg_cfield;

/* Canonical ABI layout of a type for one pointer size (CanonicalABI.md
 * "Alignment", "Element Size", "Flattening"). nflat is the number of core
 * values the type flattens to, at most WG_CT_FLAT_MAX; a type that needs more
 * has nflat == WG_CT_FLAT_MAX + 1 and flat is not filled (it never travels
 * flat: MAX_FLAT_PARAMS is 16). flat[i] is WG_I32, WG_I64, WG_F32 or WG_F64
 * (wasmgate.h). */
#define WG_CT_FLAT_MAX 16
typedef struct wg_clayout {
    uint32_t size;
    uint32_t align;
    uint32_t nflat;
    uint8_t flat[WG_CT_FLAT_MAX];
} wg_clayout;

struct wg_ctype {
    wg_ctype_kind kind;
    uint32_t n;                  /* fields / cases / labels / tuple members; list length */
    const wg_ctype *elem;        /* see the kinds above */
    const wg_ctype *elem2;
    const wg_cfield *fields;     /* record, tuple, variant */
    const char *const *labels;   /* enum, flags */
    uint32_t resource;           /* own, borrow: resource slot (file comment) */
    /* Filled by wg__ctype_layout once the type is complete. [0]: 32-bit
     * memories, [1]: 64-bit (memory64) memories. */
    wg_clayout layout[2];
    bool has_borrow;             /* a borrow anywhere inside (results may not) */
    bool has_resource;           /* an own or borrow anywhere inside */
    bool has_async;              /* a stream or future anywhere inside */
};

/* A component function type. */
typedef struct wg_cfunctype {
    uint32_t nparams;
    const wg_cfield *params;     /* labelled parameters */
    const wg_ctype *result;      /* NULL: no result */
    bool async;                  /* (func async ...) 🔀 */
} wg_cfunctype;

/* Computes t->layout and the has_* flags from its (already laid out)
 * children. Builders call it bottom-up on every type they make. False when
 * the type is too large for the Canonical ABI (elem_size must stay below
 * 2^28: Binary.md, defvaltype) — a validation error. */
bool wg__ctype_layout(wg_ctype *t);

/* Structural equality (resource slots compared as numbers: both types must
 * belong to the same component definition). */
bool wg__ctype_equal(const wg_ctype *a, const wg_ctype *b);

/* The discriminant byte size of a variant of n cases (1, 2 or 4). */
uint32_t wg__ctype_disc_size(uint32_t ncases);

#endif
