/*
 * The conformance scripts' typed values (README "Values") as wg_cvals, and
 * a printer for messages (component_values.c).
 */
#ifndef WG_COMPONENT_VALUES_H
#define WG_COMPONENT_VALUES_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "wasmgate/component.h"

/* The value j (an args/expected object) as a value of type t. False with a
 * message in err when it is not one (a bad script or a wrong type). */
bool cm_value_from_json(const cJSON *j, const wg_ctype *t, wg_cval *out, char *err, size_t errsz);

/* A short rendering of v for messages. */
void cm_value_print(const wg_cval *v, char *buf, size_t n);

#endif
