/* typecheck: see typecheck.h. */
#include "typecheck.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonx.h"

static const char *const scalar_names[] = {
	[TYPE_ANY] = "any", [TYPE_STR] = "str", [TYPE_INT] = "int",
	[TYPE_FLOAT] = "float", [TYPE_BOOL] = "bool", [TYPE_DATE] = "date",
	[TYPE_DATETIME] = "datetime", [TYPE_DATETIME_TZ] = "datetime_tz",
	[TYPE_DATETIME_UTC] = "datetime_utc",
	[TYPE_DATETIME_NOTZ] = "datetime_notz",
};
#define NSCALARS (sizeof scalar_names / sizeof *scalar_names)

const char *type_scalar_name(enum type_kind k)
{
	return (size_t)k < NSCALARS ? scalar_names[k] : NULL;
}

int type_scalar_kind(const char *name)
{
	for (size_t i = 0; i < NSCALARS; i++)
		if (!strcmp(scalar_names[i], name))
			return (int)i;
	return -1;
}

/* ---- construction ------------------------------------------------------- */

struct type *type_new(enum type_kind k, struct srcpos pos)
{
	struct type *t = xcalloc(1, sizeof *t);
	t->kind = k;
	t->pos = pos;
	return t;
}

void type_add_field(struct type *obj, const char *name, struct type *ft,
		    struct srcpos pos)
{
	obj->fields = xrealloc(obj->fields, (obj->nfields + 1) * sizeof *obj->fields);
	struct type_field *f = &obj->fields[obj->nfields++];
	f->name = xstrdup(name);
	f->type = ft;
	f->pos = pos;
}

void type_free(struct type *t)
{
	if (!t)
		return;
	type_free(t->elem);
	for (size_t i = 0; i < t->nfields; i++) {
		free(t->fields[i].name);
		type_free(t->fields[i].type);
	}
	free(t->fields);
	free(t->name);
	free(t);
}

const struct type *type_resolve(const struct type *t)
{
	/* Bounded, so that even an unchecked cycle cannot hang a caller. */
	for (int i = 0; t && t->kind == TYPE_NAMED && i < 1000; i++)
		t = t->target;
	return t && t->kind == TYPE_NAMED ? NULL : t;
}

const struct type_field *type_field(const struct type *obj, const char *name)
{
	for (size_t i = 0; obj && i < obj->nfields; i++)
		if (!strcmp(obj->fields[i].name, name))
			return &obj->fields[i];
	return NULL;
}

/* ---- printing ----------------------------------------------------------- */

/* A field name that reads as itself in {a: int}; others are quoted. */
static int plain_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

void type_print(struct strbuf *out, const struct type *t)
{
	if (!t) {
		strbuf_adds(out, "any");
		return;
	}
	switch (t->kind) {
	case TYPE_LIST:
		strbuf_addc(out, '[');
		type_print(out, t->elem);
		strbuf_addc(out, ']');
		return;
	case TYPE_DICT:
		strbuf_adds(out, "dict[str, ");
		type_print(out, t->elem);
		strbuf_addc(out, ']');
		return;
	case TYPE_OPTIONAL:
		type_print(out, t->elem);
		strbuf_addc(out, '?');
		return;
	case TYPE_OBJECT:
		strbuf_addc(out, '{');
		for (size_t i = 0; i < t->nfields; i++) {
			if (i)
				strbuf_adds(out, ", ");
			if (plain_name(t->fields[i].name))
				strbuf_adds(out, t->fields[i].name);
			else
				jsonx_quote(out, t->fields[i].name,
					    strlen(t->fields[i].name), 0);
			strbuf_adds(out, ": ");
			type_print(out, t->fields[i].type);
		}
		strbuf_addc(out, '}');
		return;
	case TYPE_NAMED:
		strbuf_adds(out, t->name);
		return;
	default:
		strbuf_adds(out, type_scalar_name(t->kind));
	}
}

/* ---- the JSON encoding -------------------------------------------------- */

static void wrap(struct strbuf *out, const char *key, const struct type *t,
		 unsigned flags)
{
	strbuf_addf(out, "{\"%s\":", key);
	type_to_json(out, t, flags);
	strbuf_addc(out, '}');
}

