/*
 * Host I/O shared by WASI preview1 and WASI 0.2 (wasi_host.h): reads and
 * writes that wait for the other end without ever leaving the thread to the
 * kernel, the stdin buffer, stdout/stderr captures, clocks and random bytes.
 *
 * A guest call on a pipe, FIFO, tty or socket may have to wait for the other
 * end. The wait is never left to the kernel, where no interrupt (a --timeout,
 * a gateway deadline, SIGTERM) could end it: it is cut into slices of
 * WG_WASI_WAIT_SLICE_MS, and between slices the caller's interrupt check
 * runs (INTR when it says so; the engine then stops the guest at its next
 * call or back-edge, or the WASI 0.2 host traps "interrupted"). Regular
 * files, directories and fds the guest made non-blocking never wait here.
 * Two ways, by who owns the fd's open file description:
 *
 *   owned (opened by the guest: only we hold it)
 *        each readv/writev is made with O_NONBLOCK set around it (the fd's
 *        flags stay what the guest asked for in between), and polled for
 *        only when it would block. So the kernel never holds the thread: a
 *        write larger than the pipe's free space returns the part that fit (a
 *        short write, which the guest's libc continues), and a read of a FIFO
 *        that no writer has opened yet gets EOF at once, as a blocking read
 *        does (poll never reports such a FIFO readable, so waiting for poll
 *        first would hang it until the deadline).
 *   borrowed (inherited stdio, an embedder's fd: the description is shared
 *        with the host process, whose flags we must not touch even briefly)
 *        poll until ready, then one blocking call.
 */
#define _GNU_SOURCE
#include "wasi/wasi_host.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <unistd.h>

static bool interrupted(const wg_wasi_intr *intr) {
    return intr && intr->interrupted && intr->interrupted(intr->arg);
}

bool wg__wasi_fd_ready(int hostfd, short events) {
    struct pollfd p = {.fd = hostfd, .events = events};
    return poll(&p, 1, 0) > 0;
}

int wg__wasi_wait_fd(int hostfd, short events, const wg_wasi_intr *intr) {
    struct pollfd p = {.fd = hostfd, .events = events};
    for (;;) {
        int r = poll(&p, 1, WG_WASI_WAIT_SLICE_MS);
        if (r > 0) return WG_WASI_ESUCCESS;
        if (r < 0 && errno != EINTR) return WG_WASI_ESUCCESS;
        if (interrupted(intr)) return WG_WASI_EINTR;
    }
}

static ssize_t host_rw(int fd, const struct iovec *v, int n, bool write) {
    return write ? writev(fd, v, n) : readv(fd, v, n);
}

int wg__wasi_host_rw(int hostfd, bool owned, bool may_wait, const struct iovec *v, int n,
                     bool write, const wg_wasi_intr *intr, size_t *out) {
    const short events = write ? POLLOUT : POLLIN;
    *out = 0;
    if (!n) return WG_WASI_ESUCCESS;
    ssize_t r;
    if (!may_wait || !owned) {
        if (may_wait) {
            int werr = wg__wasi_wait_fd(hostfd, events, intr);
            if (werr) return werr;
        }
        r = host_rw(hostfd, v, n, write);
        if (r < 0) return wg__wasi_errno(errno);
        *out = (size_t)r;
        return WG_WASI_ESUCCESS;
    }
    int fl = fcntl(hostfd, F_GETFL);
    if (fl < 0) return wg__wasi_errno(errno);
    for (;;) {
        if (fcntl(hostfd, F_SETFL, fl | O_NONBLOCK) != 0) return wg__wasi_errno(errno);
        r = host_rw(hostfd, v, n, write);
        int saved = errno;
        /* Back to the guest's flags; F_SETFL on an fd that just worked does
         * not fail, and if it did the call's own result still stands. */
        (void)fcntl(hostfd, F_SETFL, fl);
        if (r >= 0) {
            *out = (size_t)r;
            return WG_WASI_ESUCCESS;
        }
        if (saved != EAGAIN && saved != EWOULDBLOCK && saved != EINTR) return wg__wasi_errno(saved);
        /* One slice: ready, or the slice ended (try again), or interrupted. */
        struct pollfd p = {.fd = hostfd, .events = events};
        if (poll(&p, 1, WG_WASI_WAIT_SLICE_MS) <= 0 && interrupted(intr)) return WG_WASI_EINTR;
    }
}

