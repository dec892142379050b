/* exprcheck: see exprcheck.h. */
#include "exprcheck.h"

#include <stdlib.h>
#include <string.h>

#include "template.h"
#include "util.h"
#include "workflow.h"

void exrefs_release(struct exrefs *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].name);
	free(r->v);
	memset(r, 0, sizeof *r);
}

/* ---- positions inside scalars ------------------------------------------- */

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Bytes a double-quoted escape at s (the backslash) spans in the file, and
 * how many bytes it stands for in the value. */
static size_t escape_len(const char *s, const char *end, size_t *produced)
{
	size_t digits = s[1] == 'x' ? 2 : s[1] == 'u' ? 4 : s[1] == 'U' ? 8 : 0;
	*produced = 1;
	if (s[1] == 'N' || s[1] == '_')
		*produced = 2;
	else if (s[1] == 'L' || s[1] == 'P')
		*produced = 3;
	if (!digits)
		return 2;
	unsigned long c = 0;
	for (size_t i = 0; i < digits && s + 2 + i < end; i++) {
		char h = s[2 + i];
		c = c * 16 + (unsigned long)(h >= 'a' ? h - 'a' + 10 :
					     h >= 'A' ? h - 'A' + 10 : h - '0');
	}
	*produced = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
	return 2 + digits;
}

struct cursor {
	const char *s, *end;
	struct srcpos pos;
};

static void advance(struct cursor *c, size_t n)
{
	for (; n > 0 && c->s < c->end; n--, c->s++) {
		if (*c->s == '\n') {
			c->pos.line++;
			c->pos.col = 1;
		} else {
			c->pos.col++;
		}
	}
}

/* The cursor at scalar n's first character in the file. */
static int cursor_at(const struct diag *d, const struct ynode *n,
		     struct cursor *c)
{
	const char *p = d->src, *end = d->src + d->srclen;
	if (!p || n->pos.line == 0 || n->pos.col == 0)
		return -1;
	for (unsigned l = 1; l < n->pos.line; l++) {
		p = memchr(p, '\n', (size_t)(end - p));
		if (!p)
			return -1;
		p++;
	}
	if ((size_t)(end - p) < n->pos.col - 1)
		return -1;
	c->s = p + n->pos.col - 1;
	c->end = end;
	c->pos = n->pos;
	/* An anchor or a tag may come first. */
	while (c->s < end && (*c->s == '&' || *c->s == '!')) {
		while (c->s < end && !blank(*c->s))
			advance(c, 1);
		while (c->s < end && blank(*c->s))
			advance(c, 1);
	}
	return 0;
}

struct srcpos scalar_offset_pos(const struct diag *d, const struct ynode *n,
				size_t off)
{
	struct cursor c;
	if (cursor_at(d, n, &c) < 0)
		return n->pos;
	char style = c.s < c.end ? *c.s : 0;
	if (style == '\'' || style == '"') {
		advance(&c, 1);
	} else if (style == '|' || style == '>') {
		while (c.s < c.end && *c.s != '\n')   /* the header line */
			advance(&c, 1);
		advance(&c, 1);
	} else {
		style = 0;
	}
	const char *v = n->str;
	size_t i = 0;
	while (i < off && i < n->len && c.s < c.end) {
		char ch = *c.s;
		if (style == '\'' && ch == '\'') {
			if (c.s + 1 >= c.end || c.s[1] != '\'')
				break;
			advance(&c, 2);   /* '' is one quote */
			i++;
		} else if (style == '"' && ch == '"') {
			break;
		} else if (style == '"' && ch == '\\' && c.s + 1 < c.end) {
			if (c.s[1] == '\n' || c.s[1] == '\r') {
				advance(&c, 2);   /* an escaped line break */
				continue;
			}
			size_t produced, len = escape_len(c.s, c.end, &produced);
			if (i + produced > off)
				break;
			advance(&c, len);
			i += produced;
		} else if (v[i] == ch) {
			advance(&c, 1);
			i++;
		} else if (blank(ch)) {
			advance(&c, 1);   /* indentation, or a folded break */
		} else if (blank(v[i])) {
			i++;              /* a fold's space or newline */
		} else {
			break;            /* lost: the closest place we have */
		}
	}
	return c.pos;
}

