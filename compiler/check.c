/* check: see check.h. */
#include "check.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "expr.h"
#include "jsonx.h"
#include "secret.h"
#include "taskroot.h"
#include "util.h"

/* ---- expression names ---------------------------------------------------- */

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
			   struct exref *r, long user, struct upstream *up)
{
	long u = workflow_find_task(wf, r->name);
	if (u >= 0)
		r->task = (size_t)u;
	if (u < 0) {
		const char *near = closest_match(r->name, wf->names);
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
	} else if (!upstream_has(up, (size_t)u, (size_t)user)) {
		diag_error(d, r->pos, "task '%s' is not upstream of '%s'; add it "
			   "to depends_on", r->name, wf->tasks[user].name);
	}
}

/* The names one task (user >= 0) or param (-1 - index) uses. */
static void check_refs(const struct workflow *wf, struct diag *d,
		       const struct exrefs *refs, long user, struct upstream *up,
		       const char **pnames)
{
	for (size_t k = 0; k < refs->n; k++) {
		struct exref *r = &refs->v[k];
		switch (r->root) {
		case ROOT_TASK:
			check_task_ref(wf, d, r, user, up);
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
			/* Fan-out: item in a foreach task, index in any. */
			if (user >= 0 && (wf->tasks[user].foreach ||
			    (r->root == ROOT_INDEX &&
			     TASK_FANS_OUT(&wf->tasks[user]))))
				break;
			diag_error(d, r->pos, "'%s' is only defined in a task "
				   "with 'foreach'%s", r->name,
				   r->root == ROOT_INDEX ? " or 'parallel'" : "");
			break;
		default:
			break;
		}
	}
}

/* Every name of every expression: tasks, params, item and index. */
static void check_expr_names(const struct workflow *wf, struct upstream *up,
			     struct diag *d)
{
	const char **pnames = param_names(wf);
	for (size_t i = 0; i < wf->nparams; i++)
		check_refs(wf, d, &wf->params[i].refs, -1 - (long)i, up, pnames);
	check_refs(wf, d, &wf->env_refs, USER_ENV, up, pnames);
	for (size_t i = 0; i < wf->ntasks; i++)
		if (wf->tasks[i].refs.n)
			check_refs(wf, d, &wf->tasks[i].refs, (long)i, up, pnames);
	free(pnames);
}

/* ==== types ============================================================== */

/* ---- resolving names ---------------------------------------------------- */

struct checker {
	const struct workflow *wf;
	struct upstream *up;
	struct typetab *tab;
	struct diag *d;
	const char **cands;     /* "types.A", ..., and the built-in names */
	char **owned;           /* the "types.A" strings */
};

static struct named_type *find_named(const struct typetab *tab, const char *name)
{
	for (size_t i = 0; i < tab->n; i++)
		if (!strcmp(tab->v[i].name, name))
			return &tab->v[i];
	return NULL;
}

/* orkc's name for a type another language spells differently (JSON
 * Schema, Python, Go): too far for closest_match to find. */
static const char *type_synonym(const char *name)
{
	static const char *const syn[][2] = {
		{ "integer", "int" }, { "long", "int" }, { "string", "str" },
		{ "text", "str" }, { "boolean", "bool" }, { "number", "float" },
		{ "double", "float" }, { "real", "float" }, { "array", "list" },
		{ "object", "dict" }, { "map", "dict" }, { "mapping", "dict" },
		{ "timestamp", "datetime" },
	};
	for (size_t i = 0; i < sizeof syn / sizeof *syn; i++)
		if (!strcmp(name, syn[i][0]))
			return syn[i][1];
	return NULL;
}

static void unknown_name(struct checker *k, const struct type *t)
{
	const char *bare = strncmp(t->name, "types.", 6) ? t->name : NULL;
	struct named_type *meant = bare ? find_named(k->tab, bare) : NULL;
	if (meant) {
		meant->used = 1;   /* one message about it is enough */
		diag_error(k->d, t->pos, "unknown type '%s'; did you mean "
			   "'types.%s'?", bare, bare);
		return;
	}
	const char *near = type_synonym(t->name);
	if (!near)
		near = closest_match(t->name, k->cands);
	if (near)
		diag_error(k->d, t->pos, "unknown type '%s'; did you mean '%s'?",
			   t->name, near);
	else
		diag_error(k->d, t->pos, "unknown type '%s'", t->name);
}

