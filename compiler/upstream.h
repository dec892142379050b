/* upstream: "is task u a transitive upstream of task i?", asked by every
 * check that needs it (expression names, `inputs:` refs), answered from
 * one structure that the plan builds once (plan.h).
 *
 * Why not the closure itself: the full upstream closure of a chain of n
 * tasks has n*(n-1)/2 entries, quadratic in time and memory (100k tasks:
 * 5e9 bits).  Instead each question is answered by
 *   - a direct dependency: a scan of i's depends_on (the common case: an
 *     expression reads the task right above it);
 *   - otherwise a depth-first search from i along depends_on that never
 *     enters a task placed before u in the topological order (no such
 *     task can lead to u), marking what it visits with a generation
 *     number, so no clearing between searches; the marks of the last
 *     search from i are kept, so further questions about i with targets
 *     no earlier than the bound searched are answered without a search.
 * A question costs O(deg i) or the size of the part of the graph between
 * u and i.  Checks ask per task in turn, so a task's questions share one
 * search.  In a graph with a cycle (reported elsewhere) the order does not
 * exist: searches then go everywhere, still ending thanks to the marks.
 *
 * Calls: the workflow model (reads depends_on), util. */
#ifndef ORK_UPSTREAM_H
#define ORK_UPSTREAM_H

#include <stddef.h>

#include "workflow.h"

struct upstream {
	const struct workflow *wf;
	size_t *rank;           /* per task: its place in the order */
	int acyclic;            /* every task has a rank */
	/* the last search */
	unsigned *mark;         /* per task: gen when the search reached it */
	unsigned gen;
	size_t from;            /* the task it started from */
	size_t bound;           /* the lowest rank it was allowed to enter */
	size_t *stack;
};

/* Set up for wf with the topological order (norder tasks; fewer than
 * wf->ntasks when there is a cycle).  Depends_on must be resolved. */
void upstream_init(struct upstream *up, const struct workflow *wf,
		   const size_t *order, size_t norder);
/* Whether task u is a transitive upstream of task i (0 for u == i). */
int upstream_has(struct upstream *up, size_t u, size_t i);
void upstream_release(struct upstream *up);

#endif
