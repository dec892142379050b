/* The workflow file's schema against the compiler's key tables and the
 * manual: a key workflow.c accepts that has no schema entry, or that
 * ork-workflow(5) does not describe, fails here, naming the key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "schema.h"
#include "util.h"
#include "workflow.h"
#include "unit.h"

static void test_every_key_has_an_entry(void)
{
	for (int task = 0; task <= 1; task++)
		for (const char *const *k = workflow_keys(task); *k; k++) {
			const struct keydoc *doc = schema_keydoc(task, *k);
			if (!doc)
				fprintf(stderr, "    %s key '%s' has no entry in "
					"compiler/schema.c\n",
					task ? "task" : "top-level", *k);
			CHECK(doc != NULL);
			if (doc) {
				cJSON *s = cJSON_Parse(doc->schema);
				CHECK(s != NULL);
				cJSON_Delete(s);
				CHECK(doc->text && doc->text[0]);
			}
		}
}

static cJSON *schema(void)
{
	struct strbuf sb = STRBUF_INIT;
	CHECK_INTEQ(schema_write(&sb), 0);
	cJSON *s = cJSON_Parse(strbuf_str(&sb));
	strbuf_release(&sb);
	return s;
}

static void test_schema_has_every_supported_key(void)
{
	cJSON *s = schema();
	CHECK(s != NULL);
	cJSON *top = cJSON_GetObjectItem(s, "properties");
	cJSON *task = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(
		s, "$defs"), "task"), "properties");
	CHECK(top && task);
	for (int t = 0; t <= 1 && top && task; t++)
		for (const char *const *k = workflow_keys(t); *k; k++)
			CHECK_INTEQ(cJSON_GetObjectItem(t ? task : top, *k) != NULL,
				    !workflow_key_later(*k));
	cJSON *exec = cJSON_GetObjectItem(task, "executor");
	cJSON *names = cJSON_GetObjectItem(exec, "enum");
	CHECK_INTEQ(cJSON_GetArraySize(names), EXECUTOR_COUNT);
	CHECK_STREQ(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(
		task, "timeout"), "description")) ? "ok" : NULL, "ok");
	CHECK_INTEQ(cJSON_GetObjectItem(cJSON_GetObjectItem(task, "timeout"),
					"default")->valueint, 3600);
	cJSON_Delete(s);
}

/* Each key the compiler accepts has its ".B key" entry in the manual. */
static void test_manual_describes_every_key(void)
{
	/* make check sets top_srcdir; run by hand, the source tree is the
	 * one the build was configured from. */
	const char *src = getenv("top_srcdir");
	size_t n = strlen(ORK_SRC_PYDIR) - strlen("/runtime/python");
	char *path = src ? xasprintf("%s/man/ork-workflow.5", src)
			 : xasprintf("%.*s/man/ork-workflow.5", (int)n,
				     ORK_SRC_PYDIR);
	size_t len;
	char *man = read_file(path, &len);
	CHECK(man != NULL);
	for (int t = 0; t <= 1 && man; t++)
		for (const char *const *k = workflow_keys(t); *k; k++) {
			char *entry = xasprintf("\n.B %s\n", *k);
			int found = strstr(man, entry) != NULL;
			if (!found)
				fprintf(stderr, "    %s has no '.B %s' entry\n",
					path, *k);
			CHECK(found);
			free(entry);
		}
	free(man);
	free(path);
}

UNIT_MAIN(test_every_key_has_an_entry, test_schema_has_every_supported_key,
	  test_manual_describes_every_key)
