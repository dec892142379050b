#!/bin/sh
# bench/bench.sh still runs and reports as README's "Performance" says:
# one repeat of W2 (a 200-task chain) under make and the sh script, each
# ratio against the hand-written Makefile, the make row ending with its
# goal and whether it is met, then the count of goals and why each missed
# one misses.  No figure is checked: speed is measured, not tested.
# shellcheck disable=SC1091,SC2016,SC2154 # lib found at run time; bodies single-quoted
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

command -v make >/dev/null 2>&1 || skip_all "no make"
cd "$tmp" || exit 1

test_expect_success 'bench/bench.sh -r 1 W2 runs and leaves nothing behind' '
	TMPDIR=$tmp BUILD=$top_builddir PEERS= SHELLS=sh \
		sh "$top_srcdir/bench/bench.sh" -r 1 W2 >out 2>err &&
	cat out &&
	test ! -s err &&
	set -- "$tmp"/orkc-bench.* && test ! -e "$1"
'

test_expect_success 'the make row: a ratio, then the goal and a verdict' '
	grep -Eq "^W2   orkc +[0-9.]+s   hand-written +[0-9.]+s   ratio [0-9.]+x   goal <= 1\.0: (met|MISSED)\$" out
'

test_expect_success 'the sh row: a ratio against both, no goal of its own' '
	grep -Eq "^W2   sh +[0-9.]+s   hand-written +[0-9.]+s   ratio [0-9.]+x   \([0-9.]+x make backend; [a-z]+\)\$" out
'

test_expect_success 'the summary counts the one goal and explains a miss' '
	grep -Eq "^goals: (1 met, 0 missed|0 met, 1 missed)\$" out &&
	if grep -q "MISSED" out; then
		grep -Eq "^  W2 \([0-9.]+ > 1\.0\): a task is two process starts" out
	else
		test "$(grep -c "^  " out)" = 0
	fi
'

test_expect_success 'a run that fails stops the bench, naming the command' '
	BUILD=$top_builddir && export BUILD &&
	ORK=/nonexistent/ork && export ORK &&
	test_must_fail env TMPDIR="$tmp" PEERS= SHELLS=sh \
		sh "$top_srcdir/bench/bench.sh" -r 1 W2 >outf 2>errf &&
	grep -q "^bench: command failed: make -s -j2 -f run.mk\$" errf &&
	refute grep -q "^W2 " outf
'

test_expect_success 'an unknown benchmark is refused' '
	BUILD=$top_builddir && export BUILD &&
	test_must_fail sh "$top_srcdir/bench/bench.sh" -r 1 W9 >out9 2>err9 &&
	grep -q "^bench: unknown benchmark .W9.\$" err9
'

finish
