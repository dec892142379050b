/* workflow: see workflow.h.
 *
 * Every mapping is read the same way: collect() sorts its pairs into a
 * table of known keys (reporting unknown ones), then each present key is
 * checked on its own.  Checks never stop at the first problem: a file's
 * errors are all reported in one run, so a broken value leaves its field
 * at the default and the walk goes on. */
#include "workflow.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "schedule.h"
#include "secret.h"
#include "taskroot.h"
#include "template.h"
#include "util.h"

/* Durations are handed to the runtime as seconds; beyond this (about 31
 * years) a value is a mistake, and converting it could overflow. */
#define MAX_SECONDS 1e9

/* ---- key tables --------------------------------------------------------- */

enum { W_NAME, W_DESCRIPTION, W_SCHEDULE, W_TIMEZONE, W_PARAMS, W_ENV,
       W_PYTHON, W_TYPES, W_TASKS, W_CATCHUP, W_NKEYS };
static const char *const wf_keys[] = {
	"name", "description", "schedule", "timezone", "params", "env",
	"python", "types", "tasks", "catchup", NULL
};

enum { T_EXECUTOR, T_FILE, T_MODULE, T_FUNCTION, T_COMMAND, T_INPUT,
       T_DEPENDS_ON, T_TIMEOUT, T_RETRIES, T_RETRY_DELAY, T_RETRY_BACKOFF,
       T_RETRY_MAX_DELAY, T_RETRY_ON, T_WHEN, T_ON_FAILURE, T_TRIGGER,
       T_PARALLEL, T_FOREACH, T_CONCURRENCY, T_ENV, T_INPUT_TYPE,
       T_OUTPUT_TYPE, T_OUTPUT, T_INPUTS, T_DESCRIPTION, T_RESOURCES,
       T_SOURCES, T_GENERATES, T_NKEYS };
static const char *const task_keys[] = {
	"executor", "file", "module", "function", "command", "input",
	"depends_on", "timeout", "retries", "retry_delay", "retry_backoff",
	"retry_max_delay", "retry_on", "when", "on_failure", "trigger",
	"parallel", "foreach", "concurrency", "env", "input_type",
	"output_type", "output", "inputs", "description", "resources",
	"sources", "generates", NULL
};

/* Keys the language has but this version cannot honour yet.  They are
 * recognised, so using one is an honest error rather than a silent
 * omission or a misleading "unknown key". */
static const char *const later_keys[] = { NULL };

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

/* One mapping sorted into a key table: found[i] is the pair whose key is
 * names[i], or NULL.  other names the keys of the other level (task keys
 * at the top, workflow keys in a task), for a hint when a key is merely in
 * the wrong place. */
static void collect(struct diag *d, const struct ynode *map,
		    const char *const *names, const char *const *other,
		    const char *other_hint, const struct ypair **found)
{
	for (size_t i = 0; i < map->npairs; i++) {
		const struct ypair *p = &map->pairs[i];
		const char *k = p->key->str;
		size_t j = 0;
		while (names[j] && strcmp(names[j], k))
			j++;
		if (names[j]) {
			if (in_list(k, later_keys))
				diag_error(d, p->key->pos, "'%s' is not supported yet", k);
			else
				found[j] = p;
			continue;
		}
		if (names == task_keys && !strcmp(k, "job")) {
			diag_error(d, p->key->pos, "not available in orkc: 'job' "
				   "names a Cloud Run job (executor cloudrun); "
				   "run its program as a process task instead");
			continue;
		}
		const char *near = closest_match(k, names);
		if (near)
			diag_error(d, p->key->pos,
				   "unknown key '%s'; did you mean '%s'?", k, near);
		else if (in_list(k, other))
			diag_error(d, p->key->pos, "unknown key '%s' (%s)", k,
				   other_hint);
		else
			diag_error(d, p->key->pos, "unknown key '%s'", k);
	}
}

/* ---- values ------------------------------------------------------------- */

/* What a bad value is, for "must be X, not Y": a number is shown as
 * written ("not -1" says more than "not a number"), anything else by kind. */
static void bad_value(struct diag *d, const struct ynode *v, const char *key,
		      const char *want)
{
	enum yscalar_type t = yscalar_type(v);
	if (v->kind == YNODE_SCALAR && (t == YSCALAR_INT || t == YSCALAR_FLOAT))
		diag_error(d, v->pos, "'%s' must be %s, not %s", key, want, v->str);
	else
		diag_error(d, v->pos, "'%s' must be %s, not %s", key, want,
			   ynode_describe(v));
}

static int is_str(const struct ynode *v)
{
	return v->kind == YNODE_SCALAR && yscalar_type(v) == YSCALAR_STR;
}

/* A NUL cannot travel through JSON strings, argv or the environment. */
static int has_nul(struct diag *d, const struct ynode *v, const char *key)
{
	if (strlen(v->str) == v->len)
		return 0;
	diag_error(d, v->pos, "'%s' contains a NUL character", key);
	return 1;
}

/* A non-empty string. */
static char *get_string(struct diag *d, const struct ynode *v, const char *key)
{
	if (!is_str(v)) {
		bad_value(d, v, key, "a string");
		return NULL;
	}
	if (has_nul(d, v, key))
		return NULL;
	if (v->len == 0) {
		diag_error(d, v->pos, "'%s' is empty", key);
		return NULL;
	}
	return xstrdup(v->str);
}

/* A string, number or boolean, taken as written ("0x1F" stays "0x1F"):
 * for environment values and argv words, which are text in the end. */
static char *get_text(struct diag *d, const struct ynode *v, const char *key,
		      const char *want)
{
	if (v->kind != YNODE_SCALAR || yscalar_type(v) == YSCALAR_NULL) {
		bad_value(d, v, key, want);
		return NULL;
	}
	if (has_nul(d, v, key))
		return NULL;
	return xstrdup(v->str);
}

/* A number of seconds or a factor: at least min (above it when strict),
 * at most max. */
