/* rundir: the run directory of DESIGN.md, ork's only state.
 *
 *   $ORK_HOME/WORKFLOW/RUN_ID/run.json        the run (state, times, python)
 *                             journal.jsonl   append-only events
 *                             TASK.KEY.json   a succeeded task's output
 *                             logs/TASK.INV.ATTEMPT.log
 *
 * This module knows the names and the directory's owner, and reads and
 * writes run.json; journal.h appends and reads the events, history.h folds
 * them back into a per-task history.  Strings in the structs below are
 * owned by them. */
#ifndef ORK_RUNDIR_H
#define ORK_RUNDIR_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "contract.h"   /* valid_name, valid_run_id */
#include "util.h"

struct rundir {
	char *home;       /* $ORK_HOME, default ".ork" */
	char *workflow;
	char *run_id;
	char *path;       /* home/workflow/run_id, as the user would type it */
};

/* The run named by ORK_HOME, ORK_WORKFLOW and ORK_RUN_ID (default
 * "default").  Returns 0, or -1 after printing why (unset or bad names, or
 * rundir_check refused). */
int rundir_from_env(struct rundir *rd);
/* Refuse a run whose workflow or run directory (where they exist) belongs
 * to another user, or whose ORK_HOME others could rearrange (not ours,
 * writable by others, not sticky): files planted there would be read as
 * outputs or written through.  0, or -1 after printing why. */
int rundir_check(const struct rundir *rd);
/* The run whose directory is dir (…/WORKFLOW/RUN_ID); -1 if dir holds no
 * run.json. */
int rundir_from_path(struct rundir *rd, const char *dir);
void rundir_release(struct rundir *rd);
/* rd->path "/" printf(fmt, ...), freshly allocated. */
char *rundir_file(const struct rundir *rd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* rd->path made absolute (for tasks that change directory). */
char *rundir_abspath(const struct rundir *rd);

/* run.json as a tree, or NULL when missing or unreadable. */
cJSON *rundir_load_run(const struct rundir *rd);
/* The same without the member "tasks" (the run's task names), which a
 * task never needs: read without parsing them, so that a task's cost does
 * not grow with the number of tasks in the run. */
cJSON *rundir_load_run_head(const struct rundir *rd);
/* Write run.json atomically, its member "tasks" last.  Returns 0, or -1
 * with errno set. */
int rundir_save_run(const struct rundir *rd, const cJSON *run);
/* The run's state as run.json says, except that a "running" run whose
 * driver (run.json's "pid": the make or sh that ran ork begin) is gone is
 * "interrupted": nothing can be running any more. */
const char *run_state(const cJSON *run);
/* The process exists (perhaps as another user's). */
int pid_alive(long pid);
/* path is a regular file, not a symbolic link to one: how ork tells that
 * an output exists. */
int is_regular(const char *path);

/* Parse a format_time() text back to seconds since the epoch; 0 or -1. */
int parse_time(const char *s, double *t);
/* "0.42s", "12.3s", "4m05s", "2h03m": a duration for people. */
void format_duration(double secs, char out[32]);

#endif
