/*
 * libFuzzer target for the decoder, the validator and the compiler:
 * wg_module_new on arbitrary bytes, then wg_module_free.
 *
 * Built with -DWG_FUZZ_INSTANTIATE, a module that loads and has no imports is
 * also instantiated (small memory cap, start function skipped) and freed, to
 * exercise segment initialisation and constant expressions. Functions are
 * never called: a fuzzed module may loop forever.
 *
 * Besides crashes (ASan/UBSan), it checks the API contract: a failure fills
 * wg_error with a kind and a NUL-terminated message; a success reports info
 * that agrees with the import/export accessors.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wasmgate/wasmgate.h"

static void check(int cond) {
    if (!cond) abort();  /* reported by libFuzzer as a crash with a stack */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    wg_error err;
    memset(&err, 0xA5, sizeof err);  /* the callee must fill what it reports */
    wg_module *m = wg_module_new(data, size, &err);
    if (!m) {
        check(err.kind > WG_ERR_NONE && err.kind <= WG_ERR_RESOURCE);
        check(memchr(err.message, '\0', sizeof err.message) != NULL);
        check(err.offset == (size_t)-1 || err.offset <= size);
        return 0;
    }

    /* Walk the module's metadata as an embedder would. */
    wg_module_info info;
    wg_module_get_info(m, &info);
    uint32_t nimports = wg_module_import_count(m), nexports = wg_module_export_count(m);
    for (uint32_t i = 0; i < nimports; i++) {
        wg_extern_desc d;
        check(wg_module_import(m, i, &d));
    }
    for (uint32_t i = 0; i < nexports; i++) {
        wg_extern_desc d;
        check(wg_module_export(m, i, &d));
        check(d.name != NULL || d.name_len == 0);
    }
    {
        wg_extern_desc d;
        check(!wg_module_import(m, nimports, &d));
        check(!wg_module_export(m, nexports, &d));
    }
    for (uint32_t i = 0; i < info.ncustom; i++) {
        const char *name;
        size_t name_len, len;
        const uint8_t *payload;
        check(wg_module_custom_section(m, i, &name, &name_len, &payload, &len));
    }
    uint32_t nf = info.nfuncs + info.nimported_funcs;
    for (uint32_t i = 0; i < nf && i < 1024; i++) (void)wg_module_func_name(m, i);

#ifdef WG_FUZZ_INSTANTIATE
    if (nimports == 0) {
        wg_instance_opts opts;
        memset(&opts, 0, sizeof opts);
        opts.max_memory_bytes = 16u << 20;  /* 16 MiB */
        opts.max_call_depth = 1000;
        opts.stack_cells = 1u << 14;
        opts.skip_start = true;  /* never run guest code */
        wg_error ierr;
        wg_trap trap;
        wg_instance *inst = wg_instance_new(m, NULL, &opts, &ierr, &trap);
        if (inst) {
            check(wg_instance_module(inst) == m);
            wg_instance_free(inst);
        } else {
            check(memchr(ierr.message, '\0', sizeof ierr.message) != NULL);
        }
    }
#endif

    wg_module_free(m);
    return 0;
}
