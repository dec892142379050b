/* Unit tests of typed mode: the type syntax (compiler/types.c), the JSON
 * encoding and the value check (common/typecheck.c), assignability. */
#include <stdlib.h>
#include <string.h>

#include "typecheck.h"
#include "types.h"
#include "unit.h"
#include "yamlnode.h"

/* ---- helpers ------------------------------------------------------------ */

/* Parse the YAML value after "t: " as a type; NULL on errors, whose first
 * message goes to *msg (static) when msg is not NULL. */
static struct type *parse(const char *value, const char **msg)
{
	static char first[512];
	char *src = xasprintf("t: %s\n", value);
	struct diag d;
	diag_init(&d, "t.yaml", src, strlen(src));
	struct ynode *root = yaml_load(src, strlen(src), &d);
	struct type *t = root ? types_parse(&d, root->pairs[0].value) : NULL;
	first[0] = '\0';
	if (d.nmsgs)
		snprintf(first, sizeof first, "%u:%u: %s", d.msgs[0].pos.line,
			 d.msgs[0].pos.col, d.msgs[0].text);  /* no "error: " */
	if (msg)
		*msg = first;
	if (d.nerrors) {
		type_free(t);
		t = NULL;
	}
	ynode_free(root);
	diag_release(&d);
	free(src);
	return t;
}

/* The type printed back, "" when it does not parse. */
static const char *roundtrip(const char *value)
{
	static char out[512];
	struct type *t = parse(value, NULL);
	struct strbuf sb = STRBUF_INIT;
	if (t)
		type_print(&sb, t);
	snprintf(out, sizeof out, "%s", strbuf_str(&sb));
	strbuf_release(&sb);
	type_free(t);
	return out;
}

/* Check a JSON text against a type; "ok" or the mismatch. */
static const char *check(const char *type, const char *json)
{
	static char out[512];
	struct type *t = parse(type, NULL);
	if (!t)
		return "(type does not parse)";
	struct strbuf err = STRBUF_INIT;
	int rc = type_check_text(t, json, strlen(json), &err);
	snprintf(out, sizeof out, "%s", rc == 0 ? "ok" : strbuf_str(&err));
	if (rc == 0 && err.len)
		snprintf(out, sizeof out, "ok, but an error was written");
	strbuf_release(&err);
	type_free(t);
	return out;
}

static int assignable(const char *from, const char *to)
{
	struct type *f = parse(from, NULL), *t = parse(to, NULL);
	int r = f && t ? type_assignable(f, t) : -1;
	type_free(f);
	type_free(t);
	return r;
}

/* ---- the syntax --------------------------------------------------------- */

static void test_syntax(void)
{
	CHECK_STREQ(roundtrip("int"), "int");
	CHECK_STREQ(roundtrip("str?"), "str?");
	CHECK_STREQ(roundtrip("float | None"), "float?");
	CHECK_STREQ(roundtrip("None | float"), "float?");
	CHECK_STREQ(roundtrip("'[int]'"), "[int]");
	CHECK_STREQ(roundtrip("[int]"), "[int]");          /* a YAML list */
	CHECK_STREQ(roundtrip("[[str?]]"), "[[str?]]");
	CHECK_STREQ(roundtrip("list[types.Row]"), "[types.Row]");
	CHECK_STREQ(roundtrip("List[int]"), "[int]");
	CHECK_STREQ(roundtrip("Optional[int]"), "int?");
	CHECK_STREQ(roundtrip("dict[str, float]"), "dict[str, float]");
	CHECK_STREQ(roundtrip("list"), "[any]");
	CHECK_STREQ(roundtrip("dict"), "dict[str, any]");
	CHECK_STREQ(roundtrip("datetime_utc?"), "datetime_utc?");
	CHECK_STREQ(roundtrip("{a: int, b: str?}"), "{a: int, b: str?}");
	CHECK_STREQ(roundtrip("{rows: [types.Row], n: int}"),
		    "{rows: [types.Row], n: int}");
	CHECK_STREQ(roundtrip("{}"), "{}");
	CHECK_STREQ(roundtrip("{'a b': int}"), "{\"a b\": int}");
	/* Unknown names are resolved (and reported) by types_check. */
	CHECK_STREQ(roundtrip("strr"), "strr");
}

