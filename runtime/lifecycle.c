/* lifecycle: see lifecycle.h. */
#include "lifecycle.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "history.h"
#include "journal.h"
#include "jsonx.h"
#include "proc.h"
#include "pyenv.h"
#include "runctx.h"
#include "why.h"
#include "util.h"

int use_color(int fd)
{
	const char *no = getenv("NO_COLOR"), *force = getenv("CLICOLOR_FORCE");
	const char *term = getenv("TERM");
	if (no && *no)
		return 0;
	if (force && *force && strcmp(force, "0"))
		return 1;
	return isatty(fd) && !(term && !strcmp(term, "dumb"));
}

/* ---- ork begin ---------------------------------------------------------- */

static int run_begin_locked(const struct rundir *rd, int python);

static void collect(void *ctx, const char *buf, size_t n)
{
	strbuf_add(ctx, buf, n);
}

/* What argv (an interpreter asked for sys.executable) prints, or NULL
 * after a warning naming shown. */
static char *ask_python(char **argv, const char *shown)
{
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
		warn_msg("cannot run python '%s': %s; python tasks will fail",
			 shown, strerror(err));
		return NULL;
	}
	p.pipe_fd = pfd[0];
	p.sink = collect;
	p.sink_ctx = &out;
	/* uv may have to make the venv first. */
	enum proc_result r = proc_wait(&p, now_mono() + 600);
	proc_kill_group(&p, SIGTERM, 1);
	if (r == PROC_INTERRUPTED)
		proc_reraise(proc_interrupted());
	while (out.len && (out.buf[out.len - 1] == '\n' ||
			   out.buf[out.len - 1] == '\r'))
		out.buf[--out.len] = '\0';
	if (r != PROC_EXITED || p.status != 0 ||
	    strbuf_str(&out)[0] != '/') {
		warn_msg("'%s' did not say where its interpreter is; python tasks "
			 "will run '%s' itself", shown,
			 getenv("ORK_PYTHON") && *getenv("ORK_PYTHON") ?
			 getenv("ORK_PYTHON") : "python3");
		strbuf_release(&out);
		return NULL;
	}
	return strbuf_detach(&out);
}

/* cmd's absolute path when it is a program (an executable ELF file, or
 * a symbolic link to one) where execvp finds it: that path is what the
 * interpreter would give as sys.executable, so asking it (one python
 * start, 15-30 ms per run) would tell nothing new.  NULL for a script (a
 * pyenv shim, a wrapper), which is asked, and for what cannot run, which
 * ask_python reports. */
static char *binary_python(const char *cmd)
{
	char *path = NULL, magic[4];
	if (proc_which(cmd, &path))
		return NULL;
	int fd = access(path, X_OK) == 0 ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	int elf = fd >= 0 && read(fd, magic, sizeof magic) == sizeof magic &&
		  !memcmp(magic, "\177ELF", sizeof magic);
	if (fd >= 0)
		close(fd);
	char *cwd = elf && path[0] != '/' ? getcwd(NULL, 0) : NULL;
	if (cwd) {
		const char *rel = path;
		while (rel[0] == '.' && rel[1] == '/')
			rel += 2;
		char *abs = xasprintf("%s/%s", cwd, rel);
		free(path);
		free(cwd);
		path = abs;
	}
	if (!elf || path[0] != '/') {
		free(path);
		return NULL;
	}
	return path;
}

/* Ask the interpreter where it really lives, so that every task runs it
 * directly: a pyenv shim or a wrapper script costs ~100 ms per start, uv
 * run more.  Which interpreter: pyenv.h; the choice is the run's first
 * progress line. */
