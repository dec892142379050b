/* jsonx: see jsonx.h. */
#include "jsonx.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jsonx_quote(struct strbuf *out, const char *s, size_t n, unsigned flags)
{
	static const char hex[] = "0123456789abcdef";
	strbuf_addc(out, '"');
	size_t run = 0;    /* bytes copied verbatim are appended in runs */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		/* Most bytes need no escape: one test for them. */
		if (c > '#' && c != '$' && c != '\\' && c != 0x7f) {
			run++;
			continue;
		}
		const char *esc = NULL;
		char ubuf[7];
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\t': esc = "\\t"; break;
		case '\r': esc = "\\r"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		default:
			if (c < 0x20 || c == 0x7f ||
			    ((flags & JSONX_MAKESAFE) && (c == '$' || c == '#'))) {
				ubuf[0] = '\\'; ubuf[1] = 'u'; ubuf[2] = '0';
				ubuf[3] = '0'; ubuf[4] = hex[c >> 4];
				ubuf[5] = hex[c & 15]; ubuf[6] = '\0';
				esc = ubuf;
			}
		}
		if (!esc) {
			run++;
			continue;
		}
		strbuf_add(out, s + i - run, run);
		run = 0;
		strbuf_adds(out, esc);
	}
	strbuf_add(out, s + n - run, run);
	strbuf_addc(out, '"');
}

static void indent(struct strbuf *out, unsigned flags, int depth)
{
	if (!(flags & JSONX_PRETTY))
		return;
	strbuf_addc(out, '\n');
	for (int i = 0; i < depth; i++)
		strbuf_adds(out, "  ");
}

void jsonx_number(struct strbuf *out, double d)
{
	if (!isfinite(d)) {
		strbuf_adds(out, "null");
		return;
	}
	/* fabs first: converting a double out of long long's range is UB. */
	if (fabs(d) < 1e15 && d == (double)(long long)d) {
		/* Integers are most numbers written (timeouts, retries): by
		 * hand, not through printf. */
		long long v = (long long)d;
		unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v
					     : (unsigned long long)v;
		char buf[24], *e = buf + sizeof buf, *p = e;
		do
			*--p = (char)('0' + u % 10);
		while (u /= 10);
		if (v < 0)
			*--p = '-';
		strbuf_add(out, p, (size_t)(e - p));
		return;
	}
	char buf[32];
	/* Shortest text that reads back as the same double. */
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	strbuf_adds(out, buf);
}

static void write_value(struct strbuf *out, const cJSON *v, unsigned flags,
			int depth)
{
	const char *sep = (flags & JSONX_PRETTY) ? ": " : ":";
	switch (v->type & 0xff) {
	case cJSON_NULL: strbuf_adds(out, "null"); return;
	case cJSON_True: strbuf_adds(out, "true"); return;
	case cJSON_False: strbuf_adds(out, "false"); return;
	case cJSON_Number: jsonx_number(out, v->valuedouble); return;
	case cJSON_Raw: strbuf_adds(out, v->valuestring); return;
	case cJSON_String:
		jsonx_quote(out, v->valuestring, strlen(v->valuestring), flags);
		return;
	case cJSON_Array:
	case cJSON_Object: {
		int obj = cJSON_IsObject(v);
		strbuf_addc(out, obj ? '{' : '[');
		const cJSON *c = v->child;
		for (; c; c = c->next) {
			indent(out, flags, depth + 1);
			if (obj) {
				jsonx_quote(out, c->string, strlen(c->string), flags);
				strbuf_adds(out, sep);
			}
			write_value(out, c, flags, depth + 1);
			if (c->next)
				strbuf_addc(out, ',');
		}
		if (v->child)
			indent(out, flags, depth);
		strbuf_addc(out, obj ? '}' : ']');
		return;
	}
	default:
		strbuf_adds(out, "null");
	}
}

void jsonx_write(struct strbuf *out, const cJSON *v, unsigned flags)
{
	write_value(out, v, flags, 0);
}

