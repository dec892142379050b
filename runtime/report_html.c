/* report_html: see report_html.h. */
#include "report_html.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal.h"
#include "jsonx.h"

/* ---- the run as the page needs it ---------------------------------------- */

struct rattempt {
	int inv, attempt;
	double t0, t1;        /* start and end (t1: a guess when !ended) */
	int ended, ok, exit_code, signal, timeout;
	char *reason, *details, *log;
};

struct rtask {
	const char *name;
	const char *state;               /* task_state() */
	const struct task_hist *th;      /* NULL: never in the journal */
	char **deps;                     /* of the last end event */
	size_t ndeps;
	size_t *preds;                   /* deps that are tasks of the page */
	size_t npreds;
	size_t depth, row;               /* graph position */
	struct rattempt *att;
	size_t natt, capatt;
};

struct report {
	const struct rundir *rd;
	struct rtask *t;
	size_t n;
	size_t *byname;                  /* indices into t, sorted by name */
	double now;
	double *tlast;                   /* per invocation: its last event's time */
	size_t ntlast;
};

/* Invocations past this share the last slot of tlast. */
#define MAX_INV 100000

static const struct report *sort_ctx;

static int cmp_byname(const void *a, const void *b)
{
	return strcmp(sort_ctx->t[*(const size_t *)a].name,
		      sort_ctx->t[*(const size_t *)b].name);
}

/* The index of task name, or (size_t)-1. */
static size_t find_task(const struct report *r, const char *name)
{
	size_t lo = 0, hi = r->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, r->t[r->byname[mid]].name);
		if (!c)
			return r->byname[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return (size_t)-1;
}

static double ev_time(const cJSON *ev, const char *key)
{
	double t = 0;
	parse_time(jsonx_get_string(ev, key), &t);
	return t;
}

static void on_start(struct rtask *t, const cJSON *ev)
{
	t->att = xgrow(t->att, &t->capatt, t->natt + 1, sizeof *t->att);
	struct rattempt *a = &t->att[t->natt++];
	memset(a, 0, sizeof *a);
	a->inv = (int)jsonx_get_number(ev, "inv", 0);
	a->attempt = (int)jsonx_get_number(ev, "attempt", 0);
	a->t0 = a->t1 = ev_time(ev, "time");
	a->exit_code = -1;
	const char *log = jsonx_get_string(ev, "log");
	if (log && !strncmp(log, "logs/", 5) && !strstr(log, ".."))
		a->log = xstrdup(log);
}

static void on_attempt(struct rtask *t, const cJSON *ev)
{
	int inv = (int)jsonx_get_number(ev, "inv", 0);
	int k = (int)jsonx_get_number(ev, "attempt", 0);
	for (size_t i = t->natt; i-- > 0;) {
		struct rattempt *a = &t->att[i];
		if (a->inv != inv || a->attempt != k || a->ended)
			continue;
		a->ended = 1;
		a->ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ev, "ok"));
		a->exit_code = (int)jsonx_get_number(ev, "exit", -1);
		a->signal = (int)jsonx_get_number(ev, "signal", 0);
		const char *reason = jsonx_get_string(ev, "reason");
		a->reason = reason && *reason ? xstrdup(reason) : NULL;
		a->timeout = reason && !strncmp(reason, "timed out", 9);
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(ev, "details");
		if (d && !cJSON_IsNull(d))
			a->details = cJSON_PrintUnformatted(d);
		double end = ev_time(ev, "time");
		a->t1 = end > a->t0 ? end : a->t0 + jsonx_get_number(ev, "duration", 0);
		return;
	}
}

static void on_end(struct rtask *t, const cJSON *ev)
{
	const cJSON *deps = cJSON_GetObjectItemCaseSensitive(ev, "deps");
	if (!cJSON_IsArray(deps))
		return;
	for (size_t i = 0; i < t->ndeps; i++)
		free(t->deps[i]);
	free(t->deps);
	t->deps = xcalloc((size_t)cJSON_GetArraySize(deps) + 1, sizeof *t->deps);
	t->ndeps = 0;
	for (const cJSON *d = deps->child; d; d = d->next)
		if (cJSON_IsString(d) && valid_name(d->valuestring))
			t->deps[t->ndeps++] = xstrdup(d->valuestring);
}

static int scan_event(void *ctx, const cJSON *ev)
{
	struct report *r = ctx;
	double tm = ev_time(ev, "time");
	double inv = jsonx_get_number(ev, "inv", 0);
	size_t slot = inv > 0 && inv < MAX_INV ? (size_t)inv : MAX_INV;
	if (slot >= r->ntlast) {
		size_t n = slot + 1;
		r->tlast = xrealloc(r->tlast, n * sizeof *r->tlast);
		memset(r->tlast + r->ntlast, 0, (n - r->ntlast) * sizeof *r->tlast);
		r->ntlast = n;
	}
	if (tm > r->tlast[slot])
		r->tlast[slot] = tm;
	const char *kind = jsonx_get_string(ev, "ev");
	const char *task = jsonx_get_string(ev, "task");
	size_t i = task ? find_task(r, task) : (size_t)-1;
	if (!kind || i == (size_t)-1)
		return 0;
	if (!strcmp(kind, "start"))
		on_start(&r->t[i], ev);
	else if (!strcmp(kind, "attempt"))
		on_attempt(&r->t[i], ev);
	else if (!strcmp(kind, "end"))
		on_end(&r->t[i], ev);
	return 0;
}

