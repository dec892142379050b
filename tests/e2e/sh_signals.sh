#!/bin/sh
# End to end: interrupting the sh backend's script, under every installed
# shell.  Long tasks with grandchildren are interrupted by SIGTERM to the
# script alone, by SIGINT to its whole process group (a terminal's
# Ctrl-C) and by SIGHUP to the script.  The script must stop every task,
# wait for them and exit 128+N; no process of any task survives; the
# interrupted tasks have no output; a rerun completes and does not re-run
# what had finished.  A shell that is not installed is skipped visibly;
# when any is, the script exits 77.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

SHELLS='dash bash mksh yash posh busybox'

mkdir -p "$tmp/bin"
# "$@" in a new session (its pid is its process group) with INT, QUIT and
# TERM at their defaults: a background job would inherit INT ignored.
cat >"$tmp/bin/launch" <<'EOF'
#!/usr/bin/perl
use POSIX qw(setsid);
setsid() or die "setsid: $!";
$SIG{INT} = $SIG{QUIT} = $SIG{TERM} = $SIG{HUP} = 'DEFAULT';
exec @ARGV or die "exec $ARGV[0]: $!";
EOF
chmod +x "$tmp/bin/launch"

write_project() {
	mkdir -p tasks
	cat >tasks/h.sh <<'EOF'
#!/bin/sh
name=$1
echo "$name" >>runs.log
if [ -e hang ] && [ "$name" != quick ]; then
	echo $$ >>pids
	sleep 300 &
	echo $! >>pids
	sh -c 'echo $$ >>pids; sleep 300 & echo $! >>pids; wait' &
	touch "started.$name"
	wait
fi
printf '{"from":"%s"}' "$name"
EOF
	cat >wf.yaml <<'EOF'
name: shsig
tasks:
  quick: {executor: process, command: [sh, tasks/h.sh, quick]}
  h1: {executor: process, command: [sh, tasks/h.sh, h1]}
  h2: {executor: process, command: [sh, tasks/h.sh, h2]}
  after:
    executor: process
    command: [sh, tasks/h.sh, after]
    depends_on: [quick, h1, h2]
EOF
	"$ORKC" wf.yaml -o run.sh
}
WF=shsig

# interrupt SHELL SIGNAL WHO: start the script, wait for h1 and h2, send
# SIGNAL to the script (WHO=pid) or to its process group (WHO=group).
interrupt() {
	touch hang
	case $1 in busybox) set -- "busybox sh" "$2" "$3" ;; esac
	# shellcheck disable=SC2086 # "busybox sh"
	"$tmp/bin/launch" $1 run.sh -j 4 ORK="$ORK" >run.out 2>&1 &
	spid=$!
	i=0
	until [ -e started.h1 ] && [ -e started.h2 ] && has_out quick; do
		if [ $i -ge 150 ] || ! alive $spid; then
			echo "the tasks did not all start:"
			cat run.out
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.2
	if [ "$3" = group ]; then kill -s "$2" -- "-$spid"; else kill -s "$2" "$spid"; fi
	rc=0
	wait $spid || rc=$?
}

no_survivors() {
	for p in $(cat pids); do
		if alive "$p"; then
			echo "process $p of a task survived"
			kill -9 "$p" 2>/dev/null
			return 1
		fi
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
	for how in TERM:pid:143 INT:group:130 HUP:pid:129; do
		sig=${how%%:*} rest=${how#*:}
		who=${rest%%:*} want=${rest#*:}
		project "$shell-$sig"
		write_project
		test_expect_success "$shell: SIG$sig to the $who stops every task, exit $want" '
			interrupt "$shell" "$sig" "$who" &&
			expect_eq "exit status" "$want" "$rc" &&
			no_survivors &&
			no_out h1 && no_out h2 && no_out after &&
			expect_eq "h1 state" failed "$(state h1)"
		'
		test_expect_success "$shell: after SIG$sig, a rerun completes without redoing quick" '
			rm -f hang runs.log &&
			$prog run.sh -j 4 ORK="$ORK" >rerun.out 2>&1 &&
			has_out after &&
			refute grep -q quick runs.log
		'
	done
done

if [ "$nfail" = 0 ] && [ -n "$missing" ]; then
	echo "$npass passed, 0 failed; SKIP: not installed:$missing"
	exit 77
fi
finish
