/* rundir: see rundir.h. */
#include "rundir.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "jsonx.h"

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);
	return v && *v ? v : dflt;
}

int rundir_from_env(struct rundir *rd)
{
	const char *home = env_or("ORK_HOME", ".ork");
	const char *wf = env_or("ORK_WORKFLOW", NULL);
	const char *id = env_or("ORK_RUN_ID", "default");
	memset(rd, 0, sizeof *rd);
	if (!wf) {
		warnx("ORK_WORKFLOW is not set (ork exec, begin and end are "
		      "run by a generated artifact, which sets it)");
		return -1;
	}
	if (!valid_name(wf)) {
		warnx("invalid workflow name '%s' in ORK_WORKFLOW", wf);
		return -1;
	}
	if (!valid_run_id(id)) {
		warnx("invalid run id '%s': use letters, digits, '.', '_' and '-'",
		      id);
		return -1;
	}
	rd->home = xstrdup(home);
	rd->workflow = xstrdup(wf);
	rd->run_id = xstrdup(id);
	rd->path = xasprintf("%s/%s/%s", home, wf, id);
	return 0;
}

int rundir_from_path(struct rundir *rd, const char *dir)
{
	memset(rd, 0, sizeof *rd);
	char *p = xstrdup(dir);
	size_t n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	char *runjson = xasprintf("%s/run.json", p);
	int ok = access(runjson, R_OK) == 0;
	free(runjson);
	char *slash = strrchr(p, '/');
	if (!ok || !slash || slash == p) {
		free(p);
		return -1;
	}
	rd->path = p;
	rd->run_id = xstrdup(slash + 1);
	*slash = '\0';
	char *wslash = strrchr(p, '/');
	rd->workflow = xstrdup(wslash ? wslash + 1 : p);
	rd->home = wslash ? xstrndup(p, (size_t)(wslash - p)) : xstrdup(".");
	*slash = '/';
	return 0;
}

void rundir_release(struct rundir *rd)
{
	free(rd->home);
	free(rd->workflow);
	free(rd->run_id);
	free(rd->path);
	memset(rd, 0, sizeof *rd);
}

char *rundir_file(const struct rundir *rd, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, rd->path);
	strbuf_addc(&sb, '/');
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	return strbuf_detach(&sb);
}

char *rundir_abspath(const struct rundir *rd)
{
	if (rd->path[0] == '/')
		return xstrdup(rd->path);
	char *cwd = getcwd(NULL, 0);
	if (!cwd)
		return xstrdup(rd->path);
	const char *rel = rd->path;
	while (rel[0] == '.' && rel[1] == '/')
		rel += 2;
	char *p = xasprintf("%s/%s", cwd, rel);
	free(cwd);
	return p;
}

cJSON *rundir_load_run(const struct rundir *rd)
{
	char *path = rundir_file(rd, "run.json");
	size_t len;
	char *text = read_file(path, &len);
	free(path);
	if (!text)
		return NULL;
	cJSON *run = cJSON_ParseWithLength(text, len);
	free(text);
	if (run && !cJSON_IsObject(run)) {
		cJSON_Delete(run);
		return NULL;
	}
	return run;
}

int rundir_save_run(const struct rundir *rd, const cJSON *run)
{
	struct strbuf sb = STRBUF_INIT;
	jsonx_write(&sb, run, JSONX_PRETTY);
	strbuf_addc(&sb, '\n');
	char *path = rundir_file(rd, "run.json");
	int rc = write_file_atomic(path, sb.buf, sb.len);
	int e = errno;
	free(path);
	strbuf_release(&sb);
	errno = e;
	return rc;
}

