#!/bin/sh
# End to end: `ork spawn`, the process side of the sh backend's script
# (runtime/spawn.h), driven directly with its line protocol.  Requests go
# in on stdin; its events ("s ID PID", "e ID STATUS") come out on fd 3,
# here a file.  Checks that each request runs the real ork exec of its task
# (output, journal), that a death by signal reports 128+N, that a bad
# request ends as status 2 without stopping the others, what a child
# inherits (no fd 3, its name as the thread name, ORK_JOBS only for a
# fan-out request), that end of input waits for the children, and that
# the script stops (exit 2, its tasks recorded) when its ork spawn dies
# or its ork has none.
# shellcheck disable=SC1091,SC2016,SC2154 # lib found at run time; bodies single-quoted
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

project spawn
WF=spw
cat >wf.yaml <<'EOF'
name: spw
tasks:
  hello:
    executor: process
    command: [sh, -c, 'printf "{\"greeting\":\"hi\"}"']
  fds_and_jobs:
    executor: process
    command: [sh, -c, 'if [ -e /proc/self/fd/3 ]; then f=open; else f=closed; fi; printf "{\"fd3\":\"%s\",\"jobs\":\"%s\"}" "$f" "${ORK_JOBS-unset}"']
  a_task_with_a_long_name:
    executor: process
    command: [sleep, "30"]
EOF
"$ORKC" wf.yaml -t sh -o run.sh
# The specs, as the script has them: t_spec='...' in task order.
spec() {
	sed -n "/^task_$1() {/,/^}/s/^	t_spec='\(.*\)'\$/\1/p" run.sh
}
export ORK_WORKFLOW=spw ORK_RUN_ID=default
unset ORK_JOBS
"$ORK" begin

# until_true CMD...: poll CMD for up to 10 s.
until_true() {
	_i=0
	until "$@"; do
		[ $_i -lt 100 ] || { echo "still false after 10 s: $*" >&2; return 1; }
		sleep 0.1
		_i=$((_i + 1))
	done
}
has_line() {  # REGEX FILE
	grep -Eq "$1" "$2" 2>/dev/null
}

test_expect_success 'a request runs the real ork exec of its task; end of input ends spawn' '
	printf "1 hello - %s\n" "$(spec 1)" >req &&
	"$ORK" spawn <req 3>events 2>err &&
	printf "s 1 PID\ne 1 0\n" >want &&
	sed "s/^s 1 [1-9][0-9]*\$/s 1 PID/" events >got &&
	test_cmp want got &&
	expect_eq "output" "{\"greeting\":\"hi\"}" "$(cat "$(outf hello)")" &&
	expect_eq "state" succeeded "$(state hello)"
'

test_expect_success 'a child has no fd 3 and no ORK_JOBS, unless the request fans out' '
	printf "2 fds_and_jobs - %s\n" "$(spec 2)" | "$ORK" spawn 3>events &&
	expect_eq "plain" "{\"fd3\":\"closed\",\"jobs\":\"unset\"}" "$(cat "$(outf fds_and_jobs)")" &&
	printf "2 fds_and_jobs 7 %s\n" "$(spec 2)" | "$ORK" spawn 3>events &&
	expect_eq "fan" "{\"fd3\":\"closed\",\"jobs\":\"7\"}" "$(cat "$(outf fds_and_jobs)")"
'

test_expect_success 'a child killed by SIGTERM ends as 143; its thread name is its task name, cut to 15 bytes' '
	rm -f events &&
	mkfifo reqs &&
	{ "$ORK" spawn <reqs 3>events 2>err & } &&
	exec 8>reqs &&
	printf "3 a_task_with_a_long_name - %s\n" "$(spec 3)" >&8 &&
	until_true has_line "^s 3 " events &&
	pid=$(awk "\$1 == \"s\" {print \$3}" events) &&
	expect_eq "comm" "a_task_with_a_l" "$(cat /proc/$pid/comm)" &&
	until_true pgrep -P "$pid" sleep >/dev/null &&
	kill -s TERM "$pid" &&
	until_true has_line "^e 3 " events &&
	expect_grep "^e 3 143\$" events &&
	exec 8>&- &&
	wait &&
	rm reqs &&
	expect_eq "state" failed "$(state a_task_with_a_long_name)" &&
	expect_eq "reason" "interrupted by SIGTERM" "$(reason a_task_with_a_long_name)"
'

