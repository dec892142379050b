/* proc: see proc.h. */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "contract.h"
#include "util.h"

extern char **environ;

/* Signals that wake a wait; SIGCHLD first. */
static const int watched[] = {SIGCHLD, SIGINT, SIGTERM, SIGHUP};
#define NWATCHED (sizeof watched / sizeof watched[0])

static int selfpipe[2] = {-1, -1};
static int subreaper;   /* orphans of our descendants are ours */
static volatile sig_atomic_t interrupted;
static volatile sig_atomic_t ninterrupts;

static void on_signal(int sig)
{
	int e = errno;
	if (sig != SIGCHLD && !interrupted)
		interrupted = sig;
	if (sig != SIGCHLD)
		ninterrupts++;
	unsigned char c = (unsigned char)sig;
	/* A full pipe already holds a wake-up, so a failed write loses nothing. */
	if (write(selfpipe[1], &c, 1) < 0) {
	}
	errno = e;
}

static int make_pipe(int fds[2])
{
#ifdef __linux__
	return pipe2(fds, O_CLOEXEC);
#else
	if (pipe(fds) < 0)
		return -1;
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	return 0;
#endif
}

int proc_pipe(int fds[2])
{
	if (make_pipe(fds) < 0)
		return -1;
	/* The read end is pumped between polls and must never block. */
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	return 0;
}

void proc_signals_init(void)
{
	if (selfpipe[0] >= 0)
		return;
	if (proc_pipe(selfpipe) < 0)
		die(ORK_EXIT_USAGE, "cannot create a pipe: %s", strerror(errno));
	fcntl(selfpipe[1], F_SETFL, O_NONBLOCK);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NWATCHED; i++) {
		sa.sa_flags = SA_RESTART | (watched[i] == SIGCHLD ? SA_NOCLDSTOP : 0);
		sigaction(watched[i], &sa, NULL);
	}
	/* A closed stderr must not kill ork while a task is running. */
	signal(SIGPIPE, SIG_IGN);
#ifdef PR_SET_CHILD_SUBREAPER
	/* Orphaned grandchildren become ours, so we can reap them and see
	 * their group empty even where PID 1 does not reap promptly. */
	subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
#endif
}

int proc_interrupted(void)
{
	return interrupted;
}

void proc_die_with_parent(int sig)
{
#ifdef PR_SET_PDEATHSIG
	prctl(PR_SET_PDEATHSIG, sig);
#else
	(void)sig;
#endif
}

void proc_reraise(int sig)
{
	signal(sig, SIG_DFL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);
}

/* Milliseconds until a monotonic deadline, for poll(); at least 1 so we
 * do not spin just before it. */
static int ms_until(double deadline)
{
	double left = deadline - now_mono();
	if (left <= 0)
		return 0;
	if (left > 86400)
		return 86400 * 1000;
	return (int)(left * 1000.0) + 1;
}

static void drain_selfpipe(void)
{
	unsigned char buf[64];
	while (read(selfpipe[0], buf, sizeof buf) > 0)
		;
}