/* An attempt without an attempt event runs till now, or (its task not
 * running) ended somewhere before its invocation's last event. */
static void close_open_attempts(struct report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct rtask *t = &r->t[i];
		int running = !strcmp(t->state, "running");
		for (size_t k = 0; k < t->natt; k++) {
			struct rattempt *a = &t->att[k];
			if (a->ended)
				continue;
			size_t slot = a->inv > 0 && a->inv < MAX_INV ?
				(size_t)a->inv : MAX_INV;
			double last = slot < r->ntlast ? r->tlast[slot] : 0;
			double end = running && k + 1 == t->natt ? r->now : last;
			a->t1 = end > a->t0 ? end : a->t0;
		}
	}
}

static const char *const states[] = {"succeeded", "failed", "skipped",
	"running", "interrupted", "not run"};

/* The state as one of states[]: it names classes and is printed bare. */
static const char *known_state(const char *s)
{
	for (size_t i = 0; i < sizeof states / sizeof *states; i++)
		if (!strcmp(s, states[i]))
			return states[i];
	return "not run";
}

static int report_load(struct report *r, const struct rundir *rd,
		       const struct history *h, const char *const *tasks,
		       size_t ntasks)
{
	memset(r, 0, sizeof *r);
	r->rd = rd;
	r->t = xcalloc(ntasks + 1, sizeof *r->t);
	r->byname = xcalloc(ntasks + 1, sizeof *r->byname);
	r->now = now_wall();
	for (size_t i = 0; i < ntasks; i++) {
		if (!valid_name(tasks[i]))   /* names go into ids and links */
			continue;
		struct rtask *t = &r->t[r->n];
		t->name = tasks[i];
		t->th = history_get(h, tasks[i]);
		t->state = known_state(task_state(rd, t->th));
		r->byname[r->n] = r->n;
		r->n++;
	}
	sort_ctx = r;
	qsort(r->byname, r->n, sizeof *r->byname, cmp_byname);
	if (journal_each(rd, NULL, scan_event, r) < 0)
		return -1;
	close_open_attempts(r);
	return 0;
}

static void report_release(struct report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct rtask *t = &r->t[i];
		for (size_t k = 0; k < t->ndeps; k++)
			free(t->deps[k]);
		free(t->deps);
		free(t->preds);
		for (size_t k = 0; k < t->natt; k++) {
			free(t->att[k].reason);
			free(t->att[k].details);
			free(t->att[k].log);
		}
		free(t->att);
	}
	free(r->t);
	free(r->byname);
	free(r->tlast);
}

/* ---- graph layout -------------------------------------------------------- */

/* Depth by Kahn's algorithm over the deps, O(tasks + edges).  Tasks left
 * in a cycle (a journal edited by hand) go one column past the rest. */
static size_t layout_depths(struct report *r)
{
	size_t *indeg = xcalloc(r->n + 1, sizeof *indeg);
	size_t *queue = xcalloc(r->n + 1, sizeof *queue);
	size_t **succ = xcalloc(r->n + 1, sizeof *succ);
	size_t *nsucc = xcalloc(r->n + 1, sizeof *nsucc);
	size_t *capsucc = xcalloc(r->n + 1, sizeof *capsucc);
	for (size_t i = 0; i < r->n; i++) {
		struct rtask *t = &r->t[i];
		t->preds = xcalloc(t->ndeps + 1, sizeof *t->preds);
		for (size_t d = 0; d < t->ndeps; d++) {
			size_t u = find_task(r, t->deps[d]);
			if (u == (size_t)-1 || u == i)
				continue;
			t->preds[t->npreds++] = u;
			succ[u] = xgrow(succ[u], &capsucc[u], nsucc[u] + 1, sizeof **succ);
			succ[u][nsucc[u]++] = i;
			indeg[i]++;
		}
	}
	size_t head = 0, tail = 0, maxd = 0;
	for (size_t i = 0; i < r->n; i++)
		if (!indeg[i])
			queue[tail++] = i;
	while (head < tail) {
		size_t u = queue[head++];
		if (r->t[u].depth > maxd)
			maxd = r->t[u].depth;
		for (size_t k = 0; k < nsucc[u]; k++) {
			size_t v = succ[u][k];
			if (r->t[v].depth < r->t[u].depth + 1)
				r->t[v].depth = r->t[u].depth + 1;
			if (!--indeg[v])
				queue[tail++] = v;
		}
	}
	size_t ncols = r->n ? maxd + 1 : 0;
	for (size_t i = 0; i < r->n; i++) {
		if (indeg[i])
			r->t[i].depth = ncols;
		free(succ[i]);
	}
	if (tail < r->n)
		ncols++;
	free(indeg);
	free(queue);
	free(succ);
	free(nsucc);
	free(capsucc);
	return ncols;
}

/* The graph in columns: a slot per task, then one per column that a long
 * edge crosses (a bend), so that rows are ordered with the edges that pass
 * through a column and a long edge is drawn around the tasks, not through
 * them.  At most MAX_BENDS bends; past that, long edges are drawn straight. */
#define MAX_BENDS 20000
#define NODE_H 38
#define BEND_H 4
#define COL_GAP 56
#define ROW_GAP 14
#define PAD 16

struct slot {
	size_t depth, row;
	size_t y;           /* of its middle */
	double bary;        /* the ordering key within the column */
	size_t *preds;      /* slots in the column to the left */
	size_t npreds, cap;
};

