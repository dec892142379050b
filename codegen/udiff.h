/* udiff: a unified diff of two texts, line by line, in the format of
 * `diff -u` (3 lines of context), for orkc --check-generated. */
#ifndef ORK_UDIFF_H
#define ORK_UDIFF_H

#include <stddef.h>

#include "util.h"

/* Append to out the diff that turns a (alen bytes) into b (blen bytes),
 * headed "--- aname" and "+++ bname"; nothing when they are equal.
 * A last line without a newline is marked as diff marks it.  The diff is
 * minimal (a longest common subsequence) when the differing middle part
 * is small enough, else that part is replaced as a whole.  Returns
 * whether the texts differ. */
int udiff(struct strbuf *out, const char *aname, const char *a, size_t alen,
	  const char *bname, const char *b, size_t blen);

#endif
