/* pyenv: which Python a run uses, found the way Ork finds it.
 *
 * An explicit choice wins: ORK_PYTHON (the artifact's PYTHON, from the
 * make or sh command line, the environment, or the workflow's `python:`)
 * when it is not empty.  The artifact leaves it empty only for a workflow
 * with a pyproject.toml beside it and no `python:` (orkc exports that
 * directory as ORK_PYPROJECT); then, as Ork does:
 *
 *   1. DIR/.venv/bin/python, when it exists;
 *   2. `uv run --project DIR python`, when uv is on PATH (uv makes or
 *      syncs DIR/.venv; ork begin asks it once for the interpreter, so
 *      tasks start python directly, without uv's cost per task);
 *   3. python3.
 *
 * ork begin resolves the choice once per invocation (it asks a script
 * for sys.executable; a program is where execvp finds it) and says it as
 * the run's first progress line ("ork: python: PATH (WHY)").
 *
 * Calls: util. */
#ifndef ORK_PYENV_H
#define ORK_PYENV_H

/* A command that runs the chosen interpreter, with the words after it to
 * be appended by the caller. */
struct pyenv {
	char *argv[8];   /* NULL-terminated; owned */
	char *why;       /* "PYTHON", "the .venv of pyproject.toml in DIR"... */
};

/* Choose as described above. */
void pyenv_choose(struct pyenv *p);
void pyenv_release(struct pyenv *p);

#endif
