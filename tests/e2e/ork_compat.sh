#!/bin/sh
# shellcheck disable=SC1091,SC2016,SC2034,SC2154 # lib.sh is found at run time; test bodies are single-quoted on purpose and read TASKPY and seed
# End to end: workflows written for Ork compile and run (issue 8, the
# compiler side), with small workflows of our own in Ork's style:
#  - a task with inputs: gets exactly its bindings, no upstream member
#    beside them, even one named after an upstream; a task without inputs:
#    still gets input.UPSTREAM;
#  - executor shell is process; a process task's file: is its program;
#  - task files resolve against the workflow's directory (Ork's layout) or
#    its parent (the project layout), checked from any directory; the
#    artifact names the root it chose; a missing file names where it looked;
#  - Ork's 6- and 7-field schedules become five fields;
#  - orkc --check asks python whether the files compile and define their
#    functions with parameters that take the input (--no-python-check
#    skips it; no python: a note and no error).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

if [ -x /usr/bin/python3 ]; then TASKPY=/usr/bin/python3; else TASKPY=python3; fi

# ---- exact inputs, shell, process file: --------------------------------
project exact
WF=exact
mkdir bin
printf '#!/bin/sh\nprintf %s\n' "'{\"n\": 7, \"s\": \"x\"}'" >bin/emit
chmod +x bin/emit
cat >wf.yaml <<'EOF'
name: exact
types:
  Out: {n: int, s: str}
tasks:
  a:
    executor: process
    file: bin/emit
    output_type: types.Out
  bound:
    executor: shell
    command: cat
    depends_on: [a]
    input_type: {a: types.Out, n: int, k: str}
    inputs:
      a: {ref: tasks.a.output}
      n: {ref: tasks.a.output.n}
      k: {const: kept}
  empty:
    executor: process
    command: [cat]
    depends_on: [a]
    input_type: {}
    inputs: {}
  implicit:
    executor: process
    command: [cat]
    depends_on: [a]
    input: {k: 1}
EOF

test_expect_success 'inputs: exactly the bindings; no inputs: input.UPSTREAM' '
	"$ORKC" --check wf.yaml &&
	compile && make_ok &&
	[ "$(jget "$(outf bound)" d)" = "{\"a\":{\"n\":7,\"s\":\"x\"},\"k\":\"kept\",\"n\":7}" ] &&
	[ "$(jget "$(outf empty)" d)" = "{}" ] &&
	[ "$(jget "$(outf implicit)" d)" = "{\"a\":{\"n\":7,\"s\":\"x\"},\"k\":1}" ]
'

test_expect_success 'the spec of a task with inputs: says exact_input' '
	grep -q "exact_input" run.mk &&
	[ "$(grep -c "exact_input" run.mk)" = 2 ]
'

# ---- paths ---------------------------------------------------------------
# The project layout: workflows/pipe.yaml names tasks/work.py, both under
# the project root.
project seed
WF=pipe
mkdir workflows tasks
cat >tasks/work.py <<'EOF'
def make(count):
    return {"items": list(range(count))}

def total(make):
    return {"sum": sum(make["items"])}
EOF
cat >workflows/pipe.yaml <<'EOF'
name: pipe
tasks:
  make:
    executor: python
    file: tasks/work.py
    function: make
    input: {count: 4}
  total:
    executor: python
    file: tasks/work.py
    function: total
    depends_on: [make]
EOF
# Ork's layout: the file beside the workflow.
mkdir -p ork/flow
cat >ork/flow/flow.yaml <<'EOF'
name: flow
tasks:
  hello:
    executor: python
    file: flow.py
    function: hello
    input_type: {name: str}
    inputs: {name: {const: ork}}
EOF
printf 'def hello(name):\n    return {"hi": name}\n' >ork/flow/flow.py
seed=$proj

test_expect_success 'the project layout checks from its root, its workflows/ and /' '
	PYTHON=$TASKPY "$ORKC" --check workflows/pipe.yaml &&
	(cd workflows && PYTHON=$TASKPY "$ORKC" --check pipe.yaml) &&
	(cd / && PYTHON=$TASKPY "$ORKC" --check "$seed/workflows/pipe.yaml")
'

test_expect_success 'Ork'"'"'s layout checks from its directory and from /' '
	(cd ork/flow && PYTHON=$TASKPY "$ORKC" --check flow.yaml) &&
	(cd / && PYTHON=$TASKPY "$ORKC" --check "$seed/ork/flow/flow.yaml") &&
	PYTHON=$TASKPY "$ORKC" --check ork/flow/flow.yaml
'

