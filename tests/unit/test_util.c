/* Unit tests for common/util: strings, did-you-mean, files and times. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "unit.h"
#include "util.h"


static void test_strbuf(void)
{
	struct strbuf sb = STRBUF_INIT;
	CHECK_STREQ(strbuf_str(&sb), "");
	strbuf_adds(&sb, "ab");
	strbuf_addc(&sb, 'c');
	strbuf_add(&sb, "defgh", 2);
	strbuf_addf(&sb, "-%d-%s", 42, "x");
	CHECK_STREQ(sb.buf, "abcde-42-x");
	CHECK_INTEQ(sb.len, 10);
	strbuf_reset(&sb);
	CHECK_STREQ(strbuf_str(&sb), "");
	CHECK_INTEQ(sb.len, 0);
	/* Growth well past the first allocation keeps every byte. */
	for (int i = 0; i < 10000; i++)
		strbuf_addf(&sb, "%04d", i % 10000);
	CHECK_INTEQ(sb.len, 40000);
	CHECK(!strncmp(sb.buf + 39996, "9999", 4));
	CHECK(sb.buf[sb.len] == '\0');
	char *s = strbuf_detach(&sb);
	CHECK(sb.buf == NULL && sb.len == 0);
	CHECK_INTEQ(strlen(s), 40000);
	free(s);
	/* Detaching an empty buffer still gives a string. */
	s = strbuf_detach(&sb);
	CHECK_STREQ(s, "");
	free(s);
	strbuf_add(&sb, "a\0b", 3);
	CHECK_INTEQ(sb.len, 3);
	strbuf_release(&sb);
	CHECK(sb.buf == NULL);
}

/* The documented contract: buf is NULL until the first append, strbuf_str
 * is never NULL; error_to appends (or, with no buffer, only fails). */
/* strbuf_addf's own path for %s, %d, %u, %ld, %zu and %% must print what
 * printf does, and anything else still goes to printf, even after that
 * path has printed part of the format. */
static void test_strbuf_simple_format(void)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%s|%d|%d|%d|%zu|%zu|100%%|", "a", 0, -7,
		    INT_MIN, (size_t)0, SIZE_MAX);
	char want[128];
	snprintf(want, sizeof want, "a|0|-7|%d|0|%zu|100%%|", INT_MIN,
		 SIZE_MAX);
	CHECK_STREQ(sb.buf, want);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s", "");
	CHECK(sb.buf != NULL);
	CHECK_STREQ(sb.buf, "");
	strbuf_addf(&sb, "%-4s|%3d|%x|%s", "ab", 5, 255, "end");
	CHECK_STREQ(sb.buf, "ab  |  5|ff|end");
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%u|%u|%ld|%ld|%ld|", 0u, UINT_MAX, 0L, -12L, LONG_MIN);
	snprintf(want, sizeof want, "0|%u|0|-12|%ld|", UINT_MAX, LONG_MIN);
	CHECK_STREQ(sb.buf, want);
	strbuf_reset(&sb);
	strbuf_adds(&sb, "pre:");
	strbuf_addf(&sb, "%s-%d-%5s|%lu", "a", 1, "b", 7UL);
	CHECK_STREQ(sb.buf, "pre:a-1-    b|7");
	strbuf_release(&sb);
}

static void test_strbuf_contract(void)
{
	struct strbuf sb = STRBUF_INIT;
	CHECK(sb.buf == NULL);
	CHECK_STREQ(strbuf_str(&sb), "");
	CHECK_INTEQ(error_to(&sb, "bad '%s'", "x"), -1);
	CHECK_INTEQ(error_to(NULL, "ignored %d", 1), -1);
	CHECK_STREQ(strbuf_str(&sb), "bad 'x'");
	strbuf_release(&sb);
}

/* Terminal controls are made visible; text, UTF-8 and (on request)
 * newlines and tabs are not touched. */
