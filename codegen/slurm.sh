# shellcheck shell=sh disable=SC2154 # the generated part sets t_*, ntasks...
# codegen/slurm.sh: the submitter of the scripts that `orkc -t slurm` writes.
#
# This file is the source: the build embeds it into orkc (as
# codegen/slurm.inc, see Makefile.am), and gen_slurm.c appends it, after
# the generated part, to every script.  Everything up to and including
# the first empty line (this header) is left out.  The generated part
# defines ntasks, task_1 .. task_N (each sets t_name, t_out, t_file, t_up,
# t_down, t_sbatch and t_spec, and for a fan-out task with a static count
# t_array and t_collect), all_tasks, workflow_file, ork_self, R, ORK,
# begin_run, and the options wait_run, cancel and dry.

# ---- The submitter: the same in every generated script -----------------
#
# One sbatch job per task that must run, in dependency order, each
# depending (afterany) on the jobs of its upstream tasks submitted in the
# same invocation, then one "end" job, afterany on all of them, that runs
# `ork end`.  Every job runs `ork exec TASK` with the task's spec, as make
# does: ork exec decides from its upstream tasks' recorded states whether
# the trigger lets the task run, so failed and skipped tasks are recorded
# as under make and no job waits for ever on a dependency that cannot be
# satisfied.
#
# A fan-out task with a static count (t_array, `parallel: N`) is two
# jobs: a job array, --array=0-(N-1)%K (K: its concurrency), whose
# element I runs `ork exec TASK` with ORK_FANOUT_INDEX=I (instance I
# only, unless it has its output already), and a fan-in job, afterany
# the array, that runs `ork exec TASK` with ORK_FANOUT_COLLECT=1: it
# records the task and writes the list of the instance outputs in index
# order, or fails naming the instances without one.  Downstream jobs
# depend on the fan-in job.  A count or list known only at run time
# (`parallel: EXPR`, `foreach:`) is one job whose `ork exec` runs the
# instances itself, at most `concurrency` at once.

# needs_run I: whether task I must run, by make's rule: its output is
# missing, an upstream task was submitted in this invocation (stale_I),
# or its file or an upstream output is newer than its output.
needs_run() {
	"task_$1"
	[ -e "$t_out" ] || return 0
	eval "_x=\${stale_$1-}"
	[ -z "$_x" ] || return 0
	_o=$t_out
	set --
	[ -z "$t_file" ] || set -- "$t_file"
	for _j in $t_up; do
		"task_$_j"
		set -- "$@" "$t_out"
		if [ $# -ge 64 ]; then
			newer "$_o" "$@" && return 0
			set --
		fi
	done
	[ $# -gt 0 ] && newer "$_o" "$@"
}

# newer FILE PATH...: whether one of the PATHs is newer than FILE.
newer() {
	_n=$1
	shift
	[ -n "$(find "$@" -prune -newer "$_n" -print 2>/dev/null)" ]
}

# job_script: what every job runs.  Fixed text: the task, the run and
# ork come in the job's environment (sbatch --export=ALL).  The run
# directory must be on a filesystem that every node shares: a job that
# does not find it says so and fails.
job_script() {
	cat <<'EOF'
#!/bin/sh
# A job of a workflow submitted by a script of orkc -t slurm.
R=$ORK_HOME/$ORK_WORKFLOW/$ORK_RUN_ID
if ! cd "$ORK_SLURM_CWD" 2>/dev/null || [ ! -f "$R/run.json" ]; then
	printf 'ork: on node %s: the run directory %s or the directory %s is missing: ORK_HOME must be on a filesystem that every node shares\n' \
		"$(hostname)" "$R" "$ORK_SLURM_CWD" >&2
	exit 2
fi
if [ -z "$ORK_SLURM_TASK" ]; then
	exec "$ORK_SLURM_ORK" end --tasks "$R/tasks.list"
fi
unset ORK_FANOUT_INDEX ORK_FANOUT_COLLECT
# The job that `ork exec` notes in its start events (ork status asks Slurm
# about it; a pid means nothing on another node).
ORK_SLURM_JOB=${SLURM_JOB_ID-}
export ORK_SLURM_JOB
case ${ORK_SLURM_FANOUT-} in
array)
	case ${SLURM_ARRAY_TASK_ID-} in
	''|*[!0-9]*) echo "ork: job $SLURM_JOB_ID is not an array element" >&2; exit 2 ;;
	esac
	ORK_FANOUT_INDEX=$SLURM_ARRAY_TASK_ID
	export ORK_FANOUT_INDEX ;;
collect)
	ORK_FANOUT_COLLECT=1
	export ORK_FANOUT_COLLECT ;;
esac
exec "$ORK_SLURM_ORK" exec "$ORK_SLURM_TASK"
EOF
}

# slurm_path PATH: PATH as sbatch's --output takes it (% doubled).
slurm_path() {
	_p=$1 _q=''
	while :; do
		case $_p in
		*%*) _q="$_q${_p%%\%*}%%"
		     _p=${_p#*%} ;;
		*) break ;;
		esac
	done
	printf '%s\n' "$_q$_p"
}