static void resolve(struct checker *k, struct type *t)
{
	if (!t)
		return;
	resolve(k, t->elem);
	for (size_t i = 0; i < t->nfields; i++)
		resolve(k, t->fields[i].type);
	if (t->kind != TYPE_NAMED)
		return;
	struct named_type *nt = strncmp(t->name, "types.", 6) ? NULL :
				find_named(k->tab, t->name + 6);
	if (!nt) {
		unknown_name(k, t);
		return;
	}
	nt->used = 1;
	t->target = nt->type;
}

static void checker_init(struct checker *k, const struct workflow *wf,
			 struct upstream *up, struct diag *d)
{
	static const char *const builtins[] = {
		"str", "int", "float", "bool", "date", "datetime", "datetime_tz",
		"datetime_utc", "datetime_notz", "any", "list", "dict",
	};
	size_t nb = sizeof builtins / sizeof *builtins, n = wf->types.n;
	k->wf = wf;
	k->up = up;
	k->tab = (struct typetab *)&wf->types;
	k->d = d;
	k->owned = xcalloc(n + 1, sizeof *k->owned);
	k->cands = xcalloc(n + nb + 1, sizeof *k->cands);
	for (size_t i = 0; i < n; i++)
		k->cands[i] = k->owned[i] = xasprintf("types.%s", wf->types.v[i].name);
	for (size_t i = 0; i < nb; i++)
		k->cands[n + i] = builtins[i];
}

static void checker_release(struct checker *k)
{
	for (size_t i = 0; k->owned[i]; i++)
		free(k->owned[i]);
	free(k->owned);
	free(k->cands);
}

/* ---- cycles among named types ------------------------------------------- */

enum { WHITE, GRAY, BLACK };

struct cycles {
	struct checker *k;
	unsigned char *color;
	size_t *stack;          /* named types on the current path */
	size_t depth;
};

static void report_cycle(struct cycles *c, size_t from, struct type *ref)
{
	const struct typetab *tab = c->k->tab;
	size_t first = 0;
	while (c->stack[first] != from)
		first++;
	int alias = 1;
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = first; i < c->depth; i++) {
		const struct named_type *nt = &tab->v[c->stack[i]];
		alias &= nt->type && nt->type->kind == TYPE_NAMED;
		strbuf_addf(&sb, "'types.%s' -> ", nt->name);
	}
	strbuf_addf(&sb, "'types.%s'", tab->v[from].name);
	if (alias)
		diag_error(c->k->d, ref->pos, "alias cycle: %s", sb.buf);
	else
		diag_error(c->k->d, ref->pos, "recursive type: %s (types may "
			   "not contain themselves)", sb.buf);
	strbuf_release(&sb);
	/* Cut it: the rest of the checks see an unknown (any) type here. */
	ref->target = NULL;
}

static void visit_named(struct cycles *c, size_t i);

static void visit_refs(struct cycles *c, struct type *t)
{
	if (!t)
		return;
	visit_refs(c, t->elem);
	for (size_t i = 0; i < t->nfields; i++)
		visit_refs(c, t->fields[i].type);
	if (t->kind != TYPE_NAMED || !t->target)
		return;
	size_t j = (size_t)(find_named(c->k->tab, t->name + 6) - c->k->tab->v);
	if (c->color[j] == GRAY)
		report_cycle(c, j, t);
	else if (c->color[j] == WHITE)
		visit_named(c, j);
}

static void visit_named(struct cycles *c, size_t i)
{
	c->color[i] = GRAY;
	c->stack[c->depth++] = i;
	visit_refs(c, c->k->tab->v[i].type);
	c->depth--;
	c->color[i] = BLACK;
}

