#!/bin/sh
# shellcheck disable=SC1091,SC2016,SC2034,SC2154 # lib found at run time; bodies single-quoted
# Schedules without a cron daemon (tests/e2e/cron_daemon.sh has the real
# one): orkc --next and -t cron, the crontab line as cron and sh read it,
# ork cron-fire (fresh run per firing, due check in the workflow's zone,
# overlap skipped and logged, PATH), and ork crontab install/remove/show on
# a stand-in crontab program.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

project cron
WF=stamp
mkdir -p tasks bin
# The task: its scheduled time, run id and PATH, after an optional nap.
cat >tasks/stamp.sh <<'EOF'
#!/bin/sh
sleep "${NAP:-0}"
[ -z "${FAIL:-}" ] || exit 3
printf '{"scheduled": "%s", "run": "%s"}\n' "$ORK_SCHEDULED_TIME" "$ORK_RUN_ID"
EOF
cat >wf.yaml <<'EOF'
name: stamp
schedule: "30 2 * * *"
timezone: Europe/Berlin
tasks:
  stamp:
    executor: process
    command: ["sh", "tasks/stamp.sh"]
EOF
sed '/^schedule/d; /^timezone/d' wf.yaml >noschedule.yaml
compile wf.yaml run.mk
LOG=.ork/stamp/cron.log

# ---- orkc -------------------------------------------------------------------

test_expect_success '-t cron without a schedule: an error at the top of the file' '
	rc=0; "$ORKC" -t cron --artifact run.mk noschedule.yaml >out 2>err || rc=$?
	expect_eq status 1 $rc
	grep -F "noschedule.yaml:1:1: error: target '\''cron'\'' needs a '\''schedule'\'' in the workflow" err
	test ! -s out
'

test_expect_success '-t cron needs --artifact' '
	rc=0; "$ORKC" -t cron wf.yaml >out 2>err || rc=$?
	expect_eq status 2 $rc
	grep -F "target '\''cron'\'' needs --artifact FILE" err
'

test_expect_success '--next: RFC 3339 times in the zone, the DST gap included' '
	"$ORKC" --next 3 --from 2024-03-30T12:00:00Z wf.yaml >out
	printf "%s\n" 2024-03-31T03:30:00+02:00 2024-04-01T02:30:00+02:00 \
		2024-04-02T02:30:00+02:00 >want
	test_cmp want out
'

test_expect_success '--next: a repeated hour fires once, at its first pass' '
	"$ORKC" --next 2 --from 2024-10-27T00:00:00Z wf.yaml >out
	printf "%s\n" 2024-10-27T02:30:00+02:00 2024-10-28T02:30:00+01:00 >want
	test_cmp want out
'

test_expect_success '--next: bad --from and @reboot are refused' '
	rc=0; "$ORKC" --next 1 --from "2024-03-30 12:00" wf.yaml 2>err || rc=$?
	expect_eq status 2 $rc
	grep -F "needs an RFC 3339 time" err
	sed "s/^schedule:.*/schedule: \"@reboot\"/" wf.yaml >reboot.yaml
	rc=0; "$ORKC" --next 1 reboot.yaml >out 2>err || rc=$?
	expect_eq status 1 $rc
	grep -F "fires when cron starts" err
'

# Vixie cron (and orkc): a day field starting with "*" makes both day fields
# count; croniter takes either.  The one deliberate difference from it.
test_expect_success '--next: "*/2" days with a weekday need both (Vixie), unlike croniter' '
	sed "s|^schedule:.*|schedule: \"0 0 */2 * 5\"|; s|^timezone:.*|timezone: UTC|" wf.yaml >vixie.yaml
	"$ORKC" --next 4 --from 2024-09-01T00:00:00Z vixie.yaml >out
	printf "%s\n" 2024-09-13T00:00:00+00:00 2024-09-27T00:00:00+00:00 \
		2024-10-11T00:00:00+00:00 2024-10-25T00:00:00+00:00 >want
	test_cmp want out
	if /usr/bin/python3 -c "import croniter" 2>/dev/null; then
		/usr/bin/python3 -c "
