#!/bin/sh
# Ork's calling rules for Python task functions (README "Python tasks"),
# run through the task runner (ork._run) the way `ork exec` runs it, with
# the task files of tests/python/calling, under every interpreter at hand:
#   python3            first on PATH (here pyenv's, pydantic 2)
#   usr-bin-python3    Debian's /usr/bin/python3 (python3-pydantic, 1.x)
#   venv-bare          /usr/bin/python3 -m venv: no pydantic at all
# then once through the real orkc, make and `ork exec`: what a task prints
# is in its log and never in its output.
# A case that cannot run says SKIP.  Ends with "N passed, N failed".
#
# Run by hand: sh tests/e2e/python_calling.sh [CASE...]
# shellcheck disable=SC2317  # the case_* functions are called by name
set -u
LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
pydir=${ORK_PYDIR:-$top_srcdir/runtime/python}
fix=$top_srcdir/tests/python

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ork-pycall.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

only=" $* "

say_fail() {
	echo "FAIL: $label: $case: $*"
	for f in error.json output.json stdout stderr; do
		if [ -s "$d/$f" ]; then
			echo "  --- $f"
			tail -n 15 "$d/$f" | sed 's/^/  | /'
		fi
	done
}

# run_task FUNCTION [VAR=value...]: run the runner on $file's FUNCTION with
# $input in $proj; sets $rc.  Output to output.json (ORK_OUTPUT=: stdout).
run_task() {
	fn=$1
	shift
	printf '%s' "$input" >"$d/input.json"
	(cd "$proj" && env PYTHONPATH="$pydir" PYTHONDONTWRITEBYTECODE=1 \
		ORK_MODULE= ORK_PARAMS= ORK_FILE="$file" ORK_FUNCTION="$fn" \
		ORK_INPUT="$d/input.json" ORK_OUTPUT="$d/output.json" \
		ORK_ERROR_FILE="$d/error.json" ORK_RUN_ID=run-1 ORK_WORKFLOW=wf \
		ORK_TASK="$case" ORK_ATTEMPT=1 ORK_MAX_ATTEMPTS=1 \
		ORK_RUN_DIR="$d" ORK_METRICS="$d/metrics.jsonl" "$@" \
		"$py" -c 'import ork._run as r; r.main()' \
		</dev/null >"$d/stdout" 2>"$d/stderr")
	rc=$?
}

expect_rc() {
	[ "$rc" -eq "$1" ] || { why="exit status $rc, expected $1"; return 1; }
}
expect_json() {  # FILE EXPR: EXPR (Python, j = the JSON value) holds
	[ -f "$d/$1" ] || { why="no $1"; return 1; }
	"$py" "$fix/check.py" "$d/$1" "$2" >"$d/check.out" 2>&1 ||
		{ why="$1: $(cat "$d/check.out")"; return 1; }
}
expect_grep() {  # FILE ERE
	grep -E -q -- "$2" "$d/$1" || { why="$1 does not match /$2/"; return 1; }
}
expect_no_grep() {
	! grep -E -q -- "$2" "$d/$1" || { why="$1 matches /$2/"; return 1; }
}
ok() {  # EXPR on output.json: success, no error file
	expect_rc 0 && { [ ! -e "$d/error.json" ] || { why="error.json exists"; return 1; }; } &&
		expect_json output.json "$1"
}
failed() {  # EXPR on error.json: a failed attempt without output
	expect_rc 1 && { [ ! -e "$d/output.json" ] || { why="output.json exists"; return 1; }; } &&
		expect_json error.json "$1"
}

# ---- cases (file=tasks/rules.py unless set) ----------------------------

