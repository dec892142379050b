#!/bin/sh
# The Slurm backend against a real single-node Slurm (munged, slurmctld,
# slurmd) that this test starts once and stops at the end: the
# conformance workflows give the same results through `orkc -t slurm` as
# through make; --wait's exit status; the sbatch options of resources and
# timeouts; a 1 s timeout; a 50 MB hand-off; resume after a fix; queued
# and running tasks in ork status; cancelling leaves consistent states
# and no process; a job that cannot find the run directory says why.
#
# Needs root (slurmd) and slurm-wlm + munge; otherwise SKIP, visibly.
# ORK_TEST_SLURM=0 skips it too (the sanitizer suite and distcheck).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

[ "${ORK_TEST_SLURM:-1}" != 0 ] || skip_all "ORK_TEST_SLURM=0"
[ "$(id -u)" = 0 ] || skip_all "starting slurmd needs root"
for p in slurmctld slurmd sbatch squeue scontrol scancel sinfo munged runuser; do
	command -v $p >/dev/null 2>&1 ||
		skip_all "$p is not installed (apt-get install slurm-wlm munge)"
done
unset MAKEFLAGS MFLAGS MAKELEVEL
# sbatch reads these: none from the caller's environment.
unset SBATCH_ACCOUNT SBATCH_PARTITION SBATCH_EXPORT SLURM_EXPORT_ENV SLURM_JOB_ID

# shellcheck disable=SC1091
. "$top_srcdir/tests/e2e/slurm-cluster.sh"
sdir=$(mktemp -d /tmp/orkc-slurm.XXXXXX)
trap 'slurm_stop; rm -rf "$sdir"; lib_cleanup' EXIT
if ! slurm_start "$sdir"; then
	fail "start a private Slurm node"
	finish
fi
pass "a private Slurm node is up and idle"

src=$top_srcdir/tests/conformance
ORK_SLURM_POLL=0.5
export ORK_SLURM_POLL

# The observable result of a run, as tests/conformance/conformance.sh
# shows it.
_summary_py='
import json, os, sys
rundir = sys.argv[1]
run = json.load(open(os.path.join(rundir, "run.json")))
print("run state:", run.get("state"), "invocation:", run.get("invocation"))
ran = {}
for line in open(os.path.join(rundir, "journal.jsonl"), encoding="utf-8"):
    e = json.loads(line)
    if e.get("ev") == "end":
        ran.setdefault(e["inv"], []).append("%s=%s" % (e["task"], e["state"]))
for inv in sorted(ran):
    print("invocation %d ended:" % inv, " ".join(sorted(ran[inv])))
last = {}
for line in open(os.path.join(rundir, "journal.jsonl"), encoding="utf-8"):
    e = json.loads(line)
    if e.get("ev") == "end":
        last[e["task"]] = e
for t in sorted(last):
    e = last[t]
    print("task %s: %s, %s attempts, reason %r" % (t, e.get("state"), e.get("attempts"), e.get("reason")))
for f in sorted(os.listdir(rundir)):
    if f.endswith(".json") and f != "run.json":
        data = open(os.path.join(rundir, f), "rb").read()
        print("file %s: %r" % (f, data))
print("logs:", " ".join(sorted(os.listdir(os.path.join(rundir, "logs")))))
'
exit_class() {
	case $1 in
	0) echo ok ;;
	1|2) echo failed ;;
	*) echo "status $1" ;;
	esac
}
summarize() {  # WF
	{
		echo "artifact: $(exit_class "$rc")"
		"$PYTOOL" -c "$_summary_py" ".ork/$1/default" ||
			echo "no readable run state (status $?)"
	} >>result 2>&1
}

# run_kind make|slurm ARGS: status in $rc, output in run.out.
run_kind() {
	_k=$1
	shift
	rc=0
	case $_k in
	make) make -j4 -f run.mk ORK="$ORK" "$@" >run.out 2>&1 || rc=$? ;;
	slurm) sh run.sh --wait ORK="$ORK" "$@" >run.out 2>&1 || rc=$? ;;
	esac
}

