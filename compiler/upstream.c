/* upstream: see upstream.h. */
#include "upstream.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

enum { ST_YES = 1, ST_NO = 2 };

void upstream_init(struct upstream *up, const struct workflow *wf,
		   const size_t *order, size_t norder)
{
	size_t n = wf->ntasks;
	memset(up, 0, sizeof *up);
	up->wf = wf;
	up->rank = xcalloc(n + 1, sizeof *up->rank);
	up->acyclic = norder == n;
	for (size_t k = 0; k < norder; k++)
		up->rank[order[k]] = k;
	up->stack = xcalloc(n + 1, sizeof *up->stack);
	up->next = xcalloc(n + 1, sizeof *up->next);
	for (size_t s = 0; s < UPSTREAM_SLOTS; s++)
		up->slot[s].target = DEP_UNRESOLVED;
}

/* A fresh generation number: marks from before mean nothing. */
static unsigned next_gen(struct upstream *up)
{
	if (++up->gen == 0) {   /* wrapped: old marks could look current */
		for (size_t s = 0; s < UPSTREAM_SLOTS; s++) {
			if (up->slot[s].mark)
				memset(up->slot[s].mark, 0,
				       up->wf->ntasks * sizeof *up->slot[s].mark);
			up->slot[s].target = DEP_UNRESOLVED;
		}
		up->gen = 1;
	}
	return up->gen;
}

/* The slot remembering answers for target u: its own, or the one used
 * longest ago, taken over. */
static struct upstream_slot *slot_for(struct upstream *up, size_t u)
{
	struct upstream_slot *old = &up->slot[0];
	for (size_t s = 0; s < UPSTREAM_SLOTS; s++) {
		struct upstream_slot *sl = &up->slot[s];
		if (sl->target == u) {
			sl->used = ++up->clock;
			return sl;
		}
		if (sl->used < old->used)
			old = sl;
	}
	if (!old->mark) {
		old->mark = xcalloc(up->wf->ntasks + 1, sizeof *old->mark);
		old->state = xcalloc(up->wf->ntasks + 1, 1);
	}
	old->target = u;
	old->gen = next_gen(up);
	old->used = ++up->clock;
	return old;
}

/* The state of w for the slot's target: ST_YES, ST_NO, or 0 (unknown). */
static int known(const struct upstream_slot *sl, size_t w)
{
	return sl->mark[w] == sl->gen ? sl->state[w] : 0;
}

static void set(struct upstream_slot *sl, size_t w, int st)
{
	sl->mark[w] = sl->gen;
	sl->state[w] = (unsigned char)st;
}

/* Whether i reaches the slot's target along depends_on, deciding (and
 * remembering) the same for every task the walk finishes.  Depth first,
 * with an explicit stack: next[w] is w's next dependency to look at. */
static int reaches(struct upstream *up, struct upstream_slot *sl, size_t i)
{
	const struct workflow *wf = up->wf;
	size_t u = sl->target, bound = up->rank[u], top = 0;
	up->stack[top++] = i;
	up->next[i] = 0;
	while (top) {
		size_t w = up->stack[top - 1];
		const struct task *t = &wf->tasks[w];
		int st = 0;
		while (!st && up->next[w] < t->ndeps) {
			size_t d = t->deps[up->next[w]++].task;
			if (d == DEP_UNRESOLVED || up->rank[d] < bound)
				continue;   /* placed before u: cannot lead to it */
			if (d == u || known(sl, d) == ST_YES)
				st = ST_YES;
			else if (!known(sl, d)) {
				up->next[d] = 0;
				up->stack[top++] = d;
				break;
			}
		}
		if (top && up->stack[top - 1] != w)
			continue;   /* went down into a dependency */
		if (!st)
			st = ST_NO;
		set(sl, w, st);
		top--;
		/* A yes answers every task on the path above at once. */
		if (st == ST_YES)
			while (top)
				set(sl, up->stack[--top], ST_YES);
	}
	return known(sl, i) == ST_YES;
}

/* In a graph with a cycle the order, and with it the pruning and the
 * memo, do not hold: a plain search, marking what it visited. */
static int search_cyclic(struct upstream *up, size_t u, size_t i)
{
	const struct workflow *wf = up->wf;
	struct upstream_slot *sl = slot_for(up, DEP_UNRESOLVED - 1);
	sl->gen = next_gen(up);
	size_t top = 0;
	up->stack[top++] = i;
	while (top) {
		const struct task *t = &wf->tasks[up->stack[--top]];
		for (size_t k = 0; k < t->ndeps; k++) {
			size_t w = t->deps[k].task;
			if (w == DEP_UNRESOLVED || known(sl, w))
				continue;
			if (w == u)
				return 1;
			set(sl, w, ST_NO);
			up->stack[top++] = w;
		}
	}
	return 0;
}

int upstream_has(struct upstream *up, size_t u, size_t i)
{
	if (u == i)
		return 0;
	const struct task *t = &up->wf->tasks[i];
	for (size_t k = 0; k < t->ndeps; k++)
		if (t->deps[k].task == u)
			return 1;
	if (!up->acyclic)
		return search_cyclic(up, u, i);
	if (up->rank[u] >= up->rank[i])
		return 0;
	struct upstream_slot *sl = slot_for(up, u);
	int st = known(sl, i);
	return st ? st == ST_YES : reaches(up, sl, i);
}

void upstream_release(struct upstream *up)
{
	free(up->rank);
	free(up->stack);
	free(up->next);
	for (size_t s = 0; s < UPSTREAM_SLOTS; s++) {
		free(up->slot[s].mark);
		free(up->slot[s].state);
	}
	memset(up, 0, sizeof *up);
}
