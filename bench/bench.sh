#!/bin/sh
# shellcheck disable=SC2016 # make and ninja text is written literally
# Benchmarks: orkc's generated Makefile against a hand-written Makefile
# doing the same work, on the same machine, in the same run.  Prints times
# and ratios (orkc / hand-written); lower is better, 1.0 is parity.
#
#   bench/bench.sh [-j N] [-r REPEATS] [W1 W2 W3 C1 ...]
#
# ORKC and ORK name the binaries (default: the build tree, else PATH).
# W1 and W2 also run the sh backend's script (sh -j N) under each shell
# of SHELLS (default: sh), against the same hand-written Makefile.
#   W1  1000 independent no-op process tasks and a join
#   W2  a chain of 200 no-op tasks
#   W3  one task hands a 100 MB output to one downstream task
#   C1  compile time of generated 1k, 10k and 100k-task workflows, and
#       orkc's peak RSS at 100k tasks
#   P1  a chain of 20 python tasks against 20 runs of `python3 -c pass`
#   M1  peak RSS of ork exec on a 1 MB and a 1 GB output (should be flat)
#
# A row with a goal of the performance issue ends with it and whether it
# is met; the last lines count them and say why each missed one misses.
#
# W1 and W2 also time ninja on the same work (a build.ninja with stamp
# files) and, for W1, Snakemake and doit where installed; their ratios are
# against the same hand-written Makefile.  PEERS (default "ninja snakemake
# doit") names the ones to time.
set -eu
LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
jobs=2
repeats=5
while getopts j:r: opt; do
	case $opt in
	j) jobs=$OPTARG ;;
	r) repeats=$OPTARG ;;
	*) echo "usage: $0 [-j N] [-r REPEATS] [W1 W2 W3 C1 P1 M1]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- W1 W2 W3 C1 P1

bin() {  # NAME: the build tree's binary, else the one on PATH
	if [ -x "${BUILD:-$top}/$1" ]; then echo "${BUILD:-$top}/$1"; else command -v "$1"; fi
}
ORKC=${ORKC:-$(bin orkc)}
ORK=${ORK:-$(bin ork)}
export ORK

work=$(mktemp -d "${TMPDIR:-/tmp}/orkc-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# aside PATH...: move the previous repeat's files out of the way, into
# $work (removed at exit), rather than delete them.  On ext4 without a
# journal (this project's VM) a new file's inode is not taken from those
# freed recently (until their inode table block is written back, some 30
# seconds), and each one skipped costs a lookup: an rm -rf of thousands
# of files just before a run makes that run's creates slower, and more so
# for the side that creates more files.  Users do not delete a run's
# files just before the next run.
aside() {
	_to=''
	for _p; do
		[ -e "$_p" ] || continue
		[ -n "$_to" ] || _to=$(mktemp -d "$work/aside.XXXXXX")
		mv "$_p" "$_to/"
	done
}

# once TIMES CMD...: $prepare (not timed), then CMD..., whose wall time
# in seconds is appended to the file TIMES.
once() {
	_f=$1
	shift
	eval "$prepare"
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>&1 || { echo "bench: command failed: $*" >&2; exit 1; }
	t1=$(date +%s.%N)
	echo "$t1 $t0" | awk '{ printf "%.6f\n", $1 - $2 }' >>"$_f"
}

middle() {  # TIMES: the median of the times in the file
	sort -n "$1" | awk '{a[NR]=$1} END{printf "%.3f", a[int((NR+1)/2)]}'
}

# Median wall time in seconds of running "$@" $repeats times.
median() {
	: >"$work/times"
	i=0
	while [ $i -lt "$repeats" ]; do
		once "$work/times" "$@"
		i=$((i + 1))
	done
	middle "$work/times"
}

# medians A B: "MEDIAN_A MEDIAN_B RATIO" for the commands A and B (each a
# string of words), run in turn, A B A B...: when the machine's speed
# drifts during the bench (this VM's moves by a third within minutes),
# both see the drift.  RATIO is the median of the pairs' A/B, which the
# drift moves least.
medians() {
	: >"$work/ta"
	: >"$work/tb"
	i=0
	while [ $i -lt "$repeats" ]; do
		# shellcheck disable=SC2086 # the words of a command
		once "$work/ta" $1
		# shellcheck disable=SC2086
		once "$work/tb" $2
		i=$((i + 1))
	done
	paste "$work/ta" "$work/tb" | awk '{ printf "%.6f\n", ($2 > 0 ? $1 / $2 : 0) }' >"$work/tr"
	echo "$(middle "$work/ta") $(middle "$work/tb") $(middle "$work/tr" | awk '{ printf "%.2f", $1 }')"
}

# peer TOOL: whether to time TOOL too: installed and named in $PEERS
# (default: every peer; PEERS=ninja skips Snakemake's minutes per run).
peer() {
	case " ${PEERS-ninja snakemake doit} " in *" $1 "*) ;; *) return 1 ;; esac
	command -v "$1" >/dev/null 2>&1
}

