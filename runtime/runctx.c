/* runctx: see runctx.h. */
#include "runctx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "expr.h"
#include "jsonx.h"
#include "paramval.h"
#include "template.h"
#include "tz.h"
#include "util.h"

static cJSON *run_object(const struct rundir *rd, const char *zone)
{
	time_t t = time(NULL);
	const char *sched = getenv("ORK_SCHEDULED_TIME");
	if (sched && *sched && tz_parse(sched, &t) < 0) {
		warn_msg("ORK_SCHEDULED_TIME '%s' is not an RFC 3339 time", sched);
		return NULL;
	}
	if (zone && tz_use(zone) < 0) {
		warn_msg("time zone '%s' is not known here; run.date and run.time "
		      "use the machine's", zone);
		tz_use(NULL);
	}
	struct walltime w;
	tz_wall(t, &w, NULL);
	char date[32], stamp[40];
	snprintf(date, sizeof date, "%04d-%02d-%02d", w.year % 10000, w.mon % 100,
		 w.mday % 100);
	tz_format(t, stamp);
	/* Back to the operator's zone: tasks started by this process (ork
	 * exec beginning the run itself) must not inherit the workflow's. */
	if (zone)
		tz_use(NULL);
	cJSON *r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "id", rd->run_id);
	cJSON_AddStringToObject(r, "date", date);
	cJSON_AddStringToObject(r, "time", stamp);
	cJSON_AddStringToObject(r, "workflow", rd->workflow);
	return r;
}

/* The scope of a default's templates: run.*, env.*, params so far. */
struct scope {
	const cJSON *run, *params;
	cJSON *envs;
};

static const cJSON *lookup(void *ctx, enum expr_root root, const char *name,
			   struct expr_error *err, int *failed)
{
	struct scope *sc = ctx;
	if (root == ROOT_RUN)
		return cJSON_GetObjectItemCaseSensitive(sc->run, name);
	if (root == ROOT_PARAM)
		return cJSON_GetObjectItemCaseSensitive(sc->params, name);
	if (root == ROOT_ENV) {
		const char *v = getenv(name);
		if (!v)
			return NULL;
		cJSON *s = cJSON_CreateString(v);
		cJSON_AddItemToArray(sc->envs, s);
		return s;
	}
	snprintf(err->msg, sizeof err->msg, "a param's default cannot use '%s'",
		 name);
	*failed = 1;
	return NULL;
}

/* The default of a param, its templates evaluated. */
static cJSON *eval_default(const cJSON *dflt, struct scope *sc,
			   const char *name)
{
	if (!cJSON_IsString(dflt) ||
	    !tmpl_present(dflt->valuestring, strlen(dflt->valuestring)))
		return cJSON_Duplicate(dflt, 1);
	struct tmpl t;
	struct expr_error err;
	struct expr_scope es = {lookup, sc};
	cJSON *v = NULL;
	if (tmpl_parse(dflt->valuestring, strlen(dflt->valuestring), &t, &err) == 0)
		v = tmpl_eval(&t, &es, &err);
	tmpl_release(&t);
	if (!v)
		warn_msg("param '%s': default '%s': %s", name, dflt->valuestring,
		      err.msg);
	return v;
}

/* One param's value, or NULL after saying why. */
static cJSON *resolve(const char *name, const cJSON *decl, const cJSON *old,
		      struct scope *sc, const char *run_id)
{
	const char *tname = jsonx_get_string(decl, "type");
	int type = tname ? param_type_from_name(tname) : 0;
	if (type < 0) {
		warn_msg("param '%s': unknown type '%s'", name, tname);
		return NULL;
	}
	char *var = xasprintf("ORK_PARAM_%s", name);
	const char *given = getenv(var);
	free(var);
	const cJSON *before = cJSON_GetObjectItemCaseSensitive(old, name);
	struct strbuf why = STRBUF_INIT;
	cJSON *v;
	if (given) {
		v = param_from_text((enum param_type)type, given, &why);
		if (!v) {
			warn_msg("param '%s': '%s' is %s", name, given,
				 strbuf_str(&why));
			strbuf_release(&why);
			return NULL;
		}
		if (before && !cJSON_Compare(before, v, 1)) {
			char *was = jsonx_print(before, 0);
			warn_msg("param '%s' is %s in run '%s', not '%s'; start a new "
			      "run (RUN_ID=...) to change it", name, was, run_id,
			      given);
			free(was);
			cJSON_Delete(v);
			return NULL;
		}
		return v;
	}
	if (before)
		return cJSON_Duplicate(before, 1);
	const cJSON *dflt = cJSON_GetObjectItemCaseSensitive(decl, "default");
	if (!dflt) {
		warn_msg("param '%s' is required: give it as %s=VALUE on the make "
		      "command line or ORK_PARAM_%s=VALUE in the environment",
		      name, name, name);
		return NULL;
	}
	cJSON *raw = eval_default(dflt, sc, name);
	if (!raw)
		return NULL;
	v = param_from_json((enum param_type)type, raw, &why);
	if (!v) {
		char *text = jsonx_print(raw, 0);
		warn_msg("param '%s': its default %s is %s", name, text,
			 strbuf_str(&why));
		free(text);
		strbuf_release(&why);
	}
	cJSON_Delete(raw);
	return v;
}

int runctx_begin(cJSON *run, const cJSON *old, const struct rundir *rd)
{
	const char *text = getenv("ORK_RUN_SPEC");
	cJSON *spec = text && *text ? cJSON_Parse(text) : NULL;
	if (text && *text && !cJSON_IsObject(spec)) {
		warn_msg("ORK_RUN_SPEC is not a JSON object");
		cJSON_Delete(spec);
		return -1;
	}
	const cJSON *oldrun = cJSON_GetObjectItemCaseSensitive(old, "run");
	cJSON *r = oldrun ? cJSON_Duplicate(oldrun, 1)
			  : run_object(rd, jsonx_get_string(spec, "timezone"));
	if (!r) {
		cJSON_Delete(spec);
		return -1;
	}
	cJSON_AddItemToObject(run, "run", r);
	const cJSON *decls = cJSON_GetObjectItemCaseSensitive(spec, "params");
	int rc = 0;
	if (cJSON_IsObject(decls) && decls->child) {
		cJSON *params = cJSON_AddObjectToObject(run, "params");
		struct scope sc = {r, params, cJSON_CreateArray()};
		const cJSON *oldp = cJSON_GetObjectItemCaseSensitive(old, "params");
		for (const cJSON *d = decls->child; d; d = d->next) {
			cJSON *v = resolve(d->string, d, oldp, &sc, rd->run_id);
			if (v)
				cJSON_AddItemToObject(params, d->string, v);
			else
				rc = -1;
		}
		cJSON_Delete(sc.envs);
	}
	cJSON_Delete(spec);
	return rc;
}