case_whole_dict() {
	input='{"a": 1, "b": [2]}'
	run_task whole_dict
	ok 'j == {"got": {"a": 1, "b": [2]}}' && expect_no_grep stderr 'not used'
}
case_whole_plain() {
	input='{"a": 1}'
	run_task whole_plain
	ok 'j == {"got": {"a": 1}, "type": "dict"}'
}
case_whole_plain_list() {
	input='[1, "two"]'
	run_task whole_plain
	ok 'j == {"got": [1, "two"], "type": "list"}'
}
case_whole_plain_named_key() {  # the only parameter is named after a key
	input='{"data": 5, "other": 1}'
	run_task whole_plain
	ok 'j == {"got": 5, "type": "int"}' &&
		expect_grep stderr "^ork: input key not used by whole_plain \(no parameter of that name\): other$"
}
case_whole_typeddict() {
	input='{"x": 1, "y": 2.5}'
	run_task whole_typeddict
	ok 'j == {"sum": 3.5, "type": "float"}'
}
case_whole_typeddict_invalid() {
	input='{"x": 1}'
	run_task whole_typeddict
	failed 'j["message"] == "input validation failed: y: field required; whole_typeddict takes the whole input as '"'point'"': no input key is named '"'point'"' (input keys: x)" and j["retryable"] is False'
}
case_keyword_dict() {  # deferrables' process_results(bigquery_job: dict)
	input='{"bigquery_job": {"deferred": ["j1"]}}'
	run_task keyword_dict
	ok 'j == {"got": {"deferred": ["j1"]}}'
}
case_keyword_typeddict() {  # fast's task_b(task_a: TaskResult)
	input='{"task_a": {"task": "A", "status": "completed", "timestamp": 1}}'
	run_task keyword_typeddict
	ok 'j == {"task": "B", "status": "after completed", "timestamp": 2.0}'
}
case_keyword_typeddict_invalid() {
	input='{"task_a": {"task": "A", "timestamp": "now"}}'
	run_task keyword_typeddict
	failed 'j["message"] == "input validation failed: task_a.status: field required; task_a.timestamp: expected float, got str"'
}
case_add() {
	input='{"a": 5, "b": 10}'
	run_task add
	ok 'j == 15'
}
case_add_missing() {
	input='{"a": 5, "c": 1}'
	run_task add
	failed 'j["message"] == "input validation failed: missing required parameter '"'b'"' of add (input keys: a, c)"
		and j["details"] == [{"loc": "b", "msg": "missing required parameter"}]
		and j["retryable"] is False' &&
		expect_grep stderr "^ork: input validation failed: missing required parameter 'b' of add"
}
case_add_types() {
	input='{"a": "5", "b": true}'
	run_task add
	failed 'j["message"] == "input validation failed: a: expected int, got str; b: expected int, got bool"'
}
case_add_not_object() {
	input='[5, 10]'
	run_task add
	failed 'j["message"] == "input must be a JSON object to fill the parameters of add (a, b), got list"'
}
case_greet_defaults() {
	input='{}'
	run_task greet
	ok 'j == "Hello, world"'
}
case_greet() {
	input='{"name": "Ork User", "shout": true}'
	run_task greet
	ok 'j == "HELLO, ORK USER"'
}
case_greet_typo() {  # an unused key is said in the log, as Ork ignores it
	input='{"nmae": "Ork User"}'
	run_task greet
	ok 'j == "Hello, world"' &&
		expect_grep stderr "^ork: input key not used by greet \(no parameter of that name\): nmae$"
}
case_input_needs_task() {
	input='{"x": 1, "y": 2}'
	run_task main
	failed 'j["message"] == "input validation failed: missing required parameter '"'input'"' of main (input keys: x, y); to give '"'input'"' the whole input, decorate main with @ork.task"'
}
case_untyped() {
	input='{"a": "x", "b": "y"}'
	run_task untyped
	ok 'j == "xy"'
}
case_with_ctx() {
	input='{"n": 3}'
	run_task with_ctx
	ok 'j == {"n": 3, "task": "with_ctx"}'
}
case_scalar() {
	input='21'
	run_task scalar
	ok 'j == 42'
}
case_scalar_invalid() {
	input='{"m": 1}'
	run_task scalar
	failed 'j["message"] == "input validation failed: input: expected int, got object; scalar takes the whole input as '"'n'"': no input key is named '"'n'"' (input keys: m)"'
}
case_dataclass_out() {
	input='{"names": ["b", "a"]}'
	run_task summary
	ok 'j == {"n": 2, "names": ["a", "b"]}'
}
case_list_out() {
	input='{"n": 3}'
	run_task listing
	ok 'j == [0, 1, 2]'
}
case_none_out() {
	input='{"x": 1}'
	run_task nothing
	ok 'j is None'
}
case_print() {
	input='{"n": 1}'
	run_task chatty
	ok 'j == {"n": 1, "label": "x"}' &&
		expect_no_grep output.json 'from the task|child' &&
		expect_grep stdout '^print from the task$' &&
		expect_grep stdout '^sys.stdout.write from the task$' &&
		expect_grep stdout '^fd 1 from the task$' &&
		expect_grep stdout '^child process stdout$' &&
		expect_grep stderr '^to stderr$'
}
case_print_stdout_mode() {  # no ORK_OUTPUT: stdout is the output alone
	input='{"n": 2, "label": "y"}'
	run_task chatty ORK_OUTPUT=
	expect_rc 0 && [ ! -e "$d/output.json" ] &&
		expect_json stdout 'j == {"n": 2, "label": "y"}' &&
		expect_grep stderr '^print from the task$' &&
		expect_grep stderr '^sys.stdout.write from the task$' &&
		expect_grep stderr '^fd 1 from the task$' &&
		expect_grep stderr '^child process stdout$' &&
		expect_grep stderr '^to stderr$'
}