scenario() {  # WF KIND
	: >result
	case $1 in
	resume)
		run_kind "$2"
		summarize "$1"
		touch fixed
		run_kind "$2"
		summarize "$1"
		"$PYTOOL" -c 'import glob, os
a, = glob.glob(".ork/resume/default/a." + "?" * 16 + ".json")
c, = glob.glob(".ork/resume/default/c." + "?" * 16 + ".json")
t = os.stat(a).st_mtime - 1
os.utime(c, (t, t))'
		run_kind "$2"
		summarize "$1" ;;
	*)
		run_kind "$2"
		summarize "$1"
		# Again: everything that succeeded is up to date.
		run_kind "$2"
		summarize "$1" ;;
	esac
	if [ -n "$(find . -name pwned)" ]; then
		echo "a hostile string ran as code: pwned exists" >>result
	fi
}

# ---- conformance: the same results as make ------------------------------

for wf in diamond fanin chain failure retries timeout resume hostile branching; do
	for kind in make slurm; do
		project "$kind/$wf"
		cp "$src/$wf.yaml" wf.yaml
		cp "$src/t.sh" t.sh
		case $kind in
		make) "$ORKC" wf.yaml -o run.mk 2>compile.err ;;
		slurm) "$ORKC" wf.yaml -t slurm -o run.sh 2>compile.err ;;
		esac || { fail "$kind $wf: orkc failed: $(cat compile.err)"; continue; }
		scenario "$wf" "$kind"
	done
	if diff -u "$tmp/make/$wf/result" "$tmp/slurm/$wf/result" >"$tmp/diff.out"; then
		pass "conformance $wf: slurm gives the same result as make"
	else
		sed 's/^/#   /' "$tmp/diff.out" | head -40
		fail "conformance $wf: slurm differs from make"
	fi
done
cd "$tmp"
for want in 'diamond:task bottom: succeeded, 1 attempts' \
	    'failure:task after_after: skipped' 'failure:task cleanup: succeeded' \
	    'failure:artifact: failed' 'retries:task flaky: succeeded, 3 attempts' \
	    'timeout:task slow_retry: failed, 2 attempts' \
	    'resume:invocation 2 ended: b=succeeded fix=succeeded' \
	    'resume:invocation 3 ended: c=succeeded' 'hostile:task join: succeeded' \
	    'chain:task c50: succeeded, 1 attempts'; do
	if grep -F -e "${want#*:}" "slurm/${want%%:*}/result" >/dev/null; then
		pass "slurm ${want%%:*} shows: ${want#*:}"
	else
		fail "slurm ${want%%:*} lacks: ${want#*:}"
	fi
done

# ---- fan-out: a job array for a static count ------------------------------

# work: parallel 4, at most 2 at once; instance 2 fails until ./fixed
# exists.  Each instance notes when it ran (times), for the overlap.
fan_files() {
	mkdir -p tasks
	cat >tasks/w.sh <<'EOF'
#!/bin/sh
i=$(cat | sed -n 's/.*"at": *"\{0,1\}\([0-9]*\).*/\1/p')
echo "$(date +%s.%N) 1 $i" >>times
sleep 2
echo "$(date +%s.%N) -1 $i" >>times
[ "$i" != 2 ] || [ -e fixed ] || { echo "instance $i fails" >&2; exit 3; }
printf '{"i": %s}' "$i"
EOF
	cat >wf.yaml <<'EOF'
name: fan
tasks:
  src: {executor: process, command: [echo, '{"n": 4}']}
  work:
    executor: process
    command: [sh, tasks/w.sh]
    depends_on: [src]
    parallel: 4
    concurrency: 2
    input: {at: "{{ index }}"}
  join: {executor: process, command: [sh, -c, "cat"], depends_on: [work]}
EOF
}
# fan_out TASK [RUN]: the fan-out task's output (its instances' are
# TASK.KEY.json too): the one that is a list.
fan_out() {
	grep -l "^\[" "$(rundir "${2:-}")/$1".*.json
}
# The most instances that ran at once, by ./times.
max_overlap() {
	sort -n times | awk '{ c += $2; if (c > m) m = c } END { print m + 0 }'
}
for kind in make slurm; do
	project "$kind/fan"
	fan_files
	case $kind in
	make) "$ORKC" wf.yaml -o run.mk ;;
	slurm) "$ORKC" wf.yaml -t slurm -o run.sh ;;
	esac
	: >result
	run_kind $kind
	summarize fan
	touch fixed
	run_kind $kind
	summarize fan
	run_kind $kind
	summarize fan
