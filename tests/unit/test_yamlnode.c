/* Tests for compiler/yamlnode: positions, the core schema, JSON numbers,
 * duplicate keys, aliases, merge keys, tags and syntax errors. */
#include <stdlib.h>
#include <string.h>

#include "jsonx.h"
#include "unit.h"
#include "yamlnode.h"

static struct diag d;

/* Load src; diagnostics stay in d for the test to look at. */
static struct ynode *load(const char *src)
{
	diag_release(&d);
	diag_init(&d, "t.yaml", src, strlen(src));
	return yaml_load(src, strlen(src), &d);
}

static const char *msg(size_t i)
{
	return i < d.nmsgs ? d.msgs[i].text : NULL;
}

/* The JSON text of a one-value document. */
static char *json_of(const char *src)
{
	struct ynode *n = load(src);
	if (!n)
		return NULL;
	cJSON *j = ynode_to_json(n, &d);
	char *s = j ? jsonx_print(j, 0) : NULL;
	cJSON_Delete(j);
	ynode_free(n);
	return s;
}

#define CHECK_JSON(src, want)                                                \
	do {                                                                 \
		char *unit_j = json_of(src);                                 \
		CHECK_STREQ(unit_j, want);                                   \
		free(unit_j);                                                \
	} while (0)

static void test_positions(void)
{
	struct ynode *n = load("a: 1\nbb:\n  - x\n  - 'y'\n");
	CHECK(n && n->kind == YNODE_MAP && n->npairs == 2);
	CHECK_INTEQ(n->pos.line, 1);
	CHECK_INTEQ(n->pos.col, 1);
	CHECK_INTEQ(n->pairs[0].value->pos.col, 4);
	const struct ynode *seq = ymap_get(n, "bb");
	CHECK(seq && seq->kind == YNODE_SEQ && seq->nitems == 2);
	CHECK_INTEQ(seq->items[0]->pos.line, 3);
	CHECK_INTEQ(seq->items[0]->pos.col, 5);
	/* A quoted scalar starts at its quote. */
	CHECK_INTEQ(seq->items[1]->pos.col, 5);
	CHECK_INTEQ(seq->items[1]->quote_col_offset, 1);
	CHECK_INTEQ(seq->items[0]->quote_col_offset, 0);
	ynode_free(n);
}

/* Columns count bytes, though libyaml counts characters. */
static void test_positions_utf8(void)
{
	struct ynode *n = load("\xc3\xa9t\xc3\xa9: \xe2\x82\xac x\r\nk: v\n");
	CHECK(n && n->npairs == 2);
	CHECK_INTEQ(n->pairs[0].value->pos.col, 8);
	CHECK_INTEQ(n->pairs[1].key->pos.line, 2);
	CHECK_INTEQ(n->pairs[1].value->pos.col, 4);
	ynode_free(n);

	n = load("\xef\xbb\xbfname: x\n");   /* byte order mark */
	CHECK(n && n->npairs == 1);
	CHECK_INTEQ(n->pairs[0].value->pos.col, 10);
	CHECK_STREQ(n->pairs[0].key->str, "name");
	ynode_free(n);
}

static void check_type(const char *src, enum yscalar_type want)
{
	struct ynode *n = load(src);
	CHECK(n && n->kind == YNODE_SCALAR);
	if (n)
		CHECK_INTEQ(yscalar_type(n), want);
	if (n && yscalar_type(n) != want)
		fprintf(stderr, "    for %s\n", src);
	ynode_free(n);
}

static void test_core_schema(void)
{
	static const char *const nulls[] = { "~", "null", "Null", "NULL",
					     "!!null ''", NULL };
	static const char *const bools[] = { "true", "True", "TRUE", "false",
					     "False", "FALSE", NULL };
	static const char *const ints[] = { "0", "-1", "+12", "007", "0x1F",
					    "0o17", "123456789012345678901234",
					    NULL };
	static const char *const floats[] = { "1.5", "-.5", "+1.", "1e3",
					      "1.5E-3", ".inf", "-.Inf",
					      ".NaN", NULL };
	static const char *const strs[] = { "yes", "no", "on", "tRue", "0x",
					    "0o8", "1_000", "1.2.3", "'true'",
					    "\"1\"", "!!str 1", "! 1", ".", "e3",
					    "2024-01-01", "nan", "inf", NULL };
	for (int i = 0; nulls[i]; i++)
		check_type(nulls[i], YSCALAR_NULL);
	for (int i = 0; bools[i]; i++)
		check_type(bools[i], YSCALAR_BOOL);
	for (int i = 0; ints[i]; i++)
		check_type(ints[i], YSCALAR_INT);
	for (int i = 0; floats[i]; i++)
		check_type(floats[i], YSCALAR_FLOAT);
	for (int i = 0; strs[i]; i++)
		check_type(strs[i], YSCALAR_STR);
	check_type("|\n  true\n", YSCALAR_STR);
}

