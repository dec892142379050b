/* inspect: see inspect.h. */
#include "inspect.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "history.h"
#include "journal.h"
#include "jsonx.h"
#include "report_html.h"
#include "rundir.h"
#include "util.h"

/* ---- finding runs ------------------------------------------------------- */

struct runref {
	char *workflow, *run_id, *dir;
	cJSON *run;          /* run.json */
	double started;
};

struct runlist {
	struct runref *v;
	size_t n, cap;
};

/* Without ORK_HOME: .ork here, else in the nearest directory above that
 * has one, as git finds .git, so that ork status works from anywhere in
 * the project.  The search stops at the file system's root and where
 * another file system is mounted. */
static const char *ork_home(void)
{
	static struct strbuf found = STRBUF_INIT;
	const char *h = getenv("ORK_HOME");
	if (h && *h)
		return h;
	if (found.len)
		return found.buf;
	struct strbuf up = STRBUF_INIT;
	struct stat here, above, home;
	if (stat(".", &here) == 0) {
		for (int depth = 0; depth < 256; depth++) {
			strbuf_reset(&found);
			strbuf_addf(&found, "%s.ork", up.buf ? up.buf : "");
			if (stat(found.buf, &home) == 0 && S_ISDIR(home.st_mode))
				break;
			strbuf_adds(&up, "../");
			if (stat(up.buf, &above) < 0 ||
			    above.st_dev != here.st_dev ||
			    above.st_ino == here.st_ino) {
				strbuf_reset(&found);
				break;
			}
			here = above;
		}
	}
	strbuf_release(&up);
	if (!found.len)
		strbuf_adds(&found, ".ork");
	return found.buf;
}

static void add_run(struct runlist *l, const char *home, const char *wf,
		    const char *id)
{
	struct rundir rd = {(char *)home, (char *)wf, (char *)id, NULL};
	rd.path = xasprintf("%s/%s/%s", home, wf, id);
	cJSON *run = rundir_load_run(&rd);
	if (!run) {
		free(rd.path);
		return;
	}
	l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof *l->v);
	struct runref *r = &l->v[l->n++];
	r->workflow = xstrdup(wf);
	r->run_id = xstrdup(id);
	r->dir = rd.path;
	r->run = run;
	r->started = 0;
	parse_time(jsonx_get_string(run, "started"), &r->started);
}

static int by_started(const void *a, const void *b)
{
	const struct runref *x = a, *y = b;
	if (x->started != y->started)
		return x->started < y->started ? -1 : 1;
	int c = strcmp(x->workflow, y->workflow);
	return c ? c : strcmp(x->run_id, y->run_id);
}

/* Entries of dir that are valid names by check, sorted. */
static size_t list_dir(const char *dir, int (*check)(const char *), char ***out)
{
	DIR *d = opendir(dir);
	char **v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.' || !check(e->d_name))
			continue;
		v = xgrow(v, &cap, n + 1, sizeof *v);
		v[n++] = xstrdup(e->d_name);
	}
	if (d)
		closedir(d);
	*out = v;
	return n;
}

/* Every run under $ORK_HOME (of one workflow if wf), oldest first. */
static void find_runs(struct runlist *l, const char *wf)
{
	const char *home = ork_home();
	char **wfs;
	size_t nwf = list_dir(home, valid_name, &wfs);
	for (size_t i = 0; i < nwf; i++) {
		if (!wf || !strcmp(wf, wfs[i])) {
			char *wdir = xasprintf("%s/%s", home, wfs[i]);
			char **ids;
			size_t nid = list_dir(wdir, valid_run_id, &ids);
			for (size_t j = 0; j < nid; j++) {
				add_run(l, home, wfs[i], ids[j]);
				free(ids[j]);
			}
			free(ids);
			free(wdir);
		}
		free(wfs[i]);
	}
	free(wfs);
	if (l->n)
		qsort(l->v, l->n, sizeof *l->v, by_started);
}

