/* cron: see cron.h.  A schedule is five bit sets; parsing rebuilds each
 * field from what it parsed, which gives the normal form for free. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cron.h"
#include "util.h"

static const char *const month_names[] = {
	"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
	"JUL", "AUG", "SEP", "OCT", "NOV", "DEC", NULL
};
static const char *const day_names[] = {
	"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", NULL
};

struct field {
	const char *name;
	int lo, hi;
	const char *const *names;   /* names[i] is lo + i; NULL: numbers only */
	const char *what;           /* for "is not ..." messages */
};

static const struct field fields[5] = {
	{"minute", 0, 59, NULL, "a number"},
	{"hour", 0, 23, NULL, "a number"},
	{"day-of-month", 1, 31, NULL, "a number"},
	{"month", 1, 12, month_names, "a number or a month name (JAN-DEC)"},
	{"day-of-week", 0, 7, day_names, "a number or a day name (SUN-SAT)"},
};

static const char *const macros[][2] = {
	{"@hourly", "0 * * * *"},
	{"@daily", "0 0 * * *"},
	{"@midnight", "0 0 * * *"},
	{"@weekly", "0 0 * * 0"},
	{"@monthly", "0 0 1 * *"},
	{"@yearly", "0 0 1 1 *"},
	{"@annually", "0 0 1 1 *"},
	{"@reboot", NULL},
};
#define NMACROS (sizeof macros / sizeof *macros)

/* Parsing state for one schedule. */
struct parser {
	const char *s;
	struct cron_error *errs;
	size_t nerrs;
	struct strbuf normal;
};

static void __attribute__((format(printf, 3, 4)))
error_at(struct parser *p, size_t offset, const char *fmt, ...)
{
	if (p->nerrs == CRON_MAXERRORS)
		return;
	struct cron_error *e = &p->errs[p->nerrs++];
	e->offset = offset;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
}

/* ---- one field ---------------------------------------------------------- */

/* A token: the run of letters and digits at s[i]. */
static size_t token_len(const char *s, size_t i, size_t end)
{
	size_t j = i;
	while (j < end && isalnum((unsigned char)s[j]))
		j++;
	return j - i;
}

/* A number or a name at s[*i] (within end) for field f.  Returns 0 and
 * sets *v and moves *i past it, or -1 after reporting. */
static int parse_value(struct parser *p, const struct field *f, size_t *i,
		       size_t end, int *v)
{
	const char *s = p->s;
	size_t n = token_len(s, *i, end);
	if (n == 0) {
		if (*i < end)
			error_at(p, *i, "unexpected '%c' in the %s field; "
				 "expected %s", s[*i], f->name, f->what);
		else
			error_at(p, *i, "the %s field ends early; expected %s",
				 f->name, f->what);
		return -1;
	}
	int len = (int)n;
	if (isdigit((unsigned char)s[*i])) {
		long val = 0;
		for (size_t k = 0; k < n; k++) {
			if (!isdigit((unsigned char)s[*i + k])) {
				error_at(p, *i, "%s '%.*s' is not %s", f->name,
					 len, s + *i, f->what);
				return -1;
			}
			if (val < 1000000)
				val = val * 10 + (s[*i + k] - '0');
		}
		if (val < f->lo || val > f->hi) {
			error_at(p, *i, "%s '%.*s' is out of range %d-%d",
				 f->name, len, s + *i, f->lo, f->hi);
			return -1;
		}
		*v = (int)val;
		*i += n;
		return 0;
	}
	if (f->names && n == 3) {
		for (int k = 0; f->names[k]; k++)
			if (!strncasecmp(s + *i, f->names[k], 3)) {
				*v = f->lo + k;
				*i += n;
				return 0;
			}
	}
	char word[64];
	snprintf(word, sizeof word, "%.*s", len, s + *i);
	for (char *c = word; *c; c++)
		*c = (char)toupper((unsigned char)*c);
	const char *near = f->names ? closest_match(word, f->names) : NULL;
	if (near)
		error_at(p, *i, "%s '%.*s' is not %s; did you mean '%s'?",
			 f->name, len, s + *i, f->what, near);
	else
		error_at(p, *i, "%s '%.*s' is not %s", f->name, len, s + *i,
			 f->what);
	return -1;
}

