#!/bin/sh
# The library executor's cost per task (runtime/library.h), beside a
# process task running a C binary and a no-op process (`true`): N
# independent tasks of each kind, run by orkc's Makefile, median wall
# time of REPEATS runs, divided by N.  Not part of make check.
#
#   bench/library.sh [-j N] [-r REPEATS] [-n TASKS]
#
# ORKC and ORK name the binaries (default: the build tree, else PATH); CC
# builds the task's shared object and binary (default cc).
set -eu
LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
jobs=2
repeats=5
n=200
while getopts j:r:n: opt; do
	case $opt in
	j) jobs=$OPTARG ;;
	r) repeats=$OPTARG ;;
	n) n=$OPTARG ;;
	*) echo "usage: $0 [-j N] [-r REPEATS] [-n TASKS]" >&2; exit 2 ;;
	esac
done

bin() {  # NAME: the build tree's binary, else the one on PATH
	if [ -x "${BUILD:-$top}/$1" ]; then echo "${BUILD:-$top}/$1"; else command -v "$1"; fi
}
ORKC=${ORKC:-$(bin orkc)}
ORK=${ORK:-$(bin ork)}
CC=${CC:-cc}
export ORK

work=$(mktemp -d "${TMPDIR:-/tmp}/orkc-bench-lib.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"

# The same work both ways: return {"n": <input length>}.
cat >task.c <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *ork_task_run(const char *input)
{
	char *out = malloc(32);
	snprintf(out, 32, "{\"n\": %zu}", strlen(input));
	return out;
}

void ork_task_free(char *p)
{
	free(p);
}

#ifdef MAIN
int main(void)
{
	char *out = ork_task_run(getenv("ORK_INPUT_JSON"));
	puts(out);
	ork_task_free(out);
	return 0;
}
#endif
EOF
"$CC" -O2 -shared -fPIC -o libtask.so task.c
"$CC" -O2 -DMAIN -o task task.c

workflow() {  # KIND EXECUTOR-AND-COMMAND
	{
		echo "name: $1"
		echo "tasks:"
		i=1
		while [ "$i" -le "$n" ]; do
			printf '  t%05d: {%s}\n' "$i" "$2"
			i=$((i + 1))
		done
	} >"$1.yaml"
	"$ORKC" "$1.yaml" -o "$1.mk"
}
workflow library 'executor: library, file: libtask.so'
workflow binary 'executor: process, command: ["./task"]'
workflow noop 'executor: process, command: ["true"]'

median() {  # MAKEFILE: median seconds of $repeats runs
	i=0
	: >times
	while [ "$i" -lt "$repeats" ]; do
		rm -rf .ork
		t0=$(date +%s.%N)
		make -s -j"$jobs" -f "$1" >/dev/null 2>&1 || { echo "bench: make -f $1 failed" >&2; exit 1; }
		t1=$(date +%s.%N)
		echo "$t1 $t0" | awk '{ printf "%.6f\n", $1 - $2 }' >>times
		i=$((i + 1))
	done
	sort -n times | awk '{a[NR]=$1} END{printf "%.3f", a[int((NR+1)/2)]}'
}

echo "$n independent tasks, make -j$jobs, median of $repeats runs"
for kind in library binary noop; do
	t=$(median "$kind.mk")
	printf '%-8s %7ss   %6.2f ms per task\n' "$kind" "$t" \
		"$(echo "$t $n" | awk '{ print $1 * 1000 / $2 }')"
done
