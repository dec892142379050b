/* pyenv: see pyenv.h. */
#include "pyenv.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* name is an executable file in one of PATH's directories. */
static int on_path(const char *name)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		return 0;
	while (*path) {
		size_t n = strcspn(path, ":");
		char *f = n ? xasprintf("%.*s/%s", (int)n, path, name)
			    : xasprintf("./%s", name);
		int ok = access(f, X_OK) == 0;
		free(f);
		if (ok)
			return 1;
		path += n;
		if (*path == ':')
			path++;
	}
	return 0;
}

static void choose(struct pyenv *p, const char *py, const char *dir)
{
	if (py && *py) {
		p->argv[0] = xstrdup(py);
		p->why = xasprintf("PYTHON=%s", py);
		return;
	}
	char *toml = dir && *dir ? xasprintf("%s/pyproject.toml", dir) : NULL;
	int gone = toml && access(toml, F_OK) < 0;
	free(toml);
	if (gone) {
		p->argv[0] = xstrdup("python3");
		p->why = xasprintf("%s/pyproject.toml is gone", dir);
		return;
	}
	if (dir && *dir) {
		char *venv = xasprintf("%s/.venv/bin/python", dir);
		if (access(venv, X_OK) == 0) {
			p->argv[0] = venv;
			p->why = xasprintf("the .venv beside %s/pyproject.toml", dir);
			return;
		}
		free(venv);
		if (on_path("uv")) {
			const char *w[] = {"uv", "run", "--project", dir, "python"};
			for (size_t i = 0; i < 5; i++)
				p->argv[i] = xstrdup(w[i]);
			p->why = xasprintf("uv run, for %s/pyproject.toml", dir);
			return;
		}
		p->argv[0] = xstrdup("python3");
		p->why = xasprintf("%s/pyproject.toml has no .venv and uv is not "
				   "on PATH", dir);
		return;
	}
	p->argv[0] = xstrdup("python3");
	p->why = xstrdup("the default");
}

/* ORK_PYPROJECT is written from the root, where the artifact runs ork:
 * made absolute, so the first progress line names the place. */
void pyenv_choose(struct pyenv *p)
{
	memset(p, 0, sizeof *p);
	const char *dir = getenv("ORK_PYPROJECT");
	char *abs = dir && *dir && dir[0] != '/' ? realpath(dir, NULL) : NULL;
	choose(p, getenv("ORK_PYTHON"), abs ? abs : dir);
	free(abs);
}

void pyenv_release(struct pyenv *p)
{
	for (size_t i = 0; p->argv[i]; i++)
		free(p->argv[i]);
	free(p->why);
	memset(p, 0, sizeof *p);
}
