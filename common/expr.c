/* expr: see expr.h.
 *
 * Three parts: the constructors the grammar calls, name resolution (which
 * turns the parser's bare identifiers and field chains into references,
 * so that orkc and ork agree on what every name means), and evaluation.
 * Evaluation hands values around as borrowed-or-owned pairs, so a field
 * of a 100 MB upstream output is reached without copying the output. */
#include "expr.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr-int.h"
#include "expr-parse.h"
#include "jsonx.h"

/* The flex side of the parser (expr-lex.l); yyscan_t is a void *. */
int expr_yylex_init_extra(struct expr_parser *extra, void **scanner);
int expr_yylex_destroy(void *scanner);
void *expr_yy_scan_bytes(const char *bytes, int len, void *scanner);

/* ---- errors and constructors ------------------------------------------- */

static void verror(struct expr_error *err, size_t pos, const char *fmt,
		   va_list ap)
{
	err->pos = pos;
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
}

void expr_fail(struct expr_parser *ps, size_t pos, const char *fmt, ...)
{
	if (ps->failed)
		return;
	ps->failed = 1;
	va_list ap;
	va_start(ap, fmt);
	verror(ps->err, pos, fmt, ap);
	va_end(ap);
}

static struct expr *mk(enum expr_kind kind, size_t pos, size_t end)
{
	struct expr *e = xcalloc(1, sizeof *e);
	e->kind = kind;
	e->pos = pos;
	e->end = end;
	e->name_pos = pos;
	e->depth = 1;
	return e;
}

/* The depth of a node over its operands a and b. */
static void set_depth(struct expr *e)
{
	size_t d = 0;
	if (e->a && e->a->depth > d)
		d = e->a->depth;
	if (e->b && e->b->depth > d)
		d = e->b->depth;
	e->depth = d + 1;
}

int expr_too_deep(struct expr_parser *ps, struct expr *e)
{
	if (e->depth <= EXPR_MAX_DEPTH)
		return 0;
	/* Report where the part that made it too deep starts: the right
	 * operand, the member, the index, the last item, or the operator. */
	size_t pos = e->pos;
	if (e->nargs)
		pos = e->args[e->nargs - 1]->pos;
	else if (e->b)
		pos = e->b->pos;
	else if (e->kind == EXPR_FIELD)
		pos = e->name_pos;
	expr_fail(ps, pos, "expression too deeply nested (limit %d)",
		  EXPR_MAX_DEPTH);
	expr_free(e);
	return 1;
}

struct expr *mk_literal(cJSON *v, size_t pos, size_t end)
{
	struct expr *e = mk(EXPR_LITERAL, pos, end);
	e->lit = v;
	return e;
}

struct expr *mk_var(char *name, size_t pos, size_t end)
{
	struct expr *e = mk(EXPR_VAR, pos, end);
	e->name = name;
	return e;
}

struct expr *mk_field(struct expr *base, char *name, size_t name_pos,
		      size_t end)
{
	struct expr *e = mk(EXPR_FIELD, base->pos, end);
	e->a = base;
	e->name = name;
	e->name_pos = name_pos;
	set_depth(e);
	return e;
}

struct expr *mk_index(struct expr *base, struct expr *idx, size_t end)
{
	struct expr *e = mk(EXPR_INDEX, base->pos, end);
	e->a = base;
	e->b = idx;
	e->name_pos = idx->pos;
	set_depth(e);
	return e;
}

struct expr *mk_unary(enum expr_kind kind, struct expr *a, size_t pos)
{
	struct expr *e = mk(kind, pos, a->end);
	e->a = a;
	set_depth(e);
	return e;
}

struct expr *mk_binary(enum expr_op op, struct expr *a, struct expr *b)
{
	struct expr *e = mk(EXPR_BINARY, a->pos, b->end);
	e->op = op;
	e->a = a;
	e->b = b;
	set_depth(e);
	return e;
}

struct expr *mk_logic(enum expr_kind kind, struct expr *a, struct expr *b)
{
	struct expr *e = mk(kind, a->pos, b->end);
	e->a = a;
	e->b = b;
	set_depth(e);
	return e;
}

struct expr *mk_list(size_t pos)
{
	return mk(EXPR_LIST, pos, pos);
}

struct expr *mk_append(struct expr *list, struct expr *item)
{
	list->args = xgrow(list->args, &list->capargs, list->nargs + 1,
			   sizeof *list->args);
	list->args[list->nargs++] = item;
	list->end = item->end;
	if (item->depth + 1 > list->depth)
		list->depth = item->depth + 1;
	return list;
}

