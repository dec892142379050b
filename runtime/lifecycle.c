/* lifecycle: see lifecycle.h. */
#include "lifecycle.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "history.h"
#include "journal.h"
#include "jsonx.h"
#include "proc.h"
#include "runctx.h"
#include "util.h"

/* ---- ork begin ---------------------------------------------------------- */

static int run_begin_locked(const struct rundir *rd, int python);

static void collect(void *ctx, const char *buf, size_t n)
{
	strbuf_add(ctx, buf, n);
}

/* Ask the interpreter where it really lives, so that every task runs it
 * directly: a pyenv shim or a wrapper script costs ~100 ms per start. */
static char *resolve_python(void)
{
	const char *py = getenv("ORK_PYTHON");
	if (!py || !*py)
		py = "python3";
	char *argv[] = {(char *)py, "-c", "import sys;print(sys.executable)", NULL};
	int pfd[2];
	if (proc_pipe(pfd) < 0)
		return NULL;
	proc_signals_init();
	struct proc p = PROC_INIT;
	struct proc_opts o = {argv, NULL, -1, pfd[1], -1};
	struct strbuf out = STRBUF_INIT;
	int err = proc_start(&p, &o);
	close(pfd[1]);
	if (err) {
		close(pfd[0]);
		warn_msg("cannot run python '%s': %s; python tasks will fail", py,
		      strerror(err));
		return NULL;
	}
	p.pipe_fd = pfd[0];
	p.sink = collect;
	p.sink_ctx = &out;
	enum proc_result r = proc_wait(&p, now_mono() + 60);
	proc_kill_group(&p, SIGTERM, 1);
	if (r == PROC_INTERRUPTED)
		proc_reraise(proc_interrupted());
	while (out.len && (out.buf[out.len - 1] == '\n' ||
			   out.buf[out.len - 1] == '\r'))
		out.buf[--out.len] = '\0';
	if (r != PROC_EXITED || p.status != 0 ||
	    strbuf_str(&out)[0] != '/') {
		warn_msg("'%s' did not say where its interpreter is; python tasks "
		      "will run '%s' itself", py, py);
		strbuf_release(&out);
		return NULL;
	}
	return strbuf_detach(&out);
}

/* Hold RUN/lock while run.json is read and rewritten, so that of two
 * begins at once one sees the other's run.  -1 after saying why. */
static int lock_run_file(const struct rundir *rd)
{
	char *path = rundir_file(rd, "lock");
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		warn_msg("cannot lock %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	free(path);
	return fd;
}

/* One driver at a time: a run whose driver (make, or the sh artifact)
 * is alive and not our parent is someone else's to finish. */
static int check_not_running(const struct rundir *rd, const cJSON *old)
{
	long pid = (long)jsonx_get_number(old, "pid", 0);
	if (!old || strcmp(run_state(old), "running") || pid == (long)getppid())
		return 0;
	/* Driven by Slurm (slurm.h): no pid, an end job. */
	const char *end = jsonx_get_string(
		cJSON_GetObjectItemCaseSensitive(old, "slurm"), "end_job");
	if (end && pid <= 0) {
		warn_msg("run %s of %s is queued or running in Slurm (end job %s); "
			 "wait for it, cancel it (submit script --cancel), or start "
			 "another run with RUN_ID=...", rd->run_id, rd->workflow, end);
		return -1;
	}
	warn_msg("run %s of %s is already running, pid %ld; wait for it to end, "
	      "or start another run with RUN_ID=...", rd->run_id, rd->workflow,
	      pid);
	return -1;
}

int run_begin(const struct rundir *rd, int python)
{
	char *sub = rundir_file(rd, "logs");
	int rc = mkdir_p(sub, 0777);
	free(sub);
	if (rc == 0 && rundir_check(rd) < 0)
		return -1;
	sub = rundir_file(rd, "locks");
	if (rc == 0)
		rc = mkdir(sub, 0777) < 0 && errno != EEXIST ? -1 : 0;
	free(sub);
	if (rc < 0) {
		warn_msg("cannot create the run directory %s: %s", rd->path,
		      strerror(errno));
		return -1;
	}
	int lockfd = lock_run_file(rd);
	if (lockfd < 0)
		return -1;
	rc = run_begin_locked(rd, python);
	close(lockfd);
	return rc;
}

static int run_begin_locked(const struct rundir *rd, int python)
{
	cJSON *old = rundir_load_run(rd);
	if (check_not_running(rd, old) < 0) {
		cJSON_Delete(old);
		return -1;
	}
	double now = now_wall();
	char t[32];
	format_time(now, t);
	int inv = (int)jsonx_get_number(old, "invocation", 0) + 1;
	const char *created = jsonx_get_string(old, "created");

	/* A fresh object each time keeps the members in one order. */
	cJSON *run = cJSON_CreateObject();
	cJSON_AddStringToObject(run, "workflow", rd->workflow);
	cJSON_AddStringToObject(run, "run_id", rd->run_id);
	cJSON_AddStringToObject(run, "state", "running");
	cJSON_AddNumberToObject(run, "invocation", inv);
	cJSON_AddStringToObject(run, "created", created ? created : t);
	cJSON_AddStringToObject(run, "started", t);
	cJSON_AddNullToObject(run, "finished");
	/* Our parent drives the run (make, or the sh artifact): while it
	 * lives the run may be running; once it is gone, it is not. */
	cJSON_AddNumberToObject(run, "pid", (double)getppid());
	/* run.* and the params, fixed before any task starts (runctx.h). */
	if (runctx_begin(run, old, rd) < 0) {
		warn_msg("run %s of %s not started", rd->run_id, rd->workflow);
		cJSON_Delete(run);
		cJSON_Delete(old);
		return -1;
	}
	char *py = python ? resolve_python() : NULL;
	if (py)
		cJSON_AddStringToObject(run, "python", py);
	const cJSON *tasks = cJSON_GetObjectItemCaseSensitive(old, "tasks");
	if (tasks)
		cJSON_AddItemToObject(run, "tasks", cJSON_Duplicate(tasks, 1));
	free(py);
	cJSON_Delete(old);

	int rc = rundir_save_run(rd, run);
	cJSON_Delete(run);
	int fd = rc < 0 ? -1 : journal_open(rd);
	if (fd >= 0) {
		struct strbuf ev = STRBUF_INIT;
		event_start(&ev, "begin");
		event_int(&ev, "inv", inv);
		event_str(&ev, "time", t);
		rc = journal_write(fd, &ev);
		strbuf_release(&ev);
		close(fd);
	}
	if (rc < 0 || fd < 0) {
		warn_msg("cannot write in the run directory %s: %s", rd->path,
		      strerror(errno));
		return -1;
	}
	return 0;
}

int cmd_begin(int argc, char **argv)
{
	int python = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--python")) {
			python = 1;
		} else {
			fprintf(stderr, "usage: ork begin [--python]\n");
			return 2;
		}
	}
	struct rundir rd;
	if (rundir_from_env(&rd) < 0)
		return 2;
	int rc = run_begin(&rd, python);
	rundir_release(&rd);
	return rc < 0 ? 2 : 0;
}

