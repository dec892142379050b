#!/bin/sh
# shellcheck disable=SC1091,SC2154,SC2016 # lib.sh at run time; bodies are eval'd
# The `ork` Python package outside `ork exec` (README "Python tasks"):
#  - `pip install --no-build-isolation` of runtime/python works offline
#    into a venv of /usr/bin/python3 (--system-site-packages: Debian's
#    setuptools and wheel); the installed package has py.typed and the
#    version of pyproject.toml;
#  - `from ork import task` imports there, with no ork on PYTHONPATH, and
#    the example's unit tests (runtime/python/example) pass with the
#    installed package, with plain PYTHONPATH, and under pytest if present.
# Needs python3-venv, python3-setuptools and python3-wheel: without them
# the pip cases say SKIP.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

PY=/usr/bin/python3
[ -x $PY ] || skip_all "no $PY"
src=$top_srcdir/runtime/python
# pip builds in the tree it is given: a copy keeps the source tree clean
# (and may be read-only, as under distcheck).
cp -R "$src" "$tmp/src"
chmod -R u+w "$tmp/src"
rm -rf "$tmp/src/build" "$tmp/src"/*.egg-info
cp -R "$src/example" "$tmp/example"
chmod -R u+w "$tmp/example"
PYTHONDONTWRITEBYTECODE=1
PIP_DISABLE_PIP_VERSION_CHECK=1
PIP_NO_INPUT=1
export PYTHONDONTWRITEBYTECODE PIP_DISABLE_PIP_VERSION_CHECK PIP_NO_INPUT
unset PYTHONPATH ORK_PYDIR || :

venv=$tmp/venv
why=
if ! $PY -m venv --system-site-packages "$venv" >"$tmp/venv.log" 2>&1; then
	why="cannot make a venv (python3-venv?): $(tail -n 1 "$tmp/venv.log")"
elif ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
	why="the venv has no pip"
elif ! "$venv/bin/python" -c 'import setuptools, wheel' >/dev/null 2>&1; then
	why="no setuptools or wheel for an offline build (python3-setuptools, python3-wheel)"
fi

if [ -n "$why" ]; then
	echo "SKIP: $why"
	skip "pip install --no-build-isolation into a venv: $why"
	skip "import ork from the venv: $why"
	skip "the example's tests against the installed package: $why"
else
	test_expect_success 'pip install --no-build-isolation into a venv, offline' '
		"$venv/bin/python" -m pip install --no-build-isolation --no-index \
			--no-deps "$tmp/src" >"$tmp/pip.log" 2>&1 ||
			{ cat "$tmp/pip.log"; false; }
		grep -E "^Successfully installed orkc-" "$tmp/pip.log"
	'
	test_expect_success 'the installed package imports outside ork exec' '
		cd "$tmp"
		"$venv/bin/python" -c "
import os, sys
import ork, ork._run
from ork import task, Context, TaskError, call_task
where = os.path.dirname(ork.__file__)
assert where.startswith(sys.prefix), (where, sys.prefix)
assert os.path.isfile(os.path.join(where, \"py.typed\")), where
@task
def double(x: int) -> int:
    return 2 * x
assert double(21) == 42
assert call_task(double, 4) == 8  # @task: the whole input
print(ork.__version__)
" >version
		grep "^version = \"$(cat version)\"\$" "$src/pyproject.toml"
	'
	test_expect_success 'the example tests pass against the installed package' '
		cd "$tmp/example"
		"$venv/bin/python" -m unittest -v test_orders >"$tmp/unittest.out" 2>&1 ||
			{ cat "$tmp/unittest.out"; false; }
		grep -E "^Ran 4 tests" "$tmp/unittest.out"
	'
fi

# Without an install: the package on PYTHONPATH, as `ork exec` has it.
test_expect_success 'the example tests pass with ork on PYTHONPATH' '
	cd "$tmp/example"
	PYTHONPATH=$src $PY -m unittest test_orders >"$tmp/unittest2.out" 2>&1 ||
		{ cat "$tmp/unittest2.out"; false; }
	grep -E "^OK" "$tmp/unittest2.out"
'

if $PY -m pytest --version >/dev/null 2>&1; then
	test_expect_success 'the example tests pass under pytest' '
		cd "$tmp/example"
		PYTHONPATH=$src $PY -m pytest -q -p no:cacheprovider test_orders.py
	'
else
	echo "SKIP: no pytest for $PY (python3-pytest)"
	skip "the example tests under pytest: no pytest for $PY"
fi

finish
