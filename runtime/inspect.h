/* inspect: the operator's view of runs: `ork status`, `ork logs`,
 * `ork runs` and `ork report`.  They only read the run directories under
 * $ORK_HOME.
 *
 * A RUN argument is, in this order of preference: a run directory (one
 * holding run.json), WORKFLOW/RUN_ID under $ORK_HOME, or a run id (the
 * most recently started run of that id).  Without one, the most recently
 * started run.  --workflow NAME limits the choice to one workflow. */
#ifndef ORK_INSPECT_H
#define ORK_INSPECT_H

int cmd_status(int argc, char **argv);
int cmd_logs(int argc, char **argv);
int cmd_runs(int argc, char **argv);
/* ork report [RUN] [--workflow NAME] [-o FILE]: the run as one HTML page
 * (report_html.h), to FILE (written atomically) or standard output, which
 * must not be a terminal. */
int cmd_report(int argc, char **argv);

struct rundir;
/* The run named by arg (NULL: the latest) as above, into rd.  Returns 0,
 * or -1, quietly, when there is no such run. */
int inspect_resolve_run(const char *arg, const char *wf, struct rundir *rd);
/* Say that there is no run arg (of wf); returns 2, the status. */
int inspect_no_run(const char *arg, const char *wf);

#endif
