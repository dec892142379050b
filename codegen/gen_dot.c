/* gen_dot: the task graph for Graphviz.  Edges into a task that runs
 * whatever its upstream did (trigger other than all_success) are dashed. */
#include "codegen.h"

#include <string.h>

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

void gen_dot(struct strbuf *out, const struct plan *p)
{
	const struct workflow *wf = p->wf;
	add_generated_by(out, "//", wf);
	strbuf_adds(out, "digraph ");
	add_dot_string(out, wf->name);
	strbuf_adds(out, " {\n\trankdir=LR;\n\tnode [shape=box, style=rounded, fontname=\"Helvetica\"];\n");
	for (size_t k = 0; k < wf->ntasks; k++) {
		const struct task *t = &wf->tasks[p->order[k]];
		struct strbuf label = STRBUF_INIT;
		describe_command(&label, t);
		strbuf_adds(out, "\t");
		add_dot_string(out, t->name);
		strbuf_adds(out, " [label=<<b>");
		strbuf_adds(out, t->name);    /* names are [A-Za-z0-9_-] */
		strbuf_adds(out, "</b>>, tooltip=");
		add_dot_string(out, strbuf_str(&label));
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
