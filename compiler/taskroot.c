/* taskroot: see taskroot.h. */
#include "taskroot.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

static char *workflow_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* Add dir unless it is a candidate already (the same directory by device
 * and inode, or by name when it cannot be looked at). */
static void add_cand(struct taskroot *r, char *dir, const char *why)
{
	struct stat st, o;
	int ok = stat(dir, &st) == 0;
	for (size_t i = 0; i < r->n; i++) {
		int same = ok && stat(r->dir[i], &o) == 0 ?
			   st.st_dev == o.st_dev && st.st_ino == o.st_ino :
			   !strcmp(dir, r->dir[i]);
		if (same) {
			free(dir);
			return;
		}
	}
	r->dir[r->n] = dir;
	r->why[r->n++] = why;
}

char *taskroot_path(const struct taskroot *r, size_t cand, const char *file)
{
	const char *dir = r->dir[cand];
	if (file[0] == '/' || !strcmp(dir, "."))
		return xstrdup(file);
	return xasprintf("%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
			 file);
}

static int exists(const struct taskroot *r, size_t cand, const char *file,
		  int want_dir)
{
	char *p = taskroot_path(r, cand, file);
	struct stat st;
	int ok = stat(p, &st) == 0 && (want_dir ? S_ISDIR(st.st_mode) :
				       !S_ISDIR(st.st_mode));
	free(p);
	return ok;
}

/* A module's top-level package (or NAME.py) in the candidate. */
static int module_here(const struct taskroot *r, size_t cand, const char *mod)
{
	char *top = xstrndup(mod, strcspn(mod, "."));
	char *py = xasprintf("%s.py", top);
	int ok = exists(r, cand, top, 1) || exists(r, cand, py, 0);
	free(py);
	free(top);
	return ok;
}

/* For one candidate: how many relative python files are there (*found of
 * *need), and how much other evidence (modules, other files). */
static void score(const struct workflow *wf, const struct taskroot *r,
		  size_t cand, size_t *found, size_t *need, size_t *other)
{
	*found = *need = *other = 0;
	const char *last = NULL;    /* tasks often share a file: one stat */
	int last_here = 0;
	for (size_t i = 0; i < wf->ntasks; i++) {
		const struct task *t = &wf->tasks[i];
		if (t->file && t->file[0] != '/') {
			int here = last && !strcmp(last, t->file) ? last_here :
				   exists(r, cand, t->file, 0);
			last = t->file;
			last_here = here;
			if (t->executor == EXECUTOR_PYTHON) {
				(*need)++;
				*found += here;
			} else {
				*other += here;
			}
		}
		if (t->module && module_here(r, cand, t->module))
			(*other)++;
	}
}

void taskroot_pick(const struct workflow *wf, struct taskroot *r)
{
	memset(r, 0, sizeof *r);
	char *wdir = workflow_dir(wf->path);
	char *up = !strcmp(wdir, ".") ? xstrdup("..") :
		   !strcmp(wdir, "/") ? xstrdup("/") : xasprintf("%s/..", wdir);
	add_cand(r, wdir, "the workflow's directory");
	add_cand(r, up, "the parent of the workflow's directory");
	add_cand(r, xstrdup("."), "the current directory");
	size_t best = 0, best_found = 0, best_other = 0;
	for (size_t c = 0; c < r->n; c++) {
		size_t found, need, other;
		score(wf, r, c, &found, &need, &other);
		if (need && found == need) {
			r->chosen = c;
			return;
		}
		if (found > best_found ||
		    (found == best_found && other > best_other)) {
			best = c;
			best_found = found;
			best_other = other;
		}
	}
	r->chosen = best;
}

/* The path of directory or file `to` from directory `from`, both
 * canonical absolute paths ("." when they are the same). */
static char *relpath(const char *to, const char *from)
{
	size_t i = 0, last = 0;
	while (to[i] && to[i] == from[i]) {
		if (to[i] == '/')
			last = i;
		i++;
	}
	if ((!to[i] || to[i] == '/') && (!from[i] || from[i] == '/'))
		last = i;
	struct strbuf sb = STRBUF_INIT;
	for (const char *f = from + last; *f;) {
		while (*f == '/')
			f++;
		if (!*f)
			break;
		strbuf_adds(&sb, "../");
		f += strcspn(f, "/");
	}
	const char *rest = to + last;
	while (*rest == '/')
		rest++;
	strbuf_adds(&sb, rest);
	if (sb.len > 1 && sb.buf[sb.len - 1] == '/')
		sb.buf[--sb.len] = '\0';
	if (!sb.len)
		strbuf_addc(&sb, '.');
	return strbuf_detach(&sb);
}

int taskroot_locate(struct taskroot *r, const char *wfpath,
		    const char *artifact)
{
	int out = artifact && strcmp(artifact, "-");
	char *adir = out ? workflow_dir(artifact) : xstrdup(".");
	const char *root = r->n ? r->dir[r->chosen] : ".";
	char *aabs = realpath(adir, NULL), *rabs = realpath(root, NULL);
	char *wdir = workflow_dir(wfpath);
	char *wabs = realpath(wdir, NULL);
	const char *base = strrchr(wfpath, '/') ? strrchr(wfpath, '/') + 1 : wfpath;
	char *from = aabs && rabs ? relpath(rabs, aabs) : xstrdup(root);
	char *wf;
	if (wabs && rabs) {
		char *d = relpath(wabs, rabs);
		wf = !strcmp(d, ".") ? xstrdup(base) : xasprintf("%s/%s", d, base);
		free(d);
	} else {
		wf = xstrdup(wfpath);
	}
	free(adir);
	free(aabs);
	free(rabs);
	free(wdir);
	free(wabs);
	if (strpbrk(from, "\n\r") || strpbrk(wf, "\n\r")) {
		free(from);
		free(wf);
		return -1;
	}
	free(r->from_artifact);
	free(r->workflow);
	r->from_artifact = from;
	r->workflow = wf;
	return 0;
}

void taskroot_release(struct taskroot *r)
{
	free(r->from_artifact);
	free(r->workflow);
	for (size_t i = 0; i < r->n; i++)
		free(r->dir[i]);
	memset(r, 0, sizeof *r);
}

void taskroot_places(const struct taskroot *r, struct strbuf *sb)
{
	for (size_t i = 0; i < r->n; i++) {
		if (i)
			strbuf_adds(sb, i + 1 == r->n ? " and " : ", ");
		strbuf_addf(sb, "'%s' (%s)", r->dir[i], r->why[i]);
	}
}
