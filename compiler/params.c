/* params: see params.h. */
#include "params.h"

#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "template.h"
#include "util.h"

/* Names a param may not have.  A param is a make variable on the command
 * line, and the Makefile `unexport`s it (so make never expands it into a
 * task's environment), so it must not be one of the Makefile's variables
 * (its own helpers are all named ork_...), one of make's own, or a
 * variable the tasks' environment needs. */
static const char *const reserved[] = {
	"ORK", "PYTHON", "RUN_ID", "run_id", "ORK_HOME", "R", "SHELL", "MAKEFLAGS",
	"MFLAGS", "MAKEFILES", "MAKECMDGOALS", "MAKELEVEL", "MAKEOVERRIDES",
	"MAKESHELL", "MAKE", "CURDIR", "VPATH", "GPATH", "SUFFIXES",
	"PATH", "HOME", "USER", "LOGNAME", "PWD", "IFS", "ENV", "TMPDIR",
	"LANG", "TZ", "TERM", "PYTHONPATH", "PYTHONHOME", NULL
};
static const char *const reserved_prefixes[] = {
	"ORK_", "ork_", "MAKE", "LD_", "LC_", NULL
};

static const char *const param_keys[] = {
	"type", "default", "description", NULL
};

static int check_name(struct diag *d, const struct ynode *k)
{
	const char *s = k->str;
	if (!valid_env_name(s)) {
		diag_error(d, k->pos, "invalid param name '%s': use letters, "
			   "digits and '_', starting with a letter or '_'", s);
		return -1;
	}
	if (strlen(s) > 100) {
		diag_error(d, k->pos, "param name '%s' is too long (more than "
			   "100 characters)", s);
		return -1;
	}
	for (size_t i = 0; reserved[i]; i++)
		if (!strcmp(s, reserved[i])) {
			diag_error(d, k->pos, "param name '%s' is reserved (the "
				   "generated Makefile or the tasks' environment "
				   "use it)", s);
			return -1;
		}
	for (size_t i = 0; reserved_prefixes[i]; i++)
		if (!strncmp(s, reserved_prefixes[i], strlen(reserved_prefixes[i]))) {
			diag_error(d, k->pos, "param name '%s' uses the prefix "
				   "'%s', which is reserved", s,
				   reserved_prefixes[i]);
			return -1;
		}
	return 0;
}

/* The type a short-form default implies. */
static enum param_type implied_type(const struct ynode *v)
{
	switch (yscalar_type(v)) {
	case YSCALAR_INT: return PT_INT;
	case YSCALAR_FLOAT: return PT_FLOAT;
	case YSCALAR_BOOL: return PT_BOOL;
	default: return PT_STR;
	}
}

/* The scalar v as JSON, typed as YAML resolves it. */
static cJSON *scalar_json(const struct ynode *v)
{
	double x;
	int b;
	switch (yscalar_type(v)) {
	case YSCALAR_INT: case YSCALAR_FLOAT:
		if (yscalar_number(v, &x) == 0)
			return cJSON_CreateNumber(x);
		break;
	case YSCALAR_BOOL:
		if (yscalar_bool(v, &b) == 0)
			return cJSON_CreateBool(b);
		break;
	case YSCALAR_NULL:
		return cJSON_CreateNull();
	default:
		break;
	}
	return cJSON_CreateString(v->str);
}

