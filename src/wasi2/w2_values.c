/*
 * WASI 0.2 values: reading the arguments a host function gets and building
 * its results (wg_cval trees, component.h), and the mapping of WASI errnos
 * (what the shared host operations answer, wasi_host.h) to
 * wasi:filesystem's error-code.
 *
 * The runtime has already checked every argument against the import's type
 * (the calling component's own declaration of the function), so the checks
 * here only catch a component whose declaration differs from WASI's: such a
 * call traps "wasi: unexpected argument ..." instead of misreading a value.
 */
#include <stdlib.h>
#include <string.h>

#include "component/utf.h"
#include "wasi2/wasi2_int.h"

bool w2_nargs(wg_ccall *call, uint32_t nargs, uint32_t want, const char *name) {
    if (nargs == want) return true;
    return wg_ccall_trap(call, "wasi: %s takes %u argument%s, the import declares %u", name, want,
                         want == 1 ? "" : "s", nargs);
}

static bool bad_arg(wg_ccall *call, const char *what, const wg_cval *a) {
    return wg_ccall_trap(call, "wasi: unexpected argument: %s expected, got value kind %u", what,
                         a ? a->kind : 0);
}

bool w2_arg_handle(wg_ccall *call, const wg_cval *a, uint32_t *rep) {
    if (!a || (a->kind != WG_CV_BORROW && a->kind != WG_CV_OWN)) return bad_arg(call, "a handle", a);
    *rep = a->of.handle.rep;
    return true;
}

bool w2_arg_u64(wg_ccall *call, const wg_cval *a, uint64_t *v) {
    if (!a) return bad_arg(call, "an integer", a);
    switch (a->kind) {
    case WG_CV_U8: case WG_CV_U16: case WG_CV_U32: case WG_CV_U64: *v = a->of.u; return true;
    default: return bad_arg(call, "an unsigned integer", a);
    }
}

bool w2_arg_str(wg_ccall *call, const wg_cval *a, const char **s, size_t *len) {
    if (!a || a->kind != WG_CV_STRING) return bad_arg(call, "a string", a);
    *s = a->of.str.data ? a->of.str.data : "";
    *len = a->of.str.len;
    return true;
}

bool w2_arg_flags(wg_ccall *call, const wg_cval *a, uint32_t *v) {
    if (!a || a->kind != WG_CV_FLAGS) return bad_arg(call, "flags", a);
    *v = a->of.flags;
    return true;
}

bool w2_arg_case(wg_ccall *call, const wg_cval *a, uint32_t *disc, const wg_cval **payload) {
    if (!a || (a->kind != WG_CV_ENUM && a->kind != WG_CV_VARIANT && a->kind != WG_CV_RESULT &&
               a->kind != WG_CV_OPTION))
        return bad_arg(call, "a variant, enum, option or result", a);
    *disc = a->of.var.disc;
    if (payload) *payload = a->of.var.payload;
    return true;
}

bool w2_arg_bytes(wg_ccall *call, const wg_cval *a, const uint8_t **data, size_t *len,
                  uint8_t **tmp) {
    *tmp = NULL;
    if (a && a->kind == WG_CV_BYTES) {
        *data = a->of.bytes.data;
        *len = a->of.bytes.len;
        return true;
    }
    if (!a || a->kind != WG_CV_LIST) return bad_arg(call, "a list<u8>", a);
    /* A host-made list of u8 values (not what the runtime lifts: it gives
     * list<u8> as bytes), converted once. */
    size_t n = a->of.seq.n;
    *tmp = malloc(n ? n : 1);
    if (!*tmp) return wg_ccall_trap(call, "wasi: out of memory");
    for (size_t i = 0; i < n; i++) {
        if (a->of.seq.items[i].kind != WG_CV_U8) {
            free(*tmp);
            *tmp = NULL;
            return bad_arg(call, "a list<u8>", a);
        }
        (*tmp)[i] = (uint8_t)a->of.seq.items[i].of.u;
    }
    *data = *tmp;
    *len = n;
    return true;
}

bool w2_set(wg_ccall *call, wg_cval *r, wg_cval v) {
    if (!wg_cval_ok(&v)) {
        wg_cval_free(&v);
        return wg_ccall_trap(call, "wasi: out of memory");
    }
    *r = v;
    return true;
}