static void runlist_release(struct runlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].workflow);
		free(l->v[i].run_id);
		free(l->v[i].dir);
		cJSON_Delete(l->v[i].run);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* Resolve arg (NULL: the latest run) as inspect.h describes.  Returns 0,
 * or -1 when there is no such run (quiet: the caller may try arg as
 * something else). */
int inspect_resolve_run(const char *arg, const char *wf, struct rundir *rd)
{
	if (arg && rundir_from_path(rd, arg) == 0)
		return 0;
	if (arg && strchr(arg, '/')) {
		char *dir = xasprintf("%s/%s", ork_home(), arg);
		int rc = rundir_from_path(rd, dir);
		free(dir);
		return rc;
	}
	if (arg && !valid_run_id(arg))
		return -1;
	struct runlist l = {NULL, 0, 0};
	find_runs(&l, wf);
	int rc = -1;
	for (size_t i = l.n; i-- > 0;) {
		if (arg && strcmp(l.v[i].run_id, arg))
			continue;
		rc = rundir_from_path(rd, l.v[i].dir);
		break;
	}
	runlist_release(&l);
	return rc;
}

int inspect_no_run(const char *arg, const char *wf)
{
	if (arg)
		warn_msg("no run '%s' under %s%s%s", arg, ork_home(),
		      wf ? " for workflow " : "", wf ? wf : "");
	else
		warn_msg("no runs under %s%s%s (set ORK_HOME if they are elsewhere)",
		      ork_home(), wf ? " for workflow " : "", wf ? wf : "");
	return ORK_EXIT_USAGE;
}

/* ---- tables ------------------------------------------------------------- */

#define MAXCOLS 8

struct table {
	size_t ncols;
	char **cells;        /* row-major */
	size_t ncells, cap;
};

static void cell(struct table *t, const char *s)
{
	t->cells = xgrow(t->cells, &t->cap, t->ncells + 1, sizeof *t->cells);
	t->cells[t->ncells++] = xstrdup(s && *s ? s : "-");
}

/* Reasons can be long or hold line breaks; a table cell gets one line. */
static void cell_short(struct table *t, const char *s, size_t max)
{
	struct strbuf sb = STRBUF_INIT;
	if (s)
		strbuf_add_safe(&sb, s, strlen(s), 0);
	if (sb.len > max) {
		sb.len = max;
		strbuf_adds(&sb, "...");
	}
	cell(t, strbuf_str(&sb));
	strbuf_release(&sb);
}

static void table_print(struct table *t, FILE *out)
{
	size_t w[MAXCOLS] = {0};
	for (size_t i = 0; i < t->ncells; i++) {
		size_t n = strlen(t->cells[i]);
		if (n > w[i % t->ncols])
			w[i % t->ncols] = n;
	}
	for (size_t i = 0; i < t->ncells; i++) {
		size_t c = i % t->ncols;
		if (c + 1 == t->ncols)
			fprintf(out, "%s\n", t->cells[i]);
		else
			fprintf(out, "%-*s  ", (int)w[c], t->cells[i]);
		free(t->cells[i]);
	}
	free(t->cells);
	memset(t, 0, sizeof *t);
}

/* ---- ork status --------------------------------------------------------- */

struct status_opts {
	const char *run;
	const char *workflow;
	int json;
};

static int parse_run_opts(int argc, char **argv, struct status_opts *o,
			  const char **extra, const char *usage)
{
	memset(o, 0, sizeof *o);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") && !extra) {
			o->json = 1;
		} else if (!strcmp(argv[i], "--workflow") && i + 1 < argc) {
			o->workflow = argv[++i];
		} else if (!strncmp(argv[i], "--workflow=", 11)) {
			o->workflow = argv[i] + 11;
		} else if (argv[i][0] != '-' && !o->run) {
			o->run = argv[i];
		} else if (argv[i][0] != '-' && extra && !*extra) {
			*extra = argv[i];
		} else {
			fprintf(stderr, "usage: %s\n", usage);
			return -1;
		}
	}
	return 0;
}

/* An instance TASK[N] of a fan-out task (fanout.h): the length of TASK
 * and N; 0 for other names. */
