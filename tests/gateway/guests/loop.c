/* loop: never returns; the route's timeout must interrupt it (504). */
#include <stdio.h>

int main(void)
{
    fputs("content-type: text/plain\n\nthis never completes\n", stdout);
    fflush(stdout);
    volatile unsigned long x = 0;
    for (;;) x++;
}
