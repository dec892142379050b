/* exec: see exec.h.
 *
 * Cost matters here: a workflow of a thousand no-op tasks is a thousand
 * ork exec processes, and the benchmark compares them with `true; touch`.
 * So per task: no shell, no fork but the task's own, one input file, one
 * output file renamed into place, journal lines written on one open fd,
 * a log file only when the task writes to it (or fails), and the journal
 * is read only when an upstream output is missing. */
#include "exec.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "fanout.h"
#include "journal.h"
#include "jsonx.h"
#include "library.h"
#include "lifecycle.h"
#include "orkproto.h"
#include "proc.h"
#include "render.h"
#include "rundir.h"
#include "secrets.h"
#include "taskio.h"
#include "taskspec.h"
#include "why.h"
#include "util.h"

/* The Python runner is imported from the package, not given as a file, so
 * its path never appears in argv. */
static const char python_main[] = "import ork._run as r; r.main()";

enum dep_state { DEP_SUCCEEDED, DEP_FAILED, DEP_SKIPPED, DEP_NOT_RUN };

struct exec {
	struct task_spec spec;
	struct rundir rd;
	char *absdir;       /* the run directory, absolute, for tasks */
	int inv;
	char *python;       /* the interpreter resolved by ork begin, or NULL */
	char *params;       /* run.json's params as JSON ($ORK_PARAMS), or NULL */
	struct render render;  /* owns the rendered input and env (render.h) */
	struct secrets sec;    /* the secrets' values (secrets.h) */
	char *pydir;        /* python tasks: where the ork package is */
	int jfd;            /* journal */
	struct strbuf ev;   /* scratch for journal events */
	struct strbuf held; /* a task's last attempt event, written with its
			     * end event in one append */
	char *out;          /* RUN/TASK.KEY.json: the output, the make target */
	char *tmp;          /* RUN/TASK.KEY.json.PID.tmp: $ORK_OUTPUT */
	char *stdout_path;  /* RUN/TASK.KEY.PID.stdout: a process task's stdout */
	char *input;        /* RUN/TASK.input.json */
	char *errfile;      /* RUN/TASK.error.json: $ORK_ERROR_FILE */
	int input_fd;
	struct stat input_st;  /* the input as written, to see it changed */
	enum dep_state *deps;  /* upstream states, to write the input again */
	int lock_fd;        /* RUN/locks/tasks: our byte locked while we run */
	double grace;       /* seconds between SIGTERM and SIGKILL */
	unsigned long long log_max;  /* bytes of log kept per attempt; 0: all */
	int sync;           /* ORK_FSYNC (default 1): ork end syncs */
	double mono0;       /* when the first attempt started */
	double wall0;
	int max_attempts;
	double heartbeat;   /* seconds between "still running" lines; 0: none */
	int ntasks;         /* the run's N of "[k/N]", or 0: no counts */
	long done;          /* the k: tasks ended in this invocation */
	int color;          /* stderr is a terminal that takes colour */
	char *upstream;     /* RUN/TASK.upstream.json when an upstream task
			     * did not succeed ($ORK_UPSTREAM_FAILURES), or NULL */
	char *inst_name;    /* an instance of a fan-out task: TASK[INDEX] */
	char *inst_input;   /* its static input members (fanout.h) */
	char *inst_item;    /* its item as ork status shows it, or NULL */
};

/* One attempt's outcome. */
struct attempt {
	int k;               /* 1-based */
	char *log_rel;       /* logs/TASK.INV.K.log */
	char *log;           /* RUN/logs/TASK.INV.K.log */
	int log_fd;          /* -1 until something is written */
	unsigned long long log_max;  /* as exec's */
	unsigned long long log_head; /* bytes written to the log itself */
	unsigned long long log_tail; /* bytes past the head, into the ring */
	int ring_fd;         /* the last log_max/2 bytes past the head, or -1 */
	int ok;
	int exit_code;       /* -1 when it did not exit */
	int signal;
	int interrupted;     /* the signal that interrupted ork, or 0 */
	int retryable;       /* 0: the task said not to retry */
	int from_exit;       /* the failure is a non-zero exit status */
	int started;         /* the executor ran */
	int stdout_logged;   /* stdout was copied to the log */
	int output_line;     /* the output came from an ORK_OUTPUT: line */
	struct strbuf reason; /* why it failed; empty when it did not */
	char *details;       /* raw JSON from the error file, or NULL */
	double duration;
};

/* ---- small helpers ------------------------------------------------------ */

/* The colour of a progress message by its first word, or NULL. */
static const char *progress_color(const char *msg)
{
	static const struct { const char *word, *sgr; } colors[] = {
		{"succeeded", "32"}, {"failed", "31"}, {"interrupted", "31"},
		{"skipped", "33"}, {"attempt", "33"}, {"still", "36"},
	};
	for (size_t i = 0; i < sizeof colors / sizeof *colors; i++)
		if (!strncmp(msg, colors[i].word, strlen(colors[i].word)))
			return colors[i].sgr;
	return NULL;
}

/* "ork: [k/N] TASK: message\n" on stderr in a single write(2), so lines
 * of tasks running side by side under make -j never interleave.  k: the
 * tasks of the run that ended in this invocation (this one too, once it
 * has); N: the run's tasks, when the artifact told ork begin. */
