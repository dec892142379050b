/* tz: IANA time zones for schedules and for the run's date: which zones
 * exist, and the mapping between instants and wall-clock times in a zone.
 *
 * The one rule for wall times that do not map to exactly one instant is
 * Python's (PEP 495, fold=0), stated once here and used everywhere:
 *   - a wall time skipped by a spring-forward transition (02:30 in Berlin
 *     on the last Sunday of March) is read with the offset in force
 *     before the transition, so it lands as far after the gap as it was
 *     into it (03:30 CEST);
 *   - a wall time that occurs twice (fall-back) is its first occurrence.
 *
 * The zone in use is process-wide (it sets TZ): tz_use first, then the
 * other calls.  Nothing here allocates. */
#ifndef ORK_TZ_H
#define ORK_TZ_H

#include <time.h>

/* A wall-clock time, all fields as people write them (mon 1-12). */
struct walltime {
	int year, mon, mday, hour, min, sec;
};

/* Whether name is an IANA zone this machine knows: a relative path of
 * [A-Za-z0-9/_+-] without "." or ".." components, naming a TZif file
 * under $TZDIR (default /usr/share/zoneinfo). */
int tz_exists(const char *name);
/* The known zone closest to name, for a did-you-mean, or NULL.  Points
 * into a static buffer valid until the next call. */
const char *tz_closest(const char *name);

/* Use zone name for the calls below; NULL: the zone of the environment
 * as ork or orkc found it (TZ, else /etc/localtime).  Returns 0, or -1
 * when name is not a known zone (the zone in use is then unchanged). */
int tz_use(const char *name);

/* The wall time of instant t in the zone in use, and its UTC offset in
 * seconds east (off may be NULL). */
void tz_wall(time_t t, struct walltime *w, long *off);
/* The instant of wall time w in the zone in use, by the rule above. */
time_t tz_instant(const struct walltime *w);

/* RFC 3339 with the zone's offset, seconds precision:
 * "2026-03-29T03:30:00+02:00" ("Z" is never used: the offset says which
 * side of a transition the time is on). */
void tz_format(time_t t, char out[40]);
/* Parse RFC 3339: YYYY-MM-DDTHH:MM[:SS[.frac]] then Z or +HH:MM/-HH:MM
 * ('t', 'z' and a space for 'T' accepted too; fractions dropped).
 * Returns 0, or -1 when s is not such a time. */
int tz_parse(const char *s, time_t *t);

/* Days since 1970-01-01 of a civil date, and back (proleptic Gregorian). */
long long tz_days(long long y, int m, int d);
void tz_civil(long long days, long long *y, int *m, int *d);

#endif
