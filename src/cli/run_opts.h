/*
 * Text of `wasmgate run`'s options, parsed without I/O and without the
 * engine, so that tests/cli/test_cli_run_opts.c can check them alone.
 *
 *   --max-memory BYTES   decimal digits, then an optional binary suffix:
 *                        K or KiB (1024), M or MiB (1024^2), G or GiB (1024^3),
 *                        letters in any case; at least 1 byte, at most 2^64-1.
 *   --timeout SECONDS    decimal, fractional allowed ("2", "0.5", ".25", "3.");
 *                        more than 0, at most 10^9 (no sign, exponent or hex).
 *   --dir SPEC           HOST            HOST under the guest name HOST
 *                        HOST::GUEST     HOST under the guest name GUEST
 *                        either + ":ro"  read-only
 *                        ":ro" is a suffix only when the character before it is
 *                        not ':' ("data::ro" maps data to the guest name "ro";
 *                        "data::ro:ro" does so read-only). HOST is everything
 *                        before the first "::": host paths containing "::"
 *                        cannot be given, and one ending in ":ro" needs an
 *                        explicit ::GUEST ("x:ro::x").
 *   --max-open-files N   decimal digits, 0 to CLI_MAX_OPEN_FILES_LIMIT.
 *   --env SPEC           NAME=VALUE, or NAME alone (the caller looks it up).
 *                        NAME is non-empty and holds no '='; VALUE may be
 *                        empty and hold anything.
 *
 * Each parser returns NULL on success, or a static reason phrase.
 */
#ifndef WG_CLI_RUN_OPTS_H
#define WG_CLI_RUN_OPTS_H

#include <stdbool.h>
#include <stdint.h>

const char *cli_parse_size(const char *text, uint64_t *out);
const char *cli_parse_seconds(const char *text, double *out);

/* --max-open-files: its default, and the largest value taken (Linux's default
 * fs.nr_open, the most descriptors any process can be allowed). */
#define CLI_MAX_OPEN_FILES_DEFAULT 256
#define CLI_MAX_OPEN_FILES_LIMIT 1048576
const char *cli_parse_open_files(const char *text, uint64_t *out);

/* A --dir SPEC split up: host and guest point into buf (owned by the struct,
 * no allocation). */
typedef struct cli_dir_spec {
    char buf[4096];
    const char *host;
    const char *guest;
    bool read_only;
} cli_dir_spec;
const char *cli_parse_dir(const char *spec, cli_dir_spec *out);

/* A --env SPEC split up: name (malloc'd: free it) and value (NULL when SPEC
 * is NAME alone, else a pointer into spec, which must outlive it). On failure
 * nothing is allocated. */
typedef struct cli_env_spec {
    char *name;
    const char *value;
} cli_env_spec;
const char *cli_parse_env(const char *spec, cli_env_spec *out);

#endif
