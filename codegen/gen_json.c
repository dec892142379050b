/* gen_json: the validated, resolved plan as JSON, for tools and tests.
 * Tasks appear in execution order, each with its full task spec (the same
 * object `ork exec` receives) plus where it came from and what follows it. */
#include "codegen.h"

#include <stdlib.h>
#include <string.h>

#include "jsonx.h"

static void add_optional(cJSON *obj, const char *key, const char *val)
{
	cJSON_AddItemToObject(obj, key, val ? cJSON_CreateString(val)
					     : cJSON_CreateNull());
}

static cJSON *task_json(const struct plan *p, size_t i)
{
	const struct task *t = &p->wf->tasks[i];
	char *spec = task_spec_json(p, i, 0);
	cJSON *obj = cJSON_Parse(spec);
	free(spec);
	if (!obj)
		die(2, "internal error: task spec of '%s' is not JSON", t->name);
	/* Parsing turned numbers into doubles; the input keeps its exact
	 * number text (a 20-digit id stays a 20-digit id). */
	if (t->input)
		cJSON_ReplaceItemInObjectCaseSensitive(obj, "input",
			cJSON_Duplicate(t->input, 1));
	cJSON *down = cJSON_AddArrayToObject(obj, "downstream");
	for (size_t d = 0; d < p->ndownstream[i]; d++)
		cJSON_AddItemToArray(down, cJSON_CreateString(
			p->wf->tasks[p->downstream[i][d]].name));
	cJSON_AddNumberToObject(obj, "line", t->pos.line);
	return obj;
}

void gen_json(struct strbuf *out, const struct plan *p)
{
	const struct workflow *wf = p->wf;
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "orkc", PACKAGE_VERSION);
	cJSON_AddStringToObject(root, "source", wf->path);
	cJSON_AddStringToObject(root, "workflow", wf->name);
	add_optional(root, "description", wf->description);
	add_optional(root, "schedule", wf->schedule);
	add_optional(root, "timezone", wf->timezone);
	add_optional(root, "python", wf->python);
	/* What ork begin gets (params and timezone), when there is any. */
	char *run_spec = run_spec_json(p, 0);
	cJSON *rs = run_spec ? cJSON_Parse(run_spec) : NULL;
	cJSON *params = cJSON_DetachItemFromObjectCaseSensitive(rs, "params");
	if (params && params->child)
		cJSON_AddItemToObject(root, "params", params);
	else
		cJSON_Delete(params);
	cJSON_Delete(rs);
	free(run_spec);
	cJSON *tasks = cJSON_AddArrayToObject(root, "tasks");
	for (size_t k = 0; k < wf->ntasks; k++)
		cJSON_AddItemToArray(tasks, task_json(p, p->order[k]));
	jsonx_write(out, root, JSONX_PRETTY);
	strbuf_addc(out, '\n');
	cJSON_Delete(root);
}