static int get_number(struct diag *d, const struct ynode *v, const char *key,
		      double min, int strict, double max, const char *want,
		      double *out)
{
	double x;
	if (v->kind != YNODE_SCALAR || yscalar_number(v, &x) != 0 || isnan(x) ||
	    x < min || (strict && x == min)) {
		bad_value(d, v, key, want);
		return -1;
	}
	if (x > max) {
		diag_error(d, v->pos, "'%s' must be at most %.0f, not %s", key,
			   max, v->str);
		return -1;
	}
	*out = x;
	return 0;
}

static int get_int(struct diag *d, const struct ynode *v, const char *key,
		   long long min, long long max, const char *want,
		   long long *out)
{
	long long x;
	if (v->kind != YNODE_SCALAR || yscalar_int(v, &x) != 0 || x < min) {
		bad_value(d, v, key, want);
		return -1;
	}
	if (x > max) {
		diag_error(d, v->pos, "'%s' must be at most %lld, not %s", key,
			   max, v->str);
		return -1;
	}
	*out = x;
	return 0;
}

/* 1 when map has a key that is not key but a near miss of it: the
 * unknown-key error already says "did you mean", so "missing key" on top
 * would only repeat it. */
static int misspelled(const struct ynode *map, const char *key,
		      const char *const *known)
{
	for (size_t i = 0; i < map->npairs; i++) {
		const char *k = map->pairs[i].key->str;
		const char *near = in_list(k, known) ? NULL : closest_match(k, known);
		if (near && !strcmp(near, key))
			return 1;
	}
	return 0;
}

static void check_name(struct diag *d, const char *what, const char *name,
		       struct srcpos pos)
{
	if (!valid_name(name))
		diag_error(d, pos, "invalid %s name '%s': use letters, digits, "
			   "'_' and '-', starting with a letter or '_'", what, name);
	else if (strlen(name) > NAME_MAX_LEN)
		diag_error(d, pos, "%s name '%s' is too long (more than %d "
			   "characters)", what, name, NAME_MAX_LEN);
}

/* ---- env ---------------------------------------------------------------- */

static void env_value(struct diag *d, const struct ynode *k,
		      const struct ynode *v, struct envvar *e,
		      struct exrefs *refs)
{
	const char *name = k->str;
	e->value = get_text(d, v, name, "a string, number or boolean");
	if (e->value && is_str(v))
		exprcheck_templates(d, v, refs);
}

/* env: NAME: value, for the workflow or one task. */
static void parse_env(struct diag *d, const struct ynode *v,
		      struct envvar **env, size_t *nenv, struct envvar **sec,
		      size_t *nsec, struct exrefs *refs)
{
	if (v->kind == YNODE_SCALAR && yscalar_type(v) == YSCALAR_NULL)
		return;
	if (v->kind != YNODE_MAP) {
		bad_value(d, v, "env", "a mapping");
		return;
	}
	*env = xcalloc(v->npairs, sizeof **env);
	for (size_t i = 0; i < v->npairs; i++) {
		const struct ynode *k = v->pairs[i].key;
		struct envvar *e = &(*env)[*nenv];
		if (!valid_env_name(k->str))
			diag_error(d, k->pos, "invalid environment variable "
				   "name '%s'", k->str);
		else if (!strncmp(k->str, "ORK_", 4))
			diag_error(d, k->pos, "environment variable '%s' uses "
				   "the prefix 'ORK_', which is reserved", k->str);
		if (v->pairs[i].value->kind == YNODE_MAP) {
			secret_env_add(d, k, v->pairs[i].value, sec, nsec);
			continue;
		}
		env_value(d, k, v->pairs[i].value, e, refs);
		if (!e->value)
			continue;
		e->name = xstrdup(k->str);
		e->pos = k->pos;
		(*nenv)++;
	}
}

/* Whether any string of v (an input object, lowered bindings included)
 * holds a template: the task spec says so, so that ork exec looks. */
static int json_templates(const cJSON *v)
{
	if (cJSON_IsString(v))
		return tmpl_present(v->valuestring, strlen(v->valuestring));
	for (const cJSON *c = v ? v->child : NULL; c; c = c->next)
		if (json_templates(c))
			return 1;
	return 0;
}

static int env_templates(const struct envvar *env, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (tmpl_present(env[i].value, strlen(env[i].value)))
			return 1;
	return 0;
}

/* ---- task fields -------------------------------------------------------- */

static const struct ynode *val(const struct ypair **f, int k)
{
	return f[k] ? f[k]->value : NULL;
}

static int parse_executor(struct diag *d, struct task *t,
			  const struct ynode *map, const struct ypair **f)
{
	const struct ynode *v = val(f, T_EXECUTOR);
	if (!v) {
		if (!misspelled(map, "executor", task_keys))
			diag_error(d, t->pos, "task '%s' has no 'executor' "
				   "(python, process or library)", t->name);
		return -1;
	}
	char *s = get_string(d, v, "executor");
	if (!s)
		return -1;
	/* Ork's names: shell is its alias of process; Cloud Run jobs need
	 * Google's service, which orkc does not talk to. */
	if (!strcmp(s, "cloudrun") || !strcmp(s, "cloud_run")) {
		diag_error(d, v->pos, "not available in orkc: executor '%s' "
			   "(a Cloud Run job); run its program as a process "
			   "task instead", s);
		free(s);
		return -1;
	}
	if (!strcmp(s, "shell")) {
		free(s);
		s = xstrdup("process");
	}
	int rc = 0, e = contract_lookup(executor_names, s);
	if (e >= 0) {
		t->executor = (enum executor)e;
	} else {
		const char *near = closest_match(s, executor_names);
		if (near)
			diag_error(d, v->pos, "unknown executor '%s'; did you "
				   "mean '%s'?", s, near);
		else
			diag_error(d, v->pos, "unknown executor '%s' (use python, "
				   "process or library)", s);
		rc = -1;
	}
	free(s);
	return rc;
}

