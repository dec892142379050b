/* yamlnode: load a YAML file into a tree that remembers where every node
 * came from.  This is the AST of a workflow file.
 *
 * Only here are libyaml's 0-based marks turned into 1-based positions.
 * Duplicate mapping keys, which libyaml accepts, are errors.  Aliases are
 * expanded into copies (with caps on the total node count and text, so
 * an alias bomb is an error, not an out-of-memory).  Tags other than the standard
 * ones are errors.  A tree is owned by its root: free with ynode_free. */
#ifndef ORK_YAMLNODE_H
#define ORK_YAMLNODE_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "diag.h"

enum ynode_kind { YNODE_SCALAR, YNODE_SEQ, YNODE_MAP };

/* How a plain scalar resolves (YAML 1.2 core schema); quoted and block
 * scalars are always strings. */
enum yscalar_type { YSCALAR_NULL, YSCALAR_BOOL, YSCALAR_INT, YSCALAR_FLOAT,
		    YSCALAR_STR };

struct ynode;

struct ypair {
	struct ynode *key;      /* always a scalar (complex keys are errors) */
	struct ynode *value;
};

struct yblock;

struct ynode {
	enum ynode_kind kind;
	struct srcpos pos;      /* first character of the node */
	/* YNODE_SCALAR */
	char *str;              /* owned, NUL-terminated (may hold NULs: see len) */
	size_t len;
	int plain;              /* unquoted, so subject to type resolution */
	int quote_col_offset;   /* columns before the text starts: 1 for a
				   quoted scalar, 0 for plain */
	/* YNODE_SEQ */
	struct ynode **items;
	size_t nitems;
	/* YNODE_MAP, pairs in file order */
	struct ypair *pairs;
	size_t npairs;
	/* The root's: the memory of the whole tree (NULL in other nodes). */
	struct yblock *arena;
};

/* Limits (man orkc, LIMITS), each an error at the place it is passed:
 * the file's size, the text its aliases expand to (scalars and keys), and
 * the nesting of collections (the tree's walkers are recursive). */
#define YAML_MAX_FILE (16 << 20)
#define YAML_MAX_BYTES (16 << 20)
#define YAML_MAX_DEPTH 500

/* Parse src (len bytes) as exactly one YAML document.  Errors go to d at
 * their positions.  Returns the root, or NULL when the file could not be
 * loaded (an empty document is an error too: a workflow needs a mapping). */
struct ynode *yaml_load(const char *src, size_t len, struct diag *d);
/* Free the tree of a root yaml_load returned, all of it at once (a node
 * inside a tree is freed with its root, never alone). */
void ynode_free(struct ynode *n);

/* The type a scalar resolves to. */
enum yscalar_type yscalar_type(const struct ynode *n);
/* "a mapping", "a list", "a string", "a number", "a boolean", "null":
 * for messages like "'retries' must be an integer, not a string". */
const char *ynode_describe(const struct ynode *n);
/* Value of the member with this key in a mapping, or NULL. */
struct ynode *ymap_get(const struct ynode *map, const char *key);
/* Integer value of a scalar that resolves to an int; 0 on success. */
int yscalar_int(const struct ynode *n, long long *out);
/* Numeric value of an int or float scalar; 0 on success. */
int yscalar_number(const struct ynode *n, double *out);
/* Boolean value of a bool scalar; 0 on success. */
int yscalar_bool(const struct ynode *n, int *out);

/* Convert a subtree to JSON (mappings become objects in file order; numbers
 * become raw items holding JSON number text).  Values JSON cannot hold
 * (.inf, .nan, non-string keys) are reported to d; returns NULL then. */
cJSON *ynode_to_json(const struct ynode *n, struct diag *d);

#endif
