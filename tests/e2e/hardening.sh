#!/bin/sh
# End to end: the runtime under hostile conditions (issue 7's defects).
# Planted symlinks and foreign run directories, a second driver of a run,
# a task that rewrites its own input, terminal escapes in a task's message,
# the time zone tasks see, bad settings, the log cap and file modes.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

project hard
WF=hard
mkdir -p tasks
cat >wf.yaml <<'EOF'
name: hard
tasks:
  a:
    executor: process
    command: [sh, -c, 'echo a-log >&2; echo "{\"a\": 1}"']
  b:
    executor: process
    command: [sh, -c, 'cat "$ORK_INPUT"']
    depends_on: [a]
EOF
compile

cat >slow.yaml <<'EOF'
name: hard
tasks:
  slow:
    executor: process
    command: [sh, -c, 'touch started; sleep 2; echo 7']
EOF
compile slow.yaml slow.mk

cat >rw.yaml <<'EOF'
name: hard
tasks:
  rw:
    executor: process
    input: {v: original}
    retries: 1
    command: [sh, tasks/rw.sh]
EOF
cat >tasks/rw.sh <<'EOF'
if [ "$ORK_ATTEMPT" = 1 ]; then
	chmod u+w "$ORK_INPUT" 2>/dev/null
	echo '{"v": "tampered"}' >"$ORK_INPUT"
	exit 1
fi
cat "$ORK_INPUT"
EOF
compile rw.yaml rw.mk

cat >esc.yaml <<'EOF'
name: hard
tasks:
  esc:
    executor: process
    command: [sh, tasks/esc.sh]
EOF
cat >tasks/esc.sh <<'EOF'
printf '\033]0;pwned\007\033[2Jlog line\n' >&2
printf '{"message": "bad \\u001b[2J \\u009b31m thing"}' >"$ORK_ERROR_FILE"
exit 1
EOF
compile esc.yaml esc.mk

cat >tz.yaml <<'EOF'
name: hard
schedule: "0 * * * *"
timezone: Asia/Tokyo
tasks:
  tz:
    executor: process
    command: [sh, -c, 'printf "\"%s\"" "${TZ-unset}"']
EOF
compile tz.yaml tz.mk

cat >flood.yaml <<'EOF'
name: hard
tasks:
  flood:
    executor: process
    command: [sh, -c, 'echo FIRST >&2; head -c 5000000 /dev/zero | tr "\0" x >&2; echo >&2; echo LAST >&2; echo 1']
EOF
compile flood.yaml flood.mk

# ---- defect 4: symlinks and foreign directories ---------------------------

test_expect_success 'a planted input.json link does not write through' '
	rm -rf .ork victim && echo precious >victim
	make_ok
	rd=$(rundir)
	rm -f "$rd/b.input.json"
	ln -s "$PWD/victim" "$rd/b.input.json"
	rm -f "$(outf b)"
	make_ok
	expect_eq victim precious "$(cat victim)"
	[ ! -L "$rd/b.input.json" ]
'

test_expect_success 'a planted log link is not appended through' '
	rm -rf .ork victim && echo precious >victim
	make_ok
	rd=$(rundir)
	rm -f "$(outf a)"
	# The next invocation is 2: its first attempt log of a.
	ln -s "$PWD/victim" "$rd/logs/a.2.1.log"
	make_ok
	expect_eq victim precious "$(cat victim)"
'

