/* exec: `ork exec TASK`, running one task of a generated artifact.
 *
 * The task's definition is the ORK_SPEC task spec of DESIGN.md.  ork exec
 * decides from the upstream outputs and the trigger whether the task may
 * run, assembles its input without parsing upstream outputs, runs up to
 * retries + 1 attempts under the timeout, validates the output and renames
 * it into place, journaling every step.  It exits 0 whenever the task
 * reached a final state (succeeded, failed, skipped), 2 on internal errors,
 * and dies by the signal that interrupted it. */
#ifndef ORK_EXEC_H
#define ORK_EXEC_H

int cmd_exec(int argc, char **argv);

#endif
