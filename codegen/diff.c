/* diff: orkc --diff OLD NEW, a semantic diff of two versions of a
 * workflow (see codegen.h).
 *
 * The difference is built once, as a JSON tree, and printed either as it
 * is (-t json) or as text for people: tasks added and removed; per task
 * the fields that changed (env, secrets and input by name only, never a
 * value); the workflow's env; the schedule with fire times before and
 * after; and last the tasks that will re-run: those whose key changed,
 * which is every task whose definition changed and everything downstream
 * of one (the keys of upstream tasks are part of a task's key). */
#include "codegen.h"

#include <stdlib.h>
#include <string.h>

#include "jsonx.h"
#include "types.h"

/* ---- the difference, as JSON -------------------------------------------- */

static cJSON *old_new(cJSON *a, cJSON *b)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "old", a);
	cJSON_AddItemToObject(o, "new", b);
	return o;
}

static cJSON *str_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/* The command as one line: "python FILE:FUNCTION", "sh -c SCRIPT", or
 * the words of argv. */
static char *command_text(const struct task *t)
{
	struct strbuf sb = STRBUF_INIT;
	if (t->executor == EXECUTOR_PYTHON) {
		strbuf_addf(&sb, "python %s:%s", t->file ? t->file : t->module,
			    t->function ? t->function : "main");
	} else if (t->script) {
		strbuf_addf(&sb, "sh -c %s", t->script);
	} else {
		for (size_t i = 0; i < t->argc; i++)
			strbuf_addf(&sb, i ? " %s" : "%s", t->argv[i]);
	}
	return strbuf_detach(&sb);
}

/* A name with its value as text, compared, never shown. */
struct named {
	const char *name;      /* borrowed */
	char *text;            /* owned */
};

static void named_free(struct named *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].text);
	free(v);
}

/* {"added": [...], "removed": [...], "changed": [...]} of two sets of
 * names; NULL when they are the same.  With nochange, values are not
 * compared (lists of paths, dependencies) and "changed" is left out. */
static cJSON *names_diff(const struct named *a, size_t na,
			 const struct named *b, size_t nb, int nochange)
{
	cJSON *add = cJSON_CreateArray(), *rem = cJSON_CreateArray(),
	      *chg = cJSON_CreateArray();
	for (size_t i = 0; i < na; i++) {
		size_t j = 0;
		while (j < nb && strcmp(a[i].name, b[j].name))
			j++;
		if (j == nb)
			cJSON_AddItemToArray(rem, cJSON_CreateString(a[i].name));
		else if (!nochange && strcmp(a[i].text, b[j].text))
			cJSON_AddItemToArray(chg, cJSON_CreateString(a[i].name));
	}
	for (size_t j = 0; j < nb; j++) {
		size_t i = 0;
		while (i < na && strcmp(a[i].name, b[j].name))
			i++;
		if (i == na)
			cJSON_AddItemToArray(add, cJSON_CreateString(b[j].name));
	}
	int none = !cJSON_GetArraySize(add) && !cJSON_GetArraySize(rem) &&
		   !cJSON_GetArraySize(chg);
	cJSON *o = none ? NULL : cJSON_CreateObject();
	if (none) {
		cJSON_Delete(add);
		cJSON_Delete(rem);
		cJSON_Delete(chg);
		return NULL;
	}
	cJSON_AddItemToObject(o, "added", add);
	cJSON_AddItemToObject(o, "removed", rem);
	if (nochange)
		cJSON_Delete(chg);
	else
		cJSON_AddItemToObject(o, "changed", chg);
	return o;
}

static struct named *env_named(const struct envvar *env, size_t n)
{
	struct named *v = xcalloc(n + 1, sizeof *v);
	for (size_t i = 0; i < n; i++) {
		v[i].name = env[i].name;
		v[i].text = xstrdup(env[i].value);
	}
	return v;
}

static cJSON *env_diff(const struct envvar *a, size_t na,
		       const struct envvar *b, size_t nb)
{
	struct named *x = env_named(a, na), *y = env_named(b, nb);
	cJSON *d = names_diff(x, na, y, nb, 0);
	named_free(x, na);
	named_free(y, nb);
	return d;
}

/* The static input's top-level keys (bindings already lowered). */
static struct named *input_named(const cJSON *in, size_t *n)
{
	*n = (size_t)cJSON_GetArraySize(in);
	struct named *v = xcalloc(*n + 1, sizeof *v);
	size_t i = 0;
	for (const cJSON *c = in ? in->child : NULL; c; c = c->next, i++) {
		v[i].name = c->string;
		v[i].text = jsonx_print(c, 0);
	}
	return v;
}

/* Paths or dependency names, as a set. */
static struct named *list_named(char *const *v, size_t n)
{
	struct named *x = xcalloc(n + 1, sizeof *x);
	for (size_t i = 0; i < n; i++) {
		x[i].name = v[i];
		x[i].text = NULL;
	}
	return x;
}