char *jsonx_print(const cJSON *v, unsigned flags)
{
	struct strbuf sb = STRBUF_INIT;
	jsonx_write(&sb, v, flags);
	return strbuf_detach(&sb);
}

const char *jsonx_get_string(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

double jsonx_get_number(const cJSON *obj, const char *key, double dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

/* ---- validator ---------------------------------------------------------
 * A hand-written scanner: one pass, no allocation but the nesting stack.
 * It tracks what it expects next rather than recursing, so a deeply nested
 * document cannot overflow the C stack. */

struct scan {
	const unsigned char *p, *start, *end;
	const char *why;
	char *stack;          /* '{' or '[' per open container */
	size_t depth, cap;
	int mapped;           /* start is a file mapping: drop what is read */
	size_t dropped;
};

/* A plain run of a string is skipped a window at a time, so that a
 * mapped scan can give back what it has read (map_drop_behind). */
#define SCAN_WINDOW ((size_t)4 << 20)

static void scan_drop(struct scan *s)
{
	if (s->mapped)
		map_drop_behind(s->start, &s->dropped, (size_t)(s->p - s->start));
}

static void skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' ||
				 *s->p == '\t' || *s->p == '\r'))
		s->p++;
}

static int fail(struct scan *s, const char *why)
{
	s->why = why;
	return -1;
}

static int is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* Length of a valid UTF-8 sequence at p, or 0. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0];
	size_t n;
	unsigned min;
	unsigned cp;
	if (c >= 0xc2 && c <= 0xdf) { n = 2; cp = c & 0x1f; min = 0x80; }
	else if (c >= 0xe0 && c <= 0xef) { n = 3; cp = c & 0x0f; min = 0x800; }
	else if (c >= 0xf0 && c <= 0xf4) { n = 4; cp = c & 0x07; min = 0x10000; }
	else return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* Skip the bytes of a string that need no attention: printable ASCII
 * other than '"' and '\\'.  Outputs of hundreds of megabytes are mostly
 * such bytes, so they are checked eight at a time: a word holds a special
 * byte iff one of the "has a zero byte" tests below sets a high bit. */
static const unsigned char *skip_plain(const unsigned char *p,
				       const unsigned char *end)
{
	const unsigned long long ones = 0x0101010101010101ULL;
	const unsigned long long highs = ones * 0x80;
	while (end - p >= 8) {
		unsigned long long w;
		memcpy(&w, p, 8);
		unsigned long long q = w ^ (ones * '"');
		unsigned long long b = w ^ (ones * '\\');
		unsigned long long special = ((q - ones) & ~q) |     /* '"' */
					     ((b - ones) & ~b) |     /* '\\' */
					     ((w - ones * 0x20) & ~w) | /* < 0x20 */
					     w;                      /* >= 0x80 */
		if (special & highs)
			break;
		p += 8;
	}
	while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
		p++;
	return p;
}

static int scan_string(struct scan *s)
{
	s->p++;   /* opening quote */
	for (;;) {
		const unsigned char *lim = s->end;
		if (s->mapped && (size_t)(s->end - s->p) > SCAN_WINDOW)
			lim = s->p + SCAN_WINDOW;
		s->p = skip_plain(s->p, lim);
		if (s->p == lim && lim < s->end) {
			scan_drop(s);
			continue;
		}
		if (s->p >= s->end)
			return fail(s, "unterminated string");
		unsigned char c = *s->p;
		if (c == '"') {
			s->p++;
			return 0;
		}
		if (c < 0x20)
			return fail(s, "control character in string");
		if (c == '\\') {
			if (s->end - s->p < 2)
				return fail(s, "unterminated string");
			unsigned char e = s->p[1];
			if (e == 'u') {
				if (s->end - s->p < 6)
					return fail(s, "unterminated string");
				for (int i = 2; i < 6; i++)
					if (!is_hex(s->p[i])) {
						s->p += i;
						return fail(s, "bad \\u escape");
					}
				s->p += 6;
			} else if (strchr("\"\\/bfnrt", e) && e) {
				s->p += 2;
			} else {
				s->p++;
				return fail(s, "bad escape in string");
			}
			continue;
		}
		size_t n = utf8_len(s->p, s->end);
		if (!n)
			return fail(s, "invalid UTF-8 in string");
		s->p += n;
	}
}

