#!/bin/sh
# shellcheck disable=SC1091,SC2154 # lib.sh is found at run time
# Fire times of `orkc --next` against an independent implementation,
# Debian's python3-croniter, on ~350 generated schedules and start times in
# UTC, Europe/Berlin and America/New_York, both 2024 transitions of each
# included (see tests/cron/croniter_compare.py for the oracle and the one
# excluded difference).  Skipped (77) without python3-croniter.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

py=/usr/bin/python3
[ -x $py ] || py=python3
if ! $py -c 'import croniter, zoneinfo' 2>/dev/null; then
	echo "SKIP: python3-croniter is not installed (apt-get install python3-croniter)"
	skip_all "no croniter"
fi
for zone in Europe/Berlin America/New_York UTC; do
	[ -f "/usr/share/zoneinfo/$zone" ] || skip_all "no zoneinfo for $zone (tzdata)"
done
# The script prints TAP lines and its own totals; its status is the verdict.
rc=0
$py "$top_srcdir/tests/cron/croniter_compare.py" "$ORKC" "$tmp" || rc=$?
exit $rc