bool w2_ok(wg_ccall *call, wg_cval *r, wg_cval *payload) {
    return w2_set(call, r, wg_cval_var(WG_CV_RESULT, 0, payload));
}

bool w2_err_enum(wg_ccall *call, wg_cval *r, uint32_t code) {
    wg_cval e = wg_cval_var(WG_CV_ENUM, code, NULL);
    return w2_set(call, r, wg_cval_var(WG_CV_RESULT, 1, &e));
}

wg_cval w2_own(const w2_cx *cx, w2_rt rt, uint32_t rep) {
    return wg_cval_own(rep, cx->host->rt[rt]);
}

wg_cval w2_string_lossy(const char *s, size_t n) {
    size_t good;
    uint32_t bad;
    if (wg__utf8_validate((const uint8_t *)s, n, &good, &bad)) return wg_cval_string(s, n);
    /* Each invalid sequence becomes U+FFFD (3 bytes): at most 3 bytes per byte. */
    char *out = malloc(n * 3 + 1);
    if (!out) return (wg_cval){.kind = WG_CV_STRING}; /* data NULL: out of memory */
    size_t o = 0, i = 0;
    while (i < n) {
        if (!wg__utf8_validate((const uint8_t *)s + i, n - i, &good, &bad)) {
            memcpy(out + o, s + i, good);
            o += good;
            i += good;
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
            i += bad ? bad : 1;
        } else {
            memcpy(out + o, s + i, n - i);
            o += n - i;
            i = n;
        }
    }
    wg_cval v = wg_cval_string(out, o);
    free(out);
    return v;
}

bool w2_utf8_ok(const char *s, size_t n) {
    size_t good;
    uint32_t bad;
    return wg__utf8_validate((const uint8_t *)s, n, &good, &bad);
}

wg_cval w2_datetime(uint64_t ns) {
    wg_cval d = wg_cval_seq(WG_CV_RECORD, 2);
    if (d.of.seq.items) {
        d.of.seq.items[0] = wg_cval_u(WG_CV_U64, ns / 1000000000ull);
        d.of.seq.items[1] = wg_cval_u(WG_CV_U32, ns % 1000000000ull);
    }
    return d;
}

/* ---- error codes ------------------------------------------------------------------------- */

/* wasi:filesystem/types error-code, in the enum's order. */
enum {
    FS_ACCESS, FS_WOULD_BLOCK, FS_ALREADY, FS_BAD_DESCRIPTOR, FS_BUSY, FS_DEADLOCK, FS_QUOTA,
    FS_EXIST, FS_FILE_TOO_LARGE, FS_ILLEGAL_BYTE_SEQUENCE, FS_IN_PROGRESS, FS_INTERRUPTED,
    FS_INVALID, FS_IO, FS_IS_DIRECTORY, FS_LOOP, FS_TOO_MANY_LINKS, FS_MESSAGE_SIZE,
    FS_NAME_TOO_LONG, FS_NO_DEVICE, FS_NO_ENTRY, FS_NO_LOCK, FS_INSUFFICIENT_MEMORY,
    FS_INSUFFICIENT_SPACE, FS_NOT_DIRECTORY, FS_NOT_EMPTY, FS_NOT_RECOVERABLE, FS_UNSUPPORTED,
    FS_NO_TTY, FS_NO_SUCH_DEVICE, FS_OVERFLOW, FS_NOT_PERMITTED, FS_PIPE, FS_READ_ONLY,
    FS_INVALID_SEEK, FS_TEXT_FILE_BUSY, FS_CROSS_DEVICE,
};

/* As wasmtime maps host errors, with wasmgate's own answers:
 *   NOTCAPABLE (a path leaving its preopen, a write beneath a read-only
 *   one)                      not-permitted, what WASI 0.2 specifies for
 *                             escapes and wasmtime answers for both
 *   MFILE, NFILE (the open-file caps)  insufficient-memory: 0.2 has no
 *                             "too many files"; the adapter turns it into
 *                             ENOMEM
 *   anything else unknown     io */
