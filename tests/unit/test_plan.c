/* Tests for compiler/workflow, compiler/plan, compiler/upstream and
 * compiler/specwrite: the model's defaults, dependency resolution, cycles,
 * order, input collisions, task files, upstream questions, expression
 * names in long chains, and task keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonx.h"
#include "plan.h"
#include "taskroot.h"
#include "unit.h"

struct fixture {
	struct diag d;
	struct ynode *root;
	struct workflow wf;
	struct plan p;
	int errors;         /* workflow and plan together */
};

static void build(struct fixture *f, const char *yaml)
{
	memset(f, 0, sizeof *f);
	diag_init(&f->d, "t.yaml", yaml, strlen(yaml));
	f->root = yaml_load(yaml, strlen(yaml), &f->d);
	if (!f->root) {
		f->errors = -1;
		return;
	}
	f->errors = workflow_from_yaml(f->root, "t.yaml", &f->d, &f->wf);
	f->errors += plan_build(&f->wf, &f->d, &f->p);
}

static void release(struct fixture *f)
{
	if (f->root) {
		plan_release(&f->p);
		workflow_release(&f->wf);
		ynode_free(f->root);
	}
	diag_release(&f->d);
}

static const char *msg(const struct fixture *f, size_t i)
{
	return i < f->d.nmsgs ? f->d.msgs[i].text : NULL;
}

static const char *order_name(const struct fixture *f, size_t i)
{
	return f->wf.tasks[f->p.order[i]].name;
}

/* A process task with the given extra lines (already indented). */
#define TASK(name, extra)                                                    \
	"  " name ":\n    executor: process\n    command: [true]\n" extra

static void test_defaults(void)
{
	struct fixture f;
	build(&f, "name: w\n"
		  "env: {A: 0x1F, B: 1.50, C: yes, D: false}\n"
		  "tasks:\n"
		  "  p:\n    executor: python\n    module: pkg.mod\n"
		  "  s:\n    executor: process\n    command: echo hi | wc -c\n"
		  "    depends_on: p\n    on_failure: run\n"
		  "  v:\n    executor: process\n    command: [sleep, 5]\n"
		  "    trigger: one_success\n    retries: 2\n"
		  "    retry_on: 75\n    retry_max_delay: 60\n");
	CHECK_INTEQ(f.errors, 0);
	CHECK_INTEQ(f.wf.ntasks, 3);
	const struct task *p = &f.wf.tasks[0], *s = &f.wf.tasks[1],
			  *v = &f.wf.tasks[2];
	CHECK_STREQ(f.wf.name, "w");
	CHECK_INTEQ(p->executor, EXECUTOR_PYTHON);
	CHECK_STREQ(p->function, "main");
	CHECK(p->file == NULL);
	CHECK(p->timeout == 3600 && p->retries == 0 && p->retry_delay == 0);
	CHECK(p->retry_backoff == 1 && p->retry_max_delay < 0);
	CHECK_INTEQ(p->trigger, TRIGGER_ALL_SUCCESS);
	CHECK(cJSON_IsObject(p->input) && p->input->child == NULL);
	CHECK_STREQ(s->script, "echo hi | wc -c");
	CHECK(s->argv == NULL && s->function == NULL);
	CHECK_INTEQ(s->ndeps, 1);
	CHECK_INTEQ(s->deps[0].task, 0);
	CHECK_INTEQ(s->trigger, TRIGGER_ALL_DONE);
	CHECK_INTEQ(v->argc, 2);
	CHECK_STREQ(v->argv[1], "5");
	CHECK_INTEQ(v->trigger, TRIGGER_ONE_SUCCESS);
	CHECK(v->nretry_on == 1 && v->retry_on[0] == 75);
	CHECK(v->retries == 2 && v->retry_max_delay == 60);
	/* Environment values are text, as written. */
	CHECK_INTEQ(f.wf.nenv, 4);
	CHECK_STREQ(f.wf.env[0].value, "0x1F");
	CHECK_STREQ(f.wf.env[1].value, "1.50");
	CHECK_STREQ(f.wf.env[2].value, "yes");
	CHECK_STREQ(f.wf.env[3].value, "false");
	CHECK_STREQ(trigger_name(v->trigger), "one_success");
	CHECK_STREQ(executor_name(s->executor), "process");
	CHECK_INTEQ(workflow_find_task(&f.wf, "v"), 2);
	CHECK_INTEQ(workflow_find_task(&f.wf, "nope"), -1);
	release(&f);
}

