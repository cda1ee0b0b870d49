/* slow: a guest that runs until the test lets it finish, for the tests that
 * need a request in flight (concurrency cap, graceful shutdown). The routes
 * that run it grant the volume /sync, a folder the test can see. By
 * QUERY_STRING:
 *
 *   id=NAME   creates /sync/NAME.started (so the test knows the guest runs),
 *             then waits until /sync/NAME.go exists (the test creates it when
 *             it has checked what it must check while the guest runs), then
 *             answers "done NAME". NAME: letters, digits, '-' and '_'.
 *   ms=N      busy-loops N milliseconds (default 1000, at most 60000), then
 *             answers "slept N ms" (for trying things by hand; the tests use
 *             id=, which does not depend on how fast the machine is).
 *
 * It says "slow-guest-started" on stderr first (the gateway logs guest
 * stderr when the request ends). The wait for the go-file is bounded by a
 * number of polls, not a time; the route's timeout ends it first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_POLLS 10000000L /* 2 ms apart: far beyond any route timeout */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

static int wait_for_go(const char *id)
{
    char path[128];
    snprintf(path, sizeof path, "/sync/%s.started", id);
    FILE *f = fopen(path, "w");
    if (!f || fclose(f) != 0) {
        printf("status: 500\ncontent-type: text/plain\n\ncannot create %s\n", path);
        return 0;
    }
    snprintf(path, sizeof path, "/sync/%s.go", id);
    struct stat st;
    struct timespec tick = {0, 2000000};
    for (long i = 0; i < MAX_POLLS; i++) {
        if (stat(path, &st) == 0) {
            printf("content-type: text/plain\n\ndone %s\n", id);
            return 0;
        }
        nanosleep(&tick, NULL);
    }
    printf("status: 500\ncontent-type: text/plain\n\ngave up waiting for %s\n", path);
    return 0;
}

int main(void)
{
    const char *q = getenv("QUERY_STRING");
    fputs("slow-guest-started\n", stderr);
    fflush(stderr);
    if (q && strncmp(q, "id=", 3) == 0) {
        if (!valid_name(q + 3)) {
            printf("status: 400\ncontent-type: text/plain\n\nbad id\n");
            return 0;
        }
        return wait_for_go(q + 3);
    }
    long ms = 1000;
    if (q && strncmp(q, "ms=", 3) == 0) ms = strtol(q + 3, NULL, 10);
    if (ms < 0 || ms > 60000) ms = 1000;
    double end = now_ms() + (double)ms;
    volatile unsigned long spins = 0;
    while (now_ms() < end) spins++;
    printf("content-type: text/plain\n\nslept %ld ms\n", ms);
    return 0;
}
