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

/* s as one single-quoted shell word. */
static void add_quoted(struct strbuf *out, const char *s)
{
	strbuf_addc(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			strbuf_adds(out, "'\\''");
		else
			strbuf_addc(out, *s);
	}
	strbuf_addc(out, '\'');
}

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

/* The task's sbatch options, blank-separated plain words. */
static void add_sbatch_opts(struct strbuf *out, const struct task *t)
{
	const struct resources *r = &t->resources;
	strbuf_addf(out, "--time=%ld", slurm_minutes(t));
	if (r->cpus)
		strbuf_addf(out, " --cpus-per-task=%ld", r->cpus);
	if (r->memory)
		strbuf_addf(out, " --mem=%s", r->memory);
	if (r->partition)
		strbuf_addf(out, " --partition=%s", r->partition);
	if (r->account)
		strbuf_addf(out, " --account=%s", r->account);
	if (r->gpus)
		strbuf_addf(out, " --gpus=%s", r->gpus);
}

static void gen_header(struct strbuf *out, const struct plan *p)
{
	const struct workflow *wf = p->wf;
	strbuf_adds(out, "#!/bin/sh\n");
	add_generated_by(out, "#", wf);
	strbuf_adds(out, "# Do not edit: change the workflow and run orkc again.\n#\n");
	add_workflow_line(out, "#", wf);
	strbuf_adds(out,
		"\n#\n"
		"#   sh THIS_FILE                  submit, or resume, the run; prints the job ids\n"
		"#   sh THIS_FILE --wait           ... and wait: exit 0 only when it succeeded\n"
		"#   sh THIS_FILE RUN_ID=name      a fresh run under another id\n"
		"#   sh THIS_FILE --cancel         cancel the run's queued and running tasks\n"
		"#   sh THIS_FILE -n               show what would be submitted\n"
		"#   ork status                    what happened\n"
		"#\n"
		"# ORK_HOME (default .ork) must be on a filesystem that every node\n"
		"# shares, and ork (and python, for python tasks) installed on every\n"
		"# node.  The specs are single-quoted data.\n"
		"# shellcheck disable=SC2016,SC2089,SC2090,SC2317\n\n");
}

static void gen_settings(struct strbuf *out, const struct plan *p)
{
	const struct workflow *wf = p->wf;
	strbuf_adds(out,
		"# Settings: from the environment, or NAME=value arguments.\n"
		"ORK=${ORK-ork}\n"
		"PYTHON=${PYTHON-");
	add_quoted(out, wf->python ? wf->python : "python3");
	strbuf_adds(out,
		"}\n"
		"RUN_ID=${RUN_ID-default}\n"
		"ORK_HOME=${ORK_HOME-.ork}\n"
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
		"  -h          print this help\n"
		"  NAME=value  set ORK, PYTHON, RUN_ID or ORK_HOME (also read from\n"
		"              the environment)");
	if (wf->nparams) {
		strbuf_adds(out, ", or a param:\n             ");
		for (size_t i = 0; i < wf->nparams; i++)
			strbuf_addf(out, " %s", wf->params[i].name);
		strbuf_adds(out, " (else ORK_PARAM_NAME from the environment)");
	}
	strbuf_adds(out,
		"\nsbatch options common to all jobs come from sbatch's own SBATCH_*\n"
		"environment variables (SBATCH_ACCOUNT, SBATCH_PARTITION, ...).\n"
		"EOF\n"
		"}\n"
		"bad_usage() {\n"
		"\tprintf '%s: %s\\n' \"$0\" \"$1\" >&2\n"
		"\tusage >&2\n"
		"\texit 2\n"
		"}\n\n");
	for (size_t i = 0; i < wf->nparams; i++)
		strbuf_addf(out, "unset param_%s\n", wf->params[i].name);
	strbuf_adds(out,
		"while [ $# -gt 0 ]; do\n"
		"\tcase $1 in\n"
		"\t--wait) wait_run=1 ;;\n"
		"\t--cancel) cancel=1 ;;\n"
		"\t-n) dry=1 ;;\n"
		"\t-h|--help) usage; exit 0 ;;\n"
		"\tORK=*) ORK=${1#*=} ;;\n"
		"\tPYTHON=*) PYTHON=${1#*=} ;;\n"
		"\tRUN_ID=*) RUN_ID=${1#*=} ;;\n"
		"\tORK_HOME=*) ORK_HOME=${1#*=} ;;\n");
	for (size_t i = 0; i < wf->nparams; i++)
		strbuf_addf(out, "\t%s=*) param_%s=${1#*=} ;;\n",
			    wf->params[i].name, wf->params[i].name);
	strbuf_adds(out,
		"\t*) bad_usage \"unknown argument '$1'\" ;;\n"
		"\tesac\n"
		"\tshift\n"
		"done\n"
		"case $RUN_ID in\n"
		"''|*' '*|*'\t'*|*'\n"
		"'*) printf '%s: RUN_ID must be one word\\n' \"$0\" >&2; exit 2 ;;\n"
		"esac\n"
		"# Jobs start in this directory, on other nodes: paths are absolute.\n"
		"case $ORK_HOME in /*) ;; *) ORK_HOME=$PWD/$ORK_HOME ;; esac\n"
		"case $ORK in */*) case $ORK in /*) ;; *) ORK=$PWD/$ORK ;; esac ;; esac\n\n"
		"# What every `ork` is told (the jobs get it too: sbatch --export=ALL).\n");
	strbuf_addf(out, "ORK_WORKFLOW=%s\n", wf->name);
	strbuf_adds(out,
		"ORK_RUN_ID=$RUN_ID\n"
		"ORK_PYTHON=$PYTHON\n"
		"export ORK_WORKFLOW ORK_RUN_ID ORK_HOME ORK_PYTHON\n"
		"# The workflow file, relative to the directory the script runs in.\n"
		"workflow_file=");
	if (strchr("-!(", wf->path[0]))
		strbuf_adds(out, "./");
	add_quoted(out, wf->path);
	strbuf_addc(out, '\n');
	strbuf_addf(out, "R=$ORK_HOME/%s/$RUN_ID\n\n", wf->name);
}

