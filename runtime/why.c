/* why: see why.h.
 *
 * ork why decides nothing: make (or the sh engine) has already decided
 * that the task runs.  It finds every reason it can see, in the order a
 * reader asks: is there an output at all (and if not, is it because the
 * definition changed, and in which fields, or because the task failed),
 * a generated file gone, upstream tasks that run first, a source newer
 * than the output. */
#include "why.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal.h"
#include "jsonx.h"
#include "util.h"

const char *generates_missing(const struct task_spec *s)
{
	struct stat st;
	for (size_t i = 0; i < s->ngenerates; i++)
		if (stat(s->generates[i], &st) != 0)
			return s->generates[i];
	return NULL;
}

int spec_record(const struct rundir *rd, const char *task, const char *spec)
{
	/* One line {"task":NAME,"spec":SPEC} appended to specs.jsonl in one
	 * write(2): no file to create per task (a create is what a task
	 * costs on a journaling file system). */
	struct strbuf line = STRBUF_INIT;
	strbuf_adds(&line, "{\"task\":");
	jsonx_quote(&line, task, strlen(task), 0);
	strbuf_adds(&line, ",\"spec\":");
	size_t at = line.len;
	strbuf_adds(&line, spec);
	/* JSON has no raw newline inside a string: outside one it is
	 * white space. */
	for (size_t i = at; i < line.len; i++)
		if (line.buf[i] == '\n' || line.buf[i] == '\r')
			line.buf[i] = ' ';
	strbuf_adds(&line, "}\n");
	char *path = rundir_file(rd, "specs.jsonl");
	int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW |
		      O_CLOEXEC, 0644);
	/* After a torn last line, start a new one rather than glue this
	 * line to it.  Without a lock another task may do the same: an
	 * empty line, which readers skip. */
	if (fd >= 0)
		(void)jsonl_fresh_line(fd, &line);
	int rc = fd < 0 ? -1 : write_all(fd, line.buf, line.len);
	int e = errno;
	if (fd >= 0)
		close(fd);
	free(path);
	strbuf_release(&line);
	errno = e;
	return rc;
}

/* The task name of a specs.jsonl line, as the JSON string it is written
 * in ({"task":"NAME",...): its length from line, or 0 for a line that
 * is not one (a torn last line). */
static size_t line_key(const char *line, size_t n)
{
	static const char pre[] = "{\"task\":\"";
	size_t i = sizeof pre - 1;
	if (n < i || memcmp(line, pre, i))
		return 0;
	for (; i < n; i++) {
		if (line[i] == '\\')
			i++;
		else if (line[i] == '"')
			return i + 1 < n && line[i + 1] == ',' ? i + 1 : 0;
	}
	return 0;
}

static unsigned long key_hash(const char *k, size_t n)
{
	unsigned long h = 5381;
	for (size_t i = 0; i < n; i++)
		h = h * 33 + (unsigned char)k[i];
	return h;
}

/* Marks the key seen; returns whether it was already. */
static int seen_before(const char **slots, size_t *lens, size_t mask,
		       const char *k, size_t n)
{
	for (size_t i = key_hash(k, n) & mask;; i = (i + 1) & mask) {
		if (!slots[i]) {
			slots[i] = k;
			lens[i] = n;
			return 0;
		}
		if (lens[i] == n && !memcmp(slots[i], k, n))
			return 1;
	}
}

/* The lines of text still in use: the last one of each task.  Their
 * total length goes to *kept; lines[] gets each kept line's start and
 * end, from the last line back, and the count is returned. */
static size_t last_lines(const char *text, size_t len, size_t (*lines)[2],
			 size_t nlines, size_t *kept)
{
	size_t cap = 16;
	while (cap < 2 * nlines)
		cap *= 2;
	const char **slots = xcalloc(cap, sizeof *slots);
	size_t *lens = xcalloc(cap, sizeof *lens);
	size_t n = 0;
	*kept = 0;
	for (size_t end = len; end > 0;) {
		size_t start = end - 1;
		while (start > 0 && text[start - 1] != '\n')
			start--;
		size_t k = line_key(text + start, end - start);
		/* A torn last line (no newline) is dropped. */
		if (k && text[end - 1] == '\n' &&
		    !seen_before(slots, lens, cap - 1, text + start, k)) {
			lines[n][0] = start;
			lines[n][1] = end;
			*kept += end - start;
			n++;
		}
		end = start;
	}
	free(slots);
	free(lens);
	return n;
}