struct layout {
	struct slot *s;     /* [0, ntasks): the tasks; then the bends */
	size_t n, cap;
	size_t **via;       /* per task, per pred: its first bend, or -1 */
	size_t ntasks;
	size_t ncols, nrows;
	size_t height;      /* of the tallest column, pads included */
};

static size_t add_slot(struct layout *g, size_t depth)
{
	g->s = xgrow(g->s, &g->cap, g->n + 1, sizeof *g->s);
	memset(&g->s[g->n], 0, sizeof *g->s);
	g->s[g->n].depth = depth;
	return g->n++;
}

static void add_pred(struct slot *s, size_t pred)
{
	s->preds = xgrow(s->preds, &s->cap, s->npreds + 1, sizeof *s->preds);
	s->preds[s->npreds++] = pred;
}

/* The edge u -> task i (its k-th pred): bends in the columns between. */
static void layout_edge(struct layout *g, const struct report *r, size_t i,
			size_t k, size_t *nbends)
{
	size_t u = r->t[i].preds[k], du = r->t[u].depth, di = r->t[i].depth;
	size_t prev = u;
	g->via[i][k] = (size_t)-1;
	if (di > du + 1 && *nbends + (di - du - 1) <= MAX_BENDS) {
		for (size_t d = du + 1; d < di; d++) {
			size_t b = add_slot(g, d);
			if (d == du + 1)
				g->via[i][k] = b;
			add_pred(&g->s[b], prev);
			prev = b;
		}
		*nbends += di - du - 1;
	}
	add_pred(&g->s[i], prev);
}

static const struct layout *slot_ctx;

static int cmp_slot(const void *a, const void *b)
{
	const struct slot *x = &slot_ctx->s[*(const size_t *)a];
	const struct slot *y = &slot_ctx->s[*(const size_t *)b];
	if (x->bary != y->bary)
		return x->bary < y->bary ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Rows, column by column: ordered by the mean row of the slots to the
 * left that lead in (the display order for the first column), which
 * keeps most edges short and uncrossed. */
static void layout_rows(struct layout *g)
{
	size_t *start = xcalloc(g->ncols + 2, sizeof *start);
	size_t *ord = xcalloc(g->n + 1, sizeof *ord);
	for (size_t i = 0; i < g->n; i++)
		start[g->s[i].depth + 1]++;
	for (size_t c = 0; c < g->ncols; c++)
		start[c + 1] += start[c];
	size_t *fill = xcalloc(g->ncols + 1, sizeof *fill);
	for (size_t i = 0; i < g->n; i++)
		ord[start[g->s[i].depth] + fill[g->s[i].depth]++] = i;
	for (size_t c = 0; c < g->ncols; c++) {
		size_t m = start[c + 1] - start[c];
		size_t *col = ord + start[c];
		for (size_t k = 0; k < m; k++) {
			struct slot *s = &g->s[col[k]];
			double sum = 0;
			for (size_t p = 0; p < s->npreds; p++)
				sum += (double)g->s[s->preds[p]].y;
			s->bary = c && s->npreds ? sum / (double)s->npreds +
				(double)col[k] * 1e-9 : (double)col[k];
		}
		slot_ctx = g;
		qsort(col, m, sizeof *col, cmp_slot);
		size_t y = PAD;
		for (size_t k = 0; k < m; k++) {
			/* A bend needs only room for its line. */
			size_t h = col[k] < g->ntasks ? NODE_H : BEND_H;
			g->s[col[k]].row = k;
			g->s[col[k]].y = y + h / 2;
			y += h + ROW_GAP;
		}
		if (m > g->nrows)
			g->nrows = m;
		if (y - ROW_GAP + PAD > g->height)
			g->height = y - ROW_GAP + PAD;
	}
	free(fill);
	free(ord);
	free(start);
}

static void layout_graph(struct layout *g, struct report *r)
{
	memset(g, 0, sizeof *g);
	g->ncols = layout_depths(r);
	g->via = xcalloc(r->n + 1, sizeof *g->via);
	g->ntasks = r->n;
	for (size_t i = 0; i < r->n; i++)
		add_slot(g, r->t[i].depth);
	size_t nbends = 0;
	for (size_t i = 0; i < r->n; i++) {
		g->via[i] = xcalloc(r->t[i].npreds + 1, sizeof **g->via);
		for (size_t k = 0; k < r->t[i].npreds; k++)
			layout_edge(g, r, i, k, &nbends);
	}
	layout_rows(g);
	for (size_t i = 0; i < r->n; i++)
		r->t[i].row = g->s[i].row;
}

static void layout_release(struct layout *g, size_t ntasks)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->s[i].preds);
	for (size_t i = 0; i < ntasks; i++)
		free(g->via[i]);
	free(g->via);
	free(g->s);
}

/* ---- HTML text ----------------------------------------------------------- */

/* Text from anywhere, as HTML text or attribute value: controls made
 * visible, then & < > " ' escaped. */
static void add_html(struct strbuf *out, const char *s, size_t n)
{
	struct strbuf safe = STRBUF_INIT;
	strbuf_add_safe(&safe, s, n, 1);
	for (size_t i = 0; i < safe.len; i++) {
		char c = safe.buf[i];
		switch (c) {
		case '&': strbuf_adds(out, "&amp;"); break;
		case '<': strbuf_adds(out, "&lt;"); break;
		case '>': strbuf_adds(out, "&gt;"); break;
		case '"': strbuf_adds(out, "&quot;"); break;
		case '\'': strbuf_adds(out, "&#39;"); break;
		default: strbuf_addc(out, c);
		}
	}
	strbuf_release(&safe);
}

