/* Unit tests for common/jsonx: the validator (what it accepts, and the
 * exact byte and reason of what it rejects) and the writer's quoting. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <string.h>

#include "jsonx.h"
#include "paramval.h"
#include "util.h"
#include "unit.h"

/* A table of texts and what the validator must say about them. */
struct vcase {
	const char *text;
	size_t len;          /* 0: strlen(text) */
	long pos;            /* -1: valid */
	const char *why;
};

static const struct vcase cases[] = {
	/* valid */
	{"{}", 0, -1, NULL},
	{"[]", 0, -1, NULL},
	{"0", 0, -1, NULL},
	{"-0.5e+10", 0, -1, NULL},
	{"1E-2", 0, -1, NULL},
	{"true", 0, -1, NULL},
	{"null", 0, -1, NULL},
	{" \t\r\n{\"a\": [1, 2, {\"b\": null}], \"c\": \"\"}\n ", 0, -1, NULL},
	{"\"\\u00e9\\n\\\"\\\\\\/\\b\\f\\r\\t\"", 0, -1, NULL},
	{"\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"", 0, -1, NULL},
	{"[[[[[[[[[[]]]]]]]]]]", 0, -1, NULL},
	{"12345678901234567890123", 0, -1, NULL},
	/* invalid: byte offset and reason */
	{"", 0, 0, "unexpected end of input"},
	{"   ", 0, 3, "unexpected end of input"},
	{"{\"a\":1,}", 0, 7, "trailing comma"},
	{"[1,]", 0, 3, "trailing comma"},
	{"[1 2]", 0, 3, "expected ',' or ']'"},
	{"{\"a\":1 \"b\":2}", 0, 7, "expected ',' or '}'"},
	{"{\"a\" 1}", 0, 5, "expected ':'"},
	{"{1:2}", 0, 1, "expected a member name"},
	{"\"abc", 0, 4, "unterminated string"},
	{"\"a\x01\"", 0, 2, "control character in string"},
	{"\"\\q\"", 0, 2, "bad escape in string"},
	{"\"\\u12G4\"", 0, 5, "bad \\u escape"},
	{"01", 0, 1, "trailing data after the JSON value"},
	{"-", 0, 1, "expected a digit"},
	{"1.", 0, 2, "expected a digit"},
	{"1e", 0, 2, "expected a digit"},
	{"tru", 0, 3, "unexpected character"},
	{"nul1", 0, 3, "unexpected character"},
	{"[1,2]x", 0, 5, "trailing data after the JSON value"},
	{"{\"a\":1}}", 0, 7, "trailing data after the JSON value"},
	{"\"\xff\"", 0, 1, "invalid UTF-8 in string"},
	{"\"\xc0\x80\"", 0, 1, "invalid UTF-8 in string"},
	{"\"\xed\xa0\x80\"", 0, 1, "invalid UTF-8 in string"},
	{"\"\xe2\x82\"", 0, 1, "invalid UTF-8 in string"},
	{"[\"x\", +1]", 0, 6, "unexpected character"},
	{"{\"a\":[1,{\"b\":}]}", 0, 13, "unexpected character"},
	{"[[[", 0, 3, "unexpected end of input"},
	{"{\"a\":1", 0, 6, "unexpected end of input"},
	{"'a'", 0, 0, "unexpected character"},
	{"[1]\0", 4, 3, "trailing data after the JSON value"},
	{"\"a\0b\"", 5, 2, "control character in string"},
};

static void test_validate_table(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const struct vcase *c = &cases[i];
		size_t len = c->len ? c->len : strlen(c->text);
		size_t pos = 12345;
		struct strbuf why = STRBUF_INIT;
		int rc = jsonx_validate(c->text, len, &pos, &why);
		if (c->pos < 0) {
			CHECK_INTEQ(rc, 0);
			CHECK_INTEQ(why.len, 0);
			if (rc)
				fprintf(stderr, "    case %zu: rejected at %zu: %s\n",
					i, pos, strbuf_str(&why));
			strbuf_release(&why);
			continue;
		}
		CHECK_INTEQ(rc, -1);
		CHECK_INTEQ(pos, c->pos);
		CHECK_STREQ(strbuf_str(&why), c->why);
		if (rc != -1 || (long)pos != c->pos ||
		    strcmp(strbuf_str(&why), c->why))
			fprintf(stderr, "    case %zu: %s\n", i, c->text);
		strbuf_release(&why);
	}
}

