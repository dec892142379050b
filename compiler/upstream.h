/* upstream: "is task u a transitive upstream of task i?", asked by every
 * check that needs it (expression names, `inputs:` refs), answered from
 * one structure that the plan builds once (plan.h).
 *
 * Why not the closure itself: the full upstream closure of a chain of n
 * tasks has n*(n-1)/2 entries, quadratic in time and memory (100k tasks:
 * 5e9 bits).  Instead each question is answered by
 *   - a direct dependency: a scan of i's depends_on (the common case: an
 *     expression reads the task right above it); no memory touched;
 *   - u placed after i in the topological order: no;
 *   - otherwise a depth-first walk from i along depends_on that never
 *     enters a task placed before u (no such task can lead to u), and
 *     that remembers, for target u, the answer for every task it finished
 *     (generation-stamped, so nothing is cleared between targets).  The
 *     next question about u stops at any task already decided: when every
 *     task reads one common ancestor (`tasks.config.output`), the walks
 *     together cost one pass over the graph, not one each.
 * Answers are kept for UPSTREAM_SLOTS targets at once (the least recently
 * used is taken over), so tasks that each read the same few ancestors
 * stay linear too.  What stays expensive: many distinct far targets, each
 * asked once (a chain whose tasks each read a different task far above):
 * each walk then costs the distance.  In a graph with a cycle (reported
 * elsewhere) there is no order: a plain marked search per question.
 *
 * Calls: the workflow model (reads depends_on), util. */
#ifndef ORK_UPSTREAM_H
#define ORK_UPSTREAM_H

#include <stddef.h>

#include "workflow.h"

#define UPSTREAM_SLOTS 4

/* Remembered answers for one target task. */
struct upstream_slot {
	size_t target;          /* DEP_UNRESOLVED: free */
	unsigned gen;           /* mark[w] == gen: state[w] is current */
	unsigned *mark;
	unsigned char *state;   /* reaches the target: yes / no */
	unsigned long used;     /* for least recently used */
};

struct upstream {
	const struct workflow *wf;
	size_t *rank;           /* per task: its place in the order */
	int acyclic;            /* every task has a rank */
	struct upstream_slot slot[UPSTREAM_SLOTS];
	unsigned gen;           /* the last generation handed out */
	unsigned long clock;
	size_t *stack, *next;   /* the walk's */
};

/* Set up for wf with the topological order (norder tasks; fewer than
 * wf->ntasks when there is a cycle).  Depends_on must be resolved. */
void upstream_init(struct upstream *up, const struct workflow *wf,
		   const size_t *order, size_t norder);
/* Whether task u is a transitive upstream of task i (0 for u == i). */
int upstream_has(struct upstream *up, size_t u, size_t i);
void upstream_release(struct upstream *up);

#endif