static void check_cycles(struct checker *k)
{
	size_t n = k->tab->n;
	struct cycles c = { k, xcalloc(n + 1, 1), xcalloc(n + 1, sizeof(size_t)), 0 };
	for (size_t i = 0; i < n; i++)
		if (c.color[i] == WHITE)
			visit_named(&c, i);
	free(c.color);
	free(c.stack);
}

/* ---- refs --------------------------------------------------------------- */

/* The type a ref reaches, and whether null can come instead (a missing
 * dict key, an index out of range, an optional on the way, an upstream
 * that may not have succeeded). */
struct reached {
	const struct type *type;   /* NULL: unknown */
	int nullable;
};

static void print_reached(struct strbuf *sb, const struct reached *r)
{
	type_print(sb, r->type);
	const struct type *t = type_resolve(r->type);
	if (r->nullable && t && t->kind != TYPE_OPTIONAL && t->kind != TYPE_ANY)
		strbuf_addc(sb, '?');
}

/* The ref's text up to and including node e (for messages). */
static char *ref_prefix(const struct binding *b, const struct expr *e)
{
	return xstrndup(b->ref, e->end);
}

static struct srcpos ref_at(const struct binding *b, size_t off)
{
	struct srcpos pos = b->ref_pos;
	pos.col += (unsigned)off;
	return pos;
}

/* One step of a ref: .name, or [literal] on a list or object. */
static int step(struct checker *k, const struct binding *b,
		const struct expr *e, struct reached *r)
{
	const struct type *t = type_resolve(r->type);
	if (t && t->kind == TYPE_OPTIONAL) {
		r->nullable = 1;
		t = type_resolve(t->elem);
	}
	if (!t || t->kind == TYPE_ANY) {
		r->type = NULL;
		return 0;
	}
	const cJSON *lit = e->kind == EXPR_INDEX ? e->b->lit : NULL;
	const char *field = e->kind == EXPR_FIELD ? e->name :
			    cJSON_IsString(lit) ? lit->valuestring : NULL;
	char *where = ref_prefix(b, e->a);
	struct strbuf ty = STRBUF_INIT;
	struct reached base = *r;
	print_reached(&ty, &base);
	int rc = 0;
	if (field && t->kind == TYPE_OBJECT) {
		const struct type_field *f = type_field(t, field);
		if (f) {
			r->type = f->type;
		} else {
			const char **names = xcalloc(t->nfields + 1, sizeof *names);
			for (size_t i = 0; i < t->nfields; i++)
				names[i] = t->fields[i].name;
			const char *near = closest_match(field, names);
			size_t col = e->kind == EXPR_FIELD ? e->name_pos : e->b->pos;
			if (near)
				diag_error(k->d, ref_at(b, col), "'%s' is %s, which has "
					   "no field '%s'; did you mean '%s'?", where,
					   ty.buf, field, near);
			else
				diag_error(k->d, ref_at(b, col), "'%s' is %s, which has "
					   "no field '%s'", where, ty.buf, field);
			free(names);
			rc = -1;
		}
	} else if (field && t->kind == TYPE_DICT) {
		r->type = t->elem;
		r->nullable = 1;
	} else if (!field && lit && t->kind == TYPE_LIST) {
		r->type = t->elem;
		r->nullable = 1;
	} else {
		size_t col = e->kind == EXPR_FIELD ? e->name_pos : e->b->pos;
		diag_error(k->d, ref_at(b, col), "'%s' is %s, which has no %s",
			   where, ty.buf, field ? "fields" : "items to index");
		rc = -1;
	}
	free(where);
	strbuf_release(&ty);
	return rc;
}

/* Walk the steps of the path from its root outwards. */
static int walk_path(struct checker *k, const struct binding *b,
		     const struct expr *e, struct reached *r)
{
	if (e->kind == EXPR_REF)
		return 0;
	if (walk_path(k, b, e->a, r) < 0)
		return -1;
	return step(k, b, e, r);
}

