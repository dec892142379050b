#!/bin/sh
# shellcheck disable=SC1091,SC2016,SC2154 # lib.sh is found at run time; bodies single-quoted
# The sh backend's engine on its own: codegen/engine.sh must be clean
# under `shellcheck -s sh` (skipped, visibly, when shellcheck is missing),
# and its functions, driven directly with hand-made task functions, must
# do what their comments say, under dash (sh when dash is missing).
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

engine=$top_srcdir/codegen/engine.sh
no_shellcheck=
if ! command -v shellcheck >/dev/null 2>&1; then
	skip "shellcheck -s sh codegen/engine.sh: shellcheck is not installed"
	no_shellcheck=1
elif shellcheck -s sh "$engine" >"$tmp/sc.out" 2>&1; then
	pass "shellcheck -s sh codegen/engine.sh"
else
	sed 's/^/#   /' "$tmp/sc.out"
	fail "shellcheck -s sh codegen/engine.sh found problems"
fi

if command -v dash >/dev/null 2>&1; then SH='dash'; else SH='sh'; fi

# A diamond: 1 -> 2, 3 -> 4.  Outputs and the file live in $tmp/w.
mkdir "$tmp/w"
cat >"$tmp/tasks.sh" <<'EOF2'
ntasks=4
R=$W
task_1() { t_name=top t_out=$R/top.json t_file= t_up='' t_down='2 3' t_spec='{"task":"top"}'; }
task_2() { t_name=left t_out=$R/left.json t_file=$R/left.py t_up='1' t_down='4' t_spec='{"task":"left"}'; }
task_3() { t_name=right t_out=$R/right.json t_file= t_up='1' t_down='4' t_spec='{"task":"right"}'; }
task_4() { t_name=bottom t_out=$R/bottom.json t_file= t_up='2 3' t_down='' t_spec='{"task":"bottom"}'; }
ORK=ork jobs=2 begin_args=begin all_tasks='top left right bottom'
EOF2

# in_engine BODY: BODY run by $SH with the tasks and the engine loaded.
in_engine() {
	W=$tmp/w $SH -c '. "$1"; . "$2"; eval "$3"' in_engine "$tmp/tasks.sh" "$engine" "$1"
}

test_expect_success "the engine loads without running anything under $SH" '
	out=$(in_engine "echo loaded") &&
	test "$out" = loaded
'