static void progress(const struct exec *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void progress(const struct exec *x, const char *fmt, ...)
{
	struct strbuf msg = STRBUF_INIT, sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	strbuf_adds(&sb, "ork: ");
	if (x->ntasks > 0)
		strbuf_addf(&sb, "[%ld/%d] ", x->done, x->ntasks);
	const char *sgr = x->color ? progress_color(strbuf_str(&msg)) : NULL;
	/* Reasons come from tasks: no terminal escapes reach the screen. */
	strbuf_addf(&sb, "%s: ", x->spec.task);
	if (sgr)
		strbuf_addf(&sb, "\033[%sm", sgr);
	strbuf_add_safe(&sb, strbuf_str(&msg), msg.len, 0);
	if (sgr)
		strbuf_adds(&sb, "\033[m");
	strbuf_addc(&sb, '\n');
	if (write(2, sb.buf, sb.len) < 0) {
		/* Nobody to tell. */
	}
	strbuf_release(&msg);
	strbuf_release(&sb);
}

/* Internal errors end ork exec with status 2; make reports the failure. */
static void __attribute__((noreturn, format(printf, 2, 3)))
fatal(const struct exec *x, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	die(ORK_EXIT_USAGE, "%s: %s", x->spec.task ? x->spec.task : "exec", strbuf_str(&sb));
}

static void journal(struct exec *x)
{
	struct strbuf both = STRBUF_INIT, *sb = &x->ev;
	if (x->held.len) {
		strbuf_add(&both, x->held.buf, x->held.len);
		strbuf_add(&both, x->ev.buf, x->ev.len);
		strbuf_reset(&x->held);
		sb = &both;
	}
	if (journal_write(x->jfd, sb) < 0)
		fatal(x, "cannot append to %s/journal.jsonl: %s", x->rd.path,
		      strerror(errno));
	strbuf_release(&both);
}

/* ---- the run ------------------------------------------------------------ */

static void load_spec(struct exec *x, const char *task)
{
	const char *text = getenv("ORK_SPEC");
	if (!text || !*text)
		die(ORK_EXIT_USAGE, "exec: ORK_SPEC is not set; ork exec runs a task of a "
		    "generated artifact, which passes the task's definition in it");
	struct strbuf err = STRBUF_INIT;
	if (spec_parse(&x->spec, text, &err) < 0)
		die(ORK_EXIT_USAGE, "exec: %s: invalid ORK_SPEC: %s", task, strbuf_str(&err));
	strbuf_release(&err);
	if (strcmp(x->spec.task, task))
		die(ORK_EXIT_USAGE, "exec: ORK_SPEC describes task '%s', not '%s'",
		    x->spec.task, task);
	/* An instance (fanout.h) is TASK[INDEX] in the journal, the logs
	 * and its lock; only its output is named by its key. */
	if (x->spec.instance) {
		x->inst_name = xasprintf("%s[%ld]", x->spec.task, x->spec.index);
		x->spec.task = x->inst_name;
		x->inst_item = fanout_item_text(x->spec.item);
	}
}

static void open_run(struct exec *x)
{
	if (rundir_from_env(&x->rd) < 0)
		exit(ORK_EXIT_USAGE);
	cJSON *run = rundir_load_run_head(&x->rd);
	if (!run) {
		/* Run by hand, without the artifact's `ork begin`. */
		if (run_begin(&x->rd, 0) < 0)
			exit(ORK_EXIT_USAGE);
		run = rundir_load_run_head(&x->rd);
		if (!run)
			fatal(x, "cannot read %s/run.json", x->rd.path);
	}
	x->inv = (int)jsonx_get_number(run, "invocation", 1);
	x->ntasks = (int)jsonx_get_number(run, "ntasks", 0);
	x->color = use_color(2);
	if (x->ntasks > 0) {
		struct stat st;
		char *pp = rundir_file(&x->rd, "progress");
		x->done = lstat(pp, &st) == 0 ? (long)st.st_size : 0;
		free(pp);
	}
	const char *py = jsonx_get_string(run, "python");
	x->python = py && *py ? xstrdup(py) : NULL;
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(run, "params");
	x->params = params ? jsonx_print(params, 0) : NULL;
	cJSON_Delete(run);
	x->jfd = journal_open(&x->rd);
	if (x->jfd < 0)
		fatal(x, "cannot open %s/journal.jsonl: %s", x->rd.path,
		      strerror(errno));
	const struct task_spec *s = &x->spec;
	x->absdir = rundir_abspath(&x->rd);
	const char *stem = s->instance ? s->instance_task : s->task;
	x->out = rundir_file(&x->rd, "%s.%s.json", stem, s->key);
	/* Temporaries carry our pid: whatever another ork exec of this task
	 * (one still in its grace period) does with its own, ours are safe. */
	x->tmp = xasprintf("%s/%s.%s.json.%ld.tmp", x->absdir, stem, s->key,
			   (long)getpid());
	x->stdout_path = rundir_file(&x->rd, "%s.%s.%ld.stdout", stem, s->key,
				     (long)getpid());
	x->input = rundir_file(&x->rd, "%s.input.json", s->task);
	x->errfile = xasprintf("%s/%s.error.json", x->absdir, s->task);
	x->max_attempts = (int)s->retries + 1;
}

/* ORK_KILL_GRACE (seconds, default 3) and ORK_LOG_MAX (bytes, with an
 * optional k, M or G; default 64M; 0: no cap).  A bad value is an error,
 * not a default. */
static void read_settings(struct exec *x)
{
	const char *g = getenv("ORK_KILL_GRACE");
	char *end;
	x->grace = 3;
	if (g && *g) {
		x->grace = strtod(g, &end);
		if (*end || !(x->grace >= 0) || x->grace > 86400)
			die(ORK_EXIT_USAGE, "exec: ORK_KILL_GRACE '%s' is not a number of "
			    "seconds (0 to 86400)", g);
	}
	/* ORK_HEARTBEAT: a "still running" line every so many seconds
	 * (default 60; 0: none). */
	const char *hb = getenv("ORK_HEARTBEAT");
	x->heartbeat = 60;
	if (hb && *hb) {
		x->heartbeat = strtod(hb, &end);
		if (*end || !(x->heartbeat >= 0) || x->heartbeat > 1e7)
			die(ORK_EXIT_USAGE, "exec: ORK_HEARTBEAT '%s' is not a number of "
			    "seconds", hb);
	}
	const char *f = getenv("ORK_FSYNC");
	x->sync = 1;
	if (f && *f) {
		if (strcmp(f, "0") && strcmp(f, "1"))
			die(ORK_EXIT_USAGE, "exec: ORK_FSYNC '%s' is not 0 or 1", f);
		x->sync = f[0] == '1';
	}
	const char *m = getenv("ORK_LOG_MAX");
	x->log_max = 64ULL << 20;
	if (m && *m) {
		errno = 0;
		unsigned long long v = strtoull(m, &end, 10);
		int shift = 0;
		if (*end == 'k' || *end == 'K')
			shift = 10;
		else if (*end == 'm' || *end == 'M')
			shift = 20;
		else if (*end == 'g' || *end == 'G')
			shift = 30;
		if (shift)
			end++;
		if (*end || errno || m[0] == '-' || end == m ||
		    v > (1ULL << (62 - shift)))
			die(ORK_EXIT_USAGE, "exec: ORK_LOG_MAX '%s' is not a size in bytes "
			    "(like 1048576, 512k, 64M or 0 for no limit)", m);
		x->log_max = v << shift;
		if (x->log_max == 1)
			x->log_max = 2;   /* a head and a tail of a byte */
	}
}

/* The environment of process pid has both entries (as "NAME=value"). */
static int environ_has(const char *pid, const char *a, const char *b)
{
	char path[300];
	snprintf(path, sizeof path, "/proc/%s/environ", pid);
	size_t len;
	char *env = read_file(path, &len);
	if (!env)
		return 0;
	int ha = 0, hb = 0;
	for (size_t i = 0; i < len; i += strlen(env + i) + 1) {
		ha |= !strcmp(env + i, a);
		hb |= !strcmp(env + i, b);
	}
	free(env);
	return ha && hb;
}

/* The temporaries of the killed ork exec exec_pid of this task:
 * TASK.KEY.json.PID.tmp and TASK.KEY.PID.stdout, whatever the key was. */
static void remove_stale(const struct exec *x, long exec_pid)
{
	char tmp_end[40], out_end[40];
	snprintf(tmp_end, sizeof tmp_end, ".json.%ld.tmp", exec_pid);
	snprintf(out_end, sizeof out_end, ".%ld.stdout", exec_pid);
	size_t tlen = strlen(x->spec.task);
	DIR *d = opendir(x->rd.path);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		const char *name = e->d_name;
		size_t n = strlen(name);
		if (strncmp(name, x->spec.task, tlen) || name[tlen] != '.')
			continue;
		int ours = (n > strlen(tmp_end) &&
			    !strcmp(name + n - strlen(tmp_end), tmp_end)) ||
			   (n > strlen(out_end) &&
			    !strcmp(name + n - strlen(out_end), out_end));
		if (ours) {
			char *p = rundir_file(&x->rd, "%s", name);
			unlink(p);
			free(p);
		}
	}
	if (d)
		closedir(d);
}

/* An ork exec of this task that was killed outright (SIGKILL, a crash)
 * left no end event: ork begin lists such tasks in RUN/unclean, "TASK
 * PID" lines (lifecycle.h).  Its task died with it (PR_SET_PDEATHSIG),
 * but not the task's children: kill every process that still carries
 * this task's ORK_RUN_DIR and ORK_TASK (a daemon that left the group
 * included), and remove its temporaries.  A process that cleared its
 * environment escapes this; only a cgroup would catch it.  No file (the
 * usual case) costs one failed open. */
static void kill_leftovers(struct exec *x)
{
	char *path = rundir_file(&x->rd, "unclean");
	char *text = read_file_nofollow(path, NULL);
	free(path);
	long exec_pid = 0;
	size_t tlen = strlen(x->spec.task);
	for (char *line = text; line && *line && !exec_pid;) {
		char *nl = strchr(line, '\n');
		if (!strncmp(line, x->spec.task, tlen) && line[tlen] == ' ')
			exec_pid = atol(line + tlen + 1);
		line = nl ? nl + 1 : NULL;
	}
	free(text);
	if (exec_pid <= 0)
		return;
	remove_stale(x, exec_pid);
#ifdef __linux__
	char *a = xasprintf("ORK_RUN_DIR=%s", x->absdir);
	char *b = xasprintf("ORK_TASK=%s", x->spec.task);
	DIR *d = opendir("/proc");
	struct dirent *e;
	int killed = 0;
	while (d && (e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]) ||
		    atol(e->d_name) == (long)getpid() ||
		    !environ_has(e->d_name, a, b))
			continue;
		if (kill((pid_t)atol(e->d_name), SIGKILL) == 0)
			killed++;
	}
	if (d)
		closedir(d);
	if (killed)
		progress(x, "killed %d process%s left running by an ork exec of "
			 "this task that was killed", killed,
			 killed == 1 ? "" : "es");
	free(a);
	free(b);
#endif
}

/* The task's byte in RUN/locks/tasks: its name's FNV-1a hash, below
 * 2^62 (a lock needs no file that long). */
