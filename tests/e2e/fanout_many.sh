#!/bin/sh
# End to end: a foreach of 10,000 items completes under make -j2 (a no-op
# process task per instance): every instance succeeds once, the fan-in
# holds 10,000 outputs in order, and a second make runs nothing.  About
# 4 ms of CPU per instance; bounded by a watchdog of 15 minutes for a
# loaded machine.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

project fanout_many
WF=many
N=10000
cat >wf.yaml <<'EOS'
name: many
tasks:
  discover:
    executor: process
    command: ["sh", "-c", "cat >/dev/null; seq -s, 1 10000 | sed 's/.*/{\"items\": [&]}/'"]
  each:
    executor: process
    command: ["true"]
    depends_on: [discover]
    foreach: discover.items
  agg:
    executor: process
    command: ["sh", "-c", "tr , '\\n' | grep -c null | sed 's/.*/{\"nulls\": &}/'"]
    depends_on: [each]
EOS
ORK_FSYNC=0
export ORK_FSYNC

test_expect_success "a foreach of $N items completes" '
	compile &&
	timeout 900 make -j2 -f run.mk ORK="$ORK" >make.out 2>&1 &&
	test "$(state each)" = succeeded &&
	jget "$(rundir)/journal.jsonl" "len([e for e in d if e.get(\"ev\") == \"end\" and e[\"task\"].startswith(\"each[\") and e[\"state\"] == \"succeeded\"])" >got &&
	echo $N >want && test_cmp want got &&
	key=$(jget "$(rundir)/journal.jsonl" "last_end(\"agg\")[\"key\"]") &&
	jget "$(rundir)/agg.$key.json" "d[\"nulls\"]" >got && test_cmp want got
'

test_expect_success 'again: nothing runs' '
	make_ok -j2 &&
	refute grep started make.out
'

finish