/* ---- templates and conditions ------------------------------------------- */

struct collect {
	struct exrefs *refs;
	const struct diag *d;
	const struct ynode *n;
	size_t base;            /* offset of the expression in the value */
};

static void add_ref(void *ctx, const struct expr *r)
{
	struct collect *c = ctx;
	struct exrefs *refs = c->refs;
	refs->v = xgrow(refs->v, &refs->cap, refs->n + 1, sizeof *refs->v);
	struct exref *x = &refs->v[refs->n++];
	x->root = r->root;
	x->name = xstrdup(r->name);
	x->pos = scalar_offset_pos(c->d, c->n, c->base + r->name_pos);
}

static int is_string(const struct ynode *v)
{
	return v->kind == YNODE_SCALAR && yscalar_type(v) == YSCALAR_STR;
}

static size_t check_string(struct diag *d, const struct ynode *v,
			   struct exrefs *refs)
{
	struct tmpl t;
	struct expr_error err;
	if (tmpl_parse(v->str, v->len, &t, &err) < 0) {
		diag_error(d, scalar_offset_pos(d, v, err.pos), "%s", err.msg);
		return 1;
	}
	for (size_t i = 0; i < t.nparts; i++) {
		if (!t.parts[i].e)
			continue;
		struct collect c = {refs, d, v, t.parts[i].pos};
		expr_walk_refs(t.parts[i].e, add_ref, &c);
	}
	tmpl_release(&t);
	return 1;
}

size_t exprcheck_templates(struct diag *d, const struct ynode *v,
			   struct exrefs *refs)
{
	if (v->kind == YNODE_SCALAR)
		return is_string(v) && tmpl_present(v->str, v->len)
		       ? check_string(d, v, refs) : 0;
	size_t n = 0;
	for (size_t i = 0; i < v->nitems; i++)
		n += exprcheck_templates(d, v->items[i], refs);
	for (size_t i = 0; i < v->npairs; i++)
		n += exprcheck_templates(d, v->pairs[i].value, refs);
	return n;
}

char *exprcheck_when(struct diag *d, const struct ynode *v, struct exrefs *refs)
{
	if (v->kind == YNODE_SCALAR && yscalar_type(v) == YSCALAR_BOOL)
		return xstrdup(v->str[0] == 't' || v->str[0] == 'T' ? "true"
								     : "false");
	if (!is_string(v) || v->len == 0) {
		diag_error(d, v->pos, "'when' must be an expression, not %s",
			   ynode_describe(v));
		return NULL;
	}
	if (strlen(v->str) != v->len) {
		diag_error(d, v->pos, "'when' contains a NUL character");
		return NULL;
	}
	const char *open = strstr(v->str, "{{");
	if (open) {
		diag_error(d, scalar_offset_pos(d, v, (size_t)(open - v->str)),
			   "'when' is an expression already: write it without "
			   "'{{ }}'");
		return NULL;
	}
	struct expr_error err;
	struct expr *e = expr_parse(v->str, v->len, &err);
	if (!e) {
		diag_error(d, scalar_offset_pos(d, v, err.pos), "%s", err.msg);
		return NULL;
	}
	struct collect c = {refs, d, v, 0};
	expr_walk_refs(e, add_ref, &c);
	expr_free(e);
	return xstrdup(v->str);
}

/* ---- names -------------------------------------------------------------- */

/* up[j] != 0 when task j is a transitive upstream of task i. */
static void upstream_of(const struct workflow *wf, size_t i, unsigned char *up)
{
	size_t *stack = xcalloc(wf->ntasks + 1, sizeof *stack), top = 0;
	memset(up, 0, wf->ntasks);
	stack[top++] = i;
	while (top) {
		const struct task *t = &wf->tasks[stack[--top]];
		for (size_t k = 0; k < t->ndeps; k++) {
			size_t u = t->deps[k].task;
			if (u == DEP_UNRESOLVED || up[u])
				continue;
			up[u] = 1;
			stack[top++] = u;
		}
	}
	free(stack);
}

