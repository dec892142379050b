/* gen_sh: the POSIX shell backend.
 *
 * The script has the Makefile's semantics (see gen_make.c and DESIGN.md):
 * the same `ork begin` / `ork exec TASK` / `ork end --tasks` calls, the
 * same ORK_SPEC per task, the same resume rule.  What make does for free,
 * the script does itself, in a fixed engine that is the same text in every
 * generated script (codegen/engine.sh, a shell file): it decides which
 * task is out of date (make's rule), and runs up to -j N tasks at once,
 * each as soon as its upstream tasks are done.
 *
 * Workflow data never becomes shell code: each task's spec is one
 * single-quoted word, in which nothing but ' is special, and ' is written
 * '\''.  The spec is the Makefile's very text ($ and # as \u0024 and
 * \u0023), so that ork gets the same bytes, and tasks the same input
 * bytes, from both backends.  Task names and file paths are single-quoted
 * too.  The engine reaches a task by its number (shell names cannot hold
 * '-'), which is why every block also names its task in a comment. */
#include "codegen.h"

#include <stdlib.h>
#include <string.h>

#include "jsonx.h"

static void gen_header(struct strbuf *out, const struct plan *p)
{
	sh_header(out, p->wf,
		"#   sh THIS_FILE -j 8                 run, or resume, the workflow\n"
		"#   sh THIS_FILE -j 8 RUN_ID=name     a fresh run under another id\n"
		"#   sh THIS_FILE -n                   show what would run\n"
		"#   ork status                        what happened\n"
		"#\n"
		"# A POSIX sh script (dash, bash, busybox sh, mksh, yash, posh).\n"
		"# The specs are single-quoted data (` and \\ in them stay as they are);\n"
		"# the task functions are called by number.\n");
}

/* usage: the script's -h. */
static void gen_usage(struct strbuf *out, const struct workflow *wf)
{
	strbuf_adds(out,
		"usage() {\n"
		"\tcat <<'EOF'\n"
		"usage: sh THIS_FILE [-j N] [-n] [NAME=value...] [TASK...]\n"
		"       sh THIS_FILE -l\n");
	strbuf_addf(out, "Run, or resume, the workflow %s.\n", wf->name);
	strbuf_adds(out,
		"  -j N        run up to N tasks at once (default: the number of CPUs)\n"
		"  -n          show what would run; run nothing\n"
		"  -l          list the tasks, one a line, with their descriptions\n"
		"  TASK        run only TASK and its upstream tasks (default: all)\n"
		"  -h          print this help\n");
	sh_usage_settings(out, wf);
	sh_bad_usage(out);
}

/* The command line: options, then NAME=value as make takes them. */
static void gen_options(struct strbuf *out, const struct workflow *wf)
{
	sh_unset_params(out, wf);
	strbuf_adds(out,
		"\t-j) [ $# -gt 1 ] || bad_usage \"option -j needs a number\"\n"
		"\t    jobs=$2; shift ;;\n"
		"\t-j*) jobs=${1#-j} ;;\n"
		"\t-n) dry=1 ;;\n"
		"\t-l) list=1 ;;\n");
	sh_setting_args(out, wf);
	strbuf_adds(out,
		"\t*[!A-Za-z0-9_-]*|[!A-Za-z_]*) bad_usage \"unknown argument '$1'\" ;;\n"
		"\t*) goals=\"$goals$1 \" ;;\n"
		"\tesac\n"
		"\tshift\n"
		"done\n"
		"if [ -z \"$jobs\" ]; then\n"
		"\tjobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc 2>/dev/null)\n"
		"\tcase $jobs in ''|*[!0-9]*|0) jobs=1 ;; esac\n"
		"fi\n"
		"case $jobs in\n"
		"''|*[!0-9]*|0*) bad_usage \"-j wants a positive number, not '$jobs'\" ;;\n"
		"esac\n");
	strbuf_adds(out, sh_check_run_id);
	strbuf_addc(out, '\n');
}

/* Defaults (the Makefile's ?= variables), the command line, and what
 * every `ork` is told. */
static void gen_settings(struct strbuf *out, const struct plan *p)
{
	const struct workflow *wf = p->wf;
	char *pyproject = workflow_pyproject(wf);
	/* Empty: ork begin looks beside pyproject.toml (runtime/pyenv.h). */
	sh_settings_defaults(out, pyproject ? NULL :
			     wf->python ? wf->python : "python3");
	strbuf_adds(out,
		"jobs=''\n"
		"dry=''\n"
		"list=''\n"
		"goals=''\n\n");
	gen_usage(out, wf);
	gen_options(out, wf);
	sh_enter_root(out, wf);
	strbuf_addc(out, '\n');
	strbuf_adds(out, "# What every `ork` below is told.\n");
	sh_exports(out, wf);
	if (pyproject) {
		strbuf_adds(out, "# PYTHON empty: ork begin takes the .venv beside "
			    "this pyproject.toml,\n# else uv run, else python3.\n"
			    "ORK_PYPROJECT=");
		add_sh_quoted(out, pyproject);
		strbuf_adds(out, "\nexport ORK_PYPROJECT\n");
		free(pyproject);
	}
	/* R only names files for find and test, so a leading ./ keeps a
	 * path from ever reading as one of find's operators. */
	sh_run_dir(out, wf);
	strbuf_adds(out, "case $R in /*) ;; *) R=./$R ;; esac\n\n");
}