test_expect_success 'a bad request ends as status 2 with a message; the next one still runs' '
	printf "%s\n" "4 hello" "x hello - {}" "5 -hello - {}" >req &&
	printf "6 hello - %s\n" "$(spec 1)" >>req &&
	"$ORK" spawn <req 3>events 2>err &&
	expect_grep "^e 4 2\$" events &&
	expect_grep "^e 5 2\$" events &&
	expect_grep "^e 6 0\$" events &&
	expect_eq "events" 4 "$(wc -l <events | tr -d " ")" &&
	expect_grep "not a request \(ID NAME JOBS SPEC\): .x hello" err &&
	expect_eq "messages" 3 "$(grep -c "not a request" err)"
'

test_expect_success 'a spec for another task fails that request only, as ork exec does' '
	printf "7 hello - %s\n" "$(spec 2)" >req &&
	"$ORK" spawn <req 3>events 2>err &&
	expect_grep "^e 7 2\$" events &&
	expect_grep "ORK_SPEC describes task .fds_and_jobs., not .hello." err
'

# A workflow for the script's own view: hang runs until stopped, after
# would follow it.
cat >stop.yaml <<'EOF'
name: spk
tasks:
  hang: {executor: process, command: [sleep, "30"]}
  after: {executor: process, command: ["true"], depends_on: [hang]}
EOF
"$ORKC" stop.yaml -t sh -o stop.sh

test_expect_success 'a script whose ork spawn dies stops its tasks, waits for them, and exits 2' '
	rm -rf .ork/spk run.rc &&
	{ rc=0; timeout 60 sh stop.sh -j2 ORK="$ORK" >run.out 2>&1 || rc=$?; echo $rc >run.rc; } &
	until_true has_line "\"ev\":\"start\",\"task\":\"hang\"" .ork/spk/default/journal.jsonl &&
	pid=$(sed -n "s/.*\"ev\":\"start\",\"task\":\"hang\".*\"pid\":\([0-9]*\).*/\1/p" .ork/spk/default/journal.jsonl) &&
	spawner=$(awk "/^PPid:/ {print \$2}" /proc/$pid/status) &&
	expect_grep "spawn" /proc/$spawner/cmdline &&
	kill -s KILL "$spawner" &&
	until_true test -s run.rc &&
	wait &&
	expect_eq "status" 2 "$(cat run.rc)" &&
	expect_grep "ork spawn exited with status 137" run.out &&
	WF=spk && expect_eq "state" failed "$(state hang)" &&
	expect_eq "reason" "interrupted by SIGTERM" "$(reason hang)" &&
	refute grep -q "\"task\":\"after\"" .ork/spk/default/journal.jsonl
'

test_expect_success 'a script run with an ork that has no spawn says so and exits 2' '
	rm -rf .ork/spk &&
	printf "#!/bin/sh\n[ \"\$1\" != spawn ] || { echo \"ork: unknown subcommand spawn\" >&2; exit 2; }\nexec \"%s\" \"\$@\"\n" "$ORK" >old-ork &&
	chmod +x old-ork &&
	rc=0 && timeout 60 sh stop.sh -j2 ORK="$PWD/old-ork" >run.out 2>&1 || rc=$?
	expect_eq "status" 2 "$rc" &&
	expect_grep "ork spawn exited with status 2|ork spawn is gone" run.out
'

# 300 tasks ready at once and -j 64: the scheduler is still writing
# requests when ork spawn is already gone.  A write then fails (SIGPIPE
# is ignored); it used to kill the scheduler ("the scheduler died (status
# 141)") before it could say why.
test_expect_success 'the same with many tasks ready at once: the run says why, not that the scheduler died' '
	"$PYTOOL" -c "
print(\"name: wide\\ntasks:\")
for i in range(300):
    print(\"  t%03d: {executor: process, command: [\\\"true\\\"]}\" % i)
" >wide.yaml &&
	"$ORKC" wide.yaml -t sh -o wide.sh &&
	rc=0 && timeout 60 sh wide.sh -j64 ORK="$PWD/old-ork" >wide.out 2>&1 || rc=$?
	expect_eq "status" 2 "$rc" &&
	expect_grep "ork spawn exited with status 2|ork spawn is gone" wide.out &&
	refute grep -q "scheduler died" wide.out &&
	refute grep -q "I/O error" wide.out
'

test_expect_success 'usage: no arguments; fd 3 must be open' '
	rc=0; "$ORK" spawn extra </dev/null 3>/dev/null 2>err || rc=$?
	expect_eq "status" 2 "$rc" &&
	expect_grep "usage: ork spawn" err &&
	rc=0; "$ORK" spawn </dev/null 3>&- 2>err || rc=$?
	expect_eq "status" 2 "$rc" &&
	expect_grep "fd 3, for its events, is not open" err
'

finish
