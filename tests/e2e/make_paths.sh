#!/bin/sh
# End to end: task files whose paths make treats specially (space, tab,
# $ # % : ; = * ? [ ] | ( ) \ and a leading ~) are prerequisites like any
# other: a second run does nothing, and a task file newer than its output
# runs its task again, under make and under sh.  And ork begin gets no
# task's ORK_SPEC from make (GNU make 4.3 passes a target's private
# export variables to its prerequisites' recipes).
# shellcheck disable=SC1091,SC2016,SC2034,SC2154 # lib found at run time; bodies single-quoted
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

WF=paths
TASKS='t1 t2 t3 t4 t5 t6 t7'

write_project() {
	mkdir -p tasks
	"$PYTOOL" -c '
files = ["tasks/my task.py", "tasks/a$b#c%d.py", "tasks/x:y;z=w.py",
         "tasks/[g]*?|.py", "tasks/(p)\\q.py", "~t.py", "tasks/tab\there.py"]
with open("wf.yaml", "w") as y:
    y.write("name: paths\ntasks:\n")
    for i, f in enumerate(files, 1):
        with open(f, "w") as py:
            py.write("def main(input):\n    return {\"n\": %d}\n" % i)
        q = f.replace("\\", "\\\\").replace("\t", "\\t")
        y.write("  t%d:\n    executor: python\n    file: \"%s\"\n" % (i, q))
'
}

# starts TASK: how many times TASK started in this run.
starts() {
	jget "$(rundir)/journal.jsonl" "len(ev(\"start\", \"$1\"))"
}

# age_outputs: every output a minute older than the task files.
age_outputs() {
	"$PYTOOL" -c '
import glob, os, time
t = time.time() - 60
for f in glob.glob(".ork/paths/default/t*.json"):
    os.utime(f, (t, t))
'
}

# check_backend NAME RUN...: three runs; the third after age_outputs.
# RUN is split on spaces (ORK has none).
check_backend() {
	_name=$1
	shift
	runcmd=$*
	project "$_name"
	write_project
	test_expect_success "$_name: every task runs once, then nothing runs" '
		"$ORKC" -t "$_name" wf.yaml -o "run.$_name" &&
		$runcmd >run1.out 2>&1 &&
		$runcmd >run2.out 2>&1 &&
		for t in $TASKS; do
			expect_eq "$t starts" 1 "$(starts $t)" || exit 1
		done
	'
	test_expect_success "$_name: a task file newer than its output runs its task again" '
		age_outputs &&
		$runcmd >run3.out 2>&1 &&
		for t in $TASKS; do
			expect_eq "$t starts" 2 "$(starts $t)" || exit 1
		done
	'
}

check_backend make make -f run.make ORK="$ORK"
check_backend sh sh run.sh ORK="$ORK"

project env
mkdir -p "$tmp/bin"
cat >"$tmp/bin/ork" <<EOF2
#!/bin/sh
[ "\$1" = begin ] && echo "ORK_SPEC=[\${ORK_SPEC-unset}]" >begin.env
exec "$ORK" "\$@"
EOF2
chmod +x "$tmp/bin/ork"
test_expect_success 'make: ork begin gets no task spec' '
	printf "name: env\ntasks:\n  a: {executor: process, command: [\"true\"]}\n" >wf.yaml &&
	compile &&
	make -f run.mk ORK="$tmp/bin/ork" >make.out 2>&1 &&
	case $(cat begin.env) in
	"ORK_SPEC=[]"|"ORK_SPEC=[unset]") ;;
	*) cat begin.env; exit 1 ;;
	esac
'

finish
