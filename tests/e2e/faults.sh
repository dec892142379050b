#!/bin/sh
# End to end: faults with real processes.  SIGKILL of make and of one ork
# exec mid-run, then a resume; a task that ignores SIGTERM and leaves a
# setsid() daemon; a task flooding its output; a full disk (ORK_HOME on a
# small tmpfs, as root).  Afterwards the states are right, nothing that did
# not finish counts as succeeded, no process of a task is left, and
# run.json and every journal line parse.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

mkdir -p "$tmp/bin"
# launch CMD...: run CMD in a new session with default signal dispositions.
cat >"$tmp/bin/launch" <<'EOF'
#!/usr/bin/perl
use POSIX qw(setsid);
setsid() or die "setsid: $!";
$SIG{INT} = $SIG{QUIT} = $SIG{TERM} = 'DEFAULT';
exec @ARGV or die "exec $ARGV[0]: $!";
EOF
chmod +x "$tmp/bin/launch"

project faults
WF=faults
mkdir -p tasks

# stubborn.sh NAME: without ./hang, print {"n": NAME}; with it, note the
# pid, ignore SIGTERM, start a daemon that left the session (setsid) and
# a plain child, and wait (a minute or so: a leak must not hang the test).
cat >tasks/stubborn.sh <<'EOF'
name=$1
if [ -e hang ]; then
	trap '' TERM
	echo $$ >>pids
	setsid sh -c 'echo $$ >>pids; trap "" TERM; i=0; while [ $i -lt 90 ]; do sleep 1; i=$((i+1)); done' &
	sleep 300 &
	echo $! >>pids
	touch "started.$name"
	i=0
	while [ $i -lt 300 ]; do sleep 0.2; i=$((i + 1)); done
fi
printf '{"n": "%s"}\n' "$name"
EOF
cat >wf.yaml <<'EOF'
name: faults
tasks:
  a: {executor: process, command: [sh, tasks/stubborn.sh, a]}
  quick: {executor: process, command: [sh, -c, 'echo 1']}
  after:
    executor: process
    command: [sh, -c, 'cat "$ORK_INPUT"']
    depends_on: [a, quick]
EOF
compile

# Every journal line and run.json parse; prints nothing.
check_files() {
	jget "$(rundir)/run.json" "d['state']" >/dev/null
	"$PYTOOL" -c '
import json, sys
for n, line in enumerate(open(sys.argv[1], "rb"), 1):
    try:
        json.loads(line)
    except ValueError:
        sys.exit("journal line %d is not JSON: %r" % (n, line[:200]))
' "$(rundir)/journal.jsonl"
}

# No process noted in ./pids is left.
no_orphans() {
	[ -e pids ] || return 0
	for p in $(cat pids); do
		if alive "$p"; then
			echo "process $p is still running:" >&2
			ps -o pid,pgid,sid,args -p "$p" >&2
			kill -9 "$p" 2>/dev/null
			return 1
		fi
	done
}

start_hanging() {  # start make in its own session until a is running
	rm -f pids started.a
	touch hang
	"$tmp/bin/launch" make -j3 -f $MK ORK="$ORK" ORK_KILL_GRACE=1 \
		>make1.out 2>&1 &
	mpid=$!
	wait_for started.a 15
	sleep 0.3
}

test_expect_success 'kill -9 of make, immediate rerun: the task runs once at a time' '
	rm -rf .ork
	start_hanging
	kill -9 "$mpid"
	wait "$mpid" || true
	# The old ork exec of a is in its grace period (its task ignores
	# SIGTERM); the rerun must neither collide with it nor lose to it.
	rm hang
	make_ok ORK_KILL_GRACE=1
	expect_eq a succeeded "$(state a)"
	expect_eq out "{\"n\": \"a\"}" "$(cat "$(outf a)")"
	expect_eq after succeeded "$(state after)"
	no_orphans
	check_files
'

test_expect_success 'kill -9 of one ork exec mid-run, then resume' '
	rm -rf .ork
	start_hanging
	xpid=$(jget "$(rundir)/journal.jsonl" "ev(\"start\", \"a\")[-1][\"pid\"]")
	kill -9 "$xpid"
	rc=0
	wait "$mpid" || rc=$?
	[ $rc != 0 ]
	no_out a
	no_out after
	rc=0; "$ORK" status --json >st.json || rc=$?
	expect_eq "status of an interrupted run" 1 $rc
	status_states st.json | grep "^a interrupted$"
	check_files
	rm hang
	make_ok
	expect_eq a succeeded "$(state a)"
	expect_eq after succeeded "$(state after)"
	# The resume killed what the killed ork exec left behind, and
	# removed its temporaries.
	no_orphans
	check_files
	ls "$(rundir)" >files
	refute grep -E "\.(tmp|stdout)$" files
'

cat >daemon.yaml <<'EOF'
name: faults
tasks:
  d:
    executor: process
    command: [sh, tasks/stubborn.sh, d]
    timeout: 1
EOF
compile daemon.yaml daemon.mk

test_expect_success 'a timed-out task ignoring SIGTERM leaves no setsid daemon' '
	rm -rf .ork pids
	touch hang
	MK=daemon.mk
	make_fails ORK_KILL_GRACE=0.5
	rm hang
	expect_eq d failed "$(state d)"
	expect_grep "timed out after 1s" make.out
	sleep 0.2
	no_orphans
	check_files