ratio() { echo "$1 $2" | awk '{ printf "%.2f", ($2 > 0 ? $1 / $2 : 0) }'; }

# report_peer NAME TOOL TIME HAND_TIME: another tool on the same work.
report_peer() {
	printf '%-4s %-6s %6ss   hand-written %7ss   ratio %sx\n' "$1" "$2" "$3" "$4" "$(ratio "$3" "$4")"
}

# ninja_file STAMP_RULES...: a build.ninja from "OUT: INPUTS" lines on stdin,
# each edge running `true` and touching its stamp.
ninja_file() {
	printf 'rule run\n  command = true && touch $out\n'
	while IFS=: read -r out ins; do
		printf 'build %s: run%s\n' "$out" "$ins"
	done
}

report() {  # NAME ORKC_TIME HAND_TIME [RATIO]: RATIO, else the times'
	r=${4:-$(ratio "$2" "$3")}
	printf '%-4s orkc %7ss   hand-written %7ss   ratio %sx' "$1" "$2" "$3" "$r"
	verdict "$1" "$r"
}

# The performance issue's goals, and why a row misses its own where the
# notes found out (README, "Performance").  A row is met when its ratio
# (seconds for C1) is at most the goal.
goal_of() {  # ROW: the goal, or nothing for a row without one
	case $1 in
	W1 | W2) echo 1.0 ;;
	W3) echo 1.2 ;;
	P1) echo 1.05 ;;
	W1/dash) echo 1.2 ;;
	W1/bash) echo 1.5 ;;
	C1) echo 0.5 ;;
	esac
}
why_missed() {  # ROW
	case $1 in
	W1 | W2) echo "a task is two process starts, as in the hand-written recipe, plus ork exec's files, lock and journal lines (DESIGN.md, \"What each run file costs\")" ;;
	W1/*) echo "what W1 under make misses by (ork exec's files, lock and journal lines per task), plus the scheduler's shell code, which costs bash more than dash" ;;
	W3) echo "ext4 cannot share blocks: the consumer's input copies the 100 MB, and ork end's syncfs writes both to disk (XFS and btrfs share them)" ;;
	P1) echo "ork exec (about 1 ms), the runner's import (1.1 ms), the function's own module and the JSON in and out, none of which python3 -c pass does (with pyenv's python, whose start leaves more for the exit to walk, the runner's gc.freeze makes up for them)" ;;
	C1) echo "libyaml's own parse of the 10 MB workflow is 0.30-0.45 s of it, orkc's tree, checks and plan 0.4-0.6 s more (orkc --check: 0.7-1.1 s), and writing the 62 MB Makefile about 0.3 s" ;;
	esac
}
met=0
missed=0
: >"$work/missed"
verdict() {  # ROW VALUE: ends the row's line with its goal and whether met
	g=$(goal_of "$1")
	if [ -z "$g" ]; then
		echo
	elif awk -v v="$2" -v g="$g" 'BEGIN { exit !(v <= g) }'; then
		met=$((met + 1))
		echo "   goal <= $g: met"
	else
		missed=$((missed + 1))
		echo "   goal <= $g: MISSED"
		echo "  $1 ($2 > $g): $(why_missed "$1")" >>"$work/missed"
	fi
}

# against_hand ROW [ARG...]: orkc's Makefile (make ARG...) and hand.mk in
# turn, reported as ROW; a and b get their median times.
against_hand() {
	_row=$1
	shift
	# shellcheck disable=SC2046 # three numbers
	set -- $(medians "make -s -j$jobs -f run.mk $*" "make -s -j$jobs -f hand.mk")
	[ $# = 3 ] || exit 1   # a command failed, and said so
	a=$1 b=$2
	report "$_row" "$a" "$b" "$3"
}

run_busybox() { busybox sh "$@"; }

# report_sh NAME MAKE_TIME: the same workflow's run.sh under each shell of
# $SHELLS, against the hand-written Makefile (run in turn with it) and
# orkc's Makefile (MAKE_TIME).
report_sh() {
	"$ORKC" "$(echo "$1" | tr W w).yaml" -o run.sh
	for sh in ${SHELLS:-sh}; do
		command -v "$sh" >/dev/null 2>&1 || { echo "$1   sh: $sh is not installed"; continue; }
		case $sh in busybox) run=run_busybox ;; *) run=$sh ;; esac
		# shellcheck disable=SC2046 # two numbers
		set -- "$1" "$2" $(medians "$run run.sh -j $jobs" "make -s -j$jobs -f hand.mk")
		[ $# = 5 ] || exit 1
		t=$3
		printf '%-4s sh   %7ss   hand-written %7ss   ratio %sx   (%sx make backend; %s)' \
			"$1" "$t" "$4" "$5" "$(ratio "$t" "$2")" "$sh"
		case $(readlink -f "$(command -v "$sh")") in
		*/dash) row=dash ;; */bash) row=bash ;; *) row=$sh ;;
		esac
		verdict "$1/$row" "$5"
	done
}

