#!/bin/sh
# shellcheck disable=SC1091,SC2016,SC2034,SC2154 # lib found at run time; bodies single-quoted
# ork report in a real browser: a run with a success, a retry, a timeout, a
# failure and a skip is written as one HTML page, which headless Chromium
# (Debian's chromium) loads from file:// twice: once to dump the DOM it
# built (task nodes with their state classes, laid out by depth; a bar per
# attempt, the retry and the timeout among them; what the tasks printed
# only as text), once for a screenshot that must show the states' colours.
#
# Checks on the file itself run everywhere; without chromium the browser
# checks are skipped and the script exits 77 (SKIP), unless
# ORK_TEST_CHROMIUM=1 asks for them (CI), which makes a missing chromium
# a failure.  CHROMIUM names the browser (default: chromium).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

# expect_no_grep PATTERN FILE: no line of FILE matches the extended regex
# (a bare "! grep" does not stop a set -e body).
expect_no_grep() {
	if grep -E -e "$1" "$2" >"$tmp/.nogrep"; then
		echo "unexpected /$1/ in $2:" >&2
		head -c 2000 "$tmp/.nogrep" >&2
		return 1
	fi
}

project report
WF=report
mkdir -p tasks

# Hostile text in an output, a log, an input and a failure: none of it may
# become markup.
cat >tasks/good.sh <<'EOF'
#!/bin/sh
printf '{"msg": "<script>alert(1)</script><img src=x onerror=alert(2)>"}\n'
EOF
cat >tasks/flaky.sh <<'EOF'
#!/bin/sh
echo "attempt $ORK_ATTEMPT </pre><script>document.title='pwned'</script>" >&2
[ "$ORK_ATTEMPT" = 2 ] || exit 1
echo '{"ok": true}'
EOF
cat >tasks/bad.sh <<'EOF'
#!/bin/sh
printf '<b>boom</b></details><h1 id="pwned">pwned</h1>\033[31mred\033[0m\n' >&2
exit 3
EOF
cat >wf.yaml <<'EOF'
name: report
tasks:
  good:
    executor: process
    command: ["sh", "tasks/good.sh"]
  flaky:
    executor: process
    command: ["sh", "tasks/flaky.sh"]
    retries: 1
    depends_on: [good]
  slow:
    executor: process
    command: ["sleep", "30"]
    timeout: 1
    depends_on: [good]
  bad:
    executor: process
    command: ["sh", "tasks/bad.sh"]
    input: {note: "<iframe src=\"http://example.invalid/\"></iframe>"}
    depends_on: [flaky]
  after:
    executor: process
    command: ["echo", "1"]
    depends_on: [bad, slow]
EOF
compile

test_expect_success 'the run: a success, a retry, a timeout, a failure, a skip' '
	make_fails -k -j2
	expect_eq good succeeded "$(state good)"
	expect_eq flaky succeeded "$(state flaky)"
	expect_eq slow failed "$(state slow)"
	expect_eq bad failed "$(state bad)"
	expect_eq after skipped "$(state after)"
'

test_expect_success 'ork report -o writes the page; usage errors exit 2' '
	"$ORK" report -o report.html 2>err
	expect_grep "wrote report.html" err
	test -s report.html
	"$ORK" report default --workflow report -o - >same.html </dev/null
	expect_grep "<svg" same.html
	test_must_fail "$ORK" report --bogus 2>err
	expect_grep "usage: ork report" err
	rc=0; "$ORK" report nosuchrun -o x.html 2>err || rc=$?
	expect_eq status 2 $rc
	expect_grep "no run .nosuchrun." err
'

