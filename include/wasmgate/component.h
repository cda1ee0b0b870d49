/*
 * wasmgate — the Component Model for embedders: values, compiled
 * components, linking, instances, calls.
 *
 * Life cycle (docs/component.md has the design and a full example):
 *   bytes --wg_component_new--> wg_component   (decoded, validated, its core
 *                                               modules compiled; immutable;
 *                                               shareable by threads)
 *   wg_clinker: host functions, host resources, core modules and other
 *               instances' exports, by interface and name (define first,
 *               then share read-only between threads)
 *   wg_component + wg_clinker --wg_cinstance_new--> wg_cinstance
 *                                              (one thread at a time)
 *   wg_cinstance_func(inst, "iface#name") --wg_cfunc_call--> a result value
 *                                              or a trap (wg_trap)
 *
 *   static bool get_env(wg_ccall *call, wg_cval *args, uint32_t nargs,
 *                       wg_cval *result, void *data) {
 *       *result = wg_cval_seq(WG_CV_LIST, 0);          // list<tuple<string, string>>
 *       return true;
 *   }
 *   wg_clinker_define_func(l, "wasi:cli/environment@0.2.6", "get-environment", get_env, NULL);
 *   wg_cinstance *inst = wg_cinstance_new(c, l, &opts, &err, &trap);
 *   wg_cval arg = wg_cval_string("world", 5), res;
 *   if (wg_cfunc_call(inst, wg_cinstance_func(inst, "greet"), &arg, 1, &res, &trap)) ...
 *
 * A wg_cval is one component-model value (a WIT value) as a tree: what a
 * host passes to an exported component function and gets back, and what a
 * host function receives and returns. Its kind is one of wg_ctype_kind
 * (src/component/ctype.h, mirrored here as WG_CV_*); the function's WIT
 * signature says which kind each argument must have, and calls check it.
 *
 * Ownership: a value owns everything it points to (strings, item arrays,
 * payloads): wg_cval_free releases the tree (not the top wg_cval itself,
 * which is usually on the caller's stack or in an array the caller owns).
 *
 *   string   of.str: UTF-8 bytes (not NUL-terminated; len bytes), valid
 *   list     of.seq: items; also fixed-length lists
 *   bytes    of.bytes: a list<u8> in one buffer (WG_CV_BYTES, below)
 *   tuple    of.seq: members in order
 *   record   of.seq: fields in the type's order
 *   map      of.seq: items, each a tuple of key and value
 *   variant  of.var: case index and payload (NULL when the case has none)
 *   enum     of.var: case index, payload NULL
 *   option   of.var: 0 none / 1 some, payload when some
 *   result   of.var: 0 ok / 1 error, payload when that side has a type
 *   flags    of.flags: bit i set = label i present
 *   own,     of.handle: the resource's representation (rep) and its runtime
 *   borrow   resource type; a host function receiving an own takes it over
 */
#ifndef WASMGATE_COMPONENT_H
#define WASMGATE_COMPONENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/wasmgate.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The same numbers as wg_ctype_kind. */
enum {
    WG_CV_BOOL = 1, WG_CV_S8, WG_CV_U8, WG_CV_S16, WG_CV_U16, WG_CV_S32, WG_CV_U32,
    WG_CV_S64, WG_CV_U64, WG_CV_F32, WG_CV_F64, WG_CV_CHAR, WG_CV_STRING,
    WG_CV_ERROR_CONTEXT, WG_CV_LIST, WG_CV_RECORD, WG_CV_TUPLE, WG_CV_VARIANT,
    WG_CV_ENUM, WG_CV_OPTION, WG_CV_RESULT, WG_CV_FLAGS, WG_CV_OWN, WG_CV_BORROW,
    WG_CV_STREAM, WG_CV_FUTURE, WG_CV_MAP,
    /* A list<u8> as one byte buffer (of.bytes) instead of a wg_cval per
     * byte: every list<u8> (not a fixed-length list<u8, N>) is lifted in
     * this form, so a host function receiving 64 KiB gets one buffer; a host
     * may give a list<u8> in either form. wg_cval_equal treats it as equal
     * to the list of the same u8 items. */
    WG_CV_BYTES = 0x40,
};

