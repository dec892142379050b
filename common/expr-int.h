/* expr-int: what the expression lexer, grammar and expr.c share; not part
 * of the interface (that is expr.h).  The grammar's actions only call the
 * constructors below; every meaning lives in expr.c. */
#ifndef ORK_EXPR_INT_H
#define ORK_EXPR_INT_H

#include "expr.h"

/* The parser's state, also the lexer's extra data. */
struct expr_parser {
	const char *src;
	size_t len;
	size_t off;                 /* the lexer's byte offset */
	struct expr *result;        /* the tree, once parsed */
	struct expr_error *err;
	int failed;                 /* err holds the first error */
};

/* Record an error (the first one wins). */
void expr_fail(struct expr_parser *ps, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Decode a quoted string token (quotes included); NULL after expr_fail. */
cJSON *expr_lex_string(struct expr_parser *ps, const char *text, size_t len,
		       size_t pos);
/* A number token as a literal; NULL after expr_fail (out of range). */
cJSON *expr_lex_number(struct expr_parser *ps, const char *text, size_t len,
		       size_t pos);

/* Constructors; positions are byte offsets.  Each takes ownership of its
 * operands. */
struct expr *mk_literal(cJSON *v, size_t pos, size_t end);
struct expr *mk_var(char *name, size_t pos, size_t end);
struct expr *mk_field(struct expr *base, char *name, size_t name_pos,
		      size_t end);
struct expr *mk_index(struct expr *base, struct expr *idx, size_t end);
struct expr *mk_unary(enum expr_kind kind, struct expr *a, size_t pos);
struct expr *mk_binary(enum expr_op op, struct expr *a, struct expr *b);
struct expr *mk_logic(enum expr_kind kind, struct expr *a, struct expr *b);
/* An empty list node; mk_append adds an item (for calls and lists). */
struct expr *mk_list(size_t pos);
struct expr *mk_append(struct expr *list, struct expr *item);
/* Turn a list node into a call of name. */
struct expr *mk_call(char *name, size_t pos, struct expr *args, size_t end);
/* Fail when e is deeper than EXPR_MAX_DEPTH: returns 1 after freeing e
 * and recording "expression too deeply nested (limit N)" at e's newest
 * part (the grammar then aborts), 0 otherwise. */
int expr_too_deep(struct expr_parser *ps, struct expr *e);
/* Set a node's extent (parentheses, list brackets). */
struct expr *mk_span(struct expr *e, size_t pos, size_t end);

#endif