# submit NAME ROLE SBATCH-ARG...: submit one job (the end job when NAME
# is empty) and set jid to its id.  The spec travels in the environment.
# ROLE: '' (the task), array or collect (a fan-out task's two jobs).
submit() {
	_name=$1
	_role=$2
	shift 2
	# shellcheck disable=SC2030 # exported for sbatch only
	jid=$(
		ORK_SPEC=$t_spec
		ORK_SLURM_TASK=$_name
		ORK_SLURM_CWD=$PWD
		ORK_SLURM_ORK=$ORK
		ORK_SLURM_FANOUT=$_role
		export ORK_SPEC ORK_SLURM_TASK ORK_SLURM_CWD ORK_SLURM_ORK ORK_SLURM_FANOUT
		job_script | sbatch --parsable --export=ALL --chdir="$PWD" "$@"
	) || return 1
	jid=${jid%%;*}
	case $jid in
	''|*[!0-9]*)
		printf '%s: sbatch printed %s, not a job id\n' "$0" "$jid" >&2
		return 1 ;;
	esac
}

# recorded_jobs: the job ids of the last submission (RUN/slurm/jobs), on
# one line.
recorded_jobs() {
	[ -f "$R/slurm/jobs" ] || return 0
	while read -r _kind _a _b; do
		case $_kind in
		task|array) printf '%s ' "$_b" ;;
		end) printf '%s ' "$_a" ;;
		esac
	done <"$R/slurm/jobs"
}

# alive_jobs IDS: those of the jobs that Slurm still has queued or
# running.
alive_jobs() {
	[ -n "$1" ] || return 0
	# shellcheck disable=SC2086 # job ids
	squeue -h -o %i -j "$(printf '%s\n' $1 | paste -sd, -)" 2>/dev/null |
		paste -sd' ' -
}

# wait_jobs IDS: poll until none of them is queued or running.
wait_jobs() {
	while [ -n "$(alive_jobs "$1")" ]; do
		sleep "${ORK_SLURM_POLL:-1}"
	done
}

# finish END: after --wait: ork end's summary and status, from the end
# job.
finish() {
	wait_jobs "$(recorded_jobs)"
	[ ! -f "$R/slurm/end.$1.out" ] || cat "$R/slurm/end.$1.out" >&2
	_st=$(scontrol show job -o "$1" 2>/dev/null)
	case $_st in
	*' JobState=COMPLETED '*) exit 0 ;;
	*' JobState=FAILED '*' ExitCode=1:0'*) exit 1 ;;
	'') printf '%s: Slurm no longer knows the end job %s; see ork status\n' "$0" "$1" >&2
	    exit 1 ;;
	*) _x=${_st#* JobState=}
	   printf '%s: the end job %s ended %s: the run was not finished; see ork status\n' \
		   "$0" "$1" "${_x%% *}" >&2
	   exit 1 ;;
	esac
}

# cancel_run: scancel the task jobs of the last submission.  Not the end
# job: it runs `ork end` once they are gone, and records the run.
cancel_run() {
	_ids=''
	if [ -f "$R/slurm/jobs" ]; then
		while read -r _kind _a _b; do
			case $_kind in task|array) _ids="$_ids$_b " ;; esac
		done <"$R/slurm/jobs"
	fi
	_alive=$(alive_jobs "$_ids")
	if [ -z "$_alive" ]; then
		printf '%s: no job of run %s is queued or running\n' "$0" "$RUN_ID" >&2
	else
		printf 'cancelling %s\n' "$_alive"
		# shellcheck disable=SC2086 # job ids
		scancel $_alive || exit 2
	fi
	[ -z "$wait_run" ] || finish "$(sed -n 's/^end //p' "$R/slurm/jobs")"
	exit 0
}

