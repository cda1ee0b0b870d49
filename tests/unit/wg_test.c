/* The minimal unit-test harness (see wg_test.h). */
#include "wg_test.h"

#include <stdlib.h>

#define MAX_TESTS 1024

static struct { const char *name; wg_test_fn fn; } tests[MAX_TESTS];
static int ntests;
static int current_failed;

void wg_test_register(const char *name, wg_test_fn fn) {
    if (ntests == MAX_TESTS) { fprintf(stderr, "too many tests\n"); abort(); }
    tests[ntests].name = name;
    tests[ntests].fn = fn;
    ntests++;
}

void wg_test_fail(const char *file, int line, const char *what) {
    fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
    current_failed = 1;
}

/* With an argument, runs only the tests whose name contains it. */
int wg_test_run_all(int argc, char **argv) {
    int passed = 0, failed = 0;
    for (int i = 0; i < ntests; i++) {
        if (argc > 1 && !strstr(tests[i].name, argv[1])) continue;
        current_failed = 0;
        tests[i].fn();
        if (current_failed) {
            fprintf(stderr, "FAIL %s\n", tests[i].name);
            failed++;
        } else {
            passed++;
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0 ;
}