/* A python identifier (non-ASCII letters allowed, as python allows). */
static int py_ident(const char *s, size_t n)
{
	if (n == 0 || (*s >= '0' && *s <= '9'))
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!(c >= 0x80 || c == '_' || (c >= '0' && c <= '9') ||
		      (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			return 0;
	}
	return 1;
}

static int py_module(const char *s)
{
	for (;;) {
		const char *dot = strchr(s, '.');
		size_t n = dot ? (size_t)(dot - s) : strlen(s);
		if (!py_ident(s, n))
			return 0;
		if (!dot)
			return 1;
		s = dot + 1;
	}
}

static void parse_python(struct diag *d, struct task *t,
			 const struct ypair **f)
{
	const struct ynode *v;
	if ((v = val(f, T_FILE)) && (t->file = get_string(d, v, "file")))
		t->file_pos = v->pos;
	if ((v = val(f, T_MODULE)))
		t->module_pos = v->pos;
	if ((v = val(f, T_FUNCTION)))
		t->function_pos = v->pos;
	if ((v = val(f, T_MODULE)) && (t->module = get_string(d, v, "module")) &&
	    !py_module(t->module)) {
		if (strchr(t->module, '/') || strstr(t->module, ".py"))
			diag_error(d, v->pos, "'module' must be a python module "
				   "name like 'pkg.mod', not '%s'; for a file "
				   "use 'file'", t->module);
		else
			diag_error(d, v->pos, "'module' must be a python module "
				   "name like 'pkg.mod', not '%s'", t->module);
	}
	if ((v = val(f, T_FUNCTION)) &&
	    (t->function = get_string(d, v, "function")) &&
	    !py_ident(t->function, strlen(t->function)))
		diag_error(d, v->pos, "'function' must be a python function "
			   "name, not '%s'", t->function);
}

static void parse_command(struct diag *d, struct task *t, const struct ynode *v)
{
	if (is_str(v)) {
		if (has_nul(d, v, "command"))
			return;
		if (strspn(v->str, " \t\r\n") == v->len)
			diag_error(d, v->pos, "'command' is empty");
		else
			t->script = xstrdup(v->str);
		return;
	}
	if (v->kind != YNODE_SEQ) {
		bad_value(d, v, "command", "a list of strings or a string");
		return;
	}
	if (v->nitems == 0) {
		diag_error(d, v->pos, "'command' is empty");
		return;
	}
	char **argv = xcalloc(v->nitems + 1, sizeof *argv);
	size_t argc = 0;
	for (size_t i = 0; i < v->nitems; i++) {
		char *w = get_text(d, v->items[i], "command",
				   "a list of strings");
		if (w)
			argv[argc++] = w;
	}
	if (argc == v->nitems && argv[0][0] == '\0')
		diag_error(d, v->items[0]->pos, "'command' starts with an empty "
			   "program name");
	t->argv = argv;
	t->argc = argc;
}

/* A library task: `file:` names the shared object (Ork's C ABI). */
static void check_library_keys(struct diag *d, struct task *t,
			       const struct ypair **f)
{
	static const int other[] = { T_MODULE, T_FUNCTION, T_COMMAND };
	for (size_t i = 0; i < 3; i++)
		if (f[other[i]])
			diag_error(d, f[other[i]]->key->pos, "'%s' is not for "
				   "library tasks, which call ork_task_run of "
				   "the shared object 'file' names",
				   task_keys[other[i]]);
	if (!f[T_FILE])
		diag_error(d, t->pos, "library task '%s' needs 'file' (the "
			   "shared object)", t->name);
}

static void parse_input(struct diag *d, struct task *t, const struct ynode *v)
{
	if (!v || (v->kind == YNODE_SCALAR && yscalar_type(v) == YSCALAR_NULL)) {
		t->input = cJSON_CreateObject();
		return;
	}
	if (v->kind != YNODE_MAP) {
		bad_value(d, v, "input", "a mapping");
		t->input = cJSON_CreateObject();
		return;
	}
	exprcheck_templates(d, v, &t->refs);
	secret_misplaced(d, v, "input");
	t->input = ynode_to_json(v, d);
	if (!t->input)
		t->input = cJSON_CreateObject();
	t->input_keys = xcalloc(v->npairs, sizeof *t->input_keys);
	for (size_t i = 0; i < v->npairs; i++) {
		t->input_keys[i].key = xstrdup(v->pairs[i].key->str);
		t->input_keys[i].pos = v->pairs[i].key->pos;
	}
	t->ninput_keys = v->npairs;
}

static void add_dep(struct diag *d, struct task *t, const struct ynode *v)
{
	if (!is_str(v) || v->len == 0) {
		bad_value(d, v, "depends_on", "a list of task names");
		return;
	}
	struct dep *dep = &t->deps[t->ndeps++];
	dep->name = xstrdup(v->str);
	dep->pos = v->pos;
	dep->task = DEP_UNRESOLVED;
}

/* depends_on: [a, b], or just a. */
static void parse_deps(struct diag *d, struct task *t, const struct ynode *v)
{
	if (v->kind == YNODE_SCALAR && yscalar_type(v) == YSCALAR_NULL)
		return;
	if (v->kind == YNODE_MAP) {
		bad_value(d, v, "depends_on", "a list of task names");
		return;
	}
	size_t n = v->kind == YNODE_SEQ ? v->nitems : 1;
	t->deps = xcalloc(n, sizeof *t->deps);
	if (v->kind != YNODE_SEQ) {
		add_dep(d, t, v);
		return;
	}
	for (size_t i = 0; i < v->nitems; i++)
		add_dep(d, t, v->items[i]);
}

static void add_exit_code(struct diag *d, struct task *t, const struct ynode *v)
{
	long long code;
	if (get_int(d, v, "retry_on", 1, 255, "a list of exit codes from 1 "
		    "to 255", &code) < 0)
		return;
	for (size_t i = 0; i < t->nretry_on; i++)
		if (t->retry_on[i] == code) {
			diag_warning(d, v->pos, "exit code %lld is listed twice "
				     "in 'retry_on'", code);
			return;
		}
	t->retry_on[t->nretry_on++] = (int)code;
}

/* retry_on: [75, 111], or just 75. */
static void parse_retry_on(struct diag *d, struct task *t, const struct ynode *v)
{
	if (v->kind == YNODE_SCALAR && yscalar_type(v) == YSCALAR_NULL)
		return;
	if (v->kind == YNODE_MAP) {
		bad_value(d, v, "retry_on", "a list of exit codes");
		return;
	}
	size_t n = v->kind == YNODE_SEQ ? v->nitems : 1;
	t->retry_on = xcalloc(n, sizeof *t->retry_on);
	if (v->kind != YNODE_SEQ) {
		add_exit_code(d, t, v);
		return;
	}
	for (size_t i = 0; i < v->nitems; i++)
		add_exit_code(d, t, v->items[i]);
}

static void parse_retries(struct diag *d, struct task *t, const struct ypair **f)
{
	const struct ynode *v;
	long long n;
	if ((v = val(f, T_TIMEOUT)))
		get_number(d, v, "timeout", 0, 1, MAX_SECONDS,
			   "a positive number of seconds", &t->timeout);
	if ((v = val(f, T_RETRIES)) &&
	    get_int(d, v, "retries", 0, 1000000, "a non-negative integer", &n) == 0)
		t->retries = (long)n;
	if ((v = val(f, T_RETRY_DELAY)))
		get_number(d, v, "retry_delay", 0, 0, MAX_SECONDS,
			   "a non-negative number of seconds", &t->retry_delay);
	if ((v = val(f, T_RETRY_BACKOFF)))
		get_number(d, v, "retry_backoff", 1, 0, 1000,
			   "a number of at least 1", &t->retry_backoff);
	if ((v = val(f, T_RETRY_MAX_DELAY)))
		get_number(d, v, "retry_max_delay", 0, 0, MAX_SECONDS,
			   "a non-negative number of seconds", &t->retry_max_delay);
	if ((v = val(f, T_RETRY_ON)))
		parse_retry_on(d, t, v);
	if (f[T_RETRIES])
		return;
	/* Legal, but the author surely expected retries to happen. */
	static const int retry_keys[] = { T_RETRY_DELAY, T_RETRY_BACKOFF,
					  T_RETRY_MAX_DELAY, T_RETRY_ON };
	for (size_t i = 0; i < sizeof retry_keys / sizeof *retry_keys; i++) {
		const struct ypair *p = f[retry_keys[i]];
		if (p) {
			diag_warning(d, p->key->pos, "'%s' has no effect without "
				     "'retries'", p->key->str);
			return;
		}
	}
}

/* The index of s in names (NULL-terminated), or -1 with an error naming
 * the choices. */
static int get_choice(struct diag *d, const struct ynode *v, const char *key,
		      const char *const *names, const char *choices)
{
	char *s = get_string(d, v, key);
	if (!s)
		return -1;
	for (int i = 0; names[i]; i++)
		if (!strcmp(s, names[i])) {
			free(s);
			return i;
		}
	const char *near = closest_match(s, names);
	if (near)
		diag_error(d, v->pos, "unknown %s '%s'; did you mean '%s'?", key,
			   s, near);
	else
		diag_error(d, v->pos, "unknown %s '%s' (use %s)", key, s, choices);
	free(s);
	return -1;
}

/* on_failure is the short form of the two common triggers; giving both is
 * fine only when they agree. */
static void parse_trigger(struct diag *d, struct task *t, const struct ypair **f)
{
	static const char *const on_failure[] = { "skip", "run", NULL };
	const struct ypair *of = f[T_ON_FAILURE], *tr = f[T_TRIGGER];
	int o = -1, g = -1;
	if (of)
		o = get_choice(d, of->value, "on_failure", on_failure, "skip or run");
	if (tr)
		g = get_choice(d, tr->value, "trigger", trigger_names,
			       "all_success, all_done, none_failed or one_success");
	enum trigger from_o = o == 1 ? TRIGGER_ALL_DONE : TRIGGER_ALL_SUCCESS;
	if (g >= 0)
		t->trigger = (enum trigger)g;
	else if (o >= 0)
		t->trigger = from_o;
	if (o < 0 || g < 0 || from_o == (enum trigger)g)
		return;
	int of_later = of->key->pos.line > tr->key->pos.line ||
		       (of->key->pos.line == tr->key->pos.line &&
			of->key->pos.col > tr->key->pos.col);
	const struct ypair *later = of_later ? of : tr, *first = of_later ? tr : of;
	diag_error(d, later->value->pos, "'on_failure: %s' conflicts with "
		   "'trigger: %s'", on_failure[o], trigger_names[g]);
	diag_note(d, first->value->pos, "'%s' is given here", first->key->str);
}

/* Ork's process `file:`: the program itself, run with no arguments,
 * found as a path (never on PATH). */
static void process_file(struct task *t)
{
	t->argv = xcalloc(2, sizeof *t->argv);
	t->argv[0] = strchr(t->file, '/') ? xstrdup(t->file) :
		     xasprintf("./%s", t->file);
	t->argc = 1;
}

/* Keys that belong to the other executor are errors, not ignored: a
 * 'command' on a python task means the author is confused about what
 * runs. */
static void check_executor_keys(struct diag *d, struct task *t,
				const struct ynode *map, const struct ypair **f)
{
	static const int py_only[] = { T_MODULE, T_FUNCTION };
	if (t->executor == EXECUTOR_PROCESS) {
		for (size_t i = 0; i < 2; i++)
			if (f[py_only[i]])
				diag_error(d, f[py_only[i]]->key->pos, "'%s' is for "
					   "python tasks; process tasks use "
					   "'command'", task_keys[py_only[i]]);
		if (f[T_FILE] && f[T_COMMAND])
			diag_error(d, f[T_FILE]->key->pos, "give 'command' or "
				   "'file', not both");
		else if (t->file)
			process_file(t);
		else if (!f[T_COMMAND] && !f[T_FILE] &&
			 !misspelled(map, "command", task_keys))
			diag_error(d, t->pos, "process task '%s' has no 'command'",
				   t->name);
		return;
	}
	if (f[T_COMMAND])
		diag_error(d, f[T_COMMAND]->key->pos, "'command' is for process "
			   "tasks; python tasks use 'file' or 'module'");
	if (f[T_FILE] && f[T_MODULE]) {
		const struct ypair *second = f[T_FILE] < f[T_MODULE] ?
					     f[T_MODULE] : f[T_FILE];
		diag_error(d, second->key->pos, "give 'file' or 'module', not both");
	} else if (!f[T_FILE] && !f[T_MODULE] &&
		   !misspelled(map, "file", task_keys) &&
		   !misspelled(map, "module", task_keys)) {
		diag_error(d, t->pos, "python task '%s' needs 'file' or 'module'",
			   t->name);
	}
	if (!t->function)
		t->function = xstrdup("main");
}

/* inputs: the bindings (types.c reads them) lowered into the input
 * object, which is empty: `input` and `inputs` exclude each other. */
static void lower_inputs(struct diag *d, const struct ynode *v, struct task *t)
{
	types_parse_inputs(d, v, &t->inputs, &t->ninputs);
	t->input_keys = xcalloc(t->ninputs + 1, sizeof *t->input_keys);
	for (size_t i = 0; i < t->ninputs; i++) {
		struct binding *b = &t->inputs[i];
		if (!b->value)
			continue;
		cJSON_AddItemToObject(t->input, b->arg, b->value);
		b->value = NULL;
		t->input_keys[t->ninput_keys].key = xstrdup(b->arg);
		t->input_keys[t->ninput_keys++].pos = b->pos;
	}
}

/* Typed mode; types.c reads the types and the bindings. */
static void parse_typed(struct diag *d, struct task *t, const struct ypair **f)
{
	const struct ypair *out = f[T_OUTPUT_TYPE] ? f[T_OUTPUT_TYPE] : f[T_OUTPUT];
	if (f[T_OUTPUT_TYPE] && f[T_OUTPUT])
		diag_error(d, f[T_OUTPUT]->key->pos, "give 'output_type' or "
			   "'output', not both");
	if (f[T_INPUT_TYPE])
		t->input_type = types_parse(d, f[T_INPUT_TYPE]->value);
	if (out)
		t->output_type = types_parse(d, out->value);
	if (f[T_INPUTS] && f[T_INPUT])
		diag_error(d, f[T_INPUTS]->key->pos, "give 'input' or 'inputs', "
			   "not both");
	else if (f[T_INPUTS]) {
		lower_inputs(d, f[T_INPUTS]->value, t);
		t->exact_input = 1;
	}
}

/* sources: and generates: a path or a list of paths (see workflow.h).
 * Duplicates are warned about and dropped. */
static void parse_paths(struct diag *d, const struct ypair *p, char ***out,
			size_t *nout)
{
	const struct ynode *v = p->value;
	const char *key = p->key->str;
	if (v->kind == YNODE_SCALAR && yscalar_type(v) == YSCALAR_NULL)
		return;
	if (v->kind == YNODE_MAP) {
		bad_value(d, v, key, "a list of paths");
		return;
	}
	size_t n = v->kind == YNODE_SEQ ? v->nitems : 1;
	*out = xcalloc(n + 1, sizeof **out);
	for (size_t i = 0; i < n; i++) {
		const struct ynode *item = v->kind == YNODE_SEQ ? v->items[i] : v;
		char *path = get_string(d, item, key);
		if (!path)
			continue;
		size_t j = 0;
		while (j < *nout && strcmp((*out)[j], path))
			j++;
		if (j < *nout) {
			diag_warning(d, item->pos, "'%s' is listed twice in "
				     "'%s'", path, key);
			free(path);
			continue;
		}
		(*out)[(*nout)++] = path;
	}
}

/* A path without a slash that is one of the artifact's goals (a task
 * name, all, help, ork-begin) would be that goal to make, not a file. */
static void check_path_goals(struct diag *d, const struct workflow *wf)
{
	static const char *const goals[] = { "all", "help", "ork-begin", NULL };
	for (size_t i = 0; i < wf->ntasks; i++) {
		const struct task *t = &wf->tasks[i];
		for (int g = 0; g < 2; g++) {
			char **v = g ? t->generates : t->sources;
			size_t n = g ? t->ngenerates : t->nsources;
			for (size_t k = 0; k < n; k++)
				if (in_list(v[k], goals) ||
				    workflow_find_task(wf, v[k]) >= 0)
					diag_error(d, g ? t->generates_pos :
						   t->sources_pos, "path '%s' "
						   "would be the artifact's "
						   "goal '%s', not a file; "
						   "rename the file or the "
						   "task", v[k], v[k]);
		}
	}
}

static void task_defaults(struct task *t)
{
	t->timeout = 3600;
	t->retry_backoff = 1;
	t->retry_max_delay = -1;
	t->trigger = TRIGGER_ALL_SUCCESS;
	t->parallel = -1;
}

/* The most instances a static `parallel:` may ask for (a run-time count
 * or list has the limit of fanout.h). */
#define MAX_PARALLEL 1000000

/* A process task's instances get their index and count in the input
 * (contract.h): no input key, nor upstream task whose output the input
 * holds, may have those names. */
static void check_place_names(struct diag *d, const struct task *t)
{
	static const char *const names[] = { INSTANCE_M_INDEX,
					     INSTANCE_M_COUNT };
	static const char *const what[] = { "index", "instance count" };
	for (size_t k = 0; k < 2; k++) {
		for (size_t i = 0; i < t->ninput_keys; i++)
			if (!strcmp(t->input_keys[i].key, names[k]))
				diag_error(d, t->input_keys[i].pos, "input key "
					   "'%s' collides with the %s each "
					   "instance of a process fan-out task "
					   "gets", names[k], what[k]);
		for (size_t i = 0; !t->foreach && !t->exact_input &&
				   i < t->ndeps; i++)
			if (!strcmp(t->deps[i].name, names[k]))
				diag_error(d, t->deps[i].pos, "upstream '%s' "
					   "collides in the input with the %s "
					   "each instance of a process fan-out "
					   "task gets; rename the task",
					   names[k], what[k]);
	}
}

/* parallel: N or EXPR, foreach: EXPR, concurrency: K.  The expressions'
 * names join the task's refs, so the check pass sees that they name
 * upstream tasks and the spec carries those tasks' keys. */
static void parse_fanout(struct diag *d, struct task *t, const struct ypair **f)
{
	const struct ynode *v = val(f, T_PARALLEL);
	long long n;
	if (v && v->kind == YNODE_SCALAR && yscalar_type(v) == YSCALAR_INT) {
		if (get_int(d, v, "parallel", 0, MAX_PARALLEL,
			    "a non-negative integer or an expression", &n) == 0)
			t->parallel = (long)n;
	} else if (v && !is_str(v)) {
		bad_value(d, v, "parallel", "an integer or an expression");
	} else if (v) {
		t->parallel_expr = exprcheck_when(d, v, &t->refs);
	}
	v = val(f, T_FOREACH);
	if (v && !is_str(v))
		bad_value(d, v, "foreach", "an expression giving a list");
	else if (v) {
		t->foreach = exprcheck_when(d, v, &t->refs);
		t->foreach_pos = scalar_offset_pos(d, v, 0);
	}
	/* Each instance's input gets the member item. */
	for (size_t i = 0; t->foreach && i < t->ninput_keys; i++)
		if (!strcmp(t->input_keys[i].key, INSTANCE_M_ITEM))
			diag_error(d, t->input_keys[i].pos, "input key 'item' "
				   "collides with the item each instance of a "
				   "foreach task gets");
	if (TASK_FANS_OUT(t) && t->executor == EXECUTOR_PROCESS)
		check_place_names(d, t);
	v = val(f, T_CONCURRENCY);
	if (v && get_int(d, v, "concurrency", 1, MAX_PARALLEL,
			 "a positive integer", &n) == 0)
		t->concurrency = (long)n;
	if (v && !TASK_FANS_OUT(t) && !val(f, T_PARALLEL) && !val(f, T_FOREACH))
		diag_error(d, f[T_CONCURRENCY]->key->pos, "'concurrency' needs "
			   "'parallel' or 'foreach'");
}

static void parse_task(struct diag *d, struct task *t, const struct ynode *v)
{
	if (v->kind != YNODE_MAP) {
		/* "a:" with nothing after it: show the key, not the void. */
		int empty = v->kind == YNODE_SCALAR && v->plain && v->len == 0;
		diag_error(d, empty ? t->pos : v->pos, "task '%s' must be a "
			   "mapping, not %s", t->name, ynode_describe(v));
		t->input = cJSON_CreateObject();
		return;
	}
	const struct ypair *f[T_NKEYS] = { 0 };
	collect(d, v, task_keys, wf_keys, "a workflow key, not a task key", f);
	int exec_ok = parse_executor(d, t, v, f) == 0;
	parse_python(d, t, f);
	if (f[T_COMMAND])
		parse_command(d, t, f[T_COMMAND]->value);
	parse_input(d, t, val(f, T_INPUT));
	parse_typed(d, t, f);
	if (f[T_DEPENDS_ON])
		parse_deps(d, t, f[T_DEPENDS_ON]->value);
	parse_retries(d, t, f);
	parse_trigger(d, t, f);
	parse_fanout(d, t, f);
	if (f[T_ENV])
		parse_env(d, f[T_ENV]->value, &t->env, &t->nenv, &t->secrets,
			  &t->nsecrets, &t->refs);
	if (f[T_WHEN])
		t->when = exprcheck_when(d, f[T_WHEN]->value, &t->refs);
	/* Shown in make help, sh -l and comments; not part of the spec, so
	 * not of the task key. */
	if (f[T_DESCRIPTION])
		t->description = get_string(d, f[T_DESCRIPTION]->value,
					    "description");
	/* For cluster schedulers (-t slurm); not part of the spec. */
	if (f[T_RESOURCES])
		resources_parse(d, f[T_RESOURCES]->value, &t->resources);
	if (f[T_SOURCES]) {
		t->sources_pos = f[T_SOURCES]->key->pos;
		parse_paths(d, f[T_SOURCES], &t->sources, &t->nsources);
	}
	if (f[T_GENERATES]) {
		t->generates_pos = f[T_GENERATES]->key->pos;
		parse_paths(d, f[T_GENERATES], &t->generates, &t->ngenerates);
	}
	if (exec_ok && t->executor == EXECUTOR_LIBRARY)
		check_library_keys(d, t, f);
	else if (exec_ok)
		check_executor_keys(d, t, v, f);
	t->templates = json_templates(t->input) || env_templates(t->env, t->nenv);
}

/* ---- the workflow ------------------------------------------------------- */

static int cmp_casename(const void *a, const void *b)
{
	const struct task *x = *(const struct task *const *)a;
	const struct task *y = *(const struct task *const *)b;
	int c = strcasecmp(x->name, y->name);
	return c ? c : (x < y ? -1 : x > y);
}

/* 1 when some task name has an ASCII capital.  Two different names that
 * strcasecmp (C locale: ASCII only) finds equal differ where one has a
 * capital, so without any, and without two equal names (index_names
 * says so in same_names), there is no clash and nothing to sort. */
static int any_capital(const struct workflow *wf)
{
	for (size_t i = 0; i < wf->ntasks; i++)
		for (const char *c = wf->tasks[i].name; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				return 1;
	return 0;
}

/* "Fetch" and "fetch" are different tasks, but their files would be one
 * on a case-insensitive file system. */
static void check_case_clashes(struct diag *d, struct workflow *wf)
{
	if (wf->ntasks < 2 || (!wf->same_names && !any_capital(wf)))
		return;
	const struct task **byname = xmalloc(wf->ntasks * sizeof *byname);
	for (size_t i = 0; i < wf->ntasks; i++)
		byname[i] = &wf->tasks[i];
	qsort(byname, wf->ntasks, sizeof *byname, cmp_casename);
	for (size_t i = 1; i < wf->ntasks; i++) {
		const struct task *a = byname[i - 1], *b = byname[i];
		if (strcasecmp(a->name, b->name))
			continue;
		diag_error(d, b->pos, "task name '%s' differs from '%s' only in "
			   "case, so their files would clash", b->name, a->name);
		diag_note(d, a->pos, "'%s' is defined here", a->name);
	}
	free(byname);
}

static size_t hash_name(const char *s)
{
	return (size_t)fnv1a64(s, strlen(s), FNV1A64_INIT);
}

/* Task i into the hash table; 0 when a task of that name is there
 * already. */
static int index_add(struct workflow *wf, size_t i)
{
	const char *name = wf->tasks[i].name;
	size_t mask = wf->nindex - 1;
	for (size_t h = hash_name(name) & mask;; h = (h + 1) & mask) {
		size_t slot = wf->index[h];
		if (!slot) {
			wf->index[h] = i + 1;
			return 1;
		}
		if (!strcmp(wf->tasks[slot - 1].name, name))
			return 0;
	}
}

/* The lookup table of workflow_find_task (a hash table: sorting a
 * hundred thousand names cost more than all the lookups) and the list for
 * did-you-mean.  Two tasks have one name only when their keys differ
 * after a NUL, an error of its own: a lookup then finds the first. */
static void index_names(struct workflow *wf)
{
	wf->names = xcalloc(wf->ntasks + 1, sizeof *wf->names);
	wf->nindex = 16;
	while (wf->nindex < wf->ntasks * 2)
		wf->nindex *= 2;
	wf->index = xcalloc(wf->nindex, sizeof *wf->index);
	for (size_t i = 0; i < wf->ntasks; i++) {
		wf->names[i] = wf->tasks[i].name;
		if (!index_add(wf, i))
			wf->same_names = 1;
	}
}

/* The tasks' names, one after another in one block: codegen goes over
 * all of them several times, and names each in its own allocation,
 * among the rest of its task's, cost a cache miss each time. */
static void copy_names(struct workflow *wf, const struct ynode *tasks)
{
	size_t total = 0;
	for (size_t i = 0; i < tasks->npairs; i++)
		total += strlen(tasks->pairs[i].key->str) + 1;
	char *at = wf->task_names = xmalloc(total);
	for (size_t i = 0; i < tasks->npairs; i++) {
		size_t n = strlen(tasks->pairs[i].key->str) + 1;
		wf->tasks[i].name = memcpy(at, tasks->pairs[i].key->str, n);
		at += n;
	}
}

static void parse_tasks(struct diag *d, struct workflow *wf,
			const struct ypair *tasks, const struct ynode *root)
{
	if (!tasks) {
		if (!misspelled(root, "tasks", wf_keys))
			diag_error(d, root->pos, "workflow has no 'tasks'");
		return;
	}
	const struct ynode *v = tasks->value;
	if (v->kind != YNODE_MAP) {
		bad_value(d, v, "tasks", "a mapping of task names to tasks");
		return;
	}
	if (v->npairs == 0) {
		diag_error(d, tasks->key->pos, "workflow has no tasks");
		return;
	}
	if (v->npairs > WORKFLOW_MAX_TASKS) {
		diag_error(d, v->pairs[WORKFLOW_MAX_TASKS].key->pos, "too many "
			   "tasks (more than %d)", WORKFLOW_MAX_TASKS);
		return;
	}
	/* Every key becomes a task, even a broken one, so that references to
	 * it are not reported as unknown on top of its own errors. */
	wf->tasks = xcalloc(v->npairs, sizeof *wf->tasks);
	copy_names(wf, v);
	for (size_t i = 0; i < v->npairs; i++) {
		struct task *t = &wf->tasks[wf->ntasks++];
		t->pos = v->pairs[i].key->pos;
		task_defaults(t);
		check_name(d, "task", t->name, t->pos);
		/* The artifacts' own goals: `make -f run.mk all` runs the
		 * whole workflow, `help` lists it, ork-begin starts a run; and
		 * a goal named like the Makefile would be remade as it. */
		static const char *const goals[] = { "all", "help", "ork-begin",
						     NULL };
		static const char *const makefiles[] = { "Makefile",
			"makefile", "GNUmakefile", NULL };
		if (in_list(t->name, goals))
			diag_error(d, t->pos, "task name '%s' is reserved: `make "
				   "-f FILE %s` is the artifact's own goal; "
				   "choose another name", t->name, t->name);
		else if (in_list(t->name, makefiles))
			diag_error(d, t->pos, "task name '%s' is reserved: the "
				   "goal '%s' would be the Makefile itself; "
				   "choose another name", t->name, t->name);
		parse_task(d, t, v->pairs[i].value);
	}
}

static char **top_string(struct workflow *wf, int k)
{
	switch (k) {
	case W_DESCRIPTION: return &wf->description;
	case W_SCHEDULE: return &wf->schedule;
	case W_TIMEZONE: return &wf->timezone;
	case W_PYTHON: return &wf->python;
	case W_CATCHUP: return &wf->catchup;
	default: return &wf->name;
	}
}

int workflow_from_yaml(const struct ynode *root, const char *path,
		       struct diag *d, struct workflow *wf)
{
	unsigned before = d->nerrors;
	memset(wf, 0, sizeof *wf);
	wf->path = xstrdup(path);
	if (root->kind != YNODE_MAP) {
		diag_error(d, root->pos, "a workflow must be a mapping, not %s",
			   ynode_describe(root));
		index_names(wf);
		return (int)(d->nerrors - before);
	}
	const struct ypair *f[W_NKEYS] = { 0 };
	collect(d, root, wf_keys, task_keys, "a task key: tasks go under "
		"'tasks: NAME:'", f);
	static const int strings[] = { W_NAME, W_DESCRIPTION, W_SCHEDULE,
				       W_TIMEZONE, W_PYTHON, W_CATCHUP };
	for (size_t i = 0; i < sizeof strings / sizeof *strings; i++) {
		const struct ypair *p = f[strings[i]];
		if (p)
			*top_string(wf, strings[i]) =
				get_string(d, p->value, p->key->str);
	}
	if (!f[W_NAME] && !misspelled(root, "name", wf_keys))
		diag_error(d, root->pos, "workflow has no 'name'");
	else if (wf->name)
		check_name(d, "workflow", wf->name, f[W_NAME]->value->pos);
	if (f[W_SCHEDULE])
		wf->schedule_pos = f[W_SCHEDULE]->value->pos;
	/* Missed firings (the machine was off): none, latest or all. */
	if (wf->catchup && strcmp(wf->catchup, "none") &&
	    strcmp(wf->catchup, "latest") && strcmp(wf->catchup, "all"))
		diag_error(d, f[W_CATCHUP]->value->pos, "catchup must be none, "
			   "latest or all, not '%s'", wf->catchup);
	/* Each error in a schedule at its own column (schedule.h). */
	if (!schedule_check(d, wf->schedule ? f[W_SCHEDULE]->value : NULL,
			    wf->timezone ? f[W_TIMEZONE]->value : NULL) &&
	    wf->schedule) {
		/* Ork's 6 or 7 fields, as the five every other part reads. */
		char *five = schedule_five(wf->schedule);
		if (five) {
			free(wf->schedule);
			wf->schedule = five;
		}
	}
	if (f[W_ENV])
		parse_env(d, f[W_ENV]->value, &wf->env, &wf->nenv, &wf->secrets,
			  &wf->nsecrets, &wf->env_refs);
	wf->env_templates = env_templates(wf->env, wf->nenv);
	if (f[W_PARAMS])
		secret_misplaced(d, f[W_PARAMS]->value, "params");
	if (f[W_PARAMS])
		params_from_yaml(d, f[W_PARAMS]->value, &wf->params, &wf->nparams);
	if (f[W_TYPES])
		types_parse_named(d, f[W_TYPES]->value, &wf->types);
	parse_tasks(d, wf, f[W_TASKS], root);
	index_names(wf);
	check_case_clashes(d, wf);
	wf->root = xcalloc(1, sizeof *wf->root);
	taskroot_pick(wf, wf->root);
	check_path_goals(d, wf);
	return (int)(d->nerrors - before);
}

/* ---- lifetime ----------------------------------------------------------- */

static void env_free(struct envvar *env, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(env[i].name);
		free(env[i].value);
	}
	free(env);
}

static void task_release(struct task *t)
{
	free(t->parallel_expr);
	free(t->foreach);
	free(t->file);
	free(t->module);
	free(t->function);
	for (size_t i = 0; i < t->argc; i++)
		free(t->argv[i]);
	free(t->argv);
	free(t->script);
	cJSON_Delete(t->input);
	for (size_t i = 0; i < t->ninput_keys; i++)
		free(t->input_keys[i].key);
	free(t->input_keys);
	env_free(t->env, t->nenv);
	env_free(t->secrets, t->nsecrets);
	for (size_t i = 0; i < t->ndeps; i++)
		free(t->deps[i].name);
	free(t->deps);
	free(t->retry_on);
	free(t->when);
	free(t->description);
	for (size_t i = 0; i < t->nsources; i++)
		free(t->sources[i]);
	free(t->sources);
	for (size_t i = 0; i < t->ngenerates; i++)
		free(t->generates[i]);
	free(t->generates);
	exrefs_release(&t->refs);
	type_free(t->input_type);
	type_free(t->output_type);
	bindings_free(t->inputs, t->ninputs);
	resources_release(&t->resources);
}

void workflow_release(struct workflow *wf)
{
	free(wf->path);
	if (wf->root)
		taskroot_release(wf->root);
	free(wf->root);
	free(wf->name);
	free(wf->description);
	free(wf->schedule);
	free(wf->timezone);
	free(wf->catchup);
	free(wf->python);
	env_free(wf->env, wf->nenv);
	env_free(wf->secrets, wf->nsecrets);
	exrefs_release(&wf->env_refs);
	params_free(wf->params, wf->nparams);
	typetab_release(&wf->types);
	for (size_t i = 0; i < wf->ntasks; i++)
		task_release(&wf->tasks[i]);
	free(wf->tasks);
	free(wf->task_names);
	free(wf->names);
	free(wf->index);
	memset(wf, 0, sizeof *wf);
}

static const struct envvar *env_find(const struct envvar *env, size_t n,
				     const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(env[i].name, name))
			return &env[i];
	return NULL;
}

