# shellcheck shell=sh disable=SC2154 # the generated part sets t_*, ntasks...
# codegen/engine.sh: the scheduler of the scripts that `orkc -t sh` writes.
#
# This file is the source: the build embeds it into orkc (as
# codegen/engine.inc, see Makefile.am), and gen_sh.c appends it, after the
# generated part, to every script.  Everything up to and including the
# first empty line (this header) is left out.  The generated part above
# the engine defines what it reads: ntasks, the functions task_1 ..
# task_N (each sets t_name, t_out, t_file, t_up, t_down, t_spec),
# task_num and list_tasks, workflow_file, ork_self, jobs, dry, list, goals, ORK, begin_args and
# all_tasks.  tests/sh_engine.sh lints this file and
# drives its functions directly.

# ---- The engine: the same in every generated script --------------------
#
# The tasks above are functions, not variables, on purpose: dash and
# busybox keep variables in a 39-slot hash table, so thousands of them
# would make every variable access of the scheduler slow.  Its own state
# is a few variables per running or waiting task, unset once done with.

# needs_run I: whether task I must run, by make's rule: its output is
# missing, an upstream task ran in this invocation (stale_I), a file it
# generates is missing, or its file, a source or an upstream output is
# newer than its output (a missing literal source counts as newer, as
# make's empty rule for it does).  find rather than
# test -nt: posh has no -nt and busybox's compares whole seconds.
needs_run() {
	t_files=''
	"task_$1"
	[ -e "$t_out" ] || return 0
	eval "_x=\${stale_$1-}"
	[ -z "$_x" ] || return 0
	_o=$t_out
	if [ -n "$t_files" ] && "files_$1"; then return 0; fi
	set --
	[ -z "$t_file" ] || set -- "$t_file"
	for _j in $t_up; do
		"task_$_j"
		set -- "$@" "$t_out"
		# In batches: each set -- copies "$@", so a 1000-task join
		# would cost a million copies.
		if [ $# -ge 64 ]; then
			newer "$_o" "$@" && return 0
			set --
		fi
	done
	[ $# -gt 0 ] && newer "$_o" "$@"
}

# files_I (generated for a task with sources: or generates:) calls these
# with the output in $_o.
# gen_missing PATH: a file the task generates is not there.
gen_missing() {
	! [ -e "$1" ]
}

# src_newer PATH: a source that is missing or newer than the output.
src_newer() {
	[ -e "$1" ] || return 0
	newer "$_o" "$1"
}

# glob_newer PATTERN: a file matching it (now) is newer than the output.
# IFS empty: the pattern is expanded, never split.
glob_newer() {
	_ifs=$IFS
	IFS=''
	# shellcheck disable=SC2086 # the pattern is meant to be expanded
	set -- $1
	IFS=$_ifs
	[ $# -gt 1 ] || [ -e "$1" ] || return 1
	newer "$_o" "$@"
}

# newer FILE PATH...: whether one of the PATHs is newer than FILE.
newer() {
	_n=$1
	shift
	[ -n "$(find "$@" -prune -newer "$_n" -print 2>/dev/null)" ]
}

# start I: have ork spawn (fd 6) run task I's `ork exec`.  ork spawn
# forks it, not the shell: a fork of the shell per task was most of the
# script's cost.  It reports on the event fifo (fd 3): "s I PID" once it
# has started, "e I STATUS" when it has ended; a task that fans out gets
# ORK_JOBS, the slots its instances share (see fan_out).  A request that
# cannot be written (ork spawn is gone) starts nothing and stops the run.
start() {
	t_fan=
	"task_$1"
	_x=-
	[ -z "$t_fan" ] || _x=$jobs
	if printf '%s %s %s %s\n' "$1" "$t_name" "$_x" "$t_spec" >&6 2>/dev/null; then
		running=$((running + 1))
	else
		printf '%s: cannot start ork exec %s: ork spawn is gone\n' "$0" "$t_name" >&2
		halt=1
		return 1
	fi
}

# fan_out I: whether task I fans out (parallel, foreach).  Such a task
# runs alone: it starts only when nothing else runs, and nothing else
# starts until it ends; its `ork exec` runs its instances, at most $jobs at
# once (ORK_JOBS), so the run never has more than $jobs tasks running.
fan_out() {
	t_fan=
	"task_$1"
	[ -n "$t_fan" ]
}

# finished I RAN: task I is done (RAN=1: it ran; 0: it was up to date).
# Counts down the pending upstream tasks of each downstream task, which
# is ready when none is left: the work is one step per edge, so a join of
# 1000 tasks costs 1000 steps, not 1000 scans.
finished() {
	left=$((left - 1))
	"task_$1"
	for _j in $t_down; do
		selected "$_j" || continue
		[ "$2" = 0 ] || eval "stale_$_j=1"
		eval "_x=\$((pend_$_j - 1))"
		if [ "$_x" = 0 ]; then
			unset "pend_$_j"
			ready="$ready$_j "
		else
			eval "pend_$_j=$_x"
		fi
	done
}

# selected I: whether task I is part of this invocation: every task, or
# with TASK arguments those and their upstream tasks (sel_I set).
selected() {
	[ -z "$goals" ] && return 0
	eval "_x=\${sel_$1-}"
	[ -n "$_x" ]
}

# select_goals: sel_I for the tasks named in $goals and their upstream
# tasks, and run_tasks, their names in order (for ork end).  Numbers
# count in dependency order, so one pass from the last task down marks
# every upstream task.
select_goals() {
	run_tasks=$all_tasks
	[ -n "$goals" ] || return 0
	_i=1
	while [ "$_i" -le "$ntasks" ]; do
		unset "sel_$_i"
		_i=$((_i + 1))
	done
	for _g in $goals; do
		task_num "$_g" || bad_usage "no task '$_g' in this workflow (-l lists them)"
		eval "sel_$_n=1"
	done
	_i=$ntasks
	while [ "$_i" -ge 1 ]; do
		if selected "$_i"; then
			"task_$_i"
			for _j in $t_up; do eval "sel_$_j=1"; done
		fi
		_i=$((_i - 1))
	done
	run_tasks=''
	_i=1
	while [ "$_i" -le "$ntasks" ]; do
		if selected "$_i"; then
			"task_$_i"
			run_tasks="$run_tasks$t_name
"
		fi
		_i=$((_i + 1))
	done
}

# clear_state: no state variable comes from the environment.
clear_state() {
	_i=1
	while [ "$_i" -le "$ntasks" ]; do
		unset "stale_$_i" "pend_$_i" "pid_$_i" "ran_$_i"
		_i=$((_i + 1))
	done
}

# stop_all: SIGTERM to every running `ork exec`: it stops its task's
# process group, records the task failed, and dies by the signal.
stop_all() {
	_k=1
	while [ "$_k" -le "$ntasks" ]; do
		eval "_x=\${pid_$_k-}"
		[ -z "$_x" ] || kill -s TERM "$_x" 2>/dev/null
		_k=$((_k + 1))
	done
}

# await_all: wait until no ork exec of pid_I is left.  Only after ork
# spawn died, when they are nobody's children here: kill -0 polls.
await_all() {
	_k=1
	while [ "$_k" -le "$ntasks" ]; do
		eval "_x=\${pid_$_k-}"
		while [ -n "$_x" ] && kill -0 "$_x" 2>/dev/null; do
			sleep 1
		done
		_k=$((_k + 1))
	done
}

# schedule: run every task that must run, up to $jobs at once, each as
# soon as its upstream tasks are done.  It runs in the background: the
# script itself waits in `wait`, which every shell interrupts for a
# trapped signal (yash's `read` is not), and sends "stop" on the fifo.
# The scheduler ignores the signals, so it always gets to stop what it
# started and to wait for it; and SIGPIPE, so that a request to an ork
# spawn that is gone fails (start says so) instead of killing it.  Like
# make without -k, an `ork exec` that fails (status 2: it could not run
# the task) stops new starts.  Returns 0, or 1 after such a failure.
#
# A script killed by SIGKILL cannot tell the scheduler, and nobody would
# run `ork end` after it: so a watcher reads the "alive" fifo (fd 5),
# whose only writer is the script (fd 4, which the scheduler closes),
# and sends "gone" once it reads end-of-file, that is once the script has
# died, whatever killed it.  The scheduler then stops like on "stop", and
# prints nothing (nobody may be reading).
#
# The tasks' ork execs are children of one ork spawn, which reads the
# requests fifo (fd 7) and ignores the signals too; the scheduler is the
# only writer (fd 6), so closing it ends ork spawn.  A subshell waits for
# ork spawn and sends "x STATUS" when it has ended: the scheduler is done
# by then, unless ork spawn died (or this ork has none), and then it
# stops instead of waiting for tasks that nobody will report.  The
# subshell exits with ork spawn's status, which the scheduler waits for.
schedule() {
	trap '' INT TERM HUP PIPE
	exec 4>&-
	{
		# Closed by exec: with { } 6>&-, mksh would keep a copy open.
		exec 6>&- 7<&-
		# shellcheck disable=SC2162 # nothing is written to it
		while read _x; do :; done <&5
		echo gone >&3
	} &
	_watch=$!
	exec 5<&-
	(
		# exec: a redirection on a command would leave yash a copy.
		exec <&7 6>&- 7<&-
		"$ORK" spawn
		_x=$?
		# No reader left: a request to a dead ork spawn fails at once.
		exec <&-
		echo "x $_x" >&3
		exit "$_x"
	) &
	_spawn=$!
	exec 7<&-
	clear_state
	ready='' running=0 left=$ntasks halt='' stopping='' fanning=''
	_i=1
	while [ "$_i" -le "$ntasks" ]; do
		if ! selected "$_i"; then
			_i=$((_i + 1))
			continue
		fi
		"task_$_i"
		# shellcheck disable=SC2086 # task numbers
		set -- $t_up
		if [ $# = 0 ]; then ready="$ready$_i "; else eval "pend_$_i=$#"; fi
		_i=$((_i + 1))
	done
	while :; do
		while [ -z "$halt" ] && [ -n "$ready" ] && [ "$running" -lt "$jobs" ]; do
			_i=${ready%% *}
			if ! needs_run "$_i"; then
				finished "$_i" 0
			elif ! fan_out "$_i"; then
				start "$_i"
			elif [ "$running" = 0 ]; then
				start "$_i" && fanning=$_i running=$jobs
			else
				break
			fi
			ready=${ready#* }
		done
		[ "$running" -gt 0 ] || break
		# No read -r: after a read -r from fd 3, posh's wait fails; the
		# events hold no backslashes.
		# shellcheck disable=SC2162
		read _ev _i _x <&3
		case $_ev in
		s)	eval "pid_$_i=$_x"
			[ -z "$stopping" ] || kill -s TERM "$_x" 2>/dev/null ;;
		e)	running=$((running - 1))
			if [ "$_i" = "$fanning" ]; then fanning='' running=0; fi
			unset "pid_$_i"
			if [ "$_x" != 0 ] && [ -z "$stopping" ]; then
				"task_$_i"
				printf '%s: ork exec %s exited with status %s\n' "$0" "$t_name" "$_x" >&2
				halt=1
			fi
			finished "$_i" 1 ;;
		stop|gone)	halt=1 stopping=1
			stop_all ;;
		x)	# ork spawn ended before its input did (it died, or this
			# ork has no spawn): no task will report any more.  Its
			# ork execs get SIGTERM (on Linux also from its death) and
			# are waited for, so that they have recorded their end.
			printf '%s: ork spawn exited with status %s\n' "$0" "$_i" >&2
			halt=1 running=0
			stop_all
			await_all ;;
		esac
	done
	exec 6>&-
	wait "$_spawn" || halt=1
	# SIGPIPE: the one signal no shell reports a job's death by.  Not
	# waited for: were PIPE ignored, the watcher would end with the script.
	kill -s PIPE "$_watch" 2>/dev/null
	[ -z "$halt" ]
}

# dry_run: what make -n prints: the commands that would run, in order,
# each after the `ork why` line that make echoes and what it prints: why
# (ran_I: task I would run; the upstream tasks so marked are named, in
# the order of t_up, as the Makefile does).  ork why only reads the run
# directory; without a run yet there is nothing to read, and no ork why
# runs (thousands of tasks would cost thousands of processes).
dry_run() {
	clear_state
	printf '%s %s\n' "$ORK" "$begin_args"
	_i=1
	while [ "$_i" -le "$ntasks" ]; do
		if selected "$_i" && needs_run "$_i"; then
			eval "ran_$_i=1"
			"task_$_i"
			_n=$t_name _s=$t_spec _d=$t_down _x=''
			for _j in $t_up; do
				eval "_y=\${ran_$_j-}"
				[ -z "$_y" ] || { "task_$_j"; _x="$_x $t_name"; }
			done
			if [ -e "$R/run.json" ]; then
				printf '%s why %s%s\n' "$ORK" "$_n" "$_x"
				# shellcheck disable=SC2086 # task names, one word each
				(
					ORK_SPEC=$_s
					export ORK_SPEC
					exec "$ORK" why "$_n" $_x
				) || :
			else
				printf "# %s: output missing: no run '%s' yet\n" "$_n" "$RUN_ID"
			fi
			printf '%s exec %s\n' "$ORK" "$_n"
			for _j in $_d; do eval "stale_$_j=1"; done
		fi
		_i=$((_i + 1))
	done
	printf '%s end --tasks -\n' "$ORK"
}

# interrupted N: the first INT, TERM or HUP stops the run: the scheduler
# stops the running tasks, and the script exits 128+N once they are gone.
# shellcheck disable=SC2317 # called by the traps
interrupted() {
	[ -n "$signal" ] && return
	signal=$1
	echo stop >&3
}

# end_run: `ork end`, the summary of this invocation's tasks; fails if
# one of them failed.  The task names
# come on its standard input, not as arguments: thousands of them would
# not fit in argv (E2BIG).
end_run() {
	"$ORK" end --tasks - 3>&- 4>&- <<EOF
$run_tasks
EOF
}

# check_plan: stop before anything runs when the workflow file is newer
# than this script (a stale plan).  Not when either is not where the
# script runs (a moved script, or one read from standard input).
check_plan() {
	[ -f "$ork_self" ] && [ -e "$workflow_file" ] || return 0
	newer "$ork_self" "$workflow_file" || return 0
	# The script as it was started, the workflow from here (the root).
	case $workflow_file in
	/*) _w=$workflow_file ;;
	*) _w=$PWD/$workflow_file ;;
	esac
	printf 'ork: %s is older than %s: run orkc %s -o %s\n' \
		"$0" "$_w" "$_w" "$0" >&2
	exit 2
}

# run: the run, or with -n what it would do.
run() {
	if [ -n "$list" ]; then
		list_tasks
		exit 0
	fi
	check_plan
	select_goals
	if [ -n "$dry" ]; then
		dry_run
		exit 0
	fi

	# The event fifo, open for reading and writing on fd 3 (so it never
	# blocks and never reads end-of-file).  The alive fifo, open for
	# reading and writing on fd 4 as long as the script lives, and for
	# reading on fd 5 for the scheduler's watcher (see schedule).  The
	# requests fifo, open for writing on fd 6 for the scheduler and for
	# reading on fd 7 for ork spawn (opened for reading and writing
	# first, so that neither open blocks).  All unlinked at once: nothing
	# to clean up.
	events=$(mktemp -d "${TMPDIR:-/tmp}/ork-sh.XXXXXX") || exit 2
	mkfifo "$events/fifo" "$events/alive" "$events/spawn" || exit 2
	exec 3<>"$events/fifo"
	exec 4<>"$events/alive"
	exec 5<"$events/alive"
	exec 6<>"$events/spawn"
	exec 7<"$events/spawn"
	exec 6>"$events/spawn"
	rm -rf "$events"

	signal=
	trap 'interrupted 2' INT
	trap 'interrupted 15' TERM
	trap 'interrupted 1' HUP

	# ork begin records the tasks up front (ork status lists those not
	# started yet; ork exec counts [k/N]), unless they would not fit in
	# one environment string.
	if [ ${#run_tasks} -lt 65536 ]; then
		ORK_TASK_NAMES=$run_tasks
		export ORK_TASK_NAMES
	fi
	begin_run 3>&- 4>&- 5<&- 6>&- 7<&- || exit 2
	unset ORK_TASK_NAMES
	[ -z "$signal" ] || exit $((128 + signal))
	schedule &
	sched=$!
	exec 5<&- 6>&- 7<&-
	wait "$sched"
	status=$?
	# A trapped signal ends `wait` early: wait again until the scheduler,
	# having stopped every task, is gone.
	while [ -n "$signal" ] && kill -0 "$sched" 2>/dev/null; do
		wait "$sched"
		status=$?
	done
	[ -z "$signal" ] || exit $((128 + signal))
	if [ "$status" -gt 128 ]; then
		printf '%s: the scheduler died (status %s)\n' "$0" "$status" >&2
	fi
	[ "$status" = 0 ] || exit 2

	end_run
	status=$?
	[ -z "$signal" ] || exit $((128 + signal))
	exit $status
}
