/* cancel: see cancel.h. */
#include "cancel.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "history.h"
#include "inspect.h"
#include "journal.h"
#include "jsonx.h"
#include "rundir.h"
#include "slurm.h"
#include "util.h"

/* Whether the thread name of pid (/proc/PID/comm) is task's name, cut to
 * 15 bytes as the kernel cuts it. */
static int comm_is(long pid, const char *task)
{
	char path[64], buf[32];
	snprintf(path, sizeof path, "/proc/%ld/comm", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return !strncmp(buf, task, 15) && strlen(buf) == strnlen(task, 15);
}

/* Whether pid is the ork exec of task (the pid in a start event may have
 * been reused by now): `ork exec TASK`, or a child of an sh script's `ork
 * spawn` named TASK (spawn.h).  Without /proc, trust the journal. */
static int is_ork_exec(long pid, const char *task)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT && access("/proc/self", F_OK) != 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* argv: ork exec TASK, or ork spawn */
	const char *a1 = buf + strlen(buf) + 1;
	if (a1 < buf + n && !strcmp(a1, "spawn"))
		return comm_is(pid, task);
	if (a1 >= buf + n || strcmp(a1, "exec"))
		return 0;
	const char *a2 = a1 + strlen(a1) + 1;
	return a2 < buf + n && !strcmp(a2, task);
}

/* The tasks whose ork exec runs now: indexes into h->tasks. */
static size_t running_tasks(const struct history *h, size_t *out)
{
	size_t n = 0;
	for (size_t i = 0; i < h->ntasks; i++) {
		const struct task_hist *th = &h->tasks[i];
		if (th->open && pid_alive(th->pid) && is_ork_exec(th->pid, th->task))
			out[n++] = i;
	}
	return n;
}

/* Wait until the driver and the given ork execs are gone, up to secs;
 * after half of it, SIGTERM to the ork execs still there.  Returns
 * whether all are gone. */
static int wait_gone(long driver, const struct history *h,
		     const size_t *run, size_t nrun, double secs)
{
	double t0 = now_mono();
	int nudged = 0;
	for (;;) {
		int alive = pid_alive(driver) && driver != (long)getpid();
		for (size_t i = 0; i < nrun; i++) {
			const struct task_hist *th = &h->tasks[run[i]];
			if (!pid_alive(th->pid) || !is_ork_exec(th->pid, th->task))
				continue;
			alive = 1;
			if (!nudged && now_mono() - t0 > secs / 2)
				kill((pid_t)th->pid, SIGTERM);
		}
		if (!alive)
			return 1;
		if (now_mono() - t0 > secs / 2)
			nudged = 1;
		if (now_mono() - t0 > secs)
			return 0;
		usleep(50000);
	}
}

