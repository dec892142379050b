/* schema: see schema.h. */
#include "schema.h"

#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "contract.h"
#include "paramval.h"
#include "workflow.h"

#define NAME_PATTERN "^[A-Za-z_][A-Za-z0-9_-]*$"
#define SECONDS(min) "{\"type\": \"number\", \"" min "\": 0, \"maximum\": 1e9}"

/* One entry per key of workflow.c's tables, and for keys being added
 * (an entry for a key workflow.c does not have is never printed). */
static const struct keydoc docs[] = {
	/* ---- the top level ---- */
	{ 0, "name", "{\"type\": \"string\", \"pattern\": \"" NAME_PATTERN "\", "
	  "\"maxLength\": 100}", NULL,
	  "The workflow's name (required): letters, digits, '_' and '-', "
	  "starting with a letter or '_'; it names the run directory "
	  ".ork/NAME/." },
	{ 0, "description", "{\"type\": \"string\", \"minLength\": 1}", NULL,
	  "What the workflow does, for people." },
	{ 0, "schedule", "{\"type\": \"string\", \"minLength\": 1, "
	  "\"examples\": [\"0 * * * *\", \"*/15 9-17 * * MON-FRI\", \"@daily\"]}",
	  NULL,
	  "When cron runs the workflow: 5 cron fields (minute hour "
	  "day-of-month month day-of-week) or @hourly, @daily, @weekly, "
	  "@monthly, @yearly, @reboot." },
	{ 0, "timezone", "{\"type\": \"string\", \"minLength\": 1, "
	  "\"examples\": [\"Europe/Berlin\", \"UTC\"]}", NULL,
	  "The IANA time zone of schedule, run.date and run.time; default: "
	  "the machine's." },
	{ 0, "params", "{\"type\": [\"object\", \"null\"], "
	  "\"propertyNames\": {\"pattern\": \"^[A-Za-z_][A-Za-z0-9_]*$\"}, "
	  "\"additionalProperties\": {\"$ref\": \"#/$defs/param\"}}", NULL,
	  "Run-time parameters: NAME: {type: T, default: V}, or NAME: V (the "
	  "default, typed by it); no default makes one required." },
	{ 0, "env", "{\"$ref\": \"#/$defs/env\"}", "{}",
	  "Environment variables for every task: NAME: value, or NAME: "
	  "{secret: SECRET}; values may hold {{ }} templates." },
	{ 0, "python", "{\"type\": \"string\", \"minLength\": 1}", NULL,
	  "The interpreter for python tasks (default: $ORK_PYTHON, else "
	  "python3)." },
	{ 0, "types", "{\"type\": [\"object\", \"null\"], "
	  "\"additionalProperties\": {\"$ref\": \"#/$defs/type\"}}", NULL,
	  "Named types for typed mode, used as types.NAME." },
	{ 0, "catchup", "{\"enum\": [\"none\", \"latest\", \"all\"]}", "\"none\"",
	  "What the next firing does about firings missed while the machine "
	  "was off: nothing, run the latest, or run all." },
	{ 0, "tasks", "{\"type\": \"object\", \"minProperties\": 1, "
	  "\"propertyNames\": {\"pattern\": \"" NAME_PATTERN "\", "
	  "\"maxLength\": 100}, "
	  "\"additionalProperties\": {\"$ref\": \"#/$defs/task\"}}", NULL,
	  "The tasks (required), by name." },

	/* ---- a task ---- */
	{ 1, "executor", "{\"type\": \"string\"}", NULL,
	  "What runs the task (required): python (a Python function), "
	  "process (a command) or, where supported, library (a shared object "
	  "exporting Ork's C ABI)." },
	{ 1, "file", "{\"type\": \"string\", \"minLength\": 1}", NULL,
	  "python: the .py file that holds the function (or module); "
	  "library: the shared object." },
	{ 1, "module", "{\"type\": \"string\", "
	  "\"pattern\": \"^[^./0-9][^./]*(\\\\.[^./0-9][^./]*)*$\"}", NULL,
	  "python: the module that holds the function, like pkg.mod (or file)." },
	{ 1, "function", "{\"type\": \"string\", \"minLength\": 1}", "\"main\"",
	  "python: the function to call." },
	{ 1, "command", "{\"anyOf\": [{\"type\": \"string\", \"minLength\": 1}, "
	  "{\"type\": \"array\", \"minItems\": 1, \"items\": "
	  "{\"type\": [\"string\", \"number\", \"boolean\"]}}]}", NULL,
	  "process: the argv list, or a string run by /bin/sh -c." },
	{ 1, "input", "{\"type\": [\"object\", \"null\"]}", "{}",
	  "Static input: the task's input object, to which each upstream "
	  "task's output is added under its name; strings may hold {{ }}." },
	{ 1, "depends_on", "{\"anyOf\": [{\"type\": \"string\", \"minLength\": 1}, "
	  "{\"type\": \"array\", \"items\": {\"type\": \"string\", "
	  "\"minLength\": 1}}, {\"type\": \"null\"}]}", "[]",
	  "The tasks this one runs after, and whose outputs it gets." },
	{ 1, "timeout", SECONDS("exclusiveMinimum"), "3600",
	  "Seconds one attempt may run before its process group is killed." },
	{ 1, "retries", "{\"type\": \"integer\", \"minimum\": 0, "
	  "\"maximum\": 1000000}", "0",
	  "Extra attempts after a failed one." },
	{ 1, "retry_delay", SECONDS("minimum"), "0",
	  "Seconds to wait before the first retry." },
	{ 1, "retry_backoff", "{\"type\": \"number\", \"minimum\": 1, "
	  "\"maximum\": 1000}", "1",
	  "The factor each later retry's delay is multiplied by." },
	{ 1, "retry_max_delay", SECONDS("minimum"), NULL,
	  "The longest delay between attempts, in seconds (default: a day)." },
	{ 1, "retry_on", "{\"anyOf\": [{\"$ref\": \"#/$defs/exit_code\"}, "
	  "{\"type\": \"array\", \"items\": {\"$ref\": \"#/$defs/exit_code\"}}]}",
	  NULL,
	  "Only these exit codes are retried (default: any failure)." },
	{ 1, "when", "{\"type\": [\"string\", \"boolean\"]}", NULL,
	  "A condition (an expression); when false the task is skipped." },
	{ 1, "on_failure", "{\"enum\": [\"skip\", \"run\"]}", "\"skip\"",
	  "skip: run only when every upstream task succeeded; run: run "
	  "anyway (trigger: all_done)." },
	{ 1, "trigger", "{\"type\": \"string\"}", "\"all_success\"",
	  "Which upstream states let the task run: all_success, all_done, "
	  "none_failed or one_success." },
	{ 1, "parallel", "{\"type\": [\"integer\", \"string\"], \"minimum\": 0, "
	  "\"maximum\": 1000000, \"minLength\": 1}", NULL,
	  "Fan-out: run N instances, or as many as an expression says." },
	{ 1, "foreach", "{\"type\": \"string\", \"minLength\": 1}", NULL,
	  "Fan-out: one instance per item of the list an expression gives." },
	{ 1, "concurrency", "{\"type\": \"integer\", \"minimum\": 1}", NULL,
	  "Fan-out: the most instances that run at once." },
	{ 1, "env", "{\"$ref\": \"#/$defs/env\"}", "{}",
	  "Environment variables for this task, over the workflow's env." },
	{ 1, "input_type", "{\"$ref\": \"#/$defs/type\"}", NULL,
	  "Typed mode: the type the task's input must have." },
	{ 1, "output_type", "{\"$ref\": \"#/$defs/type\"}", NULL,
	  "Typed mode: the type the task's output must have (checked at run "
	  "time)." },
	{ 1, "output", "{\"$ref\": \"#/$defs/type\"}", NULL,
	  "Typed mode: another name for output_type." },
	{ 1, "inputs", "{\"type\": \"object\", \"additionalProperties\": "
	  "{\"$ref\": \"#/$defs/binding\"}}", NULL,
	  "Typed mode: the input, one binding per argument, {const: VALUE} or "
	  "{ref: tasks.NAME.output.PATH} (instead of input)." },
	{ 1, "description", "{\"type\": \"string\", \"minLength\": 1}", NULL,
	  "What the task does, shown by make help and sh run.sh -l." },
	{ 1, "sources", "{\"anyOf\": [{\"type\": \"string\", \"minLength\": 1}, "
	  "{\"type\": \"array\", \"items\": {\"type\": \"string\", "
	  "\"minLength\": 1}}]}", "[]",
	  "Files (or globs) the task reads: a changed one re-runs it." },
	{ 1, "generates", "{\"anyOf\": [{\"type\": \"string\", \"minLength\": 1}, "
	  "{\"type\": \"array\", \"items\": {\"type\": \"string\", "
	  "\"minLength\": 1}}]}", "[]",
	  "Files the task writes: one missing after success fails it, one "
	  "missing later re-runs it." },
	{ 1, "resources", "{\"type\": \"object\"}", NULL,
	  "What the task needs from a cluster (cpus, memory, time, partition)." },
};

