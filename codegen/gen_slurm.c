/* gen_slurm: the Slurm backend.
 *
 * A POSIX sh script that submits the workflow to Slurm: `ork begin` on
 * the submitting machine, then one sbatch job per task that must run (by
 * make's resume rule), each afterany its upstream tasks' jobs, and an
 * "end" job, afterany all of them, that runs `ork end`.  Every job runs
 * `ork exec TASK` with the same ORK_SPEC as the Makefile (the same text,
 * $ and # as \u0024 and \u0023), so triggers, when, retries, timeouts,
 * typed outputs and output passing are ork's, as under make.  The
 * submitter itself is fixed text, codegen/slurm.sh; DESIGN.md ("The
 * Slurm artifact") says why afterany, how runs are recorded and what
 * changes with many nodes.
 *
 * Workflow data never becomes shell code: specs, names and paths are
 * single-quoted words, and the sbatch options come from resources values
 * that compiler/resources.c allowed only as plain words. */
#include "codegen.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jsonx.h"

/* Seconds that ork adds to each attempt at most: its own start and the
 * kill grace after a timeout (ORK_KILL_GRACE, 3 s by default). */
#define ATTEMPT_SLACK 5.0

/* The most a task's job can need, in whole minutes: every attempt's
 * timeout with its slack, and the delays between attempts as ork exec
 * computes them (taskspec.c: spec_retry_delay).  Slurm checks only every
 * half minute or so; ork enforces the exact timeout itself. */
long slurm_minutes(const struct task *t)
{
	double cap = t->retry_max_delay >= 0 ? t->retry_max_delay : 86400;
	double total = 0, d = t->retry_delay;
	for (long k = 0; k <= t->retries && total < 1e9; k++) {
		total += t->timeout + ATTEMPT_SLACK;
		if (k < t->retries) {
			total += d < cap ? d : cap;
			if (d < cap)
				d *= t->retry_backoff;
		}
	}
	if (t->resources.time > 0)
		total = t->resources.time;
	if (total > 1e9)
		total = 1e9;
	return (long)ceil(total / 60);
}

static int slurm_array(const struct task *t);

/* The task's sbatch options, blank-separated plain words.  A fan-out
 * task that is one job runs an unknown number of instances: no --time
 * of ours (the partition's default) unless resources.time says. */
static void add_sbatch_opts(struct strbuf *out, const struct task *t)
{
	const struct resources *r = &t->resources;
	struct strbuf o = STRBUF_INIT;
	if (!TASK_FANS_OUT(t) || slurm_array(t) || r->time > 0)
		strbuf_addf(&o, " --time=%ld", slurm_minutes(t));
	if (r->cpus)
		strbuf_addf(&o, " --cpus-per-task=%ld", r->cpus);
	if (r->memory)
		strbuf_addf(&o, " --mem=%s", r->memory);
	if (r->partition)
		strbuf_addf(&o, " --partition=%s", r->partition);
	if (r->account)
		strbuf_addf(&o, " --account=%s", r->account);
	if (r->gpus)
		strbuf_addf(&o, " --gpus=%s", r->gpus);
	strbuf_adds(out, o.len ? strbuf_str(&o) + 1 : "");
	strbuf_release(&o);
}

/* Slurm's default MaxArraySize is 1001: indexes up to 1000. */
#define SLURM_MAX_ARRAY 1001

/* Whether task t runs as a job array: a fan-out task whose count is
 * known now (parallel: N, no foreach), N from 1 to SLURM_MAX_ARRAY.
 * Other fan-out tasks (a count or a list computed at run time) run as
 * one job whose `ork exec` runs the instances, concurrency at once. */
static int slurm_array(const struct task *t)
{
	return t->parallel >= 1 && t->parallel <= SLURM_MAX_ARRAY &&
	       !t->parallel_expr && !t->foreach;
}

/* The fan-in job's options: no resources but where it runs. */
static void add_collect_opts(struct strbuf *out, const struct task *t)
{
	strbuf_adds(out, "--time=10");
	if (t->resources.partition)
		strbuf_addf(out, " --partition=%s", t->resources.partition);
	if (t->resources.account)
		strbuf_addf(out, " --account=%s", t->resources.account);
}

