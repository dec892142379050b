# Helpers for the end-to-end tests: they drive the real orkc, the real ork
# and real GNU make in a throw-away project directory.
#
#   . "$top_srcdir/tests/e2e/e2e-lib.sh"
#   project NAME              make and enter a fresh project dir ($proj)
#   compile [YAML [MK]]       orkc YAML -o MK (wf.yaml, run.mk)
#   make_ok [ARGS]            make -f $MK ORK=$ORK ARGS; must exit 0
#   make_fails [ARGS]         ... must exit non-zero without a crash
#   outf TASK [RUN]           path of TASK's output file (fails if none)
#   has_out TASK [RUN]        true when TASK has an output file
#   jget FILE EXPR            evaluate a python expression over JSON (d)
#   state TASK [RUN]          TASK's final state from the journal
#   alive PID                 the process exists and is not a zombie
#   wait_for FILE [SECS]      poll until FILE exists
#
# Tests are git style: test_expect_success 'title' 'body'; the body runs in
# a subshell with set -e, in the current directory.  A crash (death by a
# signal, a sanitizer report) never counts as an expected failure.

# shellcheck disable=SC1091
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

# A python for the JSON assertions of the harness (not for the tasks).
if [ -x /usr/bin/python3 ]; then PYTOOL=/usr/bin/python3; else PYTOOL=python3; fi
MK=run.mk
WF=
proj=

project() {  # NAME: a fresh project directory; sets $proj and cds into it
	proj=$tmp/$1
	rm -rf "$proj"
	mkdir -p "$proj"
	cd "$proj"
}

compile() {  # [YAML [MK]]
	"$ORKC" "${1:-wf.yaml}" -o "${2:-$MK}"
}

# The run directory of the workflow $WF, run ${1:-default}.
rundir() {
	echo ".ork/$WF/${1:-default}"
}

# run_make ARGS: run the generated Makefile, output in make.out, status in
# $make_rc.  Returns 99 when the output shows a crash of something make ran.
run_make() {
	make_rc=0
	make -f "$MK" ORK="$ORK" "$@" >make.out 2>&1 || make_rc=$?
	if grep -E 'Segmentation fault|Aborted|Bus error|Illegal instruction|Floating point exception|core dumped|AddressSanitizer|LeakSanitizer|runtime error:|Trace/breakpoint' make.out >/dev/null; then
		echo "run_make: crash reported by make (status $make_rc):" >&2
		tail -n 30 make.out >&2
		return 99
	fi
	return 0
}

make_ok() {
	run_make "$@" || return 1
	if [ "$make_rc" != 0 ]; then
		echo "make_ok: make $* exited $make_rc:" >&2
		tail -n 40 make.out >&2
		return 1
	fi
}

make_fails() {
	run_make "$@" || return 1
	if [ "$make_rc" = 0 ]; then
		echo "make_fails: make $* unexpectedly succeeded" >&2
		tail -n 40 make.out >&2
		return 1
	fi
	if [ "$make_rc" -gt 128 ]; then
		echo "make_fails: make died by signal $((make_rc - 128))" >&2
		return 1
	fi
}

# Output files are TASK.KEY.json, KEY 16 hex digits.
_hex16='[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'
outf() {  # TASK [RUN]
	_n=0
	_f=
	for _g in "$(rundir "${2:-}")/$1".$_hex16.json; do
		[ -f "$_g" ] || continue
		_n=$((_n + 1))
		_f=$_g
	done
	if [ $_n != 1 ]; then
		echo "outf: $_n output files for task '$1' in $(rundir "${2:-}")" >&2
		return 1
	fi
	echo "$_f"
}
has_out() {  # TASK [RUN]
	outf "$@" >/dev/null 2>&1
}
no_out() {  # TASK [RUN]: assert TASK has no output file
	if has_out "$@"; then
		echo "no_out: task '$1' has an output file: $(outf "$@")" >&2
		return 1
	fi
}

# jget FILE EXPR: EXPR is python over d (the parsed JSON; for *.jsonl the
# list of lines' values).  Prints strings raw, anything else as compact
# sorted JSON.  Helpers in EXPR: ev(kind, task=None) the journal events of a
# kind, last_end(task).
_jget_py='
import json, sys
path, expr = sys.argv[1], sys.argv[2]
with open(path, "rb") as f:
    raw = f.read().decode("utf-8")
if path.endswith(".jsonl"):
    d = [json.loads(l) for l in raw.splitlines() if l.strip()]
else:
    d = json.loads(raw)
def ev(kind, task=None):
    return [e for e in d if e.get("ev") == kind and (task is None or e.get("task") == task)]
def last_end(task):
    e = ev("end", task)
    if not e:
        raise SystemExit("no end event for task %r" % task)
    return e[-1]
v = eval(expr)
if isinstance(v, str):
    sys.stdout.write(v + "\n")
else:
    sys.stdout.write(json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n")
'
jget() {  # FILE EXPR
	"$PYTOOL" -c "$_jget_py" "$@"
}

state() {  # TASK [RUN]: the state of TASK's last end event in the journal
	jget "$(rundir "${2:-}")/journal.jsonl" "last_end('$1')['state']"
}
reason() {  # TASK [RUN]
	jget "$(rundir "${2:-}")/journal.jsonl" "last_end('$1').get('reason', '')"
}

alive() {  # PID
	_st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case $_st in Z*|'') return 1 ;; esac
	return 0
}

wait_for() {  # FILE [SECS]
	_i=0
	while [ ! -e "$1" ]; do
		[ $_i -ge $((${2:-10} * 10)) ] && { echo "wait_for: no $1 after ${2:-10}s" >&2; return 1; }
		sleep 0.1
		_i=$((_i + 1))
	done
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	if [ "$2" != "$3" ]; then
		echo "$1: expected '$2', got '$3'" >&2
		return 1
	fi
}

# expect_grep PATTERN FILE: extended regex must match a line of FILE
expect_grep() {
	if ! grep -E -e "$1" "$2" >/dev/null; then
		echo "expected /$1/ in $2, which has:" >&2
		head -c 3000 "$2" >&2
		return 1
	fi
}

# status_states FILE: "TASK STATE" lines, sorted, from `ork status --json`
# output, whatever its exact shape: every object that has a state and a
# task (or name) member counts.
_states_py='
import json, sys
d = json.load(open(sys.argv[1]))
out = set()
def walk(v, key=None):
    if isinstance(v, dict):
        name = v.get("task", v.get("name"))
        if isinstance(name, str) and isinstance(v.get("state"), str):
            out.add((name, v["state"]))
        elif key is not None and isinstance(v.get("state"), str) and "tasks" not in v:
            out.add((key, v["state"]))
        for k, x in v.items():
            walk(x, k if isinstance(x, dict) else None)
    elif isinstance(v, list):
        for x in v:
            walk(x)
walk(d)
for name, st in sorted(out):
    print(name, st)
'
status_states() {
	"$PYTOOL" -c "$_states_py" "$1"
}