/* A runtime resource type (opaque): one per resource definition per
 * component instance, or one per host resource type. */
typedef struct wg_rtype wg_rtype;

/* How a string was encoded in the guest memory it was lifted from (the
 * wg_cval field str_enc): the Canonical ABI sizes the realloc calls that
 * lower the string into another component from it, exactly as the
 * specification does with the (encoding, code units) pair it carries
 * (CanonicalABI.md, store_string_into_range). Hosts leave it 0. */
enum {
    WG_CV_ENC_UTF8 = 0,      /* UTF-8, or a value a host built */
    WG_CV_ENC_UTF16,         /* string-encoding=utf16 */
    WG_CV_ENC_LATIN1,        /* string-encoding=latin1+utf16, stored as Latin-1 */
    WG_CV_ENC_LATIN1_UTF16,  /* string-encoding=latin1+utf16, stored as UTF-16 */
};

typedef struct wg_cval {
    uint32_t kind;    /* WG_CV_* */
    uint32_t str_enc; /* strings only: WG_CV_ENC_* (above); not part of the value */
    union {
        bool b;
        int64_t s;      /* s8 .. s64 */
        uint64_t u;     /* u8 .. u64 */
        float f32;
        double f64;
        uint32_t c;     /* char: a Unicode scalar value */
        struct {
            char *data;
            size_t len;
        } str;
        struct {
            struct wg_cval *items;
            size_t n;
        } seq;
        struct {
            uint8_t *data;  /* malloc'ed (NULL only when len is 0 or out of memory) */
            size_t len;
        } bytes;
        struct {
            uint32_t disc;
            struct wg_cval *payload;
        } var;
        uint32_t flags;
        struct {
            uint32_t rep;
            const wg_rtype *type;
        } handle;
    } of;
} wg_cval;

/* Frees what v owns (children, strings) and leaves v as an empty bool.
 * NULL is a no-op. Handles own no memory: freeing an own does not drop the
 * resource it stands for. */
void wg_cval_free(wg_cval *v);

/* Deep copy of src into *dst. False when out of memory (dst then empty). */
bool wg_cval_copy(wg_cval *dst, const wg_cval *src);

/* Deep equality: kinds, numbers (floats by bits, but every NaN equals every
 * NaN), strings (str_enc ignored), children. */
bool wg_cval_equal(const wg_cval *a, const wg_cval *b);

/* Constructors for the leaves (no allocation except strings). */
wg_cval wg_cval_bool(bool b);
wg_cval wg_cval_s(uint32_t kind, int64_t v);   /* WG_CV_S8 .. WG_CV_S64 */
wg_cval wg_cval_u(uint32_t kind, uint64_t v);   /* WG_CV_U8 .. WG_CV_U64 */
wg_cval wg_cval_f32(float v);
wg_cval wg_cval_f64(double v);
wg_cval wg_cval_char(uint32_t c);
/* A string copied from data[0..len); kind stays WG_CV_STRING with data NULL
 * (and len 0) when out of memory: check with wg_cval_ok. */
wg_cval wg_cval_string(const char *data, size_t len);
/* A list<u8> (WG_CV_BYTES) copied from data[0..len); data NULL with len > 0
 * when out of memory (wg_cval_ok). */
wg_cval wg_cval_bytes(const void *data, size_t len);
/* An own / borrow handle of a resource: rep is the resource's representation
 * (for a host resource, whatever number the host chose), rt its type. */
wg_cval wg_cval_own(uint32_t rep, const wg_rtype *rt);
wg_cval wg_cval_borrow(uint32_t rep, const wg_rtype *rt);
/* A list / tuple / record / map of n items, all zero (bool false) for the
 * caller to fill; items NULL when out of memory and n > 0. */
wg_cval wg_cval_seq(uint32_t kind, size_t n);
/* A variant / enum / option / result with case disc. *payload (may be NULL)
 * is moved into a new allocation: the tree it owns now belongs to the result,
 * and *payload is left empty. When that allocation fails the payload tree is
 * freed and the result is marked out of memory (wg_cval_ok). */
