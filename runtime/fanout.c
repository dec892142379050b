/* fanout: see fanout.h. */
#include "fanout.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "expr.h"
#include "jsonx.h"
#include "proc.h"
#include "render.h"
#include "util.h"

int fanout_dry_run(void)
{
	/* GNU make puts the one-letter flags first, without a dash (" -j2
	 * ..." when there are none): "n", "kn", "ns".  -q and -t run '+'
	 * recipes too, and want nothing run either. */
	const char *m = getenv("MAKEFLAGS");
	if (!m || !*m || *m == ' ' || *m == '-')
		return 0;
	for (; *m && *m != ' '; m++)
		if (*m == 'n' || *m == 'q' || *m == 't')
			return 1;
	return 0;
}

/* ---- the jobserver ------------------------------------------------------ */

struct jobserver {
	int rfd, wfd;           /* -1: none, one instance at a time */
	char *held;             /* the tokens taken, to give the same back */
	size_t nheld, cap;
};

/* make 4.3: --jobserver-auth=R,W (fds, given to '+' recipes only);
 * make 4.4: --jobserver-auth=fifo:PATH.  The read side is opened anew, so
 * it can be non-blocking without changing make's own descriptor. */
static void js_open(struct jobserver *js)
{
	memset(js, 0, sizeof *js);
	js->rfd = js->wfd = -1;
	const char *m = getenv("MAKEFLAGS"), *a = NULL, *p;
	if (getenv("ORK_JOBS"))
		return;   /* the sh artifact's cap instead (sh_jobs) */
	for (p = m; p && (p = strstr(p, "--jobserver-")); p++)
		if (!strncmp(p, "--jobserver-auth=", 17))
			a = p + 17;
		else if (!strncmp(p, "--jobserver-fds=", 16))
			a = p + 16;
	if (!a)
		return;
	if (!strncmp(a, "fifo:", 5)) {
		size_t n = strcspn(a + 5, " ");
		char *path = xstrndup(a + 5, n);
		js->rfd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		js->wfd = js->rfd < 0 ? -1 :
			  open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		free(path);
	} else {
		char *end;
		long r = strtol(a, &end, 10), w = *end == ',' ?
			 strtol(end + 1, NULL, 10) : -1;
		if (r < 0 || w < 0 || fcntl((int)r, F_GETFD) < 0 ||
		    fcntl((int)w, F_GETFD) < 0)
			return;   /* not a '+' recipe: make kept them */
		char path[64];
		snprintf(path, sizeof path, "/proc/self/fd/%ld", r);
		js->rfd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		js->wfd = (int)w;
	}
	if (js->rfd < 0 || js->wfd < 0) {
		if (js->rfd >= 0)
			close(js->rfd);
		js->rfd = js->wfd = -1;
	}
}

/* ORK_JOBS=N: the sh artifact runs a fan-out task alone and lets its
 * instances have its N slots (codegen/engine.sh, fan_out).  Then there is
 * no jobserver to ask: every instance up to N has its slot. */
static long sh_jobs(void)
{
	const char *j = getenv("ORK_JOBS");
	char *end;
	long n = j && *j ? strtol(j, &end, 10) : 0;
	return j && *j && !*end && n > 0 ? n : 0;
}

static int js_take(struct jobserver *js)
{
	char c;
	if (js->rfd < 0 || read(js->rfd, &c, 1) != 1)
		return 0;
	js->held = xgrow(js->held, &js->cap, js->nheld + 1, 1);
	js->held[js->nheld++] = c;
	return 1;
}

static void js_give(struct jobserver *js)
{
	if (!js->nheld)
		return;
	char c = js->held[--js->nheld];
	while (write(js->wfd, &c, 1) < 0 && errno == EINTR)
		;
}

static void js_close(struct jobserver *js)
{
	while (js->nheld)
		js_give(js);
	if (js->rfd >= 0)
		close(js->rfd);
	free(js->held);
}

/* ---- the instances ------------------------------------------------------ */

enum { I_PENDING, I_RUNNING, I_OK, I_FAILED };

struct inst {
	char key[17];
	char *item;             /* its item's JSON, or NULL */
	pid_t pid;
	int state;
};

struct fan {
	const struct task_spec *s;
	const char *text;       /* the task's spec */
	const struct rundir *rd;
	struct inst *v;
	size_t n, reps;         /* instances; replicas per item */
	int upstream;           /* upstream outputs go into each input */
};

