/* library: see library.h. */
#include "library.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "contract.h"
#include "jsonx.h"
#include "util.h"

typedef char *task_run_fn(const char *input_json);
typedef void task_free_fn(char *result);

/* Ork's Rust SDK prefixes a result with this; Ork drops it. */
static const char prefix[] = "ORK_OUTPUT:";

/* Say why the call failed, on stderr (the log) and in $ORK_ERROR_FILE,
 * which ork exec takes as the attempt's reason; then exit 1.  retryable
 * 0: another attempt cannot help (no such file, no such symbol). */
static void __attribute__((noreturn, format(printf, 2, 3)))
fail(int retryable, const char *fmt, ...)
{
	struct strbuf msg = STRBUF_INIT, json = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	warn_msg("%s", strbuf_str(&msg));
	const char *path = getenv("ORK_ERROR_FILE");
	if (path && *path) {
		strbuf_adds(&json, "{\"message\":");
		jsonx_quote(&json, msg.buf, msg.len, 0);
		strbuf_addf(&json, ",\"retryable\":%s}\n",
			    retryable ? "true" : "false");
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
			      O_CLOEXEC, 0644);
		if (fd < 0 || write_all(fd, json.buf, json.len) < 0)
			warn_msg("cannot write %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	strbuf_release(&msg);
	strbuf_release(&json);
	exit(1);
}

/* All of fd 0, NUL-terminated. */
static char *read_input(size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	for (;;) {
		ssize_t n = read(0, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail(1, "cannot read the input: %s", strerror(errno));
		if (n == 0)
			break;
		strbuf_add(&sb, buf, (size_t)n);
	}
	*len = sb.len;
	return strbuf_detach(&sb);
}

/* The result as the output: without Ork's prefix and surrounding
 * blanks, and valid JSON (blank is null, as for every executor). */
static const char *checked_result(const char *file, const char *res,
				  size_t *len)
{
	const char *s = res;
	size_t n = strlen(res);
	if (!strncmp(s, prefix, sizeof prefix - 1)) {
		s += sizeof prefix - 1;
		n -= sizeof prefix - 1;
	}
	while (n && strchr(" \t\r\n", *s)) {
		s++;
		n--;
	}
	while (n && strchr(" \t\r\n", s[n - 1]))
		n--;
	if (n == 0) {
		*len = 4;
		return "null";
	}
	size_t pos;
	struct strbuf why = STRBUF_INIT;
	if (jsonx_validate(s, n, &pos, &why) < 0) {
		/* The log shows what came back. */
		size_t show = n < 4096 ? n : 4096;
		warn_msg("ork_task_run returned (%zu bytes%s):", n,
			 show < n ? ", the first 4096" : "");
		if (write_all(2, s, show) < 0 || write_all(2, "\n", 1) < 0) {
			/* The reason below says enough. */
		}
		fail(1, "ork_task_run of '%s' returned invalid JSON at byte "
		     "%zu: %s", file, pos + (size_t)(s - res), strbuf_str(&why));
	}
	*len = n;
	return s;
}

int cmd_call(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '\0') {
		fprintf(stderr, "usage: ork call FILE   (input JSON on stdin, "
			"output JSON on stdout)\n");
		return ORK_EXIT_USAGE;
	}
	const char *file = argv[1];
	size_t ilen;
	char *input = read_input(&ilen);
	if (memchr(input, '\0', ilen))
		fail(0, "the input holds a NUL byte, which a C string cannot "
		     "carry");
	/* The output goes where stdout was; what the library prints to
	 * stdout goes to stderr, the log. */
	int out = fcntl(1, F_DUPFD_CLOEXEC, 3);
	if (out < 0 || dup2(2, 1) < 0)
		fail(1, "cannot set up stdout: %s", strerror(errno));
	/* Without a '/', dlopen would search the library path, not here. */
	char *path = strchr(file, '/') ? xstrdup(file) : xasprintf("./%s", file);
	void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		fail(0, "cannot load library '%s': %s", file, dlerror());
	task_run_fn *run;
	task_free_fn *release;
	/* POSIX's way from an object pointer to a function pointer. */
	*(void **)&run = dlsym(lib, "ork_task_run");
	*(void **)&release = dlsym(lib, "ork_task_free");
	if (!run || !release)
		fail(0, "library '%s' does not export %s (Ork's C ABI: char "
		     "*ork_task_run(const char *input_json) and void "
		     "ork_task_free(char *))", file,
		     !run ? "ork_task_run" : "ork_task_free");
	char *res = run(input);
	/* Its prints first, in order, before ours. */
	fflush(stdout);
	if (!res)
		fail(1, "ork_task_run of '%s' returned NULL", file);
	size_t n;
	const char *json = checked_result(file, res, &n);
	int rc = write_all(out, json, n) < 0 || write_all(out, "\n", 1) < 0;
	int e = errno;
	release(res);
	if (rc)
		fail(1, "cannot write the output: %s", strerror(e));
	close(out);
	free(input);
	free(path);
	/* Not dlclose: a library's destructors may assume the process ends. */
	return 0;
}

char *library_self(void)
{
#ifdef __linux__
	char exe[4096];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (len > 0 && len < (ssize_t)sizeof exe - 1) {
		exe[len] = '\0';
		return xstrdup(exe);
	}
#endif
	return xstrdup("ork");
}