wg_cval wg_cval_var(uint32_t kind, uint32_t disc, wg_cval *payload);

/* False if a constructor above failed for lack of memory somewhere in v. */
bool wg_cval_ok(const wg_cval *v);

/* ---- compiled components ---------------------------------------------------- */

/* A component decoded, validated and compiled (its core modules compiled
 * with wg_module_new): immutable, shareable by threads, like wg_module. */
typedef struct wg_component wg_component;

/* What a binary holds, from its 8-byte preamble: a core module (version 1,
 * layer 0), a component (version 0x0d, layer 1), or neither. */
typedef enum wg_binary_kind {
    WG_BINARY_UNKNOWN = 0,
    WG_BINARY_MODULE,
    WG_BINARY_COMPONENT,
} wg_binary_kind;
wg_binary_kind wg_binary_kind_of(const uint8_t *bytes, size_t len);

/* Decodes and validates a component (Binary.md, Explainer.md). The bytes
 * are not kept: the caller may free them afterwards. Returns NULL and fills
 * err (kind WG_ERR_MALFORMED, WG_ERR_INVALID or WG_ERR_RESOURCE; message
 * "component section 0x7 (type), offset 0x1a: ...") on failure. Component
 * values and start functions (🪙) are not supported and rejected. It also
 * prepares what every instance shares (the core functions canon makes,
 * where each core import comes from), so that wg_cinstance_new does only
 * per-instance work. */
wg_component *wg_component_new(const uint8_t *bytes, size_t len, wg_error *err);
/* Frees c: every instance made from it must be freed first. */
void wg_component_free(wg_component *c);

/* ---- types (read-only views for printing and parsing values) ----------------
 *
 * The WIT types of a component's functions, owned by the wg_component (valid
 * while it lives). A value type's kind is one of WG_CV_* (WG_CV_BOOL ..
 * WG_CV_MAP; never WG_CV_BYTES, which is a value form of a list<u8>).
 * Specialised types stay as written (tuple, enum, option, result): WAVE
 * prints them differently.
 *
 *   record    count fields: name_at(i), type_at(i)
 *   tuple     count members: type_at(i) (name NULL)
 *   variant   count cases: name_at(i), type_at(i) (NULL: no payload)
 *   enum,     count labels: name_at(i)
 *   flags
 *   list      elem; count is the length of a fixed-length list, 0 otherwise
 *   option    elem
 *   result    elem (ok, NULL: none), elem2 (error, NULL: none)
 *   map       elem (key), elem2 (value)
 *   own,      the resource: its runtime type depends on the instance, see
 *   borrow    wg_cfunc_resource / wg_ccall_resource
 */
typedef struct wg_ctype wg_ctype;
typedef struct wg_cfunctype wg_cfunctype;

uint32_t wg_ctype_kind_of(const wg_ctype *t);
uint32_t wg_ctype_count(const wg_ctype *t);
const char *wg_ctype_name_at(const wg_ctype *t, uint32_t i);     /* NULL if none */
const wg_ctype *wg_ctype_type_at(const wg_ctype *t, uint32_t i); /* NULL if none */
const wg_ctype *wg_ctype_elem(const wg_ctype *t);                /* NULL if none */
const wg_ctype *wg_ctype_elem2(const wg_ctype *t);               /* NULL if none */

uint32_t wg_cfunctype_param_count(const wg_cfunctype *ft);
const char *wg_cfunctype_param_name(const wg_cfunctype *ft, uint32_t i);
const wg_ctype *wg_cfunctype_param_type(const wg_cfunctype *ft, uint32_t i);
const wg_ctype *wg_cfunctype_result(const wg_cfunctype *ft);    /* NULL: no result */

/* ---- resources -----------------------------------------------------------------
 *
 * A wg_rtype is a runtime resource type: one per resource a component
 * instance defines (each instance defines fresh ones), or one per host
 * resource type (wg_clinker_define_resource). Handles are values {rep, type}
 * (wg_cval own / borrow): a host function receiving an own takes it over
 * (it must destroy it, or give it back to a guest); a borrow is valid for
 * the call only. Handles compare by type pointer: a handle of another type
 * where the signature wants R is refused ("invalid value: ...").
 */
