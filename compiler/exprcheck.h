/* exprcheck: the parse side of the expression language (templates
 * `{{ EXPR }}` and `when:` conditions; the language is common/expr.h).
 * Every template string of a task's `input` and `env`, the workflow's
 * `env` and the params' defaults, and every `when:`, is parsed here, and a
 * syntax error is reported at its exact column in the YAML file; the names
 * each expression uses are collected with their file positions.  Whether
 * those names exist and are upstream is a whole-graph question, answered
 * by the plan's check pass (check.h), not here.
 *
 * Calls: yamlnode, diag, expr, template.  Never the workflow model.
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

/* One name an expression uses. */
struct exref {
	enum expr_root root;
	char *name;             /* task, param, run or env name; owned */
	struct srcpos pos;      /* of the name in the file */
	size_t task;            /* ROOT_TASK: the task's index, set by the
				   check pass (check.h); EXREF_NONE before,
				   or when it names no task */
};
#define EXREF_NONE ((size_t)-1)

struct exrefs {
	struct exref *v;
	size_t n, cap;
};
#define EXREFS_INIT {NULL, 0, 0}

void exrefs_release(struct exrefs *r);

/* The file position of byte off of scalar n's value (off may be its
 * length: just after the value). */
struct srcpos scalar_offset_pos(struct diag *d, const struct ynode *n,
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

#endif
