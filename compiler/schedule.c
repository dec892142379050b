/* schedule: see schedule.h. */
#include <stdio.h>
#include <string.h>

#include "cron.h"
#include "schedule.h"
#include "tz.h"

/* Where byte off of scalar n is in the file.  Exact when the file holds
 * the scalar's text verbatim on one line (the usual "0 * * * *"); for a
 * scalar with escapes or folded over lines, the scalar's start. */
static struct srcpos offset_pos(struct diag *d, const struct ynode *n,
				size_t off)
{
	struct srcpos pos = n->pos;
	size_t len;
	const char *line = diag_source_line(d, pos.line, &len);
	size_t start = pos.col - 1 + (size_t)n->quote_col_offset;
	if (line && pos.col > 0 && start + off <= len &&
	    !memcmp(line + start, n->str, off))
		pos.col = (unsigned)(start + off + 1);
	return pos;
}

static int check_cron(struct diag *d, const struct ynode *n)
{
	struct cron c;
	struct cron_error errs[CRON_MAXERRORS];
	size_t nerrs = cron_parse(n->str, &c, errs);
	for (size_t i = 0; i < nerrs; i++)
		diag_error(d, offset_pos(d, n, errs[i].offset), "%s",
			   errs[i].msg);
	if (nerrs || c.reboot)
		return (int)nerrs;
	/* A schedule can be well formed and still name no real date. */
	struct walltime from = {2000, 1, 1, 0, 0, 0}, next;
	if (cron_next_wall(&c, &from, &next) < 0)
		diag_warning(d, offset_pos(d, n, 0), "schedule '%s' never fires: "
			     "no date has its day and month", n->str);
	return 0;
}

static void check_timezone(struct diag *d, const struct ynode *n)
{
	if (tz_exists(n->str))
		return;
	struct srcpos pos = offset_pos(d, n, 0);
	const char *near = tz_closest(n->str);
	if (near)
		diag_warning(d, pos, "unknown time zone '%s'; did you mean '%s'?",
			     n->str, near);
	else
		diag_warning(d, pos, "unknown time zone '%s' (not in this "
			     "machine's zoneinfo)", n->str);
}

int schedule_check(struct diag *d, const struct ynode *schedule,
		   const struct ynode *zone)
{
	int nerrors = 0;
	if (schedule && schedule->kind == YNODE_SCALAR && schedule->str)
		nerrors = check_cron(d, schedule);
	if (zone && zone->kind == YNODE_SCALAR && zone->str)
		check_timezone(d, zone);
	return nerrors;
}

int schedule_next(const char *schedule, const char *zone, long n,
		  time_t from, struct strbuf *out, struct strbuf *err)
{
	struct cron c;
	struct cron_error errs[CRON_MAXERRORS];
	if (!schedule)
		return error_to(err, "the workflow has no 'schedule'");
	if (cron_parse(schedule, &c, errs))
		return error_to(err, "the workflow's schedule has errors");
	if (c.reboot)
		return error_to(err, "schedule '@reboot' fires when cron starts, "
				"at no time that can be listed");
	if (tz_use(zone) < 0)
		return error_to(err, "unknown time zone '%s'", zone);
	int rc = 0;
	time_t t = from;
	for (long i = 0; i < n; i++) {
		if (cron_next(&c, t, &t) < 0) {
			if (i == 0)
				rc = error_to(err, "schedule '%s' never fires",
					      schedule);
			else
				rc = error_to(err, "schedule '%s' fires no more "
					      "within %d years", schedule,
					      CRON_HORIZON_YEARS);
			break;
		}
		char buf[40];
		tz_format(t, buf);
		strbuf_addf(out, "%s\n", buf);
	}
	tz_use(NULL);
	return rc;
}
