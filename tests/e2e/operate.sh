#!/bin/sh
# shellcheck disable=SC1091,SC2016,SC2034,SC2154 # lib found at run time; bodies single-quoted
# Seeing and operating a run (issue 12): [k/N] in progress lines, the
# heartbeat of a long task, colour (NO_COLOR), ork status (pending and
# running tasks, its exit status, the last invocation that did work, no
# removed tasks), ork logs -f, and ork cancel of make and sh runs.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

project operate
WF=op
mkdir -p tasks
# s.sh NAME: note our pid and a grandchild's, then, when the file hang
# names the task, wait for the file go; then print an object.
cat >tasks/s.sh <<'EOF'
#!/bin/sh
echo "$1 says hello" >&2
echo $$ >>pids
sleep 60 &
echo $! >>pids
touch "started.$1"
while [ ! -e go ]; do
	grep -qx "$1" hang 2>/dev/null || break
	sleep 0.1
done
kill $! 2>/dev/null
echo "$1 says bye" >&2
printf '{"n": "%s"}\n' "$1"
EOF
cat >wf.yaml <<'EOF'
name: op
tasks:
  a: {executor: process, command: [sh, tasks/s.sh, a]}
  b: {executor: process, command: [sh, tasks/s.sh, b], depends_on: [a]}
  c: {executor: process, command: [sh, tasks/s.sh, c], depends_on: [a]}
  d: {executor: process, command: [sh, tasks/s.sh, d], depends_on: [b, c]}
EOF
compile wf.yaml run.mk
"$ORKC" wf.yaml -o run.sh

# wait_file FILE: poll (10 s at most) until FILE exists.
wait_file() { wait_for "$1" 20; }

test_expect_success '[k/N] in progress lines, make and sh' '
	make_ok
	expect_grep "^ork: \[0/4\] a: started$" make.out
	expect_grep "^ork: \[1/4\] a: succeeded in " make.out
	expect_grep "^ork: \[4/4\] d: succeeded in " make.out
	# every count from 1 to 4 once among the final lines
	expect_eq ks "1 2 3 4" "$(sed -n "s/^ork: \[\([0-9]\)\/4\] .: succeeded.*/\1/p" make.out | sort | tr "\n" " " | sed "s/ \$//")"
	ORK="$ORK" RUN_ID=sh sh run.sh -j 2 >sh.out 2>&1 || { cat sh.out; false; }
	expect_grep "^ork: \[4/4\] d: succeeded in " sh.out
'

test_expect_success 'a goal: no [k/N] of tasks it does not run' '
	make_ok RUN_ID=goal b
	refute grep -q "\[./4\]" make.out
	expect_grep "^ork: b: succeeded" make.out
'

test_expect_success 'a long task says it is still running (ORK_HEARTBEAT)' '
	cat >hb.yaml <<-\EOF
	name: hb
	tasks:
	  slow: {executor: process, command: "sleep 2.4; echo 1", retries: 1}
	EOF
	"$ORKC" hb.yaml -o hb.mk
	ORK_HEARTBEAT=1 make -f hb.mk ORK="$ORK" >hb.out 2>&1
	expect_grep "^ork: \[0/1\] slow: still running after [0-9.]+s \(attempt 1/2\)$" hb.out
	test $(grep -c "still running" hb.out) -ge 2
	make -f hb.mk ORK="$ORK" RUN_ID=quiet >hb2.out 2>&1
	refute grep -q "still running" hb2.out
	rc=0; ORK_HEARTBEAT=soon make -f hb.mk ORK="$ORK" RUN_ID=bad >hb3.out 2>&1 || rc=$?
	expect_grep "ORK_HEARTBEAT .soon. is not a number of seconds" hb3.out
'

test_expect_success 'colour: on a terminal, never with NO_COLOR' '
	CLICOLOR_FORCE=1 make -f run.mk ORK="$ORK" RUN_ID=col >col.out 2>&1
	esc=$(printf "\033")
	grep -q "${esc}\[32msucceeded" col.out
	NO_COLOR=1 CLICOLOR_FORCE=1 make -f run.mk ORK="$ORK" RUN_ID=nocol >nocol.out 2>&1
	refute grep -q "$esc" nocol.out
	refute grep -q "$esc" make.out
	if "$PYTOOL" -c "import pty" 2>/dev/null; then
		"$PYTOOL" -c "import pty, sys; pty.spawn(sys.argv[1:])" \
			make -f run.mk ORK="$ORK" RUN_ID=tty >tty.out 2>&1
		grep -q "${esc}\[32msucceeded" tty.out
		NO_COLOR=1 "$PYTOOL" -c "import pty, sys; pty.spawn(sys.argv[1:])" \
			make -f run.mk ORK="$ORK" RUN_ID=ttyno >ttyno.out 2>&1
		refute grep -q "$esc\[3" ttyno.out
	fi
