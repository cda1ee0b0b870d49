/*
 * `wasmgate inspect`: the core module printer (inspect.c) and the
 * component printer (inspect_component.c), which reuses the module
 * printer's import/export lines for the core modules a component embeds.
 */
#ifndef WG_CLI_INSPECT_H
#define WG_CLI_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/wasmgate.h"

/* One import or export line of a core module, `indent` spaces in:
 * "func    env::print (i32) -> ()". */
void cli_print_extern(const wg_extern_desc *d, bool is_import, int indent);

/* Prints a component (bytes[0..len) of the file at path): its world as
 * WIT, then its core modules and nested components. Returns the exit
 * status (an invalid component is reported as validate reports it). */
int cli_inspect_component(const char *path, const uint8_t *bytes, size_t len);

#endif
