/* fuzz_runtime: what ork exec reads from outside.  The first byte picks
 * the part, the rest is its input:
 *   0  a task spec (ORK_SPEC): spec_parse, then its retry policy
 *   1  a task's output file: jsonx_validate, output_check, and the input
 *      assembled from it as an upstream output (input_write)
 *   2  a type (its JSON encoding, as in a typed spec), a NUL byte, and an
 *      output to check against it (type_check_text) */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "jsonx.h"
#include "taskio.h"
#include "taskspec.h"
#include "typecheck.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup();
	return 0;
}

static void fuzz_spec(const char *text)
{
	struct task_spec s;
	struct strbuf err = STRBUF_INIT;
	if (spec_parse(&s, text, &err) == 0) {
		for (int k = 1; k <= 3; k++)
			(void)spec_retry_delay(&s, k);
		(void)spec_retries_exit(&s, 0);
		(void)spec_retries_exit(&s, -1);
		(void)spec_trigger_name(s.trigger);
		if (s.output_type) {
			struct strbuf sb = STRBUF_INIT;
			type_print(&sb, s.output_type);
			(void)type_check_text(s.output_type, "null", 4, &sb);
			strbuf_release(&sb);
		}
	}
	strbuf_release(&err);
	spec_release(&s);
}

static void fuzz_output(const char *data, size_t size)
{
	size_t errpos;
	struct strbuf why = STRBUF_INIT;
	(void)jsonx_validate(data, size, &errpos, &why);
	strbuf_release(&why);
	int in = memfd_create("output", 0), out = memfd_create("input", 0);
	if (in < 0 || out < 0 || write_all(in, data, size) < 0)
		goto done;
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", in);
	if (output_check(path, NULL) == 0) {
		struct input_part parts[] = { { "up", path }, { "gone", NULL } };
		const char *bad;
		(void)input_write(out, "\"k\": 1", 6, parts, 2, &bad);
	}
done:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
}

static void fuzz_type(const char *data, size_t size)
{
	const char *nul = memchr(data, '\0', size);
	if (!nul)
		return;
	cJSON *tj = cJSON_ParseWithLength(data, (size_t)(nul - data));
	struct type *t = tj ? type_from_json(tj, NULL) : NULL;
	cJSON_Delete(tj);
	if (!t)
		return;
	const char *v = nul + 1;
	size_t n = size - (size_t)(v - data), errpos;
	struct strbuf sb = STRBUF_INIT;
	type_to_json(&sb, t, 0);
	strbuf_reset(&sb);
	if (jsonx_validate(v, n, &errpos, NULL) == 0)
		(void)type_check_text(t, v, n, &sb);
	strbuf_release(&sb);
	type_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_setup();
	if (size < 1)
		return 0;
	const char *d = (const char *)data + 1;
	size_t n = size - 1;
	switch (data[0] % 3) {
	case 0: {
		char *text = xstrndup(d, n);
		fuzz_spec(text);
		free(text);
		break;
	}
	case 1:
		fuzz_output(d, n);
		break;
	default:
		fuzz_type(d, n);
		break;
	}
	return 0;
}