/* Nesting is tracked on the heap, not the C stack. */
static void test_validate_deep(void)
{
	size_t depth = 200000;
	char *s = malloc(depth * 2);
	memset(s, '[', depth);
	memset(s + depth, ']', depth);
	CHECK_INTEQ(jsonx_validate(s, depth * 2, NULL, NULL), 0);
	size_t pos;
	struct strbuf why = STRBUF_INIT;
	CHECK_INTEQ(jsonx_validate(s, depth * 2 - 1, &pos, &why), -1);
	CHECK_INTEQ(pos, depth * 2 - 1);
	CHECK_STREQ(strbuf_str(&why), "unexpected end of input");
	strbuf_release(&why);
	free(s);
}

/* Long strings are scanned a word at a time: a special byte must be found
 * at every position relative to the word boundaries. */
static void test_validate_alignment(void)
{
	char s[64];
	for (size_t k = 1; k < 40; k++) {
		size_t pos = 0;
		struct strbuf why = STRBUF_INIT;
		memset(s, 'a', sizeof s);
		s[0] = '"';
		s[41] = '"';
		CHECK_INTEQ(jsonx_validate(s, 42, NULL, NULL), 0);
		s[k] = '\x01';
		CHECK_INTEQ(jsonx_validate(s, 42, &pos, &why), -1);
		CHECK_INTEQ(pos, k);
		CHECK_STREQ(strbuf_str(&why), "control character in string");
		strbuf_reset(&why);
		s[k] = '\x7f';   /* DEL is allowed in JSON strings */
		CHECK_INTEQ(jsonx_validate(s, 42, NULL, NULL), 0);
		s[k] = '\xff';
		CHECK_INTEQ(jsonx_validate(s, 42, &pos, &why), -1);
		CHECK_INTEQ(pos, k);
		CHECK_STREQ(strbuf_str(&why), "invalid UTF-8 in string");
		strbuf_reset(&why);
		s[k] = '"';
		CHECK_INTEQ(jsonx_validate(s, 42, &pos, &why), -1);
		CHECK_INTEQ(pos, k + 1);
		strbuf_reset(&why);
		s[k] = '\\';
		CHECK_INTEQ(jsonx_validate(s, 42, &pos, &why), -1);
		CHECK_INTEQ(pos, k + 1);
		CHECK_STREQ(strbuf_str(&why), "bad escape in string");
		strbuf_reset(&why);
		s[k + 1] = 'n';
		CHECK_INTEQ(jsonx_validate(s, 42, NULL, NULL), 0);
		s[k] = '\xc3';
		s[k + 1] = '\xa9';
		CHECK_INTEQ(jsonx_validate(s, 42, NULL, NULL), 0);
		/* Unterminated: the closing quote cut off. */
		CHECK_INTEQ(jsonx_validate(s, 41, &pos, &why), -1);
		CHECK_INTEQ(pos, 41);
		CHECK_STREQ(strbuf_str(&why), "unterminated string");
		strbuf_release(&why);
	}
}

static char *quote(const char *s, size_t n, unsigned flags)
{
	struct strbuf sb = STRBUF_INIT;
	jsonx_quote(&sb, s, n, flags);
	return strbuf_detach(&sb);
}

static void check_quote(const char *in, size_t n, unsigned flags,
			const char *want)
{
	char *got = quote(in, n, flags);
	CHECK_STREQ(got, want);
	CHECK_INTEQ(jsonx_validate(got, strlen(got), NULL, NULL), 0);
	free(got);
}

