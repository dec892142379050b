/* render: see render.h.
 *
 * The static input is rewritten as text: every member is copied byte for
 * byte except the string values holding templates, so numbers keep their
 * exact text, as they do for tasks without templates. */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "jsonx.h"
#include "template.h"
#include "secrets.h"
#include "util.h"

/* What names mean for this task; outputs are parsed on first use. */
struct scope {
	const struct task_spec *s;
	const struct rundir *rd;
	cJSON *run;             /* run.json */
	cJSON **outputs;        /* per dep, then per ref: parsed, or NULL */
	unsigned char *loaded;
	cJSON *envs;            /* env.X values handed out, kept alive */
};

static const cJSON *task_output(struct scope *sc, const char *name,
				struct expr_error *err, int *failed)
{
	const struct task_spec *s = sc->s;
	size_t n = s->ndeps + s->nrefs;
	for (size_t i = 0; i < n; i++) {
		const struct spec_dep *d = i < s->ndeps ? &s->deps[i]
						       : &s->refs[i - s->ndeps];
		if (strcmp(d->task, name))
			continue;
		if (sc->loaded[i])
			return sc->outputs[i];
		sc->loaded[i] = 1;
		char *path = rundir_file(sc->rd, "%s.%s.json", d->task, d->key);
		size_t len;
		char *text = read_file_nofollow(path, &len);
		free(path);
		if (!text)
			return NULL;   /* failed, skipped: null */
		sc->outputs[i] = cJSON_ParseWithLength(text, len);
		free(text);
		if (!sc->outputs[i]) {
			snprintf(err->msg, sizeof err->msg, "cannot parse the "
				 "output of task '%s'", name);
			*failed = 1;
		}
		return sc->outputs[i];
	}
	snprintf(err->msg, sizeof err->msg, "task '%s' is not known to this "
		 "task's spec", name);
	*failed = 1;
	return NULL;
}

static const cJSON *lookup(void *ctx, enum expr_root root, const char *name,
			   struct expr_error *err, int *failed)
{
	struct scope *sc = ctx;
	switch (root) {
	case ROOT_TASK:
		return task_output(sc, name, err, failed);
	case ROOT_PARAM:
		return cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(sc->run, "params"), name);
	case ROOT_RUN:
		return cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(sc->run, "run"), name);
	case ROOT_ENV: {
		if (secrets_named(sc->s, name)) {
			snprintf(err->msg, sizeof err->msg, "'%s' is a secret: an "
				 "expression cannot read it", name);
			*failed = 1;
			return NULL;
		}
		const char *v = getenv(name);
		if (!v)
			return NULL;
		cJSON *str = cJSON_CreateString(v);
		cJSON_AddItemToArray(sc->envs, str);
		return str;
	}
	default:
		/* An instance of a fan-out task (fanout.h). */
		if (root == ROOT_ITEM && sc->s->instance && sc->s->item)
			return sc->s->item;
		if (root == ROOT_INDEX && sc->s->instance) {
			cJSON *i = cJSON_CreateNumber((double)sc->s->index);
			cJSON_AddItemToArray(sc->envs, i);
			return i;
		}
		snprintf(err->msg, sizeof err->msg, "'%s' is only defined in a "
			 "task with 'foreach'", name);
		*failed = 1;
		return NULL;
	}
}

/* "'{{ a.x + 1 }}'" shortened, for reasons. */
static void quote_text(char *out, size_t n, const char *s)
{
	size_t len = strlen(s);
	if (len > 80)
		snprintf(out, n, "'%.77s...'", s);
	else
		snprintf(out, n, "'%s'", s);
}

static int eval_template(struct scope *sc, const char *s, size_t len,
			 cJSON **out, const char *where, struct strbuf *err)
{
	struct tmpl t;
	struct expr_error ee;
	struct expr_scope es = {lookup, sc};
	*out = NULL;
	if (tmpl_parse(s, len, &t, &ee) == 0)
		*out = tmpl_eval(&t, &es, &ee);
	tmpl_release(&t);
	if (*out)
		return 0;
	char q[96];
	quote_text(q, sizeof q, s);
	return error_to(err, "template %s in %s: %s", q, where, ee.msg);
}

/* 1 when the condition holds; 0 (false) or -1 (error) with why in err. */
static int eval_when(struct scope *sc, struct strbuf *err)
{
	const char *w = sc->s->when;
	struct expr_error ee;
	struct expr_scope es = {lookup, sc};
	struct expr *e = expr_parse(w, strlen(w), &ee);
	cJSON *v = e ? expr_eval(e, &es, &ee) : NULL;
	expr_free(e);
	char q[96];
	quote_text(q, sizeof q, w);
	if (!v)
		return error_to(err, "when %s: %s", q, ee.msg);
	int t = expr_truthy(v);
	cJSON_Delete(v);
	if (!t)
		error_to(err, "when %s was false", q);
	return t;
}

/* ---- the input as text -------------------------------------------------- */

static const char *string_end(const char *p, const char *end)
{
	for (p++; p < end && *p != '"'; p++)
		if (*p == '\\')
			p++;
	return p < end ? p + 1 : end;
}

