/* taskspec: see taskspec.h. */
#include "taskspec.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonx.h"
#include "secrets.h"
#include "rundir.h"
#include "util.h"

const char *spec_trigger_name(enum spec_trigger t)
{
	return trigger_name((enum trigger)t);
}

/* ---- the raw text of the "input" member --------------------------------
 * cJSON has already accepted the text, so this only has to find where one
 * value ends: strings are skipped escape by escape, containers by depth. */

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static const char *skip_string(const char *p)
{
	for (p++; *p && *p != '"'; p++)
		if (*p == '\\' && p[1])
			p++;
	return *p ? p + 1 : p;
}

static const char *skip_value(const char *p)
{
	if (*p == '"')
		return skip_string(p);
	if (*p != '{' && *p != '[') {
		while (*p && !strchr(",}] \t\r\n", *p))
			p++;
		return p;
	}
	int depth = 0;
	while (*p) {
		if (*p == '"') {
			p = skip_string(p);
			continue;
		}
		if (*p == '{' || *p == '[')
			depth++;
		else if ((*p == '}' || *p == ']') && --depth == 0)
			return p + 1;
		p++;
	}
	return p;
}

/* Point *val at the value of top-level member name of the object text. */
static int find_member(const char *text, const char *name, const char **val,
		       size_t *len)
{
	size_t nlen = strlen(name);
	const char *p = skip_ws(text);
	if (*p != '{')
		return -1;
	for (p = skip_ws(p + 1); *p == '"'; p = skip_ws(p + 1)) {
		const char *k = p + 1, *kend = skip_string(p);
		p = skip_ws(kend);
		if (*p != ':')
			return -1;
		const char *v = skip_ws(p + 1);
		p = skip_value(v);
		if ((size_t)(kend - 1 - k) == nlen && !memcmp(k, name, nlen)) {
			*val = v;
			*len = (size_t)(p - v);
			return 0;
		}
		p = skip_ws(p);
		if (*p != ',')
			break;
	}
	return -1;
}

static int parse_input(struct task_spec *s, struct strbuf *err)
{
	const cJSON *in = cJSON_GetObjectItemCaseSensitive(s->root, SPEC_M_INPUT);
	if (!in || cJSON_IsNull(in)) {
		s->input = "";
		return 0;
	}
	if (!cJSON_IsObject(in))
		return error_to(err, "member 'input' must be an object");
	const char *v;
	size_t n;
	if (find_member(s->text, SPEC_M_INPUT, &v, &n) < 0 || n < 2)
		return error_to(err, "cannot locate member 'input'");
	/* Strip the braces and the blanks inside them. */
	const char *b = skip_ws(v + 1), *e = v + n - 1;
	while (e > b && strchr(" \t\r\n", e[-1]))
		e--;
	s->input = b;
	s->ninput = (size_t)(e - b);
	return 0;
}

/* ---- members ------------------------------------------------------------ */

static int get_str(const cJSON *o, const char *key, int required,
		   const char **out, struct strbuf *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	*out = NULL;
	if (!v || cJSON_IsNull(v)) {
		if (required)
			return error_to(err, "member '%s' is missing", key);
		return 0;
	}
	if (!cJSON_IsString(v))
		return error_to(err, "member '%s' must be a string", key);
	*out = v->valuestring;
	return 0;
}

static int get_num(const cJSON *o, const char *key, double dflt, double *out,
		   struct strbuf *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	*out = dflt;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0)
		return error_to(err,
			   "member '%s' must be a non-negative number", key);
	*out = v->valuedouble;
	return 0;
}

/* A key ends up in a file name: keep it to letters and digits. */
static int valid_key(const char *k)
{
	size_t n = strspn(k, "0123456789abcdefABCDEFghijklmnopqrstuvwxyz"
			     "GHIJKLMNOPQRSTUVWXYZ");
	return n > 0 && n <= 64 && !k[n];
}

