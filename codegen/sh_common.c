/* sh_common: the text that the sh backend (gen_sh.c) and the Slurm
 * backend (gen_slurm.c) both generate: quoting, the settings, the
 * NAME=value arguments, the task_N functions' common variables,
 * all_tasks and begin_run.  Each backend adds its own text around them;
 * the interface is in codegen.h. */
#include "codegen.h"

#include <stdlib.h>
#include <string.h>

#include "jsonx.h"

void add_sh_quoted(struct strbuf *out, const char *s)
{
	strbuf_addc(out, '\'');
	for (const char *q; (q = strchr(s, '\'')); s = q + 1) {
		strbuf_add(out, s, (size_t)(q - s));
		strbuf_adds(out, "'\\''");
	}
	strbuf_adds(out, s);
	strbuf_addc(out, '\'');
}

void sh_header(struct strbuf *out, const struct workflow *wf, const char *use)
{
	strbuf_adds(out, "#!/bin/sh\n");
	add_do_not_edit(out, wf);
	strbuf_adds(out, "\n#\n");
	strbuf_adds(out, use);
	strbuf_adds(out, "# shellcheck disable=SC2016,SC2089,SC2090,SC2317\n\n");
}

void add_sh_path_word(struct strbuf *out, const char *path)
{
	if (strchr("-!(", path[0]))
		strbuf_adds(out, "./");
	add_sh_quoted(out, path);
}

void sh_settings_defaults(struct strbuf *out, const char *python)
{
	strbuf_adds(out,
		"# Settings: from the environment, or NAME=value arguments.\n"
		"ORK=${ORK-ork}\n"
		"PYTHON=${PYTHON-");
	if (python)
		add_sh_quoted(out, python);
	strbuf_adds(out,
		"}\n"
		"RUN_ID=${RUN_ID-default}\n"
		"ORK_HOME=${ORK_HOME-.ork}\n");
}

void sh_usage_settings(struct strbuf *out, const struct workflow *wf)
{
	strbuf_adds(out,
		"  NAME=value  set ORK, PYTHON, RUN_ID or ORK_HOME (also read from\n"
		"              the environment)");
	if (wf->nparams) {
		strbuf_adds(out, ", or a param:\n             ");
		for (size_t i = 0; i < wf->nparams; i++)
			strbuf_addf(out, " %s", wf->params[i].name);
		strbuf_adds(out, " (else ORK_PARAM_NAME from the environment)");
	}
	strbuf_addc(out, '\n');
}

void sh_bad_usage(struct strbuf *out)
{
	strbuf_adds(out,
		"EOF\n"
		"}\n"
		"bad_usage() {\n"
		"\tprintf '%s: %s\\n' \"$0\" \"$1\" >&2\n"
		"\tusage >&2\n"
		"\texit 2\n"
		"}\n\n");
}

void sh_unset_params(struct strbuf *out, const struct workflow *wf)
{
	for (size_t i = 0; i < wf->nparams; i++)
		strbuf_addf(out, "unset param_%s\n", wf->params[i].name);
	strbuf_adds(out,
		"while [ $# -gt 0 ]; do\n"
		"\tcase $1 in\n");
}

void sh_setting_args(struct strbuf *out, const struct workflow *wf)
{
	strbuf_adds(out,
		"\t-h|--help) usage; exit 0 ;;\n"
		"\tORK=*) ORK=${1#*=} ;;\n"
		"\tPYTHON=*) PYTHON=${1#*=} ;;\n"
		"\tRUN_ID=*) RUN_ID=${1#*=} ;;\n"
		"\tORK_HOME=*) ORK_HOME=${1#*=} ;;\n");
	for (size_t i = 0; i < wf->nparams; i++)
		strbuf_addf(out, "\t%s=*) param_%s=${1#*=} ;;\n",
			    wf->params[i].name, wf->params[i].name);
}

const char sh_check_run_id[] =
	"case $RUN_ID in\n"
	"''|*' '*|*'\t'*|*'\n"
	"'*) printf '%s: RUN_ID must be one word\\n' \"$0\" >&2; exit 2 ;;\n"
	"esac\n";

void sh_exports(struct strbuf *out, const struct workflow *wf)
{
	strbuf_addf(out, "ORK_WORKFLOW=%s\n", wf->name);
	strbuf_adds(out,
		"ORK_RUN_ID=$RUN_ID\n"
		"ORK_PYTHON=$PYTHON\n"
		"export ORK_WORKFLOW ORK_RUN_ID ORK_HOME ORK_PYTHON\n");
}

