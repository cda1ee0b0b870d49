/*
 * WIT printing: a validated component's world (its type: imports and
 * exports) as WIT text, the way `wasm-tools component wit` prints it.
 *
 *   package root:component;
 *
 *   world root {
 *     import wasi:cli/environment@0.2.6;      interface imports, in order
 *     import log: func(msg: string);          function imports
 *
 *     export demo:app/api@0.1.0;
 *     export hello: func(who: string) -> string;
 *   }
 *   package wasi:cli@0.2.6 {                  each interface named ns:pkg/name,
 *     interface environment {                 grouped by package: types (use,
 *       get-environment: func() -> ...;       records, variants, enums, flags,
 *     }                                       resources with their functions),
 *   }                                         then functions
 *
 * Types are printed by the names the component gives them (the type
 * exports of its instance types, and `use` where one interface's type is
 * another's) and structurally otherwise. Where the component says more than
 * WIT can (an unnamed record, a resource without a name, a core module or
 * component import) the printer writes something readable that WIT would
 * not accept. docs/component.md ("WIT printing") lists the differences
 * from wasm-tools.
 */
#ifndef WG_COMPONENT_WIT_PRINT_H
#define WG_COMPONENT_WIT_PRINT_H

#include <stdbool.h>

#include "component/component_int.h"
#include "util/strbuf.h"

/* Appends the world of component type ct as WIT to out. False only when out
 * of memory (out->oom). */
bool wg__wit_print_world(const wg_ccomptype *ct, wg_strbuf *out);

#endif
