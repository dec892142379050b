/* specwrite: see specwrite.h. */
#include "specwrite.h"

#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "jsonx.h"
#include "secret.h"
#include "plan.h"
#include "typecheck.h"

/* The comma before a member, unless it is the first of its object (the
 * buffer then ends with the opening brace, or is empty). */
static void add_comma(struct strbuf *sb)
{
	if (sb->len && sb->buf[sb->len - 1] != '{')
		strbuf_addc(sb, ',');
}

/* A member name that the program spells (contract.h's SPEC_M_ and
 * RUNSPEC_M_), quoted as it compiles: none holds a byte that JSON or
 * JSONX_MAKESAFE escapes, and specs have a score of them per task. */
struct member {
	const char *quoted;     /* "NAME": */
	size_t len;
};
#define MEMBER(name) \
	((struct member){ "\"" name "\":", sizeof "\"" name "\":" - 1 })

static void add_member(struct strbuf *sb, struct member m)
{
	add_comma(sb);
	strbuf_add(sb, m.quoted, m.len);
}

/* A member name from the workflow (an env variable, a param). */
static void add_key(struct strbuf *sb, const char *key, unsigned flags)
{
	add_comma(sb);
	jsonx_quote(sb, key, strlen(key), flags);
	strbuf_addc(sb, ':');
}

static void add_str(struct strbuf *sb, struct member m, const char *val,
		    unsigned flags)
{
	if (!val)
		return;
	add_member(sb, m);
	jsonx_quote(sb, val, strlen(val), flags);
}

static void add_num(struct strbuf *sb, struct member m, double val)
{
	add_member(sb, m);
	jsonx_number(sb, val);
}

static void add_command(struct strbuf *sb, const struct task *t, unsigned flags)
{
	if (t->executor == EXECUTOR_PYTHON) {
		add_str(sb, MEMBER(SPEC_M_FILE), t->file, flags);
		add_str(sb, MEMBER(SPEC_M_MODULE), t->module, flags);
		add_str(sb, MEMBER(SPEC_M_FUNCTION), t->function, flags);
		return;
	}
	if (t->executor == EXECUTOR_LIBRARY) {
		add_str(sb, MEMBER(SPEC_M_FILE), t->file, flags);
		return;
	}
	if (t->script) {
		add_str(sb, MEMBER(SPEC_M_SCRIPT), t->script, flags);
		return;
	}
	add_member(sb, MEMBER(SPEC_M_ARGV));
	strbuf_addc(sb, '[');
	for (size_t i = 0; i < t->argc; i++) {
		if (i)
			strbuf_addc(sb, ',');
		jsonx_quote(sb, t->argv[i], strlen(t->argv[i]), flags);
	}
	strbuf_addc(sb, ']');
}

/* {"task": NAME, "key": KEY}, an item of deps and refs. */
static void add_task_ref(struct strbuf *sb, const struct plan *p, size_t u,
			 unsigned flags)
{
	const char *name = p->wf->tasks[u].name;
	if (sb->buf[sb->len - 1] != '[')
		strbuf_addc(sb, ',');
	strbuf_adds(sb, "{\"" SPEC_M_TASK "\":");
	jsonx_quote(sb, name, strlen(name), flags);
	strbuf_adds(sb, ",\"" SPEC_M_KEY "\":");
	jsonx_quote(sb, p->keys[u], strlen(p->keys[u]), flags);
	strbuf_addc(sb, '}');
}

static void add_env(struct strbuf *sb, const struct workflow *wf,
		    const struct task *t, unsigned flags)
{
	const struct envvar **env;
	size_t n = workflow_task_env(wf, t, &env);
	add_member(sb, MEMBER(SPEC_M_ENV));
	strbuf_addc(sb, '{');
	for (size_t i = 0; i < n; i++) {
		add_key(sb, env[i]->name, flags);
		jsonx_quote(sb, env[i]->value, strlen(env[i]->value), flags);
	}
	strbuf_addc(sb, '}');
	free(env);
}

/* "sources" or "generates": a list of paths, absent when empty. */
static void add_paths(struct strbuf *sb, struct member m, char **v, size_t n,
		      unsigned flags)
{
	if (!n)
		return;
	add_member(sb, m);
	strbuf_addc(sb, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addc(sb, ',');
		jsonx_quote(sb, v[i], strlen(v[i]), flags);
	}
	strbuf_addc(sb, ']');
}

