/* lifecycle: the start and the end of one invocation of a run.
 *
 * `ork begin` opens an invocation: it creates the run directory, bumps the
 * invocation number in run.json and, for workflows with Python tasks,
 * resolves the interpreter once (so tasks do not each go through a pyenv
 * shim).  `ork end TASK...` closes it: it works out every task's state,
 * records the run's, and prints a summary, failing when a task failed. */
#ifndef ORK_LIFECYCLE_H
#define ORK_LIFECYCLE_H

#include "rundir.h"

int cmd_begin(int argc, char **argv);
int cmd_end(int argc, char **argv);

/* Start invocation N+1 of rd (1 for a new run); with python, resolve
 * $ORK_PYTHON into run.json's "python".  Returns 0, or -1 after printing
 * why. */
int run_begin(const struct rundir *rd, int python);

/* Append to sb one "ork:   TASK: STATE (REASON); log: PATH" line per task
 * of rd's run that failed or did not run (the tasks ork end recorded, or,
 * when it did not get to, those the journal shows failed or interrupted).
 * Returns how many. */
int run_failures(const struct rundir *rd, struct strbuf *sb);

/* What an `on_failure: run` task reads at $ORK_UPSTREAM_FAILURES: a JSON
 * array with one object per task of tasks[0..n) that did not succeed,
 * {"task", "state" (failed, skipped, interrupted, not run), "reason"
 * (or null), "exit" (the last attempt's exit status, or null), "log"
 * (its last attempt's log, relative to the run directory, or null)}.  NULL when all
 * succeeded (or the journal cannot be read).  Owned by the caller. */
char *upstream_report(const struct rundir *rd, const char *const *tasks,
		      size_t n);

/* Whether to colour what goes to fd: not when NO_COLOR is set (and not
 * empty); always when CLICOLOR_FORCE is (and not 0); else when fd is a
 * terminal other than TERM=dumb. */
int use_color(int fd);

#endif
