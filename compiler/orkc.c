/* orkc: compile a workflow file into an artifact that runs it (SPEC
 * section 2).  A thin client of the pipeline: yamlnode -> workflow ->
 * plan -> codegen. */
#include <getopt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen.h"
#include "diag.h"
#include "plan.h"
#include "util.h"
#include "workflow.h"
#include "yamlnode.h"

/* The exit statuses, as --help and the manual list them. */
enum {
	EXIT_OK = 0,       /* success */
	EXIT_ERRORS = 1,   /* the workflow has errors */
	EXIT_USAGE = 2,    /* usage or I/O error */
};

enum target { TARGET_MAKE, TARGET_SH, TARGET_CRON, TARGET_DOT, TARGET_JSON };
static const char *const target_names[] = {
	"make", "sh", "cron", "dot", "json", NULL
};

struct options {
	const char *input;
	const char *output;     /* NULL or "-": standard output */
	const char *target;     /* NULL: from the output name */
	int check;
};

static const char usage_text[] =
	"usage: orkc [OPTIONS] WORKFLOW.yaml\n"
	"\n"
	"Compile a workflow file into an artifact that runs it.\n"
	"\n"
	"Options:\n"
	"  -o, --output FILE    write FILE (atomically) instead of standard output\n"
	"  -t, --target TARGET  make, json or dot; by default from the output\n"
	"                       name: *.mk or Makefile: make, *.sh: sh, else make\n"
	"      --check          validate only; print nothing on success\n"
	"  -h, --help           print this help and exit\n"
	"  -V, --version        print the version and exit\n"
	"\n"
	"Exit status:\n"
	"  0  success\n"
	"  1  the workflow has errors (every one is reported)\n"
	"  2  usage or I/O error\n";

static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", progname);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", progname);
	exit(EXIT_USAGE);
}

static void parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_CHECK = 256 };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "target", required_argument, NULL, 't' },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	memset(o, 0, sizeof *o);
	opterr = 0;   /* our own messages, in our own format */
	int c;
	while ((c = getopt_long(argc, argv, ":o:t:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o->output = optarg; break;
		case 't': o->target = optarg; break;
		case OPT_CHECK: o->check = 1; break;
		case 'h':
			fputs(usage_text, stdout);
			exit(EXIT_OK);
		case 'V':
			printf("orkc %s\n", PACKAGE_VERSION);
			exit(EXIT_OK);
		case ':':
			usage_error("option '%s' needs an argument", argv[optind - 1]);
			break;
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind == argc)
		usage_error("no workflow file given%s", "");
	if (argc - optind > 1)
		usage_error("one workflow file at a time, but '%s' is a second",
			    argv[optind + 1]);
	o->input = argv[optind];
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
			die(EXIT_USAGE, "unknown target '%s' (use make, json or "
			    "dot)", o->target);
		}
		t = (enum target)i;
	}
	if (t == TARGET_SH || t == TARGET_CRON)
		die(EXIT_USAGE, "target '%s' is not supported yet",
		    target_names[t]);
	return t;
}

/* Nothing is written unless the whole artifact is ready, and -o replaces
 * the file atomically, so a failed run never leaves half an artifact. */
static int emit(const struct options *o, enum target t, const struct plan *p)
{
	struct strbuf out = STRBUF_INIT;
	switch (t) {
	case TARGET_JSON: gen_json(&out, p); break;
	case TARGET_DOT: gen_dot(&out, p); break;
	default: gen_make(&out, p); break;
	}
	int status = EXIT_OK;
	if (o->output && strcmp(o->output, "-")) {
		if (write_file_atomic(o->output, out.buf, out.len) < 0) {
			warnx("cannot write '%s': %s", o->output, strerror(errno));
			status = EXIT_USAGE;
		}
	} else if (fwrite(out.buf, 1, out.len, stdout) != out.len ||
		   fflush(stdout) != 0) {
		warnx("cannot write to standard output: %s", strerror(errno));
		status = EXIT_USAGE;
	}
	strbuf_release(&out);
	return status;
}

int main(int argc, char **argv)
{
	progname = "orkc";
	struct options o;
	parse_options(argc, argv, &o);
	enum target t = pick_target(&o);

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
		ynode_free(root);
		plan_build(&wf, &d, &p);
	}
	unsigned nerrors = d.nerrors;
	/* diag_flush sorts with qsort, which must not see the NULL list of
	 * a clean run (UBSan rightly objects), so only flush messages. */
	if (d.nmsgs)
		diag_flush(&d, stderr);
	diag_release(&d);

	int status = nerrors ? EXIT_ERRORS : EXIT_OK;
	if (loaded && !nerrors && !o.check)
		status = emit(&o, t, &p);
	if (loaded) {
		plan_release(&p);
		workflow_release(&wf);
	}
	free(src);
	return status;
}
