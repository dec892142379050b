#!/bin/sh
# End to end: artifacts run from anywhere (issue 8, item 6).  Workflows are
# compiled from an unrelated directory with -o into a third one, and run
# from that unrelated directory by absolute path, under make -j2 and under
# dash.  Every directory name has a space, $, # and %.
#  1. Ork's layout: the task files beside the workflow (the root is the
#     workflow's directory): tasks run there, sources: and generates: are
#     taken from there, the run directory is the root's .ork (or a relative
#     ORK_HOME, from the root too), and a second run does nothing;
#  2. the artifact is the same bytes whichever directory orkc ran in;
#  3. examples/quickstart (workflows/ and tasks/ under the project root),
#     its data served on loopback.
# shellcheck disable=SC1091,SC2016,SC2034,SC2154 # lib found at run time; bodies single-quoted
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

if ! command -v dash >/dev/null 2>&1; then
	skip_all "dash is not installed"
fi

away=$tmp/'away $a #b %c'
out=$tmp/'out dir $o #p %q'
mkdir -p "$away" "$out"

# in_root DIR CMD...: CMD in DIR (the harness's rundir, state... are
# relative to the root).
in_root() {
	(cd "$1" && shift && "$@")
}

starts() {  # TASK [RUN]: how many times TASK started in that run
	jget "$(rundir "${2:-}")/journal.jsonl" "len(ev(\"start\", \"$1\"))"
}

# ---- 1. Ork's layout, from elsewhere ----------------------------------------
WF=there
root=$tmp/'ork layout $x #y %z'/flows
mkdir -p "$root/data"
cat >"$root/where.py" <<'EOF'
import os
def main(input):
    return {"cwd": os.getcwd(), "made": open("out/a.txt").read()}
EOF
cat >"$root/w.py" <<'EOF'
import os, sys
os.makedirs("out", exist_ok=True)
open(sys.argv[1], "w").write(open("data/in.txt").read())
print("{}")
EOF
echo one >"$root/data/in.txt"
"$PYTOOL" - "$PYTOOL" "$root/wf.yaml" <<'EOF'
import json, sys
py = sys.argv[1]
a = {"executor": "process", "command": [py, "w.py", "out/a.txt"],
     "sources": ["data/in.txt"], "generates": ["out/a.txt"]}
b = {"executor": "python", "file": "where.py", "depends_on": ["a"]}
with open(sys.argv[2], "w") as f:
    json.dump({"name": "there", "tasks": {"a": a, "b": b}}, f, indent=1)
EOF
real_root=$(cd "$root" && pwd -P)
cd "$away"

test_expect_success 'ork layout: orkc compiles from elsewhere, -o into a third directory' '
	"$ORKC" "$root/wf.yaml" -o "$out/run.mk" &&
	"$ORKC" -t sh "$root/wf.yaml" -o "$out/run.sh" &&
	expect_grep "^# Tasks run in .*/flows. from this file .the workflow.s directory.," "$out/run.mk" &&
	expect_grep "^# Tasks run in .*/flows. from this file .the workflow.s directory.," "$out/run.sh"
'

test_expect_success 'ork layout: make -j2 -f ABS runs from elsewhere, tasks in the root' '
	make -j2 -f "$out/run.mk" ORK="$ORK" PYTHON="$PYTOOL" >make.out 2>&1 || {
		cat make.out; false; }
	test ! -e .ork
	test ! -e out
	expect_eq "a" succeeded "$(in_root "$root" state a)"
	expect_eq "b" succeeded "$(in_root "$root" state b)"
	b=$(in_root "$root" outf b)
	expect_eq "cwd of b" "$real_root" "$(jget "$root/$b" "d[\"cwd\"]")"
	expect_eq "what a made" one "$(jget "$root/$b" "d[\"made\"]")"
'

test_expect_success 'ork layout: a second make does nothing' '
	make -j2 -f "$out/run.mk" ORK="$ORK" PYTHON="$PYTOOL" >make2.out 2>&1 || {
		cat make2.out; false; }
	expect_eq "a starts" 1 "$(in_root "$root" starts a)"
	expect_eq "b starts" 1 "$(in_root "$root" starts b)"
'

test_expect_success 'ork layout: make -n from elsewhere runs nothing' '
	make -n -f "$out/run.mk" ORK="$ORK" PYTHON="$PYTOOL" >make-n.out 2>&1 || {
		cat make-n.out; false; }
	expect_eq "a starts" 1 "$(in_root "$root" starts a)"
'

test_expect_success 'ork layout: a source newer than the output, in the root, runs its task again' '
	"$PYTOOL" -c "
