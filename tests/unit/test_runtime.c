/* Unit tests for the runtime's pure parts: the task spec (ORK_SPEC), names,
 * times, retry arithmetic and the journal folded into a history. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crontab.h"
#include "history.h"
#include "journal.h"
#include "jsonx.h"
#include "rundir.h"
#include "taskio.h"
#include "taskspec.h"
#include "unit.h"
#include "util.h"


static void test_names(void)
{
	CHECK(valid_run_id("default"));
	CHECK(valid_run_id("2026-11-26T08.00_x"));
	CHECK(!valid_run_id(""));
	CHECK(!valid_run_id("."));
	CHECK(!valid_run_id(".."));
	CHECK(!valid_run_id("a/b"));
	CHECK(!valid_run_id("a b"));
	CHECK(!valid_run_id("$x"));
	CHECK(valid_name("data_pipeline"));
	CHECK(valid_name("_a-1"));
	CHECK(!valid_name("1a"));
	CHECK(!valid_name("a.b"));
	CHECK(!valid_name(""));
}

static void test_times(void)
{
	double t;
	CHECK_INTEQ(parse_time("2026-11-26T08:00:00.250Z", &t), 0);
	CHECK(t == 1795680000.25);
	char buf[32];
	format_time(t, buf);
	CHECK_STREQ(buf, "2026-11-26T08:00:00.250Z");
	CHECK_INTEQ(parse_time("2026-11-26T08:00:00Z", &t), 0);
	CHECK_INTEQ(parse_time("yesterday", &t), -1);
	CHECK_INTEQ(parse_time(NULL, &t), -1);
	format_duration(1.234, buf);
	CHECK_STREQ(buf, "1.23s");
	format_duration(12.34, buf);
	CHECK_STREQ(buf, "12.3s");
	format_duration(245, buf);
	CHECK_STREQ(buf, "4m05s");
	format_duration(7380, buf);
	CHECK_STREQ(buf, "2h03m");
}

static const char full_spec[] =
	"{\"task\":\"fetch\",\"key\":\"3fa9c2d1e0b4a7c6\",\"executor\":\"process\","
	"\"argv\":[\"./bin/x\",\"--y\"],"
	"\"input\": { \"n\":12345678901234567890, \"s\":\"\\u0024HOME}\","
	" \"o\":{\"k\":[1,\"]\"]} } ,"
	"\"deps\":[{\"task\":\"a\",\"key\":\"0123456789abcdef\"}],"
	"\"env\":{\"K\":\"v\"},\"timeout\":2.5,\"retries\":3,\"retry_delay\":5,"
	"\"retry_backoff\":2,\"retry_max_delay\":30,\"retry_on\":[75,111],"
	"\"trigger\":\"none_failed\"}";

static void test_spec_full(void)
{
	struct task_spec s;
	struct strbuf err = STRBUF_INIT;
	CHECK_INTEQ(spec_parse(&s, full_spec, &err), 0);
	CHECK_INTEQ(err.len, 0);
	strbuf_release(&err);
	CHECK_STREQ(s.task, "fetch");
	CHECK_STREQ(s.key, "3fa9c2d1e0b4a7c6");
	CHECK_INTEQ(s.executor, SPEC_PROCESS);
	CHECK(s.argv && !strcmp(s.argv[0], "./bin/x") &&
	      !strcmp(s.argv[1], "--y") && !s.argv[2]);
	/* The input's members travel as the exact text they were given. */
	CHECK_INTEQ(s.ninput, strlen("\"n\":12345678901234567890, \"s\":\"\\u0024HOME}\","
				     " \"o\":{\"k\":[1,\"]\"]}"));
	char *in = xstrndup(s.input, s.ninput);
	CHECK_STREQ(in, "\"n\":12345678901234567890, \"s\":\"\\u0024HOME}\","
		    " \"o\":{\"k\":[1,\"]\"]}");
	free(in);
	CHECK_INTEQ(s.ndeps, 1);
	CHECK_STREQ(s.deps[0].task, "a");
	CHECK_INTEQ(s.nenv, 1);
	CHECK_STREQ(s.env[0].name, "K");
	CHECK_STREQ(s.env[0].value, "v");
	CHECK(s.timeout == 2.5);
	CHECK_INTEQ(s.retries, 3);
	CHECK_INTEQ(s.trigger, SPEC_NONE_FAILED);
	CHECK_STREQ(spec_trigger_name(s.trigger), "none_failed");
	/* 5, 10, 20, then capped at 30. */
	CHECK(spec_retry_delay(&s, 1) == 5);
	CHECK(spec_retry_delay(&s, 2) == 10);
	CHECK(spec_retry_delay(&s, 3) == 20);
	CHECK(spec_retry_delay(&s, 4) == 30);
	CHECK(spec_retries_exit(&s, 75));
	CHECK(spec_retries_exit(&s, 111));
	CHECK(!spec_retries_exit(&s, 1));
	CHECK(!spec_retries_exit(&s, -1));
	spec_release(&s);
}

