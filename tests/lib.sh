# shellcheck shell=sh
# Shared setup for the shell tests.  Source it first:
#
#   . "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
#
# It gives:
#   set -eu, LC_ALL=C
#   top_srcdir, top_builddir   from the environment (make check sets both);
#                              when run by hand, found from the script's path
#                              (top_builddir defaults to top_srcdir)
#   ORKC, ORK                  the binaries under test
#   tmp                        a fresh directory, removed on exit (kept when
#                              ORK_KEEP_TMP is set, for debugging)
#   pass TITLE, fail TITLE     count a result and print "ok N - TITLE" or
#                              "not ok N - TITLE"; fail does not exit
#   skip TITLE                 count a skipped check
#   skip_all REASON            skip the whole script (exit 77)
#   finish                     print "N passed, M failed" and exit 0 or 1
#   test_expect_success TITLE BODY
#                              BODY runs in a subshell under set -e, in the
#                              current directory; its output is shown only
#                              when it fails
#   test_cmp EXPECTED ACTUAL   diff -u
#   test_must_fail CMD...      CMD must fail, but not by a signal (a crash is
#                              never an expected failure) and not because it
#                              could not run
#   refute CMD...              CMD must not succeed: returns 1 with a message
#                              naming CMD when it exits 0, also when it could
#                              not run (126, 127) or died by a signal, and for
#                              grep or cmp when it reports trouble (status 2:
#                              a missing file is no "does not match").
#                              Use it instead of `! CMD` in a test body: under
#                              set -e a `! CMD` pipeline never stops the body,
#                              so anywhere but last it asserts nothing.
#                              (tests/lint.sh refuses such lines.)
set -eu
LC_ALL=C
export LC_ALL

# Run by hand, top_srcdir is the directory above the one holding tests/lib.sh,
# starting from the script's own place.
if [ -z "${top_srcdir:-}" ]; then
	top_srcdir=$(cd "$(dirname "$0")" && pwd)
	while [ "$top_srcdir" != / ] && [ ! -f "$top_srcdir/tests/lib.sh" ]; do
		top_srcdir=$(dirname "$top_srcdir")
	done
fi
top_builddir=${top_builddir:-$top_srcdir}
export top_srcdir top_builddir
# shellcheck disable=SC2034 # for the scripts that source this file
ORKC=$top_builddir/orkc
# shellcheck disable=SC2034
ORK=$top_builddir/ork

# A sanitizer report must look like a crash (a signal), never like the
# ordinary failure a test may expect.
ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-abort_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS UBSAN_OPTIONS

tmp=$(mktemp -d "${TMPDIR:-/tmp}/orkc-test.XXXXXX")
lib_cleanup() {
	if [ -n "${ORK_KEEP_TMP:-}" ]; then
		echo "# kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap lib_cleanup EXIT
# Interrupted: still clean up (the EXIT trap runs on exit).
trap 'exit 130' INT
trap 'exit 143' TERM

npass=0
nfail=0
nskip=0
ntest=0

pass() {
	npass=$((npass + 1))
	ntest=$((ntest + 1))
	echo "ok $ntest - $*"
}

fail() {
	nfail=$((nfail + 1))
	ntest=$((ntest + 1))
	echo "not ok $ntest - $*"
}

skip() {
	nskip=$((nskip + 1))
	ntest=$((ntest + 1))
	echo "ok $ntest - # skip $*"
}

skip_all() {
	echo "skipped: $*"
	exit 77
}

finish() {
	if [ $nskip -gt 0 ]; then
		echo "$npass passed, $nfail failed ($nskip skipped)"
	else
		echo "$npass passed, $nfail failed"
	fi
	[ $nfail = 0 ] && exit 0
	exit 1
}

test_expect_success() {
	set +e
	( set -e; eval "$2" ) >"$tmp/.body.out" 2>&1
	_rc=$?
	set -e
	if [ $_rc = 0 ]; then
		pass "$1"
	else
		sed 's/^/#   /' "$tmp/.body.out" | tail -n 60
		fail "$1"
	fi
}

test_cmp() {
	diff -u "$1" "$2"
}

test_must_fail() {
	_rc=0
	"$@" || _rc=$?
	if [ $_rc = 0 ]; then
		echo "test_must_fail: '$*' succeeded" >&2
		return 1
	elif [ $_rc -gt 128 ] && [ $_rc -le 192 ]; then
		echo "test_must_fail: '$*' died by signal $((_rc - 128))" >&2
		return 1
	elif [ $_rc = 126 ] || [ $_rc = 127 ]; then
		echo "test_must_fail: '$*' could not run ($_rc)" >&2
		return 1
	fi
	return 0
}

refute() {
	_rc=0
	"$@" || _rc=$?
	if [ $_rc = 0 ]; then
		echo "refute: '$*' succeeded" >&2
		return 1
	elif [ $_rc -gt 128 ] && [ $_rc -le 192 ]; then
		echo "refute: '$*' died by signal $((_rc - 128))" >&2
		return 1
	elif [ $_rc = 126 ] || [ $_rc = 127 ]; then
		echo "refute: '$*' could not run ($_rc)" >&2
		return 1
	fi
	case $1 in
	grep|cmp)
		if [ $_rc -gt 1 ]; then
			echo "refute: '$*' failed with status $_rc (trouble, not a mismatch)" >&2
			return 1
		fi ;;
	esac
	return 0
}
