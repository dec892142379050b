/* spawn: `ork spawn`, the process side of a generated sh script.
 *
 * The script's scheduler decides what runs and when.  Starting each
 * `ork exec` itself cost it two forks of the whole shell per task (one
 * to run ork exec, one to wait for it and report its end), which was most
 * of the script's time.  Instead the scheduler starts one ork spawn per
 * run and writes it a request per task, one line on its standard input:
 *
 *     ID NAME JOBS SPEC
 *
 * ID is the scheduler's number for the task, NAME its name, SPEC its
 * ORK_SPEC (one line of JSON), JOBS "-", or for a task that fans out the
 * -j slots its instances share (ORK_JOBS; MAKEFLAGS is dropped).  ork
 * spawn forks, and the child runs `ork exec NAME` in-process (no exec of
 * ork per task).  On fd 3 it reports, one write(2) per line:
 *
 *     s ID PID      the child exists (a stopping scheduler sends it SIGTERM)
 *     e ID STATUS   it has ended; STATUS as a shell's $?: the exit status,
 *                   or 128+N for a death by signal N
 *
 * A request it cannot run (a malformed line, a failed fork) ends as "e ID
 * 2" with the reason on stderr, as an ork exec that could not run its task
 * would.  At the end of its input it waits for the children still running
 * and exits 0.
 *
 * ork spawn ignores SIGINT, SIGTERM and SIGHUP, whatever it inherits (a
 * shell's `trap ''` may not survive exec, as in posh): it must always get
 * to report, and only the end of its input ends it.  Each child gets
 * those three back at their defaults, /dev/null as
 * standard input (what a shell gives a background command), and neither
 * fd 3 nor the request stream.  Its thread name (/proc/PID/comm) is the
 * task's name, cut to 15 bytes: ork cancel tells it by that. */
#ifndef ORK_SPAWN_H
#define ORK_SPAWN_H

int cmd_spawn(int argc, char **argv);

#endif
