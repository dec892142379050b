/* plan: see plan.h. */
#include "plan.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "specwrite.h"
#include "util.h"

/* ---- dependencies ------------------------------------------------------- */

/* 1 (and an error) when an earlier entry of t's depends_on has the same
 * name as entry j. */
static int listed_before(struct diag *d, const struct task *t, size_t j)
{
	for (size_t k = 0; k < j; k++) {
		if (strcmp(t->deps[k].name, t->deps[j].name))
			continue;
		diag_error(d, t->deps[j].pos, "'%s' is listed twice in "
			   "depends_on", t->deps[j].name);
		diag_note(d, t->deps[k].pos, "'%s' was first listed here",
			  t->deps[k].name);
		return 1;
	}
	return 0;
}

/* Point each dep at its task; a bad dep stays DEP_UNRESOLVED and takes no
 * part in the graph, so one typo does not also show up as a cycle. */
static void resolve_deps(const struct workflow *wf, struct diag *d)
{
	for (size_t i = 0; i < wf->ntasks; i++) {
		const struct task *t = &wf->tasks[i];
		for (size_t j = 0; j < t->ndeps; j++) {
			struct dep *dep = &t->deps[j];
			long u = workflow_find_task(wf, dep->name);
			dep->task = DEP_UNRESOLVED;
			if (u < 0) {
				const char *near = closest_match(dep->name, wf->names);
				if (near)
					diag_error(d, dep->pos, "unknown task '%s' in "
						   "depends_on; did you mean '%s'?",
						   dep->name, near);
				else
					diag_error(d, dep->pos, "unknown task '%s' in "
						   "depends_on", dep->name);
			} else if ((size_t)u == i) {
				diag_error(d, dep->pos, "task '%s' depends on itself",
					   t->name);
			} else if (!listed_before(d, t, j)) {
				dep->task = (size_t)u;
			}
		}
	}
}

static void build_downstream(struct plan *p)
{
	const struct workflow *wf = p->wf;
	size_t n = wf->ntasks, total = 0;
	p->downstream = xcalloc(n ? n : 1, sizeof *p->downstream);
	p->ndownstream = xcalloc(n ? n : 1, sizeof *p->ndownstream);
	/* Count first, then fill one block (downstream[0] owns it): one
	 * allocation instead of one per task with dependents. */
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < wf->tasks[i].ndeps; j++)
			if (wf->tasks[i].deps[j].task != DEP_UNRESOLVED) {
				p->ndownstream[wf->tasks[i].deps[j].task]++;
				total++;
			}
	size_t *block = xmalloc((total ? total : 1) * sizeof *block);
	for (size_t u = 0, at = 0; u < n; u++) {
		p->downstream[u] = block + at;
		at += p->ndownstream[u];
		p->ndownstream[u] = 0;
	}
	if (!n)
		p->downstream[0] = block;
	/* Walking dependents in file order keeps each list in file order. */
	for (size_t i = 0; i < n; i++) {
		const struct task *t = &wf->tasks[i];
		for (size_t j = 0; j < t->ndeps; j++) {
			size_t u = t->deps[j].task;
			if (u != DEP_UNRESOLVED)
				p->downstream[u][p->ndownstream[u]++] = i;
		}
	}
}

/* ---- order -------------------------------------------------------------- */

/* A min-heap of task indices: among ready tasks, the first in the file
 * runs first, which keeps the order (and every artifact) deterministic. */
struct heap {
	size_t *v;
	size_t n;
};

static void heap_push(struct heap *h, size_t x)
{
	size_t i = h->n++;
	while (i > 0 && h->v[(i - 1) / 2] > x) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = x;
}

static size_t heap_pop(struct heap *h)
{
	size_t top = h->v[0], last = h->v[--h->n], i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->v[c + 1] < h->v[c])
			c++;
		if (last <= h->v[c])
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = last;
	return top;
}

static size_t count_resolved(const struct task *t)
{
	size_t n = 0;
	for (size_t j = 0; j < t->ndeps; j++)
		n += t->deps[j].task != DEP_UNRESOLVED;
	return n;
}

/* Kahn's algorithm.  Returns how many tasks got a place; the rest are on
 * or behind a cycle, and done[] tells which is which. */
