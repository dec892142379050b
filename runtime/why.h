/* why: the files a task declares (sources:, generates:), the record of
 * the spec a task last succeeded with, and `ork why`, which says why a
 * task would run (make -n, sh run.sh -n) and changes nothing.
 *
 * Calls: taskspec, rundir, journal.  Called by exec, lifecycle (ork
 * begin compacts specs.jsonl) and ork. */
#ifndef ORK_WHY_H
#define ORK_WHY_H

#include "rundir.h"
#include "taskspec.h"

/* The first of the task's generates: paths that is not there (after a
 * successful attempt, that fails it), or NULL. */
const char *generates_missing(const struct task_spec *s);

/* Record spec (ORK_SPEC's text) as the definition of the task's last
 * success, which ork why compares with: one line appended to
 * specs.jsonl in the run directory.  Not synced: losing it only makes
 * ork why say less.  0, or -1 with errno set. */
int spec_record(const struct rundir *rd, const char *task, const char *spec);

/* specs.jsonl grows by a line per success; from SPECS_COMPACT_AT bytes
 * on, when at least half of it is lines a later one of the same task
 * replaces, ork begin rewrites it with each task's last line only (in
 * their order, atomically).  0, or -1 with errno set. */
#define SPECS_COMPACT_AT (1 << 20)
int spec_compact(const struct rundir *rd);

/* ork why TASK [UPSTREAM...]: one line, "# TASK: reason; reason", for a
 * task that would run; UPSTREAM names the upstream tasks that run (or
 * would) in this invocation.  Reads ORK_SPEC and the run directory;
 * writes nothing there. */
int cmd_why(int argc, char **argv);

#endif