done
test_expect_success 'fan-out parallel 4, concurrency 2: slurm gives the same result as make' '
	test_cmp "$tmp/make/fan/result" "$tmp/slurm/fan/result"
'
cd "$tmp/slurm/fan"
WF=fan
test_expect_success 'the fan-out task was a job array 0-3%2 and a fan-in job' '
	grep -F "	t_array='"'"'0-3%2'"'"'" run.sh
	grep -Eq "^array work [0-9]+$" "$(rundir)/slurm/jobs"
	grep -Eq "^task work [0-9]+$" "$(rundir)/slurm/jobs"
	grep -q "task work: succeeded" result
	grep -q "task work\[2\]: succeeded, 1 attempts" result
	expect_eq "instances at once" 2 "$(max_overlap)"
	grep -q "\"ev\":\"start\",\"task\":\"work\[0\]\".*\"job\":\"[0-9]*\"" "$(rundir)/journal.jsonl"
	expect_eq output "[{\"i\": 0},{\"i\": 1},{\"i\": 2},{\"i\": 3}]" "$(cat "$(fan_out work)")"
'
test_expect_success 'one failed instance: the task failed, naming it; join skipped' '
	grep -q "invocation 1 ended: .*join=skipped.*work=failed.*work\[2\]=failed" result
	grep -q "1 of 4 instances failed: work\[2\]" "$(rundir)/journal.jsonl"
'
test_expect_success 'resume after the fix runs only the failed instance again' '
	grep -q "^invocation 2 ended: join=succeeded work=succeeded work\[2\]=succeeded$" result
	expect_eq "instances started in invocation 2" 1 \
		"$(grep "\"ev\":\"start\",\"task\":\"work\[" "$(rundir)/journal.jsonl" | grep -c "\"inv\":2")"
'
test_expect_success 'ork status shows the instances of the array' '
	"$ORK" status >st
	grep -Eq "^work\[3\] +succeeded" st
'

# examples/parallel: a foreach over a list known at run time, one job.
for kind in make slurm; do
	project "$kind/example"
	cp -R "$top_srcdir/examples/parallel/." .
	chmod -R u+w .
	rm -f Makefile
	case $kind in
	make) "$ORKC" workflow.yaml -o run.mk ;;
	slurm) "$ORKC" workflow.yaml -t slurm -o run.sh ;;
	esac
	: >result
	run_kind $kind PYTHON="$PYTOOL"
	summarize parallel
	run_kind $kind PYTHON="$PYTOOL"
	summarize parallel
done
test_expect_success 'examples/parallel (foreach): slurm gives the same result as make' '
	test_cmp "$tmp/make/example/result" "$tmp/slurm/example/result"
	grep -q "task aggregate: succeeded" "$tmp/slurm/example/result"
	grep -q "task count\[7\]: succeeded" "$tmp/slurm/example/result"
'

# ---- --wait, resume without resubmitting --------------------------------