/* How many instances: the list's length times the parallel count. */
static int evaluate(struct fan *f, cJSON **items, struct strbuf *err)
{
	const struct task_spec *s = f->s;
	double reps = s->parallel >= 0 ? s->parallel : 1;
	struct strbuf why = STRBUF_INIT;
	*items = NULL;
	if (s->parallel_expr) {
		cJSON *v = render_eval(s, f->rd, s->parallel_expr, &why);
		if (!v) {
			error_to(err, "parallel %s", strbuf_str(&why));
			strbuf_release(&why);
			return -1;
		}
		int ok = cJSON_IsNumber(v) && v->valuedouble >= 0 &&
			 v->valuedouble <= FANOUT_MAX &&
			 v->valuedouble == (double)(long)v->valuedouble;
		reps = ok ? v->valuedouble : 0;
		if (!ok)
			error_to(err, "parallel '%.80s' gave %s, not a count "
				 "from 0 to %ld", s->parallel_expr,
				 expr_type_name(v), FANOUT_MAX);
		cJSON_Delete(v);
		if (!ok)
			return -1;
	}
	f->reps = (size_t)reps;
	f->n = f->reps;
	if (s->foreach) {
		*items = render_eval(s, f->rd, s->foreach, &why);
		if (!*items) {
			error_to(err, "foreach %s", strbuf_str(&why));
			strbuf_release(&why);
			return -1;
		}
		if (!cJSON_IsArray(*items))
			return error_to(err, "foreach '%.80s' gave %s, not a list",
					s->foreach, expr_type_name(*items));
		double total = (double)cJSON_GetArraySize(*items) * reps;
		if (total > FANOUT_MAX)
			return error_to(err, "foreach '%.80s' gives %.0f "
					"instances, more than %ld", s->foreach,
					total, FANOUT_MAX);
		f->n = (size_t)total;
	}
	return 0;
}

/* The upstream outputs' bytes, for the keys of a task without foreach:
 * each instance's input holds them. */
static unsigned long long upstream_hash(const struct fan *f)
{
	unsigned long long h = FNV1A64_INIT;
	for (size_t i = 0; i < f->s->ndeps; i++) {
		const struct spec_dep *d = &f->s->deps[i];
		char *p = rundir_file(f->rd, "%s.%s.json", d->task, d->key);
		size_t len;
		char *text = read_file_nofollow(p, &len);
		free(p);
		h = fnv1a64(d->task, strlen(d->task) + 1, h);
		h = text ? fnv1a64(text, len, h) : fnv1a64("\0null", 5, h);
		free(text);
	}
	return h;
}

static void make_keys(struct fan *f, const cJSON *items)
{
	unsigned long long up = f->upstream ? upstream_hash(f) : 0;
	const cJSON *it = items ? items->child : NULL;
	char *item = NULL;
	for (size_t i = 0; i < f->n; i++) {
		size_t rep = f->reps ? i % f->reps : 0;
		if (items && rep == 0) {
			item = jsonx_print(it, 0);
			it = it->next;
		}
		struct inst *in = &f->v[i];
		in->item = item ? xstrdup(item) : NULL;
		unsigned long long h = fnv1a64(f->s->key, strlen(f->s->key) + 1,
					       FNV1A64_INIT);
		if (item)
			h = fnv1a64(item, strlen(item) + 1, h);
		char r[48];
		int rn = snprintf(r, sizeof r, "%zu:%llx", rep, up);
		h = fnv1a64(r, (size_t)rn, h);
		snprintf(in->key, sizeof in->key, "%016llx", h);
		if (rep + 1 == f->reps || !f->reps) {
			free(item);
			item = NULL;
		}
	}
	free(item);
}

static const struct inst *sort_v;   /* qsort has no context */

static int cmp_keys(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(sort_v[x].key, sort_v[y].key);
	return c ? c : (x > y) - (x < y);
}

/* Equal items (and replicas) would share one key, so one output: the
 * k-th repeat (k >= 1, in index order) gets the key hashed with k. */