static void test_spec_defaults(void)
{
	struct task_spec s;
	CHECK_INTEQ(spec_parse(&s, "{\"task\":\"t\",\"key\":\"ab\",\"executor\":"
			       "\"python\",\"file\":\"tasks/t.py\"}", NULL), 0);
	CHECK_INTEQ(s.executor, SPEC_PYTHON);
	CHECK_STREQ(s.file, "tasks/t.py");
	CHECK(s.module == NULL && s.function == NULL);
	CHECK_INTEQ(s.ninput, 0);
	CHECK(s.timeout == 3600);
	CHECK_INTEQ(s.retries, 0);
	CHECK(s.retry_backoff == 1);
	CHECK(s.retry_max_delay < 0);
	CHECK_INTEQ(s.trigger, SPEC_ALL_SUCCESS);
	CHECK(spec_retries_exit(&s, 3));
	CHECK(spec_retry_delay(&s, 1) == 0);
	spec_release(&s);

	CHECK_INTEQ(spec_parse(&s, "{\"task\":\"t\",\"key\":\"ab\",\"executor\":"
			       "\"process\",\"script\":\"echo hi | wc -c\","
			       "\"input\":{}}", NULL), 0);
	CHECK_STREQ(s.script, "echo hi | wc -c");
	CHECK(s.argv == NULL);
	CHECK_INTEQ(s.ninput, 0);
	spec_release(&s);
}

static void check_bad_spec(const char *text, const char *want)
{
	struct task_spec s;
	struct strbuf err = STRBUF_INIT;
	CHECK_INTEQ(spec_parse(&s, text, &err), -1);
	CHECK_STREQ(strbuf_str(&err), want);
	strbuf_release(&err);
	spec_release(&s);
}

