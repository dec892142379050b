#!/bin/sh
# End to end: while a process task writes a big stdout, ork exec has the
# kernel start writing it to disk (sync_file_range), so the fsync before
# the output is published finds little left to do (issue 13, W3).  Seen
# with strace: at least one sync_file_range of the task's stdout file.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

command -v strace >/dev/null 2>&1 || skip_all "strace is not installed"
strace -f -o /dev/null true 2>/dev/null || skip_all "strace cannot trace here"

project writeback
WF=writeback
mkdir -p tasks
# 24 MB of one JSON string, written over about a second.
cat >tasks/big.sh <<'SH'
#!/bin/sh
printf '"'
i=0
while [ $i -lt 12 ]; do
	head -c 2000000 /dev/zero | tr '\000' a
	sleep 0.1
	i=$((i + 1))
done
printf '"'
SH
cat >wf.yaml <<'YAML'
name: writeback
tasks:
  big: {executor: process, command: [sh, tasks/big.sh]}
YAML

test_expect_success 'ork exec starts writeback of a growing stdout' '
	compile
	strace -f -e trace=sync_file_range -o trace.txt \
		make -f run.mk ORK="$ORK" >make.out 2>&1 &&
	test $(wc -c <"$(outf big)") -eq 24000002 &&
	grep -q "sync_file_range(" trace.txt
'

test_expect_success 'not with ORK_FSYNC=0: nothing is synced then' '
	rm -rf .ork &&
	ORK_FSYNC=0 strace -f -e trace=sync_file_range -o trace0.txt \
		make -f run.mk ORK="$ORK" >make.out 2>&1 &&
	test $(wc -c <"$(outf big)") -eq 24000002 &&
	refute grep -q "sync_file_range(" trace0.txt
'

finish
