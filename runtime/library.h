/* library: the library executor, Ork's C ABI.
 *
 * A library task's `file:` is a shared object that exports
 *
 *     char *ork_task_run(const char *input_json);
 *     void ork_task_free(char *result);
 *
 * ork_task_run gets the task's input as NUL-terminated JSON text and
 * returns its output as JSON text (an "ORK_OUTPUT:" prefix, which Ork's
 * Rust SDK adds, is dropped), or NULL for a failure; ork_task_free frees
 * that result.
 *
 * Each attempt runs in a process of its own, `ork call FILE` started by
 * ork exec like any task: a crash is a failed attempt that names the
 * signal, a hang meets the timeout, a leak dies with the process, and
 * retries apply as for the other executors.  The process reads the input
 * on stdin, points its own descriptor 1 at stderr (what the library
 * prints goes to the log, never into the output) and writes the checked
 * output on the stdout it was given.  A failure it diagnoses itself (no
 * such file, a missing symbol, NULL, a result that is not JSON) goes to
 * $ORK_ERROR_FILE as the attempt's reason.
 *
 * Calls: jsonx, util, libdl. */
#ifndef ORK_LIBRARY_H
#define ORK_LIBRARY_H

/* `ork call FILE`: input on stdin, output on stdout.  Exits 0, 1 when the
 * call failed, 2 on a usage error. */
int cmd_call(int argc, char **argv);

/* The program that runs `ork call` for ork exec: this very binary
 * (/proc/self/exe), else "ork" searched in PATH.  Freshly allocated. */
char *library_self(void);

#endif
