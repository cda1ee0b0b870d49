/* Native driver: calls RUN(n) with n from argv[1] and prints the checksum
 * the same way bench/run_node.mjs does (unsigned decimal). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

uint32_t RUN(uint32_t n);

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s N\n", argv[0]);
        return 2;
    }
    uint32_t n = (uint32_t)strtoul(argv[1], NULL, 0);
    printf("%u\n", RUN(n));
    return 0;
}
