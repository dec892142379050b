/* udiff: see udiff.h.  The common head and tail are skipped; the middle
 * gets the textbook LCS table (at most UDIFF_CELLS cells), walked forward
 * into an edit script; the script is cut into hunks with 3 lines of
 * context, as diff -u does. */
#include "udiff.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define UDIFF_CONTEXT 3
#define UDIFF_CELLS (4u * 1024 * 1024)

struct line {
	const char *s;
	size_t len;     /* with its newline, if it has one */
};

/* The lines of text (n bytes); *nlines gets their number. */
static struct line *split_lines(const char *text, size_t n, size_t *nlines)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		if (text[i] == '\n')
			count++;
	if (n && text[n - 1] != '\n')
		count++;
	struct line *l = xmalloc((count ? count : 1) * sizeof *l);
	size_t k = 0, start = 0;
	for (size_t i = 0; i < n; i++)
		if (text[i] == '\n') {
			l[k].s = text + start;
			l[k++].len = i + 1 - start;
			start = i + 1;
		}
	if (start < n) {
		l[k].s = text + start;
		l[k++].len = n - start;
	}
	*nlines = k;
	return l;
}

static int same(const struct line *x, const struct line *y)
{
	return x->len == y->len && !memcmp(x->s, y->s, x->len);
}

/* One step of the edit script: ' ' both, '-' only a, '+' only b. */
struct op {
	char kind;
	size_t ai, bi;   /* the line in a (' ', '-'), in b (' ', '+') */
};

static void add_line(struct strbuf *out, char mark, const struct line *l)
{
	strbuf_addc(out, mark);
	strbuf_add(out, l->s, l->len);
	if (!l->len || l->s[l->len - 1] != '\n')
		strbuf_adds(out, "\n\\ No newline at end of file\n");
}

/* "-START,COUNT" as diff writes it: COUNT left out when 1, and START the
 * line before when COUNT is 0. */
static void add_range(struct strbuf *out, char sign, size_t start, size_t count)
{
	if (count == 0)
		strbuf_addf(out, "%c%zu,0", sign, start);
	else if (count == 1)
		strbuf_addf(out, "%c%zu", sign, start + 1);
	else
		strbuf_addf(out, "%c%zu,%zu", sign, start + 1, count);
}

/* The edit script of a[lo..ahi) against b[lo..bhi) (both from the same
 * first differing line index pa, pb), appended to ops. */
static size_t middle_ops(struct op *ops, size_t nops, const struct line *a,
			 size_t a0, size_t a1, const struct line *b, size_t b0,
			 size_t b1)
{
	size_t n = a1 - a0, m = b1 - b0;
	if (n && m && (n + 1) <= UDIFF_CELLS / (m + 1)) {
		/* L[i][j]: the LCS length of a[a0+i..a1) and b[b0+j..b1). */
		uint32_t *L = xcalloc((n + 1) * (m + 1), sizeof *L);
#define AT(i, j) L[(size_t)(i) * (m + 1) + (j)]
		for (size_t i = n; i-- > 0;)
			for (size_t j = m; j-- > 0;)
				AT(i, j) = same(&a[a0 + i], &b[b0 + j]) ?
					AT(i + 1, j + 1) + 1 :
					(AT(i + 1, j) >= AT(i, j + 1) ?
					 AT(i + 1, j) : AT(i, j + 1));
		size_t i = 0, j = 0;
		while (i < n || j < m) {
			if (i < n && j < m && same(&a[a0 + i], &b[b0 + j])) {
				ops[nops++] = (struct op){ ' ', a0 + i++, b0 + j++ };
			} else if (i < n && (j == m || AT(i + 1, j) >= AT(i, j + 1))) {
				ops[nops++] = (struct op){ '-', a0 + i++, 0 };
			} else {
				ops[nops++] = (struct op){ '+', 0, b0 + j++ };
			}
		}
#undef AT
		free(L);
		return nops;
	}
	for (size_t i = a0; i < a1; i++)
		ops[nops++] = (struct op){ '-', i, 0 };
	for (size_t j = b0; j < b1; j++)
		ops[nops++] = (struct op){ '+', 0, j };
	return nops;
}

int udiff(struct strbuf *out, const char *aname, const char *a, size_t alen,
	  const char *bname, const char *b, size_t blen)
{
	if (alen == blen && !memcmp(a, b, alen))
		return 0;
	size_t na, nb;
	struct line *la = split_lines(a, alen, &na);
	struct line *lb = split_lines(b, blen, &nb);
	size_t head = 0;
	while (head < na && head < nb && same(&la[head], &lb[head]))
		head++;
	size_t tail = 0;
	while (tail < na - head && tail < nb - head &&
	       same(&la[na - 1 - tail], &lb[nb - 1 - tail]))
		tail++;
	struct op *ops = xmalloc((na + nb + 1) * sizeof *ops);
	size_t nops = 0;
	for (size_t i = 0; i < head; i++)
		ops[nops++] = (struct op){ ' ', i, i };
	nops = middle_ops(ops, nops, la, head, na - tail, lb, head, nb - tail);
	for (size_t t = tail; t > 0; t--)
		ops[nops++] = (struct op){ ' ', na - t, nb - t };

	strbuf_addf(out, "--- %s\n+++ %s\n", aname, bname);
	/* Hunks: runs of changes, with the context lines around them;
	 * changes closer than 2 x context share a hunk. */
	size_t k = 0;
	while (k < nops) {
		while (k < nops && ops[k].kind == ' ')
			k++;
		if (k == nops)
			break;
		size_t first = k >= UDIFF_CONTEXT ? k - UDIFF_CONTEXT : 0;
		size_t last = k;    /* one past the last change of the hunk */
		for (size_t e = k; e < nops; e++) {
			if (ops[e].kind != ' ') {
				last = e + 1;
				continue;
			}
			if (e - last >= 2 * UDIFF_CONTEXT)
				break;
		}
		size_t end = last + UDIFF_CONTEXT < nops ? last + UDIFF_CONTEXT : nops;
		/* Where the hunk starts in a and in b: the lines before it. */
		size_t astart = 0, bstart = 0, acount = 0, bcount = 0;
		for (size_t e = 0; e < first; e++) {
			astart += ops[e].kind != '+';
			bstart += ops[e].kind != '-';
		}
		for (size_t e = first; e < end; e++) {
			acount += ops[e].kind != '+';
			bcount += ops[e].kind != '-';
		}
		strbuf_adds(out, "@@ ");
		add_range(out, '-', astart, acount);
		strbuf_addc(out, ' ');
		add_range(out, '+', bstart, bcount);
		strbuf_adds(out, " @@\n");
		for (size_t e = first; e < end; e++)
			add_line(out, ops[e].kind, ops[e].kind == '+' ?
				 &lb[ops[e].bi] : &la[ops[e].ai]);
		k = end;
	}
	free(ops);
	free(la);
	free(lb);
	return 1;
}