static int scan_digits(struct scan *s)
{
	const unsigned char *b = s->p;
	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return s->p > b ? 0 : fail(s, "expected a digit");
}

static int scan_number(struct scan *s)
{
	if (*s->p == '-')
		s->p++;
	if (s->p < s->end && *s->p == '0') {
		s->p++;
	} else if (scan_digits(s) < 0) {
		return -1;
	}
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (scan_digits(s) < 0)
			return -1;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (scan_digits(s) < 0)
			return -1;
	}
	return 0;
}

static int scan_word(struct scan *s, const char *w)
{
	size_t n = strlen(w);
	for (size_t i = 0; i < n; i++, s->p++)
		if (s->p >= s->end || *s->p != (unsigned char)w[i])
			return fail(s, "unexpected character");
	return 0;
}

static void push(struct scan *s, char c)
{
	s->stack = xgrow(s->stack, &s->cap, s->depth + 1, 1);
	s->stack[s->depth++] = c;
}

/* Scan one scalar, or open a container. */
static int scan_value_start(struct scan *s)
{
	scan_drop(s);
	skip_ws(s);
	if (s->p >= s->end)
		return fail(s, "unexpected end of input");
	switch (*s->p) {
	case '{': push(s, '{'); s->p++; return 0;
	case '[': push(s, '['); s->p++; return 0;
	case '"': return scan_string(s);
	case 't': return scan_word(s, "true");
	case 'f': return scan_word(s, "false");
	case 'n': return scan_word(s, "null");
	default:
		if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9'))
			return scan_number(s);
		return fail(s, "unexpected character");
	}
}

static int scan_all(struct scan *s)
{
	/* What may come next inside the innermost container. */
	enum { FIRST, NEXT, AFTER } state = FIRST;
	if (scan_value_start(s) < 0)
		return -1;
	while (s->depth > 0) {
		char top = s->stack[s->depth - 1];
		char close = top == '{' ? '}' : ']';
		skip_ws(s);
		if (s->p >= s->end)
			return fail(s, "unexpected end of input");
		unsigned char c = *s->p;
		if (state == AFTER) {
			if (c == ',') {
				s->p++;
				state = NEXT;
			} else if (c == close) {
				s->p++;
				s->depth--;
			} else {
				return fail(s, top == '{' ? "expected ',' or '}'"
							  : "expected ',' or ']'");
			}
			continue;
		}
		if (c == close) {
			if (state == NEXT)
				return fail(s, "trailing comma");
			s->p++;
			s->depth--;
			state = AFTER;
			continue;
		}
		if (top == '{') {
			if (c != '"')
				return fail(s, "expected a member name");
			if (scan_string(s) < 0)
				return -1;
			skip_ws(s);
			if (s->p >= s->end || *s->p != ':')
				return fail(s, "expected ':'");
			s->p++;
		}
		size_t d = s->depth;
		if (scan_value_start(s) < 0)
			return -1;
		state = s->depth > d ? FIRST : AFTER;
	}
	skip_ws(s);
	if (s->p != s->end)
		return fail(s, "trailing data after the JSON value");
	return 0;
}

static int validate(const char *buf, size_t len, size_t *errpos,
		    struct strbuf *err, int mapped)
{
	struct scan s = {0};
	s.mapped = mapped;
	s.p = s.start = (const unsigned char *)buf;
	s.end = s.p + len;
	int rc = scan_all(&s);
	free(s.stack);
	if (rc < 0) {
		if (errpos)
			*errpos = (size_t)(s.p - s.start);
		error_to(err, "%s", s.why);
	}
	return rc;
}

int jsonx_validate(const char *buf, size_t len, size_t *errpos,
		   struct strbuf *err)
{
	return validate(buf, len, errpos, err, 0);
}

int jsonx_validate_mapped(const char *map, size_t len, size_t *errpos,
			  struct strbuf *err)
{
	return validate(map, len, errpos, err, 1);
}