/* The S of "/S" at s[*i]: 1 up to the width of the field. */
static int parse_step(struct parser *p, const struct field *f, size_t *i,
		      size_t end, int *step)
{
	const char *s = p->s;
	size_t n = token_len(s, *i, end);
	int max = f->hi - f->lo;
	long val = 0;
	for (size_t k = 0; k < n; k++) {
		if (!isdigit((unsigned char)s[*i + k])) {
			error_at(p, *i, "%s step '%.*s' is not a number",
				 f->name, (int)n, s + *i);
			return -1;
		}
		if (val < 1000000)
			val = val * 10 + (s[*i + k] - '0');
	}
	if (n == 0) {
		error_at(p, *i, "%s step is missing after '/'", f->name);
		return -1;
	}
	if (val < 1 || val > max) {
		error_at(p, *i, "%s step '%.*s' is out of range 1-%d", f->name,
			 (int)n, s + *i, max);
		return -1;
	}
	*step = (int)val;
	*i += n;
	return 0;
}

/* One list item: '*', N, A-B, with an optional /S after '*' or a range.
 * Sets the bits; appends the item's normal form. */
static int parse_item(struct parser *p, const struct field *f, size_t *i,
		      size_t end, uint64_t *bits)
{
	const char *s = p->s;
	size_t start = *i;
	int lo, hi, step = 1, ranged = 1;
	if (s[*i] == '*') {
		lo = f->lo;
		hi = f->hi;
		(*i)++;
		strbuf_addc(&p->normal, '*');
	} else {
		if (parse_value(p, f, i, end, &lo) < 0)
			return -1;
		hi = lo;
		ranged = 0;
		if (*i < end && s[*i] == '-') {
			(*i)++;
			if (parse_value(p, f, i, end, &hi) < 0)
				return -1;
			if (hi < lo) {
				error_at(p, start, "%s range '%.*s' is backwards",
					 f->name, (int)(*i - start), s + start);
				return -1;
			}
			ranged = 1;
		}
		strbuf_addf(&p->normal, ranged ? "%d-%d" : "%d", lo, hi);
	}
	if (*i < end && s[*i] == '/') {
		size_t slash = (*i)++;
		if (!ranged) {
			error_at(p, start, "%s step '%.*s' needs a range or '*' "
				 "before the '/' (Vixie cron reads no 'N/S')",
				 f->name, (int)(token_len(s, slash + 1, end) +
						slash + 1 - start), s + start);
			return -1;
		}
		if (parse_step(p, f, i, end, &step) < 0)
			return -1;
		strbuf_addf(&p->normal, "/%d", step);
	}
	for (int v = lo; v <= hi; v += step)
		*bits |= 1ULL << v;
	return 0;
}

/* Field f at s[start, end).  Returns 0, or -1 after reporting its first
 * problem. */
static int parse_field(struct parser *p, const struct field *f, size_t start,
		       size_t end, uint64_t *bits)
{
	size_t i = start;
	for (;;) {
		if (i == end || p->s[i] == ',') {
			error_at(p, i, "empty item in the %s field", f->name);
			return -1;
		}
		if (parse_item(p, f, &i, end, bits) < 0)
			return -1;
		if (i == end)
			return 0;
		if (p->s[i] != ',') {
			error_at(p, i, "unexpected '%c' in the %s field", p->s[i],
				 f->name);
			return -1;
		}
		strbuf_addc(&p->normal, ',');
		i++;
	}
}