static cJSON *list_diff(char *const *a, size_t na, char *const *b, size_t nb)
{
	struct named *x = list_named(a, na), *y = list_named(b, nb);
	cJSON *d = names_diff(x, na, y, nb, 1);
	free(x);
	free(y);
	return d;
}

static char **dep_names(const struct task *t)
{
	char **v = xcalloc(t->ndeps + 1, sizeof *v);
	for (size_t i = 0; i < t->ndeps; i++)
		v[i] = t->deps[i].name;
	return v;
}

static void add_if(cJSON *o, const char *name, cJSON *v)
{
	if (v)
		cJSON_AddItemToObject(o, name, v);
}

static void num_field(cJSON *o, const char *name, double a, double b)
{
	if (a != b)
		cJSON_AddItemToObject(o, name, old_new(cJSON_CreateNumber(a),
						       cJSON_CreateNumber(b)));
}

/* retry_max_delay: < 0 is no cap, null in JSON. */
static cJSON *cap_json(double d)
{
	return d < 0 ? cJSON_CreateNull() : cJSON_CreateNumber(d);
}

static char *type_text(const struct type *t)
{
	if (!t)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	type_to_json(&sb, t, 0);
	return strbuf_detach(&sb);
}

static void str_field(cJSON *o, const char *name, const char *a, const char *b)
{
	if ((!a && !b) || (a && b && !strcmp(a, b)))
		return;
	cJSON_AddItemToObject(o, name, old_new(str_or_null(a), str_or_null(b)));
}

static void command_field(cJSON *o, const struct task *a, const struct task *b)
{
	char *x = command_text(a), *y = command_text(b);
	str_field(o, "command", x, y);
	free(x);
	free(y);
}

static void input_field(cJSON *o, const struct task *a, const struct task *b)
{
	size_t na, nb;
	struct named *x = input_named(a->input, &na), *y = input_named(b->input, &nb);
	add_if(o, "input", names_diff(x, na, y, nb, 0));
	named_free(x, na);
	named_free(y, nb);
}

static void policy_fields(cJSON *o, const struct task *a, const struct task *b)
{
	num_field(o, "timeout", a->timeout, b->timeout);
	num_field(o, "retries", (double)a->retries, (double)b->retries);
	num_field(o, "retry_delay", a->retry_delay, b->retry_delay);
	num_field(o, "retry_backoff", a->retry_backoff, b->retry_backoff);
	if (a->retry_max_delay != b->retry_max_delay &&
	    (a->retry_max_delay >= 0 || b->retry_max_delay >= 0))
		cJSON_AddItemToObject(o, "retry_max_delay",
				      old_new(cap_json(a->retry_max_delay),
					      cap_json(b->retry_max_delay)));
	int same_on = a->nretry_on == b->nretry_on &&
		      (!a->nretry_on || !memcmp(a->retry_on, b->retry_on,
					       a->nretry_on * sizeof *a->retry_on));
	if (!same_on)
		cJSON_AddItemToObject(o, "retry_on", old_new(
			cJSON_CreateIntArray(a->retry_on, (int)a->nretry_on),
			cJSON_CreateIntArray(b->retry_on, (int)b->nretry_on)));
	if (a->trigger != b->trigger)
		str_field(o, "trigger", trigger_name(a->trigger),
			  trigger_name(b->trigger));
}

/* The fields of one task that differ, in the order of the list;
 * NULL when none does. */
static cJSON *task_diff(const struct workflow *wa, const struct task *a,
			const struct workflow *wb, const struct task *b)
{
	(void)wa;
	(void)wb;
	cJSON *o = cJSON_CreateObject();
	command_field(o, a, b);
	input_field(o, a, b);
	add_if(o, "env", env_diff(a->env, a->nenv, b->env, b->nenv));
	add_if(o, "secrets", env_diff(a->secrets, a->nsecrets, b->secrets,
				      b->nsecrets));
	char **da = dep_names(a), **db = dep_names(b);
	add_if(o, "deps", list_diff(da, a->ndeps, db, b->ndeps));
	free(da);
	free(db);
	policy_fields(o, a, b);
	str_field(o, "when", a->when, b->when);
	char *ta = type_text(a->input_type), *tb = type_text(b->input_type);
	str_field(o, "input_type", ta, tb);
	free(ta);
	free(tb);
	ta = type_text(a->output_type);
	tb = type_text(b->output_type);
	str_field(o, "output_type", ta, tb);
	free(ta);
	free(tb);
	add_if(o, "sources", list_diff(a->sources, a->nsources, b->sources,
				       b->nsources));
	add_if(o, "generates", list_diff(a->generates, a->ngenerates,
					 b->generates, b->ngenerates));
	if (!o->child) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* "2026-...\n2026-...\n" into an array. */
static cJSON *lines_array(const char *text)
{
	cJSON *a = cJSON_CreateArray();
	while (text && *text) {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);
		char *line = xstrndup(text, n);
		cJSON_AddItemToArray(a, cJSON_CreateString(line));
		free(line);
		text += n + (nl ? 1 : 0);
	}
	return a;
}