void type_to_json(struct strbuf *out, const struct type *t, unsigned flags)
{
	t = type_resolve(t);
	if (!t) {
		strbuf_adds(out, "\"any\"");
		return;
	}
	switch (t->kind) {
	case TYPE_LIST: wrap(out, "list", t->elem, flags); return;
	case TYPE_DICT: wrap(out, "dict", t->elem, flags); return;
	case TYPE_OPTIONAL: wrap(out, "optional", t->elem, flags); return;
	case TYPE_OBJECT:
		strbuf_adds(out, "{\"object\":{");
		for (size_t i = 0; i < t->nfields; i++) {
			if (i)
				strbuf_addc(out, ',');
			jsonx_quote(out, t->fields[i].name,
				    strlen(t->fields[i].name), flags);
			strbuf_addc(out, ':');
			type_to_json(out, t->fields[i].type, flags);
		}
		strbuf_adds(out, "}}");
		return;
	default:
		strbuf_addf(out, "\"%s\"", type_scalar_name(t->kind));
	}
}

static const struct srcpos nopos;

/* The spec is produced by orkc, but ork still refuses what it cannot
 * read rather than guessing; depth is capped so a hostile spec cannot
 * exhaust the stack. */
static struct type *decode(const cJSON *v, int depth, struct strbuf *err)
{
	if (depth > 200) {
		error_to(err, "type nested too deeply");
		return NULL;
	}
	if (cJSON_IsString(v)) {
		int k = type_scalar_kind(v->valuestring);
		if (k < 0) {
			error_to(err, "unknown type '%s'", v->valuestring);
			return NULL;
		}
		return type_new((enum type_kind)k, nopos);
	}
	const cJSON *m = cJSON_IsObject(v) ? v->child : NULL;
	if (!m || m->next) {
		error_to(err, "a type must be a name or an object of one member");
		return NULL;
	}
	static const char *const wrappers[] = { "list", "dict", "optional" };
	static const enum type_kind kinds[] = { TYPE_LIST, TYPE_DICT, TYPE_OPTIONAL };
	for (size_t i = 0; i < 3; i++) {
		if (strcmp(m->string, wrappers[i]))
			continue;
		struct type *elem = decode(m, depth + 1, err);
		if (!elem)
			return NULL;
		struct type *t = type_new(kinds[i], nopos);
		t->elem = elem;
		return t;
	}
	if (strcmp(m->string, "object") || !cJSON_IsObject(m)) {
		error_to(err, "unknown type constructor '%s'", m->string);
		return NULL;
	}
	struct type *t = type_new(TYPE_OBJECT, nopos);
	for (const cJSON *f = m->child; f; f = f->next) {
		struct type *ft = decode(f, depth + 1, err);
		if (!ft) {
			type_free(t);
			return NULL;
		}
		type_add_field(t, f->string, ft, nopos);
	}
	return t;
}

struct type *type_from_json(const cJSON *v, struct strbuf *err)
{
	return decode(v, 0, err);
}

/* ---- dates and times ---------------------------------------------------- */

/* n decimal digits at s; their value, or -1. */
static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int valid_date(const char *s, size_t n)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (n < 10 || s[4] != '-' || s[7] != '-')
		return 0;
	int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
	if (y < 0 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return !(m == 2 && d == 29 && !leap);
}

enum tz { TZ_BAD, TZ_NONE, TZ_UTC, TZ_OFFSET };

/* The offset at the end of a datetime: "" (none), Z, +HH:MM or +HHMM. */
static enum tz offset(const char *s, size_t n)
{
	if (n == 0)
		return TZ_NONE;
	if (n == 1 && (*s == 'Z' || *s == 'z'))
		return TZ_UTC;
	if ((*s != '+' && *s != '-') || (n != 6 && n != 5))
		return TZ_BAD;
	int h = digits(s + 1, 2);
	int m = n == 6 ? (s[3] == ':' ? digits(s + 4, 2) : -1) : digits(s + 3, 2);
	if (h < 0 || h > 23 || m < 0 || m > 59)
		return TZ_BAD;
	/* RFC 3339: -00:00 means "offset unknown", not UTC. */
	return h == 0 && m == 0 && *s == '+' ? TZ_UTC : TZ_OFFSET;
}

