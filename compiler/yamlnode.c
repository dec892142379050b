/* yamlnode: see yamlnode.h.
 *
 * Built on libyaml's event API rather than its document loader: events
 * carry each scalar's style and tag as written, which the core schema
 * needs, and building the tree ourselves is what lets duplicate keys,
 * merge keys and alias expansion be checked as they happen. */
#include "yamlnode.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <yaml.h>

#include "util.h"

/* An alias bomb (a few lines that expand to billions of nodes, or to a
 * million copies of one long string) must be an error, not an
 * out-of-memory; no real workflow comes near these (man orkc, LIMITS).
 * The node cap counts only the copies aliases make, so it never limits
 * a large file written out in full, and it keeps the worst accepted file
 * cheap: a quarter of a million copies take about 0.06 s in a release
 * build (0.2-0.3 s under ASan with fuzzer coverage). */
#define MAX_ALIAS_NODES 250000
#define MAX_BYTES YAML_MAX_BYTES
/* Deep nesting would overflow the C stack in the recursive walkers. */
#define MAX_DEPTH YAML_MAX_DEPTH
/* libyaml's limit on a key written without '?' (its own message is
 * "mapping values are not allowed in this context"). */
#define MAX_KEY 1024

#define YAML_TAG_PREFIX "tag:yaml.org,2002:"

struct anchor {
	char *name;
	struct ynode *node;     /* borrowed from the tree; NULL while building */
	size_t size;            /* nodes in the subtree */
	size_t bytes;           /* scalar bytes in the subtree, keys too */
	unsigned depth;         /* levels in the subtree */
};

/* A collection being built, with the key it waits to pair (mappings). */
struct frame {
	struct ynode *node;
	struct ynode *key;
	size_t anchor;          /* index into anchors + 1, or 0 */
};

struct loader {
	struct diag *d;
	const char *src;
	size_t len;
	/* libyaml counts characters; diagnostics want bytes.  A cursor walks
	 * forward through the text, since marks mostly only grow. */
	size_t cur_chr, cur_byte, cur_bol;
	unsigned cur_line;
	struct frame *stack;
	size_t depth, capstack;
	struct anchor *anchors;
	size_t nanchors, capanchors;
	/* Every node, string and array of the tree.  Nodes taken out of it
	 * (dropped duplicates, merge sources) stay until the end, which an
	 * anchor still pointing into one needs. */
	struct yblock *arena;
	size_t arena_bytes;     /* in its blocks */
	size_t nexpanded;       /* nodes copied by aliases */
	size_t nbytes;          /* scalar bytes in the tree, aliases expanded */
	unsigned ndocs;
	struct ynode *root;
	int failed;             /* a fatal error: stop loading */
};

/* ---- positions ---------------------------------------------------------- */

static size_t utf8_width(unsigned char c)
{
	if (c >= 0xf0 && c < 0xf8)
		return 4;
	if (c >= 0xe0)
		return c < 0xf0 ? 3 : 1;
	if (c >= 0xc0)
		return 2;
	return 1;
}

static void cursor_reset(struct loader *L)
{
	/* A byte order mark counts as a character to libyaml, and as bytes
	 * of line 1 to diag, so it needs no special case. */
	L->cur_chr = 0;
	L->cur_byte = L->cur_bol = 0;
	L->cur_line = 1;
}

/* Position of the character with index chr (libyaml's mark.index). */
static struct srcpos chr_pos(struct loader *L, size_t chr)
{
	if (chr < L->cur_chr)
		cursor_reset(L);
	/* The walk in locals: the source's bytes may alias the cursor as
	 * far as the compiler knows, which would store it at every byte. */
	const unsigned char *src = (const unsigned char *)L->src;
	size_t at = L->cur_byte, n = L->cur_chr, bol = L->cur_bol;
	unsigned line = L->cur_line;
	while (n < chr && at < L->len) {
		unsigned char c = src[at];
		at += c < 0x80 ? 1 : utf8_width(c);
		n++;
		if (c == '\n') {
			line++;
			bol = at;
		}
	}
	if (at > L->len)
		at = L->len;
	L->cur_byte = at;
	L->cur_chr = n;
	L->cur_bol = bol;
	L->cur_line = line;
	struct srcpos pos = { line, (unsigned)(at - bol + 1) };
	return pos;
}

/* The one place libyaml's 0-based marks become 1-based positions. */
static struct srcpos mark_pos(struct loader *L, yaml_mark_t m)
{
	return chr_pos(L, m.index);
}

/* Position of a byte offset (reader errors report bytes, not marks). */
static struct srcpos byte_pos(const struct loader *L, size_t off)
{
	struct srcpos pos = { 1, 1 };
	size_t bol = 0;
	if (off > L->len)
		off = L->len;
	for (size_t i = 0; i < off; i++)
		if (L->src[i] == '\n') {
			pos.line++;
			bol = i + 1;
		}
	pos.col = (unsigned)(off - bol + 1);
	return pos;
}

/* ---- memory ------------------------------------------------------------- */

/* A tree lives in one arena, freed with its root: a 100,000-task file is
 * over a million nodes, and malloc and free for each of them cost more
 * than libyaml's parse.  Nothing in a tree is ever freed alone. */
struct yblock {
	struct yblock *next;
	size_t used, cap;
	max_align_t data[];
};

