/* taskspec: the task spec of DESIGN.md (ORK_SPEC), parsed and checked.
 *
 * Everything ork exec needs to know about a task arrives in this one JSON
 * object.  The static input is kept as the raw text of its members, never
 * re-serialised, so numbers and strings reach the task byte for byte.
 * Pointers in struct task_spec point into memory the struct owns. */
#ifndef ORK_TASKSPEC_H
#define ORK_TASKSPEC_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "contract.h"
#include "typecheck.h"

/* The contract's names (contract.h), under the runtime's spelling. */
enum spec_executor {
	SPEC_PYTHON = EXECUTOR_PYTHON, SPEC_PROCESS = EXECUTOR_PROCESS,
	SPEC_LIBRARY = EXECUTOR_LIBRARY,
};
enum spec_trigger {
	SPEC_ALL_SUCCESS = TRIGGER_ALL_SUCCESS, SPEC_ALL_DONE = TRIGGER_ALL_DONE,
	SPEC_NONE_FAILED = TRIGGER_NONE_FAILED, SPEC_ONE_SUCCESS = TRIGGER_ONE_SUCCESS,
};

struct spec_dep {
	const char *task;
	const char *key;
};

struct spec_env {
	const char *name;
	const char *value;
};

struct task_spec {
	const char *task;
	const char *key;             /* safe as part of a file name */
	enum spec_executor executor;
	const char *file, *module, *function;  /* python; NULL when absent;
					   file: a library's shared object */
	char **argv;                 /* process, NULL-terminated; or NULL */
	const char *script;          /* process, for /bin/sh -c; or NULL */
	const char *input;           /* the static input's members, without */
	size_t ninput;               /* the braces; ninput 0 for {} */
	struct spec_dep *deps;
	size_t ndeps;
	struct spec_env *env;
	size_t nenv;
	struct spec_env *secrets;    /* name: the task's variable, value: the
					secret's name (secrets.h) */
	size_t nsecrets;
	double timeout;              /* seconds per attempt; <= 0: none */
	long retries;
	double retry_delay, retry_backoff;
	double retry_max_delay;      /* < 0: no cap */
	int *retry_on;               /* exit codes; none: any failure retries */
	size_t nretry_on;
	enum spec_trigger trigger;
	struct type *output_type;    /* typed mode: the output must fit it;
					NULL for untyped tasks; owned */
	/* expressions (render.h); absent for most tasks, which then cost
	 * nothing */
	const char *when;            /* the condition, or NULL */
	int templates;               /* input or env strings hold {{ }} */
	int exact_input;             /* `inputs:`: the input is the static
					members only, no upstream ones */
	struct spec_dep *refs;       /* tasks whose outputs they read */
	size_t nrefs;
	/* fan-out (fanout.h): a task with "fanout" runs its instances */
	int fanout;                  /* the spec has "fanout" */
	double parallel;             /* parallel: N, or -1 */
	const char *parallel_expr;   /* parallel: EXPR, or NULL */
	const char *foreach;         /* foreach: EXPR, or NULL */
	long concurrency;            /* cap on running instances; 0: none */
	/* one instance of a fan-out task ("instance", written by ork exec) */
	int instance;                /* this spec is an instance's */
	const char *instance_task;   /* the fan-out task's name */
	long index, count;           /* its index and the instance count */
	const cJSON *item;           /* foreach: its item (in root); or NULL */
	int upstream;                /* upstream outputs go into its input */
	const char **sources;        /* paths or globs the task reads */
	size_t nsources;
	const char **generates;      /* paths it writes: checked after a */
	size_t ngenerates;           /* successful attempt */
	cJSON *root;                 /* owns the strings above */
	char *text;                  /* owns input */
};

/* Parse text into s.  Returns 0, or -1 with a message appended to err
 * ("member 'timeout' must be a number"); s needs spec_release either way. */
int spec_parse(struct task_spec *s, const char *text, struct strbuf *err);
void spec_release(struct task_spec *s);

const char *spec_trigger_name(enum spec_trigger t);
/* The delay before attempt k+1 after attempt k failed (k >= 1). */
double spec_retry_delay(const struct task_spec *s, int k);
/* Whether a failed attempt that exited with code (or -1: signal, timeout,
 * bad output...) may be retried under retry_on. */
int spec_retries_exit(const struct task_spec *s, int code);

#endif