static void test_order(void)
{
	struct fixture f;
	build(&f, "name: w\ntasks:\n"
		  TASK("x", "")
		  TASK("y", "    depends_on: [w]\n")
		  TASK("z", "")
		  TASK("w", "")
		  TASK("last", "    depends_on: [y, x]\n"));
	CHECK_INTEQ(f.errors, 0);
	/* Ready together: file order. */
	CHECK_STREQ(order_name(&f, 0), "x");
	CHECK_STREQ(order_name(&f, 1), "z");
	CHECK_STREQ(order_name(&f, 2), "w");
	CHECK_STREQ(order_name(&f, 3), "y");
	CHECK_STREQ(order_name(&f, 4), "last");
	/* Downstream lists, in file order. */
	CHECK_INTEQ(f.p.ndownstream[0], 1);     /* x -> last */
	CHECK_INTEQ(f.p.downstream[0][0], 4);
	CHECK_INTEQ(f.p.ndownstream[3], 1);     /* w -> y */
	CHECK_INTEQ(f.p.downstream[3][0], 1);
	CHECK_INTEQ(f.p.ndownstream[2], 0);
	CHECK_INTEQ(f.p.ndownstream[4], 0);
	release(&f);
}

/* A long chain in reverse file order, plus a wide fan-in. */
static void test_order_big(void)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "name: w\ntasks:\n");
	for (int i = 0; i < 2000; i++) {
		strbuf_addf(&sb, "  t%d:\n    executor: process\n"
			    "    command: [true]\n", i);
		if (i < 1999)
			strbuf_addf(&sb, "    depends_on: [t%d]\n", i + 1);
	}
	strbuf_adds(&sb, "  join:\n    executor: process\n    command: [true]\n"
		    "    depends_on: [");
	for (int i = 0; i < 2000; i++)
		strbuf_addf(&sb, "%st%d", i ? ", " : "", i);
	strbuf_adds(&sb, "]\n");
	struct fixture f;
	build(&f, sb.buf);
	CHECK_INTEQ(f.errors, 0);
	CHECK_STREQ(order_name(&f, 0), "t1999");
	CHECK_STREQ(order_name(&f, 1999), "t0");
	CHECK_STREQ(order_name(&f, 2000), "join");
	CHECK_INTEQ(f.p.ndownstream[5], 2);
	release(&f);
	strbuf_release(&sb);
}

static void test_cycles(void)
{
	struct fixture f;
	build(&f, "name: w\ntasks:\n"
		  TASK("report", "    depends_on: [a]\n")
		  TASK("a", "    depends_on: [c]\n")
		  TASK("b", "    depends_on: [a]\n")
		  TASK("c", "    depends_on: [b, d]\n")
		  TASK("d", "    depends_on: [c]\n")
		  TASK("x", "    depends_on: [y]\n")
		  TASK("y", "    depends_on: [x]\n")
		  TASK("free", ""));
	/* Each knot once, at its first task, with its shortest cycle; the
	 * task merely downstream of one is not blamed. */
	CHECK_INTEQ(f.errors, 2);
	CHECK_STREQ(msg(&f, 0), "dependency cycle: a -> c -> b -> a");
	CHECK_INTEQ(f.d.msgs[0].pos.line, 7);
	CHECK_INTEQ(f.d.msgs[0].pos.col, 3);
	CHECK_STREQ(msg(&f, 1), "dependency cycle: x -> y -> x");
	release(&f);

	build(&f, "name: w\ntasks:\n"
		  TASK("a", "    depends_on: [b]\n")
		  TASK("b", "    depends_on: [c]\n")
		  TASK("c", "    depends_on: [d]\n")
		  TASK("d", "    depends_on: [a]\n"));
	CHECK_STREQ(msg(&f, 0), "dependency cycle: a -> b -> c -> d -> a");
	CHECK_INTEQ(f.d.nmsgs, 1);
	release(&f);
}

