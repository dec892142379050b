#!/bin/sh
# End to end for the runtime alone: ork begin, exec, end, status, logs and
# runs driven by hand, with ORK_SPEC written here (no compiler, no make).
# Covers success, failure, retries and retry_on, timeouts that must take a
# grandchild down, invalid output JSON with its byte offset, skipped
# downstream tasks, triggers passing null for failed upstreams, a large
# upstream output handed on byte for byte, interrupts and the Python
# executor's contract (with a stand-in interpreter).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

project runtime
WF=rt
export ORK_WORKFLOW=rt
unset ORK_RUN_ID ORK_HOME ORK_SPEC ORK_PYTHON ORK_KILL_GRACE 2>/dev/null || :
R=.ork/rt/default
J=$R/journal.jsonl
mkdir -p bin rec

# spec NAME KEY MEMBERS: a task spec; ork exec supplies the defaults of
# the members not given (input {}, timeout 3600, retries 0, ...).
spec() {
	printf '{"task":"%s","key":"%s",%s}' "$1" "$2" "$3"
}
# run NAME KEY EXTRA: ork exec with that spec; stderr in NAME.err, status
# in NAME.rc.
run() {
	_rc=0
	ORK_SPEC=$(spec "$1" "$2" "$3") "$ORK" exec "$1" 2>"$1.err" || _rc=$?
	echo $_rc >"$1.rc"
}
expect_eq() {  # WHAT EXPECTED ACTUAL
	if [ "$2" != "$3" ]; then
		echo "$1: expected '$2', got '$3'"
		return 1
	fi
}
expect_grep() {  # ERE FILE
	if ! grep -E -- "$1" "$2" >/dev/null; then
		echo "no match for '$1' in $2:"
		cat "$2"
		return 1
	fi
}
gone() {  # PID: the process does not exist (a zombie counts as gone)
	refute alive "$1"
}

cat >bin/flaky <<'EOF'
#!/bin/sh
# flaky NAME OK_AT [CODE]: fails with CODE until attempt OK_AT.
echo "$ORK_ATTEMPT/$ORK_MAX_ATTEMPTS" >>rec/$1.attempts
echo "$1 attempt $ORK_ATTEMPT" >&2
[ "$ORK_ATTEMPT" = "$2" ] && { echo "{\"attempt\":$ORK_ATTEMPT}"; exit 0; }
exit "${3:-1}"
EOF
cat >bin/sleeper <<'EOF'
#!/bin/sh
# sleeper NAME [stubborn]: a grandchild and the task itself sleep long.
[ "${2-}" = stubborn ] && trap '' TERM
echo $$ >rec/$1.pids
sleep 60 &
echo $! >>rec/$1.pids
wait
sleep 60
EOF
cat >bin/okjson <<'EOF'
#!/bin/sh
echo hi >&2
printf '{"a": [1, 2]}\n'
EOF
cat >bin/badjson <<'EOF'
#!/bin/sh
printf '{"a": 1,}'
EOF
cat >bin/big <<'EOF'
#!/bin/sh
# 20 MB of output in one JSON string.
printf '{"blob":"'
head -c 20000000 /dev/zero | tr '\0' x
printf '","end":true}'
EOF
chmod +x bin/flaky bin/sleeper bin/okjson bin/badjson bin/big

