/*
 * The decoded syntax of component type definitions (Binary.md "Type
 * Definitions"): what the decoder (cdecode*.c) produces for the type, core
 * type and extern-type productions and the validator (cvalid*.c) reads. Type
 * definitions are kept in this raw form, indices unresolved, until the
 * validator turns them into the resolved types of component_int.h; the
 * instantiation step never needs them.
 *
 * Everything lives in the component's arena. Offsets are byte offsets in the
 * top-level binary, for error messages.
 */
#ifndef WG_COMPONENT_CAST_H
#define WG_COMPONENT_CAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/wasmgate.h"

/* A name or label: NUL-terminated copy, len bytes (core names may hold NUL). */
typedef struct wg_cstr {
    const char *s;   /* NULL: absent */
    uint32_t len;
} wg_cstr;

/* A valtype operand: a type index, or a primitive (its opcode, 0x64..0x7f)
 * with WG_RAW_PRIM set. */
#define WG_RAW_PRIM 0x80000000u
#define WG_RAW_NONE 0xffffffffu /* an absent optional valtype */

/* Primitive value type opcodes (Binary.md primvaltype). */
enum {
    WG_PT_BOOL = 0x7f, WG_PT_S8 = 0x7e, WG_PT_U8 = 0x7d, WG_PT_S16 = 0x7c, WG_PT_U16 = 0x7b,
    WG_PT_S32 = 0x7a, WG_PT_U32 = 0x79, WG_PT_S64 = 0x78, WG_PT_U64 = 0x77, WG_PT_F32 = 0x76,
    WG_PT_F64 = 0x75, WG_PT_CHAR = 0x74, WG_PT_STRING = 0x73, WG_PT_ERROR_CONTEXT = 0x64,
};

/* deftype opcodes beyond the defvaltype ones (0x63..0x72). */
enum {
    WG_RT_RECORD = 0x72, WG_RT_VARIANT = 0x71, WG_RT_LIST = 0x70, WG_RT_TUPLE = 0x6f,
    WG_RT_FLAGS = 0x6e, WG_RT_ENUM = 0x6d, WG_RT_OPTION = 0x6b, WG_RT_RESULT = 0x6a,
    WG_RT_OWN = 0x69, WG_RT_BORROW = 0x68, WG_RT_FIXED_LIST = 0x67, WG_RT_STREAM = 0x66,
    WG_RT_FUTURE = 0x65, WG_RT_MAP = 0x63,
    WG_RT_FUNC = 0x40, WG_RT_FUNC_ASYNC = 0x43, WG_RT_COMPONENT = 0x41, WG_RT_INSTANCE = 0x42,
    WG_RT_RESOURCE = 0x3f,
};

/* A labelled valtype: record field, variant case (ty WG_RAW_NONE: no
 * payload), function parameter; or a bare label (flags, enum: ty unused). */
typedef struct wg_crawfield {
    wg_cstr name;
    uint32_t ty;
} wg_crawfield;

typedef struct wg_crawdecl wg_crawdecl;

/* One `type` definition or declarator (deftype). */
typedef struct wg_crawtype {
    uint8_t code;            /* a primitive opcode, WG_RT_* */
    size_t offset;
    uint32_t n;              /* fields / cases / labels / tuple members / params / decls; list length */
    const wg_crawfield *fields;
    uint32_t a, b;           /* list/option/stream/future/own/borrow: a; result: a ok, b error;
                                map: a key, b value; func: a result (WG_RAW_NONE: none) */
    /* resource */
    uint8_t rep;             /* core value type */
    uint32_t dtor;           /* core func index, WG_RAW_NONE: none */
    /* component / instance type */
    const wg_crawdecl *decls;
} wg_crawtype;

/* externtype (Binary.md): what an import, export declarator or ascription says. */
enum {
    WG_EXT_MODULE = 0x00, WG_EXT_FUNC = 0x01, WG_EXT_VALUE = 0x02, WG_EXT_TYPE = 0x03,
    WG_EXT_COMPONENT = 0x04, WG_EXT_INSTANCE = 0x05,
};
typedef struct wg_crawextern {
    uint8_t kind;            /* WG_EXT_* */
    bool sub_resource;       /* type: (sub resource) instead of (eq idx) */
    bool value_is_type;      /* value: 0x01 valtype bound (else 0x00 eq valueidx) */
    uint32_t idx;            /* the type / core type / value index, or a raw valtype */
} wg_crawextern;

/* nameattributes: the name and its attributes (🏷️/🔗). */
typedef struct wg_crawname {
    wg_cstr name;
    wg_cstr implements;      /* s NULL when absent */
    wg_cstr version;
    wg_cstr external_id;
} wg_crawname;

/* Core types: a function type or a module type. */
typedef struct wg_crawcoredecl wg_crawcoredecl;
enum { WG_RCT_FUNC = 1, WG_RCT_MODULE = 2 };
typedef struct wg_crawcoretype {
    uint8_t kind;
    size_t offset;
    wg_functype_view func;   /* WG_RCT_FUNC */
    uint32_t n;              /* module declarators */
    const wg_crawcoredecl *decls;
} wg_crawcoretype;

/* A core extern type (core:externtype / importdesc). */
typedef struct wg_crawcoreext {
    uint8_t kind;            /* 0 func, 1 table, 2 memory, 3 global, 4 tag */
    uint32_t type;           /* func, tag: type index */
    uint8_t valtype;         /* table: element type; global: value type */
    bool mutable_;
    bool shared, is64;
    wg_limits limits;
} wg_crawcoreext;

/* A module type declarator. */
enum { WG_RMD_IMPORT = 0, WG_RMD_TYPE = 1, WG_RMD_ALIAS = 2, WG_RMD_EXPORT = 3 };
struct wg_crawcoredecl {
    uint8_t kind;
    size_t offset;
    wg_cstr module, name;    /* import: both; export: name */
    wg_crawcoreext ext;
    const wg_crawcoretype *type;  /* type */
    uint32_t count, index;   /* alias outer */
};

/* A component or instance type declarator. */
enum {
    WG_RD_CORE_TYPE = 0x00, WG_RD_TYPE = 0x01, WG_RD_ALIAS = 0x02, WG_RD_IMPORT = 0x03,
    WG_RD_EXPORT = 0x04,
};

/* An alias (Binary.md alias): also a definition (component_int.h). */
enum { WG_RA_EXPORT = 0x00, WG_RA_CORE_EXPORT = 0x01, WG_RA_OUTER = 0x02 };
typedef struct wg_crawalias {
    uint8_t target;          /* WG_RA_* */
    uint8_t sort;            /* WG_CS_* (component_int.h) */
    uint32_t instance;       /* export, core export */
    wg_cstr name;
    uint32_t count, index;   /* outer */
} wg_crawalias;

struct wg_crawdecl {
    uint8_t kind;            /* WG_RD_* */
    size_t offset;
    const wg_crawcoretype *core_type;
    const wg_crawtype *type;
    wg_crawalias alias;
    wg_crawname name;        /* import, export */
    wg_crawextern ext;
};

#endif
