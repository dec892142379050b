/* slurm: see slurm.h. */
#include "slurm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "journal.h"
#include "jsonx.h"
#include "rundir.h"
#include "util.h"

/* ---- job states --------------------------------------------------------- */

static struct {
	int loaded;       /* 0: not asked yet; 1: table valid; -1: no squeue */
	char **ids, **states;
	size_t n, cap;
} jobs;

/* A job id as the artifact records it: digits only. */
static int valid_job(const char *s)
{
	if (!s || !*s || strlen(s) > 20)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* One squeue call: every job of this user.  A fixed command line.  %A:
 * the job id, each element of a job array its own (%i would say
 * ARRAY_INDEX). */
static void load_jobs(void)
{
	char cmd[96];
	snprintf(cmd, sizeof cmd, "squeue -h -o '%%A %%T' -u %lu 2>/dev/null",
		 (unsigned long)getuid());
	jobs.loaded = -1;
	FILE *f = popen(cmd, "r");
	if (!f)
		return;
	char line[256];
	size_t cap = 0;
	while (fgets(line, sizeof line, f)) {
		char id[64], st[64];
		if (sscanf(line, "%63s %63s", id, st) != 2)
			continue;
		jobs.ids = xgrow(jobs.ids, &cap, jobs.n + 1, sizeof *jobs.ids);
		jobs.cap = cap;
		jobs.states = xrealloc(jobs.states, cap * sizeof *jobs.states);
		jobs.ids[jobs.n] = xstrdup(id);
		jobs.states[jobs.n] = xstrdup(st);
		jobs.n++;
	}
	if (pclose(f) == 0)
		jobs.loaded = 1;
}

const char *slurm_job_state(const char *job)
{
	if (!valid_job(job))
		return "";
	if (!jobs.loaded)
		load_jobs();
	if (jobs.loaded < 0)
		return NULL;
	for (size_t i = 0; i < jobs.n; i++)
		if (!strcmp(jobs.ids[i], job))
			return jobs.states[i];
	return "";
}

/* ---- ork slurm record --------------------------------------------------- */

/* RUN/slurm/jobs, as the artifact writes it: "task NAME JOBID" lines,
 * "array NAME JOBID" lines (the job array of a fan-out task, whose task
 * line names its fan-in job), one "end JOBID" line. */
struct joblist {
	char **names, **ids;
	size_t n, cap;
	char **arrays;          /* the array job ids */
	size_t narrays, acap;
	char *end;
};

static int parse_jobs(char *text, struct joblist *l, struct strbuf *err)
{
	int lineno = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		lineno++;
		char *w[3] = {NULL, NULL, NULL};
		int nw = 0;
		for (char *p = line; *p && nw <= 3;) {
			while (*p == ' ')
				p++;
			if (!*p)
				break;
			if (nw == 3) {
				nw++;
				break;
			}
			w[nw++] = p;
			while (*p && *p != ' ')
				p++;
			if (*p)
				*p++ = '\0';
		}
		if (nw == 3 && !strcmp(w[0], "task") && valid_name(w[1]) &&
		    valid_job(w[2])) {
			l->names = xgrow(l->names, &l->cap, l->n + 1, sizeof *l->names);
			l->ids = xrealloc(l->ids, l->cap * sizeof *l->ids);
			l->names[l->n] = w[1];
			l->ids[l->n++] = w[2];
		} else if (nw == 3 && !strcmp(w[0], "array") && valid_name(w[1]) &&
			   valid_job(w[2])) {
			l->arrays = xgrow(l->arrays, &l->acap, l->narrays + 1,
					  sizeof *l->arrays);
			l->arrays[l->narrays++] = w[2];
		} else if (nw == 2 && !strcmp(w[0], "end") && valid_job(w[1])) {
			l->end = w[1];
		} else {
			return error_to(err, "line %d is not 'task NAME JOBID', "
					"'array NAME JOBID' or 'end JOBID'", lineno);
		}
	}
	if (!l->end)
		return error_to(err, "no 'end JOBID' line");
	return 0;
}

