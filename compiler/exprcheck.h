/* exprcheck: the compile-time side of the expression language (SPEC
 * section 5).  Every template string of a task's `input` and `env`, the
 * workflow's `env` and the params' defaults, and every `when:`, is parsed
 * here, and a syntax error is reported at its exact column in the YAML
 * file; the names each expression uses are collected with their file
 * positions, and checked once the graph is known (exprcheck_refs):
 *   - a task name must be a task, and a transitive upstream of the task
 *     that uses it (did-you-mean for unknown names);
 *   - params.NAME must be a declared param;
 *   - item and index exist only in a foreach task (none yet).
 *
 * Positions: a scalar's value is matched against its source text, so the
 * mapping is exact for plain, single-quoted, double-quoted (escapes
 * included) and block scalars on one or several lines; only the blanks a
 * line fold turns into one space map to the fold's first blank.
 *
 * Ownership: a struct exrefs owns its names (exrefs_release). */
#ifndef ORK_EXPRCHECK_H
#define ORK_EXPRCHECK_H

#include <stddef.h>

#include "diag.h"
#include "expr.h"
#include "yamlnode.h"

struct workflow;

/* One name an expression uses. */
struct exref {
	enum expr_root root;
	char *name;             /* task, param, run or env name; owned */
	struct srcpos pos;      /* of the name in the file */
};

struct exrefs {
	struct exref *v;
	size_t n, cap;
};
#define EXREFS_INIT {NULL, 0, 0}

void exrefs_release(struct exrefs *r);

/* The file position of byte off of scalar n's value (off may be its
 * length: just after the value). */
struct srcpos scalar_offset_pos(const struct diag *d, const struct ynode *n,
				size_t off);

/* Parse every template string in v (any YAML value: strings inside lists
 * and mappings too; keys are never templates), reporting errors to d and
 * adding the names used to refs.  Returns the number of template strings
 * (0: v holds none). */
size_t exprcheck_templates(struct diag *d, const struct ynode *v,
			   struct exrefs *refs);
/* A `when:` condition: a string holding one expression (a YAML boolean
 * is taken as the expression true or false).  Returns its text, or NULL
 * after reporting why it is not valid. */
char *exprcheck_when(struct diag *d, const struct ynode *v,
		     struct exrefs *refs);

/* Check the names of every task's and param's expressions, once
 * depends_on is resolved (plan_build).  Reports to d. */
void exprcheck_refs(const struct workflow *wf, struct diag *d);

#endif
