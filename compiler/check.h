/* check: the one pass of whole-graph checks, run by plan_build once
 * depends_on is resolved and ordered.  Everything that needs more than
 * one value of the file at a time is here; the parse-side modules
 * (exprcheck, types, params, schedule) only read single values.
 *   - expression names: a task name must be a task (did-you-mean), not
 *     the task itself, and a transitive upstream of the task using it; the
 *     workflow's env and params' defaults cannot read tasks; params.NAME
 *     must be declared (a default only the params above it); item and
 *     index exist only in a foreach task (none yet).  Each task name's
 *     index is recorded in its exref (exref.task).
 *   - types (types.h): named types resolved, cycles cut and reported,
 *     unused ones warned about; `inputs:` refs name an upstream task
 *     (binding.task recorded) and a path its output_type has, of a type
 *     assignable to the input_type field; upstream outputs named like
 *     input_type fields fit them; static inputs fit their fields; every
 *     required field is provided.
 *   - a static input key must not be the name of an upstream task (its
 *     output arrives under that key), unless the task has inputs: (its
 *     input is exactly its bindings, which then name the input_type's
 *     fields, and whose refs name tasks of its own depends_on);
 *   - python task files exist (relative to the root taskroot.h picked;
 *     another executor's file may be missing: a warning);
 *   - no template reads a secret through env.NAME (secret.h).
 *
 * Calls: the workflow model, upstream, secret, typecheck, expr, taskroot,
 * util. */
#ifndef ORK_CHECK_H
#define ORK_CHECK_H

#include "diag.h"
#include "upstream.h"
#include "workflow.h"

/* Run every check; returns the number of errors reported to d. */
int check_plan(const struct workflow *wf, struct upstream *up, struct diag *d);

#endif
