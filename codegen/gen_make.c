/* gen_make: the GNU Makefile backend.
 *
 * One target per task: its output file in the run directory, which ork
 * creates (by rename) only when the task succeeded.  So make's own rules
 * give resume for free: a succeeded task is up to date, a failed or skipped
 * one has no target and runs again, and a newer task file or upstream
 * output makes it run again.  A changed definition changes the task key,
 * which is part of the file name.
 *
 * Recipes hold no workflow data and no shell metacharacters, so make execs
 * them without a shell; each task's definition travels in a target-specific
 * exported variable (ORK_SPEC) as make-safe JSON (see DESIGN.md). */
#include "codegen.h"

#include <stdlib.h>
#include <string.h>

#include "jsonx.h"

/* A file path as one make prerequisite.  `$` is written `$$`; space,
 * tab, `#`, `:`, `|` and the wildcard characters `*?[` are escaped with a
 * backslash.  `;`, `=`, `(`, `)`, `\` and line breaks cannot be escaped
 * (make 4.3 takes `;` for a recipe, `=` for a variable, `(...)` for an
 * archive member and keeps a backslash before them): each becomes the
 * wildcard `?`, which make expands to the file's name (and to any other
 * that differs there only, which costs at most a needless re-run).  A
 * leading `~` would be a home directory: `./` goes first. */
static void add_make_path(struct strbuf *out, const char *s)
{
	if (*s == '~')
		strbuf_adds(out, "./");
	for (; *s; s++) {
		if (*s == '$')
			strbuf_adds(out, "$$");
		else if (strchr(" \t#:|*?[", *s)) {
			strbuf_addc(out, '\\');
			strbuf_addc(out, *s);
		} else if (strchr(";=()\\\n\r", *s))
			strbuf_addc(out, '?');
		else
			strbuf_addc(out, *s);
	}
}

/* A path as a glob that matches it, for $(wildcard): every character
 * make or the shell might take specially is the wildcard `?`. */
static void add_make_glob(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || strchr("._/+-", c);
		strbuf_addc(out, plain && c ? (char)c : '?');
	}
}

/* A glob of sources: for $(call ork_glob,...), so `*`, `?` and the
 * brackets stay; every other character make, a function call or glob(3)
 * might take specially becomes `?` (a leading `~` gets `./`). */
static void add_make_wildcard(struct strbuf *out, const char *s)
{
	if (*s == '~')
		strbuf_adds(out, "./");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || strchr("._/+-*?[]!^@", c);
		strbuf_addc(out, plain ? (char)c : '?');
	}
}

static int has_glob_source(const struct workflow *wf)
{
	for (size_t i = 0; i < wf->ntasks; i++)
		for (size_t k = 0; k < wf->tasks[i].nsources; k++)
			if (strpbrk(wf->tasks[i].sources[k], "*?["))
				return 1;
	return 0;
}

/* A value for a make variable assignment: '$' and '#' escaped, no line
 * breaks. */
static void add_make_value(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '$')
			strbuf_adds(out, "$$");
		else if (*s == '#')
			strbuf_adds(out, "\\#");
		else if (*s == '\n' || *s == '\r')
			strbuf_addc(out, ' ');
		else
			strbuf_addc(out, *s);
	}
}

static void gen_header(struct strbuf *out, const struct plan *p)
{
	const struct workflow *wf = p->wf;
	add_do_not_edit(out, wf);
	strbuf_adds(out,
		"\n#\n"
		"#   make -j8 -f THIS_FILE                 run, or resume, the workflow\n"
		"#   make -j8 -f THIS_FILE RUN_ID=name     a fresh run under another id\n");
	if (wf->nparams)
		strbuf_adds(out,
		"#   make -j8 -f THIS_FILE NAME=value      set a param (see Params below)\n");
	strbuf_adds(out,
		"#   make -n -f THIS_FILE                  show what would run\n"
		"#   ork status                            what happened\n\n");
}

