/* ork: the runtime helper.  A generated artifact calls `ork begin`, then
 * `ork exec TASK` per task, then `ork end`; operators call `ork status`,
 * `ork logs` and `ork runs`.  This file only dispatches. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cancel.h"
#include "exec.h"
#include "inspect.h"
#include "library.h"
#include "lifecycle.h"
#include "cronfire.h"
#include "crontab.h"
#include "slurm.h"
#include "spawn.h"
#include "util.h"
#include "why.h"

static const char usage[] =
"usage: ork SUBCOMMAND [ARGS]\n"
"\n"
"Run by a generated artifact (orkc ... -o run.mk && make -f run.mk):\n"
"  ork begin [--python]     start an invocation of the run (creates the run\n"
"                           directory; --python chooses and resolves the\n"
"                           interpreter once: $ORK_PYTHON, else beside\n"
"                           $ORK_PYPROJECT its .venv, uv run, or python3)\n"
"  ork exec TASK            run one task as described by $ORK_SPEC\n"
"  ork end [--tasks FILE] [TASK...]\n"
"                           record the run's state and print a summary\n"
"  ork call FILE            call ork_task_run of the shared object FILE (a\n"
"                           library task) with stdin as input; print the\n"
"                           output (ork exec runs it for each attempt)\n"
"  ork slurm record         (orkc -t slurm) record the Slurm jobs of RUN/slurm/jobs\n"
"  ork spawn               (sh artifacts) run ork exec for each request\n"
"                           \"ID NAME JOBS SPEC\" on stdin; report its start\n"
"                           and end on fd 3\n"
"  ork why TASK [UPSTREAM...]\n"
"                           why a task would run (make -n, sh run.sh -n);\n"
"                           changes nothing\n"
"\n"
"For operators:\n"
"  ork report [RUN] [--workflow NAME] [-o FILE]\n"
"                           the run as one self-contained HTML page: graph,\n"
"                           timeline of attempts, inputs, outputs, log tails\n"
"  ork status [RUN] [--workflow NAME] [--json]\n"
"                           each task's state, attempts, duration, reason, log\n"
"  ork logs [-f] [RUN] [TASK] [--workflow NAME]\n"
"                           every attempt's log, in order; -f: follow them\n"
"                           until the task (or the run) ends\n"
"  ork runs [WORKFLOW]      the runs and their states, oldest first\n"
"  ork cancel [RUN] [--workflow NAME]\n"
"                           stop a running run: every running task ends\n"
"                           interrupted, no process of it left\n"
"\n"
"Schedules (crontab lines from orkc WF.yaml -t cron --artifact run.mk):\n"
"  ork crontab install [--dry-run] FILE|-\n"
"                           put the workflow's block into your crontab\n"
"                           (replacing its old one); prints the diff\n"
"  ork crontab remove [--dry-run] WORKFLOW\n"
"                           take the workflow's block out of your crontab\n"
"  ork crontab show [WORKFLOW]\n"
"                           the orkc blocks in your crontab\n"
"  ork cron-fire [-C DIR] --workflow NAME [--schedule CRON] [--timezone ZONE]\n"
"      [--catchup none|latest|all] [--at TIME] -- COMMAND [ARG...]\n"
"                           what a crontab entry runs: one firing, as run\n"
"                           cron-YYYYMMDDTHHMM, skipped while the last one\n"
"                           runs; log in $ORK_HOME/NAME/cron.log; a failed\n"
"                           run's summary on stderr (cron mails it);\n"
"                           --catchup: run the firings missed meanwhile\n"
"  ork --help | --version\n"
"\n"
"RUN is a run directory, WORKFLOW/RUN_ID, or a run id (its most recent run);\n"
"by default the most recently started run.  With one argument, ork logs\n"
"takes it as a RUN if there is such a run, else as a TASK of the latest run.\n"
"\n"
"Environment: ORK_HOME (runs live in $ORK_HOME/WORKFLOW/RUN_ID; default\n"
".ork, for status, logs, report and cancel the nearest one here or above),\n"
"ORK_WORKFLOW, ORK_RUN_ID (default \"default\"), ORK_SPEC, ORK_PYTHON\n"
"(default python3), ORK_PYDIR (the ork Python package), ORK_KILL_GRACE\n"
"(seconds from SIGTERM to SIGKILL, default 3), ORK_HEARTBEAT (seconds\n"
"between a long task's \"still running\" lines, default 60, 0: none),\n"
"NO_COLOR (no colour even on a terminal), CLICOLOR_FORCE (colour even when\n"
"not), ORK_CRONTAB (the crontab program ork crontab runs, default crontab).\n"
"\n"
"Exit status:\n"
"  0  success; for ork exec: the task reached a final state (succeeded,\n"
"     failed or skipped), so make goes on with the other tasks\n"
"  1  ork end: a task failed or did not run; ork status: the run failed or\n"
"     was interrupted; ork cancel: the run was not running\n"
"  2  usage error, bad environment or spec, unreadable or unwritable run\n"
"     directory, no such run\n"
"ork cron-fire exits with its command's status, and 0 when the minute is not\n"
"due or the firing was skipped because the last run still runs.\n"
"ork exec interrupted by SIGINT, SIGTERM or SIGHUP stops the task's process\n"
"group and then dies by the same signal.\n"
"ork call exits 1 when the call failed (the reason on stderr and in\n"
"$ORK_ERROR_FILE), and dies by the signal that ended a crashed library.\n";

/* Tasks inherit 0, 1 and 2; if one is closed, the first file ork opens
 * would take its place and reach the task by accident. */
static void ensure_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0)
			open("/dev/null", fd ? O_WRONLY : O_RDONLY);
}

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
};

static const struct subcommand subcommands[] = {
	{"exec", cmd_exec},
	{"begin", cmd_begin},
	{"end", cmd_end},
	{"why", cmd_why},
	{"spawn", cmd_spawn},
	{"status", cmd_status},
	{"report", cmd_report},
	{"logs", cmd_logs},
	{"runs", cmd_runs},
	{"cancel", cmd_cancel},
	{"cron-fire", cmd_cron_fire},
	{"crontab", cmd_crontab},
	{"call", cmd_call},
	{"slurm", cmd_slurm},
};

int main(int argc, char **argv)
{
	progname = "ork";
	cJSON_Hooks hooks = { xmalloc, free };   /* failure is fatal (util.h) */
	cJSON_InitHooks(&hooks);
	ensure_std_fds();
	if (argc < 2) {
		fputs(usage, stderr);
		return ORK_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("ork %s\n", PACKAGE_VERSION);
		return 0;
	}
	size_t n = sizeof subcommands / sizeof *subcommands;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].run(argc - 1, argv + 1);
	const char *names[sizeof subcommands / sizeof *subcommands + 1];
	for (size_t i = 0; i < n; i++)
		names[i] = subcommands[i].name;
	names[n] = NULL;
	const char *near = closest_match(argv[1], names);
	if (near)
		warn_msg("unknown subcommand '%s'; did you mean '%s'?", argv[1], near);
	else
		warn_msg("unknown subcommand '%s'; see ork --help", argv[1]);
	return ORK_EXIT_USAGE;
}