test_expect_success 'a planted output link is no output' '
	rm -rf .ork && echo "{\"secret\": 42}" >secret
	make_ok
	rd=$(rundir)
	out=$(outf a)
	rm -f "$out" "$(outf b)"
	ln -s "$PWD/secret" "$out"
	run_make
	# a re-runs (its output is no file of ours) or b refuses it; either
	# way the secret never reaches an input.
	refute grep -r "secret" "$rd"/*.input.json
'

test_expect_success 'a run directory owned by someone else is refused' '
	id nobody >/dev/null 2>&1 || { echo "no user nobody"; exit 0; }
	[ "$(id -u)" = 0 ] || { echo "not root: cannot chown"; exit 0; }
	rm -rf .ork
	mkdir -p .ork/hard/default
	chown nobody .ork/hard/default
	make_fails
	expect_grep "refusing to use .*belongs to uid" make.out
	[ ! -e .ork/hard/default/run.json ]
'

# ---- defect 3: one driver per run ----------------------------------------

test_expect_success 'a second make of a running run is refused' '
	rm -rf .ork
	make -f slow.mk ORK="$ORK" >first.out 2>&1 &
	first=$!
	wait_for started
	rc=0
	make -f slow.mk ORK="$ORK" >second.out 2>&1 || rc=$?
	wait $first
	[ $rc != 0 ]
	expect_grep "run default of hard is already running, pid [0-9]+" second.out
	expect_eq state succeeded "$(state slow)"
	expect_eq out 7 "$(cat "$(outf slow)")"
	expect_eq run succeeded "$(jget "$(rundir)/run.json" "d[\"state\"]")"
'

# ---- defect 12: a task cannot change its own input -----------------------

test_expect_success 'each attempt reads the input as recorded' '
	rm -rf .ork
	MK=rw.mk
	make_ok
	expect_eq v original "$(jget "$(outf rw)" "d[\"v\"]")"
'

# ---- defect 9: terminal escapes ------------------------------------------

test_expect_success 'escapes in a failure reason are not printed raw' '
	rm -rf .ork
	MK=esc.mk
	make_fails
	expect_grep "failed \(bad .x1b\[2J .u009b31m thing\)" make.out
	refute grep "$(printf "\033")" make.out
	refute grep "$(printf "\302\233")" make.out
	"$ORK" logs esc >logs.out
	expect_grep "log line" logs.out
	refute grep "$(printf "\033")" logs.out
	"$ORK" status >status.out || [ $? = 1 ]
	refute grep "$(printf "\033")" status.out
	# The log file itself keeps the bytes.
	grep "$(printf "\033")" "$(rundir)"/logs/esc.1.1.log >/dev/null
'

# ---- defect 10: tasks see the operator's TZ ------------------------------

test_expect_success 'tasks do not inherit the workflow time zone' '
	rm -rf .ork
	TZ=UTC "$ORK" cron-fire --workflow hard --schedule "0 * * * *" \
		--timezone Asia/Tokyo \
		--at 2024-05-01T10:00:00Z -- make -f tz.mk ORK="$ORK" >fire.out 2>&1
	out=$(ls .ork/hard/*/tz.$_hex16.json)
	expect_eq "TZ under cron-fire" "\"UTC\"" "$(cat $out)"
'

test_expect_success 'ork exec starting the run itself restores TZ' '
	rm -rf .ork
	spec=$(sed -n "s/^.*private export ORK_SPEC := //p" tz.mk)
	rspec=$(sed -n "s/^.*private export ORK_RUN_SPEC := //p" tz.mk)
	[ -n "$spec" ]
	[ -n "$rspec" ]
	ORK_RUN_SPEC=$rspec ORK_SPEC=$spec ORK_WORKFLOW=hard TZ=UTC "$ORK" exec tz
	expect_eq TZ "\"UTC\"" "$(cat "$(outf tz)")"
	expect_eq run.time +09:00 "$(jget "$(rundir)/run.json" "d[\"run\"][\"time\"][-6:]")"
'

# cron-fire pumped an uninitialised struct proc: a garbage fd polled and
# closed, a garbage sink called (an intermittent SIGSEGV under load).
if command -v valgrind >/dev/null 2>&1; then
	test_expect_success 'cron-fire uses no uninitialised memory (valgrind)' '
		rm -rf .ork
		rc=0
		valgrind -q --error-exitcode=99 "$ORK" cron-fire --workflow hard \
			--at 2024-05-01T10:00:00Z -- make -f run.mk ORK="$ORK" \
			>vg.out 2>&1 || rc=$?
		[ $rc != 99 ] || { cat vg.out; exit 1; }
	'
