/* exprcheck: see exprcheck.h. */
#include "exprcheck.h"

#include <stdlib.h>
#include <string.h>

#include "template.h"
#include "util.h"

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
static int cursor_at(struct diag *d, const struct ynode *n, struct cursor *c)
{
	const char *p, *end = d->src + d->srclen;
	size_t len;
	if (n->pos.col == 0 || !(p = diag_source_line(d, n->pos.line, &len)))
		return -1;
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

struct srcpos scalar_offset_pos(struct diag *d, const struct ynode *n,
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
	struct diag *d;
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
	x->task = EXREF_NONE;
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
