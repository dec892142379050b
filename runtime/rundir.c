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
#include "slurm.h"

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
		warn_msg("ORK_WORKFLOW is not set (ork exec, begin and end are "
		      "run by a generated artifact, which sets it)");
		return -1;
	}
	if (!valid_name(wf)) {
		warn_msg("invalid workflow name '%s' in ORK_WORKFLOW", wf);
		return -1;
	}
	if (!valid_run_id(id)) {
		warn_msg("invalid run id '%s': use letters, digits, '.', '_' and '-', "
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
		warn_msg("cannot use %s: %s", dir, strerror(errno));
		return -1;
	}
	uid_t me = geteuid();
	if (!S_ISDIR(st.st_mode)) {
		warn_msg("cannot use %s: not a directory", dir);
		return -1;
	}
	if (l.st_uid == me && st.st_uid == me)
		return 0;
	/* A shared ORK_HOME (like /tmp) is fine when nobody can replace
	 * what others put in it. */
	if (may_share && l.st_uid == st.st_uid &&
	    (!(st.st_mode & 0022) || (st.st_mode & S_ISVTX)))
		return 0;
	warn_msg("refusing to use %s: it belongs to uid %ld, not to you (uid "
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

/* run.json's text, or NULL. */
static char *read_run(const struct rundir *rd, size_t *len)
{
	char *path = rundir_file(rd, "run.json");
	char *text = read_file_nofollow(path, len);
	free(path);
	return text;
}

/* The first len bytes of text as a JSON object, or NULL; frees text. */
static cJSON *parse_run(char *text, size_t len, int drop_tasks)
{
	cJSON *run = text ? cJSON_ParseWithLength(text, len) : NULL;
	free(text);
	if (run && !cJSON_IsObject(run)) {
		cJSON_Delete(run);
		return NULL;
	}
	if (run && drop_tasks)
		cJSON_DeleteItemFromObjectCaseSensitive(run, "tasks");
	return run;
}

cJSON *rundir_load_run(const struct rundir *rd)
{
	size_t len = 0;
	char *text = read_run(rd, &len);
	return parse_run(text, len, 0);
}

/* The task names go last (rundir_load_run_head).  The members are
 * referenced, not copied: the order changes, the tree does not. */
static void write_run(struct strbuf *sb, const cJSON *run)
{
	const cJSON *tasks = cJSON_GetObjectItemCaseSensitive(run, "tasks");
	if (!tasks || !cJSON_IsObject(run) || !tasks->next) {
		jsonx_write(sb, run, JSONX_PRETTY);
		return;
	}
	cJSON *o = cJSON_CreateObject();
	for (const cJSON *m = run->child; m; m = m->next)
		if (m != tasks)
			cJSON_AddItemReferenceToObject(o, m->string, (cJSON *)m);
	cJSON_AddItemReferenceToObject(o, "tasks", (cJSON *)tasks);
	jsonx_write(sb, o, JSONX_PRETTY);
	cJSON_Delete(o);
}

/* In run.json as rundir_save_run writes it, the task names are the last
 * member, at two spaces of indent, where no other text can start a line
 * so (a JSON string holds no raw newline; nested members sit deeper). */
static const char tasks_member[] = ",\n  \"tasks\": [";

cJSON *rundir_load_run_head(const struct rundir *rd)
{
	size_t len = 0, n = sizeof tasks_member - 1;
	char *text = read_run(rd, &len);
	const char *at = text ? memmem(text, len, tasks_member, n) : NULL;
	if (at && !memmem(at + n, len - (size_t)(at + n - text), "\n  \"", 4)) {
		/* Parse up to the names, closed: 10,000 names are 10,000
		 * allocations a task would pay for nothing. */
		len = (size_t)(at - text);
		text[len++] = '}';
		return parse_run(text, len, 0);
	}
	return parse_run(text, len, 1);
}

int rundir_save_run(const struct rundir *rd, const cJSON *run)
{
	struct strbuf sb = STRBUF_INIT;
	write_run(&sb, run);
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
	/* A run submitted to Slurm (slurm.h) runs while its end job does. */
	const cJSON *sl = cJSON_GetObjectItemCaseSensitive(run, "slurm");
	if (!strcmp(state, "running") && sl) {
		const char *js = slurm_job_state(jsonx_get_string(sl, "end_job"));
		if (js && !*js)
			return "interrupted";
	}
	return state;
}

int is_regular(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
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