test_expect_success "finished counts down the downstream tasks, one step per edge" '
	out=$(in_engine "
		ready= left=4 pend_4=2
		finished 2 0
		echo \"ready=[\$ready] pend_4=\$pend_4 stale_4=\${stale_4-unset} left=\$left\"
		finished 3 1
		echo \"ready=[\$ready] pend_4=\${pend_4-unset} stale_4=\${stale_4-unset} left=\$left\"
	") &&
	test "$out" = "ready=[] pend_4=1 stale_4=unset left=3
ready=[4 ] pend_4=unset stale_4=1 left=2"
'

test_expect_success "clear_state drops state variables from the environment" '
	out=$(stale_2=1 pend_3=5 pid_4=1 ran_1=1 in_engine "
		export stale_2 pend_3 pid_4 ran_1
		clear_state
		echo \"\${stale_2-u}\${pend_3-u}\${pid_4-u}\${ran_1-u}\"
	") &&
	test "$out" = uuuu
'

# needs_run by make rule: missing output, stale, newer file or upstream.
nr() { in_engine "if needs_run $1; then echo yes; else echo no; fi"; }
test_expect_success "needs_run: a missing output runs" '
	test "$(nr 1)" = yes
'
test_expect_success "needs_run: an output newer than all it depends on is up to date" '
	touch -d "2020-01-01 00:00:00" "$tmp/w/top.json" "$tmp/w/left.py" &&
	touch -d "2020-01-02 00:00:00" "$tmp/w/left.json" &&
	test "$(nr 1)" = no && test "$(nr 2)" = no
'
test_expect_success "needs_run: a newer upstream output or task file, or a stale mark, runs" '
	touch -d "2020-01-03 00:00:00" "$tmp/w/top.json" &&
	test "$(nr 2)" = yes &&
	touch -d "2020-01-01 00:00:00" "$tmp/w/top.json" &&
	test "$(nr 2)" = no &&
	touch -d "2020-01-03 00:00:00" "$tmp/w/left.py" &&
	test "$(nr 2)" = yes &&
	touch -d "2020-01-01 00:00:00" "$tmp/w/left.py" &&
	test "$(in_engine "stale_2=1; needs_run 2 && echo yes")" = yes
'
test_expect_success "dry_run prints what would run, downstream of a run task too" '
	rm -f "$tmp/w/right.json" "$tmp/w/bottom.json" &&
	touch -d "2020-01-03 00:00:00" "$tmp/w/bottom.json" &&
	in_engine "RUN_ID=r; dry_run" >"$tmp/dry.out" &&
	printf "%s\n" "ork begin" "# right: output missing: no run '"'r'"' yet" \
		"ork exec right" "# bottom: output missing: no run '"'r'"' yet" \
		"ork exec bottom" "ork end --tasks -" >"$tmp/dry.want" &&
	test_cmp "$tmp/dry.want" "$tmp/dry.out" &&
	: >"$tmp/w/run.json" &&
	in_engine "R=\$W; dry_run" >"$tmp/dry.out" 2>/dev/null &&
	rm "$tmp/w/run.json" &&
	printf "%s\n" "ork begin" "ork why right" "ork exec right" \
		"ork why bottom right" "ork exec bottom" \
		"ork end --tasks -" >"$tmp/dry.want" &&
	test_cmp "$tmp/dry.want" "$tmp/dry.out"
'

# A fake ork: "exec top" hangs (as sleep, which a TERM ends), any other
# task records its name and succeeds; "spawn" speaks ork spawn's protocol
# (runtime/spawn.h) with a subshell per request.
cat >"$tmp/ork" <<'EOF2'
#!/bin/sh
if [ "$1" = spawn ]; then
	while read -r id name jobs spec; do
		{
			"$0" exec "$name" &
			echo "s $id $!" >&3
			wait $!
			echo "e $id $?" >&3
		} &
	done
	wait
	exit 0
fi
[ "$1" = exec ] || exit 0
case $2 in
top) echo $$ >"$W/top.pid"; exec sleep 30 ;;
*) echo "$2" >>"$W/ran"; echo null >"$W/$2.json" ;;
esac
EOF2
chmod +x "$tmp/ork"
test_expect_success "schedule stops and starts nothing more once the script's alive fifo closes" '
	rm -f "$tmp"/w/*.json "$tmp/w/ran" "$tmp/w/top.pid" &&
	in_engine "
		ORK=\$W/../ork
		mkfifo \$W/ev \$W/alive \$W/spawn
		exec 3<>\$W/ev 4<>\$W/alive 5<\$W/alive
		exec 6<>\$W/spawn 7<\$W/spawn 6>\$W/spawn
		rm \$W/ev \$W/alive \$W/spawn
		schedule &
		s=\$!
		exec 5<&- 6>&- 7<&-
		i=0
		until [ -s \$W/top.pid ] || [ \$i -ge 100 ]; do sleep 0.1; i=\$((i + 1)); done
		exec 4>&-
		rc=0
		wait \$s || rc=\$?
		echo \"status \$rc\"
	" >"$tmp/sched.out" 2>&1 &&
	test "$(tail -n 1 "$tmp/sched.out")" = "status 1" &&
	test -s "$tmp/w/top.pid" &&
	refute kill -0 "$(cat "$tmp/w/top.pid")" &&
	test ! -e "$tmp/w/ran"
'

if [ "$nfail" = 0 ] && [ -n "$no_shellcheck" ]; then
	echo "$npass passed, 0 failed; SKIP: shellcheck is not installed"
	exit 77
fi
finish
