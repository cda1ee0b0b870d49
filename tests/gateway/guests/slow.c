/* slow: busy-loops for ms=N milliseconds (QUERY_STRING, default 1000), then
 * answers "slept N ms". It says "slow-guest-started" on stderr first: the
 * gateway logs guest stderr, and the graceful-shutdown test waits for it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(void)
{
    const char *q = getenv("QUERY_STRING");
    long ms = 1000;
    if (q && strncmp(q, "ms=", 3) == 0) ms = strtol(q + 3, NULL, 10);
    if (ms < 0 || ms > 60000) ms = 1000;
    fputs("slow-guest-started\n", stderr);
    fflush(stderr);
    double end = now_ms() + (double)ms;
    volatile unsigned long spins = 0;
    while (now_ms() < end) spins++;
    printf("content-type: text/plain\n\nslept %ld ms\n", ms);
    return 0;
}