static size_t instance_of(const char *name, long *index)
{
	const char *b = strchr(name, '[');
	size_t len = strlen(name);
	if (!b || b == name || name[len - 1] != ']')
		return 0;
	*index = strtol(b + 1, NULL, 10);
	return (size_t)(b - name);
}

static int cmp_instances(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	long ix, iy;
	size_t lx = instance_of(x, &ix), ly = instance_of(y, &iy);
	int c = strncmp(x, y, lx < ly ? lx : ly);
	if (c || lx != ly)
		return c ? c : lx < ly ? -1 : 1;
	return (ix > iy) - (ix < iy);
}

/* The tasks to show: those of the workflow as the artifact (ork begin)
 * or ork end listed them, then any other the journal mentions in the
 * current invocation (a goal's tasks, a run whose artifact listed none);
 * the instances of a fan-out task right after it, in index order.  A
 * task of an earlier invocation that the list no longer has was removed
 * from the workflow: not part of the run. */
static size_t task_order(const cJSON *run, const struct history *h,
			 const char ***out)
{
	const cJSON *tasks = cJSON_GetObjectItemCaseSensitive(run, "tasks");
	int inv = (int)jsonx_get_number(run, "invocation", 0);
	size_t cap = (size_t)cJSON_GetArraySize(tasks) + h->ntasks + 1, n = 0;
	const char **v = xcalloc(cap, sizeof *v);
	const char **inst = xcalloc(h->ntasks + 1, sizeof *inst);
	size_t ni = 0;
	long idx;
	for (const cJSON *t = tasks ? tasks->child : NULL; t; t = t->next)
		if (cJSON_IsString(t))
			v[n++] = t->valuestring;
	for (size_t i = 0; i < h->ntasks; i++) {
		if (instance_of(h->tasks[i].task, &idx)) {
			inst[ni++] = h->tasks[i].task;
			continue;
		}
		if (tasks && h->tasks[i].inv != inv)
			continue;
		int seen = 0;
		for (size_t j = 0; j < n && !seen; j++)
			seen = !strcmp(v[j], h->tasks[i].task);
		if (!seen)
			v[n++] = h->tasks[i].task;
	}
	if (ni) {
		qsort(inst, ni, sizeof *inst, cmp_instances);
		unsigned char *used = xcalloc(ni, 1);
		const char **w = xcalloc(cap, sizeof *w);
		size_t m = 0;
		for (size_t j = 0; j < n; j++) {
			w[m++] = v[j];
			size_t len = strlen(v[j]), lo = 0, hi = ni;
			while (lo < hi) {   /* the first instance not before v[j] */
				size_t mid = (lo + hi) / 2;
				size_t bl = instance_of(inst[mid], &idx);
				int c = strncmp(inst[mid], v[j], bl < len ? bl : len);
				if (c < 0 || (c == 0 && bl < len))
					lo = mid + 1;
				else
					hi = mid;
			}
			for (; lo < ni && instance_of(inst[lo], &idx) == len &&
			       !strncmp(inst[lo], v[j], len); lo++) {
				if (!used[lo])
					w[m++] = inst[lo];
				used[lo] = 1;
			}
		}
		for (size_t k = 0; k < ni; k++)
			if (!used[k])
				w[m++] = inst[k];
		free(used);
		free(v);
		v = w;
		n = m;
	}
	free(inst);
	*out = v;
	return n;
}

/* The latest attempt's log, if the task wrote one. */
static char *log_path(const struct rundir *rd, const struct task_hist *th)
{
	if (!th || !th->log)
		return NULL;
	char *p = rundir_file(rd, "%s", th->log);
	if (access(p, F_OK) == 0)
		return p;
	free(p);
	return NULL;
}

/* ", took D" for an object with started and finished; while running,
 * ", running for D". */
static void print_took(const cJSON *o, int running)
{
	double t0, t1;
	char d[32];
	if (parse_time(jsonx_get_string(o, "started"), &t0))
		return;
	if (!parse_time(jsonx_get_string(o, "finished"), &t1)) {
		format_duration(t1 - t0, d);
		printf(", took %s", d);
	} else if (running) {
		format_duration(now_wall() - t0, d);
		printf(", running for %s", d);
	}
}

