/* secrets: see secrets.h. */
#include "secrets.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "contract.h"
#include "jsonx.h"
#include "util.h"

/* A secrets file larger than this is not a secrets file. */
#define SECRETS_FILE_MAX (1 << 20)


int spec_parse_secrets(struct task_spec *s, struct strbuf *err)
{
	const cJSON *sec = cJSON_GetObjectItemCaseSensitive(s->root, "secrets");
	if (!sec)
		return 0;
	if (!cJSON_IsObject(sec)) {
		error_to(err, "member 'secrets' must be an object");
		return -1;
	}
	s->secrets = xcalloc((size_t)cJSON_GetArraySize(sec) + 1,
			     sizeof *s->secrets);
	for (const cJSON *e = sec->child; e; e = e->next) {
		if (!cJSON_IsString(e) || !valid_env_name(e->string) ||
		    !valid_env_name(e->valuestring)) {
			error_to(err, "member 'secrets' must map variable "
				 "names to secret names");
			return -1;
		}
		s->secrets[s->nsecrets].name = e->string;
		s->secrets[s->nsecrets++].value = e->valuestring;
	}
	return 0;
}

int secrets_named(const struct task_spec *s, const char *name)
{
	for (size_t i = 0; i < s->nsecrets; i++)
		if (!strcmp(s->secrets[i].value, name))
			return 1;
	return 0;
}

/* ---- the secrets file --------------------------------------------------- */

/* Open path and check that only its owner, the user running ork, can
 * read it.  Returns the fd, or -1 with why in err. */
static int open_private(const char *path, struct stat *st,
			struct strbuf *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ELOOP)
			error_to(err, "secrets file '%s' is a symbolic link; "
				 "name the file itself in ORK_SECRETS_FILE", path);
		else
			error_to(err, "cannot open secrets file '%s': %s",
				 path, strerror(errno));
		return -1;
	}
	const char *bad = NULL;
	if (fstat(fd, st) < 0)
		bad = strerror(errno);
	else if (!S_ISREG(st->st_mode))
		bad = "it is not a regular file";
	else if (st->st_uid != geteuid())
		bad = "it is owned by another user";
	else if (st->st_size > SECRETS_FILE_MAX)
		bad = "it is larger than 1 MiB";
	if (bad) {
		error_to(err, "refusing secrets file '%s': %s", path, bad);
		close(fd);
		return -1;
	}
	if (st->st_mode & 077) {
		error_to(err, "refusing secrets file '%s': group or others "
			 "have access to it (mode %04o); make it private: chmod "
			 "600 '%s'", path, (unsigned)(st->st_mode & 07777), path);
		close(fd);
		return -1;
	}
	return fd;
}

