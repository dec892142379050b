/* slurm: what ork knows about a run submitted to Slurm by the artifact
 * of `orkc -t slurm` (codegen/gen_slurm.c, DESIGN.md "The Slurm
 * artifact").
 *
 * The artifact runs `ork begin`, submits one sbatch job per task that
 * must run and a held "end" job (afterany on all of them) that runs `ork
 * end`, writes the job ids to RUN/slurm/jobs, and calls `ork slurm
 * record`.  That writes one "queued" journal event per task job and
 * marks run.json as driven by Slurm ("slurm": {"end_job": ID}, no
 * "pid"), so that the run counts as running while its end job is known
 * to Slurm, and the tasks as queued or running while their jobs are.
 *
 * Job states come from one `squeue` call per process, made on the first
 * question; without squeue (not installed, controller down) the answer
 * is "unknown" and callers keep what the journal says.
 *
 * Calls: rundir, journal, util. */
#ifndef ORK_SLURM_H
#define ORK_SLURM_H

/* `ork slurm record`: see above.  Returns an exit status. */
int cmd_slurm(int argc, char **argv);

/* The job's state as squeue says ("PENDING", "RUNNING", ...), "" when
 * squeue does not list it (ended long enough ago, or never existed), or
 * NULL when squeue could not be asked.  The text is owned by the cache. */
const char *slurm_job_state(const char *job);

/* `ork cancel` of a run driven by Slurm: scancel every job that
 * RUN/slurm/jobs names (arrays, tasks, the end job) and wait, up to secs,
 * until squeue lists none.  Returns 1 when jobs were cancelled and are
 * gone, 0 when none was queued or running, -1 when the jobs cannot be
 * read, asked about or cancelled, or are still there (said on stderr). */
struct rundir;
int slurm_cancel(const struct rundir *rd, double secs);

#endif