# check_plan: stop before anything is submitted when the workflow file is
# newer than this script (a stale plan).
check_plan() {
	[ -f "$ork_self" ] && [ -e "$workflow_file" ] || return 0
	newer "$ork_self" "$workflow_file" || return 0
	# The script as it was started, the workflow from here (the root).
	case $workflow_file in
	/*) _w=$workflow_file ;;
	*) _w=$PWD/$workflow_file ;;
	esac
	printf 'ork: %s is older than %s: run orkc %s -t slurm -o %s\n' \
		"$0" "$_w" "$_w" "$0" >&2
	exit 2
}

# give_up: a submission failed half-way: cancel what was submitted, let
# `ork end` record the run, and fail.
give_up() {
	printf '%s: submitting the run failed; cancelling its jobs\n' "$0" >&2
	# shellcheck disable=SC2086 # job ids
	[ -z "$ids$end" ] || scancel $ids $end 2>/dev/null
	wait_jobs "$ids"
	"$ORK" end --tasks "$R/tasks.list"
	exit 2
}

# run: submit the run (or resume it), or with -n say what would be
# submitted.
run() {
	if [ -n "$cancel" ]; then
		cancel_run
	fi
	check_plan
	_i=1
	while [ "$_i" -le "$ntasks" ]; do
		unset "stale_$_i" "jid_$_i"
		_i=$((_i + 1))
	done
	if [ -z "$dry" ]; then
		_alive=$(alive_jobs "$(recorded_jobs)")
		if [ -n "$_alive" ]; then
			printf '%s: run %s still has jobs in Slurm (%s): wait for them, or cancel them with --cancel\n' \
				"$0" "$RUN_ID" "$_alive" >&2
			exit 1
		fi
		begin_run || exit 2
		mkdir -p "$R/slurm" || exit 2
		printf '%s\n' "$all_tasks" >"$R/tasks.list" || exit 2
		: >"$R/slurm/jobs.tmp" || exit 2
	fi
	out=$(slurm_path "$R/slurm")
	ids='' n=0 end=
	_i=1
	while [ "$_i" -le "$ntasks" ]; do
		if needs_run "$_i"; then
			t_array='' t_collect=''
			"task_$_i"
			_arr=$t_array _col=$t_collect
			_dep=''
			for _j in $t_up; do
				eval "_x=\${jid_$_j-}"
				[ -z "$_x" ] || _dep="$_dep:$_x"
			done
			if [ -n "$dry" ]; then
				# The upstream tasks it would wait for, by name.
				_names=''
				for _j in $t_up; do
					eval "_x=\${jid_$_j-}"
					[ -z "$_x" ] || { "task_$_j"; _names="$_names $t_name"; }
				done
				"task_$_i"
				if [ -n "$_arr" ]; then
					printf 'sbatch %s[%s]%s %s\n' "$t_name" "$_arr" "${_names:+ after$_names}" "$t_sbatch"
					printf 'sbatch %s after %s[] %s\n' "$t_name" "$t_name" "$_col"
				else
					printf 'sbatch %s%s %s\n' "$t_name" "${_names:+ after$_names}" "$t_sbatch"
				fi
				jid=$_i
			elif [ -n "$_arr" ]; then
				set -f
				# shellcheck disable=SC2086 # options checked by orkc: no blanks
				set -- ${_dep:+"--dependency=afterany$_dep"} \
					--job-name="$ORK_WORKFLOW.$t_name" --array="$_arr" \
					--output="$out/$t_name.%A_%a.out" $t_sbatch
				set +f
				submit "$t_name" array "$@" || give_up
				printf 'array %s %s\n' "$t_name" "$jid" >>"$R/slurm/jobs.tmp"
				printf '%s[] %s\n' "$t_name" "$jid"
				ids="$ids$jid "
				set -f
				# shellcheck disable=SC2086 # options checked by orkc: no blanks
				set -- --dependency="afterany:$jid" \
					--job-name="$ORK_WORKFLOW.$t_name" \
					--output="$out/$t_name.%j.out" $_col
				set +f
				submit "$t_name" collect "$@" || give_up
				printf 'task %s %s\n' "$t_name" "$jid" >>"$R/slurm/jobs.tmp"
				printf '%s %s\n' "$t_name" "$jid"
			else
				set -f
				# shellcheck disable=SC2086 # options checked by orkc: no blanks
				set -- ${_dep:+"--dependency=afterany$_dep"} \
					--job-name="$ORK_WORKFLOW.$t_name" \
					--output="$out/$t_name.%j.out" $t_sbatch
				set +f
				submit "$t_name" '' "$@" || give_up
				printf 'task %s %s\n' "$t_name" "$jid" >>"$R/slurm/jobs.tmp"
				printf '%s %s\n' "$t_name" "$jid"
			fi
			eval "jid_$_i=$jid"
			ids="$ids$jid "
			n=$((n + 1))
			for _j in $t_down; do eval "stale_$_j=1"; done
		fi
		_i=$((_i + 1))
	done
	if [ -n "$dry" ]; then
		printf 'sbatch end after all: ork end\n'
		exit 0
	fi
	if [ "$n" = 0 ]; then
		# Nothing to submit: every task is done.
		"$ORK" end --tasks "$R/tasks.list"
		exit $?
	fi
	# The end job is held until the jobs are recorded: `ork end` must
	# not run before `ork slurm record` has written run.json.
	t_spec=''
	submit '' '' --hold --dependency="afterany:$(printf '%s' "$ids" | tr ' ' ':' | sed 's/:$//')" \
		--job-name="$ORK_WORKFLOW.end" --output="$out/end.%j.out" \
		--time=10 || give_up
	end=$jid
	printf 'end %s\n' "$end" >>"$R/slurm/jobs.tmp"
	mv "$R/slurm/jobs.tmp" "$R/slurm/jobs" || give_up
	"$ORK" slurm record || give_up
	scontrol release "$end" || give_up
	printf 'end %s\n' "$end"
	[ -z "$wait_run" ] || finish "$end"
	exit 0
}