static const char **task_names(const struct workflow *wf)
{
	const char **names = xcalloc(wf->ntasks + 1, sizeof *names);
	for (size_t i = 0; i < wf->ntasks; i++)
		names[i] = wf->tasks[i].name;
	return names;
}

static const char **param_names(const struct workflow *wf)
{
	const char **names = xcalloc(wf->nparams + 1, sizeof *names);
	for (size_t i = 0; i < wf->nparams; i++)
		names[i] = wf->params[i].name;
	return names;
}

/* Who uses a name: task user, param -1 - i, or (USER_ENV) the
 * workflow's env. */
#define USER_ENV (-1L - 1000000000L)

static void check_task_ref(const struct workflow *wf, struct diag *d,
			   const struct exref *r, long user,
			   const unsigned char *up, const char **names)
{
	long u = workflow_find_task(wf, r->name);
	if (u < 0) {
		const char *near = closest_match(r->name, names);
		if (near)
			diag_error(d, r->pos, "unknown task '%s'; did you mean "
				   "'%s'?", r->name, near);
		else
			diag_error(d, r->pos, "unknown task '%s'", r->name);
	} else if (user < 0) {
		diag_error(d, r->pos, "%s cannot use the output of task '%s'%s",
			   user == USER_ENV ? "the workflow's env" :
			   "a param's default", r->name, user == USER_ENV ?
			   "; give the value in the task's env" : "");
	} else if (u == user) {
		diag_error(d, r->pos, "task '%s' cannot use its own output",
			   r->name);
	} else if (!up[u]) {
		diag_error(d, r->pos, "task '%s' is not upstream of '%s'; add it "
			   "to depends_on", r->name, wf->tasks[user].name);
	}
}

/* The names one task (user >= 0) or param (-1 - index) uses. */
static void check_refs(const struct workflow *wf, struct diag *d,
		       const struct exrefs *refs, long user,
		       const unsigned char *up)
{
	const char **tnames = task_names(wf), **pnames = param_names(wf);
	for (size_t k = 0; k < refs->n; k++) {
		const struct exref *r = &refs->v[k];
		switch (r->root) {
		case ROOT_TASK:
			check_task_ref(wf, d, r, user, up, tnames);
			break;
		case ROOT_PARAM: {
			long p = -1;
			for (size_t i = 0; i < wf->nparams && p < 0; i++)
				if (!strcmp(wf->params[i].name, r->name))
					p = (long)i;
			const char *near = closest_match(r->name, pnames);
			if (p < 0 && near)
				diag_error(d, r->pos, "unknown param '%s'; did you "
					   "mean '%s'?", r->name, near);
			else if (p < 0)
				diag_error(d, r->pos, "unknown param '%s'%s", r->name,
					   wf->nparams ? "" : " (the workflow "
					   "declares no 'params')");
			else if (user < 0 && user != USER_ENV && p >= -1 - user)
				diag_error(d, r->pos, "param '%s' is not known yet: "
					   "a default can use only the params "
					   "above it", r->name);
			break;
		}
		case ROOT_ITEM: case ROOT_INDEX:
			diag_error(d, r->pos, "'%s' is only defined in a task "
				   "with 'foreach'", r->name);
			break;
		default:
			break;
		}
	}
	free(tnames);
	free(pnames);
}

void exprcheck_refs(const struct workflow *wf, struct diag *d)
{
	unsigned char *up = xcalloc(wf->ntasks + 1, 1);
	for (size_t i = 0; i < wf->nparams; i++)
		check_refs(wf, d, &wf->params[i].refs, -1 - (long)i, up);
	check_refs(wf, d, &wf->env_refs, USER_ENV, up);
	for (size_t i = 0; i < wf->ntasks; i++) {
		if (!wf->tasks[i].refs.n)
			continue;
		upstream_of(wf, i, up);
		check_refs(wf, d, &wf->tasks[i].refs, (long)i, up);
	}
	free(up);
}