#define YBLOCK_BYTES (256 * 1024)
/* Once the tree is large, blocks of two huge pages, which the kernel may
 * map as such: a 100,000-task file's arena of 131 MB then costs a fault
 * per 2 MB instead of one per 4 KB page (the run's minor faults went from
 * 76k to 45k).  A small file never gets one, so its memory stays small. */
#define YHUGE_PAGE (2 << 20)
#define YHUGE_BLOCK (2 * YHUGE_PAGE)
#define YHUGE_AFTER (4 << 20)

static struct yblock *block_alloc(size_t cap)
{
	size_t bytes = sizeof(struct yblock) + cap;
#ifdef MADV_HUGEPAGE
	if (bytes == YHUGE_BLOCK) {
		struct yblock *b = aligned_alloc(YHUGE_PAGE, bytes);
		if (!b)
			die(2, "out of memory");
		madvise(b, bytes, MADV_HUGEPAGE);
		return b;
	}
#endif
	return xmalloc(bytes);
}

/* n bytes at a multiple of align (a power of two): each piece takes only
 * the alignment its type needs, so that a string of a few bytes does not
 * take the 32 that sizeof(max_align_t) would (a quarter of the arena, at
 * 100,000 tasks). */
static void *arena_alloc(struct loader *L, size_t n, size_t align)
{
	struct yblock *b = L->arena;
	size_t at = b ? (b->used + align - 1) & ~(align - 1) : 0;
	if (!b || at > b->cap || b->cap - at < n) {
		size_t std = L->arena_bytes < YHUGE_AFTER ? YBLOCK_BYTES :
			     YHUGE_BLOCK - sizeof *b;
		/* A large request gets a block of its own, behind the current
		 * one, so the current one's free space is not lost. */
		int own = n > std / 4;
		size_t cap = own ? n : std;
		struct yblock *nb = block_alloc(cap);
		L->arena_bytes += cap;
		nb->used = 0;
		nb->cap = cap;
		if (b && own) {
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			L->arena = nb;
		}
		b = nb;
		at = 0;
	}
	b->used = at + n;
	return (char *)b->data + at;
}

static void arena_free(struct yblock *b)
{
	while (b) {
		struct yblock *next = b->next;
		free(b);
		b = next;
	}
}

void ynode_free(struct ynode *n)
{
	if (n)
		arena_free(n->arena);
}

/* ---- nodes -------------------------------------------------------------- */

static struct ynode *mknode(struct loader *L, enum ynode_kind kind,
			    struct srcpos pos)
{
	struct ynode *n = arena_alloc(L, sizeof *n, _Alignof(struct ynode));
	memset(n, 0, sizeof *n);
	n->kind = kind;
	n->pos = pos;
	return n;
}

static char *arena_strndup(struct loader *L, const char *s, size_t len)
{
	char *c = arena_alloc(L, len + 1, 1);
	memcpy(c, s, len);
	c[len] = '\0';
	return c;
}

/* Room for element n of an array holding n.  Nodes keep no capacity
 * field: the capacity is implied (4, then powers of two), so the array
 * grows exactly when n reaches it (into a new place: the old one stays
 * in the arena, at most as much again as the final arrays). */
static void *grow_for(struct loader *L, void *arr, size_t n, size_t elem,
		      size_t align)
{
	if (n && (n < 4 || (n & (n - 1))))
		return arr;
	void *bigger = arena_alloc(L, (n ? 2 * n : 4) * elem, align);
	if (n)
		memcpy(bigger, arr, n * elem);
	return bigger;
}

static void seq_push(struct loader *L, struct ynode *seq, struct ynode *item)
{
	seq->items = grow_for(L, seq->items, seq->nitems, sizeof *seq->items,
			      _Alignof(struct ynode *));
	seq->items[seq->nitems++] = item;
}

static void map_push(struct loader *L, struct ynode *map, struct ynode *key,
		     struct ynode *value)
{
	map->pairs = grow_for(L, map->pairs, map->npairs, sizeof *map->pairs,
			      _Alignof(struct ypair));
	map->pairs[map->npairs].key = key;
	map->pairs[map->npairs].value = value;
	map->npairs++;
}

static struct ynode *copy_node(struct loader *L, const struct ynode *n)
{
	struct ynode *c = mknode(L, n->kind, n->pos);
	L->nbytes += n->len;
	if (n->str)
		c->str = arena_strndup(L, n->str, n->len);
	c->len = n->len;
	c->plain = n->plain;
	c->quote_col_offset = n->quote_col_offset;
	for (size_t i = 0; i < n->nitems; i++)
		seq_push(L, c, copy_node(L, n->items[i]));
	for (size_t i = 0; i < n->npairs; i++)
		map_push(L, c, copy_node(L, n->pairs[i].key),
			 copy_node(L, n->pairs[i].value));
	return c;
}

/* Nodes in n's subtree; its depth and scalar bytes go to *depth and
 * *bytes. */
static size_t count_nodes(const struct ynode *n, unsigned *depth,
			  size_t *bytes)
{
	size_t count = 1;
	unsigned deepest = 0, sub;
	*bytes = n->len;
	for (size_t i = 0; i < n->nitems; i++) {
		size_t b;
		count += count_nodes(n->items[i], &sub, &b);
		*bytes += b;
		if (sub > deepest)
			deepest = sub;
	}
	for (size_t i = 0; i < n->npairs; i++) {
		size_t b;
		count += 1 + count_nodes(n->pairs[i].value, &sub, &b);
		*bytes += b + n->pairs[i].key->len;
		if (sub > deepest)
			deepest = sub;
	}
	*depth = deepest + 1;
	return count;
}

