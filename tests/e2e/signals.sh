#!/bin/sh
# End to end: interrupting a run.  make -j4 runs in its own session and
# process group; long tasks with grandchildren are interrupted by SIGINT to
# the whole group (what a terminal's Ctrl-C does) or by SIGTERM to make
# alone (make forwards TERM to its children).  Afterwards no process of any
# task survives, interrupted tasks have no output, the downstream task never
# ran, and a rerun completes, without re-running what had finished.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

mkdir -p "$tmp/bin"
# Start "$@" in a new session (so its pid is its process group id) with
# SIGINT and SIGQUIT at their defaults: a shell's background job would
# otherwise inherit them ignored, and make would never see Ctrl-C.
cat >"$tmp/bin/launch" <<'EOF'
#!/usr/bin/perl
use POSIX qw(setsid);
setsid() or die "setsid: $!";
$SIG{INT} = $SIG{QUIT} = $SIG{TERM} = 'DEFAULT';
exec @ARGV or die "exec $ARGV[0]: $!";
EOF
chmod +x "$tmp/bin/launch"

# h.sh NAME [stubborn]: with ./hang, start a child that sleeps and a
# grandchild that sleeps, note every pid, then wait.
write_tasks() {
	mkdir -p tasks
	cat >tasks/h.sh <<'EOF'
#!/bin/sh
name=$1
echo "$name" >>runs.log
if [ -e hang ] && [ "$name" != quick ]; then
	[ "${2-}" = stubborn ] && trap '' INT TERM
	echo $$ >>pids
	sleep 60 &
	echo $! >>pids
	sh -c 'echo $$ >>pids; sleep 60 & echo $! >>pids; wait' &
	touch started.$name
	wait
	sleep 60
fi
printf '{"from":"%s"}' "$name"
EOF
	cat >wf.yaml <<EOF
name: sig
tasks:
  quick: {executor: process, command: [sh, tasks/h.sh, quick]}
  h1: {executor: process, command: [sh, tasks/h.sh, h1]}
  h2: {executor: process, command: [sh, tasks/h.sh, h2]}
  h3: {executor: process, command: [sh, tasks/h.sh, h3${1:+, $1}]}
  after:
    executor: process
    command: [sh, tasks/h.sh, after]
    depends_on: [quick, h1, h2, h3]
EOF
}
WF=sig

# start_make: launch make -j4 in the background, wait until quick is done
# and h1..h3 have started.  Sets $mpid (make's pid = its pgid and sid).
start_make() {
	touch hang
	"$tmp/bin/launch" make -j4 -f $MK ORK="$ORK" >make.out 2>&1 &
	mpid=$!
	echo $mpid >make.pid
	i=0
	until [ -e started.h1 ] && [ -e started.h2 ] && [ -e started.h3 ] && has_out quick; do
		if [ $i -ge 150 ] || ! alive $mpid; then
			echo "the tasks did not all start (make is $(alive $mpid || echo "not ")running):"
			ls
			cat make.out
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.3  # let every task get to its wait
}

# wait_make SECS: wait for make to exit; its status in $make_rc
wait_make() {
	i=0
	while alive $mpid; do
		if [ $i -ge $(($1 * 10)) ]; then
			echo "make still running after $1 s; processes:"
			ps -o pid,pgid,sid,stat,args -s $mpid || :
			kill -s KILL -- -$mpid 2>/dev/null || :
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
	make_rc=0
	wait $mpid || make_rc=$?
	echo "# make exited $make_rc"
}

# Nothing of the run may be left: no process in make's session, and none
# of the pids the tasks wrote (they may have left the session's group, not
# the session, but check both).
nothing_left() {
	mpid=$(cat make.pid)
	sleep 0.2
	left=$(ps -e -o sid=,stat=,pid=,args= | awk -v s=$mpid '$1 == s && $2 !~ /^Z/')
	if [ -n "$left" ]; then
		echo "processes left in the run's session:"
		echo "$left"
		return 1
	fi
	test -s pids
	for pid in $(cat pids); do
		if alive $pid; then
			echo "task process $pid survived:"
			ps -o pid,ppid,pgid,sid,stat,args -p $pid
			return 1
		fi
	done
}

interrupted_state() {
	for t in h1 h2 h3; do no_out $t; done
	has_out quick
	if grep -qx after runs.log; then echo "after ran"; return 1; fi
}

interrupted_recorded() {
	for t in h1 h2 h3; do
		expect_eq "$t state" failed "$(state $t)"
		reason $t >r
		expect_grep "[Ii]nterrupt|signal|SIG" r
	done
}

# Once make is gone, nothing is running: the run must not say it is.
run_not_running() {
	"$ORK" status --json >status.json || [ $? = 1 ]
	st=$(jget status.json "d.get(\"state\")")
	echo "run state: $st"
	test "$st" != running
}

rerun_completes() {
	rm hang
	grep -c . runs.log >n.before
	make_ok -j4
	for t in quick h1 h2 h3 after; do has_out $t; done
	# quick had finished: it is not run again
	expect_eq "quick runs" 1 "$(grep -cx quick runs.log)"
	expect_eq "after runs" 1 "$(grep -cx after runs.log)"
}

cleanup_pids() {  # whatever happened above, leave nothing running
	[ -f make.pid ] && kill -s KILL -- -$(cat make.pid) 2>/dev/null || :
	[ -f pids ] && kill -KILL $(cat pids) 2>/dev/null || :
}

# ---- SIGINT to the whole process group ----------------------------------
project int
write_tasks ""
compile

test_expect_success 'SIGINT to the process group: make stops within 20 s, non-zero' '
	start_make
	kill -s INT -- -$mpid
	wait_make 20
	test $make_rc != 0
'
test_expect_success 'SIGINT: no task process survives, grandchildren included' '
	nothing_left
'
test_expect_success 'SIGINT: interrupted tasks have no output, downstream never ran' '
	interrupted_state
'
test_expect_success 'SIGINT: interrupted tasks are recorded failed, saying why' '
	interrupted_recorded
'
test_expect_success 'SIGINT: afterwards ork status does not call the run running' '
	run_not_running
'
test_expect_success 'SIGINT: a rerun completes and does not redo finished tasks' '
	rerun_completes
'
cleanup_pids

# ---- SIGTERM to make alone -----------------------------------------------
project term
write_tasks ""
compile

test_expect_success 'SIGTERM to make alone: make stops within 20 s, non-zero' '
	start_make
	kill -TERM $mpid
	wait_make 20
	test $make_rc != 0
'
test_expect_success 'SIGTERM: no task process survives, grandchildren included' '
	nothing_left
'
test_expect_success 'SIGTERM: interrupted tasks have no output, downstream never ran' '
	interrupted_state
'
test_expect_success 'SIGTERM: interrupted tasks are recorded failed, saying why' '
	interrupted_recorded
'
test_expect_success 'SIGTERM: afterwards ork status does not call the run running' '
	run_not_running
'
test_expect_success 'SIGTERM: a rerun completes and does not redo finished tasks' '
	rerun_completes
'
cleanup_pids

# ---- a task that ignores SIGINT and SIGTERM ------------------------------
project stubborn
write_tasks stubborn
compile

test_expect_success 'SIGINT with a task ignoring INT and TERM: make stops within 20 s' '
	start_make
	kill -s INT -- -$mpid
	wait_make 20
	test $make_rc != 0
'
test_expect_success 'stubborn: no task process survives' '
	nothing_left
'
test_expect_success 'stubborn: a rerun completes' '
	rerun_completes
'
cleanup_pids

finish