test_expect_success 'begin creates the run directory and invocation 1' '
	"$ORK" begin
	test -d $R/logs
	expect_eq invocation 1 "$(jget $R/run.json "d[\"invocation\"]")"
	expect_eq state running "$(jget $R/run.json "d[\"state\"]")"
	expect_eq begin 1 "$(jget $J "len(ev(\"begin\"))")"
'

test_expect_success 'begin rejects a bad run id, clearly' '
	test_must_fail env ORK_RUN_ID="../x" "$ORK" begin 2>err
	expect_grep "invalid run id .\.\./x." err
	test ! -e .ork/x
'

test_expect_success 'success: stdout is the output, renamed into place' '
	run ok 0123456789abcdef "\"executor\":\"process\",\"argv\":[\"bin/okjson\"]"
	expect_eq rc 0 "$(cat ok.rc)"
	printf "{\"a\": [1, 2]}" >expect
	test_cmp expect $R/ok.0123456789abcdef.json
	expect_eq state succeeded "$(state ok)"
	expect_grep "^ork: ok: started\$" ok.err
	expect_grep "^ork: ok: succeeded in [0-9.]+s\$" ok.err
	expect_grep "^hi\$" $R/logs/ok.1.1.log
	test ! -e $R/ok.0123456789abcdef.stdout
	test ! -e $R/ok.0123456789abcdef.json.tmp
'

test_expect_success 'the task sees its context in the environment, not ORK_SPEC' '
	run envt 1111111111111111 "\"executor\":\"process\",\"script\":\"env | grep ^ORK_ | sort >rec/env; echo K=\$K >>rec/env; cat \$ORK_INPUT >>rec/env\",\"env\":{\"K\":\"v w\"},\"retries\":2"
	expect_grep "^ORK_TASK=envt\$" rec/env
	expect_grep "^ORK_ATTEMPT=1\$" rec/env
	expect_grep "^ORK_MAX_ATTEMPTS=3\$" rec/env
	expect_grep "^ORK_RUN_ID=default\$" rec/env
	expect_grep "^ORK_WORKFLOW=rt\$" rec/env
	expect_grep "^ORK_RUN_DIR=/.*/\.ork/rt/default\$" rec/env
	expect_grep "^ORK_OUTPUT=/" rec/env
	expect_grep "^ORK_METRICS=/.*/metrics.jsonl\$" rec/env
	expect_grep "^ORK_ERROR_FILE=/" rec/env
	expect_grep "^K=v w\$" rec/env
	expect_grep "^\{\}\$" rec/env
	if grep ORK_SPEC rec/env; then false; fi
'

test_expect_success 'empty output is null; blank output too' '
	run quiet 2222222222222222 "\"executor\":\"process\",\"argv\":[\"true\"]"
	printf null >expect
	test_cmp expect $R/quiet.2222222222222222.json
	test ! -e $R/logs/quiet.1.1.log
	run blank 2222222222222223 "\"executor\":\"process\",\"argv\":[\"echo\"]"
	test_cmp expect $R/blank.2222222222222223.json
'

test_expect_success '$ORK_OUTPUT wins over stdout, which goes to the log' '
	run viafile 3333333333333333 "\"executor\":\"process\",\"script\":\"echo talk; echo err >&2; printf 7 >\$ORK_OUTPUT\""
	printf 7 >expect
	test_cmp expect $R/viafile.3333333333333333.json
	expect_grep "^err\$" $R/logs/viafile.1.1.log
	expect_grep "^talk\$" $R/logs/viafile.1.1.log
'

test_expect_success 'failure: exit status, no output, log path in the message' '
	run bad 4444444444444444 "\"executor\":\"process\",\"script\":\"echo broken >&2; exit 3\""
	expect_eq rc 0 "$(cat bad.rc)"
	no_out bad
	expect_eq state failed "$(state bad)"
	expect_eq reason "exit status 3" "$(reason bad)"
	expect_grep "^ork: bad: failed \(exit status 3\); log: \.ork/rt/default/logs/bad\.1\.1\.log\$" bad.err
	expect_grep "^broken\$" $R/logs/bad.1.1.log
'

test_expect_success 'a failed attempt keeps what the task printed in its log' '
	run noisy 4444444444444445 "\"executor\":\"process\",\"script\":\"echo partial result; exit 2\""
	expect_grep "^partial result\$" $R/logs/noisy.1.1.log
	test ! -e $R/noisy.4444444444444445.stdout
'

test_expect_success 'a stale output of a failing task is removed' '
	echo "{}" >$R/bad.4444444444444444.json
	run bad 4444444444444444 "\"executor\":\"process\",\"argv\":[\"false\"]"
	no_out bad
'

test_expect_success 'killed by a signal; could not start' '
	run sig 5555555555555555 "\"executor\":\"process\",\"script\":\"kill -9 \$\$\""
	expect_eq reason "killed by signal 9 (SIGKILL)" "$(reason sig)"
	run nostart 5555555555555556 "\"executor\":\"process\",\"argv\":[\"./bin/missing\"]"
	expect_eq reason "command not found: ./bin/missing" "$(reason nostart)"
	expect_eq rc 0 "$(cat nostart.rc)"
'

test_expect_success 'exit 127 from the shell: command not found' '
	run noprog 5555555555555557 "\"executor\":\"process\",\"script\":\"no-such-program-x --flag\""
	expect_eq reason "exit status 127: command not found (the log names it)" "$(reason noprog)"
'

test_expect_success 'invalid JSON output fails with the byte offset' '
	run badjson 6666666666666666 "\"executor\":\"process\",\"argv\":[\"bin/badjson\"]"
	expect_eq reason "invalid JSON output at byte 8: trailing comma; stdout has no ORK_OUTPUT: line either: a process task prints its output as JSON on stdout, or prints one line ORK_OUTPUT:{json} (the rest of stdout goes to the log), or writes it to the file \$ORK_OUTPUT" "$(reason badjson)"
	no_out badjson
	expect_grep "invalid JSON output at byte 8: trailing comma" badjson.err
	expect_grep "^\\{\"a\": 1,\\}\$" $R/logs/badjson.1.1.log
'

test_expect_success 'retries: attempts counted, one log each, then success' '
	run flaky 7777777777777777 "\"executor\":\"process\",\"argv\":[\"bin/flaky\",\"flaky\",\"3\"],\"retries\":3"
	printf "1/4\n2/4\n3/4\n" >expect
	test_cmp expect rec/flaky.attempts
	expect_eq state succeeded "$(state flaky)"
	expect_eq attempts 3 "$(jget $J "last_end(\"flaky\")[\"attempts\"]")"
	expect_eq ok "[false,false,true]" "$(jget $J "[e[\"ok\"] for e in ev(\"attempt\", \"flaky\")]")"
	for n in 1 2 3; do expect_grep "^flaky attempt $n\$" $R/logs/flaky.1.$n.log; done
	expect_grep "^ork: flaky: attempt 1/4 failed \(exit status 1\); retrying\$" flaky.err
	expect_grep "^ork: flaky: succeeded in .* \(attempt 3/4\)\$" flaky.err
'

test_expect_success 'retries exhausted: retries + 1 attempts, last reason' '
	run exhausted 7777777777777778 "\"executor\":\"process\",\"argv\":[\"bin/flaky\",\"exhausted\",\"99\",\"4\"],\"retries\":2"
	expect_eq attempts 3 "$(wc -l <rec/exhausted.attempts | tr -d " ")"
	expect_eq reason "exit status 4" "$(reason exhausted)"
	expect_grep "^ork: exhausted: failed after 3 attempts \(exit status 4\); log: .*/logs/exhausted\.1\.3\.log\$" exhausted.err
'

test_expect_success 'retry delay with backoff, capped' '
	run delayed 7777777777777779 "\"executor\":\"process\",\"argv\":[\"bin/flaky\",\"delayed\",\"3\"],\"retries\":2,\"retry_delay\":0.2,\"retry_backoff\":3,\"retry_max_delay\":0.5"
	expect_grep "attempt 1/3 failed \(exit status 1\); retrying in 0\.2s" delayed.err
	expect_grep "attempt 2/3 failed \(exit status 1\); retrying in 0\.5s" delayed.err
	jget $J "last_end(\"delayed\")[\"duration\"]" >dur
	awk "{ exit !(\$1 >= 0.7) }" dur
'

test_expect_success 'retry_on: a listed code is retried, another is not' '
	run listed 8888888888888888 "\"executor\":\"process\",\"argv\":[\"bin/flaky\",\"listed\",\"2\",\"75\"],\"retries\":3,\"retry_on\":[75]"
	expect_eq state succeeded "$(state listed)"
	run unlisted 8888888888888889 "\"executor\":\"process\",\"argv\":[\"bin/flaky\",\"unlisted\",\"2\",\"3\"],\"retries\":3,\"retry_on\":[75]"
	expect_eq attempts 1 "$(wc -l <rec/unlisted.attempts | tr -d " ")"
	expect_eq state failed "$(state unlisted)"
	expect_grep "failed after 1 of 4 attempts \(exit status 3; not in retry_on\)" unlisted.err
'

test_expect_success 'timeout: the task and its grandchild are killed' '
	start=$(date +%s)
	run sleepy 9999999999999999 "\"executor\":\"process\",\"argv\":[\"bin/sleeper\",\"sleepy\"],\"timeout\":1"
	end=$(date +%s)
	test $((end - start)) -lt 10
	expect_eq reason "timed out after 1s" "$(reason sleepy)"
	for pid in $(cat rec/sleepy.pids); do gone $pid; done
	no_out sleepy
	expect_grep "^ork: sleepy: failed \(timed out after 1s\)" sleepy.err
'

test_expect_success 'timeout: processes ignoring SIGTERM get SIGKILL after the grace' '
	ORK_KILL_GRACE=0.5
	export ORK_KILL_GRACE
	run stubborn 9999999999999998 "\"executor\":\"process\",\"argv\":[\"bin/sleeper\",\"stubborn\",\"stubborn\"],\"timeout\":0.5"
	expect_eq reason "timed out after 0.5s" "$(reason stubborn)"
	for pid in $(cat rec/stubborn.pids); do gone $pid; done
	expect_eq signal 9 "$(jget $J "ev(\"attempt\", \"stubborn\")[-1][\"signal\"]")"
'

test_expect_success 'after a clean exit, leftover processes of the task are stopped' '
	run leftover 9999999999999997 "\"executor\":\"process\",\"script\":\"sleep 60 & echo \$! >rec/leftover.pids\""
	expect_eq state succeeded "$(state leftover)"
	gone "$(cat rec/leftover.pids)"
'

test_expect_success 'skipped downstream of a failure, with the reason' '
	run down aaaaaaaaaaaaaaaa "\"executor\":\"process\",\"script\":\"touch rec/down.ran\",\"deps\":[{\"task\":\"bad\",\"key\":\"4444444444444444\"}]"
	expect_eq rc 0 "$(cat down.rc)"
	expect_eq state skipped "$(state down)"
	expect_eq reason "upstream '"'"'bad'"'"' failed" "$(reason down)"
	test ! -e rec/down.ran
	expect_grep "^ork: down: skipped \(upstream .bad. failed\)\$" down.err
	run downdown aaaaaaaaaaaaaaab "\"executor\":\"process\",\"argv\":[\"true\"],\"deps\":[{\"task\":\"down\",\"key\":\"aaaaaaaaaaaaaaaa\"}]"
	expect_eq reason "upstream '"'"'down'"'"' was skipped" "$(reason downdown)"
	run orphan aaaaaaaaaaaaaaac "\"executor\":\"process\",\"argv\":[\"true\"],\"deps\":[{\"task\":\"never\",\"key\":\"aaaaaaaaaaaaaaaa\"}]"
	expect_eq reason "upstream '"'"'never'"'"' did not run" "$(reason orphan)"
'

test_expect_success 'all_done runs after a failure and sees null for it' '
	run cleanup bbbbbbbbbbbbbbbb "\"executor\":\"process\",\"argv\":[\"cat\"],\"input\":{\"x\":1},\"deps\":[{\"task\":\"bad\",\"key\":\"4444444444444444\"},{\"task\":\"ok\",\"key\":\"0123456789abcdef\"}],\"trigger\":\"all_done\""
	printf "{\"x\":1,\"bad\":null,\"ok\":{\"a\": [1, 2]}}" >expect
	test_cmp expect $R/cleanup.bbbbbbbbbbbbbbbb.json
'

test_expect_success 'none_failed accepts skipped upstreams; one_success needs one' '
	run join cccccccccccccccc "\"executor\":\"process\",\"argv\":[\"cat\"],\"deps\":[{\"task\":\"down\",\"key\":\"aaaaaaaaaaaaaaaa\"},{\"task\":\"ok\",\"key\":\"0123456789abcdef\"}],\"trigger\":\"none_failed\""
	expect_eq state succeeded "$(state join)"
	run join2 cccccccccccccccd "\"executor\":\"process\",\"argv\":[\"cat\"],\"deps\":[{\"task\":\"bad\",\"key\":\"4444444444444444\"}],\"trigger\":\"none_failed\""
	expect_eq state skipped "$(state join2)"
	run any dddddddddddddddd "\"executor\":\"process\",\"argv\":[\"cat\"],\"deps\":[{\"task\":\"bad\",\"key\":\"4444444444444444\"},{\"task\":\"ok\",\"key\":\"0123456789abcdef\"}],\"trigger\":\"one_success\""
	expect_eq state succeeded "$(state any)"
	run none ddddddddddddddde "\"executor\":\"process\",\"argv\":[\"cat\"],\"deps\":[{\"task\":\"bad\",\"key\":\"4444444444444444\"}],\"trigger\":\"one_success\""
	expect_eq reason "no upstream task succeeded" "$(reason none)"
'

test_expect_success 'static input is passed through byte for byte' '
	run exact eeeeeeeeeeeeeeee "\"executor\":\"process\",\"argv\":[\"cat\"],\"input\":{\"big\":12345678901234567890,\"f\":1.10,\"s\":\"\\u0024x\"}"
	printf "{\"big\":12345678901234567890,\"f\":1.10,\"s\":\"\\\\u0024x\"}" >expect
	test_cmp expect $R/exact.eeeeeeeeeeeeeeee.json
'

test_expect_success 'a large upstream output reaches downstream byte for byte' '
	run big ffffffffffffffff "\"executor\":\"process\",\"argv\":[\"bin/big\"]"
	expect_eq state succeeded "$(state big)"
	run sink fffffffffffffffe "\"executor\":\"process\",\"argv\":[\"cat\"],\"input\":{\"k\":0},\"deps\":[{\"task\":\"big\",\"key\":\"ffffffffffffffff\"}]"
	expect_eq state succeeded "$(state sink)"
	{ printf "{\"k\":0,\"big\":"; cat $R/big.ffffffffffffffff.json; printf "}"; } >expect
	cmp expect $R/sink.input.json
	cmp expect $R/sink.fffffffffffffffe.json
	test $(wc -c <$R/sink.fffffffffffffffe.json) -gt 20000000
'

cat >bin/fakepy <<'EOF'
#!/bin/sh
# A stand-in interpreter: answers ork begin's question, then behaves as the
# runner would for the test task named in ORK_FUNCTION.
case "$2" in
*sys.executable*) echo "$PWD/bin/fakepy"; exit 0 ;;
esac
echo "$0 $*" >rec/py.argv
echo "PYTHONPATH=$PYTHONPATH ORK_FILE=${ORK_FILE-} ORK_FUNCTION=${ORK_FUNCTION-}" >rec/py.env
cat >rec/py.in
echo "runner says hi"
case "$ORK_FUNCTION" in
boom)
	printf '{"message":"boom: bad value","details":{"field":"x"},"retryable":false}' >"$ORK_ERROR_FILE"
	exit 1 ;;
