/* jsonx: the JSON helpers orkc and ork share, on top of cJSON.
 *
 * Ownership: a cJSON tree belongs to whoever created it and is freed with
 * cJSON_Delete; functions here never take ownership of their arguments.
 * Numbers from YAML are kept as cJSON "raw" items holding their JSON text,
 * so 64-bit integers and exact decimals survive unchanged. */
#ifndef ORK_JSONX_H
#define ORK_JSONX_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "util.h"

enum {
	/* Escape '$' and '#' as \u0024 and \u0023, so the text can sit in a
	 * Makefile variable without make or a comment ever seeing them. */
	JSONX_MAKESAFE = 1 << 0,
	/* Indent with two spaces, one member per line (for people). */
	JSONX_PRETTY = 1 << 1,
};

/* Append s (n bytes, UTF-8) as a quoted JSON string. */
void jsonx_quote(struct strbuf *out, const char *s, size_t n, unsigned flags);
/* Append v as JSON, members in their stored order.  Deterministic. */
void jsonx_write(struct strbuf *out, const cJSON *v, unsigned flags);
/* Append a number: integers without a fraction, others in the shortest
 * text that reads back as the same double; non-finite as null. */
void jsonx_number(struct strbuf *out, double d);
/* v as a fresh string (jsonx_write into a new buffer). */
char *jsonx_print(const cJSON *v, unsigned flags);

/* Check that buf[0..len) is exactly one JSON value (RFC 8259), surrounded by
 * optional whitespace, without building a tree: memory stays constant in
 * the size of the text apart from a nesting stack.  Returns 0 when valid;
 * otherwise -1 with *errpos the byte offset of the first bad byte and what
 * is wrong there ("unexpected character", "unterminated string", ...)
 * appended to err.  errpos and err may be NULL. */
int jsonx_validate(const char *buf, size_t len, size_t *errpos,
		   struct strbuf *err);
/* The same for a read-only file mapping (mmap): the pages already checked
 * are given back as the scan goes (map_drop_behind), so a gigabyte of
 * output does not become a gigabyte of resident memory. */
int jsonx_validate_mapped(const char *map, size_t len, size_t *errpos,
			  struct strbuf *err);

/* Look up a member of an object, or NULL. */
const char *jsonx_get_string(const cJSON *obj, const char *key);
double jsonx_get_number(const cJSON *obj, const char *key, double dflt);

#endif