static void test_scalar_values(void)
{
	long long i = 0;
	double x = 0;
	int b = -1;
	struct ynode *n = load("[0x1F, 0o17, -42, 9223372036854775808, 2.5, "
			       "-.inf, yes, FALSE]");
	CHECK(n && n->nitems == 8);
	CHECK(yscalar_int(n->items[0], &i) == 0 && i == 31);
	CHECK(yscalar_int(n->items[1], &i) == 0 && i == 15);
	CHECK(yscalar_int(n->items[2], &i) == 0 && i == -42);
	CHECK(yscalar_int(n->items[3], &i) != 0);        /* too large */
	CHECK(yscalar_int(n->items[4], &i) != 0);        /* a float */
	CHECK(yscalar_number(n->items[4], &x) == 0 && x == 2.5);
	CHECK(yscalar_number(n->items[5], &x) == 0 && x < -1e308);
	CHECK(yscalar_number(n->items[6], &x) != 0);     /* a string */
	CHECK(yscalar_bool(n->items[7], &b) == 0 && b == 0);
	CHECK(yscalar_bool(n->items[6], &b) != 0);
	CHECK(yscalar_number(n->items[3], &x) == 0 && x == 9223372036854775808.0);
	CHECK_STREQ(ynode_describe(n), "a list");
	CHECK_STREQ(ynode_describe(n->items[0]), "a number");
	CHECK_STREQ(ynode_describe(n->items[6]), "a string");
	CHECK_STREQ(ynode_describe(n->items[7]), "a boolean");
	ynode_free(n);
	n = load("[0o7777777777777777777777777, 0x1FFFFFFFFFFFFFFFF]");
	CHECK(yscalar_number(n->items[0], &x) == 0 && x > 1e22 && x < 1e23);
	CHECK(yscalar_number(n->items[1], &x) == 0 && x == 36893488147419103231.0);
	ynode_free(n);
	n = load("{a: ~}");
	CHECK_STREQ(ynode_describe(n), "a mapping");
	CHECK_STREQ(ynode_describe(ymap_get(n, "a")), "null");
	CHECK(ymap_get(n, "b") == NULL);
	ynode_free(n);
}

static void test_json(void)
{
	CHECK_JSON("{b: 1, a: [x, 'y', true, ~, \"\"]}",
		   "{\"b\":1,\"a\":[\"x\",\"y\",true,null,\"\"]}");
	CHECK_JSON("[0x1F, 0o17, +1, 007, -0, -012]", "[31,15,1,7,-0,-12]");
	CHECK_JSON("[1., .5, -.5, +1.5e3, 01.50, 1E-2]",
		   "[1,0.5,-0.5,1.5e3,1.50,1E-2]");
	CHECK_JSON("123456789012345678901234567890",
		   "123456789012345678901234567890");
	CHECK_JSON("'0x1F'", "\"0x1F\"");
	CHECK_JSON("0xFFFFFFFFFFFFFFFF", "18446744073709551615");

	CHECK(json_of("[1, .inf]") == NULL);
	CHECK_STREQ(msg(0), "'.inf' cannot be represented in JSON");
	CHECK(json_of(".nan") == NULL);
	CHECK(json_of("0x1FFFFFFFFFFFFFFFF") == NULL);
	CHECK_STREQ(msg(0), "integer '0x1FFFFFFFFFFFFFFFF' is too large");
	CHECK(json_of("{1: a}") == NULL);
	CHECK_STREQ(msg(0), "key '1' is a number, not a string; quote it");
	CHECK_JSON("{'1': a}", "{\"1\":\"a\"}");
	CHECK(json_of("\"a\\0b\"") == NULL);
	CHECK_STREQ(msg(0), "string contains a NUL character");
}

static void test_duplicate_keys(void)
{
	struct ynode *n = load("a: 1\nb: 2\na: 3\nc: {x: 1, x: 2}\na: 4\n");
	CHECK(n != NULL);
	CHECK_INTEQ(d.nerrors, 3);
	CHECK_STREQ(msg(0), "duplicate key 'x'");
	CHECK_STREQ(msg(1), "'x' was first given here");
	CHECK_INTEQ(d.msgs[1].kind, DIAG_NOTE);
	CHECK_STREQ(msg(2), "duplicate key 'a'");
	CHECK_INTEQ(d.msgs[2].pos.line, 3);
	CHECK_INTEQ(d.msgs[3].pos.line, 1);
	CHECK_INTEQ(d.msgs[4].pos.line, 5);
	/* The first one is kept. */
	CHECK(n && n->npairs == 3);
	CHECK_STREQ(ymap_get(n, "a")->str, "1");
	ynode_free(n);
}

