/* journal: see journal.h. */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonx.h"

/* ---- journal ------------------------------------------------------------ */

int journal_open(const struct rundir *rd)
{
	char *path = rundir_file(rd, "journal.jsonl");
	/* Read-write for journal_write's look at the last byte. */
	int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		      0644);
	int e = errno;
	free(path);
	errno = e;
	return fd;
}

static void add_key(struct strbuf *sb, const char *key)
{
	strbuf_addc(sb, ',');
	jsonx_quote(sb, key, strlen(key), 0);
	strbuf_addc(sb, ':');
}

void event_start(struct strbuf *sb, const char *ev)
{
	strbuf_reset(sb);
	strbuf_adds(sb, "{\"ev\":");
	jsonx_quote(sb, ev, strlen(ev), 0);
}

void event_str(struct strbuf *sb, const char *key, const char *val)
{
	add_key(sb, key);
	jsonx_quote(sb, val, strlen(val), 0);
}

void event_int(struct strbuf *sb, const char *key, long long val)
{
	add_key(sb, key);
	strbuf_addf(sb, "%lld", val);
}

void event_num(struct strbuf *sb, const char *key, double val)
{
	add_key(sb, key);
	strbuf_addf(sb, "%.3f", val);
}

void event_bool(struct strbuf *sb, const char *key, int val)
{
	add_key(sb, key);
	strbuf_adds(sb, val ? "true" : "false");
}

void event_raw(struct strbuf *sb, const char *key, const char *json)
{
	add_key(sb, key);
	strbuf_adds(sb, json);
}

void event_time(struct strbuf *sb, const char *key, double t)
{
	char buf[32];
	format_time(t, buf);
	event_str(sb, key, buf);
}

static int append_line(int fd, struct strbuf *sb);

int journal_write(int fd, struct strbuf *sb)
{
	strbuf_adds(sb, "}\n");
	/* A line torn by a full disk (or a crash) must not swallow this one:
	 * start on a line of our own.  The look at the last byte and the
	 * write happen under the journal's lock: a look in the middle of
	 * another writer's write (one that crosses a page) would see no
	 * newline yet and add an empty line. */
	int locked = flock(fd, LOCK_EX) == 0;
	int r = append_line(fd, sb);
	int e = errno;
	if (locked)
		flock(fd, LOCK_UN);
	errno = e;
	return r;
}

off_t jsonl_fresh_line(int fd, struct strbuf *line)
{
	struct stat st;
	off_t before = fstat(fd, &st) == 0 ? st.st_size : -1;
	char last;
	if (before > 0 && pread(fd, &last, 1, before - 1) == 1 && last != '\n') {
		strbuf_addc(line, '\0');
		memmove(line->buf + 1, line->buf, line->len - 1);
		line->buf[0] = '\n';
	}
	return before;
}

/* journal_write's work, with the lock held. */
static int append_line(int fd, struct strbuf *sb)
{
	struct stat st;
	off_t before = jsonl_fresh_line(fd, sb);
	/* O_APPEND makes each write(2) land whole at the end of the file;
	 * it is short only on a full disk. */
	size_t done = 0;
	while (done < sb->len) {
		ssize_t w = write(fd, sb->buf + done, sb->len - done);
		if (w > 0) {
			done += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		int e = w < 0 ? errno : ENOSPC;
		/* Take back the part that made it, unless another writer
		 * appended after it meanwhile. */
		if (done && before >= 0 && fstat(fd, &st) == 0 &&
		    st.st_size == before + (off_t)done &&
		    ftruncate(fd, before) < 0) {
			/* The next writer starts a new line. */
		}
		errno = e;
		return -1;
	}
	return 0;
}

int journal_each(const struct rundir *rd, const char *prefix,
		 journal_fn *fn, void *ctx)
{
	char *path = rundir_file(rd, "journal.jsonl");
	size_t len;
	char *text = read_file_nofollow(path, &len);
	int e = errno;
	free(path);
	if (!text)
		return e == ENOENT ? 0 : -1;
	size_t plen = prefix ? strlen(prefix) : 0;
	int stop = 0;
	for (char *line = text; !stop && line < text + len;) {
		char *nl = memchr(line, '\n', (size_t)(text + len - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(text + len - line);
		if (!prefix || (n >= plen && !memcmp(line, prefix, plen))) {
			cJSON *ev = cJSON_ParseWithLength(line, n);
			if (cJSON_IsObject(ev))
				stop = fn(ctx, ev);
			cJSON_Delete(ev);
		}
		line += n + 1;
	}
	free(text);
	return 0;
}