static int parse_command(struct task_spec *s, struct strbuf *err)
{
	const cJSON *r = s->root;
	const char *ex;
	if (get_str(r, SPEC_M_EXECUTOR, 1, &ex, err) < 0)
		return -1;
	int e = contract_lookup(executor_names, ex);
	if (e == EXECUTOR_PYTHON) {
		s->executor = SPEC_PYTHON;
		if (get_str(r, SPEC_M_FILE, 0, &s->file, err) < 0 ||
		    get_str(r, SPEC_M_MODULE, 0, &s->module, err) < 0 ||
		    get_str(r, SPEC_M_FUNCTION, 0, &s->function, err) < 0)
			return -1;
		if (!s->file && !s->module)
			return error_to(err, "a python task needs 'file' or 'module'");
		return 0;
	}
	if (e == EXECUTOR_LIBRARY) {
		s->executor = SPEC_LIBRARY;
		return get_str(r, SPEC_M_FILE, 1, &s->file, err);
	}
	if (e != EXECUTOR_PROCESS)
		return error_to(err, "unknown executor '%s'", ex);
	s->executor = SPEC_PROCESS;
	if (get_str(r, SPEC_M_SCRIPT, 0, &s->script, err) < 0)
		return -1;
	const cJSON *argv = cJSON_GetObjectItemCaseSensitive(r, SPEC_M_ARGV);
	if (s->script && !argv)
		return 0;
	int n = cJSON_GetArraySize(argv);
	if (!cJSON_IsArray(argv) || n == 0)
		return error_to(err, "a process task needs 'argv' (a non-empty "
			   "list of strings) or 'script'");
	s->argv = xcalloc((size_t)n + 1, sizeof *s->argv);
	int i = 0;
	for (const cJSON *a = argv->child; a; a = a->next, i++) {
		if (!cJSON_IsString(a))
			return error_to(err, "member 'argv' must hold strings");
		s->argv[i] = a->valuestring;
	}
	return 0;
}

static int parse_deps(struct task_spec *s, struct strbuf *err)
{
	const cJSON *deps = cJSON_GetObjectItemCaseSensitive(s->root, SPEC_M_DEPS);
	if (!deps || cJSON_IsNull(deps))
		return 0;
	if (!cJSON_IsArray(deps))
		return error_to(err, "member 'deps' must be a list");
	s->deps = xcalloc((size_t)cJSON_GetArraySize(deps) + 1, sizeof *s->deps);
	for (const cJSON *d = deps->child; d; d = d->next) {
		struct spec_dep *sd = &s->deps[s->ndeps++];
		sd->task = jsonx_get_string(d, SPEC_M_TASK);
		sd->key = jsonx_get_string(d, SPEC_M_KEY);
		if (!sd->task || !valid_name(sd->task) || !sd->key ||
		    !valid_key(sd->key))
			return error_to(err, "member 'deps' must hold "
				   "{\"task\": NAME, \"key\": KEY} objects");
	}
	return 0;
}

static int parse_env(struct task_spec *s, struct strbuf *err)
{
	const cJSON *env = cJSON_GetObjectItemCaseSensitive(s->root, SPEC_M_ENV);
	if (!env || cJSON_IsNull(env))
		return 0;
	if (!cJSON_IsObject(env))
		return error_to(err, "member 'env' must be an object");
	s->env = xcalloc((size_t)cJSON_GetArraySize(env) + 1, sizeof *s->env);
	for (const cJSON *e = env->child; e; e = e->next) {
		if (!cJSON_IsString(e) || !*e->string || strchr(e->string, '='))
			return error_to(err, "member 'env' must map names "
				   "without '=' to strings");
		s->env[s->nenv].name = e->string;
		s->env[s->nenv++].value = e->valuestring;
	}
	return 0;
}

