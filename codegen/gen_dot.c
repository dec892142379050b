/* gen_dot: the task graph for Graphviz.  Edges into a task that runs
 * whatever its upstream did (trigger other than all_success) are dashed.
 * With a run's status (gen_dot_status), nodes are filled by state. */
#include "codegen.h"

#include <string.h>

#include "jsonx.h"

/* The colours of ork report (runtime/report_html.c): fill, then line. */
static const char *const state_colours[][3] = {
	{"succeeded", "#c8e6c9", "#2e7d32"},
	{"failed", "#ffcdd2", "#c62828"},
	{"skipped", "#eeeeee", "#9e9e9e"},
	{"running", "#bbdefb", "#1565c0"},
	{"interrupted", "#ffe0b2", "#ef6c00"},
	{"not run", "#ffffff", "#9e9e9e"},
	{"pending", "#ffffff", "#9e9e9e"},
};

/* A Graphviz quoted string: backslash and quote escaped, line breaks
 * dropped (labels use \n on purpose only where we put them). */
static void add_dot_string(struct strbuf *out, const char *s)
{
	strbuf_addc(out, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_addc(out, '\\');
		if (*s == '\n' || *s == '\r')
			continue;
		strbuf_addc(out, *s);
	}
	strbuf_addc(out, '"');
}

/* The status entry of task name ("tasks": [{"task": ..., "state": ...}]),
 * or NULL. */
static const cJSON *status_task(const cJSON *status, const char *name)
{
	const cJSON *tasks = cJSON_GetObjectItemCaseSensitive(status, "tasks");
	for (const cJSON *t = cJSON_IsArray(tasks) ? tasks->child : NULL; t; t = t->next) {
		const char *n = jsonx_get_string(t, "task");
		if (n && !strcmp(n, name))
			return t;
	}
	return NULL;
}

/* The label's state line and ", style=..., fillcolor=..." for a task of
 * the status (st NULL or without a state: "not run"); nothing for a state
 * ork does not have. */
static void add_state_attrs(struct strbuf *out, const cJSON *st)
{
	const char *state = st ? jsonx_get_string(st, "state") : NULL;
	if (!state)
		state = "not run";
	for (size_t i = 0; i < sizeof state_colours / sizeof *state_colours; i++) {
		if (strcmp(state, state_colours[i][0]))
			continue;
		strbuf_addf(out, "<br/><font point-size=\"10\">%s</font>>, "
			    "style=\"rounded,filled%s\", fillcolor=\"%s\", "
			    "color=\"%s\"", state_colours[i][0], i >= 5 ? ",dashed" : "",
			    state_colours[i][1], state_colours[i][2]);
		return;
	}
	strbuf_addc(out, '>');
}

static void add_state_tooltip(struct strbuf *out, const cJSON *st,
			      const char *command)
{
	struct strbuf tip = STRBUF_INIT;
	strbuf_adds(&tip, command);
	const char *state = st ? jsonx_get_string(st, "state") : NULL;
	const char *reason = st ? jsonx_get_string(st, "reason") : NULL;
	if (state) {
		strbuf_addf(&tip, " - %s", state);
		if (reason && *reason)
			strbuf_addf(&tip, " (%s)", reason);
	}
	add_dot_string(out, strbuf_str(&tip));
	strbuf_release(&tip);
}

void gen_dot(struct strbuf *out, const struct plan *p)
{
	gen_dot_status(out, p, NULL);
}

void gen_dot_status(struct strbuf *out, const struct plan *p,
		    const cJSON *status)
{
	const struct workflow *wf = p->wf;
	add_generated_by(out, "//", wf);
	strbuf_adds(out, "digraph ");
	add_dot_string(out, wf->name);
	strbuf_adds(out, " {\n\trankdir=LR;\n\tnode [shape=box, style=rounded, fontname=\"Helvetica\"];\n");
	if (status) {
		const char *run = jsonx_get_string(status, "run_id");
		const char *state = jsonx_get_string(status, "state");
		struct strbuf title = STRBUF_INIT;
		strbuf_addf(&title, "run %s: %s", run ? run : "?", state ? state : "?");
		strbuf_adds(out, "\tlabelloc=t;\n\tlabel=");
		add_dot_string(out, strbuf_str(&title));
		strbuf_adds(out, ";\n");
		strbuf_release(&title);
	}
	for (size_t k = 0; k < wf->ntasks; k++) {
		const struct task *t = &wf->tasks[p->order[k]];
		const cJSON *st = status ? status_task(status, t->name) : NULL;
		struct strbuf label = STRBUF_INIT;
		describe_command(&label, t);
		strbuf_adds(out, "\t");
		add_dot_string(out, t->name);
		strbuf_adds(out, " [label=<<b>");
		strbuf_adds(out, t->name);    /* names are [A-Za-z0-9_-] */
		strbuf_adds(out, "</b>");
		if (status)
			add_state_attrs(out, st);
		else
			strbuf_addc(out, '>');
		strbuf_adds(out, ", tooltip=");
		add_state_tooltip(out, st, strbuf_str(&label));
		strbuf_adds(out, "];\n");
		strbuf_release(&label);
	}
	for (size_t k = 0; k < wf->ntasks; k++) {
		const struct task *t = &wf->tasks[p->order[k]];
		for (size_t d = 0; d < t->ndeps; d++) {
			strbuf_adds(out, "\t");
			add_dot_string(out, wf->tasks[t->deps[d].task].name);
			strbuf_adds(out, " -> ");
			add_dot_string(out, t->name);
			if (t->trigger != TRIGGER_ALL_SUCCESS)
				strbuf_adds(out, " [style=dashed]");
			strbuf_adds(out, ";\n");
		}
	}
	strbuf_adds(out, "}\n");
}
