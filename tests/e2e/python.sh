#!/bin/sh
# The Python side of the runtime, without the C parts: run the task runner
# (ork._run) directly, the way `ork exec` does, over the task files in
# tests/python/project, with every interpreter at hand:
#   python3            first on PATH (here pyenv's, with pydantic 2)
#   /usr/bin/python3   Debian's, with python3-pydantic (1.x)
#   venv-system        /usr/bin/python3 -m venv --system-site-packages
#   venv-bare          /usr/bin/python3 -m venv (no pydantic at all)
#   $ORK_TEST_PYTHONS  more, space separated (e.g. other Python versions)
# A case that cannot run with an interpreter says SKIP and is not counted as
# passed.  Ends with "N passed, N failed"; exits 1 on any failure.
#
# Run by hand: sh tests/e2e/python.sh [CASE...]
# shellcheck disable=SC2317  # the case_* functions are called by name
set -u
LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
pydir=${ORK_PYDIR:-$top_srcdir/runtime/python}
fix=$top_srcdir/tests/python
quickstart=$top_srcdir/examples/quickstart

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ork-python.XXXXXX") || exit 99
server_pid=
cleanup() {
	if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

npass=0 nfail=0 nskip=0
only=" $* "

say_pass() { npass=$((npass + 1)); echo "PASS: $label: $case"; }
say_skip() { nskip=$((nskip + 1)); echo "SKIP: $label: $case: $*"; }
say_fail() {
	nfail=$((nfail + 1))
	echo "FAIL: $label: $case: $*"
	for f in error.json output.json stdout stderr; do
		if [ -s "$d/$f" ]; then
			echo "  --- $f"
			tail -n 15 "$d/$f" | sed 's/^/  | /'
		fi
	done
}

# run_task [VAR=value...]: run the runner in $proj with $input; sets $d, $rc.
run_task() {
	printf '%s' "$input" >"$d/input.json"
	(cd "$proj" && env PYTHONPATH="$pydir" PYTHONDONTWRITEBYTECODE=1 \
		ORK_FILE= ORK_MODULE= ORK_FUNCTION= ORK_PARAMS= \
		ORK_PARALLEL_INDEX= ORK_PARALLEL_COUNT= \
		ORK_INPUT="$d/input.json" ORK_OUTPUT="$d/output.json" \
		ORK_ERROR_FILE="$d/error.json" ORK_RUN_ID=run-1 ORK_WORKFLOW=wf \
		ORK_TASK="$case" ORK_ATTEMPT=2 ORK_MAX_ATTEMPTS=4 \
		ORK_RUN_DIR="$d" ORK_METRICS="$d/metrics.jsonl" "$@" \
		"$py" -c 'import ork._run as r; r.main()' \
		<"$d/input.json" >"$d/stdout" 2>"$d/stderr")
	rc=$?
}

expect_rc() {
	[ "$rc" -eq "$1" ] || { why="exit status $rc, expected $1"; return 1; }
}
# expect_json FILE EXPR: EXPR (Python, j = the JSON value) holds
expect_json() {
	[ -f "$d/$1" ] || { why="no $1"; return 1; }
	"$py" "$fix/check.py" "$d/$1" "$2" >"$d/check.out" 2>&1 ||
		{ why="$1: $(cat "$d/check.out")"; return 1; }
}
expect_grep() {
	grep -E -q -- "$2" "$d/$1" || { why="$1 does not match /$2/"; return 1; }
}
expect_no_grep() {
	! grep -E -q -- "$2" "$d/$1" || { why="$1 matches /$2/"; return 1; }
}
expect_absent() {
	[ ! -e "$d/$1" ] || { why="$1 exists"; return 1; }
}
# a failed attempt: status 1, no output, the error file's message
expect_error() {  # EXPR-on-error.json
	expect_rc 1 && expect_absent output.json && expect_json error.json "$1"
}

# ---- cases: case_NAME, listed with what they need in `cases` below -------

case_model() {
	input='{"who": {"name": "ada"}, "count": 2, "tags": ["a", "b"]}'
	run_task ORK_FILE=tasks/model_task.py
	expect_rc 0 && expect_absent error.json && expect_json output.json \
		'j == {"greeting": "HELLO ADA!", "total": 4, "tags": ["a", "b"]}'
}
case_model_ctx() {
	input='{"n": 5}'
	run_task ORK_FILE=tasks/model_ctx.py
	expect_rc 0 && expect_grep stderr 'Z INFO +n is 5$' &&
		expect_json output.json 'j == {"n2": 10, "task": "model_ctx", "attempt": 2}'
}
case_model_invalid() {
	input='{"who": {"email": "x"}, "count": "many"}'
	run_task ORK_FILE=tasks/model_task.py
	expect_error 'j["message"].startswith("input validation failed: ")
		and re.search("who\\.name: [Ff]ield required", j["message"])
		and "count: " in j["message"] and j["retryable"] is False' &&
		expect_grep stderr '^ork: input validation failed'
}
case_ctx() {
	input='{"a": 1}'
	run_task ORK_FILE=tasks/ctx_task.py ORK_PARAMS='{"date": "2026-11-26"}' \
		ORK_PARALLEL_INDEX=1 ORK_PARALLEL_COUNT=3
	expect_rc 0 && expect_json output.json 'j == {"input": {"a": 1},
		"run_id": "run-1", "task_name": "ctx", "workflow_name": "wf",
		"attempt": 2, "max_attempts": 4, "parallel_index": 1,
		"parallel_count": 3, "params": {"date": "2026-11-26"},
		"run_dir": j["run_dir"], "same_ctx": True, "env_task": "ctx"}'
}
case_log() {
	input='{"a": 1}'
	run_task ORK_FILE=tasks/ctx_task.py
	ts='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z'
	expect_rc 0 && expect_grep stderr "$ts INFO +starting with 1 keys\$" &&
		expect_grep stderr "$ts WARNING multi\$" &&
		expect_grep stderr '^ {20,}line$' &&
		expect_grep stderr "$ts ERROR +bad news\$"
}
case_metrics() {
	input='{}'
	run_task ORK_FILE=tasks/ctx_task.py
	expect_rc 0 && expect_json metrics.jsonl 'len(j) == 2
		and all(sorted(m) == ["attempt", "labels", "name", "task", "time",
		                      "value"] for m in j)
		and (j[0]["name"], j[0]["value"], j[0]["labels"], j[0]["task"],
		     j[0]["attempt"]) == ("rows", 42, {"table": "users"}, "metrics", 2)
		and (j[1]["name"], j[1]["value"], j[1]["labels"]) == ("ratio", 0.5, {})
		and re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", j[0]["time"])'
}
case_noarg() {
	input='{"ignored": true}'
	run_task ORK_FILE=tasks/noarg.py
	expect_rc 0 && expect_json output.json 'j == {"ok": True, "answer": 42}' &&
		expect_grep stdout '^printed by the task$'
}
case_plain() {
	input='{"api_url": "http://x/api", "raw_path": "raw/x.json", "limit": 5,
		"since": "2026-03-01", "unrelated": {"a": 1}}'
	run_task ORK_FILE=tasks/plain.py ORK_FUNCTION=extract
	expect_rc 0 && expect_json output.json 'j == {"source": "http://x/api",
		"raw_path": "raw/x.json", "limit": 5, "generated": "2026-03-01",
		"at": "2026-01-02T03:04:05+00:00", "note": None,
		"rows": [{"id": 0, "day": "2026-03-01"}, {"id": 1, "day": "2026-03-02"}]}'
}
# ork._convert is loaded only when an annotation needs it.
case_lazy_convert() {
	input='{"name": "n", "count": 1, "ratio": 0.5, "flag": true,
		"extra": {"a": 1}, "items": [1]}'
	run_task ORK_FILE=tasks/modules.py ORK_FUNCTION=plain
	expect_rc 0 && expect_json output.json 'j == ["ork", "ork._run"]' || return 1
	input='{}'
	run_task ORK_FILE=tasks/modules.py ORK_FUNCTION=nothing
	expect_rc 0 && expect_json output.json 'j == ["ork", "ork._run"]' || return 1
	input='{"point": {"x": 1}}'
	run_task ORK_FILE=tasks/modules.py ORK_FUNCTION=typed
	expect_rc 0 && expect_json output.json '"ork._convert" in j'
}
case_gc_frozen() {
	input='{}'
	run_task ORK_FILE=tasks/modules.py ORK_FUNCTION=collector
	expect_rc 0 && expect_json output.json 'j == {"frozen": True, "enabled": True}'
}
case_plain_missing() {
	input='{"api_url": "u"}'
	run_task ORK_FILE=tasks/plain.py ORK_FUNCTION=extract
	expect_error 'j["message"] == "input validation failed: missing required parameter '"'raw_path'"' of extract (input keys: api_url)"
		and j["details"] == [{"loc": "raw_path", "msg": "missing required parameter"}]
		and j["retryable"] is False'
}
case_plain_types() {
	input='{"count": "3", "ratio": 1, "name": 7}'
	run_task ORK_FILE=tasks/validate.py ORK_FUNCTION=kw
	expect_error 'j["message"] == "input validation failed: count: expected int, got str; name: expected str, got int"'
}
case_plain_coerce() {
	input='{"count": 3, "ratio": 1, "name": "n", "flag": true}'
	run_task ORK_FILE=tasks/validate.py ORK_FUNCTION=kw
	expect_rc 0 && expect_json output.json 'j == {"count": 3, "ratio": 1.0,
		"name": "n", "flag": True} and isinstance(j["ratio"], float)'
}
case_kwargs() {
	input='{"first": 1, "b": 2, "a": 3}'
	run_task ORK_FILE=tasks/plain.py ORK_FUNCTION=rest
	expect_rc 0 && expect_json output.json 'j == {"first": 1, "more": ["a", "b"]}'
}
case_posonly() {
	input='{"a": 1, "c": 5}'
	run_task ORK_FILE=tasks/plain.py ORK_FUNCTION=positional_only
	expect_rc 0 && expect_json output.json 'j == [1, 2, 5]'
}
case_typeddict() {
	input='{"label": "L", "points": [{"x": 1, "y": 2}, {"x": 3, "y": 4}]}'
	run_task ORK_FILE=tasks/typed_dict.py
	expect_rc 0 && expect_json output.json 'j == {"label": "L", "n": 2, "cx": 2.0}'
}
case_typeddict_invalid() {
	input='{"label": "L", "points": [{"x": 1}, {"x": "2", "y": 0}]}'
	run_task ORK_FILE=tasks/typed_dict.py
	expect_error 'j["message"] == "input validation failed: points[0].y: field required; points[1].x: expected float, got str"'
}
case_dataclass_invalid() {
	input='{"users": [{"name": "a", "email": "e"}, {"name": "b", "email": null}], "mode": "medium"}'
	run_task ORK_FILE=tasks/validate.py
	expect_error '"users[1].email: expected str, got null" in j["message"]
		and "mode: expected one of '"'fast', 'slow'"'" in j["message"]
		and j["details"][0]["loc"] == "users[1].email"'
}
case_dataclass() {
	input='{"users": [{"name": "a", "email": "e", "age": 3}], "mode": "slow"}'
	run_task ORK_FILE=tasks/validate.py
	expect_rc 0 && expect_json output.json 'j == {"names": ["a"], "mode": "slow"}'
}
case_task_error() {
	input='{"user": "bob"}'
	run_task ORK_FILE=tasks/fail_task_error.py
	expect_error 'j == {"message": "quota exceeded for bob",
		"details": {"limit": 10, "used": 12}, "retryable": False}' &&
		expect_grep stderr 'TaskError: quota exceeded for bob'
}
case_exception() {
	input='{}'
	run_task ORK_FILE=tasks/fail_exception.py
	expect_error 'j == {"message": "KeyError: '"'missing_key'"'",
		"details": None, "retryable": True}' &&
		expect_grep stderr '^Traceback \(most recent call last\):' &&
		expect_grep stderr 'line 2, in helper' &&
		expect_no_grep stderr '_run\.py'
}
case_future() {
	input='{"items": [{"name": "a", "qty": 2}, {"name": "b"}], "tags": {"x": 1}}'
	run_task ORK_FILE=tasks/future_ann.py
	expect_rc 0 && expect_json output.json 'j == {"n": 3, "coupon": None,
		"first": "a", "task": "future", "tags": {"x": 1}}'
}
case_future_invalid() {
	input='{"items": [{"qty": 2}], "coupon": 5}'
	run_task ORK_FILE=tasks/future_ann.py
	expect_error 'j["message"] == "input validation failed: items[0].name: field required; coupon: expected str | None, got int"'
}
case_async() {
	input='{"xs": [1, 2, 3]}'
	run_task ORK_FILE=tasks/async_task.py
	expect_rc 0 && expect_json output.json 'j == {"doubled": [2, 4, 6], "attempt": 2}'
}
case_outputs() {
	input='{}'
	run_task ORK_FILE=tasks/outputs.py ORK_FUNCTION=rich
	expect_rc 0 && expect_grep output.json '"unicode":"café"' &&
		expect_json output.json 'j == {"date": "2026-11-26",
		"dt": "2026-11-26T08:00:00", "tuple": [1, 2], "set": [1, 2, 3],
		"dec": "1.10", "enum": "red",
		"uuid": "00000000-0000-0000-0000-000000000001", "path": "/a/b",
		"delta": 90.0, "nested": [{"when": "2000-01-02"}], "unicode": "caf\u00e9"}'
}
case_output_nan() {
	input='{}'
	run_task ORK_FILE=tasks/outputs.py ORK_FUNCTION=nan
	expect_error 'j["message"] == "output is not JSON-serialisable: output.stats.mean: float nan is not valid JSON" and j["retryable"] is False'
}
case_output_opaque() {
	input='{}'
	run_task ORK_FILE=tasks/outputs.py ORK_FUNCTION=opaque
	expect_error '"output.items[1].handle: object of type object is not JSON-serialisable" in j["message"]'
}
case_output_none() {
	input='{}'
	run_task ORK_FILE=tasks/outputs.py ORK_FUNCTION=none
	expect_rc 0 && expect_json output.json 'j is None'
}
case_sys_exit() {
	input='{}'
	run_task ORK_FILE=tasks/outputs.py ORK_FUNCTION=exits
	expect_rc 75 && expect_absent error.json && expect_absent output.json
}
case_no_function() {
	input='{}'
	run_task ORK_FILE=tasks/plain.py ORK_FUNCTION=nope
	expect_error 'j["message"].startswith("no function '"'nope'"' in tasks/plain.py")
		and "extract" in j["message"] and j["retryable"] is False'
}
case_only_task() {
	input='{"k": 1}'
	run_task ORK_FILE=tasks/only_task.py ORK_FUNCTION=main
	expect_rc 0 && expect_json output.json 'j == {"got": {"k": 1}}' &&
		expect_grep stderr "running its @task function 'transform'"
}
case_module() {
	input='{"x": 2}'
	run_task ORK_MODULE=pkg.mod ORK_FUNCTION=run
	expect_rc 0 && expect_json output.json 'j == {"sum": 3, "module": "pkg.mod"}'
}
case_method() {
	input='{"k": 1}'
	run_task ORK_MODULE=pkg.mod ORK_FUNCTION=Job.go
	expect_rc 0 && expect_json output.json 'j == {"job": {"k": 1}}'
}
case_no_module() {
	input='{}'
	run_task ORK_MODULE=pkg.nope
	expect_error 'j["message"].startswith("module not found: pkg.nope")'
}
case_no_file() {
	input='{}'
	run_task ORK_FILE=tasks/nope.py
	expect_error 'j["message"].startswith("task file not found: tasks/nope.py")'
}
case_syntax_error() {
	input='{}'
	run_task ORK_FILE=tasks/syntax_error.py
	expect_error 'j["message"].startswith("SyntaxError: ") and j["retryable"] is False' &&
		expect_grep stderr 'syntax_error\.py", line 1'
}
case_identity() {
	input='{}'
	run_task ORK_FILE=tasks/identity.py
	expect_rc 0 && expect_json output.json 'j == {"name": "tasks.identity",
		"same": True, "pickled": 3, "argv0": "tasks/identity.py"}'
}
case_private_name() {
	input='{"a": 7}'
	run_task ORK_FILE=tasks/my-task.py
	expect_rc 0 && expect_json output.json 'j["a"] == 7
		and j["module"].startswith("_ork_task_")'
}
case_stdout_mode() {
	input='{}'
	run_task ORK_FILE=tasks/noarg.py ORK_OUTPUT=
	expect_rc 0 && expect_absent output.json &&
		expect_json stdout 'j == {"ok": True, "answer": 42}' &&
		expect_grep stderr '^printed by the task$'
}
case_stdin_mode() {
	input='{"first": 9}'
	run_task ORK_FILE=tasks/plain.py ORK_FUNCTION=rest ORK_INPUT=
	expect_rc 0 && expect_json output.json 'j == {"first": 9, "more": []}'
}
case_bad_input() {
	input='{"a": '
	run_task ORK_FILE=tasks/noarg.py
	expect_error 'j["message"].startswith("the input is not valid JSON")'
}
case_no_pydantic() {
	input='{"x": 1}'
	run_task ORK_FILE=tasks/needs_pydantic.py
	expect_error '"No module named '"'pydantic'"'" in j["message"]
		and "(python: " in j["message"] and j["retryable"] is False' &&
		expect_grep stderr '^ModuleNotFoundError'
}