static off_t lock_offset(const char *task)
{
	unsigned long long h = 14695981039346656037ULL;
	for (const unsigned char *p = (const unsigned char *)task; *p; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	return (off_t)(h >> 2);
}

/* Lock one byte of fd: an open file description lock where there is
 * one (closing another descriptor of the file does not drop it), else a
 * process's.  0, or -1 with errno EAGAIN or EACCES when it is taken. */
static int lock_byte(int fd, off_t at)
{
	struct flock fl;
	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = at;
	fl.l_len = 1;
#ifdef F_OFD_SETLK
	if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
		return 0;
	if (errno != EINVAL)
		return -1;
#endif
	return fcntl(fd, F_SETLK, &fl);
}

/* The same task never runs twice at once in a run: a second ork exec of
 * it (an ork exec still in its grace period after make was killed, and the
 * rerun's) waits for the first to end.  The lock is a byte of one file
 * that all tasks share (a file per task would be a create per task, the
 * costliest thing a task does on a journaling file system), released
 * when we exit, however we exit. */
static void lock_task(struct exec *x)
{
	char *path = rundir_file(&x->rd, "locks/tasks");
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno == ENOENT) {
		/* A run directory from before locks/ existed. */
		char *dir = rundir_file(&x->rd, "locks");
		if (mkdir(dir, 0777) < 0 && errno != EEXIST)
			fatal(x, "cannot create %s: %s", dir, strerror(errno));
		free(dir);
		fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	}
	if (fd < 0)
		fatal(x, "cannot open %s: %s", path, strerror(errno));
	off_t at = lock_offset(x->spec.task);
	int told = 0;
	while (lock_byte(fd, at) < 0) {
		if (errno != EAGAIN && errno != EACCES && errno != EINTR)
			fatal(x, "cannot lock %s: %s", path, strerror(errno));
		if (!told)
			progress(x, "waiting for another ork exec of this task "
				 "to end");
		told = 1;
		int sig = proc_sleep(0.05);
		if (sig)
			proc_reraise(sig);
	}
	free(path);
	x->lock_fd = fd;
	kill_leftovers(x);
}

/* "deps": the upstream task names (valid names: nothing to escape), so
 * that ork report can draw the graph. */
static void event_deps(struct exec *x)
{
	struct strbuf deps = STRBUF_INIT;
	strbuf_addc(&deps, '[');
	for (size_t i = 0; i < x->spec.ndeps; i++)
		strbuf_addf(&deps, "%s\"%s\"", i ? "," : "", x->spec.deps[i].task);
	strbuf_addc(&deps, ']');
	event_raw(&x->ev, "deps", strbuf_str(&deps));
	strbuf_release(&deps);
}


/* Nothing half-made may look done, now or at the next invocation. */
static void remove_temporaries(const struct exec *x)
{
	unlink(x->tmp);
	unlink(x->stdout_path);
}

/* One more task ended in this invocation: a byte appended to
 * RUN/progress, whose offset after the append is our k (appends of tasks
 * ending at once each get their own). */
static void count_done(struct exec *x)
{
	if (x->ntasks <= 0)
		return;
	char *pp = rundir_file(&x->rd, "progress");
	int fd = open(pp, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	free(pp);
	if (fd < 0)
		return;
	off_t k;
	if (write(fd, ".", 1) == 1 && (k = lseek(fd, 0, SEEK_CUR)) > 0)
		x->done = (long)k;
	close(fd);
}

static void end_event(struct exec *x, const char *state, int attempts,
		      const char *reason)
{
	double now = now_wall();
	event_start(&x->ev, "end");
	event_str(&x->ev, "task", x->spec.task);
	event_deps(x);
	event_int(&x->ev, "inv", x->inv);
	event_str(&x->ev, "state", state);
	event_int(&x->ev, "attempts", attempts);
	event_str(&x->ev, "reason", reason);
	event_str(&x->ev, "key", x->spec.key);
	if (x->inst_item)
		event_str(&x->ev, "item", x->inst_item);
	event_time(&x->ev, "started", x->wall0 ? x->wall0 : now);
	event_time(&x->ev, "time", now);
	event_num(&x->ev, "duration", x->mono0 ? now_mono() - x->mono0 : 0);
	journal(x);
	count_done(x);
}

/* ---- upstream states and the trigger ------------------------------------ */

struct deps_scan {
	const struct task_spec *spec;
	enum dep_state *st;
};

/* The last end event of a task decides its state when its output is
 * missing; later events overwrite earlier ones. */
static int scan_end(void *ctx, const cJSON *ev)
{
	struct deps_scan *d = ctx;
	const char *task = jsonx_get_string(ev, "task");
	const char *state = jsonx_get_string(ev, "state");
	if (!task || !state)
		return 0;
	for (size_t i = 0; i < d->spec->ndeps; i++) {
		if (d->st[i] == DEP_SUCCEEDED || strcmp(d->spec->deps[i].task, task))
			continue;
		/* "succeeded" without its output file (deleted, or an older
		 * key) is no result at all. */
		d->st[i] = !strcmp(state, "failed") ? DEP_FAILED :
			   !strcmp(state, "skipped") ? DEP_SKIPPED : DEP_NOT_RUN;
	}
	return 0;
}

static enum dep_state *dep_states(struct exec *x)
{
	const struct task_spec *s = &x->spec;
	enum dep_state *st = xcalloc(s->ndeps + 1, sizeof *st);
	int missing = 0;
	for (size_t i = 0; i < s->ndeps; i++) {
		char *p = rundir_file(&x->rd, "%s.%s.json", s->deps[i].task,
				      s->deps[i].key);
		/* A symbolic link is nobody's output. */
		st[i] = is_regular(p) ? DEP_SUCCEEDED : DEP_NOT_RUN;
		missing |= st[i] != DEP_SUCCEEDED;
		free(p);
	}
	if (missing) {
		struct deps_scan d = {s, st};
		if (journal_each(&x->rd, "{\"ev\":\"end\"", scan_end, &d) < 0)
			fatal(x, "cannot read %s/journal.jsonl: %s", x->rd.path,
			      strerror(errno));
	}
	return st;
}

static const char *dep_phrase(enum dep_state st)
{
	switch (st) {
	case DEP_FAILED: return "failed";
	case DEP_SKIPPED: return "was skipped";
	case DEP_NOT_RUN: return "did not run";
	default: return "succeeded";
	}
}

/* Whether the trigger lets the task run; if not, why is added to why. */
static int trigger_allows(const struct task_spec *s, const enum dep_state *st,
			  struct strbuf *why)
{
	size_t succeeded = 0;
	for (size_t i = 0; i < s->ndeps; i++) {
		succeeded += st[i] == DEP_SUCCEEDED;
		int blocks = 0;
		if (s->trigger == SPEC_ALL_SUCCESS)
			blocks = st[i] != DEP_SUCCEEDED;
		else if (s->trigger == SPEC_NONE_FAILED)
			blocks = st[i] == DEP_FAILED || st[i] == DEP_NOT_RUN;
		if (blocks) {
			strbuf_addf(why, "upstream '%s' %s", s->deps[i].task,
				    dep_phrase(st[i]));
			return 0;
		}
	}
	if (s->trigger == SPEC_ONE_SUCCESS && s->ndeps && !succeeded) {
		strbuf_adds(why, "no upstream task succeeded");
		return 0;
	}
	return 1;
}

/* ---- the input ---------------------------------------------------------- */

/* A task whose input is its static members only (no upstream outputs:
 * the tasks at the top of a graph, not a fan-out's instances, whose
 * items differ) often has the same input as many
 * others, {} most of all: its TASK.input.json is then a hard link to
 * inputs/HASH.json, which the first of them creates.  A link costs no
 * inode, a create does.  The shared file is used only when it holds
 * exactly our bytes.  0, or -1: the caller writes a file of its own. */
static int link_shared_input(struct exec *x)
{
	const struct task_spec *s = &x->spec;
	size_t len = s->ninput + 2;
	char *text = xmalloc(len);
	text[0] = '{';
	memcpy(text + 1, s->input, s->ninput);
	text[len - 1] = '}';
	unsigned long long h = 14695981039346656037ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)text[i];
		h *= 1099511628211ULL;
	}
	char *shared = rundir_file(&x->rd, "inputs/%016llx.json", h);
	int fd = open(shared, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		char *dir = rundir_file(&x->rd, "inputs");
		if (mkdir(dir, 0777) < 0 && errno != EEXIST)
			fd = -2;
		free(dir);
		int w = fd == -2 ? -1 : open(shared, O_WRONLY | O_CREAT | O_EXCL |
					     O_NOFOLLOW | O_CLOEXEC, 0400);
		if (w >= 0) {
			fchmod(w, 0400);
			if (write_all(w, text, len) < 0)
				unlink(shared);
			close(w);
		}
		fd = open(shared, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	}
	struct stat st;
	char *buf = xmalloc(len);
	int rc = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		 st.st_size == (off_t)len && (st.st_mode & 0777) == 0400 &&
		 pread(fd, buf, len, 0) == (ssize_t)len &&
		 !memcmp(buf, text, len) && link(shared, x->input) == 0 ? 0 : -1;
	if (fd >= 0)
		close(fd);
	free(buf);
	free(text);
	free(shared);
	return rc;
}

