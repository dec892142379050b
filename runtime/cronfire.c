/* cronfire: see cronfire.h.  The lock is the run's own: it is taken
 * before the command starts and released when this process exits, which
 * is after the command (and proc's group kill) has finished. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cron.h"
#include "jsonx.h"
#include "cronfire.h"
#include "lifecycle.h"
#include "proc.h"
#include "rundir.h"
#include "tz.h"
#include "util.h"

extern char **environ;

struct fire {
	const char *dir, *workflow, *schedule, *timezone, *at, *catchup;
	char *wfdir;            /* $ORK_HOME/NAME */
	char **argv;            /* the command */
	time_t scheduled;       /* the minute this firing stands for */
	char run_id[64];
	char when[40];          /* scheduled, RFC 3339 in the zone */
	int log_fd, lock_fd;
	struct strbuf partial;  /* the command's output after its last newline */
};

static const char usage[] =
	"usage: ork cron-fire [-C DIR] --workflow NAME [--schedule CRON] "
	"[--timezone ZONE]\n"
	"                     [--catchup none|latest|all] [--at TIME] -- COMMAND [ARG...]\n";

static void parse_args(int argc, char **argv, struct fire *f)
{
	static const struct option longopts[] = {
		{"workflow", required_argument, NULL, 'w'},
		{"schedule", required_argument, NULL, 's'},
		{"timezone", required_argument, NULL, 'z'},
		{"at", required_argument, NULL, 'a'},
		{"catchup", required_argument, NULL, 'c'},
		{NULL, 0, NULL, 0},
	};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+C:", longopts, NULL)) != -1) {
		switch (c) {
		case 'C': f->dir = optarg; break;
		case 'w': f->workflow = optarg; break;
		case 's': f->schedule = optarg; break;
		case 'z': f->timezone = optarg; break;
		case 'a': f->at = optarg; break;
		case 'c': f->catchup = optarg; break;
		default:
			die(ORK_EXIT_USAGE, "cron-fire: bad option '%s'\n%s", argv[optind - 1],
			    usage);
		}
	}
	if (!f->workflow || !valid_name(f->workflow))
		die(ORK_EXIT_USAGE, "cron-fire: --workflow NAME is required (a workflow "
		    "name)\n%s", usage);
	if (optind == argc)
		die(ORK_EXIT_USAGE, "cron-fire: no command after '--'\n%s", usage);
	if (f->timezone && !f->schedule)
		die(ORK_EXIT_USAGE, "cron-fire: --timezone goes with --schedule");
	if (f->catchup && strcmp(f->catchup, "none") &&
	    strcmp(f->catchup, "latest") && strcmp(f->catchup, "all"))
		die(ORK_EXIT_USAGE, "cron-fire: --catchup takes none, latest or all, not '%s'",
		    f->catchup);
	if (f->catchup && !f->schedule)
		die(ORK_EXIT_USAGE, "cron-fire: --catchup goes with --schedule");
	f->argv = argv + optind;
}

/* One line in cron.log, stamped with the current time in the zone. */
static void __attribute__((format(printf, 2, 3)))
log_line(const struct fire *f, const char *fmt, ...)
{
	char now[40];
	tz_format(time(NULL), now);
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%s %s ", now, f->run_id);
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strbuf_addc(&sb, '\n');
	/* One write, so lines of overlapping firings never interleave. */
	if (write(f->log_fd, sb.buf, sb.len) < 0)
		warn_msg("cannot write cron.log: %s", strerror(errno));
	strbuf_release(&sb);
}

/* The command's output, one stamped log line per line it wrote: "TIME
 * RUN_ID | text".  A line without its newline yet waits in f->partial. */
static void log_output(void *ctx, const char *buf, size_t n)
{
	struct fire *f = ctx;
	for (size_t i = 0; i < n; i++) {
		if (buf[i] != '\n') {
			strbuf_addc(&f->partial, buf[i]);
			continue;
		}
		log_line(f, "| %s", strbuf_str(&f->partial));
		strbuf_reset(&f->partial);
	}
}

static void log_output_end(struct fire *f)
{
	if (f->partial.len)
		log_line(f, "| %s", strbuf_str(&f->partial));
	strbuf_release(&f->partial);
}

