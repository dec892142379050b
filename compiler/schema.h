/* schema: the JSON Schema (draft 2020-12) of a workflow file, for editors
 * (yaml-language-server) and CI, printed by `orkc --print-schema` and
 * installed as $(pkgdatadir)/workflow.schema.json.
 *
 * The keys come from the compiler's own tables (workflow_keys), so the
 * schema has exactly the keys orkc accepts; this module adds, per key, its
 * type as a JSON Schema fragment, its default and one line of meaning.  A
 * key of workflow.c without an entry here is left out of the schema, and
 * tests/unit/test_schema fails on it, so the two cannot drift apart.  The
 * executor and trigger names come from the contract (contract.h).
 *
 * Calls: workflow (its key tables), contract, paramval (param types). */
#ifndef ORK_SCHEMA_H
#define ORK_SCHEMA_H

#include <stddef.h>

#include "util.h"

struct keydoc {
	int task;               /* 1: a task's key; 0: a top-level key */
	const char *key;
	const char *schema;     /* JSON Schema fragment, as JSON text */
	const char *dflt;       /* the default as JSON text, or NULL: none */
	const char *text;       /* what it means, one sentence */
};

/* The entry for key (task: a task's key, else a top-level key), or NULL
 * when there is none. */
const struct keydoc *schema_keydoc(int task, const char *key);

/* Append the schema, pretty-printed and ending in a newline, to out.
 * Returns the number of keys workflow.c has that have no entry here
 * (left out of the schema; 0 in a consistent build). */
size_t schema_write(struct strbuf *out);

#endif