# The file itself: self-contained, and the hostile text only escaped.
test_expect_success 'the page loads nothing and carries no task text as markup' '
	expect_no_grep "<([Ss][Cc][Rr][Ii][Pp][Tt]|link|iframe|img|object|embed|base)|url\\([^#]|@import" report.html
	grep -o "=\"[a-z]*:[^\"]*\"" report.html | sort -u >urls
	expect_eq "urls" "=\"http://www.w3.org/2000/svg\"" "$(cat urls)"
	expect_grep "Content-Security-Policy" report.html
	expect_grep "&lt;script&gt;alert\\(1\\)&lt;/script&gt;" report.html
	expect_grep "&lt;b&gt;boom&lt;/b&gt;&lt;/details&gt;&lt;h1 id=&quot;pwned" report.html
	expect_grep "\\\\x1b\\[31mred" report.html
	expect_grep "&lt;iframe src=" report.html
'

# The end event names the upstream tasks: the graph's edges.
test_expect_success 'the journal keeps each task'"'"'s upstream tasks' '
	grep "\"ev\":\"end\",\"task\":\"after\"" "$(rundir)/journal.jsonl" >end
	expect_grep "\"deps\":\\[\"bad\",\"slow\"\\]" end
'

# A journal edited by hand (or torn): a cycle, names that are no task
# names, a state ork does not have, paths that leave the run directory, an
# attempt that never ended, one that still runs (its pid: this shell's).
# The page still comes, with none of it as markup and nothing read from
# outside the run directory.
test_expect_success 'ork report survives a hand-edited journal' '
	d=.ork/report/edited
	mkdir -p $d/logs
	echo "{\"workflow\":\"report\",\"run_id\":\"edited\",\"invocation\":2,\"state\":\"<b>x</b>\",\"tasks\":[\"a\",\"b\",\"<i>\"]}" >$d/run.json
	echo "secret-outside" >outside.log
	cat >$d/journal.jsonl <<-EOF
	{"ev":"begin","inv":1,"time":"2026-01-01T00:00:00.000Z"}
	{"ev":"start","task":"a","inv":1,"attempt":1,"time":"2026-01-01T00:00:00.000Z","log":"../../../../outside.log","pid":1}
	{"ev":"attempt","task":"a","inv":1,"attempt":1,"ok":false,"exit":1,"signal":0,"reason":"<script>x</script>","details":{"e":"<img src=x>"},"time":"2026-01-01T00:00:01.000Z","duration":1}
	{"ev":"end","task":"a","inv":1,"state":"<script>","attempts":1,"reason":"<u>r</u>","key":"../../../../outside","deps":["b","<x>"],"started":"2026-01-01T00:00:00.000Z","time":"2026-01-01T00:00:01.000Z","duration":1}
	{"ev":"end","task":"b","inv":1,"state":"failed","attempts":0,"reason":"","key":"0000000000000000","deps":["a"],"started":"2026-01-01T00:00:00.000Z","time":"2026-01-01T00:00:01.000Z","duration":0}
	{"ev":"start","task":"b","inv":2,"attempt":1,"time":"2026-01-01T00:00:02.000Z","log":"logs/b.2.1.log","pid":999999999}
	not json at all <script>
	{"ev":"start","task":"<i>","inv":2,"attempt":1,"time":"2026-01-01T00:00:02.000Z"}
	{"ev":"start","task":"c","inv":2,"attempt":1,"time":"2026-01-01T00:00:03.000Z","pid":$$}
	EOF
	"$ORK" report report/edited -o edited.html
	expect_no_grep "<script|<img|<i>|<u>|<b>x|secret-outside" edited.html
	expect_grep "&lt;script&gt;x&lt;/script&gt;" edited.html
	expect_grep "id=\"node-a\" data-state=\"not run\"" edited.html
	expect_grep "<path class=\"edge\" data-from=\"a\" data-to=\"b\"" edited.html
	expect_grep "<rect class=\"bar bar-interrupted\" id=\"bar-b-2-1\"" edited.html
	expect_grep "id=\"gantt-1\"" edited.html
	expect_grep "id=\"gantt-2\"" edited.html
	expect_grep "<g class=\"node state-running\" id=\"node-c\"" edited.html
	expect_grep "<rect class=\"bar bar-running\" id=\"bar-c-2-1\"" edited.html
