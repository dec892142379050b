/* Unit tests for runtime/mask and runtime/secrets: masking across every
 * chunk boundary, longest-first, short values, the relay, the secrets
 * file's checks and its precedence under the environment. */
#include "unit.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mask.h"
#include "secrets.h"
#include "taskspec.h"
#include "util.h"

static void collect(void *ctx, const char *buf, size_t n)
{
	strbuf_add(ctx, buf, n);
}

/* text through a mask of vals, fed in chunks of size step (0: whole). */
static char *masked(const char *const *vals, size_t nvals, const char *text,
		    size_t step, size_t *count)
{
	struct mask m;
	struct strbuf out = STRBUF_INIT;
	mask_init(&m, vals, nvals);
	m.out = collect;
	m.ctx = &out;
	size_t len = strlen(text);
	if (!step)
		step = len ? len : 1;
	for (size_t i = 0; i < len; i += step)
		mask_feed(&m, text + i, len - i < step ? len - i : step);
	mask_flush(&m);
	if (count)
		*count = m.count;
	mask_release(&m);
	strbuf_addc(&out, '\0');
	return strbuf_detach(&out);
}

static void test_whole(void)
{
	const char *v[] = { "s3cret" };
	size_t n;
	char *s = masked(v, 1, "a s3cret b s3crets3cret", 0, &n);
	CHECK_STREQ(s, "a *** b ******");
	CHECK_INTEQ(n, 3);
	free(s);
}

/* Every chunk size, 1 byte included, gives the same text. */
static void test_every_split(void)
{
	const char *v[] = { "tok-123456", "pass" };
	const char *text = "x tok-123456 tok-12345 pas pass tok-123456";
	const char *want = "x *** tok-12345 pas *** ***";
	for (size_t step = 1; step <= strlen(text); step++) {
		char *s = masked(v, 2, text, step, NULL);
		CHECK_STREQ(s, want);
		free(s);
	}
}

static void test_held_prefix_released(void)
{
	const char *v[] = { "abcdef" };
	char *s = masked(v, 1, "xx abcde", 3, NULL);
	CHECK_STREQ(s, "xx abcde");
	free(s);
}

static void test_longest_first(void)
{
	const char *v[] = { "toke", "token1" };
	for (size_t step = 1; step <= 8; step++) {
		char *s = masked(v, 2, "token1 toke2", step, NULL);
		CHECK_STREQ(s, "*** ***2");
		free(s);
	}
}

static void test_short_values(void)
{
	const char *v[] = { "abc", "" };
	size_t n;
	char *s = masked(v, 2, "abc abc", 1, &n);
	CHECK_STREQ(s, "abc abc");
	CHECK_INTEQ(n, 0);
	free(s);
}

static void test_string(void)
{
	const char *v[] = { "hunter22" };
	struct mask m;
	mask_init(&m, v, 1);
	char buf[] = "bad token hunter22 (hunter22)";
	CHECK_INTEQ(mask_string(&m, buf), 2);
	CHECK_STREQ(buf, "bad token *** (***)");
	CHECK_INTEQ(mask_string(&m, NULL), 0);
	mask_release(&m);
}

static void test_relay(void)
{
	const char *v[] = { "sekrit99" };
	struct mask m;
	mask_init(&m, v, 1);
	char path[] = "/tmp/orkc-mask.XXXXXX";
	int out = mkstemp(path);
	CHECK(out >= 0);
	pid_t pid;
	int fd = mask_relay_start(&m, out, &pid);
	CHECK(fd >= 0);
	CHECK(write(fd, "one sek", 7) == 7);
	CHECK(write(fd, "rit99 two\n", 10) == 10);
	CHECK_INTEQ(mask_relay_end(pid, fd, 5), 1);
	size_t len;
	char *text = read_file(path, &len);
	CHECK_STREQ(text, "one *** two\n");
	free(text);
	/* Nothing to mask: 0. */
	fd = mask_relay_start(&m, out, &pid);
	CHECK(write(fd, "plain", 5) == 5);
	CHECK_INTEQ(mask_relay_end(pid, fd, 5), 0);
	close(out);
	unlink(path);
	mask_release(&m);
}