static const struct expr *path_root(const struct expr *e)
{
	while (e->kind == EXPR_FIELD || e->kind == EXPR_INDEX)
		e = e->a;
	return e;
}

/* The task a ref names, checked to be upstream of task i; -1 if not. */
static long ref_task(struct checker *k, size_t i, struct binding *b,
		     const struct expr *root)
{
	const struct workflow *wf = k->wf;
	long u = workflow_find_task(wf, root->name);
	struct srcpos pos = ref_at(b, root->name_pos);
	if (u < 0) {
		const char *near = closest_match(root->name, wf->names);
		if (near)
			diag_error(k->d, pos, "unknown task '%s' in 'ref'; did you "
				   "mean '%s'?", root->name, near);
		else
			diag_error(k->d, pos, "unknown task '%s' in 'ref'", root->name);
		return -1;
	}
	b->task = (size_t)u;
	if ((size_t)u == i) {
		diag_error(k->d, pos, "'ref' reads task '%s' itself; a task "
			   "cannot read its own output", root->name);
		return -1;
	}
	/* Ork's rule: a binding reads a task its own depends_on names, not
	 * one further up (whose output the task may not even wait for). */
	const struct task *t = &wf->tasks[i];
	for (size_t j = 0; j < t->ndeps; j++)
		if (t->deps[j].task == (size_t)u)
			return u;
	if (upstream_has(k->up, (size_t)u, i))
		diag_error(k->d, pos, "'ref' reads task '%s', which is upstream "
			   "of '%s' but not in its 'depends_on'; add it there",
			   root->name, t->name);
	else
		diag_error(k->d, pos, "'ref' reads task '%s', which is not "
			   "upstream of '%s'; add it to 'depends_on'", root->name,
			   t->name);
	return -1;
}

static const struct type *input_object(const struct task *t)
{
	const struct type *it = type_resolve(t->input_type);
	return it && it->kind == TYPE_OBJECT ? it : NULL;
}

/* What task u's downstream tasks get: its output type, or for a fan-out
 * task the list of its instances' (built in *buf). */
static const struct type *fan_in_type(const struct task *u, struct type *buf)
{
	if (!u->output_type || !TASK_FANS_OUT(u))
		return u->output_type;
	memset(buf, 0, sizeof *buf);
	buf->kind = TYPE_LIST;
	buf->pos = u->output_type->pos;
	buf->elem = (struct type *)u->output_type;
	return buf;
}

static void check_ref(struct checker *k, size_t i, struct binding *b)
{
	const struct task *t = &k->wf->tasks[i];
	const struct expr *root = path_root(b->path);
	long u = ref_task(k, i, b, root);
	if (u < 0)
		return;
	struct type fan;
	struct reached r = { fan_in_type(&k->wf->tasks[u], &fan),
			     t->trigger != TRIGGER_ALL_SUCCESS };
	if (!r.type || walk_path(k, b, b->path, &r) < 0 || !r.type)
		return;
	const struct type_field *f = type_field(input_object(t), b->arg);
	if (!f)
		return;
	struct type opt = { .kind = TYPE_OPTIONAL, .elem = (struct type *)r.type };
	if (type_assignable(r.nullable ? &opt : r.type, f->type))
		return;
	struct strbuf from = STRBUF_INIT, to = STRBUF_INIT;
	print_reached(&from, &r);
	type_print(&to, f->type);
	diag_error(k->d, b->ref_pos, "'%s' is %s, but '%s' expects %s", b->ref,
		   from.buf, b->arg, to.buf);
	strbuf_release(&from);
	strbuf_release(&to);
}

/* ---- a task's input against its input_type ------------------------------ */

/* A static value must fit its field; a string holding a template is
 * typed only at run time. */