/* files_N, for a task with sources: or generates: (t_files=1): whether
 * one of them makes it run, by the engine's gen_missing, src_newer and
 * glob_newer. */
static void gen_files(struct strbuf *out, const struct task *t, size_t k)
{
	if (!t->nsources && !t->ngenerates)
		return;
	strbuf_addf(out, "files_%zu() {\n\t", k + 1);
	const char *sep = "";
	for (size_t g = 0; g < t->ngenerates; g++, sep = " ||\n\t\t") {
		strbuf_addf(out, "%sgen_missing ", sep);
		add_sh_path_word(out, t->generates[g]);
	}
	for (size_t s = 0; s < t->nsources; s++, sep = " ||\n\t\t") {
		strbuf_addf(out, "%s%s ", sep, strpbrk(t->sources[s], "*?[") ?
			    "glob_newer" : "src_newer");
		add_sh_path_word(out, t->sources[s]);
	}
	strbuf_adds(out, "\n}\n");
}

static void gen_task(struct strbuf *out, const struct plan *p, size_t k,
		     const size_t *rank)
{
	const struct task *t = &p->wf->tasks[p->order[k]];
	sh_task_head(out, p, k, rank, 1);
	if (TASK_FANS_OUT(t))   /* it runs alone (the engine's fan_out) */
		strbuf_adds(out, "\tt_fan=1\n");
	if (t->nsources || t->ngenerates)
		strbuf_adds(out, "\tt_files=1\n");
	sh_task_spec(out, p, k);
	gen_files(out, t, k);
	strbuf_addc(out, '\n');
}

/* task_num NAME, for the TASK arguments; list_tasks, for -l: the lines
 * of make help. */
static void gen_names(struct strbuf *out, const struct plan *p)
{
	const struct workflow *wf = p->wf;
	strbuf_adds(out, "# task_num NAME: sets _n to task NAME's number; fails "
		    "when there is none.\ntask_num() {\n\tcase $1 in\n");
	for (size_t k = 0; k < wf->ntasks; k++)
		strbuf_addf(out, "\t%s) _n=%zu ;;\n", wf->tasks[p->order[k]].name,
			    k + 1);
	strbuf_adds(out, "\t*) return 1 ;;\n\tesac\n}\n\n");
	size_t width = 0;
	for (size_t i = 0; i < wf->ntasks; i++)
		if (wf->tasks[i].description && strlen(wf->tasks[i].name) > width)
			width = strlen(wf->tasks[i].name);
	strbuf_adds(out, "# list_tasks: -l, the tasks with their descriptions.\n"
		    "list_tasks() {\n\tprintf '%s\\n'");
	for (size_t k = 0; k < wf->ntasks; k++) {
		const struct task *t = &wf->tasks[p->order[k]];
		struct strbuf line = STRBUF_INIT;
		if (t->description) {
			strbuf_addf(&line, "%-*s  ", (int)width, t->name);
			add_comment_text(&line, t->description, 200);
		} else {
			strbuf_adds(&line, t->name);
		}
		strbuf_adds(out, " \\\n\t\t");
		add_sh_quoted(out, strbuf_str(&line));
		strbuf_release(&line);
	}
	strbuf_adds(out, "\n}\n\n");
}

/* The engine: the same text in every script.  Its source is
 * codegen/engine.sh, made into a string literal by the build. */
static const char engine[] =
#include "codegen/engine.inc"
;

/* begin_run: `ork begin`, which alone gets the params given as NAME=value
 * (as ORK_PARAM_NAME) and the run spec they are checked against, as in the
 * Makefile, where they are private to ork-begin.  In a subshell that execs
 * ork, so that ork's parent, the run's driver, is still the script. */
static void gen_begin(struct strbuf *out, const struct plan *p)
{
	const struct workflow *wf = p->wf;
	const char *args = workflow_has_python(wf) ? "begin --python" : "begin";
	strbuf_addf(out, "# What the run starts with (dry_run prints it).\n"
		    "begin_args='%s'\n\n", args);
	strbuf_adds(out,
		"# begin_run: `ork begin`, the start of an invocation.  Only it gets\n"
		"# the params given as NAME=value (as ORK_PARAM_NAME) and what it\n"
		"# checks them against, as in the Makefile.\n");
	sh_begin_run(out, p);
}

void gen_sh(struct strbuf *out, const struct plan *p)
{
	gen_header(out, p);
	gen_settings(out, p);
	sh_tasks(out, p,
		 "# The tasks, in dependency order.  task_N sets task N's name, its\n"
		 "# output (it exists only once the task has succeeded), its file, the\n"
		 "# numbers of its upstream and downstream tasks, and the spec that\n"
		 "# `ork exec` gets in ORK_SPEC.\n", gen_task);
	gen_names(out, p);
	strbuf_adds(out, "# `ork end` gets every task, in this order, on its "
		    "standard input.\n");
	sh_all_tasks(out, p);
	gen_begin(out, p);
	strbuf_adds(out, engine);
	strbuf_adds(out,
		"\n# ---- The run --------------------------------------------------------------\n"
		"\n"
		"run\n");
}