static void test_bad_deps(void)
{
	struct fixture f;
	build(&f, "name: w\ntasks:\n"
		  TASK("fetch", "")
		  TASK("sum", "    depends_on: [fech, sum, fetch, fetch, zzzzzz]\n"));
	CHECK_INTEQ(f.errors, 4);
	CHECK_STREQ(msg(&f, 0), "unknown task 'fech' in depends_on; "
		    "did you mean 'fetch'?");
	CHECK_STREQ(msg(&f, 1), "task 'sum' depends on itself");
	CHECK_STREQ(msg(&f, 2), "'fetch' is listed twice in depends_on");
	CHECK_STREQ(msg(&f, 3), "'fetch' was first listed here");
	CHECK_STREQ(msg(&f, 4), "unknown task 'zzzzzz' in depends_on");
	const struct task *t = &f.wf.tasks[1];
	CHECK(t->deps[0].task == DEP_UNRESOLVED);
	CHECK(t->deps[1].task == DEP_UNRESOLVED);
	CHECK_INTEQ(t->deps[2].task, 0);
	CHECK(t->deps[3].task == DEP_UNRESOLVED);
	/* The duplicate does not count twice downstream. */
	CHECK_INTEQ(f.p.ndownstream[0], 1);
	release(&f);
}

static void test_collisions(void)
{
	struct fixture f;
	build(&f, "name: w\ntasks:\n"
		  TASK("fetch", "")
		  TASK("other", "")
		  TASK("sum", "    depends_on: [fetch]\n"
		       "    input: {limit: 3, fetch: 1, other: 2}\n"));
	CHECK_INTEQ(f.errors, 1);
	CHECK_STREQ(msg(&f, 0), "input key 'fetch' collides with the output "
		    "of upstream task 'fetch'");
	CHECK_INTEQ(f.d.msgs[0].pos.line, 13);
	CHECK_INTEQ(f.d.msgs[0].pos.col, 23);
	CHECK_STREQ(msg(&f, 1), "'fetch' is listed in depends_on here");
	release(&f);
}

static void test_task_files(void)
{
	struct fixture f;
	/* Relative to the root taskroot.h picks (here the workflow's
	 * directory, which is also the working directory, and its parent);
	 * absolute paths work too. */
	build(&f, "name: w\ntasks:\n"
		  "  a: {executor: python, file: /dev/null}\n"
		  "  b: {executor: python, file: no/such/task.py}\n"
		  "  c: {executor: python, file: /}\n"
		  "  d: {executor: process, command: [no/such/program]}\n");
	CHECK_INTEQ(f.errors, 2);
	CHECK_STREQ(msg(&f, 0), "task file 'no/such/task.py' does not exist "
		    "(looked in '.' (the workflow's directory) and '..' (the "
		    "parent of the workflow's directory))");
	CHECK_INTEQ(f.d.msgs[0].pos.line, 4);
	CHECK_INTEQ(f.d.msgs[0].pos.col, 31);
	CHECK_STREQ(msg(&f, 1), "task file '/' is a directory");
	release(&f);
}

/* One taskroot_locate: the root (one candidate, chosen) from the
 * artifact's directory, the workflow from the root. */