static void check_static(struct checker *k, const struct type_field *f,
			 const char *key, struct srcpos pos, const cJSON *v)
{
	if (cJSON_IsString(v) && strstr(v->valuestring, "{{"))
		return;
	char *text = jsonx_print(v, 0);
	struct strbuf err = STRBUF_INIT;
	if (type_check_text(f->type, text, strlen(text), &err) < 0) {
		struct strbuf ty = STRBUF_INIT;
		type_print(&ty, f->type);
		diag_error(k->d, pos, "input '%s' does not fit its type %s: %s",
			   key, ty.buf, err.buf);
		strbuf_release(&ty);
	}
	strbuf_release(&err);
	free(text);
}

static const struct binding *find_binding(const struct task *t, const char *arg)
{
	for (size_t i = 0; i < t->ninputs; i++)
		if (!strcmp(t->inputs[i].arg, arg))
			return &t->inputs[i];
	return NULL;
}

static void check_static_inputs(struct checker *k, const struct task *t,
				const struct type *obj)
{
	for (size_t j = 0; j < t->ninput_keys; j++) {
		const struct input_key *ik = &t->input_keys[j];
		const struct binding *b = find_binding(t, ik->key);
		const struct type_field *f = type_field(obj, ik->key);
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(t->input, ik->key);
		if (f && v && !(b && b->is_ref))
			check_static(k, f, ik->key, b ? b->const_pos : ik->pos, v);
	}
}

/* Upstream-by-name: input.NAME holds upstream NAME's output (or null
 * when the trigger lets the task run after NAME failed or was skipped). */
static void check_upstream_fields(struct checker *k, const struct task *t,
				  const struct type *obj)
{
	for (size_t j = 0; j < t->ndeps; j++) {
		if (t->deps[j].task == DEP_UNRESOLVED)
			continue;
		const struct task *u = &k->wf->tasks[t->deps[j].task];
		const struct type_field *f = type_field(obj, u->name);
		if (!f || !u->output_type)
			continue;
		struct type fan;
		struct reached r = { fan_in_type(u, &fan),
				     t->trigger != TRIGGER_ALL_SUCCESS };
		struct type opt = { .kind = TYPE_OPTIONAL,
				    .elem = (struct type *)r.type };
		if (type_assignable(r.nullable ? &opt : r.type, f->type))
			continue;
		struct strbuf from = STRBUF_INIT, to = STRBUF_INIT;
		print_reached(&from, &r);
		type_print(&to, f->type);
		diag_error(k->d, f->pos, "upstream '%s' outputs %s, but input "
			   "field '%s' expects %s", u->name, from.buf, f->name,
			   to.buf);
		diag_note(k->d, u->output_type->pos, "'%s' declares its output "
			  "type here", u->name);
		strbuf_release(&from);
		strbuf_release(&to);
	}
}

static int provided(const struct task *t, const char *name)
{
	if (t->foreach && !strcmp(name, "item"))
		return 1;   /* each instance gets its item */
	for (size_t j = 0; j < t->ninput_keys; j++)
		if (!strcmp(t->input_keys[j].key, name))
			return 1;
	for (size_t j = 0; j < t->ndeps; j++)
		if (!strcmp(t->deps[j].name, name))
			return 1;
	return 0;
}

static void check_required(struct checker *k, const struct task *t,
			   const struct type *obj)
{
	for (size_t j = 0; j < obj->nfields; j++) {
		const struct type_field *f = &obj->fields[j];
		const struct type *ft = type_resolve(f->type);
		if (provided(t, f->name) || (ft && (ft->kind == TYPE_OPTIONAL ||
						    ft->kind == TYPE_ANY)))
			continue;
		diag_error(k->d, f->pos, "input field '%s' of task '%s' is "
			   "required, but no input, inputs binding or upstream "
			   "task provides it", f->name, t->name);
	}
}

/* A task with inputs: gets exactly its bindings, so they and input_type
 * must name the same keys (Ork's rule; an optional field may go unbound). */
