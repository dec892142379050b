#!/bin/sh
# End to end: `executor: library` (runtime/library.h).  A tiny shared
# object built here with cc exports Ork's C ABI; one attempt per process:
# success (with Ork's ORK_OUTPUT: prefix and with prints that go to the
# log), NULL, a crash (SIGSEGV, named), a hang (timeout), a result that is
# not JSON, a missing symbol, a missing file, and retries.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

# In an AddressSanitizer build (CI's sanitizer suite) ASan's own SEGV
# handler would turn the library's crash inside `ork call` into a report
# and SIGABRT; these tests are about the signal a crash gives, so let it
# through.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0
export ASAN_OPTIONS

CC=${CC:-cc}
if ! command -v "$CC" >/dev/null 2>&1; then
	skip_all "no C compiler ($CC) to build the test's shared objects"
fi

project library
WF=library
mkdir -p lib rec

# One source, one behaviour per -D: the task reads {"numbers": [..]} and
# returns their sum, the way Ork's polyglot library does.
cat >lib/task.c <<'EOF'
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *ork_task_run(const char *input)
{
	long sum = 0;
	const char *p = strchr(input, '[');
	printf("library saw %s\n", input);   /* to the log, not the output */
#if defined(MODE_NULL)
	return NULL;
#elif defined(MODE_CRASH)
	volatile int *np = NULL;
	*np = 1;
#elif defined(MODE_HANG)
	for (;;)
		pause();
#endif
	while (p && *p && *p != ']') {
		char *end;
		long v = strtol(p + 1, &end, 10);
		if (end == p + 1)
			break;
		sum += v;
		p = end;
	}
	char *out = malloc(128);
#if defined(MODE_NOTJSON)
	snprintf(out, 128, "sum is %ld", sum);
#elif defined(MODE_FLAKY)
	const char *a = getenv("ORK_ATTEMPT");
	if (!a || strcmp(a, "3")) {
		free(out);
		return NULL;
	}
	snprintf(out, 128, "{\"sum\":%ld,\"attempt\":%s}", sum, a);
#else
	snprintf(out, 128, "ORK_OUTPUT:{\"sum\":%ld}", sum);
#endif
	return out;
}

#ifndef MODE_NOFREE
void ork_task_free(char *p)
{
	free(p);
}
#endif
EOF
for m in ok NULL CRASH HANG NOTJSON FLAKY NOFREE; do
	def=-DMODE_$m
	[ $m = ok ] && def=
	# shellcheck disable=SC2086  # def is one word or none
	"$CC" -shared -fPIC $def -o "lib/lib$m.so" lib/task.c || skip_all "cannot build lib$m.so with $CC"
done

cat >wf.yaml <<'EOF'
name: library
tasks:
  gen:
    executor: process
    command: ["printf", '{"numbers": [1, 2, 3, 4]}']
  ok:
    executor: library
    file: lib/libok.so
    depends_on: [gen]
  down:
    executor: process
    command: ["sh", "-c", "cat >rec/down.input"]
    depends_on: [ok]
  null:
    executor: library
    file: lib/libNULL.so
  crash:
    executor: library
    file: lib/libCRASH.so
  hang:
    executor: library
    file: lib/libHANG.so
    timeout: 1
  notjson:
    executor: library
    file: lib/libNOTJSON.so
  flaky:
    executor: library
    file: lib/libFLAKY.so
    retries: 2
  nofree:
    executor: library
    file: lib/libNOFREE.so
    retries: 2
EOF

test_expect_success 'orkc accepts executor: library with file' '
	compile && grep -q "\"executor\":\"library\"" run.mk &&
	grep -q "\"file\":\"lib/libok.so\"" run.mk
'

test_expect_success 'a run: the library tasks end as they should' '
	make_fails -k -j4
'

test_expect_success 'success: the output is the result without Ork'"'"'s prefix' '
	expect_eq state succeeded "$(state ok)" &&
	expect_eq output "{\"sum\":10}" "$(cat "$(outf ok)")" &&
	expect_grep "\"ok\":\\{\"sum\":10\\}" rec/down.input
'

test_expect_success 'what the library prints is in the log, not the output' '
	expect_grep "^library saw \\{.*\"numbers\"" "$(rundir)/logs/ok.1.1.log" &&
	refute grep -q "library saw" "$(outf ok)"
'

test_expect_success 'NULL fails the attempt and says so' '
	expect_eq state failed "$(state null)" &&
	expect_eq reason "ork_task_run of '"'"'lib/libNULL.so'"'"' returned NULL" "$(reason null)"
'

test_expect_success 'a crash is a failed attempt naming the signal' '
	expect_eq state failed "$(state crash)" &&
	reason crash | grep -q "SIGSEGV" && no_out crash
'

test_expect_success 'a hang meets the timeout' '
	expect_eq state failed "$(state hang)" &&
	reason hang | grep -q "timed out after 1s"
'

test_expect_success 'a result that is not JSON fails with what came back' '
	expect_eq state failed "$(state notjson)" &&
	reason notjson | grep -q "returned invalid JSON at byte 0" &&
	expect_grep "^sum is 0$" "$(rundir)/logs/notjson.1.1.log"
'

test_expect_success 'retries apply: the third attempt succeeds' '
	expect_eq state succeeded "$(state flaky)" &&
	expect_eq output "{\"sum\":0,\"attempt\":3}" "$(cat "$(outf flaky)")"
'

test_expect_success 'a missing symbol is not retried and names the ABI' '
	expect_eq state failed "$(state nofree)" &&
	reason nofree | grep -q "does not export ork_task_free (Ork" &&
	expect_eq attempts 1 "$(jget "$(rundir)/journal.jsonl" "last_end(\"nofree\")[\"attempts\"]")"
'

test_expect_success 'ork call by hand: stdin in, stdout out' '
	printf "{\"numbers\": [5, 6]}" | "$ORK" call lib/libok.so >call.out 2>call.err &&
	expect_eq output "{\"sum\":11}" "$(cat call.out)" &&
	expect_grep "^library saw" call.err
'

test_expect_success 'the sh artifact runs library tasks the same' '
	rm -rf .ork && "$ORKC" wf.yaml -t sh -o run.sh &&
	{ ORK="$ORK" sh run.sh -j 4 >sh.out 2>&1 || :; } &&
	expect_eq output "{\"sum\":10}" "$(cat "$(outf ok)")" &&
	reason crash | grep -q "SIGSEGV"
'

test_expect_success 'a missing library: make says there is no such file' '
	sed "s|lib/libok.so|lib/nosuch.so|" wf.yaml >wf2.yaml &&
	"$ORKC" wf2.yaml -o run2.mk && MK=run2.mk && make_fails ok &&
	grep -q "lib/nosuch.so" make.out
'

finish
