#!/bin/sh
# shellcheck disable=SC1091,SC2154 # lib.sh is found at run time
# Diagnostic golden tests: each tests/diag/NAME.yaml holds mistakes, and
# NAME.err beside it is the exact stderr of `orkc --check NAME.yaml` run in
# tests/diag (so paths print as NAME.yaml, and task files resolve there).
# A file too large to keep (the limits) is made by tests/diag/NAME.gen.sh,
# which writes NAME.yaml on its standard output; it is checked the same
# way, in a scratch directory.
# orkc must exit 1 and print nothing on stdout.  Run with --update to
# rewrite the .err files after an intended change (review the diff).
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

update=0
[ "${1:-}" = --update ] && update=1
diagdir=$top_srcdir/tests/diag

# check NAME: run orkc --check NAME.yaml in the current directory.
check() {
	name=$1
	rc=0
	"$ORKC" --check "$name.yaml" >"$tmp/stdout" 2>"$tmp/stderr" || rc=$?
	if [ $rc != 1 ]; then
		fail "$name: exit status $rc, expected 1"
		sed 's/^/#   /' "$tmp/stderr"
		return
	fi
	if [ -s "$tmp/stdout" ]; then
		fail "$name: wrote to stdout"
		return
	fi
	if [ $update = 1 ]; then
		cp "$tmp/stderr" "$diagdir/$name.err"
		pass "$name (updated)"
	elif [ ! -f "$diagdir/$name.err" ]; then
		fail "$name: no $name.err (run tests/diag.sh --update)"
	elif diff -u "$diagdir/$name.err" "$tmp/stderr" >"$tmp/diff"; then
		pass "$name"
	else
		sed 's/^/#   /' "$tmp/diff"
		fail "$name: diagnostics differ from $name.err"
	fi
}

cd "$diagdir" || exit 99
for yaml in *.yaml; do
	check "${yaml%.yaml}"
done

mkdir "$tmp/gen" && cd "$tmp/gen" || exit 99
for gen in "$diagdir"/*.gen.sh; do
	name=$(basename "$gen" .gen.sh)
	if ! sh "$gen" >"$name.yaml"; then
		fail "$name: $name.gen.sh failed"
		continue
	fi
	check "$name"
	rm -f "$name.yaml"
done
finish