static void check_bindings_match(struct checker *k, const struct task *t,
				 const struct type *obj)
{
	for (size_t j = 0; j < t->ninputs; j++)
		if (!type_field(obj, t->inputs[j].arg))
			diag_error(k->d, t->inputs[j].pos, "'inputs' binds '%s', "
				   "which 'input_type' of task '%s' does not "
				   "have", t->inputs[j].arg, t->name);
	for (size_t j = 0; j < obj->nfields; j++) {
		const struct type_field *f = &obj->fields[j];
		const struct type *ft = type_resolve(f->type);
		if (find_binding(t, f->name) || (ft && (ft->kind == TYPE_OPTIONAL ||
						       ft->kind == TYPE_ANY)))
			continue;
		diag_error(k->d, f->pos, "input field '%s' of task '%s' has no "
			   "binding in 'inputs' (a task with 'inputs' gets "
			   "exactly its bindings)", f->name, t->name);
	}
}

/* foreach over a [T]: each instance's item is a T, which must fit the
 * input_type's field item. */
static void check_item(struct checker *k, size_t i, const struct type *obj)
{
	const struct task *t = &k->wf->tasks[i];
	const struct type_field *f = type_field(obj, "item");
	if (!t->foreach || !f)
		return;
	struct expr_error err;
	struct expr *e = expr_parse(t->foreach, strlen(t->foreach), &err);
	const struct expr *root = e && expr_is_path(e) ? path_root(e) : NULL;
	long u = root && root->root == ROOT_TASK ?
		 workflow_find_task(k->wf, root->name) : -1;
	/* Names that are not upstream are reported by the names' check. */
	if (u < 0 || (size_t)u == i || !upstream_has(k->up, (size_t)u, i)) {
		expr_free(e);
		return;
	}
	struct binding b;
	memset(&b, 0, sizeof b);
	b.arg = "item";
	b.ref = t->foreach;
	b.ref_pos = t->foreach_pos;
	b.path = e;
	b.task = (size_t)u;
	struct type fan;
	struct reached r = { fan_in_type(&k->wf->tasks[u], &fan), 0 };
	if (r.type && walk_path(k, &b, e, &r) == 0 && r.type) {
		const struct type *lt = type_resolve(r.type);
		struct strbuf from = STRBUF_INIT, to = STRBUF_INIT;
		print_reached(&from, &r);
		type_print(&to, f->type);
		if (lt && lt->kind != TYPE_LIST && lt->kind != TYPE_ANY)
			diag_error(k->d, b.ref_pos, "foreach '%s' is %s, not a "
				   "list", t->foreach, from.buf);
		else if (lt && lt->kind == TYPE_LIST &&
			 !type_assignable(lt->elem, f->type))
			diag_error(k->d, b.ref_pos, "foreach '%s' is %s, but "
				   "input field 'item' expects %s", t->foreach,
				   from.buf, to.buf);
		strbuf_release(&from);
		strbuf_release(&to);
	}
	expr_free(e);
}

static void check_task(struct checker *k, size_t i)
{
	const struct task *t = &k->wf->tasks[i];
	for (size_t j = 0; j < t->ninputs; j++)
		if (t->inputs[j].path)
			check_ref(k, i, &t->inputs[j]);
	const struct type *it = type_resolve(t->input_type);
	if (!t->input_type || !it || it->kind == TYPE_ANY)
		return;
	if (it->kind != TYPE_OBJECT) {
		struct strbuf sb = STRBUF_INIT;
		type_print(&sb, t->input_type);
		diag_error(k->d, t->input_type->pos, "'input_type' must be an "
			   "object type (a task's input is an object), not %s",
			   sb.buf);
		strbuf_release(&sb);
		return;
	}
	check_static_inputs(k, t, it);
	check_item(k, i, it);
	if (t->exact_input) {
		check_bindings_match(k, t, it);
		return;
	}
	check_upstream_fields(k, t, it);
	check_required(k, t, it);
}

/* ---- all types ---------------------------------------------------------- */

static int typed(const struct workflow *wf)
{
	if (wf->types.n)
		return 1;
	for (size_t i = 0; i < wf->ntasks; i++)
		if (wf->tasks[i].input_type || wf->tasks[i].output_type ||
		    wf->tasks[i].ninputs)
			return 1;
	return 0;
}

