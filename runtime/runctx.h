/* runctx: what a run knows about itself, fixed once by `ork begin`
 * (what expressions read as `run.*` and `params.*`): run.id, run.date, run.time, run.workflow, and
 * the values of the workflow's params, stored in run.json as
 *   "run": {"id", "date": "YYYY-MM-DD", "time": RFC 3339 with offset,
 *           "workflow"},
 *   "params": {NAME: value}
 * for `ork exec` to read.
 *
 * The run's time is now, or ORK_SCHEDULED_TIME (RFC 3339) for a run cron
 * started; date and time are in the workflow's timezone (else the
 * machine's).  A param's value is ORK_PARAM_NAME when set (the Makefile
 * sets it from `make NAME=value`), else the value fixed by an earlier
 * invocation of the same run, else its default, whose templates may use
 * run.*, env.* and the params above it.  The declarations come from
 * ORK_RUN_SPEC (DESIGN.md).  A value of the wrong type, a missing required
 * param, or a value that contradicts the one the run already has stops
 * the run before any task starts. */
#ifndef ORK_RUNCTX_H
#define ORK_RUNCTX_H

#include <cjson/cJSON.h>

#include "rundir.h"

/* Add "run" and (when there are params) "params" to run, the run.json
 * being written; old is the previous run.json or NULL.  Returns 0, or -1
 * after printing every problem. */
int runctx_begin(cJSON *run, const cJSON *old, const struct rundir *rd);

#endif
