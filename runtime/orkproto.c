/* orkproto: see orkproto.h. */
#include "orkproto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "util.h"

static const char prefix[] = "ORK_OUTPUT:";
#define PREFIX_LEN (sizeof prefix - 1)

off_t orkproto_input_env(int fd, struct envb *e)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -1;
	if (st.st_size > ORKPROTO_INPUT_ENV_MAX)
		return st.st_size;
	size_t n = (size_t)st.st_size;
	char *buf = xmalloc(n + 1);
	ssize_t r = pread(fd, buf, n, 0);
	if (r < 0) {
		int err = errno;
		free(buf);
		errno = err;
		return -1;
	}
	buf[r] = '\0';
	/* JSON text never holds a NUL; an environment string cannot. */
	if (!memchr(buf, '\0', (size_t)r))
		envb_set(e, "ORK_INPUT_JSON", buf);
	free(buf);
	return 0;
}

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* With mapped, text is a file mapping searched a window at a time, the
 * pages behind given back (map_drop_behind). */
static int output_line(const char *text, size_t n, struct orkproto_line *l,
		       int mapped)
{
	enum { WINDOW = 4 << 20 };
	int found = 0;
	size_t from = 0, dropped = 0;
	while (from + PREFIX_LEN <= n) {
		size_t len = n - from;
		if (mapped && len > WINDOW + PREFIX_LEN)
			len = WINDOW + PREFIX_LEN - 1;   /* matches starting
							    before from + WINDOW */
		const char *p = memmem(text + from, len, prefix, PREFIX_LEN);
		if (mapped)
			map_drop_behind(text, &dropped, from);
		if (!p && len < n - from) {
			from += WINDOW;
			continue;
		}
		if (!p)
			break;
		size_t at = (size_t)(p - text);
		from = at + 1;
		if (at > 0 && text[at - 1] != '\n')
			continue;
		const char *nl = memchr(p, '\n', n - at);
		size_t end = nl ? (size_t)(nl - text) + 1 : n;
		size_t v = at + PREFIX_LEN, ve = end;
		while (v < ve && blank(text[v]))
			v++;
		while (ve > v && blank(text[ve - 1]))
			ve--;
		l->start = at;
		l->end = end;
		l->value = v;
		l->value_end = ve;
		found = 1;
		from = end;
	}
	return found;
}

int orkproto_output_line(const char *text, size_t n, struct orkproto_line *l)
{
	return output_line(text, n, l, 0);
}

int orkproto_output_line_mapped(const char *map, size_t n,
				struct orkproto_line *l)
{
	return output_line(map, n, l, 1);
}

int orkproto_deferred(const char *path)
{
	/* Ork's deferrables are a few small descriptors. */
	enum { MAX = 1 << 20 };
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) < 0 || st.st_size < 14 || st.st_size > MAX) {
		close(fd);
		return 0;
	}
	size_t n = (size_t)st.st_size;
	char *buf = xmalloc(n);
	ssize_t r = pread(fd, buf, n, 0);
	close(fd);
	int yes = 0;
	if (r == (ssize_t)n && memmem(buf, n, "\"deferred\"", 10)) {
		cJSON *v = cJSON_ParseWithLength(buf, n);
		yes = cJSON_IsObject(v) &&
		      cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(v, "deferred"));
		cJSON_Delete(v);
	}
	free(buf);
	return yes;
}
