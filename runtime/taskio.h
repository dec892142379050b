/* taskio: the bytes that cross into and out of a task: its input, made
 * from static members and upstream output files without parsing them; its
 * output, checked in place without building a tree; and its environment.
 * Nothing here knows about runs, journals or attempts. */
#ifndef ORK_TASKIO_H
#define ORK_TASKIO_H

#include <stddef.h>

#include "util.h"   /* write_all */

/* Append what remains of in to out at copy cost (copy_file_range where
 * the kernel has it, else read/write).  0, or -1 with errno set. */
int copy_fd(int in, int out);

/* One upstream member of an input: its name and the file holding its
 * value, or NULL for null (an upstream that failed or was skipped). */
struct input_part {
	const char *name;
	const char *path;
};

/* Write {MEMBERS, "NAME": <bytes of path>, ...} to fd, where MEMBERS is
 * the raw text of the static members (n bytes, may be empty).  Returns 0,
 * or -1 with errno set and *bad naming the file that could not be read
 * (NULL when writing fd failed). */
int input_write(int fd, const char *members, size_t n,
		const struct input_part *parts, size_t nparts, const char **bad);

/* Make the file at path a valid output: empty or blank is null; anything
 * else must be exactly one JSON value (trailing blanks are dropped, so the
 * file embeds cleanly downstream).  The file is mapped, never parsed into
 * a tree.  Returns 0, or -1 with why appended to err: "invalid JSON
 * output at byte 17: unexpected character". */
int output_check(const char *path, struct strbuf *err);

/* A child's environment: the inherited one, minus names to drop, with
 * "NAME=value" entries set on top (a later set of a name wins). */
struct envb {
	char **add;
	size_t nadd, cap;
};
#define ENVB_INIT {NULL, 0, 0}
void envb_set(struct envb *e, const char *name, const char *val);
/* The environment to pass to exec: environ without drop (a name, or NULL)
 * and without the names set, then the entries set.  Strings are borrowed
 * from environ and e; free the array with envb_release. */
char **envb_build(const struct envb *e, const char *drop);
void envb_release(struct envb *e, char **env);

#endif
