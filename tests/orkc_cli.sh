#!/bin/sh
# shellcheck disable=SC1091,SC2154,SC2016 # lib.sh is found at run time
# orkc's command line: usage errors name the option the user wrote (in a
# cluster such as -ab too), exit 2; --next finds fire times decades apart.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

cd "$tmp" || exit 99
cat >wf.yaml <<'YAML'
name: leap
schedule: "0 0 29 2 */7"
tasks:
  a:
    executor: process
    command: [echo, "{}"]
YAML

# usage ARGS... EXPECTED-FIRST-LINE
usage() {
	want=$1
	shift
	rc=0
	"$ORKC" "$@" >out 2>err || rc=$?
	if [ $rc = 2 ] && [ "$(head -n 1 err)" = "$want" ] && [ ! -s out ]; then
		pass "orkc $*: $want"
	else
		sed 's/^/#   /' err
		fail "orkc $*: exit $rc, expected 2 and '$want'"
	fi
}

usage "orkc: unknown option '-a'" -ab wf.yaml
usage "orkc: unknown option '-x'" wf.yaml -xo out.mk
usage "orkc: unknown option '--bogus'" --bogus=1 wf.yaml
usage "orkc: option '-o' needs an argument" wf.yaml -o
usage "orkc: option '--output' needs an argument" wf.yaml --output

# February 29th on a Sunday: 2088, then 2128 (2100 is not a leap year);
# the search once stopped after 28 years and dropped what it had found.
test_expect_success '--next finds fire times 40 years apart' '
	"$ORKC" --next 5 --from 2026-01-01T00:00:00Z wf.yaml >out 2>err
	cat >want <<-EOF
	2032-02-29T00:00:00+00:00
	2060-02-29T00:00:00+00:00
	2088-02-29T00:00:00+00:00
	2128-02-29T00:00:00+00:00
	2156-02-29T00:00:00+00:00
	EOF
	test_cmp want out && [ ! -s err ]
'

# The reason --next prints nothing names the whole schedule, however long
# (it was once cut at 200 bytes).
test_expect_success '--next says a long schedule never fires, in full' '
	m=0; i=1
	while [ $i -lt 85 ]; do m="$m,$((i % 60))"; i=$((i + 1)); done
	printf "name: never\nschedule: \"%s 0 30 2 *\"\ntasks:\n  a:\n    executor: process\n    command: [echo, \"{}\"]\n" "$m" >never.yaml
	rc=0
	"$ORKC" --next 2 never.yaml >out 2>err || rc=$?
	[ $rc = 1 ] && [ ! -s out ] &&
	[ "$(tail -n 1 err)" = "orkc: schedule '\''$m 0 30 2 *'\'' never fires" ]
'
finish