static void status_header(const struct rundir *rd, const cJSON *run)
{
	const char *started = jsonx_get_string(run, "started");
	const char *state = run_state(run);
	int inv = (int)jsonx_get_number(run, "invocation", 0);
	printf("run %s of %s: %s", rd->run_id, rd->workflow, state);
	printf(" (invocation %d", inv);
	if (started)
		printf(", started %s", started);
	print_took(run, !strcmp(state, "running"));
	/* A no-op re-run has timings of its own; the work was earlier. */
	const cJSON *work = cJSON_GetObjectItemCaseSensitive(run, "work");
	int winv = (int)jsonx_get_number(work, "invocation", 0);
	if (work && winv != inv) {
		printf("; last ran tasks in invocation %d, started %s", winv,
		       jsonx_get_string(work, "started"));
		print_took(work, 0);
	}
	printf(")\ndirectory: %s\n\n", rd->path);
}

/* A task's state for the operator: "pending" for one not started yet in
 * a run that is still running. */
static const char *shown_state(const struct rundir *rd, const cJSON *run,
			       const struct task_hist *th)
{
	const char *st = task_state(rd, th);
	if (!strcmp(st, "not run") && !strcmp(run_state(run), "running"))
		return "pending";
	return st;
}

/* How long a running task has run so far, into d; 0 when it is not. */
static int running_for(const struct task_hist *th, char d[32])
{
	double t0;
	if (!th || !th->open || !pid_alive(th->pid) ||
	    parse_time(th->since, &t0))
		return 0;
	format_duration(now_wall() - t0, d);
	return 1;
}

static void status_table(const struct rundir *rd, const cJSON *run,
			 const struct history *h)
{
	const char **names;
	size_t n = task_order(run, h, &names);
	struct table t = {6, NULL, 0, 0};
	static const char *const head[] = {"TASK", "STATE", "ATTEMPTS",
					   "DURATION", "REASON", "LOG"};
	for (size_t i = 0; i < 6; i++)
		cell(&t, head[i]);
	for (size_t i = 0; i < n; i++) {
		const struct task_hist *th = history_get(h, names[i]);
		char num[32], dur[32];
		if (th && th->item) {
			/* An instance shows its item (fanout.h). */
			char *name = xasprintf("%s %s", names[i], th->item);
			cell_short(&t, name, 60);
			free(name);
		} else {
			cell(&t, names[i]);
		}
		cell(&t, shown_state(rd, run, th));
		snprintf(num, sizeof num, "%d", th ? th->attempts : 0);
		cell(&t, th && th->attempts ? num : "-");
		format_duration(th ? th->duration : 0, dur);
		if (running_for(th, dur))
			cell(&t, dur);
		else
			cell(&t, th && th->attempts && th->state && !th->open ?
				 dur : "-");
		cell_short(&t, th && !th->open ? th->reason : NULL, 60);
		char *log = log_path(rd, th);
		cell(&t, log);
		free(log);
	}
	table_print(&t, stdout);
	free(names);
}

static void json_str(cJSON *o, const char *key, const char *val)
{
	if (val)
		cJSON_AddStringToObject(o, key, val);
	else
		cJSON_AddNullToObject(o, key);
}