static void schedule_part(cJSON *d, const struct diff_side *a,
			  const struct diff_side *b)
{
	const struct workflow *wa = a->p->wf, *wb = b->p->wf;
	if (!wa->schedule && !wb->schedule)
		return;
	cJSON *s = cJSON_CreateObject();
	int same = (wa->schedule && wb->schedule && !strcmp(wa->schedule,
							  wb->schedule)) &&
		   ((!wa->timezone && !wb->timezone) ||
		    (wa->timezone && wb->timezone &&
		     !strcmp(wa->timezone, wb->timezone)));
	cJSON_AddBoolToObject(s, "changed", !same);
	cJSON_AddItemToObject(s, "old", str_or_null(wa->schedule));
	cJSON_AddItemToObject(s, "new", str_or_null(wb->schedule));
	cJSON_AddItemToObject(s, "timezone", old_new(str_or_null(wa->timezone),
						     str_or_null(wb->timezone)));
	cJSON_AddItemToObject(s, "next_old", lines_array(a->next));
	cJSON_AddItemToObject(s, "next_new", lines_array(b->next));
	cJSON_AddItemToObject(d, "schedule", s);
}

static cJSON *diff_tree(const struct diff_side *a, const struct diff_side *b)
{
	const struct plan *pa = a->p, *pb = b->p;
	const struct workflow *wa = pa->wf, *wb = pb->wf;
	cJSON *d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "old", a->label);
	cJSON_AddStringToObject(d, "new", b->label);
	str_field(d, "name", wa->name, wb->name);
	cJSON *added = cJSON_CreateArray(), *removed = cJSON_CreateArray(),
	      *changed = cJSON_CreateArray(), *rerun = cJSON_CreateArray();
	for (size_t k = 0; k < wb->ntasks; k++) {
		size_t j = pb->order[k];
		const struct task *t = &wb->tasks[j];
		long i = workflow_find_task(wa, t->name);
		if (i < 0) {
			cJSON_AddItemToArray(added, cJSON_CreateString(t->name));
			continue;
		}
		cJSON *td = task_diff(wa, &wa->tasks[i], wb, t);
		if (td) {
			cJSON *item = cJSON_CreateObject();
			cJSON_AddStringToObject(item, "task", t->name);
			cJSON_AddItemToObject(item, "fields", td);
			cJSON_AddItemToArray(changed, item);
		}
		if (strcmp(pa->keys[i], pb->keys[j]))
			cJSON_AddItemToArray(rerun, cJSON_CreateString(t->name));
	}
	for (size_t k = 0; k < wa->ntasks; k++) {
		const struct task *t = &wa->tasks[pa->order[k]];
		if (workflow_find_task(wb, t->name) < 0)
			cJSON_AddItemToArray(removed, cJSON_CreateString(t->name));
	}
	cJSON_AddItemToObject(d, "added", added);
	cJSON_AddItemToObject(d, "removed", removed);
	cJSON_AddItemToObject(d, "changed", changed);
	add_if(d, "env", env_diff(wa->env, wa->nenv, wb->env, wb->nenv));
	add_if(d, "secrets", env_diff(wa->secrets, wa->nsecrets, wb->secrets,
				      wb->nsecrets));
	schedule_part(d, a, b);
	cJSON_AddItemToObject(d, "rerun", rerun);
	return d;
}

/* ---- the difference, as text -------------------------------------------- */

/* One value of the tree for people: strings with their controls shown
 * and cut at 200 bytes, null as "(none)", numbers and lists as JSON. */
static void add_value(struct strbuf *out, const cJSON *v)
{
	if (cJSON_IsString(v)) {
		size_t n = strlen(v->valuestring);
		strbuf_add_safe(out, v->valuestring, n < 200 ? n : 200, 0);
		if (n > 200)
			strbuf_adds(out, "...");
	} else if (!v || cJSON_IsNull(v)) {
		strbuf_adds(out, "(none)");
	} else {
		jsonx_write(out, v, 0);
	}
}

/* "a, b, c" */
static void add_list(struct strbuf *out, const cJSON *a)
{
	for (const cJSON *c = a ? a->child : NULL; c; c = c->next) {
		if (c != a->child)
			strbuf_adds(out, ", ");
		add_value(out, c);
	}
}