static void add_htmls(struct strbuf *out, const char *s)
{
	if (s)
		add_html(out, s, strlen(s));
}

/* A state as a class name: "not run" -> "state-not-run"; a byte that
 * is not a letter or digit (a run.json edited by hand) becomes '-'. */
static void add_state_class(struct strbuf *out, const char *state)
{
	strbuf_adds(out, "state-");
	for (const char *p = state; *p; p++) {
		char c = *p;
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9');
		strbuf_addc(out, ok ? c : '-');
	}
}

static void add_duration(struct strbuf *out, double secs)
{
	char d[32];
	format_duration(secs, d);
	strbuf_adds(out, d);
}

/* ---- previews ------------------------------------------------------------ */

struct part {
	char *buf;
	size_t len;
	long long size;   /* the whole file's */
};

/* At most max bytes of a regular file (not a link, not a fifo): the first
 * ones, or with tail the last ones; cut at UTF-8 character boundaries.
 * 0, or -1 with errno set. */
static int read_part(const char *path, size_t max, int tail, struct part *p)
{
	memset(p, 0, sizeof *p);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	p->size = (long long)st.st_size;
	off_t from = tail && st.st_size > (off_t)max ? st.st_size - (off_t)max : 0;
	p->buf = xmalloc(max + 1);
	ssize_t n;
	while (p->len < max &&
	       (n = pread(fd, p->buf + p->len, max - p->len, from + (off_t)p->len)) > 0)
		p->len += (size_t)n;
	close(fd);
	size_t skip = 0;
	if (from)   /* no half character at the start */
		while (skip < p->len && skip < 3 && ((unsigned char)p->buf[skip] & 0xc0) == 0x80)
			skip++;
	memmove(p->buf, p->buf + skip, p->len - skip);
	p->len -= skip;
	if (!tail && p->size > (long long)p->len) {   /* nor at the end */
		size_t k = p->len;
		while (k > 0 && p->len - k < 3 && ((unsigned char)p->buf[k - 1] & 0xc0) == 0x80)
			k--;
		if (k > 0 && ((unsigned char)p->buf[k - 1] & 0xc0) == 0xc0)
			p->len = k - 1;
	}
	return 0;
}

/* <details> with a file's head or tail, or a note why there is none. */
static void add_preview(struct strbuf *out, const char *what, const char *rel,
			const char *path, int tail, int open)
{
	struct part p;
	strbuf_addf(out, "<details class=\"preview %s\"%s><summary>", what,
		    open ? " open" : "");
	strbuf_adds(out, what);
	if (rel) {
		strbuf_adds(out, " <code>");
		add_htmls(out, rel);
		strbuf_adds(out, "</code>");
	}
	if (!path || read_part(path, tail ? REPORT_LOG_TAIL : REPORT_PREVIEW_MAX,
			       tail, &p) < 0) {
		strbuf_adds(out, " (none)</summary></details>\n");
		return;
	}
	strbuf_addf(out, " (%lld bytes", p.size);
	if ((long long)p.len < p.size)
		strbuf_addf(out, "; %s %zu shown", tail ? "last" : "first", p.len);
	strbuf_addf(out, ")</summary><pre class=\"%s\">", what);
	add_html(out, p.buf, p.len);
	strbuf_adds(out, "</pre></details>\n");
	free(p.buf);
}

/* ---- the page ------------------------------------------------------------ */

static const char style[] =
"body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}\n"
"h1{font-size:1.4em;margin:0 0 .3em}h2{font-size:1.15em;margin:1.5em 0 .5em;border-bottom:1px solid #ccc}\n"
"h3{font-size:1em;margin:1.2em 0 .3em}code,pre,.mono{font-family:ui-monospace,monospace}\n"
".scroll{overflow:auto;max-height:80vh;border:1px solid #ddd;background:#fafafa}\n"
"pre{background:#f4f4f4;padding:.5em;overflow:auto;max-height:24em;white-space:pre-wrap;word-break:break-all;margin:.3em 0}\n"
"table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:2px 8px;text-align:left;vertical-align:top}\n"
".badge{display:inline-block;padding:0 .5em;border-radius:.7em;font-size:.85em;border:1px solid}\n"
".counts span,.legend span{margin-right:1em}\n"
".swatch{display:inline-block;width:1em;height:.8em;border:1px solid #555;margin-right:.3em;vertical-align:middle}\n"
".task{border-left:4px solid #999;padding-left:.8em;margin:1em 0}\n"
".reason{white-space:pre-wrap}\n"
"svg text{font:12px ui-monospace,monospace;fill:#222}\n"
"svg .sub{font-size:10px;fill:#555}\n"
".node rect{stroke-width:1.5}\n"
".edge{fill:none;stroke:#888;stroke-width:1.2}\n"
".grid{stroke:#e4e4e4}.retry{stroke:#c62828;stroke-dasharray:3 3}\n"
".state-succeeded rect,.bar-ok{fill:#c8e6c9;stroke:#2e7d32}\n"
".state-failed rect,.bar-failed{fill:#ffcdd2;stroke:#c62828}\n"
".bar-timeout{fill:#ffb74d;stroke:#e65100}\n"
".state-skipped rect{fill:#eeeeee;stroke:#9e9e9e}\n"
".state-running rect,.bar-running{fill:#bbdefb;stroke:#1565c0}\n"
".state-interrupted rect,.bar-interrupted{fill:#ffe0b2;stroke:#ef6c00}\n"
".state-not-run rect{fill:#fff;stroke:#9e9e9e;stroke-dasharray:4 3}\n"
".state-succeeded{border-color:#2e7d32}.state-succeeded .swatch,.swatch.bar-ok{background:#c8e6c9}\n"
".state-failed{border-color:#c62828}.state-failed .swatch,.swatch.bar-failed{background:#ffcdd2}\n"
".swatch.bar-timeout{background:#ffb74d}\n"
".state-skipped{border-color:#9e9e9e}.state-skipped .swatch{background:#eee}\n"
".state-running{border-color:#1565c0}.state-running .swatch,.swatch.bar-running{background:#bbdefb}\n"
".state-interrupted{border-color:#ef6c00}.state-interrupted .swatch,.swatch.bar-interrupted{background:#ffe0b2}\n"
".state-not-run{border-color:#bbb}.state-not-run .swatch{background:#fff}\n"
".badge.state-succeeded{background:#e8f5e9}.badge.state-failed{background:#ffebee}\n"
".badge.state-running{background:#e3f2fd}.badge.state-interrupted{background:#fff3e0}\n"
".att-failed td{background:#fff0f0}.att-timeout td{background:#fff3e0}\n";