/* Read what is available on the pump pipe; close it at end of file. */
static void pump(struct proc *p)
{
	char buf[65536];
	while (p->pipe_fd >= 0) {
		ssize_t n = read(p->pipe_fd, buf, sizeof buf);
		if (n > 0) {
			if (p->sink)
				p->sink(p->sink_ctx, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		close(p->pipe_fd);
		p->pipe_fd = -1;
	}
}

/* One poll on the self-pipe and the pump pipe, for at most timeout ms. */
static void poll_once(struct proc *p, int timeout)
{
	struct pollfd fds[2] = {{selfpipe[0], POLLIN, 0}, {-1, POLLIN, 0}};
	nfds_t n = 1;
	if (p && p->pipe_fd >= 0) {
		fds[1].fd = p->pipe_fd;
		n = 2;
	}
	if (poll(fds, n, timeout) <= 0)
		return;
	if (fds[0].revents)
		drain_selfpipe();
	if (n == 2 && fds[1].revents)
		pump(p);
}

int proc_wait_fd(int fd, int timeout_ms)
{
	struct pollfd fds[2] = {{selfpipe[0], POLLIN, 0}, {fd, POLLIN, 0}};
	int n = poll(fds, fd >= 0 ? 2 : 1, timeout_ms);
	if (n > 0 && fds[0].revents)
		drain_selfpipe();
	return n > 0 && fd >= 0 && fds[1].revents;
}

int proc_sleep(double secs)
{
	double deadline = now_mono() + secs;
	while (!interrupted && now_mono() < deadline)
		poll_once(NULL, ms_until(deadline));
	return interrupted;
}

/* Reap whatever of p's group is ours: the main process, and orphans we
 * adopted as subreaper. */
static void reap(struct proc *p)
{
	int st;
	pid_t r;
	while ((r = waitpid(-p->pid, &st, WNOHANG)) > 0) {
		if (r == p->pid) {
			p->status = st;
			p->exited = 1;
		}
	}
	/* The group may be gone (pgid reused or never formed): still collect
	 * the main process itself. */
	if (!p->exited && waitpid(p->pid, &st, WNOHANG) == p->pid) {
		p->status = st;
		p->exited = 1;
	}
}

static int group_empty(struct proc *p)
{
	reap(p);
	return kill(-p->pid, 0) < 0 && errno == ESRCH;
}

enum proc_result proc_wait(struct proc *p, double deadline)
{
	for (;;) {
		reap(p);
		if (p->exited)
			return PROC_EXITED;
		if (interrupted)
			return PROC_INTERRUPTED;
		int timeout = -1;
		if (deadline >= 0) {
			timeout = ms_until(deadline);
			if (timeout == 0)
				return PROC_TIMEDOUT;
		}
		poll_once(p, timeout);
	}
}

/* Wait until p's group is empty or the deadline passes.  Orphans reaped
 * by someone else send us no SIGCHLD, hence the short polling steps.  A
 * new interrupt (a second Ctrl-C) cuts the wait short. */
static int wait_group_empty(struct proc *p, double deadline)
{
	int step = 2;
	sig_atomic_t seen = ninterrupts;
	while (!group_empty(p)) {
		int left = ms_until(deadline);
		if (left == 0 || ninterrupts != seen)
			return 0;
		poll_once(p, left < step ? left : step);
		if (step < 100)
			step *= 2;
	}
	return 1;
}

/* Our children, as the kernel lists them (Linux 3.5+ with
 * CONFIG_PROC_CHILDREN); -1 when it cannot tell. */
static int list_children(pid_t *out, int max)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%ld/task/%ld/children",
		 (long)getpid(), (long)getpid());
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	int n = 0;
	long pid;
	while (n < max && fscanf(f, "%ld", &pid) == 1)
		out[n++] = (pid_t)pid;
	fclose(f);
	return n;
}

/* Reap the children that have ended, except spare (its owner waits for
 * it). */
static void reap_others(pid_t spare)
{
	pid_t kids[256];
	int n = list_children(kids, 256);
	for (int i = 0; i < n; i++)
		if (kids[i] != spare)
			waitpid(kids[i], NULL, WNOHANG);
}

/* Signal every child we have (they can only be orphans we adopted: the
 * task itself is reaped) and its process group, if it leads one: a
 * daemon that called setsid() leads its own. */
static int signal_children(int sig, pid_t spare)
{
	pid_t kids[256];
	reap_others(spare);
	int n = list_children(kids, 256), signalled = 0;
	for (int i = 0; i < n; i++) {
		if (kids[i] == spare)
			continue;
		if (getpgid(kids[i]) == kids[i])
			kill(-kids[i], sig);
		kill(kids[i], sig);
		signalled++;
	}
	return signalled;
}

/* Whether we have no child at all, after reaping those that are dead
 * already: waitpid says so in one call, where /proc takes eight. */
static int no_children(void)
{
	pid_t r;
	while ((r = waitpid(-1, NULL, WNOHANG)) > 0)
		;
	return r < 0 && errno == ECHILD;
}

void proc_kill_adopted(double grace, pid_t spare)
{
	if (!subreaper)
		return;
	/* The common case: the task left nothing behind. */
	if (!spare && no_children())
		return;
	if (signal_children(SIGTERM, spare) <= 0)
		return;
	/* The grace period, then KILL until nobody is left: each death may
	 * hand us its own orphans. */
	double deadline = now_mono() + grace;
	int step = 2;
	while (signal_children(0, spare) > 0 && now_mono() < deadline) {
		poll_once(NULL, step);
		if (step < 100)
			step *= 2;
	}
	deadline = now_mono() + 5;
	while (signal_children(SIGKILL, spare) > 0 && now_mono() < deadline)
		poll_once(NULL, 10);
}

void proc_kill_group(struct proc *p, int sig, double grace)
{
	if (!group_empty(p)) {
		kill(-p->pid, sig);
		if (!wait_group_empty(p, now_mono() + grace)) {
			kill(-p->pid, SIGKILL);
			/* SIGKILL cannot be refused; the bound only guards
			 * against a process stuck in the kernel. */
			wait_group_empty(p, now_mono() + 5);
		}
	}
	if (p->pipe_fd >= 0) {
		pump(p);
		/* Whoever still holds the write end (a process that left the
		 * group) must not keep ork waiting. */
		if (p->pipe_fd >= 0) {
			close(p->pipe_fd);
			p->pipe_fd = -1;
		}
	}
}

/* Find name in PATH of env, as execvp does: the first executable regular
 * file wins; EACCES is reported only when nothing better was found. */
