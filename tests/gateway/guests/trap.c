/* trap: writes part of a response, then traps (unreachable): the gateway must
 * answer 500, not pass the partial output on as a success. */
#include <stdio.h>

int main(void)
{
    fputs("content-type: text/plain\n\npartial output before the trap\n", stdout);
    fflush(stdout);
    fputs("trap-guest: about to trap\n", stderr);
    __builtin_trap();
}