/* The root, where the tasks run (taskroot.h): workflow_root from this
 * file's directory.  Make cannot change its own directory, so a make
 * started anywhere else runs this file again there, as make -C would, with
 * ORK_MAKE_ROOT saying it is there.  This file's path comes from
 * MAKEFILE_LIST, which make splits at blanks: with one word (no blank in
 * the path, no other makefile read before), make itself sees whether it
 * is in the root and runs no second make; otherwise the shell takes the
 * path whole.  Every path reaches the shell in the environment or as a
 * single-quoted word, never as code.  The rest of the file is read only
 * in the root (gen_make closes the conditional). */
static void gen_root(struct strbuf *out, const struct plan *p)
{
	const char *rel = workflow_root(p->wf);
	int plain = 1;
	for (const char *c = rel; *c; c++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789._/+-", *c))
			plain = 0;
	strbuf_adds(out,
		"# The root: the tasks run in the directory their files are relative to,\n"
		"# found from this file's own place; every relative path below, ORK_HOME's\n"
		"# too, starts there.  Started anywhere else, make runs this file again\n"
		"# in the root, as make -C would.\n"
		"ork_mfl := $(MAKEFILE_LIST)\n"
		"ifeq ($(value ORK_MAKE_ROOT),$(CURDIR))\n"
		"ork_here := 1\n");
	if (plain)
		strbuf_addf(out, "else ifeq ($(words $(ork_mfl)) $(words $(CURDIR)) "
			    "x$(realpath $(CURDIR)),1 1 x$(realpath $(dir "
			    "$(ork_mfl))%s))\nork_here := 1\n", rel);
	strbuf_adds(out,
		"endif\n"
		"unexport ORK_MAKE_ROOT ORK_MAKE_SELF ORK_MAKE_GOALS ORK_MAKE_CD\n"
		"ifneq ($(ork_here),1)\n"
		"export ORK_MAKE_SELF := $(ork_mfl)\n"
		"export ORK_MAKE_GOALS := $(MAKECMDGOALS)\n"
		"export ORK_MAKE_CD := set -f; self=$${ORK_MAKE_SELF\\# }; "
		"[ -f \"$$self\" ] || self=$${ORK_MAKE_SELF\\#\\#* }; "
		"if [ ! -f \"$$self\" ]; then printf 'ork: cannot tell this "
		"Makefile among %s: run make in %s from it\\n' \"$$ORK_MAKE_SELF\" "
		"\"$$1\" >&2; exit 2; fi; "
		"case $$self in /*) ;; *) self=$$PWD/$$self ;; esac; "
		"cd -P \"$${self%/*}/$$1\" || exit 2; "
		"ORK_MAKE_ROOT=$$(pwd -P) && export ORK_MAKE_ROOT && shift && "
		"exec \"$$@\" -f \"$$self\" $$ORK_MAKE_GOALS\n"
		".PHONY: $(or $(MAKECMDGOALS),all) ork-root\n"
		"$(or $(MAKECMDGOALS),all): ork-root ;\n"
		"ork-root:\n"
		"\t+@$(SHELL) -c \"$$ORK_MAKE_CD\" ork-root ");
	struct strbuf q = STRBUF_INIT;
	add_sh_quoted(&q, rel);
	for (const char *c = strbuf_str(&q); *c; c++)
		if (*c == '$')
			strbuf_adds(out, "$$");
		else
			strbuf_addc(out, *c);
	strbuf_release(&q);
	strbuf_adds(out, " $(MAKE)\nelse\n\n");
}

static void gen_settings(struct strbuf *out, const struct plan *p)
{
	const struct workflow *wf = p->wf;
	char *pyproject = workflow_pyproject(wf);
	strbuf_adds(out,
		"# Settings: override on the command line or in the environment.\n"
		"ORK      ?= ork\n"
		"PYTHON   ?= ");
	/* Empty: ork begin looks beside pyproject.toml (runtime/pyenv.h). */
	if (!pyproject)
		add_make_value(out, wf->python ? wf->python : "python3");
	strbuf_adds(out,
		"\n"
		"RUN_ID   ?= default\n"
		"ORK_HOME ?= .ork\n\n"
		"# The run id names a directory: taken as text, never expanded (so\n"
		"# RUN_ID='$(shell ...)' runs nothing), it reaches ork as ORK_RUN_ID.\n"
		"run_id := $(value RUN_ID)\n"
		"unexport RUN_ID\n"
		"ifneq ($(words $(run_id)),1)\n"
		"$(error RUN_ID must be one word)\n"
		"endif\n\n"
		"# What every `ork` below is told.\n");
	strbuf_addf(out, "export ORK_WORKFLOW := %s\n", wf->name);
	strbuf_adds(out,
		"export ORK_RUN_ID   := $(run_id)\n"
		"export ORK_HOME\n"
		"export ORK_PYTHON   := $(PYTHON)\n");
	if (pyproject) {
		strbuf_adds(out, "# PYTHON empty: ork begin takes the .venv beside "
			    "this pyproject.toml,\n# else uv run, else python3.\n"
			    "export ORK_PYPROJECT := ");
		add_make_value(out, pyproject);
		strbuf_addc(out, '\n');
		free(pyproject);
	}
	strbuf_addf(out, "R := $(ORK_HOME)/%s/$(run_id)\n\n", wf->name);
	strbuf_adds(out,
		"# No built-in rules: every target here is spelled out.\n"
		"MAKEFLAGS += --no-builtin-rules\n"
		".SUFFIXES:\n"
		".PHONY: all help ork-begin\n"
		".DEFAULT_GOAL := all\n\n"
		"# make -n runs `ork why` for each task it would run: one task at a\n"
		"# time, so that what it prints follows its task, in order.\n"
		"# Without a run yet, make says so itself (no ork why per task).\n"
		"ifneq ($(findstring n,$(firstword -$(MAKEFLAGS))),)\n"
		".NOTPARALLEL:\n"
		"ork_fresh := $(if $(wildcard $(R)/run.json),,1)\n"
		"endif\n\n"
		"# $(call ork_why,TASK), a task's first recipe line: empty unless\n"
		"# make -n.  Then it marks TASK as one that would run (every recipe\n"
		"# is expanded in order, upstream first) and runs `ork why` on TASK\n"
		"# and those of its upstream tasks that would run too; `ork why`\n"
		"# reads, never writes.\n"
		"ork_why = $(if $(findstring n,$(firstword -$(MAKEFLAGS))),"
		"$(eval ork_ran.$1 := 1)$(if $(ork_fresh),$(info # $1: output "
		"missing: no run '$(run_id)' yet),$(ORK) why $(strip $1 "
		"$(foreach u,$($1.up),$(if $(ork_ran.$u),$u)))))\n\n");
}

/* Params are make variables on the command line.  Make would expand
 * such a variable (a `$(shell ...)` in it would run) when it exports it
 * to a recipe, so each is unexported, and ork begin gets the value
 * unexpanded, through $(value NAME), as ORK_PARAM_NAME; without one on
 * the command line, ORK_PARAM_NAME comes from the environment as it is.
 * Names that would clash with this file's variables are refused by the
 * compiler (params.c). */
static void gen_params(struct strbuf *out, const struct plan *p)
{
	const struct workflow *wf = p->wf;
	char *spec = run_spec_json(p, JSONX_MAKESAFE);
	if (!spec)
		return;
	if (wf->nparams) {
		strbuf_adds(out, "# Params: NAME=VALUE on the command line, or "
			    "ORK_PARAM_NAME=VALUE in the\n# environment (the "
			    "command line wins); `ork begin` checks them once "
			    "per run.\n");
		strbuf_adds(out, "unexport");
		for (size_t i = 0; i < wf->nparams; i++)
			strbuf_addf(out, " %s", wf->params[i].name);
		strbuf_addc(out, '\n');
		for (size_t i = 0; i < wf->nparams; i++) {
			const char *n = wf->params[i].name;
			strbuf_addf(out, "ifeq ($(origin %s),command line)\n"
				    "ork-begin: private export ORK_PARAM_%s = "
				    "$(value %s)\nendif\n", n, n, n);
		}
	}
	strbuf_addf(out, "ork-begin: private export ORK_RUN_SPEC := %s\n\n", spec);
	free(spec);
}

/* Output variables come first: make expands prerequisites as it reads a
 * rule, so every $(TASK.out) must be defined before any rule names it. */
static void gen_outputs(struct strbuf *out, const struct plan *p)
{
	const struct workflow *wf = p->wf;
	strbuf_adds(out, "# Each task's output: it exists only once the task has succeeded.\n");
	for (size_t k = 0; k < wf->ntasks; k++) {
		size_t i = p->order[k];
		const char *name = wf->tasks[i].name;
		strbuf_addf(out, "%s.out := $(R)/%s.%s.json\n", name, name, p->keys[i]);
	}
	strbuf_addc(out, '\n');
}

/* help: the tasks, one a line, with their descriptions, printed by make
 * itself ($(info)), so no shell sees them.  A description reaches make
 * as the value of a variable, which $(info) prints as it is. */
static void gen_help(struct strbuf *out, const struct plan *p)
{
	const struct workflow *wf = p->wf;
	size_t width = 0;
	for (size_t i = 0; i < wf->ntasks; i++)
		if (wf->tasks[i].description && strlen(wf->tasks[i].name) > width)
			width = strlen(wf->tasks[i].name);
	strbuf_adds(out, "# make -f THIS_FILE help: the tasks, one a line, with "
		    "their descriptions.\n");
	for (size_t k = 0; k < wf->ntasks; k++) {
		const struct task *t = &wf->tasks[p->order[k]];
		if (!t->description)
			continue;
		struct strbuf text = STRBUF_INIT;
		add_comment_text(&text, t->description, 200);
		strbuf_addf(out, "%s.description := ", t->name);
		add_make_value(out, strbuf_str(&text));
		strbuf_addc(out, '\n');
		strbuf_release(&text);
	}
	strbuf_adds(out, "help:\n");
	for (size_t k = 0; k < wf->ntasks; k++) {
		const struct task *t = &wf->tasks[p->order[k]];
		if (t->description)
			strbuf_addf(out, "\t@$(info %-*s  $(%s.description))\n",
				    (int)width, t->name, t->name);
		else
			strbuf_addf(out, "\t@$(info %s)\n", t->name);
	}
	/* A command, so that make does not add "Nothing to be done". */
	strbuf_adds(out, "\t@:\n\n");
}

/* A stale plan: make remakes the makefiles it reads before anything
 * else, so a rule for this file, with the workflow file as prerequisite,
 * runs first, and its recipe stops make (status 2) when the workflow is
 * newer.  Regenerating instead would need orkc where the artifact runs,
 * and would run a plan nobody reviewed.  This file's name is the one
 * make read it by (the last of MAKEFILE_LIST as make reads this line),
 * used only when it is made of letters, digits and ._/+- (so it is safe
 * in a rule) and names a file.  Nothing either when the workflow file is
 * not where the artifact runs (a moved artifact). */
static void gen_stale(struct strbuf *out, const struct plan *p)
{
	const char *wf = workflow_file(p->wf);   /* from the root */
	strbuf_adds(out,
		"# A stale plan: make stops before anything runs when the workflow is newer\n"
		"# than this file.\n"
		"ork_self := $(lastword $(MAKEFILE_LIST))\n"
		"ork_rest := $(ork_self)\n"
		"$(foreach c,a b c d e f g h i j k l m n o p q r s t u v w x y z "
		"A B C D E F G H I J K L M N O P Q R S T U V W X Y Z "
		"0 1 2 3 4 5 6 7 8 9 . _ / + -,"
		"$(eval ork_rest := $$(subst $c,,$$(ork_rest))))\n"
		"ork_wf := ");
	/* Run again in the root, make names the workflow in full. */
	if (wf[0] != '/')
		strbuf_adds(out, "$(if $(value ORK_MAKE_ROOT),$(CURDIR)/)");
	struct strbuf text = STRBUF_INIT;
	add_comment_text(&text, wf, 200);
	add_make_value(out, strbuf_str(&text));
	strbuf_release(&text);
	strbuf_adds(out, "\nifeq ($(ork_rest)$(if $(wildcard $(ork_self)),,x)"
		    "$(if $(wildcard ");
	add_make_glob(out, wf);
	strbuf_adds(out, "),,x),)\n$(ork_self): ");
	add_make_path(out, wf);
	strbuf_adds(out, "\n\t@$(error ork: $(ork_self) is older than $(ork_wf): "
		    "run orkc $(ork_wf) -o $(ork_self))\nendif\n\n");
}

static void gen_all(struct strbuf *out, const struct plan *p)
{
	const struct workflow *wf = p->wf;
	strbuf_adds(out,
		"# The run: every task, then a summary (fails if a task failed).\n"
		"# `ork end` reads the task names from a file that make writes with\n"
		"# $(file) (thousands of names would not fit in its argv), except\n"
		"# under -n, which writes nothing.\n"
		"unexport ORK_TASKS ORK_TASKS_REV\n"
		"ORK_TASKS :=");
	for (size_t k = 0; k < wf->ntasks; k++)
		strbuf_addf(out, " %s", wf->tasks[p->order[k]].name);
	strbuf_adds(out, "\nall:");
	for (size_t k = 0; k < wf->ntasks; k++)
		strbuf_addf(out, " $(%s.out)", wf->tasks[p->order[k]].name);
	strbuf_adds(out,
		" | ork-begin\n"
		"\t@$(if $(findstring n,$(firstword -$(MAKEFLAGS))),,"
		"$(file >$(R)/tasks.list,$(ORK_TASKS)))\n"
		"\t@$(ORK) end --tasks $(R)/tasks.list\n\n");
	/* GNU make 4.3 exports a target's private variable into the recipes
	 * of its prerequisites all the same: ork-begin would get the spec of
	 * whichever task reached it first.  Its own empty ORK_SPEC wins. */
	strbuf_adds(out,
		"# make -f THIS_FILE TASK...: each TASK and its upstream tasks, then\n"
		"# a summary of those.  ork_up: the names of task $(1) and all its\n"
		"# upstream tasks (TASK.up: TASK's own), in order; one pass over the\n"
		"# tasks from the last, marking, so computed only for a goal.\n"
		"ORK_TASKS_REV :=");
	for (size_t k = wf->ntasks; k-- > 0;)
		strbuf_addf(out, " %s", wf->tasks[p->order[k]].name);
	strbuf_adds(out,
		"\nork_up = $(eval ork_sel.$(1).$(1) := 1)"
		"$(foreach t,$(ORK_TASKS_REV),$(if $(ork_sel.$(1).$t),"
		"$(foreach u,$($t.up),$(eval ork_sel.$(1).$u := 1))))"
		"$(foreach t,$(ORK_TASKS),$(if $(ork_sel.$(1).$t),$t))\n"
		".PHONY: $(ORK_TASKS)\n"
		"$(ORK_TASKS): | ork-begin\n"
		"\t@$(if $(findstring n,$(firstword -$(MAKEFLAGS))),,"
		"$(file >$(R)/tasks.$@.list,$(call ork_up,$@)))\n"
		"\t@$(ORK) end --tasks $(R)/tasks.$@.list\n\n");
	if (has_glob_source(wf))
		strbuf_adds(out,
			"# ork_glob: the files a sources: glob matches as make runs, so a new\n"
			"# one counts.  make cannot take a name with a space, tab, :, ; | or (\n"
			"# as a prerequisite: such matches are left out (the sh script sees them).\n"
			"ork_lp := (\n"
			"ork_glob = $(foreach f,$(wildcard $1),$(if $(findstring :,$f)"
			"$(findstring ;,$f)$(findstring |,$f)$(findstring $(ork_lp),$f),,"
			"$(wildcard $f)))\n\n");
	gen_help(out, p);
	/* ork begin records the tasks up front (ork status lists those not
	 * started yet; ork exec counts [k/N]); not when a goal chose some,
	 * nor when the names would not fit in one environment string. */
	size_t len = 0;
	for (size_t k = 0; k < wf->ntasks; k++)
		len += strlen(wf->tasks[k].name) + 1;
	if (len < 65536)
		strbuf_adds(out, "# The tasks, for ork status and the [k/N] of "
			    "progress lines.\n"
			    "ork-begin: private export ORK_TASK_NAMES := "
			    "$(if $(filter-out all,$(MAKECMDGOALS)),,$(ORK_TASKS))\n");
	strbuf_addf(out, "# ork-begin's own ORK_SPEC: GNU make 4.3 would pass it a task's.\n"
		    "ork-begin: private export ORK_SPEC :=\n"
		    "ork-begin:\n\t@$(ORK) begin%s\n\n",
		    workflow_has_python(wf) ? " --python" : "");
}

/* sources: and generates: as prerequisites.  A literal source is one
 * (add_make_path); a glob is $(call ork_glob,...), matched as make runs.
 * A generated file that is missing makes the phony ork-begin a normal
 * prerequisite, so the task runs (checked as make reads this file, before
 * anything runs). */
static void add_task_files(struct strbuf *out, const struct task *t)
{
	for (size_t k = 0; k < t->nsources; k++) {
		strbuf_addc(out, ' ');
		if (strpbrk(t->sources[k], "*?[")) {
			strbuf_adds(out, "$(call ork_glob,");
			add_make_wildcard(out, t->sources[k]);
			strbuf_addc(out, ')');
		} else {
			add_make_path(out, t->sources[k]);
		}
	}
	if (!t->ngenerates)
		return;
	strbuf_adds(out, " $(if $(and");
	for (size_t k = 0; k < t->ngenerates; k++) {
		strbuf_adds(out, k ? ",$(wildcard " : " $(wildcard ");
		add_make_glob(out, t->generates[k]);
		strbuf_addc(out, ')');
	}
	if (t->ngenerates == 1)
		strbuf_adds(out, ",1");
	strbuf_adds(out, "),,ork-begin)");
}

/* A rule with nothing to do for each literal source: a missing one runs
 * the task (which may say what is wrong) instead of stopping make with
 * "No rule to make target".  `%` would make it a pattern rule. */
static void add_source_rules(struct strbuf *out, const struct task *t)
{
	for (size_t k = 0; k < t->nsources; k++) {
		const char *s = t->sources[k];
		if (strpbrk(s, "*?["))
			continue;
		struct strbuf path = STRBUF_INIT;
		add_make_path(&path, s);
		for (const char *c = strbuf_str(&path); *c; c++) {
			if (*c == '%')
				strbuf_addc(out, '\\');
			strbuf_addc(out, *c);
		}
		strbuf_adds(out, ":\n");
		strbuf_release(&path);
	}
}

static void gen_task(struct strbuf *out, const struct plan *p, size_t i)
{
	const struct task *t = &p->wf->tasks[i];
	add_task_comment(out, p, i, DESC_FIRST);
	strbuf_addc(out, '\n');

	/* The spec straight into the artifact: no copy per task. */
	strbuf_addf(out, "$(%s.out): private export ORK_SPEC := {", t->name);
	spec_add_members(out, p, i, JSONX_MAKESAFE);
	strbuf_adds(out, "}\n");

	strbuf_addf(out, "$(%s.out):", t->name);
	if (t->file) {
		strbuf_addc(out, ' ');
		add_make_path(out, t->file);
	}
	add_task_files(out, t);
	for (size_t d = 0; d < t->ndeps; d++)
		strbuf_addf(out, " $(%s.out)", p->wf->tasks[t->deps[d].task].name);
	strbuf_adds(out, " | ork-begin\n");
	/* make -n: why it would run (`-`: an ork that cannot say does not
	 * stop make -n; one macro, as the recipe is the same for all). */
	strbuf_addf(out, "\t@+-$(call ork_why,%s)\n", t->name);
	/* A fan-out task's recipe is marked '+': GNU make 4.3 gives only
	 * such recipes its jobserver, which ork exec takes a token from for
	 * every instance beyond the first (it then honours make -n itself). */
	strbuf_addf(out, "\t%s@$(ORK) exec %s\n", TASK_FANS_OUT(t) ? "+" : "",
		    t->name);
	add_source_rules(out, t);
	/* The goal TASK, and the names of its upstream tasks for ork_up. */
	strbuf_addf(out, "%s: $(%s.out)\n%s.up :=", t->name, t->name, t->name);
	for (size_t d = 0; d < t->ndeps; d++)
		strbuf_addf(out, " %s", p->wf->tasks[t->deps[d].task].name);
	strbuf_adds(out, "\n\n");
}

void gen_make(struct strbuf *out, const struct plan *p)
{
	gen_header(out, p);
	gen_root(out, p);
	gen_settings(out, p);
	gen_params(out, p);
	gen_stale(out, p);
	gen_outputs(out, p);
	gen_all(out, p);
	for (size_t k = 0; k < p->wf->ntasks; k++)
		gen_task(out, p, p->order[k]);
	strbuf_adds(out, "endif\n");
}