'

# orkc -t dot --status: the compiler reads the run's states only through
# what ork status --json prints.
test_expect_success 'orkc -t dot --status fills the graph by the run'"'"'s states' '
	rc=0; "$ORK" status --json >status.json || rc=$?
	expect_eq "ork status of a failed run" 1 $rc
	"$ORKC" wf.yaml -t dot --status status.json >run.dot
	expect_grep "^	label=\"run default: failed\";" run.dot
	expect_grep "^	\"good\" \[label=<<b>good</b><br/><font point-size=\"10\">succeeded</font>>, style=\"rounded,filled\", fillcolor=\"#c8e6c9\"" run.dot
	expect_grep "^	\"slow\" .*fillcolor=\"#ffcdd2\".*failed \(timed out after 1s\)\"\];" run.dot
	expect_grep "^	\"after\" .*>skipped<.*fillcolor=\"#eeeeee\"" run.dot
	"$ORK" status --json | "$ORKC" wf.yaml -t dot --status - >stdin.dot
	test_cmp run.dot stdin.dot
	if command -v dot >/dev/null; then dot -Tsvg run.dot >run.svg; fi
	"$ORKC" wf.yaml -t dot >plain.dot
	expect_no_grep fillcolor plain.dot
	rc=0; "$ORKC" wf.yaml --status status.json >/dev/null 2>err || rc=$?
	expect_eq status 2 $rc
	expect_grep "goes with -t dot" err
	echo "{}" >bogus.json
	rc=0; "$ORKC" wf.yaml -t dot --status bogus.json >/dev/null 2>err || rc=$?
	expect_eq status 2 $rc
	expect_grep "not what ork status --json prints" err
'

CHROMIUM=${CHROMIUM:-chromium}
if ! command -v "$CHROMIUM" >/dev/null 2>&1; then
	if [ "${ORK_TEST_CHROMIUM-}" = 1 ]; then
		fail "no $CHROMIUM, and ORK_TEST_CHROMIUM=1 asks for it (apt-get install chromium)"
		finish
	fi
	[ "$nfail" = 0 ] || finish
	echo "SKIP: no $CHROMIUM (apt-get install chromium): the browser checks did not run"
	skip_all "no chromium"
fi

# Chromium wants a home and a profile it can write; a time limit, since a
# browser that hangs must fail the test, not stall it.
browse() {  # ARGS...
	HOME=$tmp/home timeout 120 "$CHROMIUM" --headless --no-sandbox \
		--disable-gpu --user-data-dir="$tmp/profile" --no-first-run \
		--disable-extensions --disable-background-networking \
		--window-size=1280,1400 "$@" 2>>chromium.err
}
mkdir -p "$tmp/home"

test_expect_success 'chromium renders the DOM' '
	browse --dump-dom "file://$proj/report.html" >dom.html
	expect_grep "</html>" dom.html
'

# Assertions on the DOM chromium built (its serialization: attributes in
# double quotes, text escaped).
cat >dom_check.py <<'EOF'
import re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
errors = []
def need(cond, what):
    if not cond:
        errors.append(what)

def node(name):
    m = re.search(r'<g class="node ([^"]*)" id="node-%s"[^>]*>.*?<rect x="(\d+)" y="(\d+)"' % name, dom, re.S)
    need(m, "no node for " + name)
    return m and (m.group(1), int(m.group(2)), int(m.group(3)))

n = {t: node(t) for t in ("good", "flaky", "slow", "bad", "after")}
if all(n.values()):
    for t, st in (("good", "succeeded"), ("flaky", "succeeded"), ("slow", "failed"),
                  ("bad", "failed"), ("after", "skipped")):
        need(n[t][0] == "state-" + st, "%s has class %s" % (t, n[t][0]))
    # Layered by depth: good, then flaky and slow, then bad, then after.
    need(n["good"][1] < n["flaky"][1] == n["slow"][1] < n["bad"][1] < n["after"][1],
         "columns: %r" % {t: v[1] for t, v in n.items()})
    need(n["flaky"][2] != n["slow"][2], "flaky and slow overlap")
