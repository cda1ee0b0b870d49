/* The start-up benchmark's program (bench/startup.sh). The same source is
 * built natively (gcc -O2) and to wasm32-wasi (clang-19 -O2), so the two runs
 * differ only in what starts them. examples/guests/hello.c in plain text. */
#include <stdio.h>

int main(void) {
    puts("hello, world");
    return 0;
}
