/* report_html: one run as one self-contained HTML page, for `ork report`
 * (inspect.h finds the run and calls it).
 *
 * The page needs no network and runs no script: inline CSS, and SVG laid
 * out here, in C.  It has
 *   - the task graph, layered by topological depth (a task sits one
 *     column right of its deepest upstream task), each layer ordered by
 *     the mean row of its upstream tasks, nodes coloured by state;
 *   - a timeline per invocation: one row per task, one bar per attempt
 *     (failed, timed out, succeeded, running, interrupted), a line across
 *     the wait between a failed attempt and its retry;
 *   - per task: its attempts (start, duration, exit, signal or timeout,
 *     reason), its input, its output, and the tail of its latest log.
 *
 * The graph's edges come from the "deps" of each task's last end event
 * (journal.h); a task with no end event yet (running, interrupted before
 * it ended) is drawn without its incoming edges.
 *
 * Everything a task or its outputs can influence (outputs, inputs, logs,
 * reasons, error details) is hostile: it reaches the page only as text,
 * HTML-escaped, with terminal controls made visible (strbuf_add_safe),
 * and each preview is cut to REPORT_PREVIEW_MAX bytes (logs: the last
 * REPORT_LOG_TAIL bytes).  The page also carries a Content-Security-Policy
 * that allows no script and no fetch, should anything ever slip through.
 *
 * Calls: rundir, journal, history, util, jsonx. */
#ifndef ORK_REPORT_HTML_H
#define ORK_REPORT_HTML_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "history.h"
#include "rundir.h"
#include "util.h"

#define REPORT_PREVIEW_MAX 4096
#define REPORT_LOG_TAIL 8192

/* Append the page for the run rd to out.  run is its run.json, h its
 * folded journal, tasks[0..ntasks) the task names in display order (each
 * task the journal mentions must be among them).  Returns 0, or -1 with
 * errno set when the journal cannot be read. */
int report_html(struct strbuf *out, const struct rundir *rd, const cJSON *run,
		const struct history *h, const char *const *tasks,
		size_t ntasks);

#endif
