#!/bin/sh
# Conformance: every workflow of tests/conformance/ runs through every
# backend, and what a user can observe must be the same: each task's
# state, attempts, reason and exit, the input and output files byte for
# byte, which tasks ran in which invocation, the run's state, what -n
# shows, and whether the artifact failed.  make -j4 is the reference.
#
# A backend joins by adding one line to BACKENDS (and, for a new kind of
# artifact, a case to compile_for and run_for).  A backend whose program
# is not installed is reported as skipped, and the script then exits 77
# (SKIP), never as a pass.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

# NAME  KIND  PROGRAM: how each backend runs an artifact.  yash keeps
# strings as wide characters and cannot read a script with UTF-8 text
# (the hostile workflow's) in the C locale that the tests run in.
BACKENDS='
make        make  make
sh-dash     sh    dash
sh-bash     sh    bash
sh-posix    sh    bash --posix
sh-busybox  sh    busybox sh
sh-mksh     sh    mksh
sh-yash     sh    env LC_ALL=C.UTF-8 yash
sh-posh     sh    posh
'
JOBS=4
# Under `make check`, the outer make's flags would reach the make backend
# (jobserver warnings, "Entering directory" lines in what -n prints).
unset MAKEFLAGS MFLAGS MAKELEVEL
src=$top_srcdir/tests/conformance
WORKFLOWS='diamond fanin chain failure retries timeout resume hostile branching fanout'

compile_for() {  # KIND: compile wf.yaml into this backend's artifact
	case $1 in
	make) "$ORKC" wf.yaml -o run.mk ;;
	sh) "$ORKC" wf.yaml -o run.sh ;;
	esac
}

# run_for KIND PROGRAM... -- ARGS: run the artifact; status in $rc, output
# in run.out.  PROGRAM is split on purpose ("busybox sh").
run_for() {
	_kind=$1
	shift
	_prog=
	while [ "$1" != -- ]; do _prog="$_prog $1"; shift; done
	shift
	rc=0
	case $_kind in
	# shellcheck disable=SC2086
	make) $_prog -j$JOBS -f run.mk ORK="$ORK" "$@" >run.out 2>&1 || rc=$? ;;
	# shellcheck disable=SC2086
	sh) $_prog run.sh -j $JOBS ORK="$ORK" "$@" >run.out 2>&1 || rc=$? ;;
	esac
}

# The observable result of the run so far, as text.
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
summarize() {  # WF: append the run's observable state to result
	{
		echo "artifact: $(exit_class "$rc")"
		# A run that left no readable state is a difference to show,
		# not a reason for set -e to end the whole suite unexplained.
		"$PYTOOL" -c "$_summary_py" ".ork/$1/default" ||
			echo "no readable run state (status $?)"
	} >>result 2>&1
}

# make exits 2 for a failed recipe, the sh script 1 (ork end's status):
# both say "failed".  128+N (a signal) and 0 must match exactly.
exit_class() {
	case $1 in
	0) echo ok ;;
	1|2) echo failed ;;
	*) echo "status $1" ;;
	esac
}

# dry KIND PROGRAM...: what -n would run, with the ork path left out, and
# where ork end reads the task names (the Makefile: a file it writes; the
# script: standard input) said the same way.
dry() {
	run_for "$@" -n
	echo "dry run ($(exit_class "$rc")):" >>result
	sed -e "s|^$ORK |ork |" -e 's|^ork end --tasks .*|ork end --tasks LIST|' \
		run.out >>result
}

# scenario WF KIND PROGRAM...: run the workflow as a user would; the
# result file gathers everything observable.
scenario() {
	_wf=$1
	shift
	: >result
	case $_wf in
	resume)
		dry "$@" --
		run_for "$@" --
		summarize "$_wf"
		touch fixed
		dry "$@" --
		run_for "$@" --
		summarize "$_wf"
		dry "$@" --
		# a's output newer than c's (c's made older: a time in the
		# future would make make warn): c runs again, a does not.
		"$PYTOOL" -c 'import glob, os
