/*
 * poll: poll_oneoff.
 *   poll clock           relative 50 ms (monotonic and realtime clocks), the
 *                        earlier of two clocks, an absolute deadline, fd_read on
 *                        a regular file, fd_write on stdout, a bad fd
 *   poll stdin EXPECTED  stdin has data (the script pipes EXPECTED in): an
 *                        fd_read subscription on fd 0 fires, not the clock
 *                        beside it, then stdin reads back EXPECTED
 *
 * Timing: a clock must never fire early, so its lower bound is checked; how
 * late it fires depends on the machine's load, so nothing checks an upper
 * bound. Where a subscription must win over a clock, that clock is an hour
 * away: it cannot fire first however slow the machine, and an implementation
 * that waits for it hangs (the script's guard kills it) instead of passing.
 */
#include "guest.h"

#define MS 1000000ull
#define HOUR (3600ull * 1000 * MS)

static uint64_t mono(void) {
    __wasi_timestamp_t t = 0;
    if (__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t) != 0) FAILF("clock_time_get");
    return t;
}

static void clock_sub(__wasi_subscription_t *s, uint64_t ud, __wasi_clockid_t id, uint64_t timeout,
                      __wasi_subclockflags_t flags) {
    memset(s, 0, sizeof *s);
    s->userdata = ud;
    s->u.tag = __WASI_EVENTTYPE_CLOCK;
    s->u.u.clock.id = id;
    s->u.u.clock.timeout = timeout;
    s->u.u.clock.flags = flags;
}

static void fd_sub(__wasi_subscription_t *s, uint64_t ud, __wasi_eventtype_t type, __wasi_fd_t fd) {
    memset(s, 0, sizeof *s);
    s->userdata = ud;
    s->u.tag = type;
    if (type == __WASI_EVENTTYPE_FD_READ) s->u.u.fd_read.file_descriptor = fd;
    else s->u.u.fd_write.file_descriptor = fd;
}

