#!/bin/sh
# Benchmark: the per-task overhead of orkc's Slurm backend against a
# hand-written sbatch chain doing the same work, on a private single-node
# Slurm that this script starts and stops (as root; tests/e2e/slurm-cluster.sh).
#
#   bench/slurm.sh [-r REPEATS] [S1 S2 S3]
#
#   S1  a chain of 10 no-op tasks: afterok chain of sbatch --wrap jobs,
#       waited for by polling squeue, vs sh submit.sh --wait
#   S2  20 independent no-op tasks and a join
#   S3  a fan-out, parallel: 20, concurrency: 10, and a join: sbatch
#       --array=0-19%10 and an afterok join vs the same as orkc's job array
#
# Both sides poll squeue every 0.5 s.  Prints the median wall times, the
# ratio, and (orkc - hand) / tasks: what one task costs more.  Times are
# dominated by Slurm's scheduling passes (about 1 s per dependency step).
set -eu
LC_ALL=C
export LC_ALL
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
repeats=3
while getopts r: opt; do
	case $opt in
	r) repeats=$OPTARG ;;
	*) echo "usage: $0 [-r REPEATS] [S1 S2 S3]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- S1 S2 S3
[ "$(id -u)" = 0 ] || { echo "bench/slurm.sh: needs root to start slurmd" >&2; exit 2; }

bin() {
	if [ -x "${BUILD:-$top}/$1" ]; then echo "${BUILD:-$top}/$1"; else command -v "$1"; fi
}
ORKC=${ORKC:-$(bin orkc)}
ORK=${ORK:-$(bin ork)}
ORK_SLURM_POLL=0.5
export ORK ORK_SLURM_POLL

# shellcheck disable=SC1091
. "$top/tests/e2e/slurm-cluster.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/orkc-bench-slurm.XXXXXX")
sdir=$(mktemp -d /tmp/orkc-slurm.XXXXXX)
trap 'slurm_stop; rm -rf "$work" "$sdir"' EXIT
slurm_start "$sdir" || exit 1

now() { date +%s.%N; }
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

wait_ids() {  # IDS (comma-separated)
	while [ -n "$(squeue -h -o %i -j "$1" 2>/dev/null)" ]; do sleep 0.5; done
}

hand_chain() {  # N
	prev='' ids=''
	i=1
	while [ "$i" -le "$1" ]; do
		j=$(sbatch --parsable -o /dev/null ${prev:+-d afterok:$prev} \
			--wrap "echo '{\"i\": $i}' >out.$i")
		ids="$ids${ids:+,}$j" prev=$j
		i=$((i + 1))
	done
	wait_ids "$ids"
}

hand_fan() {  # N
	ids='' deps=''
	i=1
	while [ "$i" -le "$1" ]; do
		j=$(sbatch --parsable -o /dev/null --wrap "echo '{\"i\": $i}' >out.$i")
		ids="$ids${ids:+,}$j" deps="$deps:$j"
		i=$((i + 1))
	done
	j=$(sbatch --parsable -o /dev/null -d "afterok$deps" --wrap 'cat out.* >join')
	wait_ids "$ids,$j"
}

hand_array() {  # N
	# shellcheck disable=SC2016 # the job expands it
	a=$(sbatch --parsable -o /dev/null --array="0-$(($1 - 1))%10" \
		--wrap 'echo "{\"i\": $SLURM_ARRAY_TASK_ID}" >out.$SLURM_ARRAY_TASK_ID')
	j=$(sbatch --parsable -o /dev/null -d "afterok:$a" --wrap 'cat out.* >join')
	wait_ids "$a,$j"
}

workflow() {  # chain|fan|array N
	echo "name: b$1"
	echo "tasks:"
	if [ "$1" = array ]; then
		echo "  w: {executor: process, command: [echo, '{}'], parallel: $2, concurrency: 10}"
		echo "  join: {executor: process, command: [echo, '{}'], depends_on: [w]}"
		return
	fi
	i=1
	while [ "$i" -le "$2" ]; do
		if [ "$1" = chain ] && [ "$i" -gt 1 ]; then
			echo "  t$i: {executor: process, command: [echo, '{\"i\": $i}'], depends_on: [t$((i - 1))]}"
		else
			echo "  t$i: {executor: process, command: [echo, '{\"i\": $i}']}"
		fi
		i=$((i + 1))
	done
	if [ "$1" = fan ]; then
		printf '  join: {executor: process, command: [echo, "{}"], depends_on: ['
		i=1
		while [ "$i" -le "$2" ]; do printf '%st%s' "$([ $i = 1 ] || echo ', ')" "$i"; i=$((i + 1)); done
		echo ']}'
	fi
}

measure() {  # NAME KIND N TASKS
	rm -f "$work"/times.*
	r=0
	while [ "$r" -lt "$repeats" ]; do
		d=$work/$1.$r
		mkdir -p "$d/hand" "$d/orkc"
		cd "$d/hand"
		t0=$(now)
		case $2 in
		chain) hand_chain "$3" ;;
		fan) hand_fan "$3" ;;
		array) hand_array "$3" ;;
		esac
		echo "$(now) - $t0" | bc >>"$work/times.hand"
		cd "$d/orkc"
		workflow "$2" "$3" >wf.yaml
		"$ORKC" wf.yaml -t slurm -o submit.sh
		t0=$(now)
		sh submit.sh --wait >/dev/null 2>&1
		echo "$(now) - $t0" | bc >>"$work/times.orkc"
		r=$((r + 1))
	done
	h=$(median <"$work/times.hand")
	o=$(median <"$work/times.orkc")
	printf '%s: %s tasks: hand-written sbatch %.2f s, orkc -t slurm %.2f s, ratio %.2f, +%.3f s per task\n' \
		"$1" "$4" "$h" "$o" "$(echo "$o / $h" | bc -l)" "$(echo "($o - $h) / $4" | bc -l)"
}

for w in "$@"; do
	case $w in
	S1) measure S1 chain 10 10 ;;
	S2) measure S2 fan 20 21 ;;
	S3) measure S3 array 20 21 ;;
	*) echo "bench/slurm.sh: unknown workload $w" >&2; exit 2 ;;
	esac
done