uint32_t w2_fs_code(int werr) {
    switch (werr) {
    case WG_WASI_EACCES: return FS_ACCESS;
    case WG_WASI_EAGAIN: return FS_WOULD_BLOCK;
    case WG_WASI_EALREADY: return FS_ALREADY;
    case WG_WASI_EBADF: return FS_BAD_DESCRIPTOR;
    case WG_WASI_EBUSY: return FS_BUSY;
    case WG_WASI_EDEADLK: return FS_DEADLOCK;
    case WG_WASI_EDQUOT: return FS_QUOTA;
    case WG_WASI_EEXIST: return FS_EXIST;
    case WG_WASI_EFBIG: return FS_FILE_TOO_LARGE;
    case WG_WASI_EILSEQ: return FS_ILLEGAL_BYTE_SEQUENCE;
    case WG_WASI_EINPROGRESS: return FS_IN_PROGRESS;
    case WG_WASI_EINTR: return FS_INTERRUPTED;
    case WG_WASI_EINVAL: return FS_INVALID;
    case WG_WASI_EIO: return FS_IO;
    case WG_WASI_EISDIR: return FS_IS_DIRECTORY;
    case WG_WASI_ELOOP: return FS_LOOP;
    case WG_WASI_EMLINK: return FS_TOO_MANY_LINKS;
    case WG_WASI_EMSGSIZE: return FS_MESSAGE_SIZE;
    case WG_WASI_ENAMETOOLONG: return FS_NAME_TOO_LONG;
    case WG_WASI_ENODEV: return FS_NO_DEVICE;
    case WG_WASI_ENOENT: return FS_NO_ENTRY;
    case WG_WASI_ENOLCK: return FS_NO_LOCK;
    case WG_WASI_ENOMEM: return FS_INSUFFICIENT_MEMORY;
    case WG_WASI_EMFILE: return FS_INSUFFICIENT_MEMORY;
    case WG_WASI_ENFILE: return FS_INSUFFICIENT_MEMORY;
    case WG_WASI_ENOSPC: return FS_INSUFFICIENT_SPACE;
    case WG_WASI_ENOTDIR: return FS_NOT_DIRECTORY;
    case WG_WASI_ENOTEMPTY: return FS_NOT_EMPTY;
    case WG_WASI_ENOTRECOVERABLE: return FS_NOT_RECOVERABLE;
    case WG_WASI_ENOTSUP: return FS_UNSUPPORTED;
    case WG_WASI_ENOSYS: return FS_UNSUPPORTED;
    case WG_WASI_ENOTTY: return FS_NO_TTY;
    case WG_WASI_ENXIO: return FS_NO_SUCH_DEVICE;
    case WG_WASI_EOVERFLOW: return FS_OVERFLOW;
    case WG_WASI_EPERM: return FS_NOT_PERMITTED;
    case WG_WASI_ENOTCAPABLE: return FS_NOT_PERMITTED;
    case WG_WASI_EPIPE: return FS_PIPE;
    case WG_WASI_EROFS: return FS_READ_ONLY;
    case WG_WASI_ESPIPE: return FS_INVALID_SEEK;
    case WG_WASI_ETXTBSY: return FS_TEXT_FILE_BUSY;
    case WG_WASI_EXDEV: return FS_CROSS_DEVICE;
    default: return FS_IO;
    }
}

const char *w2_fs_code_name(uint32_t code) {
    static const char *const names[] = {
        "access", "would-block", "already", "bad-descriptor", "busy", "deadlock", "quota",
        "exist", "file-too-large", "illegal-byte-sequence", "in-progress", "interrupted",
        "invalid", "io", "is-directory", "loop", "too-many-links", "message-size",
        "name-too-long", "no-device", "no-entry", "no-lock", "insufficient-memory",
        "insufficient-space", "not-directory", "not-empty", "not-recoverable", "unsupported",
        "no-tty", "no-such-device", "overflow", "not-permitted", "pipe", "read-only",
        "invalid-seek", "text-file-busy", "cross-device",
    };
    return code < sizeof names / sizeof names[0] ? names[code] : "io";
}

bool w2_fs_result(wg_ccall *call, wg_cval *r, int werr, wg_cval *payload) {
    if (werr) {
        if (payload) wg_cval_free(payload);
        return w2_err_enum(call, r, w2_fs_code(werr));
    }
    return w2_ok(call, r, payload);
}