/* ---- core schema (YAML 1.2) --------------------------------------------- */

/* A word of the core schema, with its length: every plain scalar is
 * compared with sixteen of them, and a strlen each cost more than the
 * comparisons. */
struct word {
	const char *s;
	size_t n;
};
#define WORD(w) { w, sizeof w - 1 }

static int text_is(const char *s, size_t n, const struct word *words)
{
	for (; words->s; words++)
		if (words->n == n && !memcmp(s, words->s, n))
			return 1;
	return 0;
}

static int all_digits(const char *s, size_t n, int base)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int dec = c >= '0' && c <= '9';
		int ok = base == 8 ? c >= '0' && c <= '7'
		       : base == 16 ? dec || (c >= 'a' && c <= 'f') ||
				      (c >= 'A' && c <= 'F')
		       : dec;
		if (!ok)
			return 0;
	}
	return 1;
}

static const struct word null_words[] = {
	WORD("~"), WORD("null"), WORD("Null"), WORD("NULL"), { NULL, 0 } };
static const struct word true_words[] = {
	WORD("true"), WORD("True"), WORD("TRUE"), { NULL, 0 } };
static const struct word false_words[] = {
	WORD("false"), WORD("False"), WORD("FALSE"), { NULL, 0 } };
static const struct word inf_words[] = {
	WORD(".inf"), WORD(".Inf"), WORD(".INF"), { NULL, 0 } };
static const struct word nan_words[] = {
	WORD(".nan"), WORD(".NaN"), WORD(".NAN"), { NULL, 0 } };

static int text_is_int(const char *s, size_t n)
{
	if (n > 2 && s[0] == '0' && s[1] == 'o')
		return all_digits(s + 2, n - 2, 8);
	if (n > 2 && s[0] == '0' && s[1] == 'x')
		return all_digits(s + 2, n - 2, 16);
	if (n > 0 && (s[0] == '-' || s[0] == '+'))
		s++, n--;
	return all_digits(s, n, 10);
}

static size_t skip_digits(const char *s, size_t i, size_t n)
{
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	return i;
}

/* [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )? */
static int text_is_float(const char *s, size_t n)
{
	size_t i = 0;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	if (text_is(s + i, n - i, inf_words))
		return 1;
	if (text_is(s, n, nan_words))
		return 1;
	size_t start = i;
	i = skip_digits(s, i, n);
	size_t intdigits = i - start;
	size_t fracdigits = 0;
	if (i < n && s[i] == '.') {
		size_t f = ++i;
		i = skip_digits(s, i, n);
		fracdigits = i - f;
	}
	if (intdigits == 0 && fracdigits == 0)
		return 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		size_t e = i;
		i = skip_digits(s, i, n);
		if (i == e)
			return 0;
	}
	return i == n;
}

static enum yscalar_type resolve(const char *s, size_t n)
{
	if (n == 0 || text_is(s, n, null_words))
		return YSCALAR_NULL;
	if (text_is(s, n, true_words) || text_is(s, n, false_words))
		return YSCALAR_BOOL;
	if (text_is_int(s, n))
		return YSCALAR_INT;
	if (text_is_float(s, n))
		return YSCALAR_FLOAT;
	return YSCALAR_STR;
}

enum yscalar_type yscalar_type(const struct ynode *n)
{
	if (n->kind != YNODE_SCALAR || !n->plain)
		return YSCALAR_STR;
	return resolve(n->str, n->len);
}

/* ---- tags --------------------------------------------------------------- */

/* The tag as a user would write it: "!!int", "!foo". */
static char *tag_display(const char *tag)
{
	size_t plen = strlen(YAML_TAG_PREFIX);
	if (!strncmp(tag, YAML_TAG_PREFIX, plen))
		return xasprintf("!!%s", tag + plen);
	return xstrdup(tag);
}

static void bad_tag(struct loader *L, struct srcpos pos, const char *tag)
{
	char *shown = tag_display(tag);
	diag_error(L->d, pos, "unsupported tag '%s'", shown);
	free(shown);
}

/* Apply an explicit scalar tag.  Only the core schema's own tags are
 * understood; a !!int on text that is not an integer is an error. */
static void scalar_tag(struct loader *L, struct ynode *n, const char *tag)
{
	static const struct {
		const char *name;
		enum yscalar_type type;
	} tags[] = {
		{ "null", YSCALAR_NULL }, { "bool", YSCALAR_BOOL },
		{ "int", YSCALAR_INT }, { "float", YSCALAR_FLOAT },
	};
	if (!strcmp(tag, "!") || !strcmp(tag, YAML_TAG_PREFIX "str")) {
		n->plain = 0;
		return;
	}
	size_t plen = strlen(YAML_TAG_PREFIX);
	for (size_t i = 0; i < sizeof tags / sizeof *tags; i++) {
		if (strncmp(tag, YAML_TAG_PREFIX, plen) ||
		    strcmp(tag + plen, tags[i].name))
			continue;
		n->plain = 1;
		if (resolve(n->str, n->len) != tags[i].type)
			diag_error(L->d, n->pos, "'%s' is not a valid !!%s",
				   n->str, tags[i].name);
		return;
	}
	bad_tag(L, n->pos, tag);
}