static void status_json(const struct rundir *rd, const cJSON *run,
			const struct history *h)
{
	cJSON *o = cJSON_CreateObject();
	json_str(o, "workflow", rd->workflow);
	json_str(o, "run_id", rd->run_id);
	json_str(o, "dir", rd->path);
	json_str(o, "state", run_state(run));
	cJSON_AddNumberToObject(o, "invocation", jsonx_get_number(run, "invocation", 0));
	json_str(o, "started", jsonx_get_string(run, "started"));
	json_str(o, "finished", jsonx_get_string(run, "finished"));
	const cJSON *work = cJSON_GetObjectItemCaseSensitive(run, "work");
	if (work)
		cJSON_AddItemToObject(o, "work", cJSON_Duplicate(work, 1));
	else
		cJSON_AddNullToObject(o, "work");
	cJSON *arr = cJSON_AddArrayToObject(o, "tasks");
	const char **names;
	size_t n = task_order(run, h, &names);
	for (size_t i = 0; i < n; i++) {
		const struct task_hist *th = history_get(h, names[i]);
		cJSON *t = cJSON_CreateObject();
		json_str(t, "task", names[i]);
		if (th && th->item)
			json_str(t, "item", th->item);
		json_str(t, "state", shown_state(rd, run, th));
		cJSON_AddNumberToObject(t, "attempts", th ? th->attempts : 0);
		double t0;
		char d[32];
		if (th && th->state && !th->open)
			cJSON_AddNumberToObject(t, "duration", th->duration);
		else if (running_for(th, d) && !parse_time(th->since, &t0))
			cJSON_AddNumberToObject(t, "duration", now_wall() - t0);
		else
			cJSON_AddNullToObject(t, "duration");
		json_str(t, "reason", th && !th->open ? th->reason : NULL);
		if (th && th->exit_code >= 0)
			cJSON_AddNumberToObject(t, "exit", th->exit_code);
		else
			cJSON_AddNullToObject(t, "exit");
		if (th && th->signal)
			cJSON_AddNumberToObject(t, "signal", th->signal);
		else
			cJSON_AddNullToObject(t, "signal");
		char *log = log_path(rd, th);
		json_str(t, "log", log);
		free(log);
		json_str(t, "started", th && !th->open ? th->started : NULL);
		json_str(t, "finished", th && !th->open ? th->finished : NULL);
		/* A run submitted to Slurm: the task's latest job (slurm.h). */
		if (th && th->job)
			json_str(t, "slurm_job", th->job);
		cJSON_AddItemToArray(arr, t);
	}
	free(names);
	char *text = jsonx_print(o, JSONX_PRETTY);
	printf("%s\n", text);
	free(text);
	cJSON_Delete(o);
}

int cmd_status(int argc, char **argv)
{
	struct status_opts o;
	if (parse_run_opts(argc, argv, &o, NULL,
			   "ork status [RUN] [--workflow NAME] [--json]") < 0)
		return ORK_EXIT_USAGE;
	struct rundir rd;
	if (inspect_resolve_run(o.run, o.workflow, &rd) < 0)
		return inspect_no_run(o.run, o.workflow);
	cJSON *run = rundir_load_run(&rd);
	struct history h = HISTORY_INIT;
	if (history_load(&h, &rd) < 0)
		die(ORK_EXIT_USAGE, "cannot read %s/journal.jsonl: %s", rd.path, strerror(errno));
	if (o.json) {
		status_json(&rd, run, &h);
	} else {
		status_header(&rd, run);
		status_table(&rd, run, &h);
	}
	/* Scripts (and cron jobs) can test the run: 1 when it failed or
	 * was interrupted. */
	const char *state = run_state(run);
	int rc = !strcmp(state, "failed") || !strcmp(state, "interrupted");
	history_release(&h);
	cJSON_Delete(run);
	rundir_release(&rd);
	return rc;
}

/* ---- ork logs ----------------------------------------------------------- */

/* One attempt, from its start event and (once it ended) its attempt event. */
struct logent {
	char *task, *log, *result;
	int inv, attempt;
};

struct logscan {
	const char *task;      /* only this task, or NULL */
	struct logent *v;
	size_t n, cap;
};

