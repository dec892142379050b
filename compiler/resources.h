/* resources: a task's `resources:` mapping, what a cluster scheduler is
 * asked for (orkc -t slurm turns it into sbatch options; the other
 * backends ignore it).  Not part of the task spec or key.
 *
 *   resources: {cpus: 4, memory: 8G, time: "2:00:00", partition: short,
 *               account: proj1, gpus: "a100:2"}
 *
 * Every value is checked here, at its line and column, so that what
 * reaches an sbatch command line is a plain word: digits, letters and a
 * few of ._-:, nothing a shell or sbatch would take specially.
 *
 * Calls: yamlnode, diag, util. */
#ifndef ORK_RESOURCES_H
#define ORK_RESOURCES_H

#include "diag.h"
#include "yamlnode.h"

struct resources {
	int set;            /* the task has a resources: mapping */
	long cpus;          /* --cpus-per-task; 0: not given */
	char *memory;       /* --mem, "4096M", "8G"; NULL: not given */
	double time;        /* seconds; 0: from timeout and retries */
	char *partition;    /* --partition; NULL: not given */
	char *account;      /* --account; NULL: not given */
	char *gpus;         /* --gpus, "2" or "a100:2"; NULL: not given */
};

/* Parse v (the value of resources:) into r, reporting problems to d. */
void resources_parse(struct diag *d, const struct ynode *v,
		     struct resources *r);
void resources_release(struct resources *r);

#endif
