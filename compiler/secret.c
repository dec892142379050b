/* secret: see secret.h. */
#include "secret.h"

#include <string.h>

#include "contract.h"
#include "jsonx.h"
#include "workflow.h"

static const char *const secret_keys[] = { "secret", NULL };


/* The NAME of {secret: NAME}, or NULL after reporting why not. */
static const char *secret_name(struct diag *d, const struct ynode *k,
			       const struct ynode *v)
{
	const struct ynode *name = NULL;
	for (size_t i = 0; i < v->npairs; i++) {
		const struct ynode *key = v->pairs[i].key;
		if (!strcmp(key->str, "secret")) {
			name = v->pairs[i].value;
			continue;
		}
		const char *near = closest_match(key->str, secret_keys);
		if (near)
			diag_error(d, key->pos, "unknown key '%s' in env '%s'; did "
				   "you mean '%s'?", key->str, k->str, near);
		else
			diag_error(d, key->pos, "unknown key '%s' in env '%s' (a "
				   "mapping there is {secret: NAME})", key->str,
				   k->str);
	}
	if (!name) {
		if (v->npairs == 0)
			diag_error(d, v->pos, "env '%s' must be a string, number, "
				   "boolean or {secret: NAME}, not an empty "
				   "mapping", k->str);
		return NULL;
	}
	if (name->kind != YNODE_SCALAR || yscalar_type(name) != YSCALAR_STR) {
		diag_error(d, name->pos, "'secret' must be the name of a secret, "
			   "not %s", ynode_describe(name));
		return NULL;
	}
	if (strlen(name->str) != name->len || !valid_env_name(name->str)) {
		diag_error(d, name->pos, "invalid secret name '%s': use letters, "
			   "digits and '_', starting with a letter or '_'",
			   name->str);
		return NULL;
	}
	if (!strncmp(name->str, "ORK_", 4)) {
		diag_error(d, name->pos, "secret name '%s' uses the prefix "
			   "'ORK_', which is reserved", name->str);
		return NULL;
	}
	return name->str;
}

void secret_env_add(struct diag *d, const struct ynode *k,
		    const struct ynode *v, struct envvar **sec, size_t *nsec)
{
	const char *name = secret_name(d, k, v);
	if (!name)
		return;
	/* An env mapping has at most as many secrets as keys: grow by one. */
	*sec = xrealloc(*sec, (*nsec + 1) * sizeof **sec);
	struct envvar *e = &(*sec)[(*nsec)++];
	memset(e, 0, sizeof *e);
	e->name = xstrdup(k->str);
	e->value = xstrdup(name);
	e->pos = k->pos;
}

void secret_misplaced(struct diag *d, const struct ynode *v,
		      const char *where)
{
	if (!v)
		return;
	if (v->kind == YNODE_SEQ) {
		for (size_t i = 0; i < v->nitems; i++)
			secret_misplaced(d, v->items[i], where);
		return;
	}
	if (v->kind != YNODE_MAP)
		return;
	if (v->npairs == 1 && !strcmp(v->pairs[0].key->str, "secret") &&
	    v->pairs[0].value->kind == YNODE_SCALAR) {
		diag_error(d, v->pairs[0].key->pos, "a secret cannot be used in "
			   "'%s' (it would be stored in the run directory); give "
			   "it to the task as 'env: {VAR: {secret: %s}}'", where,
			   v->pairs[0].value->str);
		return;
	}
	for (size_t i = 0; i < v->npairs; i++)
		secret_misplaced(d, v->pairs[i].value, where);
}

/* Whether name is the name of a secret anywhere in wf. */
static int is_secret(const struct workflow *wf, const char *name)
{
	for (size_t i = 0; i < wf->nsecrets; i++)
		if (!strcmp(wf->secrets[i].value, name))
			return 1;
	for (size_t t = 0; t < wf->ntasks; t++)
		for (size_t i = 0; i < wf->tasks[t].nsecrets; i++)
			if (!strcmp(wf->tasks[t].secrets[i].value, name))
				return 1;
	return 0;
}

static void check_refs(const struct workflow *wf, struct diag *d,
		       const struct exrefs *refs)
{
	for (size_t i = 0; i < refs->n; i++) {
		const struct exref *r = &refs->v[i];
		if (r->root == ROOT_ENV && is_secret(wf, r->name))
			diag_error(d, r->pos, "an expression cannot read secret "
				   "'%s' (its value would be stored in the run "
				   "directory); a secret reaches a task only as "
				   "env: VAR: {secret: %s}", r->name, r->name);
	}
}

void secret_check_refs(const struct workflow *wf, struct diag *d)
{
	if (!wf->nsecrets) {
		size_t t = 0;
		while (t < wf->ntasks && !wf->tasks[t].nsecrets)
			t++;
		if (t == wf->ntasks)
			return;
	}
	check_refs(wf, d, &wf->env_refs);
	for (size_t i = 0; i < wf->nparams; i++)
		check_refs(wf, d, &wf->params[i].refs);
	for (size_t i = 0; i < wf->ntasks; i++)
		check_refs(wf, d, &wf->tasks[i].refs);
}

static int defines(const struct envvar *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return 1;
	return 0;
}

static void member(struct strbuf *sb, int *first, const struct envvar *e,
		   unsigned flags)
{
	strbuf_adds(sb, *first ? ",\"secrets\":{" : ",");
	*first = 0;
	jsonx_quote(sb, e->name, strlen(e->name), flags);
	strbuf_addc(sb, ':');
	jsonx_quote(sb, e->value, strlen(e->value), flags);
}

void secret_spec_member(struct strbuf *sb, const struct workflow *wf,
			const struct task *t, unsigned flags)
{
	int first = 1;
	for (size_t i = 0; i < wf->nsecrets; i++) {
		const char *var = wf->secrets[i].name;
		if (!defines(t->env, t->nenv, var) &&
		    !defines(t->secrets, t->nsecrets, var))
			member(sb, &first, &wf->secrets[i], flags);
	}
	for (size_t i = 0; i < t->nsecrets; i++)
		member(sb, &first, &t->secrets[i], flags);
	if (!first)
		strbuf_addc(sb, '}');
}