static int scan_logs(void *ctx, const cJSON *ev)
{
	struct logscan *s = ctx;
	const char *kind = jsonx_get_string(ev, "ev");
	const char *task = jsonx_get_string(ev, "task");
	/* TASK also names its instances TASK[N] (fanout.h). */
	size_t tl = s->task ? strlen(s->task) : 0;
	if (!kind || !task || (s->task && strcmp(s->task, task) &&
			       (strncmp(s->task, task, tl) || task[tl] != '[')))
		return 0;
	int inv = (int)jsonx_get_number(ev, "inv", 0);
	int attempt = (int)jsonx_get_number(ev, "attempt", 0);
	if (!strcmp(kind, "start")) {
		s->v = xgrow(s->v, &s->cap, s->n + 1, sizeof *s->v);
		struct logent *e = &s->v[s->n++];
		const char *log = jsonx_get_string(ev, "log");
		e->task = xstrdup(task);
		e->log = log ? xstrdup(log) : NULL;
		e->result = NULL;
		e->inv = inv;
		e->attempt = attempt;
	} else if (!strcmp(kind, "attempt")) {
		for (size_t i = s->n; i-- > 0;) {
			struct logent *e = &s->v[i];
			if (e->inv != inv || e->attempt != attempt ||
			    strcmp(e->task, task) || e->result)
				continue;
			const char *reason = jsonx_get_string(ev, "reason");
			const cJSON *ok = cJSON_GetObjectItemCaseSensitive(ev, "ok");
			e->result = cJSON_IsTrue(ok) ? xstrdup("succeeded") :
				xasprintf("failed: %s", reason ? reason : "?");
			break;
		}
	}
	return 0;
}

/* Copy a log to stdout from *off on, moving *off past what was copied.
 * Terminal controls other than newline and tab are shown escaped (\x1b),
 * on a terminal or not: the log file itself has the raw bytes.  Unless
 * final, a C1 control's first byte at the very end is left for the next
 * call (it may be half of one).  Returns the last byte copied, or -1. */
static int copy_log(const char *path, off_t *off, int final)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	fflush(stdout);
	char buf[65536];
	int last = -1;
	ssize_t n;
	struct strbuf sb = STRBUF_INIT;
	size_t carry = 0;
	while ((n = pread(fd, buf + carry, sizeof buf - carry, *off)) > 0) {
		size_t len = carry + (size_t)n;
		*off += n;
		/* A C1 control's first byte at the end waits for its second. */
		carry = (unsigned char)buf[len - 1] == 0xc2 ? 1 : 0;
		strbuf_reset(&sb);
		strbuf_add_safe(&sb, buf, len - carry, 1);
		fwrite(sb.buf, 1, sb.len, stdout);
		if (len > carry)
			last = (unsigned char)buf[len - 1 - carry];
		if (carry)
			buf[0] = buf[len - 1];
	}
	if (carry && final) {
		fwrite(buf, 1, 1, stdout);
		last = (unsigned char)buf[0];
	} else if (carry) {
		(*off)--;
	}
	strbuf_release(&sb);
	close(fd);
	fflush(stdout);
	return last;
}

/* Copy a whole log to stdout, ending with a newline whatever the task
 * wrote. */
static void cat_log(const char *path)
{
	off_t off = 0;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		printf("(%s)\n", errno == ENOENT ? "no output" : strerror(errno));
		return;
	}
	close(fd);
	int last = copy_log(path, &off, 1);
	if (last >= 0 && last != '\n')
		putchar('\n');
}

static void logscan_release(struct logscan *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].task);
		free(s->v[i].log);
		free(s->v[i].result);
	}
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

static void print_header(const struct logent *e, const char *r)
{
	struct strbuf res = STRBUF_INIT;
	strbuf_add_safe(&res, r, strlen(r), 0);
	printf("==> %s: invocation %d, attempt %d (%s) <==\n", e->task,
	       e->inv, e->attempt, strbuf_str(&res));
	strbuf_release(&res);
}

/* Whether `ork logs -f` is done: the run no longer runs, or the task
 * ended in the run's current invocation. */
static int follow_done(const struct rundir *rd, const char *task)
{
	cJSON *run = rundir_load_run(rd);
	int done = strcmp(run_state(run), "running") != 0;
	int inv = (int)jsonx_get_number(run, "invocation", 0);
	cJSON_Delete(run);
	if (done || !task)
		return done;
	struct history h = HISTORY_INIT;
	if (history_load(&h, rd) == 0) {
		const struct task_hist *th = history_get(&h, task);
		done = th && !th->open && th->state && th->inv == inv;
	}
	history_release(&h);
	return done;
}