from croniter import croniter; from datetime import datetime, timezone
it = croniter(\"0 0 */2 * 5\", datetime(2024, 9, 1, tzinfo=timezone.utc))
print(it.get_next(datetime).isoformat())" >croniter.out
		# croniter: the 3rd (odd day, a Tuesday) comes first.
		expect_eq croniter 2024-09-03T00:00:00+00:00 "$(cat croniter.out)"
	fi
'

# ---- the crontab line, read as cron and sh read it ---------------------------

# cron_command LINE: the command part of a crontab line, after cron's own
# processing (Vixie's do_command: "\%" is "%", a bare "%" ends the command).
cron_command() {
	"$PYTOOL" -c '
import sys
line = sys.argv[1]
cmd = line.split(None, 1 if line.startswith("@") else 5)[-1]
out, esc = [], False
for ch in cmd:
    if esc:
        if ch == "%":
            out[-1] = "%"
        else:
            out.append(ch)
        esc = False
    elif ch == "\\":
        esc = True
        out.append(ch)
    elif ch == "%":
        break
    else:
        out.append(ch)
sys.stdout.write("".join(out))' "$1"
}

test_expect_success 'the crontab line passes a hostile root and ork path through cron and sh' '
	root="$proj/it'\''s 100% \$HOME \`id\` & ;x"
	mkdir -p "$root" "$proj/bin dir"
	printf "#!/bin/sh\nfor a in \"\$@\"; do printf \"[%%s]\\\\n\" \"\$a\"; done\n" >"$proj/bin dir/ork"
	chmod +x "$proj/bin dir/ork"
	"$ORKC" -t cron --artifact "run 100%.mk" --jobs 3 --root "$root" \
		--ork "$proj/bin dir/ork" wf.yaml >block
	line=$(grep -v "^#" block)
	test $(grep -vc "^#" block) = 1
	cmd=$(cron_command "$line")
	/bin/sh -c "$cmd" >args
	printf "[%s]\n" cron-fire -C "$root" --workflow stamp --schedule "30 2 * * *" \
		--timezone Europe/Berlin -- make -j3 -f "run 100%.mk" >want
	test_cmp want args
	# Whole-hour zone: cron starts it at minute 30 of every hour.
	case $line in "30 * * * * "*) ;; *) echo "times: $line"; false ;; esac
'

test_expect_success 'a root cron cannot pass (backslash, newline) is refused' '
	mkdir -p "back\\slash"
	rc=0; "$ORKC" -t cron --artifact run.mk --root "$proj/back\\slash" \
		--ork /usr/bin/true wf.yaml >out 2>err || rc=$?
	expect_eq status 2 $rc
	expect_eq error "orkc: cannot write crontab lines: a path has a backslash or a control character, which a crontab line cannot pass on" "$(cat err)"
	test ! -s out
'

test_expect_success 'without a time zone the schedule goes to cron as numbers' '
	sed "/^timezone/d; s/^schedule:.*/schedule: \"0 9 * JAN-mar MON-FRI\"/" wf.yaml >sys.yaml
	"$ORKC" -t cron --artifact run.sh --root /srv/p --ork /usr/bin/ork sys.yaml >block
	expect_eq line "0 9 * 1-3 1-5 /usr/bin/ork cron-fire -C /srv/p --workflow stamp -- sh run.sh -j 4" \
		"$(grep -v "^#" block)"
'

# ---- ork cron-fire -------------------------------------------------------------

test_expect_success 'cron-fire: one fresh run per firing, named after the minute' '
	TZ=UTC "$ORK" cron-fire --workflow stamp --at 2024-05-01T10:00:42Z -- make -j2 -f run.mk
	out=$(outf stamp cron-20240501T1000)
	expect_eq scheduled 2024-05-01T10:00:00+00:00 "$(jget "$out" "d[\"scheduled\"]")"
	expect_eq run cron-20240501T1000 "$(jget "$out" "d[\"run\"]")"
	expect_grep "cron-20240501T1000 fire: scheduled 2024-05-01T10:00:00\+00:00: make -j2 -f run.mk$" $LOG
	expect_grep "cron-20240501T1000 done: succeeded in " $LOG
	TZ=UTC "$ORK" cron-fire --workflow stamp --at 2024-05-01T11:00:00Z -- make -j2 -f run.mk
	has_out stamp cron-20240501T1100
'

test_expect_success 'cron-fire: a shell-script artifact gets the run id too' '
	"$ORKC" wf.yaml -o run.sh
	TZ=UTC "$ORK" cron-fire --workflow stamp --at 2024-05-02T10:00:00Z -- sh run.sh -j 2
	out=$(outf stamp cron-20240502T1000)
	expect_eq run cron-20240502T1000 "$(jget "$out" "d[\"run\"]")"
	expect_grep "cron-20240502T1000 done: succeeded in " $LOG
'