const struct keydoc *schema_keydoc(int task, const char *key)
{
	for (size_t i = 0; i < sizeof docs / sizeof *docs; i++)
		if (docs[i].task == task && !strcmp(docs[i].key, key))
			return &docs[i];
	return NULL;
}

/* A fragment of the table as JSON; a bad one is the table's bug. */
static cJSON *parse(const char *json)
{
	cJSON *v = cJSON_Parse(json);
	if (!v)
		die(70, "internal error: bad schema fragment: %s", json);
	return v;
}

static cJSON *enum_of(const char *const *names)
{
	cJSON *a = cJSON_CreateArray();
	for (; *names; names++)
		cJSON_AddItemToArray(a, cJSON_CreateString(*names));
	return a;
}

/* The schema of one key: its fragment, the names the contract allows,
 * its default and its meaning. */
static cJSON *key_schema(const struct keydoc *k)
{
	cJSON *s = parse(k->schema);
	if (k->task && !strcmp(k->key, "executor"))
		cJSON_AddItemToObject(s, "enum", enum_of(executor_names));
	else if (k->task && !strcmp(k->key, "trigger"))
		cJSON_AddItemToObject(s, "enum", enum_of(trigger_names));
	if (k->dflt)
		cJSON_AddItemToObject(s, "default", parse(k->dflt));
	cJSON_AddStringToObject(s, "description", k->text);
	return s;
}