'

test_expect_success 'ork status while running: pending tasks, running time, exit 0' '
	rm -f go pids started.*
	echo a >hang
	make -f run.mk ORK="$ORK" RUN_ID=live >live.out 2>&1 &
	mpid=$!
	wait_file started.a
	sleep 1.2
	"$ORK" status live >st.out
	expect_grep "^run live of op: running \(invocation 1, started .*, running for " st.out
	expect_grep "^a +running +1 +[0-9.]+s +- " st.out
	expect_grep "^b +pending " st.out
	expect_grep "^d +pending " st.out
	"$ORK" status --json live >st.json
	expect_eq pending "b c d" "$(jget st.json "\" \".join(t[\"task\"] for t in d[\"tasks\"] if t[\"state\"] == \"pending\")")"
	jget st.json "[t[\"duration\"] for t in d[\"tasks\"] if t[\"task\"] == \"a\"][0] >= 1" | grep -qx true
	touch go
	wait $mpid
	rm -f hang go
	"$ORK" status live >st.out
'

test_expect_success 'ork status exits 1 for a failed run, 0 for a good one' '
	"$ORK" status live >/dev/null
	cat >bad.yaml <<-\EOF
	name: op
	tasks:
	  a: {executor: process, command: "exit 4"}
	EOF
	"$ORKC" bad.yaml -o bad.mk
	make -f bad.mk ORK="$ORK" RUN_ID=bad >/dev/null 2>&1 || :
	rc=0; "$ORK" status bad >st.out || rc=$?
	expect_eq status 1 $rc
	rc=0; "$ORK" status --json bad >st.json || rc=$?
	expect_eq "status --json" 1 $rc
'

test_expect_success 'ork status from a subdirectory finds the .ork above, as git finds .git' '
	mkdir -p sub/deeper
	(cd sub/deeper && unset ORK_HOME && "$ORK" status live) >sub.out
	"$ORK" status live | sed "s|\.ork/|../../.ork/|" >root.out
	test_cmp root.out sub.out
	# An explicit ORK_HOME is taken as it is.
	rc=0; (cd sub && ORK_HOME=.ork "$ORK" status live) >/dev/null 2>err || rc=$?
	expect_eq status 2 $rc
	expect_grep "no run .live. under .ork" err
'

test_expect_success 'with no .ork here or above, ork status says where it looked' '
	d=$(mktemp -d)
	rc=0; (cd "$d" && unset ORK_HOME && "$ORK" status) >/dev/null 2>err || rc=$?
	rmdir "$d"
	expect_eq status 2 $rc
	expect_grep "no runs under .ork" err
'

test_expect_success 'a no-op re-run keeps the timings of the run that did work' '
	cat >slow.yaml <<-\EOF
	name: op
	tasks:
	  a: {executor: process, command: "sleep 1.5; echo 1"}
	EOF
	"$ORKC" slow.yaml -o slow.mk
	make -f slow.mk ORK="$ORK" RUN_ID=noop >/dev/null 2>&1
	make -f slow.mk ORK="$ORK" RUN_ID=noop >/dev/null 2>&1
	"$ORK" status noop >st.out
	expect_grep "^run noop of op: succeeded \(invocation 2, started .*, took 0\.[0-9]+s; last ran tasks in invocation 1, started .*, took (1\.[5-9]|[2-9]\.)" st.out
	"$ORK" runs op >runs.out
	expect_grep "noop +succeeded +[^ ]+ +(1\.[5-9]|[2-9]\.)[0-9]*s$" runs.out
'

test_expect_success 'a task removed from the workflow is not part of the run' '
	make_ok RUN_ID=rm
	sed "/^  d:/d" wf.yaml >three.yaml
	"$ORKC" three.yaml -o three.mk
	make -f three.mk ORK="$ORK" RUN_ID=rm >/dev/null 2>&1
	"$ORK" status rm >st.out
	refute grep -q "^d " st.out
	"$ORK" status --json rm >st.json
	expect_eq tasks "a b c" "$(jget st.json "\" \".join(t[\"task\"] for t in d[\"tasks\"])")"
'

test_expect_success 'ork logs -f follows a task until it ends' '
	rm -f go pids started.*
	echo a >hang
	make -f run.mk ORK="$ORK" RUN_ID=follow >follow.make 2>&1 &
	mpid=$!
	wait_file started.a
	"$ORK" logs -f follow a >follow.out 2>&1 &
	fpid=$!
	sleep 0.5
	alive $fpid
	touch go
	i=0; while alive $fpid; do i=$((i + 1)); [ $i -lt 200 ]; sleep 0.1; done
	wait $fpid
	wait $mpid
	rm -f hang go
	expect_grep "^==> a: invocation 1, attempt 1 \(running\) <==$" follow.out
	expect_grep "^a says hello$" follow.out
	expect_grep "^==> a: attempt 1 ended: succeeded <==$" follow.out
	refute grep -q "^==> b" follow.out