static void split_equal_keys(struct fan *f)
{
	if (f->n < 2)
		return;
	size_t *ord = xmalloc(f->n * sizeof *ord);
	for (size_t i = 0; i < f->n; i++)
		ord[i] = i;
	sort_v = f->v;
	qsort(ord, f->n, sizeof *ord, cmp_keys);
	sort_v = NULL;
	char first[17] = "";
	size_t k = 0;
	for (size_t j = 0; j < f->n; j++) {
		struct inst *in = &f->v[ord[j]];
		if (strcmp(in->key, first)) {
			memcpy(first, in->key, sizeof first);
			k = 0;
			continue;
		}
		char r[48];
		int rn = snprintf(r, sizeof r, "%s#%zu", first, ++k);
		snprintf(in->key, sizeof in->key, "%016llx",
			 fnv1a64(r, (size_t)rn, FNV1A64_INIT));
	}
	free(ord);
}

static char *inst_out(const struct fan *f, size_t i)
{
	return rundir_file(f->rd, "%s.%s.json", f->s->task, f->v[i].key);
}

/* The instance's spec: ours, with "instance" and its own "key" in front
 * (the first of two equal members counts). */
static char *inst_spec(const struct fan *f, size_t i)
{
	struct strbuf sb = STRBUF_INIT;
	const struct inst *in = &f->v[i];
	strbuf_adds(&sb, "{\"" SPEC_M_INSTANCE "\":{\"" SPEC_M_TASK "\":");
	jsonx_quote(&sb, f->s->task, strlen(f->s->task), JSONX_MAKESAFE);
	strbuf_addf(&sb, ",\"index\":%zu,\"count\":%zu,\"upstream\":%s", i,
		    f->n, f->upstream ? "true" : "false");
	if (in->item)
		strbuf_addf(&sb, ",\"item\":%s", in->item);
	strbuf_addf(&sb, "},\"" SPEC_M_KEY "\":\"%s\",", in->key);
	const char *p = strchr(f->text, '{');
	strbuf_adds(&sb, p ? p + 1 : "}");
	return strbuf_detach(&sb);
}

static pid_t start(const struct fan *f, size_t i, const char *self)
{
	char *spec = inst_spec(f, i);
	pid_t pid = fork();
	if (pid == 0) {
		setenv("ORK_SPEC", spec, 1);
		char *argv[] = {"ork", "exec", (char *)f->s->task, NULL};
		execv(self, argv);
		_exit(127);
	}
	free(spec);
	return pid;
}

static void ended(struct fan *f, pid_t pid)
{
	for (size_t i = 0; i < f->n; i++) {
		struct inst *in = &f->v[i];
		if (in->state != I_RUNNING || in->pid != pid)
			continue;
		char *out = inst_out(f, i);
		in->state = is_regular(out) ? I_OK : I_FAILED;
		free(out);
		return;
	}
}

/* The instance outputs, in order, as one list, renamed into place. */
static int fan_in(const struct fan *f, const char *out, int sync,
		  struct strbuf *err)
{
	char *tmp = xasprintf("%s.%ld.tmp", out, (long)getpid());
	unlink(tmp);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		      0666);
	int rc = fd < 0 ? -1 : 0;
	struct strbuf sb = STRBUF_INIT;
	strbuf_addc(&sb, '[');
	for (size_t i = 0; rc == 0 && i < f->n; i++) {
		char *p = inst_out(f, i);
		size_t len;
		char *text = read_file_nofollow(p, &len);
		free(p);
		if (!text) {
			rc = -1;
			break;
		}
		if (i)
			strbuf_addc(&sb, ',');
		strbuf_add(&sb, text, len);
		free(text);
		if (sb.len > (1 << 20)) {
			rc = write_all(fd, sb.buf, sb.len);
			strbuf_reset(&sb);
		}
	}
	strbuf_addc(&sb, ']');
	if (rc == 0)
		rc = write_all(fd, sb.buf, sb.len);
	if (rc == 0 && sync)
		rc = fsync(fd);
	if (fd >= 0 && close(fd) < 0)
		rc = -1;
	if (rc == 0)
		rc = rename(tmp, out);
	if (rc == 0 && sync)
		fsync_parent(out);
	if (rc < 0) {
		error_to(err, "cannot write the list of instance outputs "
			 "to %s: %s", out, strerror(errno));
		unlink(tmp);
	}
	strbuf_release(&sb);
	free(tmp);
	return rc;
}

