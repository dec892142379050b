/* types: see types.h.
 *
 * Parsing builds type trees with names unresolved; the check pass
 * (check.c) resolves them once every named type is known (names may be
 * used before they are defined), cuts cycles, and then runs the data-flow
 * checks, which can therefore assume every walk over a type ends. */
#include "types.h"

#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "jsonx.h"
#include "util.h"

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

void typetab_release(struct typetab *tab)
{
	for (size_t i = 0; i < tab->n; i++) {
		free(tab->v[i].name);
		type_free(tab->v[i].type);
	}
	free(tab->v);
	memset(tab, 0, sizeof *tab);
}

/* ---- inputs: bindings --------------------------------------------------- */

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
			  struct binding *b, size_t *nb)
{
	static const char *const kinds[] = { "const", "ref", NULL };
	const struct ynode *v = p->value;
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
	b->task = EXREF_NONE;
	(*nb)++;
	if (!is_ref) {
		b->value = ynode_to_json(x, d);
		if (b->value)
			quote_braces(b->value);
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
	b->value = cJSON_CreateString(tmpl);
	free(tmpl);
}

void types_parse_inputs(struct diag *d, const struct ynode *v,
			struct binding **out, size_t *n)
{
	if (v->kind == YNODE_SCALAR && yscalar_type(v) == YSCALAR_NULL)
		return;
	if (v->kind != YNODE_MAP) {
		diag_error(d, v->pos, "'inputs' must be a mapping of input names "
			   "to {const: VALUE} or {ref: PATH}, not %s",
			   ynode_describe(v));
		return;
	}
	*out = xcalloc(v->npairs + 1, sizeof **out);
	for (size_t i = 0; i < v->npairs; i++)
		parse_binding(d, &v->pairs[i], &(*out)[*n], n);
}

void bindings_free(struct binding *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(b[i].arg);
		free(b[i].ref);
		expr_free(b[i].path);
		cJSON_Delete(b[i].value);
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
