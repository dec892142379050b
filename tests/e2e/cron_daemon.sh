#!/bin/sh
# shellcheck disable=SC1091,SC2016,SC2034,SC2154 # lib found at run time; bodies single-quoted
# A real cron daemon (Debian's cron) runs what `orkc -t cron` made and
# `ork crontab install` put into root's crontab: two `* * * * *` workflows,
# one in the system's zone (cron's own schedule) and one with a time zone
# (ork cron-fire's due check), whose run takes 75 s, so that the firing a
# minute later is skipped and the skip is in its cron.log.  Then the blocks
# are removed and root's crontab is byte for byte what it was.
#
# It waits up to about 3 minutes and changes root's crontab, so it runs only
# when asked: ORK_TEST_CRON=1, or (ORK_TEST_CRON unset) CI=true as root.
# Otherwise it is skipped (77).  It starts `cron -f` itself when no cron daemon is running, and
# stops only that one.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

if [ "${ORK_TEST_CRON-}" != 1 ] &&
   ! { [ -z "${ORK_TEST_CRON-}" ] && [ "${CI:-}" = true ] && [ "$(id -u)" = 0 ]; }; then
	echo "SKIP: the cron daemon test runs with ORK_TEST_CRON=1 (or CI=true as root)"
	skip_all "not asked for"
fi
# Asked for: a missing piece is a failure, not a skip.
[ "$(id -u)" = 0 ] || { echo "cron_daemon: must run as root" >&2; exit 1; }
for prog in /usr/sbin/cron crontab; do
	command -v $prog >/dev/null ||
		{ echo "cron_daemon: no $prog (apt-get install cron)" >&2; exit 1; }
done

project crond
mkdir -p tasks
cat >tasks/work.sh <<'EOF'
#!/bin/sh
sleep "$1"
printf '{"run": "%s", "scheduled": "%s"}\n' "$ORK_RUN_ID" "$ORK_SCHEDULED_TIME"
EOF
cat >quick.yaml <<'EOF'
name: ork_cron_quick
schedule: "* * * * *"
tasks:
  work:
    executor: process
    command: ["sh", "tasks/work.sh", "0"]
EOF
cat >slow.yaml <<'EOF'
name: ork_cron_slow
schedule: "* * * * *"
timezone: UTC
tasks:
  work:
    executor: process
    command: ["sh", "tasks/work.sh", "75"]
EOF
"$ORKC" quick.yaml -o quick.mk
"$ORKC" slow.yaml -o slow.mk
"$ORKC" quick.yaml -t cron --artifact quick.mk --ork "$ORK" >quick.cron
"$ORKC" slow.yaml -t cron --artifact slow.mk --ork "$ORK" >slow.cron

# Root's crontab as it was, to compare at the end; put back on any exit.
had_tab=0
crontab -l >tab.before 2>/dev/null && had_tab=1
cron_pid=
cleanup() {
	"$ORK" crontab remove ork_cron_quick >/dev/null 2>&1 || true
	"$ORK" crontab remove ork_cron_slow >/dev/null 2>&1 || true
	if [ -n "$cron_pid" ]; then
		kill "$cron_pid" 2>/dev/null || true
		wait "$cron_pid" 2>/dev/null || true
	fi
	# Runs still going (the slow one) end with the test.
	for lock in "$proj"/.ork/*/cron.lock; do
		[ -f "$lock" ] || continue
		pid=$(sed -n 's/.*, pid \([0-9]*\)$/\1/p' "$lock")
		if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
	done
	lib_cleanup
}
trap cleanup EXIT

test_expect_success 'ork crontab install puts both blocks into root'\''s crontab' '
	"$ORK" crontab install quick.cron >out
	"$ORK" crontab install slow.cron >out
	crontab -l >tab.now
	grep -qx "# BEGIN orkc ork_cron_quick" tab.now
	grep -qx "# BEGIN orkc ork_cron_slow" tab.now
'

if pgrep -x cron >/dev/null 2>&1; then
	echo "# using the cron daemon already running (pid $(pgrep -x cron | head -1))"
else
	/usr/sbin/cron -f >"$tmp/cron.out" 2>&1 &
	cron_pid=$!
	echo "# started cron -f (pid $cron_pid)"
fi

# wait_log FILE REGEX SECS: until a line of FILE matches.
wait_log() {
	_i=0
	while ! grep -Eq "$2" "$1" 2>/dev/null; do
		[ $_i -ge "$3" ] && { echo "no /$2/ in $1 after $3 s:" >&2; cat "$1" >&2 2>/dev/null; return 1; }
		sleep 1
		_i=$((_i + 1))
	done
}

QLOG=$proj/.ork/ork_cron_quick/cron.log
SLOG=$proj/.ork/ork_cron_slow/cron.log

test_expect_success 'cron fires the workflow: a run completes (system zone)' '
	wait_log "$QLOG" " done: succeeded in " 130
	run=$(sed -n "s/^[^ ]* \(cron-[0-9T]*\) done: succeeded.*/\1/p" "$QLOG" | head -1)
	WF=ork_cron_quick
	out=$(outf work "$run")
	expect_eq run "$run" "$(jget "$out" "d[\"run\"]")"
'

test_expect_success 'the next firing while the 75 s run still runs is skipped, in the log' '
	wait_log "$SLOG" " fire: scheduled " 130
	wait_log "$SLOG" " skip: the previous run is still running \(run cron-" 80
	wait_log "$SLOG" " done: succeeded in " 60
	first=$(sed -n "s/^[^ ]* \(cron-[0-9T]*\) fire:.*/\1/p" "$SLOG" | head -1)
	skipped=$(sed -n "s/^[^ ]* \(cron-[0-9T]*\) skip:.*/\1/p" "$SLOG" | head -1)
	test "$first" != "$skipped"
	grep -q "$skipped skip: the previous run is still running (run $first, pid " "$SLOG"
	test ! -e "$proj/.ork/ork_cron_slow/$skipped"
	WF=ork_cron_slow
	has_out work "$first"
'

test_expect_success 'ork crontab remove leaves root'\''s crontab as it was' '
	"$ORK" crontab remove ork_cron_quick >out
	"$ORK" crontab remove ork_cron_slow >out
	if [ $had_tab = 1 ]; then
		crontab -l >tab.after
		test_cmp tab.before tab.after
	else
		crontab -l >tab.after 2>/dev/null || true
		test ! -s tab.after
		crontab -r 2>/dev/null || true
	fi
'

finish