/* The resource's name ("output-stream"), for messages; never NULL. */
const char *wg_rtype_name(const wg_rtype *rt);
/* Whether a host defined it (wg_clinker_define_resource). */
bool wg_rtype_is_host(const wg_rtype *rt);

/* ---- linking ------------------------------------------------------------------------
 *
 * A wg_clinker holds what a component's imports may resolve to: host
 * functions, host resource types, core modules, and the exports of other
 * component instances. Definitions live in named instances: `iface` names
 * the instance ("wasi:cli/environment@0.2.6"; nested instances separated by
 * '#': "host#nested"), NULL or "" the top level (a component importing a
 * plain function, `(import "f" (func ...))`, finds it there).
 *
 * Linking is by name, then by kind and type, as wasmtime does:
 *   - an interface name with a version matches the same name, else a
 *     semver-compatible definition: an import of wasi:io/streams@0.2.3 links
 *     against any wasi:io/streams@0.2.x the linker has (the newest of them),
 *     @1.2.0 against any @1.x.y, but @0.0.3 only itself and a pre-release
 *     only itself; an unversioned name matches only the unversioned one;
 *   - a host function takes any function type: it receives the import's
 *     type (wg_ccall_type) with the arguments, already checked against it,
 *     and its result is checked against it when it returns;
 *   - a function of another instance must have the same type (structure,
 *     names, resource types);
 *   - a resource type import binds to the definition; two imports that the
 *     component declares equal must get the same type;
 *   - a core module must provide every export the import declares and need
 *     no import the import does not declare (wasmtime's messages);
 *   - value types (records, ...) are not checked, and need no definition.
 * A failure is WG_ERR_UNLINKABLE naming the import and what was expected
 * against what was found:
 *   "import `wasi:io/streams@0.2.3`: function `[method]output-stream.write`
 *    was not found in the linker"
 *   "import `i`: expected instance found func"
 *
 * Defining a name again replaces the earlier definition (instances made
 * earlier keep what they linked). Define everything before instantiating:
 * any number of threads may then instantiate with one linker at once, but
 * defining is not safe concurrently with anything else. A linker must
 * outlive the instances made with it (they call its host functions); the
 * instances and modules it borrows (define_instance, define_module) must
 * outlive it and them.
 */
typedef struct wg_clinker wg_clinker;
typedef struct wg_cinstance wg_cinstance;
/* A component function: an export of an instance, or a host function. */
typedef struct wg_cfunc wg_cfunc;
/* The context of one host function call (valid during the call only). */
typedef struct wg_ccall wg_ccall;

/* A host function. args[0..nargs) are the arguments, lifted and checked
 * against wg_ccall_type(call); the function may take over what they own
 * (move a string or a byte buffer out, leaving the value an empty bool):
 * what is left is freed after the call. Own handles are the host's to keep.
 * *result is an empty bool on entry: set it to the result value (the
 * runtime takes it over and frees it; leave it alone when the type has no
 * result). Return true, or false after wg_ccall_trap / wg_ccall_exit: the
 * calling guest traps (or exits) and its instance is poisoned. A result
 * that does not match the type traps the guest with "invalid value: ...". */
typedef bool (*wg_chost_fn)(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *result,
                            void *data);

/* A host resource's destructor: the guest holding an own handle dropped it
 * (resource.drop). call says which instance (its host_data); it may trap
 * (return false after wg_ccall_trap). Handles still held when an instance
 * is freed are not destroyed: the host frees what it keeps per instance. */
typedef bool (*wg_chost_dtor)(wg_ccall *call, uint32_t rep, void *data);

wg_clinker *wg_clinker_new(void);
/* Frees the linker and its definitions (host resource types included:
 * free it after every instance made with it). NULL is a no-op. */
void wg_clinker_free(wg_clinker *l);

/* Each returns false when out of memory or when the name cannot be defined
 * (a name of `iface` is already defined as something else than an
 * instance; a NULL name or fn). data is passed back to the callbacks. */
bool wg_clinker_define_func(wg_clinker *l, const char *iface, const char *name, wg_chost_fn fn,
                            void *data);
