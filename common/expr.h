/* expr: the expression language of `when:` conditions and {{ }}
 * templates (template.h), shared by orkc (which
 * parses every expression and checks its references) and ork (which
 * evaluates them on the real values).
 *
 *   tasks.check.output.score > 0.8 and not params.dry_run
 *   len(default(fetch.rows, [])) > 0
 *
 * Grammar (lowest precedence first):
 *   or ||     and &&     not !     == != < <= > >=     + -     * / %
 *   unary -     postfix .field [index]     calls f(a, b)     ( )
 * Literals: 12, 1.5, 2e3, 'single', "double" (escapes \n \t \r \\ \'
 * \" \/ \b \f \uXXXX; no NUL), true, false, null, lists [1, 'a'].
 * Functions: len(x) (characters of a string, items of a list or object),
 * default(x, fallback) (fallback when x is null), str(x) (as expr_render),
 * int(x), float(x) (from numbers, numeric strings, booleans), json(x)
 * (compact JSON text), lower(s), upper(s) (ASCII letters).
 *
 * Names (resolved once, right after parsing, into EXPR_REF nodes):
 *   tasks.NAME.output    the output of task NAME; tasks['my-task'].output
 *                        for names that are not identifiers
 *   NAME.output, NAME    the same, shorthand (NAME a task name);
 *   NAME.FIELD           shorthand for tasks.NAME.output.FIELD
 *   params.NAME          a run-time parameter
 *   run.id run.date run.time run.workflow
 *   env.NAME             the runner's environment (a string, or null)
 *   item, index          the current foreach item and its index
 *
 * Evaluation (jq/Python where sensible): a missing object member is null,
 * and .field or [i] on null is null, so default() works; a[i] with i < 0
 * counts from the end (Python); out of range is null.  + adds numbers and
 * concatenates strings, arrays and (right side winning) objects; - * / %
 * take numbers (/ is true division, % takes the divisor's sign); division
 * or modulo by zero is an error.  == and != compare any two values deeply
 * (1 == 1.0); < <= > >= compare two numbers or two strings (bytewise) and
 * anything else is an error.  not, and, or take truthiness (false, null,
 * 0, "", [] and {} are false) and give a boolean; and/or short-circuit.
 * Numbers are doubles (integers are exact up to 2^53).
 *
 * Ownership: an expression tree is owned by its root (expr_free).  Values
 * from expr_eval are fresh cJSON trees owned by the caller; values handed
 * to the evaluator by a lookup are borrowed and never modified. */
#ifndef ORK_EXPR_H
#define ORK_EXPR_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "util.h"

enum expr_kind {
	EXPR_LITERAL,   /* lit */
	EXPR_REF,       /* root, name: a name the scope resolves */
	EXPR_FIELD,     /* a.name */
	EXPR_INDEX,     /* a[b] */
	EXPR_NOT,       /* !a, not a */
	EXPR_NEG,       /* -a */
	EXPR_BINARY,    /* a op b */
	EXPR_AND,       /* a && b, a and b */
	EXPR_OR,        /* a || b, a or b */
	EXPR_CALL,      /* name(args) */
	EXPR_LIST,      /* [args] */
	/* Only between parsing and name resolution: */
	EXPR_VAR,       /* a bare identifier */
	EXPR_TASKS,     /* tasks.NAME, waiting for .output */
};

enum expr_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_ADD, OP_SUB,
	       OP_MUL, OP_DIV, OP_MOD };

enum expr_root { ROOT_TASK, ROOT_PARAM, ROOT_RUN, ROOT_ENV, ROOT_ITEM,
		 ROOT_INDEX };

struct expr {
	enum expr_kind kind;
	size_t pos, end;        /* byte offsets of the node in the source */
	size_t name_pos;        /* FIELD, REF, CALL: where name starts */
	enum expr_op op;        /* BINARY */
	enum expr_root root;    /* REF */
	char *name;             /* REF, FIELD, CALL, VAR: owned */
	cJSON *lit;             /* LITERAL: owned */
	struct expr *a, *b;     /* operands; FIELD, INDEX: a is the base */
	struct expr **args;     /* CALL, LIST: owned */
	size_t nargs, capargs;
	int bare;               /* REF from a bare task name, while names are
				   resolved: a following .output is dropped */
	size_t depth;           /* levels of the tree under and with this node */
};

/* The deepest tree an expression may build: every walk over a tree
 * (resolution, evaluation, freeing, reference walks) is recursive, so a
 * chain like a+a+...+a of 150,000 terms is refused here, not left to
 * overflow a stack (ork exec may run on 1 MiB of it). */
#define EXPR_MAX_DEPTH 256

/* An error, at a byte offset of the expression's source. */
struct expr_error {
	size_t pos;
	char msg[256];          /* "unexpected ')', expecting a value" */
};

/* Parse src[0..len) (it need not be NUL-terminated) and resolve its
 * names: unknown functions, wrong argument counts, run.X other than the
 * four, 'params' without a name and 'tasks.X' without '.output' are
 * errors here.  Returns the tree, or NULL with err filled in. */
struct expr *expr_parse(const char *src, size_t len, struct expr_error *err);
void expr_free(struct expr *e);

/* Call fn for every EXPR_REF node of e, in source order. */
typedef void expr_ref_fn(void *ctx, const struct expr *ref);
void expr_walk_refs(const struct expr *e, expr_ref_fn *fn, void *ctx);
/* 1 when e is a reference followed only by .field and [literal] steps
 * (what a typed-mode `ref:` may be). */
int expr_is_path(const struct expr *e);

/* What names mean during evaluation.  lookup returns a borrowed value, or
 * NULL for null; on a failure it fills err->msg and sets *failed. */
struct expr_scope {
	const cJSON *(*lookup)(void *ctx, enum expr_root root, const char *name,
			       struct expr_error *err, int *failed);
	void *ctx;
};

/* Evaluate e.  Returns a fresh value, or NULL with err filled in (pos is
 * the offending node's, msg the reason: "cannot compare string with
 * number"). */
cJSON *expr_eval(const struct expr *e, const struct expr_scope *sc,
		 struct expr_error *err);

/* "string", "number", "boolean", "null", "array", "object". */
const char *expr_type_name(const cJSON *v);
/* Append v as template text: a string as it is, anything else as compact
 * JSON. */
void expr_render(struct strbuf *out, const cJSON *v);
/* Truthiness as `not`, `and`, `or` and `when` see it. */
int expr_truthy(const cJSON *v);

#endif