/* A field: "old -> new", or "added X; removed Y; changed Z". */
static void add_field(struct strbuf *out, const char *indent, const cJSON *f)
{
	strbuf_addf(out, "%s%s: ", indent, f->string);
	const cJSON *old = cJSON_GetObjectItemCaseSensitive(f, "old");
	if (old) {
		add_value(out, old);
		strbuf_adds(out, " -> ");
		add_value(out, cJSON_GetObjectItemCaseSensitive(f, "new"));
		if (cJSON_IsNumber(old) && !strcmp(f->string, "timeout"))
			strbuf_adds(out, " (seconds)");
		strbuf_addc(out, '\n');
		return;
	}
	static const char *const parts[] = { "added", "removed", "changed", NULL };
	int first = 1;
	for (int i = 0; parts[i]; i++) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(f, parts[i]);
		if (!cJSON_GetArraySize(a))
			continue;
		strbuf_addf(out, "%s%s ", first ? "" : "; ", parts[i]);
		add_list(out, a);
		first = 0;
	}
	strbuf_addc(out, '\n');
}

static void text_schedule(struct strbuf *out, const cJSON *s)
{
	if (!s)
		return;
	const cJSON *tz = cJSON_GetObjectItemCaseSensitive(s, "timezone");
	const cJSON *ta = cJSON_GetObjectItemCaseSensitive(tz, "old");
	const cJSON *tb = cJSON_GetObjectItemCaseSensitive(tz, "new");
	strbuf_adds(out, "schedule: ");
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "changed"))) {
		add_value(out, cJSON_GetObjectItemCaseSensitive(s, "old"));
		if (!cJSON_IsNull(ta)) {
			strbuf_adds(out, " (");
			add_value(out, ta);
			strbuf_addc(out, ')');
		}
		strbuf_adds(out, " -> ");
	} else {
		strbuf_adds(out, "unchanged, ");
	}
	add_value(out, cJSON_GetObjectItemCaseSensitive(s, "new"));
	if (!cJSON_IsNull(tb)) {
		strbuf_adds(out, " (");
		add_value(out, tb);
		strbuf_addc(out, ')');
	}
	strbuf_addc(out, '\n');
	static const char *const when[] = { "next_old", "  next before: ",
					    "next_new", "  next after:  ", NULL };
	for (int i = 0; when[i]; i += 2) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(s, when[i]);
		strbuf_adds(out, when[i + 1]);
		if (cJSON_GetArraySize(a))
			add_list(out, a);
		else
			strbuf_adds(out, "(none)");
		strbuf_addc(out, '\n');
	}
}

static void diff_text(struct strbuf *out, const cJSON *d)
{
	strbuf_adds(out, "--- ");
	add_value(out, cJSON_GetObjectItemCaseSensitive(d, "old"));
	strbuf_adds(out, "\n+++ ");
	add_value(out, cJSON_GetObjectItemCaseSensitive(d, "new"));
	strbuf_addc(out, '\n');
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(d, "name");
	if (name)
		add_field(out, "workflow ", name);
	static const char *const lists[] = { "added", "tasks added: ",
					     "removed", "tasks removed: ", NULL };
	for (int i = 0; lists[i]; i += 2) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(d, lists[i]);
		if (!cJSON_GetArraySize(a))
			continue;
		strbuf_adds(out, lists[i + 1]);
		add_list(out, a);
		strbuf_addc(out, '\n');
	}
	const cJSON *changed = cJSON_GetObjectItemCaseSensitive(d, "changed");
	for (const cJSON *c = changed ? changed->child : NULL; c; c = c->next) {
		strbuf_adds(out, "task ");
		add_value(out, cJSON_GetObjectItemCaseSensitive(c, "task"));
		strbuf_adds(out, ":\n");
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(c, "fields");
		for (const cJSON *x = f ? f->child : NULL; x; x = x->next)
			add_field(out, "  ", x);
	}
	static const char *const wide[] = { "env", "secrets", NULL };
	for (int i = 0; wide[i]; i++) {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(d, wide[i]);
		if (e)
			add_field(out, "workflow ", e);
	}
	text_schedule(out, cJSON_GetObjectItemCaseSensitive(d, "schedule"));
	const cJSON *rerun = cJSON_GetObjectItemCaseSensitive(d, "rerun");
	strbuf_adds(out, "will re-run: ");
	if (cJSON_GetArraySize(rerun))
		add_list(out, rerun);
	else
		strbuf_adds(out, "nothing");
	strbuf_addc(out, '\n');
}

void gen_diff(struct strbuf *out, const struct diff_side *old,
	      const struct diff_side *new, int json)
{
	cJSON *d = diff_tree(old, new);
	if (json) {
		char *text = cJSON_Print(d);
		strbuf_adds(out, text);
		strbuf_addc(out, '\n');
		free(text);
	} else {
		diff_text(out, d);
	}
	cJSON_Delete(d);
}
