/* test_expr: the expression language, driven by the jq-style table in
 * tests/expr/cases.txt, plus the checks a table cannot express (reference
 * walking, borrowed values left untouched).
 *
 * Table format: blocks separated by blank lines, '#' lines are comments.
 *   EXPRESSION            a success block: the expression,
 *   SCOPE                 the names as one JSON object ({"tasks": {NAME:
 *                         OUTPUT}, "params", "run", "env", "item", "index"}),
 *   EXPECTED              the value, as JSON (compared structurally)
 * A block starting with a line "%%FAIL" expects an error instead, its
 * last line being "@COL: MESSAGE" (COL 1-based, in the expression).
 * "%%TEMPLATE" and "%%TEMPLATE FAIL" blocks do the same for a template
 * string (the first line after the marker, taken as it is).
 * In the first line of a block, <<N*TEXT>> stands for TEXT repeated N
 * times (for the depth and size limits: <<150000*+a>>). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "jsonx.h"
#include "template.h"
#include "unit.h"
#include "util.h"

static const char *const root_names[] = {
	"tasks", "params", "run", "env", "item", "index"
};

static const cJSON *lookup(void *ctx, enum expr_root root, const char *name,
			   struct expr_error *err, int *failed)
{
	const cJSON *scope = ctx;
	const cJSON *ns = cJSON_GetObjectItemCaseSensitive(scope, root_names[root]);
	if (root == ROOT_ITEM || root == ROOT_INDEX)
		return ns;
	if (root == ROOT_ENV && !strcmp(name, "FAIL")) {
		snprintf(err->msg, sizeof err->msg, "lookup failed on purpose");
		*failed = 1;
		return NULL;
	}
	return cJSON_GetObjectItemCaseSensitive(ns, name);
}

struct block {
	int line;            /* of its first line in the table */
	int fail, template;
	char *lines[4];
	int n;
};

static void block_release(struct block *b)
{
	for (int i = 0; i < b->n; i++)
		free(b->lines[i]);
	memset(b, 0, sizeof *b);
}

/* "@COL: message" for an error at byte offset pos. */
static char *error_text(const struct expr_error *err)
{
	return xasprintf("@%zu: %s", err->pos + 1, err->msg);
}

/* The first line of a block with its <<N*TEXT>> repeats expanded. */
static char *expand(const char *l)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;
	while ((p = strstr(l, "<<"))) {
		char *star;
		unsigned long n = strtoul(p + 2, &star, 10);
		const char *close = strstr(p, ">>");
		if (*star != '*' || !close || close < star)
			break;
		strbuf_add(&sb, l, (size_t)(p - l));
		for (unsigned long i = 0; i < n; i++)
			strbuf_add(&sb, star + 1, (size_t)(close - star - 1));
		l = close + 2;
	}
	strbuf_adds(&sb, l);
	char *r = xstrdup(strbuf_str(&sb));
	strbuf_release(&sb);
	return r;
}

static void run_block(const struct block *b, const char *path)
{
	if (b->n != 3) {
		fprintf(stderr, "%s:%d: a block needs 3 lines, not %d\n", path,
			b->line, b->n);
		unit_report(0, path, b->line, "table", "block shape");
		return;
	}
	char *src = expand(b->lines[0]);
	cJSON *scope = cJSON_Parse(b->lines[1]);
	if (!scope) {
		fprintf(stderr, "%s:%d: scope is not JSON\n", path, b->line);
		unit_report(0, path, b->line, "table", "scope JSON");
		free(src);
		return;
	}
	struct expr_scope sc = {lookup, scope};
	struct expr_error err;
	cJSON *got = NULL;
	struct expr *e = NULL;
	struct tmpl t = TMPL_INIT;
	if (b->template) {
		if (tmpl_parse(src, strlen(src), &t, &err) == 0)
			got = tmpl_eval(&t, &sc, &err);
	} else if ((e = expr_parse(src, strlen(src), &err))) {
		got = expr_eval(e, &sc, &err);
	}
	char *what = xasprintf("%s:%d: %.200s", path, b->line, b->lines[0]);
	if (b->fail) {
		char *msg = got ? jsonx_print(got, 0) : error_text(&err);
		int ok = !got && !strcmp(msg, b->lines[2]);
		unit_report(ok, path, b->line, "case", what);
		if (!ok)
			fprintf(stderr, "    got      %s%s\n    expected %s\n",
				got ? "a value: " : "", msg, b->lines[2]);
		free(msg);
	} else {
		cJSON *want = cJSON_Parse(b->lines[2]);
		char *msg = got ? jsonx_print(got, 0) : error_text(&err);
		int ok = got && want && cJSON_Compare(got, want, 1);
		unit_report(ok, path, b->line, "case", what);
		if (!ok)
			fprintf(stderr, "    got      %s\n    expected %s\n", msg,
				b->lines[2]);
		free(msg);
		cJSON_Delete(want);
	}
	free(what);
	cJSON_Delete(got);
	expr_free(e);
	tmpl_release(&t);
	cJSON_Delete(scope);
	free(src);
}

