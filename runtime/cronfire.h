/* cronfire: `ork cron-fire`, what a crontab entry made by orkc -t cron
 * runs at each firing (crontab.h installs those entries).
 *
 *   ork cron-fire [-C DIR] --workflow NAME [--schedule CRON --timezone ZONE]
 *                 [--catchup none|latest|all] [--at TIME] -- COMMAND [ARG...]
 *
 * In DIR (the project root) it takes the scheduled minute (now, or --at,
 * rounded down to the minute).  With --schedule, it goes on only when the
 * schedule fires at that minute in ZONE (cron starts it more often than
 * that when the workflow's zone is not the system's).  Then, under
 * $ORK_HOME/NAME/ (default .ork/NAME/):
 *   cron.lock  flock(2)ed for the whole run: a firing that finds it held
 *              does not start, and says so in the log (no overlap);
 *   cron.log   one line per firing (fire, skip, done), and the output of
 *              COMMAND.
 * COMMAND (the artifact: make -jN -f run.mk, sh run.sh -j N) runs with
 * ORK_RUN_ID and RUN_ID set to the fresh run id cron-YYYYMMDDTHHMM (the
 * scheduled minute in the zone; "-2" appended for the second pass of a
 * repeated hour), ORK_SCHEDULED_TIME to the scheduled minute in RFC 3339,
 * ORK to this ork, and this ork's directory in front of PATH, which also
 * gets /usr/local/bin:/usr/bin:/bin (cron's PATH is minimal).
 *
 * Every cron.log line starts with the time and the run id; COMMAND's
 * output is logged line by line.  A failed COMMAND's run is summed up on
 * stderr (the tasks that failed, why, their logs), for cron to mail.
 * With --catchup latest|all (and --schedule), the schedule's firings
 * since the last one (cron.last, else the cron-* runs' run.time) run
 * first: the latest, or each, oldest first.
 *
 * Exit status: COMMAND's (128+N for signal N); 0 when the minute is not
 * due or the firing was skipped; 2 for a usage error or when the run
 * directory, log or lock cannot be used. */
#ifndef ORK_CRONFIRE_H
#define ORK_CRONFIRE_H

int cmd_cron_fire(int argc, char **argv);

#endif
