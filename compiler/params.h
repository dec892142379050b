/* params: the workflow's run-time parameters (`params:`, given when a run
 * starts: `make -f run.mk NAME=value`, fixed once per run).
 *
 *   params:
 *     date:   {type: date, default: "{{ run.date }}"}
 *     limit:  {type: int, default: 100}
 *     region: {type: str}         # required: no default
 *     dry_run: false              # short form: the default, typed by it
 *
 * Types are those of paramval.h.  A default is a value of the param's
 * type, or a string holding templates, resolved by `ork begin` when a run
 * starts (it may use run.*, env.* and the params above it).  Names are
 * identifiers that cannot collide with the generated Makefile's own
 * variables or with the environment every task needs (they become make
 * variables: `make -f run.mk date=2026-01-01`).
 *
 * Ownership: the array and everything in it belong to the workflow
 * (params_free).
 *
 * Calls: yamlnode, exprcheck (default templates), paramval.  Never the
 * workflow model. */
#ifndef ORK_PARAMS_H
#define ORK_PARAMS_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "diag.h"
#include "exprcheck.h"
#include "paramval.h"
#include "yamlnode.h"

struct param {
	char *name;
	struct srcpos pos;      /* of the name */
	enum param_type type;
	cJSON *dflt;            /* the default (a template string is kept as
				   text), or NULL: the param is required */
	struct exrefs refs;     /* names the default's templates use */
};

/* Read the params: mapping v into *out (file order).  Returns the number
 * of errors reported. */
int params_from_yaml(struct diag *d, const struct ynode *v,
		     struct param **out, size_t *n);
void params_free(struct param *p, size_t n);

#endif