static const char spec_text[] =
	"{\"task\":\"t\",\"key\":\"0123456789abcdef\",\"executor\":\"process\","
	"\"argv\":[\"true\"],\"input\":{},\"deps\":[],\"env\":{},"
	"\"secrets\":{\"TOKEN\":\"ORKTEST_TOKEN\"},"
	"\"timeout\":1,\"retries\":0,\"retry_delay\":0,\"retry_backoff\":1,"
	"\"retry_max_delay\":null,\"retry_on\":[],\"trigger\":\"all_success\"}";

/* secrets_load with ORK_SECRETS_FILE holding file_text; its message, if
 * any, replaces what err held. */
static int load(const char *file_text, mode_t mode, struct strbuf *err,
		char **value)
{
	char path[sizeof unit_tmpdir + 16];
	snprintf(path, sizeof path, "%s/secrets", unit_tmpdir);
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0);
	CHECK(write_all(fd, file_text, strlen(file_text)) == 0);
	close(fd);
	CHECK(chmod(path, mode) == 0);
	setenv("ORK_SECRETS_FILE", path, 1);
	struct task_spec s;
	memset(&s, 0, sizeof s);
	CHECK(spec_parse(&s, spec_text, NULL) == 0);
	CHECK_INTEQ(s.nsecrets, 1);
	struct secrets sec;
	strbuf_reset(err);
	int rc = secrets_load(&s, &sec, err);
	*value = rc == 0 ? xstrdup(sec.values[0]) : NULL;
	secrets_release(&sec);
	spec_release(&s);
	return rc;
}

static void test_file(void)
{
	struct strbuf err = STRBUF_INIT;
	char *v, *want;
	char path[sizeof unit_tmpdir + 16];
	snprintf(path, sizeof path, "%s/secrets", unit_tmpdir);
	unsetenv("ORKTEST_TOKEN");
	CHECK_INTEQ(load("# c\n\nORKTEST_TOKEN=old\nORKTEST_TOKEN=a=b c \r\n",
			 0600, &err, &v), 0);
	CHECK_STREQ(v, "a=b c ");
	CHECK_STREQ(strbuf_str(&err), "");
	free(v);
	CHECK_INTEQ(load("ORKTEST_TOKEN=x1234\n", 0644, &err, &v), -1);
	want = xasprintf("refusing secrets file '%s': group or others have "
			 "access to it (mode 0644); make it private: chmod 600 "
			 "'%s'", path, path);
	CHECK_STREQ(strbuf_str(&err), want);
	free(want);
	CHECK_INTEQ(load("ORKTEST_TOKEN=x1234\n", 0640, &err, &v), -1);
	CHECK_INTEQ(load("ORKTEST_TOKEN=x1234\n", 0400, &err, &v), 0);
	free(v);
	/* A bad line is named by number, never shown. */
	CHECK_INTEQ(load("ok=1\nhunter2 secret\n", 0600, &err, &v), -1);
	want = xasprintf("secrets file '%s', line 2: expected NAME=value",
			 path);
	CHECK_STREQ(strbuf_str(&err), want);
	free(want);
	CHECK_INTEQ(load("OTHER=1\n", 0600, &err, &v), -1);
	CHECK_STREQ(strbuf_str(&err), "secret 'ORKTEST_TOKEN' is not set "
		    "(environment or ORK_SECRETS_FILE)");
	/* The environment wins. */
	setenv("ORKTEST_TOKEN", "from-env", 1);
	CHECK_INTEQ(load("ORKTEST_TOKEN=from-file\n", 0600, &err, &v), 0);
	CHECK_STREQ(v, "from-env");
	free(v);
	/* Empty counts as not set, in the environment and in the file. */
	setenv("ORKTEST_TOKEN", "", 1);
	CHECK_INTEQ(load("ORKTEST_TOKEN=from-file\n", 0600, &err, &v), 0);
	CHECK_STREQ(v, "from-file");
	free(v);
	CHECK_INTEQ(load("ORKTEST_TOKEN=\n", 0600, &err, &v), -1);
	CHECK_STREQ(strbuf_str(&err), "secret 'ORKTEST_TOKEN' is not set "
		    "(environment or ORK_SECRETS_FILE)");
	unsetenv("ORKTEST_TOKEN");
	unsetenv("ORK_SECRETS_FILE");
	strbuf_release(&err);
}

UNIT_MAIN(unit_tmpdir_make, test_whole, test_every_split,
	  test_held_prefix_released, test_longest_first, test_short_values,
	  test_string, test_relay, test_file, unit_tmpdir_remove)
