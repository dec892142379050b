#!/bin/sh
# End to end, through make and the sh script alike: sources: and
# generates: (issue 11, items 1 and 6).
#  - a source newer than the output re-runs the task and its downstream,
#    whatever its name (space, $ # % ; = ( ) \ and more);
#  - a new file that a sources: glob matches re-runs the task;
#  - a generated file deleted later re-runs its task (only it, and what
#    is downstream);
#  - a task that succeeds without writing a file it generates fails,
#    naming the file;
#  - make -n and sh run.sh -n say why each task would run (source newer,
#    upstream re-runs, generated file missing, definition changed and in
#    which fields, output missing) and change nothing in the run
#    directory (checksummed before and after).
# shellcheck disable=SC1091,SC2016,SC2034,SC2119,SC2120,SC2154,SC2317 # lib found at run time; bodies single-quoted
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/e2e-lib.sh"

WF=files
ODD='src/x$y#z%;=(q)\r.txt'

# write_wf [EXTRA_ARG]: task a writes "out/a 1.txt", b writes out/b.txt;
# EXTRA_ARG and an env variable change a's definition.
write_wf() {
	"$PYTOOL" - "$PYTOOL" "${1:-}" <<'EOF'
import json, sys
py, extra = sys.argv[1], sys.argv[2]
odd = 'src/x$y#z%;=(q)\\r.txt'
a = {"executor": "process", "command": [py, "bin/w.py", "out/a 1.txt"] + ([extra] if extra else []),
     "sources": ["src/my file.txt", odd, "data/*.csv"], "generates": ["out/a 1.txt"]}
if extra:
    a["env"] = {"FLAVOUR": "secret-ish value"}
b = {"executor": "process", "command": [py, "bin/w.py", "out/b.txt"],
     "depends_on": ["a"], "sources": ["out/a 1.txt"], "generates": ["out/b.txt"]}
with open("wf.yaml", "w") as f:
    json.dump({"name": "files", "tasks": {"a": a, "b": b}}, f, indent=1)
EOF
}

write_project() {
	mkdir -p bin src data out
	cat >bin/w.py <<'EOF'
import sys
for p in sys.argv[1:]:
    if p.startswith("out/"):
        open(p, "w").write("x\n")
print("{}")
EOF
	echo 1 >"src/my file.txt"
	echo 2 >"$ODD"
	echo 3 >data/a.csv
	write_wf
}

starts() {  # TASK: how many times TASK started in this run
	jget "$(rundir)/journal.jsonl" "len(ev(\"start\", \"$1\"))"
}

# age: every file of the project and the run a few minutes old, so that
# what a test touches next is newer than every output.
age() {
	"$PYTOOL" -c '
import os, time
t = time.time() - 300
for top in ("src", "data", "out", ".ork"):
    for d, _, fs in os.walk(top):
        for f in fs:
            os.utime(os.path.join(d, f), (t, t))
'
}

# sum_run: every file of the run directory, with its size, mode, times and
# content: what must not change under -n.
sum_run() {
	"$PYTOOL" -c '
import hashlib, os, sys
for d, ds, fs in sorted(os.walk(".ork")):
    for n in sorted(ds + fs):
        p = os.path.join(d, n)
        st = os.lstat(p)
        h = ""
        if os.path.isfile(p) and not os.path.islink(p):
            h = hashlib.sha256(open(p, "rb").read()).hexdigest()
        print(p, st.st_size, oct(st.st_mode), st.st_mtime_ns, st.st_ctime_ns, h)
'
}

expect_starts() {  # A B
	expect_eq "a starts" "$1" "$(starts a)" && expect_eq "b starts" "$2" "$(starts b)"
}

# dry: what the backend's -n prints, into dry.out; the run directory must
# be the same before and after.
dry() {
	sum_run >sum.before
	if [ "$backend" = make ]; then
		make -n -f run.mk ORK="$ORK" >dry.out 2>&1
	else
		sh run.sh -n ORK="$ORK" >dry.out 2>&1
	fi
	sum_run >sum.after
	if ! cmp -s sum.before sum.after; then
		echo "-n changed the run directory:" >&2
		diff sum.before sum.after >&2
		return 1
	fi
}

has_line() {  # LINE FILE
	if ! grep -qxF "$1" "$2"; then
		echo "no line '$1' in $2:" >&2
		cat "$2" >&2
		return 1
	fi
}

odd_newer="# a: source '$ODD' is newer"
failed_why="# c: output missing: failed last time (generated file 'out/c file.txt' is missing); generated file 'out/c file.txt' is missing"

