/* workflow: the workflow model (the file's top-level keys and its tasks),
 * built from the YAML tree with every key checked: required keys, value
 * types and ranges, unknown keys (with a did-you-mean), task names,
 * executor requirements.  Checks that need the whole graph (dependencies,
 * cycles, expression names, types, files) live in plan.h and check.h.
 *
 * A struct workflow owns everything it points to; workflow_release frees it.
 *
 * Calls: yamlnode and the per-value parsers exprcheck, types, params,
 * schedule; contract (names), template.  Nothing above it. */
#ifndef ORK_WORKFLOW_H
#define ORK_WORKFLOW_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "contract.h"
#include "diag.h"
#include "exprcheck.h"
#include "params.h"
#include "resources.h"
#include "types.h"
#include "yamlnode.h"

struct envvar {
	char *name;
	char *value;
	struct srcpos pos;      /* of the key */
};

struct input_key {
	char *key;
	struct srcpos pos;
};

struct dep {
	char *name;
	struct srcpos pos;      /* of the list item */
	size_t task;            /* index into workflow.tasks, set by plan_build;
				   DEP_UNRESOLVED when it names no valid
				   dependency */
};
#define DEP_UNRESOLVED ((size_t)-1)

struct task {
	char *name;             /* in workflow.task_names */
	struct srcpos pos;      /* of the task's key under tasks: */
	enum executor executor;
	/* python: file or module, and function ("main" unless given) */
	char *file;
	struct srcpos file_pos; /* of the file: value */
	char *module;
	char *function;
	struct srcpos module_pos, function_pos;  /* of the values; line 0:
						    not given */
	/* process: argv list, or a script string run by /bin/sh -c */
	char **argv;
	size_t argc;
	char *script;
	cJSON *input;           /* static input: an object, possibly empty */
	struct input_key *input_keys;  /* top-level input keys, in file order */
	size_t ninput_keys;
	struct envvar *env;     /* the task's own env, in file order */
	size_t nenv;
	struct envvar *secrets; /* env VAR: {secret: NAME}: value is NAME */
	size_t nsecrets;        /* (secret.h) */
	struct dep *deps;
	size_t ndeps;
	double timeout;         /* seconds per attempt, > 0; default 3600 */
	long retries;           /* extra attempts; default 0 */
	double retry_delay;     /* seconds, default 0 */
	double retry_backoff;   /* multiplier, default 1 */
	double retry_max_delay; /* seconds; < 0 means no cap (the default) */
	int *retry_on;          /* exit codes that are retried; none: any */
	size_t nretry_on;
	enum trigger trigger;
	/* typed mode (types.h); NULL: not declared */
	struct type *input_type;
	struct type *output_type;   /* output_type, or its synonym output */
	struct binding *inputs;     /* inputs: bindings, already lowered into
				       input and input_keys */
	size_t ninputs;
	int exact_input;            /* inputs: given: the input is exactly
				       the bindings, no upstream members */
	/* expressions (exprcheck.h) */
	char *when;             /* the condition, or NULL */
	struct exrefs refs;     /* names used by its templates and when */
	int templates;          /* a string of input or env holds {{ }} */
	char *description;      /* description:, or NULL; not in the spec */
	/* fan-out (DESIGN.md, "Fan-out"): instances run by ork exec */
	long parallel;          /* parallel: N (a static count), or -1 */
	char *parallel_expr;    /* parallel: EXPR, or NULL */
	char *foreach;          /* foreach: EXPR, or NULL */
	struct srcpos foreach_pos;  /* of its value */
	long concurrency;       /* cap on running instances; 0: none */
	struct resources resources;  /* resources:, for -t slurm; not in
					the spec */
	/* Files it reads and writes, as written (relative to the directory
	 * the artifact runs in, like file:): a source holding *, ? or [ is a
	 * glob.  Both lists are in the spec and the key; the sources' content
	 * is not (a newer source re-runs the task, as in make). */
	char **sources;
	size_t nsources;
	char **generates;
	size_t ngenerates;
	struct srcpos sources_pos, generates_pos;  /* of the keys */
};
/* A task that fans out into instances. */
#define TASK_FANS_OUT(t) ((t)->parallel >= 0 || (t)->parallel_expr || (t)->foreach)

struct taskroot;

struct workflow {
	char *path;             /* the file as named on the command line */
	struct taskroot *root;  /* where relative task files are (taskroot.h) */
	char *name;
	char *description;      /* or NULL */
	char *schedule;         /* or NULL; checked by the cron work */
	struct srcpos schedule_pos;
	char *timezone;         /* or NULL */
	char *catchup;          /* none, latest or all; NULL: none */
	char *python;           /* or NULL: interpreter for python tasks */
	struct envvar *env;     /* workflow-wide env, in file order */
	size_t nenv;
	struct envvar *secrets; /* workflow-wide secrets (secret.h) */
	size_t nsecrets;
	struct typetab types;   /* named types: (types.h) */
	struct param *params;   /* run-time parameters (params.h), file order */
	size_t nparams;
	struct exrefs env_refs; /* names used by env templates */
	int env_templates;      /* a value of env holds {{ }} */
	struct task *tasks;     /* in file order */
	size_t ntasks;
	char *task_names;       /* the tasks' names, one block that their
				   name members point into */
	const char **names;     /* task names in file order, NULL-terminated
				   (for closest_match) */
	size_t *index;          /* hash table of task indices + 1, for
				   workflow_find_task */
	size_t nindex;          /* its size, a power of two */
	int same_names;         /* two tasks have one name (their keys differ
				   after a NUL): an error */
	int old_version;        /* orkc --diff's OLD: its task files may be
				   gone, so they are not looked for */
};

/* The most tasks a workflow may have (man orkc, LIMITS). */
#define WORKFLOW_MAX_TASKS 200000

/* Build wf from the YAML root.  Every problem is reported to d; returns the
 * number of errors found (0: wf is complete and usable).  Even with errors
 * wf holds every task, a bad field left at its default, so plan_build can
 * still look for the graph's problems; release it either way. */
int workflow_from_yaml(const struct ynode *root, const char *path,
		       struct diag *d, struct workflow *wf);
void workflow_release(struct workflow *wf);
/* The environment task t runs with, into a new *env (free it; the
 * variables are borrowed): the workflow's env in file order, a task value
 * replacing a workflow value of the same name in place, then the task's
 * own names.  Returns the count. */
size_t workflow_task_env(const struct workflow *wf, const struct task *t,
			 const struct envvar ***env);
/* Index of the task with this name, or -1. */
long workflow_find_task(const struct workflow *wf, const char *name);
/* The keys a workflow file may use (NULL-terminated, in the order of
 * workflow.c's tables): the top level's, or with task_level a task's.
 * For the schema and the manual (schema.h), which must know every key. */
const char *const *workflow_keys(int task_level);
/* 1 when key is recognised but not supported yet (an error to use). */
int workflow_key_later(const char *key);

#endif
