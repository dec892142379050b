/* taskroot: the directory a workflow's relative task files resolve
 * against.  Two layouts are in use: Ork's, where the files sit beside the
 * workflow (examples/x/x.yaml naming x.py), and the project layout, where
 * both live under a project root (workflows/pipeline.yaml naming
 * tasks/fetch.py).  The candidates, in this order:
 *   1. the workflow file's directory (Ork's rule),
 *   2. the directory above it (a workflows/ directory in the project),
 *   3. the directory orkc runs in (where the artifact is usually run),
 * the same directory counted once.  The root is the first candidate that
 * holds every relative python task file; else the one holding the most.
 * A workflow with no relative python file is decided by its modules
 * (a top-level package or NAME.py found there) and its other `file:`s;
 * with no evidence at all, the workflow's directory.  The choice depends
 * on the files, not on the directory orkc runs in, unless a file exists
 * only there.
 *
 * The artifact runs its tasks in the root wherever it is started from:
 * taskroot_locate records, for codegen, the root as a path from the
 * artifact's own directory and the workflow file as a path from the
 * root, so that no absolute path of the machine orkc ran on is written.
 *
 * Calls: the workflow model (reads tasks), util.  Nothing above it. */
#ifndef ORK_TASKROOT_H
#define ORK_TASKROOT_H

#include "workflow.h"

#define TASKROOT_MAX 3

struct taskroot {
	char *dir[TASKROOT_MAX];     /* the candidates, as paths usable from
					orkc's directory ("." for it) */
	const char *why[TASKROOT_MAX]; /* what each is, in words */
	size_t n;
	size_t chosen;               /* index of the root in dir */
	char *from_artifact;         /* the root, from the artifact's
					directory ("." for it); NULL until
					taskroot_locate */
	char *workflow;              /* the workflow file, from the root;
					NULL until taskroot_locate */
};

/* Look at wf's task files and fill r (release it with taskroot_release). */
void taskroot_pick(const struct workflow *wf, struct taskroot *r);
void taskroot_release(struct taskroot *r);
/* Fill r->from_artifact and r->workflow for an artifact written to
 * artifact (NULL or "-": standard output, taken to be orkc's directory),
 * from the workflow file at wfpath.  A path that cannot be resolved
 * (a directory not there yet) falls back to the paths as orkc sees
 * them.  Returns -1, with r untouched, when a path has a line break (no
 * artifact can carry it). */
int taskroot_locate(struct taskroot *r, const char *wfpath,
		    const char *artifact);
/* The path of file (relative or absolute) as orkc can open it, in a new
 * string: file itself when absolute or when the root is ".". */
char *taskroot_path(const struct taskroot *r, size_t cand, const char *file);
/* "'a' (the workflow's directory), 'b' (...) and 'c' (...)": the places
 * looked in, for a "does not exist" message; appended to sb. */
void taskroot_places(const struct taskroot *r, struct strbuf *sb);

#endif