static int parse_retry(struct task_spec *s, struct strbuf *err)
{
	const cJSON *r = s->root;
	double retries;
	if (get_num(r, SPEC_M_TIMEOUT, 3600, &s->timeout, err) < 0 ||
	    get_num(r, SPEC_M_RETRIES, 0, &retries, err) < 0 ||
	    get_num(r, SPEC_M_RETRY_DELAY, 0, &s->retry_delay, err) < 0 ||
	    get_num(r, SPEC_M_RETRY_BACKOFF, 1, &s->retry_backoff, err) < 0 ||
	    get_num(r, SPEC_M_RETRY_MAX_DELAY, -1, &s->retry_max_delay, err) < 0)
		return -1;
	if (retries > 1000000)
		return error_to(err, "member 'retries' is too large");
	s->retries = (long)retries;
	const cJSON *on = cJSON_GetObjectItemCaseSensitive(r, SPEC_M_RETRY_ON);
	if (!on || cJSON_IsNull(on))
		return 0;
	if (!cJSON_IsArray(on))
		return error_to(err, "member 'retry_on' must be a list");
	s->retry_on = xcalloc((size_t)cJSON_GetArraySize(on) + 1, sizeof *s->retry_on);
	for (const cJSON *c = on->child; c; c = c->next) {
		if (!cJSON_IsNumber(c))
			return error_to(err, "member 'retry_on' must hold exit codes");
		s->retry_on[s->nretry_on++] = c->valueint;
	}
	return 0;
}

static int parse_trigger(struct task_spec *s, struct strbuf *err)
{
	const char *t;
	if (get_str(s->root, SPEC_M_TRIGGER, 0, &t, err) < 0)
		return -1;
	s->trigger = SPEC_ALL_SUCCESS;
	if (!t)
		return 0;
	int i = contract_lookup(trigger_names, t);
	if (i >= 0) {
		s->trigger = (enum spec_trigger)i;
		return 0;
	}
	return error_to(err, "unknown trigger '%s'", t);
}

/* Only typed tasks carry one, so only they pay for decoding it. */
static int parse_output_type(struct task_spec *s, struct strbuf *err)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(s->root, SPEC_M_OUTPUT_TYPE);
	if (!t || cJSON_IsNull(t))
		return 0;
	struct strbuf why = STRBUF_INIT;
	s->output_type = type_from_json(t, &why);
	int rc = s->output_type ? 0 : error_to(err, "member 'output_type': %s",
					   strbuf_str(&why));
	strbuf_release(&why);
	return rc;
}

/* "when", "templates" and "refs" (DESIGN.md). */
static int parse_expressions(struct task_spec *s, struct strbuf *err)
{
	if (get_str(s->root, SPEC_M_WHEN, 0, &s->when, err) < 0)
		return -1;
	s->templates = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s->root,
								     SPEC_M_TEMPLATES));
	s->exact_input = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s->root,
							SPEC_M_EXACT_INPUT));
	const cJSON *refs = cJSON_GetObjectItemCaseSensitive(s->root, SPEC_M_REFS);
	if (!refs)
		return 0;
	if (!cJSON_IsArray(refs))
		return error_to(err, "member 'refs' must be a list");
	s->refs = xcalloc((size_t)cJSON_GetArraySize(refs) + 1, sizeof *s->refs);
	for (const cJSON *d = refs->child; d; d = d->next) {
		struct spec_dep *sd = &s->refs[s->nrefs++];
		sd->task = jsonx_get_string(d, SPEC_M_TASK);
		sd->key = jsonx_get_string(d, SPEC_M_KEY);
		if (!sd->task || !valid_name(sd->task) || !sd->key ||
		    !valid_key(sd->key))
			return error_to(err, "member 'refs' must hold "
				   "{\"task\": NAME, \"key\": KEY} objects");
	}
	return 0;
}