/* What defines task i's result: the text its key hashes. */
static void add_defining(struct strbuf *sb, const struct plan *p, size_t i,
			 unsigned flags)
{
	const struct task *t = &p->wf->tasks[i];
	add_str(sb, MEMBER(SPEC_M_EXECUTOR), executor_name(t->executor), flags);
	add_command(sb, t, flags);
	add_member(sb, MEMBER(SPEC_M_INPUT));
	if (t->input)
		jsonx_write(sb, t->input, flags);
	else
		strbuf_adds(sb, "{}");
	add_member(sb, MEMBER(SPEC_M_DEPS));
	strbuf_addc(sb, '[');
	for (size_t k = 0; k < t->ndeps; k++)
		if (t->deps[k].task != DEP_UNRESOLVED)   /* a plan with errors */
			add_task_ref(sb, p, t->deps[k].task, flags);
	strbuf_addc(sb, ']');
	add_env(sb, p->wf, t, flags);
	secret_spec_member(sb, p->wf, t, flags);  /* names, never values */
	add_str(sb, MEMBER(SPEC_M_WHEN), t->when, flags);
	if (p->nrefs[i]) {
		add_member(sb, MEMBER(SPEC_M_REFS));
		strbuf_addc(sb, '[');
		for (size_t k = 0; k < p->nrefs[i]; k++)
			add_task_ref(sb, p, p->refs[i][k], flags);
		strbuf_addc(sb, ']');
	}
	if (t->output_type) {
		add_member(sb, MEMBER(SPEC_M_OUTPUT_TYPE));
		type_to_json(sb, t->output_type, flags);
	}
	/* It changes the input, so it is part of the key. */
	if (t->exact_input) {
		add_member(sb, MEMBER(SPEC_M_EXACT_INPUT));
		strbuf_adds(sb, "true");
	}
	if (TASK_FANS_OUT(t)) {
		add_member(sb, MEMBER(SPEC_M_FANOUT));
		strbuf_addc(sb, '{');
		if (t->parallel >= 0)
			add_num(sb, MEMBER(SPEC_M_PARALLEL), (double)t->parallel);
		add_str(sb, MEMBER(SPEC_M_PARALLEL), t->parallel_expr, flags);
		add_str(sb, MEMBER(SPEC_M_FOREACH), t->foreach, flags);
		strbuf_addc(sb, '}');
	}
	/* The paths, not the sources' content: a newer source is a newer
	 * prerequisite, as in make. */
	add_paths(sb, MEMBER(SPEC_M_SOURCES), t->sources, t->nsources, flags);
	add_paths(sb, MEMBER(SPEC_M_GENERATES), t->generates, t->ngenerates, flags);
}

void spec_key(const struct plan *p, size_t i, char key[], struct strbuf *defs,
	      struct defining *def)
{
	/* After a '{', as in the spec: add_comma then writes none. */
	strbuf_addc(defs, '{');
	def->at = defs->len;
	add_defining(defs, p, i, 0);
	def->len = defs->len - def->at;
	const char *text = defs->buf + def->at;
	def->makesafe = !memchr(text, '$', def->len) &&
			!memchr(text, '#', def->len);
	/* The hash covers the object, braces included. */
	unsigned long long h = fnv1a64("{", 1, FNV1A64_INIT);
	h = fnv1a64(text, def->len, h);
	h = fnv1a64("}", 1, h);
	/* "%016llx" by hand: snprintf cost as much as the hash. */
	_Static_assert(TASK_KEY_LEN == 16, "a key is a 64-bit hash in hex");
	static const char hex[] = "0123456789abcdef";
	for (size_t k = 16; k-- > 0; h >>= 4)
		key[k] = hex[h & 15];
	key[16] = '\0';
}

/* The defining members as spec_key printed them, when they read the same
 * with these flags: always with none, with JSONX_MAKESAFE when they hold
 * no '$' or '#'.  NULL: print them again. */
static const struct defining *defining_text(const struct plan *p, size_t i,
					    unsigned flags)
{
	const struct defining *def = p->defining ? &p->defining[i] : NULL;
	if (!def || !def->len || (flags & ~(unsigned)JSONX_MAKESAFE))
		return NULL;   /* not there (yet), or other flags */
	if ((flags & JSONX_MAKESAFE) && !def->makesafe)
		return NULL;
	return def;
}

