#!/bin/sh
# End to end: resume.  Running make again re-runs only what is not done:
# failed tasks and their downstream, tasks whose file or definition changed
# and their downstream.  RUN_ID=other is a fresh run.  A task killed in the
# middle of writing its output leaves no output that counts as done.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

project resume
WF=resume
mkdir -p tasks seen

cat >tasks/t.sh <<'EOF'
#!/bin/sh
name=$1
cat >seen/$name.in
echo "$name" >>runs.log
if [ -e fail_$name ]; then
	echo "$name fails on purpose" >&2
	exit 1
fi
if [ -e hang_$name ]; then
	echo $$ >$name.pid
	printf '{"half": "writ'
	touch $name.hanging
	sleep 60
fi
printf '{"from":"%s","v":%s}' "$name" "$(cat v_$name 2>/dev/null || echo 0)"
EOF

cat >tasks/p.py <<'EOF'
def main():
    with open("runs.log", "a") as f:
        f.write("p\n")
    return {"from": "p"}
EOF

# a -> b -> c, x alone, python p -> q, slow alone.
write_wf() {  # B_INPUT
	cat >wf.yaml <<EOF
name: resume
tasks:
  a: {executor: process, command: [sh, tasks/t.sh, a]}
  b:
    executor: process
    command: [sh, tasks/t.sh, b]
    input: {v: $1}
    depends_on: [a]
  c: {executor: process, command: [sh, tasks/t.sh, c], depends_on: [b]}
  x: {executor: process, command: [sh, tasks/t.sh, x], timeout: 30}
  p: {executor: python, file: tasks/p.py}
  q: {executor: process, command: [sh, tasks/t.sh, q], depends_on: [p]}
  slow: {executor: process, command: [sh, tasks/t.sh, slow]}
EOF
}

# new_runs: the tasks that ran since the last call, sorted, one per line
: >runs.log
: >runs.seen
new_runs() {
	tail -n +$(($(wc -l <runs.seen) + 1)) runs.log | sort
	cp runs.log runs.seen
}
expect_runs() {  # TASK...: exactly these ran since the last check
	new_runs >got
	: >want
	for t in "$@"; do echo $t >>want; done
	sort want >want.sorted
	test_cmp want.sorted got
}

PYTHON=/usr/bin/python3
[ -x $PYTHON ] || PYTHON=python3

test_expect_success 'first run: b fails, c is skipped, the rest succeed' '
	write_wf 1
	compile
	touch fail_b
	make_fails -j4 PYTHON=$PYTHON
	expect_runs a b p q slow x
	expect_eq b failed "$(state b)"
	expect_eq c skipped "$(state c)"
'

test_expect_success 'rerun without a fix: only the failed task runs again' '
	make_fails -j4 PYTHON=$PYTHON
	expect_runs b
'

test_expect_success 'each invocation keeps its own log of b: nothing overwritten' '
	J=$(rundir)/journal.jsonl
	jget $J "\"\\n\".join(e[\"log\"] for e in ev(\"start\", \"b\"))" >logs
	cat logs
	test $(sort -u logs | wc -l) = 2
	for log in $(cat logs); do
		expect_grep "^b fails on purpose\$" $(rundir)/$log
	done
'

test_expect_success 'fix and rerun: only the failed task and its downstream run' '
	rm fail_b
	make_ok -j4 PYTHON=$PYTHON
	expect_runs b c
	expect_eq b succeeded "$(state b)"
	expect_eq c succeeded "$(state c)"
'

test_expect_success 'rerun when all is done: nothing runs, make exits 0' '
	make_ok -j4 PYTHON=$PYTHON
	expect_runs
'

test_expect_success 'touching a task file re-runs it and its downstream' '
	sleep 1
	touch tasks/p.py
	make_ok -j4 PYTHON=$PYTHON
	expect_runs p q
'

test_expect_success 'a changed definition in the YAML re-runs the task and downstream' '
	write_wf 2
	compile
	make_ok -j4 PYTHON=$PYTHON
	expect_runs b c
	expect_eq "b input v" 2 "$(jget seen/b.in "d[\"v\"]")"
'

test_expect_success 'a changed upstream output re-runs the downstream' '
	echo 5 >v_a
	rm "$(outf a)"
	make_ok -j4 PYTHON=$PYTHON
	expect_runs a b c
	expect_eq "b sees the new a" 5 "$(jget seen/b.in "d[\"a\"][\"v\"]")"
'

test_expect_success 'RUN_ID=other starts a fresh run, leaving default alone' '
	ls $(rundir) >default.before
	make_ok -j4 PYTHON=$PYTHON RUN_ID=other
	expect_runs a b c p q slow x
	for t in a b c p q slow x; do has_out $t other; done
	ls $(rundir) >default.after
	test_cmp default.before default.after
	make_ok -j4 PYTHON=$PYTHON RUN_ID=other
	expect_runs
'

test_expect_success 'ork runs lists both runs with their state' '
	"$ORK" runs >runs.out
	expect_grep "\bdefault\b.*succeeded" runs.out
	expect_grep "\bother\b.*succeeded" runs.out
'

test_expect_success 'killing make and the task mid-output leaves no output' '
	rm "$(outf slow)"
	touch hang_slow
	setsid -w sh -c "echo \$\$ >make.pid; exec make -f $MK ORK=$ORK PYTHON=$PYTHON" \
		>make.out 2>&1 &
	wait_for slow.hanging 10
	pgid=$(cat make.pid)
	kill -s KILL -- -$pgid
	sleep 0.2
	# SIGKILL cannot be forwarded: the task may be left (in its own process
	# group), kill it ourselves.
	kill -s KILL -- -$(cat slow.pid) 2>/dev/null || kill -s KILL $(cat slow.pid) || :
	wait || :
	no_out slow
	make_ok -n
	expect_grep " exec slow\$" make.out
'

test_expect_success 'after the kill, a rerun runs the task again, to completion' '
	rm hang_slow
	new_runs >/dev/null
	make_ok -j4 PYTHON=$PYTHON
	expect_runs slow
	expect_eq output "{\"from\":\"slow\",\"v\":0}" "$(jget "$(outf slow)" d)"
'

finish