/* Whether the schedule fires at f->scheduled in the zone in use. */
static int due(const struct fire *f)
{
	struct cron c;
	struct cron_error errs[CRON_MAXERRORS];
	if (cron_parse(f->schedule, &c, errs))
		die(ORK_EXIT_USAGE, "cron-fire: bad schedule '%s': %s", f->schedule,
		    errs[0].msg);
	time_t next;
	return cron_next(&c, f->scheduled - 1, &next) == 0 &&
	       next == f->scheduled;
}

/* cron-YYYYMMDDTHHMM of the scheduled minute's wall time; a wall time
 * that occurred before (the second pass of a repeated hour) gets "-2". */
static void make_run_id(struct fire *f)
{
	struct walltime w;
	tz_wall(f->scheduled, &w, NULL);
	snprintf(f->run_id, sizeof f->run_id, "cron-%04d%02d%02dT%02d%02d%s",
		 w.year, w.mon, w.mday, w.hour, w.min,
		 tz_instant(&w) != f->scheduled ? "-2" : "");
	tz_format(f->scheduled, f->when);
}

static void open_files(struct fire *f)
{
	const char *home = getenv("ORK_HOME");
	char *dir = xasprintf("%s/%s", home && *home ? home : ".ork",
			      f->workflow);
	if (mkdir_p(dir, 0777) < 0)
		die(ORK_EXIT_USAGE, "cron-fire: cannot create '%s': %s", dir, strerror(errno));
	char *log = xasprintf("%s/cron.log", dir);
	char *lock = xasprintf("%s/cron.lock", dir);
	f->wfdir = xstrdup(dir);
	f->log_fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (f->log_fd < 0)
		die(ORK_EXIT_USAGE, "cron-fire: cannot open '%s': %s", log, strerror(errno));
	f->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (f->lock_fd < 0)
		die(ORK_EXIT_USAGE, "cron-fire: cannot open '%s': %s", lock, strerror(errno));
	free(dir);
	free(log);
	free(lock);
}

/* Take the lock, or log who holds it.  Returns 0 when taken. */
static int take_lock(struct fire *f)
{
	if (flock(f->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK)
			die(ORK_EXIT_USAGE, "cron-fire: cannot lock cron.lock: %s",
			    strerror(errno));
		char holder[128] = "";
		ssize_t n = pread(f->lock_fd, holder, sizeof holder - 1, 0);
		holder[n > 0 ? n : 0] = '\0';
		holder[strcspn(holder, "\n")] = '\0';
		log_line(f, "skip: the previous run is still running (%s)",
			 *holder ? holder : "holder unknown");
		return -1;
	}
	/* Who holds it, for the next firing's skip line. */
	char me[128];
	int n = snprintf(me, sizeof me, "run %s, pid %ld\n", f->run_id,
			 (long)getpid());
	if (ftruncate(f->lock_fd, 0) < 0 ||
	    pwrite(f->lock_fd, me, (size_t)n, 0) != n)
		warn_msg("cron-fire: cannot write cron.lock: %s", strerror(errno));
	return 0;
}

/* This ork's own path, for ORK and PATH. */
static char *self_path(void)
{
	char buf[4096];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

/* environ, minus the names we set, plus ours. */
static char **child_env(const struct fire *f)
{
	static const char *const ours[] = {"ORK_RUN_ID=", "RUN_ID=",
		"ORK_SCHEDULED_TIME=", "ORK=", "PATH=", NULL};
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = xcalloc(n + 6, sizeof *env);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		int skip = 0;
		for (size_t j = 0; ours[j]; j++)
			skip |= !strncmp(environ[i], ours[j], strlen(ours[j]));
		if (!skip)
			env[k++] = environ[i];
	}
	char *self = self_path();
	const char *path = getenv("PATH");
	struct strbuf p = STRBUF_INIT;
	strbuf_adds(&p, "PATH=");
	if (self) {
		strbuf_add(&p, self, (size_t)(strrchr(self, '/') - self));
		strbuf_addc(&p, ':');
		env[k++] = xasprintf("ORK=%s", self);
	}
	if (path && *path)
		strbuf_addf(&p, "%s:", path);
	strbuf_adds(&p, "/usr/local/bin:/usr/bin:/bin");
	env[k++] = strbuf_detach(&p);
	env[k++] = xasprintf("ORK_RUN_ID=%s", f->run_id);
	env[k++] = xasprintf("RUN_ID=%s", f->run_id);
	env[k++] = xasprintf("ORK_SCHEDULED_TIME=%s", f->when);
	free(self);
	return env;
}