static void collection_tag(struct loader *L, struct srcpos pos,
			   const char *tag, const char *expected)
{
	if (!tag || !strcmp(tag, "!"))
		return;
	size_t plen = strlen(YAML_TAG_PREFIX);
	int core = !strncmp(tag, YAML_TAG_PREFIX, plen);
	if (core && !strcmp(tag + plen, expected))
		return;
	if (core && (!strcmp(tag + plen, "map") || !strcmp(tag + plen, "seq")))
		diag_error(L->d, pos, "a %s cannot be tagged '!!%s'",
			   !strcmp(expected, "map") ? "mapping" : "list",
			   tag + plen);
	else
		bad_tag(L, pos, tag);
}

/* ---- building the tree -------------------------------------------------- */

static int key_eq(const struct ynode *a, const struct ynode *b)
{
	return a->len == b->len && !memcmp(a->str, b->str, a->len);
}

static int is_merge_key(const struct ynode *k)
{
	return k->plain && k->len == 2 && !memcmp(k->str, "<<", 2);
}

/* Order pairs by key, and pairs with equal keys by place in the file
 * (they all point into one array, so their addresses say it). */
static int cmp_pair_ptr(const void *a, const void *b)
{
	const struct ypair *p = *(const struct ypair *const *)a;
	const struct ypair *q = *(const struct ypair *const *)b;
	const struct ynode *x = p->key, *y = q->key;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->str, y->str, n);
	if (c)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return p < q ? -1 : p > q;
}

/* The pair's nodes stay in the arena (an anchor may point into them). */
static void drop_pair(struct ypair *p)
{
	p->key = p->value = NULL;
}

/* Whether two keys of map are the same: every mapping is asked, and
 * nearly none has a repeated key, so this answers without the sort
 * check_duplicates needs to report one.  A few keys are compared pair
 * by pair; more go through a hash table. */
static int any_duplicate(const struct ynode *map)
{
	size_t n = map->npairs;
	if (n <= 8) {
		for (size_t i = 1; i < n; i++)
			for (size_t j = 0; j < i; j++)
				if (key_eq(map->pairs[i].key, map->pairs[j].key))
					return 1;
		return 0;
	}
	size_t cap = 16;
	while (cap < 2 * n)
		cap *= 2;
	size_t *slots = xcalloc(cap, sizeof *slots);   /* pair index + 1 */
	for (size_t i = 0; i < n; i++) {
		const struct ynode *k = map->pairs[i].key;
		size_t h = (size_t)fnv1a64(k->str, k->len, FNV1A64_INIT);
		for (h &= cap - 1; slots[h]; h = (h + 1) & (cap - 1))
			if (key_eq(map->pairs[slots[h] - 1].key, k)) {
				free(slots);
				return 1;
			}
		slots[h] = i + 1;
	}
	free(slots);
	return 0;
}

/* Report and drop every repeated key but the first.  libyaml accepts
 * them, and silently keeping the last would hide a real mistake.  Sorting
 * pointers keeps this fast on big mappings and the first one first. */
static void check_duplicates(struct loader *L, struct ynode *map)
{
	size_t n = map->npairs;
	if (n < 2 || !any_duplicate(map))
		return;
	struct ypair **byk = xmalloc(n * sizeof *byk);
	for (size_t i = 0; i < n; i++)
		byk[i] = &map->pairs[i];
	qsort(byk, n, sizeof *byk, cmp_pair_ptr);
	const struct ypair *first = byk[0];
	for (size_t i = 1; i < n; i++) {
		struct ypair *p = byk[i];
		if (!key_eq(first->key, p->key)) {
			first = p;
			continue;
		}
		diag_error(L->d, p->key->pos, "duplicate key '%s'", p->key->str);
		diag_note(L->d, first->key->pos, "'%s' was first given here",
			  p->key->str);
		drop_pair(p);
	}
	free(byk);
}

static int has_key(const struct ypair *pairs, size_t n, const struct ynode *key)
{
	for (size_t i = 0; i < n; i++)
		if (pairs[i].key && !is_merge_key(pairs[i].key) &&
		    key_eq(pairs[i].key, key))
			return 1;
	return 0;
}

/* Copy the pairs of one merge source into out, unless the mapping gives
 * the key itself or an earlier source did.  Copies, because the source
 * may carry an anchor that a later alias still refers to. */
static void merge_from(struct loader *L, const struct ynode *src,
		       const struct ynode *map, struct ypair **out, size_t *nout)
{
	for (size_t i = 0; i < src->npairs; i++) {
		const struct ypair *p = &src->pairs[i];
		if (has_key(map->pairs, map->npairs, p->key) ||
		    has_key(*out, *nout, p->key))
			continue;
		*out = grow_for(L, *out, *nout, sizeof **out,
				_Alignof(struct ypair));
		(*out)[*nout].key = copy_node(L, p->key);
		(*out)[*nout].value = copy_node(L, p->value);
		(*nout)++;
	}
}

/* YAML 1.1 merge keys ('<<: *defaults'), common enough in real files that
 * refusing them would be noise: the merged pairs take the place of the
 * '<<' entry, and keys given explicitly win. */
