/* rundir: the run directory of DESIGN.md, ork's only state.
 *
 *   $ORK_HOME/WORKFLOW/RUN_ID/run.json        the run (state, times, python)
 *                             journal.jsonl   append-only events
 *                             TASK.KEY.json   a succeeded task's output
 *                             logs/TASK.INV.ATTEMPT.log
 *
 * This module knows the names, reads and writes run.json, appends journal
 * events (each one line, one write(2)) and folds the journal back into a
 * per-task history.  Strings in the structs below are owned by them. */
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
 * "default").  Returns 0, or -1 after printing why (unset or bad names). */
int rundir_from_env(struct rundir *rd);
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
/* Write run.json atomically.  Returns 0, or -1 with errno set. */
int rundir_save_run(const struct rundir *rd, const cJSON *run);
/* The run's state as run.json says, except that a "running" run whose
 * driver (run.json's "pid": the make or sh that ran ork begin) is gone is
 * "interrupted": nothing can be running any more. */
const char *run_state(const cJSON *run);

/* Open journal.jsonl for appending; -1 with errno set on failure. */
int journal_open(const struct rundir *rd);
/* Journal events are built in a strbuf: event_start, then members, then
 * journal_write, which closes the object, adds the newline and appends it
 * with one write(2) so that concurrent writers never interleave. */
void event_start(struct strbuf *sb, const char *ev);
void event_str(struct strbuf *sb, const char *key, const char *val);
void event_int(struct strbuf *sb, const char *key, long long val);
void event_num(struct strbuf *sb, const char *key, double val);
void event_bool(struct strbuf *sb, const char *key, int val);
/* A member whose value is JSON text already. */
void event_raw(struct strbuf *sb, const char *key, const char *json);
/* A time member: format_time(t). */
void event_time(struct strbuf *sb, const char *key, double t);
/* Returns 0, or -1 with errno set. */
int journal_write(int fd, struct strbuf *sb);

/* Called for each journal event in order; a non-zero return stops. */
typedef int journal_fn(void *ctx, const cJSON *ev);
/* Parse and pass on the events whose line starts with prefix (NULL: all),
 * so a reader looking for one kind skips the others unparsed.  Lines that
 * are not JSON (a torn write after a crash) are skipped.  Returns 0, or
 * -1 when the journal cannot be read (a missing journal is empty). */
int journal_each(const struct rundir *rd, const char *prefix,
		 journal_fn *fn, void *ctx);

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
 * without an end event), or "not run".  th may be NULL. */
const char *task_state(const struct rundir *rd, const struct task_hist *th);

/* Parse a format_time() text back to seconds since the epoch; 0 or -1. */
int parse_time(const char *s, double *t);
/* "0.42s", "12.3s", "4m05s", "2h03m": a duration for people. */
void format_duration(double secs, char out[32]);

#endif