static void progress(const char *task, const char *msg)
{
	char *line = xasprintf("ork: %s: %s\n", task, msg);
	if (write(2, line, strlen(line)) < 0) {
		/* Nobody to tell. */
	}
	free(line);
}

/* Run what is pending, at most cap at once and one jobserver token for
 * every running instance beyond the first.  Returns the interrupting
 * signal, or 0. */
static int schedule(struct fan *f, size_t cap)
{
	struct jobserver js;
	js_open(&js);
	char self[4096];
	ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
	if (len <= 0 || len >= (ssize_t)sizeof self - 1)
		die(ORK_EXIT_USAGE, "exec: %s: cannot find the ork binary (/proc/self/exe)",
		    f->s->task);
	self[len] = '\0';
	size_t next = 0, running = 0;
	int stopped = 0, sh = sh_jobs() > 0;
	for (;;) {
		while (!stopped && running < cap) {
			while (next < f->n && f->v[next].state != I_PENDING)
				next++;
			if (next == f->n || (running && !sh && !js_take(&js)))
				break;
			pid_t pid = start(f, next, self);
			if (pid < 0) {
				js_give(&js);
				if (!running)
					die(ORK_EXIT_USAGE, "exec: %s: cannot fork: %s",
					    f->s->task, strerror(errno));
				break;
			}
			f->v[next].pid = pid;
			f->v[next].state = I_RUNNING;
			running++;
			next++;
		}
		while (next < f->n && f->v[next].state != I_PENDING)
			next++;
		if (!running && (stopped || next == f->n))
			break;
		int st;
		pid_t pid;
		int reaped = 0;
		while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
			size_t before = running;
			for (size_t i = 0; i < f->n && running == before; i++)
				if (f->v[i].state == I_RUNNING && f->v[i].pid == pid)
					running--;
			if (running == before)
				continue;   /* an orphan we adopted */
			ended(f, pid);
			/* One token for every running instance but one. */
			while (js.nheld && js.nheld + 1 > running + !running)
				js_give(&js);
			reaped = 1;
		}
		if (reaped)
			continue;
		int want = !stopped && running && running < cap && next < f->n;
		proc_wait_fd(want ? js.rfd : -1, 1000);
		if (proc_interrupted() && !stopped) {
			stopped = 1;
			for (size_t i = 0; i < f->n; i++)
				if (f->v[i].state == I_RUNNING)
					kill(f->v[i].pid, SIGTERM);
		}
	}
	js_close(&js);
	return proc_interrupted();
}

enum fanout_role fanout_role(long *index)
{
	const char *c = getenv("ORK_FANOUT_COLLECT");
	if (c && !strcmp(c, "1"))
		return FANOUT_COLLECT;
	const char *i = getenv("ORK_FANOUT_INDEX");
	if (!i || !*i)
		return FANOUT_ALL;
	char *end;
	errno = 0;
	long v = strtol(i, &end, 10);
	if (errno || *end || v < 0 || v >= FANOUT_MAX)
		return FANOUT_BAD;
	*index = v;
	return FANOUT_ONE;
}

/* The instances of the task: count, items and keys, as every role
 * computes them from the same upstream outputs. */
static int prepare(struct fan *f, const struct task_spec *s, const char *text,
		   const struct rundir *rd, struct strbuf *err)
{
	memset(f, 0, sizeof *f);
	f->s = s;
	f->text = text;
	f->rd = rd;
	f->upstream = !s->foreach;
	cJSON *items;
	if (evaluate(f, &items, err) < 0) {
		cJSON_Delete(items);
		return -1;
	}
	f->v = xcalloc(f->n + 1, sizeof *f->v);
	make_keys(f, items);
	split_equal_keys(f);
	cJSON_Delete(items);
	return 0;
}

static void fan_release(struct fan *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i].item);
	free(f->v);
}

