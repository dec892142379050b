/* mask: see mask.h. */
#include "mask.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

static const char stars[] = "***";

void mask_init(struct mask *m, const char *const *vals, size_t n)
{
	memset(m, 0, sizeof *m);
	m->vals = xcalloc(n + 1, sizeof *m->vals);
	m->lens = xcalloc(n + 1, sizeof *m->lens);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(vals[i]);
		if (len < MASK_MIN_LEN)
			continue;
		/* Insert by length, longest first. */
		size_t j = m->n++;
		while (j > 0 && m->lens[j - 1] < len) {
			m->vals[j] = m->vals[j - 1];
			m->lens[j] = m->lens[j - 1];
			j--;
		}
		m->vals[j] = vals[i];
		m->lens[j] = len;
		if (len > m->maxlen)
			m->maxlen = len;
	}
}

void mask_release(struct mask *m)
{
	/* The held bytes may be the start of a value. */
	if (m->hold.buf)
		memset(m->hold.buf, 0, m->hold.len);
	strbuf_release(&m->hold);
	free(m->vals);
	free(m->lens);
	memset(m, 0, sizeof *m);
}

/* What happens at b[0]: the length of the value found there, 0 for
 * nothing, or (size_t)-1 when a value may start there but the bytes end
 * before it could tell (only when not final). */
static size_t match_at(const struct mask *m, const char *b, size_t left,
		       int final)
{
	for (size_t k = 0; k < m->n; k++) {
		size_t len = m->lens[k];
		if (m->vals[k][0] != b[0])
			continue;
		if (len <= left) {
			if (!memcmp(b, m->vals[k], len))
				return len;
		} else if (!final && !memcmp(b, m->vals[k], left)) {
			return (size_t)-1;
		}
	}
	return 0;
}

/* Pass b[0..len) on, masked, as far as it is decided; returns how many
 * bytes were decided (all of them when final). */
static size_t scan(const struct mask *m, const char *b, size_t len, int final,
		   mask_out *out, void *ctx, size_t *count)
{
	size_t i = 0, from = 0;
	while (i < len) {
		size_t hit = match_at(m, b + i, len - i, final);
		if (hit == (size_t)-1)
			break;
		if (!hit) {
			i++;
			continue;
		}
		if (i > from)
			out(ctx, b + from, i - from);
		out(ctx, stars, sizeof stars - 1);
		(*count)++;
		i += hit;
		from = i;
	}
	if (i > from)
		out(ctx, b + from, i - from);
	return i;
}

void mask_feed(void *ctx, const char *buf, size_t n)
{
	struct mask *m = ctx;
	if (!m->n) {
		m->out(m->ctx, buf, n);
		return;
	}
	const char *b = buf;
	size_t len = n;
	if (m->hold.len) {
		strbuf_add(&m->hold, buf, n);
		b = m->hold.buf;
		len = m->hold.len;
	}
	size_t done = scan(m, b, len, 0, m->out, m->ctx, &m->count);
	if (b == buf) {
		strbuf_add(&m->hold, buf + done, n - done);
	} else {
		memmove(m->hold.buf, m->hold.buf + done, len - done);
		memset(m->hold.buf + (len - done), 0, done);
		m->hold.len = len - done;
	}
}

void mask_flush(struct mask *m)
{
	if (m->hold.len)
		scan(m, m->hold.buf, m->hold.len, 1, m->out, m->ctx, &m->count);
	strbuf_reset(&m->hold);
}

static void to_strbuf(void *ctx, const char *buf, size_t n)
{
	strbuf_add(ctx, buf, n);
}

size_t mask_string(const struct mask *m, char *s)
{
	if (!m->n || !s)
		return 0;
	struct strbuf sb = STRBUF_INIT;
	size_t count = 0;
	scan(m, s, strlen(s), 1, to_strbuf, &sb, &count);
	if (count)
		memcpy(s, sb.buf, sb.len + 1);
	strbuf_release(&sb);
	return count;
}

/* ---- the relay ---------------------------------------------------------- */

struct fd_out {
	int fd;
	int failed;
};

static void to_fd(void *ctx, const char *buf, size_t n)
{
	struct fd_out *o = ctx;
	if (!o->failed && write_all(o->fd, buf, n) < 0)
		o->failed = 1;
}

static void __attribute__((noreturn))
relay(const struct mask *tmpl, int in, int outfd, const sigset_t *old)
{
	/* ork's handlers are ork's: the relay ends when its input does. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
#ifdef PR_SET_PDEATHSIG
	prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
	sigprocmask(SIG_SETMASK, old, NULL);
	struct mask m = *tmpl;
	m.hold = (struct strbuf)STRBUF_INIT;
	struct fd_out o = {outfd, 0};
	m.out = to_fd;
	m.ctx = &o;
	char buf[65536];
	for (;;) {
		ssize_t n = read(in, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		mask_feed(&m, buf, (size_t)n);
	}
	mask_flush(&m);
	_exit(o.failed ? 2 : m.count ? 1 : 0);
}

int mask_relay_start(const struct mask *m, int outfd, pid_t *pid)
{
	int fds[2];
	if (pipe(fds) < 0)
		return -1;
	/* No handler of ork's may run in the relay. */
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	*pid = fork();
	if (*pid == 0) {
		close(fds[1]);
		relay(m, fds[0], outfd, &old);
	}
	int e = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(fds[0]);
	if (*pid < 0) {
		close(fds[1]);
		errno = e;
		return -1;
	}
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	return fds[1];
}

int mask_relay_end(pid_t pid, int fd, double timeout)
{
	close(fd);
	/* The relay usually ends at once; poll in growing steps. */
	long step_ns = 100 * 1000;
	int st;
	for (double waited = 0;; waited += (double)step_ns / 1e9) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -1;
		if (waited >= timeout) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			return -1;
		}
		struct timespec ts = {0, step_ns};
		nanosleep(&ts, NULL);
		if (step_ns < 50 * 1000 * 1000)
			step_ns *= 2;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) > 1)
		return -1;
	return WEXITSTATUS(st);
}