void sh_enter_root(struct strbuf *out, const struct workflow *wf)
{
	const char *rel = workflow_root(wf);
	strbuf_adds(out,
		"# The root: the tasks run in the directory their files are relative\n"
		"# to, found from this script's own place; every relative path below,\n"
		"# ORK_HOME's too, starts there.  ork_self: this script.\n"
		"case $0 in\n"
		"*/*) ork_self=$0 ;;\n"
		"*) ork_self=./$0 ;;\n"
		"esac\n"
		"case $ork_self in /*) ;; *) ork_self=$PWD/$ork_self ;; esac\n"
		"ork_root=${ork_self%/*}/");
	add_sh_quoted(out, rel);
	strbuf_adds(out,
		"\n"
		"if ! cd -P \"$ork_root\"; then\n"
		"\tprintf '%s: cannot enter %s, where the tasks run\\n' \"$0\" \"$ork_root\" >&2\n"
		"\texit 2\n"
		"fi\n");
}

void sh_run_dir(struct strbuf *out, const struct workflow *wf)
{
	strbuf_adds(out, "# The workflow file, from the root.\nworkflow_file=");
	add_sh_path_word(out, workflow_file(wf));
	strbuf_addc(out, '\n');
	strbuf_addf(out, "R=$ORK_HOME/%s/$RUN_ID\n", wf->name);
}

void sh_tasks(struct strbuf *out, const struct plan *p, const char *intro,
	      sh_task_fn *task)
{
	size_t n = p->wf->ntasks;
	/* rank[i]: the place of task i in the order, so that every number
	 * in the script counts in dependency order. */
	size_t *rank = xmalloc((n ? n : 1) * sizeof *rank);
	for (size_t k = 0; k < n; k++)
		rank[p->order[k]] = k;
	strbuf_adds(out, intro);
	strbuf_addf(out, "ntasks=%zu\n\n", n);
	for (size_t k = 0; k < n; k++)
		task(out, p, k, rank);
	free(rank);
}

static void add_task_list(struct strbuf *out, const char *var,
			  const size_t *idx, size_t n, const size_t *rank)
{
	strbuf_addf(out, "\t%s='", var);
	for (size_t d = 0; d < n; d++)
		strbuf_addf(out, d ? " %zu" : "%zu", rank[idx[d]] + 1);
	strbuf_adds(out, "'\n");
}

void sh_task_head(struct strbuf *out, const struct plan *p, size_t k,
		  const size_t *rank, int describe)
{
	size_t i = p->order[k];
	const struct task *t = &p->wf->tasks[i];
	add_task_comment(out, p, i, describe ? DESC_LAST : DESC_NONE);
	strbuf_addf(out, "\ntask_%zu() {\n", k + 1);
	strbuf_adds(out, "\tt_name=");
	add_sh_quoted(out, t->name);
	strbuf_addc(out, '\n');
	strbuf_addf(out, "\tt_out=$R/%s.%s.json\n", t->name, p->keys[i]);
	strbuf_adds(out, "\tt_file=");
	if (t->file)
		add_sh_path_word(out, t->file);
	strbuf_addc(out, '\n');
	size_t *up = xmalloc((t->ndeps ? t->ndeps : 1) * sizeof *up);
	for (size_t d = 0; d < t->ndeps; d++)
		up[d] = t->deps[d].task;
	add_task_list(out, "t_up", up, t->ndeps, rank);
	free(up);
	add_task_list(out, "t_down", p->downstream[i], p->ndownstream[i], rank);
}

void sh_task_spec(struct strbuf *out, const struct plan *p, size_t k)
{
	strbuf_adds(out, "\tt_spec=");
	/* The spec straight into the script, as gen_make does; quoted again
	 * from a copy only when it holds a quote, which JSON leaves as is. */
	size_t at = out->len;
	strbuf_adds(out, "'{");
	spec_add_members(out, p, p->order[k], JSONX_MAKESAFE);
	strbuf_addc(out, '}');
	if (memchr(out->buf + at + 1, '\'', out->len - at - 1)) {
		char *spec = xstrndup(out->buf + at + 1, out->len - at - 1);
		out->len = at;
		add_sh_quoted(out, spec);
		free(spec);
	} else {
		strbuf_addc(out, '\'');
	}
	strbuf_adds(out, "\n}\n");
}

void sh_all_tasks(struct strbuf *out, const struct plan *p)
{
	const struct workflow *wf = p->wf;
	strbuf_adds(out, "all_tasks='");
	for (size_t k = 0; k < wf->ntasks; k++)
		strbuf_addf(out, k ? " %s" : "%s", wf->tasks[p->order[k]].name);
	strbuf_adds(out, "'\n\n");
}

void sh_begin_run(struct strbuf *out, const struct plan *p)
{
	const struct workflow *wf = p->wf;
	strbuf_adds(out,
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
		add_sh_quoted(out, run_spec);
		strbuf_adds(out, "\n\t\texport ORK_RUN_SPEC\n");
		free(run_spec);
	}
	strbuf_addf(out, "\t\texec \"$ORK\" begin%s\n\t)\n}\n\n",
		    workflow_has_python(wf) ? " --python" : "");
}