static int pid_alive(long pid)
{
	/* EPERM still means the process exists. */
	return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

const char *run_state(const cJSON *run)
{
	const char *state = jsonx_get_string(run, "state");
	if (!state)
		return "unknown";
	long pid = (long)jsonx_get_number(run, "pid", 0);
	if (!strcmp(state, "running") && pid > 0 && !pid_alive(pid))
		return "interrupted";
	return state;
}

/* ---- journal ------------------------------------------------------------ */

int journal_open(const struct rundir *rd)
{
	char *path = rundir_file(rd, "journal.jsonl");
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	int e = errno;
	free(path);
	errno = e;
	return fd;
}

static void add_key(struct strbuf *sb, const char *key)
{
	strbuf_addc(sb, ',');
	jsonx_quote(sb, key, strlen(key), 0);
	strbuf_addc(sb, ':');
}

void event_start(struct strbuf *sb, const char *ev)
{
	strbuf_reset(sb);
	strbuf_adds(sb, "{\"ev\":");
	jsonx_quote(sb, ev, strlen(ev), 0);
}

void event_str(struct strbuf *sb, const char *key, const char *val)
{
	add_key(sb, key);
	jsonx_quote(sb, val, strlen(val), 0);
}

void event_int(struct strbuf *sb, const char *key, long long val)
{
	add_key(sb, key);
	strbuf_addf(sb, "%lld", val);
}

void event_num(struct strbuf *sb, const char *key, double val)
{
	add_key(sb, key);
	strbuf_addf(sb, "%.3f", val);
}

void event_bool(struct strbuf *sb, const char *key, int val)
{
	add_key(sb, key);
	strbuf_adds(sb, val ? "true" : "false");
}

void event_raw(struct strbuf *sb, const char *key, const char *json)
{
	add_key(sb, key);
	strbuf_adds(sb, json);
}

void event_time(struct strbuf *sb, const char *key, double t)
{
	char buf[32];
	format_time(t, buf);
	event_str(sb, key, buf);
}

int journal_write(int fd, struct strbuf *sb)
{
	strbuf_adds(sb, "}\n");
	/* O_APPEND makes each write(2) land whole at the end of the file;
	 * write_all loops only on a full disk. */
	return write_all(fd, sb->buf, sb->len);
}

int journal_each(const struct rundir *rd, const char *prefix,
		 journal_fn *fn, void *ctx)
{
	char *path = rundir_file(rd, "journal.jsonl");
	size_t len;
	char *text = read_file(path, &len);
	int e = errno;
	free(path);
	if (!text)
		return e == ENOENT ? 0 : -1;
	size_t plen = prefix ? strlen(prefix) : 0;
	int stop = 0;
	for (char *line = text; !stop && line < text + len;) {
		char *nl = memchr(line, '\n', (size_t)(text + len - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(text + len - line);
		if (!prefix || (n >= plen && !memcmp(line, prefix, plen))) {
			cJSON *ev = cJSON_ParseWithLength(line, n);
			if (cJSON_IsObject(ev))
				stop = fn(ctx, ev);
			cJSON_Delete(ev);
		}
		line += n + 1;
	}
	free(text);
	return 0;
}

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
	if (!strcmp(kind, "start")) {
		th->open = 1;
		th->inv = inv;
		th->attempts = (int)jsonx_get_number(ev, "attempt", 1);
		th->pid = (long)jsonx_get_number(ev, "pid", 0);
		th->exit_code = -1;
		th->signal = 0;
		set_str(&th->log, ev, "log");
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
		free(th->started);
		free(th->finished);
	}
	free(h->tasks);
	free(h->index);
	memset(h, 0, sizeof *h);
}

const char *task_state(const struct rundir *rd, const struct task_hist *th)
{
	if (!th)
		return "not run";
	if (th->open)
		return pid_alive(th->pid) ? "running" : "interrupted";
	if (!th->state)
		return "not run";
	if (!strcmp(th->state, "succeeded") && th->key) {
		/* "Done" means the output exists, whatever the journal says. */
		char *out = rundir_file(rd, "%s.%s.json", th->task, th->key);
		int ok = access(out, F_OK) == 0;
		free(out);
		return ok ? "succeeded" : "not run";
	}
	return th->state;
}

/* ---- times -------------------------------------------------------------- */

int parse_time(const char *s, double *t)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	const char *rest = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	if (!rest)
		return -1;
	double frac = 0;
	if (*rest == '.') {
		char *end;
		frac = strtod(rest, &end);
		rest = end;
	}
	if (*rest != 'Z')
		return -1;
	*t = (double)timegm(&tm) + frac;
	return 0;
}

void format_duration(double secs, char out[32])
{
	if (secs < 0)
		secs = 0;
	if (secs < 10)
		snprintf(out, 32, "%.2fs", secs);
	else if (secs < 60)
		snprintf(out, 32, "%.1fs", secs);
	else if (secs < 3600)
		snprintf(out, 32, "%dm%02ds", (int)secs / 60, (int)secs % 60);
	else
		snprintf(out, 32, "%dh%02dm", (int)(secs / 3600),
			 (int)secs % 3600 / 60);
}