import glob, os, sys, time
t = time.time() - 60
for f in glob.glob(os.path.join(sys.argv[1], \".ork/there/default/*.json\")):
    os.utime(f, (t, t))
" "$root" &&
	echo two >"$root/data/in.txt" &&
	make -j2 -f "$out/run.mk" ORK="$ORK" PYTHON="$PYTOOL" >make3.out 2>&1 || {
		cat make3.out; false; }
	expect_eq "a starts" 2 "$(in_root "$root" starts a)"
	expect_eq "what a made" two "$(jget "$root/$(in_root "$root" outf b)" "d[\"made\"]")"
'

test_expect_success 'ork layout: a goal from elsewhere' '
	make -f "$out/run.mk" ORK="$ORK" PYTHON="$PYTOOL" RUN_ID=goal a >goal.out 2>&1 || {
		cat goal.out; false; }
	expect_eq "a" succeeded "$(in_root "$root" state a goal)"
	in_root "$root" no_out b goal
'

test_expect_success 'ork layout: a relative ORK_HOME is taken from the root' '
	make -j2 -f "$out/run.mk" ORK="$ORK" PYTHON="$PYTOOL" ORK_HOME=runs >home.out 2>&1 || {
		cat home.out; false; }
	test -f "$root/runs/there/default/run.json" && test ! -e runs
'

test_expect_success 'ork layout: dash runs the sh script from elsewhere' '
	dash "$out/run.sh" -j 2 ORK="$ORK" PYTHON="$PYTOOL" RUN_ID=sh >sh.out 2>&1 || {
		cat sh.out; false; }
	test ! -e .ork
	expect_eq "b" succeeded "$(in_root "$root" state b sh)"
	b=$(in_root "$root" outf b sh)
	expect_eq "cwd of b" "$real_root" "$(jget "$root/$b" "d[\"cwd\"]")"
	dash "$out/run.sh" -j 2 ORK="$ORK" PYTHON="$PYTOOL" RUN_ID=sh >sh2.out 2>&1 || {
		cat sh2.out; false; }
	expect_eq "b starts" 1 "$(in_root "$root" starts b sh)"
'

test_expect_success 'ork layout: the stale-plan check finds the workflow from the root' '
	cp "$out/run.sh" "$out/stale.sh" &&
	touch -t 200001010000 "$out/stale.sh" &&
	test_must_fail dash "$out/stale.sh" ORK="$ORK" >stale.out 2>&1 &&
	expect_grep "is older than .*/flows/wf.yaml: run orkc" stale.out
'

# ---- 2. the same bytes wherever orkc runs -----------------------------------
test_expect_success 'the artifact does not depend on the directory orkc ran in' '
	(cd "$root" && "$ORKC" wf.yaml -o "$out/here.mk" &&
	 "$ORKC" -t sh wf.yaml -o "$out/here.sh") &&
	(cd "$out" && "$ORKC" ../"ork layout \$x #y %z"/flows/wf.yaml -o rel.mk) &&
	test_cmp "$out/run.mk" "$out/here.mk" &&
	test_cmp "$out/run.mk" "$out/rel.mk" &&
	test_cmp "$out/run.sh" "$out/here.sh" &&
	refute grep -F "$tmp" "$out/run.mk" "$out/run.sh"
'

# ---- 3. examples/quickstart, from elsewhere ---------------------------------
PY=/usr/bin/python3
if ! $PY -c 'import pydantic' >/dev/null 2>&1; then
	skip "quickstart from elsewhere: $PY has no pydantic"
	finish
fi
WF=data_pipeline
qs=$tmp/'quick start $q #r %s'
cp -R "$top_srcdir/examples/quickstart" "$qs"
chmod -R u+w "$qs"
server_pid=
trap 'if [ -n "$server_pid" ]; then kill $server_pid 2>/dev/null || :; fi; lib_cleanup' EXIT
rm -f "$tmp/port"
$PY -c '
import functools, http.server, os, sys
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
    functools.partial(Quiet, directory=sys.argv[1]))
open(sys.argv[2] + ".tmp", "w").write("%d\n" % srv.server_address[1])
os.replace(sys.argv[2] + ".tmp", sys.argv[2])
srv.serve_forever()
' "$qs/data" "$tmp/port" &
server_pid=$!
wait_for "$tmp/port" 10
port=$(cat "$tmp/port")
sed "s|127.0.0.1:[0-9]*/|127.0.0.1:$port/|" "$qs/workflows/data_pipeline.yaml" >"$tmp/wf.tmp"
cp "$tmp/wf.tmp" "$qs/workflows/data_pipeline.yaml"

test_expect_success 'quickstart: compiled from elsewhere, the root is the project' '
	"$ORKC" "$qs/workflows/data_pipeline.yaml" -o "$out/qs.mk" 2>orkc.err &&
	test_cmp /dev/null orkc.err &&
	"$ORKC" -t sh "$qs/workflows/data_pipeline.yaml" -o "$out/qs.sh" &&
	expect_grep "(the parent of the workflow.s directory)" "$out/qs.mk"
'

test_expect_success 'quickstart: make -j2 from elsewhere' '
	make -j2 -f "$out/qs.mk" ORK="$ORK" PYTHON=$PY >qs-make.out 2>&1 || {
		cat qs-make.out; false; }
	expect_eq fetch succeeded "$(in_root "$qs" state fetch)"
	expect_eq summarize succeeded "$(in_root "$qs" state summarize)"
'

test_expect_success 'quickstart: dash from elsewhere' '
	dash "$out/qs.sh" -j 2 ORK="$ORK" PYTHON=$PY RUN_ID=sh >qs-sh.out 2>&1 || {
		cat qs-sh.out; false; }
	expect_eq summarize succeeded "$(in_root "$qs" state summarize sh)"
'

kill $server_pid 2>/dev/null || :
wait $server_pid 2>/dev/null || :
server_pid=
finish
