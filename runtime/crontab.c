/* crontab: see crontab.h.  The crontab program does the writing (it
 * knows where the spool is and tells cron); this file only works out the
 * new text. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crontab.h"
#include "rundir.h"
#include "tz.h"
#include "util.h"

/* ---- text ------------------------------------------------------------- */

/* Lines of text (without their newlines), as a NULL-terminated array
 * pointing into a copy owned by *copy. */
static char **split_lines(const char *text, char **copy, size_t *n)
{
	*copy = xstrdup(text);
	char **lines = NULL;
	size_t cap = 0;
	*n = 0;
	char *p = *copy;
	while (*p) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		lines = xgrow(lines, &cap, *n + 2, sizeof *lines);
		lines[(*n)++] = p;
		p = nl ? nl + 1 : p + strlen(p);
	}
	lines = xgrow(lines, &cap, *n + 1, sizeof *lines);
	lines[*n] = NULL;
	return lines;
}

static int is_marker(const char *line, const char *what, const char *name)
{
	size_t w = strlen(what);
	return !strncmp(line, what, w) && (!name || !strcmp(line + w, name));
}

char *crontab_block_name(const char *text, struct strbuf *err)
{
	char *copy;
	size_t n;
	char **lines = split_lines(text, &copy, &n);
	while (n > 0 && !*lines[n - 1])
		n--;   /* trailing blank lines */
	char *name = NULL;
	const char *why = "it does not start with '# BEGIN orkc NAME' (make it "
			  "with orkc -t cron)";
	if (n >= 2 && is_marker(lines[0], "# BEGIN orkc ", NULL)) {
		const char *nm = lines[0] + strlen("# BEGIN orkc ");
		why = "it does not end with the block's '# END orkc NAME' line";
		if (valid_name(nm) && is_marker(lines[n - 1], "# END orkc ", nm)) {
			name = xstrdup(nm);
			for (size_t i = 1; i + 1 < n && name; i++)
				if (is_marker(lines[i], "# BEGIN orkc ", NULL) ||
				    is_marker(lines[i], "# END orkc ", NULL)) {
					why = "it holds more than one block";
					free(name);
					name = NULL;
				}
		}
	}
	free(lines);
	free(copy);
	if (!name)
		error_to(err, "%s", why);
	return name;
}

char *crontab_splice(const char *tab, const char *name, const char *block,
		     struct strbuf *err)
{
	char *copy;
	size_t n;
	char **lines = split_lines(tab, &copy, &n);
	size_t begin = n, end = n;
	for (size_t i = 0; i < n; i++) {
		if (!is_marker(lines[i], "# BEGIN orkc ", name))
			continue;
		if (begin != n) {
			error_to(err, "the crontab has two blocks for this "
				 "workflow; fix it with crontab -e");
			goto fail;
		}
		begin = i;
		for (end = i + 1; end < n; end++)
			if (is_marker(lines[end], "# END orkc ", name))
				break;
		if (end == n) {
			error_to(err, "the crontab's block for this workflow "
				 "has no '# END orkc' line; fix it with crontab -e");
			goto fail;
		}
		i = end;
	}
	struct strbuf out = STRBUF_INIT;
	for (size_t i = 0; i < begin; i++)
		strbuf_addf(&out, "%s\n", lines[i]);
	if (block) {
		strbuf_adds(&out, block);
		if (block[0] && block[strlen(block) - 1] != '\n')
			strbuf_addc(&out, '\n');
	}
	for (size_t i = end + 1; i < n && begin < n; i++)
		strbuf_addf(&out, "%s\n", lines[i]);
	free(lines);
	free(copy);
	return strbuf_detach(&out);
fail:
	free(lines);
	free(copy);
	return NULL;
}

/* What changes from a to b: the differing middle, one line of context
 * either side. */
static void print_diff(const char *a, const char *b)
{
	char *ca, *cb;
	size_t na, nb;
	char **la = split_lines(a, &ca, &na), **lb = split_lines(b, &cb, &nb);
	size_t pre = 0, suf = 0;
	while (pre < na && pre < nb && !strcmp(la[pre], lb[pre]))
		pre++;
	while (suf < na - pre && suf < nb - pre &&
	       !strcmp(la[na - 1 - suf], lb[nb - 1 - suf]))
		suf++;
	printf("--- crontab (installed)\n+++ crontab (new)\n");
	if (pre > 0)
		printf(" %s\n", la[pre - 1]);
	for (size_t i = pre; i < na - suf; i++)
		printf("-%s\n", la[i]);
	for (size_t i = pre; i < nb - suf; i++)
		printf("+%s\n", lb[i]);
	if (suf > 0)
		printf(" %s\n", la[na - suf]);
	free(la);
	free(lb);
	free(ca);
	free(cb);
}

