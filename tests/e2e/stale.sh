#!/bin/sh
# End to end: no stale plan.  When the workflow file is newer than the
# artifact, make and sh stop before anything runs, with status 2 and
# "ork: ART is older than WF: run orkc WF -o ART" (ART as it was started,
# WF in full when the artifact runs in another directory than it was
# started in); an artifact whose
# workflow file is not where it runs (moved) runs without a word.  A
# workflow path with spaces and make-special characters works under make
# (the Makefile's own path must be plain: letters, digits, ._/+-).
# shellcheck disable=SC1091,SC2016,SC2034,SC2154 # lib found at run time; bodies single-quoted
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

WF=stale
# A make of its own, not a sub-make of make check.
unset MAKEFLAGS MFLAGS MAKELEVEL

write_wf() {  # FILE
	printf 'name: stale\ntasks:\n  a:\n    executor: process\n    command: [echo, "{}"]\n' >"$1"
}

# age FILE: a day old, so that anything touched now is newer.
age() {
	touch -d '@'"$(($(date +%s) - 86400))" "$1"
}

check_backend() {  # BACKEND WF ART
	backend=$1 wf=$2 art=$3
	project "$backend-$(echo "$wf" | tr -c 'a-z\n' _)"
	mkdir -p "$(dirname "$wf")" "$(dirname "$art")"
	write_wf "$wf"
	"$ORKC" "$wf" -o "$art"
	case $backend in
	make) run() { make -f "$art" ORK="$ORK" "$@"; } ;;
	sh) run() { sh "$art" ORK="$ORK" "$@"; } ;;
	esac
	test_expect_success "$backend [$wf]: a fresh artifact runs" '
		run >run1.out 2>&1 && grep "1 succeeded" run1.out
	'
	test_expect_success "$backend [$wf]: a newer workflow stops it before anything runs, status 2" '
		rm -rf .ork && age "$art" && touch "$wf" &&
		rc=0 && run >run2.out 2>&1 || rc=$? &&
		expect_eq status 2 "$rc" &&
		grep -F "$art is older than " run2.out &&
		grep -F "$wf: run orkc " run2.out && grep -F "$wf -o " run2.out &&
		{ grep -F " -o $art" run2.out || grep -F -- "-o /" run2.out | grep -F "/$art"; } &&
		test ! -e .ork
	'
	test_expect_success "$backend [$wf]: under -n too" '
		rc=0 && run -n >run3.out 2>&1 || rc=$? &&
		expect_eq status 2 "$rc" &&
		grep -F "is older than" run3.out
	'
	test_expect_success "$backend [$wf]: running orkc again makes it run" '
		"$ORKC" "$wf" -o "$art" && run >run4.out 2>&1 &&
		grep "1 succeeded" run4.out
	'
	test_expect_success "$backend [$wf]: a moved artifact (no workflow where it runs) runs" '
		mkdir -p moved && cp "$art" moved/ && cd moved &&
		rm -rf .ork && run_moved >moved.out 2>&1 && grep "1 succeeded" moved.out
	'
}

run_moved() {
	case $backend in
	make) make -f "$(basename "$art")" ORK="$ORK" ;;
	sh) sh "$(basename "$art")" ORK="$ORK" ;;
	esac
}

check_backend make wf.yaml run.mk
check_backend sh wf.yaml run.sh
check_backend make 'flows/my wf$#(x).yaml' 'out/run-1.mk'
check_backend sh 'flows/my wf$#(x).yaml' 'out dir/run.sh'

project oddname
test_expect_success 'make: a Makefile with an odd name is not checked, and runs' '
	write_wf wf.yaml && "$ORKC" wf.yaml -o "a b.mk" && age "a b.mk" && touch wf.yaml &&
	make -f "a b.mk" ORK="$ORK" >out 2>&1 && grep "1 succeeded" out
'

project nosh
test_expect_success 'sh: a script read from standard input is not checked' '
	write_wf wf.yaml && "$ORKC" wf.yaml -o run.sh && age run.sh && touch wf.yaml &&
	sh -s ORK="$ORK" <run.sh >out 2>&1 && grep "1 succeeded" out
'

finish
