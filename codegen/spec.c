/* spec: the task spec of DESIGN.md, the one description of a task that
 * every backend hands to `ork exec`. */
#include "codegen.h"

#include <stdlib.h>
#include <string.h>

#include "jsonx.h"
#include "typecheck.h"

static void add_key(struct strbuf *sb, const char *key, unsigned flags)
{
	if (sb->len > 1)
		strbuf_addc(sb, ',');
	jsonx_quote(sb, key, strlen(key), flags);
	strbuf_addc(sb, ':');
}

static void add_str(struct strbuf *sb, const char *key, const char *val,
		    unsigned flags)
{
	if (!val)
		return;
	add_key(sb, key, flags);
	jsonx_quote(sb, val, strlen(val), flags);
}

static void add_num(struct strbuf *sb, const char *key, double val)
{
	add_key(sb, key, 0);
	jsonx_number(sb, val);
}

/* Workflow env first, then the task's own; a task value replaces a
 * workflow value of the same name in place. */
static void add_env(struct strbuf *sb, const struct workflow *wf,
		    const struct task *t, unsigned flags)
{
	add_key(sb, "env", flags);
	strbuf_addc(sb, '{');
	int first = 1;
	for (size_t i = 0; i < wf->nenv; i++) {
		const char *val = wf->env[i].value;
		for (size_t j = 0; j < t->nenv; j++)
			if (!strcmp(t->env[j].name, wf->env[i].name))
				val = t->env[j].value;
		if (!first)
			strbuf_addc(sb, ',');
		first = 0;
		jsonx_quote(sb, wf->env[i].name, strlen(wf->env[i].name), flags);
		strbuf_addc(sb, ':');
		jsonx_quote(sb, val, strlen(val), flags);
	}
	for (size_t j = 0; j < t->nenv; j++) {
		int shadowed = 0;
		for (size_t i = 0; i < wf->nenv; i++)
			shadowed |= !strcmp(t->env[j].name, wf->env[i].name);
		if (shadowed)
			continue;
		if (!first)
			strbuf_addc(sb, ',');
		first = 0;
		jsonx_quote(sb, t->env[j].name, strlen(t->env[j].name), flags);
		strbuf_addc(sb, ':');
		jsonx_quote(sb, t->env[j].value, strlen(t->env[j].value), flags);
	}
	strbuf_addc(sb, '}');
}

static void add_command(struct strbuf *sb, const struct task *t, unsigned flags)
{
	if (t->executor == EXECUTOR_PYTHON) {
		add_str(sb, "file", t->file, flags);
		add_str(sb, "module", t->module, flags);
		add_str(sb, "function", t->function, flags);
		return;
	}
	if (t->script) {
		add_str(sb, "script", t->script, flags);
		return;
	}
	add_key(sb, "argv", flags);
	strbuf_addc(sb, '[');
	for (size_t i = 0; i < t->argc; i++) {
		if (i)
			strbuf_addc(sb, ',');
		jsonx_quote(sb, t->argv[i], strlen(t->argv[i]), flags);
	}
	strbuf_addc(sb, ']');
}

static void add_deps(struct strbuf *sb, const struct plan *p,
		     const struct task *t, unsigned flags)
{
	add_key(sb, "deps", flags);
	strbuf_addc(sb, '[');
	for (size_t i = 0; i < t->ndeps; i++) {
		size_t up = t->deps[i].task;
		if (i)
			strbuf_addc(sb, ',');
		strbuf_adds(sb, "{\"task\":");
		jsonx_quote(sb, p->wf->tasks[up].name,
			    strlen(p->wf->tasks[up].name), flags);
		strbuf_adds(sb, ",\"key\":");
		jsonx_quote(sb, p->keys[up], TASK_KEY_LEN, flags);
		strbuf_addc(sb, '}');
	}
	strbuf_addc(sb, ']');
}