longboom)
	printf '{"message":"%s END"}' "$(printf "%03000d" 7)" >"$ORK_ERROR_FILE"
	exit 1 ;;
esac
printf '{"ok":true}' >"$ORK_OUTPUT"
EOF
chmod +x bin/fakepy

test_expect_success 'begin --python resolves the interpreter once into run.json' '
	ORK_PYTHON=bin/fakepy "$ORK" begin --python
	expect_eq python "$PWD/bin/fakepy" "$(jget $R/run.json "d[\"python\"]")"
	expect_eq invocation 2 "$(jget $R/run.json "d[\"invocation\"]")"
'

test_expect_success 'python executor: resolved interpreter, runner module, output file' '
	ORK_PYDIR=/opt/pydir ORK_PYTHON=/nonexistent run pyok 1010101010101010 "\"executor\":\"python\",\"file\":\"tasks/t.py\",\"function\":\"main\",\"input\":{\"a\":1}"
	expect_eq state succeeded "$(state pyok)"
	printf "{\"ok\":true}" >expect
	test_cmp expect $R/pyok.1010101010101010.json
	expect_grep "^$PWD/bin/fakepy -c import ork._run as r; r.main\(\)\$" rec/py.argv
	expect_grep "^PYTHONPATH=/opt/pydir(:.*)? ORK_FILE=tasks/t.py ORK_FUNCTION=main\$" rec/py.env
	printf "{\"a\":1}" >expect
	test_cmp expect rec/py.in
	expect_grep "^runner says hi\$" $R/logs/pyok.2.1.log