else
	skip 'cron-fire under valgrind: no valgrind'
fi

# ---- item 14: settings, run ids, modes -----------------------------------

test_expect_success 'ORK_KILL_GRACE must be a number' '
	rm -rf .ork
	make_fails ORK_KILL_GRACE=abc
	expect_grep "ORK_KILL_GRACE .abc. is not a number of seconds" make.out
'

test_expect_success 'ORK_LOG_MAX must be a size' '
	rm -rf .ork
	make_fails ORK_LOG_MAX=lots
	expect_grep "ORK_LOG_MAX .lots. is not a size" make.out
'

test_expect_success 'ORK_FSYNC is 0 or 1' '
	rm -rf .ork
	make_fails ORK_FSYNC=yes
	expect_grep "ORK_FSYNC .yes. is not 0 or 1" make.out
	rm -rf .ork
	make_ok ORK_FSYNC=0
'

test_expect_success 'a run id starting with - is refused' '
	rm -rf .ork
	make_fails RUN_ID=-rf
	expect_grep "invalid run id .-rf." make.out
	[ ! -e .ork/hard/-rf ]
'

test_expect_success 'run.json and inputs are private, whatever the umask' '
	rm -rf .ork
	(umask 0; make_ok)
	rd=$(rundir)
	expect_eq run.json 600 "$(stat -c %a "$rd/run.json")"
	expect_eq input 400 "$(stat -c %a "$rd/b.input.json")"
'

test_expect_success 'the log keeps its head and tail under ORK_LOG_MAX' '
	rm -rf .ork
	MK=flood.mk
	make_ok ORK_LOG_MAX=64k
	log=$(rundir)/logs/flood.1.1.log
	size=$(wc -c <"$log")
	[ "$size" -le 66000 ] || { echo "log is $size bytes"; exit 1; }
	head -c 5 "$log" | grep FIRST
	tail -n 1 "$log" | grep LAST
	expect_grep "^\[ork: [0-9]+ bytes left out here" "$log"
	[ ! -e "$log.tail" ]
'

# ---- item 11: an ork outside its build tree never uses the sources -------

cat >py.yaml <<'EOF'
name: hard
tasks:
  p: {executor: python, module: json, function: dumps}
EOF
compile py.yaml py.mk

test_expect_success 'a copied ork does not run the source tree python' '
	rm -rf .ork
	mkdir -p elsewhere
	cp "$ORK" elsewhere/ork
	rc=0
	env -u ORK_PYDIR make -f py.mk ORK="$PWD/elsewhere/ork" >make.out 2>&1 || rc=$?
	if [ $rc = 0 ] || ! grep "cannot find the ork Python package" make.out; then
		inst=$(sed -n "s/.*installed under \([^)]*\)).*/\1/p" make.out)
		[ -n "$inst" ] && [ -d "$inst/ork" ] && { echo "installed copy in $inst"; exit 0; }
		cat make.out
		exit 1
	fi
'

# ---- defect 13: atomic writes keep the mode ------------------------------

test_expect_success 'orkc -o keeps an executable artifact executable' '
	"$ORKC" -t sh wf.yaml -o run.sh
	chmod 755 run.sh
	"$ORKC" -t sh wf.yaml -o run.sh
	expect_eq mode 755 "$(stat -c %a run.sh)"
	rm -f new.sh
	(umask 077; "$ORKC" -t sh wf.yaml -o new.sh)
	expect_eq mode 600 "$(stat -c %a new.sh)"
	ls | grep -v "\.tmp" >/dev/null
	[ -z "$(ls | grep "run.sh.tmp")" ]
'

finish