static void test_strbuf_add_safe(void)
{
	struct strbuf sb = STRBUF_INIT;
	const char in[] = "a\x1b[2J\x07" "b\n\tc\x7f \xc2\x9b" "31m \xc3\xa9\xe2\x82\xac";
	strbuf_add_safe(&sb, in, sizeof in - 1, 0);
	CHECK_STREQ(sb.buf, "a\\x1b[2J\\x07b\\x0a\\x09c\\x7f \\u009b31m \xc3\xa9\xe2\x82\xac");
	strbuf_reset(&sb);
	strbuf_add_safe(&sb, in, sizeof in - 1, 1);
	CHECK_STREQ(sb.buf, "a\\x1b[2J\\x07b\n\tc\\x7f \\u009b31m \xc3\xa9\xe2\x82\xac");
	strbuf_release(&sb);
}

static void test_xasprintf(void)
{
	char *s = xasprintf("%s.%d.%d.log", "fetch", 2, 13);
	CHECK_STREQ(s, "fetch.2.13.log");
	free(s);
	s = xstrndup("abcdef", 3);
	CHECK_STREQ(s, "abc");
	free(s);
	size_t cap = 0;
	int *v = xgrow(NULL, &cap, 100, sizeof *v);
	CHECK(cap >= 100);
	v[99] = 1;
	free(v);
}

static void test_only_chars(void)
{
	CHECK(only_chars("run-1.b_c", "abcnru0123456789.-_"));
	CHECK(!only_chars("", "abc"));
	CHECK(!only_chars("a b", "ab"));
	CHECK(!only_chars("a$", "a"));
}

static void test_edit_distance(void)
{
	CHECK_INTEQ(edit_distance("kitten", "sitting"), 3);
	CHECK_INTEQ(edit_distance("", "abc"), 3);
	CHECK_INTEQ(edit_distance("abc", ""), 3);
	CHECK_INTEQ(edit_distance("same", "same"), 0);
	CHECK_INTEQ(edit_distance("depend_on", "depends_on"), 1);
	CHECK_INTEQ(edit_distance("retires", "retries"), 2);
}

static void test_closest_match(void)
{
	static const char *const keys[] = {
		"executor", "depends_on", "retries", "retry_delay", "timeout",
		"trigger", NULL,
	};
	CHECK_STREQ(closest_match("depend_on", keys), "depends_on");
	CHECK_STREQ(closest_match("retires", keys), "retries");
	CHECK_STREQ(closest_match("timout", keys), "timeout");
	CHECK_STREQ(closest_match("triger", keys), "trigger");
	CHECK(closest_match("zzzzzzzz", keys) == NULL);
	CHECK(closest_match("x", keys) == NULL);
	static const char *const none[] = {NULL};
	CHECK(closest_match("anything", none) == NULL);
	/* Too long to be a typo: no suggestion, not a quadratic search. */
	char longw[CLOSEST_MATCH_MAX + 2];
	memset(longw, 'a', sizeof longw - 1);
	longw[sizeof longw - 1] = '\0';
	const char *const longer[] = {longw + 1, NULL};
	CHECK(closest_match(longw, longer) == NULL);
	CHECK_STREQ(closest_match(longw + 1, (const char *const[]){longw + 2, NULL}), longw + 2);
}