int spec_compact(const struct rundir *rd)
{
	char *path = rundir_file(rd, "specs.jsonl");
	size_t len = 0;
	struct stat st;
	/* Most runs' file is small: its size says so without reading it. */
	char *text = lstat(path, &st) == 0 && st.st_size >= SPECS_COMPACT_AT ?
		     read_file_nofollow(path, &len) : NULL;
	int rc = 0;
	if (text && len >= SPECS_COMPACT_AT) {
		size_t nlines = 0;
		for (size_t i = 0; i < len; i++)
			nlines += text[i] == '\n';
		size_t (*lines)[2] = xcalloc(nlines + 1, sizeof *lines);
		size_t kept;
		size_t n = last_lines(text, len, lines, nlines + 1, &kept);
		/* Only when it at least halves the file: each task's line is
		 * rewritten, so this stays linear in the lines appended. */
		if (kept <= len / 2) {
			struct strbuf out = STRBUF_INIT;
			while (n-- > 0)
				strbuf_add(&out, text + lines[n][0],
					   lines[n][1] - lines[n][0]);
			rc = write_file_atomic(path, out.buf, out.len);
			strbuf_release(&out);
		}
		free(lines);
	}
	free(text);
	free(path);
	return rc;
}

/* The spec of the task's last success: the last line of specs.jsonl
 * recorded for it (searched from the end), else TASK.spec.json (written
 * by older versions).  NULL when there is none. */
static cJSON *spec_recorded(const struct rundir *rd, const char *task)
{
	struct strbuf pre = STRBUF_INIT;
	strbuf_adds(&pre, "{\"task\":");
	jsonx_quote(&pre, task, strlen(task), 0);
	strbuf_addc(&pre, ',');
	char *path = rundir_file(rd, "specs.jsonl");
	size_t len = 0;
	char *text = read_file_nofollow(path, &len);
	free(path);
	cJSON *spec = NULL;
	for (size_t end = len; text && end > 0 && !spec;) {
		if (text[end - 1] == '\n') {
			end--;
			continue;
		}
		size_t start = end;
		while (start > 0 && text[start - 1] != '\n')
			start--;
		if (end - start >= pre.len && !memcmp(text + start, pre.buf, pre.len)) {
			cJSON *line = cJSON_ParseWithLength(text + start, end - start);
			spec = cJSON_DetachItemFromObjectCaseSensitive(line, "spec");
			cJSON_Delete(line);
		}
		end = start;
	}
	free(text);
	strbuf_release(&pre);
	if (spec)
		return spec;
	char *rec = rundir_file(rd, "%s.spec.json", task);
	char *old = read_file_nofollow(rec, NULL);
	spec = old ? cJSON_Parse(old) : NULL;
	free(rec);
	free(old);
	return spec;
}

/* ---- reasons ------------------------------------------------------------ */

/* "; " between reasons. */
static void reason(struct strbuf *sb)
{
	if (sb->len)
		strbuf_adds(sb, "; ");
}

/* 'PATH', its controls made visible. */
static void add_path(struct strbuf *sb, const char *path)
{
	strbuf_addc(sb, '\'');
	strbuf_add_safe(sb, path, strlen(path), 0);
	strbuf_addc(sb, '\'');
}

static int same_member(const cJSON *a, const cJSON *b, const char *name)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(a, name);
	const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, name);
	if (!x || !y)
		return !x && !y;
	return cJSON_Compare(x, y, 1);
}

/* Append ", NAME" (or "NAME" first) to the list in sb. */
static void list_add(struct strbuf *sb, const char *name)
{
	if (sb->len)
		strbuf_adds(sb, ", ");
	strbuf_adds(sb, name);
}

/* The names of an object member (env, secrets) whose value differs,
 * added or gone: names only, never values. */