# tests/python/unit_test.py: the pieces, in one process
case_units() {
	(cd "$d" && PYTHONPATH="$pydir" PYTHONDONTWRITEBYTECODE=1 \
		"$py" "$fix/unit_test.py" >"$d/stdout" 2>"$d/stderr")
	rc=$?
	expect_rc 0 && expect_grep stdout '^[0-9]+ tests, 0 failed$'
}
case_bad_input_trailing() {
	input='{"a": 1} {"b": 2}'
	run_task ORK_FILE=tasks/noarg.py
	expect_error 'j["message"].startswith("the input is not valid JSON: Extra data")'
}

# The quickstart example's own tasks, its data served on loopback by a
# server the main shell started (see start_server below).
case_quickstart() {
	[ -s "$tmp/port" ] || { why="the data server did not start"; return 1; }
	proj=$tmp/$label/quickstart
	input="{\"url\": \"http://127.0.0.1:$(cat "$tmp/port")/data.json\"}"
	run_task ORK_FILE=tasks/fetch.py
	expect_rc 0 && expect_json output.json \
		"j == {'data': open('$quickstart/data/data.json').read()}" || return 1
	input="{\"fetch\": $(cat "$d/output.json")}"
	run_task ORK_FILE=tasks/summarize.py
	expect_rc 0 && expect_json output.json "(lambda t: j == {
		'total_chars': len(t), 'total_lines': len(t.split('\\n')),
		'non_empty_lines': len([l for l in t.split('\\n') if l.strip()])})(
		open('$quickstart/data/data.json').read())"
}
case_quickstart_invalid() {
	proj=$tmp/$label/quickstart
	input='{"fetch": {}}'
	run_task ORK_FILE=tasks/summarize.py
	expect_error 're.search("^input validation failed: fetch\\.data: [Ff]ield required$", j["message"])'
}
case_quickstart_unreachable() {
	proj=$tmp/$label/quickstart
	input='{"url": "http://127.0.0.1:9/data.json"}'
	run_task ORK_FILE=tasks/fetch.py
	expect_error 'j["message"].startswith("URLError: ") and j["retryable"] is True'
}