/* Resolve type names, then every check of types.h. */
static void check_types(const struct workflow *wf, struct upstream *up,
			struct diag *d)
{
	if (!typed(wf))
		return;
	struct checker k;
	checker_init(&k, wf, up, d);
	for (size_t i = 0; i < k.tab->n; i++)
		resolve(&k, k.tab->v[i].type);
	for (size_t i = 0; i < wf->ntasks; i++) {
		resolve(&k, wf->tasks[i].input_type);
		resolve(&k, wf->tasks[i].output_type);
	}
	check_cycles(&k);
	for (size_t i = 0; i < k.tab->n; i++)
		if (!k.tab->v[i].used)
			diag_warning(d, k.tab->v[i].pos, "type 'types.%s' is never "
				     "used", k.tab->v[i].name);
	for (size_t i = 0; i < wf->ntasks; i++)
		check_task(&k, i);
	checker_release(&k);
}

/* ---- other checks ------------------------------------------------------- */

/* An upstream's output arrives as input.NAME, so a static key NAME would
 * be silently overwritten (or overwrite it).  Not so with inputs:, whose
 * input is exactly its bindings. */
static void check_input_collisions(const struct workflow *wf, struct diag *d)
{
	for (size_t i = 0; i < wf->ntasks; i++) {
		const struct task *t = &wf->tasks[i];
		if (t->exact_input)
			continue;
		for (size_t j = 0; j < t->ndeps; j++) {
			if (t->deps[j].task == DEP_UNRESOLVED)
				continue;
			for (size_t k = 0; k < t->ninput_keys; k++) {
				const struct input_key *ik = &t->input_keys[k];
				if (strcmp(ik->key, t->deps[j].name))
					continue;
				diag_error(d, ik->pos, "input key '%s' collides with "
					   "the output of upstream task '%s'",
					   ik->key, ik->key);
				diag_note(d, t->deps[j].pos, "'%s' is listed in "
					  "depends_on here", ik->key);
			}
		}
	}
}

/* Relative paths resolve against the root taskroot chose.  A python file
 * must be there; another executor's file (a program, a shared object) may
 * be a build product still to be made, so its absence is a warning. */
static void check_file(const struct workflow *wf, const struct task *t,
		       struct diag *d)
{
	const struct taskroot *r = wf->root;
	char *path = taskroot_path(r, r->chosen, t->file);
	struct stat st;
	int rc = stat(path, &st), e = errno;
	free(path);
	if (rc == 0) {
		if (S_ISDIR(st.st_mode))
			diag_error(d, t->file_pos, "task file '%s' is a directory",
				   t->file);
		return;
	}
	if (e != ENOENT && e != ENOTDIR) {
		diag_error(d, t->file_pos, "cannot access task file '%s': %s",
			   t->file, strerror(e));
		return;
	}
	struct strbuf where = STRBUF_INIT;
	if (t->file[0] != '/') {
		strbuf_adds(&where, " (looked in ");
		taskroot_places(r, &where);
		strbuf_addc(&where, ')');
	}
	if (t->executor == EXECUTOR_PYTHON)
		diag_error(d, t->file_pos, "task file '%s' does not exist%s",
			   t->file, strbuf_str(&where));
	else
		diag_warning(d, t->file_pos, "task file '%s' does not exist "
			     "yet%s; build it before the run", t->file,
			     strbuf_str(&where));
	strbuf_release(&where);
}

static void check_files(const struct workflow *wf, struct diag *d)
{
	for (size_t i = 0; i < wf->ntasks; i++)
		if (wf->tasks[i].file && wf->root)
			check_file(wf, &wf->tasks[i], d);
}


/* ==== the pass ============================================================ */

int check_plan(const struct workflow *wf, struct upstream *up, struct diag *d)
{
	unsigned before = d->nerrors;
	check_input_collisions(wf, d);
	check_types(wf, up, d);
	check_expr_names(wf, up, d);
	if (!wf->old_version)
		check_files(wf, d);
	secret_check_refs(wf, d);
	return (int)(d->nerrors - before);
}