static size_t topo_order(struct plan *p, unsigned char *done)
{
	const struct workflow *wf = p->wf;
	size_t n = wf->ntasks, nordered = 0;
	size_t *indeg = xcalloc(n, sizeof *indeg);
	struct heap h = { xcalloc(n, sizeof *h.v), 0 };
	p->order = xcalloc(n, sizeof *p->order);
	for (size_t i = 0; i < n; i++)
		if ((indeg[i] = count_resolved(&wf->tasks[i])) == 0)
			heap_push(&h, i);
	while (h.n) {
		size_t u = heap_pop(&h);
		p->order[nordered++] = u;
		done[u] = 1;
		for (size_t k = 0; k < p->ndownstream[u]; k++)
			if (--indeg[p->downstream[u][k]] == 0)
				heap_push(&h, p->downstream[u][k]);
	}
	free(indeg);
	free(h.v);
	return nordered;
}

/* ---- cycles ------------------------------------------------------------- */

/* Mark what s reaches through deps (dir 0) or dependents (dir 1), among
 * tasks not ordered. */
static void reach(const struct plan *p, size_t s, int dir,
		  const unsigned char *done, unsigned char *seen)
{
	size_t n = p->wf->ntasks, *stack = xcalloc(n, sizeof *stack), top = 0;
	memset(seen, 0, n);
	seen[s] = 1;
	stack[top++] = s;
	while (top) {
		size_t u = stack[--top];
		const struct task *t = &p->wf->tasks[u];
		size_t m = dir ? p->ndownstream[u] : t->ndeps;
		for (size_t k = 0; k < m; k++) {
			size_t w = dir ? p->downstream[u][k] : t->deps[k].task;
			if (w == DEP_UNRESOLVED || done[w] || seen[w])
				continue;
			seen[w] = 1;
			stack[top++] = w;
		}
	}
	free(stack);
}

/* The shortest cycle through s, breadth first along depends_on; its tasks
 * go to path (s first), and the length is returned (0: none). */
static size_t shortest_cycle(const struct plan *p, size_t s,
			     const unsigned char *done, size_t *path)
{
	size_t n = p->wf->ntasks, head = 0, tail = 0, found = DEP_UNRESOLVED;
	size_t *queue = xcalloc(n, sizeof *queue);
	size_t *parent = xcalloc(n, sizeof *parent);
	unsigned char *seen = xcalloc(n, 1);
	queue[tail++] = s;
	seen[s] = 1;
	while (head < tail && found == DEP_UNRESOLVED) {
		size_t u = queue[head++];
		const struct task *t = &p->wf->tasks[u];
		for (size_t k = 0; k < t->ndeps; k++) {
			size_t w = t->deps[k].task;
			if (w == s) {
				found = u;
				break;
			}
			if (w == DEP_UNRESOLVED || done[w] || seen[w])
				continue;
			seen[w] = 1;
			parent[w] = u;
			queue[tail++] = w;
		}
	}
	size_t len = 0;
	if (found != DEP_UNRESOLVED) {
		for (size_t u = found; u != s; u = parent[u])
			path[len++] = u;
		path[len++] = s;
		for (size_t i = 0; i < len / 2; i++) {
			size_t tmp = path[i];
			path[i] = path[len - 1 - i];
			path[len - 1 - i] = tmp;
		}
	}
	free(queue);
	free(parent);
	free(seen);
	return len;
}

/* One error per strongly connected knot of tasks, at its first task in
 * the file, showing its shortest cycle: the same cycle is never reported
 * from each of its members. */
