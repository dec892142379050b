/* typecheck: the types of typed mode (tasks that declare their output's
 * type, checked by orkc along the data flow) as orkc and ork both
 * see them, their JSON encoding in the task spec, and the check of a JSON
 * text against a type that ork runs on a typed task's output.
 *
 * The language: str int float bool date datetime datetime_tz datetime_utc
 * datetime_notz any, [T] (list), dict[str, T], T? (T or null), objects
 * {field: T, ...} and types.NAME.  Semantics, decided once here:
 *   - int is a JSON number written without fraction or exponent; float is
 *     any JSON number (so an int value is a float value).
 *   - date is "YYYY-MM-DD"; datetime is ISO 8601 date, 'T' (or a space),
 *     HH:MM[:SS[.fraction]] and an optional offset (Z or +HH:MM); the
 *     strict forms demand an offset (datetime_tz), UTC (datetime_utc: Z
 *     or +00:00) or no offset (datetime_notz).  All are JSON strings.
 *   - objects are open: members the type does not name are allowed (as
 *     pydantic's default).  A field of type T? may be null or missing;
 *     any other field is required.
 *   - types are not recursive: the compiler rejects cycles, so every walk
 *     over a resolved type ends.
 *
 * Ownership: a struct type owns its elem and fields (and their types); a
 * TYPE_NAMED node only borrows its target, which belongs to the workflow's
 * named types.  Free a tree with type_free. */
#ifndef ORK_TYPECHECK_H
#define ORK_TYPECHECK_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "diag.h"
#include "util.h"

enum type_kind {
	TYPE_ANY, TYPE_STR, TYPE_INT, TYPE_FLOAT, TYPE_BOOL, TYPE_DATE,
	TYPE_DATETIME, TYPE_DATETIME_TZ, TYPE_DATETIME_UTC, TYPE_DATETIME_NOTZ,
	TYPE_LIST,       /* [elem] */
	TYPE_DICT,       /* dict[str, elem] */
	TYPE_OPTIONAL,   /* elem? */
	TYPE_OBJECT,     /* {fields} */
	TYPE_NAMED,      /* types.NAME (or a bare unknown name), see target */
};

struct type;

struct type_field {
	char *name;             /* owned */
	struct type *type;      /* owned */
	struct srcpos pos;      /* of the field's key; {0,0} at run time */
};

struct type {
	enum type_kind kind;
	struct srcpos pos;          /* where it is written; {0,0} at run time */
	struct type *elem;          /* LIST, DICT, OPTIONAL; owned */
	struct type_field *fields;  /* OBJECT, in written order; owned */
	size_t nfields;
	char *name;                 /* NAMED: as written ("types.Row"); owned */
	const struct type *target;  /* NAMED: the named type's definition once
				       resolved, else NULL (treated as any);
				       borrowed */
};

/* The name of a scalar kind ("str", "datetime_tz", "any"), or NULL for
 * the kinds that are not scalars. */
const char *type_scalar_name(enum type_kind k);
/* The scalar kind called name; -1 when there is none. */
int type_scalar_kind(const char *name);

struct type *type_new(enum type_kind k, struct srcpos pos);
/* Add a field to an object type; takes ownership of ft. */
void type_add_field(struct type *obj, const char *name, struct type *ft,
		    struct srcpos pos);
void type_free(struct type *t);

/* Follow TYPE_NAMED nodes to a definition; an unresolved name gives NULL,
 * which every caller treats as any. */
const struct type *type_resolve(const struct type *t);
/* The field called name of an object type, or NULL. */
const struct type_field *type_field(const struct type *obj, const char *name);

/* The type as a user writes it, names kept: "[types.Row]", "int?",
 * "dict[str, float]", "{id: int, email: str?}". */
void type_print(struct strbuf *out, const struct type *t);

/* The JSON encoding of the task spec, names inlined (DESIGN.md): a scalar
 * is its name ("int"); {"list": T}, {"dict": T}, {"optional": T},
 * {"object": {"field": T, ...}}.  flags as for jsonx_quote. */
void type_to_json(struct strbuf *out, const struct type *t, unsigned flags);
/* Decode that encoding.  NULL with a message appended to err when v is
 * not one. */
struct type *type_from_json(const cJSON *v, struct strbuf *err);

/* Check text[0..len), which must be one valid JSON value (jsonx_validate
 * has said so), against t without building a tree: memory is constant in
 * the size of the text apart from the type's own depth.  Returns 0 when
 * the value fits; otherwise -1 with the first mismatch appended to err,
 * path first: "users[3].email: expected str, got null" (no path when the
 * value itself is wrong). */
int type_check_text(const struct type *t, const char *text, size_t len,
		    struct strbuf *err);
/* The same over a file, mapped, not read; an empty file is null.  I/O
 * errors are reported in err too ("cannot read the output: ..."). */
int type_check_file(const struct type *t, const char *path, struct strbuf *err);

#endif