/* ork logs -f: the logs so far, then what is appended to them and the
 * attempts that start, until follow_done; polled every 0.2 s. */
static int follow_logs(const struct rundir *rd, const char *task)
{
	off_t *offs = NULL;
	int *ended = NULL;
	size_t nseen = 0, cap = 0;
	int last_nl = 1, done = 0;
	for (;;) {
		/* Decided before the scan, so that the last pass sees all. */
		done = follow_done(rd, task);
		struct logscan s = {task, NULL, 0, 0};
		if (journal_each(rd, NULL, scan_logs, &s) < 0)
			die(ORK_EXIT_USAGE, "cannot read %s/journal.jsonl: %s", rd->path,
			    strerror(errno));
		for (size_t i = 0; i < s.n; i++) {
			struct logent *e = &s.v[i];
			if (i >= nseen) {
				offs = xgrow(offs, &cap, i + 1, sizeof *offs);
				ended = xrealloc(ended, cap * sizeof *ended);
				offs[i] = 0;
				ended[i] = 0;
				nseen = i + 1;
				if (!last_nl)
					putchar('\n');
				print_header(e, e->result ? e->result : "running");
				last_nl = 1;
			}
			if (ended[i] || !e->log)
				continue;
			char *p = rundir_file(rd, "%s", e->log);
			int last = copy_log(p, &offs[i], e->result != NULL);
			free(p);
			if (last >= 0)
				last_nl = last == '\n';
			if (e->result) {
				ended[i] = 1;
				if (!last_nl)
					putchar('\n');
				last_nl = 1;
				printf("==> %s: attempt %d ended: %s <==\n", e->task,
				       e->attempt, e->result);
			}
		}
		logscan_release(&s);
		fflush(stdout);
		if (done)
			break;
		usleep(200000);
	}
	if (!last_nl)
		putchar('\n');
	free(offs);
	free(ended);
	return 0;
}

int cmd_logs(int argc, char **argv)
{
	struct status_opts o;
	const char *task = NULL;
	int follow = 0, k = 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-f") || !strcmp(argv[i], "--follow"))
			follow = 1;
		else
			argv[k++] = argv[i];
	}
	argc = k;
	if (parse_run_opts(argc, argv, &o, &task,
			   "ork logs [-f] [RUN] [TASK] [--workflow NAME]") < 0)
		return ORK_EXIT_USAGE;
	struct rundir rd;
	if (inspect_resolve_run(o.run, o.workflow, &rd) < 0) {
		/* A lone argument that is no run is a task of the latest. */
		if (!o.run || task || inspect_resolve_run(NULL, o.workflow, &rd) < 0)
			return inspect_no_run(o.run, o.workflow);
		task = o.run;
	}
	if (follow) {
		int rc = follow_logs(&rd, task);
		rundir_release(&rd);
		return rc;
	}
	struct logscan s = {task, NULL, 0, 0};
	if (journal_each(&rd, NULL, scan_logs, &s) < 0)
		die(ORK_EXIT_USAGE, "cannot read %s/journal.jsonl: %s", rd.path, strerror(errno));
	if (task && !s.n) {
		warn_msg("no attempts of task '%s' in run %s of %s", task, rd.run_id,
		      rd.workflow);
		rundir_release(&rd);
		return ORK_EXIT_USAGE;
	}
	for (size_t i = 0; i < s.n; i++) {
		struct logent *e = &s.v[i];
		print_header(e, e->result ? e->result : "running");
		if (e->log) {
			char *p = rundir_file(&rd, "%s", e->log);
			cat_log(p);
			free(p);
		}
	}
	logscan_release(&s);
	rundir_release(&rd);
	return 0;
}

/* ---- ork runs ----------------------------------------------------------- */