struct expr *mk_call(char *name, size_t pos, struct expr *args, size_t end)
{
	args->kind = EXPR_CALL;
	args->name = name;
	args->pos = args->name_pos = pos;
	args->end = end;
	return args;
}

struct expr *mk_span(struct expr *e, size_t pos, size_t end)
{
	e->pos = pos;
	e->end = end;
	return e;
}

void expr_free(struct expr *e)
{
	if (!e)
		return;
	free(e->name);
	cJSON_Delete(e->lit);
	expr_free(e->a);
	expr_free(e->b);
	for (size_t i = 0; i < e->nargs; i++)
		expr_free(e->args[i]);
	free(e->args);
	free(e);
}

/* ---- tokens ------------------------------------------------------------- */

cJSON *expr_lex_number(struct expr_parser *ps, const char *text, size_t len,
		       size_t pos)
{
	char buf[64];
	if (len >= sizeof buf) {
		expr_fail(ps, pos, "number '%.20s...' is too long", text);
		return NULL;
	}
	memcpy(buf, text, len);
	buf[len] = '\0';
	errno = 0;
	double d = strtod(buf, NULL);
	if (errno == ERANGE && (d > 1 || d < -1)) {
		expr_fail(ps, pos, "number '%s' is out of range", buf);
		return NULL;
	}
	return cJSON_CreateNumber(d);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits at p, or -1. */
static long hex4(const char *p, const char *end)
{
	long v = 0;
	for (int i = 0; i < 4; i++) {
		int h = p + i < end ? hexval(p[i]) : -1;
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

static void add_utf8(struct strbuf *sb, unsigned long c)
{
	if (c < 0x80) {
		strbuf_addc(sb, (char)c);
	} else if (c < 0x800) {
		strbuf_addc(sb, (char)(0xc0 | (c >> 6)));
		strbuf_addc(sb, (char)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		strbuf_addc(sb, (char)(0xe0 | (c >> 12)));
		strbuf_addc(sb, (char)(0x80 | ((c >> 6) & 0x3f)));
		strbuf_addc(sb, (char)(0x80 | (c & 0x3f)));
	} else {
		strbuf_addc(sb, (char)(0xf0 | (c >> 18)));
		strbuf_addc(sb, (char)(0x80 | ((c >> 12) & 0x3f)));
		strbuf_addc(sb, (char)(0x80 | ((c >> 6) & 0x3f)));
		strbuf_addc(sb, (char)(0x80 | (c & 0x3f)));
	}
}

/* A \u escape at p (pointing at the backslash), surrogate pairs joined;
 * returns the bytes consumed, or 0 when invalid. */
static size_t unicode_escape(const char *p, const char *end, unsigned long *out)
{
	long hi = hex4(p + 2, end);
	if (hi < 0)
		return 0;
	if (hi < 0xd800 || hi > 0xdfff) {
		*out = (unsigned long)hi;
		return 6;
	}
	if (hi > 0xdbff || end - p < 12 || p[6] != '\\' || p[7] != 'u')
		return 0;
	long lo = hex4(p + 8, end);
	if (lo < 0xdc00 || lo > 0xdfff)
		return 0;
	*out = 0x10000 + (((unsigned long)hi - 0xd800) << 10) +
	       ((unsigned long)lo - 0xdc00);
	return 12;
}

cJSON *expr_lex_string(struct expr_parser *ps, const char *text, size_t len,
		       size_t pos)
{
	static const char simple[] = "n\nt\tr\r\\\\''\"\"//b\bf\f";
	struct strbuf sb = STRBUF_INIT;
	const char *p = text + 1, *end = text + len - 1;
	while (p < end) {
		if (*p == '\0') {
			expr_fail(ps, pos + (size_t)(p - text), "NUL character "
				  "in string");
			goto bad;
		}
		if (*p != '\\') {
			strbuf_addc(&sb, *p++);
			continue;
		}
		size_t at = pos + (size_t)(p - text);
		const char *s = NULL;
		for (size_t i = 0; simple[i]; i += 2)
			if (simple[i] == p[1])
				s = &simple[i + 1];
		if (s) {
			strbuf_addc(&sb, *s);
			p += 2;
			continue;
		}
		unsigned long c;
		size_t n = p[1] == 'u' ? unicode_escape(p, end, &c) : 0;
		if (n == 0 || c == 0) {
			if (p[1] == 'u' && n)
				expr_fail(ps, at, "NUL character in string");
			else if (p[1] == 'u')
				expr_fail(ps, at, "invalid \\u escape in string");
			else if ((unsigned char)p[1] >= 0x20 &&
				 (unsigned char)p[1] < 0x7f)
				expr_fail(ps, at, "invalid escape '\\%c' in string",
					  p[1]);
			else
				expr_fail(ps, at, "invalid escape in string");
			goto bad;
		}
		add_utf8(&sb, c);
		p += n;
	}
	cJSON *v = cJSON_CreateString(strbuf_str(&sb));
	strbuf_release(&sb);
	return v;
bad:
	strbuf_release(&sb);
	return NULL;
}

/* ---- names -------------------------------------------------------------- */

static const char *const functions[] = {
	"len", "default", "str", "int", "float", "json", "lower", "upper", NULL
};
static const char *const run_names[] = {
	"id", "date", "time", "workflow", NULL
};

static int in_list_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

static int is_namespace(const struct expr *e)
{
	return e->kind == EXPR_VAR &&
	       (!strcmp(e->name, "tasks") || !strcmp(e->name, "params") ||
		!strcmp(e->name, "run") || !strcmp(e->name, "env"));
}

static struct expr *mk_ref(enum expr_root root, char *name, size_t pos,
			   size_t name_pos, size_t end)
{
	struct expr *e = mk(EXPR_REF, pos, end);
	e->root = root;
	e->name = name;
	e->name_pos = name_pos;
	return e;
}

/* base.name, with base already resolved: namespaces and task names take
 * their member here; anything else is an ordinary field access.  Takes
 * ownership of base and name. */
static struct expr *apply_field(struct expr_parser *ps, struct expr *base,
				char *name, size_t name_pos, size_t end)
{
	struct expr *r = NULL;
	if (is_namespace(base)) {
		const char *ns = base->name;
		if (!strcmp(ns, "tasks")) {
			r = mk(EXPR_TASKS, base->pos, end);
			r->name = name;
			r->name_pos = name_pos;
		} else if (!strcmp(ns, "run")) {
			size_t i = 0;
			while (run_names[i] && strcmp(run_names[i], name))
				i++;
			if (!run_names[i])
				expr_fail(ps, name_pos, "unknown name 'run.%s' "
					  "(use run.id, run.date, run.time or "
					  "run.workflow)", name);
			r = mk_ref(ROOT_RUN, name, base->pos, name_pos, end);
		} else {
			r = mk_ref(!strcmp(ns, "params") ? ROOT_PARAM : ROOT_ENV,
				   name, base->pos, name_pos, end);
		}
		expr_free(base);
		return r;
	}
	if (base->kind == EXPR_TASKS) {
		if (strcmp(name, "output"))
			expr_fail(ps, name_pos, "expected 'output' after "
				  "'tasks.%s', not '%s'", base->name, name);
		r = mk_ref(ROOT_TASK, base->name, base->pos, base->name_pos, end);
		base->name = NULL;
		expr_free(base);
		free(name);
		return r;
	}
	if (base->kind == EXPR_REF && base->bare) {
		base->bare = 0;
		if (!strcmp(name, "output")) {
			base->end = end;
			free(name);
			return base;
		}
	}
	return mk_field(base, name, name_pos, end);
}

static struct expr *resolve(struct expr_parser *ps, struct expr *e);

/* What a leftover namespace or tasks.NAME was missing. */
static void check_operand(struct expr_parser *ps, const struct expr *e)
{
	if (e->kind == EXPR_TASKS) {
		expr_fail(ps, e->end, "expected '.output' after 'tasks.%s'",
			  e->name);
	} else if (is_namespace(e)) {
		if (!strcmp(e->name, "tasks"))
			expr_fail(ps, e->pos, "'tasks' needs a task name: "
				  "tasks.NAME.output");
		else if (!strcmp(e->name, "run"))
			expr_fail(ps, e->pos, "'run' needs a name: run.id, "
				  "run.date, run.time or run.workflow");
		else
			expr_fail(ps, e->pos, "'%s' needs a name: %s.NAME",
				  e->name, e->name);
	}
}

static struct expr *resolve_operand(struct expr_parser *ps, struct expr *e)
{
	e = resolve(ps, e);
	check_operand(ps, e);
	if (e->kind == EXPR_REF)
		e->bare = 0;
	return e;
}

static void check_call(struct expr_parser *ps, const struct expr *e)
{
	if (!in_list_of(e->name, functions)) {
		const char *near = closest_match(e->name, functions);
		if (near)
			expr_fail(ps, e->name_pos, "unknown function '%s'; did "
				  "you mean '%s'?", e->name, near);
		else
			expr_fail(ps, e->name_pos, "unknown function '%s'",
				  e->name);
		return;
	}
	size_t want = !strcmp(e->name, "default") ? 2 : 1;
	if (e->nargs != want)
		expr_fail(ps, e->name_pos, "%s() takes %zu argument%s, not %zu",
			  e->name, want, want == 1 ? "" : "s", e->nargs);
}

static struct expr *resolve(struct expr_parser *ps, struct expr *e)
{
	switch (e->kind) {
	case EXPR_VAR:
		if (is_namespace(e))
			return e;
		if (!strcmp(e->name, "item") || !strcmp(e->name, "index")) {
			e->kind = EXPR_REF;
			e->root = !strcmp(e->name, "item") ? ROOT_ITEM : ROOT_INDEX;
			return e;
		}
		e->kind = EXPR_REF;
		e->root = ROOT_TASK;
		e->bare = 1;
		return e;
	case EXPR_FIELD: {
		struct expr *base = resolve(ps, e->a);
		char *name = e->name;
		size_t name_pos = e->name_pos, end = e->end;
		e->a = NULL;
		e->name = NULL;
		expr_free(e);
		return apply_field(ps, base, name, name_pos, end);
	}
	case EXPR_INDEX: {
		struct expr *base = resolve(ps, e->a);
		struct expr *idx = resolve_operand(ps, e->b);
		int named = is_namespace(base) || base->kind == EXPR_TASKS ||
			    (base->kind == EXPR_REF && base->bare);
		if (named && idx->kind == EXPR_LITERAL && cJSON_IsString(idx->lit)) {
			char *name = xstrdup(idx->lit->valuestring);
			size_t name_pos = idx->pos + 1, end = e->end;
			e->a = NULL;
			expr_free(e);
			return apply_field(ps, base, name, name_pos, end);
		}
		check_operand(ps, base);
		if (base->kind == EXPR_REF)
			base->bare = 0;
		e->a = base;
		e->b = idx;
		return e;
	}
	default:
		break;
	}
	if (e->a)
		e->a = resolve_operand(ps, e->a);
	if (e->b)
		e->b = resolve_operand(ps, e->b);
	for (size_t i = 0; i < e->nargs; i++)
		e->args[i] = resolve_operand(ps, e->args[i]);
	if (e->kind == EXPR_CALL)
		check_call(ps, e);
	return e;
}

struct expr *expr_parse(const char *src, size_t len, struct expr_error *err)
{
	struct expr_parser ps;
	memset(&ps, 0, sizeof ps);
	memset(err, 0, sizeof *err);
	ps.src = src;
	ps.len = len;
	ps.err = err;
	if (len > 1 << 20) {
		expr_fail(&ps, 0, "expression is too long");
		return NULL;
	}
	void *scanner;
	if (expr_yylex_init_extra(&ps, &scanner))
		die(2, "cannot start the expression scanner");
	expr_yy_scan_bytes(src, (int)len, scanner);
	int rc = expr_yyparse(scanner, &ps);
	expr_yylex_destroy(scanner);
	if (rc == 0 && !ps.failed)
		ps.result = resolve_operand(&ps, ps.result);
	if (rc != 0 || ps.failed) {
		if (!ps.failed)
			expr_fail(&ps, len, "invalid expression");
		expr_free(ps.result);
		return NULL;
	}
	return ps.result;
}

/* ---- walking ------------------------------------------------------------ */

void expr_walk_refs(const struct expr *e, expr_ref_fn *fn, void *ctx)
{
	if (!e)
		return;
	if (e->kind == EXPR_REF) {
		fn(ctx, e);
		return;
	}
	expr_walk_refs(e->a, fn, ctx);
	expr_walk_refs(e->b, fn, ctx);
	for (size_t i = 0; i < e->nargs; i++)
		expr_walk_refs(e->args[i], fn, ctx);
}

int expr_is_path(const struct expr *e)
{
	while (e->kind == EXPR_FIELD ||
	       (e->kind == EXPR_INDEX && e->b->kind == EXPR_LITERAL))
		e = e->a;
	return e->kind == EXPR_REF;
}

/* ---- values ------------------------------------------------------------- */

/* Inside the evaluator null is a NULL pointer, so a missing member needs
 * no allocation; a value is owned (free it) or borrowed (from the scope or
 * from inside another value). */
struct val {
	cJSON *v;
	int owned;
};

static void val_drop(struct val *x)
{
	if (x->owned)
		cJSON_Delete(x->v);
	x->v = NULL;
	x->owned = 0;
}

static struct val owned(cJSON *v)
{
	struct val x = {v, 1};
	return x;
}

static struct val borrowed(const cJSON *v)
{
	struct val x = {(cJSON *)v, 0};
	return x;
}

static int is_null(const cJSON *v)
{
	return !v || cJSON_IsNull(v);
}

const char *expr_type_name(const cJSON *v)
{
	if (is_null(v))
		return "null";
	if (cJSON_IsString(v))
		return "string";
	if (cJSON_IsNumber(v) || cJSON_IsRaw(v))
		return "number";
	if (cJSON_IsBool(v))
		return "boolean";
	if (cJSON_IsArray(v))
		return "array";
	return "object";
}

/* "a string", "an array", "null": for "len() of a number". */
static const char *a_type(const cJSON *v)
{
	if (is_null(v))
		return "null";
	if (cJSON_IsArray(v))
		return "an array";
	if (cJSON_IsObject(v))
		return "an object";
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsBool(v))
		return "a boolean";
	return "a number";
}

int expr_truthy(const cJSON *v)
{
	if (is_null(v) || cJSON_IsFalse(v))
		return 0;
	if (cJSON_IsNumber(v))
		return v->valuedouble != 0;
	if (cJSON_IsString(v))
		return v->valuestring[0] != '\0';
	if (cJSON_IsArray(v) || cJSON_IsObject(v))
		return v->child != NULL;
	return 1;
}

void expr_render(struct strbuf *out, const cJSON *v)
{
	if (cJSON_IsString(v))
		strbuf_adds(out, v->valuestring);
	else if (is_null(v))
		strbuf_adds(out, "null");
	else
		jsonx_write(out, v, 0);
}

static int deep_equal(const cJSON *a, const cJSON *b)
{
	if (is_null(a) || is_null(b))
		return is_null(a) && is_null(b);
	if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
		return a->valuedouble == b->valuedouble;
	if (cJSON_IsBool(a) && cJSON_IsBool(b))
		return cJSON_IsTrue(a) == cJSON_IsTrue(b);
	if (cJSON_IsString(a) && cJSON_IsString(b))
		return !strcmp(a->valuestring, b->valuestring);
	if (cJSON_IsArray(a) && cJSON_IsArray(b)) {
		const cJSON *x = a->child, *y = b->child;
		for (; x && y; x = x->next, y = y->next)
			if (!deep_equal(x, y))
				return 0;
		return !x && !y;
	}
	if (cJSON_IsObject(a) && cJSON_IsObject(b)) {
		if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
			return 0;
		for (const cJSON *x = a->child; x; x = x->next) {
			const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, x->string);
			if (!y || !deep_equal(x, y))
				return 0;
		}
		return 1;
	}
	return 0;
}

/* floor() without libm: ork links no libm.  Doubles this large are
 * integers already. */
static double floor_(double d)
{
	if (d >= 9e18 || d <= -9e18)
		return d;
	double f = (double)(long long)d;
	return f > d ? f - 1 : f;
}

static double trunc_(double d)
{
	if (d >= 9e18 || d <= -9e18)
		return d;
	return (double)(long long)d;
}

static int is_integral(double d)
{
	return trunc_(d) == d;
}

/* ---- evaluation --------------------------------------------------------- */

struct eval {
	const struct expr_scope *sc;
	struct expr_error *err;
	int failed;
};

static int fail(struct eval *ev, const struct expr *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct eval *ev, const struct expr *at, const char *fmt, ...)
{
	if (ev->failed)
		return -1;
	ev->failed = 1;
	va_list ap;
	va_start(ap, fmt);
	verror(ev->err, at->pos, fmt, ap);
	va_end(ap);
	return -1;
}

static int eval(struct eval *ev, const struct expr *e, struct val *out);

static int eval_ref(struct eval *ev, const struct expr *e, struct val *out)
{
	int failed = 0;
	struct expr_error err;
	memset(&err, 0, sizeof err);
	const cJSON *v = ev->sc->lookup(ev->sc->ctx, e->root, e->name, &err,
					&failed);
	if (failed)
		return fail(ev, e, "%s", err.msg);
	*out = borrowed(v);
	return 0;
}

static int eval_field(struct eval *ev, const struct expr *e, struct val *out)
{
	struct val base;
	if (eval(ev, e->a, &base) < 0)
		return -1;
	if (is_null(base.v)) {
		*out = borrowed(NULL);
		val_drop(&base);
		return 0;
	}
	if (!cJSON_IsObject(base.v)) {
		fail(ev, e, "cannot access field '%s' of %s", e->name,
		     a_type(base.v));
		val_drop(&base);
		return -1;
	}
	cJSON *m = cJSON_GetObjectItemCaseSensitive(base.v, e->name);
	if (base.owned && m) {
		cJSON_DetachItemViaPointer(base.v, m);
		*out = owned(m);
	} else {
		*out = borrowed(m);
	}
	val_drop(&base);
	return 0;
}

/* The member base[idx]; fills *m (NULL: null).  Returns -1 after fail. */
static int index_of(struct eval *ev, const struct expr *e, const cJSON *base,
		    const cJSON *idx, cJSON **m)
{
	*m = NULL;
	if (is_null(base))
		return 0;
	if (cJSON_IsArray(base) && cJSON_IsNumber(idx)) {
		double d = idx->valuedouble;
		if (!is_integral(d))
			return fail(ev, e->b, "index %g is not an integer", d);
		double n = cJSON_GetArraySize(base);
		if (d < 0)
			d += n;
		if (d >= 0 && d < n)
			*m = cJSON_GetArrayItem(base, (int)d);
		return 0;
	}
	if (cJSON_IsObject(base) && cJSON_IsString(idx)) {
		*m = cJSON_GetObjectItemCaseSensitive(base, idx->valuestring);
		return 0;
	}
	if (cJSON_IsArray(base) || cJSON_IsObject(base))
		return fail(ev, e->b, "cannot index %s with %s", a_type(base),
			    a_type(idx));
	return fail(ev, e, "cannot index %s", a_type(base));
}

static int eval_index(struct eval *ev, const struct expr *e, struct val *out)
{
	struct val base, idx;
	if (eval(ev, e->a, &base) < 0)
		return -1;
	if (eval(ev, e->b, &idx) < 0) {
		val_drop(&base);
		return -1;
	}
	cJSON *m;
	int rc = index_of(ev, e, base.v, idx.v, &m);
	if (rc == 0 && base.owned && m) {
		cJSON_DetachItemViaPointer(base.v, m);
		*out = owned(m);
	} else if (rc == 0) {
		*out = borrowed(m);
	}
	val_drop(&base);
	val_drop(&idx);
	return rc;
}

static int number_result(struct eval *ev, const struct expr *e, double d,
			 struct val *out)
{
	if (d != d || d > 1.7976931348623157e308 || d < -1.7976931348623157e308)
		return fail(ev, e, "result is out of range");
	*out = owned(cJSON_CreateNumber(d));
	return 0;
}

static const char *const op_verbs[] = {
	[OP_ADD] = "add", [OP_SUB] = "subtract", [OP_MUL] = "multiply",
	[OP_DIV] = "divide", [OP_MOD] = "take the modulo of",
};

/* Python's %: the result takes the divisor's sign. */
static double modulo(double a, double b)
{
	if (is_integral(a) && is_integral(b) && a < 9e15 && a > -9e15 &&
	    b < 9e15 && b > -9e15) {
		long long x = (long long)a, y = (long long)b, r = x % y;
		if (r != 0 && (r < 0) != (y < 0))
			r += y;
		return (double)r;
	}
	return a - b * floor_(a / b);
}

static cJSON *concat(const cJSON *a, const cJSON *b)
{
	if (cJSON_IsString(a)) {
		char *s = xasprintf("%s%s", a->valuestring, b->valuestring);
		cJSON *r = cJSON_CreateString(s);
		free(s);
		return r;
	}
	cJSON *r = cJSON_Duplicate(a, 1);
	for (const cJSON *x = b->child; x; x = x->next) {
		cJSON *c = cJSON_Duplicate(x, 1);
		if (cJSON_IsArray(r))
			cJSON_AddItemToArray(r, c);
		else if (cJSON_GetObjectItemCaseSensitive(r, x->string))
			cJSON_ReplaceItemInObjectCaseSensitive(r, x->string, c);
		else
			cJSON_AddItemToObject(r, x->string, c);
	}
	return r;
}

static int arith(struct eval *ev, const struct expr *e, const cJSON *a,
		 const cJSON *b, struct val *out)
{
	if (e->op == OP_ADD && !is_null(a) && !is_null(b) &&
	    ((cJSON_IsString(a) && cJSON_IsString(b)) ||
	     (cJSON_IsArray(a) && cJSON_IsArray(b)) ||
	     (cJSON_IsObject(a) && cJSON_IsObject(b)))) {
		*out = owned(concat(a, b));
		return 0;
	}
	if (!cJSON_IsNumber(a) || !cJSON_IsNumber(b))
		return fail(ev, e, "cannot %s %s and %s", op_verbs[e->op],
			    expr_type_name(a), expr_type_name(b));
	double x = a->valuedouble, y = b->valuedouble;
	switch (e->op) {
	case OP_ADD: return number_result(ev, e, x + y, out);
	case OP_SUB: return number_result(ev, e, x - y, out);
	case OP_MUL: return number_result(ev, e, x * y, out);
	case OP_DIV:
		if (y == 0)
			return fail(ev, e, "division by zero");
		return number_result(ev, e, x / y, out);
	default:
		if (y == 0)
			return fail(ev, e, "modulo by zero");
		return number_result(ev, e, modulo(x, y), out);
	}
}

static int compare(struct eval *ev, const struct expr *e, const cJSON *a,
		   const cJSON *b, struct val *out)
{
	int c;
	if (e->op == OP_EQ || e->op == OP_NE) {
		int eq = deep_equal(a, b);
		*out = owned(cJSON_CreateBool(e->op == OP_EQ ? eq : !eq));
		return 0;
	}
	if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
		c = a->valuedouble < b->valuedouble ? -1 :
		    a->valuedouble > b->valuedouble;
	else if (cJSON_IsString(a) && cJSON_IsString(b))
		c = strcmp(a->valuestring, b->valuestring);
	else
		return fail(ev, e, "cannot compare %s with %s",
			    expr_type_name(a), expr_type_name(b));
	int r = e->op == OP_LT ? c < 0 : e->op == OP_LE ? c <= 0 :
		e->op == OP_GT ? c > 0 : c >= 0;
	*out = owned(cJSON_CreateBool(r));
	return 0;
}

static int eval_binary(struct eval *ev, const struct expr *e, struct val *out)
{
	struct val a, b;
	if (eval(ev, e->a, &a) < 0)
		return -1;
	if (eval(ev, e->b, &b) < 0) {
		val_drop(&a);
		return -1;
	}
	int rc = e->op <= OP_GE ? compare(ev, e, a.v, b.v, out)
				: arith(ev, e, a.v, b.v, out);
	val_drop(&a);
	val_drop(&b);
	return rc;
}

/* ---- functions ---------------------------------------------------------- */

static size_t utf8_len(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* A whole string as a number: blanks around it allowed, nothing else
 * (no hex, inf or nan, which strtod would take).  integer: digits only. */
static int parse_number(const char *s, int integer, double *out)
{
	const char *p = s;
	while (*p == ' ' || *p == '\t')
		p++;
	const char *allowed = integer ? "0123456789+-" : "0123456789+-.eE";
	size_t n = strspn(p, allowed);
	const char *q = p + n;
	while (*q == ' ' || *q == '\t')
		q++;
	if (n == 0 || *q || (integer && strspn(p + (*p == '-' || *p == '+'),
					       "0123456789") != n - (*p == '-' || *p == '+')))
		return -1;
	char *end;
	errno = 0;
	double d = strtod(p, &end);
	if (end != p + n || errno == ERANGE)
		return -1;
	*out = d;
	return 0;
}

static int to_number(struct eval *ev, const struct expr *e, const char *fn,
		     const cJSON *v, double *out)
{
	if (cJSON_IsNumber(v)) {
		*out = v->valuedouble;
		return 0;
	}
	if (cJSON_IsBool(v)) {
		*out = cJSON_IsTrue(v);
		return 0;
	}
	if (cJSON_IsString(v)) {
		if (parse_number(v->valuestring, fn[0] == 'i', out) == 0)
			return 0;
		return fail(ev, e, "%s() of '%.60s': not %s", fn, v->valuestring,
			    fn[0] == 'i' ? "an integer" : "a number");
	}
	return fail(ev, e, "%s() of %s", fn, a_type(v));
}

static int call_len(struct eval *ev, const struct expr *e, const cJSON *v,
		    struct val *out)
{
	if (cJSON_IsString(v))
		*out = owned(cJSON_CreateNumber((double)utf8_len(v->valuestring)));
	else if (cJSON_IsArray(v) || cJSON_IsObject(v))
		*out = owned(cJSON_CreateNumber(cJSON_GetArraySize(v)));
	else
		return fail(ev, e, "len() of %s", a_type(v));
	return 0;
}

static int call_case(struct eval *ev, const struct expr *e, const cJSON *v,
		     struct val *out)
{
	if (!cJSON_IsString(v))
		return fail(ev, e, "%s() of %s", e->name, a_type(v));
	char *s = xstrdup(v->valuestring);
	for (char *p = s; *p; p++) {
		if (e->name[0] == 'l' && *p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
		else if (e->name[0] == 'u' && *p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	}
	*out = owned(cJSON_CreateString(s));
	free(s);
	return 0;
}

/* One-argument functions, on the evaluated argument. */
static int call1(struct eval *ev, const struct expr *e, const cJSON *v,
		 struct val *out)
{
	const char *f = e->name;
	double d;
	if (!strcmp(f, "len"))
		return call_len(ev, e, v, out);
	if (!strcmp(f, "lower") || !strcmp(f, "upper"))
		return call_case(ev, e, v, out);
	if (!strcmp(f, "int")) {
		if (to_number(ev, e, f, v, &d) < 0)
			return -1;
		return number_result(ev, e, trunc_(d), out);
	}
	if (!strcmp(f, "float")) {
		if (to_number(ev, e, f, v, &d) < 0)
			return -1;
		return number_result(ev, e, d, out);
	}
	struct strbuf sb = STRBUF_INIT;
	if (!strcmp(f, "str"))
		expr_render(&sb, v);
	else if (is_null(v))
		strbuf_adds(&sb, "null");
	else
		jsonx_write(&sb, v, 0);
	*out = owned(cJSON_CreateString(strbuf_str(&sb)));
	strbuf_release(&sb);
	return 0;
}

static int eval_call(struct eval *ev, const struct expr *e, struct val *out)
{
	struct val a;
	if (eval(ev, e->args[0], &a) < 0)
		return -1;
	if (!strcmp(e->name, "default")) {
		/* The fallback is evaluated only when needed. */
		if (!is_null(a.v)) {
			*out = a;
			return 0;
		}
		val_drop(&a);
		return eval(ev, e->args[1], out);
	}
	int rc = call1(ev, e, a.v, out);
	val_drop(&a);
	return rc;
}

static int eval_list(struct eval *ev, const struct expr *e, struct val *out)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < e->nargs; i++) {
		struct val x;
		if (eval(ev, e->args[i], &x) < 0) {
			cJSON_Delete(arr);
			return -1;
		}
		cJSON *item = x.owned ? x.v : is_null(x.v) ? cJSON_CreateNull()
				      : cJSON_Duplicate(x.v, 1);
		if (!item)
			item = cJSON_CreateNull();
		cJSON_AddItemToArray(arr, item);
	}
	*out = owned(arr);
	return 0;
}

static int eval_logic(struct eval *ev, const struct expr *e, struct val *out)
{
	struct val a;
	if (eval(ev, e->a, &a) < 0)
		return -1;
	int t = expr_truthy(a.v);
	val_drop(&a);
	if (e->kind == EXPR_NOT) {
		*out = owned(cJSON_CreateBool(!t));
		return 0;
	}
	if (e->kind == EXPR_AND ? !t : t) {
		*out = owned(cJSON_CreateBool(t));
		return 0;
	}
	struct val b;
	if (eval(ev, e->b, &b) < 0)
		return -1;
	*out = owned(cJSON_CreateBool(expr_truthy(b.v)));
	val_drop(&b);
	return 0;
}

static int eval(struct eval *ev, const struct expr *e, struct val *out)
{
	*out = borrowed(NULL);
	switch (e->kind) {
	case EXPR_LITERAL:
		*out = borrowed(e->lit);
		return 0;
	case EXPR_REF:
		return eval_ref(ev, e, out);
	case EXPR_FIELD:
		return eval_field(ev, e, out);
	case EXPR_INDEX:
		return eval_index(ev, e, out);
	case EXPR_NOT: case EXPR_AND: case EXPR_OR:
		return eval_logic(ev, e, out);
	case EXPR_NEG: {
		struct val a;
		if (eval(ev, e->a, &a) < 0)
			return -1;
		int rc = cJSON_IsNumber(a.v)
			? number_result(ev, e, -a.v->valuedouble, out)
			: fail(ev, e, "cannot negate %s", a_type(a.v));
		val_drop(&a);
		return rc;
	}
	case EXPR_BINARY:
		return eval_binary(ev, e, out);
	case EXPR_CALL:
		return eval_call(ev, e, out);
	case EXPR_LIST:
		return eval_list(ev, e, out);
	default:
		return fail(ev, e, "unresolved name");
	}
}

cJSON *expr_eval(const struct expr *e, const struct expr_scope *sc,
		 struct expr_error *err)
{
	struct eval ev = {sc, err, 0};
	struct val v;
	memset(err, 0, sizeof *err);
	if (eval(&ev, e, &v) < 0)
		return NULL;
	if (is_null(v.v)) {
		val_drop(&v);
		return cJSON_CreateNull();
	}
	return v.owned ? v.v : cJSON_Duplicate(v.v, 1);
}