static void expand_merges(struct loader *L, struct ynode *map)
{
	struct ypair *out = NULL;
	size_t nout = 0;
	for (size_t i = 0; i < map->npairs; i++) {
		struct ypair *p = &map->pairs[i];
		if (!p->key)
			continue;
		if (!is_merge_key(p->key)) {
			out = grow_for(L, out, nout, sizeof *out,
				       _Alignof(struct ypair));
			out[nout++] = *p;
			continue;
		}
		struct ynode *v = p->value;
		if (v->kind == YNODE_MAP) {
			merge_from(L, v, map, &out, &nout);
		} else if (v->kind == YNODE_SEQ) {
			for (size_t j = 0; j < v->nitems; j++) {
				if (v->items[j]->kind == YNODE_MAP)
					merge_from(L, v->items[j], map, &out,
						   &nout);
				else
					diag_error(L->d, v->items[j]->pos,
						   "'<<' merges mappings, not %s",
						   ynode_describe(v->items[j]));
			}
		} else {
			diag_error(L->d, v->pos, "'<<' merges mappings, not %s",
				   ynode_describe(v));
		}
		drop_pair(p);
	}
	map->pairs = out;
	map->npairs = nout;
}

static void finish_map(struct loader *L, struct ynode *map)
{
	check_duplicates(L, map);
	int merges = 0;
	for (size_t i = 0; i < map->npairs; i++)
		merges |= map->pairs[i].key && is_merge_key(map->pairs[i].key);
	if (merges) {
		expand_merges(L, map);
		return;
	}
	/* Compact away the pairs check_duplicates dropped. */
	size_t n = 0;
	for (size_t i = 0; i < map->npairs; i++)
		if (map->pairs[i].key)
			map->pairs[n++] = map->pairs[i];
	map->npairs = n;
}

static size_t add_anchor(struct loader *L, const char *name)
{
	L->anchors = xgrow(L->anchors, &L->capanchors, L->nanchors + 1,
			   sizeof *L->anchors);
	struct anchor *a = &L->anchors[L->nanchors++];
	a->name = xstrdup(name);
	a->node = NULL;
	a->size = 0;
	a->bytes = 0;
	a->depth = 0;
	return L->nanchors;
}

static void complete_anchor(struct loader *L, size_t id, struct ynode *n)
{
	if (!id)
		return;
	struct anchor *a = &L->anchors[id - 1];
	a->node = n;
	a->size = count_nodes(n, &a->depth, &a->bytes);
}

/* Hand a finished node to its parent (or make it the root). */
static void attach(struct loader *L, struct ynode *n)
{
	if (L->depth == 0) {
		L->root = n;
		return;
	}
	struct frame *f = &L->stack[L->depth - 1];
	if (f->node->kind == YNODE_SEQ) {
		seq_push(L, f->node, n);
		return;
	}
	if (!f->key) {
		f->key = n;
		return;
	}
	struct ynode *key = f->key;
	f->key = NULL;
	if (key->kind != YNODE_SCALAR) {
		diag_error(L->d, key->pos, "mapping keys must be scalars, not %s",
			   ynode_describe(key));
		return;
	}
	map_push(L, f->node, key, n);
}

static void push(struct loader *L, struct ynode *n, const char *anchor)
{
	if (L->depth >= MAX_DEPTH) {
		diag_error(L->d, n->pos, "nesting is too deep (more than %d levels)",
			   MAX_DEPTH);
		L->failed = 1;
		return;
	}
	L->stack = xgrow(L->stack, &L->capstack, L->depth + 1, sizeof *L->stack);
	struct frame *f = &L->stack[L->depth++];
	f->node = n;
	f->key = NULL;
	f->anchor = anchor ? add_anchor(L, anchor) : 0;
}

static void pop(struct loader *L)
{
	struct frame *f = &L->stack[--L->depth];
	struct ynode *n = f->node;
	if (n->kind == YNODE_MAP)
		finish_map(L, n);
	complete_anchor(L, f->anchor, n);
	attach(L, n);
}

static void on_scalar(struct loader *L, const yaml_event_t *ev)
{
	struct ynode *n = mknode(L, YNODE_SCALAR, mark_pos(L, ev->start_mark));
	size_t len = ev->data.scalar.length;
	n->str = arena_strndup(L, (const char *)ev->data.scalar.value, len);
	n->len = len;
	L->nbytes += len;
	yaml_scalar_style_t style = ev->data.scalar.style;
	n->plain = style == YAML_PLAIN_SCALAR_STYLE;
	n->quote_col_offset = style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
			      style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	if (ev->data.scalar.tag)
		scalar_tag(L, n, (const char *)ev->data.scalar.tag);
	const char *anchor = (const char *)ev->data.scalar.anchor;
	if (anchor)
		complete_anchor(L, add_anchor(L, anchor), n);
	attach(L, n);
}

static const struct anchor *find_anchor(const struct loader *L, const char *name)
{
	/* The latest definition of a name wins, as YAML says. */
	for (size_t i = L->nanchors; i-- > 0;)
		if (!strcmp(L->anchors[i].name, name))
			return &L->anchors[i];
	return NULL;
}

