#!/bin/sh
# Limits an artifact inherits from the system: a task spec travels in one
# environment variable, which Linux caps at 128 KiB.  orkc must refuse a
# task over the cap at compile time, and a task just under it must run.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

cd "$tmp"
# A workflow whose one task has a static string of $1 bytes.
blob_workflow() {
	awk -v n="$1" 'BEGIN {
		print "name: limits"; print "tasks:"; print "  big:"
		print "    executor: process"; print "    command: [wc, -c]"
		printf "    input:\n      blob: \""
		for (i = 0; i < n; i++) printf "x"
		print "\""
	}'
}

test_expect_success 'a task spec over 128 KiB is refused at the task' '
	blob_workflow 140000 >over.yaml
	test_must_fail "$ORKC" over.yaml -o over.mk 2>err
	grep -q "^over.yaml:3:3: error: task .big. is too large to hand to ork" err
	test ! -e over.mk
'

test_expect_success 'a task spec just under the cap runs under make and sh' '
	blob_workflow 125000 >wf.yaml
	"$ORKC" wf.yaml -o run.mk
	"$ORKC" wf.yaml -o run.sh
	make -s -f run.mk ORK="$ORK" >make.out 2>&1
	grep -q "^125011$" .ork/limits/default/big.*.json
	rm -rf .ork
	sh run.sh -j 2 ORK="$ORK" >sh.out 2>&1
	grep -q "^125011$" .ork/limits/default/big.*.json
'

finish
