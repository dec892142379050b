/* Unit tests for common/cron and common/tz: parsing (normal forms, bits,
 * every error with its offset), Vixie's day rule, next wall times, and
 * fire times across daylight saving transitions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cron.h"
#include "tz.h"
#include "unit.h"

static void test_normal_forms(void)
{
	static const char *const cases[][2] = {
		{"0 * * * *", "0 * * * *"},
		{"*/15 9-17 * JAN-mar mon-FRI", "*/15 9-17 * 1-3 1-5"},
		{"  5\t4   * * sun ", "5 4 * * 0"},
		{"0 0 1,15 * 7", "0 0 1,15 * 7"},
		{"1-30/5 */2 1-31/10 dec sat", "1-30/5 */2 1-31/10 12 6"},
		{"00 08 * * *", "0 8 * * *"},
		{"@hourly", "0 * * * *"},
		{"@daily", "0 0 * * *"},
		{"@midnight", "0 0 * * *"},
		{"@weekly", "0 0 * * 0"},
		{"@monthly", "0 0 1 * *"},
		{"@yearly", "0 0 1 1 *"},
		{"@ANNUALLY", "0 0 1 1 *"},
		{"@reboot", "@reboot"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct cron c;
		struct cron_error errs[CRON_MAXERRORS];
		size_t n = cron_parse(cases[i][0], &c, errs);
		CHECK_INTEQ(n, 0);
		if (n)
			fprintf(stderr, "    %s: %s\n", cases[i][0], errs[0].msg);
		CHECK_STREQ(c.normal, cases[i][1]);
	}
}

static void test_bits(void)
{
	struct cron c;
	struct cron_error errs[CRON_MAXERRORS];
	CHECK_INTEQ(cron_parse("1-30/5 */6 */10 2-3 5-7", &c, errs), 0);
	CHECK(c.minute == (1ULL << 1 | 1ULL << 6 | 1ULL << 11 | 1ULL << 16 |
			   1ULL << 21 | 1ULL << 26));
	CHECK_INTEQ(c.hour, 1 << 0 | 1 << 6 | 1 << 12 | 1 << 18);
	CHECK_INTEQ(c.mday, 1u << 1 | 1u << 11 | 1u << 21 | 1u << 31);
	CHECK_INTEQ(c.month, 1 << 2 | 1 << 3);
	CHECK_INTEQ(c.wday, 1 << 0 | 1 << 5 | 1 << 6);   /* 7 is Sunday */
	CHECK(c.mday_star && !c.wday_star && !c.reboot);
	CHECK_INTEQ(cron_parse("* * * * *", &c, errs), 0);
	CHECK(c.minute == (1ULL << 60) - 1);
	CHECK_INTEQ(c.wday, 0x7f);
	CHECK(c.mday_star && c.wday_star);
	CHECK_INTEQ(cron_parse("@reboot", &c, errs), 0);
	CHECK(c.reboot);
}

