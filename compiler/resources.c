/* resources: see resources.h. */
#include "resources.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const res_keys[] = {
	"cpus", "memory", "time", "partition", "account", "gpus", NULL
};

/* How a bad value is shown after "not": a string quoted, a number as
 * written, anything else by kind.  Into buf. */
static const char *shown(const struct ynode *v, char *buf, size_t n)
{
	if (v->kind != YNODE_SCALAR)
		return ynode_describe(v);
	if (yscalar_type(v) != YSCALAR_STR)
		return v->str;
	snprintf(buf, n, "'%.*s%s'", 60, v->str, v->len > 60 ? "..." : "");
	return buf;
}

static int is_digits(const char *s, size_t n)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* A positive integer scalar no larger than max, or -1. */
static long get_count(struct diag *d, const struct ynode *v, const char *key,
		      long min, long max)
{
	char buf[80];
	long long x;
	if (v->kind != YNODE_SCALAR || yscalar_int(v, &x) != 0 || x < min ||
	    x > max) {
		diag_error(d, v->pos, "resources: '%s' must be an integer from "
			   "%ld to %ld, not %s", key, min, max,
			   shown(v, buf, sizeof buf));
		return -1;
	}
	return (long)x;
}

/* memory: megabytes as an integer, or a number with K, M, G or T. */
static char *get_memory(struct diag *d, const struct ynode *v)
{
	char buf[80];
	if (v->kind == YNODE_SCALAR && yscalar_type(v) == YSCALAR_INT) {
		long n = get_count(d, v, "memory", 1, 1L << 40);
		return n < 0 ? NULL : xasprintf("%ldM", n);
	}
	size_t n = v->kind == YNODE_SCALAR ? v->len : 0;
	char unit = n ? v->str[n - 1] : 0;
	if (unit >= 'a' && unit <= 'z')
		unit = (char)(unit - 'a' + 'A');
	if (n > 1 && n < 20 && strchr("KMGT", unit) && unit &&
	    is_digits(v->str, n - 1) && strspn(v->str, "0") < n - 1)
		return xasprintf("%.*s%c", (int)(n - 1), v->str, unit);
	diag_error(d, v->pos, "resources: 'memory' must be megabytes (an "
		   "integer) or a number with K, M, G or T, such as 8G, not %s",
		   shown(v, buf, sizeof buf));
	return NULL;
}

/* time: seconds, or Slurm's text: MM, MM:SS, HH:MM:SS, D-HH,
 * D-HH:MM, D-HH:MM:SS.  Returns seconds, or -1. */
static double get_time(struct diag *d, const struct ynode *v)
{
	char buf[80];
	double x;
	if (v->kind == YNODE_SCALAR && yscalar_type(v) != YSCALAR_STR &&
	    yscalar_number(v, &x) == 0 && !isnan(x) && x > 0 && x <= 1e9)
		return x;
	if (v->kind == YNODE_SCALAR && yscalar_type(v) == YSCALAR_STR &&
	    v->len < 40) {
		const char *s = v->str;
		long days = -1, f[3];
		int nf = 0;
		const char *dash = strchr(s, '-');
		if (dash) {
			if (!is_digits(s, (size_t)(dash - s)))
				goto bad;
			days = atol(s);
			s = dash + 1;
		}
		while (nf < 3) {
			size_t n = strcspn(s, ":");
			if (!is_digits(s, n) || n > 9)
				goto bad;
			f[nf++] = atol(s);
			s += n;
			if (!*s)
				break;
			s++;
		}
		if (*s)
			goto bad;
		double secs;
		if (days >= 0)   /* D-HH[:MM[:SS]] */
			secs = days * 86400.0 + f[0] * 3600.0 +
			       (nf > 1 ? f[1] * 60.0 : 0) + (nf > 2 ? f[2] : 0);
		else if (nf == 1)   /* MM */
			secs = f[0] * 60.0;
		else if (nf == 2)   /* MM:SS */
			secs = f[0] * 60.0 + f[1];
		else                /* HH:MM:SS */
			secs = f[0] * 3600.0 + f[1] * 60.0 + f[2];
		if (secs > 0 && secs <= 1e9)
			return secs;
	}
bad:
	diag_error(d, v->pos, "resources: 'time' must be a positive number of "
		   "seconds or a Slurm time such as \"90\" (minutes), \"1:30:00\" "
		   "or \"2-00:00:00\", not %s",
		   shown(v, buf, sizeof buf));
	return -1;
}