static void test_aliases(void)
{
	struct ynode *n = load("base: &b {x: 1, y: [2]}\nuse: *b\n");
	CHECK(n && d.nerrors == 0);
	const struct ynode *use = ymap_get(n, "use");
	CHECK(use && use->kind == YNODE_MAP && use->npairs == 2);
	/* The copy is shown where it is used. */
	CHECK(use && use->pos.line == 2 && use->pos.col == 6);
	CHECK(use != ymap_get(n, "base"));
	ynode_free(n);

	n = load("a: *nope\nb: 1\n");
	CHECK(n != NULL);
	CHECK_STREQ(msg(0), "unknown alias '*nope'");
	ynode_free(n);

	n = load("a: &x [1, *x]\n");
	CHECK_STREQ(msg(0), "alias '*x' refers to a node that contains it");
	ynode_free(n);

	/* Billion laughs: nine levels of ten. */
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (int i = 1; i < 9; i++) {
		strbuf_addf(&sb, "a%d: &a%d [", i, i);
		for (int j = 0; j < 10; j++)
			strbuf_addf(&sb, "%s*a%d", j ? ", " : "", i - 1);
		strbuf_adds(&sb, "]\n");
	}
	n = load(sb.buf);
	CHECK(n == NULL);
	CHECK(msg(0) && strstr(msg(0), "too many nodes"));
	strbuf_release(&sb);
}

static void test_merge_keys(void)
{
	struct ynode *n = load("d: &d {retries: 3, timeout: 5}\n"
			       "t:\n  <<: *d\n  timeout: 9\n  x: 1\n");
	CHECK(n && d.nerrors == 0);
	const struct ynode *t = ymap_get(n, "t");
	CHECK(t && t->npairs == 3);
	CHECK_STREQ(t->pairs[0].key->str, "retries");
	CHECK_STREQ(ymap_get(t, "timeout")->str, "9");
	CHECK_STREQ(t->pairs[1].key->str, "timeout");
	ynode_free(n);

	n = load("a: &a {p: 1}\nb: &b {p: 2, q: 2}\nc: {<<: [*a, *b]}\n");
	const struct ynode *c = ymap_get(n, "c");
	CHECK(c && c->npairs == 2);
	CHECK_STREQ(ymap_get(c, "p")->str, "1");
	CHECK_STREQ(ymap_get(c, "q")->str, "2");
	ynode_free(n);

	/* Anchors inside what gets dropped or merged stay usable. */
	n = load("t:\n  <<: &d {a: 1}\n  b: 2\nu: *d\n"
		 "m:\n  k: 1\n  k: &x {v: 1}\nn: *x\n"
		 "o: {? &y [1] : 2}\np: *y\n");
	CHECK(n != NULL);
	CHECK(ymap_get(ymap_get(n, "u"), "a") != NULL);
	CHECK(ymap_get(ymap_get(n, "n"), "v") != NULL);
	CHECK(ymap_get(n, "p") && ymap_get(n, "p")->nitems == 1);
	CHECK(ymap_get(ymap_get(n, "t"), "a") != NULL);
	CHECK_INTEQ(d.nerrors, 2);
	ynode_free(n);

	n = load("c: {<<: 1}\n");
	CHECK_STREQ(msg(0), "'<<' merges mappings, not a number");
	ynode_free(n);
}

static void test_tags(void)
{
	struct ynode *n = load("[!!str 12, !!int '12', !!int abc, !foo x, "
			       "!!map {}, !!seq {}]");
	CHECK(n != NULL);
	CHECK_INTEQ(yscalar_type(n->items[0]), YSCALAR_STR);
	CHECK_INTEQ(yscalar_type(n->items[1]), YSCALAR_INT);
	CHECK_INTEQ(d.nerrors, 3);
	CHECK_STREQ(msg(0), "'abc' is not a valid !!int");
	CHECK_STREQ(msg(1), "unsupported tag '!foo'");
	CHECK_STREQ(msg(2), "a mapping cannot be tagged '!!seq'");
	ynode_free(n);
}

