/* schedule: see schedule.h. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

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

/* Whether s holds two words or more that are neither numbers nor cron
 * names (month or day names): "every day at 6" is English, not cron, but
 * "0 0 1 JNA *" is cron with a typo. */
static int english_words(const char *s)
{
	int words = 0;
	static const char *const cron_words[] = {
		"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
		"oct", "nov", "dec", "sun", "mon", "tue", "wed", "thu", "fri",
		"sat", NULL
	};
	while (*s) {
		size_t n = 0;
		while (isalpha((unsigned char)s[n]))
			n++;
		if (n == 0) {
			s++;
			continue;
		}
		int known = 0;
		for (size_t k = 0; n == 3 && cron_words[k]; k++)
			known |= !strncasecmp(s, cron_words[k], 3);
		words += !known;
		s += n;
	}
	return words >= 2;
}

/* A schedule in words fails on every field; one error that shows the
 * format says more than one per word. */
static int words_schedule(struct diag *d, const struct ynode *n,
			  size_t nerrs)
{
	if (nerrs < 2 || n->str[0] == '@' || !english_words(n->str))
		return 0;
	diag_error(d, offset_pos(d, n, 0), "schedule '%s' is not a cron "
		   "expression: write 5 fields, minute hour day-of-month month "
		   "day-of-week, such as '0 6 * * *' (every day at 06:00) or "
		   "'*/15 * * * *' (every 15 minutes), or a macro such as "
		   "@daily or @hourly", n->str);
	return 1;
}

static int check_cron(struct diag *d, const struct ynode *n)
{
	struct cron c;
	struct cron_error errs[CRON_MAXERRORS];
	size_t nerrs = cron_parse(n->str, &c, errs);
	if (words_schedule(d, n, nerrs))
		return 1;
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