static void page_head(struct strbuf *out, const struct rundir *rd)
{
	strbuf_adds(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		    "<meta charset=\"utf-8\">\n"
		    "<meta http-equiv=\"Content-Security-Policy\" content=\""
		    "default-src 'none'; style-src 'unsafe-inline'\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width\">\n"
		    "<title>ork report: run ");
	add_htmls(out, rd->run_id);
	strbuf_adds(out, " of ");
	add_htmls(out, rd->workflow);
	strbuf_addf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", style);
}


static void page_header(struct strbuf *out, const struct report *r,
			const cJSON *run)
{
	const char *state = run_state(run);
	strbuf_adds(out, "<header>\n<h1>run <span class=\"mono\">");
	add_htmls(out, r->rd->run_id);
	strbuf_adds(out, "</span> of <span class=\"mono\">");
	add_htmls(out, r->rd->workflow);
	strbuf_adds(out, "</span> <span id=\"run-state\" class=\"badge ");
	add_state_class(out, state);
	strbuf_adds(out, "\">");
	add_htmls(out, state);
	strbuf_addf(out, "</span></h1>\n<p>invocation %d",
		    (int)jsonx_get_number(run, "invocation", 0));
	const char *started = jsonx_get_string(run, "started");
	double t0, t1;
	if (started) {
		strbuf_adds(out, ", started ");
		add_htmls(out, started);
	}
	if (!parse_time(started, &t0) &&
	    !parse_time(jsonx_get_string(run, "finished"), &t1)) {
		strbuf_adds(out, ", took ");
		add_duration(out, t1 - t0);
	}
	strbuf_adds(out, "<br>directory <code>");
	add_htmls(out, r->rd->path);
	strbuf_adds(out, "</code></p>\n<p class=\"counts\">");
	for (size_t s = 0; s < sizeof states / sizeof *states; s++) {
		size_t c = 0;
		for (size_t i = 0; i < r->n; i++)
			c += !strcmp(r->t[i].state, states[s]);
		if (!c)
			continue;
		strbuf_adds(out, "<span class=\"");
		add_state_class(out, states[s]);
		strbuf_addf(out, "\"><span class=\"swatch\"></span>%zu %s</span>",
			    c, states[s]);
	}
	strbuf_addf(out, "<span>%zu tasks</span></p>\n</header>\n", r->n);
}

/* ---- the graph ----------------------------------------------------------- */


static size_t node_width(const struct report *r)
{
	size_t w = 180;   /* room for "succeeded, 10 attempts" */
	for (size_t i = 0; i < r->n; i++) {
		size_t len = strlen(r->t[i].name);
		size_t want = (len > 40 ? 40 : len) * 8 + 20;
		if (want > w)
			w = want;
	}
	return w;
}

static void slot_xy(const struct slot *s, size_t w, size_t *x, size_t *y)
{
	*x = PAD + s->depth * (w + COL_GAP);
	*y = s->y;
}

/* A curve from (x1, y1) right to (x2, y2), level at both ends. */
static void add_curve(struct strbuf *out, size_t x1, size_t y1, size_t x2,
		      size_t y2)
{
	double xm = ((double)x1 + (double)x2) / 2;
	strbuf_addf(out, " C%.1f %zu %.1f %zu %zu %zu", xm, y1, xm, y2, x2, y2);
}

/* Each edge from the right of its upstream task to the left of its task,
 * straight through the bends in the columns between. */