int wg__wasi_host_try_rw(int hostfd, bool owned, const struct iovec *v, int n, bool write,
                         size_t *out) {
    *out = 0;
    if (!n) return WG_WASI_ESUCCESS;
    ssize_t r;
    int saved;
    if (!owned) {
        if (!wg__wasi_fd_ready(hostfd, write ? POLLOUT : POLLIN)) return WG_WASI_EAGAIN;
        r = host_rw(hostfd, v, n, write);
        saved = errno;
    } else {
        int fl = fcntl(hostfd, F_GETFL);
        if (fl < 0) return wg__wasi_errno(errno);
        if (fcntl(hostfd, F_SETFL, fl | O_NONBLOCK) != 0) return wg__wasi_errno(errno);
        r = host_rw(hostfd, v, n, write);
        saved = errno;
        (void)fcntl(hostfd, F_SETFL, fl); /* as in wg__wasi_host_rw */
    }
    if (r < 0) return saved == EWOULDBLOCK || saved == EINTR ? WG_WASI_EAGAIN : wg__wasi_errno(saved);
    *out = (size_t)r;
    return WG_WASI_ESUCCESS;
}

size_t wg__wasi_stdin_read(wg_wasi *w, void *buf, size_t len) {
    size_t avail = w->stdin_pos < w->stdin_len ? w->stdin_len - w->stdin_pos : 0;
    size_t k = len < avail ? len : avail;
    if (k) memcpy(buf, w->stdin_data + w->stdin_pos, k);
    w->stdin_pos += k;
    return k;
}

/* "64 MiB", "1 KiB", "1000 bytes": a cap for messages. */
static void format_cap(char *buf, size_t size, size_t cap) {
    if (cap && cap % (1u << 30) == 0) snprintf(buf, size, "%zu GiB", cap >> 30);
    else if (cap && cap % (1u << 20) == 0) snprintf(buf, size, "%zu MiB", cap >> 20);
    else if (cap && cap % (1u << 10) == 0) snprintf(buf, size, "%zu KiB", cap >> 10);
    else snprintf(buf, size, "%zu bytes", cap);
}

/* stderr never traps: it is only logged, so overflowing it must not turn a
 * good response into a failure (wasi.h). */
bool wg__wasi_capture_traps(const wg_wasi *w, int stream, size_t len) {
    if (stream != 1 || !w->cfg || !w->cfg->output_limit_traps) return false;
    const wg_wasi_outbuf *b = &w->out[1];
    size_t room = b->limit > b->len ? b->limit - b->len : 0;
    return len > room;
}

void wg__wasi_capture_trap_message(wg_wasi *w, char *msg, size_t msg_size) {
    w->out[1].truncated = true;
    char cap[32];
    format_cap(cap, sizeof cap, w->out[1].limit);
    snprintf(msg, msg_size, "stdout exceeded its %s limit", cap);
}

uint64_t wg__wasi_readable_bytes(int fd) {
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        off_t pos = lseek(fd, 0, SEEK_CUR);
        return pos >= 0 && st.st_size > pos ? (uint64_t)(st.st_size - pos) : 0;
    }
    int n = 0;
    if (ioctl(fd, FIONREAD, &n) == 0 && n > 0) return (uint64_t)n;
    return 0;
}

/* ---- clocks and random ----------------------------------------------------------------- */

bool wg__wasi_clock_id(uint32_t id, clockid_t *out) {
    static const clockid_t ids[4] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
                                     CLOCK_THREAD_CPUTIME_ID};
    if (id > 3) return false;
    *out = ids[id];
    return true;
}

int wg__wasi_clock_now(clockid_t c, uint64_t *ns) {
    struct timespec t;
    if (clock_gettime(c, &t) != 0) return wg__wasi_errno(errno);
    *ns = wg__wasi_ts_ns(t);
    return WG_WASI_ESUCCESS;
}

int wg__wasi_clock_res(clockid_t c, uint64_t *ns) {
    struct timespec t;
    if (clock_getres(c, &t) != 0) return wg__wasi_errno(errno);
    *ns = wg__wasi_ts_ns(t);
    if (!*ns) *ns = 1;
    return WG_WASI_ESUCCESS;
}

uint64_t wg__wasi_monotonic_ns(void) {
    uint64_t ns = 0;
    (void)wg__wasi_clock_now(CLOCK_MONOTONIC, &ns);
    return ns;
}

int wg__wasi_random_fill(void *buf, size_t len) {
    uint8_t *p = buf;
    size_t done = 0;
    while (done < len) {
        ssize_t r = getrandom(p + done, len - done, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            return wg__wasi_errno(errno);
        }
        done += (size_t)r;
    }
    return WG_WASI_ESUCCESS;
}