/* The keys of one level into o: the count of undocumented ones is added
 * to *missing. */
static void level(cJSON *o, int task, size_t *missing)
{
	cJSON *props = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", "object");
	cJSON_AddItemToObject(o, "properties", props);
	for (const char *const *k = workflow_keys(task); *k; k++) {
		if (workflow_key_later(*k))
			continue;   /* an error to use, so not in the schema */
		const struct keydoc *doc = schema_keydoc(task, *k);
		if (!doc) {
			(*missing)++;
			continue;
		}
		cJSON_AddItemToObject(props, *k, key_schema(doc));
	}
	cJSON_AddFalseToObject(o, "additionalProperties");
}

/* What each executor needs, as the compiler checks it. */
static void executor_rules(cJSON *task)
{
	cJSON_AddItemToObject(task, "required", parse("[\"executor\"]"));
	cJSON_AddItemToObject(task, "allOf", parse(
		"[{\"if\": {\"properties\": {\"executor\": {\"const\": \"process\"}}},"
		"  \"then\": {\"required\": [\"command\"]}},"
		" {\"if\": {\"properties\": {\"executor\": {\"const\": \"python\"}}},"
		"  \"then\": {\"oneOf\": [{\"required\": [\"file\"]},"
		"                        {\"required\": [\"module\"]}]}},"
		" {\"if\": {\"properties\": {\"executor\": {\"const\": \"library\"}}},"
		"  \"then\": {\"required\": [\"file\"]}}]"));
}

