#!/bin/sh
# End to end: hostile strings (make and shell syntax, quotes, backslashes,
# newlines, control characters, unicode, leading dashes, a very long one)
# in static input values and keys, env values, argv elements, argv[0], a
# script string, task outputs and template values arrive byte-exact and
# never execute: no CANARY file may ever appear.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

CORPUS=$top_srcdir/tests/e2e/data/hostile.json
project injection
WF=injection
mkdir -p tasks got exp ref/got

WEIRD='run me $(shell touch CANARY_a0) `touch CANARY_a1`; #x.sh'

# The script string: shell code on purpose (a `command` string is run by
# /bin/sh -c), with make syntax that must reach the shell untouched.
cat >script.txt <<'EOF'
printf '%s\n' 'single $(shell touch CANARY_s1) `touch CANARY_s2` $$ #' >got/script.out
printf '%s\n' "double \$HOME \` \\ \" % $$(echo x)" | sed 's/[0-9][0-9]*(echo x)/PID/' >>got/script.out
printf '%s\n' "$((6 * 7))" "$(echo sub)" `echo bt` >>got/script.out # comment $(shell touch CANARY_s3)
printf '%s\n' a\
b "$SCRIPT_ENV" >>got/script.out
echo "tab	here; 100%" | tr -d 'x' >>got/script.out && echo and >>got/script.out
EOF
SCRIPT_ENV='$(shell touch CANARY_se1) `touch CANARY_se2`; touch CANARY_se3
"dq" '"'sq'"' \ %'
export SCRIPT_ENV

# Generate the workflows, the expected bytes and the upstream output from
# the corpus.  YAML strings are written double-quoted with YAML escapes.
cat >gen.py <<'EOF'
import json, sys
corpus = json.load(open(sys.argv[1], encoding="utf-8"))
corpus.append("x" * 5000 + "$(shell touch CANARY_long)`touch CANARY_long2`" + "y" * 5000)
weird, script, script_env = sys.argv[2], open(sys.argv[3]).read(), sys.argv[4]

def yq(s):
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == '\\':
            out.append('\\\\')
        elif 0x20 <= o < 0x7f:
            out.append(ch)
        elif o < 0x20 or o == 0x7f:
            out.append('\\x%02x' % o)
        elif 0x80 <= o < 0xa0 or o in (0x2028, 0x2029, 0xfeff):
            out.append('\\u%04x' % o)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)

def flow_list(xs):
    return "[" + ", ".join(yq(x) for x in xs) + "]"

def flow_map(pairs):
    return "{" + ", ".join("%s: %s" % (yq(k), v) for k, v in pairs) + "}"

n = len(corpus)
# YAML limits implicit keys to 1024 characters: the long one is no key.
keys = [s for s in corpus if s != "" and len(s) < 1000]
inp = {"values": corpus}
for i, k in enumerate(keys):
    inp[k] = i
json.dump(inp, open("exp/input.json", "w", encoding="utf-8"), ensure_ascii=False)
for i, s in enumerate(corpus):
    open("exp/argv.%d" % i, "wb").write(s.encode("utf-8"))
open("nvals", "w").write("%d\n" % n)
evil = "".join(corpus[:12]) + "\n\\ \"q\" 'q' é"
emit = {"evil": evil, "corpus": corpus, "keyed": {k: i for i, k in enumerate(keys)}}
open("emit.json", "w", encoding="utf-8").write(json.dumps(emit, ensure_ascii=False))
open("exp/evil", "wb").write(evil.encode("utf-8"))

with open("wf.yaml", "w", encoding="utf-8") as f:
    f.write("name: injection\n")
    f.write("env: %s\n" % flow_map([("W%d" % i, yq(corpus[i])) for i in range(5)]))
    f.write("tasks:\n")
    f.write("  argv:\n    executor: process\n")
    f.write("    command: %s\n" % flow_list(["sh", "tasks/argv.sh"] + corpus))
    f.write("    env: %s\n" % flow_map([("V%d" % i, yq(s)) for i, s in enumerate(corpus)]))
    f.write("    input: %s\n" % flow_map([("values", flow_list(corpus))] +
                                         [(k, str(i)) for i, k in enumerate(keys)]))
    f.write("  script:\n    executor: process\n")
    f.write("    command: %s\n" % yq(script))
    f.write("    env: {SCRIPT_ENV: %s}\n" % yq(script_env))
    f.write("  weird:\n    executor: process\n")
    f.write("    command: [%s, %s]\n" % (yq("./tasks/" + weird), yq(corpus[0])))
    f.write("  emit: {executor: process, command: [sh, -c, cat emit.json]}\n")
    f.write("  recv: {executor: process, command: [sh, tasks/recv.sh], depends_on: [emit]}\n")