static void gen_header(struct strbuf *out, const struct plan *p)
{
	sh_header(out, p->wf,
		"#   sh THIS_FILE                  submit, or resume, the run; prints the job ids\n"
		"#   sh THIS_FILE --wait           ... and wait: exit 0 only when it succeeded\n"
		"#   sh THIS_FILE RUN_ID=name      a fresh run under another id\n"
		"#   sh THIS_FILE --cancel         cancel the run's queued and running tasks\n"
		"#   sh THIS_FILE -n               show what would be submitted\n"
		"#   ork status                    what happened\n"
		"#\n"
		"# ORK_HOME (default .ork) must be on a filesystem that every node\n"
		"# shares, and ork (and python, for python tasks) installed on every\n"
		"# node.  The specs are single-quoted data.\n");
}

static void gen_settings(struct strbuf *out, const struct plan *p)
{
	const struct workflow *wf = p->wf;
	sh_settings_defaults(out, wf->python ? wf->python : "python3");
	strbuf_adds(out,
		"wait_run=''\n"
		"cancel=''\n"
		"dry=''\n\n"
		"usage() {\n"
		"\tcat <<'EOF'\n"
		"usage: sh THIS_FILE [--wait] [--cancel] [-n] [NAME=value...]\n");
	strbuf_addf(out, "Submit, or resume, the workflow %s to Slurm.\n", wf->name);
	strbuf_adds(out,
		"  --wait      wait for the run; exit 0 only when it succeeded\n"
		"  --cancel    cancel the run's queued and running tasks (its end job\n"
		"              still records the run)\n"
		"  -n          show what would be submitted; submit nothing\n"
		"  -h          print this help\n");
	sh_usage_settings(out, wf);
	strbuf_adds(out,
		"sbatch options common to all jobs come from sbatch's own SBATCH_*\n"
		"environment variables (SBATCH_ACCOUNT, SBATCH_PARTITION, ...).\n");
	sh_bad_usage(out);
	sh_unset_params(out, wf);
	strbuf_adds(out,
		"\t--wait) wait_run=1 ;;\n"
		"\t--cancel) cancel=1 ;;\n"
		"\t-n) dry=1 ;;\n");
	sh_setting_args(out, wf);
	strbuf_adds(out,
		"\t*) bad_usage \"unknown argument '$1'\" ;;\n"
		"\tesac\n"
		"\tshift\n"
		"done\n");
	strbuf_adds(out, sh_check_run_id);
	sh_enter_root(out, wf);
	strbuf_adds(out,
		"\n# Jobs start in this directory, on other nodes: paths are absolute.\n"
		"case $ORK_HOME in /*) ;; *) ORK_HOME=$PWD/$ORK_HOME ;; esac\n"
		"case $ORK in */*) case $ORK in /*) ;; *) ORK=$PWD/$ORK ;; esac ;; esac\n\n"
		"# What every `ork` is told (the jobs get it too: sbatch --export=ALL).\n");
	sh_exports(out, wf);
	sh_run_dir(out, wf);
	strbuf_addc(out, '\n');
}

static void gen_task(struct strbuf *out, const struct plan *p, size_t k,
		     const size_t *rank)
{
	const struct task *t = &p->wf->tasks[p->order[k]];
	sh_task_head(out, p, k, rank, 0);
	strbuf_adds(out, "\tt_sbatch='");
	add_sbatch_opts(out, t);
	strbuf_adds(out, "'\n");
	if (slurm_array(t)) {
		strbuf_addf(out, "\tt_array='0-%ld", t->parallel - 1);
		if (t->concurrency > 0 && t->concurrency < t->parallel)
			strbuf_addf(out, "%%%ld", t->concurrency);
		strbuf_adds(out, "'\n\tt_collect='");
		add_collect_opts(out, t);
		strbuf_adds(out, "'\n");
	}
	sh_task_spec(out, p, k);
	strbuf_addc(out, '\n');
}

static const char submitter[] =
#include "codegen/slurm.inc"
;

void gen_slurm(struct strbuf *out, const struct plan *p)
{
	gen_header(out, p);
	gen_settings(out, p);
	sh_tasks(out, p,
		 "# The tasks, in dependency order.  task_N sets task N's name, its\n"
		 "# output (it exists only once the task has succeeded), its file, the\n"
		 "# numbers of its upstream and downstream tasks, its sbatch options and\n"
		 "# the spec that `ork exec` gets in ORK_SPEC.\n", gen_task);
	strbuf_adds(out, "# `ork end` reads the task names from RUN/tasks.list.\n");
	sh_all_tasks(out, p);
	strbuf_adds(out,
		"# begin_run: `ork begin`.  Only it gets the params given as NAME=value\n"
		"# (as ORK_PARAM_NAME) and what it checks them against.\n");
	sh_begin_run(out, p);
	strbuf_adds(out, submitter);
	strbuf_adds(out, "\n# ---- The run --------------------------------------------------------------\n\nrun\n");
}