/* "fanout", "concurrency" and "instance" (fanout.h). */
static int parse_fanout(struct task_spec *s, struct strbuf *err)
{
	double c;
	s->parallel = -1;
	if (get_num(s->root, SPEC_M_CONCURRENCY, 0, &c, err) < 0)
		return -1;
	s->concurrency = c > 1e9 ? 1000000000L : (long)c;
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(s->root, SPEC_M_FANOUT);
	if (f) {
		if (!cJSON_IsObject(f))
			return error_to(err, "member 'fanout' must be an object");
		s->fanout = 1;
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(f, SPEC_M_PARALLEL);
		if (cJSON_IsString(p))
			s->parallel_expr = p->valuestring;
		else if (p && get_num(f, SPEC_M_PARALLEL, -1, &s->parallel, err) < 0)
			return -1;
		if (get_str(f, SPEC_M_FOREACH, 0, &s->foreach, err) < 0)
			return -1;
	}
	const cJSON *in = cJSON_GetObjectItemCaseSensitive(s->root, SPEC_M_INSTANCE);
	if (!in)
		return 0;
	if (!cJSON_IsObject(in) ||
	    get_str(in, SPEC_M_TASK, 1, &s->instance_task, err) < 0 ||
	    !valid_name(s->instance_task))
		return error_to(err, "member 'instance' must be an object with "
			   "a task name");
	s->instance = 1;
	s->index = (long)jsonx_get_number(in, "index", 0);
	s->count = (long)jsonx_get_number(in, "count", 0);
	s->item = cJSON_GetObjectItemCaseSensitive(in, "item");
	s->upstream = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(in, "upstream"));
	return 0;
}

/* "sources" and "generates": optional lists of non-empty strings. */
static int parse_paths(struct task_spec *s, const char *key, const char ***v,
		       size_t *n, struct strbuf *err)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(s->root, key);
	if (!a || cJSON_IsNull(a))
		return 0;
	if (!cJSON_IsArray(a))
		return error_to(err, "member '%s' must be a list", key);
	*v = xcalloc((size_t)cJSON_GetArraySize(a) + 1, sizeof **v);
	for (const cJSON *c = a->child; c; c = c->next) {
		if (!cJSON_IsString(c) || !*c->valuestring)
			return error_to(err, "member '%s' must hold paths", key);
		(*v)[(*n)++] = c->valuestring;
	}
	return 0;
}

int spec_parse(struct task_spec *s, const char *text, struct strbuf *err)
{
	memset(s, 0, sizeof *s);
	s->text = xstrdup(text);
	s->root = cJSON_Parse(s->text);
	if (!cJSON_IsObject(s->root))
		return error_to(err, "not a JSON object");
	if (get_str(s->root, SPEC_M_TASK, 1, &s->task, err) < 0 ||
	    get_str(s->root, SPEC_M_KEY, 1, &s->key, err) < 0)
		return -1;
	if (!valid_name(s->task))
		return error_to(err, "invalid task name '%s'", s->task);
	if (!valid_key(s->key))
		return error_to(err, "invalid key '%s'", s->key);
	if (parse_command(s, err) < 0 || parse_input(s, err) < 0 ||
	    parse_deps(s, err) < 0 || parse_env(s, err) < 0 ||
	    parse_retry(s, err) < 0 || parse_trigger(s, err) < 0 ||
	    parse_output_type(s, err) < 0 ||
	    parse_expressions(s, err) < 0 || parse_fanout(s, err) < 0 ||
	    parse_paths(s, SPEC_M_SOURCES, &s->sources, &s->nsources, err) < 0 ||
	    parse_paths(s, SPEC_M_GENERATES, &s->generates, &s->ngenerates,
			err) < 0 ||
	    spec_parse_secrets(s, err) < 0)
		return -1;
	return 0;
}

void spec_release(struct task_spec *s)
{
	free(s->argv);
	free(s->deps);
	free(s->refs);
	free(s->env);
	free(s->secrets);
	free(s->retry_on);
	free(s->sources);
	free(s->generates);
	type_free(s->output_type);
	cJSON_Delete(s->root);
	free(s->text);
	memset(s, 0, sizeof *s);
}

double spec_retry_delay(const struct task_spec *s, int k)
{
	/* A loop rather than pow(): ork does not load libm for one call, and
	 * it stops as soon as the cap is reached. */
	double cap = s->retry_max_delay >= 0 ? s->retry_max_delay : 86400;
	double d = s->retry_delay;
	for (int i = 1; i < k && d < cap; i++)
		d *= s->retry_backoff;
	return d < cap ? d : cap;
}

int spec_retries_exit(const struct task_spec *s, int code)
{
	if (!s->nretry_on)
		return 1;
	for (size_t i = 0; i < s->nretry_on; i++)
		if (s->retry_on[i] == code)
			return 1;
	return 0;
}