static void add_task_list(struct strbuf *out, const char *var,
			  const size_t *idx, size_t n, const size_t *rank)
{
	strbuf_addf(out, "\t%s='", var);
	for (size_t d = 0; d < n; d++)
		strbuf_addf(out, d ? " %zu" : "%zu", rank[idx[d]] + 1);
	strbuf_adds(out, "'\n");
}

static void gen_task(struct strbuf *out, const struct plan *p, size_t k,
		     const size_t *rank)
{
	size_t i = p->order[k];
	const struct task *t = &p->wf->tasks[i];
	strbuf_addf(out, "# --- %s: ", t->name);
	describe_command(out, t);
	strbuf_adds(out, "\n#     ");
	describe_policy(out, t);
	if (t->ndeps) {
		strbuf_adds(out, "; after");
		for (size_t d = 0; d < t->ndeps; d++)
			strbuf_addf(out, " %s", p->wf->tasks[t->deps[d].task].name);
	}
	strbuf_addf(out, "\ntask_%zu() {\n\tt_name=", k + 1);
	add_quoted(out, t->name);
	strbuf_addf(out, "\n\tt_out=$R/%s.%s.json\n\tt_file=", t->name, p->keys[i]);
	if (t->file) {
		if (strchr("-!(", t->file[0]))
			strbuf_adds(out, "./");
		add_quoted(out, t->file);
	}
	strbuf_addc(out, '\n');
	size_t *up = xmalloc((t->ndeps ? t->ndeps : 1) * sizeof *up);
	for (size_t d = 0; d < t->ndeps; d++)
		up[d] = t->deps[d].task;
	add_task_list(out, "t_up", up, t->ndeps, rank);
	free(up);
	add_task_list(out, "t_down", p->downstream[i], p->ndownstream[i], rank);
	strbuf_adds(out, "\tt_sbatch='");
	add_sbatch_opts(out, t);
	strbuf_adds(out, "'\n\tt_spec=");
	char *spec = task_spec_json(p, i, JSONX_MAKESAFE);
	add_quoted(out, spec);
	free(spec);
	strbuf_adds(out, "\n}\n\n");
}

static void gen_begin(struct strbuf *out, const struct plan *p)
{
	const struct workflow *wf = p->wf;
	strbuf_adds(out,
		"# begin_run: `ork begin`.  Only it gets the params given as NAME=value\n"
		"# (as ORK_PARAM_NAME) and what it checks them against.\n"
		"begin_run() {\n"
		"\t(\n");
	for (size_t i = 0; i < wf->nparams; i++) {
		const char *n = wf->params[i].name;
		strbuf_addf(out, "\t\tif [ -n \"${param_%s+set}\" ]; then\n"
			    "\t\t\tORK_PARAM_%s=$param_%s\n"
			    "\t\t\texport ORK_PARAM_%s\n\t\tfi\n", n, n, n, n);
	}
	char *run_spec = run_spec_json(p, JSONX_MAKESAFE);
	if (run_spec) {
		strbuf_adds(out, "\t\tORK_RUN_SPEC=");
		add_quoted(out, run_spec);
		strbuf_adds(out, "\n\t\texport ORK_RUN_SPEC\n");
		free(run_spec);
	}
	strbuf_addf(out, "\t\texec \"$ORK\" begin%s\n\t)\n}\n\n",
		    workflow_has_python(wf) ? " --python" : "");
}

static const char submitter[] =
#include "codegen/slurm.inc"
;

void gen_slurm(struct strbuf *out, const struct plan *p)
{
	const struct workflow *wf = p->wf;
	size_t n = wf->ntasks;
	gen_header(out, p);
	gen_settings(out, p);
	size_t *rank = xmalloc((n ? n : 1) * sizeof *rank);
	for (size_t k = 0; k < n; k++)
		rank[p->order[k]] = k;
	strbuf_adds(out,
		"# The tasks, in dependency order.  task_N sets task N's name, its\n"
		"# output (it exists only once the task has succeeded), its file, the\n"
		"# numbers of its upstream and downstream tasks, its sbatch options and\n"
		"# the spec that `ork exec` gets in ORK_SPEC.\n");
	strbuf_addf(out, "ntasks=%zu\n\n", n);
	for (size_t k = 0; k < n; k++)
		gen_task(out, p, k, rank);
	free(rank);
	strbuf_adds(out, "# `ork end` reads the task names from RUN/tasks.list.\nall_tasks='");
	for (size_t k = 0; k < n; k++)
		strbuf_addf(out, k ? " %s" : "%s", wf->tasks[p->order[k]].name);
	strbuf_adds(out, "'\n\n");
	gen_begin(out, p);
	strbuf_adds(out, submitter);
	strbuf_adds(out, "\n# ---- The run --------------------------------------------------------------\n\nrun\n");
}
