#!/bin/sh
# run.sh SECONDS [BUILDDIR [NAME...]]: run every libFuzzer harness (or the
# NAMEs: workflow expr cron runtime) for SECONDS each, one at a time, at
# low priority, from seeds collected afresh (seeds.sh), with a 1 s
# per-input timeout ($FUZZ_TIMEOUT; it is wall time, so a loaded machine
# needs more) and a memory cap ($FUZZ_RSS_MB, 2048).  Fails when any harness
# finds a crash, a leak, a timeout or an out-of-memory; the input that did
# it is kept in the work directory ($FUZZ_WORKDIR, default a fresh one
# under /tmp) and named in the output.  Prints each harness's figures.
#
# Build first:  ./configure --enable-fuzz CC=clang && make
# The corpus grows in $FUZZ_WORKDIR/corpus/NAME between runs when the
# same FUZZ_WORKDIR is given again.
set -eu
LC_ALL=C
export LC_ALL
secs=${1:?usage: run.sh SECONDS [BUILDDIR [NAME...]]}
build=${2:-.}
shift
[ $# -gt 0 ] && shift
names=${*:-workflow expr cron runtime}
timeout=${FUZZ_TIMEOUT:-1}
here=$(cd "$(dirname "$0")" && pwd)
work=${FUZZ_WORKDIR:-$(mktemp -d /tmp/orkc-fuzz.XXXXXX)}
rss=${FUZZ_RSS_MB:-2048}
mkdir -p "$work/seeds" "$work/artifacts"
orkc=$build/orkc
[ -x "$orkc" ] || orkc=
sh "$here/seeds.sh" "$work/seeds" "$orkc" >/dev/null

status=0
for name in $names; do
	bin=$build/tests/fuzz/fuzz_$name
	if [ ! -x "$bin" ]; then
		echo "run.sh: no $bin (./configure --enable-fuzz CC=clang && make)" >&2
		exit 2
	fi
	corpus=$work/corpus/$name
	mkdir -p "$corpus"
	case $name in
	workflow) maxlen=16384 ;;
	*) maxlen=4096 ;;
	esac
	dict=
	[ -f "$here/dict/$name.dict" ] && dict=-dict=$here/dict/$name.dict
	rc=0
	# shellcheck disable=SC2086 # $dict is one word or none
	nice -n 19 "$bin" $dict -max_total_time="$secs" -timeout="$timeout" \
		-rss_limit_mb="$rss" -max_len=$maxlen -print_final_stats=1 \
		-artifact_prefix="$work/artifacts/$name-" \
		"$corpus" "$work/seeds/$name" >"$work/$name.log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name.log")
	peak=$(sed -n 's/^stat::peak_rss_mb: *//p' "$work/$name.log")
	ncorpus=$(find "$corpus" -type f | wc -l)
	if [ $rc = 0 ]; then
		echo "fuzz_$name: ok, ${execs:-?} execs in ${secs}s, corpus $ncorpus, peak ${peak:-?} MB"
	else
		status=1
		echo "fuzz_$name: FAILED (exit $rc) after ${execs:-?} execs; log $work/$name.log"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written|.*ALARM)' \
			"$work/$name.log" | head -n 8 | sed 's/^/    /'
	fi
done
echo "work directory: $work"
exit $status
