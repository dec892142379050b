"""Compare `orkc --next` with an independent implementation, Debian's
python3-croniter, on generated schedules and start times.

  python3 croniter_compare.py ORKC WORKDIR

Oracle, per zone:
  UTC          croniter on aware UTC datetimes, directly.
  other zones  croniter on naive wall-clock datetimes (its matching of the
               five fields), each wall time mapped to an instant by PEP 495
               with fold=0 (zoneinfo), then sorted and deduplicated: the
               rule tz.h documents.  croniter 1.3.5's own aware arithmetic
               is not used there: around transitions it goes backwards
               (2024-03-31 02:00+02:00 then 01:30+01:00 in Berlin).

Excluded from the generated set, because croniter reads them differently
on purpose (tests/e2e/cron.sh checks ours explicitly): one day field
starting with '*' (as "*/2") while the other is restricted.  Vixie cron,
and orkc, then need both days to match; croniter needs either.

Prints "ok N - ..." / "not ok N - ...", then "N passed, M failed".
"""
import random
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from croniter import croniter

ORKC, WORK = sys.argv[1], sys.argv[2]
N = 8
rng = random.Random(20260329)

MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP",
          "OCT", "NOV", "DEC"]
DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]


def item(lo, hi, names=None):
    """One list item of a field: N, A-B, */S, A-B/S (names sometimes)."""
    def val(v):
        if names and rng.random() < 0.3:
            return names[v - lo] if v - lo < len(names) else str(v)
        return str(v)
    k = rng.random()
    if k < 0.35:
        return val(rng.randint(lo, hi))
    a = rng.randint(lo, hi)
    b = rng.randint(a, hi)
    if k < 0.6:
        return f"{val(a)}-{val(b)}"
    if k < 0.8:
        return f"*/{rng.randint(1, max(1, (hi - lo) // 2))}"
    return f"{a}-{b}/{rng.randint(1, max(1, (hi - lo) // 3))}"


def field(lo, hi, star_p, names=None):
    if rng.random() < star_p:
        return "*"
    return ",".join(item(lo, hi, names) for _ in range(rng.randint(1, 3)))


def expression():
    while True:
        f = [field(0, 59, 0.15), field(0, 23, 0.4), field(1, 31, 0.7),
             field(1, 12, 0.7, MONTHS), field(0, 6, 0.7, DAYS)]
        if (f[2].startswith("*") and f[2] != "*" and f[4] != "*") or \
           (f[4].startswith("*") and f[4] != "*" and f[2] != "*"):
            continue   # the known difference, tested elsewhere
        return " ".join(f)


FIXED = ["0 * * * *", "*/15 * * * *", "30 2 * * *", "0 3 * * *",
         "30 1 * * *", "15 2 * * 0", "0 0 1 * *", "0 9 * * 1-5",
         "0 0 29 2 *", "5 4 * * sun", "0 12 1,15 * 5", "0 0 * * 7",
         "*/30 1-3 * * *", "59 23 31 12 *", "0 0 13 * FRI"]

# Start times: random ones, and each zone's transitions in 2024.
TRANSITIONS = {
    "Europe/Berlin": ["2024-03-30T22:00:00+00:00", "2024-10-26T22:00:00+00:00",
                      "2024-03-31T00:59:00+00:00", "2024-10-27T00:45:00+00:00"],
    "America/New_York": ["2024-03-10T04:00:00+00:00", "2024-11-03T03:00:00+00:00",
                         "2024-03-10T06:59:00+00:00", "2024-11-03T05:30:00+00:00"],
    "UTC": [],
}


def random_start():
    t = datetime(2023, 1, 1, tzinfo=timezone.utc) + timedelta(
        seconds=rng.randint(0, 4 * 365 * 86400))
    return t.isoformat()


def oracle(expr, zone, start_iso):
    start = datetime.fromisoformat(start_iso)
    if zone == "UTC":
        it = croniter(expr, start.astimezone(timezone.utc))
        return [it.get_next(datetime).astimezone(timezone.utc).timestamp()
                for _ in range(N)]
    tz = ZoneInfo(zone)
    t0 = start.timestamp()
    # Walls from 4 hours before the start's wall time: a wall in a gap
    # lands up to the gap's length later.
    wall0 = start.astimezone(tz).replace(tzinfo=None) - timedelta(hours=4)
    it = croniter(expr, wall0)
    found = set()
    last_wall = None
    while True:
        w = it.get_next(datetime)
        inst = w.replace(tzinfo=tz, fold=0).timestamp()
        if inst > t0:
            found.add(inst)
        if len(found) >= N and last_wall is None:
            last_wall = w
        if last_wall is not None and w > last_wall + timedelta(hours=4):
            break
    return sorted(found)[:N]


def ours(expr, zone, start_iso, k):
    path = f"{WORK}/wf{k}.yaml"
    with open(path, "w") as f:
        f.write(f"name: w{k}\nschedule: \"{expr}\"\ntimezone: {zone}\n"
                "tasks:\n  a:\n    executor: process\n    command: [\"true\"]\n")
    r = subprocess.run([ORKC, "--next", str(N), "--from", start_iso, path],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stderr.strip()
    times = r.stdout.split()
    insts = [datetime.fromisoformat(t).timestamp() for t in times]
    # The printed offset must be the zone's at that instant.
    for t, i in zip(times, insts):
        want = datetime.fromtimestamp(i, ZoneInfo(zone)).isoformat()
        if t != want:
            return None, f"{t} is printed with the wrong offset (want {want})"
    return insts, ""


def fmt(ts, zone):
    return " ".join(datetime.fromtimestamp(t, ZoneInfo(zone)).isoformat()
                    for t in ts)


def main():
    cases = []
    for zone in ["UTC", "Europe/Berlin", "America/New_York"]:
        for expr in FIXED:
            for s in TRANSITIONS[zone] + [random_start()]:
                cases.append((expr, zone, s))
        for _ in range(60):
            expr = expression()
            starts = TRANSITIONS[zone][:2] or [random_start()]
            cases.append((expr, zone, rng.choice(starts + [random_start()])))
    npass = nfail = 0
    for k, (expr, zone, start) in enumerate(cases, 1):
        want = oracle(expr, zone, start)
        got, err = ours(expr, zone, start, k)
        title = f"'{expr}' in {zone} after {start}"
        if got == want:
            npass += 1
            print(f"ok {k} - {title}")
        else:
            nfail += 1
            print(f"not ok {k} - {title}")
            print(f"#   croniter: {fmt(want, zone)}")
            print(f"#   orkc:     {fmt(got, zone) if got else err}")
    print(f"{npass} passed, {nfail} failed")
    return 1 if nfail else 0


sys.exit(main())