test_expect_success 'cron-fire: with a schedule, only due minutes run, in the zone' '
	cp $LOG log.before
	"$ORK" cron-fire --workflow stamp --schedule "30 2 * * *" --timezone Europe/Berlin \
		--at 2024-03-31T00:30:00Z -- make -f run.mk
	cmp $LOG log.before
	test ! -e .ork/stamp/cron-20240331T0230
	# 02:30 does not exist that night: it fires at 03:30 CEST.
	"$ORK" cron-fire --workflow stamp --schedule "30 2 * * *" --timezone Europe/Berlin \
		--at 2024-03-31T01:30:00Z -- make -f run.mk
	out=$(outf stamp cron-20240331T0330)
	expect_eq scheduled 2024-03-31T03:30:00+02:00 "$(jget "$out" "d[\"scheduled\"]")"
'

test_expect_success 'cron-fire: the repeated hour of the system zone gets its own run ids' '
	TZ=Europe/Berlin "$ORK" cron-fire --workflow stamp --at 2024-10-27T00:30:00Z -- make -f run.mk
	TZ=Europe/Berlin "$ORK" cron-fire --workflow stamp --at 2024-10-27T01:30:00Z -- make -f run.mk
	expect_eq first 2024-10-27T02:30:00+02:00 \
		"$(jget "$(outf stamp cron-20241027T0230)" "d[\"scheduled\"]")"
	expect_eq second 2024-10-27T02:30:00+01:00 \
		"$(jget "$(outf stamp cron-20241027T0230-2)" "d[\"scheduled\"]")"
'

test_expect_success 'cron-fire: a firing while the last run runs is skipped, and logged' '
	NAP=3 TZ=UTC "$ORK" cron-fire --workflow stamp --at 2024-06-01T08:00:00Z \
		-- make -f run.mk & pid=$!
	i=0; until grep -q "cron-20240601T0800 fire:" $LOG; do
		i=$((i + 1)); [ $i -lt 100 ]; sleep 0.1; done
	rc=0; TZ=UTC "$ORK" cron-fire --workflow stamp --at 2024-06-01T08:01:00Z \
		-- make -f run.mk || rc=$?
	expect_eq "skip status" 0 $rc
	expect_grep "cron-20240601T0801 skip: the previous run is still running \(run cron-20240601T0800, pid $pid\)$" $LOG
	test ! -e .ork/stamp/cron-20240601T0801
	wait $pid
	has_out stamp cron-20240601T0800
	# The lock went with the run: the next firing runs.
	TZ=UTC "$ORK" cron-fire --workflow stamp --at 2024-06-01T08:02:00Z -- make -f run.mk
	has_out stamp cron-20240601T0802
'

test_expect_success 'cron-fire: a failed run is logged with its status, and returned' '
	rc=0; FAIL=1 TZ=UTC "$ORK" cron-fire --workflow stamp --at 2024-06-02T08:00:00Z \
		-- make -f run.mk || rc=$?
	expect_eq status 2 $rc
	expect_grep "cron-20240602T0800 done: failed \(exit status 2\) after " $LOG
'

test_expect_success 'cron-fire: the run gets ORK, RUN_ID and a PATH with ork and /usr/bin' '
	env PATH=/usr/bin:/bin TZ=UTC "$ORK" cron-fire --workflow stamp --at 2024-06-03T08:00:00Z \
		-- sh -c "echo \"env: \$ORK|\$RUN_ID|\$PATH\"" 
	ork=$(cd "$(dirname "$ORK")" && pwd -P)/ork
	expect_grep " cron-20240603T0800 \| env: $ork\|cron-20240603T0800\|$(dirname "$ork"):/usr/bin:/bin:/usr/local/bin:/usr/bin:/bin$" $LOG
'

test_expect_success 'cron-fire: usage errors' '
	rc=0; "$ORK" cron-fire --workflow "bad name" -- true 2>err || rc=$?
	expect_eq status 2 $rc
	rc=0; "$ORK" cron-fire --workflow stamp --schedule "61 * * * *" -- true 2>err || rc=$?
	expect_eq status 2 $rc
	grep -F "minute '\''61'\'' is out of range 0-59" err
	rc=0; "$ORK" cron-fire --workflow stamp --schedule "* * * * *" --timezone Mars/Base -- true 2>err || rc=$?
	expect_eq status 2 $rc
	grep -F "unknown time zone '\''Mars/Base'\''" err
'

# ---- ork crontab, on a stand-in crontab program -------------------------------

cat >bin/crontab <<'EOF'
#!/bin/sh
# A crontab(1) stand-in keeping the table in $FAKE_TAB.
case $1 in
-l) [ -z "${FAKE_BROKEN:-}" ] || { echo "crontab: permission denied" >&2; exit 1; }
    [ -f "$FAKE_TAB" ] || { echo "no crontab for tester" >&2; exit 1; }
    cat "$FAKE_TAB" ;;
