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

/* Whether s holds two words or more that are neither numbers nor cron
 * names (month or day names): "every day at 6" is English, not cron, but
 * "0 0 1 JNA *" is cron with a typo. */
static int is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

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
		while (is_letter(s[n]))
			n++;
		if (n == 0) {
			s++;
			continue;
		}
		int known = 0;
		for (size_t k = 0; n == 3 && cron_words[k]; k++)
			known |= (s[0] | 0x20) == cron_words[k][0] &&
				 (s[1] | 0x20) == cron_words[k][1] &&
				 (s[2] | 0x20) == cron_words[k][2];
		words += !known;
		s += n;
	}
	return words >= 2;
}

/* A schedule in words fails on every field; one error that shows the
 * format says more than one per word. */
static int words_schedule(struct diag *d, const struct ynode *n)
{
	struct cron c;
	struct cron_error errs[CRON_MAXERRORS];
	if (n->str[0] == '@' || !english_words(n->str) ||
	    cron_parse(n->str, &c, errs) < 2)
		return 0;
	diag_error(d, offset_pos(d, n, 0), "schedule '%s' is not a cron "
		   "expression: write 5 fields, minute hour day-of-month month "
		   "day-of-week, such as '0 6 * * *' (every day at 06:00) or "
		   "'*/15 * * * *' (every 15 minutes), or a macro such as "
		   "@daily or @hourly", n->str);
	return 1;
}

int schedule_check(struct diag *d, const struct ynode *schedule,
		   const struct ynode *zone)
{
	int nerrors = 0;
	if (schedule && schedule->kind == YNODE_SCALAR && schedule->str &&
	    words_schedule(d, schedule))
		nerrors = 1;
	else if (schedule && schedule->kind == YNODE_SCALAR && schedule->str)
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

/* ---- schedule safety: period against the critical path ----------------- */

/* The shortest gap in seconds between two firings, over the firings of
 * a year from a fixed day (so the answer does not depend on today), at
 * most 20000 of them; 0 when there are fewer than two. */
static double shortest_gap(const struct cron *c, const char *zone)
{
	if (tz_use(zone) < 0)
		return 0;
	time_t t = 946684800;   /* 2000-01-01T00:00:00Z */
	time_t end = t + 366 * 86400, prev = 0, next;
	double best = 0;
	for (int i = 0; i < 20000 && cron_next(c, t, &next) == 0 &&
	     next < end; i++) {
		if (prev && (best == 0 || difftime(next, prev) < best))
			best = difftime(next, prev);
		if (best == 60)
			break;   /* a minute is as short as cron goes */
		prev = t = next;
	}
	tz_use(NULL);
	return best;
}

/* The longest a task can take: every attempt to its timeout, with the
 * retry delays between them (ork's spec_retry_delay: delay, times
 * backoff for each later retry, capped at retry_max_delay or a day). */
static double task_worst(const struct task *t)
{
	double sum = t->timeout * (double)(t->retries + 1);
	double cap = t->retry_max_delay >= 0 ? t->retry_max_delay : 86400;
	double delay = t->retry_delay;
	for (long k = 1; k <= t->retries; k++) {
		sum += delay < cap ? delay : cap;
		if (delay < cap)
			delay *= t->retry_backoff;
	}
	return sum;
}

/* "45s", "15m", "1h 10m", "2d 3h": rounded down to the two largest units. */
static void fmt_duration(double secs, char *buf, size_t n)
{
	long s = secs > 1e9 ? 1000000000L : (long)secs;
	if (s < 60)
		snprintf(buf, n, "%lds", s);
	else if (s < 3600)
		snprintf(buf, n, s % 60 ? "%ldm %lds" : "%ldm", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, n, s % 3600 / 60 ? "%ldh %ldm" : "%ldh", s / 3600,
			 s % 3600 / 60);
	else
		snprintf(buf, n, s % 86400 / 3600 ? "%ldd %ldh" : "%ldd",
			 s / 86400, s % 86400 / 3600);
}

/* The critical path's worst case over order (dependencies first): returns
 * its length, and its tasks, last first, in *path (free it) and *npath. */
static double critical_path(const struct workflow *wf, const size_t *order,
			    size_t norder, size_t **path, size_t *npath)
{
	double *finish = xcalloc(wf->ntasks + 1, sizeof *finish);
	size_t *pred = xcalloc(wf->ntasks + 1, sizeof *pred);
	size_t last = 0;
	for (size_t i = 0; i < norder; i++) {
		const struct task *t = &wf->tasks[order[i]];
		double start = 0;
		pred[order[i]] = DEP_UNRESOLVED;
		for (size_t j = 0; j < t->ndeps; j++) {
			size_t u = t->deps[j].task;
			if (u != DEP_UNRESOLVED && finish[u] > start) {
				start = finish[u];
				pred[order[i]] = u;
			}
		}
		finish[order[i]] = start + task_worst(t);
		if (finish[order[i]] > finish[last])
			last = order[i];
	}
	double worst = finish[last];
	*path = xcalloc(wf->ntasks + 1, sizeof **path);
	*npath = 0;
	for (size_t u = last; u != DEP_UNRESOLVED && *npath < wf->ntasks;
	     u = pred[u])
		(*path)[(*npath)++] = u;
	free(finish);
	free(pred);
	return worst;
}

void schedule_check_overlap(struct diag *d, const struct workflow *wf,
			    const size_t *order, size_t norder)
{
	struct cron c;
	struct cron_error errs[CRON_MAXERRORS];
	if (!wf->schedule || !norder || norder != wf->ntasks ||
	    cron_parse(wf->schedule, &c, errs) || c.reboot)
		return;
	double gap = shortest_gap(&c, wf->timezone);
	size_t *path, npath;
	double worst = critical_path(wf, order, norder, &path, &npath);
	if (gap > 0 && worst > gap) {
		char g[32], w[32];
		fmt_duration(gap, g, sizeof g);
		fmt_duration(worst, w, sizeof w);
		struct strbuf names = STRBUF_INIT;
		for (size_t i = npath; i-- > 0;)
			strbuf_addf(&names, "%s'%s'", i + 1 < npath ? " -> " : "",
				    wf->tasks[path[i]].name);
		diag_warning(d, wf->schedule_pos, "schedule '%s' fires every %s "
			     "at the shortest, but a run can take up to %s; a "
			     "firing while the previous run is still going is "
			     "skipped (ork cron-fire logs 'skip: the previous run "
			     "is still running')", wf->schedule, g, w);
		diag_note(d, wf->tasks[path[0]].pos, "the worst case is the "
			  "path %s: each task's timeout times its attempts, plus "
			  "its retry delays; lower the timeouts or fire less "
			  "often", strbuf_str(&names));
		strbuf_release(&names);
	}
	free(path);
}