static void on_alias(struct loader *L, const yaml_event_t *ev)
{
	struct srcpos pos = mark_pos(L, ev->start_mark);
	const char *name = (const char *)ev->data.alias.anchor;
	const struct anchor *a = find_anchor(L, name);
	if (!a || !a->node) {
		if (!a)
			diag_error(L->d, pos, "unknown alias '*%s'", name);
		else
			diag_error(L->d, pos, "alias '*%s' refers to a node "
				   "that contains it", name);
		/* A null in its place lets the rest of the file be checked. */
		struct ynode *n = mknode(L, YNODE_SCALAR, pos);
		n->str = arena_strndup(L, "", 0);
		n->plain = 1;
		attach(L, n);
		return;
	}
	if (L->nexpanded + a->size > MAX_ALIAS_NODES) {
		diag_error(L->d, pos, "aliases expand to too many nodes "
			   "(more than %d)", MAX_ALIAS_NODES);
		L->failed = 1;
		return;
	}
	if (L->nbytes + a->bytes > MAX_BYTES) {
		diag_error(L->d, pos, "aliases expand to too much text (more "
			   "than %d MiB)", MAX_BYTES >> 20);
		L->failed = 1;
		return;
	}
	if (L->depth + a->depth > MAX_DEPTH) {
		diag_error(L->d, pos, "nesting is too deep (more than %d levels)",
			   MAX_DEPTH);
		L->failed = 1;
		return;
	}
	L->nexpanded += a->size;
	struct ynode *n = copy_node(L, a->node);
	n->pos = pos;   /* a problem with the value is shown where it is used */
	attach(L, n);
}

/* Returns 1 when the stream is over. */
static int on_event(struct loader *L, const yaml_event_t *ev)
{
	struct srcpos pos;
	switch (ev->type) {
	case YAML_STREAM_END_EVENT:
		return 1;
	case YAML_DOCUMENT_START_EVENT:
		if (L->ndocs++ == 0)
			return 0;
		/* The first document is still checked; the rest is ignored. */
		pos = mark_pos(L, ev->start_mark);
		diag_error(L->d, pos, "a workflow file holds one YAML document, "
			   "but here is a second");
		return 1;
	case YAML_SCALAR_EVENT:
		on_scalar(L, ev);
		return 0;
	case YAML_ALIAS_EVENT:
		on_alias(L, ev);
		return 0;
	case YAML_SEQUENCE_START_EVENT:
		pos = mark_pos(L, ev->start_mark);
		collection_tag(L, pos, (const char *)ev->data.sequence_start.tag,
			       "seq");
		push(L, mknode(L, YNODE_SEQ, pos),
		     (const char *)ev->data.sequence_start.anchor);
		return 0;
	case YAML_MAPPING_START_EVENT:
		pos = mark_pos(L, ev->start_mark);
		collection_tag(L, pos, (const char *)ev->data.mapping_start.tag,
			       "map");
		push(L, mknode(L, YNODE_MAP, pos),
		     (const char *)ev->data.mapping_start.anchor);
		return 0;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		pop(L);
		return 0;
	default:
		return 0;
	}
}

/* The key that ends with the ':' at byte off, when it is longer than
 * libyaml takes: its start, or -1.  A quoted key runs back to its opening
 * quote, a plain one to the line's start, '{', ',' or '['. */
static long long_key_at(const struct loader *L, size_t off)
{
	if (off >= L->len || L->src[off] != ':' || off == 0)
		return -1;
	size_t end = off, start;
	while (end > 0 && (L->src[end - 1] == ' ' || L->src[end - 1] == '\t'))
		end--;
	if (end == 0)
		return -1;
	char q = L->src[end - 1];
	if (q == '"' || q == '\'') {
		start = end - 1;
		while (start > 0 && L->src[start - 1] != q)
			start--;
		if (start == 0)
			return -1;
		start--;
	} else {
		start = end;
		while (start > 0 && !strchr("\n{,[", L->src[start - 1]))
			start--;
		while (start < end && (L->src[start] == ' ' ||
				       L->src[start] == '\t' ||
				       (L->src[start] == '-' && start + 1 < end &&
					L->src[start + 1] == ' ')))
			start++;
	}
	size_t chars = 0;
	for (size_t i = start; i < end; i++)
		chars += ((unsigned char)L->src[i] & 0xc0) != 0x80;
	return chars > MAX_KEY ? (long)start : -1;
}

/* libyaml's words for the commonest mistakes, tabs and indentation, name
 * its parser's state, not the author's error: say what to change.  pos is
 * the problem's position, and L->cur_byte its byte.  Returns 1 when the
 * problem has been reported. */
static int explain_problem(struct loader *L, const yaml_parser_t *p,
			   struct srcpos pos)
{
	const char *problem = p->problem;
	size_t bol = L->cur_bol, at = L->cur_byte;
	/* A tab at the problem byte preceded only by blanks is indentation.
	 * src is not NUL-terminated: look at [bol, at) only. */
	int indent = at < L->len && L->src[at] == '\t';
	for (size_t i = bol; indent && i < at; i++)
		indent = L->src[i] == ' ' || L->src[i] == '\t';
	if (indent || strstr(problem, "tab character")) {
		diag_error(L->d, pos, "tabs are not allowed for indentation in "
			   "YAML; use spaces");
		return 1;
	}
	if (!strcmp(problem, "mapping values are not allowed in this context")) {
		diag_error(L->d, pos, "a 'key:' cannot start here: if this line "
			   "is a key, indent it like the keys above it; if the "
			   "': ' is text, quote the whole value");
		return 1;
	}
	if (strcmp(problem, "did not find expected key") || !p->context ||
	    strcmp(p->context, "while parsing a block mapping"))
		return 0;
	struct srcpos cpos = mark_pos(L, p->context_mark);
	if (cpos.col == pos.col)
		return 0;
	diag_error(L->d, pos, "bad indentation: this line starts at column "
		   "%u, but the keys of its mapping start at column %u", pos.col,
		   cpos.col);
	diag_note(L->d, cpos, "the mapping starts here: indent the keys of "
		  "one mapping alike, with spaces");
	return 1;
}