/* Entries in unit_tmpdir other than . and .. */
static int count_entries(void)
{
	DIR *d = opendir(unit_tmpdir);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static void test_write_file_atomic(void)
{
	char *path = xasprintf("%s/out.json", unit_tmpdir);
	CHECK_INTEQ(write_file_atomic(path, "{\"a\":1}", 7), 0);
	size_t len = 0;
	char *text = read_file(path, &len);
	CHECK_STREQ(text, "{\"a\":1}");
	CHECK_INTEQ(len, 7);
	free(text);
	/* Overwriting replaces the whole file, and no temporary remains. */
	CHECK_INTEQ(write_file_atomic(path, "null", 4), 0);
	text = read_file(path, &len);
	CHECK_STREQ(text, "null");
	free(text);
	CHECK_INTEQ(count_entries(), 1);
	/* Binary data and empty files. */
	CHECK_INTEQ(write_file_atomic(path, "a\0b", 3), 0);
	text = read_file(path, &len);
	CHECK_INTEQ(len, 3);
	CHECK(text && !memcmp(text, "a\0b", 3));
	free(text);
	CHECK_INTEQ(write_file_atomic(path, "", 0), 0);
	text = read_file(path, &len);
	CHECK_STREQ(text, "");
	CHECK_INTEQ(len, 0);
	free(text);
	free(path);

	/* A missing directory fails cleanly, with errno. */
	path = xasprintf("%s/missing/out.json", unit_tmpdir);
	errno = 0;
	CHECK_INTEQ(write_file_atomic(path, "x", 1), -1);
	CHECK_INTEQ(errno, ENOENT);
	errno = 0;
	CHECK(read_file(path, NULL) == NULL);
	CHECK_INTEQ(errno, ENOENT);
	free(path);
	CHECK_INTEQ(count_entries(), 1);

	/* A device or a FIFO (orkc -o /dev/null) is written, never replaced
	 * by a regular file. */
	path = xasprintf("%s/fifo", unit_tmpdir);
	CHECK_INTEQ(mkfifo(path, 0600), 0);
	int rfd = open(path, O_RDWR | O_NONBLOCK);
	CHECK(rfd >= 0);
	CHECK_INTEQ(write_file_atomic(path, "abc", 3), 0);
	struct stat st;
	CHECK(lstat(path, &st) == 0 && S_ISFIFO(st.st_mode));
	char buf[8] = "";
	CHECK_INTEQ(read(rfd, buf, sizeof buf), 3);
	CHECK(!memcmp(buf, "abc", 3));
	close(rfd);
	unlink(path);
	free(path);
	/* A new file gets 0666 less the umask; an old one keeps its mode. */
	path = xasprintf("%s/mode", unit_tmpdir);
	mode_t old = umask(027);
	CHECK_INTEQ(write_file_atomic(path, "1", 1), 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640);
	CHECK_INTEQ(chmod(path, 0751), 0);
	CHECK_INTEQ(write_file_atomic(path, "2", 1), 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0751);
	umask(old);
	unlink(path);
	free(path);
}

static void test_mkdir_p(void)
{
	char *path = xasprintf("%s/a/b/c", unit_tmpdir);
	CHECK_INTEQ(mkdir_p(path, 0777), 0);
	struct stat st;
	CHECK(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
	CHECK_INTEQ(mkdir_p(path, 0777), 0);
	free(path);
	/* A file in the way is an error. */
	path = xasprintf("%s/out.json/x", unit_tmpdir);
	CHECK_INTEQ(mkdir_p(path, 0777), -1);
	free(path);
}

static void test_fnv(void)
{
	CHECK(fnv1a64("", 0, FNV1A64_INIT) == FNV1A64_INIT);
	CHECK(fnv1a64("a", 1, FNV1A64_INIT) == 0xaf63dc4c8601ec8cULL);
	CHECK(fnv1a64("foobar", 6, FNV1A64_INIT) == 0x85944171f73967e8ULL);
	/* Hashing in pieces is hashing the whole. */
	unsigned long long h = fnv1a64("foo", 3, FNV1A64_INIT);
	CHECK(fnv1a64("bar", 3, h) == 0x85944171f73967e8ULL);
}

static void test_format_time(void)
{
	char buf[32];
	format_time(0, buf);
	CHECK_STREQ(buf, "1970-01-01T00:00:00.000Z");
	format_time(1.5, buf);
	CHECK_STREQ(buf, "1970-01-01T00:00:01.500Z");
	format_time(1795680000.25, buf);
	CHECK_STREQ(buf, "2026-11-26T08:00:00.250Z");
	/* Leap days, a century leap year, the end of a century, before 1970. */
	format_time(951782400, buf);
	CHECK_STREQ(buf, "2000-02-29T00:00:00.000Z");
	format_time(1709164800.999, buf);
	CHECK_STREQ(buf, "2024-02-29T00:00:00.999Z");
	format_time(4102444799, buf);
	CHECK_STREQ(buf, "2099-12-31T23:59:59.000Z");
	format_time(-1.5, buf);
	CHECK_STREQ(buf, "1969-12-31T23:59:58.500Z");
	double a = now_mono(), b = now_mono();
	CHECK(b >= a);
	CHECK(now_wall() > 1.7e9);
}



UNIT_MAIN(unit_tmpdir_make, test_strbuf, test_strbuf_simple_format, test_strbuf_contract, test_xasprintf, test_only_chars, test_edit_distance,
	  test_closest_match, test_write_file_atomic, test_strbuf_add_safe, test_mkdir_p, test_fnv,
	  test_format_time, unit_tmpdir_remove)