static int record(const struct rundir *rd)
{
	char *path = rundir_file(rd, "slurm/jobs");
	char *text = read_file(path, NULL);
	if (!text) {
		warn_msg("cannot read %s: %s", path, strerror(errno));
		free(path);
		return ORK_EXIT_USAGE;
	}
	struct joblist l;
	memset(&l, 0, sizeof l);
	struct strbuf err = STRBUF_INIT;
	int rc = 0;
	if (parse_jobs(text, &l, &err) < 0) {
		warn_msg("%s: %s", path, strbuf_str(&err));
		rc = 2;
		goto out;
	}
	/* run.json under the run's lock, as ork begin rewrites it. */
	char *lockpath = rundir_file(rd, "lock");
	int lockfd = open(lockpath, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	free(lockpath);
	if (lockfd < 0 || flock(lockfd, LOCK_EX) < 0) {
		warn_msg("cannot lock %s/lock: %s", rd->path, strerror(errno));
		if (lockfd >= 0)
			close(lockfd);
		rc = 2;
		goto out;
	}
	cJSON *run = rundir_load_run(rd);
	if (!run) {
		warn_msg("no run.json in %s: run ork begin first", rd->path);
		close(lockfd);
		rc = 2;
		goto out;
	}
	/* The driver is Slurm now: the run is running while the end job
	 * exists, whatever becomes of the submitting shell. */
	cJSON_DeleteItemFromObjectCaseSensitive(run, "pid");
	cJSON_DeleteItemFromObjectCaseSensitive(run, "slurm");
	cJSON *sl = cJSON_AddObjectToObject(run, "slurm");
	cJSON_AddStringToObject(sl, "end_job", l.end);
	cJSON_AddNumberToObject(sl, "jobs", (double)l.n);
	int inv = (int)jsonx_get_number(run, "invocation", 0);
	if (rundir_save_run(rd, run) < 0) {
		warn_msg("cannot write %s/run.json: %s", rd->path, strerror(errno));
		rc = 2;
	}
	cJSON_Delete(run);
	close(lockfd);
	int fd = rc ? -1 : journal_open(rd);
	if (!rc && fd < 0) {
		warn_msg("cannot append to %s/journal.jsonl: %s", rd->path,
			 strerror(errno));
		rc = 2;
	}
	double now = now_wall();
	for (size_t i = 0; fd >= 0 && i < l.n; i++) {
		struct strbuf ev = STRBUF_INIT;
		event_start(&ev, "queued");
		event_str(&ev, "task", l.names[i]);
		event_int(&ev, "inv", inv);
		event_str(&ev, "job", l.ids[i]);
		event_time(&ev, "time", now);
		if (journal_write(fd, &ev) < 0) {
			warn_msg("cannot append to %s/journal.jsonl: %s",
				 rd->path, strerror(errno));
			rc = 2;
			i = l.n;
		}
		strbuf_release(&ev);
	}
	if (fd >= 0)
		close(fd);
out:
	strbuf_release(&err);
	free(l.names);
	free(l.ids);
	free(l.arrays);
	free(text);
	free(path);
	return rc;
}

/* ---- ork cancel ------------------------------------------------------- */

/* Whether squeue lists one of the jobs (ids: digits and commas), asked
 * anew; -1 when squeue cannot be asked. */
static int any_alive(const char *ids)
{
	struct strbuf cmd = STRBUF_INIT;
	strbuf_addf(&cmd, "squeue -h -o %%i -j '%s' 2>/dev/null", ids);
	FILE *f = popen(strbuf_str(&cmd), "r");
	strbuf_release(&cmd);
	if (!f)
		return -1;
	char line[256];
	int any = 0;
	while (fgets(line, sizeof line, f))
		any |= line[0] >= '0' && line[0] <= '9';
	int st = pclose(f);
	return st == 0 || any ? any : -1;
}

int slurm_cancel(const struct rundir *rd, double secs)
{
	char *path = rundir_file(rd, "slurm/jobs");
	char *text = read_file(path, NULL);
	if (!text) {
		warn_msg("cannot read %s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	struct joblist l;
	memset(&l, 0, sizeof l);
	struct strbuf err = STRBUF_INIT, ids = STRBUF_INIT;
	int rc = -1;
	if (parse_jobs(text, &l, &err) < 0) {
		warn_msg("%s: %s", path, strbuf_str(&err));
		goto out;
	}
	/* The tasks first, the end job last: scancel does them in order. */
	size_t n = l.n + l.narrays + 1;
	char **argv = xcalloc(n + 2, sizeof *argv);
	size_t k = 0;
	argv[k++] = "scancel";
	for (size_t i = 0; i < l.narrays; i++)
		argv[k++] = l.arrays[i];
	for (size_t i = 0; i < l.n; i++)
		argv[k++] = l.ids[i];
	argv[k++] = l.end;
	for (size_t i = 1; i < k; i++)
		strbuf_addf(&ids, "%s%s", i > 1 ? "," : "", argv[i]);
	int alive = any_alive(strbuf_str(&ids));
	if (alive <= 0) {
		if (alive < 0)
			warn_msg("cannot ask squeue about the jobs of run %s",
				 rd->run_id);
		rc = alive < 0 ? -1 : 0;
		free((void *)argv);
		goto out;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		execvp("scancel", argv);
		_exit(127);
	}
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) ||
	    WEXITSTATUS(st)) {
		warn_msg("scancel %s failed", strbuf_str(&ids));
		free((void *)argv);
		goto out;
	}
	free((void *)argv);
	double t0 = now_mono();
	while ((alive = any_alive(strbuf_str(&ids))) > 0 && now_mono() - t0 < secs)
		usleep(200000);
	if (alive) {
		warn_msg("jobs of run %s are still in Slurm after %gs (%s)",
			 rd->run_id, secs, strbuf_str(&ids));
		goto out;
	}
	rc = 1;
out:
	strbuf_release(&err);
	strbuf_release(&ids);
	free(l.names);
	free(l.ids);
	free(l.arrays);
	free(text);
	free(path);
	return rc;
}

int cmd_slurm(int argc, char **argv)
{
	if (argc != 2 || strcmp(argv[1], "record")) {
		fprintf(stderr, "usage: ork slurm record\n");
		return ORK_EXIT_USAGE;
	}
	struct rundir rd;
	if (rundir_from_env(&rd) < 0)
		return ORK_EXIT_USAGE;
	int rc = record(&rd);
	rundir_release(&rd);
	return rc;
}
