#!/bin/sh
# End to end: the quickstart, through real make and real Python tasks with
# pydantic.
#  1. examples/quickstart as shipped, its data served on loopback;
#  2. the user's guide (tests/e2e/data/seed/quickstart.md, a verbatim copy
#     of the seed): its workflow and task files are cut out of the guide's
#     code blocks at test time and must work as written.  Only the guide's
#     src/data_ops.py is replaced (it uses requests and the network) by one
#     serving the URL from a local file.
# Python: /usr/bin/python3 (the system's pydantic), and python3 on PATH too
# when it has a pydantic of another major version.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

PY=/usr/bin/python3
if ! $PY -c 'import pydantic' >/dev/null 2>&1; then
	echo "SKIP: $PY has no pydantic"
	skip_all "$PY has no pydantic"
fi
pydantic_major() {
	"$1" -c 'import pydantic; print(pydantic.VERSION.split(".")[0])' 2>/dev/null
}
OTHER_PY=
if p=$(command -v python3) && [ "$p" != $PY ] &&
	m=$(pydantic_major "$p") && [ "$m" != "$(pydantic_major $PY)" ]; then
	OTHER_PY=$p
fi

SEED=$top_srcdir/tests/e2e/data/seed

server_pid=
trap 'if [ -n "$server_pid" ]; then kill $server_pid 2>/dev/null || :; fi; lib_cleanup' EXIT

# serve DIR PORT: an HTTP server on 127.0.0.1:PORT (0: any free port) in the
# background; the port it got is in $port.
serve() {
	rm -f "$tmp/port"
	$PY -c '
import functools, http.server, os, sys
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
try:
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])),
        functools.partial(Quiet, directory=sys.argv[1]))
except OSError as e:
    sys.stderr.write("serve: %s\n" % e)
    open(sys.argv[3], "w").write("busy\n")
    sys.exit(1)
open(sys.argv[3] + ".tmp", "w").write("%d\n" % srv.server_address[1])
os.replace(sys.argv[3] + ".tmp", sys.argv[3])
srv.serve_forever()
' "$1" "$2" "$tmp/port" &
	server_pid=$!
	wait_for "$tmp/port" 10
	port=$(cat "$tmp/port")
}

# expect_summary FILE DATA: FILE (summarize's output) has DATA's numbers,
# computed here as the guide defines them.
expect_summary() {
	"$PYTOOL" -c '
import json, sys
text = open(sys.argv[2], "rb").read().decode("utf-8")
lines = text.split("\n")
want = {"total_chars": len(text), "total_lines": len(lines),
        "non_empty_lines": len([l for l in lines if l.strip()])}
got = json.load(open(sys.argv[1]))
print("summary:", got)
sys.exit(0 if got == want else "expected %r" % want)
' "$1" "$2"
}

# expect_fetched FILE DATA: fetch's output is {"data": DATA's text}
expect_fetched() {
	"$PYTOOL" -c '
import json, sys
text = open(sys.argv[2], "rb").read().decode("utf-8")
got = json.load(open(sys.argv[1]))
sys.exit(0 if got == {"data": text} else "fetch output differs: %r" % got)
' "$1" "$2"
}

# ---- 1. examples/quickstart ---------------------------------------------
project example
WF=data_pipeline
cp -R "$top_srcdir/examples/quickstart/." .
chmod -R u+w .

test_expect_success 'example: the data is served on loopback' '
	url=$(sed -n "s/^ *url: *//p" workflows/data_pipeline.yaml)
	echo "$url" >url
	case $url in http://127.0.0.1:*/*) ;; *) echo "unexpected url $url"; false ;; esac
'

# The workflow names a fixed port: use it, or (if taken) a free one.
want_port=$(sed 's|^http://127.0.0.1:\([0-9]*\)/.*|\1|' url)
serve "$proj/data" "$want_port"
if [ "$port" = busy ]; then
	wait $server_pid 2>/dev/null || :
	serve "$proj/data" 0
	echo "# port $want_port is taken: serving on $port"
	sed "s|127.0.0.1:$want_port/|127.0.0.1:$port/|" workflows/data_pipeline.yaml >wf.tmp
	mv wf.tmp workflows/data_pipeline.yaml
fi
data=$proj/data/$(sed 's|^http://[^/]*/||' url)

test_expect_success 'example: orkc compiles it without a word' '
	"$ORKC" workflows/data_pipeline.yaml -o run.mk 2>orkc.err
	test_cmp /dev/null orkc.err
'

test_expect_success 'example: make runs it with /usr/bin/python3' '
	make_ok -j4 PYTHON=$PY
	expect_eq fetch succeeded "$(state fetch)"
	expect_eq summarize succeeded "$(state summarize)"