static void parser_error(struct loader *L, const yaml_parser_t *p)
{
	if (p->error == YAML_MEMORY_ERROR)
		die(2, "out of memory");
	const char *problem = p->problem ? p->problem : "cannot parse YAML";
	if (p->error == YAML_READER_ERROR) {
		struct srcpos pos = byte_pos(L, p->problem_offset);
		if (p->problem_value != -1)
			diag_error(L->d, pos, "%s 0x%02x", problem,
				   (unsigned)p->problem_value);
		else
			diag_error(L->d, pos, "%s", problem);
		return;
	}
	struct srcpos pos = mark_pos(L, p->problem_mark);
	long key = long_key_at(L, L->cur_byte);
	if (key >= 0) {
		diag_error(L->d, byte_pos(L, (size_t)key), "mapping key is too "
			   "long (more than %d characters)", MAX_KEY);
		return;
	}
	if (explain_problem(L, p, pos))
		return;
	diag_error(L->d, pos, "%s", problem);
	if (!p->context)
		return;
	struct srcpos cpos = mark_pos(L, p->context_mark);
	if (cpos.line != pos.line || cpos.col != pos.col)
		diag_note(L->d, cpos, "%s", p->context);
}

static void loader_release(struct loader *L)
{
	free(L->stack);
	for (size_t i = 0; i < L->nanchors; i++)
		free(L->anchors[i].name);
	free(L->anchors);
}

struct ynode *yaml_load(const char *src, size_t len, struct diag *d)
{
	struct loader L;
	memset(&L, 0, sizeof L);
	L.d = d;
	L.src = src;
	L.len = len;
	cursor_reset(&L);

	if (len > YAML_MAX_FILE) {
		diag_error(d, (struct srcpos){ 1, 1 }, "the file is too large "
			   "(%zu bytes; at most %d MiB)", len, YAML_MAX_FILE >> 20);
		return NULL;
	}
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser))
		die(2, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)src, len);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			parser_error(&L, &parser);
			L.failed = 1;
			break;
		}
		int done = on_event(&L, &ev);
		yaml_event_delete(&ev);
		if (done || L.failed)
			break;
	}
	yaml_parser_delete(&parser);
	loader_release(&L);
	if (!L.failed && !L.root)
		diag_error(d, (struct srcpos){ 0, 0 },
			   "the file is empty; a workflow is a YAML mapping");
	if (L.failed || !L.root) {
		arena_free(L.arena);
		return NULL;
	}
	L.root->arena = L.arena;   /* the root owns every node */
	return L.root;
}

/* ---- queries ------------------------------------------------------------ */

const char *ynode_describe(const struct ynode *n)
{
	if (n->kind == YNODE_MAP)
		return "a mapping";
	if (n->kind == YNODE_SEQ)
		return "a list";
	switch (yscalar_type(n)) {
	case YSCALAR_NULL: return "null";
	case YSCALAR_BOOL: return "a boolean";
	case YSCALAR_INT:
	case YSCALAR_FLOAT: return "a number";
	default: return "a string";
	}
}

struct ynode *ymap_get(const struct ynode *map, const char *key)
{
	if (!map || map->kind != YNODE_MAP)
		return NULL;
	size_t n = strlen(key);
	for (size_t i = 0; i < map->npairs; i++) {
		const struct ynode *k = map->pairs[i].key;
		if (k->len == n && !memcmp(k->str, key, n))
			return map->pairs[i].value;
	}
	return NULL;
}

/* Parse an int scalar's text; -1 when it does not fit a long long. */
static int parse_int(const char *s, long long *out)
{
	int base = 10, neg = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
		base = s[1] == 'x' ? 16 : 8;
		s += 2;
	} else if (*s == '-' || *s == '+') {
		neg = *s == '-';
		s++;
	}
	errno = 0;
	unsigned long long u = strtoull(s, NULL, base);
	if (errno == ERANGE)
		return -1;
	if (neg) {
		if (u > (unsigned long long)LLONG_MAX + 1)
			return -1;
		*out = u == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN
							       : -(long long)u;
		return 0;
	}
	if (u > (unsigned long long)LLONG_MAX)
		return -1;
	*out = (long long)u;
	return 0;
}

int yscalar_int(const struct ynode *n, long long *out)
{
	if (yscalar_type(n) != YSCALAR_INT)
		return -1;
	return parse_int(n->str, out);
}

int yscalar_number(const struct ynode *n, double *out)
{
	enum yscalar_type t = yscalar_type(n);
	if (t == YSCALAR_INT) {
		long long v;
		if (parse_int(n->str, &v) == 0) {
			*out = (double)v;
			return 0;
		}
		/* Beyond 64 bits: strtod reads decimal and 0x text (correctly
		 * rounded); octal it does not know, so add up its digits. */
		if (strncmp(n->str, "0o", 2)) {
			*out = strtod(n->str, NULL);
			return 0;
		}
		double x = 0;
		for (const char *s = n->str + 2; *s; s++)
			x = x * 8 + (*s - '0');
		*out = x;
		return 0;
	}
	if (t != YSCALAR_FLOAT)
		return -1;
	const char *s = n->str;
	int neg = *s == '-';
	if (*s == '-' || *s == '+')
		s++;
	if (text_is(s, strlen(s), inf_words))
		*out = neg ? -INFINITY : INFINITY;
	else if (text_is(n->str, n->len, nan_words))
		*out = NAN;
	else
		*out = strtod(n->str, NULL);
	return 0;
}