static void test_quote(void)
{
	check_quote("plain", 5, 0, "\"plain\"");
	check_quote("", 0, 0, "\"\"");
	check_quote("a\"b\\c", 5, 0, "\"a\\\"b\\\\c\"");
	check_quote("\n\t\r\b\f", 5, 0, "\"\\n\\t\\r\\b\\f\"");
	check_quote("\x01\x1f\x7f", 3, 0, "\"\\u0001\\u001f\\u007f\"");
	check_quote("a\0b", 3, 0, "\"a\\u0000b\"");
	check_quote("caf\xc3\xa9", 5, 0, "\"caf\xc3\xa9\"");
	/* Without MAKESAFE, $ and # are ordinary characters... */
	check_quote("$HOME #x", 8, 0, "\"$HOME #x\"");
	/* ...with it, neither make nor a shell can see them. */
	check_quote("$HOME #x", 8, JSONX_MAKESAFE,
		    "\"\\u0024HOME \\u0023x\"");
	check_quote("$(shell rm -rf /)", 17, JSONX_MAKESAFE,
		    "\"\\u0024(shell rm -rf /)\"");
	check_quote("$$", 2, JSONX_MAKESAFE, "\"\\u0024\\u0024\"");
	/* Only the part named by the length is quoted. */
	check_quote("abcdef", 3, 0, "\"abc\"");
}

static void test_write(void)
{
	cJSON *v = cJSON_Parse("{\"a\":[1,2.5,\"x$\"],\"b\":{},\"c\":null,"
			       "\"d\":true}");
	CHECK(v != NULL);
	char *s = jsonx_print(v, 0);
	CHECK_STREQ(s, "{\"a\":[1,2.5,\"x$\"],\"b\":{},\"c\":null,\"d\":true}");
	free(s);
	s = jsonx_print(v, JSONX_MAKESAFE);
	CHECK_STREQ(s, "{\"a\":[1,2.5,\"x\\u0024\"],\"b\":{},\"c\":null,"
		    "\"d\":true}");
	free(s);
	s = jsonx_print(v, JSONX_PRETTY);
	CHECK_STREQ(s, "{\n  \"a\": [\n    1,\n    2.5,\n    \"x$\"\n  ],\n"
		    "  \"b\": {},\n  \"c\": null,\n  \"d\": true\n}");
	free(s);
	cJSON_Delete(v);

	/* Raw numbers keep their text exactly. */
	cJSON *raw = cJSON_CreateRaw("12345678901234567890");
	s = jsonx_print(raw, 0);
	CHECK_STREQ(s, "12345678901234567890");
	free(s);
	cJSON_Delete(raw);
}

static void test_number(void)
{
	struct strbuf sb = STRBUF_INIT;
	jsonx_number(&sb, 3);
	strbuf_addc(&sb, ' ');
	jsonx_number(&sb, -0.1);
	strbuf_addc(&sb, ' ');
	jsonx_number(&sb, 1e300);
	strbuf_addc(&sb, ' ');
	jsonx_number(&sb, 0.1 + 0.2);
	CHECK_STREQ(sb.buf, "3 -0.1 1e+300 0.30000000000000004");
	/* Integers take a path of their own (no printf). */
	strbuf_reset(&sb);
	jsonx_number(&sb, 0);
	strbuf_addc(&sb, ' ');
	jsonx_number(&sb, -0.0);
	strbuf_addc(&sb, ' ');
	jsonx_number(&sb, -42);
	strbuf_addc(&sb, ' ');
	jsonx_number(&sb, 999999999999999.0);
	strbuf_addc(&sb, ' ');
	jsonx_number(&sb, -999999999999999.0);
	strbuf_addc(&sb, ' ');
	jsonx_number(&sb, 1e15);
	CHECK_STREQ(sb.buf, "0 0 -42 999999999999999 -999999999999999 1e+15");
	strbuf_reset(&sb);
	jsonx_number(&sb, 1.0 / 0.0);
	CHECK_STREQ(sb.buf, "null");
	strbuf_release(&sb);
}