test_expect_success 'the artifact names the root it chose; it runs there' '
	"$ORKC" workflows/pipe.yaml -o run.mk &&
	grep -q "^# Tasks run in this file'"'"'s directory (the parent of the workflow'"'"'s directory)" run.mk &&
	make_ok PYTHON="$TASKPY" &&
	[ "$(jget "$(outf total)" d)" = "{\"sum\":6}" ] &&
	(cd ork/flow && "$ORKC" flow.yaml -o run.mk &&
	 grep -q "^# Tasks run in this file'"'"'s directory (the workflow'"'"'s directory)" run.mk)
'

test_expect_success 'a missing task file names the places looked' '
	sed "s|tasks/work.py|tasks/gone.py|" workflows/pipe.yaml >workflows/gone.yaml &&
	(cd / && test_must_fail "$ORKC" --check "$seed/workflows/gone.yaml") 2>err &&
	grep -q "task file '"'"'tasks/gone.py'"'"' does not exist (looked in '"'"'$seed/workflows'"'"' (the workflow'"'"'s directory), '"'"'$seed/workflows/..'"'"' (the parent of the workflow'"'"'s directory) and '"'"'.'"'"' (the current directory))" err
'

# ---- schedules -------------------------------------------------------------
project cron
test_expect_success 'Ork'"'"'s 6 and 7 fields become five (weekday 2 = Monday)' '
	printf "name: c\nschedule: \"0 30 9 * * 2\"\ntasks:\n  a: {executor: process, command: [\"true\"]}\n" >six.yaml &&
	"$ORKC" -t json six.yaml | grep -q "\"schedule\": \"30 9 \* \* 1\"" &&
	printf "name: c\nschedule: \"0 */15 * * * MON-FRI *\"\ntasks:\n  a: {executor: process, command: [\"true\"]}\n" >seven.yaml &&
	"$ORKC" -t json seven.yaml | grep -q "\"schedule\": \"\*/15 \* \* \* MON-FRI\"" &&
	printf "name: c\nschedule: \"15 0 9 * * *\"\ntasks:\n  a: {executor: process, command: [\"true\"]}\n" >secs.yaml &&
	test_must_fail "$ORKC" --check secs.yaml 2>err &&
	grep -q "minute granularity" err
'

# ---- python check ----------------------------------------------------------
project pycheck
cat >t.py <<'EOF'
def add(a: int, b: int) -> int:
    return a + b
EOF
printf 'def broken(:\n    pass\n' >bad.py
cat >wf.yaml <<'EOF'
name: pyc
tasks:
  ok:
    executor: python
    file: t.py
    function: add
    input_type: {a: int, b: int}
    inputs: {a: {const: 1}, b: {const: 2}}
  typo:
    executor: python
    file: t.py
    function: ad
  params:
    executor: python
    file: t.py
    function: add
    input_type: {a: int, c: int}
    inputs: {a: {const: 1}, c: {const: 2}}
  syntax:
    executor: python
    file: bad.py
    function: broken
EOF

test_expect_success '--check: missing function, parameters, syntax, at their lines' '
	test_must_fail env PYTHON="$TASKPY" "$ORKC" --check wf.yaml 2>err &&
	grep -q "^wf.yaml:12:15: error: task '"'"'typo'"'"': function '"'"'ad'"'"' is not defined in '"'"'t.py'"'"'; did you mean '"'"'add'"'"'?" err &&
	grep -q "^wf.yaml:16:15: error: task '"'"'params'"'"': parameter '"'"'b'"'"' of add() has no input key of that name (input keys: a, c)" err &&
	grep -q "^wf.yaml:21:11: error: task '"'"'syntax'"'"': '"'"'bad.py'"'"' does not compile: line 1" err &&
	grep -q "^3 errors generated" err
'

test_expect_success '--no-python-check skips it; no python is a note, not an error' '
	PYTHON=$TASKPY "$ORKC" --check --no-python-check wf.yaml &&
	PYTHON=/nonexistent/python3 "$ORKC" --check wf.yaml 2>err &&
	grep -q "^orkc: note: no python '"'"'/nonexistent/python3'"'"' to ask" err
'

test_expect_success 'a relative python: is found from the root, from anywhere' '
	mkdir -p proj/workflows proj/venv &&
	ln -s "$(command -v "$TASKPY")" proj/venv/py &&
	cp t.py proj/t.py &&
	printf "name: p\npython: venv/py\ntasks:\n  typo:\n    executor: python\n    file: t.py\n    function: ad\n" >proj/workflows/p.yaml &&
	(cd / && test_must_fail "$ORKC" --check "$proj/proj/workflows/p.yaml") 2>err &&
	grep -q "function '"'"'ad'"'"' is not defined" err &&
	refute grep -q "note: no python" err
'

finish
