/*
 * The `spectest` host module. See spec_spectest.h.
 */
#include "spec_spectest.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The print functions: name and parameter types. */
static const struct {
    const char *name;
    uint32_t nparams;
    uint8_t params[2];
} print_funcs[SPECTEST_NFUNCS] = {
    {"print", 0, {0, 0}},
    {"print_i32", 1, {WG_I32, 0}},
    {"print_i64", 1, {WG_I64, 0}},
    {"print_f32", 1, {WG_F32, 0}},
    {"print_f64", 1, {WG_F64, 0}},
    {"print_i32_f32", 2, {WG_I32, WG_F32}},
    {"print_f64_f64", 2, {WG_F64, WG_F64}},
};

/* Host function behind every print_*: prints "spectest.NAME(ARGS)" when the
 * runner is verbose, else does nothing. Arguments are raw slot bits. */
static int print_fn(wg_ctx *ctx, uint64_t *slots, void *userdata)
{
    (void)ctx;
    const spectest_print *p = userdata;
    if (!p->st->verbose)
        return 0;
    printf("    spectest.%s(", print_funcs[p->index].name);
    for (uint32_t i = 0; i < print_funcs[p->index].nparams; i++) {
        uint64_t raw = slots[i];
        if (i > 0)
            printf(", ");
        switch (print_funcs[p->index].params[i]) {
        case WG_I32:
            printf("%" PRId32 " : i32", (int32_t)(uint32_t)raw);
            break;
        case WG_I64:
            printf("%" PRId64 " : i64", (int64_t)raw);
            break;
        case WG_F32: {
            uint32_t bits = (uint32_t)raw;
            float f;
            memcpy(&f, &bits, sizeof f);
            printf("%.9g : f32", (double)f);
            break;
        }
        case WG_F64: {
            double d;
            memcpy(&d, &raw, sizeof d);
            printf("%.17g : f64", d);
            break;
        }
        default:
            printf("?");
            break;
        }
    }
    printf(")\n");
    return 0;
}

bool spectest_init(spectest *st, bool verbose, const char **what)
{
    memset(st, 0, sizeof *st);
    st->verbose = verbose;

    /* 666.6 rounded to the nearest f32 / f64 by the compiler (IEEE round to nearest). */
    float f32 = 666.6f;
    double f64 = 666.6;
    wg_val v;

    v = (wg_val){.type = WG_I32, .of.i32 = 666};
    if ((st->global_i32 = wg_global_new(v, false)) == NULL) {
        *what = "global_i32";
        goto fail;
    }
    v = (wg_val){.type = WG_I64, .of.i64 = 666};
    if ((st->global_i64 = wg_global_new(v, false)) == NULL) {
        *what = "global_i64";
        goto fail;
    }
    v = (wg_val){.type = WG_F32};
    memcpy(&v.of.f32_bits, &f32, sizeof f32);
    if ((st->global_f32 = wg_global_new(v, false)) == NULL) {
        *what = "global_f32";
        goto fail;
    }
    v = (wg_val){.type = WG_F64};
    memcpy(&v.of.f64_bits, &f64, sizeof f64);
    if ((st->global_f64 = wg_global_new(v, false)) == NULL) {
        *what = "global_f64";
        goto fail;
    }
    if ((st->table = wg_table_new(WG_FUNCREF, (wg_limits){.min = 10, .max = 20, .has_max = true})) == NULL) {
        *what = "table";
        goto fail;
    }
    if ((st->memory = wg_memory_new((wg_limits){.min = 1, .max = 2, .has_max = true})) == NULL) {
        *what = "memory";
        goto fail;
    }
    for (int i = 0; i < SPECTEST_NFUNCS; i++) {
        st->print[i] = (spectest_print){.st = st, .index = i};
        st->funcs[i] = wg_func_new_host(print_funcs[i].params, print_funcs[i].nparams, NULL, 0,
                                        print_fn, &st->print[i]);
        if (st->funcs[i] == NULL) {
            *what = print_funcs[i].name;
            goto fail;
        }
    }
    return true;

fail:
    spectest_free(st);
    return false;
}

void spectest_free(spectest *st)
{
    for (int i = 0; i < SPECTEST_NFUNCS; i++) {
        wg_func_free(st->funcs[i]);
        st->funcs[i] = NULL;
    }
    wg_memory_free(st->memory);
    wg_table_free(st->table);
    wg_global_free(st->global_i32);
    wg_global_free(st->global_i64);
    wg_global_free(st->global_f32);
    wg_global_free(st->global_f64);
    st->memory = NULL;
    st->table = NULL;
    st->global_i32 = st->global_i64 = st->global_f32 = st->global_f64 = NULL;
}

bool spectest_add_to(const spectest *st, wg_imports *im)
{
    bool ok = wg_imports_add_global(im, "spectest", "global_i32", st->global_i32) &&
              wg_imports_add_global(im, "spectest", "global_i64", st->global_i64) &&
              wg_imports_add_global(im, "spectest", "global_f32", st->global_f32) &&
              wg_imports_add_global(im, "spectest", "global_f64", st->global_f64) &&
              wg_imports_add_table(im, "spectest", "table", st->table) &&
              wg_imports_add_memory(im, "spectest", "memory", st->memory);
    for (int i = 0; ok && i < SPECTEST_NFUNCS; i++)
        ok = wg_imports_add_func(im, "spectest", print_funcs[i].name, st->funcs[i]);
    return ok;
}
