/* fuzz_expr: the expression language.  The input is an expression,
 * optionally followed by a NUL byte and a JSON scope ({"tasks": {NAME:
 * OUTPUT}, "params": {...}, "run", "env", "item", "index"}; a fixed one
 * otherwise).  The text is parsed and evaluated as an expression, then
 * as a template, and what names it uses are walked. */
#include <string.h>

#include "expr.h"
#include "fuzz.h"
#include "jsonx.h"
#include "template.h"

static const char default_scope[] =
	"{\"tasks\": {\"a\": {\"n\": 2, \"s\": \"x\", \"l\": [1, [2, 3], "
	"{\"k\": null}], \"o\": {\"t\": true, \"f\": 1.5e300}}, \"b\": "
	"\"text\", \"c\": null, \"my-task\": [[]]}, \"params\": {\"p\": 7, "
	"\"q\": \"2026-01-01\"}, \"run\": {\"id\": \"r1\", \"date\": "
	"\"2026-01-01\", \"time\": \"00:00:00\", \"workflow\": \"w\"}, \"env\": "
	"{\"HOME\": \"/root\"}, \"item\": {\"v\": -0.0}, \"index\": 3}";

static const char *const root_names[] = {
	"tasks", "params", "run", "env", "item", "index"
};

static const cJSON *lookup(void *ctx, enum expr_root root, const char *name,
			   struct expr_error *err, int *failed)
{
	const cJSON *ns = cJSON_GetObjectItemCaseSensitive(ctx, root_names[root]);
	if (root == ROOT_ITEM || root == ROOT_INDEX)
		return ns;
	if (root == ROOT_ENV && !strcmp(name, "FAIL")) {
		strcpy(err->msg, "lookup failed");
		*failed = 1;
		return NULL;
	}
	return cJSON_GetObjectItemCaseSensitive(ns, name);
}

static void count_ref(void *ctx, const struct expr *ref)
{
	(void)ref;
	(*(size_t *)ctx)++;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_setup();
	const char *src = (const char *)data;
	const char *nul = memchr(src, '\0', size);
	size_t n = nul ? (size_t)(nul - src) : size;
	cJSON *scope = nul ? cJSON_ParseWithLength(nul + 1, size - n - 1) : NULL;
	if (!scope)
		scope = cJSON_Parse(default_scope);
	struct expr_scope sc = { lookup, scope };
	struct expr_error err;

	struct expr *e = expr_parse(src, n, &err);
	if (e) {
		size_t nrefs = 0;
		expr_walk_refs(e, count_ref, &nrefs);
		(void)expr_is_path(e);
		cJSON *v = expr_eval(e, &sc, &err);
		if (v) {
			struct strbuf sb = STRBUF_INIT;
			expr_render(&sb, v);
			(void)expr_truthy(v);
			(void)expr_type_name(v);
			strbuf_release(&sb);
			cJSON_Delete(v);
		}
		expr_free(e);
	}

	struct tmpl t = TMPL_INIT;
	if (tmpl_present(src, n) && tmpl_parse(src, n, &t, &err) == 0) {
		(void)tmpl_is_single(&t);
		cJSON *v = tmpl_eval(&t, &sc, &err);
		cJSON_Delete(v);
	}
	tmpl_release(&t);
	cJSON_Delete(scope);
	return 0;
}
