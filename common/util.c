/* util: see util.h. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *progname = "orkc";

static void oom(void)
{
	fprintf(stderr, "%s: out of memory\n", progname);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void *xgrow(void *arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return arr;
	size_t ncap = *cap ? *cap : 8;
	while (ncap < need)
		ncap *= 2;
	*cap = ncap;
	return xrealloc(arr, ncap * elem);
}

char *xasprintf(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	return strbuf_detach(&sb);
}

void die(int status, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

void warn_msg(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int error_to(struct strbuf *err, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		strbuf_vaddf(err, fmt, ap);
		va_end(ap);
	}
	return -1;
}

void strbuf_grow(struct strbuf *sb, size_t extra)
{
	sb->buf = xgrow(sb->buf, &sb->cap, sb->len + extra + 1, 1);
}

/* Room for extra more bytes: inline, as in the appends of util.h. */
static void strbuf_reserve(struct strbuf *sb, size_t extra)
{
	if (sb->len + extra + 1 > sb->cap)
		strbuf_grow(sb, extra);
}

static void add_decimal(struct strbuf *sb, unsigned long long u, int neg)
{
	char buf[24], *e = buf + sizeof buf, *p = e;
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (neg)
		*--p = '-';
	strbuf_add(sb, p, (size_t)(e - p));
}

static void add_signed(struct strbuf *sb, long long v)
{
	add_decimal(sb, v < 0 ? 0ULL - (unsigned long long)v :
		    (unsigned long long)v, v < 0);
}

/* Formats of only %s, %d, %u, %ld, %zu and %% (most of codegen's), in one
 * pass without printf.  Returns 0, with sb as it was, at any other
 * directive: printf's turn then. */
static int simple_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	size_t start = sb->len;
	const char *lit = fmt;
	for (const char *f = fmt;; f++) {
		if (*f && *f != '%')
			continue;
		strbuf_add(sb, lit, (size_t)(f - lit));
		if (!*f)
			return 1;
		if (f[1] == 's') {
			const char *a = va_arg(ap, const char *);
			strbuf_adds(sb, a ? a : "(null)");
		} else if (f[1] == 'd') {
			add_signed(sb, va_arg(ap, int));
		} else if (f[1] == 'u') {
			add_decimal(sb, va_arg(ap, unsigned), 0);
		} else if (f[1] == 'l' && f[2] == 'd') {
			add_signed(sb, va_arg(ap, long));
			f++;
		} else if (f[1] == 'z' && f[2] == 'u') {
			add_decimal(sb, va_arg(ap, size_t), 0);
			f++;
		} else if (f[1] == '%') {
			strbuf_addc(sb, '%');
		} else {
			sb->len = start;
			sb->buf[start] = '\0';
			return 0;
		}
		f++;
		lit = f + 1;
	}
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int done = simple_vaddf(sb, fmt, cp);
	va_end(cp);
	if (done)
		return;
	/* Format straight into the spare room; only text that does not fit
	 * is formatted a second time, after growing.  Generated Makefiles are
	 * mostly small appends, so this halves the cost of codegen. */
	strbuf_reserve(sb, 64);
	va_copy(cp, ap);
	size_t room = sb->cap - sb->len;
	int n = vsnprintf(sb->buf + sb->len, room, fmt, cp);
	va_end(cp);
	if (n < 0) {
		sb->buf[sb->len] = '\0';
		return;
	}
	if ((size_t)n >= room) {
		strbuf_reserve(sb, (size_t)n);
		vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	}
	sb->len += (size_t)n;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

const char *strbuf_str(const struct strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}

char *strbuf_detach(struct strbuf *sb)
{
	char *s = sb->buf ? sb->buf : xstrdup("");
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return s;
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

void strbuf_release(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

static char *read_path(const char *path, int flags, size_t *lenp)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | flags);
	if (fd < 0)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	char chunk[65536];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			strbuf_release(&sb);
			errno = e;
			return NULL;
		}
		if (n == 0)
			break;
		strbuf_add(&sb, chunk, (size_t)n);
	}
	close(fd);
	if (lenp)
		*lenp = sb.len;
	return strbuf_detach(&sb);
}

char *read_file(const char *path, size_t *lenp)
{
	return read_path(path, 0, lenp);
}

char *read_file_nofollow(const char *path, size_t *lenp)
{
	return read_path(path, O_NOFOLLOW, lenp);
}

int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The mode a new file gets from open(..., 0666): the umask applied. */
static unsigned default_file_mode(void)
{
	mode_t u = umask(022);
	umask(u);
	return 0666 & ~(unsigned)u;
}

int fsync_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path))
			  : xstrdup(".");
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return -1;
	/* Some filesystems cannot sync a directory; that is not a failure. */
	int rc = fsync(fd) < 0 && errno != EINVAL && errno != EROFS ? -1 : 0;
	int e = errno;
	close(fd);
	errno = e;
	return rc;
}

static int write_in_place(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = write_all(fd, data, len);
	int e = errno;
	if (close(fd) < 0 && rc == 0) {
		rc = -1;
		e = errno;
	}
	errno = e;
	return rc;
}

int write_file_atomic(const char *path, const void *data, size_t len)
{
	return write_file_atomic_mode(path, data, len, -1);
}

