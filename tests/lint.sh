#!/bin/sh
# shellcheck disable=SC1091,SC2016,SC2154 # lib.sh found at run time; sample lines single-quoted
# Lint of the test scripts themselves.
#
# A line that starts with `! CMD` asserts nothing in a test body: under
# set -e a pipeline prefixed with `!` never stops the shell, whatever its
# status, so unless it happens to be the body's last command a failed check
# goes by unseen.  Test scripts say `refute CMD` (tests/lib.sh) or
# test_must_fail instead.  A line starting with `! ` is allowed only where
# its status is used: it has a `||` after it (`! grep ... || return 1`), it
# ends an if/while/until condition (`...; then`, `...; do`), or it continues
# a condition whose previous line ends with `||`.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

# lint_bang FILE...: print FILE:LINE: TEXT for each dead `! ` line.
lint_bang() {
	awk '
	FNR == 1 { prev = "" }
	{
		line = $0
		if (line ~ /^[ \t]*! /) {
			ok = 0
			if (line ~ /\|\|/) ok = 1
			else if (line ~ /(;|^)[ \t]*(then|do)[ \t]*$/ || line ~ /[ \t](then|do)[ \t]*$/) ok = 1
			else if (prev ~ /\|\|[ \t]*$/) ok = 1
			if (!ok) printf "%s:%d: %s\n", FILENAME, FNR, line
		}
		prev = line
	}' "$@"
}

# tests/golden holds generated sh artifacts (product output), not test scripts.
scripts=$(find "$top_srcdir/tests" -path "$top_srcdir/tests/golden" -prune -o -name '*.sh' -type f -print | LC_ALL=C sort)
# shellcheck disable=SC2086 # the paths have no blanks (they are ours)
lint_bang $scripts >"$tmp/bang.out"
if [ -s "$tmp/bang.out" ]; then
	sed "s|^$top_srcdir/|#   |" "$tmp/bang.out"
	fail "no test script line starts with a dead '! CMD' (use refute CMD or test_must_fail)"
else
	pass "no test script line starts with a dead '! CMD'"
fi

# The lint itself: it must catch a dead `!` and let the used ones by.
# (Written with printf: this file must pass its own lint.)
printf '%s\n' "test_expect_success 'x' '" '	! grep -q secret log' '	true' "'" \
	'	! kill -0 "$pid" &&' >"$tmp/bad.sh"
printf '%s\n' '	! grep -E -q -- "$2" "$f" || { why=x; return 1; }' \
	'	if [ "$(id -u)" != 0 ] ||' \
	'	   ! mount -t tmpfs tmpfs "$tmp/mnt" 2>/dev/null; then' \
	'	while ! alive "$pid"; do' '	refute grep -q secret log' \
	'	test ! -e ran' >"$tmp/good.sh"
if [ "$(lint_bang "$tmp/bad.sh" | wc -l)" = 2 ] &&
   [ -z "$(lint_bang "$tmp/good.sh")" ]; then
	pass "the lint finds dead '! CMD' lines and only those"
else
	lint_bang "$tmp/bad.sh" "$tmp/good.sh" | sed 's/^/#   /'
	fail "the lint finds dead '! CMD' lines and only those"
fi

# refute itself: a success, a crash, a missing command and grep trouble
# are all failures; a plain non-zero status is what it wants.
if refute true 2>/dev/null; then
	fail "refute true fails"
elif refute sh -c 'kill -TERM $$' 2>/dev/null; then
	fail "refute of a command killed by a signal fails"
elif refute orkc-test-no-such-command 2>/dev/null; then
	fail "refute of a missing command fails"
elif refute grep -q x "$tmp/no-such-file" 2>/dev/null; then
	fail "refute grep of a missing file fails"
elif ! refute false || ! refute grep -q no-such-word "$tmp/good.sh"; then
	fail "refute of a command that fails succeeds"
else
	pass "refute: success, signal, no command and grep trouble all fail it"
fi

finish
