/* gen_json: the validated, resolved plan as JSON, for tools and tests.
 * Tasks appear in execution order, one a line, each with its full task
 * spec (the same members `ork exec` receives, from the same writer) plus
 * where it came from and what follows it.  Written in one pass: nothing
 * is printed, parsed back and patched. */
#include "codegen.h"

#include <string.h>

#include "jsonx.h"

/* "  "key": value" where value is a string or null, then ",\n". */
static void add_member(struct strbuf *out, const char *key, const char *val)
{
	strbuf_addf(out, "  \"%s\": ", key);
	if (val)
		jsonx_quote(out, val, strlen(val), 0);
	else
		strbuf_adds(out, "null");
	strbuf_adds(out, ",\n");
}

static void add_task(struct strbuf *out, const struct plan *p, size_t i)
{
	strbuf_adds(out, "    {");
	spec_add_members(out, p, i, 0);
	strbuf_adds(out, ",\"downstream\":[");
	for (size_t d = 0; d < p->ndownstream[i]; d++) {
		const char *name = p->wf->tasks[p->downstream[i][d]].name;
		if (d)
			strbuf_addc(out, ',');
		jsonx_quote(out, name, strlen(name), 0);
	}
	strbuf_addf(out, "],\"line\":%u}", p->wf->tasks[i].pos.line);
}

void gen_json(struct strbuf *out, const struct plan *p)
{
	const struct workflow *wf = p->wf;
	strbuf_adds(out, "{\n");
	add_member(out, "orkc", PACKAGE_VERSION);
	add_member(out, "source", wf->path);
	add_member(out, "workflow", wf->name);
	add_member(out, "description", wf->description);
	add_member(out, "schedule", wf->schedule);
	add_member(out, "timezone", wf->timezone);
	add_member(out, "python", wf->python);
	/* What ork begin gets, when there is any. */
	if (wf->nparams) {
		strbuf_adds(out, "  \"params\": ");
		spec_add_params(out, p, 0);
		strbuf_adds(out, ",\n");
	}
	strbuf_adds(out, "  \"tasks\": [");
	for (size_t k = 0; k < wf->ntasks; k++) {
		strbuf_adds(out, k ? ",\n" : "\n");
		add_task(out, p, p->order[k]);
	}
	strbuf_adds(out, "\n  ]\n}\n");
}
