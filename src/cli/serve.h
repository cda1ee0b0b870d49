/*
 * `wasmgate serve`: the WAGI/Spin HTTP gateway (src/gateway/) as a command.
 *
 *   wasmgate serve [--listen ADDR:PORT] [--threads N] [--timeout S]
 *                  [--max-memory BYTES] [--max-concurrency N] [--max-body BYTES]
 *                  [--max-output BYTES] [--access-log FILE]
 *                  [--tls-cert FILE --tls-key FILE] MANIFEST
 *
 * Defaults: 127.0.0.1:3000, threads = cores, timeout 30 s, max-memory 128 MiB,
 * max-concurrency 64 x threads (per route), max-body 10 MiB, max-output 64 MiB.
 * Sizes take K/M/G or KiB/MiB/GiB (powers of 1024). When ready, prints
 * "wasmgate: serving N routes on http[s]://ADDR:PORT" and one
 * "  ROUTE -> MODULE" line per route to stderr. SIGINT/SIGTERM: graceful
 * shutdown, exit 0. A bad manifest or module: its error, exit 1, nothing
 * served. Usage errors: exit 2.
 */
#ifndef WG_CLI_SERVE_H
#define WG_CLI_SERVE_H

/* The `serve` subcommand; argv[0] is "serve". Returns the exit status. */
int cli_cmd_serve(int argc, char **argv);

#endif
