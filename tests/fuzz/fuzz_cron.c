/* fuzz_cron: cron schedules.  The first byte picks a zone and a start
 * time, the rest is the schedule: parsed (errors and all), then matched
 * and stepped through its next fire times, as --next and ork cron-fire do. */
#include <string.h>

#include "cron.h"
#include "fuzz.h"
#include "tz.h"

static const char *const zones[] = {
	"UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
};
/* 2026-01-01, 2024-03-31 00:30 UTC (a gap in Berlin), 2099-12-31, 1970 */
static const time_t starts[] = { 1767225600, 1711845000, 4102358400, 0 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_setup();
	if (size < 1 || size > 4096)
		return 0;
	unsigned sel = data[0];
	char *s = xstrndup((const char *)data + 1, size - 1);
	struct cron c;
	struct cron_error errs[CRON_MAXERRORS];
	if (cron_parse(s, &c, errs) == 0) {
		struct walltime w = { 2024 + (int)(sel % 7), 1 + (int)(sel % 12),
				      1 + (int)(sel % 31), (int)(sel % 24),
				      (int)(sel % 60), 0 };
		(void)cron_match(&c, &w);
		struct walltime next;
		(void)cron_next_wall(&c, &w, &next);
		const char *zone = zones[sel % 4];
		if (tz_exists(zone) && tz_use(zone) == 0) {
			time_t t = starts[(sel >> 2) % 4];
			for (int i = 0; i < 3 && cron_next(&c, t, &t) == 0; i++) {
				char buf[40];
				tz_format(t, buf);
			}
			tz_use(NULL);
		}
	}
	free(s);
	return 0;
}
