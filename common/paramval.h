/* paramval: the types of run-time params (the `params:` block of a workflow) and their
 * values, one definition for orkc (which checks static defaults) and
 * ork begin (which checks what the operator gives and fixes the run's
 * params once).
 *
 *   str       any text
 *   int       an integer: [+-]digits (within +-2^53, exact as JSON)
 *   float     a number: integer or decimal, exponent allowed
 *   bool      true/false, yes/no, on/off, 1/0 (any case)
 *   date      YYYY-MM-DD, a real calendar day
 *   datetime  YYYY-MM-DD[T or space]HH:MM[:SS[.fraction]][Z or +HH:MM]
 *
 * Values are JSON: numbers, booleans, and strings for str, date and
 * datetime (kept as given).  Returned trees belong to the caller. */
#ifndef ORK_PARAMVAL_H
#define ORK_PARAMVAL_H

#include <cjson/cJSON.h>

struct strbuf;

enum param_type { PT_STR, PT_INT, PT_FLOAT, PT_BOOL, PT_DATE, PT_DATETIME };

/* "str", "int", ... indexed by type; NULL-terminated. */
extern const char *const param_type_names[];
/* The type called name, or -1. */
int param_type_from_name(const char *name);

/* A value of type t from text (a command line or an environment value),
 * or NULL with what is wrong with it ("not an integer", to follow "is")
 * appended to err. */
cJSON *param_from_text(enum param_type t, const char *text,
		       struct strbuf *err);
/* A value of type t from a JSON value (a default, or what a default's
 * template gave): strings are read as text, numbers and booleans must fit
 * the type.  NULL with the same kind of message appended to err. */
cJSON *param_from_json(enum param_type t, const cJSON *v, struct strbuf *err);

#endif
