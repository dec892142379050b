/* diag: see diag.h. */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void diag_init(struct diag *d, const char *path, const char *src, size_t srclen)
{
	memset(d, 0, sizeof *d);
	d->path = path;
	d->src = src;
	d->srclen = srclen;
}

const char *diag_source_line(struct diag *d, unsigned line, size_t *len)
{
	if (!d->src || line == 0)
		return NULL;
	const char *end = d->src + d->srclen;
	if (!d->line_at || line < d->line_no) {
		d->line_at = d->src;
		d->line_no = 1;
	}
	while (d->line_no < line) {
		const char *nl = memchr(d->line_at, '\n', (size_t)(end - d->line_at));
		if (!nl)
			return NULL;
		d->line_at = nl + 1;
		d->line_no++;
	}
	const char *nl = memchr(d->line_at, '\n', (size_t)(end - d->line_at));
	*len = (size_t)((nl ? nl : end) - d->line_at);
	return d->line_at;
}

void diag_release(struct diag *d)
{
	for (size_t i = 0; i < d->nmsgs; i++)
		free(d->msgs[i].text);
	free(d->msgs);
	d->msgs = NULL;
	d->nmsgs = d->capmsgs = 0;
}

static void add(struct diag *d, enum diag_kind kind, struct srcpos pos,
		const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_vaddf(&sb, fmt, ap);
	d->msgs = xgrow(d->msgs, &d->capmsgs, d->nmsgs + 1, sizeof *d->msgs);
	struct diag_msg *m = &d->msgs[d->nmsgs];
	m->kind = kind;
	m->pos = pos;
	m->key = pos;
	m->text = strbuf_detach(&sb);
	m->seq = d->nmsgs++;
	/* A note sorts right after the message it explains. */
	if (kind == DIAG_NOTE && m->seq > 0)
		m->key = d->msgs[m->seq - 1].key;
	if (kind == DIAG_ERROR)
		d->nerrors++;
	else if (kind == DIAG_WARNING)
		d->nwarnings++;
}

#define DEFINE_REPORTER(fn, kind)                                          \
	void fn(struct diag *d, struct srcpos pos, const char *fmt, ...)   \
	{                                                                  \
		va_list ap;                                                \
		va_start(ap, fmt);                                         \
		add(d, kind, pos, fmt, ap);                                \
		va_end(ap);                                                \
	}
DEFINE_REPORTER(diag_error, DIAG_ERROR)
DEFINE_REPORTER(diag_warning, DIAG_WARNING)
DEFINE_REPORTER(diag_note, DIAG_NOTE)

static int cmp_msg(const void *a, const void *b)
{
	const struct diag_msg *x = a, *y = b;
	if (x->key.line != y->key.line)
		return x->key.line < y->key.line ? -1 : 1;
	if (x->key.col != y->key.col)
		return x->key.col < y->key.col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Print source line `line` and a caret under column `col`.  Tabs in the
 * line are repeated in the caret line so the caret stays aligned. */
static void quote_line(const struct diag *d, struct srcpos pos, FILE *out)
{
	if (!d->src || pos.line == 0)
		return;
	const char *p = d->src, *end = d->src + d->srclen;
	for (unsigned l = 1; l < pos.line && p < end; l++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return;
		p = nl + 1;
	}
	const char *eol = memchr(p, '\n', (size_t)(end - p));
	size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);
	if (n > 0 && p[n - 1] == '\r')
		n--;
	/* A byte-order mark is not shown; columns still count its bytes. */
	size_t skip = 0;
	if (pos.line == 1 && n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		skip = 3;
	fprintf(out, "%.*s\n", (int)(n - skip), p + skip);
	/* Columns count bytes; the caret line needs one space per character
	 * shown, so UTF-8 continuation bytes add nothing. */
	for (size_t i = skip; i + 1 < pos.col && i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if ((c & 0xc0) == 0x80)
			continue;
		fputc(c == '\t' ? '\t' : ' ', out);
	}
	fputs("^\n", out);
}

static const char *kind_name(enum diag_kind k)
{
	return k == DIAG_ERROR ? "error" : k == DIAG_WARNING ? "warning" : "note";
}

void diag_flush(struct diag *d, FILE *out)
{
	if (d->nmsgs > 1)
		qsort(d->msgs, d->nmsgs, sizeof *d->msgs, cmp_msg);
	for (size_t i = 0; i < d->nmsgs; i++) {
		const struct diag_msg *m = &d->msgs[i];
		if (m->pos.line)
			fprintf(out, "%s:%u:%u: %s: %s\n", d->path, m->pos.line,
				m->pos.col, kind_name(m->kind), m->text);
		else
			fprintf(out, "%s: %s: %s\n", d->path, kind_name(m->kind),
				m->text);
		quote_line(d, m->pos, out);
	}
	if (d->nerrors)
		fprintf(out, "%u error%s generated.\n", d->nerrors,
			d->nerrors == 1 ? "" : "s");
	diag_release(d);
}
