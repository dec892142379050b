/* fanout: `ork exec` of a fan-out task (`parallel:`, `foreach:`,
 * `concurrency:`; DESIGN.md, "Fan-out").
 *
 * The artifact runs a fan-out task as one job, `ork exec TASK`, like any
 * other task.  That ork exec (the driver) evaluates the count or the list
 * on the real upstream outputs, and runs each instance as an `ork exec
 * TASK` of its own whose ORK_SPEC is the task's spec with an "instance"
 * member in front (task, index, count, item, upstream) and the instance's
 * key: so every instance has the attempts, retries, timeout, log, lock and
 * journal events of a task, under the name TASK[INDEX].
 *
 * An instance's key hashes the task's key, its item's JSON and its replica
 * number (and, for a task without foreach, the upstream outputs), so an
 * unchanged item keeps its output (RUN/TASK.IKEY.json) when its index
 * moves, and a rerun runs only the instances without one.  The task's
 * output is the list of the instance outputs in index order, written once
 * every instance succeeded.
 *
 * Parallelism: at most `concurrency` instances at once, and beyond the
 * first, one token of GNU make's jobserver each (MAKEFLAGS
 * --jobserver-auth=R,W or fifo:PATH; the sh artifact offers a fifo).
 * Without a jobserver the instances run one at a time.
 *
 * Calls: render (the expressions), rundir, proc, taskspec, jsonx, util. */
#ifndef ORK_FANOUT_H
#define ORK_FANOUT_H

#include <stddef.h>

#include "rundir.h"
#include "taskspec.h"

/* The most instances one task may have. */
#define FANOUT_MAX 10000000L

/* 1 when MAKEFLAGS says `make -n` (or -q, -t): a '+' recipe runs even
 * then, and ork exec must then do nothing. */
int fanout_dry_run(void);

/* Run the instances of the fan-out task s (whose spec text is text) and,
 * when all succeeded, write the list of their outputs to out (fsync()ed
 * when sync).  Returns 0 (succeeded), 1 (failed: why appended to err) or
 * the signal that interrupted it (its running instances were stopped). */
int fanout_run(const struct task_spec *s, const char *text,
	       const struct rundir *rd, const char *out, int sync,
	       struct strbuf *err);

/* Under Slurm (codegen/slurm.sh) a fan-out task with a static count is
 * a job array, one element per instance, and a fan-in job after it.
 * Which part this ork exec of the task plays comes from the environment:
 * ORK_FANOUT_INDEX=I (an array element: run instance I only) or
 * ORK_FANOUT_COLLECT=1 (the fan-in: run no instance, take the outputs
 * there are, and fail naming the instances that have none).  Neither:
 * FANOUT_ALL, the driver that runs every instance itself.  index is set
 * for FANOUT_ONE; FANOUT_BAD: ORK_FANOUT_INDEX is not an index. */
enum fanout_role { FANOUT_ALL, FANOUT_ONE, FANOUT_COLLECT, FANOUT_BAD };
enum fanout_role fanout_role(long *index);

/* An array element: evaluate the instances as fanout_run does, then
 * become (execv) `ork exec TASK` of instance index, unless it has its
 * output already or there is no such instance (then return 0).  Returns
 * 1 (why in err) when the count or list cannot be evaluated. */
int fanout_exec_one(const struct task_spec *s, const char *text,
		    const struct rundir *rd, long index, struct strbuf *err);

/* An item as ork status shows it: a string as it is, anything else as
 * compact JSON, at most 200 bytes (cut on a UTF-8 boundary, "...");
 * NULL for none.  Freshly allocated. */
char *fanout_item_text(const cJSON *item);

/* An instance's static input members: s->input, then "item" for foreach,
 * then for a process task "parallel_index" and "parallel_count"
 * (contract.h).  Freshly allocated. */
char *fanout_instance_input(const struct task_spec *s);

#endif
