#!/bin/sh
# End to end: Ork's process protocol beside ours (runtime/orkproto.h).
# The input also in ORK_INPUT_JSON (not above 64 KiB: a note in the log
# says so, the file still works); a stdout line ORK_OUTPUT:{json} is the
# output and the rest of stdout goes to the log; Ork's environment names;
# what a process task must print; Ork's deferred outputs.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

project proto
WF=proto
mkdir -p tasks rec

# What Ork's raw process tasks do: read ORK_INPUT_JSON, print chatter and
# one ORK_OUTPUT: line.
cat >tasks/raw.sh <<'EOF'
#!/bin/sh
echo "chatter before"
printf 'ORK_OUTPUT:{"input": %s, "task": "%s", "wf": "%s", "attempt": %s, "run": "%s", "up": "%s"}\n' \
	"$ORK_INPUT_JSON" "$ORK_TASK_NAME" "$ORK_WORKFLOW_NAME" "$ORK_ATTEMPT" \
	"$ORK_RUN_ID" "${ORK_UPSTREAM_JSON-unset}"
echo "chatter after"
echo "to stderr" >&2
EOF
cat >tasks/big.sh <<'EOF'
#!/bin/sh
printf '"'; head -c 70000 /dev/zero | tr '\0' a; printf '"\n'
EOF
cat >tasks/bigread.sh <<'EOF'
#!/bin/sh
if [ -n "${ORK_INPUT_JSON+set}" ]; then echo "ORK_INPUT_JSON is set" >&2; exit 3; fi
printf '{"len": %s}\n' "$(wc -c <"$ORK_INPUT")"
EOF

# A Python task printing what looks like Ork's output line: its prints
# go to the log, its return value is the output (item 2 of issue 8).
cat >tasks/chatty.py <<'EOF'
import json
import os


def main(gen):
    print('ORK_OUTPUT:{"printed": true}')
    print("input json env:", json.loads(os.environ["ORK_INPUT_JSON"]))
    return {"returned": gen["numbers"]}
EOF

cat >wf.yaml <<'EOF'
name: proto
tasks:
  chatty:
    executor: python
    file: tasks/chatty.py
    depends_on: [gen]
  gen:
    executor: process
    command: ["printf", '{"numbers": [1, 2]}']
  raw:
    executor: process
    command: ["sh", "tasks/raw.sh"]
    depends_on: [gen]
  twice:
    executor: process
    command: ["sh", "-c", "echo ORK_OUTPUT:1; echo x; echo 'ORK_OUTPUT: {\"n\": 2} '; echo y"]
  badline:
    executor: process
    command: ["sh", "-c", "echo 'ORK_OUTPUT:{oops}'"]
  neither:
    executor: process
    command: ["sh", "-c", "echo hello; echo world"]
  notatstart:
    executor: process
    command: ["sh", "-c", "echo 'say ORK_OUTPUT:{}'"]
  file_wins:
    executor: process
    command: ["sh", "-c", "echo '{\"from\": \"file\"}' >\"$ORK_OUTPUT\"; echo 'ORK_OUTPUT:{\"from\": \"line\"}'"]
  deferred:
    executor: process
    command: ["sh", "-c", "echo 'ORK_OUTPUT:{\"deferred\": [{\"service_type\": \"custom_http\", \"job_id\": \"j1\"}]}'"]
  big:
    executor: process
    command: ["sh", "tasks/big.sh"]
  bigread:
    executor: process
    command: ["sh", "tasks/bigread.sh"]
    depends_on: [big]
EOF

SYSPY=/usr/bin/python3
[ -x "$SYSPY" ] || SYSPY=python3

test_expect_success 'a run' '
	compile && make_fails -k -j2 PYTHON="$SYSPY"
'

test_expect_success 'a Python task'"'"'s prints, ORK_OUTPUT: lines too, go to its log' '
	expect_eq state succeeded "$(state chatty)" &&
	expect_eq output "{\"returned\":[1,2]}" "$(cat "$(outf chatty)")" &&
	expect_grep "^ORK_OUTPUT:\{\"printed\": true\}$" "$(rundir)/logs/chatty.1.1.log" &&
	expect_grep "^input json env: \{.gen.: \{.numbers.: \[1, 2\]\}\}$" "$(rundir)/logs/chatty.1.1.log"
'

test_expect_success 'the ORK_OUTPUT: line is the output; the input is in ORK_INPUT_JSON' '
	expect_eq state succeeded "$(state raw)" &&
	o=$(outf raw) &&
	expect_eq input "{\"gen\":{\"numbers\":[1,2]}}" "$(jget "$o" "d[\"input\"]")" &&
	expect_eq names "raw proto 1 default" \
		"$(jget "$o" "\" \".join(str(d[k]) for k in (\"task\", \"wf\", \"attempt\", \"run\"))")"
'

test_expect_success 'ORK_UPSTREAM_JSON is not set (Ork does not set it either)' '
	expect_eq up unset "$(jget "$(outf raw)" "d[\"up\"]")"
'

test_expect_success 'the rest of stdout goes to the log, the output line does not' '
	log=$(rundir)/logs/raw.1.1.log &&
	expect_grep "^chatter before$" "$log" && expect_grep "^chatter after$" "$log" &&
	expect_grep "^to stderr$" "$log" && ! grep -q "ORK_OUTPUT:" "$log"
'

test_expect_success 'the last ORK_OUTPUT: line wins, blanks trimmed' '
	expect_eq output "{\"n\": 2}" "$(cat "$(outf twice)")" &&
	expect_grep "^ORK_OUTPUT:1$" "$(rundir)/logs/twice.1.1.log"
'

test_expect_success 'a bad ORK_OUTPUT: line fails and says where' '
	expect_eq state failed "$(state badline)" &&
	reason badline | grep -q "^invalid JSON output at byte 1: .* (in the text after ORK_OUTPUT:"
'

test_expect_success 'neither JSON nor an ORK_OUTPUT: line: the reason says what to print' '
	expect_eq state failed "$(state neither)" &&
	reason neither | grep -q "^invalid JSON output at byte 0: unexpected character; stdout has no ORK_OUTPUT: line either: a process task prints its output as JSON on stdout, or prints one line ORK_OUTPUT:{json}" &&
	expect_grep "^hello$" "$(rundir)/logs/neither.1.1.log"
'

test_expect_success 'ORK_OUTPUT: counts only at the start of a line' '
	expect_eq state failed "$(state notatstart)" &&
	reason notatstart | grep -q "stdout has no ORK_OUTPUT: line"
'

test_expect_success 'the $ORK_OUTPUT file wins over an ORK_OUTPUT: line' '
	expect_eq from file "$(jget "$(outf file_wins)" "d[\"from\"]")"
'

test_expect_success 'Ork'"'"'s deferred shape fails clearly' '
	expect_eq state failed "$(state deferred)" &&
	reason deferred | grep -q "Ork.s deferred shape .* orkc does not track deferred jobs"
'

test_expect_success 'an input over 64 KiB: no ORK_INPUT_JSON, a note in the log, the file works' '
	expect_eq state succeeded "$(state bigread)" &&
	expect_eq len 70010 "$(jget "$(outf bigread)" "d[\"len\"]")" &&
	expect_grep "^\\[ork: ORK_INPUT_JSON is not set: the input is 70010 bytes, over its limit of 65536; read the file \\\$ORK_INPUT, or stdin\\]$" \
		"$(rundir)/logs/bigread.1.1.log"
'

finish
