/* types: see types.h.
 *
 * Parsing builds type trees with names unresolved; types_check resolves
 * them once every named type is known (names may be used before they are
 * defined), cuts cycles, and then runs the data-flow checks, which can
 * therefore assume every walk over a type ends. */
#include "types.h"

#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "jsonx.h"
#include "util.h"
#include "workflow.h"

/* ---- the type syntax of a string ---------------------------------------
 *   type := post ('|' post)*       (only T | None: a union with None)
 *   post := prim '?'*
 *   prim := '[' type ']' | NAME | NAME '[' type (',' type)? ']'
 * NAME is an identifier, optionally "types." and an identifier. */

struct tparse {
	struct diag *d;
	const struct ynode *node;
	const char *s;
	size_t i;
	int failed;
};

static struct srcpos at(const struct tparse *p, size_t i)
{
	struct srcpos pos = p->node->pos;
	pos.col += (unsigned)(p->node->quote_col_offset + i);
	return pos;
}

static void tp_error(struct tparse *p, size_t i, const char *what)
{
	if (p->failed++)
		return;
	diag_error(p->d, at(p, i), "invalid type '%s': %s", p->s, what);
}

static void tp_ws(struct tparse *p)
{
	while (p->s[p->i] == ' ' || p->s[p->i] == '\t')
		p->i++;
}

