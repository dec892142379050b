/* journal: journal.jsonl of a run directory (rundir.h), append-only
 * events, one JSON object per line, each appended with one write(2). */
#ifndef ORK_JOURNAL_H
#define ORK_JOURNAL_H

#include <sys/types.h>

#include <cjson/cJSON.h>

#include "rundir.h"
#include "util.h"

/* Open journal.jsonl for appending; -1 with errno set on failure. */
int journal_open(const struct rundir *rd);
/* Journal events are built in a strbuf: event_start, then members, then
 * journal_write, which closes the object, adds the newline and appends it
 * with one write(2) so that concurrent writers never interleave. */
void event_start(struct strbuf *sb, const char *ev);
void event_str(struct strbuf *sb, const char *key, const char *val);
void event_int(struct strbuf *sb, const char *key, long long val);
void event_num(struct strbuf *sb, const char *key, double val);
void event_bool(struct strbuf *sb, const char *key, int val);
/* A member whose value is JSON text already. */
void event_raw(struct strbuf *sb, const char *key, const char *json);
/* A time member: format_time(t). */
void event_time(struct strbuf *sb, const char *key, double t);
/* Returns 0, or -1 with errno set. */
int journal_write(int fd, struct strbuf *sb);
/* Before line is appended to fd, a .jsonl file: when the file's last byte
 * is not a newline (a line torn by a crash or a full disk), put one in
 * front of line, so that it starts a line of its own.  Returns the file's
 * size before the append, or -1 when it cannot tell. */
off_t jsonl_fresh_line(int fd, struct strbuf *line);

/* Called for each journal event in order; a non-zero return stops. */
typedef int journal_fn(void *ctx, const cJSON *ev);
/* Parse and pass on the events whose line starts with prefix (NULL: all),
 * so a reader looking for one kind skips the others unparsed.  Lines that
 * are not JSON (a torn write after a crash) are skipped.  Returns 0, or
 * -1 when the journal cannot be read (a missing journal is empty). */
int journal_each(const struct rundir *rd, const char *prefix,
		 journal_fn *fn, void *ctx);

#endif
