#!/bin/sh
# How ork reads a run submitted to Slurm (runtime/slurm.c), without Slurm:
# a fake squeue on PATH says which jobs exist.  `ork slurm record` writes
# queued events and hands the run to its end job; ork status then shows
# queued and running tasks and the run running while the end job exists,
# interrupted once it is gone; a start whose job is gone is interrupted
# whatever pid it names; without squeue the journal's view stands; ork
# begin refuses the run while its end job exists; ork cancel scancels
# every job the run recorded and records the run interrupted.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

project slurm_status
WF=w
mkdir bin
# squeue -h -o '%i %T' -u UID: the lines of ./squeue.out; fails when
# ./squeue.fail exists.
cat >bin/squeue <<EOF
#!/bin/sh
[ ! -e "$proj/squeue.fail" ] || exit 1
cat "$proj/squeue.out"
EOF
chmod +x bin/squeue
PATH=$proj/bin:$PATH
ORK_WORKFLOW=w
ORK_HOME=.ork
export PATH ORK_WORKFLOW ORK_HOME
R=.ork/w/default

test_expect_success 'ork slurm record: queued events, run.json handed to the end job' '
	"$ORK" begin
	mkdir -p $R/slurm
	printf "task a 101\ntask b 102\nend 103\n" >$R/slurm/jobs
	"$ORK" slurm record
	expect_eq queued 2 "$(grep -c "\"ev\":\"queued\"" $R/journal.jsonl)"
	grep -q "\"ev\":\"queued\",\"task\":\"b\",\"inv\":1,\"job\":\"102\"" $R/journal.jsonl
	expect_eq end_job 103 "$(jget $R/run.json "d[\"slurm\"][\"end_job\"]")"
	expect_eq pid null "$(jget $R/run.json "d.get(\"pid\")")"
'
test_expect_success 'pending jobs: queued; a job that runs: running; the run: running' '
	printf "101 RUNNING\n102 PENDING\n103 PENDING\n" >squeue.out
	"$ORK" status >st
	cat st
	grep -q "^run default of w: running" st
	grep -Eq "^a +running" st
	grep -Eq "^b +queued" st
	"$ORK" status --json >st.json
	expect_eq job 102 "$(jget st.json "[t for t in d[\"tasks\"] if t[\"task\"] == \"b\"][0][\"slurm_job\"]")"
'
test_expect_success 'a started task whose job is gone is interrupted, whatever its pid' '
	printf "{\"ev\":\"start\",\"task\":\"a\",\"inv\":1,\"attempt\":1,\"time\":\"2026-01-01T00:00:00.000Z\",\"pid\":1}\n" >>$R/journal.jsonl
	printf "102 PENDING\n103 PENDING\n" >squeue.out
	"$ORK" status >st
	grep -Eq "^a +interrupted" st
	printf "101 RUNNING\n102 PENDING\n103 PENDING\n" >squeue.out
	"$ORK" status >st
	grep -Eq "^a +running" st
'
test_expect_success 'ork begin (make, a second submit) refuses while the end job exists' '
	test_must_fail "$ORK" begin 2>err
	grep -q "run default of w is queued or running in Slurm (end job 103)" err
'
test_expect_success 'without squeue the journal stands: queued, running' '
	touch squeue.fail
	"$ORK" status >st
	grep -q "^run default of w: running" st
	grep -Eq "^b +queued" st
	rm squeue.fail
'
test_expect_success 'every job gone, no ork end: the run is interrupted, queued tasks not run' '
	: >squeue.out
	rc=0; "$ORK" status >st || rc=$?
	expect_eq "ork status of an interrupted run" 1 "$rc"
	cat st
	grep -q "^run default of w: interrupted" st
	grep -Eq "^a +interrupted" st
	grep -Eq "^b +not run" st
	"$ORK" runs | grep -q interrupted
'
test_expect_success 'then ork begin starts the next invocation; make-style starts are not Slurm jobs' '
	"$ORK" begin
	expect_eq state running "$(jget $R/run.json "d[\"state\"]")"
	expect_eq slurm false "$(jget $R/run.json "\"slurm\" in d")"
	printf "{\"ev\":\"start\",\"task\":\"b\",\"inv\":2,\"attempt\":1,\"time\":\"2026-01-01T00:00:00.000Z\",\"pid\":1}\n" >>$R/journal.jsonl
	"$ORK" status >st
	grep -Eq "^b +running" st
'
test_expect_success 'a malformed jobs file is refused, naming the line' '
	printf "task a 101\ntask b 1x2\nend 103\n" >$R/slurm/jobs
	test_must_fail "$ORK" slurm record 2>err
	grep -q "line 2 is not" err
	printf "task a 101\n" >$R/slurm/jobs
	test_must_fail "$ORK" slurm record 2>err
	grep -q "no .end JOBID. line" err
	test_must_fail "$ORK" slurm 2>err
	grep -q "usage: ork slurm record" err
'

