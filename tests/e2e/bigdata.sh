#!/bin/sh
# End to end: a 50 MB output is handed downstream intact (same checksum on
# both sides), to a process task and to a python task, in sane time.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

project bigdata
WF=bigdata
mkdir -p tasks

SIZE=50000000
cat >tasks/gen.sh <<EOF
#!/bin/sh
set -e
A=ABCDEFGHIJKLMNOPQRSTUVWXYZ
head -c $SIZE /dev/urandom | tr '\\000-\\377' "\$A\$A\$A\$A\$A\$A\$A\$A\$A\$A" >blob
sha256sum <blob | cut -c1-64 >gen.sha
{ printf '{"n": 1, "blob": "'; cat blob; printf '"}\\n'; } >payload.json
rm blob
cat payload.json
EOF

# The blob is the only upper-case text in the input.
cat >tasks/use.sh <<'EOF'
#!/bin/sh
set -e
tr -cd 'A-Z' | sha256sum | cut -c1-64 >use.sha
printf '{"sha": "%s"}' "$(cat use.sha)"
EOF

cat >tasks/use.py <<'EOF'
import hashlib

def main(input):
    blob = input["gen"]["blob"]
    return {"sha": hashlib.sha256(blob.encode("ascii")).hexdigest(),
            "len": len(blob), "n": input["gen"]["n"]}
EOF

cat >wf.yaml <<'EOF'
name: bigdata
tasks:
  gen: {executor: process, command: [sh, tasks/gen.sh]}
  use: {executor: process, command: [sh, tasks/use.sh], depends_on: [gen]}
  usepy: {executor: python, file: tasks/use.py, depends_on: [gen]}
EOF

PYTHON=/usr/bin/python3
[ -x $PYTHON ] || PYTHON=python3

test_expect_success 'compile and run with a 50 MB output, in under 40 s' '
	compile
	t0=$(date +%s)
	make_ok -j4 PYTHON=$PYTHON
	t1=$(date +%s)
	echo "# took $((t1 - t0)) s"
	test $((t1 - t0)) -lt 40
'

test_expect_success 'the output file holds the whole blob' '
	test $(wc -c <"$(outf gen)") -ge $SIZE
	expect_eq "stored blob" "$(cat gen.sha)" \
		"$(tr -cd A-Z <"$(outf gen)" | sha256sum | cut -c1-64)"
'

test_expect_success 'the output file is the bytes the task printed (up to trailing white space)' '
	n=$(wc -c <"$(outf gen)")
	head -c $n payload.json | cmp - "$(outf gen)"
	test -z "$(tail -c +$((n + 1)) payload.json | tr -d " \n\r\t")"
'

test_expect_success 'the process task downstream got the blob intact' '
	test -s use.sha
	expect_eq sha "$(cat gen.sha)" "$(cat use.sha)"
	expect_eq output "$(cat gen.sha)" "$(jget "$(outf use)" "d[\"sha\"]")"
'

test_expect_success 'the python task downstream got the blob intact' '
	expect_eq state succeeded "$(state usepy)"
	expect_eq sha "$(cat gen.sha)" "$(jget "$(outf usepy)" "d[\"sha\"]")"
	expect_eq len $SIZE "$(jget "$(outf usepy)" "d[\"len\"]")"
	expect_eq n 1 "$(jget "$(outf usepy)" "d[\"n\"]")"
'

test_expect_success 'the run directory keeps the input the downstream task was given' '
	test $(wc -c <$(rundir)/use.input.json) -ge $SIZE
'

finish