static void test_spec_errors(void)
{
	check_bad_spec("[1]", "not a JSON object");
	/* The message is not cut at some buffer size. */
	{
		char name[400], text[600], want[500];
		memset(name, 'x', sizeof name - 1);
		name[sizeof name - 1] = '\0';
		snprintf(text, sizeof text, "{\"task\":\"t\",\"key\":\"ab\","
			 "\"executor\":\"%s\"}", name);
		snprintf(want, sizeof want, "unknown executor '%s'", name);
		check_bad_spec(text, want);
	}
	check_bad_spec("{\"task\":", "not a JSON object");
	check_bad_spec("{\"key\":\"ab\"}", "member 'task' is missing");
	check_bad_spec("{\"task\":\"t\",\"key\":\"../x\",\"executor\":\"process\"}",
		       "invalid key '../x'");
	check_bad_spec("{\"task\":\"a/b\",\"key\":\"ab\"}", "invalid task name 'a/b'");
	check_bad_spec("{\"task\":\"t\",\"key\":\"ab\",\"executor\":\"java\"}",
		       "unknown executor 'java'");
	check_bad_spec("{\"task\":\"t\",\"key\":\"ab\",\"executor\":\"process\"}",
		       "a process task needs 'argv' (a non-empty list of "
		       "strings) or 'script'");
	check_bad_spec("{\"task\":\"t\",\"key\":\"ab\",\"executor\":\"process\","
		       "\"argv\":[\"x\"],\"timeout\":\"5\"}",
		       "member 'timeout' must be a non-negative number");
	check_bad_spec("{\"task\":\"t\",\"key\":\"ab\",\"executor\":\"process\","
		       "\"argv\":[\"x\"],\"input\":[1]}",
		       "member 'input' must be an object");
	check_bad_spec("{\"task\":\"t\",\"key\":\"ab\",\"executor\":\"process\","
		       "\"argv\":[\"x\"],\"trigger\":\"sometimes\"}",
		       "unknown trigger 'sometimes'");
	check_bad_spec("{\"task\":\"t\",\"key\":\"ab\",\"executor\":\"process\","
		       "\"argv\":[\"x\"],\"env\":{\"A=B\":\"c\"}}",
		       "member 'env' must map names without '=' to strings");
	check_bad_spec("{\"task\":\"t\",\"key\":\"ab\",\"executor\":\"process\","
		       "\"argv\":[\"x\"],\"deps\":[{\"task\":\"a\"}]}",
		       "member 'deps' must hold {\"task\": NAME, \"key\": KEY} "
		       "objects");
	check_bad_spec("{\"task\":\"t\",\"key\":\"ab\",\"executor\":\"python\"}",
		       "a python task needs 'file' or 'module'");
}