/* The input: the static members, then one member per upstream task
 * holding its output file byte for byte (never parsed, so a 100 MB output
 * costs a copy), or null for an upstream that failed or was skipped. */
static void write_input(struct exec *x, const enum dep_state *st)
{
	const struct task_spec *s = &x->spec;
	struct input_part *parts = xcalloc(s->ndeps + 1, sizeof *parts);
	/* A foreach instance gets its item, not the upstream outputs. */
	/* A task with `inputs:` gets exactly its bindings (Ork's rule). */
	size_t nparts = s->exact_input || (s->instance && !s->upstream) ?
			0 : s->ndeps;
	for (size_t i = 0; i < nparts; i++) {
		parts[i].name = s->deps[i].task;
		if (st[i] == DEP_SUCCEEDED)
			parts[i].path = rundir_file(&x->rd, "%s.%s.json",
						    s->deps[i].task, s->deps[i].key);
	}
	/* A new file of our own (never through a link someone put there),
	 * 0400: it may hold params and rendered values, and the task only
	 * reads it. */
	if (x->input_fd >= 0)
		close(x->input_fd);
	x->input_fd = -1;
	if (unlink(x->input) < 0 && errno != ENOENT)
		fatal(x, "cannot remove %s: %s", x->input, strerror(errno));
	if (nparts > 0 || s->instance || link_shared_input(x) < 0) {
		int fd = open(x->input, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			      O_CLOEXEC, 0400);
		if (fd < 0)
			fatal(x, "cannot create %s: %s", x->input, strerror(errno));
		fchmod(fd, 0400);
		const char *bad;
		if (input_write(fd, s->input, s->ninput, parts, nparts, &bad) < 0)
			fatal(x, "cannot %s %s: %s", bad ? "read" : "write",
			      bad ? bad : x->input, strerror(errno));
		close(fd);
	}
	for (size_t i = 0; i < s->ndeps; i++)
		free((char *)parts[i].path);
	free(parts);
	/* The task gets it read-only: an attempt must not be able to change
	 * what the next one reads (and input_unchanged checks it did not). */
	x->input_fd = open(x->input, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (x->input_fd < 0 || fstat(x->input_fd, &x->input_st) < 0)
		fatal(x, "cannot read %s: %s", x->input, strerror(errno));
}

/* Whether the input file is still the one written: same file, size, times
 * and mode.  A task can chmod its own file and rewrite it; the next
 * attempt then gets the input written again. */
static int input_unchanged(const struct exec *x)
{
	struct stat st;
	const struct stat *o = &x->input_st;
	return lstat(x->input, &st) == 0 && st.st_ino == o->st_ino &&
	       st.st_dev == o->st_dev && st.st_size == o->st_size &&
	       st.st_mode == o->st_mode &&
	       st.st_mtim.tv_sec == o->st_mtim.tv_sec &&
	       st.st_mtim.tv_nsec == o->st_mtim.tv_nsec &&
	       st.st_ctim.tv_sec == o->st_ctim.tv_sec &&
	       st.st_ctim.tv_nsec == o->st_ctim.tv_nsec;
}

/* ---- one attempt -------------------------------------------------------- */

static void log_failed(struct attempt *a, const char *what)
{
	warn_msg("cannot %s %s: %s", what, a->log, strerror(errno));
	if (a->log_fd >= 0)
		close(a->log_fd);
	a->log_fd = -2;
}

/* Past the head, the bytes go round a ring file of log_max/2 bytes, so the
 * log keeps the first and the last half of the cap whatever a task
 * prints, and ork's memory stays the size of one read. */
static void ring_write(struct attempt *a, const char *buf, size_t n)
{
	unsigned long long half = a->log_max / 2;
	if (a->ring_fd == -1) {
		char *ring = xasprintf("%s.tail", a->log);
		unlink(ring);
		a->ring_fd = open(ring, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
				  O_CLOEXEC, 0600);
		if (a->ring_fd >= 0)
			unlink(ring);   /* ours alone; gone when closed */
		free(ring);
		if (a->ring_fd < 0) {
			log_failed(a, "keep the tail of");
			return;
		}
	}
	while (n > 0 && a->ring_fd >= 0) {
		off_t pos = (off_t)(a->log_tail % half);
		size_t k = (size_t)(half - (unsigned long long)pos);
		if (k > n)
			k = n;
		if (pwrite(a->ring_fd, buf, k, pos) != (ssize_t)k) {
			close(a->ring_fd);
			a->ring_fd = -2;
			log_failed(a, "keep the tail of");
			return;
		}
		a->log_tail += k;
		buf += k;
		n -= k;
	}
}

/* The log is created on the first byte the task writes, so a quiet task
 * costs no log file. */
static void log_sink(void *ctx, const char *buf, size_t n)
{
	struct attempt *a = ctx;
	if (a->log_fd == -1) {
		a->log_fd = open(a->log, O_WRONLY | O_CREAT | O_APPEND |
				 O_NOFOLLOW | O_CLOEXEC, 0644);
		if (a->log_fd < 0)
			log_failed(a, "create");
	}
	if (a->log_fd < 0 || n == 0)
		return;
	size_t head = n;
	if (a->log_max && a->log_head + n > a->log_max / 2)
		head = (size_t)(a->log_max / 2 - a->log_head);
	if (head && write_all(a->log_fd, buf, head) < 0) {
		log_failed(a, "write");
		return;
	}
	a->log_head += head;
	if (head < n)
		ring_write(a, buf + head, n - head);
}

/* Close the log: the tail from the ring, after a line saying how much was
 * left out. */
static void log_close(struct attempt *a)
{
	unsigned long long half = a->log_max / 2;
	if (a->log_fd >= 0 && a->ring_fd >= 0 && a->log_tail) {
		unsigned long long kept = a->log_tail < half ? a->log_tail : half;
		if (a->log_tail > half) {
			char line[256];
			int k = snprintf(line, sizeof line, "\n[ork: %llu bytes "
					 "left out here: the log keeps the first %llu "
					 "and the last %llu bytes (ORK_LOG_MAX)]\n",
					 a->log_tail - half, half, half);
			if (write_all(a->log_fd, line, (size_t)k) < 0)
				log_failed(a, "write");
		}
		/* Oldest first: from the write position round to it. */
		unsigned long long start = a->log_tail > half ? a->log_tail % half : 0;
		char buf[65536];
		for (unsigned long long done = 0; done < kept && a->log_fd >= 0;) {
			unsigned long long pos = (start + done) % half;
			size_t k = sizeof buf;
			if (k > half - pos)
				k = (size_t)(half - pos);
			if (k > kept - done)
				k = (size_t)(kept - done);
			ssize_t r = pread(a->ring_fd, buf, k, (off_t)pos);
			if (r <= 0)
				break;
			if (write_all(a->log_fd, buf, (size_t)r) < 0)
				log_failed(a, "write");
			done += (unsigned long long)r;
		}
	}
	if (a->ring_fd >= 0)
		close(a->ring_fd);
	a->ring_fd = -1;
	if (a->log_fd >= 0)
		close(a->log_fd);
}

static void ensure_log(struct attempt *a)
{
	if (a->log_fd == -1)
		log_sink(a, "", 0);
}

/* ORK_INPUT_JSON, Ork's way to pass the input, up to a size; above it,
 * a note in the log says where the input is. */
static void input_env(struct exec *x, struct attempt *a, struct envb *e)
{
	off_t size = orkproto_input_env(x->input_fd, e);
	if (size < 0)
		fatal(x, "cannot read %s: %s", x->input, strerror(errno));
	if (size > 0) {
		char note[256];
		int n = snprintf(note, sizeof note, "[ork: ORK_INPUT_JSON is not "
				 "set: the input is %lld bytes, over its limit of "
				 "%d; read the file $ORK_INPUT, or stdin]\n",
				 (long long)size, ORKPROTO_INPUT_ENV_MAX);
		log_sink(a, note, (size_t)n);
	}
}

static char **task_env(struct exec *x, struct attempt *a, struct envb *e)
{
	const struct task_spec *s = &x->spec;
	const char *pypath = getenv("PYTHONPATH");
	for (size_t i = 0; i < s->nenv; i++) {
		envb_set(e, s->env[i].name, s->env[i].value);
		if (!strcmp(s->env[i].name, "PYTHONPATH"))
			pypath = s->env[i].value;
	}
	secrets_env(&x->sec, e);
	if (s->executor == SPEC_PYTHON) {
		char *pp = pypath && *pypath ? xasprintf("%s:%s", x->pydir, pypath)
					      : xstrdup(x->pydir);
		envb_set(e, "PYTHONPATH", pp);
		free(pp);
		if (s->file)
			envb_set(e, "ORK_FILE", s->file);
		if (s->module)
			envb_set(e, "ORK_MODULE", s->module);
		envb_set(e, "ORK_FUNCTION", s->function ? s->function : "main");
	}
	char num[32];
	envb_set(e, "ORK_WORKFLOW", x->rd.workflow);
	envb_set(e, "ORK_RUN_ID", x->rd.run_id);
	envb_set(e, "ORK_TASK", s->task);
	/* Ork's names for the same (orkproto.h) */
	envb_set(e, "ORK_WORKFLOW_NAME", x->rd.workflow);
	envb_set(e, "ORK_TASK_NAME", s->task);
	input_env(x, a, e);
	snprintf(num, sizeof num, "%d", a->k);
	envb_set(e, "ORK_ATTEMPT", num);
	snprintf(num, sizeof num, "%d", x->max_attempts);
	envb_set(e, "ORK_MAX_ATTEMPTS", num);
	envb_set(e, "ORK_RUN_DIR", x->absdir);
	char *p = xasprintf("%s/%s.input.json", x->absdir, s->task);
	envb_set(e, "ORK_INPUT", p);
	free(p);
	envb_set(e, "ORK_OUTPUT", x->tmp);
	p = xasprintf("%s/metrics.jsonl", x->absdir);
	envb_set(e, "ORK_METRICS", p);
	free(p);
	envb_set(e, "ORK_ERROR_FILE", x->errfile);
	if (x->params)
		envb_set(e, "ORK_PARAMS", x->params);
	if (x->upstream)
		envb_set(e, "ORK_UPSTREAM_FAILURES", x->upstream);
	if (s->instance) {
		snprintf(num, sizeof num, "%ld", s->index);
		envb_set(e, "ORK_PARALLEL_INDEX", num);
		snprintf(num, sizeof num, "%ld", s->count);
		envb_set(e, "ORK_PARALLEL_COUNT", num);
	}
	return envb_build(e, "ORK_SPEC");
}

static void fail_reason(struct attempt *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void fail_reason(struct attempt *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strbuf_reset(&a->reason);
	strbuf_vaddf(&a->reason, fmt, ap);
	va_end(ap);
	a->ok = 0;
}

/* A task (the Python runner, or a process that chooses to) explains its
 * failure in $ORK_ERROR_FILE: {"message", "details", "retryable"}. */
static void read_error_file(struct exec *x, struct attempt *a)
{
	size_t len;
	char *text = read_file_nofollow(x->errfile, &len);
	if (!text)
		return;
	unlink(x->errfile);
	cJSON *err = cJSON_ParseWithLength(text, len);
	free(text);
	if (!cJSON_IsObject(err)) {
		cJSON_Delete(err);
		return;
	}
	const char *msg = jsonx_get_string(err, "message");
	if (msg && *msg) {
		strbuf_reset(&a->reason);
		strbuf_adds(&a->reason, msg);
		a->from_exit = 0;
	}
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(err, "retryable");
	if (cJSON_IsFalse(r))
		a->retryable = 0;
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(err, "details");
	if (d && !cJSON_IsNull(d)) {
		char *j = jsonx_print(d, 0);
		/* Journal lines stay small; the log has the rest. */
		if (strlen(j) <= 4096)
			a->details = j;
		else
			free(j);
	}
	cJSON_Delete(err);
}

static int exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* A process task's stdout goes to the log whenever it is not the output:
 * the task wrote $ORK_OUTPUT instead, or the attempt failed (what it
 * printed may say why). */
static void stdout_to_log(struct attempt *a, int outfd)
{
	struct stat st;
	if (outfd < 0 || a->stdout_logged)
		return;
	a->stdout_logged = 1;
	if (fstat(outfd, &st) == 0 && st.st_size > 0 &&
	    lseek(outfd, 0, SEEK_SET) == 0) {
		/* Through the sink, so the cap holds. */
		char buf[65536];
		ssize_t n;
		while ((n = read(outfd, buf, sizeof buf)) > 0)
			log_sink(a, buf, (size_t)n);
	}
}

/* Ork's protocol (orkproto.h): the last line `ORK_OUTPUT:{json}` of a
 * process task's stdout is its output, written to x->tmp; the rest of
 * stdout goes to the log.  Returns 1 when there was such a line. */
static int output_line(struct exec *x, struct attempt *a, int outfd)
{
	struct stat st;
	if (outfd < 0 || fstat(outfd, &st) < 0 || st.st_size < 11)
		return 0;
	size_t n = (size_t)st.st_size;
	char *map = mmap(NULL, n, PROT_READ, MAP_PRIVATE, outfd, 0);
	if (map == MAP_FAILED)
		return 0;
	struct orkproto_line l;
	int found = orkproto_output_line_mapped(map, n, &l);
	if (found) {
		int fd = open(x->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			      O_CLOEXEC, 0644);
		if (fd < 0 || write_all(fd, map + l.value,
					l.value_end - l.value) < 0)
			fatal(x, "cannot write %s: %s", x->tmp, strerror(errno));
		close(fd);
		a->stdout_logged = 1;
		a->output_line = 1;
		log_sink(a, map, l.start);
		log_sink(a, map + l.end, n - l.end);
	}
	munmap(map, n);
	return found;
}

/* After a clean exit, the file that holds the output (borrowed). */
static const char *pick_output(struct exec *x, struct attempt *a, int outfd)
{
	if (x->spec.executor == SPEC_PYTHON) {
		/* A runner that wrote nothing returned nothing: null. */
		if (!exists(x->tmp)) {
			int fd = open(x->tmp, O_WRONLY | O_CREAT | O_EXCL |
				      O_NOFOLLOW | O_CLOEXEC, 0644);
			if (fd >= 0)
				close(fd);
		}
		return x->tmp;
	}
	if (!exists(x->tmp))
		return output_line(x, a, outfd) ? x->tmp : x->stdout_path;
	stdout_to_log(a, outfd);
	return x->tmp;
}

/* A typed task's output must fit its declared type before anything
 * downstream sees it.  Untyped tasks return at once: they pay nothing. */
static int check_output_type(const struct exec *x, struct attempt *a,
			     const char *out)
{
	if (!x->spec.output_type)
		return 0;
	struct strbuf err = STRBUF_INIT;
	int rc = type_check_file(x->spec.output_type, out, &err);
	if (rc < 0)
		fail_reason(a, "output type mismatch: %s", strbuf_str(&err));
	strbuf_release(&err);
	return rc;
}

/* Make the checked output the task's result: renamed into place, so
 * that it is whole or absent.  Not synced here: an fsync per task costs
 * more than the task (two journal commits); ork end syncs the run
 * directory's file system once, and ork begin checks, after a system
 * restart, the outputs written since the last sync (lifecycle.h). */
static void publish(struct exec *x, const char *out)
{
	if (rename(out, x->out) < 0)
		fatal(x, "cannot rename %s to %s: %s", out, x->out,
		      strerror(errno));
}

/* Ork's deferred outputs, which orkc does not track. */
static int check_ork_output(struct attempt *a, const char *out)
{
	if (orkproto_deferred(out)) {
		fail_reason(a, "the output is Ork's deferred shape ({\"deferred\": "
			    "[...]}): orkc does not track deferred jobs; wait "
			    "for the job in the task and return its result");
		a->retryable = 0;
		return -1;
	}
	return 0;
}

/* What a process task must print, after what output_check said. */
static void explain_stdout(const struct exec *x, struct attempt *a,
			   const char *out)
{
	if (a->output_line) {
		strbuf_adds(&a->reason, " (in the text after ORK_OUTPUT: on "
			    "the last line that starts with it)");
		return;
	}
	if (out != x->stdout_path || x->spec.executor != SPEC_PROCESS)
		return;
	strbuf_adds(&a->reason, "; stdout has no "
		 "ORK_OUTPUT: line either: a process task prints its output as "
		 "JSON on stdout, or prints one line ORK_OUTPUT:{json} (the rest "
		 "of stdout goes to the log), or writes it to the file "
		 "$ORK_OUTPUT");
}

/* Every file the task says it generates must be there (why.h). */
static int check_generates(const struct exec *x, struct attempt *a)
{
	const char *missing = generates_missing(&x->spec);
	if (!missing)
		return 0;
	fail_reason(a, "generated file '%s' is missing", missing);
	return -1;
}

/* Validate the output and rename it into place, or clean up after a
 * failed attempt. */
static void settle_output(struct exec *x, struct attempt *a, int outfd,
			  int started)
{
	const char *out = NULL;
	if (a->ok) {
		out = pick_output(x, a, outfd);
		struct strbuf err = STRBUF_INIT;
		int bad = output_check(out, &err) < 0;
		if (bad || check_ork_output(a, out) < 0 ||
		    check_output_type(x, a, out) < 0 ||
		    secrets_check_output(&x->sec, out, out == x->stdout_path,
					 &err) < 0 ||
		    check_generates(x, a) < 0) {
			if (err.len)
				fail_reason(a, "%s", err.buf);
			if (bad)
				explain_stdout(x, a, out);
			a->ok = 0;
			out = NULL;
		}
		strbuf_release(&err);
	} else if (started && !a->interrupted) {
		read_error_file(x, a);
	}
	if (out) {
		publish(x, out);
		/* What ork why compares a changed definition with (ork
		 * why is about tasks, not a fan-out's instances). */
		if (!x->spec.instance)
			spec_record(&x->rd, x->spec.task, getenv("ORK_SPEC"));
	}
	if (!out) {
		stdout_to_log(a, outfd);
		ensure_log(a);
		remove_temporaries(x);
	} else if (out == x->tmp && outfd >= 0) {
		unlink(x->stdout_path);
	}
}

static void describe_end(struct exec *x, struct attempt *a, struct proc *p,
			 enum proc_result r)
{
	if (r == PROC_TIMEDOUT) {
		fail_reason(a, "timed out after %gs", x->spec.timeout);
	} else if (r == PROC_INTERRUPTED) {
		a->interrupted = proc_interrupted();
		fail_reason(a, "interrupted by %s", proc_signame(a->interrupted));
	} else {
		char status[128];
		proc_describe(p->status, status, sizeof status);
		strbuf_reset(&a->reason);
		strbuf_adds(&a->reason, status);
		/* The shell's status for a program it could not find. */
		if (x->spec.executor == SPEC_PROCESS && WIFEXITED(p->status) &&
		    WEXITSTATUS(p->status) == 127)
			fail_reason(a, "exit status 127: command not found (the "
				    "log names it)");
		a->ok = WIFEXITED(p->status) && WEXITSTATUS(p->status) == 0;
		a->from_exit = WIFEXITED(p->status);
	}
	if (p->exited && WIFEXITED(p->status))
		a->exit_code = WEXITSTATUS(p->status);
	if (p->exited && WIFSIGNALED(p->status))
		a->signal = WTERMSIG(p->status);
}

/* The program start() runs, for "command not found: X"; NULL: not one
 * the task names. */
static const char *program(const struct exec *x)
{
	if (x->spec.executor == SPEC_PYTHON) {
		const char *py = x->python ? x->python : getenv("ORK_PYTHON");
		return py && *py ? py : "python3";
	}
	if (x->spec.executor == SPEC_PROCESS && x->spec.argv)
		return x->spec.argv[0];
	return NULL;
}

/* Start the executor; returns 0, or the errno of a failed start. */
static int start(struct exec *x, struct attempt *a, struct proc *p, int outfd,
		 int errfd)
{
	const struct task_spec *s = &x->spec;
	char *argv_buf[4];
	char *const *argv = s->argv;
	char *self = NULL;
	if (s->executor == SPEC_LIBRARY) {
		/* library.h: the call runs in a process of its own. */
		argv_buf[0] = self = library_self();
		argv_buf[1] = "call";
		argv_buf[2] = (char *)s->file;
		argv_buf[3] = NULL;
		argv = argv_buf;
	} else if (s->executor == SPEC_PYTHON) {
		const char *py = x->python ? x->python : getenv("ORK_PYTHON");
		argv_buf[0] = (char *)(py && *py ? py : "python3");
		argv_buf[1] = "-c";
		argv_buf[2] = (char *)python_main;
		argv_buf[3] = NULL;
		argv = argv_buf;
	} else if (!argv) {
		argv_buf[0] = "/bin/sh";
		argv_buf[1] = "-c";
		argv_buf[2] = (char *)s->script;
		argv_buf[3] = NULL;
		argv = argv_buf;
	}
	struct envb e = ENVB_INIT;
	char **env = task_env(x, a, &e);
	struct proc_opts o = {argv, env, x->input_fd, outfd, errfd};
	int err = proc_start(p, &o);
	envb_release(&e, env);
	free(self);
	return err;
}

/* The output reaches the disk at ork end's sync of the file system (see
 * publish): a big one would be written only then, after the task.  While
 * the task runs, every FLUSH_TICK seconds, the kernel is told to start
 * writing what stdout has gained (without waiting), so the disk works
 * alongside the task and that sync finds less left.  Returns the next tick,
 * or -1 when there is nothing to watch. */
#define FLUSH_TICK 0.05
#define FLUSH_MIN (4 << 20)   /* bytes worth a writeback */
static double flush_stdout(const struct exec *x, int outfd, off_t *flushed)
{
#ifdef HAVE_SYNC_FILE_RANGE
	struct stat st;
	if (!x->sync || outfd < 0)
		return -1;
	if (fstat(outfd, &st) == 0 && st.st_size - *flushed >= FLUSH_MIN &&
	    sync_file_range(outfd, *flushed, st.st_size - *flushed,
			    SYNC_FILE_RANGE_WRITE) == 0)
		*flushed = st.st_size;
	return now_mono() + FLUSH_TICK;
#else
	(void)x, (void)outfd, (void)flushed;
	return -1;
#endif
}

/* proc_wait, with a "still running after D" line every x->heartbeat
 * seconds, so that a long task is seen to be alive. */
static enum proc_result wait_beating(struct exec *x, const struct attempt *a,
				     struct proc *p, double deadline, int outfd)
{
	double beat = x->heartbeat > 0 ? now_mono() + x->heartbeat : -1;
	off_t flushed = 0;
	double tick = x->sync && outfd >= 0 ? now_mono() + FLUSH_TICK : -1;
	for (;;) {
		int beating = beat > 0 && (deadline < 0 || beat < deadline);
		double until = beating ? beat : deadline;
		int ticking = tick > 0 && (until < 0 || tick < until);
		enum proc_result r = proc_wait(p, ticking ? tick : until);
		if (r == PROC_TIMEDOUT && ticking) {
			tick = flush_stdout(x, outfd, &flushed);
			continue;
		}
		if (r != PROC_TIMEDOUT || !beating)
			return r;
		char dur[32];
		format_duration(now_mono() - x->mono0, dur);
		if (x->max_attempts > 1)
			progress(x, "still running after %s (attempt %d/%d)", dur,
				 a->k, x->max_attempts);
		else
			progress(x, "still running after %s", dur);
		beat += x->heartbeat;
	}
}

/* Run the executor to its end: exit, timeout or interrupt; then make
 * sure nothing of its process group is left. */
static void run_process(struct exec *x, struct attempt *a, int outfd,
			double t0)
{
	int pfd[2];
	if (proc_pipe(pfd) < 0)
		fatal(x, "cannot create a pipe: %s", strerror(errno));
	struct proc p = PROC_INIT;
	int err = start(x, a, &p, outfd >= 0 ? outfd : pfd[1], pfd[1]);
	close(pfd[1]);
	if (err) {
		close(pfd[0]);
		if (err == ENOENT && program(x))
			fail_reason(a, "command not found: %s", program(x));
		else
			fail_reason(a, "could not start: %s", strerror(err));
		return;
	}
	a->started = 1;
	p.pipe_fd = pfd[0];
	p.sink = log_sink;
	p.sink_ctx = a;
	secrets_sink(&x->sec, &p, log_sink, a);
	double timeout = x->spec.timeout;
	enum proc_result r = wait_beating(x, a, &p, timeout > 0 ? t0 + timeout
								 : -1, outfd);
	int sig = r == PROC_INTERRUPTED ? proc_interrupted() : SIGTERM;
	/* Even after a clean exit: no process of the task outlives it, not
	 * even one that left the group. */
	proc_kill_group(&p, sig, x->grace);
	proc_kill_adopted(x->grace, x->sec.relay);
	secrets_flush(&x->sec);
	describe_end(x, a, &p, r);
}

/* The run directory's filesystem is full, or as good as (under 64 KiB
 * left: the last partial write may have left a block or two), in blocks
 * or inodes. */
static int disk_full(const struct exec *x)
{
	struct statvfs v;
	return statvfs(x->absdir, &v) == 0 &&
	       ((unsigned long long)v.f_bavail * v.f_frsize < 65536 ||
		v.f_favail == 0);
}

/* A task that fails on a full disk often cannot say so (its log cannot
 * be written either): say it for it. */
static void note_full_disk(const struct exec *x, struct attempt *a)
{
	strbuf_addf(&a->reason, "; no space left on device in %s",
		    x->rd.path);
}

static void run_attempt(struct exec *x, struct attempt *a)
{
	double t0 = now_mono();
	a->exit_code = -1;
	a->retryable = 1;
	int outfd = -1;
	unlink(x->errfile);
	/* The first attempt's went with the stale output, under the lock. */
	if (a->k > 1)
		remove_temporaries(x);
	if (x->spec.executor != SPEC_PYTHON) {
		outfd = open(x->stdout_path, O_RDWR | O_CREAT | O_EXCL |
			     O_NOFOLLOW | O_CLOEXEC, 0644);
		if (outfd < 0)
			fatal(x, "cannot create %s: %s", x->stdout_path,
			      strerror(errno));
	}
	if (a->k > 1 && !input_unchanged(x))
		write_input(x, x->deps);
	if (lseek(x->input_fd, 0, SEEK_SET) < 0)
		fatal(x, "cannot rewind %s: %s", x->input, strerror(errno));
	int taskout = secrets_stdout(&x->sec, outfd);
	if (taskout < 0 && outfd >= 0)
		fatal(x, "cannot start the stdout relay: %s", strerror(errno));
	run_process(x, a, taskout, t0);
	if (secrets_stdout_end(&x->sec, taskout) < 0 && a->ok)
		fail_reason(a, "the stdout relay failed");
	/* Before the cleanup frees the space the attempt used. */
	int full = !a->ok && !a->interrupted && disk_full(x);
	settle_output(x, a, outfd, a->started);
	if (full && !a->ok)
		note_full_disk(x, a);
	if (a->reason.buf) {
		secrets_mask_text(&x->sec, a->reason.buf);
		a->reason.len = strlen(a->reason.buf);
	}
	secrets_mask_text(&x->sec, a->details);
	if (outfd >= 0)
		close(outfd);
	log_close(a);
	a->duration = now_mono() - t0;
}

/* ---- attempts and retries ----------------------------------------------- */

static void start_event(struct exec *x, const struct attempt *a)
{
	event_start(&x->ev, "start");
	event_str(&x->ev, "task", x->spec.task);
	event_int(&x->ev, "inv", x->inv);
	event_int(&x->ev, "attempt", a->k);
	event_time(&x->ev, "time", now_wall());
	event_str(&x->ev, "log", a->log_rel);
	if (x->inst_item)
		event_str(&x->ev, "item", x->inst_item);
	event_int(&x->ev, "pid", (long long)getpid());
	/* In a job of the Slurm artifact: the job, whose state says
	 * whether we run on whatever node (slurm.h). */
	const char *job = getenv("ORK_SLURM_JOB");
	if (job && *job && strlen(job) <= 20 && !job[strspn(job, "0123456789")])
		event_str(&x->ev, "job", job);
	journal(x);
}

/* The last attempt's event waits for the end event (one append for
 * both); one that a retry follows is written at once. */
static void attempt_event(struct exec *x, const struct attempt *a, int last)
{
	event_start(&x->ev, "attempt");
	event_str(&x->ev, "task", x->spec.task);
	event_int(&x->ev, "inv", x->inv);
	event_int(&x->ev, "attempt", a->k);
	event_bool(&x->ev, "ok", a->ok);
	event_int(&x->ev, "exit", a->exit_code);
	event_int(&x->ev, "signal", a->signal);
	event_str(&x->ev, "reason", a->ok ? "" : strbuf_str(&a->reason));
	if (a->details)
		event_raw(&x->ev, "details", a->details);
	event_time(&x->ev, "time", now_wall());
	event_num(&x->ev, "duration", a->duration);
	if (last) {
		strbuf_add(&x->held, x->ev.buf, x->ev.len);
		strbuf_adds(&x->held, "}\n");
		return;
	}
	journal(x);
}

static void interrupted(struct exec *x, int sig, int attempts)
{
	remove_temporaries(x);
	char reason[64];
	snprintf(reason, sizeof reason, "interrupted by %s", proc_signame(sig));
	end_event(x, "failed", attempts, reason);
	progress(x, "%s", reason);
	proc_reraise(sig);
}

/* Why a failed attempt is final although attempts remain, or NULL. */
static const char *no_retry(const struct exec *x, const struct attempt *a)
{
	if (!a->retryable)
		return "not retryable";
	if (x->spec.nretry_on &&
	    !(a->from_exit && spec_retries_exit(&x->spec, a->exit_code)))
		return "not in retry_on";
	return NULL;
}

static void report_success(struct exec *x, const struct attempt *a)
{
	char dur[32];
	end_event(x, "succeeded", a->k, "");
	format_duration(now_mono() - x->mono0, dur);
	if (a->k > 1)
		progress(x, "succeeded in %s (attempt %d/%d)", dur, a->k,
			 x->max_attempts);
	else
		progress(x, "succeeded in %s", dur);
}

static void report_failure(struct exec *x, const struct attempt *a,
			   const char *why_final)
{
	const char *reason = strbuf_str(&a->reason);
	end_event(x, "failed", a->k, reason);
	if (why_final)
		progress(x, "failed after %d of %d attempts (%s; %s); log: %s",
			 a->k, x->max_attempts, reason, why_final, a->log);
	else if (a->k > 1)
		progress(x, "failed after %d attempts (%s); log: %s", a->k,
			 reason, a->log);
	else
		progress(x, "failed (%s); log: %s", reason, a->log);
}

static void attempt_release(struct attempt *a)
{
	free(a->log_rel);
	free(a->log);
	free(a->details);
	strbuf_release(&a->reason);
	memset(a, 0, sizeof *a);
}

static void run_attempts(struct exec *x)
{
	x->mono0 = now_mono();
	x->wall0 = now_wall();
	progress(x, "started");
	for (int k = 1;; k++) {
		struct attempt a;
		memset(&a, 0, sizeof a);
		a.k = k;
		a.log_fd = -1;
		a.ring_fd = -1;
		a.log_max = x->log_max;
		a.log_rel = xasprintf("logs/%s.%d.%d.log", x->spec.task, x->inv, k);
		a.log = rundir_file(&x->rd, "%s", a.log_rel);
		if (proc_interrupted())
			interrupted(x, proc_interrupted(), k - 1);
		start_event(x, &a);
		run_attempt(x, &a);
		attempt_event(x, &a, a.ok || a.interrupted || k == x->max_attempts ||
			      no_retry(x, &a));
		if (a.interrupted)
			interrupted(x, a.interrupted, k);
		if (a.ok) {
			report_success(x, &a);
			attempt_release(&a);
			return;
		}
		const char *why = no_retry(x, &a);
		if (k == x->max_attempts || why) {
			report_failure(x, &a, k < x->max_attempts ? why : NULL);
			attempt_release(&a);
			return;
		}
		double delay = spec_retry_delay(&x->spec, k);
		if (delay > 0)
			progress(x, "attempt %d/%d failed (%s); retrying in %gs", k,
				 x->max_attempts, strbuf_str(&a.reason), delay);
		else
			progress(x, "attempt %d/%d failed (%s); retrying", k,
				 x->max_attempts, strbuf_str(&a.reason));
		attempt_release(&a);
		int sig = proc_sleep(delay);
		if (sig)
			interrupted(x, sig, k);
	}
}

/* A fan-out task: its instances are ork execs of their own (fanout.h). */
static void run_fanout(struct exec *x)
{
	struct strbuf err = STRBUF_INIT;
	x->mono0 = now_mono();
	x->wall0 = now_wall();
	int rc = fanout_run(&x->spec, getenv("ORK_SPEC"), &x->rd, x->out,
			    0, &err);
	if (rc > 1)
		interrupted(x, rc, 1);
	if (rc == 0) {
		char dur[32];
		end_event(x, "succeeded", 1, "");
		format_duration(now_mono() - x->mono0, dur);
		progress(x, "succeeded in %s", dur);
	} else {
		end_event(x, "failed", 1, strbuf_str(&err));
		progress(x, "failed (%s)", strbuf_str(&err));
	}
	strbuf_release(&err);
}

/* An element of a fan-out task's Slurm job array (fanout.h): if the
 * trigger and `when` let the task run, become instance index.  Nothing
 * is recorded for the task: its fan-in job does that. */
static void run_one_instance(struct exec *x, long index)
{
	enum dep_state *st = x->deps = dep_states(x);
	struct strbuf err = STRBUF_INIT;
	enum render_result rr = RENDER_RUN;
	int allowed = trigger_allows(&x->spec, st, &err);
	int templates = x->spec.templates;
	x->spec.templates = 0;
	if (allowed && x->spec.when)
		rr = render_task(&x->spec, &x->rd, &x->render, &err);
	x->spec.templates = templates;
	if (!allowed || rr != RENDER_RUN) {
		fprintf(stderr, "ork: %s[%ld]: not run (%s)\n", x->spec.task,
			index, allowed ? "its when did not let it" :
			strbuf_str(&err));
	} else if (fanout_exec_one(&x->spec, getenv("ORK_SPEC"), &x->rd, index,
				   &err)) {
		fprintf(stderr, "ork: %s[%ld]: not run (%s)\n", x->spec.task,
			index, strbuf_str(&err));
	}
	strbuf_release(&err);
}

/* ---- the command -------------------------------------------------------- */

/* dir holds the ork package when dir/ork/__init__.py exists. */
static int has_ork_package(const char *dir)
{
	char *init = xasprintf("%s/ork/__init__.py", dir);
	int ok = access(init, R_OK) == 0;
	free(init);
	return ok;
}

/* The directory holding the `ork` Python package, freshly allocated; dies
 * (status 2) when there is none. */
static char *find_pydir(void)
{
	const char *env = getenv("ORK_PYDIR");
	if (env && *env)
		return xstrdup(env);
	/* Beside the binary (an in-tree build), then the installed copy,
	 * then, only for the binary in its build directory (a VPATH build),
	 * the source tree it was built from: an installed or copied ork never
	 * runs the code of a source tree that happens to be there. */
	char *cands[4] = {NULL, NULL, NULL, NULL};
	size_t n = 0;
	int in_build = 0;
#ifdef __linux__
	char exe[4096];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash = len > 0 && len < (ssize_t)sizeof exe - 1
		? (exe[len] = '\0', strrchr(exe, '/')) : NULL;
	if (slash) {
		*slash = '\0';
		cands[n++] = xasprintf("%s/python", exe);
		cands[n++] = xasprintf("%s/runtime/python", exe);
		in_build = !strcmp(exe, ORK_BUILDDIR);
	}
#endif
	cands[n++] = xstrdup(ORK_PKGDATADIR "/python");
	if (in_build)
		cands[n++] = xstrdup(ORK_SRC_PYDIR);
	char *found = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!found && has_ork_package(cands[i]))
			found = cands[i];
		else
			free(cands[i]);
	}
	if (!found)
		die(ORK_EXIT_USAGE, "cannot find the ork Python package (installed under "
		    "%s/python); set ORK_PYDIR to the directory holding ork/",
		    ORK_PKGDATADIR);
	return found;
}