project waitcodes
WF=diamond
cp "$src/diamond.yaml" wf.yaml
cp "$src/t.sh" t.sh
"$ORKC" wf.yaml -t slurm -o run.sh
test_expect_success '--wait exits 0 when the run succeeded, after ork end' '
	sh run.sh --wait ORK="$ORK" >out 2>err
	grep -q "succeeded" err
	expect_eq state succeeded "$(jget "$(rundir)/run.json" "d[\"state\"]")"
'
test_expect_success 'without --wait the script prints the job ids and returns at once' '
	sh run.sh RUN_ID=nowait ORK="$ORK" >out
	grep -Eq "^top [0-9]+$" out
	grep -Eq "^end [0-9]+$" out
	end=$(sed -n "s/^end //p" out)
	n=0
	while [ -n "$(squeue -h -j "$end" 2>/dev/null)" ] && [ $n -lt 120 ]; do sleep 0.5; n=$((n + 1)); done
	expect_eq state succeeded "$(jget "$(rundir nowait)/run.json" "d[\"state\"]")"
'
test_expect_success 'submitting a finished run again submits nothing and says so' '
	cp "$(rundir)/slurm/jobs" jobs.before
	sh run.sh --wait ORK="$ORK" >out 2>err
	test ! -s out
	cmp jobs.before "$(rundir)/slurm/jobs"
	grep -q "4 succeeded" err
	expect_eq queued 4 "$(grep -c "\"ev\":\"queued\"" "$(rundir)/journal.jsonl")"
'
project waitfail
cp "$src/failure.yaml" wf.yaml
cp "$src/t.sh" t.sh
"$ORKC" wf.yaml -t slurm -o run.sh
test_expect_success '--wait exits 1 when a task failed, with ork end'"'"'s summary' '
	rc=0
	sh run.sh --wait ORK="$ORK" >out 2>err || rc=$?
	expect_eq status 1 "$rc"
	grep -q "bad: failed (exit status 3)" err
'
test_expect_success 'the journal records every job id; ork status and ork logs work' '
	WF=failure
	grep -q "\"ev\":\"queued\",\"task\":\"bad\",\"inv\":1,\"job\":\"[0-9]*\"" "$(rundir)/journal.jsonl"
	rc=0; "$ORK" status >st || rc=$?
	expect_eq "ork status of a failed or interrupted run" 1 "$rc"
	grep -Eq "^bad +failed +1" st
	grep -Eq "^after_after +skipped" st
	"$ORK" logs failure/default bad >lg
	grep -q "bad fails with 3" lg
'

# ---- resources and timeouts as sbatch options ----------------------------

project resources
WF=res
cat >wf.yaml <<'EOF'
name: res
tasks:
  big:
    executor: process
    command: [sh, -c, 'echo "{\"cpus\": $SLURM_CPUS_PER_TASK}"']
    resources: {cpus: 2, memory: 300M, time: "0:03:00", partition: other}
  quick:
    executor: process
    command: [sh, -c, "sleep 30"]
    timeout: 1
  retried:
    executor: process
    command: [sh, -c, "exit 1"]
    timeout: 50
    retries: 2
    retry_delay: 10
EOF
"$ORKC" wf.yaml -t slurm -o run.sh
test_expect_success 'resources and timeouts become sbatch options in the script' '
	grep -Fx "	t_sbatch='"'"'--time=3 --cpus-per-task=2 --mem=300M --partition=other'"'"'" run.sh
	grep -Fx "	t_sbatch='"'"'--time=1'"'"'" run.sh
	grep -Fx "	t_sbatch='"'"'--time=4'"'"'" run.sh
'
test_expect_success 'a 1 s timeout stops the task in seconds, not at Slurm'"'"'s minute' '
	t0=$(date +%s)
	rc=0
	sh run.sh --wait ORK="$ORK" >out 2>err || rc=$?
	t1=$(date +%s)
	echo "# took $((t1 - t0)) s"
	expect_eq status 1 "$rc"
	test $((t1 - t0)) -lt 45
	grep -q "quick: failed (timed out after 1s)" err