static void test_clocks(void) {
    __wasi_subscription_t s[3];
    __wasi_event_t ev[3];
    __wasi_size_t n = 0;

    /* relative 50 ms, monotonic and realtime */
    static const __wasi_clockid_t ids[2] = {__WASI_CLOCKID_MONOTONIC, __WASI_CLOCKID_REALTIME};
    for (int i = 0; i < 2; i++) {
        clock_sub(&s[0], 1000 + (uint64_t)i, ids[i], 50 * MS, 0);
        memset(ev, 0xff, sizeof ev);
        uint64_t t0 = mono();
        EXPECT_OK(__wasi_poll_oneoff(s, ev, 1, &n));
        uint64_t dt = mono() - t0;
        CHECK(dt >= 50 * MS, "relative 50 ms (clock %d) fired early, after %llu us", (int)ids[i],
              (unsigned long long)(dt / 1000));
        CHECK(n == 1 && ev[0].userdata == 1000 + (uint64_t)i && ev[0].error == 0 &&
                  ev[0].type == __WASI_EVENTTYPE_CLOCK,
              "relative clock event: n %u userdata %llu error %u type %u", (unsigned)n,
              (unsigned long long)ev[0].userdata, ev[0].error, ev[0].type);
        if (g_verbose) printf("relative 50 ms on clock %d: %llu us\n", (int)ids[i],
                              (unsigned long long)(dt / 1000));
    }

    /* two clocks: only the earlier (30 ms) fires */
    clock_sub(&s[0], 1, __WASI_CLOCKID_MONOTONIC, HOUR, 0);
    clock_sub(&s[1], 2, __WASI_CLOCKID_MONOTONIC, 30 * MS, 0);
    uint64_t t0 = mono();
    EXPECT_OK(__wasi_poll_oneoff(s, ev, 2, &n));
    uint64_t dt = mono() - t0;
    CHECK(n == 1 && ev[0].userdata == 2, "two clocks: n %u first userdata %llu", (unsigned)n,
          (unsigned long long)ev[0].userdata);
    CHECK(dt >= 30 * MS, "two clocks (30 ms, 1 h): fired early, after %llu us",
          (unsigned long long)(dt / 1000));

    /* absolute deadline: now + 60 ms on the monotonic clock */
    uint64_t deadline = mono() + 60 * MS;
    clock_sub(&s[0], 77, __WASI_CLOCKID_MONOTONIC, deadline,
              __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
    EXPECT_OK(__wasi_poll_oneoff(s, ev, 1, &n));
    uint64_t after = mono();
    CHECK(after >= deadline, "absolute deadline: woke %lld us before it",
          (long long)(deadline - after) / 1000);
    CHECK(n == 1 && ev[0].userdata == 77 && ev[0].error == 0, "absolute clock event: n %u ud %llu",
          (unsigned)n, (unsigned long long)ev[0].userdata);
    /* an absolute deadline in the past returns at once: it fires, not the
     * relative clock an hour away beside it */
    clock_sub(&s[0], 78, __WASI_CLOCKID_MONOTONIC, mono() - 1000 * MS,
              __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
    clock_sub(&s[1], 81, __WASI_CLOCKID_MONOTONIC, HOUR, 0);
    EXPECT_OK(__wasi_poll_oneoff(s, ev, 2, &n));
    CHECK(n == 1 && ev[0].userdata == 78, "past absolute deadline: n %u ud %llu", (unsigned)n,
          (unsigned long long)ev[0].userdata);
    /* absolute on the realtime clock: 40 ms after a realtime reading taken
     * after t0, so at least 40 ms after t0 (30: the two clocks' rates may
     * differ a little) */
    t0 = mono();
    __wasi_timestamp_t rt = 0;
    EXPECT_OK(__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &rt));
    clock_sub(&s[0], 79, __WASI_CLOCKID_REALTIME, rt + 40 * MS,
              __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
    EXPECT_OK(__wasi_poll_oneoff(s, ev, 1, &n));
    dt = mono() - t0;
    CHECK(dt >= 30 * MS && n == 1 && ev[0].userdata == 79,
          "absolute realtime +40 ms: n %u ud %llu after %llu us", (unsigned)n,
          (unsigned long long)ev[0].userdata, (unsigned long long)(dt / 1000));
    /* zero timeout */
    clock_sub(&s[0], 80, __WASI_CLOCKID_MONOTONIC, 0, 0);
    EXPECT_OK(__wasi_poll_oneoff(s, ev, 1, &n));
    CHECK(n == 1 && ev[0].userdata == 80, "zero timeout");

    /* fd_write on stdout is ready at once, beside a clock an hour away */
    fd_sub(&s[0], 5, __WASI_EVENTTYPE_FD_WRITE, 1);
    clock_sub(&s[1], 6, __WASI_CLOCKID_MONOTONIC, HOUR, 0);
    EXPECT_OK(__wasi_poll_oneoff(s, ev, 2, &n));
    CHECK(n == 1 && ev[0].userdata == 5 &&
              ev[0].type == __WASI_EVENTTYPE_FD_WRITE && ev[0].error == 0,
          "fd_write on stdout: n %u ud %llu type %u error %u", (unsigned)n,
          (unsigned long long)ev[0].userdata, ev[0].type, ev[0].error);

    /* a bad fd: the event carries BADF (or the whole call fails with BADF) */
    fd_sub(&s[0], 9, __WASI_EVENTTYPE_FD_READ, 999);
    __wasi_errno_t e = __wasi_poll_oneoff(s, ev, 1, &n);
    CHECK(e == __WASI_ERRNO_BADF || (e == 0 && n == 1 && ev[0].userdata == 9 &&
                                     ev[0].error == __WASI_ERRNO_BADF),
          "poll on fd 999: %s, n %u, event error %u", errname(e), (unsigned)n, ev[0].error);

    /* no subscriptions */
    EXPECT_ERR(__wasi_poll_oneoff(s, ev, 0, &n), __WASI_ERRNO_INVAL);
}

static void test_stdin(const char *expected) {
    __wasi_subscription_t s[2];
    __wasi_event_t ev[2];
    __wasi_size_t n = 0;
    fd_sub(&s[0], 10, __WASI_EVENTTYPE_FD_READ, 0);
    /* The script's writer may start after us: the poll waits for the data,
     * however long it takes to come. The clock beside it is an hour away. */
    clock_sub(&s[1], 11, __WASI_CLOCKID_MONOTONIC, HOUR, 0);
    EXPECT_OK(__wasi_poll_oneoff(s, ev, 2, &n));
    CHECK(n == 1 && ev[0].userdata == 10 && ev[0].type == __WASI_EVENTTYPE_FD_READ &&
              ev[0].error == 0,
          "fd_read on stdin: n %u ud %llu type %u error %u", (unsigned)n,
          (unsigned long long)ev[0].userdata, ev[0].type, ev[0].error);
    if (n >= 1 && ev[0].userdata == 10)
        CHECK(ev[0].fd_readwrite.nbytes >= 1, "fd_read event reports %llu bytes available",
              (unsigned long long)ev[0].fd_readwrite.nbytes);
    char buf[256] = {0};
    size_t got = 0;
    while (got < sizeof buf - 1) {
        __wasi_iovec_t iov = {(uint8_t *)buf + got, sizeof buf - 1 - got};
        __wasi_size_t r = 0;
        __wasi_errno_t e = __wasi_fd_read(0, &iov, 1, &r);
        if (e) {
            FAILF("fd_read(stdin): %s", errname(e));
            break;
        }
        if (r == 0) break;
        got += r;
    }
    CHECK(strcmp(buf, expected) == 0, "stdin read back '%s', expected '%s'", buf, expected);
    /* at EOF stdin stays readable (read returns 0) */
    fd_sub(&s[0], 12, __WASI_EVENTTYPE_FD_READ, 0);
    EXPECT_OK(__wasi_poll_oneoff(s, ev, 2, &n));
    CHECK(n == 1 && ev[0].userdata == 12,
          "fd_read on stdin at EOF: n %u ud %llu", (unsigned)n, (unsigned long long)ev[0].userdata);
}

int main(int argc, char **argv) {
    guest_init();
    if (argc >= 2 && strcmp(argv[1], "clock") == 0) {
        test_clocks();
    } else if (argc >= 3 && strcmp(argv[1], "stdin") == 0) {
        test_stdin(argv[2]);
    } else {
        fprintf(stderr, "usage: poll clock | poll stdin EXPECTED\n");
        return 2;
    }
    return guest_finish("poll");
}