/* YYYY-MM-DD[T ]HH:MM[:SS[.f+]][offset] */
static enum tz valid_datetime(const char *s, size_t n)
{
	if (n < 16 || !valid_date(s, 10) || (s[10] != 'T' && s[10] != 't' &&
					     s[10] != ' '))
		return TZ_BAD;
	int h = digits(s + 11, 2), m = s[13] == ':' ? digits(s + 14, 2) : -1;
	if (h < 0 || h > 23 || m < 0 || m > 59)
		return TZ_BAD;
	size_t i = 16;
	if (i < n && s[i] == ':') {
		int sec = i + 3 <= n ? digits(s + i + 1, 2) : -1;
		if (sec < 0 || sec > 60)
			return TZ_BAD;
		i += 3;
		if (i < n && (s[i] == '.' || s[i] == ',')) {
			size_t f = ++i;
			while (i < n && s[i] >= '0' && s[i] <= '9')
				i++;
			if (i == f)
				return TZ_BAD;
		}
	}
	return offset(s + i, n - i);
}

static int valid_time_string(enum type_kind k, const char *s, size_t n)
{
	if (k == TYPE_DATE)
		return n == 10 && valid_date(s, n);
	enum tz tz = valid_datetime(s, n);
	switch (k) {
	case TYPE_DATETIME: return tz != TZ_BAD;
	case TYPE_DATETIME_TZ: return tz == TZ_UTC || tz == TZ_OFFSET;
	case TYPE_DATETIME_UTC: return tz == TZ_UTC;
	default: return tz == TZ_NONE;
	}
}

/* ---- checking a JSON text -----------------------------------------------
 * One pass over the text, guided by the type.  The path to the current
 * value is kept as a stack of raw steps (a key's bytes in the text, or an
 * index) and spelt out only when there is a mismatch to report, so the
 * common case of a fitting output formats nothing. */

struct step {
	const char *key;        /* the key's text between its quotes, raw */
	size_t klen;
	size_t index;           /* when key is NULL */
};

struct tc {
	const char *p, *end;
	struct step *steps;     /* the path to the value being checked */
	size_t nsteps, cap;
	struct strbuf scratch;  /* a decoded key or string */
	struct strbuf *err;
	int or_null;            /* the value checked is an optional's */
};

/* Bytes that end a number or literal. */
static const unsigned char delim[256] = {
	[','] = 1, [':'] = 1, [']'] = 1, ['}'] = 1,
	[' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\n'] = 1,
};

static void skip_ws(struct tc *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' ||
				 *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

/* The end of the string starting at p (after its closing quote). */
static const char *string_end(const char *p, const char *end)
{
	for (p++; p < end && *p != '"'; p++)
		if (*p == '\\')
			p++;
	return p < end ? p + 1 : end;
}

static unsigned hex4(const char *s)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char ch = s[i];
		v = v * 16 + (unsigned)(ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10);
	}
	return v;
}