/* A journal written by hand, folded into per-task states. */
static void test_history(void)
{
	struct rundir rd = {xstrdup(unit_tmpdir), xstrdup("wf"), xstrdup("r"),
			    xasprintf("%s/wf/r", unit_tmpdir)};
	CHECK_INTEQ(mkdir_p(rd.path, 0777), 0);
	static const char journal[] =
		"{\"ev\":\"begin\",\"inv\":1}\n"
		"{\"ev\":\"start\",\"task\":\"a\",\"inv\":1,\"attempt\":1,\"log\":\"logs/a.1.1.log\",\"pid\":1}\n"
		"{\"ev\":\"attempt\",\"task\":\"a\",\"inv\":1,\"attempt\":1,\"ok\":false,\"exit\":3,\"signal\":0}\n"
		"{\"ev\":\"end\",\"task\":\"a\",\"inv\":1,\"state\":\"failed\",\"attempts\":1,\"reason\":\"exit status 3\",\"key\":\"aa\"}\n"
		"{\"ev\":\"start\",\"task\":\"b\",\"inv\":1,\"attempt\":1,\"log\":\"logs/b.1.1.log\",\"pid\":1}\n"
		"{\"ev\":\"attempt\",\"task\":\"b\",\"inv\":1,\"attempt\":1,\"ok\":true,\"exit\":0,\"signal\":0}\n"
		"{\"ev\":\"end\",\"task\":\"b\",\"inv\":1,\"state\":\"succeeded\",\"attempts\":1,\"reason\":\"\",\"key\":\"bb\"}\n"
		"{\"ev\":\"end\",\"task\":\"c\",\"inv\":1,\"state\":\"skipped\",\"attempts\":0,\"reason\":\"upstream 'a' failed\",\"key\":\"cc\"}\n"
		"{\"ev\":\"begin\",\"inv\":2}\n"
		"{\"ev\":\"start\",\"task\":\"a\",\"inv\":2,\"attempt\":1,\"log\":\"logs/a.2.1.log\",\"pid\":999999999}\n"
		"{torn line\n"
		"{\"ev\":\"end\",\"task\":\"d\",\"inv\":2,\"state\":\"succeeded\",\"attempts\":2,\"reason\":\"\",\"key\":\"dd\"}\n";
	char *jpath = rundir_file(&rd, "journal.jsonl");
	CHECK_INTEQ(write_file_atomic(jpath, journal, sizeof journal - 1), 0);
	char *out = rundir_file(&rd, "b.bb.json");
	CHECK_INTEQ(write_file_atomic(out, "{}", 2), 0);

	struct history h = HISTORY_INIT;
	CHECK_INTEQ(history_load(&h, &rd), 0);
	CHECK_INTEQ(h.ntasks, 4);
	struct task_hist *a = history_get(&h, "a");
	CHECK(a && a->open && a->inv == 2);
	CHECK_STREQ(a->log, "logs/a.2.1.log");
	CHECK_STREQ(a->state, "failed");  /* the last end, from inv 1 */
	/* Its ork exec (pid 999999999) is not alive. */
	CHECK_STREQ(task_state(&rd, a), "interrupted");
	CHECK_STREQ(task_state(&rd, history_get(&h, "b")), "succeeded");
	CHECK_STREQ(task_state(&rd, history_get(&h, "c")), "skipped");
	CHECK_STREQ(history_get(&h, "c")->reason, "upstream 'a' failed");
	/* Succeeded in the journal, but its output file is gone. */
	CHECK_STREQ(task_state(&rd, history_get(&h, "d")), "not run");
	CHECK(history_get(&h, "e") == NULL);
	CHECK_STREQ(task_state(&rd, NULL), "not run");
	history_release(&h);

	/* Many tasks: the index grows. */
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 3000; i++)
		strbuf_addf(&sb, "{\"ev\":\"end\",\"task\":\"t%d\",\"inv\":1,"
			    "\"state\":\"failed\",\"attempts\":%d}\n", i, i);
	CHECK_INTEQ(write_file_atomic(jpath, sb.buf, sb.len), 0);
	CHECK_INTEQ(history_load(&h, &rd), 0);
	CHECK_INTEQ(h.ntasks, 3000);
	CHECK(history_get(&h, "t2999") && history_get(&h, "t2999")->attempts == 2999);
	CHECK(history_get(&h, "t0") && history_get(&h, "t0")->attempts == 0);
	history_release(&h);
	strbuf_release(&sb);
	free(jpath);
	free(out);
	rundir_release(&rd);
}

/* run.json keeps the task names last, and a task reads the rest without
 * them; a file in the older order (names before ntasks) reads the same. */
static void test_run_head(void)
{
	struct rundir rd = {xstrdup(unit_tmpdir), xstrdup("wf"), xstrdup("h"),
			    xasprintf("%s/wf/h", unit_tmpdir)};
	CHECK_INTEQ(mkdir_p(rd.path, 0777), 0);
	cJSON *run = cJSON_CreateObject();
	cJSON_AddNumberToObject(run, "invocation", 3);
	cJSON *names = cJSON_AddArrayToObject(run, "tasks");
	cJSON_AddItemToArray(names, cJSON_CreateString("a"));
	cJSON_AddItemToArray(names, cJSON_CreateString("  \"tasks\": ["));
	cJSON_AddNumberToObject(run, "ntasks", 2);
	cJSON *p = cJSON_AddObjectToObject(run, "params");
	cJSON_AddStringToObject(p, "tasks", "x");
	CHECK_INTEQ(rundir_save_run(&rd, run), 0);
	char *path = rundir_file(&rd, "run.json");
	char *text = read_file_nofollow(path, NULL);
	CHECK(text && strstr(text, "\"ntasks\"") < strstr(text, "\n  \"tasks\""));
	CHECK(text && strstr(text, "\"params\"") < strstr(text, "\n  \"tasks\""));
	free(text);
	/* The tree itself is as it was. */
	CHECK(cJSON_GetObjectItemCaseSensitive(run, "tasks")->next != NULL);

	cJSON *head = rundir_load_run_head(&rd);
	CHECK(head != NULL);
	CHECK(cJSON_GetObjectItemCaseSensitive(head, "tasks") == NULL);
	CHECK_INTEQ((int)jsonx_get_number(head, "ntasks", 0), 2);
	CHECK_INTEQ((int)jsonx_get_number(head, "invocation", 0), 3);
	CHECK_STREQ(jsonx_get_string(cJSON_GetObjectItemCaseSensitive(head,
				     "params"), "tasks"), "x");
	cJSON_Delete(head);
	cJSON *all = rundir_load_run(&rd);
	CHECK_INTEQ(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(all,
					"tasks")), 2);
	cJSON_Delete(all);

	/* Written by an older ork: names first, more members after them. */
	static const char old[] = "{\n  \"invocation\": 4,\n  \"tasks\": [\n"
		"    \"a\"\n  ],\n  \"ntasks\": 1\n}\n";
	CHECK_INTEQ(write_file_atomic(path, old, sizeof old - 1), 0);
	head = rundir_load_run_head(&rd);
	CHECK(head && cJSON_GetObjectItemCaseSensitive(head, "tasks") == NULL);
	CHECK_INTEQ((int)jsonx_get_number(head, "ntasks", 0), 1);
	CHECK_INTEQ((int)jsonx_get_number(head, "invocation", 0), 4);
	cJSON_Delete(head);
	cJSON_Delete(run);
	free(path);
	rundir_release(&rd);
}