int yscalar_bool(const struct ynode *n, int *out)
{
	if (yscalar_type(n) != YSCALAR_BOOL)
		return -1;
	*out = text_is(n->str, n->len, true_words);
	return 0;
}

/* ---- JSON --------------------------------------------------------------- */

/* JSON text of an int scalar: decimal, no '+', no leading zeros. */
static int int_json(const struct ynode *n, struct strbuf *out)
{
	const char *s = n->str;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
		errno = 0;
		unsigned long long u = strtoull(s + 2, NULL, s[1] == 'x' ? 16 : 8);
		if (errno == ERANGE)
			return -1;
		strbuf_addf(out, "%llu", u);
		return 0;
	}
	/* Decimal text of any length stays exact: just normalise it. */
	if (*s == '-')
		strbuf_addc(out, '-');
	if (*s == '-' || *s == '+')
		s++;
	while (s[0] == '0' && s[1])
		s++;
	strbuf_adds(out, s);
	return 0;
}

/* JSON text of a float scalar, e.g. "+.5" -> "0.5", "1." -> "1",
 * "01e3" -> "1e3".  Infinities and NaN have no JSON form. */
static int float_json(const struct ynode *n, struct strbuf *out)
{
	const char *s = n->str;
	if (*s == '-')
		strbuf_addc(out, '-');
	if (*s == '-' || *s == '+')
		s++;
	if (*s == '.' && (s[1] < '0' || s[1] > '9'))
		return -1;   /* .inf, .nan */
	while (s[0] == '0' && s[1] >= '0' && s[1] <= '9')
		s++;
	size_t i = 0;
	while (s[i] >= '0' && s[i] <= '9')
		i++;
	if (i == 0)
		strbuf_addc(out, '0');
	strbuf_add(out, s, i);
	s += i;
	if (*s == '.') {
		s++;
		size_t f = 0;
		while (s[f] >= '0' && s[f] <= '9')
			f++;
		if (f) {
			strbuf_addc(out, '.');
			strbuf_add(out, s, f);
		}
		s += f;
	}
	strbuf_adds(out, s);   /* the exponent, already JSON-shaped */
	return 0;
}

static cJSON *scalar_json(const struct ynode *n, struct diag *d)
{
	enum yscalar_type t = yscalar_type(n);
	if (t == YSCALAR_NULL)
		return cJSON_CreateNull();
	if (t == YSCALAR_BOOL) {
		int b = 0;
		yscalar_bool(n, &b);
		return cJSON_CreateBool(b);
	}
	if (t == YSCALAR_STR) {
		if (strlen(n->str) != n->len) {
			diag_error(d, n->pos, "string contains a NUL character");
			return NULL;
		}
		return cJSON_CreateString(n->str);
	}
	struct strbuf sb = STRBUF_INIT;
	int rc = t == YSCALAR_INT ? int_json(n, &sb) : float_json(n, &sb);
	cJSON *v = NULL;
	if (rc == 0)
		v = cJSON_CreateRaw(strbuf_str(&sb));
	else if (t == YSCALAR_INT)
		diag_error(d, n->pos, "integer '%s' is too large", n->str);
	else
		diag_error(d, n->pos, "'%s' cannot be represented in JSON", n->str);
	strbuf_release(&sb);
	return v;
}

static cJSON *map_json(const struct ynode *n, struct diag *d)
{
	cJSON *obj = cJSON_CreateObject();
	int ok = 1;
	for (size_t i = 0; i < n->npairs; i++) {
		const struct ynode *k = n->pairs[i].key;
		cJSON *v = ynode_to_json(n->pairs[i].value, d);
		if (yscalar_type(k) != YSCALAR_STR) {
			diag_error(d, k->pos, "key '%s' is %s, not a string; "
				   "quote it", k->str, ynode_describe(k));
			ok = 0;
		} else if (strlen(k->str) != k->len) {
			diag_error(d, k->pos, "key contains a NUL character");
			ok = 0;
		}
		if (!v || !ok) {
			cJSON_Delete(v);
			ok = 0;
			continue;
		}
		cJSON_AddItemToObject(obj, k->str, v);
	}
	if (!ok) {
		cJSON_Delete(obj);
		return NULL;
	}
	return obj;
}

cJSON *ynode_to_json(const struct ynode *n, struct diag *d)
{
	if (n->kind == YNODE_SCALAR)
		return scalar_json(n, d);
	if (n->kind == YNODE_MAP)
		return map_json(n, d);
	cJSON *arr = cJSON_CreateArray();
	int ok = 1;
	for (size_t i = 0; i < n->nitems; i++) {
		cJSON *v = ynode_to_json(n->items[i], d);
		if (!v)
			ok = 0;
		else
			cJSON_AddItemToArray(arr, v);
	}
	if (!ok) {
		cJSON_Delete(arr);
		return NULL;
	}
	return arr;
}
