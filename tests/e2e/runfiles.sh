#!/bin/sh
# End to end: what a task costs in files (DESIGN.md, "What each run file
# costs") and the durability that replaced an fsync per task.  A task
# creates its input (a task without upstream links a shared one) and
# its output and nothing else; the spec of each
# success goes to specs.jsonl, which ork why reads; ork end syncs once and
# says when; after a system restart ork begin removes an output that did
# not reach the disk whole, and its task runs again.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

project runfiles
WF=runfiles
cat >wf.yaml <<'EOF'
name: runfiles
tasks:
  a: {executor: process, command: [sh, -c, 'echo "{\"n\": 1}"']}
  b: {executor: process, command: [sh, -c, 'cat "$ORK_INPUT"'], depends_on: [a]}
  c: {executor: process, command: ["true"], depends_on: [b]}
EOF
compile

test_expect_success 'a task creates its input and its output, no other file' '
	rm -rf .ork
	make_ok -j2
	(cd "$(rundir)" && ls -A) >files
	cat files
	# Per task: TASK.input.json and TASK.KEY.json only.
	expect_eq "per-task files" 6 "$(grep -c -E "^[abc]\." files)"
	expect_eq inputs 3 "$(grep -c "\.input\.json$" files)"
	refute grep -E "\.spec\.json$|\.tmp$|\.stdout$" files
	expect_eq locks tasks "$(ls -A "$(rundir)/locks")"
	# a (no upstream) shares its input {} through a hard link.
	expect_eq shared 1 "$(ls "$(rundir)/inputs" | wc -l)"
	expect_eq input "{}" "$(cat "$(rundir)/a.input.json")"
	test ! -e "$(rundir)/unclean"
'

test_expect_success 'each success appends its spec to specs.jsonl' '
	expect_eq lines 3 "$(wc -l <"$(rundir)/specs.jsonl")"
	"$PYTOOL" -c "
import json, sys
tasks = [json.loads(l)[\"spec\"][\"task\"] for l in open(sys.argv[1])]
assert sorted(tasks) == [\"a\", \"b\", \"c\"], tasks
" "$(rundir)/specs.jsonl"
'

test_expect_success 'ork why names a changed field from specs.jsonl' '
	sed "s/\"true\"\]/\"true\", x]/" wf.yaml >wf2.yaml
	compile wf2.yaml run2.mk
	MK=run2.mk
	make_ok -n
	expect_grep "# c: .*command" make.out
'

# specs.jsonl only grows; ork begin rewrites it with each task's last
# line once it is over 1 MiB and at least half of it is replaced lines.
test_expect_success 'ork begin compacts specs.jsonl, keeping the last line of each task' '
	f=$(rundir)/specs.jsonl
	cp "$f" last
	"$PYTOOL" -c "
import json, sys
last = open(sys.argv[1]).read()
def line(spec):
    return json.dumps({\"task\": spec[\"task\"], \"spec\": spec}, separators=(\",\", \":\")) + chr(10)
old = line({\"task\": \"c\", \"argv\": [\"old\"] * 40})
gone = line({\"task\": \"gone\"})
with open(sys.argv[2], \"w\") as f:
    f.write(gone + old * 4000 + last + old[:30])
" last "$f"
	test "$(wc -c <"$f")" -gt 1048576
	MK=run.mk
	make_ok
	# gone, then a, b and c as they were, in their order; the torn line
	# (no newline) is dropped.
	expect_eq lines 4 "$(wc -l <"$f")"
	expect_eq first "{\"task\":\"gone\",\"spec\":{\"task\":\"gone\"}}" "$(head -n 1 "$f")"
	tail -n 3 "$f" >now
	test_cmp last now
	MK=run2.mk
	make_ok -n
	expect_grep "# c: .*command" make.out
'

test_expect_success 'a small specs.jsonl is left as it is' '
	f=$(rundir)/specs.jsonl
	cat last last >"$f"
	MK=run.mk
	make_ok
	expect_eq lines 6 "$(wc -l <"$f")"
'

# A crash in the middle of an append leaves a line without its newline;
# the next success starts a line of its own instead of gluing to it.
test_expect_success 'a spec line after a torn one starts a new line' '
	f=$(rundir)/specs.jsonl
	cp last "$f"
	printf "{\"task\":\"c\",\"spe" >>"$f"
	rm -f "$(rundir)"/c.*.json
	MK=run.mk
	make_ok
	expect_eq lines 5 "$(wc -l <"$f")"
	expect_eq torn "{\"task\":\"c\",\"spe" "$(sed -n 4p "$f")"
	sed -n 5p "$f" >line5
	expect_eq appended c "$(jget line5 "d[\"spec\"][\"task\"]")"
	MK=run2.mk
	make_ok -n
	expect_grep "# c: .*command" make.out
'

test_expect_success 'ork end syncs once and records when in run.json' '
	jget "$(rundir)/run.json" "d[\"synced\"]" | grep "^20"
	jget "$(rundir)/run.json" "d[\"boot\"]" | grep .
'

# A power loss before the sync: the output of b renamed into place but
# empty on the disk, and the machine started again (another boot id).
fake_restart() {
	"$PYTOOL" -c "
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d[\"boot\"] = \"another-boot\"
d[\"synced\"] = \"2000-01-01T00:00:00.000Z\"
json.dump(d, open(p, \"w\"))
" "$(rundir)/run.json"
}

test_expect_success 'after a restart, ork begin removes an output that is not whole' '
	: >"$(outf b)"
	fake_restart
	make_fails
	expect_grep "removed 1 output that a system restart left incomplete.*b\.[0-9a-f]*\.json" make.out
	no_out b
	has_out a
	# The next invocation runs b again, and c after it.
	make_ok
	expect_grep "b: succeeded" make.out
	expect_grep "c: succeeded" make.out
	refute grep "a: started" make.out
	expect_eq b "{\"a\":{\"n\": 1}}" "$(cat "$(outf b)")"
'

test_expect_success 'after a restart with whole outputs, nothing is removed' '
	fake_restart
	make_ok
	refute grep "removed" make.out
	refute grep "started" make.out
'

test_expect_success 'ORK_FSYNC=0: no sync, synced stays' '
	before=$(jget "$(rundir)/run.json" "d[\"synced\"]")
	rm "$(outf c)"
	make_ok ORK_FSYNC=0
	expect_grep "c: succeeded" make.out
	expect_eq synced "$before" "$(jget "$(rundir)/run.json" "d[\"synced\"]")"
'

finish
