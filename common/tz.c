/* tz: see tz.h.  The C library does the zone arithmetic (localtime_r on
 * TZ); this file adds the one rule for skipped and repeated wall times,
 * and RFC 3339 both ways. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tz.h"
#include "util.h"

static const char *zoneinfo_dir(void)
{
	const char *dir = getenv("TZDIR");
	return dir && *dir ? dir : "/usr/share/zoneinfo";
}

/* A name that can only mean a file under the zone directory. */
static int safe_zone_name(const char *name)
{
	if (!*name || *name == '/' || strlen(name) > 200)
		return 0;
	for (const char *p = name; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789/_+-", *p))
			return 0;
	for (const char *p = name; *p;) {
		size_t n = strcspn(p, "/");
		if (n == 0)
			return 0;   /* "a//b" or a trailing slash */
		p += n;
		if (*p)
			p++;
	}
	return 1;   /* no '.' at all, so no "." or ".." component */
}

int tz_exists(const char *name)
{
	if (!name || !safe_zone_name(name))
		return 0;
	char *path = xasprintf("%s/%s", zoneinfo_dir(), name);
	FILE *f = fopen(path, "rb");
	free(path);
	if (!f)
		return 0;
	char magic[4];
	int ok = fread(magic, 1, 4, f) == 4 && !memcmp(magic, "TZif", 4);
	fclose(f);
	return ok;
}

/* Zone names from tzdata.zi: "Z NAME ..." zones and "L TARGET NAME"
 * links.  NULL-terminated array of pointers into *text; NULL if the file
 * is missing. */
static const char **zone_names(char **text)
{
	char *path = xasprintf("%s/tzdata.zi", zoneinfo_dir());
	*text = read_file(path, NULL);
	free(path);
	if (!*text)
		return NULL;
	const char **names = NULL;
	size_t n = 0, cap = 0;
	for (char *line = *text; line && *line;) {
		char *next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *name = NULL;
		if (line[0] == 'Z' && line[1] == ' ')
			name = line + 2;
		else if (line[0] == 'L' && line[1] == ' ' && strchr(line + 2, ' '))
			name = strchr(line + 2, ' ') + 1;
		if (name) {
			name[strcspn(name, " \t")] = '\0';
			names = xgrow(names, &cap, n + 2, sizeof *names);
			names[n++] = name;
		}
		line = next;
	}
	if (names)
		names[n] = NULL;
	return names;
}

const char *tz_closest(const char *name)
{
	static char best[256];
	char *text;
	const char **names = zone_names(&text);
	const char *near = names ? closest_match(name, names) : NULL;
	if (near)
		snprintf(best, sizeof best, "%s", near);
	free(names);
	free(text);
	return near ? best : NULL;
}

/* TZ as the process found it, so tz_use(NULL) can put it back. */
static int saved;
static char *saved_tz;   /* NULL: TZ was unset */

int tz_use(const char *name)
{
	if (!saved) {
		const char *tz = getenv("TZ");
		saved_tz = tz ? xstrdup(tz) : NULL;
		saved = 1;
	}
	if (name && !tz_exists(name))
		return -1;
	if (name)
		setenv("TZ", name, 1);
	else if (saved_tz)
		setenv("TZ", saved_tz, 1);
	else
		unsetenv("TZ");
	tzset();
	return 0;
}

void tz_wall(time_t t, struct walltime *w, long *off)
{
	struct tm tm;
	localtime_r(&t, &tm);
	w->year = tm.tm_year + 1900;
	w->mon = tm.tm_mon + 1;
	w->mday = tm.tm_mday;
	w->hour = tm.tm_hour;
	w->min = tm.tm_min;
	w->sec = tm.tm_sec;
	if (off)
		*off = tm.tm_gmtoff;
}

static long offset_at(time_t t)
{
	struct tm tm;
	localtime_r(&t, &tm);
	return tm.tm_gmtoff;
}

/* The wall time read as if it were UTC. */
static long long naive_seconds(const struct walltime *w)
{
	return tz_days(w->year, w->mon, w->mday) * 86400 + w->hour * 3600LL +
	       w->min * 60LL + w->sec;
}

time_t tz_instant(const struct walltime *w)
{
	/* The instant lies within a day of the naive time, and zones do not
	 * change offset twice in two days, so the offsets a day either side
	 * are the only candidates.  A candidate is real when the zone has
	 * that offset at the instant it gives. */
	long long n = naive_seconds(w);
	long before = offset_at((time_t)(n - 86400));
	long after = offset_at((time_t)(n + 86400));
	time_t a = (time_t)(n - before), b = (time_t)(n - after);
	int a_ok = offset_at(a) == before, b_ok = offset_at(b) == after;
	if (a_ok && b_ok)
		return a < b ? a : b;    /* repeated: the first occurrence */
	if (b_ok)
		return b;
	return a;   /* a_ok, or skipped: read with the offset before the gap */
}

void tz_format(time_t t, char out[40])
{
	struct walltime w;
	long off;
	tz_wall(t, &w, &off);
	char sign = off < 0 ? '-' : '+';
	if (off < 0)
		off = -off;
	char buf[96];
	snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld",
		 w.year, w.mon, w.mday, w.hour, w.min, w.sec, sign, off / 3600,
		 off / 60 % 60);
	buf[39] = '\0';
	memcpy(out, buf, 40);
}

/* n digits at *p as a number; -1 if they are not all digits. */
static int digits(const char **p, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*p += n;
	return v;
}

static int days_in_month(long long y, int m)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : mdays[m - 1];
}

int tz_parse(const char *s, time_t *t)
{
	const char *p = s;
	struct walltime w = {0, 0, 0, 0, 0, 0};
	if ((w.year = digits(&p, 4)) < 0 || *p++ != '-' ||
	    (w.mon = digits(&p, 2)) < 1 || w.mon > 12 || *p++ != '-' ||
	    (w.mday = digits(&p, 2)) < 1 || w.mday > days_in_month(w.year, w.mon) ||
	    (*p != 'T' && *p != 't' && *p != ' ') || !*p++ ||
	    (w.hour = digits(&p, 2)) < 0 || w.hour > 23 || *p++ != ':' ||
	    (w.min = digits(&p, 2)) < 0 || w.min > 59)
		return -1;
	if (*p == ':') {
		p++;
		if ((w.sec = digits(&p, 2)) < 0 || w.sec > 60)
			return -1;
		if (w.sec == 60)
			w.sec = 59;   /* a leap second: the second before */
		if (*p == '.' && p[1] >= '0' && p[1] <= '9')
			for (p++; *p >= '0' && *p <= '9'; p++)
				;
	}
	long off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1;
		int oh = digits(&p, 2);
		if (oh < 0 || oh > 23 || *p++ != ':')
			return -1;
		int om = digits(&p, 2);
		if (om < 0 || om > 59)
			return -1;
		off = sign * (oh * 3600L + om * 60L);
	} else {
		return -1;   /* a time without an offset means nothing here */
	}
	if (*p)
		return -1;
	*t = (time_t)(naive_seconds(&w) - off);
	return 0;
}

/* Howard Hinnant's days_from_civil and civil_from_days. */
long long tz_days(long long y, int m, int d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void tz_civil(long long days, long long *y, int *m, int *d)
{
	days += 719468;
	long long era = (days >= 0 ? days : days - 146096) / 146097;
	long long doe = days - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}
