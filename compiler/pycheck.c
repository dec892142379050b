/* pycheck: see pycheck.h. */
#include "pycheck.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jsonx.h"
#include "taskroot.h"
#include "util.h"

static const char script[] =
#include "compiler/pycheck.inc"
	;

/* The input keys task t gets at run time: its bindings with inputs:,
 * else its static keys and its upstream tasks' names. */
static void add_keys(struct strbuf *sb, const struct task *t)
{
	strbuf_addc(sb, '[');
	size_t n = 0;
	for (size_t i = 0; i < t->ninput_keys; i++, n++) {
		if (n)
			strbuf_addc(sb, ',');
		jsonx_quote(sb, t->input_keys[i].key, strlen(t->input_keys[i].key), 0);
	}
	for (size_t i = 0; !t->exact_input && i < t->ndeps; i++, n++) {
		if (n)
			strbuf_addc(sb, ',');
		jsonx_quote(sb, t->deps[i].name, strlen(t->deps[i].name), 0);
	}
	strbuf_addc(sb, ']');
}

static void add_member(struct strbuf *sb, const char *key, const char *val)
{
	strbuf_addf(sb, ",\"%s\":", key);
	if (val)
		jsonx_quote(sb, val, strlen(val), 0);
	else
		strbuf_adds(sb, "null");
}

/* The request: the root, and per python task its index, file (as orkc
 * can open it), module, function and input keys. */
static size_t build_request(const struct workflow *wf, struct strbuf *sb)
{
	const struct taskroot *r = wf->root;
	size_t n = 0;
	strbuf_adds(sb, "{\"root\":");
	jsonx_quote(sb, r->dir[r->chosen], strlen(r->dir[r->chosen]), 0);
	strbuf_adds(sb, ",\"tasks\":[");
	for (size_t i = 0; i < wf->ntasks; i++) {
		const struct task *t = &wf->tasks[i];
		if (t->executor != EXECUTOR_PYTHON || (!t->file && !t->module) ||
		    !t->function)
			continue;
		char *file = t->file ? taskroot_path(r, r->chosen, t->file) : NULL;
		strbuf_addf(sb, "%s{\"i\":%zu", n++ ? "," : "", i);
		add_member(sb, "file", file);
		add_member(sb, "module", t->module);
		add_member(sb, "function", t->function);
		strbuf_adds(sb, ",\"keys\":");
		add_keys(sb, t);
		strbuf_addc(sb, '}');
		free(file);
	}
	strbuf_adds(sb, "]}");
	return n;
}

/* Run argv with in on its standard input, its standard output into out
 * (stderr is dropped: the script reports through its output).  Returns
 * the exit status as the shell reports it, 127 when it did not start. */
static int run(char *const *argv, const struct strbuf *in, struct strbuf *out)
{
	int to[2], from[2];
	if (pipe(to) < 0)
		return 127;
	if (pipe(from) < 0) {
		close(to[0]);
		close(to[1]);
		return 127;
	}
	pid_t pid = fork();
	if (pid == 0) {
		dup2(to[0], 0);
		dup2(from[1], 1);
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, 2);
		close(to[0]);
		close(to[1]);
		close(from[0]);
		close(from[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	if (pid > 0) {
		/* The script reads all of its input before it writes. */
		void (*old)(int) = signal(SIGPIPE, SIG_IGN);
		write_all(to[1], in->buf, in->len);
		signal(SIGPIPE, old);
	}
	close(to[1]);
	char buf[4096];
	ssize_t k;
	while (pid > 0 && ((k = read(from[0], buf, sizeof buf)) > 0 ||
			   (k < 0 && errno == EINTR)))
		if (k > 0)
			strbuf_add(out, buf, (size_t)k);
	close(from[0]);
	int st;
	if (pid < 0)
		return 127;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 127;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static struct srcpos where(const struct task *t, const char *what)
{
	if (!strcmp(what, "function") && t->function_pos.line)
		return t->function_pos;
	if (!strcmp(what, "module") && t->module_pos.line)
		return t->module_pos;
	if (t->file)
		return t->file_pos;
	return t->module_pos.line ? t->module_pos : t->pos;
}

/* The answer: [{"i", "what", "severity", "msg"}]. */
static int report(const struct workflow *wf, const char *text,
		  struct diag *d)
{
	cJSON *v = cJSON_Parse(text);
	int nerrors = 0;
	if (!cJSON_IsArray(v)) {
		cJSON_Delete(v);
		return -1;
	}
	for (const cJSON *m = v->child; m; m = m->next) {
		const cJSON *i = cJSON_GetObjectItemCaseSensitive(m, "i");
		const char *what = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(m, "what"));
		const char *sev = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(m, "severity"));
		const char *msg = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(m, "msg"));
		if (!cJSON_IsNumber(i) || i->valuedouble < 0 ||
		    i->valuedouble >= (double)wf->ntasks || !what || !sev || !msg)
			continue;
		const struct task *t = &wf->tasks[(size_t)i->valuedouble];
		if (!strcmp(sev, "error")) {
			diag_error(d, where(t, what), "task '%s': %s", t->name, msg);
			nerrors++;
		} else {
			diag_warning(d, where(t, what), "task '%s': %s", t->name, msg);
		}
	}
	cJSON_Delete(v);
	return nerrors;
}

int pycheck_run(const struct workflow *wf, struct diag *d)
{
	if (!wf->root)
		return 0;
	struct strbuf req = STRBUF_INIT, out = STRBUF_INIT;
	if (build_request(wf, &req) == 0) {
		strbuf_release(&req);
		return 0;
	}
	const char *python = wf->python ? wf->python : getenv("PYTHON");
	if (!python || !*python)
		python = "python3";
	/* The workflow's python: (.venv/bin/python) is relative to the root,
	 * like its task files. */
	const struct taskroot *r = wf->root;
	char *path = wf->python && strchr(python, '/') ?
		     taskroot_path(r, r->chosen, python) : xstrdup(python);
	python = path;
	char *argv[] = { (char *)python, (char *)"-c", (char *)script, NULL };
	int st = run(argv, &req, &out);
	int nerrors = 0;
	if (st == 127)
		warn_msg("note: no python '%s' to ask: python task files, "
			 "functions and parameters are not checked", python);
	else if (st != 0 || (nerrors = report(wf, strbuf_str(&out), d)) < 0) {
		warn_msg("note: python '%s' could not check the task files "
			 "(exit status %d)", python, st);
		nerrors = 0;
	}
	strbuf_release(&req);
	strbuf_release(&out);
	free(path);
	return nerrors;
}
