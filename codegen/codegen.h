/* codegen: backends that turn a validated plan into text.  Every backend is
 * deterministic: the same plan gives byte-identical output. */
#ifndef ORK_CODEGEN_H
#define ORK_CODEGEN_H

#include "plan.h"
#include "util.h"

/* The task spec of DESIGN.md for task i, as compact JSON.  flags as for
 * jsonx_write (JSONX_MAKESAFE for a Makefile). */
char *task_spec_json(const struct plan *p, size_t i, unsigned flags);

/* What `ork begin` needs to know about the workflow (DESIGN.md), as
 * compact JSON: {"params": {NAME: {"type": T, "default": V}}, "timezone":
 * TZ}; NULL when the workflow has no params and no timezone. */
char *run_spec_json(const struct plan *p, unsigned flags);

/* Text for comments in generated files: safe to embed, shortened. */
void add_comment_text(struct strbuf *out, const char *s, size_t max);
/* "python tasks/fetch.py:main", "process ./bin/x --y", "process sh -c ..." */
void describe_command(struct strbuf *out, const struct task *t);
/* "timeout 300s, 3 retries (delay 5s x2), trigger all_done" */
void describe_policy(struct strbuf *out, const struct task *t);

/* GNU Makefile; the header names p->wf->path and the orkc version. */
void gen_make(struct strbuf *out, const struct plan *p);
/* POSIX sh script with the Makefile's semantics and a -j N scheduler. */
void gen_sh(struct strbuf *out, const struct plan *p);
/* The validated plan as JSON, for tools and tests. */
void gen_json(struct strbuf *out, const struct plan *p);
/* Graphviz. */
void gen_dot(struct strbuf *out, const struct plan *p);

/* What a crontab entry runs (gen_cron); strings borrowed. */
struct cron_target {
	const char *root;       /* absolute project directory: cron-fire -C */
	const char *ork;        /* absolute path of the ork to run */
	const char *artifact;   /* relative to root or absolute: *.sh runs as
				   `sh FILE -j N`, anything else as
				   `make -jN -f FILE` */
	long jobs;              /* the N above */
};
/* A marked block of crontab lines ("# BEGIN orkc NAME" ... "# END orkc
 * NAME") for a workflow with a valid schedule.  Returns NULL, or why no
 * entry can be written (out is then unchanged). */
const char *gen_cron(struct strbuf *out, const struct plan *p,
		     const struct cron_target *ct);

#endif
