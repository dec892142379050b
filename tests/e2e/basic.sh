#!/bin/sh
# End to end, the happy path: a diamond a -> (b, c) -> d of process tasks
# through real GNU make.  Outputs flow downstream as input keys, b and c run
# at the same time under -j4, make -n runs nothing, orkc is deterministic.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

project basic
WF=basic
mkdir -p tasks seen par

# t.sh NAME: record the input, the environment and the order of events,
# then print an output.
cat >tasks/t.sh <<'EOF'
#!/bin/sh
set -eu
name=$1
R=.ork/basic/default
cat >seen/$name.in
echo "$name" >>runs.log
{
	echo "ORK_TASK=${ORK_TASK-unset}"
	echo "ORK_ATTEMPT=${ORK_ATTEMPT-unset}"
	echo "ORK_RUN_ID=${ORK_RUN_ID-unset}"
	echo "ORK_WORKFLOW=${ORK_WORKFLOW-unset}"
	echo "WF_ENV=${WF_ENV-unset}"
	echo "TASK_ENV=${TASK_ENV-unset}"
	echo "PWD=$(pwd)"
} >seen/$name.env
# Which upstream outputs existed when this task started.
for t in a b c d; do
	set -- $R/$t.[0-9a-f]*.json
	[ -f "$1" ] && echo "$t" >>seen/$name.before
done
: >>seen/$name.before
echo "hello from $name" >&2
case $name in
a)
	printf '{"from":"a","n":3,"list":[1,2,3],"nested":{"x":"y"}}\n' ;;
b|c)
	# Wait (at most 10 s) for the other one to have started: both see each
	# other only if they ran at the same time.
	touch par/$name.started
	case $name in b) other=c ;; *) other=b ;; esac
	i=0
	while [ ! -e par/$other.started ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	saw=false
	[ -e par/$other.started ] && saw=true
	if [ $name = c ]; then
		echo "c stdout noise"
		printf '{"from":"c","saw_peer":%s}' $saw >"$ORK_OUTPUT"
	else
		printf '{"from":"b","saw_peer":%s}\n' $saw
	fi ;;
d)
	printf '{"from":"d"}' ;;
esac
EOF

cat >wf.yaml <<'EOF'
name: basic
description: a diamond of shell tasks
env: {WF_ENV: wfval, TASK_ENV: from-workflow}
tasks:
  a:
    executor: process
    command: ["sh", "tasks/t.sh", "a"]
    input: {n: 3, word: hello}
  b:
    executor: process
    command: ["sh", "tasks/t.sh", "b"]
    input: {k: b}
    depends_on: [a]
  c:
    executor: process
    command: ["sh", "tasks/t.sh", "c"]
    env: {TASK_ENV: from-task}
    depends_on: [a]
  d:
    executor: process
    command: ["sh", "tasks/t.sh", "d"]
    input: {k: d, list: [1, {deep: true}, null, 2.5]}
    depends_on: [b, c]
EOF

test_expect_success 'orkc compiles the workflow' '
	compile wf.yaml run.mk
	test -s run.mk
'

test_expect_success 'the generated Makefile is byte-identical across orkc runs' '
	compile wf.yaml again.mk
	cmp run.mk again.mk
	"$ORKC" wf.yaml >stdout.mk
	cmp run.mk stdout.mk
'

test_expect_success 'make -n shows every task and runs none' '
	make_ok -n
	for t in a b c d; do
		expect_grep "exec $t\$" make.out
	done
	test ! -e runs.log
	test -z "$(ls seen)"
	for t in a b c d; do no_out $t; done
'

test_expect_success 'make -j4 runs the workflow and exits 0' '
	make_ok -j4
'