# ---- W1: wide --------------------------------------------------------------
w1() {
	d=$work/w1 && mkdir -p "$d" && cd "$d"
	{
		echo "name: w1"
		echo "tasks:"
		i=1
		while [ $i -le 1000 ]; do
			printf '  t%04d: {executor: process, command: ["true"]}\n' $i
			i=$((i + 1))
		done
		printf '  join:\n    executor: process\n    command: ["true"]\n    depends_on: ['
		i=1
		while [ $i -le 1000 ]; do
			[ $i -gt 1 ] && printf ', '
			printf 't%04d' $i
			i=$((i + 1))
		done
		printf ']\n'
	} >w1.yaml
	"$ORKC" w1.yaml -o run.mk
	{
		echo "# Hand-written: one stamp file per task."
		echo "S := stamps"
		printf 'all: $(S)/join\n'
		printf 'T :='
		i=1
		while [ $i -le 1000 ]; do printf ' $(S)/t%04d' $i; i=$((i + 1)); done
		echo
		printf '$(T): | $(S)\n\ttrue\n\ttouch $@\n'
		printf '$(S)/join: $(T)\n\ttrue\n\ttouch $@\n'
		printf '$(S):\n\tmkdir -p $@\n'
	} >hand.mk
	prepare='aside .ork stamps'
	against_hand W1
	report_sh W1 "$a"
	if peer ninja; then
		{
			i=1
			while [ $i -le 1000 ]; do printf 'stamps/t%04d:\n' $i; i=$((i + 1)); done
			printf 'stamps/join:'
			i=1
			while [ $i -le 1000 ]; do printf ' stamps/t%04d' $i; i=$((i + 1)); done
			echo
		} | ninja_file >build.ninja
		prepare='aside .ork stamps .ninja_log .ninja_deps; mkdir stamps'
		report_peer W1 ninja "$(median ninja -j"$jobs")" "$b"
	fi
	if peer snakemake; then
		cat >Snakefile <<'SMK'
rule all:
    input: "stamps/join"
rule t:
    output: "stamps/t{i}"
    shell: "true && touch {output}"
rule join:
    input: expand("stamps/t{i:04d}", i=range(1, 1001))
    output: "stamps/join"
    shell: "true && touch {output}"
SMK
		prepare='aside .ork stamps .snakemake'
		report_peer W1 smk "$(median snakemake -q -c"$jobs")" "$b"
	fi
	if peer doit; then
		cat >dodo.py <<'DODO'
import os
STAMPS = ["stamps/t%04d" % i for i in range(1, 1001)]
def task_t():
    for s in STAMPS:
        yield {"name": s, "actions": ["mkdir -p stamps && true && touch " + s], "targets": [s]}
def task_join():
    return {"actions": ["true && touch stamps/join"], "file_dep": STAMPS, "targets": ["stamps/join"]}
DODO
		prepare='aside .ork stamps .doit.db*'
		report_peer W1 doit "$(median doit -n "$jobs" -P thread)" "$b"
	fi
	cd "$work"
}