-) cat >"$FAKE_TAB.new" && mv "$FAKE_TAB.new" "$FAKE_TAB" ;;
*) exit 2 ;;
esac
EOF
chmod +x bin/crontab
ORK_CRONTAB=$proj/bin/crontab
FAKE_TAB=$proj/tab
export ORK_CRONTAB FAKE_TAB
cat >tab.orig <<'EOF'
MAILTO=ops
# my own entries
*/5 * * * * /usr/local/bin/poll % not ours
# BEGIN orkc other
0 1 * * * /usr/bin/ork cron-fire -C /srv/other --workflow other -- make -f o.mk
# END orkc other
17 * * * * run-parts /etc/cron.hourly
EOF
"$ORKC" -t cron --artifact run.mk --root /srv/p --ork /usr/bin/ork wf.yaml >block4
"$ORKC" -t cron --artifact run.mk --jobs 8 --root /srv/p --ork /usr/bin/ork wf.yaml >block8

test_expect_success 'crontab install: appends the block, every other line untouched' '
	cp tab.orig tab
	"$ORK" crontab install block4 >out
	cat tab.orig block4 >want
	test_cmp want tab
	grep -qx "+# BEGIN orkc stamp" out
	grep -qx "+# END orkc stamp" out
	refute grep -q "^-[^-]" out
'

test_expect_success 'crontab install again: up to date, nothing written' '
	cp tab tab.before
	touch -d "2000-01-01" tab
	"$ORK" crontab install block4 >out
	grep -qx "crontab: entries for '\''stamp'\'' are up to date" out
	test_cmp tab.before tab
	test "$(stat -c %Y tab)" = "$(date -d 2000-01-01 +%s)"
'

test_expect_success 'crontab install of a changed block: replaced in place, diff shown' '
	"$ORK" crontab install - <block8 >out
	cat tab.orig block8 >want
	test_cmp want tab
	grep -q "^-.* make -j4 -f run.mk$" out
	grep -q "^+.* make -j8 -f run.mk$" out
	test $(grep -c "^[-+][^-+]" out) = 2
'

test_expect_success 'crontab show: the orkc blocks, or one' '
	"$ORK" crontab show other >out
	sed -n "/# BEGIN orkc other/,/# END orkc other/p" tab.orig >want
	test_cmp want out
	"$ORK" crontab show >out
	test $(grep -c "^# BEGIN orkc" out) = 2
	test_must_fail "$ORK" crontab show nosuch
'

test_expect_success 'crontab remove: the crontab is as it was, twice over' '
	"$ORK" crontab remove --dry-run stamp >out
	grep -q "^-# BEGIN orkc stamp" out
	cmp -s tab tab.orig && false
	"$ORK" crontab remove stamp >out
	test_cmp tab.orig tab
	"$ORK" crontab remove stamp >out
	grep -qx "crontab: no entries for '\''stamp'\''" out
	test_cmp tab.orig tab
'

test_expect_success 'crontab install warns when the system zone is not whole hours' '
	TZ=Asia/Kolkata "$ORK" crontab install --dry-run block4 >out 2>err
	grep -F "not whole hours from UTC" err
	TZ=Europe/Berlin "$ORK" crontab install --dry-run block4 >out 2>err
	test ! -s err
'

test_expect_success 'crontab install: a user without a crontab gets one' '
	rm -f tab
	"$ORK" crontab install block4 >out
	test_cmp block4 tab
'

test_expect_success 'crontab: an unreadable crontab or a bad block writes nothing' '
	cp tab.orig tab
	rc=0; FAKE_BROKEN=1 "$ORK" crontab install block4 >out 2>err || rc=$?
	expect_eq status 2 $rc
	grep -F "permission denied" err
	test_cmp tab.orig tab
	printf "0 * * * * rm -rf /\n" >notablock
	test_must_fail "$ORK" crontab install notablock 2>err
	grep -F "not a block of orkc crontab lines" err
	printf "# BEGIN orkc a\n# END orkc b\n" >mismatch
	test_must_fail "$ORK" crontab install mismatch 2>err
	cat tab.orig block4 block4 >tab
	test_must_fail "$ORK" crontab install block8 2>err
	grep -F "two blocks" err
	cat tab.orig >tab
	printf "# BEGIN orkc stamp\n* * * * * x\n" >>tab
	cp tab tab.before
	test_must_fail "$ORK" crontab remove stamp 2>err
	grep -F "no '\''# END orkc'\'' line" err
	test_cmp tab.before tab
'

finish
