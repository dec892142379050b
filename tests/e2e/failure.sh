#!/bin/sh
# End to end: failures.  An independent branch keeps running, downstream of
# a failure is skipped with a reason, triggers (all_done via on_failure:
# run, none_failed, one_success) run with null for what failed or was
# skipped, make exits non-zero, the summary names the task and its log,
# invalid JSON and signals fail with a precise reason.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

project failure
WF=failure
mkdir -p tasks seen

cat >tasks/t.sh <<'EOF'
#!/bin/sh
name=$1
cat >seen/$name.in
echo "$name" >>runs.log
echo "$name on stderr" >&2
case $name in
bad)
	echo "bad is about to fail" >&2
	exit 7 ;;
badjson)
	printf '[1, 2, 3, @]' ;;
trailing)
	printf '{"a": 1} x' ;;
sig)
	kill -9 $$ ;;
ok1)
	sleep 1
	printf '{"from":"ok1"}' ;;
*)
	printf '{"from":"%s"}' "$name" ;;
esac
EOF

cat >wf.yaml <<'EOF'
name: failure
tasks:
  ok1: {executor: process, command: [sh, tasks/t.sh, ok1]}
  ok2: {executor: process, command: [sh, tasks/t.sh, ok2], depends_on: [ok1]}
  bad: {executor: process, command: [sh, tasks/t.sh, bad]}
  after_bad:
    executor: process
    command: [sh, tasks/t.sh, after_bad]
    depends_on: [bad]
  after_after:
    executor: process
    command: [sh, tasks/t.sh, after_after]
    depends_on: [after_bad]
  cleanup:
    executor: process
    command: [sh, tasks/t.sh, cleanup]
    input: {why: cleanup}
    depends_on: [bad, ok1]
    on_failure: run
  join_nf:
    executor: process
    command: [sh, tasks/t.sh, join_nf]
    depends_on: [after_bad, ok1]
    trigger: none_failed
  nf_bad:
    executor: process
    command: [sh, tasks/t.sh, nf_bad]
    depends_on: [bad]
    trigger: none_failed
  one:
    executor: process
    command: [sh, tasks/t.sh, one]
    depends_on: [bad, ok2]
    trigger: one_success
  badjson: {executor: process, command: [sh, tasks/t.sh, badjson]}
  trailing: {executor: process, command: [sh, tasks/t.sh, trailing]}
  sig: {executor: process, command: [sh, tasks/t.sh, sig]}
  nosuch: {executor: process, command: [./tasks/no-such-program, x], retries: 1}
EOF

ran() { grep -qx "$1" runs.log; }
not_ran() {
	if grep -qx "$1" runs.log; then echo "task $1 ran"; return 1; fi
}

test_expect_success 'compile and run: make exits non-zero, no crash' '
	compile
	make_fails -j4
'

test_expect_success 'no `ork exec` itself failed: only the summary fails make' '
	grep "\*\*\*" make.out >errors || :
	cat errors
	test $(grep -c . errors) -ge 1
	if grep -v "\ball\b\|: all\]" errors | grep .; then false; fi
'

test_expect_success 'the independent branch ran to the end' '
	ran ok1
	ran ok2
	expect_eq ok1 succeeded "$(state ok1)"
	expect_eq ok2 succeeded "$(state ok2)"
	has_out ok2
'

test_expect_success 'the failing task failed with its exit status and no output' '
	expect_eq state failed "$(state bad)"
	no_out bad
	reason bad >r
	expect_grep "exit.* 7( |\$|,|\))" r
'

test_expect_success 'downstream of a failure is skipped, with a reason, not run' '
	not_ran after_bad
	not_ran after_after
	expect_eq after_bad skipped "$(state after_bad)"
	expect_eq after_after skipped "$(state after_after)"
	no_out after_bad
	no_out after_after
	reason after_bad >r
	expect_grep "bad" r
	reason after_after >r
	expect_grep "after_bad" r
'

test_expect_success 'on_failure: run runs after a failure and sees null for it' '
	ran cleanup
	expect_eq state succeeded "$(state cleanup)"
	expect_eq keys "[\"bad\",\"ok1\",\"why\"]" "$(jget seen/cleanup.in "sorted(d)")"
	expect_eq bad null "$(jget seen/cleanup.in "d[\"bad\"]")"
	expect_eq ok1 "{\"from\":\"ok1\"}" "$(jget seen/cleanup.in "d[\"ok1\"]")"
	expect_eq why cleanup "$(jget seen/cleanup.in "d[\"why\"]")"
'

test_expect_success 'none_failed runs after a skipped upstream, which is null' '
	ran join_nf
	expect_eq state succeeded "$(state join_nf)"
	expect_eq after_bad null "$(jget seen/join_nf.in "d[\"after_bad\"]")"
	expect_eq ok1 "{\"from\":\"ok1\"}" "$(jget seen/join_nf.in "d[\"ok1\"]")"
'

test_expect_success 'none_failed is skipped after a failed upstream' '
	not_ran nf_bad
	expect_eq state skipped "$(state nf_bad)"
'

test_expect_success 'one_success runs when one upstream succeeded' '
	ran one
	expect_eq bad null "$(jget seen/one.in "d[\"bad\"]")"
	expect_eq ok2 "{\"from\":\"ok2\"}" "$(jget seen/one.in "d[\"ok2\"]")"
'

test_expect_success 'invalid JSON output fails with the byte offset' '
	ran badjson
	expect_eq state failed "$(state badjson)"
	no_out badjson
	reason badjson >r
	cat r
	expect_grep "JSON|json" r
	expect_grep "(byte|offset|at) (10|11)\b" r
'

test_expect_success 'trailing garbage after the JSON value fails too' '
	expect_eq state failed "$(state trailing)"
	no_out trailing
	reason trailing >r
	expect_grep "(byte|offset|at) (9|10)\b" r
'

test_expect_success 'death by a signal fails with the signal in the reason' '
	expect_eq state failed "$(state sig)"
	no_out sig
	reason sig >r
	expect_grep "signal|SIGKILL|[Kk]illed" r
	expect_grep "9|KILL|[Kk]illed" r
'

test_expect_success 'a program that does not exist fails the task, saying so' '
	expect_eq state failed "$(state nosuch)"
	no_out nosuch
	reason nosuch >r
	cat r
	expect_grep "no-such-program|[Nn]o such file|not found|cannot (run|exec|start)|127" r
'

test_expect_success 'the run ends failed in the journal' '
	expect_eq run failed "$(jget $(rundir)/journal.jsonl "ev(\"finish\")[-1][\"state\"]")"
'

test_expect_success 'the summary names the failed task and its log path' '
	log=$(jget $(rundir)/journal.jsonl "ev(\"start\", \"bad\")[-1][\"log\"]")
	expect_grep "bad is about to fail" $(rundir)/$log
	expect_grep "\bbad\b.*failed|failed.*\bbad\b" make.out
	expect_grep "$log" make.out
'

test_expect_success 'ork status lists failed and skipped tasks' '
	"$ORK" status >status.out || :
	expect_grep "^ *bad[ :|].*failed" status.out
	expect_grep "^ *after_bad[ :|].*skipped" status.out
	expect_grep "^ *ok2[ :|].*succeeded" status.out
	"$ORK" status --json >status.json || :
	status_states status.json >states
	expect_grep "^bad failed\$" states
	expect_grep "^after_bad skipped\$" states
	expect_grep "^cleanup succeeded\$" states
'

finish