int write_file_atomic_mode(const char *path, const void *data, size_t len,
			   int fmode)
{
	/* A device or a FIFO (orkc -o /dev/null) is written to, never
	 * replaced by a regular file. */
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return write_in_place(path, data, len);
	/* The file keeps its mode (an executable script stays executable);
	 * a new one gets what open(2) would give it. */
	unsigned mode = fmode >= 0 ? (unsigned)fmode :
		stat(path, &st) == 0 && S_ISREG(st.st_mode)
		? (unsigned)(st.st_mode & 07777) : default_file_mode();
	static unsigned serial;
	char *tmp = NULL;
	int fd = -1;
	/* A name nobody else uses, created by us alone: never a file (or a
	 * symlink) someone put there. */
	for (int i = 0; fd < 0 && i < 100; i++) {
		free(tmp);
		tmp = xasprintf("%s.tmp%ld.%u", path, (long)getpid(), serial++);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			  0600);
		if (fd < 0 && errno != EEXIST) {
			int e = errno;
			free(tmp);
			errno = e;
			return -1;
		}
	}
	if (fd < 0) {
		free(tmp);
		return -1;
	}
	int rc = write_all(fd, data, len);
	if (rc == 0 && fchmod(fd, (mode_t)mode) < 0)
		rc = -1;
	/* Durable before it replaces the old file: a crash leaves the old
	 * or the new contents, never an empty file. */
	if (rc == 0 && fsync(fd) < 0 && errno != EINVAL)
		rc = -1;
	int e = errno;
	if (close(fd) < 0 && rc == 0) {
		rc = -1;
		e = errno;
	}
	if (rc == 0 && rename(tmp, path) < 0) {
		rc = -1;
		e = errno;
	}
	if (rc < 0)
		unlink(tmp);
	else
		fsync_parent(path);
	free(tmp);
	errno = e;
	return rc;
}

void map_drop_behind(const void *base, size_t *done, size_t upto)
{
	if (upto < *done || upto - *done < ((size_t)16 << 20))
		return;
	long page = sysconf(_SC_PAGESIZE);
	size_t end = page > 0 ? upto / (size_t)page * (size_t)page : 0;
	if (end <= *done)
		return;
#ifdef MADV_DONTNEED
	madvise((char *)base + *done, end - *done, MADV_DONTNEED);
#endif
	*done = end;
}

void strbuf_add_safe(struct strbuf *sb, const char *s, size_t n, int keep_nl)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n; i++) {
		unsigned c = p[i];
		if ((c == '\n' || c == '\t') && keep_nl) {
			strbuf_addc(sb, (char)c);
		} else if (c < 0x20 || c == 0x7f) {
			strbuf_addf(sb, "\\x%02x", c);
		} else if (c == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 &&
			   p[i + 1] <= 0x9f) {
			/* A C1 control in UTF-8 (CSI is one). */
			strbuf_addf(sb, "\\u%04x", p[i + 1]);
			i++;
		} else {
			strbuf_addc(sb, (char)c);
		}
	}
}

int mkdir_p(const char *path, unsigned mode)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST) {
			int e = errno;
			free(p);
			errno = e;
			return -1;
		}
		*s = '/';
	}
	int rc = mkdir(p, mode);
	int e = errno;
	free(p);
	if (rc < 0 && e != EEXIST) {
		errno = e;
		return -1;
	}
	return 0;
}

int only_chars(const char *s, const char *set)
{
	return *s && s[strspn(s, set)] == '\0';
}

size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row = xmalloc((lb + 1) * sizeof *row);
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	size_t d = row[lb];
	free(row);
	return d;
}

const char *closest_match(const char *word, const char *const *cands)
{
	/* A typo changes a few letters; allow about a third of the word.  The
	 * distance is at least the difference in length, so candidates
	 * further apart than the limit are skipped unmeasured, and a word too
	 * long to be a misspelt name gets no suggestion: edit_distance is
	 * quadratic, and fuzzing found unknown names of thousands of
	 * characters made with YAML aliases checked against every task. */
	size_t lw = strlen(word);
	if (lw > CLOSEST_MATCH_MAX)
		return NULL;
	size_t limit = lw / 3 + 1;
	const char *best = NULL;
	size_t bestd = (size_t)-1;
	for (; *cands; cands++) {
		size_t lc = strlen(*cands);
		if ((lc > lw ? lc - lw : lw - lc) > limit)
			continue;
		size_t d = edit_distance(word, *cands);
		if (d < bestd) {
			bestd = d;
			best = *cands;
		}
	}
	return bestd <= limit ? best : NULL;
}

unsigned long long fnv1a64(const void *data, size_t n, unsigned long long h)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

double now_wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The proleptic Gregorian date of a day count since 1970-01-01 (Howard
 * Hinnant's civil_from_days). */
static void civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
{
	z += 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (long long)yoe + era * 400 + (*m <= 2);
}

void format_time(double t, char out[32])
{
	/* Computed here rather than by gmtime_r and strftime, which load the
	 * local time zone file on first use: a cost in every ork exec, for a
	 * UTC time.  The larger buffer keeps the compiler's truncation check
	 * quiet for absurd years. */
	long long secs = (long long)t;
	if ((double)secs > t)
		secs--;
	int ms = (int)((t - (double)secs) * 1000.0);
	long long days = secs / 86400, rem = secs % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	long long y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	char buf[96];
	snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", y, m,
		 d, (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60),
		 ms % 1000);
	buf[31] = '\0';
	memcpy(out, buf, 32);
}