static int search_path(const char *name, char *const *env, char **out)
{
	const char *path = NULL;
	for (char *const *e = env; *e; e++)
		if (!strncmp(*e, "PATH=", 5))
			path = *e + 5;
	if (!path)
		path = "/bin:/usr/bin";
	int err = ENOENT;
	struct strbuf cand = STRBUF_INIT;
	for (const char *d = path;; d++) {
		const char *end = strchr(d, ':');
		size_t n = end ? (size_t)(end - d) : strlen(d);
		strbuf_reset(&cand);
		strbuf_add(&cand, n ? d : ".", n ? n : 1);
		strbuf_addf(&cand, "/%s", name);
		struct stat st;
		if (stat(cand.buf, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(cand.buf, X_OK) == 0) {
				*out = strbuf_detach(&cand);
				return 0;
			}
			err = EACCES;
		}
		if (!end)
			break;
		d = end;
	}
	strbuf_release(&cand);
	return err;
}

/* The child side of vfork: only system calls, then exec or _exit.  It
 * shares ork's memory until exec, which is how errp reaches the parent. */
static void __attribute__((noreturn))
child(const struct proc_opts *o, const char *path, char *const *shargv,
      char *const *env, const sigset_t *mask, volatile int *errp)
{
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	for (size_t i = 0; i < NWATCHED; i++)
		sigaction(watched[i], &dfl, NULL);
	sigaction(SIGPIPE, &dfl, NULL);
	setpgid(0, 0);
#ifdef PR_SET_PDEATHSIG
	/* If ork is killed outright, its task must not run on unwatched. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
	if ((o->fd_in >= 0 && dup2(o->fd_in, 0) < 0) ||
	    (o->fd_out >= 0 && dup2(o->fd_out, 1) < 0) ||
	    (o->fd_err >= 0 && dup2(o->fd_err, 2) < 0)) {
		*errp = errno;
		_exit(127);
	}
	sigprocmask(SIG_SETMASK, mask, NULL);
	execve(path, o->argv, env);
	/* execvp's fallback: a script without #! is run by the shell. */
	if (errno == ENOEXEC)
		execve("/bin/sh", shargv, env);
	*errp = errno ? errno : ENOEXEC;
	_exit(127);
}

/* vfork and exec in a function of its own, so that no local of the
 * caller is live across vfork.  Returns the pid, or -1 with *err set. */
static pid_t spawn(const struct proc_opts *o, const char *path,
		   char *const *shargv, char *const *env, int *err)
{
	static volatile int child_errno;
	/* Block everything across vfork so that no handler of ork's runs in
	 * the child before it has reset the dispositions. */
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	child_errno = 0;
	pid_t pid = vfork();
	if (pid == 0)
		child(o, path, shargv, env, &old, &child_errno);
	*err = pid < 0 ? errno : child_errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	return pid;
}

int proc_which(const char *name, char **out)
{
	if (strchr(name, '/')) {
		*out = xstrdup(name);
		return 0;
	}
	return search_path(name, environ, out);
}

int proc_start(struct proc *p, const struct proc_opts *o)
{
	char *const *env = o->env ? o->env : environ;
	char *path = NULL;
	if (strchr(o->argv[0], '/')) {
		path = xstrdup(o->argv[0]);
	} else {
		int err = search_path(o->argv[0], env, &path);
		if (err)
			return err;
	}
	size_t argc = 0;
	while (o->argv[argc])
		argc++;
	char **shargv = xmalloc((argc + 2) * sizeof *shargv);
	shargv[0] = "sh";
	shargv[1] = path;
	for (size_t i = 1; i <= argc; i++)
		shargv[i + 1] = o->argv[i];

	int err;
	pid_t pid = spawn(o, path, shargv, env, &err);
	free(shargv);
	free(path);
	if (pid < 0)
		return err;
	if (err) {
		/* It never ran: collect it so no zombie is left. */
		waitpid(pid, NULL, 0);
		return err;
	}
	p->pid = pid;
	p->status = 0;
	p->exited = 0;
	return 0;
}

void proc_describe(int status, char *buf, size_t n)
{
	if (WIFEXITED(status))
		snprintf(buf, n, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, n, "killed by signal %d (%s)", WTERMSIG(status),
			 proc_signame(WTERMSIG(status)));
	else
		snprintf(buf, n, "wait status %#x", (unsigned)status);
}

const char *proc_signame(int sig)
{
	switch (sig) {
#define S(x) case SIG##x: return "SIG" #x
	S(HUP); S(INT); S(QUIT); S(ILL); S(TRAP); S(ABRT); S(BUS); S(FPE);
	S(KILL); S(USR1); S(SEGV); S(USR2); S(PIPE); S(ALRM); S(TERM);
	S(CHLD); S(CONT); S(STOP); S(TSTP); S(TTIN); S(TTOU); S(URG);
	S(XCPU); S(XFSZ); S(VTALRM); S(PROF); S(SYS);
#undef S
	}
	static char buf[16];
	snprintf(buf, sizeof buf, "SIG%d", sig);
	return buf;
}
