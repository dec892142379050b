#!/bin/sh
# shellcheck disable=SC1091,SC2016,SC2154 # e2e-lib.sh is found at run time
# Defect 7 at run time: ork exec evaluates a `when` whose tree is at the
# depth limit (256) within a 1 MiB stack, and refuses a 60,000-term chain
# (which passed orkc before the limit and crashed ork exec) with a message
# instead of a crash.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

# chain N: "1" followed by N-1 times "+1".
chain() {
	awk -v n="$1" 'BEGIN { printf "1"; for (i = 1; i < n; i++) printf "+1" }'
}

project depth
WF=depth
cat >wf.yaml <<YAML
name: depth
tasks:
  a:
    executor: process
    command: [echo, '{"n": 1}']
  b:
    executor: process
    command: [echo, '{}']
    depends_on: [a]
    when: "$(chain 256)"
YAML

test_expect_success 'a when at the depth limit runs in a 1 MiB stack' '
	compile
	ulimit -s 1024
	run_make
	[ "$make_rc" = 0 ] || { cat make.out; exit 1; }
	[ "$(state b)" = succeeded ]
'

test_expect_success 'ork exec refuses a 60,000-term chain in the spec, no crash' '
	# orkc refuses it, so put it into the artifact by hand.
	long=$(chain 60000)
	short=$(chain 256)
	sed "s/$short/$long/" run.mk >long.mk
	# The 256-term chain became a longer one (the long chain has the short
	# one in it, so look for what follows it).
	refute grep -qF "$short+1" run.mk
	grep -qF "$short+1" long.mk
	rc=0
	ulimit -s 1024
	make -f long.mk ORK="$ORK" RUN_ID=long >make.out 2>&1 || rc=$?
	refute grep -E "Segmentation|core dumped|Aborted|Sanitizer|runtime error" make.out
	[ "$rc" != 0 ]
	grep -q "expression too deeply nested (limit 256)" make.out ||
		grep -rq "expression too deeply nested (limit 256)" .ork/depth/long
'
finish