static const char *skip_blanks(const char *p, const char *end)
{
	while (p < end && strchr(" \t\r\n", *p))
		p++;
	return p;
}

/* Copy the members text, replacing template string values by their
 * values. */
static int render_input(struct scope *sc, struct render *r,
			struct strbuf *err)
{
	const struct task_spec *s = sc->s;
	const char *p = s->input, *end = s->input + s->ninput;
	struct strbuf sb = STRBUF_INIT;
	while (p < end) {
		if (*p != '"') {
			strbuf_addc(&sb, *p++);
			continue;
		}
		const char *q = string_end(p, end);
		const char *after = skip_blanks(q, end);
		int key = after < end && *after == ':';
		if (key || !tmpl_present(p, (size_t)(q - p))) {
			strbuf_add(&sb, p, (size_t)(q - p));
			p = q;
			continue;
		}
		cJSON *str = cJSON_ParseWithLength(p, (size_t)(q - p)), *v;
		int rc = cJSON_IsString(str) ?
			 eval_template(sc, str->valuestring,
				       strlen(str->valuestring), &v, "input",
				       err) : -1;
		if (!cJSON_IsString(str))
			error_to(err, "invalid string in the task spec");
		cJSON_Delete(str);
		if (rc < 0) {
			strbuf_release(&sb);
			return -1;
		}
		jsonx_write(&sb, v, 0);
		cJSON_Delete(v);
		p = q;
	}
	r->input = strbuf_detach(&sb);
	return 0;
}

static int render_env(struct scope *sc, struct task_spec *s, struct render *r,
		      struct strbuf *err)
{
	r->env = xcalloc(s->nenv + 1, sizeof *r->env);
	for (size_t i = 0; i < s->nenv; i++) {
		const char *val = s->env[i].value;
		if (!tmpl_present(val, strlen(val)))
			continue;
		char where[160];
		snprintf(where, sizeof where, "env %s", s->env[i].name);
		cJSON *v;
		if (eval_template(sc, val, strlen(val), &v, where, err) < 0)
			return -1;
		struct strbuf sb = STRBUF_INIT;
		expr_render(&sb, v);
		cJSON_Delete(v);
		r->env[r->nenv++] = strbuf_detach(&sb);
		s->env[i].value = r->env[r->nenv - 1];
	}
	return 0;
}

enum render_result render_task(struct task_spec *s, const struct rundir *rd,
			       struct render *r, struct strbuf *err)
{
	struct scope sc;
	memset(&sc, 0, sizeof sc);
	memset(r, 0, sizeof *r);
	sc.s = s;
	sc.rd = rd;
	sc.run = rundir_load_run_head(rd);
	sc.outputs = xcalloc(s->ndeps + s->nrefs + 1, sizeof *sc.outputs);
	sc.loaded = xcalloc(s->ndeps + s->nrefs + 1, 1);
	sc.envs = cJSON_CreateArray();
	enum render_result res = RENDER_RUN;
	int w = s->when ? eval_when(&sc, err) : 1;
	if (w <= 0)
		res = w < 0 ? RENDER_FAIL : RENDER_SKIP;
	else if (s->templates && (render_input(&sc, r, err) < 0 ||
				  render_env(&sc, s, r, err) < 0))
		res = RENDER_FAIL;
	if (res == RENDER_RUN && r->input) {
		s->input = r->input;
		s->ninput = strlen(r->input);
	}
	for (size_t i = 0; i < s->ndeps + s->nrefs; i++)
		cJSON_Delete(sc.outputs[i]);
	free(sc.outputs);
	free(sc.loaded);
	cJSON_Delete(sc.envs);
	cJSON_Delete(sc.run);
	return res;
}

cJSON *render_eval(const struct task_spec *s, const struct rundir *rd,
		   const char *src, struct strbuf *err)
{
	struct scope sc;
	memset(&sc, 0, sizeof sc);
	sc.s = s;
	sc.rd = rd;
	sc.run = rundir_load_run_head(rd);
	sc.outputs = xcalloc(s->ndeps + s->nrefs + 1, sizeof *sc.outputs);
	sc.loaded = xcalloc(s->ndeps + s->nrefs + 1, 1);
	sc.envs = cJSON_CreateArray();
	struct expr_error ee;
	struct expr_scope es = {lookup, &sc};
	struct expr *e = expr_parse(src, strlen(src), &ee);
	cJSON *v = e ? expr_eval(e, &es, &ee) : NULL;
	expr_free(e);
	if (!v) {
		char q[96];
		quote_text(q, sizeof q, src);
		error_to(err, "%s: %s", q, ee.msg);
	}
	for (size_t i = 0; i < s->ndeps + s->nrefs; i++)
		cJSON_Delete(sc.outputs[i]);
	free(sc.outputs);
	free(sc.loaded);
	cJSON_Delete(sc.envs);
	cJSON_Delete(sc.run);
	return v;
}

void render_release(struct render *r)
{
	free(r->input);
	for (size_t i = 0; i < r->nenv; i++)
		free(r->env[i]);
	free(r->env);
	memset(r, 0, sizeof *r);
}
