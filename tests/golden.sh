#!/bin/sh
# Golden tests: each tests/golden/NAME.yaml is compiled to every target and
# compared with NAME.mk, NAME.sh, NAME.json and NAME.dot beside it (and
# NAME.cron when it has a schedule); every NAME.sh must be clean under
# shellcheck -s sh (skipped, visibly, without shellcheck).  Run with
# --update to rewrite the expected files after an intended change (review
# the diff before committing it).
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

update=0
[ "${1:-}" = --update ] && update=1

# A workflow with a schedule also gets crontab lines, NAME.cron, made with
# a fixed project root and ork so the text is the same on every machine;
# NAME.cronargs, if present, holds more orkc options, one a line.
cron_golden() {  # NAME
	grep -q '^schedule:' "$1.yaml" || return 0
	set -- "$1" --artifact run.mk --root /srv/project --ork /usr/local/bin/ork
	if [ -f "$1.cronargs" ]; then
		while IFS= read -r _arg; do set -- "$@" "$_arg"; done <"$1.cronargs"
	fi
	_name=$1
	shift
	if ! "$ORKC" -t cron "$@" "$_name.yaml" >"$tmp/$_name.cron" 2>"$tmp/stderr"; then
		fail "$_name (cron): orkc failed: $(cat "$tmp/stderr")"
	elif [ $update = 1 ]; then
		cp "$tmp/$_name.cron" "$_name.cron"
	elif [ ! -f "$_name.cron" ]; then
		fail "$_name (cron): no expected file $_name.cron (run with --update)"
	elif ! diff -u "$_name.cron" "$tmp/$_name.cron" >&2; then
		fail "$_name (cron): output differs from $_name.cron"
	else
		pass "$_name (cron)"
		"$ORKC" -t cron "$@" "$_name.yaml" >"$tmp/$_name.cron.again" 2>/dev/null
		cmp -s "$tmp/$_name.cron" "$tmp/$_name.cron.again" &&
			pass "$_name (cron) deterministic" || fail "$_name (cron): two runs differ"
	fi
}

# The generated script must parse and be clean under shellcheck.
sh_lint() {  # NAME
	sh -n "$tmp/$1.sh" 2>"$tmp/sh.err" && pass "$1 (sh -n parses)" ||
		fail "$1: sh -n failed: $(cat "$tmp/sh.err")"
	if ! command -v shellcheck >/dev/null 2>&1; then
		skip "$1 (shellcheck): shellcheck is not installed"
	elif shellcheck -s sh "$tmp/$1.sh" >"$tmp/sc.out" 2>&1; then
		pass "$1 (shellcheck -s sh)"
	else
		cat "$tmp/sc.out" >&2
		fail "$1: shellcheck -s sh found problems"
	fi
}

# NAME.slurm, where it exists, is the expected orkc -t slurm script, which
# must be clean under shellcheck too (--update rewrites only those).
slurm_golden() {  # NAME
	[ -f "$1.slurm" ] || return 0
	if ! "$ORKC" -t slurm "$1.yaml" >"$tmp/$1.slurm" 2>"$tmp/stderr"; then
		fail "$1 (slurm): orkc failed: $(cat "$tmp/stderr")"
	elif [ $update = 1 ]; then
		cp "$tmp/$1.slurm" "$1.slurm"
	elif ! diff -u "$1.slurm" "$tmp/$1.slurm" >&2; then
		fail "$1 (slurm): output differs from $1.slurm"
	else
		pass "$1 (slurm)"
		cp "$tmp/$1.slurm" "$tmp/$1.slurm.sh"
		sh_lint "$1.slurm"
	fi
}

cd "$top_srcdir/tests/golden"
for yaml in *.yaml; do
	name=${yaml%.yaml}
	for target in make sh json dot; do
		case $target in make) ext=mk ;; *) ext=$target ;; esac
		expected=$name.$ext
		actual=$tmp/$name.$ext
		if ! "$ORKC" -t $target "$yaml" >"$actual" 2>"$tmp/stderr"; then
			fail "$name ($target): orkc failed: $(cat "$tmp/stderr")"
			continue
		fi
		if [ $update = 1 ]; then
			cp "$actual" "$expected"
			continue
		fi
		if [ ! -f "$expected" ]; then
			fail "$name ($target): no expected file $expected (run with --update)"
		elif ! diff -u "$expected" "$actual" >"$tmp/diff"; then
			cat "$tmp/diff" >&2
			fail "$name ($target): output differs from $expected"
		else
			pass "$name ($target)"
		fi
		# The same input must give byte-identical output.
		"$ORKC" -t $target "$yaml" >"$actual.again" 2>/dev/null
		cmp -s "$actual" "$actual.again" && pass "$name ($target) deterministic" ||
			fail "$name ($target): two runs differ"
	done
	# Generated Makefiles must at least parse: make -n runs nothing.  A
	# fresh copy: a checkout may leave NAME.yaml a moment newer than
	# NAME.mk, and the Makefile's stale-plan check would stop it.  The
	# copy's tasks run beside it: the task files go there too.
	if [ $update = 0 ]; then
		[ -d "$tmp/tasks" ] || cp -R tasks "$tmp/tasks"
		cp "$name.mk" "$tmp/parse.mk"
		( make -n -f "$tmp/parse.mk" ORK=true >/dev/null 2>"$tmp/make.err" ) &&
			pass "$name (make -n parses)" || fail "$name: make -n failed: $(cat "$tmp/make.err")"
		sh_lint "$name"
	fi
	cron_golden "$name"
	slurm_golden "$name"
done
finish
