/*
 * timeout MODE: never ends by itself; run with --timeout to check the CLI
 * stops it (exit 124).
 *   spin    a pure compute loop (no host calls)
 *   yield   a loop calling sched_yield
 *   sleep   poll_oneoff with a one-hour relative clock (blocked in the host)
 *   read    blocking read of stdin (the script keeps stdin open and silent)
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

int main(int argc, char **argv) {
    const char *m = argc > 1 ? argv[1] : "spin";
    fprintf(stderr, "timeout guest: %s forever\n", m);
    if (strcmp(m, "spin") == 0) {
        volatile unsigned long long x = 0;
        for (;;) x++;
    } else if (strcmp(m, "yield") == 0) {
        for (;;) (void)__wasi_sched_yield();
    } else if (strcmp(m, "sleep") == 0) {
        __wasi_subscription_t s;
        __wasi_event_t ev;
        __wasi_size_t n;
        memset(&s, 0, sizeof s);
        s.u.tag = __WASI_EVENTTYPE_CLOCK;
        s.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
        s.u.u.clock.timeout = 3600ull * 1000000000ull;
        for (;;) (void)__wasi_poll_oneoff(&s, &ev, 1, &n);
    } else if (strcmp(m, "read") == 0) {
        char c;
        while (read(0, &c, 1) >= 0) {
        }
    }
    fprintf(stderr, "timeout guest: unknown mode %s\n", m);
    return 2;
}