/* A new host resource type named `name` in `iface`: returns it (owned by the
 * linker), or NULL. dtor may be NULL. */
const wg_rtype *wg_clinker_define_resource(wg_clinker *l, const char *iface, const char *name,
                                           wg_chost_dtor dtor, void *data);
/* An existing resource type under another name: an interface that `use`s a
 * resource of another (wasi:io/streams uses wasi:io/error's `error`) must
 * provide it too, as the same type. */
bool wg_clinker_define_resource_type(wg_clinker *l, const char *iface, const char *name,
                                     const wg_rtype *rt);
/* A core module import (borrowed: it must outlive the linker's instances). */
bool wg_clinker_define_module(wg_clinker *l, const char *iface, const char *name,
                              const wg_module *m);
/* Another component instance's exports as the instance import `name`:
 * export_path NULL or "" gives its top-level exports, "wasi:http/handler"
 * (or "a#b") one of its exported instances. A consumer calling a function
 * of it lifts in the exporter and lowers in the consumer: strings, lists
 * and resources cross as they do between the instances of one component.
 * The exporter is borrowed (it must outlive the consumers), and runs on
 * the consumer's thread during those calls. False also when export_path is
 * not an exported instance. */
bool wg_clinker_define_instance(wg_clinker *l, const char *name, wg_cinstance *exporter,
                                const char *export_path);

/* Hands data to the linker: it calls release(data) when it is freed (after
 * nothing can call its host functions any more). For state that the host
 * functions and resources of one linker share, passed to them as their
 * data (WASI 0.2 keeps its resource types there). False when out of memory
 * (data is then not adopted: the caller still owns it). */
bool wg_clinker_adopt(wg_clinker *l, void *data, void (*release)(void *data));

/* ---- instances ---------------------------------------------------------------------- */

/* Per-instance options, as wg_instance_opts (zero: the default); they apply
 * to every core instance inside. */
typedef struct wg_cinstance_opts {
    void *host_data;            /* for host functions: wg_ccall_host_data */
    uint64_t max_memory_bytes;  /* cap on each core memory's growth (0: none) */
    uint32_t max_call_depth;    /* frames; default 20000 */
    uint32_t stack_cells;       /* 8-byte value-stack cells; default 1 Mi */
    wg_pool *pool;              /* memories and stacks from a pool (wg_pool) */
    wg_interrupt *interrupt;    /* stops the instance's core code, start functions
                                   included (wg_interrupt); NULL: not interruptible */
    wg_budget *budget;          /* memories charge their size to it (wg_budget) */
} wg_cinstance_opts;

/* Instantiates c: links its imports against l (may be NULL when it imports
 * nothing), then creates its core instances, nested component instances,
 * functions and resource types in order, running core start functions.
 * Returns NULL with err filled: WG_ERR_UNLINKABLE (an import), WG_ERR_TRAP
 * (a start function trapped: *trap says how), WG_ERR_RESOURCE,
 * WG_ERR_BUDGET. What is not supported yet (the async built-ins, async
 * lifts and lowers) instantiates, as functions that trap "not supported
 * yet: stream.new" when called. Most of what does not depend on the
 * instance was prepared by wg_component_new; thread-safe: any number of
 * threads may instantiate one component with one linker at once. An
 * instance is used by one thread at a time. */
wg_cinstance *wg_cinstance_new(const wg_component *c, const wg_clinker *l,
                               const wg_cinstance_opts *opts, wg_error *err, wg_trap *trap);
/* Frees the instance (its core instances, handle tables, resource types).
 * Instances linked against it (define_instance) must be freed first. */
void wg_cinstance_free(wg_cinstance *inst);
void *wg_cinstance_host_data(const wg_cinstance *inst);
/* Whether a trap left the instance unusable: every later call traps
 * "cannot enter component instance", as in wasmtime. */
bool wg_cinstance_poisoned(const wg_cinstance *inst);

/* An exported function by path: "name" at the top level, "iface#name" for
 * a function of an exported instance ("wasi:cli/run@0.2.6#run"; deeper:
 * "a#b#name"). Interface names match semver-compatibly as imports do.
 * NULL if there is none. Owned by the instance. */
