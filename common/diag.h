/* diag: compiler-style diagnostics for one source file.
 *
 *   wf.yaml:12:5: error: unknown key 'depend_on'; did you mean 'depends_on'?
 *       depend_on: [a]
 *       ^
 *
 * Messages are collected, then printed sorted by position so the output does
 * not depend on the order the checks run in.  Lines and columns are 1-based;
 * libyaml's 0-based marks are converted in exactly one place (yamlnode.c). */
#ifndef ORK_DIAG_H
#define ORK_DIAG_H

#include <stdio.h>

struct srcpos {
	unsigned line;   /* 1-based; 0 when unknown */
	unsigned col;    /* 1-based, in bytes */
};

enum diag_kind { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE };

struct diag_msg {
	enum diag_kind kind;
	struct srcpos pos;   /* where the caret goes */
	struct srcpos key;   /* sort position: a note's is its message's */
	char *text;          /* owned */
	size_t seq;     /* report order, to keep the sort stable */
};

struct diag {
	const char *path;     /* as the user named it; borrowed */
	const char *src;      /* the file's text for quoting lines; borrowed, may be NULL */
	size_t srclen;
	struct diag_msg *msgs;
	size_t nmsgs, capmsgs;
	unsigned nerrors, nwarnings;
	/* diag_source_line's place: the start of line line_no, or NULL */
	const char *line_at;
	unsigned line_no;
};

void diag_init(struct diag *d, const char *path, const char *src, size_t srclen);
void diag_release(struct diag *d);
void diag_error(struct diag *d, struct srcpos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void diag_warning(struct diag *d, struct srcpos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A note attaches to the message before it and sorts with it. */
void diag_note(struct diag *d, struct srcpos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The text of source line `line` (1-based) and its length (without the
 * newline), or NULL.  Asked in file order, the lines cost one pass over
 * the source in all: the search starts from the line found last. */
const char *diag_source_line(struct diag *d, unsigned line, size_t *len);
/* Print every message, sorted, each with its source line and caret, then a
 * count line when there were errors.  Clears the list. */
void diag_flush(struct diag *d, FILE *out);

#endif
