/* cancel: `ork cancel [RUN] [--workflow NAME]`, a clean stop of a run
 * that is running.
 *
 * It sends SIGTERM to the run's driver (the make or sh that run.json
 * names), which passes it on to every running `ork exec` (make forwards
 * it; the sh artifact's scheduler sends it), and each ork exec stops its
 * task's process group and the daemons it adopted.  cancel waits until
 * the driver and every running ork exec are gone (an ork exec that is
 * still there after a while, its driver gone, gets SIGTERM itself), then
 * records each task that was running as `interrupted` and the run as
 * `interrupted`.  A later `make` resumes the run as usual.
 *
 * Exit status: 0 when the run was stopped; 1 when it was not running;
 * 2 for a usage error, no such run, or a run that would not stop. */
#ifndef ORK_CANCEL_H
#define ORK_CANCEL_H

int cmd_cancel(int argc, char **argv);

#endif