# pydantic models: tasks/models.py
case_model_whole() {
	file=tasks/models.py
	input='{"state": "ok", "code": 200, "tags": ["a"]}'
	run_task status
	ok 'j == {"state": "OK", "code": 201, "tags": ["a"]}'
}
case_model_whole_invalid() {
	file=tasks/models.py
	input='{"state": "ok"}'
	run_task status
	failed 're.fullmatch("input validation failed: code: [Ff]ield required; status takes the whole input as '"'status'"': no input key is named '"'status'"' \\(input keys: state\\)", j["message"])'
}
case_model_keyword() {
	file=tasks/models.py
	input='{"job": {"id": "j1", "rows": 3}}'
	run_task one_job
	ok 'j == {"job_id": "j1", "rows": 3, "limit": 0, "note": None}'
}
case_model_keywords() {
	file=tasks/models.py
	input='{"job": {"id": "j1", "rows": 3}, "other": {"id": "j2", "rows": 4}, "limit": 5}'
	run_task jobs
	ok 'j == {"job_id": "j1", "rows": 7, "limit": 5, "note": None}'
}
case_model_keywords_invalid() {
	file=tasks/models.py
	input='{"job": {"id": "j1"}, "other": {"rows": "many"}}'
	run_task jobs
	failed 're.fullmatch("input validation failed: job\\.rows: [Ff]ield required; other\\.id: [Ff]ield required; other\\.rows: .*integer.*", j["message"])'
}
case_units() {  # tests/python/calling/rules_test.py: the rules in one process
	(cd "$proj" && PYTHONPATH="$pydir" PYTHONDONTWRITEBYTECODE=1 \
		"$py" -m unittest -q rules_test >"$d/stdout" 2>"$d/stderr")
	rc=$?
	expect_rc 0 && expect_grep stderr '^OK'
}

# name                     needs
cases='
whole_dict                 -
whole_plain                -
whole_plain_list           -
whole_plain_named_key      -
whole_typeddict            -
whole_typeddict_invalid    -
keyword_dict               -
keyword_typeddict          -
keyword_typeddict_invalid  -
add                        -
add_missing                -
add_types                  -
add_not_object             -
greet_defaults             -
greet                      -
greet_typo                 -
input_needs_task           -
untyped                    -
with_ctx                   -
scalar                     -
scalar_invalid             -
dataclass_out              -
list_out                   -
none_out                   -
print                      -
print_stdout_mode          -
model_whole                pydantic
model_whole_invalid        pydantic
model_keyword              pydantic
model_keywords             pydantic
model_keywords_invalid     pydantic
units                      -
'

run_cases() {
	pydantic=$("$py" -c 'import pydantic; print(pydantic.VERSION)' 2>/dev/null)
	echo "# $label: $("$py" -c 'import sys; print(sys.executable, sys.version.split()[0])') pydantic ${pydantic:-none}"
	echo "$cases" | while read -r case needs; do
		[ -n "$case" ] || continue
		case $only in "  ") ;; *" $case "*) ;; *) continue ;; esac
		if [ "$needs" = pydantic ] && [ -z "$pydantic" ]; then
			echo "SKIP: $label: $case: needs pydantic"
			continue
		fi
		d=$tmp/$label/$case
		mkdir -p "$d"
		proj=$tmp/$label/project
		file=tasks/rules.py
		why=
		if "case_$case"; then echo "PASS: $label: $case"; else say_fail "$why"; fi
	done
}

