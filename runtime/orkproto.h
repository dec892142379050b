/* orkproto: Ork's process protocol, beside ours.
 *
 * A task written for Ork reads its input from ORK_INPUT_JSON and prints
 * its output as one stdout line `ORK_OUTPUT:{json}`, everything else on
 * stdout being log.  ork exec gives every task ORK_INPUT_JSON as well as
 * the input file ($ORK_INPUT, stdin), and takes the last ORK_OUTPUT: line
 * of a process task's stdout as its output (when the task did not write
 * $ORK_OUTPUT), the rest of stdout going to the log.
 *
 * ORK_UPSTREAM_JSON is never set: Ork itself no longer sets it (its
 * scheduler passes exact inputs only), and Ork's Rust SDK, seeing it,
 * would read {"upstream": ...} instead of the input.
 *
 * Calls: taskio (envb), util. */
#ifndef ORK_ORKPROTO_H
#define ORK_ORKPROTO_H

#include <stddef.h>
#include <sys/types.h>

#include "taskio.h"

/* Inputs larger than this many bytes are not put into ORK_INPUT_JSON:
 * Linux refuses a single environment string over 128 KiB (E2BIG), and
 * the whole environment shares ARG_MAX with argv.  The file always
 * works. */
#define ORKPROTO_INPUT_ENV_MAX 65536

/* Set ORK_INPUT_JSON in e to the input file open at fd (read with pread,
 * so its offset stays), if it is at most ORKPROTO_INPUT_ENV_MAX bytes.
 * Returns 0 when set, else the input's size in bytes (and nothing is
 * set), or -1 with errno set when fd cannot be read. */
off_t orkproto_input_env(int fd, struct envb *e);

/* The last line of text[0..n) that starts with "ORK_OUTPUT:". */
struct orkproto_line {
	size_t start, end;         /* the line, with its newline */
	size_t value, value_end;   /* the text after the prefix, blanks
				      trimmed */
};
/* 1 and *l filled when there is such a line, else 0. */
int orkproto_output_line(const char *text, size_t n, struct orkproto_line *l);
/* The same over a read-only file mapping, whose pages are given back as
 * the search goes (map_drop_behind): flat memory for any size. */
int orkproto_output_line_mapped(const char *map, size_t n,
				struct orkproto_line *l);

/* Whether the output file at path (a valid JSON value) is Ork's deferred
 * shape, an object with a "deferred" array, which orkc does not track.
 * Cheap for every output: only a small file that mentions "deferred" is
 * parsed. */
int orkproto_deferred(const char *path);

#endif
