# shellcheck shell=sh
# A private single-node Slurm (munged, slurmctld, slurmd) for the tests and
# bench/slurm.sh, started without systemd.  Source this file, then:
#
#   slurm_start DIR     start one in DIR (must be root); sets SLURM_CONF;
#                       returns 1 after showing the logs when the node is
#                       not idle within 60 s
#   slurm_stop          cancel every job, stop the daemons it started (by
#                       their recorded pids only) and any job process left
#
# Ports: ORK_SLURM_PORT (slurmctld; default the first free one from 16817)
# and the next one (slurmd), away from a system Slurm's 6817/6818.  The settings that
# matter are commented below.  Debian's slurm-wlm 22.05 and munge.

slurm_dir=''

# slurm_alive PID: running, and not a zombie.
slurm_alive() {
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null &&
		[ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" != Z ]
}

slurm_pid() {  # FILE: the pid in FILE, if any
	if [ -s "$1" ]; then cat "$1"; fi
}

slurm_port_used() {  # PORT: some socket on this machine has it
	_hex=$(printf ':%04X ' "$1")
	cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | grep -q "$_hex"
}

slurm_start() {  # DIR
	slurm_dir=$1
	_port=${ORK_SLURM_PORT:-}
	if [ -z "$_port" ]; then
		# The first pair of ports from 16817 that nothing uses.
		_port=16817
		while [ "$_port" -lt 16917 ] && { slurm_port_used "$_port" ||
			slurm_port_used $((_port + 1)); }; do
			_port=$((_port + 2))
		done
	fi
	mkdir -p "$slurm_dir/state" "$slurm_dir/spool" "$slurm_dir/log" "$slurm_dir/munge"
	chmod 0755 "$slurm_dir"
	SLURM_CONF=$slurm_dir/slurm.conf
	export SLURM_CONF
	# munge with its own key and socket; as root when there is no munge
	# user (then it needs --force).
	_mu=munge
	getent passwd munge >/dev/null || _mu=root
	chown "$_mu" "$slurm_dir/munge"
	dd if=/dev/urandom of="$slurm_dir/munge/munge.key" bs=1024 count=1 2>/dev/null
	chown "$_mu" "$slurm_dir/munge/munge.key"
	chmod 0600 "$slurm_dir/munge/munge.key"
	_force=''
	[ "$_mu" = root ] && _force=--force
	# shellcheck disable=SC2086
	runuser -u "$_mu" -- munged -S "$slurm_dir/munge/socket" \
		--key-file="$slurm_dir/munge/munge.key" \
		--pid-file="$slurm_dir/munge/munged.pid" \
		--log-file="$slurm_dir/munge/munged.log" \
		--seed-file="$slurm_dir/munge/munged.seed" $_force || return 1
	# No DependencyParameters=kill_invalid_depend: orkc's jobs depend
	# with afterany only, so no job can wait for ever on a failed one.
	# batch_sched_delay=0: a dependent job starts within about a second.
	# jobcomp/filetxt: final states without slurmdbd.  MinJobAge: finished
	# jobs stay visible to scontrol (the artifact's --wait reads the end
	# job's exit code there).  No cgroups: proctrack/linuxproc, task/none.
	cat >"$SLURM_CONF" <<EOF
ClusterName=orkctest
SlurmctldHost=localhost
SlurmctldPort=$_port
SlurmdPort=$((_port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$slurm_dir/munge/socket
MpiDefault=none
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$slurm_dir/log/jobcomp.log
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=100
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SlurmdParameters=config_overrides
ReturnToService=2
MinJobAge=3600
KillWait=5
StateSaveLocation=$slurm_dir/state
SlurmdSpoolDir=$slurm_dir/spool
SlurmctldPidFile=$slurm_dir/slurmctld.pid
SlurmdPidFile=$slurm_dir/slurmd.pid
SlurmctldLogFile=$slurm_dir/log/slurmctld.log
SlurmdLogFile=$slurm_dir/log/slurmd.log
NodeName=localhost NodeAddr=127.0.0.1 CPUs=8 RealMemory=4000 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
PartitionName=other Nodes=localhost Default=NO MaxTime=INFINITE State=UP
EOF
	slurmctld -f "$SLURM_CONF" -i || return 1
	slurmd -f "$SLURM_CONF" -N localhost || return 1
	_t=0
	while [ "$(sinfo -h -N -n localhost -p debug -o %t 2>/dev/null)" != idle ]; do
		_t=$((_t + 1))
		if [ "$_t" -gt 240 ]; then
			echo "# the Slurm node is not idle after 60 s:" >&2
			tail -n 15 "$slurm_dir/log/slurmctld.log" "$slurm_dir/log/slurmd.log" \
				"$slurm_dir/munge/munged.log" 2>/dev/null | sed 's/^/#   /' >&2
			return 1
		fi
		sleep 0.25
	done
}

slurm_stop() {
	[ -n "$slurm_dir" ] || return 0
	_ctld=$(slurm_pid "$slurm_dir/slurmctld.pid")
	_slurmd=$(slurm_pid "$slurm_dir/slurmd.pid")
	_munged=$(slurm_pid "$slurm_dir/munge/munged.pid")
	_steps=''
	if slurm_alive "$_ctld"; then
		_steps=$(scontrol listpids 2>/dev/null | awk 'NR > 1 && $1 ~ /^[0-9]+$/ {print $1}')
		_jobs=$(squeue -h -o %i 2>/dev/null)
		if [ -n "$_jobs" ]; then
			# shellcheck disable=SC2086
			scancel $_jobs 2>/dev/null
			_t=0
			while [ -n "$(squeue -h 2>/dev/null)" ] && [ "$_t" -lt 75 ]; do
				sleep 0.2
				_t=$((_t + 1))
			done
		fi
		scontrol shutdown >/dev/null 2>&1
	fi
	_t=0
	while { slurm_alive "$_ctld" || slurm_alive "$_slurmd"; } && [ "$_t" -lt 50 ]; do
		sleep 0.2
		_t=$((_t + 1))
	done
	for _p in $_ctld $_slurmd; do
		slurm_alive "$_p" && kill -KILL "$_p" 2>/dev/null
	done
	for _p in $_steps; do
		slurm_alive "$_p" && kill -KILL "$_p" 2>/dev/null
	done
	if slurm_alive "$_munged"; then
		kill -TERM "$_munged"
		_t=0
		while slurm_alive "$_munged" && [ "$_t" -lt 25 ]; do
			sleep 0.2
			_t=$((_t + 1))
		done
		slurm_alive "$_munged" && kill -KILL "$_munged" 2>/dev/null
	fi
	slurm_dir=''
	return 0
}