static void test_get(void)
{
	cJSON *v = cJSON_Parse("{\"s\":\"x\",\"n\":2.5,\"t\":true}");
	CHECK_STREQ(jsonx_get_string(v, "s"), "x");
	CHECK(jsonx_get_string(v, "n") == NULL);
	CHECK(jsonx_get_string(v, "missing") == NULL);
	CHECK(jsonx_get_number(v, "n", 0) == 2.5);
	CHECK(jsonx_get_number(v, "t", 7) == 7);
	CHECK(jsonx_get_number(NULL, "n", 9) == 9);
	cJSON_Delete(v);
}

/* Param values: a value, or NULL with the reason appended to err. */
static void test_paramval(void)
{
	struct strbuf err = STRBUF_INIT;
	cJSON *v = param_from_text(PT_INT, "42", &err);
	CHECK(v && cJSON_IsNumber(v) && v->valuedouble == 42);
	CHECK_INTEQ(err.len, 0);
	cJSON_Delete(v);
	CHECK(param_from_text(PT_INT, "4x", &err) == NULL);
	CHECK_STREQ(strbuf_str(&err), "not an integer");
	strbuf_reset(&err);
	CHECK(param_from_text(PT_DATE, "2026-02-30", &err) == NULL);
	CHECK_STREQ(strbuf_str(&err), "not a date (YYYY-MM-DD)");
	strbuf_reset(&err);
	cJSON *arr = cJSON_CreateArray();
	CHECK(param_from_json(PT_INT, arr, &err) == NULL);
	CHECK_STREQ(strbuf_str(&err), "a list");
	cJSON_Delete(arr);
	/* No buffer: only the failure. */
	CHECK(param_from_text(PT_BOOL, "maybe", NULL) == NULL);
	strbuf_release(&err);
}

/* Resident pages of this process, from /proc (Linux); -1 elsewhere. */
static long resident_pages(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size, res = -1;
	if (f && fscanf(f, "%ld %ld", &size, &res) != 2)
		res = -1;
	if (f)
		fclose(f);
	return res;
}

/* A mapped file is checked in windows, its pages given back as the scan
 * goes: a 40 MB string in an array is valid, and a fault near the end is
 * found at its byte. */
static void test_validate_mapped(void)
{
	size_t n = 40u << 20;
	char *text = xmalloc(n);
	memset(text, 'a', n);
	text[0] = '[';
	text[1] = '"';
	text[n - 3] = '"';
	text[n - 2] = ',';
	text[n - 1] = '1';
	char path[] = "/tmp/orkc-jsonx.XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	unlink(path);
	CHECK(write_all(fd, text, n) == 0 && write_all(fd, "]", 1) == 0);
	char *map = mmap(NULL, n + 1, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(map != MAP_FAILED);
	long before = resident_pages();
	CHECK_INTEQ(jsonx_validate_mapped(map, n + 1, NULL, NULL), 0);
	long after = resident_pages();
	/* At most a window and the 16 MB not yet given back stay mapped. */
	if (before >= 0 && after >= 0)
		CHECK((after - before) * sysconf(_SC_PAGESIZE) < (24L << 20));
	CHECK(!memcmp(map, text, n));
	size_t pos = 0;
	CHECK(pwrite(fd, "\x01", 1, (off_t)(n - 100)) == 1);
	CHECK_INTEQ(jsonx_validate_mapped(map, n + 1, &pos, NULL), -1);
	CHECK_INTEQ(pos, n - 100);
	munmap(map, n + 1);
	close(fd);
	free(text);
}

UNIT_MAIN(test_validate_mapped, test_paramval, test_validate_table, test_validate_deep, test_validate_alignment,
	  test_quote, test_write,
	  test_number, test_get)