static void changed_names(struct strbuf *names, const cJSON *a, const cJSON *b,
			  const char *member)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(a, member);
	const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, member);
	for (const cJSON *c = x ? x->child : NULL; c; c = c->next) {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(y, c->string);
		if (!d || !cJSON_Compare(c, d, 1))
			list_add(names, c->string);
	}
	for (const cJSON *d = y ? y->child : NULL; d; d = d->next)
		if (!cJSON_GetObjectItemCaseSensitive(x, d->string))
			list_add(names, d->string);
}

/* Whether name is an item of the ", "-separated list. */
static int in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ' ') && (!p[n] || p[n] == ','))
			return 1;
	return 0;
}

/* deps or refs: the same task names in the same order, with some keys
 * changed, is an upstream definition that changed (named in ups);
 * anything else is the list itself. */
static int same_tasks(const cJSON *a, const cJSON *b, const char *member,
		      struct strbuf *ups)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(a, member);
	const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, member);
	if (cJSON_GetArraySize(x) != cJSON_GetArraySize(y))
		return 0;
	const cJSON *c = x ? x->child : NULL, *d = y ? y->child : NULL;
	for (; c && d; c = c->next, d = d->next)
		if (!same_member(c, d, SPEC_M_TASK))
			return 0;
	c = x ? x->child : NULL;
	d = y ? y->child : NULL;
	for (; c && d; c = c->next, d = d->next) {
		const char *name = jsonx_get_string(d, SPEC_M_TASK);
		if (!same_member(c, d, SPEC_M_KEY) && name &&
		    !in_list(strbuf_str(ups), name))
			list_add(ups, name);
	}
	return 1;
}

/* Which defining members differ between the last success's spec (a)
 * and this one (b), in the words of orkc --diff. */
static void spec_changes(struct strbuf *sb, const cJSON *a, const cJSON *b)
{
	static const char *const command[] = { SPEC_M_EXECUTOR, SPEC_M_FILE,
		SPEC_M_MODULE, SPEC_M_FUNCTION, SPEC_M_ARGV, SPEC_M_SCRIPT, NULL };
	static const char *const plain[] = { SPEC_M_INPUT, SPEC_M_WHEN,
		SPEC_M_OUTPUT_TYPE, SPEC_M_SOURCES, SPEC_M_GENERATES, NULL };
	struct strbuf f = STRBUF_INIT, names = STRBUF_INIT, ups = STRBUF_INIT;
	for (int i = 0; command[i]; i++)
		if (!same_member(a, b, command[i])) {
			list_add(&f, "command");
			break;
		}
	for (int i = 0; plain[i]; i++)
		if (!same_member(a, b, plain[i]))
			list_add(&f, plain[i]);
	if (!same_tasks(a, b, SPEC_M_DEPS, &ups))
		list_add(&f, "deps");
	if (!same_tasks(a, b, SPEC_M_REFS, &ups))
		list_add(&f, "refs");
	static const char *const named[] = { SPEC_M_ENV, "secrets", NULL };
	for (int i = 0; named[i]; i++) {
		strbuf_reset(&names);
		changed_names(&names, a, b, named[i]);
		if (names.len)
			strbuf_addf(&f, "%s%s (%s)", f.len ? ", " : "", named[i],
				    strbuf_str(&names));
	}
	if (ups.len)
		strbuf_addf(&f, "%supstream changed: %s", f.len ? ", " : "",
			    strbuf_str(&ups));
	strbuf_adds(sb, "definition changed: ");
	strbuf_adds(sb, f.len ? strbuf_str(&f) : "key");
	strbuf_release(&f);
	strbuf_release(&names);
	strbuf_release(&ups);
}

/* The largest journal ork why reads for "failed last time" (bytes). */
#define WHY_JOURNAL_MAX (256 * 1024)

/* The last end event of one task: only end events are parsed, so a long
 * journal costs a scan, not a parse, per task ork why explains. */
struct last_end {
	const char *task;
	char *state, *reason, *key;
};