static void check_locate(const char *root, const char *wf, const char *art,
			 const char *from, const char *wfrel)
{
	struct taskroot r;
	memset(&r, 0, sizeof r);
	r.dir[0] = xstrdup(root);
	r.why[0] = "the workflow's directory";
	r.n = 1;
	CHECK_INTEQ(taskroot_locate(&r, wf, art), 0);
	CHECK_STREQ(r.from_artifact, from);
	CHECK_STREQ(r.workflow, wfrel);
	taskroot_release(&r);
}

static void test_locate(void)
{
	/* Directories every system has; only the workflow's must exist. */
	check_locate("/usr/bin", "/usr/bin/wf.yaml", "/usr/bin/run.mk", ".", "wf.yaml");
	check_locate("/usr/bin", "/usr/bin/wf.yaml", "/usr/run.mk", "bin", "wf.yaml");
	check_locate("/usr", "/usr/bin/wf.yaml", "/usr/bin/run.mk", "..", "bin/wf.yaml");
	check_locate("/usr/bin", "/usr/bin/w.yaml", "/dev/run.mk", "../usr/bin", "w.yaml");
	check_locate("/", "/usr/bin/wf.yaml", "/usr/bin/run.mk", "../..", "usr/bin/wf.yaml");
	check_locate("/usr/bin", "/usr/bin/wf.yaml", "/run.mk", "usr/bin", "wf.yaml");
	check_locate("/usr/bin", "/usr/bin/wf.yaml", "/usr/bin/", ".", "wf.yaml");
	/* "/usr/s" is common by bytes, not by components. */
	check_locate("/usr/sbin", "/usr/sbin/wf.yaml", "/usr/share/run.mk",
		     "../sbin", "wf.yaml");
	/* An artifact directory that is not there yet: the root as orkc
	 * sees it. */
	check_locate("/usr/bin", "/usr/bin/wf.yaml", "/no/such/dir/run.mk",
		     "/usr/bin", "wf.yaml");
}

/* The key of the only task of a one-task workflow. */
static char *key_of(const char *env, const char *task)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "name: w\n%stasks:\n  t:\n%s", env, task);
	struct fixture f;
	build(&f, sb.buf);
	char *key = f.errors == 0 ? xstrdup(f.p.keys[0]) : NULL;
	release(&f);
	strbuf_release(&sb);
	return key;
}

static int same_key(const char *env1, const char *t1, const char *env2,
		    const char *t2)
{
	char *a = key_of(env1, t1), *b = key_of(env2, t2);
	int same = a && b && !strcmp(a, b);
	free(a);
	free(b);
	return same;
}

#define PROC "    executor: process\n    command: [./run, x]\n"

static void test_keys(void)
{
	char *k = key_of("", PROC "    input: {n: 1}\n");
	CHECK(k && strlen(k) == TASK_KEY_LEN);
	CHECK(k && strspn(k, "0123456789abcdef") == TASK_KEY_LEN);
	/* Stable across versions: a change here re-runs every user's tasks,
	 * so it must be deliberate. */
	CHECK_STREQ(k, "84488d1fd51c0e43");
	free(k);
	/* The key is the hash of the spec's defining members, as the spec
	 * writer prints them. */
	k = key_of("", PROC "    input: {n: 1}\n");
	const char *def = "{\"executor\":\"process\",\"argv\":[\"./run\","
			  "\"x\"],\"input\":{\"n\":1},\"deps\":[],\"env\":{}}";
	char want[TASK_KEY_LEN + 1];
	snprintf(want, sizeof want, "%016llx",
		 fnv1a64(def, strlen(def), FNV1A64_INIT));
	CHECK_STREQ(k, want);
	free(k);

	/* What cannot change the result does not change the key. */
	CHECK(same_key("", PROC, "", PROC "    timeout: 5\n    retries: 3\n"
		       "    retry_delay: 1\n    trigger: all_done\n"));
	CHECK(same_key("", PROC "    input: {n: 0x10}\n",
		       "", PROC "    input: {n: 16}\n"));
	CHECK(same_key("", PROC "    input: {}\n", "", PROC));
	CHECK(same_key("env: {A: '1'}\n", PROC "    env: {A: 2}\n",
		       "env: {A: 2}\n", PROC));
	CHECK(same_key("", "    executor: python\n    module: m\n",
		       "", "    executor: python\n    module: m\n"
		       "    function: main\n"));

	/* What can, does. */
	CHECK(!same_key("", PROC, "", PROC "    input: {n: 1}\n"));
	CHECK(!same_key("", PROC "    input: {n: 1}\n",
			"", PROC "    input: {n: '1'}\n"));
	CHECK(!same_key("", PROC, "env: {A: 1}\n", PROC));
	CHECK(!same_key("", PROC, "", "    executor: process\n"
			"    command: [./run, y]\n"));
	CHECK(!same_key("", "    executor: process\n    command: ./run x\n",
			"", PROC));
	CHECK(!same_key("", "    executor: python\n    module: m\n",
			"", "    executor: python\n    module: m\n"
			"    function: other\n"));
	/* Input order is kept (a dict's order is visible to a task). */
	CHECK(!same_key("", PROC "    input: {a: 1, b: 2}\n",
			"", PROC "    input: {b: 2, a: 1}\n"));
	CHECK(!same_key("", PROC, "", PROC "    when: 1 > 0\n"));
}