a, = glob.glob(".ork/resume/default/a." + "?" * 16 + ".json")
c, = glob.glob(".ork/resume/default/c." + "?" * 16 + ".json")
t = os.stat(a).st_mtime - 1
os.utime(c, (t, t))'
		dry "$@" --
		run_for "$@" --
		summarize "$_wf" ;;
	*)
		run_for "$@" --
		summarize "$_wf"
		# Run again: everything that succeeded is up to date.
		dry "$@" -- ;;
	esac
	if [ -n "$(find . -name pwned)" ]; then
		echo "a hostile string ran as code: pwned exists" >>result
	fi
}

# have PROGRAM...: the backend's program is installed.
have() {
	while [ "$1" = env ] || [ "${1%%=*}" != "$1" ]; do shift; done
	case $1 in
	busybox) busybox sh -c : 2>/dev/null ;;
	*) command -v "$1" >/dev/null 2>&1 ;;
	esac
}

missing=
echo "$BACKENDS" | while read -r name kind prog; do
	if [ -n "$name" ]; then echo "$name $kind $prog"; fi
done >"$tmp/backends"

while read -r name kind prog; do
	# shellcheck disable=SC2086
	if ! have $prog; then
		skip "$name: $prog is not installed"
		missing="$missing $name"
		continue
	fi
	for wf in $WORKFLOWS; do
		project "$name/$wf"
		cp "$src/$wf.yaml" wf.yaml
		cp "$src/t.sh" t.sh
		if ! compile_for "$kind" 2>compile.err; then
			fail "$name $wf: orkc failed: $(cat compile.err)"
			continue
		fi
		# shellcheck disable=SC2086
		scenario "$wf" "$kind" $prog
		if [ "$name" = make ]; then
			cp result "$tmp/$wf.expected"
			# The reference itself must show the workflow's point.
			pass "$name $wf: reference result"
		elif diff -u "$tmp/$wf.expected" result >diff.out; then
			pass "$name $wf: same as make"
		else
			sed 's/^/#   /' diff.out | head -40
			fail "$name $wf: differs from make"
		fi
	done
done <"$tmp/backends"

# The reference results must be what the workflows are about, or a
# backend that does nothing would agree with a make that does nothing.
expect_ref() {  # WF PATTERN
	if grep -F -e "$2" "$tmp/$1.expected" >/dev/null; then
		pass "reference $1 has: $2"
	else
		sed 's/^/#   /' "$tmp/$1.expected" | head -30
		fail "reference $1 lacks: $2"
	fi
}
expect_ref diamond 'task bottom: succeeded, 1 attempts'
expect_ref fanin 'task join: succeeded, 1 attempts'
expect_ref chain 'task c50: succeeded, 1 attempts'
expect_ref failure 'task after_after: skipped'
expect_ref failure 'task cleanup: succeeded'
expect_ref failure 'task bad: failed, 1 attempts'
expect_ref failure 'artifact: failed'
expect_ref retries 'task flaky: succeeded, 3 attempts'
expect_ref retries 'task hopeless: failed, 3 attempts'
expect_ref retries 'task picky: failed, 1 attempts'
expect_ref retries 'task picky75: failed, 2 attempts'
expect_ref timeout 'task slow_retry: failed, 2 attempts'
expect_ref timeout 'task after: succeeded'
expect_ref resume 'invocation 2 ended: b=succeeded fix=succeeded'
expect_ref resume 'invocation 3 ended: c=succeeded'
expect_ref hostile 'task join: succeeded'
expect_ref fanout 'task each[2]: succeeded'
expect_ref fanout 'task join: succeeded'
expect_ref fanout 'task broken: failed, 1 attempts, reason '"'"'2 of 2 instances failed: broken[0], broken[1]'"'"
expect_ref fanout 'task after_broken: skipped'
for f in "$tmp"/*.expected; do
	if grep -q 'pwned exists' "$f"; then
		fail "$(basename "$f" .expected): a hostile string ran as code"
	fi
done

if [ "$nfail" = 0 ] && [ -n "$missing" ]; then
	echo "$npass passed, 0 failed; SKIP: not installed:$missing"
	exit 77
fi
finish