# name            needs
cases='
model             pydantic
model_ctx         pydantic
model_invalid     pydantic
ctx               -
log               -
metrics           -
noarg             -
plain             -
lazy_convert      -
gc_frozen         -
plain_missing     -
plain_types       -
plain_coerce      -
kwargs            -
posonly           -
typeddict         -
typeddict_invalid -
dataclass         -
dataclass_invalid -
task_error        -
exception         -
future            py310
future_invalid    py310
async             -
outputs           -
output_nan        -
output_opaque     -
output_none       -
sys_exit          -
no_function       -
only_task         -
module            -
method            -
no_module         -
no_file           -
syntax_error      -
identity          -
private_name      -
stdout_mode       -
stdin_mode        -
bad_input         -
bad_input_trailing -
units             -
no_pydantic       no-pydantic
quickstart        pydantic
quickstart_invalid pydantic
quickstart_unreachable pydantic
'

run_cases() {
	pydantic=$("$py" -c 'import pydantic; print(pydantic.VERSION)' 2>/dev/null)
	pyver=$("$py" -c 'import sys; print("%d%02d" % sys.version_info[:2])')
	echo "# $label: $("$py" -c 'import sys; print(sys.executable, sys.version.split()[0])') pydantic ${pydantic:-none}"
	echo "$cases" | while read -r case needs; do
		[ -n "$case" ] || continue
		case $only in "  ") ;; *" $case "*) ;; *) continue ;; esac
		case $needs in
		pydantic) [ -n "$pydantic" ] || { say_skip "needs pydantic"; continue; } ;;
		no-pydantic) [ -z "$pydantic" ] ||
			{ say_skip "for interpreters without pydantic"; continue; } ;;
		py310) [ "$pyver" -ge 310 ] ||
			{ say_skip "the task file's annotations need Python 3.10"; continue; } ;;
		esac
		d=$tmp/$label/$case
		mkdir -p "$d"
		proj=$tmp/$label/project
		why=
		if "case_$case"; then say_pass; else say_fail "$why"; fi
	done
}