static int scan_end(void *ctx, const cJSON *ev)
{
	struct last_end *e = ctx;
	const char *task = jsonx_get_string(ev, "task");
	const char *state = jsonx_get_string(ev, "state");
	if (!task || !state || strcmp(task, e->task))
		return 0;
	const char *reason = jsonx_get_string(ev, "reason");
	const char *key = jsonx_get_string(ev, "key");
	free(e->state);
	free(e->reason);
	free(e->key);
	e->state = xstrdup(state);
	e->reason = reason ? xstrdup(reason) : NULL;
	e->key = key ? xstrdup(key) : NULL;
	return 0;
}

/* No output: the definition changed since the last success (which
 * fields, when specs.jsonl says), or the task failed, was skipped, or
 * never ran in this run. */
static void missing_reason(struct strbuf *sb, const struct rundir *rd,
			   const struct task_spec *s, const char *text)
{
	cJSON *o = spec_recorded(rd, s->task);
	const char *okey = jsonx_get_string(o, SPEC_M_KEY);
	int changed = okey && strcmp(okey, s->key);
	if (changed) {
		cJSON *n = cJSON_Parse(text);
		reason(sb);
		spec_changes(sb, o, n);
		cJSON_Delete(n);
	}
	cJSON_Delete(o);
	struct last_end end = { s->task, NULL, NULL, NULL };
	/* make -n runs ork why once per task: a journal of a large run is
	 * not read, or those runs would cost tasks x journal. */
	char *jpath = rundir_file(rd, "journal.jsonl");
	struct stat jst;
	int small = stat(jpath, &jst) == 0 && jst.st_size <= WHY_JOURNAL_MAX;
	free(jpath);
	if (small && journal_each(rd, "{\"ev\":\"end\"", scan_end, &end) < 0) {
		free(end.state);
		end.state = NULL;
	}
	const struct last_end *th = end.state ? &end : NULL;
	/* Changed, then failed (or skipped) with this definition: say both. */
	int this_key = th && th->key && !strcmp(th->key, s->key);
	if (changed && !(this_key && strcmp(th->state, "succeeded"))) {
		free(end.state);
		free(end.reason);
		free(end.key);
		return;
	}
	reason(sb);
	if (access(rd->path, F_OK) != 0)
		strbuf_addf(sb, "output missing: no run '%s' yet", rd->run_id);
	else if (!th)
		strbuf_adds(sb, "output missing: not run yet in this run");
	else if (!strcmp(th->state, "succeeded") && th->key &&
		 strcmp(th->key, s->key))
		strbuf_adds(sb, "definition changed since it succeeded");
	else if (!strcmp(th->state, "succeeded"))
		strbuf_adds(sb, "output missing: removed since it succeeded");
	else {
		strbuf_addf(sb, "output missing: %s last time", th->state);
		if (th->reason && *th->reason) {
			strbuf_adds(sb, " (");
			strbuf_add_safe(sb, th->reason, strlen(th->reason), 0);
			strbuf_addc(sb, ')');
		}
	}
	free(end.state);
	free(end.reason);
	free(end.key);
}

static int mtime_after(const struct stat *a, const struct stat *b)
{
	return a->st_mtim.tv_sec > b->st_mtim.tv_sec ||
	       (a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
		a->st_mtim.tv_nsec > b->st_mtim.tv_nsec);
}

static int is_glob(const char *p)
{
	return strpbrk(p, "*?[") != NULL;
}

/* Missing literal sources (make runs the task for them, and so does the
 * sh engine). */
static void missing_sources(struct strbuf *sb, const struct task_spec *s)
{
	struct stat st;
	for (size_t i = 0; i < s->nsources; i++)
		if (!is_glob(s->sources[i]) && stat(s->sources[i], &st) != 0) {
			reason(sb);
			strbuf_adds(sb, "source ");
			add_path(sb, s->sources[i]);
			strbuf_adds(sb, " is missing");
		}
}

/* "source 'P' is newer" for path, when it is newer than the output. */
static void newer_file(struct strbuf *sb, const char *what, const char *path,
		       const struct stat *out)
{
	struct stat st;
	if (stat(path, &st) != 0 || !mtime_after(&st, out))
		return;
	reason(sb);
	strbuf_addf(sb, "%s ", what);
	add_path(sb, path);
	strbuf_adds(sb, " is newer");
}

/* The task file, the sources (globs expanded now, as make and the sh
 * engine do) and the upstream outputs that are newer than the output. */