static void graph_edges(struct strbuf *out, const struct report *r,
			const struct layout *g, size_t w)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct rtask *t = &r->t[i];
		for (size_t k = 0; k < t->npreds; k++) {
			size_t x, y, x2, y2;
			slot_xy(&g->s[t->preds[k]], w, &x, &y);
			strbuf_addf(out, "<path class=\"edge\" data-from=\"%s\" "
				    "data-to=\"%s\" d=\"M%zu %zu", r->t[t->preds[k]].name,
				    t->name, x + w, y);
			x += w;
			size_t b0 = g->via[i][k];
			size_t nb = b0 == (size_t)-1 ? 0 :
				t->depth - r->t[t->preds[k]].depth - 1;
			for (size_t b = b0; b < b0 + nb; b++) {
				slot_xy(&g->s[b], w, &x2, &y2);
				add_curve(out, x, y, x2, y2);
				x = x2 + w;
				y = y2;
				strbuf_addf(out, " L%zu %zu", x, y);
			}
			slot_xy(&g->s[i], w, &x2, &y2);
			add_curve(out, x, y, x2 - 2, y2);
			strbuf_adds(out, "\" marker-end=\"url(#arrow)\"/>\n");
		}
	}
}

static void graph_node(struct strbuf *out, const struct rtask *t,
		       const struct slot *s, size_t w)
{
	size_t x, y;
	slot_xy(s, w, &x, &y);
	y -= NODE_H / 2;
	strbuf_addf(out, "<a href=\"#task-%s\"><g class=\"node ", t->name);
	add_state_class(out, t->state);
	strbuf_addf(out, "\" id=\"node-%s\" data-state=\"%s\"><title>%s: %s",
		    t->name, t->state, t->name, t->state);
	if (t->th && t->th->reason && *t->th->reason && !t->th->open) {
		strbuf_adds(out, " (");
		add_htmls(out, t->th->reason);
		strbuf_adds(out, ")");
	}
	strbuf_addf(out, "</title><rect x=\"%zu\" y=\"%zu\" width=\"%zu\" "
		    "height=\"%d\" rx=\"6\"/>", x, y, w, NODE_H);
	size_t len = strlen(t->name);
	strbuf_addf(out, "<text x=\"%zu\" y=\"%zu\">%.*s%s</text>", x + 8, y + 16,
		    (int)(len > 40 ? 38 : len), t->name, len > 40 ? "\xe2\x80\xa6" : "");
	strbuf_addf(out, "<text class=\"sub\" x=\"%zu\" y=\"%zu\">%s", x + 8,
		    y + 31, t->state);
	if (t->th && t->th->attempts > 1)
		strbuf_addf(out, ", %d attempts", t->th->attempts);
	strbuf_adds(out, "</text></g></a>\n");
}

static void page_graph(struct strbuf *out, struct report *r)
{
	struct layout g;
	layout_graph(&g, r);
	size_t w = node_width(r);
	size_t width = 2 * PAD + (g.ncols ? g.ncols * (w + COL_GAP) - COL_GAP : 0);
	size_t height = g.height > 2 * PAD ? g.height : 2 * PAD;
	strbuf_addf(out, "<section id=\"graph\">\n<h2>Graph</h2>\n"
		    "<div class=\"scroll\"><svg xmlns=\"http://www.w3.org/2000/svg\" "
		    "width=\"%zu\" height=\"%zu\" viewBox=\"0 0 %zu %zu\">\n"
		    "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" "
		    "refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">"
		    "<path d=\"M0 0L10 5L0 10z\" fill=\"#888\"/></marker></defs>\n",
		    width, height, width, height);
	graph_edges(out, r, &g, w);
	for (size_t i = 0; i < r->n; i++)
		graph_node(out, &r->t[i], &g.s[i], w);
	strbuf_adds(out, "</svg></div>\n</section>\n");
	layout_release(&g, r->n);
}

/* ---- the timeline -------------------------------------------------------- */

#define GANTT_W 900
#define LABEL_W 170
#define BAR_H 16
#define LANE_H 24
#define AXIS_H 22

static const char *attempt_class(const struct rtask *t, const struct rattempt *a,
				 size_t k)
{
	if (!a->ended)
		return !strcmp(t->state, "running") && k + 1 == t->natt ?
			"running" : "interrupted";
	if (a->ok)
		return "ok";
	return a->timeout ? "timeout" : "failed";
}

/* "exit 3", "signal 9", "timed out after 1s", "running" */
static void add_result(struct strbuf *out, const struct rtask *t,
		       const struct rattempt *a, size_t k)
{
	const char *cls = attempt_class(t, a, k);
	if (!a->ended || a->ok) {
		strbuf_adds(out, !a->ended ? cls : "succeeded");
		return;
	}
	if (a->timeout)
		add_htmls(out, a->reason);
	else if (a->signal)
		strbuf_addf(out, "signal %d", a->signal);
	else if (a->exit_code >= 0)
		strbuf_addf(out, "exit %d", a->exit_code);
	else
		strbuf_adds(out, "failed");
}

/* A step of 1, 2 or 5 times a power of ten giving at most ~8 ticks. */
static double tick_step(double span)
{
	double raw = span / 8, p = 1e-3;
	while (p * 10 <= raw)
		p *= 10;
	return raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p : 10 * p;
}

static void gantt_axis(struct strbuf *out, double span, double scale,
		       size_t height)
{
	double step = tick_step(span);
	for (int k = 0; k * step <= span + 1e-9 && k < 100; k++) {
		double x = LABEL_W + k * step * scale;
		strbuf_addf(out, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" "
			    "x2=\"%.1f\" y2=\"%zu\"/><text class=\"sub\" x=\"%.1f\" "
			    "y=\"14\">+", x, AXIS_H - 4, x, height, x + 2);
		add_duration(out, k * step);
		strbuf_adds(out, "</text>\n");
	}
}

