#!/bin/sh
# shellcheck disable=SC1091,SC2154 # lib.sh is found at run time
# orkc -o FILE --check-generated: exit 0 and silence when FILE is what
# orkc would write (every golden artifact, every target), exit 1 and the
# exact unified diff of tests/golden/drift/run.EXT.diff when it is not
# (FILE is never written), and the same diff as diff -u gives.  Run with
# --update to rewrite the .diff files after an intended change.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

update=0
[ "${1:-}" = --update ] && update=1

# Every golden artifact is up to date by orkc's own check.
cd "$top_srcdir/tests/golden"
for yaml in *.yaml; do
	name=${yaml%.yaml}
	for target in make sh json dot cron; do
		case $target in make) ext=mk ;; *) ext=$target ;; esac
		[ -f "$name.$ext" ] || continue
		set -- -t "$target" -o "$name.$ext" --check-generated
		if [ "$target" = cron ]; then
			set -- "$@" --artifact run.mk --root /srv/project --ork /usr/local/bin/ork
			if [ -f "$name.cronargs" ]; then
				while IFS= read -r _arg; do set -- "$@" "$_arg"; done <"$name.cronargs"
			fi
		fi
		rc=0
		"$ORKC" "$@" "$yaml" >"$tmp/out" 2>"$tmp/err" || rc=$?
		if [ $rc = 0 ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ]; then
			pass "$name.$ext: --check-generated exits 0, silent"
		else
			cat "$tmp/out" "$tmp/err" >&2
			fail "$name.$ext: --check-generated exited $rc"
		fi
	done
done

# Hand-edited artifacts: exit 1, the expected diff, the file untouched.
cd "$top_srcdir/tests/golden/drift"
for ext in mk sh json; do
	case $ext in mk) target=make ;; *) target=$ext ;; esac
	cp "run.$ext" "$tmp/before"
	rc=0
	"$ORKC" wf.yaml -t "$target" -o "run.$ext" --check-generated >"$tmp/diff" 2>"$tmp/err" || rc=$?
	if [ $update = 1 ]; then
		cp "$tmp/diff" "run.$ext.diff"
		continue
	fi
	[ $rc = 1 ] && pass "run.$ext: exit status 1" || fail "run.$ext: exit status $rc, expected 1"
	test_cmp "run.$ext.diff" "$tmp/diff" >&2 && pass "run.$ext: the expected diff" ||
		fail "run.$ext: the diff differs from run.$ext.diff"
	cmp -s "$tmp/before" "run.$ext" && pass "run.$ext: not written" ||
		fail "run.$ext: --check-generated changed it"
	[ ! -s "$tmp/err" ] || fail "run.$ext: wrote to stderr: $(cat "$tmp/err")"
	# The same hunks as diff -u (all but the two header lines).
	"$ORKC" wf.yaml -t "$target" >"$tmp/new"
	diff -u "run.$ext" "$tmp/new" | sed 1,2d >"$tmp/gnu" || :
	sed 1,2d "$tmp/diff" >"$tmp/ours"
	cmp -s "$tmp/gnu" "$tmp/ours" && pass "run.$ext: the hunks of diff -u" || {
		diff -u "$tmp/gnu" "$tmp/ours" >&2
		fail "run.$ext: hunks differ from diff -u"
	}
done
[ $update = 1 ] && exit 0

# A missing FILE: everything added, exit 1, still no file.
cd "$tmp"
cp "$top_srcdir/tests/golden/drift/wf.yaml" wf.yaml
rc=0
"$ORKC" wf.yaml -o new.mk --check-generated >out 2>err || rc=$?
[ $rc = 1 ] && [ ! -e new.mk ] && pass "a missing FILE: exit 1, not written" ||
	fail "a missing FILE: exit $rc"
n=$("$ORKC" wf.yaml | wc -l)
head -n 3 out >head.out
printf -- '--- new.mk\t(missing)\n+++ new.mk\t(as orkc would write it from wf.yaml)\n@@ -0,0 +1,%s @@\n' "$n" >head.exp
test_cmp head.exp head.out >&2 && pass "a missing FILE: a diff from nothing" ||
	fail "a missing FILE: wrong diff header"

# Usage errors: exit 2.
rc=0
"$ORKC" wf.yaml --check-generated >out 2>err || rc=$?
[ $rc = 2 ] && grep -q "needs the artifact: -o FILE" err && pass "no -o: exit 2" ||
	fail "no -o: exit $rc: $(cat err)"
rc=0
"$ORKC" wf.yaml -o run.mk --check --check-generated >out 2>err || rc=$?
[ $rc = 2 ] && pass "with --check: exit 2" || fail "with --check: exit $rc"
mkdir unreadable.mk
rc=0
"$ORKC" wf.yaml -o unreadable.mk --check-generated >out 2>err || rc=$?
[ $rc = 2 ] && grep -q "cannot read 'unreadable.mk'" err && pass "an unreadable FILE: exit 2" ||
	fail "an unreadable FILE: exit $rc: $(cat err)"

finish
