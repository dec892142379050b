/* specwrite: the one writer of the task spec (ORK_SPEC) and the run spec
 * (ORK_RUN_SPEC) of DESIGN.md, whose member names are contract.h's.  Every
 * backend hands ork exactly this text, and the plan's task keys are
 * derived from it: a task's key is the hash of its *defining* members as
 * this writer prints them (flags 0):
 *     {"executor", "file", "module", "function", "argv", "script",
 *      "input", "deps" (upstream names and keys), "env", "when", "refs"
 *      (with keys), "output_type", "sources", "generates" (the paths, not
 *      the files' content)}
 * so what defines a result and what the runtime is given cannot drift
 * apart, and a changed upstream definition changes the keys below it.
 * timeout, retries, the retry policy and the trigger decide whether and
 * how often a task runs, not what it computes: they are outside the key.
 *
 * Calls: the plan (reads it), jsonx, typecheck. */
#ifndef ORK_SPECWRITE_H
#define ORK_SPECWRITE_H

#include <stddef.h>

#include "util.h"

struct plan;

/* Where spec_key left a task's defining members in the plan's buffer. */
struct defining {
	size_t at, len;         /* their text: defs.buf[at], len bytes */
	int makesafe;           /* no '$' or '#' (the only bytes JSONX_MAKESAFE
				   escapes): they read the same with it */
};

/* The key of task i from its defining members; the keys of its deps and
 * refs must be computed already (plan_build goes in dependency order).
 * Appends those members as hashed, comma-separated without the braces,
 * to defs (one buffer for every task, not an allocation each), and says
 * where in *def: the plan keeps them, and spec_add_members copies them
 * instead of printing them again (three times per task, else). */
void spec_key(const struct plan *p, size_t i, char key[], struct strbuf *defs,
	      struct defining *def);

/* The members of task i's spec, comma-separated, without the braces, so
 * that a caller can add its own (gen_json).  flags as for jsonx_write
 * (JSONX_MAKESAFE for a Makefile). */
void spec_add_members(struct strbuf *sb, const struct plan *p, size_t i,
		      unsigned flags);
/* The task spec of task i, as one compact JSON object. */
char *task_spec_json(const struct plan *p, size_t i, unsigned flags);
/* Its length, braces included, without printing the defining members
 * again when the plan has them; scratch is a buffer to reuse. */
size_t task_spec_length(const struct plan *p, size_t i, unsigned flags,
			struct strbuf *scratch);

/* The params object of the run spec: {NAME: {"type": T, "default": V}},
 * "{}" when there are none. */
void spec_add_params(struct strbuf *sb, const struct plan *p, unsigned flags);
/* What `ork begin` needs to know about the workflow, as compact JSON:
 * {"params": {...}, "timezone": TZ}; NULL when the workflow has no params
 * and no timezone. */
char *run_spec_json(const struct plan *p, unsigned flags);

#endif