static void gantt_bar(struct strbuf *out, const struct rtask *t, size_t k,
		      double t0, double scale, double y)
{
	const struct rattempt *a = &t->att[k];
	double x = LABEL_W + (a->t0 - t0) * scale;
	double w = (a->t1 - a->t0) * scale;
	if (w < 3)
		w = 3;
	const char *cls = attempt_class(t, a, k);
	strbuf_addf(out, "<rect class=\"bar bar-%s\" id=\"bar-%s-%d-%d\" "
		    "data-task=\"%s\" data-attempt=\"%d\" x=\"%.1f\" y=\"%.1f\" "
		    "width=\"%.1f\" height=\"%d\" rx=\"2\"><title>%s attempt %d: ",
		    cls, t->name, a->inv, a->attempt, t->name, a->attempt, x, y,
		    w, BAR_H, t->name, a->attempt);
	add_result(out, t, a, k);
	strbuf_adds(out, ", ");
	add_duration(out, a->t1 - a->t0);
	strbuf_adds(out, "</title></rect>");
	if (a->timeout)
		strbuf_addf(out, "<text class=\"sub\" x=\"%.1f\" y=\"%.1f\">"
			    "timeout</text>", x + w + 3, y + 12);
	else if (a->attempt > 1 || (a->ended && !a->ok))
		strbuf_addf(out, "<text class=\"sub\" x=\"%.1f\" y=\"%.1f\">"
			    "#%d</text>", x + w + 3, y + 12, a->attempt);
}

/* One row: every attempt of t in invocation inv, the waits between
 * them drawn as dashed lines.  t0 is the invocation's start. */
static void gantt_row(struct strbuf *out, const struct rtask *t, int inv,
		      double t0, double scale, size_t row)
{
	double y = AXIS_H + (double)row * LANE_H + (LANE_H - BAR_H) / 2.0;
	strbuf_addf(out, "<g class=\"lane\" data-task=\"%s\"><text x=\"4\" "
		    "y=\"%.1f\">%.*s</text>", t->name, y + 12, 20, t->name);
	const struct rattempt *prev = NULL;
	for (size_t k = 0; k < t->natt; k++) {
		const struct rattempt *a = &t->att[k];
		if (a->inv != inv)
			continue;
		if (prev)
			strbuf_addf(out, "<line class=\"retry\" x1=\"%.1f\" y1=\"%.1f\" "
				    "x2=\"%.1f\" y2=\"%.1f\"/>",
				    LABEL_W + (prev->t1 - t0) * scale, y + BAR_H / 2.0,
				    LABEL_W + (a->t0 - t0) * scale, y + BAR_H / 2.0);
		gantt_bar(out, t, k, t0, scale, y);
		prev = a;
	}
	strbuf_adds(out, "</g>\n");
}

static int has_inv(const struct rtask *t, int inv, double *t0, double *t1)
{
	int any = 0;
	for (size_t k = 0; k < t->natt; k++) {
		const struct rattempt *a = &t->att[k];
		if (a->inv != inv)
			continue;
		if (!any || a->t0 < *t0)
			*t0 = a->t0;
		if (!any || a->t1 > *t1)
			*t1 = a->t1;
		any = 1;
	}
	return any;
}

static void gantt_invocation(struct strbuf *out, const struct report *r, int inv)
{
	double t0 = 0, t1 = 0;
	size_t rows = 0;
	for (size_t i = 0; i < r->n; i++) {
		double a = 0, b = 0;
		if (!has_inv(&r->t[i], inv, &a, &b))
			continue;
		if (!rows || a < t0)
			t0 = a;
		if (!rows || b > t1)
			t1 = b;
		rows++;
	}
	if (!rows)
		return;
	double span = t1 - t0 > 0.01 ? t1 - t0 : 0.01;
	double scale = GANTT_W / span;
	size_t height = AXIS_H + rows * LANE_H + 4;
	strbuf_addf(out, "<h3>invocation %d (", inv);
	add_duration(out, t1 - t0);
	strbuf_addf(out, ")</h3>\n<div class=\"scroll\"><svg class=\"gantt\" "
		    "id=\"gantt-%d\" xmlns=\"http://www.w3.org/2000/svg\" "
		    "width=\"%d\" height=\"%zu\">\n", inv, LABEL_W + GANTT_W + 80,
		    height);
	gantt_axis(out, span, scale, height);
	size_t row = 0;
	for (size_t i = 0; i < r->n; i++) {
		double a, b;
		if (has_inv(&r->t[i], inv, &a, &b))
			gantt_row(out, &r->t[i], inv, t0, scale, row++);
	}
	strbuf_adds(out, "</svg></div>\n");
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return x < y ? -1 : x > y;
}

static void page_timeline(struct strbuf *out, const struct report *r)
{
	int *invs = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < r->n; i++)
		for (size_t k = 0; k < r->t[i].natt; k++) {
			invs = xgrow(invs, &cap, n + 1, sizeof *invs);
			invs[n++] = r->t[i].att[k].inv;
		}
	strbuf_adds(out, "<section id=\"timeline\">\n<h2>Timeline</h2>\n"
		    "<p class=\"legend\"><span><span class=\"swatch bar-ok\"></span>"
		    "succeeded</span><span><span class=\"swatch bar-failed\"></span>"
		    "failed</span><span><span class=\"swatch bar-timeout\"></span>"
		    "timed out</span><span><span class=\"swatch bar-running\"></span>"
		    "running</span><span><span class=\"swatch bar-interrupted\">"
		    "</span>interrupted</span><span>- - - wait before a retry</span></p>\n");
	if (!n)
		strbuf_adds(out, "<p>No attempts yet.</p>\n");
	if (n)
		qsort(invs, n, sizeof *invs, cmp_int);
	for (size_t i = 0; i < n; i++)
		if (!i || invs[i] != invs[i - 1])
			gantt_invocation(out, r, invs[i]);
	strbuf_adds(out, "</section>\n");
	free(invs);
}