static int ident_char(char c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

static int tp_eat(struct tparse *p, char c)
{
	tp_ws(p);
	if (p->s[p->i] != c)
		return 0;
	p->i++;
	return 1;
}

static void tp_expect(struct tparse *p, char c)
{
	if (tp_eat(p, c))
		return;
	char what[32];
	snprintf(what, sizeof what, "expected '%c'", c);
	tp_error(p, p->i, what);
}

static struct type *optional(struct type *t, struct srcpos pos)
{
	if (!t || t->kind == TYPE_OPTIONAL)
		return t;
	struct type *o = type_new(TYPE_OPTIONAL, pos);
	o->elem = t;
	return o;
}

static struct type *tp_type(struct tparse *p, int *none);

/* An element type inside brackets; None is not a type there. */
static struct type *tp_elem(struct tparse *p)
{
	int none = 0;
	size_t start = p->i;
	struct type *t = tp_type(p, &none);
	if (none && !t)
		tp_error(p, start, "'None' is only allowed as 'T | None'");
	return t;
}

/* list[T], dict[str, T], Optional[T] (and their typing-module spellings). */
static struct type *tp_generic(struct tparse *p, const char *name,
			       size_t start)
{
	enum type_kind k = TYPE_LIST;
	if (!strcmp(name, "dict") || !strcmp(name, "Dict"))
		k = TYPE_DICT;
	else if (!strcmp(name, "Optional"))
		k = TYPE_OPTIONAL;
	else if (strcmp(name, "list") && strcmp(name, "List")) {
		tp_error(p, start, "only list, dict and Optional take '[...]'");
		return NULL;
	}
	p->i++;   /* '[' */
	if (k == TYPE_DICT) {
		tp_ws(p);
		size_t ks = p->i;
		struct type *key = tp_elem(p);
		if (key && key->kind != TYPE_STR)
			tp_error(p, ks, "dict keys must be str (JSON object keys "
				 "are strings)");
		type_free(key);
		tp_expect(p, ',');
	}
	struct type *elem = tp_elem(p);
	tp_expect(p, ']');
	if (!elem || p->failed) {
		type_free(elem);
		return NULL;
	}
	if (k == TYPE_OPTIONAL)
		return optional(elem, at(p, start));
	struct type *t = type_new(k, at(p, start));
	t->elem = elem;
	return t;
}

static struct type *tp_name(struct tparse *p, int *none)
{
	size_t start = p->i;
	while (ident_char(p->s[p->i], p->i == start))
		p->i++;
	if (p->s[p->i] == '.' && ident_char(p->s[p->i + 1], 1)) {
		p->i++;
		while (ident_char(p->s[p->i], 0) || p->s[p->i] == '-')
			p->i++;
	}
	if (p->i == start) {
		tp_error(p, start, p->s[start] ? "expected a type" : "expected a "
			 "type at the end");
		return NULL;
	}
	char *name = xstrndup(p->s + start, p->i - start);
	struct type *t = NULL;
	int k = type_scalar_kind(name);
	if (p->s[p->i] == '[') {
		t = tp_generic(p, name, start);
	} else if (!strcmp(name, "None")) {
		*none = 1;
	} else if (k >= 0) {
		t = type_new((enum type_kind)k, at(p, start));
	} else if (!strcmp(name, "list") || !strcmp(name, "dict")) {
		/* Bare list and dict hold anything, as in Python. */
		t = type_new(name[0] == 'l' ? TYPE_LIST : TYPE_DICT, at(p, start));
		t->elem = type_new(TYPE_ANY, at(p, start));
	} else {
		t = type_new(TYPE_NAMED, at(p, start));
		t->name = name;
		name = NULL;
	}
	free(name);
	return t;
}

static struct type *tp_prim(struct tparse *p, int *none)
{
	tp_ws(p);
	size_t start = p->i;
	if (p->s[p->i] == '[') {
		p->i++;
		struct type *elem = tp_elem(p);
		tp_expect(p, ']');
		if (!elem)
			return NULL;
		struct type *t = type_new(TYPE_LIST, at(p, start));
		t->elem = elem;
		return t;
	}
	if (p->s[p->i] == '{') {
		tp_error(p, start, "write an object type as a YAML mapping, not "
			 "in a string");
		return NULL;
	}
	return tp_name(p, none);
}

static struct type *tp_post(struct tparse *p, int *none)
{
	struct type *t = tp_prim(p, none);
	size_t q = p->i;
	while (tp_eat(p, '?')) {
		if (*none)
			tp_error(p, q, "'None?' is not a type");
		t = optional(t, t ? t->pos : at(p, q));
	}
	return t;
}

/* The union of the members: only T | None (in either order), which is
 * T?.  *none says whether the whole is just None. */
static struct type *tp_type(struct tparse *p, int *none)
{
	int n = 0, any_none = 0;
	struct type *t = tp_post(p, &n);
	any_none |= n;
	while (!p->failed && tp_eat(p, '|')) {
		tp_ws(p);
		size_t start = p->i;
		n = 0;
		struct type *u = tp_post(p, &n);
		any_none |= n;
		if (u && t) {
			tp_error(p, start, "unions other than 'T | None' are not "
				 "supported");
			type_free(u);
		} else if (u) {
			t = u;
		}
	}
	if (p->failed) {
		type_free(t);
		return NULL;
	}
	*none = any_none && !t;
	return any_none ? optional(t, t ? t->pos : at(p, 0)) : t;
}

static struct type *parse_string(struct diag *d, const struct ynode *v)
{
	struct tparse p = { d, v, v->str, 0, 0 };
	int none = 0;
	struct type *t = tp_type(&p, &none);
	tp_ws(&p);
	if (!p.failed && none)
		tp_error(&p, 0, "'None' alone is not a type; write 'T | None' or 'T?'");
	else if (!p.failed && p.s[p.i])
		tp_error(&p, p.i, "unexpected text after the type");
	if (p.failed) {
		type_free(t);
		return NULL;
	}
	return t;
}

/* ---- types as YAML ------------------------------------------------------ */

struct type *types_parse(struct diag *d, const struct ynode *v)
{
	if (v->kind == YNODE_SEQ) {
		if (v->nitems != 1) {
			diag_error(d, v->pos, "a list type has exactly one item, the "
				   "type of its elements: [T]");
			return NULL;
		}
		struct type *elem = types_parse(d, v->items[0]);
		if (!elem)
			return NULL;
		struct type *t = type_new(TYPE_LIST, v->pos);
		t->elem = elem;
		return t;
	}
	if (v->kind == YNODE_MAP) {
		struct type *t = type_new(TYPE_OBJECT, v->pos);
		for (size_t i = 0; i < v->npairs; i++) {
			struct type *ft = types_parse(d, v->pairs[i].value);
			if (ft)
				type_add_field(t, v->pairs[i].key->str, ft,
					       v->pairs[i].key->pos);
		}
		return t;
	}
	if (yscalar_type(v) != YSCALAR_STR || v->len == 0 ||
	    strlen(v->str) != v->len) {
		diag_error(d, v->pos, "a type must be a name like 'int', a list "
			   "like [T] or a mapping of fields, not %s",
			   v->len ? ynode_describe(v) : "nothing");
		return NULL;
	}
	return parse_string(d, v);
}

static int type_ident(const char *s)
{
	if (!ident_char(*s, 1))
		return 0;
	for (s++; *s; s++)
		if (!ident_char(*s, 0))
			return 0;
	return 1;
}

void types_parse_named(struct diag *d, const struct ynode *v,
		       struct typetab *tab)
{
	if (v->kind == YNODE_SCALAR && yscalar_type(v) == YSCALAR_NULL)
		return;
	if (v->kind != YNODE_MAP) {
		diag_error(d, v->pos, "'types' must be a mapping of type names "
			   "to types, not %s", ynode_describe(v));
		return;
	}
	tab->v = xcalloc(v->npairs + 1, sizeof *tab->v);
	for (size_t i = 0; i < v->npairs; i++) {
		const struct ynode *k = v->pairs[i].key;
		if (!type_ident(k->str)) {
			diag_error(d, k->pos, "invalid type name '%s': use letters, "
				   "digits and '_', starting with a letter or '_'",
				   k->str);
			continue;
		}
		if (strlen(k->str) > 100) {
			diag_error(d, k->pos, "type name '%s' is too long (more "
				   "than 100 characters)", k->str);
			continue;
		}
		if (type_scalar_kind(k->str) >= 0 || !strcmp(k->str, "list") ||
		    !strcmp(k->str, "dict") || !strcmp(k->str, "None"))
			diag_warning(d, k->pos, "type 'types.%s' has the name of "
				     "a built-in type; only 'types.%s' means it",
				     k->str, k->str);
		struct named_type *nt = &tab->v[tab->n++];
		nt->name = xstrdup(k->str);
		nt->pos = k->pos;
		nt->type = types_parse(d, v->pairs[i].value);
	}
}

void typetab_free(struct typetab *tab)
{
	for (size_t i = 0; i < tab->n; i++) {
		free(tab->v[i].name);
		type_free(tab->v[i].type);
	}
	free(tab->v);
	memset(tab, 0, sizeof *tab);
}

/* ---- inputs: bindings --------------------------------------------------- */

static void add_input(struct task *t, const char *key, struct srcpos pos,
		      cJSON *value)
{
	cJSON_AddItemToObject(t->input, key, value);
	t->input_keys[t->ninput_keys].key = xstrdup(key);
	t->input_keys[t->ninput_keys++].pos = pos;
}

/* The path of a ref, parsed by the expression language and limited to
 * what a ref may be: tasks.NAME.output followed by .field and [literal]. */
static struct expr *parse_ref(struct diag *d, const struct ynode *v,
			      struct srcpos pos)
{
	struct expr_error err;
	struct expr *e = expr_parse(v->str, v->len, &err);
	if (!e) {
		pos.col += (unsigned)err.pos;
		diag_error(d, pos, "%s", err.msg);
		return NULL;
	}
	const struct expr *r = e;
	while (r->kind == EXPR_FIELD || r->kind == EXPR_INDEX)
		r = r->a;
	if (!expr_is_path(e) || r->kind != EXPR_REF || r->root != ROOT_TASK) {
		diag_error(d, pos, "'ref' must be a path into an upstream task's "
			   "output, like tasks.NAME.output.field");
		expr_free(e);
		return NULL;
	}
	if (strstr(v->str, "}}")) {
		diag_error(d, pos, "'ref' must not contain '}}'");
		expr_free(e);
		return NULL;
	}
	return e;
}

/* A const is taken as it is, but the runtime reads every string of the
 * input as a possible template: each "{{" in a const string is written as
 * the template of a literal "{{" (template.h), so it stays text. */
static void quote_braces(cJSON *v)
{
	if (cJSON_IsString(v) && strstr(v->valuestring, "{{")) {
		struct strbuf sb = STRBUF_INIT;
		const char *s = v->valuestring, *hit;
		while ((hit = strstr(s, "{{"))) {
			strbuf_add(&sb, s, (size_t)(hit - s));
			strbuf_adds(&sb, "{{ '{{' }}");
			s = hit + 2;
		}
		strbuf_adds(&sb, s);
		/* cJSON's default hooks are malloc and free. */
		cJSON_free(v->valuestring);
		v->valuestring = strbuf_detach(&sb);
	}
	for (cJSON *c = v->child; c; c = c->next)
		quote_braces(c);
}

static void parse_binding(struct diag *d, const struct ypair *p,
			  struct task *t)
{
	static const char *const kinds[] = { "const", "ref", NULL };
	const struct ynode *v = p->value;
	struct binding *b = &t->inputs[t->ninputs];
	if (v->kind != YNODE_MAP || v->npairs != 1) {
		diag_error(d, v->pos, "input '%s' must be {const: VALUE} or "
			   "{ref: tasks.NAME.output.PATH}", p->key->str);
		return;
	}
	const struct ynode *k = v->pairs[0].key, *x = v->pairs[0].value;
	int is_ref = !strcmp(k->str, "ref");
	if (!is_ref && strcmp(k->str, "const")) {
		const char *near = closest_match(k->str, kinds);
		if (near)
			diag_error(d, k->pos, "unknown key '%s'; did you mean "
				   "'%s'?", k->str, near);
		else
			diag_error(d, k->pos, "unknown key '%s' (use const or ref)",
				   k->str);
		return;
	}
	b->arg = xstrdup(p->key->str);
	b->pos = p->key->pos;
	b->is_ref = is_ref;
	b->const_pos = x->pos;
	t->ninputs++;
	if (!is_ref) {
		cJSON *val = ynode_to_json(x, d);
		if (val) {
			quote_braces(val);
			add_input(t, b->arg, b->pos, val);
		}
		return;
	}
	if (yscalar_type(x) != YSCALAR_STR || x->len == 0 ||
	    strlen(x->str) != x->len) {
		diag_error(d, x->pos, "'ref' must be a path like "
			   "tasks.NAME.output.field, not %s", ynode_describe(x));
		return;
	}
	b->ref = xstrdup(x->str);
	b->ref_pos = x->pos;
	b->ref_pos.col += (unsigned)x->quote_col_offset;
	b->path = parse_ref(d, x, b->ref_pos);
	char *tmpl = xasprintf("{{ %s }}", b->ref);
	add_input(t, b->arg, b->pos, cJSON_CreateString(tmpl));
	free(tmpl);
}

void types_parse_inputs(struct diag *d, const struct ynode *v, struct task *t)
{
	if (v->kind == YNODE_SCALAR && yscalar_type(v) == YSCALAR_NULL)
		return;
	if (v->kind != YNODE_MAP) {
		diag_error(d, v->pos, "'inputs' must be a mapping of input names "
			   "to {const: VALUE} or {ref: PATH}, not %s",
			   ynode_describe(v));
		return;
	}
	if (!t->input)
		t->input = cJSON_CreateObject();
	t->inputs = xcalloc(v->npairs + 1, sizeof *t->inputs);
	t->input_keys = xrealloc(t->input_keys, (t->ninput_keys + v->npairs + 1) *
				 sizeof *t->input_keys);
	for (size_t i = 0; i < v->npairs; i++)
		parse_binding(d, &v->pairs[i], t);
}

void bindings_free(struct binding *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(b[i].arg);
		free(b[i].ref);
		expr_free(b[i].path);
	}
	free(b);
}

