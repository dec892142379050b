/* types: the parse side of typed mode in the compiler.  Reads the type
 * syntax of a workflow (named `types:`, a task's `input_type` and
 * `output_type`/`output`) and `inputs:` bindings with their lowered input
 * values.  The checks below need the whole graph and run in the plan's
 * check pass (check.h).
 *
 * A type is written as a YAML value:
 *   a string     int, str?, [int], list[types.Row], dict[str, float],
 *                float | None, types.Row
 *   a list       [T]: a one-item YAML list is a list type
 *   a mapping    {id: int, email: str?}: an object type, one field per key
 * Python's spellings are accepted too: Optional[T], List[T], Dict[str, T],
 * and a bare list or dict (of any).  The language and its run-time meaning
 * (open objects, optional fields, date formats) are in typecheck.h.
 *
 * Lowering: `inputs: {arg: {const: V}, other: {ref: PATH}}` becomes the
 * task's input object {"arg": V, "other": "{{ PATH }}"}: a ref is a single
 * template, which keeps the referenced value's JSON type, so the runtime
 * has one mechanism for both styles.  A task gives `input` or `inputs`,
 * not both.
 *
 * Checks (check.c), each error at the YAML node at fault:
 *   - every types.NAME exists (did-you-mean), named types have no cycles,
 *     unused named types are warned about;
 *   - input_type is an object type;
 *   - a ref's task is a transitive upstream, its path exists in that
 *     task's output_type, and its type is assignable to the input_type
 *     field it feeds;
 *   - in the upstream-by-name style, an upstream's output_type is
 *     assignable to the input_type field named after it (T? when the
 *     trigger lets the task run after the upstream failed or was skipped);
 *   - static input values fit their input_type fields;
 *   - every required input_type field is provided by something.
 * A workflow without types is not checked at all.
 *
 * Ownership: everything hangs off the workflow (workflow.h) and is freed
 * by workflow_release through the functions below.
 *
 * Calls: yamlnode, diag, expr, typecheck.  Never the workflow model. */
#ifndef ORK_TYPES_H
#define ORK_TYPES_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "diag.h"
#include "exprcheck.h"
#include "typecheck.h"
#include "yamlnode.h"

struct expr;

/* One named type of `types:`. */
struct named_type {
	char *name;             /* without "types." */
	struct srcpos pos;      /* of its key */
	struct type *type;      /* owned; NULL when it had errors */
	int used;               /* referenced from anywhere */
};

struct typetab {
	struct named_type *v;
	size_t n;
};

/* One `inputs:` binding. */
struct binding {
	char *arg;              /* the input key it fills */
	struct srcpos pos;      /* of the key */
	int is_ref;             /* 1: {ref: PATH}; 0: {const: V} */
	char *ref;              /* the path as written */
	struct srcpos ref_pos;  /* of the path's first character */
	struct srcpos const_pos;/* of the const value */
	struct expr *path;      /* the parsed path; NULL when it had errors */
	cJSON *value;           /* the lowered input value: V, or the string
				   "{{ PATH }}"; NULL when it had errors.
				   Owned until the workflow moves it into the
				   task's input */
	size_t task;            /* the ref's task, set by the check pass;
				   EXREF_NONE before or when unknown */
};

/* Parse a type written at v; errors go to d.  Names are resolved later,
 * by the check pass.  Returns NULL when v is not a type. */
struct type *types_parse(struct diag *d, const struct ynode *v);

/* `types:` of the workflow. */
void types_parse_named(struct diag *d, const struct ynode *v,
		       struct typetab *tab);
void typetab_release(struct typetab *tab);

/* `inputs:`: the bindings, in file order, into a new *out (*n of them),
 * each with its lowered value. */
void types_parse_inputs(struct diag *d, const struct ynode *v,
			struct binding **out, size_t *n);
void bindings_free(struct binding *b, size_t n);

/* Whether a value of type from is always a value of type to. */
int type_assignable(const struct type *from, const struct type *to);

#endif
