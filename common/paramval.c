/* paramval: see paramval.h. */
#include "paramval.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonx.h"
#include "util.h"

const char *const param_type_names[] = {
	"str", "int", "float", "bool", "date", "datetime", NULL
};

int param_type_from_name(const char *name)
{
	for (int i = 0; param_type_names[i]; i++)
		if (!strcmp(param_type_names[i], name))
			return i;
	return -1;
}

static int digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int num(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* YYYY-MM-DD, a day that exists. */
static int valid_date(const char *s)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (strlen(s) < 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) ||
	    s[7] != '-' || !digits(s + 8, 2))
		return 0;
	int y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return !(m == 2 && d == 29 && !leap);
}

/* HH:MM[:SS[.frac]][Z|+HH:MM|-HH:MM] */
static int valid_time(const char *s)
{
	if (!digits(s, 2) || s[2] != ':' || !digits(s + 3, 2) ||
	    num(s, 2) > 23 || num(s + 3, 2) > 59)
		return 0;
	s += 5;
	if (*s == ':') {
		if (!digits(s + 1, 2) || num(s + 1, 2) > 60)
			return 0;
		s += 3;
		if (*s == '.') {
			size_t n = strspn(s + 1, "0123456789");
			if (n == 0)
				return 0;
			s += 1 + n;
		}
	}
	if (*s == 'Z' || *s == 'z')
		return s[1] == '\0';
	if (*s == '+' || *s == '-')
		return digits(s + 1, 2) && s[3] == ':' && digits(s + 4, 2) &&
		       num(s + 1, 2) <= 23 && num(s + 4, 2) <= 59 && s[6] == '\0';
	return *s == '\0';
}

static cJSON *number_text(const char *s, int integer, struct strbuf *err)
{
	const char *p = s + (*s == '+' || *s == '-');
	size_t n = strspn(p, "0123456789");
	int ok = n > 0;
	if (integer) {
		ok = ok && p[n] == '\0';
	} else if (ok) {
		const char *q = p + n;
		if (*q == '.') {
			size_t f = strspn(q + 1, "0123456789");
			ok = f > 0;
			q += 1 + f;
		}
		if (ok && (*q == 'e' || *q == 'E')) {
			q++;
			q += *q == '+' || *q == '-';
			size_t e = strspn(q, "0123456789");
			ok = e > 0;
			q += e;
		}
		ok = ok && *q == '\0';
	}
	if (!ok) {
		error_to(err, "%s", integer ? "not an integer" : "not a number");
		return NULL;
	}
	errno = 0;
	double d = strtod(s, NULL);
	if (errno == ERANGE || (integer && (d > 9007199254740992.0 ||
					    d < -9007199254740992.0))) {
		error_to(err, "out of range");
		return NULL;
	}
	return cJSON_CreateNumber(d);
}

cJSON *param_from_text(enum param_type t, const char *text, struct strbuf *err)
{
	static const char *const yes[] = {"true", "yes", "on", "1", NULL};
	static const char *const no[] = {"false", "no", "off", "0", NULL};
	switch (t) {
	case PT_INT:
		return number_text(text, 1, err);
	case PT_FLOAT:
		return number_text(text, 0, err);
	case PT_BOOL:
		for (int i = 0; yes[i]; i++) {
			if (!strcasecmp(text, yes[i]))
				return cJSON_CreateTrue();
			if (!strcasecmp(text, no[i]))
				return cJSON_CreateFalse();
		}
		error_to(err, "not a boolean (true or false)");
		return NULL;
	case PT_DATE:
		if (!valid_date(text) || text[10] != '\0') {
			error_to(err, "not a date (YYYY-MM-DD)");
			return NULL;
		}
		break;
	case PT_DATETIME:
		if (!valid_date(text) || (text[10] != 'T' && text[10] != 't' &&
					  text[10] != ' ') || !valid_time(text + 11)) {
			error_to(err, "not a date and time (YYYY-MM-DDTHH:MM:SS, "
				 "optionally with Z or +HH:MM)");
			return NULL;
		}
		break;
	default:
		break;
	}
	return cJSON_CreateString(text);
}

cJSON *param_from_json(enum param_type t, const cJSON *v, struct strbuf *err)
{
	if (cJSON_IsString(v))
		return param_from_text(t, v->valuestring, err);
	if (t == PT_STR && (cJSON_IsNumber(v) || cJSON_IsBool(v))) {
		/* A str param given 10 means the text "10". */
		char *text = jsonx_print(v, 0);
		cJSON *r = cJSON_CreateString(text);
		free(text);
		return r;
	}
	double d = cJSON_IsNumber(v) ? v->valuedouble : 0;
	int integral = d <= 9007199254740992.0 && d >= -9007199254740992.0 &&
		       d == (double)(long long)d;
	if (cJSON_IsNumber(v) && (t == PT_FLOAT || (t == PT_INT && integral)))
		return cJSON_CreateNumber(d);
	if (cJSON_IsNumber(v) && t == PT_INT) {
		error_to(err, "not an integer");
		return NULL;
	}
	if (cJSON_IsBool(v) && t == PT_BOOL)
		return cJSON_CreateBool(cJSON_IsTrue(v));
	const char *why = cJSON_IsNull(v) ? "null" :
			  cJSON_IsBool(v) ? "not a boolean" :
			  cJSON_IsNumber(v) ? "a number" :
			  cJSON_IsArray(v) ? "a list" : "an object";
	if (t == PT_BOOL && !cJSON_IsNull(v))
		why = "not a boolean (true or false)";
	error_to(err, "%s", why);
	return NULL;
}