/* ---- assignability ------------------------------------------------------ */

static int is_datetime(enum type_kind k)
{
	return k == TYPE_DATETIME || k == TYPE_DATETIME_TZ ||
	       k == TYPE_DATETIME_UTC || k == TYPE_DATETIME_NOTZ;
}

static int scalar_assignable(enum type_kind from, enum type_kind to)
{
	switch (to) {
	case TYPE_FLOAT: return from == TYPE_FLOAT || from == TYPE_INT;
	/* Dates and times are ISO 8601 strings. */
	case TYPE_STR: return from == TYPE_STR || from == TYPE_DATE ||
			      is_datetime(from);
	case TYPE_DATETIME: return is_datetime(from);
	case TYPE_DATETIME_TZ: return from == TYPE_DATETIME_TZ ||
				      from == TYPE_DATETIME_UTC;
	default: return from == to;
	}
}

/* Objects are open, so a source may have more fields than the target
 * names; the target's required fields must all be there. */
static int object_assignable(const struct type *from, const struct type *to)
{
	for (size_t i = 0; i < to->nfields; i++) {
		const struct type_field *tf = &to->fields[i];
		const struct type_field *ff = type_field(from, tf->name);
		const struct type *want = type_resolve(tf->type);
		if (ff ? !type_assignable(ff->type, tf->type)
		       : want && want->kind != TYPE_OPTIONAL && want->kind != TYPE_ANY)
			return 0;
	}
	return 1;
}

