/* taskio: see taskio.h. */
#include "taskio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/magic.h>
#include <sys/vfs.h>
#endif

#include "jsonx.h"
#include "util.h"

extern char **environ;

int copy_fd(int in, int out)
{
#ifdef HAVE_COPY_FILE_RANGE
	/* The kernel moves (or, on a filesystem that can, shares) the pages;
	 * on failure before the first byte, fall back.  The file offsets
	 * advance, so the fallback continues where this stopped. */
	for (;;) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EXDEV && errno != EINVAL && errno != ENOSYS &&
			    errno != EOPNOTSUPP && errno != EBADF)
				return -1;
			break;
		}
	}
#endif
	size_t cap = 1 << 17;
	char *buf = xmalloc(cap);
	int rc = 0;
	for (;;) {
		ssize_t n = read(in, buf, cap);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -1 : 0;
			break;
		}
		if (write_all(out, buf, (size_t)n) < 0) {
			rc = -1;
			break;
		}
	}
	free(buf);
	return rc;
}

/* ---- input -------------------------------------------------------------- */

/* An upstream output this big is worth sharing rather than copying. */
#define SHARE_MIN (1 << 20)

/* Spaces that put the next byte written to fd on a block boundary, when
 * fd's file system shares blocks between files (XFS, btrfs) and the file
 * at path is big: copy_file_range then shares the upstream output's
 * blocks with the input (a reflink, no copy) instead of copying them,
 * which it can only do from a block boundary.  JSON ignores the spaces.
 * Elsewhere (ext4) 0: the input is written as it always was. */
static size_t share_padding(int fd, const char *path)
{
#if defined(__linux__) && defined(HAVE_COPY_FILE_RANGE)
	struct statfs fs;
	struct stat in, out;
	if (fstatfs(fd, &fs) < 0 ||
	    (fs.f_type != XFS_SUPER_MAGIC && fs.f_type != BTRFS_SUPER_MAGIC))
		return 0;
	if (stat(path, &in) < 0 || in.st_size < SHARE_MIN ||
	    fstat(fd, &out) < 0 || out.st_blksize <= 0)
		return 0;
	off_t at = lseek(fd, 0, SEEK_CUR);
	if (at < 0)
		return 0;
	return (size_t)((out.st_blksize - at % out.st_blksize) % out.st_blksize);
#else
	(void)fd;
	(void)path;
	return 0;
#endif
}

static int copy_part(int fd, const char *path)
{
	int in = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return -1;
	int rc = copy_fd(in, fd);
	int e = errno;
	close(in);
	errno = e;
	return rc;
}

int input_write(int fd, const char *members, size_t n,
		const struct input_part *parts, size_t nparts, const char **bad)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addc(&sb, '{');
	strbuf_add(&sb, members, n);
	int rc = 0;
	*bad = NULL;
	for (size_t i = 0; i < nparts && rc == 0; i++) {
		if (i > 0 || n > 0)
			strbuf_addc(&sb, ',');
		jsonx_quote(&sb, parts[i].name, strlen(parts[i].name), 0);
		strbuf_addc(&sb, ':');
		if (!parts[i].path) {
			strbuf_adds(&sb, "null");
			continue;
		}
		/* Flush what we have, then let the kernel copy the file. */
		rc = write_all(fd, sb.buf, sb.len);
		strbuf_reset(&sb);
		size_t pad = rc == 0 ? share_padding(fd, parts[i].path) : 0;
		if (pad) {
			while (pad--)
				strbuf_addc(&sb, ' ');
			rc = write_all(fd, sb.buf, sb.len);
			strbuf_reset(&sb);
		}
		if (rc == 0 && copy_part(fd, parts[i].path) < 0) {
			*bad = parts[i].path;
			rc = -1;
		}
	}
	if (rc == 0) {
		strbuf_addc(&sb, '}');
		rc = write_all(fd, sb.buf, sb.len);
	}
	int e = errno;
	strbuf_release(&sb);
	errno = e;
	return rc;
}

/* ---- output ------------------------------------------------------------- */

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Check the mapped text; make blank text null and drop trailing blanks. */
static int check_text(int fd, const char *map, size_t len,
		      struct strbuf *err)
{
	size_t ws = 0;
	while (ws < len && is_blank(map[ws]))
		ws++;
	if (ws == len) {
		/* No truncate of an empty file: on ext4 a truncate to 0
		 * makes close start writeback at once (auto_da_alloc), a
		 * block write per no-op task. */
		if ((len > 0 && ftruncate(fd, 0) < 0) ||
		    pwrite(fd, "null", 4, 0) != 4)
			return error_to(err, "cannot write the output: %s",
					strerror(errno));
		return 0;
	}
	size_t pos;
	struct strbuf why = STRBUF_INIT;
	if (jsonx_validate_mapped(map, len, &pos, &why) < 0) {
		error_to(err, "invalid JSON output at byte %zu: %s", pos,
			 strbuf_str(&why));
		strbuf_release(&why);
		return -1;
	}
	size_t end = len;
	while (is_blank(map[end - 1]))
		end--;
	if (end < len && ftruncate(fd, (off_t)end) < 0)
		return error_to(err, "cannot write the output: %s",
				strerror(errno));
	return 0;
}

int output_check(const char *path, struct strbuf *err)
{
	int fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		error_to(err, "cannot read the output: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	size_t len = (size_t)st.st_size;
	const char *map = "";
	if (len > 0) {
		map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			error_to(err, "cannot map the output: %s",
				 strerror(errno));
			close(fd);
			return -1;
		}
#ifdef MADV_SEQUENTIAL
		madvise((void *)map, len, MADV_SEQUENTIAL);
#endif
	}
	int rc = check_text(fd, map, len, err);
	if (len > 0)
		munmap((void *)map, len);
	close(fd);
	return rc;
}

/* ---- environment -------------------------------------------------------- */

void envb_set(struct envb *e, const char *name, const char *val)
{
	e->add = xgrow(e->add, &e->cap, e->nadd + 1, sizeof *e->add);
	e->add[e->nadd++] = xasprintf("%s=%s", name, val);
}

/* Whether two "NAME=value" entries (or a name, for b) name the same
 * variable. */
static int same_name(const char *a, const char *b)
{
	size_t n = strcspn(a, "=");
	return !strncmp(a, b, n) && (b[n] == '=' || b[n] == '\0');
}

char **envb_build(const struct envb *e, const char *drop)
{
	size_t nenv = 0;
	while (environ[nenv])
		nenv++;
	char **env = xcalloc(nenv + e->nadd + 1, sizeof *env);
	size_t n = 0;
	for (size_t i = 0; i < nenv; i++) {
		int keep = !drop || !same_name(environ[i], drop);
		for (size_t j = 0; keep && j < e->nadd; j++)
			keep = !same_name(environ[i], e->add[j]);
		if (keep)
			env[n++] = environ[i];
	}
	for (size_t j = 0; j < e->nadd; j++) {
		int later = 0;
		for (size_t k = j + 1; !later && k < e->nadd; k++)
			later = same_name(e->add[j], e->add[k]);
		if (!later)
			env[n++] = e->add[j];
	}
	return env;
}

void envb_release(struct envb *e, char **env)
{
	for (size_t j = 0; j < e->nadd; j++)
		free(e->add[j]);
	free(e->add);
	free(env);
	e->add = NULL;
	e->nadd = e->cap = 0;
}