'
test_expect_success 'the jobs got what the resources asked for' '
	id=$(sed -n "s/^task big //p" "$(rundir)/slurm/jobs")
	scontrol show job -o "$id" >job
	grep -q " Partition=other " job
	grep -q " TimeLimit=00:03:00 " job
	grep -q "MinMemoryNode=300M" job
	grep -Eq " (NumCPUs|CPUs/Task)=2 " job
	expect_eq output "{\"cpus\": 2}" "$(cat "$(outf big)")"
	id=$(sed -n "s/^task quick //p" "$(rundir)/slurm/jobs")
	scontrol show job -o "$id" | grep -q " TimeLimit=00:01:00 "
'
test_expect_success 'bad resources are errors at their line and column' '
	cat >bad.yaml <<-EOF
	name: bad
	tasks:
	  a:
	    executor: process
	    command: [true]
	    resources: {cpus: 0, memory: 4X, time: "1:2:3:4", partition: "a b", gpu: 1}
	EOF
	test_must_fail "$ORKC" bad.yaml -t slurm -o bad.sh 2>err
	cat err
	grep -q "bad.yaml:6:23: error: resources: .cpus. must be an integer" err
	grep -q "bad.yaml:6:34: error: resources: .memory." err
	grep -q "bad.yaml:6:44: error: resources: .time." err
	grep -q "bad.yaml:6:66: error: resources: .partition." err
	grep -q "bad.yaml:6:73: error: unknown key .gpu. in resources; did you mean .gpus.?" err
	test ! -e bad.sh
'

project badpart
WF=badpart
cat >wf.yaml <<'EOF'
name: badpart
tasks:
  first: {executor: process, command: [sh, -c, "sleep 318; echo 1"]}
  second:
    executor: process
    command: [sh, -c, "echo 2"]
    depends_on: [first]
    resources: {partition: nosuch}
EOF
"$ORKC" wf.yaml -t slurm -o run.sh
test_expect_success 'sbatch refusing a job: what was submitted is cancelled, the run recorded failed' '
	rc=0
	sh run.sh ORK="$ORK" >out 2>err || rc=$?
	cat out err
	expect_eq status 2 "$rc"
	grep -q "submitting the run failed" err
	test -z "$(squeue -h -n badpart.first)"
	expect_eq state failed "$(jget "$(rundir)/run.json" "d[\"state\"]")"
	refute pgrep -f "sleep 318" >/dev/null
'

# ---- a 50 MB hand-off --------------------------------------------------------

project bigdata
WF=bigdata
mkdir tasks
cat >tasks/gen.sh <<'EOF'
#!/bin/sh
set -e
A=ABCDEFGHIJKLMNOPQRSTUVWXYZ
head -c 50000000 /dev/urandom | tr '\000-\377' "$A$A$A$A$A$A$A$A$A$A" >blob
sha256sum <blob | cut -c1-64 >gen.sha
{ printf '{"blob": "'; cat blob; printf '"}\n'; } 
rm blob
EOF
cat >tasks/use.sh <<'EOF'
#!/bin/sh
tr -cd 'A-Z' | sha256sum | cut -c1-64 >use.sha
printf '{"sha": "%s"}' "$(cat use.sha)"
EOF
cat >wf.yaml <<'EOF'
name: bigdata
tasks:
  gen: {executor: process, command: [sh, tasks/gen.sh]}
  use: {executor: process, command: [sh, tasks/use.sh], depends_on: [gen]}
EOF
"$ORKC" wf.yaml -t slurm -o run.sh
test_expect_success 'a 50 MB output reaches the downstream job intact' '
	sh run.sh --wait ORK="$ORK" >out 2>err
	test -s use.sha
	expect_eq sha "$(cat gen.sha)" "$(cat use.sha)"
	expect_eq output "$(cat gen.sha)" "$(jget "$(outf use)" "d[\"sha\"]")"
