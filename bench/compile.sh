#!/bin/sh
# Compile-time benchmark: orkc on generated chain workflows, to see that the
# compiler stays linear.  A chain of N process tasks, each depending on the
# one before; the "refs" variant adds `when: tasks.PREV.output.x > 0` to
# every task, so every task's expression names an upstream task.  Prints
# the best of REPEATS runs of `orkc -o /dev/null` in ms, and the ratio of
# the refs variant to the plain one (about 1 when the name checks are
# linear).  Not a test: nothing here passes or fails.
#
#   bench/compile.sh [-r REPEATS]
#
# ORKC names the binary (default: the build tree's, else PATH's).
set -eu
LC_ALL=C
export LC_ALL

repeats=3
while getopts r: opt; do
	case $opt in
	r) repeats=$OPTARG ;;
	*) echo "usage: $0 [-r REPEATS]" >&2; exit 2 ;;
	esac
done

if [ -z "${ORKC:-}" ]; then
	for b in "${top_builddir:-}/orkc" /tmp/build-*/orkc; do
		[ -x "$b" ] && { ORKC=$b; break; }
	done
	ORKC=${ORKC:-orkc}
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# chain N FILE REFS: REFS "when" adds the when: line, "first" refers to
# the first task from every task (the longest upstream search), "" none.
chain() {
	awk -v n="$1" -v refs="$3" 'BEGIN {
		print "name: chain\ntasks:"
		for (i = 0; i < n; i++) {
			printf "  t%d:\n    executor: process\n    command: [\"true\"]\n", i
			if (i > 0) {
				printf "    depends_on: [t%d]\n", i - 1
				if (refs == "when")
					printf "    when: tasks.t%d.output.x > 0\n", i - 1
				else if (refs == "first")
					printf "    when: tasks.t0.output.x > 0\n"
			}
		}
	}' >"$2"
}

# best of $repeats, in ms
best_ms() {
	best=
	i=0
	while [ "$i" -lt "$repeats" ]; do
		t0=$(date +%s%N)
		"$ORKC" -o /dev/null "$1"
		t1=$(date +%s%N)
		ms=$(( (t1 - t0) / 1000000 ))
		if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
		i=$((i + 1))
	done
	echo "$best"
}

run() {
	n=$1
	chain "$n" "$tmp/plain.yaml" ""
	chain "$n" "$tmp/when.yaml" when
	chain "$n" "$tmp/first.yaml" first
	a=$(best_ms "$tmp/plain.yaml")
	b=$(best_ms "$tmp/when.yaml")
	c=$(best_ms "$tmp/first.yaml")
	printf '%7d tasks: plain %6d ms  when-prev %6d ms (x%s)  when-first %6d ms (x%s)\n' \
		"$n" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / (a ? a : 1) }')" \
		"$c" "$(awk -v a="$a" -v c="$c" 'BEGIN { printf "%.2f", c / (a ? a : 1) }')"
}

echo "orkc: $ORKC"
run 4000
run 100000
