#!/bin/sh
# End to end: a target per task.  `make -f run.mk TASK` and `sh run.sh
# TASK` run TASK and its upstream tasks, nothing else, with ork begin
# first and a summary of only those tasks; `make help` and `sh run.sh -l`
# list the tasks with their descriptions; a task named like a make
# keyword either works (clean) or is refused (all, help, ork-begin).
# shellcheck disable=SC1091,SC2016,SC2034,SC2154 # lib found at run time; bodies single-quoted
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

WF=goals
# A make of its own, not a sub-make of make check.
unset MAKEFLAGS MFLAGS MAKELEVEL

write_project() {
	cat >wf.yaml <<'EOF2'
name: goals
tasks:
  fetch:
    description: 'Fetch $(HOME) # and (more) \ it''s'
    executor: process
    command: [echo, '{"n": 1}']
  clean:
    executor: process
    command: [cat]
    depends_on: [fetch]
  other_one:
    executor: process
    command: [echo, '{}']
  side-task:
    description: a side task
    executor: process
    command: [echo, '{}']
    depends_on: [other_one]
  last:
    description: the end
    executor: process
    command: [cat]
    depends_on: [clean, side-task]
EOF2
}

cat >"$tmp/help.expected" <<'EOF2'
fetch      Fetch $(HOME) # and (more) ? it's
clean
other_one
side-task  a side task
last       the end
EOF2

# ran: the tasks that started in this run, sorted, on one line.
ran() {
	jget "$(rundir)/journal.jsonl" '" ".join(sorted({e["task"] for e in ev("start")}))'
}

for backend in make sh; do
	project "$backend"
	write_project
	case $backend in
	make) "$ORKC" wf.yaml -o run.mk; run() { make -f run.mk ORK="$ORK" "$@"; } ;;
	sh) "$ORKC" wf.yaml -o run.sh; run() { sh run.sh ORK="$ORK" "$@"; } ;;
	esac

	test_expect_success "$backend: the task list, one a line, with descriptions" '
		case $backend in
		make) make -f run.mk help >help.out 2>help.err ;;
		sh) sh run.sh -l >help.out 2>help.err ;;
		esac &&
		test_cmp "$tmp/help.expected" help.out &&
		test_cmp /dev/null help.err &&
		test ! -e .ork
	'

	test_expect_success "$backend: -n TASK shows TASK and its upstream tasks only" '
		run -n clean >dry.out 2>&1 &&
		grep -E "exec (fetch|clean)\$" dry.out >execs &&
		test "$(wc -l <execs)" = 2 &&
		refute grep -E "exec (other_one|side-task|last)" dry.out &&
		test ! -e .ork/goals/default/run.json
	'

	test_expect_success "$backend: TASK runs TASK and its upstream tasks only" '
		run clean >run1.out 2>&1 &&
		expect_eq "tasks that ran" "clean fetch" "$(ran)" &&
		head -n 1 run1.out | grep "fetch: started" &&
		grep "ork: run default of goals: 2 succeeded" run1.out &&
		no_out other_one && no_out last &&
		expect_eq "run state" succeeded "$(jget "$(rundir)/run.json" "d[\"state\"]")"
	'

	test_expect_success "$backend: a second goal runs what is missing, summary of its own tasks" '
		run side-task >run2.out 2>&1 &&
		expect_eq "tasks that ran" "clean fetch other_one side-task" "$(ran)" &&
		grep "ork: run default of goals: 2 succeeded" run2.out &&
		refute grep "fetch: started" run2.out
	'

	test_expect_success "$backend: the last task runs only itself now, summary of all five" '
		run last >run3.out 2>&1 &&
		grep "last: started" run3.out &&
		test "$(grep -c ": started" run3.out)" = 1 &&
		grep "ork: run default of goals: 5 succeeded" run3.out
	'

	test_expect_success "$backend: an unknown task is refused before anything runs" '
		test_must_fail run nosuch >bad.out 2>&1 &&
		grep "nosuch" bad.out &&
		refute grep "started" bad.out
	'
done

project reserved
test_expect_success 'orkc refuses the tasks all, help, ork-begin and Makefile at line:col' '
	printf "name: r\ntasks:\n  all:\n    executor: process\n    command: [\"true\"]\n  help:\n    executor: process\n    command: [\"true\"]\n  ork-begin:\n    executor: process\n    command: [\"true\"]\n" >wf.yaml &&
	test_must_fail "$ORKC" --check wf.yaml 2>err &&
	grep "^wf.yaml:3:3: error: task name .all. is reserved" err &&
	grep "^wf.yaml:6:3: error: task name .help. is reserved" err &&
	grep "^wf.yaml:9:3: error: task name .ork-begin. is reserved" err &&
	printf "name: r\ntasks:\n  Makefile:\n    executor: process\n    command: [\"true\"]\n" >mf.yaml &&
	test_must_fail "$ORKC" --check mf.yaml 2>err &&
	grep "^mf.yaml:3:3: error: task name .Makefile. is reserved: the goal .Makefile. would be the Makefile itself" err
'

test_expect_success 'description must be a string, and does not change the task key' '
	printf "name: d\ntasks:\n  a:\n    executor: process\n    command: [echo, \"{}\"]\n" >d1.yaml &&
	printf "name: d\ntasks:\n  a:\n    description: says what a does\n    executor: process\n    command: [echo, \"{}\"]\n" >d2.yaml &&
	"$ORKC" -t json d1.yaml >d1.json && "$ORKC" -t json d2.yaml >d2.json &&
	k1=$(grep -o "\"key\": *\"[0-9a-f]*\"" d1.json | head -n 1) &&
	k2=$(grep -o "\"key\": *\"[0-9a-f]*\"" d2.json | head -n 1) &&
	test -n "$k1" && expect_eq key "$k1" "$k2" &&
	printf "name: d\ntasks:\n  a:\n    description: [x]\n    executor: process\n    command: [echo, \"{}\"]\n" >d3.yaml &&
	test_must_fail "$ORKC" --check d3.yaml 2>err &&
	grep "^d3.yaml:4:18: error: " err
'

finish