# ---- W2: deep --------------------------------------------------------------
w2() {
	d=$work/w2 && mkdir -p "$d" && cd "$d"
	{
		echo "name: w2"
		echo "tasks:"
		echo '  c001: {executor: process, command: ["true"]}'
		i=2
		while [ $i -le 200 ]; do
			printf '  c%03d: {executor: process, command: ["true"], depends_on: [c%03d]}\n' $i $((i - 1))
			i=$((i + 1))
		done
	} >w2.yaml
	"$ORKC" w2.yaml -o run.mk
	{
		echo "S := stamps"
		echo 'all: $(S)/c200'
		echo '$(S)/c001: | $(S)'
		printf '\ttrue\n\ttouch $@\n'
		i=2
		while [ $i -le 200 ]; do
			printf '$(S)/c%03d: $(S)/c%03d\n\ttrue\n\ttouch $@\n' $i $((i - 1))
			i=$((i + 1))
		done
		printf '$(S):\n\tmkdir -p $@\n'
	} >hand.mk
	prepare='aside .ork stamps'
	against_hand W2
	report_sh W2 "$a"
	if peer ninja; then
		{
			echo 'stamps/c001:'
			i=2
			while [ $i -le 200 ]; do printf 'stamps/c%03d: stamps/c%03d\n' $i $((i - 1)); i=$((i + 1)); done
		} | ninja_file >build.ninja
		prepare='aside .ork stamps .ninja_log .ninja_deps; mkdir stamps'
		report_peer W2 ninja "$(median ninja -j"$jobs")" "$b"
	fi
	cd "$work"
}

# ---- W3: a 100 MB hand-off -------------------------------------------------
w3() {
	d=$work/w3 && mkdir -p "$d/bin" && cd "$d"
	# The producer writes one 100 MB JSON string; the consumer counts bytes.
	cat >bin/produce <<'SH'
#!/bin/sh
printf '"'; head -c 100000000 /dev/zero | tr '\0' a; printf '"'
SH
	chmod +x bin/produce
	cat >w3.yaml <<'YAML'
name: w3
tasks:
  produce: {executor: process, command: [bin/produce]}
  consume: {executor: process, command: [wc, -c], depends_on: [produce]}
YAML
	"$ORKC" w3.yaml -o run.mk
	cat >hand.mk <<'MK'
all: consumed
produced:
	bin/produce > $@
consumed: produced
	wc -c < produced > $@
MK
	prepare='rm -rf .ork produced consumed'
	against_hand W3
	echo "W3   runtime's own cost: $(echo "$a $b" | awk '{printf "%.3f", $1 - $2}')s for 100 MB"
	# Peak memory of the ork process that assembles the 100 MB input.
	rm -rf .ork && make -s -f run.mk >/dev/null 2>&1
	rm -f .ork/w3/default/consume.*.json
	spec=$(sed -n 's/^$(consume.out): private export ORK_SPEC := //p' run.mk)
	rss=$(ORK_SPEC=$spec ORK_WORKFLOW=w3 ORK_RUN_ID=default /usr/bin/time -f %M "$ORK" exec consume 2>&1 >/dev/null | tail -1)
	echo "W3   peak RSS of ork exec consume: ${rss} KiB (payload 97656 KiB)"
	cd "$work"
}

# ---- M1: peak RSS of ork exec on a 1 GB output ------------------------------
# ork exec checks the output, hands it downstream and records the input by
# mapping or copying files, never by reading them into its own memory: its
# peak RSS should not grow with the output.  A 1 MB and a 1 GB output, for
# the producer and for the consumer.
m1_rss() {  # TASK: peak RSS in KiB of ork exec TASK, its output removed
	rm -f .ork/m1/default/"$1".*.json
	spec=$(sed -n "s/^\$($1.out): private export ORK_SPEC := //p" run.mk)
	ORK_SPEC=$spec ORK_WORKFLOW=m1 ORK_RUN_ID=default \
		/usr/bin/time -f %M "$ORK" exec "$1" 2>&1 >/dev/null | tail -1
}

