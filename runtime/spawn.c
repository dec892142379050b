/* spawn: see spawn.h. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "contract.h"
#include "exec.h"
#include "util.h"

#define EVENTS_FD 3

/* A running child: its pid and the scheduler's number for its task. */
struct child {
	pid_t pid;
	long id;
};

struct spawner {
	struct child *kids;
	size_t nkids, cap;
	char *buf;            /* requests read, not yet handled */
	size_t len, bufcap;
};

/* SIGCHLD becomes a byte on this pipe, so the one poll(2) of the main
 * loop sees both requests and ended children. */
static int wake[2] = {-1, -1};

static void on_sigchld(int sig)
{
	(void)sig;
	int saved = errno;
	ssize_t n = write(wake[1], "c", 1);
	(void)n;   /* full: a wake-up is already pending */
	errno = saved;
}

/* One event line, in one write, so that it never interleaves with what
 * the script and its watcher write to the same fifo. */
static void report(char kind, long id, long value)
{
	char line[64];
	int n = snprintf(line, sizeof line, "%c %ld %ld\n", kind, id, value);
	if (write_all(EVENTS_FD, line, (size_t)n) < 0)
		die(ORK_EXIT_USAGE, "spawn: cannot write to fd %d: %s", EVENTS_FD,
		    strerror(errno));
}

/* The status a shell's $? would show for wait status st. */
static long shell_status(int st)
{
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 2;
}

/* Report and forget the children that have ended; with block, wait for
 * at least one (there must be one). */
static void reap(struct spawner *s, int block)
{
	int st;
	pid_t pid;
	while ((pid = waitpid(-1, &st, block ? 0 : WNOHANG)) != 0) {
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			return;   /* ECHILD: none left */
		}
		block = 0;
		for (size_t i = 0; i < s->nkids; i++) {
			if (s->kids[i].pid != pid)
				continue;
			report('e', s->kids[i].id, shell_status(st));
			s->kids[i] = s->kids[--s->nkids];
			break;
		}
	}
}

/* In the child: what `( trap - INT TERM HUP; exec ork exec NAME ) &`
 * used to give ork exec, then ork exec itself. */
static void __attribute__((noreturn))
run_child(char *name, const char *jobs, const char *spec)
{
	close(wake[0]);
	close(wake[1]);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	close(EVENTS_FD);
	int null = open("/dev/null", O_RDONLY);
	if (null > 0) {
		dup2(null, 0);
		close(null);
	} else {
		close(0);
	}
	setenv("ORK_SPEC", spec, 1);
	if (strcmp(jobs, "-")) {
		setenv("ORK_JOBS", jobs, 1);
		unsetenv("MAKEFLAGS");
	}
#ifdef PR_SET_NAME
	prctl(PR_SET_NAME, name);
#endif
	char *argv[] = {"exec", name, NULL};
	exit(cmd_exec(2, argv));
}

/* Split "ID NAME JOBS SPEC" in place; -1 when it is not that. */
static int parse_request(char *line, long *id, char **name, char **jobs,
			 char **spec)
{
	char *end;
	errno = 0;
	*id = strtol(line, &end, 10);
	if (end == line || *end != ' ' || errno || *id < 0)
		return -1;
	*name = end + 1;
	if (!(end = strchr(*name, ' ')) || end == *name || **name == '-')
		return -1;
	*end = '\0';
	*jobs = end + 1;
	if (!(end = strchr(*jobs, ' ')) || end == *jobs)
		return -1;
	*end = '\0';
	*spec = end + 1;
	if (strcmp(*jobs, "-") && !only_chars(*jobs, "0123456789"))
		return -1;
	return **spec ? 0 : -1;
}

static void handle_request(struct spawner *s, char *line)
{
	long id;
	char *name, *jobs, *spec;
	if (parse_request(line, &id, &name, &jobs, &spec) < 0) {
		warn_msg("spawn: not a request (ID NAME JOBS SPEC): '%.60s'", line);
		if (id >= 0 && line[0] >= '0' && line[0] <= '9')
			report('e', id, ORK_EXIT_USAGE);
		return;
	}
	pid_t pid = fork();
	if (pid == 0)
		run_child(name, jobs, spec);
	if (pid < 0) {
		warn_msg("spawn: cannot start ork exec %s: %s", name, strerror(errno));
		report('e', id, ORK_EXIT_USAGE);
		return;
	}
	s->kids = xgrow(s->kids, &s->cap, s->nkids + 1, sizeof *s->kids);
	s->kids[s->nkids].pid = pid;
	s->kids[s->nkids].id = id;
	s->nkids++;
	report('s', id, (long)pid);
}

/* Read what is there; handle every complete line.  0 at end of input. */
static int read_requests(struct spawner *s)
{
	s->buf = xgrow(s->buf, &s->bufcap, s->len + 65536, 1);
	ssize_t n = read(0, s->buf + s->len, s->bufcap - s->len);
	if (n < 0 && errno == EINTR)
		return 1;
	if (n < 0)
		die(ORK_EXIT_USAGE, "spawn: cannot read requests: %s", strerror(errno));
	s->len += (size_t)n;
	char *start = s->buf, *nl;
	while ((nl = memchr(start, '\n', s->len - (size_t)(start - s->buf)))) {
		*nl = '\0';
		handle_request(s, start);
		start = nl + 1;
	}
	s->len -= (size_t)(start - s->buf);
	memmove(s->buf, start, s->len);
	return n > 0;
}

int cmd_spawn(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: ork spawn   (requests on stdin, events on "
			"fd %d; see ork(1))\n", EVENTS_FD);
		return ORK_EXIT_USAGE;
	}
	if (fcntl(EVENTS_FD, F_GETFD) < 0)
		die(ORK_EXIT_USAGE, "spawn: fd %d, for its events, is not open",
		    EVENTS_FD);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	if (pipe(wake) < 0)
		die(ORK_EXIT_USAGE, "cannot create a pipe: %s", strerror(errno));
	fcntl(wake[0], F_SETFL, O_NONBLOCK);
	fcntl(wake[1], F_SETFL, O_NONBLOCK);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigchld;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);

	struct spawner s;
	memset(&s, 0, sizeof s);
	for (int open_input = 1; open_input;) {
		struct pollfd pf[2] = {{0, POLLIN, 0}, {wake[0], POLLIN, 0}};
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			die(ORK_EXIT_USAGE, "spawn: poll: %s", strerror(errno));
		}
		if (pf[1].revents) {
			char drain[64];
			while (read(wake[0], drain, sizeof drain) > 0)
				;
			reap(&s, 0);
		}
		if (pf[0].revents)
			open_input = read_requests(&s);
	}
	if (s.len > 0)
		warn_msg("spawn: the last request has no newline; not run");
	while (s.nkids > 0)
		reap(&s, 1);
	free(s.kids);
	free(s.buf);
	return 0;
}