# An interpreter: LABEL PATH
with_python() {
	label=$1 py=$2
	if ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 8))' >/dev/null 2>&1; then
		case=all
		say_skip "no usable Python 3.8+ at $py"
		return
	fi
	rm -rf "${tmp:?}/$label"
	mkdir -p "$tmp/$label"
	cp -R "$fix/project" "$tmp/$label/project"
	cp -R "$quickstart" "$tmp/$label/quickstart"
	chmod -R u+w "$tmp/$label"   # from a read-only source tree (distcheck)
	# the counters live in files: run_cases' loop is a subshell
	run_cases >"$tmp/$label.out"
	cat "$tmp/$label.out"
	npass=$((npass + $(grep -c '^PASS: ' "$tmp/$label.out")))
	nfail=$((nfail + $(grep -c '^FAIL: ' "$tmp/$label.out")))
	nskip=$((nskip + $(grep -c '^SKIP: ' "$tmp/$label.out")))
}

make_venv() {  # NAME [ARGS]: a virtualenv of /usr/bin/python3, or nothing
	name=$1
	shift
	/usr/bin/python3 -m venv --without-pip "$@" "$tmp/venvs/$name" >"$tmp/$name.log" 2>&1 &&
		[ -x "$tmp/venvs/$name/bin/python" ] && echo "$tmp/venvs/$name/bin/python"
}

