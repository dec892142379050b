/* orkc: compile a workflow file into an artifact that runs it (SPEC
 * section 2).  A thin client of the pipeline: yamlnode -> workflow ->
 * plan -> codegen. */
#include <getopt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "codegen.h"
#include "diag.h"
#include "jsonx.h"
#include "plan.h"
#include "pycheck.h"
#include "schedule.h"
#include "schema.h"
#include "taskroot.h"
#include "tz.h"
#include "udiff.h"
#include "util.h"
#include "workflow.h"
#include "yamlnode.h"

/* The exit statuses, as --help and the manual list them. */
enum {
	EXIT_OK = 0,       /* success */
	EXIT_ERRORS = 1,   /* the workflow has errors */
	EXIT_USAGE = 2,    /* usage or I/O error */
};

enum target { TARGET_MAKE, TARGET_SH, TARGET_CRON, TARGET_DOT, TARGET_JSON,
	      TARGET_SLURM };
static const char *const target_names[] = {
	"make", "sh", "cron", "dot", "json", "slurm", NULL
};

struct options {
	const char *input;
	const char *output;     /* NULL or "-": standard output */
	const char *target;     /* NULL: from the output name */
	int check;
	int check_generated;    /* compare with -o FILE instead of writing it */
	int no_python_check;    /* --check: do not ask python (pycheck.h) */
	long next;              /* --next N: print N fire times, no artifact */
	const char *from;       /* --from TIME, RFC 3339; NULL: now */
	const char *diff_old;   /* --diff OLD NEW: OLD ("-": standard input) */
	struct cron_target cron;   /* -t cron: --artifact, --jobs, --root, --ork */
	const char *status;     /* -t dot --status FILE: ork status --json */
};

static const char usage_text[] =
	"usage: orkc [OPTIONS] WORKFLOW.yaml\n"
	"       orkc --diff [-t json] [--from TIME] OLD.yaml NEW.yaml\n"
	"\n"
	"Compile a workflow file into an artifact that runs it.\n"
	"\n"
	"Options:\n"
	"  -o, --output FILE    write FILE (atomically) instead of standard output\n"
	"  -t, --target TARGET  make, sh, cron, json, dot or slurm; by default from the\n"
	"                       output name: *.mk or Makefile: make, *.sh: sh,\n"
	"                       else make\n"
	"      --check          validate only; print nothing on success\n"
	"      --no-python-check  with --check: do not ask python whether the\n"
	"                       task files compile and define their functions\n"
	"      --check-generated  with -o FILE: write nothing; exit 0 when FILE\n"
	"                       is what orkc would write, else 1 with a diff -u\n"
	"      --status FILE    with -t dot: fill the tasks by the states of a\n"
	"                       run, from FILE (-: standard input) as written by\n"
	"                       ork status RUN --json\n"
	"      --next N         print the schedule's next N fire times (RFC 3339,\n"
	"                       in the workflow's time zone) instead\n"
	"      --from TIME      with --next or --diff: start after TIME (RFC 3339),\n"
	"                       not now\n"
	"      --diff           compare two versions of the workflow (OLD may be\n"
	"                       -, standard input): tasks added and removed, the\n"
	"                       fields that changed, the schedule, and the tasks\n"
	"                       that will re-run; -t json for machines\n"
	"\n"
	"For -t cron (crontab lines; install them with ork crontab install):\n"
	"      --artifact FILE  the artifact each firing runs: *.sh with sh, else\n"
	"                       with make (required)\n"
	"  -j, --jobs N         its parallelism: make -jN, sh FILE -j N (default 4)\n"
	"      --root DIR       the project directory it runs in (default: the\n"
	"                       current directory)\n"
	"      --ork PATH       the ork to run (default: the one beside orkc)\n"
	"      --print-schema   print the workflow file's JSON Schema and exit\n"
	"  -h, --help           print this help and exit\n"
	"  -V, --version        print the version and exit\n"
	"\n"
	"Exit status:\n"
	"  0  success\n"
	"  1  the workflow has errors (every one is reported); with\n"
	"     --check-generated, also: the artifact differs\n"
	"  2  usage or I/O error\n";

