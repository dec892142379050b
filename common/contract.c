/* contract: see contract.h. */
#include "contract.h"

#include <string.h>

const char *const executor_names[EXECUTOR_COUNT + 1] = {
	"python", "process", "library", NULL
};

const char *const trigger_names[TRIGGER_COUNT + 1] = {
	"all_success", "all_done", "none_failed", "one_success", NULL
};

const char *executor_name(enum executor e)
{
	return executor_names[e];
}

const char *trigger_name(enum trigger t)
{
	return trigger_names[t];
}

int contract_lookup(const char *const *names, const char *s)
{
	for (int i = 0; names[i]; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

static int alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int digit(char c)
{
	return c >= '0' && c <= '9';
}

static int name_rule(const char *s, int dash)
{
	if (!alpha(*s))
		return 0;
	for (s++; *s; s++)
		if (!alpha(*s) && !digit(*s) && !(dash && *s == '-'))
			return 0;
	return 1;
}

int valid_name(const char *s)
{
	return name_rule(s, 1);
}

int valid_env_name(const char *s)
{
	return name_rule(s, 0);
}

int valid_run_id(const char *s)
{
	/* Not "-...": it would read as an option of ork status and logs. */
	if (!*s || *s == '-' || !strcmp(s, ".") || !strcmp(s, ".."))
		return 0;
	for (; *s; s++)
		if (!alpha(*s) && !digit(*s) && *s != '.' && *s != '-')
			return 0;
	return 1;
}