static void test_errors(void)
{
	static const struct {
		const char *expr;
		size_t offset;
		const char *msg;
	} cases[] = {
		{"60 * * * *", 0, "minute '60' is out of range 0-59"},
		{"0 24 * * *", 2, "hour '24' is out of range 0-23"},
		{"0 0 0 * *", 4, "day-of-month '0' is out of range 1-31"},
		{"0 0 * 13 *", 6, "month '13' is out of range 1-12"},
		{"0 0 * * 8", 8, "day-of-week '8' is out of range 0-7"},
		{"0 0 * * 1-99", 10, "day-of-week '99' is out of range 0-7"},
		{"5/15 * * * *", 0, "minute step '5/15' needs a range or '*' "
		 "before the '/' (Vixie cron reads no 'N/S')"},
		{"*/0 * * * *", 2, "minute step '0' is out of range 1-59"},
		{"0 */24 * * *", 4, "hour step '24' is out of range 1-23"},
		{"*/x * * * *", 2, "minute step 'x' is not a number"},
		{"*/ * * * *", 2, "minute step is missing after '/'"},
		{"10-5 * * * *", 0, "minute range '10-5' is backwards"},
		{"1,,2 * * * *", 2, "empty item in the minute field"},
		{"1, * * * *", 2, "empty item in the minute field"},
		{"a * * * *", 0, "minute 'a' is not a number"},
		{"0 0 ? * *", 4, "unexpected '?' in the day-of-month field; "
		 "expected a number"},
		{"0 0 * * FUN", 8, "day-of-week 'FUN' is not a number or a day "
		 "name (SUN-SAT); did you mean 'SUN'?"},
		{"0 0 * Jna *", 6, "month 'Jna' is not a number or a month name "
		 "(JAN-DEC); did you mean 'JAN'?"},
		{"0 0 * * MON-", 12, "the day-of-week field ends early; "
		 "expected a number or a day name (SUN-SAT)"},
		{"0 0 L * *", 4, "day-of-month 'L' is not a number"},
		{"0 0 * * 5#3", 9, "unexpected '#' in the day-of-week field"},
		{"0 0 * *", 7, "schedule has 4 fields; cron needs 5: minute hour "
		 "day-of-month month day-of-week"},
		{"0 0 * * * 2026", 10, "schedule has 6 fields; cron needs 5: "
		 "minute hour day-of-month month day-of-week (no seconds or "
		 "year field)"},
		{"", 0, "schedule is empty; cron needs 5 fields: minute hour "
		 "day-of-month month day-of-week"},
		{"@hourlyy", 0, "unknown schedule '@hourlyy'; did you mean "
		 "'@hourly'?"},
		{"@every 5m", 0, "unknown schedule '@every' (use @hourly, "
		 "@daily, @weekly, @monthly, @yearly or @reboot)"},
		{"@daily x", 7, "nothing may follow '@daily' in a schedule"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct cron c;
		struct cron_error errs[CRON_MAXERRORS];
		size_t n = cron_parse(cases[i].expr, &c, errs);
		CHECK_INTEQ(n, 1);
		if (!n)
			continue;
		CHECK_STREQ(errs[0].msg, cases[i].msg);
		CHECK_INTEQ(errs[0].offset, cases[i].offset);
	}
	/* One error per field, each at its own place. */
	struct cron c;
	struct cron_error errs[CRON_MAXERRORS];
	CHECK_INTEQ(cron_parse("61 25 32 0 9", &c, errs), 5);
	CHECK_INTEQ(errs[0].offset, 0);
	CHECK_INTEQ(errs[1].offset, 3);
	CHECK_INTEQ(errs[2].offset, 6);
	CHECK_INTEQ(errs[3].offset, 9);
	CHECK_INTEQ(errs[4].offset, 11);
	char longexpr[400];
	memset(longexpr, '1', sizeof longexpr - 1);
	longexpr[sizeof longexpr - 1] = '\0';
	CHECK_INTEQ(cron_parse(longexpr, &c, errs), 1);
	CHECK_STREQ(errs[0].msg, "schedule is longer than 255 characters");
}

static int matches(const char *expr, int y, int m, int d, int h, int mi)
{
	struct cron c;
	struct cron_error errs[CRON_MAXERRORS];
	if (cron_parse(expr, &c, errs))
		return -1;
	struct walltime w = {y, m, d, h, mi, 0};
	return cron_match(&c, &w);
}

/* Vixie: both day fields restricted: either matches; one starts with
 * '*': both must. */
static void test_day_rule(void)
{
	CHECK_INTEQ(matches("0 0 13 * 5", 2024, 9, 13, 0, 0), 1);  /* Fri 13th */
	CHECK_INTEQ(matches("0 0 13 * 5", 2024, 9, 6, 0, 0), 1);   /* a Friday */
	CHECK_INTEQ(matches("0 0 13 * 5", 2024, 8, 13, 0, 0), 1);  /* a 13th */
	CHECK_INTEQ(matches("0 0 13 * 5", 2024, 9, 7, 0, 0), 0);
	CHECK_INTEQ(matches("0 0 */2 * 5", 2024, 9, 13, 0, 0), 1); /* odd Friday */
	CHECK_INTEQ(matches("0 0 */2 * 5", 2024, 9, 6, 0, 0), 0);  /* even Friday */
	CHECK_INTEQ(matches("0 0 */2 * 5", 2024, 9, 7, 0, 0), 0);  /* odd Saturday */
	CHECK_INTEQ(matches("0 0 * * 0", 2024, 9, 8, 0, 0), 1);    /* Sunday */
	CHECK_INTEQ(matches("0 0 * * 7", 2024, 9, 8, 0, 0), 1);
	CHECK_INTEQ(matches("0 0 * * 7", 2024, 9, 9, 0, 0), 0);
	CHECK_INTEQ(matches("@weekly", 2024, 9, 8, 0, 0), 1);
	CHECK_INTEQ(matches("@weekly", 2024, 9, 9, 0, 0), 0);
	CHECK_INTEQ(matches("30 2 * * *", 2024, 9, 9, 2, 30), 1);
	CHECK_INTEQ(matches("30 2 * * *", 2024, 9, 9, 2, 31), 0);
	CHECK_INTEQ(matches("@reboot", 2024, 9, 9, 0, 0), 0);
}

static void check_next_wall(const char *expr, struct walltime from, int ok,
			    struct walltime want)
{
	struct cron c;
	struct cron_error errs[CRON_MAXERRORS];
	CHECK_INTEQ(cron_parse(expr, &c, errs), 0);
	struct walltime got;
	int rc = cron_next_wall(&c, &from, &got);
	CHECK_INTEQ(rc, ok ? 0 : -1);
	if (rc || !ok)
		return;
	char g[64], w[64];
	snprintf(g, sizeof g, "%04d-%02d-%02d %02d:%02d", got.year, got.mon,
		 got.mday, got.hour, got.min);
	snprintf(w, sizeof w, "%04d-%02d-%02d %02d:%02d", want.year, want.mon,
		 want.mday, want.hour, want.min);
	CHECK_STREQ(g, w);
}

static void test_next_wall(void)
{
	struct walltime none = {0, 0, 0, 0, 0, 0};
	check_next_wall("0 0 29 2 *", (struct walltime){2025, 1, 1, 0, 0, 0}, 1,
			(struct walltime){2028, 2, 29, 0, 0, 0});
	check_next_wall("0 0 30 2 *", (struct walltime){2025, 1, 1, 0, 0, 0}, 0,
			none);
	check_next_wall("0 0 31 * *", (struct walltime){2024, 4, 1, 0, 0, 0}, 1,
			(struct walltime){2024, 5, 31, 0, 0, 0});
	/* Strictly after: the minute itself does not count. */
	check_next_wall("*/15 * * * *", (struct walltime){2024, 12, 31, 23, 45, 0},
			1, (struct walltime){2025, 1, 1, 0, 0, 0});
	check_next_wall("59 23 31 12 *", (struct walltime){2024, 12, 31, 23, 59, 0},
			1, (struct walltime){2025, 12, 31, 23, 59, 0});
	/* Friday the 13th with both fields restricted and '*' in one. */
	check_next_wall("0 9 13 * 5", (struct walltime){2024, 9, 7, 0, 0, 0}, 1,
			(struct walltime){2024, 9, 13, 9, 0, 0});
	check_next_wall("0 9 */13 * 5", (struct walltime){2024, 9, 7, 0, 0, 0}, 1,
			(struct walltime){2024, 9, 27, 9, 0, 0});   /* days 1, 14, 27 */
	/* February 29th on a Sunday: 40 years from 2088 to 2128 (2100 is
	 * no leap year), past the 28 years once searched. */
	check_next_wall("0 0 29 2 */7", (struct walltime){2088, 3, 1, 0, 0, 0},
			1, (struct walltime){2128, 2, 29, 0, 0, 0});
}

/* The next n fire times after from (RFC 3339), joined by spaces. */
static void next_times(const char *zone, const char *expr, const char *from,
		       int n, char *out, size_t size)
{
	struct cron c;
	struct cron_error errs[CRON_MAXERRORS];
	out[0] = '\0';
	time_t t;
	if (cron_parse(expr, &c, errs) || tz_parse(from, &t) < 0 ||
	    tz_use(zone) < 0) {
		snprintf(out, size, "(bad test)");
		return;
	}
	for (int i = 0; i < n; i++) {
		if (cron_next(&c, t, &t) < 0) {
			strncat(out, "(none)", size - strlen(out) - 1);
			break;
		}
		char buf[40];
		tz_format(t, buf);
		if (i)
			strncat(out, " ", size - strlen(out) - 1);
		strncat(out, buf, size - strlen(out) - 1);
	}
	tz_use(NULL);
}

#define CHECK_NEXT(zone, expr, from, n, want)                               \
	do {                                                                \
		char got_[1024];                                            \
		next_times(zone, expr, from, n, got_, sizeof got_);         \
		CHECK_STREQ(got_, want);                                    \
	} while (0)

/* --next N prints N times, across the 40-year gaps too. */
static void test_next_far(void)
{
	CHECK_NEXT("UTC", "0 0 29 2 */7", "2026-01-01T00:00:00Z", 5,
		   "2032-02-29T00:00:00+00:00 2060-02-29T00:00:00+00:00 "
		   "2088-02-29T00:00:00+00:00 2128-02-29T00:00:00+00:00 "
		   "2156-02-29T00:00:00+00:00");
}

static void test_next_dst(void)
{
	if (!tz_exists("Europe/Berlin") || !tz_exists("America/New_York")) {
		printf("SKIP: no zoneinfo for Europe/Berlin and America/New_York\n");
		return;
	}
	/* Spring forward, Berlin 2024-03-31 02:00 -> 03:00: a wall time in
	 * the gap fires as far after it as it was into it, once. */
	CHECK_NEXT("Europe/Berlin", "30 2 * * *", "2024-03-30T03:00:00+01:00", 2,
		   "2024-03-31T03:30:00+02:00 2024-04-01T02:30:00+02:00");
	CHECK_NEXT("Europe/Berlin", "0 * * * *", "2024-03-31T00:30:00+01:00", 3,
		   "2024-03-31T01:00:00+01:00 2024-03-31T03:00:00+02:00 "
		   "2024-03-31T04:00:00+02:00");
	CHECK_NEXT("Europe/Berlin", "*/30 * * * *", "2024-03-31T01:10:00+01:00", 4,
		   "2024-03-31T01:30:00+01:00 2024-03-31T03:00:00+02:00 "
		   "2024-03-31T03:30:00+02:00 2024-03-31T04:00:00+02:00");
	/* Fall back, Berlin 2024-10-27 03:00 -> 02:00: a repeated wall time
	 * fires at its first occurrence only. */
	CHECK_NEXT("Europe/Berlin", "30 2 * * *", "2024-10-27T00:00:00Z", 2,
		   "2024-10-27T02:30:00+02:00 2024-10-28T02:30:00+01:00");
	CHECK_NEXT("Europe/Berlin", "*/30 * * * *", "2024-10-27T01:50:00+02:00", 4,
		   "2024-10-27T02:00:00+02:00 2024-10-27T02:30:00+02:00 "
		   "2024-10-27T03:00:00+01:00 2024-10-27T03:30:00+01:00");
	/* From inside the repeated hour's second pass: its times are past. */
	CHECK_NEXT("Europe/Berlin", "15 2 * * *", "2024-10-27T02:05:00+01:00", 1,
		   "2024-10-28T02:15:00+01:00");
	/* New York: spring forward 2024-03-10, fall back 2024-11-03. */
	CHECK_NEXT("America/New_York", "30 2 * * *", "2024-03-09T12:00:00-05:00", 2,
		   "2024-03-10T03:30:00-04:00 2024-03-11T02:30:00-04:00");
	CHECK_NEXT("America/New_York", "30 1 * * *", "2024-11-02T12:00:00-04:00", 2,
		   "2024-11-03T01:30:00-04:00 2024-11-04T01:30:00-05:00");
	CHECK_NEXT("America/New_York", "0 9 * * 1-5", "2024-11-01T10:00:00-04:00", 2,
		   "2024-11-04T09:00:00-05:00 2024-11-05T09:00:00-05:00");
	CHECK_NEXT("UTC", "0 0 30 2 *", "2024-01-01T00:00:00Z", 1, "(none)");
	CHECK_NEXT("UTC", "@reboot", "2024-01-01T00:00:00Z", 1, "(none)");
	CHECK_NEXT("Asia/Kolkata", "0 9 * * *", "2024-01-01T00:00:00Z", 2,
		   "2024-01-01T09:00:00+05:30 2024-01-02T09:00:00+05:30");
}

static void test_tz(void)
{
	time_t t;
	CHECK_INTEQ(tz_parse("2024-03-31T01:30:00Z", &t), 0);
	CHECK_INTEQ(t, 1711848600);
	CHECK_INTEQ(tz_parse("2024-03-31T03:30:00+02:00", &t), 0);
	CHECK_INTEQ(t, 1711848600);
	CHECK_INTEQ(tz_parse("2024-03-30t20:30:00.123-05:00", &t), 0);
	CHECK_INTEQ(t, 1711848600);
	CHECK_INTEQ(tz_parse("2024-03-31 01:30Z", &t), 0);
	CHECK_INTEQ(t, 1711848600);
	CHECK_INTEQ(tz_parse("2024-02-30T00:00:00Z", &t), -1);
	CHECK_INTEQ(tz_parse("2024-03-31T01:30:00", &t), -1);
	CHECK_INTEQ(tz_parse("2024-03-31T24:00:00Z", &t), -1);
	CHECK_INTEQ(tz_parse("2024-03-31T01:30:00Zjunk", &t), -1);
	CHECK_INTEQ(tz_parse("", &t), -1);
	CHECK_INTEQ(tz_days(1970, 1, 1), 0);
	CHECK_INTEQ(tz_days(2000, 3, 1), 11017);
	long long y;
	int m, d;
	tz_civil(11017, &y, &m, &d);
	CHECK(y == 2000 && m == 3 && d == 1);

	CHECK(tz_exists("UTC"));
	CHECK(!tz_exists("../../etc/passwd"));
	CHECK(!tz_exists("/usr/share/zoneinfo/UTC"));
	CHECK(!tz_exists("Europe//Berlin"));
	CHECK(!tz_exists(""));
	CHECK(!tz_exists("No/Such_Zone"));
	CHECK(tz_use("No/Such_Zone") == -1);
	if (!tz_exists("Europe/Berlin"))
		return;
	CHECK_STREQ(tz_closest("Europe/Berln"), "Europe/Berlin");
	CHECK_INTEQ(tz_use("Europe/Berlin"), 0);
	char buf[40];
	tz_format(1711848600, buf);
	CHECK_STREQ(buf, "2024-03-31T03:30:00+02:00");
	/* Skipped 02:30 is read with the offset before the gap; repeated
	 * 02:30 is its first occurrence. */
	CHECK_INTEQ(tz_instant(&(struct walltime){2024, 3, 31, 2, 30, 0}),
		    1711848600);
	CHECK_INTEQ(tz_instant(&(struct walltime){2024, 10, 27, 2, 30, 0}),
		    1729989000);
	CHECK_INTEQ(tz_instant(&(struct walltime){2024, 7, 1, 12, 0, 0}),
		    1719828000);
	tz_use(NULL);
}

UNIT_MAIN(test_normal_forms, test_bits, test_errors, test_day_rule,
	  test_next_wall, test_next_far, test_next_dst, test_tz)
