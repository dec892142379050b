/* history: see history.h. */
#include "history.h"

#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "jsonx.h"
#include "slurm.h"

/* ---- history ------------------------------------------------------------ */

static size_t hash_name(const char *s)
{
	return (size_t)fnv1a64(s, strlen(s), FNV1A64_INIT);
}

struct task_hist *history_get(const struct history *h, const char *task)
{
	if (!h->nindex)
		return NULL;
	for (size_t i = hash_name(task) & (h->nindex - 1);; i = (i + 1) & (h->nindex - 1)) {
		size_t slot = h->index[i];
		if (!slot)
			return NULL;
		if (!strcmp(h->tasks[slot - 1].task, task))
			return &h->tasks[slot - 1];
	}
}

static void reindex(struct history *h)
{
	free(h->index);
	h->nindex = 16;
	while (h->nindex < h->ntasks * 2)
		h->nindex *= 2;
	h->index = xcalloc(h->nindex, sizeof *h->index);
	for (size_t t = 0; t < h->ntasks; t++) {
		size_t i = hash_name(h->tasks[t].task) & (h->nindex - 1);
		while (h->index[i])
			i = (i + 1) & (h->nindex - 1);
		h->index[i] = t + 1;
	}
}

static struct task_hist *history_add(struct history *h, const char *task)
{
	struct task_hist *th = history_get(h, task);
	if (th)
		return th;
	h->tasks = xgrow(h->tasks, &h->cap, h->ntasks + 1, sizeof *h->tasks);
	th = &h->tasks[h->ntasks++];
	memset(th, 0, sizeof *th);
	th->task = xstrdup(task);
	th->exit_code = -1;
	if (h->ntasks * 2 > h->nindex)
		reindex(h);
	else {
		size_t i = hash_name(task) & (h->nindex - 1);
		while (h->index[i])
			i = (i + 1) & (h->nindex - 1);
		h->index[i] = h->ntasks;
	}
	return th;
}

static void set_str(char **dst, const cJSON *ev, const char *key)
{
	const char *v = jsonx_get_string(ev, key);
	free(*dst);
	*dst = v ? xstrdup(v) : NULL;
}

static int fold_event(void *ctx, const cJSON *ev)
{
	struct history *h = ctx;
	const char *kind = jsonx_get_string(ev, "ev");
	const char *task = jsonx_get_string(ev, "task");
	if (!kind || !task)
		return 0;
	struct task_hist *th = history_add(h, task);
	int inv = (int)jsonx_get_number(ev, "inv", 0);
	if (!strcmp(kind, "queued")) {
		/* Queued by `ork slurm record`, which may come after the
		 * job's ork exec has already started. */
		set_str(&th->job, ev, "job");
		th->job_inv = inv;
		th->queued = th->inv < inv;
		return 0;
	}
	th->queued = 0;
	if (!strcmp(kind, "start")) {
		if (!th->open || jsonx_get_number(ev, "attempt", 1) <= 1)
			set_str(&th->since, ev, "time");
		th->open = 1;
		th->inv = inv;
		th->attempts = (int)jsonx_get_number(ev, "attempt", 1);
		th->pid = (long)jsonx_get_number(ev, "pid", 0);
		/* Started in a Slurm job (an array element's instance has
		 * no queued event of its own). */
		if (jsonx_get_string(ev, "job")) {
			set_str(&th->job, ev, "job");
			th->job_inv = inv;
		}
		th->exit_code = -1;
		th->signal = 0;
		set_str(&th->log, ev, "log");
		if (cJSON_GetObjectItemCaseSensitive(ev, "item"))
			set_str(&th->item, ev, "item");
	} else if (!strcmp(kind, "attempt")) {
		th->exit_code = (int)jsonx_get_number(ev, "exit", -1);
		th->signal = (int)jsonx_get_number(ev, "signal", 0);
	} else if (!strcmp(kind, "end")) {
		th->open = 0;
		th->inv = inv;
		th->attempts = (int)jsonx_get_number(ev, "attempts", 0);
		th->duration = jsonx_get_number(ev, "duration", 0);
		set_str(&th->state, ev, "state");
		set_str(&th->reason, ev, "reason");
		set_str(&th->key, ev, "key");
		set_str(&th->started, ev, "started");
		set_str(&th->finished, ev, "time");
		if (th->attempts == 0) {
			/* Skipped: no attempt of this execution to show. */
			free(th->log);
			th->log = NULL;
			th->exit_code = -1;
			th->signal = 0;
		}
	}
	return 0;
}

int history_load(struct history *h, const struct rundir *rd)
{
	return journal_each(rd, NULL, fold_event, h);
}

void history_release(struct history *h)
{
	for (size_t i = 0; i < h->ntasks; i++) {
		struct task_hist *th = &h->tasks[i];
		free(th->task);
		free(th->state);
		free(th->reason);
		free(th->key);
		free(th->log);
		free(th->item);
		free(th->started);
		free(th->finished);
		free(th->since);
		free(th->job);
	}
	free(h->tasks);
	free(h->index);
	memset(h, 0, sizeof *h);
}

const char *task_state(const struct rundir *rd, const struct task_hist *th)
{
	if (!th)
		return "not run";
	if (th->queued || (th->open && th->job && th->job_inv == th->inv)) {
		/* A Slurm job's process may be on another node: ask Slurm. */
		const char *js = slurm_job_state(th->job);
		if (!js)
			return th->queued ? "queued" : "running";
		if (!strcmp(js, "RUNNING") || !strcmp(js, "COMPLETING"))
			return "running";
		if (*js && th->queued)
			return "queued";
		return th->queued ? "not run" : "interrupted";
	}
	if (th->open)
		return pid_alive(th->pid) ? "running" : "interrupted";
	if (!th->state)
		return "not run";
	if (!strcmp(th->state, "succeeded") && th->key) {
		/* "Done" means the output exists, whatever the journal says. */
		/* An instance TASK[N] of a fan-out task (fanout.h) has its
		 * output under TASK. */
		const char *b = strchr(th->task, '[');
		int n = b ? (int)(b - th->task) : (int)strlen(th->task);
		char *out = rundir_file(rd, "%.*s.%s.json", n, th->task, th->key);
		int ok = is_regular(out);
		free(out);
		return ok ? "succeeded" : "not run";
	}
	return th->state;
}
