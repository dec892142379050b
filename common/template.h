/* template: strings with {{ expr }} in them (expr.h has the language), as the
 * input, env and params defaults of a workflow hold them.
 *
 *   "{{ tasks.a.output.rows }}"      exactly one template: the value itself,
 *                                    with its JSON type (a list stays a list)
 *   "s3://b/{{ run.date }}/x.json"   anything else: a string, each value
 *                                    rendered (strings as they are, others
 *                                    as compact JSON)
 *
 * A template ends at the first "}}" outside a quoted string of the
 * expression, so "{{ '}}' }}" works; a literal "{{" is written
 * "{{ '{{' }}".  Every "{{" in such a string starts a template.
 *
 * A struct tmpl owns its parts' trees and borrows its string; release it
 * with tmpl_release. */
#ifndef ORK_TEMPLATE_H
#define ORK_TEMPLATE_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "expr.h"

struct tmpl_part {
	size_t pos, len;        /* the literal text, or the expression's
				   text between the braces, in the string */
	struct expr *e;         /* NULL for literal text */
};

struct tmpl {
	const char *src;        /* the string; borrowed, must outlive t */
	struct tmpl_part *parts;
	size_t nparts, cap;
};
#define TMPL_INIT {NULL, NULL, 0, 0}

/* 1 when s (n bytes) holds "{{": it is a template string. */
int tmpl_present(const char *s, size_t n);
/* Split and parse s.  Returns 0, or -1 with err->pos a byte offset in s
 * (t is left empty).  Offsets inside an expression are offsets in s. */
int tmpl_parse(const char *s, size_t n, struct tmpl *t, struct expr_error *err);
/* Exactly one template and no text around it. */
int tmpl_is_single(const struct tmpl *t);
/* The value: a single template's value, or the rendered string.  NULL
 * with err set (pos an offset in the template's string) on failure. */
cJSON *tmpl_eval(const struct tmpl *t, const struct expr_scope *sc,
		 struct expr_error *err);
void tmpl_release(struct tmpl *t);

#endif