/* ---- the crontab program --------------------------------------------- */

static const char *crontab_prog(void)
{
	const char *p = getenv("ORK_CRONTAB");
	return p && *p ? p : "crontab";
}

/* Drain the two pipes into out and err until both end. */
static void read_both(int ofd, int efd, struct strbuf *out, struct strbuf *err)
{
	struct pollfd pf[2] = {{ofd, POLLIN, 0}, {efd, POLLIN, 0}};
	struct strbuf *sinks[2] = {out, err};
	int open_fds = 2;
	while (open_fds > 0) {
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			die(ORK_EXIT_USAGE, "crontab: poll: %s", strerror(errno));
		}
		for (int i = 0; i < 2; i++) {
			if (pf[i].fd < 0 || !pf[i].revents)
				continue;
			char buf[4096];
			ssize_t n = read(pf[i].fd, buf, sizeof buf);
			if (n > 0) {
				strbuf_add(sinks[i], buf, (size_t)n);
			} else if (n == 0 || errno != EINTR) {
				close(pf[i].fd);
				pf[i].fd = -1;
				open_fds--;
			}
		}
	}
}

static int wait_child(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* `crontab -l`; a user without a crontab has an empty one. */
static char *read_crontab(void)
{
	int o[2], e[2];
	if (pipe(o) < 0 || pipe(e) < 0)
		die(ORK_EXIT_USAGE, "crontab: pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0)
		die(ORK_EXIT_USAGE, "crontab: fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(o[1], 1);
		dup2(e[1], 2);
		close(o[0]); close(o[1]); close(e[0]); close(e[1]);
		execlp(crontab_prog(), crontab_prog(), "-l", (char *)NULL);
		fprintf(stderr, "cannot run '%s': %s\n", crontab_prog(),
			strerror(errno));
		_exit(127);
	}
	close(o[1]);
	close(e[1]);
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	read_both(o[0], e[0], &out, &err);
	int rc = wait_child(pid);
	/* Anything but "no crontab" must stop us: writing back what we did
	 * not manage to read would wipe the user's entries. */
	if (rc != 0 && !(out.len == 0 && strstr(strbuf_str(&err), "no crontab")))
		die(ORK_EXIT_USAGE, "crontab: '%s -l' failed (%d): %s", crontab_prog(), rc,
		    strbuf_str(&err));
	strbuf_release(&err);
	if (rc != 0)
		strbuf_reset(&out);
	return strbuf_detach(&out);
}

/* `crontab -` with text on its standard input. */
static void write_crontab(const char *text)
{
	int in[2];
	if (pipe(in) < 0)
		die(ORK_EXIT_USAGE, "crontab: pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0)
		die(ORK_EXIT_USAGE, "crontab: fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(in[0], 0);
		close(in[0]);
		close(in[1]);
		execlp(crontab_prog(), crontab_prog(), "-", (char *)NULL);
		fprintf(stderr, "cannot run '%s': %s\n", crontab_prog(),
			strerror(errno));
		_exit(127);
	}
	close(in[0]);
	size_t len = strlen(text), off = 0;
	while (off < len) {
		ssize_t n = write(in[1], text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		off += (size_t)n;
	}
	close(in[1]);
	int rc = wait_child(pid);
	if (rc != 0 || off < len)
		die(ORK_EXIT_USAGE, "crontab: '%s -' failed (%d); the crontab is unchanged",
		    crontab_prog(), rc);
}

/* ---- subcommands ------------------------------------------------------ */

/* Show the diff and write new unless it equals old or dry_run. */
static int apply(const char *old, const char *new, const char *name,
		 int dry_run, const char *done)
{
	if (!strcmp(old, new)) {
		printf("crontab: entries for '%s' are up to date\n", name);
		return 0;
	}
	print_diff(old, new);
	if (dry_run)
		return 0;
	write_crontab(new);
	printf("crontab: %s entries for '%s'\n", done, name);
	return 0;
}

/* An entry with --timezone is started by cron at the schedule's minutes
 * in the system's zone, which are the workflow zone's minutes only when
 * the system's zone is whole hours from UTC. */
static void warn_zone(const char *block)
{
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	if (strstr(block, " --timezone ") && tm.tm_gmtoff % 3600 != 0 &&
	    !strstr(block, "\n* * * * * "))
		warn_msg("crontab: this system's time zone is not whole hours from "
		      "UTC, so cron will start the entry at the wrong minutes; "
		      "set TZ=UTC for cron, or give the workflow no timezone");
}

/* The zone named by the block's --timezone word (unquoted the way
 * gen_cron quotes it), or NULL when it has none.  Owned by the caller. */
static char *block_zone(const char *block)
{
	const char *p = strstr(block, " --timezone ");
	if (!p)
		return NULL;
	p += strlen(" --timezone ");
	struct strbuf sb = STRBUF_INIT;
	if (*p != '\'') {
		strbuf_add(&sb, p, strcspn(p, " \n"));
		return strbuf_detach(&sb);
	}
	for (p++; *p && *p != '\n'; p++) {
		if (!strncmp(p, "'\\''", 4)) {
			strbuf_addc(&sb, '\'');
			p += 3;
		} else if (!strncmp(p, "\\%", 2)) {
			strbuf_addc(&sb, '%');
			p++;
		} else if (*p == '\'') {
			break;
		} else {
			strbuf_addc(&sb, *p);
		}
	}
	return strbuf_detach(&sb);
}

/* An entry for a zone this machine does not know would fail at every
 * firing (and, filtered every minute, fail every minute). */
static void check_zone(const char *block, const char *file)
{
	char *zone = block_zone(block);
	if (zone && !tz_exists(zone)) {
		const char *near = tz_closest(zone);
		die(ORK_EXIT_USAGE, "crontab: '%s' names an unknown time zone '%s'%s%s%s; "
		    "nothing installed", file, zone,
		    near ? " (did you mean '" : "", near ? near : "",
		    near ? "'?)" : "");
	}
	free(zone);
}

static int install(const char *file, int dry_run)
{
	char *text;
	if (!strcmp(file, "-")) {
		struct strbuf sb = STRBUF_INIT;
		char buf[4096];
		size_t n;
		while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
			strbuf_add(&sb, buf, n);
		text = strbuf_detach(&sb);
	} else if (!(text = read_file(file, NULL))) {
		die(ORK_EXIT_USAGE, "crontab: cannot read '%s': %s", file, strerror(errno));
	}
	struct strbuf why = STRBUF_INIT;
	char *name = crontab_block_name(text, &why);
	if (!name)
		die(ORK_EXIT_USAGE, "crontab: '%s' is not a block of orkc crontab lines: %s",
		    file, strbuf_str(&why));
	check_zone(text, file);
	warn_zone(text);
	char *old = read_crontab();
	char *new = crontab_splice(old, name, text, &why);
	if (!new)
		die(ORK_EXIT_USAGE, "crontab: %s", strbuf_str(&why));
	int rc = apply(old, new, name, dry_run, "installed");
	free(name);
	free(text);
	free(old);
	free(new);
	return rc;
}

static int remove_block(const char *name, int dry_run)
{
	if (!valid_name(name))
		die(ORK_EXIT_USAGE, "crontab: '%s' is not a workflow name", name);
	char *old = read_crontab();
	struct strbuf why = STRBUF_INIT;
	char *new = crontab_splice(old, name, NULL, &why);
	if (!new)
		die(ORK_EXIT_USAGE, "crontab: %s", strbuf_str(&why));
	int rc = 0;
	if (!strcmp(old, new))
		printf("crontab: no entries for '%s'\n", name);
	else
		rc = apply(old, new, name, dry_run, "removed");
	free(old);
	free(new);
	return rc;
}

/* Print every orkc block, or NAME's; 1 when there is none to print. */
static int show(const char *name)
{
	char *tab = read_crontab(), *copy;
	size_t n;
	char **lines = split_lines(tab, &copy, &n);
	int in = 0, found = 0;
	for (size_t i = 0; i < n; i++) {
		if (!in && is_marker(lines[i], "# BEGIN orkc ", name))
			in = found = 1;
		if (in)
			printf("%s\n", lines[i]);
		if (in && is_marker(lines[i], "# END orkc ", name))
			in = 0;
	}
	if (!found)
		fprintf(stderr, "ork: crontab: no orkc entries%s%s%s\n",
			name ? " for '" : "", name ? name : "", name ? "'" : "");
	free(lines);
	free(copy);
	free(tab);
	return found ? 0 : 1;
}

static const char usage[] =
	"usage: ork crontab install [--dry-run] FILE|-\n"
	"       ork crontab remove [--dry-run] WORKFLOW\n"
	"       ork crontab show [WORKFLOW]\n";

int cmd_crontab(int argc, char **argv)
{
	int dry_run = 0;
	if (argc >= 3 && !strcmp(argv[2], "--dry-run")) {
		dry_run = 1;
		argv[2] = argv[1];
		argv++;
		argc--;
	}
	if (argc == 3 && !strcmp(argv[1], "install"))
		return install(argv[2], dry_run);
	if (argc == 3 && !strcmp(argv[1], "remove"))
		return remove_block(argv[2], dry_run);
	if ((argc == 2 || argc == 3) && !strcmp(argv[1], "show") && !dry_run)
		return show(argc == 3 ? argv[2] : NULL);
	fputs(usage, stderr);
	return ORK_EXIT_USAGE;
}