'

test_expect_success 'example: fetch output is the data, summarize has its numbers' '
	expect_fetched "$(outf fetch)" "$data"
	expect_summary "$(outf summarize)" "$data"
'

if [ -n "$OTHER_PY" ]; then
	test_expect_success "example: again with $OTHER_PY (pydantic $(pydantic_major "$OTHER_PY"))" '
		make_ok -j4 PYTHON="$OTHER_PY" RUN_ID=other
		expect_summary "$(outf summarize other)" "$data"
	'
fi
kill $server_pid 2>/dev/null || :
wait $server_pid 2>/dev/null || :
server_pid=

# The README's way: `make run` serves the data, runs, prints ork status.
project example-make-run
cp -R "$top_srcdir/examples/quickstart/." .
chmod -R u+w .
if [ -f Makefile ] && [ "$port" = "$want_port" ]; then
	test_expect_success 'example: make run, as its README says' '
		make run ORKC="$ORKC" ORK="$ORK" PYTHON=$PY >make-run.out 2>&1 || {
			cat make-run.out; false; }
		expect_grep "fetch +succeeded" make-run.out
		expect_grep "summarize +succeeded" make-run.out
		expect_summary "$(outf summarize)" data/data.json
	'
else
	skip "example: make run (no Makefile, or port $want_port taken)"
fi

# ---- 2. the user's guide, verbatim --------------------------------------
# extract_blocks GUIDE: write each fenced code block whose first line is
# "# PATH" for one of the files we take to PATH, verbatim.
extract_blocks() {
	awk '
		/^```/ {
			if (inblock) { inblock = 0; if (out) close(out); out = ""; next }
			inblock = 1; first = 1; next
		}
		inblock && first {
			first = 0
			if ($0 ~ /^# (tasks\/fetch\.py|tasks\/summarize\.py|workflows\/data_pipeline\.yaml)$/)
				out = substr($0, 3)
		}
		inblock && out { print > out }
	' "$1"
}

project seed
WF=data_pipeline
mkdir -p tasks workflows src
cp "$SEED/src/data_ops.py" src/
cp -R "$SEED/web" .
data=$proj/web/example.com/data.json

test_expect_success 'seed: the guide has the workflow and both task files' '
	extract_blocks "$SEED/quickstart.md"
	for f in tasks/fetch.py tasks/summarize.py workflows/data_pipeline.yaml; do
		test -s $f || { echo "no code block for $f in the guide"; false; }
	done
	expect_grep "^ *url: https://example.com/data.json\$" workflows/data_pipeline.yaml
	expect_grep "^from ork import task\$" tasks/fetch.py
'

test_expect_success 'seed: orkc compiles the guide workflow without a word' '
	"$ORKC" workflows/data_pipeline.yaml -o run.mk 2>orkc.err
	test_cmp /dev/null orkc.err
'

test_expect_success 'seed: make -j4 runs the guide workflow with /usr/bin/python3' '
	make_ok -j4 PYTHON=$PY
	expect_eq fetch succeeded "$(state fetch)"
	expect_eq summarize succeeded "$(state summarize)"
'

test_expect_success 'seed: summarize received fetch output and counted the data' '
	expect_fetched "$(outf fetch)" "$data"
	expect_summary "$(outf summarize)" "$data"
'

test_expect_success 'seed: a second make does nothing' '
	make_ok -j4 PYTHON=$PY
	expect_eq "attempts of fetch" 1 "$(jget $(rundir)/journal.jsonl "len(ev(\"start\", \"fetch\"))")"
'

if [ -n "$OTHER_PY" ]; then
	test_expect_success "seed: again with $OTHER_PY (pydantic $(pydantic_major "$OTHER_PY"))" '
		make_ok -j4 PYTHON="$OTHER_PY" RUN_ID=other
		expect_fetched "$(outf fetch other)" "$data"
		expect_summary "$(outf summarize other)" "$data"
	'
fi

test_expect_success 'seed: a fetch that fails is retried 3 times, then summarize is skipped' '
	mv web/example.com/data.json web/example.com/data.json.away
	make_fails -j4 PYTHON=$PY RUN_ID=down
	mv web/example.com/data.json.away web/example.com/data.json
	J=$(rundir down)/journal.jsonl
	expect_eq "fetch attempts" 4 "$(jget $J "len(ev(\"attempt\", \"fetch\"))")"
	expect_eq fetch failed "$(state fetch down)"
	expect_eq summarize skipped "$(state summarize down)"
	reason fetch down >r
	expect_grep "404" r
'

finish
