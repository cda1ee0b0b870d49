/*
 * Running one spec test script: DIR/<name>/<name>.json (wast2json output,
 * see ../shared/conformance/spec/README.md) against the engine, counting
 * every assertion as passed, failed or skipped.
 *
 * Counting rules:
 *   module, register    not assertions; a module that fails to load or
 *                       instantiate counts as one failure (and the
 *                       assertions using it fail too)
 *   action              passes if the call returns (does not trap)
 *   assert_return       no trap, same number of results, bit-exact values
 *                       (NaN patterns per the README)
 *   assert_trap         must trap; the trap message must contain the text
 *                       (or be a word-prefix of it: "uninitialized element"
 *                       matches "uninitialized element 2"); another message
 *                       is a failure
 *   assert_exhaustion   must trap with WG_TRAP_STACK_EXHAUSTED
 *   assert_invalid,     wg_module_new must fail; a different error text is
 *   assert_malformed    only a "message mismatch", not a failure; text-format
 *   (binary)            assert_malformed is skipped
 *   assert_unlinkable   loads, then wg_instance_new fails (any error kind)
 *   assert_uninstantiable loads, then wg_instance_new fails with WG_ERR_TRAP
 *   v128 values         the assertion fails with "v128 not supported"
 */
#ifndef WG_SPEC_SCRIPT_H
#define WG_SPEC_SCRIPT_H

#include <stdbool.h>
#include <stdint.h>

#define SPEC_LINE_CLEANUP (-1)

/* Counts of one script, also the record the forked child streams to the
 * parent (a fixed-size plain struct: one write() each, below PIPE_BUF). */
typedef struct spec_counts {
    int32_t passed;
    int32_t failed;
    int32_t skipped;
    int32_t mismatches;         /* rejected as expected, but with another message */
    int32_t assertions;         /* assertion commands in the script (-1 until parsed) */
    int32_t line;               /* .wast line of the command now running (0 = none,
                                   SPEC_LINE_CLEANUP = freeing instances and modules) */
    int32_t done;               /* 1 in the final record of a completed script */
    char first_failure[232];    /* "LINE: what" of the first failure, NUL-terminated */
} spec_counts;

/* How a script is run. */
typedef struct spec_script_opts {
    bool verbose;               /* print every failure, mismatch and skip */
    bool quiet_load_errors;     /* do not print module load errors unless verbose
                                   (for scripts listed as expected failures) */
    /* Called before each command (counts so far, line = that command's line)
     * and once at the end (done = 1). May be NULL. */
    void (*progress)(const spec_counts *counts, void *data);
    void *progress_data;
} spec_script_opts;

/* Runs dir/name/name.json and fills *out. Messages go to stdout, prefixed
 * with "name:LINE:". Returns false if the script itself could not be run
 * (missing or unparsable JSON, out of memory); that is counted as one failure
 * in *out as well. */
bool spec_script_run(const char *dir, const char *name, const spec_script_opts *opts,
                     spec_counts *out);

#endif
