/* schedule: see schedule.h. */
#include <stdio.h>
#include <stdlib.h>
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

/* ---- Ork's six and seven fields ------------------------------------------ */

/* The blank-separated fields of a schedule. */
struct fields {
	size_t n;
	size_t off[8], len[8];
};

static void split_fields(const char *s, struct fields *f)
{
	size_t i = 0;
	f->n = 0;
	while (s[i]) {
		while (s[i] == ' ' || s[i] == '\t')
			i++;
		if (!s[i])
			break;
		size_t start = i;
		while (s[i] && s[i] != ' ' && s[i] != '\t')
			i++;
		if (f->n < 8) {
			f->off[f->n] = start;
			f->len[f->n] = i - start;
		}
		f->n++;
	}
}

static int ork_shaped(const char *s, struct fields *f)
{
	split_fields(s, f);
	return s[0] != '@' && (f->n == 6 || f->n == 7);
}

/* Where a day-of-week number outside Ork's 1-7 is (not a step), or -1. */
static long weekday_bad(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		if (s[i] < '0' || s[i] > '9') {
			i++;
			continue;
		}
		size_t start = i;
		long v = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9' && v < 1000)
			v = v * 10 + (s[i++] - '0');
		if ((start == 0 || s[start - 1] != '/') && (v < 1 || v > 7))
			return (long)start;
	}
	return -1;
}

/* Ork's day of week (1 = Sunday .. 7) as cron's (0 = Sunday .. 6): every
 * number that is not a step moves down by one; names stay. */
static void add_weekdays(struct strbuf *sb, const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		if (s[i] < '0' || s[i] > '9' || (i > 0 && s[i - 1] == '/')) {
			strbuf_addc(sb, s[i++]);
			continue;
		}
		long v = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9' && v < 1000)
			v = v * 10 + (s[i++] - '0');
		strbuf_addf(sb, "%ld", v - 1);
	}
}

/* The five-field text of an Ork-shaped s, and where each of its fields
 * starts in it (for moving a column back). */
static char *ork_five(const char *s, const struct fields *f, size_t *starts)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 1; i <= 5; i++) {
		if (i > 1)
			strbuf_addc(&sb, ' ');
		starts[i - 1] = sb.len;
		if (i == 5)
			add_weekdays(&sb, s + f->off[i], f->len[i]);
		else
			strbuf_add(&sb, s + f->off[i], f->len[i]);
	}
	return strbuf_detach(&sb);
}

char *schedule_five(const char *s)
{
	struct fields f;
	size_t starts[5];
	if (!ork_shaped(s, &f) || f.len[0] != 1 || s[f.off[0]] != '0' ||
	    (f.n == 7 && (f.len[6] != 1 || s[f.off[6]] != '*')))
		return NULL;
	return ork_five(s, &f, starts);
}

/* The seconds and year of an Ork-shaped schedule, each error at its
 * column; then the five fields as cron_parse sees them, their errors moved
 * back to the field they came from. */
static size_t check_ork(struct diag *d, const struct ynode *n,
			const struct fields *f, struct cron *c)
{
	const char *s = n->str;
	size_t nerrs = 0, starts[5];
	if (f->len[0] != 1 || s[f->off[0]] != '0') {
		diag_error(d, offset_pos(d, n, f->off[0]), "seconds field '%.*s': "
			   "cron fires at minute granularity, so a 6- or "
			   "7-field schedule needs seconds 0", (int)f->len[0],
			   s + f->off[0]);
		nerrs++;
	}
	if (f->n == 7 && (f->len[6] != 1 || s[f->off[6]] != '*')) {
		diag_error(d, offset_pos(d, n, f->off[6]), "year field '%.*s': "
			   "cron has no year, so a 7-field schedule needs year "
			   "'*'", (int)f->len[6], s + f->off[6]);
		nerrs++;
	}
	long bad = weekday_bad(s + f->off[5], f->len[5]);
	if (bad >= 0) {
		diag_error(d, offset_pos(d, n, f->off[5] + (size_t)bad), "day of "
			   "week out of range: Ork's 6- and 7-field schedules "
			   "count 1 (Sunday) to 7 (Saturday)");
		return nerrs + 1;
	}
	char *five = ork_five(s, f, starts);
	struct cron_error errs[CRON_MAXERRORS];
	size_t k = cron_parse(five, c, errs);
	for (size_t i = 0; i < k; i++) {
		size_t fi = 4;
		while (fi > 0 && errs[i].offset < starts[fi])
			fi--;
		size_t in = errs[i].offset - starts[fi];
		if (in > f->len[fi + 1])
			in = f->len[fi + 1];
		diag_error(d, offset_pos(d, n, f->off[fi + 1] + in), "%s",
			   errs[i].msg);
	}
	free(five);
	return nerrs + k;
}

static int check_cron(struct diag *d, const struct ynode *n)
{
	struct cron c;
	struct cron_error errs[CRON_MAXERRORS];
	struct fields f;
	size_t nerrs;
	if (ork_shaped(n->str, &f)) {
		nerrs = check_ork(d, n, &f, &c);
	} else {
		nerrs = cron_parse(n->str, &c, errs);
		for (size_t i = 0; i < nerrs; i++)
			diag_error(d, offset_pos(d, n, errs[i].offset), "%s",
				   errs[i].msg);
	}
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
