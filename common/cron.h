/* cron: standard 5-field cron schedules (a workflow's schedule:), as Vixie cron
 * (Debian's cron, cronie) reads them, and their fire times.
 *
 *   minute hour day-of-month month day-of-week
 *
 * Each field is '*' or a comma list of N, A-B, '*' / S or A-B/S; month and
 * day-of-week also take names (JAN-DEC, SUN-SAT, any case), alone or in
 * ranges; day-of-week 7 is Sunday.  Macros: @hourly @daily @midnight
 * @weekly @monthly @yearly @annually, and @reboot (fires when cron starts,
 * never at a time).  Refused although some crons take them: "N/S" (Vixie
 * does not), backwards ranges (Vixie makes them empty), 6 or 7 fields.
 *
 * Days, as Vixie does it: when day-of-month or day-of-week starts with
 * '*' (including "* /2"), a day must match both; when both are restricted,
 * either one.
 *
 * Fire times: a schedule matches wall-clock minutes in a zone; each
 * matching wall time fires once, at the instant tz.h gives it (skipped
 * wall times fire as far after the gap as they were into it, repeated ones
 * at their first occurrence).  A struct cron holds no pointers. */
#ifndef ORK_CRON_H
#define ORK_CRON_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "tz.h"

#define CRON_MAXLEN 255   /* longest schedule accepted, in bytes */

struct cron {
	uint64_t minute;        /* bit N: minute N (0-59) */
	uint32_t hour;          /* bits 0-23 */
	uint32_t mday;          /* bits 1-31 */
	uint16_t month;         /* bits 1-12 */
	uint8_t wday;           /* bits 0-6, Sunday 0 (7 is folded into 0) */
	unsigned char mday_star;   /* day-of-month starts with '*' */
	unsigned char wday_star;   /* day-of-week starts with '*' */
	unsigned char reboot;      /* @reboot: no fire times */
	/* The schedule with names turned into numbers, macros expanded and
	 * fields separated by one space: text every cron reads the same way.
	 * "@reboot" for @reboot. */
	char normal[CRON_MAXLEN + 1];
};

/* One problem in a schedule: where (a byte offset into the text) and what
 * ("hour '24' is out of range 0-23"). */
struct cron_error {
	size_t offset;
	char msg[160];
};
#define CRON_MAXERRORS 6   /* one per field, plus one about the field count */

/* Parse s.  Returns the number of errors written to errs (at most
 * CRON_MAXERRORS, in the order of their offsets); 0 means c is filled. */
size_t cron_parse(const char *s, struct cron *c, struct cron_error *errs);

/* Whether the schedule matches wall time w (seconds ignored). */
int cron_match(const struct cron *c, const struct walltime *w);
/* How far ahead a fire time is looked for: one whole Gregorian cycle,
 * which holds every (date, weekday) pair the calendar has (28 years do
 * not: February 29th on a Sunday comes in 2088 and then in 2128). */
#define CRON_HORIZON_YEARS 400
/* The first matching wall time strictly after w (to the minute), within
 * CRON_HORIZON_YEARS; 0 with *next set, or -1 when there is none
 * (February 30th). */
int cron_next_wall(const struct cron *c, const struct walltime *w,
		   struct walltime *next);
/* The first fire time strictly after instant t, in the zone in use
 * (tz_use); 0 with *next set, or -1 when the schedule never fires
 * (@reboot included). */
int cron_next(const struct cron *c, time_t t, time_t *next);

#endif