/* The key of task `name` in a workflow. */
static char *key_in(const char *yaml, const char *name)
{
	struct fixture f;
	build(&f, yaml);
	long i = f.errors == 0 ? workflow_find_task(&f.wf, name) : -1;
	char *key = i >= 0 ? xstrdup(f.p.keys[i]) : NULL;
	release(&f);
	return key;
}

static int same_key_in(const char *y1, const char *y2, const char *name)
{
	char *a = key_in(y1, name), *b = key_in(y2, name);
	int same = a && b && !strcmp(a, b);
	free(a);
	free(b);
	return same;
}

/* A key covers its upstream tasks (names and keys) and the tasks its
 * expressions read: a changed upstream definition, or a new dependency,
 * changes the input the task gets. */
static void test_keys_upstream(void)
{
	const char *base = "name: w\ntasks:\n" TASK("a", "") TASK("b", "")
		TASK("c", "    depends_on: [b]\n");
	CHECK(same_key_in(base, base, "c"));
	CHECK(!same_key_in(base, "name: w\ntasks:\n"
			   TASK("a", "") TASK("b", "    input: {n: 1}\n")
			   TASK("c", "    depends_on: [b]\n"), "c"));
	CHECK(!same_key_in(base, "name: w\ntasks:\n" TASK("a", "") TASK("b", "")
			   TASK("c", "    depends_on: [b, a]\n"), "c"));
	/* a is read by c's condition only through b. */
	const char *r1 = "name: w\ntasks:\n" TASK("a", "")
		TASK("b", "    depends_on: [a]\n")
		TASK("c", "    depends_on: [b]\n    when: tasks.a.output > 0\n");
	const char *r2 = "name: w\ntasks:\n" TASK("a", "    input: {n: 1}\n")
		TASK("b", "    depends_on: [a]\n")
		TASK("c", "    depends_on: [b]\n    when: tasks.a.output > 0\n");
	CHECK(!same_key_in(r1, r2, "c"));
	/* Policy is not in the key, below either. */
	CHECK(same_key_in(base, "name: w\ntasks:\n" TASK("a", "")
			  TASK("b", "    retries: 2\n")
			  TASK("c", "    depends_on: [b]\n"), "c"));
}

/* "Is u upstream of i": direct, transitive through a diamond, never
 * sideways or downstream, and the same answers in any order of asking. */