static void test_rundir_path(void)
{
	struct rundir rd;
	char *dir = xasprintf("%s/wf/r", unit_tmpdir);
	char *runjson = xasprintf("%s/run.json", dir);
	CHECK_INTEQ(write_file_atomic(runjson, "{}", 2), 0);
	char *slashed = xasprintf("%s/", dir);
	CHECK_INTEQ(rundir_from_path(&rd, slashed), 0);
	CHECK_STREQ(rd.workflow, "wf");
	CHECK_STREQ(rd.run_id, "r");
	CHECK_STREQ(rd.home, unit_tmpdir);
	CHECK_STREQ(rd.path, dir);
	rundir_release(&rd);
	CHECK_INTEQ(rundir_from_path(&rd, unit_tmpdir), -1);
	free(slashed);
	free(runjson);
	free(dir);

	setenv("ORK_WORKFLOW", "wf", 1);
	setenv("ORK_RUN_ID", "nightly-1", 1);
	unsetenv("ORK_HOME");
	CHECK_INTEQ(rundir_from_env(&rd), 0);
	CHECK_STREQ(rd.path, ".ork/wf/nightly-1");
	char *abs = rundir_abspath(&rd);
	CHECK(abs[0] == '/');
	CHECK(strstr(abs, "/.ork/wf/nightly-1") != NULL);
	free(abs);
	rundir_release(&rd);
}

static char *file_with(const char *name, const char *text, size_t n)
{
	char *path = xasprintf("%s/%s", unit_tmpdir, name);
	CHECK_INTEQ(write_file_atomic(path, text, n), 0);
	return path;
}

static void check_output_file(const char *text, const char *want_text,
			      const char *want_reason)
{
	char *path = file_with("out.json", text, strlen(text));
	struct strbuf err = STRBUF_INIT;
	int rc = output_check(path, &err);
	CHECK_INTEQ(rc, want_reason ? -1 : 0);
	CHECK_STREQ(strbuf_str(&err), want_reason ? want_reason : "");
	strbuf_release(&err);
	if (!want_reason) {
		char *got = read_file(path, NULL);
		CHECK_STREQ(got, want_text);
		free(got);
	}
	free(path);
}

