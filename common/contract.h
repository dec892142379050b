/* contract: what an artifact (written by orkc) and the runtime (ork) must
 * agree on, written once and included by both sides: executor and trigger
 * names, the name rules, the key length, and the member names of the task
 * spec (ORK_SPEC) and the run spec (ORK_RUN_SPEC).  DESIGN.md describes
 * the spec member by member; a change here is a change of the artifact
 * format.
 *
 * Calls: nothing but libc. */
#ifndef ORK_CONTRACT_H
#define ORK_CONTRACT_H

#include <stddef.h>

/* library: a shared object exporting Ork's C ABI, ork_task_run and
 * ork_task_free (runtime/library.h); its path is the spec's "file". */
enum executor { EXECUTOR_PYTHON, EXECUTOR_PROCESS, EXECUTOR_LIBRARY,
		EXECUTOR_COUNT };

enum trigger {
	TRIGGER_ALL_SUCCESS,   /* the default; on_failure: skip */
	TRIGGER_ALL_DONE,      /* on_failure: run */
	TRIGGER_NONE_FAILED,
	TRIGGER_ONE_SUCCESS,
	TRIGGER_COUNT
};

/* Names as written in workflows and specs, indexed by the enums above;
 * NULL-terminated (for closest_match). */
extern const char *const executor_names[EXECUTOR_COUNT + 1];
extern const char *const trigger_names[TRIGGER_COUNT + 1];
const char *executor_name(enum executor e);
const char *trigger_name(enum trigger t);
/* The index of s in names (NULL-terminated), or -1. */
int contract_lookup(const char *const *names, const char *s);

/* A task key: TASK_KEY_LEN lowercase hex digits, a hash of what defines
 * the task's result (DESIGN.md); part of the output file name. */
/* ork's exit statuses, which the artifacts rely on (make stops at a
 * non-zero recipe; ork exec exits ORK_EXIT_OK for a task that failed, so
 * make goes on with the others and ork end reports it). */
enum ork_exit {
	ORK_EXIT_OK = 0,       /* success; ork exec: the task reached a final state */
	ORK_EXIT_FAILED = 1,   /* ork end/status: the run failed; cancel: not running */
	ORK_EXIT_USAGE = 2,    /* usage, environment, spec or run directory errors */
};

#define TASK_KEY_LEN 16

/* Task and workflow names end up in file names (TASK.KEY.json,
 * logs/TASK.N.M.log, the run directory); this keeps them well under any
 * file system's limit. */
#define NAME_MAX_LEN 100

/* [A-Za-z_][A-Za-z0-9_-]*: a task or workflow name. */
int valid_name(const char *s);
/* [A-Za-z_][A-Za-z0-9_]*: an environment variable name in `env`. */
int valid_env_name(const char *s);
/* [A-Za-z0-9._-]+, not "." or ".." and not starting with '-': safe as one
 * path component and never taken for an option. */
int valid_run_id(const char *s);

/* Members of the task spec (ORK_SPEC). */
#define SPEC_M_TASK            "task"
#define SPEC_M_KEY             "key"
#define SPEC_M_EXECUTOR        "executor"
#define SPEC_M_FILE            "file"
#define SPEC_M_MODULE          "module"
#define SPEC_M_FUNCTION        "function"
#define SPEC_M_ARGV            "argv"
#define SPEC_M_SCRIPT          "script"
#define SPEC_M_INPUT           "input"
#define SPEC_M_DEPS            "deps"      /* [{"task": NAME, "key": KEY}] */
#define SPEC_M_ENV             "env"
#define SPEC_M_TIMEOUT         "timeout"
#define SPEC_M_RETRIES         "retries"
#define SPEC_M_RETRY_DELAY     "retry_delay"
#define SPEC_M_RETRY_BACKOFF   "retry_backoff"
#define SPEC_M_RETRY_MAX_DELAY "retry_max_delay"
#define SPEC_M_RETRY_ON        "retry_on"
#define SPEC_M_TRIGGER         "trigger"
#define SPEC_M_OUTPUT_TYPE     "output_type"
#define SPEC_M_WHEN            "when"
#define SPEC_M_TEMPLATES       "templates"
#define SPEC_M_REFS            "refs"      /* like deps */
#define SPEC_M_EXACT_INPUT     "exact_input" /* true: no upstream members */
/* Fan-out (runtime/fanout.h): {"parallel": N or "EXPR", "foreach":
 * "EXPR"} in the key, "concurrency": K beside the policy; "instance" only
 * in the spec ork exec gives one instance ({"task", "index", "count",
 * "item", "upstream"}), never written by orkc. */
#define SPEC_M_FANOUT          "fanout"
#define SPEC_M_PARALLEL        "parallel"
#define SPEC_M_FOREACH         "foreach"
#define SPEC_M_CONCURRENCY     "concurrency"
#define SPEC_M_INSTANCE        "instance"
/* Members a fan-out instance finds in its input beside the task's own:
 * its item (foreach) and, for a process task, its place (a Python task
 * has ctx.parallel_index and ctx.parallel_count instead; every instance
 * has ORK_PARALLEL_INDEX and ORK_PARALLEL_COUNT in its environment).
 * orkc refuses an input key or upstream task of that name. */
#define INSTANCE_M_ITEM        "item"
#define INSTANCE_M_INDEX       "parallel_index"
#define INSTANCE_M_COUNT       "parallel_count"
#define SPEC_M_SOURCES         "sources"   /* [PATH or GLOB], optional */
#define SPEC_M_GENERATES       "generates" /* [PATH], optional */
/* Members of the run spec (ORK_RUN_SPEC). */
#define RUNSPEC_M_PARAMS       "params"    /* {NAME: {"type", "default"}} */
#define RUNSPEC_M_TYPE         "type"
#define RUNSPEC_M_DEFAULT      "default"
#define RUNSPEC_M_TIMEZONE     "timezone"

#endif