'

test_expect_success 'python executor: the runner error message and retryable:false' '
	run pyboom 1010101010101011 "\"executor\":\"python\",\"file\":\"tasks/t.py\",\"function\":\"boom\",\"retries\":3"
	expect_eq state failed "$(state pyboom)"
	expect_eq reason "boom: bad value" "$(reason pyboom)"
	expect_eq attempts 1 "$(jget $J "last_end(\"pyboom\")[\"attempts\"]")"
	expect_eq details "{\"field\":\"x\"}" "$(jget $J "ev(\"attempt\", \"pyboom\")[-1][\"details\"]")"
	expect_grep "not retryable" pyboom.err
	test ! -e $R/pyboom.error.json
'

test_expect_success 'a long failure message is kept whole, in the journal and on stderr' '
	run pylong 1010101010101012 "\"executor\":\"python\",\"file\":\"tasks/t.py\",\"function\":\"longboom\""
	expect_eq state failed "$(state pylong)"
	expect_eq length 3004 "$(jget $J "len(last_end(\"pylong\")[\"reason\"])")"
	expect_eq end " END" "$(jget $J "last_end(\"pylong\")[\"reason\"][-4:]")"
	expect_grep "7 END\\); log: " pylong.err
'

test_expect_success 'ork exec refuses a missing, mismatched or broken spec (status 2)' '
	rc=0; "$ORK" exec x 2>err || rc=$?
	expect_eq rc 2 $rc
	expect_grep "ORK_SPEC is not set" err
	rc=0; ORK_SPEC=$(spec other 0123456789abcdef "\"executor\":\"process\",\"argv\":[\"true\"]") "$ORK" exec x 2>err || rc=$?
	expect_eq rc 2 $rc
	expect_grep "describes task .other., not .x." err
	rc=0; ORK_SPEC="{\"task\":\"x\"" "$ORK" exec x 2>err || rc=$?
	expect_eq rc 2 $rc
	expect_grep "invalid ORK_SPEC" err
'

test_expect_success 'an interrupted task: group killed, no output, signal re-raised' '
	ORK_SPEC=$(spec intr 1212121212121212 "\"executor\":\"process\",\"argv\":[\"bin/sleeper\",\"intr\"]") "$ORK" exec intr 2>intr.err &
	pid=$!
	wait_for rec/intr.pids 10
	i=0; while [ $(wc -l <rec/intr.pids) -lt 2 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
	kill -TERM $pid
	rc=0; wait $pid || rc=$?
	expect_eq rc 143 $rc
	for p in $(cat rec/intr.pids); do gone $p; done
	no_out intr
	expect_eq reason "interrupted by SIGTERM" "$(reason intr)"
	expect_grep "^ork: intr: interrupted by SIGTERM\$" intr.err
'

test_expect_success 'an interrupt during the retry delay ends the wait at once' '
	ORK_SPEC=$(spec waiting 1212121212121213 "\"executor\":\"process\",\"argv\":[\"bin/flaky\",\"waiting\",\"9\"],\"retries\":3,\"retry_delay\":60") "$ORK" exec waiting 2>waiting.err &
	pid=$!
	wait_for rec/waiting.attempts 10
	i=0; while ! grep -q "retrying in 60s" waiting.err && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
	start=$(date +%s)
	kill -INT $pid
	rc=0; wait $pid || rc=$?
	end=$(date +%s)
	expect_eq rc 130 $rc
	test $((end - start)) -lt 5
	expect_eq attempts 1 "$(wc -l <rec/waiting.attempts | tr -d " ")"
	expect_eq reason "interrupted by SIGINT" "$(reason waiting)"
'

test_expect_success 'ork end: summary, failed tasks with reason and log, status 1' '
	rc=0; "$ORK" end ok bad down cleanup notrun 2>end.err || rc=$?
	expect_eq rc 1 $rc
	expect_grep "^ork: run default of rt: 2 succeeded, 1 failed, 1 skipped, 1 not run in .*s \(invocation 2\)\$" end.err
	expect_grep "^ork:   bad: failed \(exit status 1\); log: \.ork/rt/default/logs/bad\.1\.1\.log\$" end.err
	expect_grep "^ork:   notrun: not run\$" end.err
	expect_eq state failed "$(jget $R/run.json "d[\"state\"]")"
	expect_eq finish failed "$(jget $J "ev(\"finish\")[-1][\"state\"]")"
	"$ORK" end ok cleanup 2>end.err
	expect_eq state succeeded "$(jget $R/run.json "d[\"state\"]")"
'

test_expect_success 'ork status: a table with state, attempts, reason and log' '
	"$ORK" status >st.out
	expect_grep "^run default of rt: succeeded" st.out
	expect_grep "^TASK +STATE +ATTEMPTS +DURATION +REASON +LOG\$" st.out
	expect_grep "^ok +succeeded +1 " st.out
	expect_grep "^cleanup +succeeded" st.out
	"$ORK" end ok bad flaky sleepy down 2>/dev/null || :
	rc=0; "$ORK" status default >st.out || rc=$?
	expect_eq "status of a failed run" 1 $rc
	expect_grep "^bad +failed +1 +[0-9.]+s +exit status 1 +\.ork/rt/default/logs/bad\.1\.1\.log\$" st.out
	expect_grep "^flaky +succeeded +3 " st.out
	expect_grep "^sleepy +failed +1 +.* timed out after 1s " st.out
	expect_grep "^down +skipped +- +- +upstream .bad. failed +-\$" st.out
	"$ORK" status --json >st.json || :
	expect_eq json failed "$(jget st.json "[t[\"state\"] for t in d[\"tasks\"] if t[\"task\"] == \"bad\"][0]")"
	expect_eq json 3 "$(jget st.json "[t[\"attempts\"] for t in d[\"tasks\"] if t[\"task\"] == \"flaky\"][0]")"
	"$ORK" status .ork/rt/default >/dev/null || [ $? = 1 ]
	"$ORK" status rt/default >/dev/null || [ $? = 1 ]
	test_must_fail "$ORK" status nosuchrun 2>err
	expect_grep "no run .nosuchrun." err
'

test_expect_success 'ork logs: every attempt in order, with a header each' '
	"$ORK" logs default flaky >logs.out
	expect_eq headers 3 "$(grep -c "^==> flaky: invocation 1, attempt [123] " logs.out)"
	sed -n "s/^flaky attempt \([0-9]\)\$/\1/p" logs.out | tr "\n" " " >order
	expect_eq order "1 2 3 " "$(cat order)"
	expect_grep "attempt 1 \(failed: exit status 1\)" logs.out
	expect_grep "attempt 3 \(succeeded\)" logs.out
	"$ORK" logs flaky >logs2.out
	test_cmp logs.out logs2.out
	test_must_fail "$ORK" logs default nosuchtask 2>err
'

test_expect_success 'ork runs lists runs; a new run id starts fresh' '
	ORK_RUN_ID=second "$ORK" begin
	"$ORK" runs >runs.out
	expect_grep "^rt +default +failed " runs.out
	expect_grep "^rt +second +running " runs.out
	expect_eq invocation 1 "$(jget .ork/rt/second/run.json "d[\"invocation\"]")"
	"$ORK" status >st.out
	expect_grep "^run second of rt: running" st.out
	test_must_fail "$ORK" runs nosuchworkflow 2>/dev/null
'

test_expect_success 'ork --help documents the exit codes; --version' '
	"$ORK" --help >help.out
	expect_grep "^Exit status:" help.out
	expect_grep "^  2  usage error" help.out
	"$ORK" --version | grep -E "^ork [0-9]+\.[0-9]+"
	test_must_fail "$ORK" stauts 2>err
	expect_grep "did you mean .status." err
'

for f in rec/*.pids; do
	[ -f "$f" ] && kill -9 $(cat "$f") 2>/dev/null || :
done
finish