# ork cancel of a Slurm run, with a fake scancel that empties the queue.
project slurm_cancel
mkdir bin
cat >bin/squeue <<EOF
#!/bin/sh
cat "$proj/squeue.out"
EOF
cat >bin/scancel <<EOF
#!/bin/sh
echo "\$@" >>"$proj/scancel.args"
: >"$proj/squeue.out"
EOF
chmod +x bin/squeue bin/scancel
PATH=$proj/bin:$PATH
test_expect_success 'ork cancel of a Slurm run scancels its arrays, tasks and end job; the run is interrupted' '
	"$ORK" begin
	mkdir -p $R/slurm
	printf "task a 101\narray b 102\ntask b 103\nend 104\n" >$R/slurm/jobs
	"$ORK" slurm record
	expect_eq queued 2 "$(grep -c "\"ev\":\"queued\"" $R/journal.jsonl)"
	printf "{\"ev\":\"start\",\"task\":\"a\",\"inv\":1,\"attempt\":1,\"time\":\"2026-01-01T00:00:00.000Z\",\"pid\":1}\n" >>$R/journal.jsonl
	printf "101 RUNNING\n102_0 PENDING\n103 PENDING\n104 PENDING\n" >squeue.out
	"$ORK" cancel 2>err
	cat err
	expect_eq scancel "102 101 103 104" "$(cat scancel.args)"
	grep -q "its Slurm jobs scancelled, 1 task interrupted (a)" err
	rc=0; "$ORK" status >st || rc=$?
	expect_eq "ork status of an interrupted run" 1 "$rc"
	cat st
	grep -q "^run default of w: interrupted" st
	grep -Eq "^a +interrupted" st
	grep -Eq "^b +not run" st
	test_must_fail "$ORK" cancel 2>err
	grep -q "is not running" err
	expect_eq "scancel calls" 1 "$(wc -l <scancel.args)"
'

test_expect_success 'an instance started in an array element runs while its own job does, whatever its pid' '
	printf "{\"ev\":\"start\",\"task\":\"b[0]\",\"inv\":1,\"attempt\":1,\"time\":\"2026-01-01T00:00:00.000Z\",\"pid\":1,\"job\":\"205\"}\n" >>$R/journal.jsonl
	printf "205 RUNNING\n" >squeue.out
	"$ORK" status >st || :
	cat st
	grep -Eq "^b\[0\] +running" st
	: >squeue.out
	"$ORK" status >st || :
	grep -Eq "^b\[0\] +interrupted" st
'

# -n needs no Slurm: what would be submitted is what make -n would run.
project dry
cp "$top_srcdir/tests/conformance/failure.yaml" wf.yaml
cp "$top_srcdir/tests/conformance/t.sh" t.sh
"$ORKC" wf.yaml -o run.mk
"$ORKC" wf.yaml -t slurm -o run.sh
unset MAKEFLAGS MFLAGS MAKELEVEL
test_expect_success 'submit -n: every task, with its upstream tasks by name, and submits nothing' '
	sh run.sh -n ORK="$ORK" >out
	cat out
	grep -qx "sbatch ok1 --time=61" out
	grep -qx "sbatch cleanup after bad ok2 --time=61" out
	grep -qx "sbatch end after all: ork end" out
	expect_eq lines 9 "$(wc -l <out)"
	test ! -e .ork
'
test_expect_success 'after a make run, submit -n resubmits what make -n would run again' '
	make -f run.mk ORK="$ORK" >make.out 2>&1 || true
	make -n -f run.mk ORK="$ORK" | sed -n "s|^$ORK exec ||p" | sort >make.n
	sh run.sh -n ORK="$ORK" | sed -n "s/^sbatch \([^ ]*\) .*/\1/p" | grep -v "^end$" | sort >slurm.n
	cat make.n
	test_cmp make.n slurm.n
	grep -qx bad slurm.n
	refute grep -qx ok1 slurm.n
'
project dryfan
cat >wf.yaml <<'EOF'
name: dryfan
tasks:
  src: {executor: process, command: [echo, '{"xs": [1, 2]}']}
  arr:
    executor: process
    command: [cat]
    depends_on: [src]
    parallel: 5
    concurrency: 2
    resources: {cpus: 2, partition: p1}
  each:
    executor: process
    command: [cat]
    depends_on: [src]
    foreach: src.xs
    concurrency: 3
  big: {executor: process, command: [cat], parallel: 2000}
EOF
"$ORKC" wf.yaml -t slurm -o run.sh
test_expect_success 'submit -n: a static fan-out is a job array (%K: concurrency) and a fan-in job' '
	sh run.sh -n ORK="$ORK" >out
	cat out
	grep -qx "sbatch arr\[0-4%2\] after src --time=61 --cpus-per-task=2 --partition=p1" out
	grep -qx "sbatch arr after arr\[\] --time=10 --partition=p1" out
	test -z "$(shellcheck -s sh run.sh 2>&1 | head -5)" || ! command -v shellcheck >/dev/null
'
test_expect_success 'submit -n: a run-time count, or one above MaxArraySize, is one job without our --time' '
	grep -qx "sbatch each after src " out
	grep -qx "sbatch big " out
	expect_eq lines 6 "$(wc -l <out)"
'

finish
