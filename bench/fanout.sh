#!/bin/sh
# Benchmark F1: the per-instance cost of a fan-out.  The same 10,000 no-op
# process runs three ways, make -jN each time:
#   foreach   one task with `foreach:` over a 10,000-item list
#   static    10,000 tasks written out in the workflow (and joins)
#   hand      a hand-written Makefile: `true; touch` per target
# Prints the median wall time of each, the time per instance or task, and
# the ratios foreach/static (goal: no more than 1) and foreach/hand.
#
#   bench/fanout.sh [-j N] [-r REPEATS] [-n ITEMS]
#
# ORKC and ORK name the binaries (default: the build tree, else PATH).
# ORK_FSYNC=0 unless set: the fsyncs are the same for both and would only
# measure the disk.
set -eu
LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
jobs=2 repeats=3 n=10000
while getopts j:r:n: opt; do
	case $opt in
	j) jobs=$OPTARG ;;
	r) repeats=$OPTARG ;;
	n) n=$OPTARG ;;
	*) echo "usage: $0 [-j N] [-r REPEATS] [-n ITEMS]" >&2; exit 2 ;;
	esac
done

bin() {  # NAME: the build tree's binary, else the one on PATH
	if [ -x "${BUILD:-$top}/$1" ]; then echo "${BUILD:-$top}/$1"; else command -v "$1"; fi
}
ORKC=${ORKC:-$(bin orkc)}
ORK=${ORK:-$(bin ork)}
ORK_FSYNC=${ORK_FSYNC:-0}
export ORK ORK_FSYNC

work=$(mktemp -d "${TMPDIR:-/tmp}/orkc-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"

median() {  # CMD...: median wall seconds over $repeats runs, rm -rf .ork stamps before each
	i=0
	: >times
	while [ $i -lt "$repeats" ]; do
		rm -rf .ork stamps
		t0=$(date +%s.%N)
		"$@" >/dev/null 2>&1 || { echo "bench: command failed: $*" >&2; exit 1; }
		t1=$(date +%s.%N)
		echo "$t1 $t0" | awk '{ printf "%.6f\n", $1 - $2 }' >>times
		i=$((i + 1))
	done
	sort -n times | awk '{a[NR]=$1} END{printf "%.3f", a[int((NR+1)/2)]}'
}

{
	echo "name: foreach"
	echo "tasks:"
	echo "  discover:"
	echo "    executor: process"
	echo "    command: [\"sh\", \"-c\", \"cat >/dev/null; seq -s, 1 $n | sed 's/.*/{\\\\\"items\\\\\": [&]}/'\"]"
	echo "  each: {executor: process, command: [\"true\"], depends_on: [discover], foreach: discover.items}"
	echo "  join: {executor: process, command: [\"true\"], depends_on: [each]}"
} >foreach.yaml
# The static join goes through a join per 100 tasks: a task's spec lists
# its upstream tasks with their keys, and 10,000 of them would not fit the
# 128 KiB an environment string may hold (orkc says so and stops).
awk -v n="$n" 'BEGIN {
	print "name: static"; print "tasks:"
	for (i = 1; i <= n; i++) printf "  t%d: {executor: process, command: [\"true\"]}\n", i
	ng = int((n + 99) / 100)
	for (g = 1; g <= ng; g++) {
		printf "  g%d: {executor: process, command: [\"true\"], depends_on: [", g
		for (i = (g - 1) * 100 + 1; i <= n && i <= g * 100; i++)
			printf "%st%d", (i > (g - 1) * 100 + 1 ? ", " : ""), i
		print "]}"
	}
	printf "  join: {executor: process, command: [\"true\"], depends_on: ["
	for (g = 1; g <= ng; g++) printf "%sg%d", (g > 1 ? ", " : ""), g
	print "]}"
}' >static.yaml
awk -v n="$n" 'BEGIN {
	print "S := stamps"; print "all: $(S)/join"
	printf "T :="; for (i = 1; i <= n; i++) printf " $(S)/t%d", i; print ""
	printf "$(T): | $(S)\n\ttrue\n\ttouch $@\n"
	printf "$(S)/join: $(T)\n\ttrue\n\ttouch $@\n"
	printf "$(S):\n\tmkdir -p $@\n"
}' >hand.mk
"$ORKC" foreach.yaml -o foreach.mk
"$ORKC" static.yaml -o static.mk

f=$(median make -s -j"$jobs" -f foreach.mk)
s=$(median make -s -j"$jobs" -f static.mk)
h=$(median make -s -j"$jobs" -f hand.mk)
per() { echo "$1 $n" | awk '{ printf "%.2f", 1000 * $1 / $2 }'; }
ratio() { echo "$1 $2" | awk '{ printf "%.2f", ($2 > 0 ? $1 / $2 : 0) }'; }
printf 'F1 foreach %8ss  %s ms/instance\n' "$f" "$(per "$f")"
printf 'F1 static  %8ss  %s ms/task\n' "$s" "$(per "$s")"
printf 'F1 hand    %8ss  %s ms/target\n' "$h" "$(per "$h")"
printf 'F1 ratio foreach/static %sx, foreach/hand %sx (make -j%s, %s items)\n' \
	"$(ratio "$f" "$s")" "$(ratio "$f" "$h")" "$jobs" "$n"
