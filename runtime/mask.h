/* mask: replace secret values by "***" in a stream of bytes.
 *
 * ork exec masks what a task with secrets writes (its log, and its stdout
 * on the way to the stdout file) and every reason it prints or journals
 * for such a task.  Every occurrence of every value of at least
 * MASK_MIN_LEN bytes is replaced, also when it straddles two chunks of the
 * stream: the masker holds back the bytes that may be the start of a value
 * until the next chunk (or the end) decides.  When values overlap at one
 * place, the longest wins.  Values are matched byte for byte, as the task
 * would print them (a JSON-escaped form of a value is not recognised).
 *
 * A struct mask borrows its values: they must outlive it. */
#ifndef ORK_MASK_H
#define ORK_MASK_H

#include <stddef.h>
#include <sys/types.h>

#include "util.h"

/* Shorter values are not masked: "***" for every "a" would ruin a log. */
#define MASK_MIN_LEN 4

typedef void mask_out(void *ctx, const char *buf, size_t n);

struct mask {
	const char **vals;    /* the values to mask, longest first */
	size_t *lens;
	size_t n;
	size_t maxlen;
	struct strbuf hold;   /* bytes not yet passed on */
	size_t count;         /* occurrences replaced so far */
	mask_out *out;        /* receives the masked bytes */
	void *ctx;
};

/* Set m up for the n values (those shorter than MASK_MIN_LEN are left
 * out); out and ctx are set by the caller before the first feed. */
void mask_init(struct mask *m, const char *const *vals, size_t n);
void mask_release(struct mask *m);
/* Pass buf through m to m->out.  A proc_sink: ctx is the mask. */
void mask_feed(void *ctx, const char *buf, size_t n);
/* The end of the stream: pass on what is held back. */
void mask_flush(struct mask *m);
/* Mask the string s in place (the result is never longer); returns the
 * number of values replaced. */
size_t mask_string(const struct mask *m, char *s);

/* A relay process that copies what arrives on the returned pipe to outfd,
 * masked: give the pipe to a task as its stdout.  *pid is the relay's.
 * Returns the pipe's write end, or -1 with errno set. */
int mask_relay_start(const struct mask *m, int outfd, pid_t *pid);
/* Close fd (the pipe's write end: the task must be gone), and wait for
 * the relay to pass on the rest.  Returns 1 when it replaced anything,
 * 0 when not, -1 when it failed or had to be killed after timeout
 * seconds (a process that left the task's group still holds the pipe). */
int mask_relay_end(pid_t pid, int fd, double timeout);

#endif