static void test_syntax_errors(void)
{
	struct ynode *n = load("a: [1, 2\nb: 3\n");
	CHECK(n == NULL);
	CHECK_STREQ(msg(0), "did not find expected ',' or ']'");
	CHECK_INTEQ(d.msgs[0].pos.line, 2);
	CHECK_STREQ(msg(1), "while parsing a flow sequence");
	CHECK_INTEQ(d.msgs[1].pos.col, 4);

	n = load("a: 1\n\tb: 2\n");
	CHECK(n == NULL);
	CHECK_STREQ(msg(0), "tabs are not allowed for indentation in YAML; use spaces");

	n = load("a: \xff\n");
	CHECK(n == NULL);
	CHECK(msg(0) && strstr(msg(0), "UTF-8"));

	n = load("");
	CHECK(n == NULL);
	CHECK_STREQ(msg(0), "the file is empty; a workflow is a YAML mapping");
	n = load("# only a comment\n");
	CHECK(n == NULL);

	n = load("a: 1\n---\nb: 2\n");
	CHECK(n && n->npairs == 1);
	CHECK(msg(0) && strstr(msg(0), "one YAML document"));
	ynode_free(n);

	n = load("? [a]\n: 1\n");
	CHECK_STREQ(msg(0), "mapping keys must be scalars, not a list");
	ynode_free(n);
}

/* The loader takes (src, len), not a C string: a problem at the last byte
 * must not read past len (found by fuzz_workflow: "A:\n\t"). */
static void test_unterminated_input(void)
{
	static const char text[] = "A:\n\t";
	size_t len = sizeof text - 1;
	char *src = malloc(len);          /* exactly len bytes, no NUL */
	CHECK(src != NULL);
	memcpy(src, text, len);
	diag_release(&d);
	diag_init(&d, "t.yaml", src, len);
	struct ynode *n = yaml_load(src, len, &d);
	CHECK(n == NULL);
	CHECK_STREQ(msg(0), "tabs are not allowed for indentation in YAML; use spaces");
	ynode_free(n);
	free(src);
}

static void test_depth(void)
{
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 600; i++)
		strbuf_addc(&sb, '[');
	for (int i = 0; i < 600; i++)
		strbuf_addc(&sb, ']');
	struct ynode *n = load(sb.buf);
	CHECK(n == NULL);
	CHECK(msg(0) && strstr(msg(0), "too deep"));
	strbuf_release(&sb);
}

static void test_big_mapping(void)
{
	/* Many keys: the duplicate check must not be quadratic, and a
	 * duplicate far apart is still found. */
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 20000; i++)
		strbuf_addf(&sb, "k%d: %d\n", i, i);
	strbuf_adds(&sb, "k7: again\n");
	struct ynode *n = load(sb.buf);
	CHECK(n && n->npairs == 20000);
	CHECK_INTEQ(d.nerrors, 1);
	CHECK_INTEQ(d.msgs[0].pos.line, 20001);
	ynode_free(n);
	strbuf_release(&sb);
}

/* The alias cap counts the nodes aliases copy, not the file's own: an
 * anchored list of 1,000 scalars (1,001 nodes) may be used 249 times,
 * not 250, and a file with more nodes than that needs no alias at all. */
static struct ynode *load_uses(int uses)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "a: &a [");
	for (int i = 0; i < 1000; i++)
		strbuf_adds(&sb, i ? ", x" : "x");
	strbuf_adds(&sb, "]\nb:\n");
	for (int i = 0; i < uses; i++)
		strbuf_adds(&sb, "  - *a\n");
	/* 130,000 keys: 260,000 nodes of the file's own. */
	for (int i = 0; i < 130000; i++)
		strbuf_addf(&sb, "c%d: 1\n", i);
	struct ynode *n = load(sb.buf);
	strbuf_release(&sb);
	return n;
}

static void test_alias_node_cap(void)
{
	struct ynode *n = load_uses(249);
	CHECK(n != NULL);
	CHECK_INTEQ(d.nerrors, 0);
	ynode_free(n);
	n = load_uses(250);
	CHECK(n == NULL);
	CHECK(msg(0) && strstr(msg(0), "too many nodes (more than 250000)"));
	CHECK(d.nmsgs && d.msgs[0].pos.line == 252);
	ynode_free(n);
}

static void done(void)
{
	diag_release(&d);
}

UNIT_MAIN(test_positions, test_positions_utf8, test_core_schema,
	  test_scalar_values, test_json, test_duplicate_keys, test_aliases,
	  test_merge_keys, test_tags, test_syntax_errors, test_unterminated_input, test_depth,
	  test_big_mapping, test_alias_node_cap, done)
