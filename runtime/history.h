/* history: the journal (journal.h) folded into one record per task, and
 * the task states that ork end and ork status report. */
#ifndef ORK_HISTORY_H
#define ORK_HISTORY_H

#include <stddef.h>

#include "rundir.h"

/* What the journal says about one task. */
struct task_hist {
	char *task;
	char *state;     /* of the last end: succeeded failed skipped; NULL if none */
	char *reason;    /* of the last end */
	char *key;       /* of the last end */
	char *log;       /* log of the latest start, relative to the run dir */
	char *started;   /* time of the last end's execution start */
	char *finished;  /* time of the last end */
	int attempts;    /* of the last end, or of the running execution */
	int inv;         /* invocation of the latest start or end */
	double duration; /* of the last end */
	int exit_code;   /* of the latest attempt; -1 when it did not exit */
	int signal;      /* of the latest attempt, or 0 */
	long pid;        /* ork exec of a start not (yet) followed by an end */
	int open;        /* the latest start has no end */
	char *since;     /* time of the open execution's first start, or NULL */
	char *item;      /* an instance's item (fanout.h), or NULL */
	char *job;       /* Slurm job id of the latest "queued" event (slurm.h) */
	int job_inv;     /* its invocation */
	int queued;      /* that event is the latest: no start or end since */
};

struct history {
	struct task_hist *tasks;   /* in order of first appearance */
	size_t ntasks, cap;
	size_t *index;             /* hash table of task positions + 1 */
	size_t nindex;
};
#define HISTORY_INIT {NULL, 0, 0, NULL, 0}

/* Fold the journal into h.  Returns as journal_each. */
int history_load(struct history *h, const struct rundir *rd);
/* The task's record, or NULL when the journal never mentions it. */
struct task_hist *history_get(const struct history *h, const char *task);
void history_release(struct history *h);
/* The task's current state: "succeeded" (its output file exists), "failed",
 * "skipped", "running" (its ork exec is alive), "interrupted" (it died
 * without an end event), "queued" (its Slurm job waits), or "not run".
 * th may be NULL. */
const char *task_state(const struct rundir *rd, const struct task_hist *th);

#endif
