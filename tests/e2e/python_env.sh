#!/bin/sh
# End to end: the Python a run uses, found as Ork finds it
# (runtime/pyenv.h): beside a pyproject.toml, its .venv, else `uv run`,
# else python3; an explicit PYTHON or `python:` wins; the run's first
# progress line says which.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

SYSPY=/usr/bin/python3
[ -x "$SYSPY" ] || SYSPY=$(command -v python3) || skip_all "no python3"

project pyenv
WF=pyenv
mkdir -p tasks bin
cat >tasks/where.py <<'EOF'
import sys


def main():
    return {"python": sys.executable}
EOF
cat >wf.yaml <<'EOF'
name: pyenv
tasks:
  where:
    executor: python
    file: tasks/where.py
EOF
printf '[project]\nname = "pyenv"\nversion = "0"\n' >pyproject.toml
# A stand-in for uv: says what it was asked, then runs the system python.
cat >bin/uv <<EOF
#!/bin/sh
echo "\$*" >>"$proj/uv.args"
[ "\$1 \$2 \$3" = "run --project $proj" ] && [ "\$4" = python ] || exit 9
shift 4
exec "$SYSPY" "\$@"
EOF
chmod +x bin/uv

# ORK_PYPROJECT is the workflow's directory from the root (here the
# same): no absolute path of the machine orkc ran on.
test_expect_success 'pyproject.toml beside the workflow: PYTHON is left empty' '
	compile && grep -q "^PYTHON   ?= *\$" run.mk &&
	grep -q "^export ORK_PYPROJECT := \.\$" run.mk
'

test_expect_success 'its .venv is the interpreter, said on the first line' '
	mkdir -p .venv/bin && ln -s "$SYSPY" .venv/bin/python &&
	make_ok &&
	expect_grep "^ork: python: $proj/.venv/bin/python \\(the .venv beside $proj/pyproject.toml\\)\$" make.out &&
	grep "^ork:" make.out | head -n 1 | grep -q "^ork: python:" &&
	expect_eq python "$proj/.venv/bin/python" "$(jget "$(outf where)" "d[\"python\"]")"
'

test_expect_success 'an explicit PYTHON wins over the .venv' '
	rm -rf .ork && make_ok PYTHON="$SYSPY" &&
	grep "^ork:" make.out | head -n 1 | grep -q "^ork: python: .* (PYTHON=$SYSPY)\$" &&
	expect_eq python "$SYSPY" "$(jget "$(outf where)" "d[\"python\"]")"
'

# A program (ELF) is where execvp finds it, which is its sys.executable:
# ork begin does not start it to ask.  /bin/true would answer nothing.
test_expect_success 'a PYTHON that is a program is not started to ask' '
	rm -rf .ork && make_ok PYTHON=/bin/true ork-begin &&
	refute grep -q "did not say" make.out &&
	expect_grep "^ork: python: /bin/true \\(PYTHON=/bin/true\\)\$" make.out
'

test_expect_success 'a PYTHON that is a script is asked, once' '
	printf "#!/bin/sh\necho \"\$*\" >>\"%s/py.args\"\nexec %s \"\$@\"\n" \
		"$proj" "$SYSPY" >bin/py && chmod +x bin/py && rm -rf .ork py.args &&
	make_ok PYTHON="$proj/bin/py" &&
	expect_grep "^ork: python: /.* \\(PYTHON=$proj/bin/py\\)\$" make.out &&
	expect_eq asked 1 "$(grep -c "^-c import sys" py.args)"
'

test_expect_success 'no .venv, uv on PATH: uv run --project DIR python, asked once' '
	rm -rf .ork .venv && PATH=$proj/bin:$PATH make_ok &&
	grep "^ork:" make.out | head -n 1 | grep -q "^ork: python: .* (uv run, for $proj/pyproject.toml)\$" &&
	expect_eq calls 1 "$(wc -l <uv.args | tr -d " ")" &&
	expect_grep "^run --project $proj python -c " uv.args
'

test_expect_success 'no .venv, no uv: python3, and the line says why' '
	if command -v uv >/dev/null 2>&1; then echo "uv is on PATH: not this case"; exit 0; fi
	rm -rf .ork && make_ok &&
	grep "^ork:" make.out | head -n 1 | grep -q "($proj/pyproject.toml has no .venv and uv is not on PATH)\$" &&
	has_out where
'

test_expect_success 'the sh artifact finds the .venv too' '
	mkdir -p .venv/bin && ln -sf "$SYSPY" .venv/bin/python && rm -rf .ork &&
	"$ORKC" wf.yaml -t sh -o run.sh && ORK="$ORK" sh run.sh >sh.out 2>&1 &&
	grep "^ork:" sh.out | head -n 1 | grep -q "^ork: python: $proj/.venv/bin/python (the .venv beside $proj/pyproject.toml)\$"
'

test_expect_success 'a workflow python: wins: no ORK_PYPROJECT' '
	printf "python: %s\n" "$SYSPY" >>wf.yaml && compile &&
	refute grep -q ORK_PYPROJECT run.mk && rm -rf .ork && make_ok &&
	grep "^ork:" make.out | head -n 1 | grep -q "^ork: python: .* (PYTHON=$SYSPY)\$"
'

test_expect_success 'no pyproject.toml: as before, python3 unless told' '
	rm pyproject.toml && compile && grep -q "^PYTHON   ?= $SYSPY\$" run.mk &&
	refute grep -q ORK_PYPROJECT run.mk
'

finish
