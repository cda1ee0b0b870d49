/* hello: the smallest WAGI guest. A WAGI response is CGI output on stdout:
 * header lines, a blank line, then the body. */
#include <stdio.h>

int main(void)
{
    fputs("content-type: text/plain\n\nHello, world!\n", stdout);
    return 0;
}