static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", progname);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", progname);
	exit(EXIT_USAGE);
}

/* A whole number 1..max given to option name. */
static long count_arg(const char *name, const char *arg, long max)
{
	char *end;
	long n = strtol(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end || n < 1 || n > max) {
		fprintf(stderr, "%s: %s needs a number from 1 to %ld, not '%s'\n",
			progname, name, max, arg);
		exit(EXIT_USAGE);
	}
	return n;
}

/* --status has a number apart from parse_options' enum, which other
 * options extend. */
enum { OPT_STATUS = 0x1000 };

/* getopt's complaint c (':' or '?') about the option in element arg.
 * In a cluster such as -ab, arg may be an earlier element: a short
 * option is named by optopt, a long one by arg itself. */
static void bad_option(int c, const char *arg)
{
	char name[3] = { '-', (char)optopt, '\0' };
	int is_long = !strncmp(arg, "--", 2);
	if (is_long) {
		/* --output=FILE: name the option, not its value */
		size_t n = strcspn(arg, "=");
		char *opt = xasprintf("%.*s", (int)n, arg);
		usage_error(c == ':' ? "option '%s' needs an argument"
				     : "unknown option '%s'", opt);
	}
	if (optopt > 0 && optopt < 128 && optopt >= ' ')
		usage_error(c == ':' ? "option '%s' needs an argument"
				     : "unknown option '%s'", name);
	usage_error("unknown option '%s'", arg);
}

/* --print-schema: the JSON Schema of a workflow file (schema.h). */
static int print_schema(void)
{
	struct strbuf out = STRBUF_INIT;
	schema_write(&out);
	int rc = EXIT_OK;
	if (fwrite(out.buf, 1, out.len, stdout) != out.len || fflush(stdout)) {
		warn_msg("cannot write to standard output: %s", strerror(errno));
		rc = EXIT_USAGE;
	}
	strbuf_release(&out);
	return rc;
}

/* Beyond parse_options' own option numbers. */
enum { OPT_PRINT_SCHEMA = 512 };

