#!/bin/sh
# orkc --diff (issue 11, item 5): golden tests of the text and the json
# (tests/golden/wfdiff: old.yaml and new.yaml, diff.txt and diff.json),
# OLD from standard input, no env value in the output, a workflow
# compared with itself, errors and usage.  --update rewrites the expected
# files after an intended change.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

update=0
[ "${1:-}" = --update ] && update=1
FROM=2026-11-29T12:00:00Z
cd "$top_srcdir/tests/golden/wfdiff"

golden() {  # NAME EXPECTED ARGS...
	_name=$1 _exp=$2
	shift 2
	if ! "$ORKC" --diff --from "$FROM" "$@" >"$tmp/out" 2>"$tmp/err"; then
		fail "$_name: orkc failed: $(cat "$tmp/err")"
	elif [ $update = 1 ]; then
		cp "$tmp/out" "$_exp"
		pass "$_name: updated"
	elif ! diff -u "$_exp" "$tmp/out" >&2; then
		fail "$_name: output differs from $_exp"
	else
		pass "$_name"
	fi
}

golden "text" diff.txt old.yaml new.yaml
golden "json" diff.json -t json old.yaml new.yaml
[ $update = 1 ] && finish

if "$ORKC" --diff --from "$FROM" - new.yaml <old.yaml >"$tmp/stdin" 2>&1 &&
   sed '1s/^--- -$/--- old.yaml/' "$tmp/stdin" | cmp -s - diff.txt; then
	pass "OLD from standard input (-)"
else
	fail "OLD from standard input (-)"
fi
if ! command -v python3 >/dev/null; then
	skip "diff.json is JSON (no python3)"
elif python3 -c 'import json,sys; json.load(open(sys.argv[1]))' diff.json; then
	pass "diff.json is JSON"
else
	fail "diff.json is JSON"
fi
if grep -q hunter2 diff.txt diff.json; then
	fail "no env value in the output"
else
	pass "no env value in the output"
fi
if "$ORKC" --diff new.yaml new.yaml >"$tmp/same" 2>&1 &&
   grep -qx 'will re-run: nothing' "$tmp/same" && ! grep -q '^task ' "$tmp/same"; then
	pass "a workflow against itself: nothing changed, nothing re-runs"
else
	fail "a workflow against itself: $(cat "$tmp/same")"
fi

printf 'name: broken\ntasks:\n  a: {executor: process, comand: [x]}\n' >"$tmp/broken.yaml"
set +e
"$ORKC" --diff "$tmp/broken.yaml" new.yaml >"$tmp/o" 2>"$tmp/e"; rc=$?
set -e
if [ $rc = 1 ] && grep -q "unknown key 'comand'" "$tmp/e" && [ ! -s "$tmp/o" ]; then
	pass "an error in OLD: reported, exit 1, no diff"
else
	fail "an error in OLD: exit $rc: $(cat "$tmp/e")"
fi
for args in "--diff new.yaml" "--diff old.yaml new.yaml -o x.mk" "--diff -t make old.yaml new.yaml"; do
	set +e
	# shellcheck disable=SC2086 # words on purpose
	"$ORKC" $args >/dev/null 2>"$tmp/e"; rc=$?
	set -e
	if [ $rc = 2 ]; then pass "usage: orkc $args: exit 2"; else fail "usage: orkc $args: exit $rc"; fi
done
finish