static void add_utf8(struct strbuf *sb, unsigned cp)
{
	if (cp < 0x80) {
		strbuf_addc(sb, (char)cp);
	} else if (cp < 0x800) {
		strbuf_addc(sb, (char)(0xc0 | cp >> 6));
		strbuf_addc(sb, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		strbuf_addc(sb, (char)(0xe0 | cp >> 12));
		strbuf_addc(sb, (char)(0x80 | ((cp >> 6) & 0x3f)));
		strbuf_addc(sb, (char)(0x80 | (cp & 0x3f)));
	} else {
		strbuf_addc(sb, (char)(0xf0 | cp >> 18));
		strbuf_addc(sb, (char)(0x80 | ((cp >> 12) & 0x3f)));
		strbuf_addc(sb, (char)(0x80 | ((cp >> 6) & 0x3f)));
		strbuf_addc(sb, (char)(0x80 | (cp & 0x3f)));
	}
}

/* Decode the JSON string body s[0..n) (no quotes) into out. */
static void unescape(struct strbuf *out, const char *s, size_t n)
{
	const char *stop = s + n;
	strbuf_reset(out);
	while (s < stop) {
		if (*s != '\\') {
			const char *bs = memchr(s, '\\', (size_t)(stop - s));
			const char *q = bs ? bs : stop;
			strbuf_add(out, s, (size_t)(q - s));
			s = q;
			continue;
		}
		char esc = s + 1 < stop ? s[1] : '\\';
		s += 2;
		const char *from = "bfnrt", *to = "\b\f\n\r\t";
		const char *hit = esc ? strchr(from, esc) : NULL;
		if (esc == 'u' && s + 4 <= stop) {
			unsigned cp = hex4(s);
			s += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && s + 6 <= stop &&
			    s[0] == '\\' && s[1] == 'u') {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (hex4(s + 2) - 0xdc00);
				s += 6;
			}
			add_utf8(out, cp);
		} else {
			strbuf_addc(out, hit ? to[hit - from] : esc);
		}
	}
}

/* The string at c->p: its raw body, and c->p moved past it. */
static const char *take_string(struct tc *c, size_t *n)
{
	const char *e = string_end(c->p, c->end), *s = c->p + 1;
	*n = e > s ? (size_t)(e - 1 - s) : 0;
	c->p = e;
	return s;
}

/* Past one value of any kind, without recursion: strings are skipped as
 * units and brackets counted. */
static void skip_value(struct tc *c)
{
	int depth = 0;
	do {
		skip_ws(c);
		if (c->p >= c->end)
			return;
		char ch = *c->p;
		if (ch == '"') {
			c->p = string_end(c->p, c->end);
		} else if (ch == '{' || ch == '[') {
			depth++;
			c->p++;
		} else if (ch == '}' || ch == ']') {
			depth--;
			c->p++;
		} else if (ch == ',' || ch == ':') {
			c->p++;
		} else {
			while (c->p < c->end && !delim[(unsigned char)*c->p])
				c->p++;
		}
	} while (depth > 0);
}

/* "null", "bool", "int", "float", "str", "list", "object" for the value
 * at c->p; *len is a number's or literal's length. */
static const char *describe_value(const struct tc *c, size_t *len)
{
	*len = 0;
	switch (*c->p) {
	case 'n': return "null";
	case 't': case 'f': return "bool";
	case '"': return "str";
	case '[': return "list";
	case '{': return "object";
	}
	int frac = 0;
	const char *q = c->p;
	for (; q < c->end && !delim[(unsigned char)*q]; q++)
		frac |= *q == '.' || *q == 'e' || *q == 'E';
	*len = (size_t)(q - c->p);
	return frac ? "float" : "int";
}

/* What t expects, in words: "str", "int or null", "list", "object". */
static void describe_type(struct strbuf *sb, const struct type *t)
{
	t = type_resolve(t);
	if (!t) {
		strbuf_adds(sb, "any");
	} else if (t->kind == TYPE_OPTIONAL) {
		describe_type(sb, t->elem);
		strbuf_adds(sb, " or null");
	} else if (t->kind == TYPE_LIST) {
		strbuf_adds(sb, "list");
	} else if (t->kind == TYPE_DICT || t->kind == TYPE_OBJECT) {
		strbuf_adds(sb, "object");
	} else {
		strbuf_adds(sb, type_scalar_name(t->kind));
	}
}

/* A key as a path step: .name when it reads as one, else ["..."]. */
static void path_key(struct strbuf *out, const char *name, size_t n)
{
	int plain = n > 0;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];
		plain &= (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			 (ch >= '0' && ch <= '9' && i > 0) || ch == '_';
	}
	if (plain) {
		if (out->len)
			strbuf_addc(out, '.');
		strbuf_add(out, name, n);
	} else {
		strbuf_addc(out, '[');
		jsonx_quote(out, name, n, 0);
		strbuf_addc(out, ']');
	}
}

