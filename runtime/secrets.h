/* secrets: the run-time side of `env: {VAR: {secret: NAME}}` (the
 * compile-time side is compiler/secret.h).
 *
 * The task spec names a task's secrets, never their values: member
 * "secrets": {"VAR": "NAME", ...}.  Before the first attempt, ork exec
 * looks each NAME up: in its own environment first, then in the file
 * $ORK_SECRETS_FILE (the environment wins, so an operator can override
 * one value for one run).  The file holds lines NAME=value (the value is
 * the rest of the line, taken as it is; blank lines and lines starting
 * with '#' are ignored; a NAME given twice: the last line wins) and must
 * be a regular file owned by the user running ork with no permission for
 * group or others (mode 0600 or 0400), or ork refuses it.  An empty value
 * counts as none.  A secret found
 * nowhere fails the task before it starts: "secret 'NAME' is not set
 * (environment or ORK_SECRETS_FILE)".
 *
 * The values reach the task as VAR in its environment only; ork masks
 * every value (mask.h) in what the task writes to its log and stdout and
 * in every reason it prints or journals, and refuses an output holding a
 * value.  A task without secrets pays nothing: every function below
 * returns at once when there is none. */
#ifndef ORK_SECRETS_H
#define ORK_SECRETS_H

#include <stddef.h>
#include <sys/types.h>

#include "mask.h"
#include "proc.h"
#include "taskio.h"
#include "taskspec.h"

struct secrets {
	size_t n;
	const char **vars;    /* the task's variables (borrowed from the spec) */
	const char **names;   /* the secrets' names (borrowed from the spec) */
	char **values;        /* owned; wiped on release */
	struct mask mask;     /* masks every value */
	pid_t relay;          /* the stdout relay of this attempt, or 0 */
	int relay_masked;     /* the relay replaced a value */
};

/* Parse the spec member "secrets" into s->secrets; for spec_parse.
 * Returns 0, or -1 with a message in err. */
int spec_parse_secrets(struct task_spec *s, struct strbuf *err);

/* Whether name is the name of one of s's secrets (render.c refuses
 * env.NAME for it, should a spec not made by orkc ask). */
int secrets_named(const struct task_spec *s, const char *name);

/* Look every secret of s up.  Returns 0, or -1 with why appended to err
 * (no value in it, ever); sec needs secrets_release either way. */
int secrets_load(const struct task_spec *s, struct secrets *sec,
		 struct strbuf *err);
void secrets_release(struct secrets *sec);

/* Set each VAR=value in e (after the spec's env: a secret wins). */
void secrets_env(const struct secrets *sec, struct envb *e);
/* Route what p pumps through the mask to out(ctx). */
void secrets_sink(struct secrets *sec, struct proc *p, proc_sink *out,
		  void *ctx);
/* The pump has ended: pass on what the mask held back. */
void secrets_flush(struct secrets *sec);
/* The fd to give the task as its stdout: outfd itself, or (with secrets)
 * a pipe to a relay that writes to outfd masked.  -1 when it fails. */
int secrets_stdout(struct secrets *sec, int outfd);
/* After the task ended: close fd, and wait for the relay if there is one.
 * Returns -1 when the relay failed. */
int secrets_stdout_end(struct secrets *sec, int fd);
/* Whether the output file path may be kept: 0, or -1 with why appended
 * to err when it holds a value (from_stdout: path is the stdout the relay
 * wrote, masked already). */
int secrets_check_output(const struct secrets *sec, const char *path,
			 int from_stdout, struct strbuf *err);
/* Mask the string s in place. */
void secrets_mask_text(const struct secrets *sec, char *s);

#endif
