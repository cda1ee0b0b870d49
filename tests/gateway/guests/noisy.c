/* noisy: writes N KiB to stderr (QUERY_STRING "kib=N", default 100) in lines
 * of 64 bytes, then answers 200 "said N KiB". Logging is not the guest's
 * problem: the response must survive however much it writes there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    const char *q = getenv("QUERY_STRING");
    long kib = 100;
    if (q && strncmp(q, "kib=", 4) == 0) kib = strtol(q + 4, NULL, 10);
    if (kib < 0 || kib > 100000) kib = 100;
    for (long i = 0; i < kib * 16; i++) fprintf(stderr, "noisy line %08ld ...........................................\n", i);
    printf("content-type: text/plain\n\nsaid %ld KiB\n", kib);
    return 0;
}