static void add_retry(struct strbuf *sb, const struct task *t)
{
	add_num(sb, "timeout", t->timeout);
	add_num(sb, "retries", (double)t->retries);
	add_num(sb, "retry_delay", t->retry_delay);
	add_num(sb, "retry_backoff", t->retry_backoff);
	add_key(sb, "retry_max_delay", 0);
	if (t->retry_max_delay < 0)
		strbuf_adds(sb, "null");
	else
		jsonx_number(sb, t->retry_max_delay);
	add_key(sb, "retry_on", 0);
	strbuf_addc(sb, '[');
	for (size_t i = 0; i < t->nretry_on; i++)
		strbuf_addf(sb, i ? ",%d" : "%d", t->retry_on[i]);
	strbuf_addc(sb, ']');
}

/* ---- expressions --------------------------------------------------------
 * ork exec does no expression work for a task whose spec has neither
 * "when" nor "templates"; "refs" names (with keys) every task whose output
 * the expressions read, so ork exec can find outputs of tasks that are
 * upstream only transitively. */

static void add_expressions(struct strbuf *sb, const struct plan *p,
			    size_t i, unsigned flags)
{
	const struct task *t = &p->wf->tasks[i];
	add_str(sb, "when", t->when, flags);
	if (t->templates || p->wf->env_templates) {
		add_key(sb, "templates", flags);
		strbuf_adds(sb, "true");
	}
	if (!p->nrefs[i])
		return;
	add_key(sb, "refs", flags);
	strbuf_addc(sb, '[');
	for (size_t k = 0; k < p->nrefs[i]; k++) {
		size_t u = p->refs[i][k];
		const char *name = p->wf->tasks[u].name;
		strbuf_adds(sb, k ? ",{\"task\":" : "{\"task\":");
		jsonx_quote(sb, name, strlen(name), flags);
		strbuf_adds(sb, ",\"key\":");
		jsonx_quote(sb, p->keys[u], TASK_KEY_LEN, flags);
		strbuf_addc(sb, '}');
	}
	strbuf_addc(sb, ']');
}

char *task_spec_json(const struct plan *p, size_t i, unsigned flags)
{
	const struct task *t = &p->wf->tasks[i];
	struct strbuf sb = STRBUF_INIT;
	strbuf_addc(&sb, '{');
	add_str(&sb, "task", t->name, flags);
	add_str(&sb, "key", p->keys[i], flags);
	add_str(&sb, "executor", executor_name(t->executor), flags);
	add_command(&sb, t, flags);
	add_key(&sb, "input", flags);
	if (t->input)
		jsonx_write(&sb, t->input, flags);
	else
		strbuf_adds(&sb, "{}");
	add_deps(&sb, p, t, flags);
	add_env(&sb, p->wf, t, flags);
	add_retry(&sb, t);
	add_str(&sb, "trigger", trigger_name(t->trigger), flags);
	add_expressions(&sb, p, i, flags);
	if (t->output_type) {
		add_key(&sb, "output_type", flags);
		type_to_json(&sb, t->output_type, flags);
	}
	strbuf_addc(&sb, '}');
	return strbuf_detach(&sb);
}

char *run_spec_json(const struct plan *p, unsigned flags)
{
	const struct workflow *wf = p->wf;
	if (!wf->nparams && !wf->timezone)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	strbuf_addc(&sb, '{');
	add_key(&sb, "params", flags);
	strbuf_addc(&sb, '{');
	for (size_t i = 0; i < wf->nparams; i++) {
		const struct param *pm = &wf->params[i];
		if (i)
			strbuf_addc(&sb, ',');
		jsonx_quote(&sb, pm->name, strlen(pm->name), flags);
		strbuf_adds(&sb, ":{\"type\":");
		jsonx_quote(&sb, param_type_names[pm->type],
			    strlen(param_type_names[pm->type]), flags);
		if (pm->dflt) {
			strbuf_adds(&sb, ",\"default\":");
			jsonx_write(&sb, pm->dflt, flags);
		}
		strbuf_addc(&sb, '}');
	}
	strbuf_addc(&sb, '}');
	add_str(&sb, "timezone", wf->timezone, flags);
	strbuf_addc(&sb, '}');
	return strbuf_detach(&sb);
}