static void parse_default(struct diag *d, struct param *p, const struct ynode *v)
{
	if (v->kind != YNODE_SCALAR || yscalar_type(v) == YSCALAR_NULL) {
		diag_error(d, v->pos, "the default of param '%s' must be a %s, "
			   "not %s%s", p->name, param_type_names[p->type],
			   ynode_describe(v), yscalar_type(v) == YSCALAR_NULL ?
			   " (leave 'default' out for a required param)" : "");
		return;
	}
	if (strlen(v->str) != v->len) {
		diag_error(d, v->pos, "the default of param '%s' contains a NUL "
			   "character", p->name);
		return;
	}
	if (yscalar_type(v) == YSCALAR_STR && tmpl_present(v->str, v->len)) {
		exprcheck_templates(d, v, &p->refs);
		p->dflt = cJSON_CreateString(v->str);
		return;
	}
	cJSON *j = scalar_json(v);
	struct strbuf why = STRBUF_INIT;
	/* A str param's default is the text as written: 0x1F stays 0x1F. */
	p->dflt = p->type == PT_STR ? cJSON_CreateString(v->str)
				    : param_from_json(p->type, j, &why);
	if (!p->dflt)
		diag_error(d, v->pos, "the default of param '%s' (%s) is %s",
			   p->name, param_type_names[p->type], strbuf_str(&why));
	strbuf_release(&why);
	cJSON_Delete(j);
}

static void parse_long(struct diag *d, struct param *p, const struct ynode *v)
{
	const struct ynode *type = NULL, *dflt = NULL;
	for (size_t i = 0; i < v->npairs; i++) {
		const struct ypair *kv = &v->pairs[i];
		const char *k = kv->key->str;
		if (!strcmp(k, "type")) {
			type = kv->value;
		} else if (!strcmp(k, "default")) {
			dflt = kv->value;
		} else if (strcmp(k, "description")) {
			const char *near = closest_match(k, param_keys);
			if (near)
				diag_error(d, kv->key->pos, "unknown key '%s'; did "
					   "you mean '%s'?", k, near);
			else
				diag_error(d, kv->key->pos, "unknown key '%s' (a "
					   "param has type, default and "
					   "description)", k);
		}
	}
	p->type = dflt && dflt->kind == YNODE_SCALAR ? implied_type(dflt) : PT_STR;
	if (type) {
		int t = type->kind == YNODE_SCALAR ? param_type_from_name(type->str) : -1;
		if (t < 0) {
			const char *near = type->kind == YNODE_SCALAR ?
				closest_match(type->str, param_type_names) : NULL;
			if (near)
				diag_error(d, type->pos, "unknown param type '%s'; "
					   "did you mean '%s'?", type->str, near);
			else
				diag_error(d, type->pos, "unknown param type (use "
					   "str, int, float, bool, date or "
					   "datetime)");
			return;
		}
		p->type = (enum param_type)t;
	}
	if (dflt)
		parse_default(d, p, dflt);
}

int params_from_yaml(struct diag *d, const struct ynode *v,
		     struct param **out, size_t *n)
{
	unsigned before = d->nerrors;
	*out = NULL;
	*n = 0;
	if (v->kind == YNODE_SCALAR && yscalar_type(v) == YSCALAR_NULL)
		return 0;
	if (v->kind != YNODE_MAP) {
		diag_error(d, v->pos, "'params' must be a mapping, not %s",
			   ynode_describe(v));
		return 1;
	}
	*out = xcalloc(v->npairs + 1, sizeof **out);
	for (size_t i = 0; i < v->npairs; i++) {
		const struct ynode *k = v->pairs[i].key, *pv = v->pairs[i].value;
		if (check_name(d, k) < 0)
			continue;
		struct param *p = &(*out)[(*n)++];
		p->name = xstrdup(k->str);
		p->pos = k->pos;
		if (pv->kind == YNODE_MAP) {
			parse_long(d, p, pv);
		} else if (pv->kind == YNODE_SCALAR &&
			   yscalar_type(pv) == YSCALAR_NULL) {
			p->type = PT_STR;   /* "name:" alone: a required str */
		} else {
			p->type = pv->kind == YNODE_SCALAR ? implied_type(pv) : PT_STR;
			parse_default(d, p, pv);
		}
	}
	return (int)(d->nerrors - before);
}

void params_free(struct param *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].name);
		cJSON_Delete(p[i].dflt);
		exrefs_release(&p[i].refs);
	}
	free(p);
}