static char *resolve_python(void)
{
	struct pyenv env;
	pyenv_choose(&env);
	char *argv[11];
	size_t n = 0;
	for (; env.argv[n]; n++)
		argv[n] = env.argv[n];
	char *shown = n > 1 ? xasprintf("%s %s ...", argv[0], argv[1])
			    : xstrdup(argv[0]);
	argv[n++] = "-c";
	argv[n++] = "import sys;print(sys.executable)";
	argv[n] = NULL;
	char *py = n == 3 ? binary_python(argv[0]) : NULL;
	if (!py)
		py = ask_python(argv, shown);
	if (py)
		warn_msg("python: %s (%s)", py, env.why);
	free(shown);
	pyenv_release(&env);
	return py;
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

/* The run's tasks as the artifact lists them in $ORK_TASK_NAMES (names
 * separated by white space; the artifact leaves it out when there are
 * too many for the environment), or NULL. */
static cJSON *task_names(int *n)
{
	const char *env = getenv("ORK_TASK_NAMES");
	if (!env || !*env)
		return NULL;
	char *copy = xstrdup(env);
	cJSON *arr = cJSON_CreateArray();
	static const char ws[] = " \t\r\n";
	*n = 0;
	for (char *tok = strtok(copy, ws); tok; tok = strtok(NULL, ws)) {
		if (!valid_name(tok)) {
			cJSON_Delete(arr);
			free(copy);
			return NULL;
		}
		cJSON_AddItemToArray(arr, cJSON_CreateString(tok));
		(*n)++;
	}
	free(copy);
	if (!*n) {
		cJSON_Delete(arr);
		return NULL;
	}
	return arr;
}

/* RUN/progress: one byte per task that ended in this invocation (ork
 * exec appends; its offset after the append is its k of "[k/N]").  Empty
 * at the start of each invocation. */
static int progress_reset(const struct rundir *rd)
{
	char *path = rundir_file(rd, "progress");
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		      0644);
	free(path);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* ---- durability -------------------------------------------------------- */

/* The kernel's id of this boot into buf, or "" where there is none. */
static void boot_id(char *buf, size_t n)
{
	buf[0] = '\0';
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t r = read(fd, buf, n - 1);
	close(fd);
	buf[r > 0 ? r : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/* NAME.KEY.json, KEY 16 hex digits: a task's (or an instance's) output. */
static int output_name(const char *name)
{
	size_t n = strlen(name);
	if (n < 23 || strcmp(name + n - 5, ".json") || name[n - 22] != '.')
		return 0;
	for (size_t i = n - 21; i < n - 5; i++)
		if (!strchr("0123456789abcdef", name[i]))
			return 0;
	return 1;
}

/* Whether the regular file at path holds one JSON value. */
static int output_whole(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size == 0) {
		if (fd >= 0)
			close(fd);
		return fd < 0 && errno == ENOENT;
	}
	size_t len = (size_t)st.st_size;
	char *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return 1;   /* cannot tell: keep it */
	int ok = jsonx_validate(map, len, NULL, NULL) == 0;
	munmap(map, len);
	return ok;
}

/* After a system restart, an output written since the last sync (ork
 * end's) may have reached the disk empty or in part although its name
 * did.  Remove each such output that is not one JSON value, so that it
 * counts as missing; -1 after saying so when there was one (make has
 * already looked at the outputs: the next invocation re-runs them). */
static int check_after_restart(const struct rundir *rd, const cJSON *old)
{
	double since = 0;
	parse_time(jsonx_get_string(old, "synced"), &since);
	DIR *d = opendir(rd->path);
	struct dirent *e;
	struct strbuf names = STRBUF_INIT;
	int n = 0;
	while (d && (e = readdir(d))) {
		struct stat st;
		if (!output_name(e->d_name))
			continue;
		char *p = rundir_file(rd, "%s", e->d_name);
		/* A second of slack for the file system's coarse clock. */
		if (lstat(p, &st) == 0 && S_ISREG(st.st_mode) &&
		    (double)st.st_mtim.tv_sec + 1 >= since && !output_whole(p) &&
		    unlink(p) == 0) {
			strbuf_addf(&names, "%s%s", n ? ", " : "", e->d_name);
			n++;
		}
		free(p);
	}
	if (d)
		closedir(d);
	if (n)
		warn_msg("removed %d output%s that a system restart left incomplete "
			 "in %s (%s); run again to redo %s", n, n == 1 ? "" : "s",
			 rd->path, strbuf_str(&names), n == 1 ? "its task" : "their tasks");
	strbuf_release(&names);
	return n ? -1 : 0;
}

/* RUN/unclean: "TASK PID" for each task whose last ork exec (PID)
 * ended without an end event, killed outright; the next ork exec of the
 * task kills what it left running (exec.c).  No file when there is none:
 * ork exec looks for it, and a missing file is the cheap case. */
static int note_unclean(const struct rundir *rd)
{
	char *path = rundir_file(rd, "unclean");
	int rc = unlink(path) < 0 && errno != ENOENT ? -1 : 0;
	struct history h = HISTORY_INIT;
	struct strbuf sb = STRBUF_INIT;
	if (rc == 0 && history_load(&h, rd) == 0)
		for (size_t i = 0; i < h.ntasks; i++)
			if (h.tasks[i].open && h.tasks[i].pid > 0)
				strbuf_addf(&sb, "%s %ld\n", h.tasks[i].task,
					    h.tasks[i].pid);
	if (rc == 0 && sb.len)
		rc = write_file_atomic(path, sb.buf, sb.len);
	history_release(&h);
	strbuf_release(&sb);
	free(path);
	return rc;
}

/* ORK_FSYNC=0: no sync at all (ork exec checks the value). */
static int sync_wanted(void)
{
	const char *f = getenv("ORK_FSYNC");
	return !(f && !strcmp(f, "0"));
}

/* Flush what the invocation wrote in the run directory to the disk:
 * one syncfs(2) of its file system (sync(2) where there is none), not an
 * fsync per file.  0, or -1 with errno set. */
static int sync_run(const struct rundir *rd)
{
	int fd = open(rd->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
#ifdef __linux__
	int rc = syncfs(fd);
#else
	sync();
	int rc = 0;
#endif
	int e = errno;
	close(fd);
	errno = e;
	return rc;
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
	char t[32], boot[64];
	format_time(now, t);
	int inv = (int)jsonx_get_number(old, "invocation", 0) + 1;
	boot_id(boot, sizeof boot);
	const char *oboot = jsonx_get_string(old, "boot");
	int restarted = *boot && oboot && strcmp(oboot, boot);
	if (restarted && check_after_restart(rd, old) < 0) {
		cJSON_Delete(old);
		return -1;
	}
	/* What survived a restart is on the disk: synced as of now. */
	const char *synced = restarted ? t : jsonx_get_string(old, "synced");
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
	/* This boot, and when the run directory was last synced: what
	 * check_after_restart needs. */
	if (*boot)
		cJSON_AddStringToObject(run, "boot", boot);
	if (synced)
		cJSON_AddStringToObject(run, "synced", synced);
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
	int ntasks = 0;
	cJSON *names = task_names(&ntasks);
	const cJSON *tasks = cJSON_GetObjectItemCaseSensitive(old, "tasks");
	if (names) {
		cJSON_AddItemToObject(run, "tasks", names);
		cJSON_AddNumberToObject(run, "ntasks", ntasks);
	} else if (tasks) {
		cJSON_AddItemToObject(run, "tasks", cJSON_Duplicate(tasks, 1));
	}
	const cJSON *work = cJSON_GetObjectItemCaseSensitive(old, "work");
	if (work)
		cJSON_AddItemToObject(run, "work", cJSON_Duplicate(work, 1));
	free(py);
	cJSON_Delete(old);

	int rc = rundir_save_run(rd, run);
	cJSON_Delete(run);
	if (rc == 0)
		rc = progress_reset(rd);
	if (rc == 0)
		rc = note_unclean(rd);
	/* A failed compaction leaves the file as it was: nothing to stop
	 * the run for. */
	if (rc == 0)
		(void)spec_compact(rd);
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
			return ORK_EXIT_USAGE;
		}
	}
	struct rundir rd;
	if (rundir_from_env(&rd) < 0)
		return ORK_EXIT_USAGE;
	int rc = run_begin(&rd, python);
	rundir_release(&rd);
	return rc < 0 ? ORK_EXIT_USAGE : ORK_EXIT_OK;
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

int run_failures(const struct rundir *rd, struct strbuf *sb)
{
	struct history h = HISTORY_INIT;
	if (history_load(&h, rd) < 0)
		return 0;
	cJSON *run = rundir_load_run(rd);
	const cJSON *tasks = cJSON_GetObjectItemCaseSensitive(run, "tasks");
	int n = 0;
	if (cJSON_IsArray(tasks)) {
		for (const cJSON *t = tasks->child; t; t = t->next) {
			if (!cJSON_IsString(t))
				continue;
			const struct task_hist *th = history_get(&h, t->valuestring);
			const char *state = task_state(rd, th);
			int c = count_of(state);
			if (c == N_FAILED || c == N_NOT_RUN) {
				explain(sb, rd, th, t->valuestring, state);
				n++;
			}
		}
	} else {
		/* ork end did not run (the artifact was killed): what the
		 * journal knows. */
		for (size_t i = 0; i < h.ntasks; i++) {
			const char *state = task_state(rd, &h.tasks[i]);
			if (count_of(state) == N_FAILED ||
			    !strcmp(state, "interrupted")) {
				explain(sb, rd, &h.tasks[i], h.tasks[i].task, state);
				n++;
			}
		}
	}
	cJSON_Delete(run);
	history_release(&h);
	return n;
}

char *upstream_report(const struct rundir *rd, const char *const *tasks,
		      size_t n)
{
	struct history h = HISTORY_INIT;
	if (history_load(&h, rd) < 0)
		return NULL;
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		const struct task_hist *th = history_get(&h, tasks[i]);
		const char *state = task_state(rd, th);
		if (!strcmp(state, "succeeded"))
			continue;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "task", tasks[i]);
		cJSON_AddStringToObject(o, "state", state);
		if (th && th->reason && *th->reason)
			cJSON_AddStringToObject(o, "reason", th->reason);
		else
			cJSON_AddNullToObject(o, "reason");
		if (th && th->exit_code >= 0)
			cJSON_AddNumberToObject(o, "exit", th->exit_code);
		else
			cJSON_AddNullToObject(o, "exit");
		/* Relative to the run directory ($ORK_RUN_DIR): the same
		 * text whichever artifact and directory ran it. */
		char *log = th && th->log ? rundir_file(rd, "%s", th->log) : NULL;
		if (log && access(log, F_OK) == 0)
			cJSON_AddStringToObject(o, "log", th->log);
		else
			cJSON_AddNullToObject(o, "log");
		free(log);
		cJSON_AddItemToArray(arr, o);
	}
	history_release(&h);
	char *text = cJSON_GetArraySize(arr) ? jsonx_print(arr, JSONX_PRETTY)
					     : NULL;
	cJSON_Delete(arr);
	return text;
}