static void run_table(void)
{
	const char *top = getenv("top_srcdir");
	char *path = xasprintf("%s/tests/expr/cases.txt", top ? top : ".");
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		unit_report(0, __FILE__, __LINE__, __func__, "open the table");
		free(path);
		return;
	}
	char buf[8192];
	struct block b;
	memset(&b, 0, sizeof b);
	int lineno = 0, ncases = 0;
	for (;;) {
		char *l = fgets(buf, sizeof buf, f);
		if (l) {
			lineno++;
			l[strcspn(l, "\n")] = '\0';
			if (l[0] == '#')
				continue;
		}
		if (!l || !l[0]) {
			if (b.n || b.fail || b.template) {
				run_block(&b, path);
				ncases++;
			}
			block_release(&b);
			if (!l)
				break;
			continue;
		}
		if (!b.n && !b.fail && !b.template)
			b.line = lineno;
		if (!b.n && !strncmp(l, "%%FAIL", 6)) {
			b.fail = 1;
		} else if (!b.n && !strncmp(l, "%%TEMPLATE", 10)) {
			b.template = 1;
			b.fail = strstr(l, "FAIL") != NULL;
		} else if (b.n < 4) {
			b.lines[b.n++] = xstrdup(l);
		} else {
			b.n++;
		}
	}
	fclose(f);
	/* A table that silently lost its cases must not pass. */
	unit_report(ncases >= 120, path, lineno, "table", "at least 120 cases");
	printf("%d cases in %s\n", ncases, path);
	free(path);
}

/* ---- what the table cannot say ------------------------------------------ */

struct seen {
	char text[512];
};

static void note_ref(void *ctx, const struct expr *r)
{
	struct seen *s = ctx;
	size_t n = strlen(s->text);
	snprintf(s->text + n, sizeof s->text - n, "%s%d:%s@%zu", n ? " " : "",
		 (int)r->root, r->name, r->name_pos);
}

static void test_refs(void)
{
	const char *src = "tasks.a.output.x + b.y + c.output[0] + params.p + "
			  "run.date + env.HOME + tasks['my-task'].output + item";
	struct expr_error err;
	struct expr *e = expr_parse(src, strlen(src), &err);
	CHECK(e != NULL);
	struct seen s = {""};
	expr_walk_refs(e, note_ref, &s);
	CHECK_STREQ(s.text, "0:a@6 0:b@19 0:c@25 1:p@46 2:date@54 3:HOME@65 "
		    "0:my-task@79 4:item@98");
	expr_free(e);

	e = expr_parse("a.b[1]['c']", 11, &err);
	CHECK(e && expr_is_path(e));
	expr_free(e);
	e = expr_parse("a.b + 1", 7, &err);
	CHECK(e && !expr_is_path(e));
	expr_free(e);
}

/* Field access hands out parts of a borrowed value: the scope's values
 * must be unchanged afterwards. */
static void test_borrowed(void)
{
	cJSON *scope = cJSON_Parse("{\"tasks\": {\"a\": {\"x\": [1, {\"y\": 2}]}}}");
	char *before = jsonx_print(scope, 0);
	struct expr_scope sc = {lookup, scope};
	struct expr_error err;
	const char *srcs[] = {"a.x[1].y", "a.x[1]", "a", "default(a.z, a.x)",
			      "[a.x, a.x]", "a.x + a.x"};
	for (size_t i = 0; i < sizeof srcs / sizeof *srcs; i++) {
		struct expr *e = expr_parse(srcs[i], strlen(srcs[i]), &err);
		cJSON *v = e ? expr_eval(e, &sc, &err) : NULL;
		CHECK(v != NULL);
		cJSON_Delete(v);
		expr_free(e);
	}
	char *after = jsonx_print(scope, 0);
	CHECK_STREQ(after, before);
	free(before);
	free(after);
	cJSON_Delete(scope);
}

/* Deep nesting is an error, not a crash. */
static void test_deep(void)
{
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 20000; i++)
		strbuf_addc(&sb, '(');
	strbuf_addc(&sb, '1');
	for (int i = 0; i < 20000; i++)
		strbuf_addc(&sb, ')');
	struct expr_error err;
	struct expr *e = expr_parse(sb.buf, sb.len, &err);
	CHECK(e == NULL);
	CHECK_STREQ(err.msg, "expression too deeply nested (limit 256)");
	strbuf_release(&sb);
}

UNIT_MAIN(run_table, test_refs, test_borrowed, test_deep)
