/*
 * wasi:sockets: linked, and nothing granted.
 *
 * Components built with the standard adapters (and most toolchains) import
 * wasi:sockets whether they use it or not, so every function is defined:
 *   instance-network      a network resource (it grants nothing by itself)
 *   network-error-code    none
 *   every other function  err(access-denied): creating a socket, resolving
 *                         a name; the methods of sockets and datagram and
 *                         resolver streams cannot be reached (no socket is
 *                         ever made) but answer access-denied as well
 * The answer is built from the import's own type (its result's error enum,
 * found by the case name "access-denied"), so the one function serves every
 * signature and every 0.2.x version; a function whose result has no such
 * case (is-listening, address-family, subscribe: methods of sockets that
 * cannot exist) traps "wasi:sockets: networking is not granted".
 * Networking is granted by a later issue.
 */
#include <string.h>

#include "wasi2/wasi2_int.h"

/* The case index of "access-denied" in the error enum of result type t, or
 * -1 when t is not such a result. */
static int access_denied_case(const wg_ctype *t) {
    if (!t || wg_ctype_kind_of(t) != WG_CV_RESULT) return -1;
    const wg_ctype *e = wg_ctype_elem2(t);
    if (!e || wg_ctype_kind_of(e) != WG_CV_ENUM) return -1;
    for (uint32_t i = 0; i < wg_ctype_count(e); i++) {
        const char *n = wg_ctype_name_at(e, i);
        if (n && strcmp(n, "access-denied") == 0) return (int)i;
    }
    return -1;
}

static bool deny(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    (void)args;
    (void)nargs;
    w2_cx cx;
    if (!w2_enter(&cx, call, data)) return false;
    int c = access_denied_case(wg_cfunctype_result(wg_ccall_type(call)));
    if (c < 0) return wg_ccall_trap(call, "wasi:sockets: networking is not granted");
    return w2_err_enum(call, r, (uint32_t)c);
}

static bool instance_network(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    (void)args;
    w2_cx cx;
    if (!w2_enter(&cx, call, data) || !w2_nargs(call, nargs, 0, "instance-network")) return false;
    w2_obj *o;
    uint32_t rep = w2_new(&cx, W2_RT_NETWORK, &o);
    return rep && w2_set(call, r, w2_own(&cx, W2_RT_NETWORK, rep));
}

static bool network_error_code(wg_ccall *call, wg_cval *args, uint32_t nargs, wg_cval *r, void *data) {
    (void)args;
    w2_cx cx;
    if (!w2_enter(&cx, call, data) || !w2_nargs(call, nargs, 1, "network-error-code")) return false;
    return w2_set(call, r, wg_cval_var(WG_CV_OPTION, 0, NULL));
}

#define TCP "wasi:sockets/tcp"
#define UDP "wasi:sockets/udp"
const w2_fn w2_socket_fns[] = {
    {"wasi:sockets/instance-network", "instance-network", instance_network},
    {"wasi:sockets/network", "network-error-code", network_error_code},
    {"wasi:sockets/tcp-create-socket", "create-tcp-socket", deny},
    {"wasi:sockets/udp-create-socket", "create-udp-socket", deny},
    {"wasi:sockets/ip-name-lookup", "resolve-addresses", deny},
    {"wasi:sockets/ip-name-lookup", "[method]resolve-address-stream.resolve-next-address", deny},
    {"wasi:sockets/ip-name-lookup", "[method]resolve-address-stream.subscribe", deny},
    {TCP, "[method]tcp-socket.start-bind", deny},
    {TCP, "[method]tcp-socket.finish-bind", deny},
    {TCP, "[method]tcp-socket.start-connect", deny},
    {TCP, "[method]tcp-socket.finish-connect", deny},
    {TCP, "[method]tcp-socket.start-listen", deny},
    {TCP, "[method]tcp-socket.finish-listen", deny},
    {TCP, "[method]tcp-socket.accept", deny},
    {TCP, "[method]tcp-socket.local-address", deny},
    {TCP, "[method]tcp-socket.remote-address", deny},
    {TCP, "[method]tcp-socket.is-listening", deny},
    {TCP, "[method]tcp-socket.address-family", deny},
    {TCP, "[method]tcp-socket.set-listen-backlog-size", deny},
    {TCP, "[method]tcp-socket.keep-alive-enabled", deny},
    {TCP, "[method]tcp-socket.set-keep-alive-enabled", deny},
    {TCP, "[method]tcp-socket.keep-alive-idle-time", deny},
    {TCP, "[method]tcp-socket.set-keep-alive-idle-time", deny},
    {TCP, "[method]tcp-socket.keep-alive-interval", deny},
    {TCP, "[method]tcp-socket.set-keep-alive-interval", deny},
    {TCP, "[method]tcp-socket.keep-alive-count", deny},
    {TCP, "[method]tcp-socket.set-keep-alive-count", deny},
    {TCP, "[method]tcp-socket.hop-limit", deny},
    {TCP, "[method]tcp-socket.set-hop-limit", deny},
    {TCP, "[method]tcp-socket.receive-buffer-size", deny},
    {TCP, "[method]tcp-socket.set-receive-buffer-size", deny},
    {TCP, "[method]tcp-socket.send-buffer-size", deny},
    {TCP, "[method]tcp-socket.set-send-buffer-size", deny},
    {TCP, "[method]tcp-socket.subscribe", deny},
    {TCP, "[method]tcp-socket.shutdown", deny},
    {UDP, "[method]udp-socket.start-bind", deny},
    {UDP, "[method]udp-socket.finish-bind", deny},
    {UDP, "[method]udp-socket.stream", deny},
    {UDP, "[method]udp-socket.local-address", deny},
    {UDP, "[method]udp-socket.remote-address", deny},
    {UDP, "[method]udp-socket.address-family", deny},
    {UDP, "[method]udp-socket.unicast-hop-limit", deny},
    {UDP, "[method]udp-socket.set-unicast-hop-limit", deny},
    {UDP, "[method]udp-socket.receive-buffer-size", deny},
    {UDP, "[method]udp-socket.set-receive-buffer-size", deny},
    {UDP, "[method]udp-socket.send-buffer-size", deny},
    {UDP, "[method]udp-socket.set-send-buffer-size", deny},
    {UDP, "[method]udp-socket.subscribe", deny},
    {UDP, "[method]incoming-datagram-stream.receive", deny},
    {UDP, "[method]incoming-datagram-stream.subscribe", deny},
    {UDP, "[method]outgoing-datagram-stream.check-send", deny},
    {UDP, "[method]outgoing-datagram-stream.send", deny},
    {UDP, "[method]outgoing-datagram-stream.subscribe", deny},
    {NULL, NULL, NULL},
};
