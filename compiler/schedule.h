/* schedule: the compile-time checks of a workflow's `schedule` (five cron
 * fields or a macro) and `timezone` (an IANA zone name): every error in a
 * schedule at its own column inside the YAML scalar, naming the field and
 * the allowed range; a warning for a schedule that never fires and for a
 * time zone this machine does not know.  The parsing itself is
 * common/cron.h.
 *
 * Also the schedule's safety: its period against the worst case of the
 * workflow's critical path.
 *
 * Calls: yamlnode, diag, cron, tz; schedule_check_overlap reads the
 * workflow model (after plan_build). */
#ifndef ORK_SCHEDULE_H
#define ORK_SCHEDULE_H

#include <time.h>

#include "diag.h"
#include "util.h"
#include "workflow.h"
#include "yamlnode.h"

/* Check the scalar nodes of the workflow's schedule: and timezone: keys
 * (either may be NULL: absent, or not a string, which the workflow
 * checks report).  Returns the number of errors reported to d. */
int schedule_check(struct diag *d, const struct ynode *schedule,
		   const struct ynode *zone);

/* Ork's schedules (the Rust cron crate) have 6 or 7 fields: seconds
 * first, then the five, then an optional year; its day of week counts 1
 * (Sunday) to 7.  For such a text with seconds 0 and year '*' (or none),
 * the five-field text meaning the same (numeric weekdays moved down by
 * one: Ork's 2 is cron's 1, Monday), in a new string; NULL for any other
 * text (schedule_check reports what is wrong with it). */
char *schedule_five(const char *s);

/* The next n fire times of schedule (NULL: none) strictly after from, one
 * RFC 3339 time a line in the time zone zone (NULL: the local zone),
 * appended to out.  Returns 0, or -1 with why there are no more to print
 * ("has no schedule", "unknown time zone", "@reboot", "never fires")
 * appended to err; the times found before that are in out. */
int schedule_next(const char *schedule, const char *zone, long n,
		  time_t from, struct strbuf *out, struct strbuf *err);

/* Warn when the schedule of wf (checked, without errors) can fire again
 * before a run ends: its shortest gap between firings is shorter than the
 * worst case of the critical path, the longest path through the tasks of
 * order (dependencies first, all of wf's tasks) where a task takes
 * timeout x attempts plus its retry delays.  Says which path, and that
 * the overlapping firing is skipped. */
void schedule_check_overlap(struct diag *d, const struct workflow *wf,
			    const size_t *order, size_t norder);

#endif