static char *read_private(const char *path, size_t *len,
			  struct strbuf *err)
{
	struct stat st;
	int fd = open_private(path, &st, err);
	if (fd < 0)
		return NULL;
	size_t cap = (size_t)st.st_size + 1, got = 0;
	char *buf = xmalloc(cap + 1);
	for (;;) {
		if (got == cap) {
			error_to(err, "refusing secrets file '%s': it changed "
				 "while ork read it", path);
			break;
		}
		ssize_t r = read(fd, buf + got, cap - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			error_to(err, "cannot read secrets file '%s': %s",
				 path, strerror(errno));
		if (r <= 0) {
			if (r == 0) {
				close(fd);
				buf[got] = '\0';
				*len = got;
				return buf;
			}
			break;
		}
		got += (size_t)r;
	}
	memset(buf, 0, got);
	free(buf);
	close(fd);
	return NULL;
}

/* Take the value of every secret still missing from the file's lines
 * NAME=value.  A bad line is reported by number, never by content. */
static int from_file(struct secrets *sec, const char *path,
		     struct strbuf *err)
{
	size_t len;
	char *text = read_private(path, &len, err);
	if (!text)
		return -1;
	int rc = 0;
	size_t lineno = 0;
	char **found = xcalloc(sec->n + 1, sizeof *found);
	for (char *line = text; rc == 0 && line < text + len;) {
		char *end = memchr(line, '\n', (size_t)(text + len - line));
		char *next = end ? end + 1 : text + len;
		if (!end)
			end = text + len;
		lineno++;
		if (end > line && end[-1] == '\r')
			end--;
		*end = '\0';
		char *eq = strchr(line, '=');
		if (strlen(line) != (size_t)(end - line)) {
			error_to(err, "secrets file '%s', line %zu: it holds "
				 "a NUL byte", path, lineno);
			rc = -1;
		} else if (*line && *line != '#') {
			if (eq)
				*eq = '\0';
			if (!eq || !valid_env_name(line)) {
				error_to(err, "secrets file '%s', line %zu: "
					 "expected NAME=value", path, lineno);
				rc = -1;
			}
			for (size_t i = 0; rc == 0 && i < sec->n; i++)
				if (!strcmp(sec->names[i], line))
					found[i] = eq + 1;  /* the last wins */
		}
		line = next;
	}
	for (size_t i = 0; rc == 0 && i < sec->n; i++)
		if (!sec->values[i] && found[i] && *found[i])
			sec->values[i] = xstrdup(found[i]);
	free(found);
	memset(text, 0, len);
	free(text);
	return rc;
}

/* ---- loading ------------------------------------------------------------ */

int secrets_load(const struct task_spec *s, struct secrets *sec,
		 struct strbuf *err)
{
	memset(sec, 0, sizeof *sec);
	if (!s->nsecrets)
		return 0;
	sec->n = s->nsecrets;
	sec->vars = xcalloc(sec->n, sizeof *sec->vars);
	sec->names = xcalloc(sec->n, sizeof *sec->names);
	sec->values = xcalloc(sec->n, sizeof *sec->values);
	for (size_t i = 0; i < sec->n; i++) {
		sec->vars[i] = s->secrets[i].name;
		sec->names[i] = s->secrets[i].value;
		/* The environment wins over the file.  An empty value is
		 * no value (a CI system's unset secret is often ""). */
		const char *v = getenv(sec->names[i]);
		if (v && *v)
			sec->values[i] = xstrdup(v);
	}
	const char *file = getenv("ORK_SECRETS_FILE");
	if (file && *file && from_file(sec, file, err) < 0)
		return -1;
	for (size_t i = 0; i < sec->n; i++) {
		if (!sec->values[i]) {
			error_to(err, "secret '%s' is not set (environment "
				 "or ORK_SECRETS_FILE)", sec->names[i]);
			return -1;
		}
		if (strlen(sec->values[i]) < MASK_MIN_LEN)
			warn_msg("%s: secret '%s' is shorter than %d bytes: it is not "
			      "masked in logs", s->task, sec->names[i],
			      MASK_MIN_LEN);
	}
	mask_init(&sec->mask, (const char *const *)sec->values, sec->n);
	return 0;
}

void secrets_release(struct secrets *sec)
{
	mask_release(&sec->mask);
	for (size_t i = 0; i < sec->n; i++) {
		if (sec->values && sec->values[i]) {
			memset(sec->values[i], 0, strlen(sec->values[i]));
			free(sec->values[i]);
		}
	}
	free(sec->vars);
	free(sec->names);
	free(sec->values);
	memset(sec, 0, sizeof *sec);
}

/* ---- the task's side ---------------------------------------------------- */

void secrets_env(const struct secrets *sec, struct envb *e)
{
	if (!sec->n)
		return;
	struct strbuf names = STRBUF_INIT;
	for (size_t i = 0; i < sec->n; i++) {
		envb_set(e, sec->vars[i], sec->values[i]);
		strbuf_addf(&names, "%s%s", i ? "," : "", sec->vars[i]);
	}
	/* Names only: the Python runner masks its error file with them. */
	envb_set(e, "ORK_SECRET_VARS", strbuf_str(&names));
	strbuf_release(&names);
}

void secrets_sink(struct secrets *sec, struct proc *p, proc_sink *out,
		  void *ctx)
{
	if (!sec->n)
		return;
	sec->mask.out = out;
	sec->mask.ctx = ctx;
	p->sink = mask_feed;
	p->sink_ctx = &sec->mask;
}

void secrets_flush(struct secrets *sec)
{
	if (sec->n)
		mask_flush(&sec->mask);
}

int secrets_stdout(struct secrets *sec, int outfd)
{
	sec->relay = 0;
	sec->relay_masked = 0;
	if (!sec->n || outfd < 0)
		return outfd;
	return mask_relay_start(&sec->mask, outfd, &sec->relay);
}

int secrets_stdout_end(struct secrets *sec, int fd)
{
	if (!sec->relay)
		return 0;
	int r = mask_relay_end(sec->relay, fd, 5);
	sec->relay = 0;
	sec->relay_masked = r != 0;
	return r < 0 ? -1 : 0;
}

int secrets_check_output(const struct secrets *sec, const char *path,
			 int from_stdout, struct strbuf *err)
{
	if (!sec->n)
		return 0;
	if (from_stdout) {
		if (!sec->relay_masked)
			return 0;
		error_to(err, "the output holds the value of a secret; "
			 "ork never stores a secret");
		return -1;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size == 0) {
		if (fd >= 0)
			close(fd);
		return 0;  /* output_check has said what is wrong */
	}
	size_t len = (size_t)st.st_size;
	const char *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return 0;
	int rc = 0;
	for (size_t i = 0; i < sec->n && rc == 0; i++) {
		size_t vlen = strlen(sec->values[i]);
		if (vlen >= MASK_MIN_LEN && memmem(map, len, sec->values[i], vlen)) {
			error_to(err, "the output holds the value of secret "
				 "'%s'; ork never stores a secret", sec->names[i]);
			rc = -1;
		}
	}
	munmap((void *)map, len);
	return rc;
}

void secrets_mask_text(const struct secrets *sec, char *s)
{
	if (sec->n)
		mask_string(&sec->mask, s);
}