static void describe_argv(struct strbuf *sb, char **argv)
{
	for (size_t i = 0; argv[i]; i++) {
		if (i)
			strbuf_addc(sb, ' ');
		strbuf_adds(sb, argv[i]);
	}
}

/* A failed firing says so on stderr, which cron mails (MAILTO): the
 * run, how the command ended, each task that failed or did not run with
 * its reason and log, and where the whole output is. */
static void tell_failure(const struct fire *f, const char *how,
			 const char *dur)
{
	char *cwd = getcwd(NULL, 0);
	const char *home = getenv("ORK_HOME");
	if (!home || !*home)
		home = ".ork";
	char *base = home[0] == '/' || !cwd ? xstrdup(home)
		     : xasprintf("%s/%s", cwd, home);
	struct rundir rd = {base, (char *)f->workflow, (char *)f->run_id, NULL};
	rd.path = xasprintf("%s/%s/%s", base, f->workflow, f->run_id);
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "ork cron-fire: run %s of %s (scheduled %s) failed "
		    "(%s) after %s\n", f->run_id, f->workflow, f->when, how, dur);
	run_failures(&rd, &sb);
	strbuf_addf(&sb, "ork: run directory: %s\nork: cron log: %s/%s/cron.log"
		    "\n", rd.path, base, f->workflow);
	if (write(2, sb.buf, sb.len) < 0) {
		/* Nobody to tell. */
	}
	strbuf_release(&sb);
	free(rd.path);
	free(base);
	free(cwd);
}

/* Run the command with its output in cron.log; returns its status the
 * shell's way. */
static int run(struct fire *f)
{
	struct strbuf cmd = STRBUF_INIT;
	describe_argv(&cmd, f->argv);
	log_line(f, "fire: scheduled %s: %s", f->when, strbuf_str(&cmd));
	strbuf_release(&cmd);
	proc_signals_init();
	/* The run sees the zone of the environment, not the workflow's:
	 * before child_env copies environ. */
	tz_use(NULL);
	char **env = child_env(f);
	int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int pfd[2];
	if (proc_pipe(pfd) < 0)
		die(ORK_EXIT_USAGE, "cron-fire: cannot create a pipe: %s", strerror(errno));
	struct proc p = PROC_INIT;
	struct proc_opts o = {f->argv, env, in, pfd[1], pfd[1]};
	double start = now_mono();
	int err = proc_start(&p, &o);
	close(pfd[1]);
	if (in >= 0)
		close(in);
	p.pipe_fd = pfd[0];
	p.sink = log_output;
	p.sink_ctx = f;
	if (f->timezone)
		tz_use(f->timezone);
	if (err) {
		close(pfd[0]);
		log_line(f, "done: failed: cannot run '%s': %s", f->argv[0],
			 strerror(err));
		fprintf(stderr, "ork cron-fire: %s of %s: cannot run '%s': %s\n",
			f->run_id, f->workflow, f->argv[0], strerror(err));
		return err == ENOENT ? 127 : 126;
	}
	enum proc_result r = proc_wait(&p, -1);
	char dur[32];
	if (r != PROC_EXITED) {
		int sig = proc_interrupted();
		proc_kill_group(&p, sig ? sig : SIGTERM, 10);
		log_output_end(f);
		format_duration(now_mono() - start, dur);
		log_line(f, "done: interrupted by %s after %s",
			 proc_signame(sig ? sig : SIGTERM), dur);
		proc_reraise(sig ? sig : SIGTERM);
	}
	/* Reaps it and drains the pipe (the group may have left a child). */
	proc_kill_group(&p, SIGTERM, 10);
	log_output_end(f);
	format_duration(now_mono() - start, dur);
	char how[96];
	proc_describe(p.status, how, sizeof how);
	int ok = WIFEXITED(p.status) && WEXITSTATUS(p.status) == 0;
	if (ok)
		log_line(f, "done: succeeded in %s", dur);
	else
		log_line(f, "done: failed (%s) after %s", how, dur);
	if (!ok)
		tell_failure(f, how, dur);
	free(env);   /* the few strings it pointed to live until exit */
	return WIFEXITED(p.status) ? WEXITSTATUS(p.status)
				   : 128 + WTERMSIG(p.status);
}

/* ---- catching up --------------------------------------------------------- */

/* The scheduled time of the latest firing: $ORK_HOME/NAME/cron.last, else
 * the latest run.time of the cron-* runs there.  0 when none. */