/* Comments in generated text must stay comments: only printable ASCII
 * other than a backslash (which would continue a make comment line) goes
 * through; anything else becomes '?'.  Long text is cut with "...". */
void add_comment_text(struct strbuf *out, const char *s, size_t max)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n && i < max; i++) {
		unsigned char c = (unsigned char)s[i];
		strbuf_addc(out, (c >= 0x20 && c < 0x7f && c != '\\') ? (char)c : '?');
	}
	if (n > max)
		strbuf_adds(out, "...");
}

int check_spec_sizes(const struct plan *p, struct diag *d)
{
	int n = 0;
	for (size_t i = 0; i < p->wf->ntasks; i++) {
		char *spec = task_spec_json(p, i, JSONX_MAKESAFE);
		size_t len = strlen(spec);
		free(spec);
		if (len <= TASK_SPEC_MAX)
			continue;
		diag_error(d, p->wf->tasks[i].pos, "task '%s' is too large to "
			   "hand to ork: its definition is %zu bytes, at most %zu "
			   "fit in the environment; keep large static input in a "
			   "file the task reads", p->wf->tasks[i].name, len,
			   (size_t)TASK_SPEC_MAX);
		n++;
	}
	return n;
}

void add_generated_by(struct strbuf *out, const char *comment,
		      const struct workflow *wf)
{
	strbuf_addf(out, "%s Generated by orkc " PACKAGE_VERSION " from ", comment);
	add_comment_text(out, wf->path, 200);
	strbuf_adds(out, ".\n");
}

void add_workflow_line(struct strbuf *out, const char *comment,
		       const struct workflow *wf)
{
	strbuf_addf(out, "%s workflow %s: %zu task%s", comment, wf->name,
		    wf->ntasks, wf->ntasks == 1 ? "" : "s");
	if (wf->description) {
		strbuf_adds(out, " - ");
		add_comment_text(out, wf->description, 100);
	}
}

int workflow_has_python(const struct workflow *wf)
{
	for (size_t i = 0; i < wf->ntasks; i++)
		if (wf->tasks[i].executor == EXECUTOR_PYTHON)
			return 1;
	return 0;
}

void describe_command(struct strbuf *out, const struct task *t)
{
	strbuf_adds(out, executor_name(t->executor));
	strbuf_addc(out, ' ');
	if (t->executor == EXECUTOR_PYTHON) {
		add_comment_text(out, t->file ? t->file : t->module, 80);
		strbuf_addc(out, ':');
		add_comment_text(out, t->function, 80);
	} else if (t->script) {
		strbuf_adds(out, "sh -c ");
		add_comment_text(out, t->script, 60);
	} else {
		for (size_t i = 0; i < t->argc; i++) {
			if (i)
				strbuf_addc(out, ' ');
			add_comment_text(out, t->argv[i], 40);
		}
	}
}

void describe_policy(struct strbuf *out, const struct task *t)
{
	strbuf_adds(out, "timeout ");
	jsonx_number(out, t->timeout);
	strbuf_addc(out, 's');
	if (t->retries > 0) {
		strbuf_addf(out, ", %ld retr%s", t->retries,
			    t->retries == 1 ? "y" : "ies");
		if (t->retry_delay > 0) {
			strbuf_adds(out, " (delay ");
			jsonx_number(out, t->retry_delay);
			strbuf_adds(out, "s");
			if (t->retry_backoff != 1) {
				strbuf_adds(out, " x");
				jsonx_number(out, t->retry_backoff);
			}
			strbuf_adds(out, ")");
		}
	}
	if (t->trigger != TRIGGER_ALL_SUCCESS)
		strbuf_addf(out, ", trigger %s", trigger_name(t->trigger));
	if (t->when) {
		strbuf_adds(out, ", when ");
		add_comment_text(out, t->when, 80);
	}
}