static void test_upstream(void)
{
	struct fixture f;
	build(&f, "name: w\ntasks:\n" TASK("a", "")
	      TASK("b", "    depends_on: [a]\n") TASK("c", "    depends_on: [a]\n")
	      TASK("d", "    depends_on: [b, c]\n") TASK("e", "")
	      TASK("f", "    depends_on: [d, e]\n"));
	CHECK_INTEQ(f.errors, 0);
	/* want[u][i]: u is upstream of i (a b c d e f) */
	static const char *const want[] = {
		"011101", "000101", "000101", "000001", "000001", "000000",
	};
	for (int round = 0; round < 2; round++)
		for (size_t k = 0; k < 36; k++) {
			size_t u = round ? 35 - k : k, i = u % 6;
			u /= 6;
			CHECK_INTEQ(upstream_has(&f.p.up, u, i), want[u][i] == '1');
		}
	release(&f);
}

/* With a cycle there is no order: upstream questions still end, and a
 * task on the cycle may read a task above it. */
static void test_upstream_cycle(void)
{
	struct fixture f;
	build(&f, "name: w\ntasks:\n" TASK("a", "")
	      TASK("b", "    depends_on: [a, c]\n    when: tasks.a.output\n")
	      TASK("c", "    depends_on: [b]\n    when: tasks.a.output\n")
	      TASK("d", "    depends_on: [c]\n    when: tasks.a.output or "
		   "tasks.e.output\n")
	      TASK("e", ""));
	CHECK_INTEQ(f.errors, 2);
	CHECK_STREQ(msg(&f, 0), "dependency cycle: b -> c -> b");
	CHECK_STREQ(msg(&f, 1), "task 'e' is not upstream of 'd'; add it to "
		    "depends_on");
	CHECK(upstream_has(&f.p.up, 0, 3));
	CHECK(upstream_has(&f.p.up, 2, 1));
	CHECK(!upstream_has(&f.p.up, 3, 0));
	release(&f);
}

/* Expression names checked against the upstream closure in a long chain:
 * the first task is upstream of the last, a later one is not. */
static void test_refs_chain(void)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "name: w\ntasks:\n" TASK("t0", ""));
	for (int i = 1; i < 200; i++)
		strbuf_addf(&sb, "  t%d:\n    executor: process\n    command: [true]\n"
			    "    depends_on: [t%d]\n    when: tasks.t0.output > 0\n",
			    i, i - 1);
	strbuf_adds(&sb, TASK("x", "    depends_on: [t5]\n"
			      "    when: tasks.t0.output and tasks.t9.output\n"));
	struct fixture f;
	build(&f, sb.buf);
	CHECK_INTEQ(f.errors, 1);
	CHECK_STREQ(msg(&f, 0), "task 't9' is not upstream of 'x'; add it to "
		    "depends_on");
	long x = workflow_find_task(&f.wf, "x");
	CHECK(x >= 0 && f.p.nrefs[x] == 2);
	release(&f);
	strbuf_release(&sb);
}

/* Errors from the workflow and the plan come together in one run. */
static void test_all_errors(void)
{
	struct fixture f;
	build(&f, "name: w\ntasks:\n"
		  "  a:\n    executor: process\n    command: [true]\n"
		  "    retries: -1\n    depends_on: [b, nope]\n"
		  "  b:\n    executor: process\n    depends_on: [a]\n");
	CHECK_INTEQ(f.errors, 4);
	CHECK_STREQ(msg(&f, 0), "'retries' must be a non-negative integer, "
		    "not -1");
	CHECK_STREQ(msg(&f, 1), "process task 'b' has no 'command'");
	CHECK_STREQ(msg(&f, 2), "unknown task 'nope' in depends_on");
	CHECK_STREQ(msg(&f, 3), "dependency cycle: a -> b -> a");
	release(&f);
}

UNIT_MAIN(test_defaults, test_order, test_order_big, test_cycles,
	  test_bad_deps, test_collisions, test_task_files, test_locate, test_keys,
	  test_keys_upstream, test_upstream, test_upstream_cycle, test_refs_chain, test_all_errors)