size_t workflow_task_env(const struct workflow *wf, const struct task *t,
			 const struct envvar ***env)
{
	const struct envvar **v = xcalloc(wf->nenv + t->nenv + 1, sizeof *v);
	size_t n = 0;
	for (size_t i = 0; i < wf->nenv; i++) {
		const struct envvar *mine = env_find(t->env, t->nenv, wf->env[i].name);
		v[n++] = mine ? mine : &wf->env[i];
	}
	for (size_t j = 0; j < t->nenv; j++)
		if (!env_find(wf->env, wf->nenv, t->env[j].name))
			v[n++] = &t->env[j];
	*env = v;
	return n;
}

long workflow_find_task(const struct workflow *wf, const char *name)
{
	if (!wf->index)   /* not indexed yet */
		return -1;
	size_t mask = wf->nindex - 1;
	for (size_t h = hash_name(name) & mask;; h = (h + 1) & mask) {
		size_t slot = wf->index[h];
		if (!slot)
			return -1;
		if (!strcmp(wf->tasks[slot - 1].name, name))
			return (long)(slot - 1);
	}
}

const char *const *workflow_keys(int task_level)
{
	return task_level ? task_keys : wf_keys;
}

int workflow_key_later(const char *key)
{
	return in_list(key, later_keys);
}
