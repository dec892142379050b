/* proc: ork's boundary with the operating system for processes.
 *
 * It starts a task in a process group of its own, waits for it with a
 * deadline while pumping one output pipe, kills the whole group (TERM, a
 * grace period, KILL) and tells ork about SIGINT, SIGTERM and SIGHUP.
 *
 * Every signal ork cares about is turned into a byte on one self-pipe by
 * its handler, so each wait is a single poll(2) on that pipe (plus the
 * output pipe) with a timeout: nothing can arrive between a check and a
 * sleep, and an interrupt is noticed wherever ork happens to be waiting.
 *
 * Nothing here prints or exits; results are returned to the caller. */
#ifndef ORK_PROC_H
#define ORK_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* Install the handlers for SIGCHLD, SIGINT, SIGTERM and SIGHUP, ignore
 * SIGPIPE, and (on Linux) become a child subreaper so that orphaned
 * grandchildren are ours to reap.  Idempotent. */
void proc_signals_init(void);
/* The first of SIGINT, SIGTERM or SIGHUP received since init, or 0. */
int proc_interrupted(void);
/* Sleep secs seconds unless interrupted first; returns proc_interrupted(). */
int proc_sleep(double secs);
/* Die by sig the default way, so a parent (make) sees the signal. */
/* Wait up to timeout_ms (-1: no limit) for a signal (SIGCHLD included)
 * or for fd (if >= 0) to be readable; 1 when fd is. */
int proc_wait_fd(int fd, int timeout_ms);
void proc_reraise(int sig) __attribute__((noreturn));
/* Linux: have sig sent to ork when its parent dies.  No-op elsewhere. */
void proc_die_with_parent(int sig);

/* Called with the bytes read from a child's pipe. */
typedef void proc_sink(void *ctx, const char *buf, size_t n);

/* What to start. */
struct proc_opts {
	char *const *argv;  /* argv[0] has a '/', or is searched in env's PATH */
	char *const *env;   /* NULL-terminated "K=V"; NULL: ork's own */
	int fd_in, fd_out, fd_err;  /* become 0, 1, 2; -1: inherited */
};

/* One started process and its group (the pgid is the pid). */
struct proc {
	pid_t pid;
	int status;          /* wait status, valid once exited */
	int exited;          /* the main process has been reaped */
	int pipe_fd;         /* read end to pump, or -1; set by the caller */
	proc_sink *sink;     /* receives what arrives on pipe_fd */
	void *sink_ctx;
};
#define PROC_INIT {0, 0, 0, -1, NULL, NULL}

/* Where execvp would find name: name itself when it has a '/', else the
 * first executable regular file of that name in ork's PATH.  0 with *out
 * freshly allocated, or the errno value (ENOENT, EACCES). */
int proc_which(const char *name, char **out);

/* A close-on-exec pipe whose read end does not block, for pipe_fd.
 * Returns 0, or -1 with errno set. */
int proc_pipe(int fds[2]);

/* Start a process as described by o, leader of a new process group, with
 * default signal dispositions; on Linux it is killed if ork dies.  p is
 * initialised with PROC_INIT; pipe_fd and the sink are left alone.  Returns
 * 0, or the errno value that prevented the program from starting (ENOENT,
 * EACCES...), in which case nothing is left running. */
int proc_start(struct proc *p, const struct proc_opts *o);

enum proc_result { PROC_EXITED, PROC_TIMEDOUT, PROC_INTERRUPTED };
/* Wait for p's main process, pumping p->pipe_fd, until it exits, the
 * monotonic deadline (see now_mono; < 0: none) passes or ork is
 * interrupted.  On PROC_EXITED, p->status is set. */
enum proc_result proc_wait(struct proc *p, double deadline);
/* Leave nothing of p's group running: if the group is not empty, send sig,
 * wait up to grace seconds for it to empty (less if another interrupt
 * arrives meanwhile), then SIGKILL what is left.  Reaps p, drains
 * p->pipe_fd into the sink and closes it. */
void proc_kill_group(struct proc *p, int sig, double grace);
/* After proc_kill_group: leave none of the orphans we adopted as child
 * subreaper running (a task's daemon that left its group with setsid()):
 * SIGTERM to each and its group, up to grace seconds, then SIGKILL, until
 * we have no child left.  Needs /proc/PID/task/TID/children; elsewhere
 * (and when ork itself is killed with SIGKILL) such a daemon survives.
 * spare (0: none) is a child of our own that its owner waits for (the
 * secrets' stdout relay): neither signalled nor reaped. */
void proc_kill_adopted(double grace, pid_t spare);

/* The shell's way of saying how a wait status ended: "exit status 3",
 * "killed by signal 9 (SIGKILL)". */
void proc_describe(int status, char *buf, size_t n);
/* "SIGKILL", or "SIG<n>" for unusual numbers (static or in a static
 * buffer). */
const char *proc_signame(int sig);

#endif