'

# ---- queued and running in ork status; cancelling -------------------------

project cancel
WF=slow
cat >wf.yaml <<'EOF'
name: slow
tasks:
  a: {executor: process, command: [sh, -c, "sleep 317; echo 1"]}
  b: {executor: process, command: [sh, -c, "echo 2"], depends_on: [a]}
  c: {executor: process, command: [sh, -c, "echo 3"], depends_on: [b], on_failure: run}
EOF
"$ORKC" wf.yaml -t slurm -o run.sh
test_expect_success 'ork status shows a running task and queued ones' '
	sh run.sh ORK="$ORK" >out
	n=0
	until "$ORK" status >st && grep -Eq "^a +running" st; do
		n=$((n + 1)); test $n -lt 60; sleep 0.5
	done
	cat st
	grep -q "^run default of slow: running" st
	grep -Eq "^b +queued" st
	grep -Eq "^c +queued" st
	"$ORK" status --json | grep -q "\"state\": *\"queued\""
'
test_expect_success 'submitting again while the jobs are there is refused' '
	test_must_fail sh run.sh ORK="$ORK" 2>err
	grep -q "still has jobs in Slurm" err
'
test_expect_success 'make on the same run meanwhile stops at ork begin, naming the end job' '
	"$ORKC" wf.yaml -o run.mk
	test_must_fail make -f run.mk ORK="$ORK" >out 2>&1
	cat out
	grep -q "run default of slow is queued or running in Slurm (end job [0-9]*)" out
'
test_expect_success '--cancel: the run is recorded failed, no task process is left' '
	rc=0
	sh run.sh --cancel --wait ORK="$ORK" >out 2>err || rc=$?
	cat out err
	expect_eq status 1 "$rc"
	rc=0; "$ORK" status >st || rc=$?
	expect_eq "ork status of a failed or interrupted run" 1 "$rc"
	cat st
	grep -q "^run default of slow: failed" st
	grep -Eq "^a +failed .*SIGTERM" st
	grep -Eq "^b +not run" st
	grep -Eq "^c +not run" st
	test -z "$(squeue -h)"
	refute pgrep -f "sleep 317" >/dev/null
'
test_expect_success 'scancel of every job, the end job too: the run is interrupted, not running' '
	sh run.sh RUN_ID=all ORK="$ORK" >out
	ids=$(awk "{print \$2}" out | tr "\n" " ")
	n=0
	until "$ORK" status all >st && grep -Eq "^a +running" st; do
		n=$((n + 1)); test $n -lt 60; sleep 0.5
	done
	scancel $ids
	n=0
	while [ -n "$(squeue -h)" ]; do n=$((n + 1)); test $n -lt 60; sleep 0.5; done
	rc=0; "$ORK" status all >st || rc=$?
	expect_eq "ork status of a failed or interrupted run" 1 "$rc"
	cat st
	grep -q "^run all of slow: interrupted" st
	grep -Eq "^b +not run" st
	refute pgrep -f "sleep 317" >/dev/null
'
test_expect_success 'ork cancel RUN scancels the run'"'"'s jobs: interrupted, nothing left' '
	sh run.sh RUN_ID=oc ORK="$ORK" >out
	n=0
	until "$ORK" status oc >st && grep -Eq "^a +running" st; do
		n=$((n + 1)); test $n -lt 60; sleep 0.5
	done
	"$ORK" cancel oc 2>err
	cat err
	test -z "$(squeue -h)"
	rc=0; "$ORK" status oc >st || rc=$?
	expect_eq "ork status of an interrupted run" 1 "$rc"
	cat st
	grep -q "^run oc of slow: interrupted" st
	grep -Eq "^a +(interrupted|failed) " st
	grep -Eq "^b +not run" st
	grep -Eq "^c +not run" st
	refute pgrep -f "sleep 317" >/dev/null
	test_must_fail "$ORK" cancel oc 2>err
	grep -q "is not running" err
