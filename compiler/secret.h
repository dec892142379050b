/* secret: the compile-time side of secrets.
 *
 * `env: {TOKEN: {secret: API_TOKEN}}`, in a task's env or the workflow's,
 * says that the task's variable TOKEN takes, at run time, the value of
 * the secret API_TOKEN (ork exec finds it in its own environment or in
 * $ORK_SECRETS_FILE: runtime/secrets.h).  The compiler only ever sees the
 * secret's name: the artifact, the task spec (member "secrets": {"TOKEN":
 * "API_TOKEN"}) and the key carry the name, never a value.
 *
 * A secret may appear only as an env value: a {secret: NAME} mapping in
 * input or params is an error, and so is a template reading a secret
 * through env.NAME, since a template's value is stored in the run
 * directory (input.json, run.json). */
#ifndef ORK_SECRET_H
#define ORK_SECRET_H

#include <stddef.h>

#include "diag.h"
#include "util.h"
#include "yamlnode.h"

struct envvar;
struct workflow;
struct task;

/* v, the value of env key k, is a mapping: check it is {secret: NAME} and
 * append {k, NAME} to *sec (grown as needed); report to d otherwise. */
void secret_env_add(struct diag *d, const struct ynode *k,
		    const struct ynode *v, struct envvar **sec, size_t *nsec);
/* Report every {secret: NAME} mapping inside v: where (e.g. "input") is
 * no place for a secret. */
void secret_misplaced(struct diag *d, const struct ynode *v,
		      const char *where);
/* Report every template (input, env, params' defaults, when) that reads a
 * secret through env.NAME. */
void secret_check_refs(const struct workflow *wf, struct diag *d);
/* Append ,"secrets":{"VAR":"NAME",...} for task t: the workflow's secrets
 * that t's own env does not replace, then t's own, in file order.  Adds
 * nothing when t has no secret, so other tasks' specs and keys are
 * unchanged.  flags as for jsonx_quote. */
void secret_spec_member(struct strbuf *sb, const struct workflow *wf,
			const struct task *t, unsigned flags);

#endif
