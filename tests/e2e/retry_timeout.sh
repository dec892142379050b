#!/bin/sh
# End to end: retries (attempt numbers, one log per attempt, retry_on,
# delays and backoff) and timeouts (the task and its grandchildren are
# killed, even when they ignore SIGTERM; the reason says it timed out).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

project retry
WF=retry
mkdir -p tasks rec

# flaky N: fails until attempt N, recording each attempt and its time.
cat >tasks/flaky.sh <<'EOF'
#!/bin/sh
name=$1 ok_at=$2 code=${3:-1}
echo "${ORK_ATTEMPT-unset}" >>rec/$name.attempts
date +%s.%N >>rec/$name.times
echo "$name attempt ${ORK_ATTEMPT-unset} says hi" >&2
if [ "${ORK_ATTEMPT-0}" = "$ok_at" ]; then
	printf '{"attempt":%s}\n' "$ORK_ATTEMPT"
	exit 0
fi
exit "$code"
EOF

# sleeper NAME [stubborn]: a child and a grandchild that sleep long; with
# "stubborn" both ignore SIGTERM.
cat >tasks/sleeper.sh <<'EOF'
#!/bin/sh
name=$1
[ "${2-}" = stubborn ] && trap '' TERM
echo $$ >>rec/$name.pids
sleep 60 &
echo $! >>rec/$name.pids
echo "${ORK_ATTEMPT-unset}" >>rec/$name.attempts
wait
sleep 60
EOF

cat >wf.yaml <<'EOF'
name: retry
tasks:
  flaky:
    executor: process
    command: ["sh", "tasks/flaky.sh", "flaky", "3"]
    retries: 3
  exhausted:
    executor: process
    command: ["sh", "tasks/flaky.sh", "exhausted", "99"]
    retries: 2
  listed:
    executor: process
    command: ["sh", "tasks/flaky.sh", "listed", "3", "75"]
    retries: 4
    retry_on: [75, 111]
  unlisted:
    executor: process
    command: ["sh", "tasks/flaky.sh", "unlisted", "3", "3"]
    retries: 4
    retry_on: [75, 111]
  delayed:
    executor: process
    command: ["sh", "tasks/flaky.sh", "delayed", "3"]
    retries: 2
    retry_delay: 1
    retry_backoff: 2
  capped:
    executor: process
    command: ["sh", "tasks/flaky.sh", "capped", "3"]
    retries: 2
    retry_delay: 1
    retry_backoff: 8
    retry_max_delay: 1
  sleepy:
    executor: process
    command: ["sh", "tasks/sleeper.sh", "sleepy"]
    timeout: 1
    retries: 1
  stubborn:
    executor: process
    command: ["sh", "tasks/sleeper.sh", "stubborn", "stubborn"]
    timeout: 1
EOF

# Every pid a sleeper wrote must be gone (zombies count as gone).
all_dead() {  # NAME
	test -s rec/$1.pids
	for pid in $(cat rec/$1.pids); do
		if alive $pid; then
			echo "process $pid of task $1 survived:"
			ps -o pid,ppid,pgid,stat,args -p $pid
			return 1
		fi
	done
}

# gap FILE I: seconds between time I and I+1 in FILE (1-based)
gap() {
	awk -v i=$2 'NR == i { a = $1 } NR == i + 1 { b = $1 } END { printf "%.3f\n", b - a }' $1
}
ge() {  # A B: A >= B (decimals)
	awk -v a=$1 -v b=$2 'BEGIN { exit !(a >= b) }' || { echo "$1 < $2"; return 1; }
}

test_expect_success 'compile and run; make fails (some tasks fail) without a crash' '
	compile
	start=$(date +%s)
	make_fails -j8
	end=$(date +%s)
	echo $((end - start)) >elapsed
'

test_expect_success 'the run is not held up by the 60 s sleepers' '
	test "$(cat elapsed)" -lt 30
'

test_expect_success 'flaky: attempts 1, 2, 3 seen by the task; third succeeds' '
	printf "1\n2\n3\n" >expect
	test_cmp expect rec/flaky.attempts
	expect_eq state succeeded "$(state flaky)"
	expect_eq attempts 3 "$(jget $(rundir)/journal.jsonl "last_end(\"flaky\")[\"attempts\"]")"
	expect_eq output "{\"attempt\":3}" "$(jget "$(outf flaky)" d)"
'

