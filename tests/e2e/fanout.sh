#!/bin/sh
# End to end: fan-out (parallel, foreach, concurrency) under make.  Each
# instance records when it started and ended; the overlaps say how many
# ran at once: never more than concurrency, never more than make's -j.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

project fanout
WF=fanout
mkdir -p tasks

# An instance: records its span in spans/, fails when fail_ITEM exists.
cat >tasks/work.sh <<'EOS'
#!/bin/sh
item=$(sed -n 's/.*"item": *"\([^"]*\)".*/\1/p' "$ORK_INPUT")
echo "$item" >>runs.log
mkdir -p spans
t0=$(date +%s.%N)
sleep "${SLEEP:-0.3}"
t1=$(date +%s.%N)
echo "$t0 $t1" >"spans/$item.${ORK_PARALLEL_INDEX:-x}.$$"
if [ -e "fail_$item" ]; then
	echo "$item fails on purpose" >&2
	exit 1
fi
printf '{"item": "%s", "i": %s, "n": %s}\n' "$item" "${ORK_PARALLEL_INDEX:-0}" "${ORK_PARALLEL_COUNT:-1}"
EOS
chmod +x tasks/work.sh

cat >wf.yaml <<'EOS'
name: fanout
tasks:
  discover:
    executor: process
    command: ["cat", "list.json"]
  work:
    executor: process
    command: ["tasks/work.sh"]
    depends_on: [discover]
    foreach: discover.files
    concurrency: 2
    input: {label: "{{ item }}#{{ index }}"}
  reps:
    executor: process
    command: ["sh", "-c", "echo $ORK_PARALLEL_INDEX"]
    depends_on: [discover]
    parallel: discover.count
  agg:
    executor: process
    command: ["cat"]
    depends_on: [work, reps]
EOS

