#!/bin/sh
# End to end: `ork end` with more task names than fit in argv (E2BIG at
# about 19,000 names of 100 characters).  ork end reads the names from a
# file (`--tasks FILE`, `-` for standard input); the Makefile writes that
# file with $(file) (not under -n), the sh script passes the names on
# standard input.  A 25,000-task workflow with 100-character names,
# every task already done, must end "succeeded" under make; under sh a
# smaller one shows that `ork end` gets no names in argv.
# shellcheck disable=SC1091,SC2016,SC2034,SC2154 # lib found at run time; bodies single-quoted
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

# big_yaml N: a workflow "big" of N independent tasks, names 100 long.
big_yaml() {
	"$PYTOOL" -c '
import sys
n = int(sys.argv[1])
print("name: big\ntasks:")
for i in range(n):
    print("  t%06d_%s: {executor: process, command: [\"true\"]}" % (i, "x" * 92))
' "$1" >wf.yaml
}

# mark_done ARTIFACT: every task of ARTIFACT done, as after a run that
# succeeded: its output file and its journal "end" event.
mark_done() {
	"$PYTOOL" -c '
import json, os, re, sys
art, rundir = sys.argv[1], sys.argv[2]
pat = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_-]*\.out := \$\(R\)/|\tt_out=\$R/)"
                 r"([A-Za-z_][A-Za-z0-9_-]*)\.([0-9a-f]{16})\.json$")
os.makedirs(rundir, exist_ok=True)
with open(art) as f, open(os.path.join(rundir, "journal.jsonl"), "a") as j:
    for line in f:
        m = pat.match(line.rstrip("\n"))
        if not m:
            continue
        task, key = m.groups()
        with open(os.path.join(rundir, "%s.%s.json" % (task, key)), "w") as o:
            o.write("null")
        j.write(json.dumps({"ev": "end", "task": task, "inv": 1, "key": key,
                            "state": "succeeded", "attempts": 1, "reason": "",
                            "time": "2026-01-01T00:00:00.000Z",
                            "duration": 0}) + "\n")
' "$1" "$(rundir)"
}
WF=big

run_state() {  # state and number of tasks in run.json
	jget "$(rundir)/run.json" 'd["state"] + " " + str(len(d["tasks"]))'
}

project direct
test_expect_success 'ork end --tasks FILE reads 25,000 names of 100 characters' '
	"$PYTOOL" -c "
for i in range(25000):
    print(\"t%06d_%s\" % (i, \"x\" * 92))" >names &&
	test "$(wc -c <names)" -gt 2500000 &&
	ORK_WORKFLOW=big ORK_RUN_ID=default ORK_HOME=.ork "$ORK" begin &&
	test_must_fail env ORK_WORKFLOW=big ORK_RUN_ID=default ORK_HOME=.ork \
		"$ORK" end --tasks names 2>end.err &&
	expect_grep "^ork: run default of big: 25000 not run in" end.err &&
	expect_eq "run.json" "failed 25000" "$(run_state)"
'
test_expect_success 'ork end --tasks - reads standard input, and arguments after it count too' '
	printf "a\n\n b\tc \n" | ORK_WORKFLOW=big ORK_RUN_ID=default ORK_HOME=.ork \
		"$ORK" end --tasks - d 2>end.err || : &&
	expect_grep "^ork: run default of big: 4 not run in" end.err &&
	expect_eq "run.json" "failed 4" "$(run_state)"
'
test_expect_success 'ork end refuses a list that holds something other than names' '
	printf "a\nb;c\n" >bad &&
	rc=0 &&
	ORK_WORKFLOW=big ORK_RUN_ID=default ORK_HOME=.ork \
		"$ORK" end --tasks bad 2>end.err || rc=$? &&
	expect_eq "exit status" 2 "$rc" &&
	expect_grep "task 2 of the list is not a task name" end.err &&
	rc=0 &&
	ORK_WORKFLOW=big ORK_RUN_ID=default ORK_HOME=.ork \
		"$ORK" end --tasks missing 2>end.err || rc=$? &&
	expect_eq "exit status" 2 "$rc" &&
	expect_grep "cannot read the task list .missing." end.err
'

project make
test_expect_success 'make: 25,000 tasks with 100-character names end succeeded' '
	big_yaml 25000 &&
	compile &&
	mark_done run.mk &&
	make_ok -s &&
	expect_grep "^ork: run default of big: 25000 succeeded in" make.out &&
	expect_eq "run.json" "succeeded 25000" "$(run_state)"
'
test_expect_success 'make -n writes no task list' '
	rm -rf .ork &&
	make_ok -n &&
	expect_grep "end --tasks \.ork/big/default/tasks\.list$" make.out &&
	test ! -e .ork
'

project sh
mkdir -p "$tmp/bin"
cat >"$tmp/bin/ork" <<EOF2
#!/bin/sh
echo "\$#: \$*" | cut -c 1-60 >>"$tmp/ork.argv"
exec "$ORK" "\$@"
EOF2
chmod +x "$tmp/bin/ork"
test_expect_success 'sh: ork end gets the task names on standard input, none in argv' '
	big_yaml 2000 &&
	"$ORKC" -t sh wf.yaml -o run.sh &&
	mark_done run.sh &&
	sh run.sh -j 2 ORK="$tmp/bin/ork" >sh.out 2>&1 &&
	expect_grep "^ork: run default of big: 2000 succeeded in" sh.out &&
	expect_eq "run.json" "succeeded 2000" "$(run_state)" &&
	expect_eq "ork end argv" "3: end --tasks -" "$(grep " end" "$tmp/ork.argv")" &&
	sh run.sh -n ORK=ork >dry.out &&
	expect_eq "dry run" "ork begin
ork end --tasks -" "$(cat dry.out)"
'

finish