static void test_output_check(void)
{
	check_output_file("", "null", NULL);
	check_output_file(" \n\t\r\n", "null", NULL);
	check_output_file("{\"a\": 1}\n", "{\"a\": 1}", NULL);
	check_output_file("  [1, 2]  \n\n", "  [1, 2]", NULL);
	check_output_file("42", "42", NULL);
	check_output_file("{\"a\": 1,}", NULL,
			  "invalid JSON output at byte 8: trailing comma");
	check_output_file("hello", NULL,
			  "invalid JSON output at byte 0: unexpected character");
	check_output_file("{} {}", NULL, "invalid JSON output at byte 3: "
			  "trailing data after the JSON value");
	struct strbuf err = STRBUF_INIT;
	char *missing = xasprintf("%s/missing.json", unit_tmpdir);
	CHECK_INTEQ(output_check(missing, &err), -1);
	CHECK_STREQ(strbuf_str(&err),
		    "cannot read the output: No such file or directory");
	strbuf_release(&err);
	/* A NULL err: only the result. */
	CHECK_INTEQ(output_check(missing, NULL), -1);
	free(missing);
}

static void test_input_write(void)
{
	char *a = file_with("a.json", "{\"x\": [1, 2]}", 13);
	char *big = xmalloc(3000001);
	memset(big, 'b', 3000001);
	big[0] = '"';
	big[3000000] = '"';
	char *b = file_with("b.json", big, 3000001);
	char *in = xasprintf("%s/in.json", unit_tmpdir);
	struct input_part parts[] = {{"a", a}, {"gone", NULL}, {"b", b}};
	int fd = open(in, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	const char *bad = "x";
	CHECK_INTEQ(input_write(fd, "\"k\":1", 5, parts, 3, &bad), 0);
	CHECK(bad == NULL);
	close(fd);
	size_t len;
	char *got = read_file(in, &len);
	struct strbuf want = STRBUF_INIT;
	strbuf_adds(&want, "{\"k\":1,\"a\":{\"x\": [1, 2]},\"gone\":null,\"b\":");
	strbuf_add(&want, big, 3000001);
	strbuf_addc(&want, '}');
	CHECK_INTEQ(len, want.len);
	CHECK(got && !memcmp(got, want.buf, want.len));
	CHECK_INTEQ(jsonx_validate(got, len, NULL, NULL), 0);
	free(got);
	strbuf_release(&want);

	/* No static members, no upstreams. */
	fd = open(in, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK_INTEQ(input_write(fd, "", 0, parts, 0, &bad), 0);
	close(fd);
	got = read_file(in, NULL);
	CHECK_STREQ(got, "{}");
	free(got);
	fd = open(in, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK_INTEQ(input_write(fd, "", 0, parts + 1, 1, &bad), 0);
	close(fd);
	got = read_file(in, NULL);
	CHECK_STREQ(got, "{\"gone\":null}");
	free(got);

	/* An unreadable upstream file is named. */
	struct input_part lost[] = {{"lost", "/nonexistent/lost.json"}};
	fd = open(in, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK_INTEQ(input_write(fd, "", 0, lost, 1, &bad), -1);
	CHECK_STREQ(bad, "/nonexistent/lost.json");
	close(fd);
	free(a);
	free(b);
	free(big);
	free(in);
}

static void test_envb(void)
{
	setenv("ORK_SPEC", "{}", 1);
	setenv("ORK_TEST_KEEP", "1", 1);
	setenv("ORK_TEST_OVER", "old", 1);
	struct envb e = ENVB_INIT;
	envb_set(&e, "ORK_TEST_OVER", "new");
	envb_set(&e, "ORK_TEST_NEW", "a=b");
	envb_set(&e, "ORK_TEST_NEW", "c");
	char **env = envb_build(&e, "ORK_SPEC");
	int keep = 0, over = 0, fresh = 0, spec = 0;
	for (char **p = env; *p; p++) {
		keep += !strcmp(*p, "ORK_TEST_KEEP=1");
		over += !strncmp(*p, "ORK_TEST_OVER=", 14);
		CHECK(strcmp(*p, "ORK_TEST_OVER=old"));
		fresh += !strncmp(*p, "ORK_TEST_NEW=", 13);
		CHECK(strcmp(*p, "ORK_TEST_NEW=a=b"));
		spec += !strncmp(*p, "ORK_SPEC=", 9);
	}
	CHECK_INTEQ(keep, 1);
	CHECK_INTEQ(over, 1);
	CHECK_INTEQ(fresh, 1);
	CHECK_INTEQ(spec, 0);
	envb_release(&e, env);
	unsetenv("ORK_SPEC");
}



/* The crontab block checks say what is wrong through err. */
static void test_crontab_errors(void)
{
	struct strbuf err = STRBUF_INIT;
	char *name = crontab_block_name("# BEGIN orkc w\n* * * * * x\n"
					"# END orkc w\n", &err);
	CHECK_STREQ(name, "w");
	CHECK_INTEQ(err.len, 0);
	free(name);
	CHECK(crontab_block_name("# BEGIN orkc w\n# BEGIN orkc v\n"
				 "# END orkc w\n", &err) == NULL);
	CHECK_STREQ(strbuf_str(&err), "it holds more than one block");
	strbuf_reset(&err);
	char *tab = crontab_splice("a\n# BEGIN orkc w\nb\n", "w", NULL, &err);
	CHECK(tab == NULL);
	CHECK_STREQ(strbuf_str(&err), "the crontab's block for this workflow "
		    "has no '# END orkc' line; fix it with crontab -e");
	strbuf_reset(&err);
	tab = crontab_splice("a\n# BEGIN orkc w\nb\n# END orkc w\nc\n", "w",
			     NULL, &err);
	CHECK_STREQ(tab, "a\nc\n");
	CHECK_INTEQ(err.len, 0);
	free(tab);
	strbuf_release(&err);
}


/* Writers appending at once, with events that cross page boundaries:
 * every line of the journal is one whole event, never an empty line
 * (a writer looking for the last newline during another's write once
 * added one). */
static void test_journal_concurrent(void)
{
	char *path = xasprintf("%s/journal.jsonl", unit_tmpdir);
	enum { WRITERS = 4, EVENTS = 300 };
	for (int w = 0; w < WRITERS; w++) {
		pid_t pid = fork();
		if (pid == 0) {
			int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
			int rc = fd < 0;
			/* Nothing left allocated at _exit: valgrind checks
			 * the children too. */
			free(path);
			for (int i = 0; i < EVENTS && !rc; i++) {
				struct strbuf sb = STRBUF_INIT;
				char pad[1500];
				memset(pad, 'a' + w, sizeof pad - 1);
				pad[sizeof pad - 1 - (size_t)(i % 700)] = '\0';
				event_start(&sb, "test");
				event_str(&sb, "pad", pad);
				rc = journal_write(fd, &sb) < 0;
				strbuf_release(&sb);
			}
			_exit(rc);
		}
		CHECK(pid > 0);
	}
	int status, ok = 1;
	for (int w = 0; w < WRITERS; w++)
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			ok = 0;
	CHECK(ok);
	size_t len;
	char *text = read_file(path, &len);
	CHECK(text != NULL);
	size_t lines = 0, bad = 0;
	for (char *p = text; text && p < text + len;) {
		char *nl = memchr(p, '\n', (size_t)(text + len - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(text + len - p);
		if (n < 2 || p[0] != '{' || p[n - 1] != '}' ||
		    jsonx_validate(p, n, NULL, NULL) < 0)
			bad++;
		lines++;
		p += n + 1;
	}
	CHECK_INTEQ(lines, WRITERS * EVENTS);
	CHECK_INTEQ(bad, 0);
	free(text);
	free(path);
}

UNIT_MAIN(unit_tmpdir_make, test_names, test_times, test_spec_full, test_spec_defaults,
	  test_spec_errors, test_history, test_run_head, test_rundir_path, test_output_check,
	  test_input_write, test_envb, test_crontab_errors,
	  test_journal_concurrent,
	  unit_tmpdir_remove)
