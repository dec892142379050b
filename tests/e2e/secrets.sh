#!/bin/sh
# End to end: secrets.  `env: {VAR: {secret: NAME}}` gives a process task
# and a python task the value of NAME from the runner's environment or
# from $ORK_SECRETS_FILE (only a private file is accepted), and the value
# is nowhere else: not in the artifacts, the run directory (run.json,
# journal, input files, outputs, logs) or ork exec's argv; what a task
# prints of it shows *** (also when written a byte at a time), in the log
# file and in `ork logs`.  A missing secret fails its task before it
# starts, naming the secret.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

pydir=${ORK_PYDIR:-$top_srcdir/runtime/python}
export ORK_PYDIR="$pydir"
project secrets
WF=secrets
mkdir -p tasks seen

# Never written into any file of the project: the test compares hashes.
VALUE='s3cr3t-Tok3n-7f1e9b'
sum() { printf '%s' "$1" | cksum; }
want=$(sum "$VALUE")

cat >tasks/proc.sh <<'EOF'
#!/bin/sh
# Prove the value arrived, without storing it, then print it twice.
printf '%s' "$TOKEN" | cksum >seen/proc.sum
echo "stderr: token=$TOKEN." >&2
echo "stdout: $TOKEN"
printf '{"ok": true}' >"$ORK_OUTPUT"
EOF
cat >tasks/drip.sh <<'EOF'
#!/bin/sh
# One byte per write, with pauses: the value spans many pipe reads.
v=$TOKEN
printf 'drip:' >&2
while [ -n "$v" ]; do
	rest=${v#?}
	printf '%s' "${v%"$rest"}" >&2
	v=$rest
	sleep 0.02
done
printf ':end\n' >&2
echo '{}'
EOF
cat >tasks/py.py <<'EOF'
import os, sys, zlib

def main():
    tok = os.environ["TOKEN"]
    print("python says", tok)
    sys.stderr.write("python stderr " + tok + "\n")
    return {"crc": zlib.crc32(tok.encode())}

def boom():
    raise RuntimeError("bad token " + os.environ["TOKEN"] + " refused")
EOF
cat >tasks/sleep.sh <<'EOF'
#!/bin/sh
echo $$ >seen/sleep.pid
sleep 30
EOF

cat >wf.yaml <<'EOF'
name: secrets
env:
  PLAIN: visible
tasks:
  proc:
    executor: process
    command: [sh, tasks/proc.sh]
    env:
      TOKEN: {secret: API_TOKEN}
  drip:
    executor: process
    command: [sh, tasks/drip.sh]
    env:
      TOKEN: {secret: API_TOKEN}
  py:
    executor: python
    file: tasks/py.py
    env:
      TOKEN: {secret: API_TOKEN}
  pyboom:
    executor: python
    file: tasks/py.py
    function: boom
    env:
      TOKEN: {secret: API_TOKEN}
  leak:
    executor: process
    command: [sh, -c, 'printf "\"%s\"" "$TOKEN"']
    env:
      TOKEN: {secret: API_TOKEN}
  after:
    executor: process
    command: [cat]
    depends_on: [proc, py]
EOF

# Everything a run leaves, and the artifacts, must not hold the value.
no_value() {  # PATH...
	if grep -r -F -l -e "$VALUE" "$@" >leaks 2>/dev/null; then
		echo "the value is in:" >&2
		cat leaks >&2
		return 1
	fi
}

test_expect_success 'the artifacts carry the secret name, never the value' '
	API_TOKEN=$VALUE "$ORKC" wf.yaml -o run.mk
	API_TOKEN=$VALUE "$ORKC" wf.yaml -o run.sh
	grep -q "\"secrets\":{\"TOKEN\":\"API_TOKEN\"}" run.mk
	no_value run.mk run.sh
'

test_expect_success 'the key covers the secret name, not the value' '
	API_TOKEN=one-1234 "$ORKC" -t json wf.yaml >k1.json
	API_TOKEN=two-5678 "$ORKC" -t json wf.yaml >k2.json
	sed "s/secret: API_TOKEN}/secret: OTHER_TOKEN}/" wf.yaml >renamed.yaml
	"$ORKC" -t json renamed.yaml >k3.json
	key() { jget "$1" "[t[\"key\"] for t in d[\"tasks\"] if t[\"task\"] == \"proc\"][0]"; }
	expect_eq "same name" "$(key k1.json)" "$(key k2.json)"
	test "$(key k1.json)" != "$(key k3.json)"
'

test_expect_success 'make: process and python tasks get the value in their env' '
	API_TOKEN=$VALUE make_fails -j2
	expect_eq proc succeeded "$(state proc)"
	expect_eq py succeeded "$(state py)"
	expect_eq after succeeded "$(state after)"
	expect_eq "proc saw" "$want" "$(cat seen/proc.sum)"
	crc=$("$PYTOOL" -c "import sys, zlib; print(zlib.crc32(sys.argv[1].encode()))" "$VALUE")
	expect_eq "py saw" "$crc" "$(jget "$(outf py)" "d[\"crc\"]")"
'

test_expect_success 'the value is nowhere in the run directory' '
	no_value .ork make.out
	ls .ork/secrets/default/run.json .ork/secrets/default/journal.jsonl \
	   .ork/secrets/default/proc.input.json .ork/secrets/default/after.input.json
'

test_expect_success 'what a task prints of it shows *** in its log' '
	expect_grep "^stderr: token=\*\*\*\.$" .ork/secrets/default/logs/proc.1.1.log
	expect_grep "^stdout: \*\*\*$" .ork/secrets/default/logs/proc.1.1.log
	expect_grep "^python says \*\*\*$" .ork/secrets/default/logs/py.1.1.log
	expect_grep "^python stderr \*\*\*$" .ork/secrets/default/logs/py.1.1.log
'

test_expect_success 'a value written a byte at a time is masked too' '
	expect_grep "^drip:\*\*\*:end$" .ork/secrets/default/logs/drip.1.1.log
'

test_expect_success 'a python exception: traceback and reason masked' '
	expect_eq pyboom failed "$(state pyboom)"
	reason pyboom >r.txt
	expect_grep "bad token \*\*\* refused" r.txt
	expect_grep "bad token \*\*\* refused" .ork/secrets/default/logs/pyboom.1.1.log
	expect_grep "pyboom: failed .*bad token \*\*\* refused" make.out
'

test_expect_success 'the python runner masks its error file (names in ORK_SECRET_VARS)' '
	echo "{}" >in.json
	rm -f err.json
	TOKEN=$VALUE ORK_SECRET_VARS=TOKEN ORK_FILE=tasks/py.py ORK_FUNCTION=boom \
	ORK_INPUT=in.json ORK_OUTPUT=out.json ORK_ERROR_FILE=$PWD/err.json \
	PYTHONPATH=$pydir "$PYTOOL" -c "import ork._run as r; r.main()" </dev/null 2>err.out && exit 1
	expect_grep "bad token \*\*\* refused" err.json
	no_value err.json  # (its stderr is masked by ork exec: see above)
'

test_expect_success 'an output holding the value is refused' '
	expect_eq leak failed "$(state leak)"
	expect_grep "output holds the value of a secret" "$(rundir)/journal.jsonl"
	no_out leak
'

test_expect_success 'ork logs shows *** too' '
	"$ORK" logs default proc >logs.out
	expect_grep "stderr: token=\*\*\*\." logs.out
	no_value logs.out
'

test_expect_success 'a missing secret fails the task before it starts, naming it' '
	rm -rf .ork seen/proc.sum
	env -u API_TOKEN make -f run.mk ORK="$ORK" -k >make.out 2>&1 && exit 1
	expect_eq proc failed "$(state proc)"
	expect_eq reason "secret '"'"'API_TOKEN'"'"' is not set (environment or ORK_SECRETS_FILE)" "$(reason proc)"
	expect_eq attempts 0 "$(jget "$(rundir)/journal.jsonl" "last_end(\"proc\")[\"attempts\"]")"
	expect_eq starts 0 "$(jget "$(rundir)/journal.jsonl" "len(ev(\"start\", \"proc\"))")"
	test ! -e seen/proc.sum
	expect_grep "proc: failed \(secret .API_TOKEN. is not set" make.out
'

# Just proc and py, for the secrets file.
cat >file.yaml <<'EOF'
name: secrets
tasks:
  proc:
    executor: process
    command: [sh, tasks/proc.sh]
    env:
      TOKEN: {secret: API_TOKEN}
  py:
    executor: python
    file: tasks/py.py
    env:
      TOKEN: {secret: API_TOKEN}
EOF
"$ORKC" file.yaml -o file.mk

test_expect_success 'a secrets file readable by others is refused' '
	rm -rf .ork seen/proc.sum
	printf "# comment\nOTHER=x\nAPI_TOKEN=%s\n" "$VALUE" >secrets.env
	chmod 644 secrets.env
	env -u API_TOKEN ORK_SECRETS_FILE="$PWD/secrets.env" make -f file.mk ORK="$ORK" -k >make.out 2>&1 && exit 1
	expect_eq proc failed "$(state proc)"
	reason proc >r.txt
	expect_grep "refusing secrets file .*secrets.env.: group or others have access to it \(mode 0644\)" r.txt
	test ! -e seen/proc.sum
'

test_expect_success 'a private secrets file (0600) works' '
	rm -rf .ork
	chmod 600 secrets.env
	env -u API_TOKEN ORK_SECRETS_FILE="$PWD/secrets.env" make -f file.mk ORK="$ORK" >make.out 2>&1
	expect_eq proc succeeded "$(state proc)"
	expect_eq "proc saw" "$want" "$(cat seen/proc.sum)"
	no_value .ork make.out
'

test_expect_success 'the environment wins over the file' '
	rm -rf .ork
	API_TOKEN=from-the-env-1234 ORK_SECRETS_FILE="$PWD/secrets.env" make -f file.mk ORK="$ORK" >make.out 2>&1
	expect_eq "proc saw" "$(sum from-the-env-1234)" "$(cat seen/proc.sum)"
'

test_expect_success 'a symbolic link as secrets file is refused' '
	rm -rf .ork
	ln -sf secrets.env link.env
	env -u API_TOKEN ORK_SECRETS_FILE="$PWD/link.env" make -f file.mk ORK="$ORK" >make.out 2>&1 && exit 1
	reason proc >r.txt
	expect_grep "symbolic link" r.txt
'

test_expect_success 'sh artifact: same value, same masking' '
	rm -rf .ork seen/proc.sum
	API_TOKEN=$VALUE sh run.sh -j 2 ORK="$ORK" >sh.out 2>&1 && exit 1
	expect_eq proc succeeded "$(state proc)"
	expect_eq "proc saw" "$want" "$(cat seen/proc.sum)"
	expect_grep "^stderr: token=\*\*\*\.$" .ork/secrets/default/logs/proc.1.1.log
	no_value .ork sh.out
'

cat >hand.yaml <<'EOF'
name: secrets
tasks:
  hand:
    executor: process
    command: [cat]
    input:
      copy: "{{ env.API_TOKEN }}"
EOF

test_expect_success 'a spec not made by orkc cannot read a secret through env.X' '
	rm -rf .ork
	"$ORKC" hand.yaml -o hand.mk
	sed "s/\"trigger\":\"all_success\"/\"trigger\":\"all_success\",\"secrets\":{\"TOKEN\":\"API_TOKEN\"}/" hand.mk >hand2.mk
	grep -q "\"secrets\":{\"TOKEN\":\"API_TOKEN\"}" hand2.mk
	API_TOKEN=$VALUE make -f hand2.mk ORK="$ORK" >make.out 2>&1 && exit 1
	expect_eq hand failed "$(state hand)"
	reason hand >r.txt
	expect_grep "API_TOKEN. is a secret: an expression cannot read it" r.txt
	no_value .ork make.out
'

cat >argv.yaml <<'EOF'
name: secrets
tasks:
  sleeper:
    executor: process
    command: [sh, tasks/sleep.sh]
    env:
      TOKEN: {secret: API_TOKEN}
EOF

if [ -r /proc/self/cmdline ]; then
test_expect_success 'the value is not in the argv of ork exec or of the task' '
	rm -rf .ork seen/sleep.pid
	"$ORKC" argv.yaml -o argv.mk
	API_TOKEN=$VALUE make -f argv.mk ORK="$ORK" >make.out 2>&1 &
	mk=$!
	wait_for seen/sleep.pid 10
	pid=$(jget "$(rundir)/journal.jsonl" "ev(\"start\", \"sleeper\")[-1][\"pid\"]")
	tr "\0" " " </proc/$pid/cmdline >cmd.ork
	tr "\0" " " </proc/$(cat seen/sleep.pid)/cmdline >cmd.task
	kill -TERM "$pid"
	wait "$mk" || :
	grep -q "exec sleeper" cmd.ork
	no_value cmd.ork cmd.task
'
else
	skip "no /proc/PID/cmdline to look at"
fi

finish
