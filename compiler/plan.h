/* plan: the validated plan.  Resolves depends_on, rejects missing, self and
 * duplicate dependencies, reports every cycle with its whole path, orders
 * the tasks, sets up the upstream questions (upstream.h), runs the one
 * pass of whole-graph checks (check.h), collects what each task's
 * expressions read, and computes each task's key from its spec
 * (specwrite.h), in dependency order.
 *
 * A plan borrows its workflow, which must outlive it; plan_release frees
 * what it owns.
 *
 * Calls: workflow (model), upstream, check, specwrite.  Called by orkc and
 * read by codegen. */
#ifndef ORK_PLAN_H
#define ORK_PLAN_H

#include <stddef.h>

#include "diag.h"
#include "specwrite.h"
#include "upstream.h"
#include "workflow.h"

struct plan {
	const struct workflow *wf;
	size_t *order;        /* task indices, dependencies first; among tasks
				 that are ready together, file order */
	size_t norder;        /* tasks in order: all of them unless there is
				 a cycle (an error) */
	char (*keys)[TASK_KEY_LEN + 1];  /* per task: hash of what defines its
					    result (see DESIGN.md) */
	struct strbuf defs;   /* every task's defining members as its key
				 hashes them (specwrite.h spec_key), reused
				 by the spec */
	struct defining *defining;  /* per task: its part of defs */
	size_t **downstream;  /* per task: indices of tasks that depend on it,
				 all in one block that downstream[0] holds */
	size_t *ndownstream;
	size_t **refs;        /* per task: the tasks its expressions and
				 `inputs:` refs read, each once, in file order */
	size_t *nrefs;
	struct upstream up;   /* "is u upstream of i?" (upstream.h) */
};

/* Returns the number of errors reported to d; 0 means p is usable (when
 * wf itself had none).  It may run on a workflow with errors, to report
 * the rest of the file's problems in the same run; release p either way. */
int plan_build(const struct workflow *wf, struct diag *d, struct plan *p);
void plan_release(struct plan *p);

#endif