/* A task that runs although an upstream task did not succeed (on_failure:
 * run, or a trigger that allows it) learns which and why from the file
 * $ORK_UPSTREAM_FAILURES names (lifecycle.h has its format). */
static void note_upstream(struct exec *x, const enum dep_state *st)
{
	char *path = xasprintf("%s/%s.upstream.json", x->absdir, x->spec.task);
	unlink(path);
	const char **names = xcalloc(x->spec.ndeps + 1, sizeof *names);
	size_t n = 0;
	for (size_t i = 0; i < x->spec.ndeps; i++)
		if (st[i] != DEP_SUCCEEDED)
			names[n++] = x->spec.deps[i].task;
	char *text = n ? upstream_report(&x->rd, names, n) : NULL;
	free((void *)names);
	if (text && write_file_atomic(path, text, strlen(text)) == 0)
		x->upstream = path;
	else
		free(path);
	free(text);
}

static void exec_release(struct exec *x)
{
	free(x->upstream);
	free(x->pydir);
	spec_release(&x->spec);
	rundir_release(&x->rd);
	strbuf_release(&x->ev);
	strbuf_release(&x->held);
	free(x->absdir);
	free(x->python);
	free(x->params);
	render_release(&x->render);
	secrets_release(&x->sec);
	free(x->out);
	free(x->tmp);
	free(x->stdout_path);
	free(x->input);
	free(x->errfile);
	free(x->deps);
	free(x->inst_name);
	free(x->inst_input);
	free(x->inst_item);
	if (x->lock_fd >= 0)
		close(x->lock_fd);
	if (x->jfd >= 0)
		close(x->jfd);
	if (x->input_fd >= 0)
		close(x->input_fd);
}