with open("tmpl.yaml", "w", encoding="utf-8") as f:
    f.write("name: injection\n")
    f.write("tasks:\n")
    f.write("  emit: {executor: process, command: [sh, -c, cat emit.json]}\n")
    f.write("  tmpl:\n    executor: process\n    command: [sh, tasks/tmpl.sh]\n")
    f.write("    depends_on: [emit]\n")
    f.write('    env: {FROM_UP: "{{ emit.evil }}"}\n')
    f.write('    input: {t: "{{ tasks.emit.output.evil }}", mixed: "pre {{ emit.evil }} post"}\n')

desc = "line1\n$(shell touch CANARY_desc)\nall:\n\ttouch CANARY_desc2 \\"
with open("meta.yaml", "w", encoding="utf-8") as f:
    f.write("name: meta\n")
    f.write("description: %s\n" % yq(desc))
    f.write("python: %s\n" % yq("/nonexistent/py$(shell touch CANARY_py)#x"))
    f.write("tasks:\n  p:\n    executor: python\n    file: %s\n" % yq("tasks/py $(shell touch CANARY_pf) #x.py"))
EOF

cat >tasks/argv.sh <<'EOF'
#!/bin/sh
cat >got/input.json
i=0
for a in "$@"; do
	printf '%s' "$a" >got/argv.$i
	i=$((i + 1))
done
echo $i >got/argc
n=$(cat nvals)
i=0
while [ $i -lt $n ]; do
	if eval "[ -n \"\${V$i+set}\" ]"; then
		eval "printf '%s' \"\$V$i\"" >got/env.$i
	fi
	i=$((i + 1))
done
for i in 0 1 2 3 4; do
	eval "printf '%s' \"\$W$i\"" >got/wenv.$i
done
printf '{}'
EOF

cat >tasks/recv.sh <<'EOF'
#!/bin/sh
cat >got/recv.json
printf '{}'
EOF

cat >tasks/tmpl.sh <<'EOF'
#!/bin/sh
cat >got/tmpl.json
printf '%s' "$FROM_UP" >got/tmpl.env
printf '{}'
EOF

cat >"tasks/$WEIRD" <<'EOF'
#!/bin/sh
printf '%s' "$1" >got/weird.arg
printf '{}'
EOF
chmod +x "tasks/$WEIRD"
printf 'def main():\n    return {}\n' >"tasks/py \$(shell touch CANARY_pf) #x.py"

no_canary() {
	found=$(find "$tmp" -name "CANARY*")
	if [ -n "$found" ]; then
		echo "something executed a hostile string: $found"
		return 1
	fi
}

PYTHON=/usr/bin/python3
[ -x $PYTHON ] || PYTHON=python3

test_expect_success 'generate and compile the hostile workflow' '
	"$PYTOOL" gen.py "$CORPUS" "$WEIRD" script.txt "$SCRIPT_ENV"
	compile wf.yaml run.mk
	no_canary
'

test_expect_success 'make -n expands nothing hostile' '
	make_ok -n
	no_canary
'

test_expect_success 'make -j4 runs every task' '
	make_ok -j4
	for t in argv script weird emit recv; do
		expect_eq "$t" succeeded "$(state $t)"
	done
	no_canary
'

test_expect_success 'argv elements arrive byte-exact, none lost or split' '
	expect_eq argc "$(cat nvals)" "$(cat got/argc)"
	i=0
	while [ $i -lt $(cat nvals) ]; do
		cmp exp/argv.$i got/argv.$i
		i=$((i + 1))
	done
'