const wg_cfunc *wg_cinstance_func(const wg_cinstance *inst, const char *path);
/* An exported resource type by path ("iface#name"), or NULL. */
const wg_rtype *wg_cinstance_resource(const wg_cinstance *inst, const char *path);

/* The exports of the instance (path NULL or ""), or of an exported instance
 * (path "iface"): for listings and `--invoke` diagnostics. */
typedef enum wg_cexport_kind {
    WG_CEXPORT_FUNC = 1,
    WG_CEXPORT_INSTANCE,
    WG_CEXPORT_RESOURCE,        /* a resource type */
    WG_CEXPORT_TYPE,            /* another type (record, ...): no runtime value */
    WG_CEXPORT_MODULE,          /* a core module */
    WG_CEXPORT_COMPONENT,
} wg_cexport_kind;
typedef struct wg_cexport {
    const char *name;           /* NUL-terminated, owned by the instance's component */
    wg_cexport_kind kind;
    const wg_cfunc *func;       /* WG_CEXPORT_FUNC */
    const wg_rtype *resource;   /* WG_CEXPORT_RESOURCE */
} wg_cexport;
/* The number of exports at path (0 if path is not an exported instance). */
uint32_t wg_cinstance_export_count(const wg_cinstance *inst, const char *path);
/* Export i at path into *out; false if out of range. */
bool wg_cinstance_export_at(const wg_cinstance *inst, const char *path, uint32_t i,
                            wg_cexport *out);

/* The function's WIT type. */
const wg_cfunctype *wg_cfunc_type(const wg_cfunc *f);
/* The runtime type of an own/borrow type t found in f's type (a parameter,
 * the result, or inside them), or NULL. */
const wg_rtype *wg_cfunc_resource(const wg_cfunc *f, const wg_ctype *t);

/* Calls f, a function exported by inst, with args[0..nargs): *result gets
 * the result (an empty bool when the function has none; the caller frees
 * it with wg_cval_free). The arguments are not consumed, but own handles in
 * them move into the callee (the host gives them up). The call runs the
 * Canonical ABI both ways and the callee's post-return. False with *trap
 * filled when it trapped (the instance is then poisoned), exited (WASI:
 * trap->code WG_TRAP_EXIT), was interrupted (WG_TRAP_INTERRUPTED), or when
 * the arguments do not match the type (trap->message "invalid value: ...":
 * nothing ran, the instance stays usable). */
bool wg_cfunc_call(wg_cinstance *inst, const wg_cfunc *f, const wg_cval *args, uint32_t nargs,
                   wg_cval *result, wg_trap *trap);

/* ---- inside a host function ------------------------------------------------------------ */

/* The import's function type, as the calling component declared it. */
const wg_cfunctype *wg_ccall_type(const wg_ccall *call);
/* The instance calling (the top-level one, for nested components). */
wg_cinstance *wg_ccall_instance(const wg_ccall *call);
/* Its wg_cinstance_opts.host_data. */
void *wg_ccall_host_data(const wg_ccall *call);
/* The runtime type of an own/borrow type t found in wg_ccall_type(call). */
const wg_rtype *wg_ccall_resource(const wg_ccall *call, const wg_ctype *t);
/* Whether the instance's wg_interrupt is set: a host function that blocks
 * (a read, a sleep) waits in short slices and gives up when it is. */
bool wg_ccall_interrupted(const wg_ccall *call);
/* Makes the call trap with a message (printf format). Returns false, for
 * `return wg_ccall_trap(call, "bad descriptor %u", fd);`. */
bool wg_ccall_trap(wg_ccall *call, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Ends the run with an exit status (WG_TRAP_EXIT, not an error: WASI
 * wasi:cli/exit). Returns false. */
bool wg_ccall_exit(wg_ccall *call, int status);
/* Passes on a trap the host got from calling into wasm (wg_cfunc_call on
 * another instance). Returns false. */
bool wg_ccall_raise(wg_ccall *call, const wg_trap *trap);

#ifdef __cplusplus
}
#endif
#endif