'

# A task that succeeds at once, leaving a daemon (setsid, TERM ignored)
# and a plain background child: both are ork exec's after the task ends,
# and neither outlives it.
cat >leave.yaml <<'EOF'
name: faults
tasks:
  leaves:
    executor: process
    command: [sh, -c, 'setsid sh -c "echo \$\$ >>pids; trap \"\" TERM; sleep 90" & sleep 90 & echo $! >>pids; while [ $(wc -l <pids) -lt 2 ]; do sleep 0.05; done; echo 1']
EOF
compile leave.yaml leave.mk

test_expect_success 'a task that succeeds leaves no daemon and no child behind' '
	rm -rf .ork pids
	MK=leave.mk
	make_ok ORK_KILL_GRACE=0.5
	expect_eq leaves succeeded "$(state leaves)"
	expect_eq pids 2 "$(wc -l <pids | tr -d " ")"
	no_orphans
'

cat >flood.yaml <<'EOF'
name: faults
tasks:
  flood:
    executor: process
    command: [sh, -c, 'echo $PPID >xpid; head -c 64000000 /dev/zero | tr "\0" y >&2; touch flooded; sleep 1; echo 1']
EOF
compile flood.yaml flood.mk

test_expect_success 'a task flooding stderr: bounded memory, capped log' '
	rm -rf .ork flooded xpid
	make -f flood.mk ORK="$ORK" ORK_LOG_MAX=1M >make.out 2>&1 &
	m=$!
	wait_for flooded 60
	hwm=$(sed -n "s/^VmHWM:[^0-9]*\([0-9]*\) kB/\1/p" "/proc/$(cat xpid)/status")
	wait $m
	echo "ork exec peak RSS: $hwm kB"
	[ "$hwm" -lt 20000 ]
	size=$(wc -c <"$(rundir)/logs/flood.1.1.log")
	[ "$size" -lt 1100000 ]
	expect_eq flood succeeded "$(state flood)"
'

# ---- a full disk -----------------------------------------------------------

cat >big.yaml <<'EOF'
name: faults
tasks:
  small: {executor: process, command: [sh, -c, 'echo 1']}
  big:
    executor: process
    command: [sh, -c, 'head -c 3000000 /dev/zero | tr "\0" 7 && echo']
    depends_on: [small]
EOF
compile big.yaml big.mk

if [ "$(id -u)" != 0 ] || ! mkdir -p "$tmp/mnt" ||
   ! mount -t tmpfs -o size=2m tmpfs "$tmp/mnt" 2>/dev/null; then
	skip 'a full disk: needs root and a tmpfs mount'
else
	trap 'umount "$tmp/mnt" 2>/dev/null; lib_cleanup' EXIT
	export ORK_HOME="$tmp/mnt"
	rd=$tmp/mnt/faults/default
	test_expect_success 'a full disk: the reason says so' '
		MK=big.mk
		make_fails
		expect_grep "big: failed \(.*no space left on device in $rd" make.out
	'
	test_expect_success 'a full disk: every journal line stays whole; resume works' '
		MK=big.mk
		make_fails
		# Leave 20 bytes in the journal'"'"'s last page, and fill the rest
		# of the disk: the next event is cut short.
		j=$rd/journal.jsonl
		size=$(wc -c <"$j")
		pad=$(( (4096 - 20 - size % 4096 + 4096) % 4096 ))
		[ $pad -ge 40 ] || pad=$((pad + 4096))
		"$PYTOOL" -c "import sys; n = int(sys.argv[1]); sys.stdout.write(\"{\\\"ev\\\":\\\"pad\\\",\\\"x\\\":\\\"\" + \"x\" * (n - 20) + \"\\\"}\\n\")" $pad >>"$j"
		# (What ork exec removes first must not give the space back.)
		rm -f "$rd"/small.$_hex16.json
		dd if=/dev/zero of="$tmp/mnt/filler" bs=4k 2>/dev/null || true
		dd if=/dev/zero of="$tmp/mnt/filler2" bs=1 2>/dev/null || true
		spec=$(sed -n "s/^.*private export ORK_SPEC := \(.*\"task\":\"small\".*\)/\1/p" big.mk)
		rc=0
		ORK_SPEC=$spec ORK_WORKFLOW=faults "$ORK" exec small 2>exec.err || rc=$?
		cat exec.err
		[ $rc != 0 ]
		grep "No space left on device" exec.err
		rm -f "$tmp/mnt/filler" "$tmp/mnt/filler2"
		sed "s/3000000/300000/" big.yaml >big2.yaml
		compile big2.yaml big2.mk
		MK=big2.mk
		make_ok
		expect_eq big succeeded "$(jget "$j" "last_end(\"big\")[\"state\"]")"
		"$PYTOOL" -c "
import json, sys
for n, line in enumerate(open(sys.argv[1], \"rb\"), 1):
    try:
        json.loads(line)
    except ValueError:
        sys.exit(\"journal line %d is not JSON: %r\" % (n, line[:300]))
" "$j"
		jget "$rd/run.json" "d[\"state\"]" | grep succeeded
	'
fi

finish