/* "users[3].email: " for the current path; nothing at the top. */
static void path_prefix(struct tc *c)
{
	struct strbuf path = STRBUF_INIT, key = STRBUF_INIT;
	for (size_t i = 0; i < c->nsteps; i++) {
		const struct step *s = &c->steps[i];
		if (!s->key) {
			strbuf_addf(&path, "[%zu]", s->index);
			continue;
		}
		unescape(&key, s->key, s->klen);
		path_key(&path, strbuf_str(&key), key.len);
	}
	if (path.len) {
		strbuf_add(c->err, path.buf, path.len);
		strbuf_adds(c->err, ": ");
	}
	strbuf_release(&path);
	strbuf_release(&key);
}

static struct step *push(struct tc *c)
{
	c->steps = xgrow(c->steps, &c->cap, c->nsteps + 1, sizeof *c->steps);
	struct step *s = &c->steps[c->nsteps++];
	memset(s, 0, sizeof *s);
	return s;
}

static int mismatch(struct tc *c, const struct type *t)
{
	size_t len;
	path_prefix(c);
	strbuf_adds(c->err, "expected ");
	describe_type(c->err, t);
	if (c->or_null)
		strbuf_adds(c->err, " or null");
	strbuf_addf(c->err, ", got %s", describe_value(c, &len));
	return -1;
}

/* A string that is not the date or time it should be: show it (cut),
 * since "expected date, got str" would not say what is wrong with it. */
static int bad_time(struct tc *c, const struct type *t)
{
	path_prefix(c);
	strbuf_addf(c->err, "expected %s, got ", type_scalar_name(t->kind));
	size_t n = c->scratch.len > 40 ? 40 : c->scratch.len;
	while (n < c->scratch.len && n > 0 &&
	       ((unsigned char)c->scratch.buf[n] & 0xc0) == 0x80)
		n--;   /* not inside a UTF-8 sequence */
	jsonx_quote(c->err, strbuf_str(&c->scratch), n, 0);
	if (n < c->scratch.len)
		strbuf_adds(c->err, "...");
	return -1;
}

static int check_value(struct tc *c, const struct type *t);

static void next_item(struct tc *c)
{
	skip_ws(c);
	if (c->p < c->end && *c->p == ',')
		c->p++;
	skip_ws(c);
}

static int check_list(struct tc *c, const struct type *elem)
{
	c->or_null = 0;
	c->p++;
	skip_ws(c);
	push(c);
	int rc = 0;
	for (size_t i = 0; rc == 0 && c->p < c->end && *c->p != ']'; i++) {
		c->steps[c->nsteps - 1].index = i;
		rc = check_value(c, elem);
		next_item(c);
	}
	c->nsteps--;
	c->p++;
	return rc;
}

/* The field of obj whose name is the raw key k[0..n) (decoded first when
 * it holds an escape), or NULL. */
static const struct type_field *key_field(struct tc *c, const struct type *obj,
					  const char *k, size_t n)
{
	if (memchr(k, '\\', n)) {
		unescape(&c->scratch, k, n);
		k = strbuf_str(&c->scratch);
		n = c->scratch.len;
	}
	/* Compare lengths first: a decoded key may hold NUL bytes
	 * ("\u0000"), which strncmp would take for its end. */
	for (size_t i = 0; i < obj->nfields; i++) {
		const char *f = obj->fields[i].name;
		if (strlen(f) == n && !memcmp(f, k, n))
			return &obj->fields[i];
	}
	return NULL;
}

/* Report the first required field of t not seen. */
static int check_required(struct tc *c, const struct type *t,
			  const unsigned char *seen)
{
	for (size_t i = 0; i < t->nfields; i++) {
		const struct type *ft = type_resolve(t->fields[i].type);
		if (seen[i] || !ft || ft->kind == TYPE_OPTIONAL || ft->kind == TYPE_ANY)
			continue;
		struct step *s = push(c);
		s->key = t->fields[i].name;   /* a plain name: no escapes */
		s->klen = strlen(s->key);
		path_prefix(c);
		c->nsteps--;
		strbuf_adds(c->err, "missing, expected ");
		describe_type(c->err, ft);
		return -1;
	}
	return 0;
}

/* An object against a dict (every value is elem) or an object type
 * (named fields typed, required ones present, others free). */
