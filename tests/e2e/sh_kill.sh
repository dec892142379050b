#!/bin/sh
# End to end: SIGKILL of the sh backend's script (nothing can be trapped)
# under every installed shell.  The scheduler, left behind in the
# background, must notice that the script is gone and stop: SIGTERM to the
# running tasks, nothing more started.  Within a few seconds no process of
# the run is left (none has the project as its directory, none of the
# tasks' pids is alive), no downstream task has started, and a rerun
# completes with every task succeeded, without redoing what had finished.
# A shell that is not installed is skipped visibly; when any is, the
# script exits 77.
# shellcheck disable=SC1091,SC2013,SC2016,SC2034,SC2154 # lib found at run time; bodies single-quoted
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

SHELLS=${ORK_TEST_SHELLS:-dash bash mksh yash posh busybox}

mkdir -p "$tmp/bin"
# "$@" in a new session, so that a kill reaches the script alone.
cat >"$tmp/bin/launch" <<'EOF2'
#!/usr/bin/perl
use POSIX qw(setsid);
setsid() or die "setsid: $!";
$SIG{INT} = $SIG{QUIT} = $SIG{TERM} = $SIG{HUP} = 'DEFAULT';
exec @ARGV or die "exec $ARGV[0]: $!";
EOF2
chmod +x "$tmp/bin/launch"

# hang (with grandchildren) and slow (3 s) run while the script is killed;
# down would start once slow has finished.
write_project() {
	mkdir -p tasks
	cat >tasks/h.sh <<'EOF2'
#!/bin/sh
name=$1
echo "$name" >>runs.log
if [ -e hang ]; then
	case $name in
	hang)
		echo $$ >>pids
		sleep 300 &
		echo $! >>pids
		sh -c 'echo $$ >>pids; sleep 300 & echo $! >>pids; wait' &
		touch "started.$name"
		wait ;;
	slow)
		echo $$ >>pids
		touch "started.$name"
		sleep 3 ;;
	esac
fi
printf '{"from":"%s"}' "$name"
EOF2
	cat >wf.yaml <<'EOF2'
name: shkill
tasks:
  quick: {executor: process, command: [sh, tasks/h.sh, quick]}
  hang: {executor: process, command: [sh, tasks/h.sh, hang]}
  slow: {executor: process, command: [sh, tasks/h.sh, slow]}
  down:
    executor: process
    command: [sh, tasks/h.sh, down]
    depends_on: [quick, slow]
EOF2
	"$ORKC" wf.yaml -o run.sh
}
WF=shkill

# Processes of the run: the script's, ork's and the tasks', which all
# have ORK_SHKILL_MARK=$proj in their environment.  Empty without /proc.
run_procs() {
	for _d in /proc/[0-9]*; do
		grep -qzxF "ORK_SHKILL_MARK=$proj" "$_d/environ" 2>/dev/null ||
			continue
		_p=${_d#/proc/}
		alive "$_p" && echo "$_p"
	done
	return 0
}

# kill_script SHELL: start the script, wait for hang and slow, SIGKILL it.
kill_script() {
	touch hang
	case $1 in busybox) set -- "busybox sh" ;; esac
	# shellcheck disable=SC2086 # "busybox sh"
	ORK_SHKILL_MARK=$proj "$tmp/bin/launch" $1 run.sh -j 4 ORK="$ORK" \
		>run.out 2>&1 &
	spid=$!
	i=0
	until [ -e started.hang ] && [ -e started.slow ] && has_out quick; do
		if [ $i -ge 150 ] || ! alive $spid; then
			echo "the tasks did not all start:"
			cat run.out
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
	kill -s KILL "$spid"
	wait "$spid" || :
}

# all_gone SECS: within SECS seconds no process of the run is left.
all_gone() {
	i=0
	while :; do
		left=$(run_procs)
		for p in $(cat pids); do
			alive "$p" && left="$left $p"
		done
		[ -n "$left" ] || return 0
		if [ $i -ge $(($1 * 10)) ]; then
			echo "still alive after $1 s:"
			for p in $left; do ps -o pid=,args= -p "$p"; kill -9 "$p" 2>/dev/null; done
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
}

missing=
for shell in $SHELLS; do
	case $shell in busybox) prog="busybox sh" ;; *) prog=$shell ;; esac
	if ! $prog -c : 2>/dev/null; then
		skip "$shell: not installed"
		missing="$missing $shell"
		continue
	fi
	project "$shell"
	write_project
	test_expect_success "$shell: after SIGKILL of the script, no process of the run is left" '
		kill_script "$shell" &&
		all_gone 5
	'
	test_expect_success "$shell: nothing started after the kill, the running tasks failed" '
		sleep 1 &&
		refute grep -q down runs.log &&
		no_out hang && no_out slow && no_out down &&
		expect_eq "hang state" failed "$(state hang)" &&
		expect_eq "slow state" failed "$(state slow)" &&
		expect_eq "down events" "[]" "$(jget "$(rundir)/journal.jsonl" "ev(\"start\", \"down\")")"
	'
	test_expect_success "$shell: a rerun completes without redoing quick" '
		rm -f hang runs.log &&
		$prog run.sh -j 4 ORK="$ORK" >rerun.out 2>&1 &&
		for t in quick hang slow down; do
			expect_eq "$t state" succeeded "$(state $t)" || exit 1
		done &&
		refute grep -q quick runs.log
	'
done

if [ "$nfail" = 0 ] && [ -n "$missing" ]; then
	echo "$npass passed, 0 failed; SKIP: not installed:$missing"
	exit 77
fi
finish