/* ---- the whole schedule ------------------------------------------------- */

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The five fields of s (or of a macro's expansion) into c. */
static void parse_fields(struct parser *p, struct cron *c)
{
	const char *s = p->s;
	size_t len = strlen(s), i = 0, nfields = 0;
	size_t start[8], end[8];
	for (;;) {
		while (i < len && is_blank(s[i]))
			i++;
		if (i == len)
			break;
		if (nfields < 8)
			start[nfields] = i;
		while (i < len && !is_blank(s[i]))
			i++;
		if (nfields < 8)
			end[nfields] = i;
		nfields++;
	}
	if (nfields == 0) {
		error_at(p, 0, "schedule is empty; cron needs 5 fields: minute "
			 "hour day-of-month month day-of-week");
		return;
	}
	uint64_t bits[5] = {0, 0, 0, 0, 0};
	for (size_t k = 0; k < 5 && k < nfields; k++) {
		if (k)
			strbuf_addc(&p->normal, ' ');
		parse_field(p, &fields[k], start[k], end[k], &bits[k]);
	}
	if (nfields < 5)
		error_at(p, len, "schedule has %zu field%s; cron needs 5: minute "
			 "hour day-of-month month day-of-week", nfields,
			 nfields == 1 ? "" : "s");
	else if (nfields > 5)
		error_at(p, start[5], "schedule has %zu fields; cron needs 5: "
			 "minute hour day-of-month month day-of-week (no "
			 "seconds or year field)", nfields);
	c->minute = bits[0];
	c->hour = (uint32_t)bits[1];
	c->mday = (uint32_t)bits[2];
	c->month = (uint16_t)bits[3];
	c->wday = (uint8_t)((bits[4] | bits[4] >> 7) & 0x7f);   /* 7 is Sunday */
	c->mday_star = nfields > 2 && s[start[2]] == '*';
	c->wday_star = nfields > 4 && s[start[4]] == '*';
}

static void parse_macro(struct parser *p, struct cron *c, size_t at)
{
	const char *s = p->s;
	size_t n = strcspn(s + at, " \t");
	size_t k = 0;
	while (k < NMACROS && (strlen(macros[k][0]) != n ||
			       strncasecmp(s + at, macros[k][0], n)))
		k++;
	size_t rest = at + n;
	while (is_blank(s[rest]))
		rest++;
	if (k == NMACROS) {
		const char *names[NMACROS + 1];
		for (size_t j = 0; j < NMACROS; j++)
			names[j] = macros[j][0];
		names[NMACROS] = NULL;
		char word[64];
		snprintf(word, sizeof word, "%.*s", (int)n, s + at);
		const char *near = closest_match(word, names);
		if (near)
			error_at(p, at, "unknown schedule '%s'; did you mean "
				 "'%s'?", word, near);
		else
			error_at(p, at, "unknown schedule '%s' (use @hourly, "
				 "@daily, @weekly, @monthly, @yearly or @reboot)",
				 word);
		return;
	}
	if (s[rest]) {
		error_at(p, rest, "nothing may follow '%s' in a schedule",
			 macros[k][0]);
		return;
	}
	if (!macros[k][1]) {
		c->reboot = 1;
		strbuf_adds(&p->normal, "@reboot");
		return;
	}
	struct parser sub = {macros[k][1], p->errs, p->nerrs, STRBUF_INIT};
	parse_fields(&sub, c);
	strbuf_adds(&p->normal, strbuf_str(&sub.normal));
	strbuf_release(&sub.normal);
}

size_t cron_parse(const char *s, struct cron *c, struct cron_error *errs)
{
	memset(c, 0, sizeof *c);
	struct parser p = {s, errs, 0, STRBUF_INIT};
	size_t len = strlen(s), at = 0;
	while (is_blank(s[at]))
		at++;
	if (len > CRON_MAXLEN)
		error_at(&p, CRON_MAXLEN, "schedule is longer than %d characters",
			 CRON_MAXLEN);
	else if (s[at] == '@')
		parse_macro(&p, c, at);
	else
		parse_fields(&p, c);
	if (!p.nerrs)
		snprintf(c->normal, sizeof c->normal, "%s", strbuf_str(&p.normal));
	strbuf_release(&p.normal);
	return p.nerrs;
}

/* ---- fire times --------------------------------------------------------- */

static int weekday(long long days)
{
	int w = (int)((days + 4) % 7);   /* 1970-01-01 was a Thursday */
	return w < 0 ? w + 7 : w;
}

static int day_matches(const struct cron *c, long long days, int mday)
{
	int dom = (c->mday >> mday) & 1;
	int dow = (c->wday >> weekday(days)) & 1;
	if (c->mday_star || c->wday_star)
		return dom && dow;
	return dom || dow;
}

int cron_match(const struct cron *c, const struct walltime *w)
{
	if (c->reboot)
		return 0;
	return (c->minute >> w->min & 1) && (c->hour >> w->hour & 1) &&
	       (c->month >> w->mon & 1) &&
	       day_matches(c, tz_days(w->year, w->mon, w->mday), w->mday);
}

/* The first minute >= m of the set, or -1. */
static int first_bit(uint64_t set, int m, int max)
{
	for (; m <= max; m++)
		if (set >> m & 1)
			return m;
	return -1;
}

int cron_next_wall(const struct cron *c, const struct walltime *w,
		   struct walltime *next)
{
	if (c->reboot)
		return -1;
	/* The day, hour and minute to start from: one minute after w. */
	long long day = tz_days(w->year, w->mon, w->mday);
	int hour = w->hour, min = w->min + 1;
	if (min == 60) {
		min = 0;
		if (++hour == 24) {
			hour = 0;
			day++;
		}
	}
	/* 146,097 days are exactly 400 Gregorian years. */
	for (long long last = day + CRON_HORIZON_YEARS / 400 * 146097LL;
	     day <= last; day++, hour = min = 0) {
		long long y;
		int m, d;
		tz_civil(day, &y, &m, &d);
		if (!(c->month >> m & 1) || !day_matches(c, day, d))
			continue;
		for (int h = first_bit(c->hour, hour, 23); h >= 0;
		     h = first_bit(c->hour, h + 1, 23)) {
			int mm = first_bit(c->minute, h == hour ? min : 0, 59);
			if (mm < 0)
				continue;
			*next = (struct walltime){(int)y, m, d, h, mm, 0};
			return 0;
		}
	}
	return -1;
}

/* Whether the zone's offset is the same a day either side of t: then no
 * wall time near t is skipped or repeated. */
static int steady_near(time_t t)
{
	struct walltime w;
	long before, after;
	tz_wall(t - 86400, &w, &before);
	tz_wall(t + 86400, &w, &after);
	return before == after;
}

static long long naive_minutes(const struct walltime *w)
{
	return tz_days(w->year, w->mon, w->mday) * 1440 + w->hour * 60 + w->min;
}

/* Walls shift by at most a gap's length (2 hours in the worst zones
 * today), so a 4-hour margin finds every wall that can land near t. */
#define SHIFT_MARGIN (4 * 60)

int cron_next(const struct cron *c, time_t t, time_t *next)
{
	if (c->reboot)
		return -1;
	struct walltime w;
	tz_wall(t, &w, NULL);
	w.sec = 0;
	if (!steady_near(t)) {
		/* Start early: a wall time in a gap before t's wall time
		 * may land after t. */
		long long back = tz_days(w.year, w.mon, w.mday) * 1440 +
				 w.hour * 60 + w.min - SHIFT_MARGIN;
		long long y;
		tz_civil(back / 1440, &y, &w.mon, &w.mday);
		w.year = (int)y;
		w.hour = (int)(back % 1440 / 60);
		w.min = (int)(back % 60);
	}
	int found = 0;
	time_t best = 0;
	long long best_naive = 0;
	struct walltime cand;
	while (cron_next_wall(c, &w, &cand) == 0) {
		long long naive = naive_minutes(&cand);
		if (found && naive > best_naive + SHIFT_MARGIN)
			break;
		time_t at = tz_instant(&cand);
		if (at > t && (!found || at < best)) {
			found = 1;
			best = at;
			best_naive = naive;
			if (steady_near(at))
				break;   /* later walls can only land later */
		}
		w = cand;
	}
	if (found)
		*next = best;
	return found ? 0 : -1;
}
