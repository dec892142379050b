/* expr-parse: the grammar of the expression language (see expr.h).
 * A pure parser; the actions only build the tree (expr-int.h), and
 * precedence declarations settle every conflict (%expect 0). */
%code requires {
#include "expr-int.h"
}

%code provides {
/* The scanner's entry point, as flex's bison-bridge defines it. */
int expr_yylex(EXPR_YYSTYPE *lval, EXPR_YYLTYPE *lloc, void *scanner);
}

%code {
#include <string.h>

static void expr_yyerror(EXPR_YYLTYPE *loc, void *scanner,
			 struct expr_parser *ps, const char *msg);
/* Offsets of a location. */
#define POS(l) ((size_t)(l).first_column)
#define END(l) ((size_t)(l).last_column)
/* Every node that can deepen the tree is checked as it is built: the
 * tree's walks are recursive (EXPR_MAX_DEPTH, expr.h). */
#define DEPTH(e) do { if (expr_too_deep(ps, (e))) YYABORT; } while (0)
}

%define api.pure full
%define api.prefix {expr_yy}
%define parse.error verbose
%locations
%expect 0
%lex-param {void *scanner}
%parse-param {void *scanner} {struct expr_parser *ps}

%union {
	struct expr *e;
	cJSON *v;
	char *s;
}

%token T_END 0 "end of expression"
%token <s> IDENT "name"
%token <v> NUMBER "number"
%token <v> STRING "string"
%token EQ "'=='" NE "'!='" LE "'<='" GE "'>='"
%token ANDAND "'&&'" OROR "'||'"
%token KW_AND "'and'" KW_OR "'or'" KW_NOT "'not'"
%token KW_TRUE "'true'" KW_FALSE "'false'" KW_NULL "'null'"

%type <e> expr primary args items
%type <s> field

%destructor { expr_free($$); } <e>
%destructor { cJSON_Delete($$); } <v>
%destructor { free($$); } <s>

%left OROR KW_OR
%left ANDAND KW_AND
%precedence KW_NOT
%nonassoc EQ NE '<' LE '>' GE
%left '+' '-'
%left '*' '/' '%'
%precedence '!' UMINUS

%%

top:
	  expr                  { ps->result = $1; }
	;

expr:
	  expr OROR expr        { $$ = mk_logic(EXPR_OR, $1, $3); DEPTH($$); }
	| expr KW_OR expr       { $$ = mk_logic(EXPR_OR, $1, $3); DEPTH($$); }
	| expr ANDAND expr      { $$ = mk_logic(EXPR_AND, $1, $3); DEPTH($$); }
	| expr KW_AND expr      { $$ = mk_logic(EXPR_AND, $1, $3); DEPTH($$); }
	| KW_NOT expr           { $$ = mk_unary(EXPR_NOT, $2, POS(@1)); DEPTH($$); }
	| expr EQ expr          { $$ = mk_binary(OP_EQ, $1, $3); DEPTH($$); }
	| expr NE expr          { $$ = mk_binary(OP_NE, $1, $3); DEPTH($$); }
	| expr '<' expr         { $$ = mk_binary(OP_LT, $1, $3); DEPTH($$); }
	| expr LE expr          { $$ = mk_binary(OP_LE, $1, $3); DEPTH($$); }
	| expr '>' expr         { $$ = mk_binary(OP_GT, $1, $3); DEPTH($$); }
	| expr GE expr          { $$ = mk_binary(OP_GE, $1, $3); DEPTH($$); }
	| expr '+' expr         { $$ = mk_binary(OP_ADD, $1, $3); DEPTH($$); }
	| expr '-' expr         { $$ = mk_binary(OP_SUB, $1, $3); DEPTH($$); }
	| expr '*' expr         { $$ = mk_binary(OP_MUL, $1, $3); DEPTH($$); }
	| expr '/' expr         { $$ = mk_binary(OP_DIV, $1, $3); DEPTH($$); }
	| expr '%' expr         { $$ = mk_binary(OP_MOD, $1, $3); DEPTH($$); }
	| '!' expr              { $$ = mk_unary(EXPR_NOT, $2, POS(@1)); DEPTH($$); }
	| '-' expr %prec UMINUS { $$ = mk_unary(EXPR_NEG, $2, POS(@1)); DEPTH($$); }
	| primary
	;

primary:
	  NUMBER                { $$ = mk_literal($1, POS(@1), END(@1)); }
	| STRING                { $$ = mk_literal($1, POS(@1), END(@1)); }
	| KW_TRUE               { $$ = mk_literal(cJSON_CreateTrue(), POS(@1), END(@1)); }
	| KW_FALSE              { $$ = mk_literal(cJSON_CreateFalse(), POS(@1), END(@1)); }
	| KW_NULL               { $$ = mk_literal(cJSON_CreateNull(), POS(@1), END(@1)); }
	| IDENT                 { $$ = mk_var($1, POS(@1), END(@1)); }
	| primary '.' field     { $$ = mk_field($1, $3, POS(@3), END(@3)); DEPTH($$); }
	| primary '[' expr ']'  { $$ = mk_index($1, $3, END(@4)); DEPTH($$); }
	| IDENT '(' ')'         { $$ = mk_call($1, POS(@1), mk_list(POS(@2)), END(@3)); DEPTH($$); }
	| IDENT '(' args ')'    { $$ = mk_call($1, POS(@1), $3, END(@4)); DEPTH($$); }
	| '(' expr ')'          { $$ = mk_span($2, POS(@1), END(@3)); }
	| '[' ']'               { $$ = mk_span(mk_list(POS(@1)), POS(@1), END(@2)); }
	| '[' items ']'         { $$ = mk_span($2, POS(@1), END(@3)); }
	;

/* After a dot any word is a member name, keywords included. */
field:
	  IDENT                 { $$ = $1; }
	| KW_AND                { $$ = xstrdup("and"); }
	| KW_OR                 { $$ = xstrdup("or"); }
	| KW_NOT                { $$ = xstrdup("not"); }
	| KW_TRUE               { $$ = xstrdup("true"); }
	| KW_FALSE              { $$ = xstrdup("false"); }
	| KW_NULL               { $$ = xstrdup("null"); }
	;

args:
	  expr                  { $$ = mk_append(mk_list(POS(@1)), $1); DEPTH($$); }
	| args ',' expr         { $$ = mk_append($1, $3); DEPTH($$); }
	;

items:
	  expr                  { $$ = mk_append(mk_list(POS(@1)), $1); DEPTH($$); }
	| items ',' expr        { $$ = mk_append($1, $3); DEPTH($$); }
	;

%%

/* Bison says "syntax error, unexpected X, expecting Y or Z"; we say
 * "unexpected X; expected Y or Z", at X. */
static void expr_yyerror(EXPR_YYLTYPE *loc, void *scanner,
			 struct expr_parser *ps, const char *msg)
{
	(void)scanner;
	if (!strcmp(msg, "memory exhausted")) {
		expr_fail(ps, POS(*loc), "expression too deeply nested "
			  "(limit %d)", EXPR_MAX_DEPTH);
		return;
	}
	const char *p = !strncmp(msg, "syntax error, ", 14) ? msg + 14 : msg;
	const char *exp = strstr(p, ", expecting ");
	if (exp)
		expr_fail(ps, POS(*loc), "%.*s; expected %s", (int)(exp - p), p,
			  exp + 12);
	else
		expr_fail(ps, POS(*loc), "%s", p);
}