static void parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_CHECK = 256, OPT_CHECK_GENERATED, OPT_NO_PYTHON_CHECK, OPT_NEXT, OPT_FROM, OPT_ARTIFACT, OPT_ROOT,
	       OPT_ORK, OPT_DIFF };
	static const struct option longopts[] = {
		{ "print-schema", no_argument, NULL, OPT_PRINT_SCHEMA },
		{ "output", required_argument, NULL, 'o' },
		{ "target", required_argument, NULL, 't' },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "check-generated", no_argument, NULL, OPT_CHECK_GENERATED },
		{ "no-python-check", no_argument, NULL, OPT_NO_PYTHON_CHECK },
		{ "next", required_argument, NULL, OPT_NEXT },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "diff", no_argument, NULL, OPT_DIFF },
		{ "artifact", required_argument, NULL, OPT_ARTIFACT },
		{ "jobs", required_argument, NULL, 'j' },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "ork", required_argument, NULL, OPT_ORK },
		{ "status", required_argument, NULL, OPT_STATUS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	memset(o, 0, sizeof *o);
	o->cron.jobs = 4;
	opterr = 0;   /* our own messages, in our own format */
	int c;
	while ((c = getopt_long(argc, argv, ":o:t:j:hV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_PRINT_SCHEMA:
			exit(print_schema());
		case 'o': o->output = optarg; break;
		case 't': o->target = optarg; break;
		case OPT_CHECK: o->check = 1; break;
		case OPT_CHECK_GENERATED: o->check_generated = 1; break;
		case OPT_NO_PYTHON_CHECK: o->no_python_check = 1; break;
		case OPT_NEXT: o->next = count_arg("--next", optarg, 100000); break;
		case OPT_FROM: o->from = optarg; break;
		case OPT_DIFF: o->diff_old = ""; break;
		case OPT_ARTIFACT: o->cron.artifact = optarg; break;
		case 'j': o->cron.jobs = count_arg("--jobs", optarg, 1000); break;
		case OPT_ROOT: o->cron.root = optarg; break;
		case OPT_ORK: o->cron.ork = optarg; break;
		case OPT_STATUS: o->status = optarg; break;
		case 'h':
			fputs(usage_text, stdout);
			exit(EXIT_OK);
		case 'V':
			printf("orkc %s\n", PACKAGE_VERSION);
			exit(EXIT_OK);
		case ':':
		default:
			bad_option(c, argv[optind - 1]);
		}
	}
	if (o->diff_old) {
		if (argc - optind != 2)
			usage_error("--diff needs two workflow files, OLD and "
				    "NEW%s", "");
		if (o->output || o->check || o->check_generated || o->next ||
		    o->cron.artifact)
			usage_error("--diff prints a comparison; it takes only "
				    "-t json and --from%s", "");
		o->diff_old = argv[optind];
		o->input = argv[optind + 1];
		return;
	}
	if (optind == argc)
		usage_error("no workflow file given%s", "");
	if (argc - optind > 1)
		usage_error("one workflow file at a time, but '%s' is a second",
			    argv[optind + 1]);
	o->input = argv[optind];
	if (o->check_generated && (!o->output || !strcmp(o->output, "-")))
		usage_error("--check-generated needs the artifact: -o FILE%s", "");
	if (o->check_generated && (o->check || o->next))
		usage_error("--check-generated compares an artifact; it does not "
			    "go with %s", o->check ? "--check" : "--next");
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

/* The target the output's name implies: the name says what the file is. */
static enum target target_from_output(const char *out)
{
	if (!out || !strcmp(out, "-"))
		return TARGET_MAKE;
	const char *base = strrchr(out, '/');
	base = base ? base + 1 : out;
	if (ends_with(base, ".sh"))
		return TARGET_SH;
	return TARGET_MAKE;   /* *.mk, Makefile, and anything else */
}

static enum target pick_target(const struct options *o)
{
	enum target t = target_from_output(o->output);
	if (o->target) {
		size_t i = 0;
		while (target_names[i] && strcmp(target_names[i], o->target))
			i++;
		if (!target_names[i]) {
			const char *near = closest_match(o->target, target_names);
			if (near)
				die(EXIT_USAGE, "unknown target '%s'; did you mean "
				    "'%s'?", o->target, near);
			die(EXIT_USAGE, "unknown target '%s' (use make, sh, cron, "
			    "json, dot or slurm)", o->target);
		}
		t = (enum target)i;
	}
	if (o->status && t != TARGET_DOT)
		die(EXIT_USAGE, "--status colours a graph: it goes with -t dot");
	if (t == TARGET_CRON && !o->cron.artifact && !o->next)
		die(EXIT_USAGE, "target 'cron' needs --artifact FILE: the "
		    "artifact each firing runs");
	return t;
}

/* The crontab block: the entry runs the artifact from the project root,
 * both named by absolute paths since cron starts in $HOME. */
static int gen_cron_target(struct strbuf *out, const struct options *o,
			   const struct plan *p)
{
	/* An absolute --root or --ork is taken as given: the entry may be
	 * for another machine. */
	struct cron_target ct = o->cron;
	char *root = ct.root && ct.root[0] == '/' ? xstrdup(ct.root)
		     : realpath(ct.root ? ct.root : ".", NULL);
	if (!root)
		die(EXIT_USAGE, "cannot use '%s' as the project root: %s",
		    ct.root ? ct.root : ".", strerror(errno));
	char *ork = NULL;
	if (ct.ork && ct.ork[0] == '/') {
		ork = xstrdup(ct.ork);
	} else if (ct.ork) {
		ork = realpath(ct.ork, NULL);
		if (!ork)
			die(EXIT_USAGE, "cannot find '%s': %s", ct.ork,
			    strerror(errno));
	} else {
		/* The ork installed with this orkc. */
		char self[4096];
		ssize_t n = readlink("/proc/self/exe", self, sizeof self);
		/* n == sizeof self: the path may have been cut. */
		char *slash = NULL;
		if (n > 0 && (size_t)n < sizeof self) {
			self[n] = '\0';
			slash = strrchr(self, '/');
		}
		if (slash)
			ork = xasprintf("%.*s/ork", (int)(slash - self), self);
		if (!ork || access(ork, X_OK) != 0)
			die(EXIT_USAGE, "no 'ork' beside orkc; name the one cron "
			    "should run with --ork PATH");
	}
	ct.root = root;
	ct.ork = ork;
	struct strbuf why = STRBUF_INIT;
	int rc = gen_cron(out, p, &ct, &why);
	free(root);
	free(ork);
	if (rc < 0)
		warn_msg("cannot write crontab lines: %s", strbuf_str(&why));
	strbuf_release(&why);
	return rc < 0 ? EXIT_USAGE : EXIT_OK;
}

/* --next N: the fire times instead of an artifact. */
static int print_next(const struct options *o, const struct plan *p,
		      struct strbuf *out)
{
	time_t from = time(NULL);
	if (o->from && tz_parse(o->from, &from) < 0)
		die(EXIT_USAGE, "--from needs an RFC 3339 time such as "
		    "2026-03-29T01:00:00+01:00, not '%s'", o->from);
	struct strbuf why = STRBUF_INIT;
	int rc = schedule_next(p->wf->schedule, p->wf->timezone, o->next, from,
			       out, &why);
	if (rc < 0)
		warn_msg("%s", strbuf_str(&why));
	strbuf_release(&why);
	/* Fewer than N fire times: print those found, after the reason. */
	return rc < 0 && !out->len ? EXIT_ERRORS : EXIT_OK;
}

/* --check-generated: FILE against what orkc would write (out): 0 when
 * they are the same bytes, else 1 and a unified diff on standard output
 * that turns FILE into it.  A missing FILE is empty. */
static int check_generated(const struct options *o, const struct strbuf *out)
{
	size_t len = 0;
	char *old = read_file(o->output, &len);
	if (!old && errno != ENOENT) {
		warn_msg("cannot read '%s': %s", o->output, strerror(errno));
		return EXIT_USAGE;
	}
	struct strbuf diff = STRBUF_INIT;
	char *aname = xasprintf("%s\t(%s)", o->output, old ? "as it is" : "missing");
	char *bname = xasprintf("%s\t(as orkc would write it from %s)", o->output,
				o->input);
	int differs = udiff(&diff, aname, old ? old : "", len, bname,
			    out->buf ? out->buf : "", out->len);
	free(aname);
	free(bname);
	free(old);
	int status = EXIT_OK;
	if (differs) {
		status = EXIT_ERRORS;
		if (fwrite(diff.buf, 1, diff.len, stdout) != diff.len ||
		    fflush(stdout) != 0) {
			warn_msg("cannot write to standard output: %s", strerror(errno));
			status = EXIT_USAGE;
		}
	}
	strbuf_release(&diff);
	return status;
}

/* Nothing is written unless the whole artifact is ready, and -o replaces
 * the file atomically, so a failed run never leaves half an artifact. */
/* --status FILE: the run's states, which only the dot target reads.  The
 * compiler knows the runtime only through this printed format. */
static cJSON *load_status(const char *file, const char *workflow)
{
	size_t len = 0;
	int in = !strcmp(file, "-");
	char *text = NULL;
	if (in) {
		struct strbuf sb = STRBUF_INIT;
		char buf[65536];
		size_t n;
		while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
			strbuf_add(&sb, buf, n);
		if (!ferror(stdin)) {
			len = sb.len;
			text = strbuf_detach(&sb);
		}
		strbuf_release(&sb);
	} else {
		text = read_file(file, &len);
	}
	if (!text)
		die(EXIT_USAGE, "cannot read '%s': %s", in ? "standard input" : file,
		    strerror(errno));
	cJSON *st = cJSON_ParseWithLength(text, len);
	free(text);
	if (!cJSON_IsObject(st) ||
	    !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(st, "tasks")))
		die(EXIT_USAGE, "'%s' is not what ork status --json prints",
		    in ? "standard input" : file);
	const char *of = jsonx_get_string(st, "workflow");
	if (of && strcmp(of, workflow))
		warn_msg("warning: '%s' is a run of workflow '%s', not '%s'",
			 in ? "standard input" : file, of, workflow);
	return st;
}

static int emit(const struct options *o, enum target t, const struct plan *p)
{
	struct strbuf out = STRBUF_INIT;
	int gen_status = EXIT_OK;
	if (o->next)
		gen_status = print_next(o, p, &out);
	else switch (t) {
	case TARGET_CRON: gen_status = gen_cron_target(&out, o, p); break;
	case TARGET_JSON: gen_json(&out, p); break;
	case TARGET_DOT:
		if (o->status) {
			cJSON *st = load_status(o->status, p->wf->name);
			gen_dot_status(&out, p, st);
			cJSON_Delete(st);
		} else {
			gen_dot(&out, p);
		}
		break;
	case TARGET_SH: gen_sh(&out, p); break;
	case TARGET_SLURM: gen_slurm(&out, p); break;
	default: gen_make(&out, p); break;
	}
	if (gen_status != EXIT_OK) {
		strbuf_release(&out);
		return gen_status;
	}
	int status = EXIT_OK;
	if (o->check_generated) {
		status = check_generated(o, &out);
	} else if (o->output && strcmp(o->output, "-")) {
		if (write_file_atomic(o->output, out.buf, out.len) < 0) {
			warn_msg("cannot write '%s': %s", o->output, strerror(errno));
			status = EXIT_USAGE;
		}
	} else if (fwrite(out.buf, 1, out.len, stdout) != out.len ||
		   fflush(stdout) != 0) {
		warn_msg("cannot write to standard output: %s", strerror(errno));
		status = EXIT_USAGE;
	}
	strbuf_release(&out);
	return status;
}

/* One workflow file through the whole pipeline, for --diff.  Every
 * problem is reported; returns the number of errors (l is usable only
 * at 0).  "-" reads standard input. */
struct loaded {
	char *src;
	struct workflow wf;
	struct plan p;
	int built;              /* wf and p need releasing */
};

static unsigned load_plan(const char *path, int old, struct loaded *l)
{
	size_t len;
	int in = !strcmp(path, "-");
	memset(l, 0, sizeof *l);
	l->src = read_file(in ? "/dev/stdin" : path, &len);
	if (!l->src)
		die(EXIT_USAGE, "cannot read '%s': %s", in ? "standard input" :
		    path, strerror(errno));
	struct diag d;
	diag_init(&d, in ? "<stdin>" : path, l->src, len);
	struct ynode *root = yaml_load(l->src, len, &d);
	if (root) {
		workflow_from_yaml(root, in ? "<stdin>" : path, &d, &l->wf);
		l->wf.old_version = old;
		ynode_free(root);
		plan_build(&l->wf, &d, &l->p);
		l->built = 1;
	}
	unsigned n = root ? d.nerrors : d.nerrors + 1;
	if (d.nmsgs)
		diag_flush(&d, stderr);
	diag_release(&d);
	return n;
}

static void unload(struct loaded *l)
{
	if (l->built) {
		plan_release(&l->p);
		workflow_release(&l->wf);
	}
	free(l->src);
}

/* --diff OLD NEW: both compiled with the normal pipeline (OLD without
 * looking for its task files, which may be gone), then compared. */
static int run_diff(const struct options *o, enum target t)
{
	struct loaded a, b;
	unsigned errs = load_plan(o->diff_old, 1, &a);
	errs += load_plan(o->input, 0, &b);
	int status = errs ? EXIT_ERRORS : EXIT_OK;
	if (!errs) {
		time_t from = time(NULL);
		if (o->from && tz_parse(o->from, &from) < 0)
			die(EXIT_USAGE, "--from needs an RFC 3339 time such as "
			    "2026-03-29T01:00:00+01:00, not '%s'", o->from);
		struct strbuf na = STRBUF_INIT, nb = STRBUF_INIT,
			      why = STRBUF_INIT, out = STRBUF_INIT;
		if (a.wf.schedule)
			schedule_next(a.wf.schedule, a.wf.timezone, 3, from, &na, &why);
		if (b.wf.schedule)
			schedule_next(b.wf.schedule, b.wf.timezone, 3, from, &nb, &why);
		struct diff_side sa = { &a.p, o->diff_old, strbuf_str(&na) };
		struct diff_side sb = { &b.p, o->input, strbuf_str(&nb) };
		gen_diff(&out, &sa, &sb, t == TARGET_JSON);
		if (fwrite(out.buf, 1, out.len, stdout) != out.len ||
		    fflush(stdout) != 0) {
			warn_msg("cannot write to standard output: %s",
				 strerror(errno));
			status = EXIT_USAGE;
		}
		strbuf_release(&na);
		strbuf_release(&nb);
		strbuf_release(&why);
		strbuf_release(&out);
	}
	unload(&a);
	unload(&b);
	return status;
}

int main(int argc, char **argv)
{
	progname = "orkc";
	/* cJSON's allocation failures would otherwise be silent (an input
	 * quietly {}): allocation failure is fatal in one place. */
	cJSON_Hooks hooks = { xmalloc, free };
	cJSON_InitHooks(&hooks);
	struct options o;
	parse_options(argc, argv, &o);
	enum target t = pick_target(&o);
	if (o.diff_old) {
		if (o.target && t != TARGET_JSON)
			usage_error("--diff writes text, or json with -t json; "
				    "not '%s'", o.target);
		return run_diff(&o, t);
	}

	size_t len;
	char *src = read_file(o.input, &len);
	if (!src)
		die(EXIT_USAGE, "cannot read '%s': %s", o.input, strerror(errno));

	struct diag d;
	struct workflow wf;
	struct plan p;
	diag_init(&d, o.input, src, len);
	struct ynode *root = yaml_load(src, len, &d);
	int loaded = root != NULL;
	if (loaded) {
		/* The plan's checks run even when the workflow has errors:
		 * every problem of the file is reported in one run. */
		workflow_from_yaml(root, o.input, &d, &wf);
		if ((t == TARGET_CRON || o.next) && !ymap_get(root, "schedule"))
			diag_error(&d, root->pos, "%s needs a 'schedule' in the "
				   "workflow, such as schedule: \"0 * * * *\"",
				   o.next ? "--next" : "target 'cron'");
		/* A crontab entry for a zone that does not exist would fail
		 * at every firing: an error here, not the warning. */
		const struct ynode *z = ymap_get(root, "timezone");
		if (t == TARGET_CRON && z && z->kind == YNODE_SCALAR && z->str &&
		    !tz_exists(z->str))
			diag_error(&d, z->pos, "target 'cron' needs a known "
				   "time zone, not '%s'", z->str);
		ynode_free(root);
		/* Always: aliases make a small file's spec large. */
		if (plan_build(&wf, &d, &p) == 0 && d.nerrors == 0)
			check_spec_sizes(&p, &d);
		/* Only a clean plan is worth a python's time. */
		if (o.check && !o.no_python_check && d.nerrors == 0)
			pycheck_run(&wf, &d);
	}
	unsigned nerrors = d.nerrors;
	/* A warning, so after the count; it needs a whole, ordered plan. */
	if (loaded)
		schedule_check_overlap(&d, &wf, p.order, p.norder);
	/* diag_flush sorts with qsort, which must not see the NULL list of
	 * a clean run (UBSan rightly objects), so only flush messages. */
	if (d.nmsgs)
		diag_flush(&d, stderr);
	diag_release(&d);

	int status = nerrors ? EXIT_ERRORS : EXIT_OK;
	/* The artifact finds the root from its own place (taskroot.h). */
	if (loaded && !nerrors && !o.check && wf.root &&
	    taskroot_locate(wf.root, o.input, o.output) < 0)
		die(EXIT_USAGE, "cannot write '%s': the path from it to the task "
		    "files' directory has a line break", o.output ? o.output : "-");
	if (loaded && !nerrors && !o.check)
		status = emit(&o, t, &p);
	if (loaded) {
		plan_release(&p);
		workflow_release(&wf);
	}
	free(src);
	return status;
}