static int check_members(struct tc *c, const struct type *t)
{
	size_t nf = t->kind == TYPE_OBJECT ? t->nfields : 0;
	unsigned char small[64], *seen = nf <= 64 ? small : xmalloc(nf);
	memset(seen, 0, nf);
	int rc = 0;
	c->or_null = 0;
	c->p++;
	skip_ws(c);
	push(c);
	while (rc == 0 && c->p < c->end && *c->p == '"') {
		struct step *s = &c->steps[c->nsteps - 1];
		s->key = take_string(c, &s->klen);
		skip_ws(c);
		c->p++;    /* the ':' */
		const struct type *vt = t->elem;
		if (t->kind == TYPE_OBJECT) {
			const struct type_field *f = key_field(c, t, s->key, s->klen);
			vt = f ? f->type : NULL;
			if (f)
				seen[f - t->fields] = 1;
		}
		if (vt)
			rc = check_value(c, vt);
		else
			skip_value(c);
		next_item(c);
	}
	c->nsteps--;
	if (rc == 0)
		rc = check_required(c, t, seen);
	if (seen != small)
		free(seen);
	c->p++;
	return rc;
}

static int check_scalar(struct tc *c, const struct type *t)
{
	size_t len;
	const char *got = describe_value(c, &len);
	int ok;
	switch (t->kind) {
	case TYPE_STR: ok = *c->p == '"'; break;
	case TYPE_BOOL: ok = *c->p == 't' || *c->p == 'f'; break;
	case TYPE_INT: ok = got[0] == 'i'; break;
	case TYPE_FLOAT: ok = got[0] == 'i' || got[0] == 'f'; break;
	default:
		if (*c->p != '"')
			return mismatch(c, t);
		size_t n;
		const char *s = take_string(c, &n);
		unescape(&c->scratch, s, n);
		if (!valid_time_string(t->kind, strbuf_str(&c->scratch),
				       c->scratch.len))
			return bad_time(c, t);
		return 0;
	}
	if (!ok)
		return mismatch(c, t);
	if (*c->p == '"')
		c->p = string_end(c->p, c->end);
	else if (len)
		c->p += len;
	else
		skip_value(c);
	return 0;
}

static int check_value(struct tc *c, const struct type *t)
{
	skip_ws(c);
	if (c->p >= c->end) {
		path_prefix(c);
		strbuf_adds(c->err, "unexpected end of the JSON text");
		return -1;
	}
	t = type_resolve(t);
	if (!t || t->kind == TYPE_ANY) {
		skip_value(c);
		return 0;
	}
	if (t->kind == TYPE_OPTIONAL) {
		if (*c->p == 'n') {
			skip_value(c);
			return 0;
		}
		c->or_null = 1;
		int rc = check_value(c, t->elem);
		c->or_null = 0;
		return rc;
	}
	switch (t->kind) {
	case TYPE_LIST:
		return *c->p == '[' ? check_list(c, t->elem) : mismatch(c, t);
	case TYPE_DICT:
	case TYPE_OBJECT:
		return *c->p == '{' ? check_members(c, t) : mismatch(c, t);
	default:
		return check_scalar(c, t);
	}
}

int type_check_text(const struct type *t, const char *text, size_t len,
		    struct strbuf *err)
{
	struct tc c = { text, text + len, NULL, 0, 0, STRBUF_INIT, err, 0 };
	int rc = check_value(&c, t);
	free(c.steps);
	strbuf_release(&c.scratch);
	return rc;
}

int type_check_file(const struct type *t, const char *path, struct strbuf *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		strbuf_addf(err, "cannot read the output: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	size_t len = (size_t)st.st_size;
	if (len == 0) {
		close(fd);
		return type_check_text(t, "null", 4, err);
	}
	void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		strbuf_addf(err, "cannot map the output: %s", strerror(errno));
		return -1;
	}
#ifdef MADV_SEQUENTIAL
	madvise(map, len, MADV_SEQUENTIAL);
#endif
	int rc = type_check_text(t, map, len, err);
	munmap(map, len);
	return rc;
}