start_server() {  # PYTHON: serve examples/quickstart/data on a free port
	"$1" "$fix/serve.py" "$quickstart/data" "$tmp/port" &
	server_pid=$!
	n=0
	while [ ! -s "$tmp/port" ] && [ $n -lt 100 ]; do
		sleep 0.05
		n=$((n + 1))
	done
}
for p in python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null 2>&1; then
		start_server "$p"
		break
	fi
done

if p=$(command -v python3); then
	with_python python3 "$p"
else
	label=python3 case=all
	say_skip "no python3 on PATH"
fi
if [ -x /usr/bin/python3 ]; then
	with_python usr-bin-python3 /usr/bin/python3
	if v=$(make_venv venv-system --system-site-packages); then
		with_python venv-system "$v"
	else
		label=venv-system case=all
		say_skip "cannot make a venv: $(tail -n 1 "$tmp/venv-system.log")"
	fi
	if v=$(make_venv venv-bare); then
		with_python venv-bare "$v"
	else
		label=venv-bare case=all
		say_skip "cannot make a venv: $(tail -n 1 "$tmp/venv-bare.log")"
	fi
else
	label=usr-bin-python3 case=all
	say_skip "no /usr/bin/python3"
fi
for p in ${ORK_TEST_PYTHONS:-}; do
	with_python "$(echo "$p" | tr -c 'A-Za-z0-9.\n' '-')" "$p"
done

echo "$npass passed, $nfail failed ($nskip skipped)"
[ "$nfail" -eq 0 ] || exit 1
[ "$npass" -gt 0 ] || exit 77
exit 0
