/* Unit tests for runtime/orkproto: Ork's ORK_OUTPUT: lines, the
 * ORK_INPUT_JSON limit and the deferred shape. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "orkproto.h"
#include "unit.h"
#include "util.h"

/* The value of text's output line, or NULL when it has none. */
static char *value(const char *text)
{
	struct orkproto_line l;
	if (!orkproto_output_line(text, strlen(text), &l))
		return NULL;
	return xasprintf("%.*s", (int)(l.value_end - l.value), text + l.value);
}

static void check_value(const char *text, const char *want)
{
	char *got = value(text);
	CHECK_STREQ(got, want);
	free(got);
}

static void test_output_line(void)
{
	check_value("ORK_OUTPUT:{\"a\":1}\n", "{\"a\":1}");
	check_value("ORK_OUTPUT:{\"a\":1}", "{\"a\":1}");      /* no newline */
	check_value("log\nORK_OUTPUT: [1] \r\nmore\n", "[1]");  /* blanks, CRLF */
	check_value("ORK_OUTPUT:1\nx\nORK_OUTPUT:2\ny\n", "2");  /* the last */
	check_value("ORK_OUTPUT:\n", "");                       /* empty */
	check_value("say ORK_OUTPUT:1\n", NULL);                 /* mid-line */
	check_value("{\"k\": \"\\nORK_OUTPUT:1\"}\n", NULL);      /* in a string */
	check_value("ORK_OUTPUT", NULL);
	check_value("", NULL);
	/* The line's bounds, for the log around it. */
	const char *t = "a\nORK_OUTPUT:1\nb\n";
	struct orkproto_line l;
	CHECK(orkproto_output_line(t, strlen(t), &l));
	CHECK_INTEQ(l.start, 2);
	CHECK_INTEQ(l.end, 15);
	/* A text that stops inside the prefix has none. */
	CHECK(!orkproto_output_line("x\nORK_OUT", 9, &l));
}

static char *tmpfile_with(const char *text)
{
	char *path = xstrdup("/tmp/orkc-unit-orkproto.XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0 || write_all(fd, text, strlen(text)) < 0)
		abort();
	close(fd);
	return path;
}

/* A mapped file is searched a window (4 MB) at a time: a line across
 * the window's edge, or in a later window, is still found, the last one
 * wins, and the pages read are given back without changing the text. */
static void test_output_line_mapped(void)
{
	size_t n = 11u << 20;
	char *text = xmalloc(n);
	memset(text, 'x', n);
	for (size_t i = 1000; i < n; i += 1000)
		text[i] = '\n';
	const char *a = "\nORK_OUTPUT:1\n", *b = "\nORK_OUTPUT: 22 \n";
	size_t at_a = (4u << 20) - 5, at_b = (9u << 20) - 3;
	memcpy(text + at_a, a, strlen(a));
	memcpy(text + at_b, b, strlen(b));
	char path[sizeof unit_tmpdir + 16];
	snprintf(path, sizeof path, "%s/stdout", unit_tmpdir);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0 && write_all(fd, text, n) == 0);
	char *map = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(map != MAP_FAILED);
	struct orkproto_line l;
	CHECK_INTEQ(orkproto_output_line_mapped(map, n, &l), 1);
	CHECK_INTEQ(l.start, at_b + 1);
	CHECK(l.value_end - l.value == 2 && !memcmp(map + l.value, "22", 2));
	CHECK(!memcmp(map, text, n));
	/* Only the first: across the edge of the first window. */
	memset(text + at_b, 'x', strlen(b));
	CHECK(pwrite(fd, text + at_b, strlen(b), (off_t)at_b) == (ssize_t)strlen(b));
	CHECK_INTEQ(orkproto_output_line_mapped(map, n, &l), 1);
	CHECK_INTEQ(l.start, at_a + 1);
	CHECK(l.value_end - l.value == 1 && map[l.value] == '1');
	munmap(map, n);
	close(fd);
	free(text);
}

static void test_deferred(void)
{
	static const struct { const char *text; int want; } cases[] = {
		{"{\"deferred\": [{\"job_id\": \"j\"}]}", 1},
		{"{\"deferred\": []}", 1},
		{"{\"deferred\": 3}", 0},
		{"{\"result\": {\"deferred\": []}}", 0},
		{"[\"deferred\"]", 0},
		{"null", 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *p = tmpfile_with(cases[i].text);
		CHECK_INTEQ(orkproto_deferred(p), cases[i].want);
		unlink(p);
		free(p);
	}
	CHECK_INTEQ(orkproto_deferred("/nonexistent/orkc-unit"), 0);
}

static void test_input_env(void)
{
	char *small = tmpfile_with("{\"a\": 1}");
	int fd = open(small, O_RDONLY);
	struct envb e = ENVB_INIT;
	CHECK_INTEQ(orkproto_input_env(fd, &e), 0);
	CHECK_INTEQ(e.nadd, 1);
	CHECK_STREQ(e.nadd ? e.add[0] : NULL, "ORK_INPUT_JSON={\"a\": 1}");
	CHECK_INTEQ(lseek(fd, 0, SEEK_CUR), 0);   /* the offset stays */
	close(fd);
	envb_release(&e, NULL);
	unlink(small);
	free(small);

	char *big = xmalloc(ORKPROTO_INPUT_ENV_MAX + 3);
	memset(big, ' ', ORKPROTO_INPUT_ENV_MAX + 2);
	big[0] = '1';
	big[ORKPROTO_INPUT_ENV_MAX + 2] = '\0';
	char *path = tmpfile_with(big);
	fd = open(path, O_RDONLY);
	CHECK_INTEQ(orkproto_input_env(fd, &e), ORKPROTO_INPUT_ENV_MAX + 2);
	CHECK_INTEQ(e.nadd, 0);
	close(fd);
	envb_release(&e, NULL);
	unlink(path);
	free(path);
	free(big);
}

UNIT_MAIN(unit_tmpdir_make, test_output_line, test_output_line_mapped, test_deferred,
	  test_input_env, unit_tmpdir_remove)