static void test_syntax_errors(void)
{
	const char *msg;
	CHECK(!parse("list[int", &msg));
	CHECK_STREQ(msg, "1:12: invalid type 'list[int': expected ']'");
	CHECK(!parse("dict[int, str]", &msg));
	CHECK_STREQ(msg, "1:9: invalid type 'dict[int, str]': dict keys "
		    "must be str (JSON object keys are strings)");
	CHECK(!parse("int | str", &msg));
	CHECK_STREQ(msg, "1:10: invalid type 'int | str': unions other "
		    "than 'T | None' are not supported");
	CHECK(!parse("None", &msg));
	CHECK(strstr(msg, "'None' alone is not a type") != NULL);
	CHECK(!parse("int x", &msg));
	CHECK_STREQ(msg, "1:8: invalid type 'int x': unexpected text "
		    "after the type");
	CHECK(!parse("[int, str]", &msg));
	CHECK(strstr(msg, "a list type has exactly one item") != NULL);
	CHECK(!parse("3", &msg));
	CHECK(strstr(msg, "not a number") != NULL);
	CHECK(!parse("\"\"", &msg));
	CHECK(!parse("'{a: int}'", &msg));
	CHECK(strstr(msg, "YAML mapping") != NULL);
	CHECK(!parse("'[None]'", &msg));
	CHECK(strstr(msg, "only allowed as 'T | None'") != NULL);
	/* A bad field drops the field but reports it where it is. */
	CHECK(!parse("{a: int, b: 'list['}", &msg));
	CHECK_STREQ(msg, "1:22: invalid type 'list[': expected a type "
		    "at the end");
}

/* ---- assignability ------------------------------------------------------ */

static void test_assignable(void)
{
	CHECK_INTEQ(assignable("int", "int"), 1);
	CHECK_INTEQ(assignable("int", "float"), 1);
	CHECK_INTEQ(assignable("float", "int"), 0);
	CHECK_INTEQ(assignable("int", "int?"), 1);
	CHECK_INTEQ(assignable("int?", "int"), 0);
	CHECK_INTEQ(assignable("int?", "float?"), 1);
	CHECK_INTEQ(assignable("str", "int"), 0);
	CHECK_INTEQ(assignable("bool", "int"), 0);
	CHECK_INTEQ(assignable("[int]", "[float]"), 1);
	CHECK_INTEQ(assignable("[float]", "[int]"), 0);
	CHECK_INTEQ(assignable("[int]", "int"), 0);
	CHECK_INTEQ(assignable("dict[str, int]", "dict[str, float]"), 1);
	CHECK_INTEQ(assignable("dict[str, int]", "[int]"), 0);
	CHECK_INTEQ(assignable("date", "str"), 1);
	CHECK_INTEQ(assignable("str", "date"), 0);
	CHECK_INTEQ(assignable("datetime_utc", "datetime_tz"), 1);
	CHECK_INTEQ(assignable("datetime_utc", "datetime"), 1);
	CHECK_INTEQ(assignable("datetime_notz", "datetime_tz"), 0);
	CHECK_INTEQ(assignable("datetime", "datetime_utc"), 0);
	CHECK_INTEQ(assignable("date", "datetime"), 0);
	CHECK_INTEQ(assignable("any", "int"), 1);
	CHECK_INTEQ(assignable("[int]", "any"), 1);
	/* Objects are open: extra fields are fine, required ones must be. */
	CHECK_INTEQ(assignable("{a: int, b: str}", "{a: float}"), 1);
	CHECK_INTEQ(assignable("{a: int}", "{a: int, b: str}"), 0);
	CHECK_INTEQ(assignable("{a: int}", "{a: int, b: str?}"), 1);
	CHECK_INTEQ(assignable("{a: str}", "{a: int}"), 0);
	CHECK_INTEQ(assignable("{a: int}", "dict[str, int]"), 0);
	CHECK_INTEQ(assignable("[{id: int, x: str}]", "[{id: int}]"), 1);
}

/* ---- values ------------------------------------------------------------- */

static void test_check_scalars(void)
{
	CHECK_STREQ(check("int", "42"), "ok");
	CHECK_STREQ(check("int", "-7"), "ok");
	CHECK_STREQ(check("int", "4.0"), "expected int, got float");
	CHECK_STREQ(check("int", "4e2"), "expected int, got float");
	CHECK_STREQ(check("float", "4"), "ok");
	CHECK_STREQ(check("float", "-0.5e-3"), "ok");
	CHECK_STREQ(check("float", "\"4\""), "expected float, got str");
	CHECK_STREQ(check("str", "\"a\\\"b\""), "ok");
	CHECK_STREQ(check("str", "null"), "expected str, got null");
	CHECK_STREQ(check("str?", "null"), "ok");
	CHECK_STREQ(check("str?", "1"), "expected str or null, got int");
	CHECK_STREQ(check("bool", "false"), "ok");
	CHECK_STREQ(check("bool", "0"), "expected bool, got int");
	CHECK_STREQ(check("any", "{\"x\": [1, {\"y\": null}]}"), "ok");
	CHECK_STREQ(check("[int]", "{}"), "expected list, got object");
	CHECK_STREQ(check("{a: int}", "[]"), "expected object, got list");
	CHECK_STREQ(check("int", "  7  "), "ok");
}

