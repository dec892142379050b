/* util: allocation, growable strings and fatal errors shared by orkc and ork.
 *
 * Allocation failure is fatal here and only here, so no caller checks for
 * NULL.  Every buffer returned is owned by the caller and released with free()
 * (or strbuf_release for a struct strbuf).  Across common/ and runtime/,
 * NAME_free(p) frees a heap object and what it owns; NAME_release(s) frees
 * what an embedded struct owns, not the struct (DESIGN.md, "Errors and
 * ownership"). */
#ifndef ORK_UTIL_H
#define ORK_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

/* Name printed before fatal and error messages ("orkc", "ork"). */
extern const char *progname;

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grow *arr (of *cap elements of size elem) so that it holds at least need. */
void *xgrow(void *arr, size_t *cap, size_t need, size_t elem);
/* printf into a fresh buffer. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Error conventions.  orkc and ork report errors in exactly two ways:
 *
 *  1. The compiler reports problems in the workflow file through `diag`
 *     (common/diag.h): file:line:col, many per run.
 *  2. Everything else returns -1 (or NULL) and appends one lowercase
 *     message, without a trailing newline or a program name, to a
 *     caller-provided `struct strbuf *err` (which may be NULL when the
 *     caller only wants to know that it failed): `return error_to(err,
 *     "...")`.  A parser whose caller needs to point at the bad byte also
 *     fills a `size_t *errpos` (byte offset into its input); the caller
 *     maps it to a line and column.  The expression and cron parsers keep
 *     that pair in one small struct (struct expr_error, struct cron_error).
 *
 * Two exceptions: the thin wrappers around the OS below (write_all,
 * read_file, write_file_atomic, fsync_parent, mkdir_p; and taskio.h's
 * copy_fd and input_write, which names the file it could not read)
 * return -1 or NULL with errno set, because errno is the whole message
 * and the caller adds the path; and die() is for the top level only
 * (usage errors, and allocation failure in x*alloc). */

/* "PROGNAME: message" on stderr, then exit(status). */
void die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
/* "PROGNAME: message" on stderr. */
void warn_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct strbuf;
/* Append the message to err (unless err is NULL) and return -1. */
int error_to(struct strbuf *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A growable byte string.  buf is NULL until the first append (so
 * STRBUF_INIT costs nothing), and NUL-terminated after it: read it with
 * strbuf_str(), which is never NULL, unless the buffer is known to have
 * had an append; test for emptiness with len. */
struct strbuf {
	char *buf;    /* owned; NULL until the first append */
	size_t len;   /* bytes used, not counting the NUL */
	size_t cap;
};
#define STRBUF_INIT {NULL, 0, 0}
/* Room for extra more bytes and the NUL: the appends' slow path. */
void strbuf_grow(struct strbuf *sb, size_t extra);

/* The appends are inline: codegen makes millions of small ones, and with
 * room to spare (nearly always) each is a copy, not a call; a literal's
 * length is known when it compiles. */
static inline void strbuf_add(struct strbuf *sb, const void *data, size_t n)
{
	if (sb->len + n + 1 > sb->cap)
		strbuf_grow(sb, n);
	if (n)
		memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

static inline void strbuf_adds(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

static inline void strbuf_addc(struct strbuf *sb, char c)
{
	if (sb->len + 2 > sb->cap)
		strbuf_grow(sb, 1);
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* The contents: "" when nothing was appended (never NULL). */
const char *strbuf_str(const struct strbuf *sb);
/* Hand the buffer to the caller (never NULL) and reset sb. */
char *strbuf_detach(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);
/* Append n bytes of s with terminal controls made visible: C0 controls,
 * DEL and C1 controls (as UTF-8) become \xNN or \u00NN, so
 * text from a task cannot drive the terminal ork prints to.  With keep_nl,
 * newline and tab pass through. */
void strbuf_add_safe(struct strbuf *sb, const char *s, size_t n, int keep_nl);

/* For a read-only file mapping at base (from mmap) read front to back:
 * give back to the kernel the pages before offset upto, once 16 MB are
 * due (they read again from the file if touched).  *done, 0 at first,
 * is how far they were given back.  Keeps the resident size of a scan
 * over a file of any size flat. */
void map_drop_behind(const void *base, size_t *done, size_t upto);

/* write(2) all n bytes, retrying on EINTR and short writes.  0, or -1 with
 * errno set. */
int write_all(int fd, const void *buf, size_t n);
/* Read a whole file; NULL with errno set on failure. *len may be NULL. */
char *read_file(const char *path, size_t *len);
/* read_file, but a symbolic link at path is an error (ELOOP), not followed:
 * for files in a run directory, where a link is never ork's. */
char *read_file_nofollow(const char *path, size_t *len);
/* Write data to path atomically and durably: a temporary beside it with a
 * name of its own (created O_EXCL, so never someone else's file), fsync,
 * rename, fsync of the directory.  An existing file keeps its mode; a new
 * one gets 0666 minus the umask.  Returns 0, or -1 with errno set. */
int write_file_atomic(const char *path, const void *data, size_t len);
/* The same with the mode given (mode >= 0), whatever the umask. */
int write_file_atomic_mode(const char *path, const void *data, size_t len,
			   int mode);
/* fsync the directory holding path.  0, or -1 with errno set. */
int fsync_parent(const char *path);
/* mkdir -p.  Returns 0, or -1 with errno set. */
int mkdir_p(const char *path, unsigned mode);

/* s is non-empty and every byte of it is in set. */
int only_chars(const char *s, const char *set);
/* Levenshtein distance, for did-you-mean suggestions. */
size_t edit_distance(const char *a, const char *b);
/* The candidate closest to word, or NULL when none is close enough to be a
 * plausible typo, or word is longer than CLOSEST_MATCH_MAX.  cands is
 * NULL-terminated. */
#define CLOSEST_MATCH_MAX 256
const char *closest_match(const char *word, const char *const *cands);

/* 64-bit FNV-1a, for content keys (not for security). */
unsigned long long fnv1a64(const void *data, size_t n, unsigned long long h);
#define FNV1A64_INIT 0xcbf29ce484222325ULL

/* Seconds since the epoch, with sub-second precision (CLOCK_REALTIME). */
double now_wall(void);
/* Seconds on the monotonic clock. */
double now_mono(void);
/* RFC 3339 UTC time with milliseconds for a wall-clock time. */
void format_time(double t, char out[32]);

#endif