/* ---- the tasks ----------------------------------------------------------- */

static void task_attempts(struct strbuf *out, const struct rtask *t)
{
	if (!t->natt)
		return;
	strbuf_adds(out, "<table class=\"attempts\"><tr><th>invocation</th>"
		    "<th>attempt</th><th>started</th><th>duration</th>"
		    "<th>result</th><th>reason</th></tr>\n");
	for (size_t k = 0; k < t->natt; k++) {
		const struct rattempt *a = &t->att[k];
		char when[32];
		format_time(a->t0, when);
		strbuf_addf(out, "<tr class=\"att-%s\"><td>%d</td><td>%d</td>"
			    "<td>%s</td><td>", attempt_class(t, a, k), a->inv,
			    a->attempt, when);
		add_duration(out, a->t1 - a->t0);
		strbuf_adds(out, "</td><td>");
		add_result(out, t, a, k);
		strbuf_adds(out, "</td><td class=\"reason\">");
		add_htmls(out, a->reason);
		if (a->details) {
			size_t len = strlen(a->details);
			strbuf_adds(out, "<pre class=\"details\">");
			add_html(out, a->details, len > REPORT_PREVIEW_MAX ?
				 REPORT_PREVIEW_MAX : len);
			strbuf_adds(out, len > REPORT_PREVIEW_MAX ? "...</pre>" : "</pre>");
		}
		strbuf_adds(out, "</td></tr>\n");
	}
	strbuf_adds(out, "</table>\n");
}

static void task_meta(struct strbuf *out, const struct rtask *t)
{
	const struct task_hist *th = t->th;
	if (th && th->reason && *th->reason && !th->open) {
		strbuf_adds(out, "<p class=\"reason\">");
		add_htmls(out, th->reason);
		strbuf_adds(out, "</p>\n");
	}
	strbuf_adds(out, "<p>");
	if (t->ndeps) {
		strbuf_adds(out, "upstream:");
		for (size_t d = 0; d < t->ndeps; d++)
			strbuf_addf(out, " <a href=\"#task-%s\">%s</a>", t->deps[d],
				    t->deps[d]);
		strbuf_adds(out, "; ");
	}
	if (th && th->state && !th->open) {
		strbuf_addf(out, "%d attempt%s, took ", th->attempts,
			    th->attempts == 1 ? "" : "s");
		add_duration(out, th->duration);
		strbuf_adds(out, "; key <code>");
		add_htmls(out, th->key);
		strbuf_adds(out, "</code>");
	}
	strbuf_adds(out, "</p>\n");
}

static void page_task(struct strbuf *out, const struct report *r,
		      const struct rtask *t)
{
	strbuf_addf(out, "<section class=\"task ");
	add_state_class(out, t->state);
	strbuf_addf(out, "\" id=\"task-%s\">\n<h3>%s <span class=\"badge ",
		    t->name, t->name);
	add_state_class(out, t->state);
	strbuf_addf(out, "\">%s</span></h3>\n", t->state);
	task_meta(out, t);
	task_attempts(out, t);
	char *in = rundir_file(r->rd, "%s.input.json", t->name);
	add_preview(out, "input", NULL, in, 0, 0);
	free(in);
	char *outf = NULL;
	if (t->th && t->th->key && !strcmp(t->state, "succeeded") &&
	    only_chars(t->th->key, "0123456789abcdef"))
		outf = rundir_file(r->rd, "%s.%s.json", t->name, t->th->key);
	add_preview(out, "output", NULL, outf, 0, 0);
	free(outf);
	const char *log = t->natt ? t->att[t->natt - 1].log : NULL;
	char *logf = log ? rundir_file(r->rd, "%s", log) : NULL;
	int bad = strcmp(t->state, "succeeded") && strcmp(t->state, "skipped");
	add_preview(out, "log", log, logf, 1, bad);
	free(logf);
	strbuf_adds(out, "</section>\n");
}

int report_html(struct strbuf *out, const struct rundir *rd, const cJSON *run,
		const struct history *h, const char *const *tasks,
		size_t ntasks)
{
	struct report r;
	if (report_load(&r, rd, h, tasks, ntasks) < 0) {
		int e = errno;
		report_release(&r);
		errno = e;
		return -1;
	}
	page_head(out, rd);
	page_header(out, &r, run);
	page_graph(out, &r);
	page_timeline(out, &r);
	strbuf_adds(out, "<section id=\"tasks\">\n<h2>Tasks</h2>\n");
	for (size_t i = 0; i < r.n; i++)
		page_task(out, &r, &r.t[i]);
	char now[32];
	format_time(r.now, now);
	strbuf_addf(out, "</section>\n<footer><p>ork %s, %s</p></footer>\n"
		    "</body>\n</html>\n", PACKAGE_VERSION, now);
	report_release(&r);
	return 0;
}