static void report_cycles(const struct plan *p, const unsigned char *done,
			  struct diag *d)
{
	size_t n = p->wf->ntasks;
	unsigned char *handled = xmalloc(n), *fwd = xmalloc(n), *bwd = xmalloc(n);
	size_t *path = xcalloc(n, sizeof *path);
	memcpy(handled, done, n);
	for (size_t s = 0; s < n; s++) {
		if (handled[s])
			continue;
		size_t len = shortest_cycle(p, s, done, path);
		if (len == 0) {
			handled[s] = 1;   /* only downstream of a cycle */
			continue;
		}
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < len; i++)
			strbuf_addf(&sb, "%s -> ", p->wf->tasks[path[i]].name);
		strbuf_adds(&sb, p->wf->tasks[s].name);
		diag_error(d, p->wf->tasks[s].pos, "dependency cycle: %s",
			   strbuf_str(&sb));
		strbuf_release(&sb);
		reach(p, s, 0, done, fwd);
		reach(p, s, 1, done, bwd);
		for (size_t i = 0; i < n; i++)
			if (fwd[i] && bwd[i])
				handled[i] = 1;
	}
	free(handled);
	free(fwd);
	free(bwd);
	free(path);
}

/* ---- what expressions read --------------------------------------------- */

static void add_ref(struct plan *p, size_t i, size_t u, size_t *cap,
		    size_t *seen)
{
	if (u == EXREF_NONE || seen[u] == i + 1)
		return;
	seen[u] = i + 1;
	p->refs[i] = xgrow(p->refs[i], cap, p->nrefs[i] + 1, sizeof **p->refs);
	p->refs[i][p->nrefs[i]++] = u;
}

/* Per task, the tasks its expressions read (found by the check pass):
 * `inputs:` refs, then templates and `when` in file order, each once. */
static void collect_refs(struct plan *p)
{
	const struct workflow *wf = p->wf;
	size_t n = wf->ntasks;
	size_t *seen = xcalloc(n + 1, sizeof *seen);
	p->refs = xcalloc(n + 1, sizeof *p->refs);
	p->nrefs = xcalloc(n + 1, sizeof *p->nrefs);
	for (size_t i = 0; i < n; i++) {
		const struct task *t = &wf->tasks[i];
		size_t cap = 0;
		for (size_t k = 0; k < t->ninputs; k++)
			add_ref(p, i, t->inputs[k].task, &cap, seen);
		for (size_t k = 0; k < t->refs.n; k++)
			if (t->refs.v[k].root == ROOT_TASK)
				add_ref(p, i, t->refs.v[k].task, &cap, seen);
	}
	free(seen);
}

/* ---- keys ---------------------------------------------------------------- */

/* In dependency order: a key covers its upstream keys (specwrite.h).
 * Tasks on a cycle (an error already) get theirs after the rest. */
static void compute_keys(struct plan *p)
{
	size_t n = p->wf->ntasks;
	unsigned char *done = xcalloc(n + 1, 1);
	p->keys = xcalloc(n + 1, sizeof *p->keys);
	p->defining = xcalloc(n + 1, sizeof *p->defining);
	for (size_t k = 0; k < p->norder; k++) {
		size_t i = p->order[k];
		spec_key(p, i, p->keys[i], &p->defs, &p->defining[i]);
		done[i] = 1;
	}
	for (size_t i = 0; i < n; i++)
		if (!done[i])
			spec_key(p, i, p->keys[i], &p->defs, &p->defining[i]);
	free(done);
}

/* ---- the plan ----------------------------------------------------------- */

int plan_build(const struct workflow *wf, struct diag *d, struct plan *p)
{
	unsigned before = d->nerrors;
	memset(p, 0, sizeof *p);
	p->wf = wf;
	resolve_deps(wf, d);
	build_downstream(p);
	unsigned char *done = xcalloc(wf->ntasks ? wf->ntasks : 1, 1);
	size_t norder = topo_order(p, done);
	p->norder = norder;
	if (norder < wf->ntasks)
		report_cycles(p, done, d);
	free(done);
	upstream_init(&p->up, wf, p->order, norder);
	check_plan(wf, &p->up, d);
	collect_refs(p);
	compute_keys(p);
	return (int)(d->nerrors - before);
}

void plan_release(struct plan *p)
{
	if (p->downstream)
		free(p->downstream[0]);   /* the block of every list */
	free(p->downstream);
	free(p->ndownstream);
	if (p->refs)
		for (size_t i = 0; i < p->wf->ntasks; i++)
			free(p->refs[i]);
	free(p->refs);
	free(p->nrefs);
	upstream_release(&p->up);
	free(p->order);
	free(p->keys);
	strbuf_release(&p->defs);
	free(p->defining);
	memset(p, 0, sizeof *p);
}