test_expect_success 'env values arrive byte-exact (task and workflow env)' '
	i=0
	while [ $i -lt $(cat nvals) ]; do
		test -f got/env.$i || { echo "V$i unset"; false; }
		cmp exp/argv.$i got/env.$i
		i=$((i + 1))
	done
	for i in 0 1 2 3 4; do cmp exp/argv.$i got/wenv.$i; done
'

test_expect_success 'static input values and keys arrive exact' '
	"$PYTOOL" -c "
import json, sys
exp = json.load(open(\"exp/input.json\", encoding=\"utf-8\"))
got = json.load(open(\"got/input.json\", encoding=\"utf-8\"))
bad = [k for k in set(exp) | set(got) if exp.get(k) != got.get(k)]
for k in bad[:10]:
    print(\"mismatch at key %r: expected %r, got %r\" % (k, exp.get(k), got.get(k)))
sys.exit(1 if bad else 0)
"
'

test_expect_success 'a command string reaches /bin/sh -c byte-exact' '
	(cd ref && sh -c "$(cat ../script.txt)")
	test_cmp ref/got/script.out got/script.out
	expect_grep "^single .\(shell touch CANARY_s1\) .touch CANARY_s2. \\$\\$ #\$" got/script.out
'

test_expect_success 'an argv[0] path full of make and shell syntax runs' '
	cmp exp/argv.0 got/weird.arg
'

test_expect_success 'a hostile upstream output flows downstream exact' '
	"$PYTOOL" -c "
import json, sys
exp = json.load(open(\"emit.json\", encoding=\"utf-8\"))
got = json.load(open(\"got/recv.json\", encoding=\"utf-8\"))
sys.exit(0 if got == {\"emit\": exp} else \"recv input differs\")
"
	"$PYTOOL" -c "
import json, sys
exp = json.load(open(\"emit.json\", encoding=\"utf-8\"))
got = json.load(open(sys.argv[1], encoding=\"utf-8\"))
sys.exit(0 if got == exp else \"stored output differs\")
" "$(outf emit)"
'

test_expect_success 'the hostile output is stored and handed down byte-exact' '
	cmp emit.json "$(outf emit)"
	"$PYTOOL" -c "
import sys
out = open(\"emit.json\", \"rb\").read()
got = open(\"got/recv.json\", \"rb\").read()
sys.exit(0 if out in got else \"the output bytes are not in the downstream input as they are\")
"
'

test_expect_success 'no hostile string was ever executed' '
	no_canary
'

# Templates: hostile upstream values substituted into env and input are
# data, byte-exact: a single template keeps the value, a mixed one renders
# it into the string.
test_expect_success 'templated hostile upstream values arrive exact and never run' '
	compile tmpl.yaml tmpl.mk
	MK=tmpl.mk
	make_ok -n RUN_ID=tmpl
	no_canary
	make_ok RUN_ID=tmpl
	expect_eq tmpl succeeded "$(state tmpl tmpl)"
	cmp exp/evil got/tmpl.env
	"$PYTOOL" -c "
import json, sys
evil = open(\"exp/evil\", encoding=\"utf-8\").read()
got = json.load(open(\"got/tmpl.json\", encoding=\"utf-8\"))
sys.exit(0 if got[\"t\"] == evil and got[\"mixed\"] == \"pre \" + evil + \" post\" else \"templated input differs\")
"
	no_canary
'

test_expect_success 'hostile description, python and file path stay inert' '
	compile meta.yaml meta.mk
	MK=meta.mk
	make_ok -n
	no_canary
	run_make
	no_canary
'

# The operator's command line is make syntax, but a run id is data: a
# value that would run make functions must be refused as a run id, never
# expanded (neither into targets nor into the tasks' environment).
test_expect_success 'a hostile RUN_ID on the make command line runs nothing' '
	MK=meta.mk
	make_fails "RUN_ID=\$(shell touch CANARY_runid)"
	make_fails -n "RUN_ID=\$(shell touch CANARY_runid_n)"
	grep -q "RUN_ID must be one word" make.out
	make_fails "RUN_ID=a;touch CANARY_semi"
	# One word, so it reaches ork, which refuses it as a run id.
	make_fails "RUN_ID=\$(HOME)"
	grep -q "run id" make.out
	test ! -e ".ork/meta/$HOME"
	no_canary
'

finish