check_backend() {
	backend=$1
	project "$backend"
	write_project
	if [ "$backend" = make ]; then
		art=run.mk
		run() { make_ok -f run.mk; }
	else
		art=run.sh
		run() { sh run.sh ORK="$ORK" >make.out 2>&1 || { cat make.out >&2; return 1; }; }
	fi
	"$ORKC" wf.yaml -o "$art"
	test_expect_success "$backend: -n before the first run: output missing, no ork why, nothing written" '
		dry && has_line "# a: output missing: no run '"'default'"' yet" dry.out &&
		refute grep -q "why" dry.out &&
		test ! -e .ork
	'
	test_expect_success "$backend: a and b run once, then nothing runs" '
		run && run && expect_starts 1 1
	'
	test_expect_success "$backend: a source with make-special characters, newer: a and b again" '
		age && echo more >>"$ODD" &&
		dry && has_line "$odd_newer" dry.out &&
		has_line "# b: upstream re-runs: a" dry.out &&
		run && expect_starts 2 2
	'
	test_expect_success "$backend: a new file matching a sources: glob re-runs a" '
		age && echo 4 >data/new.csv &&
		dry && has_line "# a: source '"'data/new.csv'"' is newer" dry.out &&
		run && expect_starts 3 3
	'
	test_expect_success "$backend: a generated file deleted later re-runs its task only" '
		age && rm out/b.txt &&
		dry && has_line "# b: generated file '"'out/b.txt'"' is missing" dry.out &&
		refute grep -q "exec a" dry.out &&
		run && expect_starts 3 4 && test -f out/b.txt
	'
	test_expect_success "$backend: a changed definition: -n names the fields, never a value" '
		write_wf --fast && "$ORKC" wf.yaml -o "$art" &&
		dry && has_line "# a: definition changed: command, env (FLAVOUR)" dry.out &&
		has_line "# b: definition changed: upstream changed: a; upstream re-runs: a" dry.out &&
		refute grep -q "secret-ish" dry.out &&
		run && expect_starts 4 5
	'
	test_expect_success "$backend: up to date: -n runs no task" '
		dry && ! grep -q " exec " dry.out
	'
}

check_backend make
check_backend sh

# A task that succeeds without writing what it generates fails, naming it.
for backend in make sh; do
	project "gen_$backend"
	mkdir -p bin
	printf 'print("{}")\n' >bin/none.py
	cat >wf.yaml <<EOF
name: files
tasks:
  c:
    executor: process
    command: ["$PYTOOL", "bin/none.py"]
    generates: ["out/c file.txt"]
EOF
	test_expect_success "$backend: a generated file missing after success fails the task, named" '
		if [ "$backend" = make ]; then
			"$ORKC" wf.yaml -o run.mk && make_fails -f run.mk
		else
			"$ORKC" wf.yaml -o run.sh && test_must_fail sh run.sh ORK="$ORK" >make.out 2>&1
		fi &&
		expect_eq state failed "$(state c)" &&
		expect_eq reason "generated file '"'out/c file.txt'"' is missing" "$(reason c)" &&
		no_out c
	'
	test_expect_success "$backend: -n after the failure says it failed, and why" '
		dry && has_line "$failed_why" dry.out
	'
done
project nork
write_project
test_expect_success "make -n without an ork at hand still lists what would run" '
	"$ORKC" wf.yaml -o run.mk &&
	make -n -f run.mk ORK=/nonexistent/ork >dry.out 2>&1 &&
	grep -q "^/nonexistent/ork exec a$" dry.out &&
	grep -q "^/nonexistent/ork exec b$" dry.out
'


# Every shell the script supports: a new glob match whose name has a
# space makes the task run, and ork why names it.
project shells
mkdir -p data
printf '%s\n' 'name: files' 'tasks:' '  a:' '    executor: process' \
	"    command: \"echo '{}'\"" '    sources: ["data/*.csv"]' >wf.yaml
touch "data/x y.csv"
"$ORKC" wf.yaml -o run.sh
sh run.sh ORK="$ORK" >run.out 2>&1
age
touch "data/z w.csv"
for shell in dash bash "busybox sh" mksh yash posh; do
	# shellcheck disable=SC2086 # "busybox sh" is two words
	set -- $shell
	if ! command -v "$1" >/dev/null 2>&1; then
		skip "$shell: not installed"
		continue
	fi
	test_expect_success "$shell: -n sees a new glob match named with a space" '
		$shell run.sh -n ORK="$ORK" >dry.out 2>&1 &&
		has_line "# a: source '"'data/z w.csv'"' is newer" dry.out &&
		grep -q " exec a$" dry.out
	'
done

finish