test_expect_success 'each task ran once and succeeded in one attempt' '
	sort runs.log >runs.sorted
	printf "a\nb\nc\nd\n" >expect
	test_cmp expect runs.sorted
	J=$(rundir)/journal.jsonl
	for t in a b c d; do
		expect_eq "$t state" succeeded "$(state $t)"
		expect_eq "$t attempts" 1 "$(jget $J "last_end(\"$t\")[\"attempts\"]")"
		expect_eq "$t starts" 1 "$(jget $J "len(ev(\"start\", \"$t\"))")"
		has_out $t
	done
	expect_eq "run state" succeeded "$(jget $J "ev(\"finish\")[-1][\"state\"]")"
'

test_expect_success 'the output file holds what the task printed' '
	expect_eq "a output" \
		"{\"from\":\"a\",\"list\":[1,2,3],\"n\":3,\"nested\":{\"x\":\"y\"}}" \
		"$(jget "$(outf a)" d)"
	expect_eq "d output" "{\"from\":\"d\"}" "$(jget "$(outf d)" d)"
'

test_expect_success 'a root task gets exactly its static input' '
	expect_eq "a input" "{\"n\":3,\"word\":\"hello\"}" "$(jget seen/a.in d)"
'

test_expect_success 'input is the static keys plus one key per upstream output' '
	expect_eq "b keys" "[\"a\",\"k\"]" "$(jget seen/b.in "sorted(d)")"
	expect_eq "b.k" b "$(jget seen/b.in "d[\"k\"]")"
	expect_eq "b.a" "$(jget "$(outf a)" d)" "$(jget seen/b.in "d[\"a\"]")"
	expect_eq "c input" "[\"a\"]" "$(jget seen/c.in "sorted(d)")"
	expect_eq "c.a" "$(jget "$(outf a)" d)" "$(jget seen/c.in "d[\"a\"]")"
	expect_eq "d keys" "[\"b\",\"c\",\"k\",\"list\"]" "$(jget seen/d.in "sorted(d)")"
	expect_eq "d.list" "[1,{\"deep\":true},null,2.5]" "$(jget seen/d.in "d[\"list\"]")"
	expect_eq "d.b" "$(jget "$(outf b)" d)" "$(jget seen/d.in "d[\"b\"]")"
	expect_eq "d.c" "{\"from\":\"c\",\"saw_peer\":true}" "$(jget seen/d.in "d[\"c\"]")"
'

test_expect_success 'each task started only after its upstreams had their output' '
	test_cmp /dev/null seen/a.before
	printf "a\n" >expect
	test_cmp expect seen/b.before
	test_cmp expect seen/c.before
	sort seen/d.before >d.before
	printf "a\nb\nc\n" >expect
	test_cmp expect d.before
'

test_expect_success 'independent tasks b and c ran at the same time under -j4' '
	expect_eq "b saw c" true "$(jget "$(outf b)" "d[\"saw_peer\"]")"
	expect_eq "c saw b" true "$(jget "$(outf c)" "d[\"saw_peer\"]")"
'

test_expect_success 'with $ORK_OUTPUT, stdout goes to the log, not the output' '
	expect_eq "c output" "{\"from\":\"c\",\"saw_peer\":true}" "$(jget "$(outf c)" d)"
	log=$(jget $(rundir)/journal.jsonl "ev(\"start\", \"c\")[-1][\"log\"]")
	expect_grep "^c stdout noise\$" "$(rundir)/$log"
'

test_expect_success 'stderr goes to the per-attempt log named in the journal' '
	for t in a b c d; do
		log=$(jget $(rundir)/journal.jsonl "ev(\"start\", \"$t\")[-1][\"log\"]")
		case $log in logs/$t.*.1.log) ;; *) echo "bad log name $log"; false ;; esac
		expect_grep "^hello from $t\$" "$(rundir)/$log"
	done
'

test_expect_success 'tasks see their context and env in the environment' '
	expect_grep "^ORK_TASK=a\$" seen/a.env
	expect_grep "^ORK_TASK=d\$" seen/d.env
	expect_grep "^ORK_ATTEMPT=1\$" seen/a.env
	expect_grep "^ORK_RUN_ID=default\$" seen/b.env
	expect_grep "^ORK_WORKFLOW=basic\$" seen/b.env
	expect_grep "^WF_ENV=wfval\$" seen/c.env
	expect_grep "^TASK_ENV=from-workflow\$" seen/b.env
	expect_grep "^TASK_ENV=from-task\$" seen/c.env
	expect_grep "^PWD=$proj\$" seen/a.env
'

test_expect_success 'the run directory has the documented files' '
	R=$(rundir)
	test -s $R/run.json
	test -s $R/journal.jsonl
	for t in a b c d; do test -f $R/$t.input.json; done
	expect_eq "b.input.json" "$(jget seen/b.in d)" "$(jget $R/b.input.json d)"
'

test_expect_success 'ork status shows every task succeeded' '
	"$ORK" status >status.out
	for t in a b c d; do
		expect_grep "^ *$t[ :|].*succeeded" status.out
	done
	"$ORK" status --json >status.json
	status_states status.json >states
	for t in a b c d; do
		expect_grep "^$t succeeded\$" states
	done
'

test_expect_success 'a second make runs nothing and exits 0' '
	cp runs.log runs.before
	make_ok -j4
	test_cmp runs.before runs.log
'

test_expect_success 'make -n after a full run shows no task to run' '
	make_ok -n
	if grep -E " exec [abcd]\$" make.out; then false; fi
'

test_expect_success 'make -n after removing d output shows d and nothing else' '
	rm "$(outf d)"
	make_ok -n
	expect_grep " exec d\$" make.out
	if grep -E " exec [abc]\$" make.out; then false; fi
	no_out d
'

finish