static void test_check_paths(void)
{
	const char *users = "{users: [{email: str, age: int?}]}";
	CHECK_STREQ(check(users, "{\"users\": [{\"email\": \"a@b\"}, "
			  "{\"email\": \"c@d\", \"age\": null}]}"), "ok");
	CHECK_STREQ(check(users, "{\"users\": [{\"email\": \"a\"}, {\"email\": "
			  "\"b\"}, {\"email\": \"c\"}, {\"email\": null}]}"),
		    "users[3].email: expected str, got null");
	CHECK_STREQ(check(users, "{\"users\": [{\"age\": 3}]}"),
		    "users[0].email: missing, expected str");
	CHECK_STREQ(check(users, "{\"users\": [{\"email\": \"x\", \"age\": 1.5}]}"),
		    "users[0].age: expected int or null, got float");
	/* Open objects: members the type does not name may be anything. */
	CHECK_STREQ(check("{a: int}", "{\"a\": 1, \"b\": [[[{}]]], \"c\": \"}\"}"),
		    "ok");
	/* Keys are compared decoded. */
	CHECK_STREQ(check("{a: int}", "{\"\\u0061\": \"x\"}"),
		    "a: expected int, got str");
	CHECK_STREQ(check("{a: {b: int}}", "{\"\\u0061\": {\"b\": \"x\"}}"),
		    "a.b: expected int, got str");
	/* A decoded key with a NUL byte is not a field cut short there
	 * (found by fuzz_runtime: it matched, then read past the name). */
	CHECK_STREQ(check("{a: int}", "{\"a\\u0000b\": \"x\"}"),
		    "a: missing, expected int");
	CHECK_STREQ(check("{a: int}", "{\"a\\u0000\": \"x\"}"),
		    "a: missing, expected int");
	CHECK_STREQ(check("dict[str, int]", "{\"x\\\"y\": null}"),
		    "[\"x\\\"y\"]: expected int, got null");
	CHECK_STREQ(check("{'a b': int}", "{\"a b\": true}"),
		    "[\"a b\"]: expected int, got bool");
	CHECK_STREQ(check("dict[str, [int]]", "{\"x\": [1], \"y\": [2, \"3\"]}"),
		    "y[1]: expected int, got str");
	CHECK_STREQ(check("[[int]]", "[[1], [], [2, null]]"),
		    "[2][1]: expected int, got null");
	CHECK_STREQ(check("{a: {b: {c: bool}}}", "{\"a\": {\"b\": {}}}"),
		    "a.b.c: missing, expected bool");
	/* Many fields: the bitmap of seen fields is on the heap. */
	struct strbuf ty = STRBUF_INIT, js = STRBUF_INIT;
	strbuf_addc(&ty, '{');
	strbuf_addc(&js, '{');
	for (int i = 0; i < 100; i++) {
		strbuf_addf(&ty, "%sf%d: int", i ? ", " : "", i);
		if (i != 77)
			strbuf_addf(&js, "%s\"f%d\": %d", js.len > 1 ? ", " : "", i, i);
	}
	strbuf_addc(&ty, '}');
	strbuf_addc(&js, '}');
	CHECK_STREQ(check(ty.buf, js.buf), "f77: missing, expected int");
	strbuf_release(&ty);
	strbuf_release(&js);
}