static void add_policy(struct strbuf *sb, const struct task *t, unsigned flags)
{
	add_num(sb, MEMBER(SPEC_M_TIMEOUT), t->timeout);
	add_num(sb, MEMBER(SPEC_M_RETRIES), (double)t->retries);
	add_num(sb, MEMBER(SPEC_M_RETRY_DELAY), t->retry_delay);
	add_num(sb, MEMBER(SPEC_M_RETRY_BACKOFF), t->retry_backoff);
	add_member(sb, MEMBER(SPEC_M_RETRY_MAX_DELAY));
	if (t->retry_max_delay < 0)
		strbuf_adds(sb, "null");
	else
		jsonx_number(sb, t->retry_max_delay);
	add_member(sb, MEMBER(SPEC_M_RETRY_ON));
	strbuf_addc(sb, '[');
	for (size_t i = 0; i < t->nretry_on; i++)
		strbuf_addf(sb, i ? ",%d" : "%d", t->retry_on[i]);
	strbuf_addc(sb, ']');
	add_str(sb, MEMBER(SPEC_M_TRIGGER), trigger_name(t->trigger), flags);
	if (t->concurrency)
		add_num(sb, MEMBER(SPEC_M_CONCURRENCY), (double)t->concurrency);
}

/* The spec's members before the defining ones, and after them. */
static void add_head(struct strbuf *sb, const struct plan *p, size_t i,
		     unsigned flags)
{
	add_str(sb, MEMBER(SPEC_M_TASK), p->wf->tasks[i].name, flags);
	add_str(sb, MEMBER(SPEC_M_KEY), p->keys[i], flags);
}

static void add_tail(struct strbuf *sb, const struct plan *p, size_t i,
		     unsigned flags)
{
	const struct task *t = &p->wf->tasks[i];
	add_policy(sb, t, flags);
	/* Derived from input and env: ork exec does no template work for a
	 * task without it. */
	if (t->templates || p->wf->env_templates) {
		add_member(sb, MEMBER(SPEC_M_TEMPLATES));
		strbuf_adds(sb, "true");
	}
}

/* The members of task i.  The defining ones the plan holds are copied,
 * or with measure, only counted: of them only the last byte is written
 * (add_comma looks at it), and the bytes left out are returned. */
static size_t add_members(struct strbuf *sb, const struct plan *p, size_t i,
			  unsigned flags, int measure)
{
	add_head(sb, p, i, flags);
	const struct defining *def = defining_text(p, i, flags);
	size_t left_out = 0;
	if (def) {
		size_t n = measure ? 1 : def->len;
		strbuf_addc(sb, ',');
		strbuf_add(sb, p->defs.buf + def->at + def->len - n, n);
		left_out = def->len - n;
	} else {
		add_defining(sb, p, i, flags);
	}
	add_tail(sb, p, i, flags);
	return left_out;
}

void spec_add_members(struct strbuf *sb, const struct plan *p, size_t i,
		      unsigned flags)
{
	add_members(sb, p, i, flags, 0);
}

char *task_spec_json(const struct plan *p, size_t i, unsigned flags)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addc(&sb, '{');
	spec_add_members(&sb, p, i, flags);
	strbuf_addc(&sb, '}');
	return strbuf_detach(&sb);
}

size_t task_spec_length(const struct plan *p, size_t i, unsigned flags,
			struct strbuf *scratch)
{
	strbuf_reset(scratch);
	strbuf_addc(scratch, '{');
	size_t left_out = add_members(scratch, p, i, flags, 1);
	strbuf_addc(scratch, '}');
	return scratch->len + left_out;
}

void spec_add_params(struct strbuf *sb, const struct plan *p, unsigned flags)
{
	const struct workflow *wf = p->wf;
	strbuf_addc(sb, '{');
	for (size_t i = 0; i < wf->nparams; i++) {
		const struct param *pm = &wf->params[i];
		const char *type = param_type_names[pm->type];
		add_key(sb, pm->name, flags);
		strbuf_addc(sb, '{');
		add_str(sb, MEMBER(RUNSPEC_M_TYPE), type, flags);
		if (pm->dflt) {
			add_member(sb, MEMBER(RUNSPEC_M_DEFAULT));
			jsonx_write(sb, pm->dflt, flags);
		}
		strbuf_addc(sb, '}');
	}
	strbuf_addc(sb, '}');
}

char *run_spec_json(const struct plan *p, unsigned flags)
{
	const struct workflow *wf = p->wf;
	if (!wf->nparams && !wf->timezone)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	strbuf_addc(&sb, '{');
	add_member(&sb, MEMBER(RUNSPEC_M_PARAMS));
	spec_add_params(&sb, p, flags);
	add_str(&sb, MEMBER(RUNSPEC_M_TIMEZONE), wf->timezone, flags);
	strbuf_addc(&sb, '}');
	return strbuf_detach(&sb);
}
