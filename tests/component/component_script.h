/*
 * Running one Component Model conformance script: a JSON command list of
 * ../shared/conformance/component-model (see its README.md).
 *
 * Counting rules (one check per command):
 *   component               load and instantiate with the harness linker
 *                           (component_harness.c); with a name ("$foo") it
 *                           becomes importable as "foo", as in wasmtime's
 *                           wast runner; it becomes the current instance
 *   component_definition    load only; remembered by name
 *   component_instance      instantiate a remembered definition
 *   assert_return, action   invoke an export of the current (or named)
 *                           instance with the script's values (converted
 *                           with the function's types, component_values.c);
 *                           it must return (assert_return: the expected
 *                           value, compared with wg_cval_equal)
 *   assert_trap             it must trap, and the text must appear in
 *                           "wasm trap: <message>" (a core `unreachable` also
 *                           reads as wasmtime's "wasm `unreachable`
 *                           instruction executed")
 *   assert_unlinkable,      the component loads and instantiating it fails
 *   assert_uninstantiable   with a link error / a trap whose message holds
 *                           the text
 *   assert_invalid,         wg_component_new must fail; a different message
 *   assert_malformed        (wasmparser's wording) or error kind is only a
 *   (binary)                "message mismatch" (--verbose shows them); text
 *                           assert_malformed (.wat) is skipped
 *   module*, register       skipped (none occur in these sources)
 */
#ifndef WG_COMPONENT_SCRIPT_H
#define WG_COMPONENT_SCRIPT_H

#include <stdbool.h>
#include <stdint.h>

/* Counts of one script; also the record a forked child streams to the
 * parent (fixed size, one write each). */
typedef struct cm_counts {
    int32_t passed;
    int32_t failed;
    int32_t skipped;
    int32_t mismatches;         /* rejected as required, with another message or kind */
    int32_t xfailed;            /* failures at lines listed as expected failures */
    int32_t xpassed;            /* listed lines that did not fail (a stale list) */
    int32_t checks;             /* counted commands in the script (-1 until parsed) */
    int32_t line;               /* .wast line of the command running */
    int32_t done;               /* 1 in the final record */
    char first_failure[220];    /* "LINE: what" of the first unexpected failure */
} cm_counts;

typedef struct cm_script_opts {
    bool verbose;               /* print failures, mismatches and skips */
    bool quiet;                 /* print nothing but with --verbose (listed scripts) */
    const int32_t *xlines;      /* lines whose command is expected to fail */
    uint32_t nxlines;
    void (*progress)(const cm_counts *counts, void *data);
    void *progress_data;
} cm_script_opts;

/* Runs the script at path (a .json file); messages go to stdout prefixed
 * with "name:LINE:". False if the script could not be read or parsed (also
 * counted as one failure). */
bool cm_script_run(const char *path, const char *name, const cm_script_opts *opts, cm_counts *out);

#endif