static void test_check_dates(void)
{
	CHECK_STREQ(check("date", "\"2024-02-29\""), "ok");
	CHECK_STREQ(check("date", "\"2023-02-29\""),
		    "expected date, got \"2023-02-29\"");
	CHECK_STREQ(check("date", "\"2024-13-01\""),
		    "expected date, got \"2024-13-01\"");
	CHECK_STREQ(check("date", "\"2024-01-01T00:00\""),
		    "expected date, got \"2024-01-01T00:00\"");
	CHECK_STREQ(check("date", "20240101"), "expected date, got int");
	CHECK_STREQ(check("datetime", "\"2024-01-02T03:04:05.123456+01:00\""), "ok");
	CHECK_STREQ(check("datetime", "\"2024-01-02 03:04\""), "ok");
	CHECK_STREQ(check("datetime", "\"2024-01-02T24:00\""),
		    "expected datetime, got \"2024-01-02T24:00\"");
	CHECK_STREQ(check("datetime", "\"2024-01-02T03:04:05.\""),
		    "expected datetime, got \"2024-01-02T03:04:05.\"");
	CHECK_STREQ(check("datetime", "\"2024-01-02T03:04+1:00\""),
		    "expected datetime, got \"2024-01-02T03:04+1:00\"");
	CHECK_STREQ(check("datetime_tz", "\"2024-01-02T03:04:05Z\""), "ok");
	CHECK_STREQ(check("datetime_tz", "\"2024-01-02T03:04:05-05:30\""), "ok");
	CHECK_STREQ(check("datetime_tz", "\"2024-01-02T03:04:05\""),
		    "expected datetime_tz, got \"2024-01-02T03:04:05\"");
	CHECK_STREQ(check("datetime_utc", "\"2024-01-02T03:04:05+00:00\""), "ok");
	CHECK_STREQ(check("datetime_utc", "\"2024-01-02T03:04:05z\""), "ok");
	CHECK_STREQ(check("datetime_utc", "\"2024-01-02T03:04:05-00:00\""),
		    "expected datetime_utc, got \"2024-01-02T03:04:05-00:00\"");
	CHECK_STREQ(check("datetime_utc", "\"2024-01-02T03:04:05+02:00\""),
		    "expected datetime_utc, got \"2024-01-02T03:04:05+02:00\"");
	CHECK_STREQ(check("datetime_notz", "\"2024-01-02T03:04:05\""), "ok");
	CHECK_STREQ(check("datetime_notz", "\"2024-01-02T03:04:05Z\""),
		    "expected datetime_notz, got \"2024-01-02T03:04:05Z\"");
	/* Escaped characters are decoded before the format is checked. */
	CHECK_STREQ(check("date", "\"2024-01-\\u00302\""), "ok");
	/* Long bad values are cut. */
	CHECK(strstr(check("date", "\"2024-01-01 and a great deal more text "
			   "than forty bytes\""), "...") != NULL);
}

/* ---- the encoding ------------------------------------------------------- */

static void test_json_encoding(void)
{
	struct type *t = parse("{rows: [{id: int, at: datetime_utc?}], "
			       "by: 'dict[str, float]', tag: str}", NULL);
	CHECK(t != NULL);
	struct strbuf sb = STRBUF_INIT;
	type_to_json(&sb, t, 0);
	CHECK_STREQ(sb.buf, "{\"object\":{\"rows\":{\"list\":{\"object\":{\"id\":"
		    "\"int\",\"at\":{\"optional\":\"datetime_utc\"}}}},\"by\":"
		    "{\"dict\":\"float\"},\"tag\":\"str\"}}");
	cJSON *j = cJSON_Parse(sb.buf);
	struct strbuf err = STRBUF_INIT;
	struct type *back = type_from_json(j, &err);
	CHECK_INTEQ(err.len, 0);
	CHECK(back != NULL);
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	type_print(&a, t);
	type_print(&b, back);
	CHECK_STREQ(a.buf, b.buf);
	strbuf_release(&a);
	strbuf_release(&b);
	type_free(back);
	cJSON_Delete(j);
	type_free(t);
	strbuf_release(&sb);

	static const char *const bad[] = {
		"\"integer\"", "{\"list\": \"int\", \"x\": 1}", "{\"tuple\": \"int\"}",
		"3", "{\"object\": [1]}", NULL,
	};
	for (size_t i = 0; bad[i]; i++) {
		j = cJSON_Parse(bad[i]);
		strbuf_reset(&err);
		back = type_from_json(j, &err);
		CHECK(back == NULL);
		CHECK(err.len > 0);
		type_free(back);
		cJSON_Delete(j);
	}
	/* The message says what is wrong. */
	j = cJSON_Parse("{\"tuple\": \"int\"}");
	strbuf_reset(&err);
	CHECK(type_from_json(j, &err) == NULL);
	CHECK_STREQ(strbuf_str(&err), "unknown type constructor 'tuple'");
	cJSON_Delete(j);
	strbuf_release(&err);
}

UNIT_MAIN(test_syntax, test_syntax_errors, test_assignable, test_check_scalars,
	  test_check_paths, test_check_dates, test_json_encoding)