'

test_expect_success 'ork logs -f of a whole run ends with the run' '
	timeout 20 "$ORK" logs -f follow >all.out
	expect_grep "^==> d: invocation 1, attempt 1 \(succeeded\) <==$" all.out
'

# cancel_test ARTIFACT RUN: start it with two tasks hanging, cancel it.
cancel_test() {
	rm -f go pids started.*
	printf "b\nc\n" >hang
	"$@" >cancel.out 2>&1 &
	dpid=$!
	wait_file started.b && wait_file started.c
	sleep 0.3
	"$ORK" cancel >cancel.err 2>&1
	i=0; while alive $dpid; do i=$((i + 1)); [ $i -lt 100 ]; sleep 0.1; done
	rc=0; wait $dpid || rc=$?
	[ $rc != 0 ]
	rm -f hang
	expect_grep "cancelled run [^ ]+ of op: 2 tasks interrupted \((b, c|c, b)\)" cancel.err
	while read -r pid; do
		if alive "$pid"; then echo "left running: $pid"; ps -fp "$pid"; return 1; fi
	done <pids
}

test_expect_success 'ork cancel stops a make run: interrupted, no orphans' '
	cancel_test make -j4 -f run.mk ORK="$ORK" RUN_ID=cm
	"$ORK" status --json cm >st.json || :
	expect_eq states "a succeeded
b interrupted
c interrupted
d not run" "$(status_states st.json)"
	expect_eq run interrupted "$(jget st.json "d[\"state\"]")"
	rc=0; "$ORK" status cm >/dev/null || rc=$?
	expect_eq "status of a cancelled run" 1 $rc
	rc=0; "$ORK" cancel cm 2>err || rc=$?
	expect_eq "cancel again" 1 $rc
	expect_grep "run cm of op is not running \(interrupted\)" err
	make_ok RUN_ID=cm
	expect_eq d succeeded "$(state d cm)"
'

test_expect_success 'ork cancel stops an sh run too' '
	ORK="$ORK" RUN_ID=cs cancel_test sh run.sh -j 4
	"$ORK" status --json cs >st.json || :
	status_states st.json | grep -qx "b interrupted"
	status_states st.json | grep -qx "c interrupted"
	expect_eq run interrupted "$(jget st.json "d[\"state\"]")"
'

test_expect_success 'ork cancel: usage and no run' '
	rc=0; "$ORK" cancel --bogus 2>err || rc=$?
	expect_eq status 2 $rc
	rc=0; "$ORK" cancel nosuch 2>err || rc=$?
	expect_eq status 2 $rc
'
# ---- on_failure: run tasks learn what failed ---------------------------------

test_expect_success 'on_failure: run: which upstream tasks failed, why, and their logs' '
	cat >of.yaml <<-\EOF
	name: of
	tasks:
	  fetch: {executor: process, command: "echo no route >&2; exit 3"}
	  parse: {executor: process, command: "echo {}", depends_on: [fetch]}
	  fine: {executor: process, command: "echo 1"}
	  notify:
	    executor: process
	    command: "if [ -n \"$ORK_UPSTREAM_FAILURES\" ]; then cat \"$ORK_UPSTREAM_FAILURES\"; else echo null; fi"
	    depends_on: [parse, fine, fetch]
	    on_failure: run
	EOF
	"$ORKC" of.yaml -o of.mk
	make -f of.mk ORK="$ORK" >of.out 2>&1 || :
	WF=of
	out=$(outf notify)
	expect_eq tasks "parse fetch" "$(jget "$out" "\" \".join(t[\"task\"] for t in d)")"
	expect_eq state failed "$(jget "$out" "[t[\"state\"] for t in d if t[\"task\"] == \"fetch\"][0]")"
	expect_eq reason "exit status 3" "$(jget "$out" "[t[\"reason\"] for t in d if t[\"task\"] == \"fetch\"][0]")"
	expect_eq exit 3 "$(jget "$out" "[t[\"exit\"] for t in d if t[\"task\"] == \"fetch\"][0]")"
	log=$(jget "$out" "[t[\"log\"] for t in d if t[\"task\"] == \"fetch\"][0]")
	expect_eq log logs/fetch.1.1.log "$log"
	grep -qx "no route" "$(rundir)/$log"
	expect_eq skipped skipped "$(jget "$out" "[t[\"state\"] for t in d if t[\"task\"] == \"parse\"][0]")"
	# All succeeded: no such file.
	sed "s/exit 3/echo {}/; s/echo no route >&2; //" of.yaml >ofok.yaml
	"$ORKC" ofok.yaml -o ofok.mk
	make -f ofok.mk ORK="$ORK" RUN_ID=ok >/dev/null 2>&1
	expect_eq none null "$(cat "$(outf notify ok)")"
'
finish