m1() {
	d=$work/m1 && mkdir -p "$d/bin" && cd "$d"
	cat >bin/produce <<'SH'
#!/bin/sh
printf '"'; head -c "$M1_BYTES" /dev/zero | tr '\0' a; printf '"'
SH
	chmod +x bin/produce
	cat >m1.yaml <<'YAML'
name: m1
tasks:
  produce: {executor: process, command: [bin/produce]}
  consume: {executor: process, command: [wc, -c], depends_on: [produce]}
YAML
	"$ORKC" m1.yaml -o run.mk
	for bytes in 1000000 1000000000; do
		rm -rf .ork
		M1_BYTES=$bytes make -s -f run.mk >/dev/null 2>&1
		p=$(M1_BYTES=$bytes m1_rss produce)
		c=$(m1_rss consume)
		printf 'M1   %10d-byte output: peak RSS of ork exec: producer %s KiB, consumer %s KiB\n' \
			"$bytes" "$p" "$c"
	done
	rm -rf .ork
	cd "$work"
}

# ---- C1: compile time --------------------------------------------------------
c1() {
	d=$work/c1 && mkdir -p "$d" && cd "$d"
	for n in 1000 10000 100000; do
		awk -v n=$n 'BEGIN {
			print "name: c1"; print "tasks:"
			for (i = 1; i <= n; i++) {
				printf "  t%d:\n    executor: process\n    command: [\"true\", \"%d\"]\n", i, i
				if (i > 1) printf "    depends_on: [t%d]\n", int(i / 2)
				printf "    retries: 1\n"
			}
		}' >c1-$n.yaml
		prepare=:
		t=$(median "$ORKC" c1-$n.yaml -o c1-$n.mk)
		printf 'C1   %6d tasks: compile %ss (%s us/task)' $n "$t" "$(echo "$t $n" | awk '{printf "%.1f", $1 / $2 * 1e6}')"
		if [ $n = 100000 ]; then verdict C1 "$t"; else echo; fi
	done
	rss=$(/usr/bin/time -f %M "$ORKC" c1-100000.yaml -o c1.mk 2>&1 >/dev/null | tail -1)
	echo "C1   peak RSS of orkc at 100000 tasks: ${rss} KiB"
	cd "$work"
}

# ---- P1: python task overhead ----------------------------------------------
p1() {
	d=$work/p1 && mkdir -p "$d" && cd "$d"
	# Both sides run the interpreter itself: a pyenv shim (a shell script)
	# would cost the hand-written side on every task, and orkc's not at all
	# (ork begin resolves it once).
	py=$("${PYTHON:-python3}" -c 'import sys; print(sys.executable)')
	printf 'def noop():\n    return {}\n' >noop.py
	{
		echo "name: p1"
		echo "tasks:"
		i=1
		while [ $i -le 20 ]; do
			printf '  p%02d:\n    executor: python\n    file: noop.py\n    function: noop\n' $i
			[ $i -gt 1 ] && printf '    depends_on: [p%02d]\n' $((i - 1))
			i=$((i + 1))
		done
	} >p1.yaml
	"$ORKC" p1.yaml -o run.mk
	# The runner as installed (byte-compiled by make install), not the
	# source tree's copy, which python compiles again for every task
	# when it may not write __pycache__ there (PYTHONDONTWRITEBYTECODE).
	mkdir -p pydir
	cp -R "$top/runtime/python/ork" pydir/
	"$py" -m compileall -q pydir >/dev/null 2>&1 || :
	{
		echo "S := stamps"
		echo 'all: $(S)/p20'
		echo '$(S)/p01: | $(S)'
		printf '\t%s -c pass\n\ttouch $@\n' "$py"
		i=2
		while [ $i -le 20 ]; do
			printf '$(S)/p%02d: $(S)/p%02d\n\t%s -c pass\n\ttouch $@\n' $i $((i - 1)) "$py"
			i=$((i + 1))
		done
		printf '$(S):\n\tmkdir -p $@\n'
	} >hand.mk
	prepare='aside .ork stamps'
	# PYTHON=: the Makefile's interpreter, the same as the hand-written one.
	ORK_PYDIR=$d/pydir
	export ORK_PYDIR
	against_hand P1 "PYTHON=$py"
	unset ORK_PYDIR
	cd "$work"
}

echo "orkc bench: make -j$jobs, median of $repeats, $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)"
for w; do
	case $w in
	W1) w1 ;; W2) w2 ;; W3) w3 ;; C1) c1 ;; P1) p1 ;; M1) m1 ;;
	*) echo "bench: unknown benchmark '$w'" >&2; exit 2 ;;
	esac
done
if [ $((met + missed)) -gt 0 ]; then
	echo "goals: $met met, $missed missed"
	cat "$work/missed"
fi