/* ---- ork end ------------------------------------------------------------ */

enum { N_SUCCEEDED, N_FAILED, N_SKIPPED, N_NOT_RUN, N_STATES };
static const char *const count_names[N_STATES] = {
	"succeeded", "failed", "skipped", "not run",
};

static int count_of(const char *state)
{
	for (int i = 0; i < N_NOT_RUN; i++)
		if (!strcmp(state, count_names[i]))
			return i;
	return N_NOT_RUN;
}

/* "  fetch: failed (exit status 1); log: PATH" for a task that did not
 * succeed or get skipped. */
static void explain(struct strbuf *sb, const struct rundir *rd,
		    const struct task_hist *th, const char *name,
		    const char *state)
{
	strbuf_addf(sb, "ork:   %s: %s", name, state);
	if (th && th->reason && *th->reason && !strcmp(state, "failed")) {
		/* The reason may be a task's message: no terminal escapes. */
		strbuf_adds(sb, " (");
		strbuf_add_safe(sb, th->reason, strlen(th->reason), 0);
		strbuf_addc(sb, ')');
	}
	else if (!strcmp(state, "interrupted"))
		strbuf_adds(sb, " (ork exec ended without recording a result)");
	if (th && th->log) {
		char *log = rundir_file(rd, "%s", th->log);
		if (access(log, F_OK) == 0)
			strbuf_addf(sb, "; log: %s", log);
		free(log);
	}
	strbuf_addc(sb, '\n');
}

static void finish_run(const struct rundir *rd, const char *state,
		       char **tasks, int ntasks)
{
	cJSON *run = rundir_load_run(rd);
	if (!run)
		run = cJSON_CreateObject();
	char t[32];
	format_time(now_wall(), t);
	cJSON_DeleteItemFromObjectCaseSensitive(run, "state");
	cJSON_DeleteItemFromObjectCaseSensitive(run, "finished");
	cJSON_DeleteItemFromObjectCaseSensitive(run, "tasks");
	cJSON_AddStringToObject(run, "state", state);
	cJSON_AddStringToObject(run, "finished", t);
	cJSON *arr = cJSON_AddArrayToObject(run, "tasks");
	for (int i = 0; i < ntasks; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(tasks[i]));
	if (rundir_save_run(rd, run) < 0)
		warn_msg("cannot write %s/run.json: %s", rd->path, strerror(errno));
	int inv = (int)jsonx_get_number(run, "invocation", 0);
	cJSON_Delete(run);

	int fd = journal_open(rd);
	struct strbuf ev = STRBUF_INIT;
	event_start(&ev, "finish");
	event_int(&ev, "inv", inv);
	event_str(&ev, "state", state);
	event_str(&ev, "time", t);
	if (fd < 0 || journal_write(fd, &ev) < 0)
		warn_msg("cannot append to %s/journal.jsonl: %s", rd->path,
		      strerror(errno));
	if (fd >= 0)
		close(fd);
	strbuf_release(&ev);
}