/* The shapes several keys share. */
static cJSON *defs(cJSON *task)
{
	cJSON *d = cJSON_CreateObject();
	cJSON_AddItemToObject(d, "task", task);
	cJSON_AddItemToObject(d, "env", parse(
		"{\"type\": [\"object\", \"null\"],"
		" \"propertyNames\": {\"pattern\": \"^[A-Za-z_][A-Za-z0-9_]*$\","
		"                    \"not\": {\"pattern\": \"^ORK_\"}},"
		" \"additionalProperties\": {\"anyOf\": ["
		"   {\"type\": [\"string\", \"number\", \"boolean\"]},"
		"   {\"type\": \"object\", \"required\": [\"secret\"],"
		"    \"properties\": {\"secret\": {\"type\": \"string\","
		"      \"pattern\": \"^[A-Za-z_][A-Za-z0-9_]*$\"}},"
		"    \"additionalProperties\": false}]}}"));
	cJSON *param = parse(
		"{\"anyOf\": [{\"type\": [\"string\", \"number\", \"boolean\"]},"
		" {\"type\": \"object\", \"properties\": {\"type\": {},"
		"  \"default\": {\"type\": [\"string\", \"number\", \"boolean\"]}},"
		"  \"additionalProperties\": false}]}");
	cJSON *ptype = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(
		cJSON_GetObjectItem(param, "anyOf"), 1), "properties"), "type");
	cJSON_AddItemToObject(ptype, "enum", enum_of(param_type_names));
	cJSON_AddItemToObject(d, "param", param);
	cJSON_AddItemToObject(d, "type", parse(
		"{\"description\": \"A type: a name (str, int, float, bool, date, "
		"datetime, datetime_tz, datetime_utc, datetime_notz, any, list[T], "
		"dict[str, T], T?, types.NAME), [T] for a list, or a mapping of "
		"field names to types.\","
		" \"anyOf\": [{\"type\": \"string\", \"minLength\": 1},"
		"  {\"type\": \"array\", \"minItems\": 1, \"maxItems\": 1,"
		"   \"items\": {\"$ref\": \"#/$defs/type\"}},"
		"  {\"type\": \"object\","
		"   \"additionalProperties\": {\"$ref\": \"#/$defs/type\"}}]}"));
	cJSON_AddItemToObject(d, "binding", parse(
		"{\"type\": \"object\", \"minProperties\": 1, \"maxProperties\": 1,"
		" \"properties\": {\"const\": {},"
		"  \"ref\": {\"type\": \"string\", \"minLength\": 1}},"
		" \"additionalProperties\": false}"));
	cJSON_AddItemToObject(d, "exit_code", parse(
		"{\"type\": \"integer\", \"minimum\": 1, \"maximum\": 255}"));
	return d;
}

size_t schema_write(struct strbuf *out)
{
	size_t missing = 0;
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "$schema",
				"https://json-schema.org/draft/2020-12/schema");
	cJSON_AddStringToObject(root, "$id", "urn:orkc:workflow");
	cJSON_AddStringToObject(root, "title", "orkc workflow");
	cJSON_AddStringToObject(root, "description", "A workflow file for "
				"orkc(1); see ork-workflow(5).");
	level(root, 0, &missing);
	cJSON_AddItemToObject(root, "required", parse("[\"name\", \"tasks\"]"));
	cJSON *task = cJSON_CreateObject();
	level(task, 1, &missing);
	executor_rules(task);
	cJSON_AddItemToObject(root, "$defs", defs(task));
	char *text = cJSON_Print(root);
	strbuf_adds(out, text);
	strbuf_adds(out, "\n");
	free(text);
	cJSON_Delete(root);
	return missing;
}