int cmd_runs(int argc, char **argv)
{
	const char *wf = NULL;
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-' || wf) {
			fprintf(stderr, "usage: ork runs [WORKFLOW]\n");
			return ORK_EXIT_USAGE;
		}
		wf = argv[i];
	}
	struct runlist l = {NULL, 0, 0};
	find_runs(&l, wf);
	if (!l.n)
		return inspect_no_run(NULL, wf);
	struct table t = {5, NULL, 0, 0};
	static const char *const head[] = {"WORKFLOW", "RUN", "STATE", "STARTED",
					   "DURATION"};
	for (size_t i = 0; i < 5; i++)
		cell(&t, head[i]);
	for (size_t i = 0; i < l.n; i++) {
		const struct runref *r = &l.v[i];
		cell(&t, r->workflow);
		cell(&t, r->run_id);
		cell(&t, run_state(r->run));
		cell(&t, jsonx_get_string(r->run, "started"));
		/* The duration of the last invocation that ran a task. */
		const cJSON *w = cJSON_GetObjectItemCaseSensitive(r->run, "work");
		double t0, t1;
		char d[32] = "";
		if (w && !parse_time(jsonx_get_string(w, "started"), &t0) &&
		    !parse_time(jsonx_get_string(w, "finished"), &t1))
			format_duration(t1 - t0, d);
		else if (!parse_time(jsonx_get_string(r->run, "finished"), &t1))
			format_duration(t1 - r->started, d);
		cell(&t, d);
	}
	table_print(&t, stdout);
	runlist_release(&l);
	return 0;
}

/* ---- ork report --------------------------------------------------------- */

#define REPORT_USAGE "ork report [RUN] [--workflow NAME] [-o FILE]"

static int parse_report_opts(int argc, char **argv, struct status_opts *o,
			     const char **file)
{
	memset(o, 0, sizeof *o);
	*file = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc && !*file) {
			*file = argv[++i];
		} else if (!strcmp(argv[i], "--workflow") && i + 1 < argc) {
			o->workflow = argv[++i];
		} else if (!strncmp(argv[i], "--workflow=", 11)) {
			o->workflow = argv[i] + 11;
		} else if (argv[i][0] != '-' && !o->run) {
			o->run = argv[i];
		} else {
			fprintf(stderr, "usage: %s\n", REPORT_USAGE);
			return -1;
		}
	}
	return 0;
}

int cmd_report(int argc, char **argv)
{
	struct status_opts o;
	const char *file;
	if (parse_report_opts(argc, argv, &o, &file) < 0)
		return ORK_EXIT_USAGE;
	int to_stdout = !file || !strcmp(file, "-");
	if (to_stdout && isatty(STDOUT_FILENO)) {
		warn_msg("not writing HTML to a terminal; use -o FILE (or -o - | ...)");
		return ORK_EXIT_USAGE;
	}
	struct rundir rd;
	if (inspect_resolve_run(o.run, o.workflow, &rd) < 0)
		return inspect_no_run(o.run, o.workflow);
	cJSON *run = rundir_load_run(&rd);
	struct history h = HISTORY_INIT;
	struct strbuf page = STRBUF_INIT;
	const char **names = NULL;
	if (history_load(&h, &rd) < 0)
		die(ORK_EXIT_USAGE, "cannot read %s/journal.jsonl: %s", rd.path, strerror(errno));
	size_t n = task_order(run, &h, &names);
	if (report_html(&page, &rd, run, &h, (const char *const *)names, n) < 0)
		die(ORK_EXIT_USAGE, "cannot read %s/journal.jsonl: %s", rd.path, strerror(errno));
	int rc = 0;
	if (to_stdout ? write_all(STDOUT_FILENO, page.buf, page.len) < 0 :
	    write_file_atomic(file, page.buf, page.len) < 0) {
		warn_msg("cannot write %s: %s", to_stdout ? "standard output" : file,
			 strerror(errno));
		rc = 2;
	} else if (!to_stdout) {
		fprintf(stderr, "ork: wrote %s (run %s of %s)\n", file, rd.run_id,
			rd.workflow);
	}
	free(names);
	strbuf_release(&page);
	history_release(&h);
	cJSON_Delete(run);
	rundir_release(&rd);
	return rc;
}