int fanout_exec_one(const struct task_spec *s, const char *text,
		    const struct rundir *rd, long index, struct strbuf *err)
{
	struct fan f;
	if (prepare(&f, s, text, rd, err) < 0)
		return 1;
	char msg[160];
	if ((size_t)index >= f.n) {
		snprintf(msg, sizeof msg, "no instance %ld: %zu instance%s",
			 index, f.n, f.n == 1 ? "" : "s");
		progress(s->task, msg);
		fan_release(&f);
		return 0;
	}
	char *out = inst_out(&f, (size_t)index);
	int done = is_regular(out);
	free(out);
	if (done) {
		snprintf(msg, sizeof msg, "instance %ld of %zu succeeded before",
			 index, f.n);
		progress(s->task, msg);
		fan_release(&f);
		return 0;
	}
	char self[4096];
	ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
	if (len <= 0 || len >= (ssize_t)sizeof self - 1)
		die(ORK_EXIT_USAGE, "exec: %s: cannot find the ork binary (/proc/self/exe)",
		    s->task);
	self[len] = '\0';
	char *spec = inst_spec(&f, (size_t)index);
	setenv("ORK_SPEC", spec, 1);
	unsetenv("ORK_FANOUT_INDEX");
	char *argv[] = {"ork", "exec", (char *)s->task, NULL};
	execv(self, argv);
	die(ORK_EXIT_USAGE, "exec: %s: cannot run %s: %s", s->task, self,
	    strerror(errno));
}

int fanout_run(const struct task_spec *s, const char *text,
	       const struct rundir *rd, const char *out, int sync,
	       struct strbuf *err)
{
	struct fan f;
	if (prepare(&f, s, text, rd, err) < 0)
		return 1;
	long unused;
	int collect = fanout_role(&unused) == FANOUT_COLLECT;
	size_t reused = 0;
	for (size_t i = 0; i < f.n; i++) {
		char *p = inst_out(&f, i);
		if (is_regular(p)) {
			f.v[i].state = I_OK;
			reused++;
		}
		free(p);
	}
	size_t cap = s->concurrency > 0 ? (size_t)s->concurrency : f.n;
	long jobs = sh_jobs();
	if (jobs > 0 && (size_t)jobs < cap)
		cap = (size_t)jobs;
	if (!cap)
		cap = 1;
	char *msg = collect ?
		xasprintf("%zu instance%s, %zu succeeded (Slurm array)", f.n,
			  f.n == 1 ? "" : "s", reused) :
		xasprintf("%zu instance%s (%zu done before), at most %zu "
			  "at once", f.n, f.n == 1 ? "" : "s", reused, cap);
	progress(s->task, msg);
	free(msg);
	/* Collecting: the instances ran as jobs of their own; one without
	 * its output failed, or never ran. */
	int sig = reused < f.n && !collect ? schedule(&f, cap) : 0;
	size_t failed = 0;
	struct strbuf names = STRBUF_INIT;
	for (size_t i = 0; i < f.n; i++) {
		if (f.v[i].state == I_OK)
			continue;
		if (failed++ < 3)
			strbuf_addf(&names, "%s%s[%zu]", failed > 1 ? ", " : "",
				    s->task, i);
	}
	int rc = 0;
	if (sig) {
		rc = sig;
	} else if (failed) {
		error_to(err, "%zu of %zu instances failed: %s%s", failed,
			 f.n, strbuf_str(&names), failed > 3 ? ", ..." : "");
		rc = 1;
	} else if (fan_in(&f, out, sync, err) < 0) {
		rc = 1;
	}
	strbuf_release(&names);
	fan_release(&f);
	return rc;
}

char *fanout_item_text(const cJSON *item)
{
	if (!item)
		return NULL;
	char *t = cJSON_IsString(item) ? xstrdup(item->valuestring)
				       : jsonx_print(item, 0);
	size_t len = strlen(t), max = 200;
	if (len <= max)
		return t;
	while (max > 0 && ((unsigned char)t[max] & 0xc0) == 0x80)
		max--;
	strcpy(t + max, "...");
	return t;
}

char *fanout_instance_input(const struct task_spec *s)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, s->input, s->ninput);
	if (s->item) {
		if (s->ninput)
			strbuf_addc(&sb, ',');
		strbuf_adds(&sb, "\"" INSTANCE_M_ITEM "\":");
		jsonx_write(&sb, s->item, 0);
	}
	/* Not in the key: an item keeps its output when its index moves. */
	if (s->executor == SPEC_PROCESS)
		strbuf_addf(&sb, "%s\"" INSTANCE_M_INDEX "\":%ld,\""
			    INSTANCE_M_COUNT "\":%ld", sb.len ? "," : "",
			    s->index, s->count);
	char *r = xstrdup(strbuf_str(&sb));
	strbuf_release(&sb);
	return r;
}