'
test_expect_success 'after a cancel, submitting again resumes the run' '
	sed -i "s/sleep 317; //" wf.yaml
	"$ORKC" wf.yaml -t slurm -o run.sh
	sh run.sh --wait ORK="$ORK" >out 2>err
	"$ORK" status >st
	grep -q "^run default of slow: succeeded (invocation 2" st
'

# ---- the run directory must be shared ----------------------------------------

test_expect_success 'a job that cannot find the run directory fails and says why' '
	sed -n "/^job_script() {/,/^}/p" run.sh >js.sh
	printf "job_script\n" >>js.sh
	sh js.sh >job.sh
	rc=0
	env ORK_HOME=/nonexistent/ork ORK_WORKFLOW=slow ORK_RUN_ID=default \
		ORK_SLURM_CWD="$PWD" ORK_SLURM_TASK=a ORK_SLURM_ORK="$ORK" \
		sh job.sh 2>err || rc=$?
	expect_eq status 2 "$rc"
	grep -q "must be on a filesystem that every node shares" err
'

project fancancel
WF=fc
cat >wf.yaml <<'EOF'
name: fc
tasks:
  work:
    executor: process
    command: [sh, -c, "echo $$ >>pids; exec sleep 316"]
    parallel: 3
  after: {executor: process, command: [echo, "{}"], depends_on: [work]}
EOF
"$ORKC" wf.yaml -t slurm -o run.sh
# wait_pids N: until N instances noted their pid.
wait_pids() {
	n=0
	until [ "$(cat pids 2>/dev/null | wc -l)" -ge "$1" ]; do
		n=$((n + 1)); test $n -lt 120 || return 1; sleep 0.5
	done
}
test_expect_success 'ork cancel of a running job array: every instance stops, none is running or queued' '
	sh run.sh ORK="$ORK" >out
	cat out
	wait_pids 3
	"$ORK" cancel 2>err
	cat err
	test -z "$(squeue -h)"
	for p in $(cat pids); do refute kill -0 "$p" 2>/dev/null; done
	rc=0; "$ORK" status >st || rc=$?
	expect_eq "ork status of an interrupted run" 1 "$rc"
	cat st
	grep -q "^run default of fc: interrupted" st
	refute grep -Eq " (running|queued) " st
	grep -Eq "^work\[1\] +(interrupted|failed) " st
	grep -Eq "^after +not run" st
	refute pgrep -f "sleep 316" >/dev/null
'
test_expect_success 'scancel of the array by hand: the fan-in records the task failed, the run ends' '
	rm -f pids
	sh run.sh RUN_ID=hand ORK="$ORK" >out
	wait_pids 3
	scancel "$(sed -n "s/^array work //p" "$(rundir hand)/slurm/jobs")"
	n=0
	while [ -n "$(squeue -h)" ]; do n=$((n + 1)); test $n -lt 120; sleep 0.5; done
	rc=0; "$ORK" status hand >st || rc=$?
	expect_eq "ork status of a failed run" 1 "$rc"
	cat st
	grep -q "^run hand of fc: failed" st
	grep -Eq "^work +failed " st
	grep -Eq "^after +skipped" st
	refute grep -Eq " (running|queued) " st
	refute pgrep -f "sleep 316" >/dev/null
'
test_expect_success 'after the cancel, submitting again resumes: every instance runs and the task succeeds' '
	sed -i "s/exec sleep 316/true/" wf.yaml
	"$ORKC" wf.yaml -t slurm -o run.sh
	sh run.sh --wait ORK="$ORK" >out 2>err
	"$ORK" status >st
	grep -q "^run default of fc: succeeded (invocation 2" st
	expect_eq output "[null,null,null]" "$(tr -d " \n" <"$(fan_out work)")"
'

finish