with_python() {  # LABEL PATH
	label=$1 py=$2
	if ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 8))' >/dev/null 2>&1; then
		echo "SKIP: $label: all: no usable Python 3.8+ at $py"
		return
	fi
	mkdir -p "$tmp/$label"
	cp -R "$fix/calling" "$tmp/$label/project"
	chmod -R u+w "$tmp/$label"   # from a read-only source tree (distcheck)
	run_cases
}

{
	if p=$(command -v python3); then
		with_python python3 "$p"
	else
		echo "SKIP: python3: all: no python3 on PATH"
	fi
	if [ -x /usr/bin/python3 ]; then
		with_python usr-bin-python3 /usr/bin/python3
		if /usr/bin/python3 -m venv --without-pip "$tmp/venv" >"$tmp/venv.log" 2>&1 &&
			[ -x "$tmp/venv/bin/python" ]; then
			with_python venv-bare "$tmp/venv/bin/python"
		else
			echo "SKIP: venv-bare: all: cannot make a venv: $(tail -n 1 "$tmp/venv.log")"
		fi
	else
		echo "SKIP: usr-bin-python3: all: no /usr/bin/python3"
	fi
} >"$tmp/results"
cat "$tmp/results"

# ---- through orkc, make and ork exec ------------------------------------
e2e() {
	label=orkc case=workflow d=$tmp/wf
	if [ ! -x "$top_builddir/orkc" ] || [ ! -x "$top_builddir/ork" ]; then
		echo "SKIP: $label: $case: no orkc/ork in $top_builddir"
		return
	fi
	command -v make >/dev/null 2>&1 || { echo "SKIP: $label: $case: no make"; return; }
	py=/usr/bin/python3
	[ -x "$py" ] || py=python3
	mkdir -p "$d"
	cp -R "$fix/calling/tasks" "$d/tasks"
	chmod -R u+w "$d"
	cat >"$d/wf.yaml" <<'EOF'
name: calling
tasks:
  add:
    executor: python
    file: tasks/rules.py
    function: add
    inputs:
      a: {const: 5}
      b: {const: 10}
  chatty:
    executor: python
    file: tasks/rules.py
    function: chatty
    depends_on: [add]
    inputs:
      n: {ref: tasks.add.output}
EOF
	(cd "$d" && "$top_builddir/orkc" wf.yaml -o run.mk &&
		make -f run.mk ORK="$top_builddir/ork" PYTHON="$py") >"$d/make.out" 2>&1 ||
		{ why="make failed: $(tail -n 5 "$d/make.out")"; say_fail "$why"; return; }
	out=$(ls "$d"/.ork/calling/default/chatty.????????????????.json 2>/dev/null)
	logs=$(ls "$d"/.ork/calling/default/logs/chatty.*.log 2>/dev/null)
	if [ -z "$out" ] || [ -z "$logs" ]; then
		say_fail "no output or log for chatty in $(ls "$d"/.ork/calling/default)"
		return
	fi
	cp "$out" "$d/output.json"
	# shellcheck disable=SC2086  # the log files, one or more
	cat $logs >"$d/stderr"
	if expect_json output.json 'j == {"n": 15, "label": "x"}' &&
		expect_grep stderr 'print from the task' &&
		expect_grep stderr 'fd 1 from the task' &&
		expect_grep stderr 'child process stdout'; then
		echo "PASS: $label: $case"
	else
		say_fail "$why"
	fi
}
e2e >"$tmp/e2e"
cat "$tmp/e2e"

npass=$(cat "$tmp/results" "$tmp/e2e" | grep -c '^PASS: ')
nfail=$(cat "$tmp/results" "$tmp/e2e" | grep -c '^FAIL: ')
nskip=$(cat "$tmp/results" "$tmp/e2e" | grep -c '^SKIP: ')
echo "$npass passed, $nfail failed ($nskip skipped)"
[ "$nfail" -eq 0 ] || exit 1
[ "$npass" -gt 0 ] || exit 77
exit 0