int type_assignable(const struct type *from, const struct type *to)
{
	from = type_resolve(from);
	to = type_resolve(to);
	/* Unknown (unresolved or any) is checked at run time, not here. */
	if (!from || !to || from->kind == TYPE_ANY || to->kind == TYPE_ANY)
		return 1;
	if (to->kind == TYPE_OPTIONAL)
		return type_assignable(from->kind == TYPE_OPTIONAL ? from->elem
								   : from, to->elem);
	if (from->kind == TYPE_OPTIONAL)
		return 0;
	switch (to->kind) {
	case TYPE_LIST:
	case TYPE_DICT:
		return from->kind == to->kind && type_assignable(from->elem, to->elem);
	case TYPE_OBJECT:
		return from->kind == TYPE_OBJECT && object_assignable(from, to);
	default:
		return from->kind < TYPE_LIST && scalar_assignable(from->kind, to->kind);
	}
}

/* ---- resolving names ---------------------------------------------------- */

struct checker {
	const struct workflow *wf;
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
	const char *near = closest_match(t->name, k->cands);
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
			 struct diag *d)
{
	static const char *const builtins[] = {
		"str", "int", "float", "bool", "date", "datetime", "datetime_tz",
		"datetime_utc", "datetime_notz", "any", "list", "dict",
	};
	size_t nb = sizeof builtins / sizeof *builtins, n = wf->types.n;
	k->wf = wf;
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

/* Whether task u is a transitive upstream of task i. */
static int upstream_of(const struct workflow *wf, size_t u, size_t i)
{
	size_t n = wf->ntasks, *stack = xcalloc(n + 1, sizeof *stack), top = 0;
	unsigned char *seen = xcalloc(n + 1, 1);
	int found = 0;
	stack[top++] = i;
	seen[i] = 1;
	while (top && !found) {
		const struct task *t = &wf->tasks[stack[--top]];
		for (size_t j = 0; j < t->ndeps; j++) {
			size_t w = t->deps[j].task;
			if (w == DEP_UNRESOLVED || seen[w])
				continue;
			found |= w == u;
			seen[w] = 1;
			stack[top++] = w;
		}
	}
	free(stack);
	free(seen);
	return found;
}

/* The task a ref names, checked to be upstream of task i; -1 if not. */
static long ref_task(struct checker *k, size_t i, const struct binding *b,
		     const struct expr *root)
{
	const struct workflow *wf = k->wf;
	long u = workflow_find_task(wf, root->name);
	struct srcpos pos = ref_at(b, root->name_pos);
	if (u < 0) {
		const char **names = xcalloc(wf->ntasks + 1, sizeof *names);
		for (size_t j = 0; j < wf->ntasks; j++)
			names[j] = wf->tasks[j].name;
		const char *near = closest_match(root->name, names);
		if (near)
			diag_error(k->d, pos, "unknown task '%s' in 'ref'; did you "
				   "mean '%s'?", root->name, near);
		else
			diag_error(k->d, pos, "unknown task '%s' in 'ref'", root->name);
		free(names);
		return -1;
	}
	if ((size_t)u == i) {
		diag_error(k->d, pos, "'ref' reads task '%s' itself; a task "
			   "cannot read its own output", root->name);
		return -1;
	}
	if (!upstream_of(wf, (size_t)u, i)) {
		diag_error(k->d, pos, "'ref' reads task '%s', which is not "
			   "upstream of '%s'; add it to 'depends_on'", root->name,
			   wf->tasks[i].name);
		return -1;
	}
	return u;
}

static const struct type *input_object(const struct task *t)
{
	const struct type *it = type_resolve(t->input_type);
	return it && it->kind == TYPE_OBJECT ? it : NULL;
}

static void check_ref(struct checker *k, size_t i, const struct binding *b)
{
	const struct task *t = &k->wf->tasks[i];
	const struct expr *root = path_root(b->path);
	long u = ref_task(k, i, b, root);
	if (u < 0)
		return;
	struct reached r = { k->wf->tasks[u].output_type,
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
		struct reached r = { u->output_type, t->trigger != TRIGGER_ALL_SUCCESS };
		struct type opt = { .kind = TYPE_OPTIONAL,
				    .elem = (struct type *)u->output_type };
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
	check_upstream_fields(k, t, it);
	check_required(k, t, it);
}

/* ---- all of it ---------------------------------------------------------- */

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

int types_check(const struct workflow *wf, struct diag *d)
{
	if (!typed(wf))
		return 0;
	unsigned before = d->nerrors;
	struct checker k;
	checker_init(&k, wf, d);
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
	return (int)(d->nerrors - before);
}
