#!/bin/sh
# shellcheck disable=SC1091,SC2154 # lib.sh is found at run time
# Diagnostic golden tests: each tests/diag/NAME.yaml holds mistakes, and
# NAME.err beside it is the exact stderr of `orkc --check NAME.yaml` run in
# tests/diag (so paths print as NAME.yaml, and task files resolve there).
# orkc must exit 1 and print nothing on stdout.  Run with --update to
# rewrite the .err files after an intended change (review the diff).
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

update=0
[ "${1:-}" = --update ] && update=1

cd "$top_srcdir/tests/diag" || exit 99
for yaml in *.yaml; do
	name=${yaml%.yaml}
	rc=0
	"$ORKC" --check "$yaml" >"$tmp/stdout" 2>"$tmp/stderr" || rc=$?
	if [ $rc != 1 ]; then
		fail "$name: exit status $rc, expected 1"
		sed 's/^/#   /' "$tmp/stderr"
		continue
	fi
	if [ -s "$tmp/stdout" ]; then
		fail "$name: wrote to stdout"
		continue
	fi
	if [ $update = 1 ]; then
		cp "$tmp/stderr" "$name.err"
		pass "$name (updated)"
	elif [ ! -f "$name.err" ]; then
		fail "$name: no $name.err (run tests/diag.sh --update)"
	elif diff -u "$name.err" "$tmp/stderr" >"$tmp/diff"; then
		pass "$name"
	else
		sed 's/^/#   /' "$tmp/diff"
		fail "$name: diagnostics differ from $name.err"
	fi
done
finish