/* The text of FILE, or of standard input for "-". */
static char *read_list(const char *file)
{
	if (strcmp(file, "-"))
		return read_file(file, NULL);
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	for (;;) {
		ssize_t n = read(0, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			strbuf_release(&sb);
			return NULL;
		}
		if (n == 0)
			break;
		strbuf_add(&sb, buf, (size_t)n);
	}
	strbuf_addc(&sb, '\0');
	sb.len--;
	return strbuf_detach(&sb);
}

/* The tasks of `ork end [--tasks FILE] [TASK...]`: those named in FILE
 * (separated by white space; "-" reads standard input), then the
 * arguments.  An artifact with many tasks passes a file, since one
 * argument per task would hit the kernel's limit on argv (E2BIG).
 * Returns the number of tasks, or -1 after a message. */
static int end_tasks(int argc, char **argv, char ***names, char **text)
{
	int i = 1, n = 0;
	size_t cap = 0;
	*names = NULL;
	*text = NULL;
	if (i < argc && !strcmp(argv[i], "--tasks")) {
		if (i + 1 >= argc) {
			fprintf(stderr, "usage: ork end [--tasks FILE] [TASK...]\n");
			return -1;
		}
		*text = read_list(argv[i + 1]);
		if (!*text) {
			fprintf(stderr, "ork: cannot read the task list '%s': %s\n",
				argv[i + 1], strerror(errno));
			return -1;
		}
		static const char ws[] = " \t\r\n";
		for (char *tok = strtok(*text, ws); tok; tok = strtok(NULL, ws)) {
			*names = xgrow(*names, &cap, (size_t)n + 1, sizeof **names);
			(*names)[n++] = tok;
		}
		i += 2;
	}
	for (; i < argc; i++) {
		*names = xgrow(*names, &cap, (size_t)n + 1, sizeof **names);
		(*names)[n++] = argv[i];
	}
	for (int k = 0; k < n; k++)
		if (!valid_name((*names)[k])) {
			fprintf(stderr, "ork end: task %d of the list is not a "
				"task name\nusage: ork end [--tasks FILE] [TASK...]\n",
				k + 1);
			return -1;
		}
	return n;
}

int cmd_end(int argc, char **argv)
{
	char **names, *text;
	int ntasks = end_tasks(argc, argv, &names, &text);
	if (ntasks < 0) {
		free(names);
		free(text);
		return 2;
	}
	struct rundir rd;
	if (rundir_from_env(&rd) < 0) {
		free(names);
		free(text);
		return 2;
	}
	cJSON *run = rundir_load_run(&rd);
	int inv = (int)jsonx_get_number(run, "invocation", 0);
	double started = now_wall();
	parse_time(jsonx_get_string(run, "started"), &started);
	cJSON_Delete(run);

	struct history h = HISTORY_INIT;
	if (history_load(&h, &rd) < 0)
		die(2, "cannot read %s/journal.jsonl: %s", rd.path, strerror(errno));
	int counts[N_STATES] = {0};
	struct strbuf details = STRBUF_INIT;
	for (int i = 0; i < ntasks; i++) {
		const struct task_hist *th = history_get(&h, names[i]);
		const char *state = task_state(&rd, th);
		int c = count_of(state);
		counts[c]++;
		if (c == N_FAILED || c == N_NOT_RUN)
			explain(&details, &rd, th, names[i], state);
	}
	const char *state = counts[N_FAILED] + counts[N_NOT_RUN] ? "failed"
								 : "succeeded";
	finish_run(&rd, state, names, ntasks);

	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "ork: run %s of %s: ", rd.run_id, rd.workflow);
	int any = 0;
	for (int c = 0; c < N_STATES; c++) {
		if (!counts[c])
			continue;
		strbuf_addf(&sb, "%s%d %s", any ? ", " : "", counts[c],
			    count_names[c]);
		any = 1;
	}
	char dur[32];
	format_duration(now_wall() - started, dur);
	strbuf_addf(&sb, "%s in %s", any ? "" : "no tasks", dur);
	if (inv > 1)
		strbuf_addf(&sb, " (invocation %d)", inv);
	strbuf_addc(&sb, '\n');
	strbuf_adds(&sb, strbuf_str(&details));
	if (write(2, sb.buf, sb.len) < 0) {
		/* Nobody to tell. */
	}
	strbuf_release(&sb);
	strbuf_release(&details);
	history_release(&h);
	rundir_release(&rd);
	free(names);
	free(text);
	return strcmp(state, "failed") ? 0 : 1;
}
