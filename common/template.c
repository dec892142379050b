/* template: see template.h. */
#include "template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tmpl_present(const char *s, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (s[i] == '{' && s[i + 1] == '{')
			return 1;
	return 0;
}

static void add_part(struct tmpl *t, size_t pos, size_t len, struct expr *e)
{
	t->parts = xgrow(t->parts, &t->cap, t->nparts + 1, sizeof *t->parts);
	t->parts[t->nparts].pos = pos;
	t->parts[t->nparts].len = len;
	t->parts[t->nparts].e = e;
	t->nparts++;
}

/* Where the "}}" closing the template whose text starts at i is, skipping
 * quoted strings of the expression; n when there is none. */
static size_t closing(const char *s, size_t n, size_t i)
{
	char quote = 0;
	for (; i < n; i++) {
		if (quote) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == quote)
				quote = 0;
		} else if (s[i] == '\'' || s[i] == '"') {
			quote = s[i];
		} else if (s[i] == '}' && i + 1 < n && s[i + 1] == '}') {
			return i;
		}
	}
	return n;
}

int tmpl_parse(const char *s, size_t n, struct tmpl *t, struct expr_error *err)
{
	size_t i = 0, lit = 0;
	memset(t, 0, sizeof *t);
	t->src = s;
	while (i + 1 < n) {
		if (s[i] != '{' || s[i + 1] != '{') {
			i++;
			continue;
		}
		if (i > lit)
			add_part(t, lit, i - lit, NULL);
		size_t start = i + 2, end = closing(s, n, start);
		if (end == n) {
			tmpl_release(t);
			memset(err, 0, sizeof *err);
			err->pos = i;
			snprintf(err->msg, sizeof err->msg,
				 "unterminated template: no '}}' after '{{'");
			return -1;
		}
		struct expr *e = expr_parse(s + start, end - start, err);
		if (!e) {
			err->pos += start;
			tmpl_release(t);
			return -1;
		}
		add_part(t, start, end - start, e);
		i = lit = end + 2;
	}
	if (n > lit)
		add_part(t, lit, n - lit, NULL);
	return 0;
}

int tmpl_is_single(const struct tmpl *t)
{
	return t->nparts == 1 && t->parts[0].e;
}

cJSON *tmpl_eval(const struct tmpl *t, const struct expr_scope *sc,
		 struct expr_error *err)
{
	if (tmpl_is_single(t)) {
		cJSON *v = expr_eval(t->parts[0].e, sc, err);
		if (!v)
			err->pos += t->parts[0].pos;
		return v;
	}
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < t->nparts; i++) {
		const struct tmpl_part *p = &t->parts[i];
		if (!p->e) {
			strbuf_add(&sb, t->src + p->pos, p->len);
			continue;
		}
		cJSON *v = expr_eval(p->e, sc, err);
		if (!v) {
			err->pos += p->pos;
			strbuf_release(&sb);
			return NULL;
		}
		expr_render(&sb, v);
		cJSON_Delete(v);
	}
	cJSON *r = cJSON_CreateString(strbuf_str(&sb));
	strbuf_release(&sb);
	return r;
}

void tmpl_release(struct tmpl *t)
{
	for (size_t i = 0; i < t->nparts; i++)
		expr_free(t->parts[i].e);
	free(t->parts);
	memset(t, 0, sizeof *t);
}