/* partition, account: names (comma-separated for partition). */
static char *get_word(struct diag *d, const struct ynode *v, const char *key,
		      const char *extra)
{
	char buf[80];
	if (v->kind == YNODE_SCALAR && yscalar_type(v) == YSCALAR_STR &&
	    v->len && v->len < 200 && strlen(v->str) == v->len) {
		int ok = strchr("-.,", v->str[0]) == NULL;
		for (size_t i = 0; ok && i < v->len; i++) {
			char c = v->str[i];
			ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || strchr("_.-", c) ||
			     (c && strchr(extra, c));
		}
		if (ok)
			return xstrdup(v->str);
	}
	diag_error(d, v->pos, "resources: '%s' must be a name of letters, "
		   "digits, '_', '.' and '-'%s, not %s", key,
		   *extra ? " (several separated by ',')" : "",
		   shown(v, buf, sizeof buf));
	return NULL;
}

/* gpus: a count, or TYPE:COUNT. */
static char *get_gpus(struct diag *d, const struct ynode *v)
{
	char buf[80];
	if (v->kind == YNODE_SCALAR && yscalar_type(v) == YSCALAR_INT) {
		long n = get_count(d, v, "gpus", 0, 100000);
		return n <= 0 ? NULL : xasprintf("%ld", n);
	}
	if (v->kind == YNODE_SCALAR && yscalar_type(v) == YSCALAR_STR) {
		const char *colon = strrchr(v->str, ':');
		int ok = colon && colon > v->str && v->len < 100 &&
			 is_digits(colon + 1, strlen(colon + 1)) &&
			 strspn(colon + 1, "0") < strlen(colon + 1);
		for (const char *p = v->str; ok && p < colon; p++)
			ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9') || strchr("_.-", *p);
		if (ok && strchr("-.", v->str[0]) == NULL)
			return xstrdup(v->str);
	}
	diag_error(d, v->pos, "resources: 'gpus' must be a count or TYPE:COUNT "
		   "such as a100:2, not %s",
		   shown(v, buf, sizeof buf));
	return NULL;
}

void resources_parse(struct diag *d, const struct ynode *v,
		     struct resources *r)
{
	r->set = 1;
	if (v->kind != YNODE_MAP) {
		diag_error(d, v->pos, "'resources' must be a mapping such as "
			   "{cpus: 2, memory: 4G}, not %s", ynode_describe(v));
		return;
	}
	for (size_t i = 0; i < v->npairs; i++) {
		const char *k = v->pairs[i].key->str;
		const struct ynode *x = v->pairs[i].value;
		if (!strcmp(k, "cpus")) {
			long n = get_count(d, x, "cpus", 1, 100000);
			if (n > 0)
				r->cpus = n;
		} else if (!strcmp(k, "memory")) {
			free(r->memory);
			r->memory = get_memory(d, x);
		} else if (!strcmp(k, "time")) {
			double t = get_time(d, x);
			if (t > 0)
				r->time = t;
		} else if (!strcmp(k, "partition")) {
			free(r->partition);
			r->partition = get_word(d, x, "partition", ",");
		} else if (!strcmp(k, "account")) {
			free(r->account);
			r->account = get_word(d, x, "account", "");
		} else if (!strcmp(k, "gpus")) {
			free(r->gpus);
			r->gpus = get_gpus(d, x);
		} else {
			const char *near = closest_match(k, res_keys);
			if (near)
				diag_error(d, v->pairs[i].key->pos, "unknown key "
					   "'%s' in resources; did you mean '%s'?",
					   k, near);
			else
				diag_error(d, v->pairs[i].key->pos, "unknown key "
					   "'%s' in resources (cpus, memory, time, "
					   "partition, account, gpus)", k);
		}
	}
}

void resources_release(struct resources *r)
{
	free(r->memory);
	free(r->partition);
	free(r->account);
	free(r->gpus);
	memset(r, 0, sizeof *r);
}
