/* bigheaders: answers with about N KiB of response headers (QUERY_STRING
 * "kib=N", 0..60) in lines of 500 bytes, then the body "N KiB of headers".
 * The gateway must either send them all or answer 502 (never an empty
 * reply that its log calls a 200). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    const char *q = getenv("QUERY_STRING");
    long kib = 0;
    if (q && strncmp(q, "kib=", 4) == 0) kib = strtol(q + 4, NULL, 10);
    if (kib < 0 || kib > 60) kib = 0;
    char pad[481];
    memset(pad, 'p', sizeof pad - 1);
    pad[sizeof pad - 1] = '\0';
    long lines = kib * 1024 / 500;
    fputs("content-type: text/plain\n", stdout);
    for (long i = 0; i < lines; i++) printf("x-pad-%04ld: %s\n", i, pad); /* 500 bytes a line */
    printf("\n%ld KiB of headers\n", kib);
    return 0;
}
