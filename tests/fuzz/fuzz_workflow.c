/* fuzz_workflow: a workflow file through the whole compiler, as orkc runs
 * it: YAML -> model -> plan -> spec sizes -> every backend (make, sh,
 * json, dot, cron and --next when there is a schedule), diagnostics
 * printed with their source lines. */
#include <stdio.h>
#include <string.h>

#include "codegen.h"
#include "diag.h"
#include "fuzz.h"
#include "plan.h"
#include "schedule.h"
#include "workflow.h"
#include "yamlnode.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup();
	return 0;
}

static void backends(const struct plan *p)
{
	struct strbuf out = STRBUF_INIT;
	gen_make(&out, p);
	strbuf_reset(&out);
	gen_sh(&out, p);
	strbuf_reset(&out);
	gen_json(&out, p);
	strbuf_reset(&out);
	gen_dot(&out, p);
	strbuf_reset(&out);
	if (p->wf->schedule) {
		struct cron_target ct = { "/srv/project", "/usr/bin/ork",
					  "run.mk", 4 };
		gen_cron(&out, p, &ct, NULL);
		strbuf_reset(&out);
		(void)schedule_next(p->wf->schedule, p->wf->timezone, 3,
				    1767225600, &out, NULL);   /* 2026-01-01 */
	}
	strbuf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_setup();
	struct diag d;
	diag_init(&d, "fuzz.yaml", (const char *)data, size);
	struct ynode *root = yaml_load((const char *)data, size, &d);
	if (root) {
		struct workflow wf;
		struct plan p;
		workflow_from_yaml(root, "fuzz.yaml", &d, &wf);
		ynode_free(root);
		if (plan_build(&wf, &d, &p) == 0 && d.nerrors == 0 &&
		    check_spec_sizes(&p, &d) == 0)
			backends(&p);
		plan_release(&p);
		workflow_release(&wf);
	}
	if (d.nmsgs) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		if (f) {
			diag_flush(&d, f);
			fclose(f);
		}
		free(buf);
	}
	diag_release(&d);
	return 0;
}