test_expect_success 'flaky: one journal attempt event per attempt, in order' '
	J=$(rundir)/journal.jsonl
	expect_eq numbers "[1,2,3]" "$(jget $J "[e[\"attempt\"] for e in ev(\"attempt\", \"flaky\")]")"
	expect_eq ok "[false,false,true]" "$(jget $J "[e[\"ok\"] for e in ev(\"attempt\", \"flaky\")]")"
	expect_eq exit "[1,1,0]" "$(jget $J "[e[\"exit\"] for e in ev(\"attempt\", \"flaky\")]")"
'

test_expect_success 'flaky: one log per attempt, each with its own output' '
	J=$(rundir)/journal.jsonl
	jget $J "\"\\n\".join(e[\"log\"] for e in ev(\"start\", \"flaky\"))" >logs
	test $(sort -u logs | wc -l) = 3
	n=1
	for log in $(cat logs); do
		case $log in logs/flaky.*.$n.log) ;; *) echo "bad log name $log"; false ;; esac
		expect_grep "^flaky attempt $n says hi\$" $(rundir)/$log
		if grep -v "attempt $n says" $(rundir)/$log | grep "says hi"; then
			echo "log of attempt $n has another attempt in it"; false
		fi
		n=$((n + 1))
	done
'

test_expect_success 'exhausted: retries + 1 attempts, then failed, no output' '
	printf "1\n2\n3\n" >expect
	test_cmp expect rec/exhausted.attempts
	expect_eq state failed "$(state exhausted)"
	no_out exhausted
	reason exhausted >r
	expect_grep "exit.* 1( |\$|,|\))" r
'

test_expect_success 'retry_on: a listed exit code is retried' '
	printf "1\n2\n3\n" >expect
	test_cmp expect rec/listed.attempts
	expect_eq state succeeded "$(state listed)"
'

test_expect_success 'retry_on: an exit code not listed is not retried' '
	printf "1\n" >expect
	test_cmp expect rec/unlisted.attempts
	expect_eq state failed "$(state unlisted)"
	reason unlisted >r
	expect_grep "exit.* 3( |\$|,|\))" r
'

test_expect_success 'retry_delay with backoff 2: waits at least 1 s, then 2 s' '
	test $(wc -l <rec/delayed.times) = 3
	ge $(gap rec/delayed.times 1) 0.95
	ge $(gap rec/delayed.times 2) 1.95
'

test_expect_success 'retry_max_delay caps the backoff (1 s, not 8 s)' '
	test $(wc -l <rec/capped.times) = 3
	ge $(gap rec/capped.times 1) 0.95
	ge $(gap rec/capped.times 2) 0.95
	ge 6 $(gap rec/capped.times 2)
'

test_expect_success 'timeout: the task and its grandchild are killed' '
	all_dead sleepy
'

test_expect_success 'timeout: each attempt timed out, retried once, then failed' '
	printf "1\n2\n" >expect
	test_cmp expect rec/sleepy.attempts
	expect_eq state failed "$(state sleepy)"
	no_out sleepy
	J=$(rundir)/journal.jsonl
	jget $J "[e.get(\"reason\") for e in ev(\"attempt\", \"sleepy\")]" >reasons
	test "$(grep -ci "timed out\|timeout" reasons)" -ge 1
	jget $J "ev(\"attempt\", \"sleepy\")[0][\"duration\"]" >dur
	ge 10 "$(cat dur)"
	ge "$(cat dur)" 0.9
'

test_expect_success 'timeout: the final reason says the task timed out' '
	reason sleepy >r
	expect_grep "[Tt]imed out|[Tt]imeout" r
'

test_expect_success 'timeout: a task ignoring SIGTERM is killed all the same' '
	all_dead stubborn
	expect_eq state failed "$(state stubborn)"
	reason stubborn >r
	expect_grep "[Tt]imed out|[Tt]imeout" r
'

test_expect_success 'ork status reports attempts and the timeout' '
	rc=0; "$ORK" status >status.out || rc=$?
	expect_eq "status of a failed run" 1 $rc
	expect_grep "flaky.*succeeded" status.out
	expect_grep "sleepy.*failed.*([Tt]imed out|[Tt]imeout)" status.out
'

test_expect_success 'ork logs shows every attempt of flaky, in order' '
	"$ORK" logs default flaky >logs.out
	grep -n "says hi" logs.out >hits
	test $(wc -l <hits) = 3
	sed -n "s/.*flaky attempt \([0-9]\) says hi.*/\1/p" logs.out >order
	printf "1\n2\n3\n" >expect
	test_cmp expect order
'

# Leave nothing behind even if the runtime did.
for f in rec/*.pids; do
	[ -f "$f" ] && kill -9 $(cat "$f") 2>/dev/null || :
done
finish
