/* gen_cron: the crontab target.  A marked block of crontab lines that
 * `ork crontab install` puts into the user's crontab:
 *
 *   # BEGIN orkc NAME
 *   ...comments...
 *   MIN HOUR DOM MON DOW '/abs/ork' cron-fire -C '/abs/root' --workflow NAME -- make -j4 -f run.mk
 *   # END orkc NAME
 *
 * cron runs the command part with /bin/sh, so everything in it is either
 * fixed text of ours or single-quoted, with '%' escaped (cron turns a bare
 * '%' into a newline).  The schedule goes in its normal form (numbers
 * only), which every cron reads the same way.  No environment lines
 * (PATH=, CRON_TZ=): in a crontab they apply to every later entry, the
 * user's own included; `ork cron-fire` sets PATH for the run, and takes
 * the time zone itself (Debian's cron ignores CRON_TZ). */
#include "codegen.h"

#include <string.h>

#include "cron.h"
#include "tz.h"

/* cron's limit on a command (Vixie's MAX_COMMAND, with its NUL). */
#define CRON_MAX_COMMAND 999

/* Characters a word may have to go into the line unquoted. */
static int plain_word(const char *s)
{
	return only_chars(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			     "0123456789._/+-:@,=");
}

/* A word cron and sh pass through unchanged.  cron has no escape for a
 * backslash before '%' and a line cannot hold a line break, so those are
 * refused (by cron_word_ok) rather than mangled. */
static int cron_word_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '\\')
			return 0;
	return 1;
}

static void add_word(struct strbuf *out, const char *s)
{
	if (plain_word(s)) {
		strbuf_adds(out, s);
		return;
	}
	strbuf_addc(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			strbuf_adds(out, "'\\''");
		else if (*s == '%')
			strbuf_adds(out, "\\%");
		else
			strbuf_addc(out, *s);
	}
	strbuf_addc(out, '\'');
}

/* Whether every UTC offset the zone has had or planned since 2000 is a
 * whole number of hours: then its wall minutes are the system's wall
 * minutes wherever the system's offset is whole hours too. */
static int whole_hour_zone(const char *zone)
{
	if (tz_use(zone) < 0)
		return 0;
	int whole = 1;
	for (time_t t = 946684800; whole && t < 2208988800; t += 7 * 86400) {
		struct walltime w;
		long off;
		tz_wall(t, &w, &off);
		whole = off % 3600 == 0;
	}
	tz_use(NULL);
	return whole;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

/* The time fields of the entry; *filtered when cron-fire must check the
 * time in the workflow's zone. */
static void add_times(struct strbuf *out, const struct workflow *wf,
		      const struct cron *c, int *filtered)
{
	*filtered = 0;
	if (c->reboot || !wf->timezone) {
		strbuf_adds(out, c->normal);
		return;
	}
	/* In another zone the hours and days move, the minutes stay (for
	 * whole-hour zones): start cron-fire at the schedule's minutes of
	 * every hour, and let it check the rest. */
	*filtered = 1;
	if (whole_hour_zone(wf->timezone))
		strbuf_addf(out, "%.*s * * * *", (int)strcspn(c->normal, " "),
			    c->normal);
	else
		strbuf_adds(out, "* * * * *");
}

static void add_command(struct strbuf *out, const struct workflow *wf,
			const struct cron *c, const struct cron_target *ct,
			int filtered)
{
	add_word(out, ct->ork);
	strbuf_adds(out, " cron-fire -C ");
	add_word(out, ct->root);
	strbuf_adds(out, " --workflow ");
	add_word(out, wf->name);
	int catchup = wf->catchup && strcmp(wf->catchup, "none");
	if (filtered || (catchup && !c->reboot)) {
		strbuf_adds(out, " --schedule ");
		add_word(out, c->normal);
	}
	if (filtered) {
		strbuf_adds(out, " --timezone ");
		add_word(out, wf->timezone);
	}
	if (catchup && !c->reboot) {
		strbuf_adds(out, " --catchup ");
		add_word(out, wf->catchup);
	}
	if (ends_with(ct->artifact, ".sh")) {
		strbuf_adds(out, " -- sh ");
		add_word(out, ct->artifact);
		strbuf_addf(out, " -j %ld", ct->jobs);
	} else {
		strbuf_addf(out, " -- make -j%ld -f ", ct->jobs);
		add_word(out, ct->artifact);
	}
}

static void add_header(struct strbuf *out, const struct workflow *wf,
		       const struct cron_target *ct, int filtered)
{
	strbuf_addf(out, "# BEGIN orkc %s\n", wf->name);
	add_generated_by(out, "#", wf);
	strbuf_adds(out, "# Do not edit: change the workflow, run orkc "
		    "again, then ork crontab install.\n#\n");
	add_workflow_line(out, "#", wf);
	strbuf_adds(out, "\n# schedule: ");
	add_comment_text(out, wf->schedule, 200);
	if (wf->timezone) {
		strbuf_adds(out, " (time zone ");
		add_comment_text(out, wf->timezone, 100);
		strbuf_adds(out, ")");
	}
	strbuf_adds(out, "\n# Each firing runs ");
	add_comment_text(out, ct->artifact, 200);
	strbuf_adds(out, " in ");
	add_comment_text(out, ct->root, 200);
	strbuf_adds(out, " as a fresh run cron-YYYYMMDDTHHMM,\n"
		    "# skipped while the previous run still runs; log: "
		    ".ork/");
	strbuf_addf(out, "%s/cron.log\n", wf->name);
	if (wf->catchup && strcmp(wf->catchup, "none")) {
		strbuf_adds(out, "# Firings missed while the machine was off are "
			    "run by the next one (catchup: ");
		add_comment_text(out, wf->catchup, 20);
		strbuf_adds(out, ").\n");
	}
	if (filtered)
		strbuf_adds(out, "# cron starts ork cron-fire at these minutes "
			    "of every hour; it runs the workflow\n# only when "
			    "the time in the workflow's zone matches the "
			    "schedule.\n");
}

int gen_cron(struct strbuf *out, const struct plan *p,
	     const struct cron_target *ct, struct strbuf *err)
{
	const struct workflow *wf = p->wf;
	struct cron_error errs[CRON_MAXERRORS];
	struct cron c;
	if (!wf->schedule || cron_parse(wf->schedule, &c, errs))
		return error_to(err, "the workflow has no valid schedule");
	if (!cron_word_ok(ct->root) || !cron_word_ok(ct->ork) ||
	    !cron_word_ok(ct->artifact))
		return error_to(err, "a path has a backslash or a control "
				"character, which a crontab line cannot pass "
				"on");
	int filtered;
	struct strbuf line = STRBUF_INIT, cmd = STRBUF_INIT;
	add_times(&line, wf, &c, &filtered);
	add_command(&cmd, wf, &c, ct, filtered);
	if (cmd.len > CRON_MAX_COMMAND) {
		strbuf_release(&line);
		strbuf_release(&cmd);
		return error_to(err, "the crontab line is longer than cron's "
				"limit of 999 bytes (shorter paths?)");
	}
	add_header(out, wf, ct, filtered);
	strbuf_addf(out, "%s %s\n# END orkc %s\n", strbuf_str(&line),
		    strbuf_str(&cmd), wf->name);
	strbuf_release(&line);
	strbuf_release(&cmd);
	return 0;
}