fout() {  # TASK: the task's own output (the list), found by its end event's key
	echo "$(rundir)/$1.$(jget "$(rundir)/journal.jsonl" "last_end('$1')['key']").json"
}
# The most spans in spans/ that overlap at one moment.
max_overlap() {
	cat spans/* | "$PYTOOL" -c '
import sys
ev = []
for l in sys.stdin:
    a, b = map(float, l.split())
    ev += [(a, 1), (b, -1)]
ev.sort(key=lambda e: (e[0], e[1]))
n = m = 0
for _, d in ev:
    n += d
    m = max(m, n)
print(m)'
}

echo '{"files": ["a", "b", "c", "d", "e", "f"], "count": 3}' >list.json

test_expect_success 'compile: the recipe is marked + and the comment shows the fan-out' '
	compile &&
	grep -q "^	+@\$(ORK) exec work\$" run.mk &&
	grep -q "fan-out: foreach discover.files, at most 2 at once" run.mk &&
	grep -q "^	@\$(ORK) exec discover\$" run.mk
'

test_expect_success 'make -n and make -q run no instance' '
	make -n -f run.mk ORK="$ORK" >dry.out 2>&1 &&
	{ make -q -f run.mk ORK="$ORK" >dry.out 2>&1 || :; } &&
	refute test -e runs.log &&
	refute test -e runs.log &&
	refute test -e "$(rundir)/journal.jsonl"
'

test_expect_success 'foreach: one instance per item, at most concurrency at once' '
	make_ok -j4 &&
	test "$(wc -l <runs.log)" = 6 &&
	m=$(max_overlap) && echo "max overlap $m" &&
	test "$m" -le 2
'

test_expect_success 'the fan-in gets the outputs in index order, item and index in each' '
	jget "$(fout agg)" "[w[\"item\"] + str(w[\"i\"]) + \"/\" + str(w[\"n\"]) for w in d[\"work\"]]" >got &&
	echo "[\"a0/6\",\"b1/6\",\"c2/6\",\"d3/6\",\"e4/6\",\"f5/6\"]" >want &&
	test_cmp want got &&
	jget "$(fout agg)" "d[\"reps\"]" >got &&
	echo "[0,1,2]" >want && test_cmp want got &&
	jget "$(rundir)/work[2].input.json" "d[\"label\"] + \" \" + d[\"item\"]" >got &&
	echo "c#2 c" >want && test_cmp want got
'

test_expect_success 'status shows the instances, logs finds them' '
	"$ORK" status >st.out &&
	grep "work\[3\] d *succeeded" st.out &&
	"$ORK" logs default work >logs.out &&
	grep "work\[5\]" logs.out
'

test_expect_success 'without concurrency, never more than make -j' '
	sed "/concurrency: 2/d" wf.yaml >wf2.yaml && mv wf2.yaml wf.yaml &&
	compile && rm -rf spans runs.log "$(rundir)" &&
	make_ok -j3 &&
	test "$(wc -l <runs.log)" = 6 &&
	m=$(max_overlap) && echo "max overlap $m" &&
	test "$m" -le 3 && test "$m" -ge 2
'

test_expect_success 'make without -j: one instance at a time' '
	rm -rf spans runs.log "$(rundir)" && make_ok &&
	test "$(wc -l <runs.log)" = 6 &&
	test "$(max_overlap)" = 1
'

test_expect_success 'one instance fails: the task fails, downstream is skipped' '
	rm -rf "$(rundir)" runs.log && touch fail_c &&
	make_fails -j4 &&
	test "$(state work)" = failed &&
	reason work | grep "1 of 6 instances failed: work\[2\]" &&
	test "$(state "work[2]")" = failed &&
	test "$(state agg)" = skipped
'

test_expect_success 'resume: only the failed instance runs again, then the fan-in' '
	rm fail_c runs.log && make_ok -j4 &&
	echo c >want && test_cmp want runs.log &&
	test "$(state agg)" = succeeded
'

test_expect_success 'a new item runs alone; moved items keep their outputs' '
	rm runs.log &&
	echo "{\"files\": [\"new\", \"a\", \"b\", \"c\", \"d\", \"e\", \"f\"], \"count\": 3}" >list.json &&
	rm -f "$(fout discover)" && make_ok -j4 &&
	echo new >want && test_cmp want runs.log &&
	jget "$(fout work)" "[w[\"item\"] for w in d]" >got &&
	echo "[\"new\",\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"]" >want && test_cmp want got
'

test_expect_success 'an empty list: zero instances and [] downstream' '
	rm -f runs.log && echo "{\"files\": [], \"count\": 0}" >list.json &&
	rm -f "$(fout discover)" && make_ok -j4 &&
	refute test -e runs.log &&
	jget "$(fout agg)" "d" >got &&
	echo "{\"reps\":[],\"work\":[]}" >want && test_cmp want got
'

test_expect_success 'foreach over something that is not a list fails the task' '
	echo "{\"files\": 3, \"count\": 0}" >list.json &&
	rm -f "$(fout discover)" && make_fails &&
	reason work | grep "foreach .discover.files. gave number, not a list"
'

# ---- the sh artifact ---------------------------------------------------------
# The script runs a fan-out task alone and gives its instances the -j
# slots: with a slow independent task beside it, the spans of every
# process still never exceed -j.
project fanout_sh
cp "$tmp/fanout/tasks/work.sh" .
cat >wf.yaml <<'EOS'
name: fanout_sh
tasks:
  discover:
    executor: process
    command: ["cat", "list.json"]
  side:
    executor: process
    command: ["./work.sh"]
    input: {item: side}
  work:
    executor: process
    command: ["./work.sh"]
    depends_on: [discover]
    foreach: discover.files
  agg:
    executor: process
    command: ["cat"]
    depends_on: [work, side]
EOS
echo '{"files": ["a", "b", "c", "d", "e", "f", "g"]}' >list.json
WF=fanout_sh

for shell in dash bash "busybox sh" mksh yash posh; do
	# shellcheck disable=SC2086
	if ! command -v ${shell%% *} >/dev/null 2>&1; then
		skip "sh -j 3 under $shell: not installed"
		continue
	fi
	test_expect_success "sh -j 3 under $shell: every process together never above 3" '
		rm -rf spans runs.log .ork &&
		"$ORKC" wf.yaml -o run.sh &&
		$shell run.sh -j 3 ORK="$ORK" >sh.out 2>&1 &&
		test "$(wc -l <runs.log)" = 8 &&
		m=$(max_overlap) && echo "max overlap $m" &&
		test "$m" -le 3 && test "$m" -ge 2 &&
		jget "$(fout agg)" "[w[\"item\"] for w in d[\"work\"]]" >got &&
		echo "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\"]" >want &&
		test_cmp want got
	'
done

test_expect_success 'make -j3, a fan-out beside a slow task: never above 3 together' '
	rm -rf spans runs.log .ork &&
	"$ORKC" wf.yaml -o run.mk &&
	make_ok -j3 &&
	test "$(wc -l <runs.log)" = 8 &&
	m=$(max_overlap) && echo "max overlap $m" &&
	test "$m" -le 3 && test "$m" -ge 2
'

test_expect_success 'sh -j 1: one process at a time' '
	rm -rf spans runs.log .ork &&
	sh run.sh -j 1 ORK="$ORK" >sh.out 2>&1 &&
	test "$(max_overlap)" = 1
'

# ---- an interrupted fan-out -----------------------------------------------------
project fanout_int
WF=fanout_int
cat >wf.yaml <<'EOS'
name: fanout_int
tasks:
  work:
    executor: process
    command: ["sh", "-c", "echo $$ >>pids; exec sleep 60"]
    parallel: 4
  after: {executor: process, command: ["true"], depends_on: [work]}
EOS
test_expect_success 'SIGTERM to make: every instance stops, none is left, all recorded failed' '
	compile &&
	{ setsid make -j4 -f run.mk ORK="$ORK" >make.out 2>&1 & } &&
	mpid=$! && i=0 &&
	until [ "$(cat pids 2>/dev/null | wc -l)" -ge 4 ]; do
		[ $i -lt 200 ] && alive $mpid || { cat make.out; exit 1; }
		sleep 0.1; i=$((i + 1))
	done &&
	kill -TERM $mpid && i=0 &&
	while alive $mpid; do
		[ $i -lt 200 ] || { echo "make still running"; exit 1; }
		sleep 0.1; i=$((i + 1))
	done &&
	for p in $(cat pids); do ! alive $p || { echo "pid $p survived"; exit 1; }; done &&
	test "$(state work)" = failed &&
	reason "work[0]" | grep "interrupted by SIGTERM" &&
	no_out after
'
test_expect_success 'after the interrupt a rerun runs every instance again and completes' '
	rm -f pids && sed -i "s/exec sleep 60/true/" wf.yaml && compile &&
	make_ok -j4 && test "$(state after)" = succeeded
'

# ---- examples/parallel ---------------------------------------------------------
project example
cp -R "$top_srcdir/examples/parallel/." .
chmod -R u+w .
WF=parallel
test_expect_success 'examples/parallel runs under make -j4, and again does nothing' '
	make_ok -f Makefile run ORKC="$ORKC" ORK="$ORK" PYTHON="$PYTOOL" &&
	jget "$(fout aggregate)" "d[\"files\"], d[\"words\"], d[\"largest\"]" >got &&
	echo "[8,670,\"data/part8.txt\"]" >want && test_cmp want got &&
	jget "$(fout count)" "[c[\"index\"] for c in d]" >got &&
	echo "[0,1,2,3,4,5,6,7]" >want && test_cmp want got &&
	"$ORK" status >st.out && grep "count\[7\] data/part8.txt *succeeded" st.out &&
	awk "NR > 4 { printf \"%s \", \$1 }" st.out >got && echo >>got &&
	echo "discover count count[0] count[1] count[2] count[3] count[4] count[5] count[6] count[7] aggregate " >want &&
	test_cmp want got &&
	make_ok -f run.mk ORK="$ORK" PYTHON="$PYTOOL" &&
	refute grep "started" make.out
'

# ---- foreach and parallel together, equal items ---------------------------------
project fanout_both
WF=both
cat >wf.yaml <<'EOS'
name: both
tasks:
  w:
    executor: process
    command: ["sh", "-c", "cat; echo"]
    foreach: "['a', 'a', 'b']"
    parallel: 2
    input: {at: "{{ index }}"}
EOS
test_expect_success 'foreach x parallel: len x N instances, equal items each their own' '
	compile && make_ok -j3 &&
	jget "$(fout w)" "[w[\"item\"] + str(w[\"at\"]) for w in d]" >got &&
	echo "[\"a0\",\"a1\",\"a2\",\"a3\",\"b4\",\"b5\"]" >want && test_cmp want got
'

# ---- an instance's place in its input ---------------------------------------------
# A process instance finds parallel_index and parallel_count in its input
# (beside item) as well as in its environment; a Python instance has
# them as ctx.parallel_index / ctx.parallel_count, not in its input.  The
# instance key stays the item's: a moved item keeps its output, which
# then still shows the index it ran at.
project fanout_place
WF=place
cat >wf.yaml <<'EOS'
name: place
tasks:
  discover:
    executor: process
    command: ["cat", "list.json"]
  w:
    executor: process
    command: ["sh", "-c", "cat; echo $ORK_PARALLEL_INDEX/$ORK_PARALLEL_COUNT >>env.log"]
    depends_on: [discover]
    foreach: discover.files
  p:
    executor: process
    command: ["cat"]
    parallel: 2
    input: {k: 1}
  py:
    executor: python
    file: place.py
    depends_on: [discover]
    foreach: discover.files
EOS
cat >place.py <<'EOS'
def main(input, ctx):
    return {"keys": sorted(input), "i": ctx.parallel_index,
            "n": ctx.parallel_count}
EOS
place_check() {  # N: the lists of w, p and py for a list of N items
	jget "$(fout w)" "[[w[\"item\"], w[\"parallel_index\"], w[\"parallel_count\"]] for w in d]" >got &&
	echo "[[\"a\",0,$1],[\"b\",1,$1],[\"c\",2,$1]]" >want && test_cmp want got &&
	printf "%s" "{\"item\":\"b\",\"parallel_index\":1,\"parallel_count\":$1}" >want &&
	test_cmp want "$(rundir)/w[1].input.json" &&
	printf "%s" "{\"k\":1,\"parallel_index\":1,\"parallel_count\":2}" >want &&
	test_cmp want "$(rundir)/p[1].input.json" &&
	jget "$(fout p)" "d" >got &&
	echo "[{\"k\":1,\"parallel_count\":2,\"parallel_index\":0},{\"k\":1,\"parallel_count\":2,\"parallel_index\":1}]" >want &&
	test_cmp want got &&
	jget "$(fout py)" "d" >got &&
	echo "[{\"i\":0,\"keys\":[\"item\"],\"n\":$1},{\"i\":1,\"keys\":[\"item\"],\"n\":$1},{\"i\":2,\"keys\":[\"item\"],\"n\":$1}]" >want &&
	test_cmp want got
}
test_expect_success 'make: a process instance has its index and count in its input' '
	echo "{\"files\": [\"a\", \"b\", \"c\"]}" >list.json &&
	compile && make_ok -j3 PYTHON="$PYTOOL" && place_check 3 &&
	sort env.log >got && printf "0/3\n1/3\n2/3\n" >want && test_cmp want got
'
test_expect_success 'make: an item moved to another index keeps its output' '
	rm env.log &&
	echo "{\"files\": [\"new\", \"a\", \"b\", \"c\"]}" >list.json &&
	rm -f "$(fout discover)" && make_ok -j3 PYTHON="$PYTOOL" &&
	echo 0/4 >want && test_cmp want env.log &&
	jget "$(fout w)" "[[w[\"item\"], w[\"parallel_index\"], w[\"parallel_count\"]] for w in d]" >got &&
	echo "[[\"new\",0,4],[\"a\",0,3],[\"b\",1,3],[\"c\",2,3]]" >want &&
	test_cmp want got
'
test_expect_success 'sh: a process instance has its index and count in its input' '
	rm -rf .ork env.log &&
	echo "{\"files\": [\"a\", \"b\", \"c\"]}" >list.json &&
	"$ORKC" wf.yaml -o run.sh &&
	PYTHON="$PYTOOL" sh run.sh -j 2 ORK="$ORK" >sh.out 2>&1 && place_check 3 &&
	sort env.log >got && printf "0/3\n1/3\n2/3\n" >want && test_cmp want got
'

# ---- typed mode ------------------------------------------------------------------
# foreach over [str] gives item: str; each instance's output is checked
# against output_type; the fan-in is [Out] for the typed downstream task.
project fanout_typed
WF=ft
cat >wf.yaml <<'EOS'
name: ft
tasks:
  discover:
    executor: process
    command: ["sh", "-c", "cat >/dev/null; echo '{\"files\": [\"a\", \"bb\", \"ccc\"]}'"]
    output_type: {files: [str]}
  each:
    executor: python
    file: each.py
    depends_on: [discover]
    foreach: discover.files
    input_type: {item: str}
    output_type: {name: str, size: int}
  agg:
    executor: python
    file: agg.py
    depends_on: [each]
    input_type: {each: [{name: str, size: int}]}
EOS
cat >agg.py <<'EOS'
def main(input: dict) -> dict:
    return {"total": sum(e["size"] for e in input["each"])}
EOS
test_expect_success 'typed: an instance output that does not fit output_type fails it' '
	echo "def main(input): return {\"name\": input[\"item\"], \"size\": \"x\"}" >each.py &&
	compile && make_fails -j3 PYTHON="$PYTOOL" &&
	reason "each[1]" | grep "output type mismatch: size: expected int, got str" &&
	test "$(state agg)" = skipped
'
test_expect_success 'typed: fixed, the typed fan-in reaches the downstream task' '
	echo "def main(input): return {\"name\": input[\"item\"], \"size\": len(input[\"item\"])}" >each.py &&
	make_ok -j3 PYTHON="$PYTOOL" &&
	jget "$(fout agg)" "d[\"total\"]" >got && echo 6 >want && test_cmp want got
'

finish
