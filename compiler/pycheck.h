/* pycheck: `orkc --check`'s questions to the workflow's python, the ones
 * Ork's validate-workflow answers: does each python task's file compile,
 * is its module found, does it define its function, and do the function's
 * parameters take the input the task gets (Ork's calling rules:
 * README "Python tasks").  The python side is compiler/pycheck.py,
 * embedded at build time (pycheck.inc) and run as `PYTHON -c SCRIPT` once
 * per check, for all tasks at once: one interpreter start (some 20-50 ms)
 * plus a parse of each distinct file.  It reads the files' syntax trees
 * only: no task code and no import of the task's packages runs.
 *
 * PYTHON is the workflow's `python:`, else $PYTHON, else python3.  When it
 * cannot be started, or answers nonsense, nothing is reported but a note
 * on stderr: the check is a help, never a gate the machine must pass.
 *
 * Calls: the workflow model, taskroot, diag, jsonx, util. */
#ifndef ORK_PYCHECK_H
#define ORK_PYCHECK_H

#include "diag.h"
#include "workflow.h"

/* Check wf's python tasks; problems go to d at the task's lines.  Returns
 * the number of errors reported. */
int pycheck_run(const struct workflow *wf, struct diag *d);

#endif