int cmd_exec(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: ork exec TASK   (with ORK_SPEC, ORK_WORKFLOW "
			"and ORK_RUN_ID in the environment)\n");
		return ORK_EXIT_USAGE;
	}
	struct exec x;
	memset(&x, 0, sizeof x);
	x.jfd = x.input_fd = x.lock_fd = -1;
	load_spec(&x, argv[1]);
	/* A fan-out task's recipe runs under make -n too (fanout.h). */
	int fans_out = x.spec.fanout && !x.spec.instance;
	if (fans_out && fanout_dry_run()) {
		exec_release(&x);
		return 0;
	}
	long index = 0;
	enum fanout_role role = fans_out ? fanout_role(&index) : FANOUT_ALL;
	if (role == FANOUT_BAD)
		die(ORK_EXIT_USAGE, "exec: %s: ORK_FANOUT_INDEX is not an instance "
		    "index", x.spec.task);
	read_settings(&x);
	/* Before anything is recorded: a missing package is a broken
	 * install, not a task failure to retry. */
	if (x.spec.executor == SPEC_PYTHON)
		x.pydir = find_pydir();
	/* If make dies, we are told, and take the task down with us. */
	proc_signals_init();
	proc_die_with_parent(SIGTERM);
	open_run(&x);
	if (role == FANOUT_ONE) {
		run_one_instance(&x, index);
		exec_release(&x);
		return 0;
	}
	lock_task(&x);
	/* A stale output would look done if this run fails. */
	unlink(x.out);
	remove_temporaries(&x);

	enum dep_state *st = x.deps = dep_states(&x);
	struct strbuf err = STRBUF_INIT;
	/* Then the condition and the templates, only for tasks that have
	 * them (render.h): a task without them pays nothing here. */
	enum render_result rr = RENDER_RUN;
	int allowed = trigger_allows(&x.spec, st, &err);
	/* A fan-out task's templates are its instances' (item, index). */
	int templates = x.spec.templates;
	if (fans_out)
		x.spec.templates = 0;
	if (allowed && (x.spec.when || x.spec.templates))
		rr = render_task(&x.spec, &x.rd, &x.render, &err);
	x.spec.templates = templates;
	if (!allowed || rr == RENDER_SKIP) {
		end_event(&x, "skipped", 0, strbuf_str(&err));
		progress(&x, "skipped (%s)", strbuf_str(&err));
	} else if (rr == RENDER_FAIL ||
		   secrets_load(&x.spec, &x.sec, &err) < 0) {
		end_event(&x, "failed", 0, strbuf_str(&err));
		progress(&x, "failed (%s)", strbuf_str(&err));
	} else if (fans_out) {
		run_fanout(&x);
	} else {
		if (x.spec.instance) {
			x.inst_input = fanout_instance_input(&x.spec);
			x.spec.input = x.inst_input;
			x.spec.ninput = strlen(x.inst_input);
		}
		write_input(&x, st);
		note_upstream(&x, st);
		run_attempts(&x);
	}
	strbuf_release(&err);
	exec_release(&x);
	return 0;
}
