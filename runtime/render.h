/* render: a task's expressions at run time (expr.h, template.h): its
 * `when` condition, then the templates in its input and env, evaluated on
 * the real values.  ork exec calls this only for a task whose spec has
 * "when" or "templates", after the trigger has let it run.
 *
 * Names: tasks.X.output reads X's output file (the spec's "deps" and
 * "refs" give its key; a task that failed or was skipped has none and is
 * null); params.X and run.X come from run.json, fixed by ork begin;
 * env.X is this process's environment.  Values are data: they go only
 * into the task's input JSON and environment strings, never into a shell
 * or a command line.
 *
 * A struct render owns the rendered text the spec is pointed at; release
 * it after the last use of the spec's input and env. */
#ifndef ORK_RENDER_H
#define ORK_RENDER_H

#include <stddef.h>

#include "rundir.h"
#include "taskspec.h"

enum render_result { RENDER_RUN, RENDER_SKIP, RENDER_FAIL };

struct render {
	char *input;            /* rendered static input members */
	char **env;             /* rendered env values */
	size_t nenv;
};

/* Evaluate s->when; when it holds, render the templates, pointing
 * s->input and the templated s->env values at text r owns.  SKIP and FAIL
 * append why to err: "when 'a.output.n > 1' was false", "template
 * '{{ a.x + 1 }}' in input: cannot add string and number". */
enum render_result render_task(struct task_spec *s, const struct rundir *rd,
			       struct render *r, struct strbuf *err);
/* Evaluate one expression (a fan-out task's `parallel` or `foreach`) in
 * the task's scope: a fresh value, or NULL with "'EXPR': why" appended to
 * err.  An instance's spec (fanout.h) gives item and index their values. */
cJSON *render_eval(const struct task_spec *s, const struct rundir *rd,
		   const char *src, struct strbuf *err);
void render_release(struct render *r);

#endif
