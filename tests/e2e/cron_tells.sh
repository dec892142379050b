#!/bin/sh
# shellcheck disable=SC1091,SC2016,SC2034,SC2154 # lib found at run time; bodies single-quoted
# Cron that tells (issue 12): a failed firing prints its summary on
# stderr (what cron mails), every cron.log line is stamped, an unknown
# time zone is an error for -t cron and ork crontab install, and missed
# firings follow the workflow's catchup.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

project cron_tells
WF=tells
cat >wf.yaml <<'EOF'
name: tells
schedule: "0 * * * *"
tasks:
  fetch:
    executor: process
    command: "echo fetching; echo 'no route to host' >&2; exit 3"
  load:
    executor: process
    command: "echo '{}'"
    depends_on: [fetch]
  side:
    executor: process
    command: "echo 1"
EOF
compile wf.yaml run.mk
LOG=.ork/tells/cron.log
STAMP='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[-+][0-9]{2}:[0-9]{2} cron-[0-9T]+ '

test_expect_success 'a failed firing: the summary on stderr, for cron to mail' '
	rc=0; TZ=UTC "$ORK" cron-fire --workflow tells --at 2024-05-01T10:00:00Z \
		-- make -f run.mk >out 2>err || rc=$?
	expect_eq status 2 $rc
	test ! -s out
	expect_grep "^ork cron-fire: run cron-20240501T1000 of tells \(scheduled 2024-05-01T10:00:00\+00:00\) failed \(exit status 2\)" err
	expect_grep "^ork:   fetch: failed \(exit status 3\); log: $proj/.ork/tells/cron-20240501T1000/logs/fetch.1.1.log$" err
	expect_grep "^ork: cron log: $proj/.ork/tells/cron.log$" err
	! grep -q "side" err
'

test_expect_success 'a succeeded firing prints nothing' '
	sed "s/exit 3/exit 0/; s/echo fetching;/echo {};/" wf.yaml >ok.yaml
	"$ORKC" ok.yaml -o ok.mk
	TZ=UTC "$ORK" cron-fire --workflow tells --at 2024-05-01T11:00:00Z \
		-- make -f ok.mk >out 2>err
	test ! -s out
	test ! -s err
'

test_expect_success 'every cron.log line has a timestamp and the run id' '
	test -s $LOG
	if grep -Ev "$STAMP" $LOG; then false; fi
	expect_grep "${STAMP}\| ork: \[1/3\] fetch: failed \(exit status 3\)" $LOG
'

test_expect_success 'a command that cannot start: said on stderr too' '
	rc=0; TZ=UTC "$ORK" cron-fire --workflow tells --at 2024-05-01T12:00:00Z \
		-- ./no-such-artifact >out 2>err || rc=$?
	expect_eq status 127 $rc
	expect_grep "cannot run .\./no-such-artifact." err
'

# ---- time zones -----------------------------------------------------------------

sed "s|^schedule:.*|&\ntimezone: Europe/Berln|" wf.yaml >badtz.yaml

test_expect_success '-t cron: an unknown time zone is an error' '
	rc=0; "$ORKC" -t cron --artifact run.mk badtz.yaml >out 2>err || rc=$?
	expect_eq status 1 $rc
	test ! -s out
	expect_grep "badtz.yaml:3:11: error: target .cron. needs a known time zone, not .Europe/Berln." err
'

test_expect_success 'other targets keep the warning' '
	"$ORKC" badtz.yaml -o badtz.mk 2>err
	expect_grep "warning: unknown time zone .Europe/Berln.; did you mean .Europe/Berlin.\?" err
'

test_expect_success 'ork crontab install refuses a block with an unknown zone' '
	sed "s|^timezone:.*|timezone: Europe/Berlin|" badtz.yaml >goodtz.yaml
	"$ORKC" -t cron --artifact run.mk --root /srv/p --ork /usr/bin/ork goodtz.yaml |
		sed "s|Europe/Berlin|Europe/Berln|g" >block
	cat >crontab <<-\EOF
	#!/bin/sh
	case $1 in -l) cat tab 2>/dev/null || { echo "no crontab for x" >&2; exit 1; } ;;
	-) cat >tab ;; esac
	EOF
	chmod +x crontab
	rc=0; ORK_CRONTAB=$proj/crontab "$ORK" crontab install block >out 2>err || rc=$?
	expect_eq status 2 $rc
	expect_grep "unknown time zone .Europe/Berln. \(did you mean .Europe/Berlin.\?\); nothing installed" err
	test ! -e tab
'
finish