for a, b in (("good", "flaky"), ("good", "slow"), ("flaky", "bad"),
             ("bad", "after"), ("slow", "after")):
    need(re.search(r'<path class="edge" data-from="%s" data-to="%s"' % (a, b), dom),
         "no edge %s -> %s" % (a, b))

bars = {v: k for k, v in re.findall(r'<rect class="bar (bar-[a-z]+)" id="bar-([a-z]+-\d+-\d+)"', dom)}
want = {"good-1-1": "bar-ok", "flaky-1-1": "bar-failed", "flaky-1-2": "bar-ok",
        "slow-1-1": "bar-timeout", "bad-1-1": "bar-failed"}
need(bars == want, "bars: %r" % bars)
need(re.search(r'<g class="lane" data-task="flaky">.*?<line class="retry"', dom), "no retry line")
need(re.search(r'<text class="sub"[^>]*>timeout</text>', dom), "no timeout label")

# Hostile text is text: escaped in the serialization, no element made of it.
for frag in ("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;",
             "&lt;/pre&gt;&lt;script&gt;document.title='pwned'&lt;/script&gt;",
             "&lt;b&gt;boom&lt;/b&gt;&lt;/details&gt;&lt;h1 id=\"pwned\"&gt;",
             "&lt;iframe src=\\\"http://example.invalid/\\\"&gt;"):
    need(frag in dom, "escaped text missing: " + frag)
for tag in ("<script", "<img", "<iframe", "<b>", '<h1 id="pwned"'):
    need(tag not in dom, "element in the DOM: " + tag)
need(re.search(r"<title>ork report: run default of report</title>", dom), "title changed")
need(re.search(r'<section class="task state-failed" id="task-bad">', dom), "no task section")
for e in errors:
    print(e)
sys.exit(1 if errors else 0)
EOF

test_expect_success 'the DOM: nodes by state and depth, a bar per attempt, hostile text as text' '
	"$PYTOOL" dom_check.py dom.html
'

test_expect_success 'chromium takes a screenshot' '
	browse --screenshot="$proj/shot.png" "file://$proj/report.html" >/dev/null
	test -s shot.png
'

# A PNG decoded with the standard library: size, and the colours of the
# states (node fills and bars) among its pixels.
cat >png_check.py <<'EOF'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, hdr = 8, b"", None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        hdr = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
w, h, depth, ctype, _, _, interlace = hdr
assert depth == 8 and ctype in (2, 6) and not interlace, "PNG kind %r" % (hdr,)
bpp = 3 if ctype == 2 else 4
raw = zlib.decompress(idat)
stride = w * bpp
prev = bytearray(stride)
colours = {}
for y in range(h):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp):
        px = bytes(line[x:x + 3])
        colours[px] = colours.get(px, 0) + 1
    prev = line
print("%dx%d, %d colours" % (w, h, len(colours)))
assert w >= 800 and h >= 600, "too small"
top = max(colours.values())
assert len(colours) > 50 and top < w * h * 0.98, "blank: %d colours" % len(colours)
for name, rgb in (("succeeded", (0xc8, 0xe6, 0xc9)), ("failed", (0xff, 0xcd, 0xd2)),
                  ("timed out", (0xff, 0xb7, 0x4d)), ("skipped", (0xee, 0xee, 0xee))):
    got = colours.get(bytes(rgb), 0)
    assert got >= 50, "%s colour %r: %d pixels" % (name, rgb, got)
EOF

test_expect_success 'the screenshot is not blank: the states'"'"' colours are there' '
	"$PYTOOL" png_check.py shot.png
'

finish
