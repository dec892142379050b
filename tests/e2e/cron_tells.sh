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
	refute grep -q "side" err
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
# ---- catchup ----------------------------------------------------------------------
# Missed firings are faked with --at: the machine "was off" between two
# firings hours apart.

# In a fresh ORK_HOME: the firings above are history too.
fire() {  # CATCHUP AT
	ORK_HOME=cu TZ=UTC "$ORK" cron-fire --workflow tells --schedule "0 * * * *" \
		--catchup "$1" --at "$2" -- make -f ok.mk >/dev/null 2>&1
}
ran() {  # the cron-20240701 runs, in order
	for r in cu/tells/cron-20240701T*; do
		if [ -d "$r" ]; then printf "%s " "${r##*/}"; fi
	done
}

test_expect_success 'catchup: orkc writes it into the entry; a bad value is an error' '
	sed "s/^schedule:.*/&\ncatchup: latest/" wf.yaml >cu.yaml
	"$ORKC" -t cron --artifact ok.mk --root /srv/p --ork /usr/bin/ork cu.yaml >block
	expect_grep "^0 \* \* \* \* /usr/bin/ork cron-fire -C /srv/p --workflow tells --schedule .0 \* \* \* \*. --catchup latest -- make -j4 -f ok.mk$" block
	sed "s/^schedule:.*/&\ncatchup: sometimes/" wf.yaml >cubad.yaml
	rc=0; "$ORKC" --check cubad.yaml 2>err || rc=$?
	expect_eq status 1 $rc
	expect_grep "cubad.yaml:3:10: error: catchup must be none, latest or all, not .sometimes." err
	rc=0; "$ORK" cron-fire --workflow tells --catchup latest -- true 2>err || rc=$?
	expect_eq status 2 $rc
'

test_expect_success 'catchup latest: the latest missed firing, then this one' '
	fire latest 2024-07-01T10:00:00Z
	expect_eq first "cron-20240701T1000 " "$(ran)"
	fire latest 2024-07-01T13:00:00Z
	expect_eq runs "cron-20240701T1000 cron-20240701T1200 cron-20240701T1300 " "$(ran)"
	expect_grep "cron-20240701T1300 catchup latest: 2 firings missed since the last one; running 1$" cu/tells/cron.log
	ls cu/tells/cron-20240701T1200/fetch.$_hex16.json >/dev/null
	expect_eq scheduled 2024-07-01T12:00:00+00:00 \
		"$(jget cu/tells/cron-20240701T1200/run.json "d[\"run\"][\"time\"]")"
'

test_expect_success 'catchup all: every missed firing, oldest first' '
	fire all 2024-07-01T16:00:00Z
	expect_eq runs "cron-20240701T1000 cron-20240701T1200 cron-20240701T1300 cron-20240701T1400 cron-20240701T1500 cron-20240701T1600 " "$(ran)"
	t14=$(jget cu/tells/cron-20240701T1400/run.json "d[\"started\"]")
	t15=$(jget cu/tells/cron-20240701T1500/run.json "d[\"started\"]")
	[ "$t14" \< "$t15" ] || [ "$t14" = "$t15" ]
'

test_expect_success 'catchup none: only this firing' '
	fire none 2024-07-01T19:00:00Z
	expect_eq runs "cron-20240701T1000 cron-20240701T1200 cron-20240701T1300 cron-20240701T1400 cron-20240701T1500 cron-20240701T1600 cron-20240701T1900 " "$(ran)"
'

test_expect_success 'catchup: the last firing from the run history when cron.last is gone' '
	rm cu/tells/cron.last
	fire all 2024-07-01T21:00:00Z
	expect_eq last "cron-20240701T1900 cron-20240701T2000 cron-20240701T2100" \
		"$(ran | tr " " "\n" | tail -n 3 | tr "\n" " " | sed "s/ *\$//")"
'

test_expect_success 'catchup: an edited last fire time counts' '
	echo 2024-07-01T22:00:00+00:00 >cu/tells/cron.last
	fire latest 2024-07-01T23:00:00Z
	expect_eq last "cron-20240701T2100 cron-20240701T2300" \
		"$(ran | tr " " "\n" | tail -n 2 | tr "\n" " " | sed "s/ *\$//")"
'
finish
