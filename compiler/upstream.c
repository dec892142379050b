/* upstream: see upstream.h. */
#include "upstream.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void upstream_init(struct upstream *up, const struct workflow *wf,
		   const size_t *order, size_t norder)
{
	size_t n = wf->ntasks;
	memset(up, 0, sizeof *up);
	up->wf = wf;
	up->rank = xcalloc(n + 1, sizeof *up->rank);
	up->mark = xcalloc(n + 1, sizeof *up->mark);
	up->stack = xcalloc(n + 1, sizeof *up->stack);
	up->acyclic = norder == n;
	for (size_t k = 0; k < norder; k++)
		up->rank[order[k]] = k;
	up->from = DEP_UNRESOLVED;
}

/* Mark everything upstream of i whose rank is at least bound. */
static void search(struct upstream *up, size_t i, size_t bound)
{
	const struct workflow *wf = up->wf;
	if (++up->gen == 0) {   /* wrapped: old marks could look current */
		memset(up->mark, 0, wf->ntasks * sizeof *up->mark);
		up->gen = 1;
	}
	up->from = i;
	up->bound = bound;
	size_t top = 0;
	up->stack[top++] = i;
	while (top) {
		const struct task *t = &wf->tasks[up->stack[--top]];
		for (size_t k = 0; k < t->ndeps; k++) {
			size_t w = t->deps[k].task;
			if (w == DEP_UNRESOLVED || up->mark[w] == up->gen ||
			    up->rank[w] < bound)
				continue;
			up->mark[w] = up->gen;
			up->stack[top++] = w;
		}
	}
}

int upstream_has(struct upstream *up, size_t u, size_t i)
{
	if (u == i)
		return 0;
	const struct task *t = &up->wf->tasks[i];
	for (size_t k = 0; k < t->ndeps; k++)
		if (t->deps[k].task == u)
			return 1;
	if (up->acyclic && up->rank[u] >= up->rank[i])
		return 0;
	size_t bound = up->acyclic ? up->rank[u] : 0;
	if (up->from != i || bound < up->bound)
		search(up, i, bound);
	return up->mark[u] == up->gen;
}

void upstream_release(struct upstream *up)
{
	free(up->rank);
	free(up->mark);
	free(up->stack);
	memset(up, 0, sizeof *up);
}
