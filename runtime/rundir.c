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

int valid_run_id(const char *s)
{
	/* Not "-...": it would read as an option of ork status and logs. */
	return strcmp(s, ".") && strcmp(s, "..") && s[0] != '-' &&
	       only_chars(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			     "0123456789._-");
}

int valid_name(const char *s)
{
	static const char alpha[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";
	if (!*s || !strchr(alpha, *s))
		return 0;
	for (s++; *s; s++)
		if (!strchr(alpha, *s) && !strchr("0123456789-", *s))
			return 0;
	return 1;
}

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
		warnx("invalid run id '%s': use letters, digits, '.', '_' and '-', "
		      "not first", id);
		return -1;
	}
	rd->home = xstrdup(home);
	rd->workflow = xstrdup(wf);
	rd->run_id = xstrdup(id);
	rd->path = xasprintf("%s/%s/%s", home, wf, id);
	return rundir_check(rd);
}

/* dir (or the link at dir, and what it points to) is ours. */
static int owned(const char *dir, int may_share)
{
	struct stat l, st;
	if (lstat(dir, &l) < 0 && errno == ENOENT)
		return 0;
	if (stat(dir, &st) < 0) {
		warnx("cannot use %s: %s", dir, strerror(errno));
		return -1;
	}
	uid_t me = geteuid();
	if (!S_ISDIR(st.st_mode)) {
		warnx("cannot use %s: not a directory", dir);
		return -1;
	}
	if (l.st_uid == me && st.st_uid == me)
		return 0;
	/* A shared ORK_HOME (like /tmp) is fine when nobody can replace
	 * what others put in it. */
	if (may_share && l.st_uid == st.st_uid &&
	    (!(st.st_mode & 0022) || (st.st_mode & S_ISVTX)))
		return 0;
	warnx("refusing to use %s: it belongs to uid %ld, not to you (uid "
	      "%ld), so others could plant files in the run", dir,
	      (long)(l.st_uid != me ? l.st_uid : st.st_uid), (long)me);
	return -1;
}

int rundir_check(const struct rundir *rd)
{
	char *wfdir = xasprintf("%s/%s", rd->home, rd->workflow);
	int rc = owned(rd->home, 1) < 0 || owned(wfdir, 0) < 0 ||
		 owned(rd->path, 0) < 0 ? -1 : 0;
	free(wfdir);
	return rc;
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
	char *text = read_file_nofollow(path, &len);
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
	/* 0600: it holds the params, which may be private. */
	int rc = write_file_atomic_mode(path, sb.buf, sb.len, 0600);
	int e = errno;
	free(path);
	strbuf_release(&sb);
	errno = e;
	return rc;
}

int pid_alive(long pid)
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

int is_regular(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* ---- journal ------------------------------------------------------------ */

int journal_open(const struct rundir *rd)
{
	char *path = rundir_file(rd, "journal.jsonl");
	/* Read-write for journal_write's look at the last byte. */
	int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		      0644);
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
	/* A line torn by a full disk (or a crash) must not swallow this one:
	 * start on a line of our own. */
	struct stat st;
	off_t before = fstat(fd, &st) == 0 ? st.st_size : -1;
	char last;
	if (before > 0 && pread(fd, &last, 1, before - 1) == 1 && last != '\n') {
		strbuf_addc(sb, '\0');
		memmove(sb->buf + 1, sb->buf, sb->len - 1);
		sb->buf[0] = '\n';
	}
	/* O_APPEND makes each write(2) land whole at the end of the file;
	 * it is short only on a full disk. */
	size_t done = 0;
	while (done < sb->len) {
		ssize_t w = write(fd, sb->buf + done, sb->len - done);
		if (w > 0) {
			done += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		int e = w < 0 ? errno : ENOSPC;
		/* Take back the part that made it, unless another writer
		 * appended after it meanwhile. */
		if (done && before >= 0 && fstat(fd, &st) == 0 &&
		    st.st_size == before + (off_t)done &&
		    ftruncate(fd, before) < 0) {
			/* The next writer starts a new line. */
		}
		errno = e;
		return -1;
	}
	return 0;
}

int journal_each(const struct rundir *rd, const char *prefix,
		 journal_fn *fn, void *ctx)
{
	char *path = rundir_file(rd, "journal.jsonl");
	size_t len;
	char *text = read_file_nofollow(path, &len);
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
		int ok = is_regular(out);
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