static void newer_reasons(struct strbuf *sb, const struct rundir *rd,
			  const struct task_spec *s, const struct stat *out,
			  char **ran, int nran)
{
	if (s->file)
		newer_file(sb, "task file", s->file, out);
	for (size_t i = 0; i < s->nsources; i++) {
		if (!is_glob(s->sources[i])) {
			newer_file(sb, "source", s->sources[i], out);
			continue;
		}
		glob_t g;
		if (glob(s->sources[i], 0, NULL, &g) == 0)
			for (size_t k = 0; k < g.gl_pathc; k++)
				newer_file(sb, "source", g.gl_pathv[k], out);
		globfree(&g);
	}
	for (size_t i = 0; i < s->ndeps; i++) {
		int listed = 0;
		for (int k = 0; k < nran; k++)
			listed |= !strcmp(ran[k], s->deps[i].task);
		if (listed)
			continue;
		char *up = rundir_file(rd, "%s.%s.json", s->deps[i].task,
				       s->deps[i].key);
		struct stat st;
		if (stat(up, &st) == 0 && mtime_after(&st, out)) {
			reason(sb);
			strbuf_addf(sb, "upstream %s's output is newer",
				    s->deps[i].task);
		}
		free(up);
	}
}

/* The UPSTREAM arguments that are deps of the task. */
static void upstream_reruns(struct strbuf *sb, const struct task_spec *s,
			    char **ran, int nran)
{
	struct strbuf list = STRBUF_INIT;
	for (int k = 0; k < nran; k++)
		for (size_t i = 0; i < s->ndeps; i++)
			if (!strcmp(ran[k], s->deps[i].task)) {
				list_add(&list, ran[k]);
				break;
			}
	if (list.len) {
		reason(sb);
		strbuf_addf(sb, "upstream re-runs: %s", strbuf_str(&list));
	}
	strbuf_release(&list);
}

int cmd_why(int argc, char **argv)
{
	if (argc < 2 || argv[1][0] == '-') {
		fputs("usage: ork why TASK [UPSTREAM...]\n", stderr);
		return ORK_EXIT_USAGE;
	}
	const char *text = getenv("ORK_SPEC");
	if (!text || !*text)
		die(ORK_EXIT_USAGE, "why: ORK_SPEC is not set; ork why explains a task of a "
		    "generated artifact (make -n, sh run.sh -n)");
	struct task_spec s;
	struct strbuf err = STRBUF_INIT;
	if (spec_parse(&s, text, &err) < 0)
		die(ORK_EXIT_USAGE, "why: %s: invalid ORK_SPEC: %s", argv[1], strbuf_str(&err));
	strbuf_release(&err);
	if (strcmp(s.task, argv[1]))
		die(ORK_EXIT_USAGE, "why: ORK_SPEC describes task '%s', not '%s'", s.task,
		    argv[1]);
	struct rundir rd;
	if (rundir_from_env(&rd) < 0) {
		spec_release(&s);
		return ORK_EXIT_USAGE;
	}
	struct strbuf sb = STRBUF_INIT;
	char *out = rundir_file(&rd, "%s.%s.json", s.task, s.key);
	struct stat ost;
	int have = lstat(out, &ost) == 0 && S_ISREG(ost.st_mode);
	if (!have)
		missing_reason(&sb, &rd, &s, text);
	for (size_t i = 0; i < s.ngenerates; i++) {
		if (access(s.generates[i], F_OK) == 0)
			continue;
		reason(&sb);
		strbuf_adds(&sb, "generated file ");
		add_path(&sb, s.generates[i]);
		strbuf_adds(&sb, " is missing");
	}
	upstream_reruns(&sb, &s, argv + 2, argc - 2);
	missing_sources(&sb, &s);
	if (have)
		newer_reasons(&sb, &rd, &s, &ost, argv + 2, argc - 2);
	if (!sb.len)
		strbuf_adds(&sb, "out of date");
	printf("# %s: %s\n", s.task, strbuf_str(&sb));
	fflush(stdout);
	strbuf_release(&sb);
	free(out);
	rundir_release(&rd);
	spec_release(&s);
	return 0;
}