/* Each task that was running ends "interrupted"; the run too. */
static void record(const struct rundir *rd, const struct history *h,
		   const size_t *run, size_t nrun)
{
	char *lockp = rundir_file(rd, "lock");
	int lock = open(lockp, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	free(lockp);
	if (lock >= 0 && flock(lock, LOCK_EX) < 0) {
		close(lock);
		lock = -1;
	}
	cJSON *r = rundir_load_run(rd);
	int inv = (int)jsonx_get_number(r, "invocation", 0);
	char t[32];
	format_time(now_wall(), t);
	int fd = journal_open(rd);
	struct strbuf ev = STRBUF_INIT;
	for (size_t i = 0; i < nrun && fd >= 0; i++) {
		const struct task_hist *th = &h->tasks[run[i]];
		event_start(&ev, "end");
		event_str(&ev, "task", th->task);
		event_int(&ev, "inv", inv);
		event_str(&ev, "state", "interrupted");
		event_int(&ev, "attempts", th->attempts);
		event_str(&ev, "reason", "cancelled by ork cancel");
		event_str(&ev, "key", "");
		event_str(&ev, "started", th->since ? th->since : t);
		event_str(&ev, "time", t);
		journal_write(fd, &ev);
	}
	if (r) {
		cJSON_DeleteItemFromObjectCaseSensitive(r, "state");
		cJSON_DeleteItemFromObjectCaseSensitive(r, "finished");
		cJSON_AddStringToObject(r, "state", "interrupted");
		cJSON_AddStringToObject(r, "finished", t);
		if (rundir_save_run(rd, r) < 0)
			warn_msg("cannot write %s/run.json: %s", rd->path,
				 strerror(errno));
	}
	if (fd >= 0) {
		event_start(&ev, "finish");
		event_int(&ev, "inv", inv);
		event_str(&ev, "state", "interrupted");
		event_str(&ev, "time", t);
		journal_write(fd, &ev);
		close(fd);
	}
	strbuf_release(&ev);
	cJSON_Delete(r);
	if (lock >= 0)
		close(lock);
}

static int cancel_run(const struct rundir *rd)
{
	cJSON *r = rundir_load_run(rd);
	char *state = xstrdup(run_state(r));
	long driver = (long)jsonx_get_number(r, "pid", 0);
	int running = !strcmp(state, "running");
	/* Submitted to Slurm (slurm.h): its driver is its jobs. */
	int slurm = driver <= 0 && cJSON_GetObjectItemCaseSensitive(r, "slurm");
	cJSON_Delete(r);
	int cancelled = 0;
	if (slurm) {
		cancelled = slurm_cancel(rd, 120);
		if (cancelled < 0) {
			free(state);
			return ORK_EXIT_USAGE;
		}
		running = 0;
	}
	struct history h = HISTORY_INIT;
	if (history_load(&h, rd) < 0)
		die(ORK_EXIT_USAGE, "cannot read %s/journal.jsonl: %s", rd->path, strerror(errno));
	size_t *run = xcalloc(h.ntasks + 1, sizeof *run);
	size_t nrun = running_tasks(&h, run);
	if (slurm) {
		/* Every job is gone: a task still open was killed before
		 * it could record its end. */
		nrun = 0;
		for (size_t i = 0; i < h.ntasks; i++)
			if (h.tasks[i].open)
				run[nrun++] = i;
	}
	if (!running && !nrun && !cancelled) {
		warn_msg("run %s of %s is not running (%s)", rd->run_id,
			 rd->workflow, state);
		free(state);
		free(run);
		history_release(&h);
		return 1;
	}
	free(state);
	if (running)
		kill((pid_t)driver, SIGTERM);
	/* ork exec's grace (ORK_KILL_GRACE, default 3 s) per task, and
	 * make's time to notice. */
	const char *g = getenv("ORK_KILL_GRACE");
	double grace = g && *g ? atof(g) : 3;
	int gone = wait_gone(running ? driver : 0, &h, run, nrun,
			     2 * grace + 20);
	if (!gone) {
		warn_msg("run %s of %s did not stop; its processes are still "
			 "there", rd->run_id, rd->workflow);
		free(run);
		history_release(&h);
		return ORK_EXIT_USAGE;
	}
	record(rd, &h, run, nrun);
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "ork: cancelled run %s of %s: %s%zu task%s interrupted",
		    rd->run_id, rd->workflow,
		    slurm ? "its Slurm jobs scancelled, " : "", nrun,
		    nrun == 1 ? "" : "s");
	for (size_t i = 0; i < nrun; i++)
		strbuf_addf(&sb, "%s%s", i ? ", " : " (", h.tasks[run[i]].task);
	strbuf_adds(&sb, nrun ? ")\n" : "\n");
	fputs(strbuf_str(&sb), stderr);
	strbuf_release(&sb);
	free(run);
	history_release(&h);
	return 0;
}

int cmd_cancel(int argc, char **argv)
{
	const char *arg = NULL, *wf = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--workflow") && i + 1 < argc) {
			wf = argv[++i];
		} else if (!strncmp(argv[i], "--workflow=", 11)) {
			wf = argv[i] + 11;
		} else if (argv[i][0] != '-' && !arg) {
			arg = argv[i];
		} else {
			fprintf(stderr, "usage: ork cancel [RUN] [--workflow NAME]\n");
			return ORK_EXIT_USAGE;
		}
	}
	struct rundir rd;
	if (inspect_resolve_run(arg, wf, &rd) < 0)
		return inspect_no_run(arg, wf);
	int rc = cancel_run(&rd);
	rundir_release(&rd);
	return rc;
}