static void finish_run(const struct rundir *rd, const char *state,
		       char **tasks, int ntasks, int worked)
{
	/* Before run.json says the run ended: what it says ended is on
	 * the disk. */
	int synced = sync_wanted() && sync_run(rd) == 0;
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
	cJSON_DeleteItemFromObjectCaseSensitive(run, "ntasks");
	if (synced) {
		cJSON_DeleteItemFromObjectCaseSensitive(run, "synced");
		cJSON_AddStringToObject(run, "synced", t);
	}
	if (worked) {
		/* The timings of the last invocation that ran a task: a
		 * no-op re-run keeps them (its own are started/finished). */
		cJSON *w = cJSON_CreateObject();
		cJSON_AddNumberToObject(w, "invocation",
					jsonx_get_number(run, "invocation", 0));
		const char *st = jsonx_get_string(run, "started");
		cJSON_AddStringToObject(w, "started", st ? st : t);
		cJSON_AddStringToObject(w, "finished", t);
		cJSON_DeleteItemFromObjectCaseSensitive(run, "work");
		cJSON_AddItemToObject(run, "work", w);
	}
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
		return ORK_EXIT_USAGE;
	}
	struct rundir rd;
	if (rundir_from_env(&rd) < 0) {
		free(names);
		free(text);
		return ORK_EXIT_USAGE;
	}
	cJSON *run = rundir_load_run(&rd);
	int inv = (int)jsonx_get_number(run, "invocation", 0);
	double started = now_wall();
	parse_time(jsonx_get_string(run, "started"), &started);
	cJSON_Delete(run);

	struct history h = HISTORY_INIT;
	if (history_load(&h, &rd) < 0)
		die(ORK_EXIT_USAGE, "cannot read %s/journal.jsonl: %s", rd.path, strerror(errno));
	int counts[N_STATES] = {0}, worked = 0;
	struct strbuf details = STRBUF_INIT;
	for (size_t i = 0; i < h.ntasks; i++)
		worked |= h.tasks[i].inv == inv;
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
	finish_run(&rd, state, names, ntasks, worked);

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
