/*
 * The `spectest` host module the core spec scripts import from
 * (../shared/conformance/spec/README.md, "The spectest host module"):
 *
 *   global_i32 / global_i64   immutable, 666
 *   global_f32 / global_f64   immutable, 666.6 (nearest f32 / f64)
 *   table                     funcref, min 10, max 20
 *   memory                    min 1, max 2 pages
 *   print, print_i32, print_i64, print_f32, print_f64, print_i32_f32,
 *   print_f64_f64             functions returning nothing; they print their
 *                             arguments only when `verbose` is set
 *
 * One spectest is created per script and shared by every module of that
 * script (as the reference interpreter does), so a function imported by two
 * modules is the same function instance.
 */
#ifndef WG_SPEC_SPECTEST_H
#define WG_SPEC_SPECTEST_H

#include <stdbool.h>

#include "wasmgate/wasmgate.h"

#define SPECTEST_NFUNCS 7

typedef struct spectest spectest;

/* The userdata of one print function. */
typedef struct spectest_print {
    const spectest *st;                 /* back pointer (for `verbose`) */
    int index;                          /* which print function */
} spectest_print;

struct spectest {
    wg_global *global_i32, *global_i64, *global_f32, *global_f64;
    wg_table *table;
    wg_memory *memory;
    wg_func *funcs[SPECTEST_NFUNCS];    /* in the order of print_funcs in spec_spectest.c */
    spectest_print print[SPECTEST_NFUNCS]; /* userdata of funcs[i] */
    bool verbose;                       /* print functions write to stdout */
};

/* Creates every spectest extern into *st, which must not move afterwards
 * (the functions' userdata point into it). Returns false (and frees what was
 * made) if the engine refused one; writes the failing export's name to *what.
 * Free with spectest_free. */
bool spectest_init(spectest *st, bool verbose, const char **what);

/* Frees every extern of *st; st itself is the caller's. Safe after a failed
 * init and on a zeroed struct. The instances that imported from it must be
 * freed first. */
void spectest_free(spectest *st);

/* Adds every spectest extern to im under module name "spectest". Returns
 * false if the engine ran out of memory. */
bool spectest_add_to(const spectest *st, wg_imports *im);

#endif