static time_t last_fire(const struct fire *f)
{
	char *path = xasprintf("%s/cron.last", f->wfdir);
	char *text = read_file(path, NULL);
	free(path);
	time_t t = 0;
	if (text) {
		text[strcspn(text, "\n")] = '\0';
		if (tz_parse(text, &t) < 0)
			t = 0;
		free(text);
		if (t)
			return t;
	}
	DIR *d = opendir(f->wfdir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, "cron-", 5) || !valid_run_id(e->d_name))
			continue;
		char *rj = xasprintf("%s/%s/run.json", f->wfdir, e->d_name);
		char *js = read_file(rj, NULL);
		cJSON *run = js ? cJSON_Parse(js) : NULL;
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(run, "run");
		time_t rt;
		if (!tz_parse(jsonx_get_string(r, "time"), &rt) && rt > t)
			t = rt;
		cJSON_Delete(run);
		free(js);
		free(rj);
	}
	if (d)
		closedir(d);
	return t;
}

static void save_last(const struct fire *f)
{
	char *path = xasprintf("%s/cron.last", f->wfdir);
	char buf[48];
	tz_format(f->scheduled, buf);
	strcat(buf, "\n");
	if (write_file_atomic(path, buf, strlen(buf)) < 0)
		warn_msg("cron-fire: cannot write '%s': %s", path, strerror(errno));
	free(path);
}

/* The schedule's times after last and before f->scheduled (at most
 * max, the latest ones), into v; returns how many there were in all. */
static size_t missed(const struct fire *f, time_t last, time_t *v,
		     size_t max, size_t *nv)
{
	struct cron c;
	struct cron_error errs[CRON_MAXERRORS];
	*nv = 0;
	if (cron_parse(f->schedule, &c, errs) || c.reboot)
		return 0;
	size_t n = 0;
	time_t t = last;
	while (cron_next(&c, t, &t) == 0 && t < f->scheduled) {
		if (*nv == max) {
			memmove(v, v + 1, (max - 1) * sizeof *v);
			(*nv)--;
		}
		v[(*nv)++] = t;
		n++;
	}
	return n;
}

static int run(struct fire *f);

/* Run the firings missed since the last one, as catchup says: none, the
 * latest (latest), or each, oldest first (all; the latest 100 at
 * most).  Returns the last failed status, or 0. */
static int catch_up(struct fire *f, time_t last)
{
	enum { MAX_CATCHUP = 100 };
	time_t v[MAX_CATCHUP];
	size_t nv;
	int all = !strcmp(f->catchup, "all");
	size_t n = missed(f, last, v, all ? MAX_CATCHUP : 1, &nv);
	if (!n)
		return 0;
	time_t now = f->scheduled;
	log_line(f, "catchup %s: %zu firing%s missed since the last one; "
		 "running %zu", f->catchup, n, n == 1 ? "" : "s", nv);
	int rc = 0;
	for (size_t i = 0; i < nv; i++) {
		f->scheduled = v[i];
		make_run_id(f);
		int r = run(f);
		if (r)
			rc = r;
	}
	f->scheduled = now;
	make_run_id(f);
	return rc;
}

int cmd_cron_fire(int argc, char **argv)
{
	struct fire f;
	memset(&f, 0, sizeof f);
	parse_args(argc, argv, &f);
	if (f.dir && chdir(f.dir) < 0)
		die(ORK_EXIT_USAGE, "cron-fire: cannot enter '%s': %s", f.dir, strerror(errno));
	time_t now = time(NULL);
	if (f.at && tz_parse(f.at, &now) < 0)
		die(ORK_EXIT_USAGE, "cron-fire: --at needs an RFC 3339 time, not '%s'", f.at);
	f.scheduled = now - ((now % 60) + 60) % 60;
	if (tz_use(f.timezone) < 0)
		die(ORK_EXIT_USAGE, "cron-fire: unknown time zone '%s'", f.timezone);
	if (f.schedule && !due(&f))
		return 0;
	make_run_id(&f);
	open_files(&f);
	if (take_lock(&f) < 0)
		return 0;
	int rc = 0;
	if (f.schedule) {
		time_t last = last_fire(&f);
		save_last(&f);
		if (f.catchup && strcmp(f.catchup, "none") && last &&
		    last < f.scheduled)
			rc = catch_up(&f, last);
	}
	int st = run(&f);
	free(f.wfdir);
	return st ? st : rc;
}
