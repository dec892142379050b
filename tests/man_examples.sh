#!/bin/sh
# shellcheck disable=SC1091,SC2154,SC2016 # lib.sh is found at run time
# The examples of ork-workflow(5) are real: every .EX block that is a
# workflow (its first line is "name: ...") is extracted, its roff escapes
# undone, and must pass `orkc --check` with nothing on stderr (no warning
# either); the yaml-language-server line must name the installed schema.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

page=$top_srcdir/man/ork-workflow.5
cd "$tmp" || exit 99
# Each block into ex.N.yaml: \e is a backslash, \- a minus, \(dq a quote,
# \& nothing.
awk '
	/^\.EX$/ { n++; inex = 1; first = 1; next }
	/^\.EE$/ { inex = 0; next }
	inex {
		if (first && $0 !~ /^name: /) { inex = 0; next }
		first = 0
		gsub(/\\e/, "\\"); gsub(/\\-/, "-"); gsub(/\\\(dq/, "\""); gsub(/\\&/, "")
		print > ("ex." n ".yaml")
	}
' "$page"
count=0
for f in ex.*.yaml; do
	[ -f "$f" ] || continue
	count=$((count + 1))
	title="ork-workflow.5 example $(sed -n '1s/^name: //p' "$f")"
	rc=0
	# --no-python-check: the examples name Python modules that exist only
	# in the reader's project, so only the workflow itself is checked.
	"$ORKC" --check --no-python-check "$f" >"$tmp/out" 2>"$tmp/err" || rc=$?
	if [ $rc = 0 ] && [ ! -s "$tmp/err" ] && [ ! -s "$tmp/out" ]; then
		pass "$title: orkc --check is clean"
	else
		sed 's/^/#   /' "$f" "$tmp/err"
		fail "$title: orkc --check exited $rc"
	fi
done
if [ $count -ge 4 ]; then
	pass "$count examples found"
else
	fail "only $count examples found in $page"
fi

# The modeline names the file `make install` puts in $(pkgdatadir).
if grep -q '^# yaml-language-server: \$schema=.*/orkc/workflow.schema.json$' "$page"; then
	pass "ork-workflow.5 shows the yaml-language-server line"
else
	fail "ork-workflow.5 has no yaml-language-server line for workflow.schema.json"
fi
finish
